/*
 * test-pipeline.c: article + time -> deltas.  Markets open and close on
 * time and only move while open; articles from the future wait, and a
 * claimed date far in the future counts for nothing; decay
 * ticks are published past min_delta and chain; syndicated copies move
 * nothing; the same calls give the same deltas; exported state continues
 * where it stopped; an event reported done holds its market up to the
 * deadline, through export and import.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "market.h"
#include "pipeline.h"
#include "unit.h"

#define DAY	86400

static const char *markets_json =
    "{\"markets\":["
    " {\"id\":\"truce\",\"question\":\"q\",\"kind\":\"deadline\","
    "  \"opens\":\"2025-11-19T00:00:00Z\",\"deadline\":\"2025-11-29\",\"prior\":0.2,"
    "  \"rules\":[{\"name\":\"ceasefire\",\"any\":\"ceasefire\",\"weight\":1.5}]},"
    " {\"id\":\"later\",\"question\":\"q\",\"kind\":\"binary\","
    "  \"opens\":\"2025-12-01T00:00:00Z\",\"prior\":0.4,"
    "  \"rules\":[{\"name\":\"ceasefire\",\"any\":\"ceasefire\",\"weight\":1}]}]}";

static const char *story =
    "Negotiators from both countries met in a lakeside hotel for a third day "
    "and announced that a ceasefire would begin at midnight, officials from "
    "the mediating government told a news conference on Thursday evening.";
static const char *copy =
    "Negotiators from both countries met in a lakeside hotel for a third day "
    "and announced that a ceasefire would begin at midnight, officials from "
    "the mediating government told a news conference on Thursday night.";
static const char *other =
    "The central bank kept its main interest rate unchanged for a fourth "
    "meeting in a row and said inflation was falling faster than expected.";

static struct market_set *set;
static int64_t t0;	/* 2025-11-19T00:00:00Z */
static char err[600];

static void
setup(void)
{
	ck_assert_msg(market_set_parse("p.json", markets_json, strlen(markets_json),
	    &set, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(date_parse_rfc3339("2025-11-19T00:00:00Z", &t0), 0);
}

static void
teardown(void)
{
	market_set_free(set);
}

static struct pipeline *
new_pipeline(int64_t window)
{
	struct pipeline_opts	 o = { window, 0 };
	struct pipeline		*p = pipeline_new(set, &o, err, sizeof(err));

	ck_assert_msg(p != NULL, "%s", err);
	return p;
}

static struct article
art(const char *id, const char *text, int64_t seen)
{
	struct article a = { (char *)id, (char *)"wire", (char *)"A headline",
	    (char *)"https://example.org/x", (char *)text, PM_TIME_NONE, seen, 1.0 };

	return a;
}

START_TEST(markets_open_on_time)
{
	struct pipeline		*p = new_pipeline(0);
	struct delta_list	 l;

	delta_list_init(&l);
	ck_assert_int_eq(pipeline_tick(p, t0 - 3600, &l), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(pipeline_tick(p, t0 + 60, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].market, "truce");
	ck_assert_int_eq(l.v[0].cause, DELTA_OPEN);
	ck_assert(l.v[0].prev == 0.2);
	ck_assert(l.v[0].p < 0.2 && l.v[0].p > 0.199);
	ck_assert_ptr_null(l.v[0].article_id);
	delta_list_clear(&l);
	/* Opening is once. */
	ck_assert_int_eq(pipeline_tick(p, t0 + 120, &l), 0);
	ck_assert_uint_eq(l.n, 0);
	delta_list_free(&l);
	pipeline_free(p);
}
END_TEST

START_TEST(article_moves_open_markets_only)
{
	struct pipeline		*p = new_pipeline(0);
	struct delta_list	 l;
	struct pipeline_result	 r;
	struct article		 a = art("a1", story, t0 + DAY);
	cJSON			*ev;

	delta_list_init(&l);
	ck_assert_int_eq(pipeline_article(p, &a, t0 + DAY, &l, &r), 0);
	ck_assert_int_eq(r.status, PIPELINE_SCORED);
	/* The market opens first, then moves; "later" is not open yet. */
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.v[0].cause, DELTA_OPEN);
	ck_assert_int_eq(l.v[1].cause, DELTA_ARTICLE);
	ck_assert_str_eq(l.v[1].market, "truce");
	ck_assert(l.v[1].prev == l.v[0].p);
	ck_assert(l.v[1].p > l.v[1].prev);
	ck_assert_str_eq(l.v[1].article_id, "a1");
	ck_assert_str_eq(l.v[1].article_source, "wire");
	ck_assert_int_eq(l.v[1].article_first_seen, t0 + DAY);
	ck_assert_int_eq(l.v[1].ts, t0 + DAY);
	ck_assert_uint_eq(r.moved, 1);
	ck_assert_uint_eq(r.evidence_markets, 2);
	ck_assert_ptr_nonnull(ev = cJSON_Parse(l.v[1].evidence));
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ev, 0),
	    "rule")->valuestring, "ceasefire");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ev, 0),
	    "modifiers")->child->valuestring, "intent");
	cJSON_Delete(ev);
	delta_list_free(&l);
	pipeline_free(p);
}
END_TEST

