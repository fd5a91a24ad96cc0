/*
 * bench-store.c: the store alone on this machine's disk.  Bursts of
 * synthetic articles go in as one batch each (identity check, article with
 * its text and SimHash, its deltas and evidence, a small state), committed
 * durably as the daemon does; then the delta log is replayed and
 * everything is pruned in bounded steps.  Prints articles/s, commit
 * latencies and the longest prune step.  The daemon's whole ingest path
 * (feed parser, pipeline, store) is bench-ingest.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "date.h"
#include "store.h"

#define BENCH_T0	1763510400	/* 2025-11-19T00:00:00Z */
#define BENCH_MAXDELTAS	64

struct bench_opts {
	const char	*dir;
	long		 articles;	/* total */
	int		 batch;		/* articles per transaction */
	int		 deltas;	/* deltas per article */
	int		 nmarkets;	/* synthetic markets */
	int		 textlen;	/* bytes of body per article */
	int		 prune_rows;	/* rows per prune step */
};

struct bench {
	struct bench_opts	 o;
	struct store		*store;
	uint64_t		 rng;
	char			 market[128][32];
	char			*text;
	char			*state;		/* a small state text */
	double			*commit_ms;	/* per batch */
	long			 ncommits;
	long			 ndeltas;

	struct delta		 synthetic[BENCH_MAXDELTAS];
};

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
bench_rand(struct bench *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

/* Article body: words from a small vocabulary, deterministic. */
static void
bench_text(struct bench *b)
{
	static const char *const words[] = { "envoys", "met", "in", "Geneva",
	    "ceasefire", "talks", "resumed", "on", "Tuesday", "officials",
	    "said", "the", "zone", "agreement", "was", "not", "signed", "yet",
	    "a", "call", "between", "leaders", "is", "expected", "sanctions" };
	size_t	n = 0, len = (size_t)b->o.textlen;

	while (n + 12 < len) {
		const char *w = words[bench_rand(b) % (sizeof(words) /
		    sizeof(words[0]))];

		n += (size_t)sprintf(b->text + n, "%s ", w);
	}
	b->text[n] = '\0';
}

/* FNV-1a of the text, standing in for the dedup stage's SimHash. */
static uint64_t
bench_simhash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* o.deltas synthetic deltas on markets picked at random, and a SimHash. */
static void
bench_process(struct bench *b, const struct article *a, struct delta **d,
    size_t *n, uint64_t *simhash)
{
	*d = b->synthetic;
	*n = (size_t)b->o.deltas;
	*simhash = bench_simhash(a->text);
	for (size_t i = 0; i < *n; i++) {
		struct delta *x = &b->synthetic[i];

		memset(x, 0, sizeof(*x));
		x->ts = a->first_seen;
		x->market = b->market[bench_rand(b) % (uint64_t)b->o.nmarkets];
		x->prev = 0.2;
		x->p = 0.2 + (double)(bench_rand(b) % 1000) / 1e5;
		x->cause = DELTA_ARTICLE;
		x->article_id = a->id;
		x->article_title = a->title;
		x->article_url = a->url;
		x->article_source = a->source;
		x->article_published = a->published;
		x->article_first_seen = a->first_seen;
		x->evidence = "[{\"rule\":\"talks-resumed\",\"span\":[12,25],"
		    "\"modifiers\":[\"attributed\"],\"weight\":0.35}]";
	}
}

/* Article i, made up. */
static void
bench_make_article(struct bench *b, long i, struct article *a, char *id,
    char *url, char *title)
{
	snprintf(id, 32, "item-%ld", i);
	snprintf(url, 64, "https://wire.example/%ld", i);
	snprintf(title, 64, "Talks resume, round %ld", i);
	bench_text(b);
	*a = (struct article){ id, "wire", title, url, b->text,
	    BENCH_T0 + i - 60, BENCH_T0 + i, 1.0 };
}

/* Store one article, its deltas and their evidence (inside the batch). */
static int
bench_article(struct bench *b, long i)
{
	struct article	 a;
	struct delta	*d;
	char		 id[32], url[64], title[64], err[512];
	uint64_t	 simhash;
	int64_t		 rowid;
	size_t		 n;
	int		 rc;

	bench_make_article(b, i, &a, id, url, title);
	if ((rc = store_article_seen(b->store, a.source, a.id, a.url, err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "bench-store: %s\n", rc < 0 ? err :
		    "article already seen");
		return -1;
	}
	bench_process(b, &a, &d, &n, &simhash);
	if (store_add_article(b->store, &a, simhash, &rowid, err,
	    sizeof(err)) != 0 ||
	    store_append_deltas(b->store, d, n, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "bench-store: %s\n", err);
		return -1;
	}
	for (size_t k = 0; k < n; k++)
		if (d[k].evidence != NULL && store_add_evidence(b->store, rowid,
		    d[k].market, d[k].evidence, err, sizeof(err)) != STORE_OK) {
			fprintf(stderr, "bench-store: %s\n", err);
			return -1;
		}
	b->ndeltas += (long)n;
	return 0;
}

/* One burst: a batch of articles, a small state, one commit. */
static int
bench_burst(struct bench *b, long first, long count)
{
	char	err[512];
	double	t0 = bench_now();

	if (store_begin(b->store, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "bench-store: %s\n", err);
		return -1;
	}
	for (long i = first; i < first + count; i++)
		if (bench_article(b, i) == -1) {
			store_rollback(b->store);
			return -1;
		}
	if (store_state_put(b->store, "pipeline", b->state, BENCH_T0 + first,
	    err, sizeof(err)) != STORE_OK ||
	    store_commit(b->store, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "bench-store: %s\n", err);
		store_rollback(b->store);
		return -1;
	}
	b->commit_ms[b->ncommits++] = (bench_now() - t0) * 1e3;
	return 0;
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, c = *(const double *)y;

	return a < c ? -1 : a > c;
}

static double
bench_file_mib(const char *dir)
{
	char		path[4096];
	struct stat	sb;
	double		total = 0;

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/bench.db%s", dir,
		    i == 0 ? "" : "-wal");
		if (stat(path, &sb) == 0)
			total += (double)sb.st_size;
	}
	return total / (1 << 20);
}

