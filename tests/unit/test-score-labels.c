/*
 * test-score-labels.c: the shipped markets on labelled articles
 * written for these tests, scored as "pmsignald score" does (as of the
 * article's publication, its evidence split into fact and rumour as the
 * pipeline splits it): each article must move the markets its label names
 * the labelled way (|delta| >= 0.005), and every other open market by less
 * than 0.005.
 *
 *  - tests/data/score/: the rules' own fixtures: every article right.
 *  - tests/data/score/heldout/ and heldout2/: articles in the style of
 *    wire copy, labelled before they were first scored (docs/MARKETS.md,
 *    "How good are the rules"): at least HELDOUT_MIN of each set entirely
 *    right; the misses are listed on stderr.
 *  - tests/data/score/heldout3/: longer wire copy (facts buried mid-article,
 *    recaps, reported speech, unrelated pieces naming the actors, and a few
 *    for the live markets), labelled before it was first scored: at least
 *    HELDOUT3_MIN of the articles entirely right, and HELDOUT3_PAIRS of the
 *    (article, market) pairs (every labelled move, and every open market
 *    that must not move).
 *  - tests/data/score/heldout4/: 30 articles of 300-500 words, with
 *    pronouns ("he", "the two presidents"), "Asked whether X, Y said Z",
 *    and market commentary that names the markets' topics; labelled and
 *    committed before it was first scored: at least HELDOUT4_MIN of the
 *    articles and HELDOUT4_PAIRS of the pairs.
 *  - tests/data/score/heldout5/: 25 more of 300-420 words (Driscoll in Abu
 *    Dhabi, the Moscow readouts, the year-end news conference, the 20
 *    points, Mar-a-Lago and the two calls, Paris, Davos, Abu Dhabi, truce
 *    talk, elections, denials; noise and live-blog digests), labelled and
 *    committed before it was first scored: at least HELDOUT5_MIN of the
 *    articles and HELDOUT5_PAIRS of the pairs.
 *
 * Every file of config/markets/ is loaded: the live markets open long
 * after the historical ones close, so each article sees one kind.
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

#define DIR		"tests/data/score/"
#define HELDOUT		"tests/data/score/heldout/"
#define HELDOUT2	"tests/data/score/heldout2/"
#define HELDOUT3	"tests/data/score/heldout3/"
#define HELDOUT4	"tests/data/score/heldout4/"
#define HELDOUT5	"tests/data/score/heldout5/"
#define HELDOUT_MIN	0.75
#define HELDOUT3_MIN	0.65	/* 23 of 31 now (16 when first scored) */
#define HELDOUT3_PAIRS	0.92	/* 217 of 229 now (200 when first scored) */
#define HELDOUT4_MIN	0.70	/* 23 of 30 now (10 when first scored) */
#define HELDOUT4_PAIRS	0.92	/* 216 of 226 now (189 when first scored) */
#define HELDOUT5_MIN	0.68	/* 18 of 25 now (9 when first scored) */
#define HELDOUT5_PAIRS	0.90	/* 160 of 173 now (144 when first scored) */
#define MOVE		0.005

struct label {
	char	file[128], market[128], dir[8];
};

static struct market_set *set;
static struct scorer *sc;
static struct text t;

/* Read dir's expect.txt: file TAB market TAB up|down ("-" for none). */
static size_t
read_labels(const char *dir, struct label *l, size_t max)
{
	char	 path[256], line[512];
	FILE	*fp;
	size_t	 n = 0;

	snprintf(path, sizeof(path), "%sexpect.txt", dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
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

/* The move of market i for the article just scored, as pmsignald score. */
static double
market_move(uint32_t i, int64_t at)
{
	const struct market	*m = &set->markets[i];
	struct model_state	 st;
	struct model_input	 in;

	model_init(&st);
	ck_assert_int_eq(model_input_get(sc, set, i, &in), 0);
	model_update(m, &st, &in, at);
	return model_p(m, &st, at) - model_p_no_news(m, at);
}

/*
 * Score one article file of dir; compare every open market with the
 * labels, adding the markets compared to *pairs.  Returns the number of
 * markets that went the wrong way, each reported on stderr.
 */
static int
check_article(const char *dir, const struct label *l, size_t n,
    const char *file, size_t *pairs)
{
	char		 path[512], err[600];
	char		*text;
	size_t		 len;
	cJSON		*o;
	int64_t		 at;
	int		 bad = 0;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s%.200s", dir, file),
	    (int)sizeof(path));
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
		double			 d;
		int			 ok;

		if (!model_is_open(m, at)) {
			ck_assert_msg(strcmp(want, "none") == 0, "%s: %s is not "
			    "open at the article's time", file, m->id);
			continue;
		}
		d = market_move(i, at);
		(*pairs)++;
		if (strcmp(want, "up") == 0)
			ok = d >= MOVE;
		else if (strcmp(want, "down") == 0)
			ok = d <= -MOVE;
		else
			ok = fabs(d) < MOVE;
		if (!ok) {
			fprintf(stderr, "%s: %s should move %s, moved %+.4f\n",
			    file, m->id, want, d);
			bad++;
		}
	}
	cJSON_Delete(o);
	free(text);
	return bad;
}

