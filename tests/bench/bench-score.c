/*
 * bench-score.c: scoring throughput.  Loads a market set and a JSONL file
 * of articles ({"title","body",...} per line, as gen_corpus.py writes),
 * then times text preparation and one scorer pass per article, the work
 * the pipeline does for every new article.  Prints one line of figures;
 * MB counts the UTF-8 bytes of title + "\n" + body (MB = 10^6 bytes), as
 * the baseline scorers do.
 *
 *     bench-score MARKETS ARTICLES.jsonl [LIMIT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

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

	clock_gettime(CLOCK_MONOTONIC, &ts);
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

int
main(int argc, char **argv)
{
	struct market_set	*set;
	struct scorer		*sc;
	struct text		 t;
	struct doc		*docs;
	char			 err[600];
	long			 n, limit = argc > 3 ? atol(argv[3]) : 0;
	double			 t0, secs, bytes = 0, sum = 0;
	size_t			 touched = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-score MARKETS ARTICLES.jsonl [LIMIT]\n");
		return 2;
	}
	t0 = now_s();
	if (market_set_load(argv[1], &set, err, sizeof(err)) == -1 ||
	    (sc = scorer_new(set, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	secs = now_s() - t0;
	if ((n = load_docs(argv[2], limit, &docs)) <= 0)
		return 1;
	text_init(&t);
	for (long i = 0; i < n; i++)
		bytes += (double)(strlen(docs[i].title) + 1 + strlen(docs[i].body));
	t0 = now_s();
	for (long i = 0; i < n; i++) {
		const uint32_t *m;
		size_t k;

		if (text_prepare(&t, docs[i].title, docs[i].body) == -1 ||
		    scorer_run(sc, &t, 1.0) == -1) {
			fprintf(stderr, "scoring failed\n");
			return 1;
		}
		k = scorer_touched(sc, &m);
		touched += k;
		for (size_t j = 0; j < k; j++)
			sum += scorer_total(sc, m[j]);
	}
	secs = now_s() - t0;
	printf("pmsignal: markets=%zu rules=%zu patterns=%zu articles=%ld "
	    "bytes=%.0f seconds=%.3f MB/s=%.1f articles/s=%.0f "
	    "markets_with_evidence/article=%.1f checksum=%.3f\n",
	    set->nmarkets, set->nrules, scorer_patterns(sc), n, bytes, secs,
	    bytes / secs / 1e6, (double)n / secs, (double)touched / (double)n,
	    sum);
	for (long i = 0; i < n; i++) {
		free(docs[i].title);
		free(docs[i].body);
	}
	free(docs);
	text_free(&t);
	scorer_free(sc);
	market_set_free(set);
	return 0;
}