static int
bench_ingest(struct bench *b)
{
	double	t0 = bench_now(), secs;
	long	done = 0;

	while (done < b->o.articles) {
		long n = b->o.articles - done < b->o.batch ?
		    b->o.articles - done : b->o.batch;

		if (bench_burst(b, done, n) == -1)
			return -1;
		done += n;
	}
	secs = bench_now() - t0;
	qsort(b->commit_ms, (size_t)b->ncommits, sizeof(double), cmp_double);
	printf("store ingest: %ld articles (%d B text, %d deltas each, "
	    "%d markets) in batches of %d: %.2f s\n", b->o.articles,
	    b->o.textlen, b->o.deltas, b->o.nmarkets, b->o.batch, secs);
	printf("  %.0f articles/s, %.0f deltas/s; batch commit p50 %.2f ms, "
	    "p99 %.2f ms, max %.2f ms; database %.1f MiB\n",
	    (double)b->o.articles / secs, (double)b->ndeltas / secs,
	    b->commit_ms[b->ncommits / 2],
	    b->commit_ms[b->ncommits * 99 / 100],
	    b->commit_ms[b->ncommits - 1], bench_file_mib(b->o.dir));
	return 0;
}

static int
bench_count(void *arg, const struct delta *d, const char *session)
{
	(void)d;
	(void)session;
	(*(long *)arg)++;
	return 0;
}

/* Replay the whole log, as a subscriber resuming from 0 would. */
static int
bench_replay(struct bench *b)
{
	char	err[512];
	long	n = 0;
	double	t0 = bench_now(), secs;

	if (store_deltas_since(b->store, 0, 0, bench_count, &n, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "bench-store: %s\n", err);
		return -1;
	}
	secs = bench_now() - t0;
	printf("store replay: %ld deltas in %.3f s: %.0f deltas/s\n", n, secs,
	    (double)n / secs);
	return 0;
}

/*
 * Prune everything in bounded steps, 10 ms apart as the daemon spaces
 * them (the checkpoint thread catches up in between); the longest step.
 */