/*
 * Articles of dir entirely right, out of *files; (article, market) pairs
 * right, out of *pairs, in *pairs_right.
 */
static size_t
score_dir_pairs(const char *dir, size_t *files, size_t *pairs,
    size_t *pairs_right)
{
	struct label	 l[512];
	size_t		 n = read_labels(dir, l, 512), right = 0;

	*files = *pairs = *pairs_right = 0;
	for (size_t i = 0; i < n; i++) {
		size_t	 np = 0;
		int	 bad;

		if (i > 0 && strcmp(l[i].file, l[i - 1].file) == 0)
			continue;
		bad = check_article(dir, l, n, l[i].file, &np);
		right += bad == 0;
		*pairs += np;
		*pairs_right += np - (size_t)bad;
		(*files)++;
	}
	return right;
}

static size_t
score_dir(const char *dir, size_t *files)
{
	size_t pairs, pairs_right;

	return score_dir_pairs(dir, files, &pairs, &pairs_right);
}

static void
setup(void)
{
	char err[600];

	ck_assert_msg(market_set_load("config/markets", &set,
	    err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(sc = scorer_new(set, err, sizeof(err)));
	text_init(&t);
	text_set_prefixes(&t, scorer_prefix_mask(sc));
}

static void
teardown(void)
{
	text_free(&t);
	scorer_free(sc);
	market_set_free(set);
}

START_TEST(labelled_articles)
{
	size_t files, right = score_dir(DIR, &files);

	ck_assert_uint_ge(files, 20);
	ck_assert_uint_eq(right, files);
}
END_TEST

/*
 * At least min_files of dir's articles entirely right, and min_pairs of its
 * (article, market) pairs; both figures on stderr.
 */
static void
check_heldout_pairs(const char *dir, size_t nfiles, double min_files,
    double min_pairs)
{
	size_t files, pairs, pairs_right;
	size_t right = score_dir_pairs(dir, &files, &pairs, &pairs_right);

	fprintf(stderr, "%s: articles entirely right: %zu of %zu (%.0f%%); "
	    "(article, market) pairs right: %zu of %zu (%.1f%%)\n", dir,
	    right, files, 100.0 * (double)right / (double)files, pairs_right,
	    pairs, 100.0 * (double)pairs_right / (double)pairs);
	ck_assert_uint_ge(files, nfiles);
	ck_assert_msg((double)right >= min_files * (double)files,
	    "%s: only %zu of %zu articles right", dir, right, files);
	ck_assert_msg((double)pairs_right >= min_pairs * (double)pairs,
	    "%s: only %zu of %zu pairs right", dir, pairs_right, pairs);
}

START_TEST(heldout_articles)
{
	check_heldout_pairs(HELDOUT, 40, HELDOUT_MIN, 0.0);
	check_heldout_pairs(HELDOUT2, 20, HELDOUT_MIN, 0.0);
}
END_TEST

START_TEST(heldout3_articles)
{
	check_heldout_pairs(HELDOUT3, 30, HELDOUT3_MIN, HELDOUT3_PAIRS);
}
END_TEST

START_TEST(heldout4_articles)
{
	check_heldout_pairs(HELDOUT4, 30, HELDOUT4_MIN, HELDOUT4_PAIRS);
}
END_TEST

START_TEST(heldout5_articles)
{
	check_heldout_pairs(HELDOUT5, 25, HELDOUT5_MIN, HELDOUT5_PAIRS);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("score-labels");
	TCase	*tc = tcase_create("score-labels");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, labelled_articles);
	tcase_add_test(tc, heldout_articles);
	tcase_add_test(tc, heldout3_articles);
	tcase_add_test(tc, heldout4_articles);
	tcase_add_test(tc, heldout5_articles);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