START_TEST(future_articles_wait)
{
	struct pipeline		*p = new_pipeline(0);
	struct delta_list	 l;
	struct pipeline_result	 r;
	struct article		 a = art("a1", story, t0 + 2 * DAY);

	delta_list_init(&l);
	ck_assert_int_eq(pipeline_article(p, &a, t0 + DAY, &l, &r), 0);
	ck_assert_int_eq(r.status, PIPELINE_FUTURE);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(pipeline_article(p, &a, t0 + 2 * DAY, &l, &r), 0);
	ck_assert_int_eq(r.status, PIPELINE_SCORED);
	ck_assert_uint_eq(r.moved, 1);
	delta_list_free(&l);
	pipeline_free(p);
}
END_TEST

/*
 * A feed that lies about its dates: an article claiming to be from 2100
 * (or 9999) but first seen now is scored now.  It moves the open market
 * at now, its delta is timed now, it neither closes the market whose
 * deadline the claimed date is past nor opens the one not open yet, and
 * the claimed date only travels along as "published".
 */
START_TEST(claimed_future_date_counts_for_nothing)
{
	struct pipeline		*p = new_pipeline(0);
	struct delta_list	 l;
	struct pipeline_result	 r;
	struct pipeline_market	 pm;
	int64_t			 now = t0 + DAY, claims[2];
	struct article		 a = art("far", story, now);

	ck_assert_int_eq(date_parse_rfc3339("2100-01-01T00:00:00Z",
	    &claims[0]), 0);
	ck_assert_int_eq(date_parse_rfc3339("9999-12-31T23:59:59Z",
	    &claims[1]), 0);
	delta_list_init(&l);
	for (size_t i = 0; i < 2; i++) {
		a.published = claims[i];
		ck_assert_int_eq(pipeline_article(p, &a, now, &l, &r), 0);
		ck_assert_int_eq(r.status, PIPELINE_SCORED);
	}
	ck_assert_uint_ge(l.n, 2);
	for (size_t i = 0; i < l.n; i++) {
		ck_assert_int_eq(l.v[i].ts, now);
		ck_assert_str_eq(l.v[i].market, "truce");
		ck_assert_int_ne(l.v[i].cause, DELTA_CLOSE);
		if (l.v[i].cause == DELTA_ARTICLE) {
			ck_assert_int_eq(l.v[i].article_first_seen, now);
			ck_assert(l.v[i].article_published == claims[0] ||
			    l.v[i].article_published == claims[1]);
		}
	}
	ck_assert_int_eq(l.v[l.n - 1].cause, DELTA_ARTICLE);
	ck_assert(l.v[l.n - 1].p > l.v[0].prev);
	/* truce (deadline 2025-11-29) is open, later (opens 2025-12-01) not. */
	pipeline_market_get(p, 0, now, &pm);
	ck_assert_int_eq(pm.status, PM_OPEN);
	ck_assert_int_eq(pm.published_at, now);
	pipeline_market_get(p, 1, now, &pm);
	ck_assert_int_eq(pm.status, PM_PENDING);
	ck_assert_int_eq(pm.published_at, PM_TIME_NONE);
	delta_list_free(&l);
	pipeline_free(p);
}
END_TEST

