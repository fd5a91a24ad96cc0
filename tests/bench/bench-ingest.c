/*
 * bench-ingest.c: sustained ingest through the daemon's own path, parse ->
 * score -> store.  Each feed file is handed to ingest_document() exactly
 * as the poller hands over a fetched body: the real feed parser, the
 * identity check against the store, the real pipeline over the given
 * markets, and one batch (one durable transaction) per document, with the
 * markets' state saved each time.  No event loop runs and no subscriber
 * listens; everything else is the daemon's code.
 *
 * Passes: parse only (the parser's share); ingest (every entry new); the
 * same documents again (every entry already stored: the cost of a re-poll
 * that brings nothing new); the start-up check of the resulting file;
 * then retention in the daemon's step size (PUBLISH_PRUNE_ROWS), timing
 * every step: the longest is how long pruning can hold the loop.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "daemon.h"
#include "feed.h"
#include "log.h"
#include "store.h"

struct doc {
	char	*name;		/* feed name: the file name up to its first dot */
	char	*body;
	size_t	 len;
};

struct bench {
	const char	*dir, *feeds, *markets;
	struct doc	*docs;
	size_t		 ndocs;
	size_t		 bytes;
	double		*ms;		/* per document */
	struct daemon	 d;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds used so far (user + system): a figure less at the mercy of
 * other work on a shared machine than the wall clock. */
static double
cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static int
cmp_doc(const void *x, const void *y)
{
	return strcmp(((const struct doc *)x)->name,
	    ((const struct doc *)y)->name);
}

/* Read one file whole. */
static int
read_file(const char *path, char **body, size_t *len)
{
	FILE	*fp;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL || fseek(fp, 0, SEEK_END) == -1 ||
	    (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) == -1 ||
	    (*body = malloc((size_t)n + 1)) == NULL) {
		perror(path);
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	*len = fread(*body, 1, (size_t)n, fp);
	(*body)[*len] = '\0';
	fclose(fp);
	return *len == (size_t)n ? 0 : -1;
}

/* Every regular file of the feeds directory, in name order, in memory. */
static int
load_docs(struct bench *b)
{
	DIR		*dp;
	struct dirent	*de;
	char		 path[4096];

	if ((dp = opendir(b->feeds)) == NULL) {
		perror(b->feeds);
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		struct doc *v;

		if (de->d_name[0] == '.')
			continue;
		if ((v = realloc(b->docs, (b->ndocs + 1) * sizeof(*v))) == NULL)
			break;
		b->docs = v;
		v = &b->docs[b->ndocs];
		snprintf(path, sizeof(path), "%s/%s", b->feeds, de->d_name);
		if ((v->name = strndup(de->d_name, strcspn(de->d_name,
		    "."))) == NULL || read_file(path, &v->body, &v->len) == -1)
			break;
		b->bytes += v->len;
		b->ndocs++;
	}
	closedir(dp);
	qsort(b->docs, b->ndocs, sizeof(*b->docs), cmp_doc);
	if (b->ndocs == 0 || (b->ms = calloc(b->ndocs, sizeof(double))) ==
	    NULL) {
		fprintf(stderr, "bench-ingest: %s: no feed files\n", b->feeds);
		return -1;
	}
	return 0;
}

/* A config naming one feed per document (URLs are never fetched). */
static int
make_config(struct bench *b)
{
	char	*text = NULL, err[512];
	size_t	 size = 0;
	FILE	*mem;

	if ((mem = open_memstream(&text, &size)) == NULL)
		return -1;
	fprintf(mem, "{\"markets\":\"%s\",\"feeds\":[", b->markets);
	for (size_t i = 0; i < b->ndocs; i++)
		fprintf(mem, "%s{\"name\":\"%s\",\"url\":\"http://127.0.0.1:9/"
		    "%s\"}", i ? "," : "", b->docs[i].name, b->docs[i].name);
	fprintf(mem, "]}");
	if (fclose(mem) != 0)
		return -1;
	if (config_parse("bench-ingest.json", text, size, &b->d.cfg, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "bench-ingest: %s\n", err);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

/* The daemon's pipeline and store, as `pmsignald run` sets them up. */
static int
setup_daemon(struct bench *b)
{
	struct daemon	*d = &b->d;
	char		 path[4096];

	memset(d, 0, sizeof(*d));
	metrics_init(&d->counters, daemon_now());
	snprintf(path, sizeof(path), "%s/bench-ingest.db", b->dir);
	remove(path);
	if (make_config(b) == -1 || (d->base = event_base_new()) == NULL ||
	    (d->database_path = strdup(path)) == NULL ||
	    (d->markets_path = strdup(b->markets)) == NULL)
		return -1;
	return publish_setup(d);
}

/* Parse every document, as the first step of ingest does. */
static void
pass_parse(struct bench *b)
{
	double	t0 = now_s(), c0 = cpu_s(), secs;
	size_t	entries = 0;
	char	err[256];

	for (size_t i = 0; i < b->ndocs; i++) {
		struct feed f;

		if (feed_parse(b->docs[i].body, b->docs[i].len, NULL, NULL, &f,
		    err, sizeof(err)) == 0)
			entries += f.nentries;
		feed_free(&f);
	}
	secs = now_s() - t0;
	printf("parse only: %zu documents, %.1f MB, %zu entries: %.2f s "
	    "(CPU %.2f s), %.0f entries/s, %.0f MB/s\n", b->ndocs,
	    (double)b->bytes / 1e6, entries, secs, cpu_s() - c0,
	    (double)entries / secs, (double)b->bytes / 1e6 / secs);
}

/* Hand every document to ingest_document(), timing each. */
static int
pass_ingest(struct bench *b, const char *what)
{
	struct daemon	*d = &b->d;
	uint64_t	 a0 = d->counters.articles, d0 = d->counters.deltas;
	double		 t0 = now_s(), c0 = cpu_s(), t, secs, cpu, arts, dels;
	char		 err[512];

	for (size_t i = 0; i < b->ndocs; i++) {
		t = now_s();
		if (ingest_document(d, b->docs[i].name, b->docs[i].body,
		    b->docs[i].len, NULL, NULL, daemon_now(), err,
		    sizeof(err)) < 0) {
			fprintf(stderr, "bench-ingest: %s: %s\n",
			    b->docs[i].name, err);
			return -1;
		}
		b->ms[i] = (now_s() - t) * 1e3;
	}
	secs = now_s() - t0;
	cpu = cpu_s() - c0;
	arts = (double)(d->counters.articles - a0);
	dels = (double)(d->counters.deltas - d0);
	qsort(b->ms, b->ndocs, sizeof(double), cmp_double);
	printf("%s: %zu documents, %.0f new articles, %.0f deltas, %zu "
	    "markets: %.2f s (CPU %.2f s: %.0f articles per CPU second)\n",
	    what, b->ndocs, arts, dels, d->markets->nmarkets, secs, cpu,
	    arts / cpu);
	printf("  %.0f articles/s, %.0f documents/s, %.1f MB/s; per document "
	    "(one batch) p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", arts / secs,
	    (double)b->ndocs / secs, (double)b->bytes / 1e6 / secs,
	    b->ms[b->ndocs / 2], b->ms[b->ndocs * 99 / 100],
	    b->ms[b->ndocs - 1]);
	if (d->pending != NULL) {
		fprintf(stderr, "bench-ingest: the store refused batches\n");
		return -1;
	}
	return 0;
}

static double
file_mib(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (double)sb.st_size / (1 << 20) : 0;
}

/* What a restart pays for STORE_CHECK on this file (page cache warm). */
static int
pass_check(struct bench *b)
{
	struct store	*s;
	char		 err[512];
	double		 t0 = now_s();

	if (store_open(b->d.database_path, STORE_CHECK | STORE_NOCREATE, &s,
	    err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "bench-ingest: %s\n", err);
		return -1;
	}
	printf("start-up check (store_open with quick_check) of %.1f MiB: "
	    "%.0f ms\n", file_mib(b->d.database_path), (now_s() - t0) * 1e3);
	store_close(s);
	return 0;
}

static double
thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Retention of everything, in the daemon's steps and pauses: how long each
 * step holds the loop (wall clock, which other work on a shared machine
 * inflates, and this thread's CPU time), mean, p99 and max.
 */
static int
pass_prune(struct bench *b)
{
	struct store	*s = b->d.store;
	char		 err[512];
	double		 t0, c0, *wall = NULL, *cpu = NULL, wsum = 0;
	long		 steps = 0, rows = 0, cap = 0;
	int		 n, max = PUBLISH_PRUNE_ROWS;
	struct timespec	 pause = { 0, PUBLISH_PRUNE_PAUSE_MS * 1000000L };

	if (getenv("BENCH_PRUNE_ROWS") != NULL)
		max = atoi(getenv("BENCH_PRUNE_ROWS"));
	do {
		if (steps == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((wall = realloc(wall, (size_t)cap * sizeof(*wall))) ==
			    NULL || (cpu = realloc(cpu, (size_t)cap *
			    sizeof(*cpu))) == NULL)
				return -1;
		}
		t0 = now_s();
		c0 = thread_cpu_s();
		n = store_prune(s, daemon_now() + 400 * 86400, 1, 1, max, err,
		    sizeof(err));
		if (n < 0) {
			fprintf(stderr, "bench-ingest: %s\n", err);
			return -1;
		}
		cpu[steps] = (thread_cpu_s() - c0) * 1e3;
		wall[steps] = (now_s() - t0) * 1e3;
		wsum += wall[steps];
		steps++;
		rows += n;
		/* The daemon's pause between steps (the loop runs meanwhile). */
		nanosleep(&pause, NULL);
	} while (n == max);
	qsort(wall, (size_t)steps, sizeof(double), cmp_double);
	qsort(cpu, (size_t)steps, sizeof(double), cmp_double);
	printf("retention: %ld rows in %ld steps of at most %d rows: step "
	    "mean %.2f ms, p99 %.2f ms, max %.2f ms (CPU p99 %.2f ms, max "
	    "%.2f ms)\n", rows, steps, max, wsum / (double)steps,
	    wall[steps * 99 / 100], wall[steps - 1], cpu[steps * 99 / 100],
	    cpu[steps - 1]);
	free(wall);
	free(cpu);
	return 0;
}

static void
teardown(struct bench *b)
{
	publish_teardown(&b->d);
	config_free(&b->d.cfg);
	if (b->d.base != NULL)
		event_base_free(b->d.base);
	free(b->d.database_path);
	free(b->d.markets_path);
	for (size_t i = 0; i < b->ndocs; i++) {
		free(b->docs[i].name);
		free(b->docs[i].body);
	}
	free(b->docs);
	free(b->ms);
}

int
main(int argc, char **argv)
{
	struct bench	b;
	int		rc;

	if (argc != 4) {
		fprintf(stderr, "usage: bench-ingest DBDIR FEEDDIR MARKETS\n");
		return 2;
	}
	memset(&b, 0, sizeof(b));
	b.dir = argv[1];
	b.feeds = argv[2];
	b.markets = argv[3];
	log_init("bench-ingest", LOG_LEVEL_WARN);
	if (load_docs(&b) == -1 || setup_daemon(&b) == -1) {
		teardown(&b);
		return 1;
	}
	pass_parse(&b);
	rc = pass_ingest(&b, "ingest (parse, score, store)") == 0 &&
	    pass_ingest(&b, "the same documents again (all seen)") == 0 &&
	    printf("  database %.1f MiB\n", file_mib(b.d.database_path)) > 0 &&
	    pass_check(&b) == 0 && pass_prune(&b) == 0 ? 0 : 1;
	teardown(&b);
	return rc;
}
