/*
 * bench-score.c: scoring throughput.  Loads a market set and a JSONL file
 * of articles ({"title","body",...} per line, as gen_corpus.py writes).
 * MB counts the UTF-8 bytes of title + "\n" + body (MB = 10^6 bytes), as
 * the baseline scorers do.  tests/bench/bench-score.sh drives it.
 *
 *     bench-score [--matchers | --dump] MARKETS ARTICLES.jsonl [LIMIT]
 *     bench-score --run 'SHELL COMMAND'
 *
 * By default it times what the pipeline does for every new article:
 * prepare the text, run the scorer, read the total of every market with
 * evidence.  The whole corpus is scored BENCH_SCORE_PASSES times (default
 * 3) and the fastest pass is reported, in CPU time of this process (the
 * machine may be shared) and in wall time.
 *
 * --matchers times the two ways of finding every phrase in the same
 * texts, each the fastest of as many passes: pmsignal's token matcher
 * (match_run() on prepared tokens) and vectorscan (hs_scan() of one
 * literal database of the same phrases over the normalised text), each
 * alone and with the preparation it needs (tokens; normalised text).
 *
 * --run times a shell command (grep, for comparison) the same way: its
 * CPU time (user + system, of all its processes) and its wall time.
 *
 * --dump times nothing and prints what the scorer decided, one line per
 * article and market with evidence: the capped and raw totals (exact, %a)
 * and the evidence JSON.  Two builds that print the same dump score
 * identically; bench-score.sh compares its digest with those of the
 * engine before its speed work (tests/bench/score-dump.sha256).
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <hs/hs.h>

#include "market.h"
#include "match.h"
#include "score.h"
#include "text.h"

struct doc {
	char	*title, *body;
};

struct corpus {
	struct doc	*docs;
	long		 n;
	double		 bytes;	/* title + "\n" + body, over all */
};

/* CPU and wall time of one pass. */
struct lap {
	double		 cpu, wall;
};

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct lap
lap_start(void)
{
	struct lap l = { clock_s(CLOCK_PROCESS_CPUTIME_ID),
	    clock_s(CLOCK_MONOTONIC) };

	return l;
}

static struct lap
lap_end(struct lap l)
{
	l.cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - l.cpu;
	l.wall = clock_s(CLOCK_MONOTONIC) - l.wall;
	return l;
}

/* Keep the faster (by CPU time) of two laps. */
static void
lap_best(struct lap *best, struct lap l)
{
	if (best->cpu <= 0 || l.cpu < best->cpu)
		*best = l;
}

static int
passes(void)
{
	const char	*e = getenv("BENCH_SCORE_PASSES");
	int		 p = e != NULL ? atoi(e) : 3;

	return p > 0 ? p : 1;
}

static char *
member(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);

	return strdup(cJSON_IsString(m) ? m->valuestring : "");
}

/* Load up to limit articles (0: all); 0 or -1 on error. */
static int
load_corpus(const char *path, long limit, struct corpus *c)
{
	FILE	*fp = fopen(path, "r");
	char	*line = NULL;
	size_t	 cap = 0, dcap = 0;

	memset(c, 0, sizeof(*c));
	if (fp == NULL) {
		perror(path);
		return -1;
	}
	while (getline(&line, &cap, fp) > 0 && (limit == 0 || c->n < limit)) {
		cJSON		*o = cJSON_Parse(line);
		struct doc	*d;

		if (o == NULL)
			continue;
		if ((size_t)c->n == dcap) {
			dcap = dcap ? dcap * 2 : 1024;
			if ((c->docs = realloc(c->docs, dcap * sizeof(*d))) == NULL) {
				fprintf(stderr, "out of memory\n");
				exit(1);
			}
		}
		d = &c->docs[c->n++];
		d->title = member(o, "title");
		d->body = member(o, "body");
		c->bytes += (double)(strlen(d->title) + 1 + strlen(d->body));
		cJSON_Delete(o);
	}
	free(line);
	fclose(fp);
	if (c->n == 0) {
		fprintf(stderr, "%s: no articles\n", path);
		return -1;
	}
	return 0;
}

static void
free_corpus(struct corpus *c)
{
	for (long i = 0; i < c->n; i++) {
		free(c->docs[i].title);
		free(c->docs[i].body);
	}
	free(c->docs);
}

