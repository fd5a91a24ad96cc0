/*
 * test-score-labels.c: the shipped historical markets on a small labelled
 * set of articles written for this test (tests/data/score/): each article
 * must move the markets its label names the labelled way (|delta| >=
 * 0.005), and every other open market by less than 0.005, scored as
 * "pmsignald score" does (as of the article's publication).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "jsonv.h"
#include "market.h"
#include "model.h"
#include "score.h"
#include "text.h"
#include "unit.h"

#define DIR	"tests/data/score/"
#define MOVE	0.005

struct label {
	char	file[128], market[128], dir[8];
};

static struct market_set *set;
static struct scorer *sc;
static struct text t;

/* Read expect.txt: file TAB market TAB up|down ("-" for none). */
static size_t
read_labels(struct label *l, size_t max)
{
	FILE	*fp = fopen(DIR "expect.txt", "r");
	char	 line[512];
	size_t	 n = 0;

	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL && n < max) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		ck_assert_int_eq(sscanf(line, "%127s %127s %7s", l[n].file,
		    l[n].market, l[n].dir), 3);
		n++;
	}
	fclose(fp);
	return n;
}

/* The labelled direction of market for file: "up", "down" or "none". */
static const char *
wanted(const struct label *l, size_t n, const char *file, const char *market)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l[i].file, file) == 0 && strcmp(l[i].market, market) == 0)
			return l[i].dir;
	return "none";
}

/* Score one article file; check every open market against the labels. */
static void
check_article(const struct label *l, size_t n, const char *file)
{
	char		 path[512], err[600];
	char		*text;
	size_t		 len;
	cJSON		*o;
	int64_t		 at;

	ck_assert_int_lt(snprintf(path, sizeof(path), DIR "%.200s", file), (int)sizeof(path));
	ck_assert_msg((text = jsonv_read_file(path, 1 << 20, &len, err,
	    sizeof(err))) != NULL, "%s", err);
	ck_assert_ptr_nonnull(o = cJSON_Parse(text));
	ck_assert_int_eq(date_parse_rfc3339(cJSON_GetObjectItem(o,
	    "published")->valuestring, &at), 0);
	ck_assert_int_eq(text_prepare(&t, cJSON_GetObjectItem(o, "title")->valuestring,
	    cJSON_GetObjectItem(o, "body")->valuestring), 0);
	ck_assert_int_eq(scorer_run(sc, &t, 1.0), 0);
	for (uint32_t i = 0; i < set->nmarkets; i++) {
		const struct market	*m = &set->markets[i];
		const char		*want = wanted(l, n, file, m->id);
		struct model_state	 st;
		struct model_input	 in;
		double			 d;

		if (!model_is_open(m, at)) {
			ck_assert_msg(strcmp(want, "none") == 0, "%s: %s is not "
			    "open at the article's time", file, m->id);
			continue;
		}
		model_init(&st);
		ck_assert_int_eq(model_input_get(sc, set, i, &in), 0);
		model_update(m, &st, &in, at);
		d = model_p(m, &st, at) - model_p_no_news(m, at);
		if (strcmp(want, "up") == 0)
			ck_assert_msg(d >= MOVE, "%s: %s should go up, moved %+.4f",
			    file, m->id, d);
		else if (strcmp(want, "down") == 0)
			ck_assert_msg(d <= -MOVE, "%s: %s should go down, moved %+.4f",
			    file, m->id, d);
		else
			ck_assert_msg(fabs(d) < MOVE, "%s: %s should not move, "
			    "moved %+.4f", file, m->id, d);
	}
	cJSON_Delete(o);
	free(text);
}

START_TEST(labelled_articles)
{
	struct label	 l[256];
	size_t		 n = read_labels(l, 256), files = 0;
	char		 err[600];

	ck_assert_msg(market_set_load("config/markets/ukraine-2025.json", &set,
	    err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(sc = scorer_new(set, err, sizeof(err)));
	text_init(&t);
	text_set_prefixes(&t, scorer_prefix_mask(sc));
	ck_assert_uint_ge(n, 20);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(l[i].file, l[i - 1].file) == 0)
			continue;
		check_article(l, n, l[i].file);
		files++;
	}
	ck_assert_uint_ge(files, 20);
	text_free(&t);
	scorer_free(sc);
	market_set_free(set);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("score-labels");
	TCase	*tc = tcase_create("score-labels");

	tcase_add_test(tc, labelled_articles);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