START_TEST(closed_markets_never_move)
{
	struct pipeline		*p = new_pipeline(0);
	struct delta_list	 l;
	struct pipeline_market	 pm;
	struct article		 a = art("a1", story, t0 + 20 * DAY);
	int64_t			 now = t0 + 20 * DAY;

	delta_list_init(&l);
	ck_assert_int_eq(pipeline_tick(p, t0, &l), 0);
	delta_list_clear(&l);
	ck_assert_int_eq(pipeline_article(p, &a, now, &l, NULL), 0);
	/* truce closes (its deadline passed), later opens and moves. */
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[0].market, "truce");
	ck_assert_int_eq(l.v[0].cause, DELTA_CLOSE);
	ck_assert(l.v[0].p == l.v[0].prev);
	ck_assert_str_eq(l.v[1].market, "later");
	ck_assert_int_eq(l.v[1].cause, DELTA_OPEN);
	ck_assert_str_eq(l.v[2].market, "later");
	ck_assert_int_eq(l.v[2].cause, DELTA_ARTICLE);
	pipeline_market_get(p, 0, now, &pm);
	ck_assert_int_eq(pm.status, PM_CLOSED);
	ck_assert(pm.p == l.v[0].p);
	delta_list_clear(&l);
	/* Another article and days of ticks: truce stays where it closed. */
	ck_assert_int_eq(pipeline_article(p, &a, now + DAY, &l, NULL), 0);
	for (int64_t x = now; x < now + 5 * DAY; x += 3600)
		ck_assert_int_eq(pipeline_tick(p, x, &l), 0);
	ck_assert_uint_gt(l.n, 0);
	for (size_t i = 0; i < l.n; i++)
		ck_assert_str_eq(l.v[i].market, "later");
	delta_list_free(&l);
	pipeline_free(p);
}
END_TEST

START_TEST(decay_ticks_chain)
{
	struct pipeline		*p = new_pipeline(0);
	struct delta_list	 l;
	size_t			 ndecay = 0;
	double			 last = -1;

	delta_list_init(&l);
	for (int64_t now = t0; now <= t0 + 9 * DAY; now += 3600)
		ck_assert_int_eq(pipeline_tick(p, now, &l), 0);
	for (size_t i = 0; i < l.n; i++) {
		if (strcmp(l.v[i].market, "truce") != 0)
			continue;
		if (last >= 0)
			ck_assert(l.v[i].prev == last);
		if (l.v[i].cause == DELTA_DECAY) {
			ndecay++;
			ck_assert(l.v[i].p < l.v[i].prev);
			ck_assert(l.v[i].prev - l.v[i].p >= 0.005);
		}
		last = l.v[i].p;
	}
	/* From 0.2 towards 0 in steps of at least min_delta. */
	ck_assert_uint_ge(ndecay, 10);
	ck_assert_uint_le(ndecay, 40);
	ck_assert(last < 0.05);
	delta_list_free(&l);
	pipeline_free(p);
}
END_TEST

/* Run a fixed scenario; all deltas as protocol lines, joined. */
static char *
scenario(struct pipeline *p, int from, int to)
{
	struct delta_list	 l;
	char			*out = calloc(1, 1);
	size_t			 n = 0;

	delta_list_init(&l);
	for (int h = from; h < to; h++) {
		int64_t now = t0 + (int64_t)h * 3600;

		ck_assert_int_eq(pipeline_tick(p, now, &l), 0);
		if (h % 37 == 5) {
			char id[16];
			struct article a;

			snprintf(id, sizeof(id), "h%d", h);
			a = art(id, h % 2 ? story : other, now - 60);
			ck_assert_int_eq(pipeline_article(p, &a, now, &l, NULL), 0);
		}
	}
	for (size_t i = 0; i < l.n; i++) {
		char *js = delta_to_json(&l.v[i], "s");

		ck_assert_ptr_nonnull(js);
		out = realloc(out, n + strlen(js) + 2);
		strcpy(out + n, js);
		n += strlen(js);
		out[n++] = '\n';
		out[n] = '\0';
		free(js);
	}
	delta_list_free(&l);
	return out;
}