/* ---------------------------------------------------------------- scoring */

/* Fold a total into the checksum: order-sensitive, exact, and cheap. */
static uint64_t
bench_fold(uint64_t sum, double total)
{
	uint64_t b;

	memcpy(&b, &total, sizeof(b));
	return (sum << 1 | sum >> 63) ^ b;
}

/*
 * One pass of the work the pipeline does for every new article: prepare
 * its text, run the scorer, read the total of every market with evidence.
 * The totals go into an integer checksum: summing doubles would chain a
 * thousand dependent additions per article through memory (each call
 * clobbers the floating-point registers), a cost of the benchmark's
 * bookkeeping that the pipeline does not have.  Returns 0 or -1.  Not
 * inlined: `valgrind --tool=callgrind --toggle-collect='bench_loop*'`
 * counts the instructions of this work alone.
 */
__attribute__((noinline)) static int
bench_loop(struct scorer *sc, const struct corpus *c, struct lap *lap,
    size_t *touched, uint64_t *sum)
{
	struct text	t;
	uint64_t	check = 0;
	int		rc = 0;

	*touched = 0;
	text_init(&t);
	text_set_prefixes(&t, scorer_prefix_mask(sc));
	*lap = lap_start();
	for (long i = 0; i < c->n && rc == 0; i++) {
		const uint32_t *m;
		size_t k;

		if (text_prepare(&t, c->docs[i].title, c->docs[i].body) == -1 ||
		    scorer_run(sc, &t, 1.0) == -1) {
			fprintf(stderr, "scoring failed\n");
			rc = -1;
		}
		k = scorer_touched(sc, &m);
		*touched += k;
		for (size_t j = 0; j < k; j++)
			check = bench_fold(check, scorer_total(sc, m[j]));
	}
	*lap = lap_end(*lap);
	*sum = check;
	text_free(&t);
	return rc;
}

static int
bench_scoring(const struct market_set *set, struct scorer *sc,
    const struct corpus *c)
{
	struct lap	best = { 0, 0 }, lap;
	size_t		touched = 0;
	uint64_t	sum = 0;
	int		np = passes();

	for (int p = 0; p < np; p++) {
		if (bench_loop(sc, c, &lap, &touched, &sum) == -1)
			return 1;
		lap_best(&best, lap);
	}
	printf("pmsignal: markets=%zu rules=%zu patterns=%zu articles=%ld "
	    "bytes=%.0f passes=%d cpu_s=%.3f wall_s=%.3f MB/s=%.1f "
	    "wall_MB/s=%.1f articles/s=%.0f markets_with_evidence/article=%.1f "
	    "checksum=%016llx\n", set->nmarkets, set->nrules,
	    scorer_patterns(sc), c->n, c->bytes, np, best.cpu, best.wall,
	    c->bytes / best.cpu / 1e6, c->bytes / best.wall / 1e6,
	    (double)c->n / best.cpu, (double)touched / (double)c->n,
	    (unsigned long long)sum);
	return 0;
}

/* --------------------------------------------------------------- matchers */

/*
 * One pass preparing every text (with the normalised text when norm),
 * running the token matcher on each when m is not NULL.  Returns the CPU
 * seconds (-1 on failure) and counts the matcher's hits.
 */
static double
time_tokens(const struct corpus *c, struct matcher *m, uint32_t prefixes,
    int norm, size_t *hits)
{
	struct text	t;
	struct lap	lap;
	long		i;

	text_init(&t);
	text_set_prefixes(&t, prefixes);
	t.want_norm = norm;
	lap = lap_start();
	for (i = 0; i < c->n; i++) {
		const struct match_hit	*h;
		long			 k = 0;

		if (text_prepare(&t, c->docs[i].title, c->docs[i].body) == -1 ||
		    (m != NULL && (k = match_run(m, &t, &h)) < 0))
			break;
		*hits += (size_t)k;
	}
	lap = lap_end(lap);
	text_free(&t);
	return i == c->n ? lap.cpu : -1;
}

static int
count_hit(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *ctx)
{
	(void)id;
	(void)from;
	(void)to;
	(void)flags;
	(*(size_t *)ctx)++;
	return 0;
}

