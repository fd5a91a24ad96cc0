/*
 * bench-score.c: scoring throughput.  Loads a market set and a JSONL file
 * of articles ({"title","body",...} per line, as gen_corpus.py writes),
 * then times text preparation and one scorer pass per article, the work
 * the pipeline does for every new article.  Prints one line of figures;
 * MB counts the UTF-8 bytes of title + "\n" + body (MB = 10^6 bytes), as
 * the baseline scorers do.
 *
 *     bench-score [--vectorscan | --dump] MARKETS ARTICLES.jsonl [LIMIT]
 *
 * With --dump it times nothing and prints what the scorer decided, one
 * line per article and market with evidence: the capped and raw totals
 * (exact, %a) and the evidence JSON.  Two builds that print the same dump
 * score identically (tests/bench/bench-score.sh compares against a dump
 * kept from before a change: BENCH_SCORE_DUMP).
 *
 * With --vectorscan it instead times vectorscan (hs_scan of one literal
 * database of the same phrases, case-insensitive, over the normalised
 * text, counting matches only): the library the token matcher replaces.
 * Times are CPU time of this process (the machine may be shared).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <hs/hs.h>

#include "jsonv.h"
#include "market.h"
#include "score.h"
#include "text.h"

struct doc {
	char	*title, *body;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
member(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);

	return strdup(cJSON_IsString(m) ? m->valuestring : "");
}

/* Load up to limit articles (0: all); returns the count, -1 on error. */
static long
load_docs(const char *path, long limit, struct doc **out)
{
	FILE	*fp = fopen(path, "r");
	char	*line = NULL;
	size_t	 cap = 0, n = 0, dcap = 0;
	struct doc *d = NULL;

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	while (getline(&line, &cap, fp) > 0 && (limit == 0 || (long)n < limit)) {
		cJSON *o = cJSON_Parse(line);

		if (o == NULL)
			continue;
		if (n == dcap) {
			dcap = dcap ? dcap * 2 : 1024;
			if ((d = realloc(d, dcap * sizeof(*d))) == NULL) {
				fprintf(stderr, "out of memory\n");
				exit(1);
			}
		}
		d[n].title = member(o, "title");
		d[n].body = member(o, "body");
		n++;
		cJSON_Delete(o);
	}
	free(line);
	fclose(fp);
	*out = d;
	return (long)n;
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

/* Time hs_scan alone over the normalised texts, with every literal. */
static int
bench_vectorscan(const struct market_set *set, struct doc *docs, long n,
    double bytes)
{
	const char		**ex = calloc(set->nlits, sizeof(*ex));
	unsigned		 *ids = calloc(set->nlits, sizeof(*ids));
	size_t			 *lens = calloc(set->nlits, sizeof(*lens)), hits = 0;
	hs_database_t		 *db;
	hs_scratch_t		 *scratch = NULL;
	hs_compile_error_t	 *ce;
	struct text		  t;
	double			  secs = 0, t0;

	if (ex == NULL || ids == NULL || lens == NULL)
		return 1;
	for (size_t i = 0; i < set->nlits; i++) {
		ex[i] = set->lits[i].text;
		ids[i] = (unsigned)i;
		lens[i] = set->lits[i].len;
	}
	if (hs_compile_lit_multi(ex, NULL, ids, lens, (unsigned)set->nlits,
	    HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS ||
	    hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
		fprintf(stderr, "vectorscan: compile failed\n");
		return 1;
	}
	text_init(&t);
	t.want_norm = 1;
	for (long i = 0; i < n; i++) {
		if (text_prepare(&t, docs[i].title, docs[i].body) == -1)
			return 1;
		t0 = now_s();
		if (t.nlen > 0 && hs_scan(db, t.norm, (unsigned)t.nlen, 0, scratch,
		    count_hit, &hits) != HS_SUCCESS)
			return 1;
		secs += now_s() - t0;
	}
	printf("vectorscan: markets=%zu patterns=%zu articles=%ld bytes=%.0f "
	    "seconds=%.3f MB/s=%.1f articles/s=%.0f hits=%zu (scan only)\n",
	    set->nmarkets, set->nlits, n, bytes, secs, bytes / secs / 1e6,
	    (double)n / secs, hits);
	text_free(&t);
	hs_free_scratch(scratch);
	hs_free_database(db);
	free(ex);
	free(ids);
	free(lens);
	return 0;
}

/*
 * Print every decision of the scorer on every article.  The credibility
 * varies from article to article, so that its factor is checked too.
 */
static int
bench_dump(struct scorer *sc, struct doc *docs, long n)
{
	struct text t;

	text_init(&t);
	text_set_prefixes(&t, scorer_prefix_mask(sc));
	for (long i = 0; i < n; i++) {
		const uint32_t	*m;
		size_t		 k;
		double		 cred = 0.5 + (double)(i % 6) / 10.0;

		if (text_prepare(&t, docs[i].title, docs[i].body) == -1 ||
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

/* Fold a total into the checksum: order-sensitive, exact, and cheap. */
static uint64_t
bench_fold(uint64_t sum, double total)
{
	uint64_t b;

	memcpy(&b, &total, sizeof(b));
	return (sum << 1 | sum >> 63) ^ b;
}

/*
 * The work the pipeline does for every new article: prepare its text, run
 * the scorer, read the total of every market with evidence.  The totals
 * go into an integer checksum: summing doubles would chain a thousand
 * dependent additions per article through memory (each call clobbers the
 * floating-point registers), a cost of the benchmark's bookkeeping that
 * the pipeline does not have.  Returns the CPU seconds, or -1.  Not
 * inlined: `valgrind --tool=callgrind --toggle-collect='bench_loop*'`
 * counts the instructions of this work alone.
 */
__attribute__((noinline)) static double
bench_loop(struct scorer *sc, struct doc *docs, long n, size_t *touched,
    uint64_t *sum)
{
	struct text	t;
	double		t0 = now_s();
	uint64_t	check = 0;

	text_init(&t);
	text_set_prefixes(&t, scorer_prefix_mask(sc));
	for (long i = 0; i < n; i++) {
		const uint32_t *m;
		size_t k;

		if (text_prepare(&t, docs[i].title, docs[i].body) == -1 ||
		    scorer_run(sc, &t, 1.0) == -1) {
			fprintf(stderr, "scoring failed\n");
			return -1;
		}
		k = scorer_touched(sc, &m);
		*touched += k;
		for (size_t j = 0; j < k; j++)
			check = bench_fold(check, scorer_total(sc, m[j]));
	}
	*sum = check;
	text_free(&t);
	return now_s() - t0;
}

int
main(int argc, char **argv)
{
	struct market_set	*set;
	struct scorer		*sc;
	struct doc		*docs;
	char			 err[600];
	long			 n, limit;
	double			 secs, bytes = 0;
	uint64_t		 sum = 0;
	size_t			 touched = 0;

	int			 vs = argc > 1 && strcmp(argv[1], "--vectorscan") == 0;
	int			 dump = argc > 1 && strcmp(argv[1], "--dump") == 0;

	argc -= vs + dump;
	argv += vs + dump;
	limit = argc > 3 ? atol(argv[3]) : 0;
	if (argc < 3) {
		fprintf(stderr, "usage: bench-score [--vectorscan | --dump] MARKETS "
		    "ARTICLES.jsonl [LIMIT]\n");
		return 2;
	}
	if (market_set_load(argv[1], &set, err, sizeof(err)) == -1 ||
	    (sc = scorer_new(set, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if ((n = load_docs(argv[2], limit, &docs)) <= 0)
		return 1;
	for (long i = 0; i < n; i++)
		bytes += (double)(strlen(docs[i].title) + 1 + strlen(docs[i].body));
	if (vs)
		return bench_vectorscan(set, docs, n, bytes);
	if (dump)
		return bench_dump(sc, docs, n);
	if ((secs = bench_loop(sc, docs, n, &touched, &sum)) < 0)
		return 1;
	printf("pmsignal: markets=%zu rules=%zu patterns=%zu articles=%ld "
	    "bytes=%.0f seconds=%.3f MB/s=%.1f articles/s=%.0f "
	    "markets_with_evidence/article=%.1f checksum=%016llx\n",
	    set->nmarkets, set->nrules, scorer_patterns(sc), n, bytes, secs,
	    bytes / secs / 1e6, (double)n / secs, (double)touched / (double)n,
	    (unsigned long long)sum);
	for (long i = 0; i < n; i++) {
		free(docs[i].title);
		free(docs[i].body);
	}
	free(docs);
	scorer_free(sc);
	market_set_free(set);
	return 0;
}