static int
bench_prune(struct bench *b)
{
	char	err[512];
	double	t0, ms, max = 0, total = 0;
	long	steps = 0, rows = 0;
	int	n;
	struct timespec pause = { 0, 10 * 1000000L };

	do {
		if (steps > 0)
			nanosleep(&pause, NULL);
		t0 = bench_now();
		n = store_prune(b->store, BENCH_T0 + b->o.articles + 86400 * 400,
		    1, 1, b->o.prune_rows, err, sizeof(err));
		if (n < 0) {
			fprintf(stderr, "bench-store: %s\n", err);
			return -1;
		}
		ms = (bench_now() - t0) * 1e3;
		max = ms > max ? ms : max;
		total += ms;
		steps++;
		rows += n;
	} while (n == b->o.prune_rows);
	printf("store prune: %ld rows in %ld steps of at most %d rows: step "
	    "mean %.2f ms, max %.2f ms\n", rows, steps, b->o.prune_rows,
	    total / (double)steps, max);
	return 0;
}

static void
bench_usage(void)
{
	fprintf(stderr, "usage: bench-store --dir DIR [--articles N] "
	    "[--batch N] [--prune-rows N]\n"
	    "         [--deltas N] [--synthetic-markets N] [--text BYTES]\n");
	exit(2);
}

static void
bench_options(int argc, char **argv, struct bench_opts *o)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'D' },
		{ "articles", required_argument, NULL, 'a' },
		{ "batch", required_argument, NULL, 'b' },
		{ "deltas", required_argument, NULL, 'd' },
		{ "synthetic-markets", required_argument, NULL, 'm' },
		{ "text", required_argument, NULL, 't' },
		{ "prune-rows", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	*o = (struct bench_opts){ NULL, 20000, 100, 3, 100, 2000, 100 };
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'D': o->dir = optarg; break;
		case 'a': o->articles = atol(optarg); break;
		case 'b': o->batch = atoi(optarg); break;
		case 'd': o->deltas = atoi(optarg); break;
		case 'm': o->nmarkets = atoi(optarg); break;
		case 't': o->textlen = atoi(optarg); break;
		case 'p': o->prune_rows = atoi(optarg); break;
		default: bench_usage();
		}
	}
	if (o->dir == NULL || o->articles < 1 || o->batch < 1 ||
	    o->deltas < 0 || o->deltas > BENCH_MAXDELTAS || o->nmarkets < 1 ||
	    o->nmarkets > 128 || o->textlen < 16 || o->prune_rows < 1)
		bench_usage();
}

static void
bench_free(struct bench *b)
{
	store_close(b->store);
	free(b->text);
	free(b->state);
	free(b->commit_ms);
}

/* Open a new database and make the synthetic inputs. */
static int
bench_setup(struct bench *b)
{
	char	path[4096], err[512];
	size_t	len = 0;

	snprintf(path, sizeof(path), "%s/bench.db", b->o.dir);
	remove(path);
	if (store_open(path, 0, &b->store, err, sizeof(err)) != STORE_OK ||
	    store_session_new(b->store, BENCH_T0, err, sizeof(err)) !=
	    STORE_OK) {
		fprintf(stderr, "bench-store: %s\n", err);
		return -1;
	}
	b->rng = 88172645463325252ULL;
	b->text = malloc((size_t)b->o.textlen + 1);
	b->state = malloc((size_t)b->o.nmarkets * 64 + 3);
	b->commit_ms = calloc((size_t)(b->o.articles / b->o.batch + 2),
	    sizeof(double));
	if (b->text == NULL || b->state == NULL || b->commit_ms == NULL) {
		fprintf(stderr, "bench-store: out of memory\n");
		return -1;
	}
	/* Pipeline state: one small object per market, as one text. */
	len += (size_t)sprintf(b->state, "[");
	for (int m = 0; m < b->o.nmarkets; m++) {
		snprintf(b->market[m], sizeof(b->market[m]), "market-%03d", m);
		len += (size_t)sprintf(b->state + len, "%s{\"id\":\"%s\","
		    "\"logodds\":-1.386294}", m ? "," : "", b->market[m]);
	}
	sprintf(b->state + len, "]");
	return 0;
}

int
main(int argc, char **argv)
{
	struct bench	b;
	int		rc;

	memset(&b, 0, sizeof(b));
	bench_options(argc, argv, &b.o);
	rc = bench_setup(&b) == 0 && bench_ingest(&b) == 0 &&
	    bench_replay(&b) == 0 && bench_prune(&b) == 0 ? 0 : 1;
	bench_free(&b);
	return rc;
}