/* One vectorscan database of every literal, exact (they are normalised). */
static hs_database_t *
vs_compile(const struct market_set *set)
{
	const char		**ex = calloc(set->nlits + 1, sizeof(*ex));
	unsigned		 *ids = calloc(set->nlits + 1, sizeof(*ids));
	size_t			 *lens = calloc(set->nlits + 1, sizeof(*lens));
	hs_database_t		 *db = NULL;
	hs_compile_error_t	 *ce = NULL;

	if (ex != NULL && ids != NULL && lens != NULL) {
		for (size_t i = 0; i < set->nlits; i++) {
			ex[i] = set->lits[i].text;
			ids[i] = (unsigned)i;
			lens[i] = set->lits[i].len;
		}
		if (hs_compile_lit_multi(ex, NULL, ids, lens,
		    (unsigned)set->nlits, HS_MODE_BLOCK, NULL, &db, &ce) !=
		    HS_SUCCESS) {
			fprintf(stderr, "vectorscan: %s\n", ce != NULL ?
			    ce->message : "compile failed");
			hs_free_compile_error(ce);
			db = NULL;
		}
	}
	free(ex);
	free(ids);
	free(lens);
	return db;
}

/* The normalised text of every article (what vectorscan scans), or NULL. */
static char **
vs_normalise(const struct corpus *c, size_t *lens)
{
	char		**norm = calloc((size_t)c->n + 1, sizeof(*norm));
	struct text	  t;

	if (norm == NULL)
		return NULL;
	text_init(&t);
	t.want_norm = 1;
	for (long i = 0; i < c->n; i++) {
		if (text_prepare(&t, c->docs[i].title, c->docs[i].body) == -1 ||
		    (norm[i] = malloc(t.nlen + 1)) == NULL) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		memcpy(norm[i], t.nlen > 0 ? t.norm : "", t.nlen);
		norm[i][t.nlen] = '\0';
		lens[i] = t.nlen;
	}
	text_free(&t);
	return norm;
}

/* One pass of hs_scan() over the normalised texts: CPU seconds or -1. */
static double
time_vectorscan(hs_database_t *db, hs_scratch_t *scratch, char **norm,
    const size_t *lens, long n, size_t *hits)
{
	struct lap lap = lap_start();

	for (long i = 0; i < n; i++)
		if (lens[i] > 0 && hs_scan(db, norm[i], (unsigned)lens[i], 0,
		    scratch, count_hit, hits) != HS_SUCCESS)
			return -1;
	return lap_end(lap).cpu;
}

static double
min_time(double best, double t)
{
	return best < 0 || (t >= 0 && t < best) ? t : best;
}

/*
 * The two matchers side by side, each the fastest of the passes.  The
 * token matcher's own time is that of preparing and matching less that of
 * preparing alone; vectorscan's is that of its scans alone, and "with
 * preparation" adds making the normalised text (text_prepare() with it).
 */
static int
bench_matchers(const struct market_set *set, const struct corpus *c)
{
	char		 err[600];
	struct matcher	*m = match_new(set, err, sizeof(err));
	hs_database_t	*db = vs_compile(set);
	hs_scratch_t	*scratch = NULL;
	size_t		*lens = calloc((size_t)c->n + 1, sizeof(*lens));
	size_t		 own_hits = 0, vs_hits = 0, junk = 0;
	double		 tok = -1, own = -1, nrm = -1, vs = -1;
	char		**norm;

	if (m == NULL || db == NULL || lens == NULL ||
	    hs_alloc_scratch(db, &scratch) != HS_SUCCESS ||
	    (norm = vs_normalise(c, lens)) == NULL) {
		fprintf(stderr, "matchers: %s\n", m == NULL ? err : "setup failed");
		return 1;
	}
	for (int p = 0; p < passes(); p++) {
		own_hits = vs_hits = 0;
		tok = min_time(tok, time_tokens(c, NULL, match_prefix_mask(m), 0,
		    &junk));
		own = min_time(own, time_tokens(c, m, match_prefix_mask(m), 0,
		    &own_hits));
		nrm = min_time(nrm, time_tokens(c, NULL, 0, 1, &junk));
		vs = min_time(vs, time_vectorscan(db, scratch, norm, lens, c->n,
		    &vs_hits));
	}
	printf("matchers: markets=%zu patterns=%zu articles=%ld bytes=%.0f "
	    "tokens_s=%.3f own_s=%.3f normalise_s=%.3f vectorscan_s=%.3f "
	    "own_MB/s=%.1f own+tokens_MB/s=%.1f vectorscan_MB/s=%.1f "
	    "vectorscan+normalise_MB/s=%.1f own_hits=%zu vectorscan_hits=%zu\n",
	    set->nmarkets, set->nlits, c->n, c->bytes, tok, own - tok, nrm, vs,
	    c->bytes / (own - tok) / 1e6, c->bytes / own / 1e6,
	    c->bytes / vs / 1e6, c->bytes / (nrm + vs) / 1e6, own_hits, vs_hits);
	for (long i = 0; i < c->n; i++)
		free(norm[i]);
	free(norm);
	free(lens);
	hs_free_scratch(scratch);
	hs_free_database(db);
	match_free(m);
	return 0;
}