START_TEST(deterministic)
{
	struct pipeline *a = new_pipeline(3 * DAY), *b = new_pipeline(3 * DAY);
	char *x = scenario(a, 0, 24 * 15), *y = scenario(b, 0, 24 * 15);

	ck_assert_uint_gt(strlen(x), 1000);
	ck_assert_str_eq(x, y);
	free(x);
	free(y);
	pipeline_free(a);
	pipeline_free(b);
}
END_TEST

START_TEST(export_import_continues)
{
	struct pipeline	*a = new_pipeline(3 * DAY), *b, *c;
	char		*full, *part1, *part2, *state, *both;

	full = scenario(a, 0, 24 * 15);
	pipeline_free(a);
	b = new_pipeline(3 * DAY);
	part1 = scenario(b, 0, 24 * 6);
	ck_assert_ptr_nonnull(state = pipeline_export(b));
	pipeline_free(b);
	c = new_pipeline(3 * DAY);
	ck_assert_msg(pipeline_import(c, state, err, sizeof(err)) == 0, "%s", err);
	part2 = scenario(c, 24 * 6, 24 * 15);
	both = malloc(strlen(part1) + strlen(part2) + 1);
	strcpy(both, part1);
	strcat(both, part2);
	ck_assert_str_eq(both, full);
	free(full);
	free(part1);
	free(part2);
	free(both);
	free(state);
	pipeline_free(c);
}
END_TEST

START_TEST(import_errors_and_removed_markets)
{
	struct pipeline		*p = new_pipeline(0);
	struct delta_list	 l;
	const char		*gone = "{\"version\":1,\"markets\":[{\"id\":\"old-market\","
	    "\"status\":\"open\",\"published\":0.3,\"published_at\":5,\"evidence\":0,"
	    "\"evidence_at\":null}]}";

	ck_assert_int_eq(pipeline_import(p, "{\"markets\":[{\"id\":\"x\"}]}",
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "pipeline state: markets[0].status: missing (required)");
	ck_assert_int_eq(pipeline_import(p, "[", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "pipeline state: JSON syntax error"));
	ck_assert_int_eq(pipeline_import(p, gone, err, sizeof(err)), 0);
	delta_list_init(&l);
	ck_assert_int_eq(pipeline_tick(p, t0 - DAY, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].market, "old-market");
	ck_assert_int_eq(l.v[0].cause, DELTA_CLOSE);
	ck_assert(l.v[0].p == 0.3);
	delta_list_clear(&l);
	ck_assert_int_eq(pipeline_tick(p, t0 - DAY + 1, &l), 0);
	ck_assert_uint_eq(l.n, 0);
	delta_list_free(&l);
	pipeline_free(p);
}
END_TEST

START_TEST(syndicated_copies_move_nothing)
{
	struct pipeline		*p = new_pipeline(3 * DAY);
	struct delta_list	 l;
	struct pipeline_result	 r;
	struct article		 a = art("orig", story, t0 + DAY);
	struct article		 b = art("copy", copy, t0 + DAY + 600);
	struct article		 c = art("other", other, t0 + DAY + 700);
	struct article		 d = art("copy2", copy, t0 + 5 * DAY);

	delta_list_init(&l);
	ck_assert_int_eq(pipeline_article(p, &a, t0 + DAY, &l, &r), 0);
	ck_assert_int_eq(r.status, PIPELINE_SCORED);
	ck_assert_uint_eq(r.moved, 1);
	delta_list_clear(&l);
	ck_assert_int_eq(pipeline_article(p, &b, t0 + DAY + 600, &l, &r), 0);
	ck_assert_int_eq(r.status, PIPELINE_DUPLICATE);
	ck_assert_str_eq(r.dup_of, "orig");
	ck_assert_int_le(r.dup_distance, 3);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(pipeline_article(p, &c, t0 + DAY + 700, &l, &r), 0);
	ck_assert_int_eq(r.status, PIPELINE_SCORED);
	/* Outside the window the story counts again. */
	ck_assert_int_eq(pipeline_article(p, &d, t0 + 5 * DAY, &l, &r), 0);
	ck_assert_int_eq(r.status, PIPELINE_SCORED);
	ck_assert_uint_eq(r.moved, 1);
	delta_list_free(&l);
	pipeline_free(p);
}
END_TEST

START_TEST(market_listing)
{
	struct pipeline		*p = new_pipeline(0);
	struct delta_list	 l;
	struct pipeline_market	 pm;

	delta_list_init(&l);
	ck_assert_uint_eq(pipeline_nmarkets(p), 2);
	pipeline_market_get(p, 1, t0, &pm);
	ck_assert_str_eq(pm.market->id, "later");
	ck_assert_int_eq(pm.status, PM_PENDING);
	ck_assert(pm.p == 0.4);
	ck_assert_int_eq(pipeline_tick(p, t0 + DAY, &l), 0);
	pipeline_market_get(p, 0, t0 + 2 * DAY, &pm);
	ck_assert_int_eq(pm.status, PM_OPEN);
	ck_assert_int_eq(pm.published_at, t0 + DAY);
	ck_assert(pm.p < pm.published);
	delta_list_free(&l);
	pipeline_free(p);
}
END_TEST

/* A deadline market with a fact rule ("signed") and a plain one. */
static const char *fact_json =
    "{\"markets\":["
    " {\"id\":\"pact\",\"question\":\"q\",\"kind\":\"deadline\","
    "  \"opens\":\"2025-11-19T00:00:00Z\",\"deadline\":\"2025-12-19\",\"prior\":0.3,"
    "  \"half_life\":\"3d\","
    "  \"rules\":[{\"name\":\"signed\",\"all\":[\"pact\",\"signed\"],\"weight\":2,"
    "   \"fact\":true},"
    "   {\"name\":\"talks\",\"any\":\"talks\",\"weight\":0.5}]}]}";

static const char *signed_story =
    "The two governments signed the pact in the capital on Monday, ending "
    "months of talks that had stalled twice over the wording of one clause.";
static const char *planned_story =
    "The two governments will sign the pact in the capital next Monday, "
    "after months of talks that had stalled twice over one clause's wording.";

/*
 * Feed text at day 3 and tick hourly to a day before the deadline: the
 * lowest p after the article for signed_story, else the last p.
 */
static double
run_to_deadline(struct market_set *fs, const char *text, char **state_at_10d)
{
	struct pipeline_opts	 o = { 0, 0 };
	struct pipeline		*p = pipeline_new(fs, &o, err, sizeof(err));
	struct delta_list	 l;
	struct article		 a = art("s1", text, t0 + 3 * DAY);
	struct pipeline_market	 pm;
	double			 lo = 1.0;

	ck_assert_msg(p != NULL, "%s", err);
	delta_list_init(&l);
	ck_assert_int_eq(pipeline_tick(p, t0, &l), 0);
	ck_assert_int_eq(pipeline_article(p, &a, t0 + 3 * DAY, &l, NULL), 0);
	for (int64_t x = t0 + 3 * DAY + 3600; x <= t0 + 30 * DAY; x += 3600) {
		ck_assert_int_eq(pipeline_tick(p, x, &l), 0);
		pipeline_market_get(p, 0, x, &pm);
		if (pm.p < lo)
			lo = pm.p;
		if (x == t0 + 10 * DAY && state_at_10d != NULL)
			ck_assert_ptr_nonnull(*state_at_10d = pipeline_export(p));
	}
	pipeline_market_get(p, 0, t0 + 30 * DAY, &pm);
	delta_list_free(&l);
	pipeline_free(p);
	return text == signed_story ? lo : pm.p;
}

/*
 * "Signed" holds the market near 1 to its deadline (the lowest p after the
 * report is q = 1 - exp(-0.6 * 2) = 0.70); "will sign" is a hope that
 * decays to 0 like any rumour.
 */
START_TEST(reported_done_holds)
{
	struct market_set	*fs;
	double			 lo_signed, end_planned;

	ck_assert_msg(market_set_parse("f.json", fact_json, strlen(fact_json),
	    &fs, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(fs->markets[0].nfact, 1);
	lo_signed = run_to_deadline(fs, signed_story, NULL);
	end_planned = run_to_deadline(fs, planned_story, NULL);
	ck_assert_msg(lo_signed > 0.69 && lo_signed < 0.71, "%f", lo_signed);
	ck_assert_msg(end_planned < 0.02, "%f", end_planned);
	market_set_free(fs);
}
END_TEST

/* "happened" survives export and import; a version 1 state reads as 0. */
START_TEST(happened_exports_and_imports)
{
	struct market_set	*fs;
	struct pipeline_opts	 o = { 0, 0 };
	struct pipeline		*p;
	struct pipeline_market	 pm;
	char			*state = NULL;
	cJSON			*root;
	const char		*v1 = "{\"version\":1,\"markets\":[{\"id\":\"pact\","
	    "\"status\":\"open\",\"published\":0.3,\"published_at\":5,"
	    "\"evidence\":0,\"evidence_at\":null}]}";

	ck_assert_msg(market_set_parse("f.json", fact_json, strlen(fact_json),
	    &fs, err, sizeof(err)) == 0, "%s", err);
	run_to_deadline(fs, signed_story, &state);
	ck_assert_ptr_nonnull(root = cJSON_Parse(state));
	ck_assert_int_eq(cJSON_GetObjectItem(root, "version")->valueint,
	    PIPELINE_STATE_VERSION);
	ck_assert(fabs(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
	    root, "markets"), 0), "happened")->valuedouble - 1.2) < 1e-9);
	cJSON_Delete(root);
	ck_assert_ptr_nonnull(p = pipeline_new(fs, &o, err, sizeof(err)));
	ck_assert_msg(pipeline_import(p, state, err, sizeof(err)) == 0, "%s", err);
	pipeline_market_get(p, 0, fs->markets[0].deadline, &pm);
	ck_assert(fabs(pm.happened - (1 - exp(-1.2))) < 1e-9);
	ck_assert(fabs(pm.p - pm.happened) < 1e-9);	/* at the deadline */
	pipeline_free(p);
	ck_assert_ptr_nonnull(p = pipeline_new(fs, &o, err, sizeof(err)));
	ck_assert_msg(pipeline_import(p, v1, err, sizeof(err)) == 0, "%s", err);
	pipeline_market_get(p, 0, t0 + DAY, &pm);
	ck_assert(pm.happened == 0.0);
	ck_assert_int_eq(pipeline_import(p, "{\"version\":3,\"markets\":[]}",
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "pipeline state: version: 3 is newer than this "
	    "pmsignald understands (2)");
	ck_assert_int_eq(pipeline_import(p, "{\"version\":2,\"markets\":[{"
	    "\"id\":\"pact\",\"status\":\"open\",\"published\":0.3,"
	    "\"published_at\":5,\"evidence\":0,\"evidence_at\":null,"
	    "\"happened\":-1}]}", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "markets[0].happened"));
	pipeline_free(p);
	free(state);
	market_set_free(fs);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("pipeline");
	TCase	*tc = tcase_create("pipeline");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, markets_open_on_time);
	tcase_add_test(tc, article_moves_open_markets_only);
	tcase_add_test(tc, future_articles_wait);
	tcase_add_test(tc, claimed_future_date_counts_for_nothing);
	tcase_add_test(tc, closed_markets_never_move);
	tcase_add_test(tc, decay_ticks_chain);
	tcase_add_test(tc, deterministic);
	tcase_add_test(tc, export_import_continues);
	tcase_add_test(tc, import_errors_and_removed_markets);
	tcase_add_test(tc, syndicated_copies_move_nothing);
	tcase_add_test(tc, market_listing);
	tcase_add_test(tc, reported_done_holds);
	tcase_add_test(tc, happened_exports_and_imports);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