/* ------------------------------------------------------------- a command */

static double
tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Run cmd with /bin/sh; print its CPU and wall seconds.  Its exit status. */
static int
bench_run(const char *cmd)
{
	struct lap	lap = lap_start();
	struct rusage	ru;
	pid_t		pid;
	int		status;

	if ((pid = fork()) == -1) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1 || getrusage(RUSAGE_CHILDREN, &ru) == -1) {
		perror("wait");
		return 1;
	}
	lap.wall = clock_s(CLOCK_MONOTONIC) - lap.wall;
	printf("run: cpu_s=%.3f wall_s=%.3f\n",
	    tv_s(ru.ru_utime) + tv_s(ru.ru_stime), lap.wall);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* ------------------------------------------------------------------- dump */

/*
 * Print every decision of the scorer on every article.  The credibility
 * varies from article to article, so that its factor is checked too.
 */
static int
bench_dump(struct scorer *sc, const struct corpus *c)
{
	struct text t;

	text_init(&t);
	text_set_prefixes(&t, scorer_prefix_mask(sc));
	for (long i = 0; i < c->n; i++) {
		const uint32_t	*m;
		size_t		 k;
		double		 cred = 0.5 + (double)(i % 6) / 10.0;

		if (text_prepare(&t, c->docs[i].title, c->docs[i].body) == -1 ||
		    scorer_run(sc, &t, cred) == -1) {
			fprintf(stderr, "scoring failed\n");
			return 1;
		}
		k = scorer_touched(sc, &m);
		for (size_t j = 0; j < k; j++) {
			char *ev = scorer_evidence_json(sc, &t, m[j]);

			if (ev == NULL) {
				fprintf(stderr, "out of memory\n");
				return 1;
			}
			printf("%ld %u %a %a %s\n", i, m[j], scorer_total(sc, m[j]),
			    scorer_raw_total(sc, m[j]), ev);
			free(ev);
		}
	}
	text_free(&t);
	return 0;
}

int
main(int argc, char **argv)
{
	struct market_set	*set;
	struct scorer		*sc;
	struct corpus		 c;
	char			 err[600];
	const char		*mode = "";
	int			 rc;

	if (argc == 3 && strcmp(argv[1], "--run") == 0)
		return bench_run(argv[2]);
	if (argc > 1 && strncmp(argv[1], "--", 2) == 0) {
		mode = argv[1];
		argc--;
		argv++;
	}
	if (argc < 3 || (*mode != '\0' && strcmp(mode, "--matchers") != 0 &&
	    strcmp(mode, "--dump") != 0)) {
		fprintf(stderr, "usage: bench-score [--matchers | --dump] "
		    "MARKETS ARTICLES.jsonl [LIMIT]\n"
		    "       bench-score --run 'SHELL COMMAND'\n");
		return 2;
	}
	if (market_set_load(argv[1], &set, err, sizeof(err)) == -1 ||
	    (sc = scorer_new(set, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (load_corpus(argv[2], argc > 3 ? atol(argv[3]) : 0, &c) == -1)
		return 1;
	if (strcmp(mode, "--matchers") == 0)
		rc = bench_matchers(set, &c);
	else if (strcmp(mode, "--dump") == 0)
		rc = bench_dump(sc, &c);
	else
		rc = bench_scoring(set, sc, &c);
	free_corpus(&c);
	scorer_free(sc);
	market_set_free(set);
	return rc;
}
