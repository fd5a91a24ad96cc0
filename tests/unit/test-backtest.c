/*
 * test-backtest.c: the tick clock's alignment, the resolutions file, and
 * the replay driver on a two-market fixture: what it writes equals what
 * the pipeline says when driven by hand with the same clock, samples are
 * taken at every tick a market is open, and two runs give the same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "backtest.h"
#include "date.h"
#include "delta.h"
#include "market.h"
#include "pipeline.h"
#include "store.h"
#include "tickclock.h"
#include "unit.h"

#define DATA	"tests/data/backtest/"

static int64_t
t(const char *s)
{
	int64_t v;

	ck_assert_int_eq(date_parse_rfc3339(s, &v), 0);
	return v;
}

START_TEST(tick_alignment)
{
	struct tickclock	tc;
	int64_t			x;

	ck_assert_int_eq(tickclock_align(7200, 3600), 7200);
	ck_assert_int_eq(tickclock_align(7201, 3600), 10800);
	ck_assert_int_eq(tickclock_align(-1, 3600), 0);
	ck_assert_int_eq(tickclock_align(-3601, 3600), -3600);
	/* Boundaries are UTC multiples of the step, not counted from start. */
	tickclock_init(&tc, 3600, t("2025-12-01T10:30:00Z"));
	ck_assert_int_eq(tickclock_next(&tc), t("2025-12-01T11:00:00Z"));
	ck_assert_int_eq(tickclock_due(&tc, t("2025-12-01T10:59:59Z"), &x), 0);
	/* A late caller catches up every boundary, in order, once. */
	ck_assert_int_eq(tickclock_due(&tc, t("2025-12-01T13:00:00Z"), &x), 1);
	ck_assert_int_eq(x, t("2025-12-01T11:00:00Z"));
	ck_assert_int_eq(tickclock_due(&tc, t("2025-12-01T13:00:00Z"), &x), 1);
	ck_assert_int_eq(x, t("2025-12-01T12:00:00Z"));
	ck_assert_int_eq(tickclock_due(&tc, t("2025-12-01T13:00:00Z"), &x), 1);
	ck_assert_int_eq(x, t("2025-12-01T13:00:00Z"));
	ck_assert_int_eq(tickclock_due(&tc, t("2025-12-01T13:00:00Z"), &x), 0);
	/* A start on a boundary ticks at the start. */
	tickclock_init(&tc, 21600, t("2025-12-01T06:00:00Z"));
	ck_assert_int_eq(tickclock_next(&tc), t("2025-12-01T06:00:00Z"));
}
END_TEST

static const char *
res_error(const char *text)
{
	static char		err[512];
	struct resolutions	r;

	err[0] = '\0';
	ck_assert_int_eq(resolutions_parse("r.json", text, strlen(text), &r, err,
	    sizeof(err)), -1);
	return err;
}

START_TEST(resolutions_file)
{
	struct resolutions	r;
	char			err[512];
	const char		*ok = "{\"a\": 1, \"b-2\": 0}";

	ck_assert_int_eq(resolutions_parse("r.json", ok, strlen(ok), &r, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_int_eq(resolutions_get(&r, "a"), 1);
	ck_assert_int_eq(resolutions_get(&r, "b-2"), 0);
	ck_assert_int_eq(resolutions_get(&r, "c"), -1);
	ck_assert_int_eq(resolutions_get(NULL, "a"), -1);
	resolutions_free(&r);
	ck_assert_str_eq(res_error("{\"a\": 2}"),
	    "r.json: a: must be 1 (happened) or 0 (did not)");
	ck_assert_str_eq(res_error("{\"a\": true}"),
	    "r.json: a: must be 1 (happened) or 0 (did not)");
	ck_assert_str_eq(res_error("{\"a\": 0.5}"),
	    "r.json: a: must be 1 (happened) or 0 (did not)");
	ck_assert_str_eq(res_error("{\"a\": 1, \"a\": 0}"), "r.json: a: duplicate key");
	ck_assert_str_eq(res_error("[1]"), "r.json: must be an object, not an array");
	ck_assert_ptr_nonnull(strstr(res_error("{\"a\": 1,\n}"), "line 2"));
	ck_assert_int_eq(resolutions_load(DATA "nope.json", &r, err, sizeof(err)), -1);
	ck_assert_str_eq(err, DATA "nope.json: No such file or directory");
}
END_TEST

/* The fixture's outputs of one run, in memory. */
struct run {
	struct backtest	*bt;
	char		*deltas, *traj;
	size_t		 ndeltas, ntraj;
};

static void
run_window(const struct market_set *ms, const struct archive *ar,
    const struct resolutions *res, int64_t from, int64_t until,
    struct run *out)
{
	struct backtest_opts	o;
	FILE			*fd, *ft;
	char			err[512];

	memset(&o, 0, sizeof(o));
	o.from = from;
	o.until = until;
	o.step = 3600;
	o.dedup_window = 3 * 86400;
	ck_assert_ptr_nonnull(fd = open_memstream(&out->deltas, &out->ndeltas));
	ck_assert_ptr_nonnull(ft = open_memstream(&out->traj, &out->ntraj));
	o.deltas = fd;
	o.trajectories = ft;
	ck_assert_msg(backtest_run(ms, ar, res, &o, &out->bt, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(fclose(fd), 0);
	ck_assert_int_eq(fclose(ft), 0);
}

static void
run_fixture(const struct market_set *ms, const struct archive *ar,
    const struct resolutions *res, struct run *out)
{
	run_window(ms, ar, res, t("2025-11-29T00:00:00Z"),
	    t("2025-12-12T00:00:00Z"), out);
}

static void
run_free(struct run *r)
{
	backtest_free(r->bt);
	free(r->deltas);
	free(r->traj);
}

/*
 * Drive a fresh pipeline by hand, the way the daemon does (tick clock,
 * article at its first_seen), and encode its deltas with seq 1, 2, ...:
 * the backtest's deltas.ndjson must be exactly this.
 */
static char *
drive_by_hand(const struct market_set *ms, const struct archive *ar,
    int64_t from, int64_t until)
{
	struct pipeline_opts	po = { 3 * 86400, 0 };
	struct pipeline		*p;
	struct delta_list	out;
	struct tickclock	tc;
	char			err[256], *buf = NULL, *line;
	size_t			len, i;
	uint64_t		seq = 0;
	int64_t			x;
	FILE			*fp;

	ck_assert_ptr_nonnull(p = pipeline_new(ms, &po, err, sizeof(err)));
	ck_assert_ptr_nonnull(fp = open_memstream(&buf, &len));
	delta_list_init(&out);
	/* As daemon-publish.c starts on a fresh database. */
	tickclock_init(&tc, 3600, from + 1);
	ck_assert_int_eq(pipeline_tick(p, from, &out), 0);
	for (i = 0; i <= ar->narticles; i++) {
		int64_t now = i < ar->narticles ? ar->articles[i].first_seen : until;

		while (tickclock_due(&tc, now, &x))
			ck_assert_int_eq(pipeline_tick(p, x, &out), 0);
		if (i < ar->narticles)
			ck_assert_int_eq(pipeline_article(p, &ar->articles[i],
			    now, &out, NULL), 0);
		for (size_t k = 0; k < out.n; k++) {
			out.v[k].seq = ++seq;
			ck_assert_ptr_nonnull(line = delta_to_json(&out.v[k],
			    BACKTEST_SESSION));
			fprintf(fp, "%s\n", line);
			free(line);
		}
		delta_list_clear(&out);
	}
	delta_list_free(&out);
	pipeline_free(p);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

START_TEST(replay_fixture)
{
	struct market_set	*ms;
	struct archive		 ar;
	struct resolutions	 res;
	struct run		 a, b;
	char			 err[512], *hand;
	const char		*rtext = "{\"call-dec\": 1, \"deal\": 0}";
	const struct backtest_market *call, *deal;

	ck_assert_msg(market_set_load(DATA "markets.json", &ms, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(archive_load(DATA "replay.jsonl", NULL, &ar, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(resolutions_parse("r", rtext, strlen(rtext), &res, err,
	    sizeof(err)), 0);
	run_fixture(ms, &ar, &res, &a);
	run_fixture(ms, &ar, &res, &b);

	/* Determinism. */
	ck_assert_uint_eq(a.ndeltas, b.ndeltas);
	ck_assert(memcmp(a.deltas, b.deltas, a.ndeltas) == 0);
	ck_assert_uint_eq(a.ntraj, b.ntraj);
	ck_assert(memcmp(a.traj, b.traj, a.ntraj) == 0);

	/* Live equals backtest: the same deltas as the pipeline by hand. */
	hand = drive_by_hand(ms, &ar, t("2025-11-29T00:00:00Z"),
	    t("2025-12-12T00:00:00Z"));
	ck_assert_str_eq(a.deltas, hand);
	free(hand);

	/* The clock: hourly from --from to --until, both included. */
	ck_assert_int_eq(a.bt->start, t("2025-11-29T00:00:00Z"));
	ck_assert_int_eq(a.bt->end, t("2025-12-12T00:00:00Z"));
	ck_assert_uint_eq(a.bt->ticks, 13 * 24 + 1);
	ck_assert_uint_eq(a.bt->articles, 4);
	ck_assert_ptr_nonnull(strstr(a.traj, "market,time,p\n"));
	ck_assert_ptr_nonnull(strstr(a.deltas, "\"seq\":1,\"session\":\"backtest\""));

	/* call-dec is open 1 Dec 00:00 .. 10 Dec 23:59:59: 240 hourly samples. */
	call = &a.bt->markets[market_set_index(ms, "call-dec")];
	deal = &a.bt->markets[market_set_index(ms, "deal")];
	ck_assert_uint_eq(call->fc.n, 240);
	ck_assert_uint_eq(call->fc_prior.n, 240);
	ck_assert_uint_eq(call->fc_decay.n, 240);
	/* deal (no deadline) from 30 Nov 00:00 to the end: 12 days + 1. */
	ck_assert_uint_eq(deal->fc.n, 12 * 24 + 1);
	ck_assert_uint_eq(a.bt->all.n, 240 + 12 * 24 + 1);
	/* The prior baseline is (prior - outcome)^2 at every sample. */
	ck_assert(fabs(forecast_brier(&call->fc_prior) - 0.49) < 1e-12);
	ck_assert(fabs(forecast_brier(&deal->fc_prior) - 0.25) < 1e-12);
	/* The article before the market opened moved nothing; the call did. */
	ck_assert_uint_eq(call->nmarks, 1);
	ck_assert_str_eq(call->marks[0].title,
	    "Alpha and Beta held a phone call on Tuesday");
	ck_assert_int_eq(call->marks[0].t, t("2025-12-02T10:30:00Z"));
	ck_assert(call->marks[0].p > call->marks[0].prev);
	/* With a call that happened, the model beats the no-news decay. */
	ck_assert(forecast_brier(&call->fc) < forecast_brier(&call->fc_decay));
	/* The decay baseline never sees an article. */
	ck_assert(deal->decay.n >= 1);
	for (size_t i = 0; i < deal->decay.n; i++)
		ck_assert(deal->decay.pts[i].p == 0.5);
	/* Every sample is in exactly one calibration bin. */
	{
		size_t n = 0;

		for (int i = 0; i < FORECAST_BINS; i++)
			n += a.bt->calib.bins[i].n;
		ck_assert_uint_eq(n, a.bt->all.n);
	}
	/*
	 * A tick at an article's second runs first (r3 arrives at 00:00): no
	 * tick delta (open, decay, close) follows an article delta of the
	 * same second.
	 */
	{
		char		*line, *save = NULL, *copy = strdup(a.deltas);
		int64_t		 art_ts = PM_TIME_NONE;
		struct delta	 d;

		ck_assert_ptr_nonnull(copy);
		for (line = strtok_r(copy, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			ck_assert_int_eq(delta_from_json(line, &d), 0);
			if (d.cause == DELTA_ARTICLE)
				art_ts = d.ts;
			else
				ck_assert_int_ne(d.ts, art_ts);
			delta_free(&d);
		}
		free(copy);
	}
	run_free(&a);
	run_free(&b);
	resolutions_free(&res);
	archive_free(&ar);
	market_set_free(ms);
}
END_TEST

START_TEST(summary_and_chart)
{
	struct market_set	*ms;
	struct archive		 ar;
	struct run		 a;
	char			 err[512], *sum = NULL, *svg = NULL;
	size_t			 nsum, nsvg;
	FILE			*fp;

	ck_assert_int_eq(market_set_load(DATA "markets.json", &ms, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(archive_load(DATA "replay.jsonl", NULL, &ar, err,
	    sizeof(err)), 0);
	run_fixture(ms, &ar, NULL, &a);		/* no resolutions: no scores */
	ck_assert_ptr_nonnull(fp = open_memstream(&sum, &nsum));
	ck_assert_int_eq(backtest_write_summary(a.bt, fp), 0);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_ptr_nonnull(strstr(sum, "\"resolution\":\tnull"));
	ck_assert_ptr_nonnull(strstr(sum, "\"brier\":\tnull"));
	ck_assert_ptr_nonnull(strstr(sum, "\"baseline_decay\""));
	ck_assert_ptr_nonnull(fp = open_memstream(&svg, &nsvg));
	ck_assert_int_eq(backtest_write_chart(a.bt, fp, "t"), 0);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_ptr_nonnull(strstr(svg, "<g id=\"market-1\">"));
	ck_assert_ptr_nonnull(strstr(svg, "unresolved"));
	free(sum);
	free(svg);
	run_free(&a);
	archive_free(&ar);
	market_set_free(ms);
}
END_TEST

/*
 * A clock started between boundaries ticks once at the start, as the
 * daemon does on a fresh database, then on the boundaries: 00:20, 01:00,
 * 02:00, ...
 */
START_TEST(unaligned_start)
{
	struct market_set	*ms;
	struct archive		 ar;
	struct run		 a;
	char			 err[512], *hand;
	int64_t			 from = t("2025-11-30T00:20:00Z");
	int64_t			 until = t("2025-12-04T00:00:00Z");

	ck_assert_int_eq(market_set_load(DATA "markets.json", &ms, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(archive_load(DATA "replay.jsonl", NULL, &ar, err,
	    sizeof(err)), 0);
	archive_free(&ar);
	{
		struct archive_opts o = { from, until };

		ck_assert_int_eq(archive_load(DATA "replay.jsonl", &o, &ar, err,
		    sizeof(err)), 0);
	}
	run_window(ms, &ar, NULL, from, until, &a);
	ck_assert_ptr_nonnull(strstr(a.deltas, "{\"type\":\"delta\",\"seq\":1,"
	    "\"session\":\"backtest\",\"ts\":\"2025-11-30T00:20:00Z\","
	    "\"market\":\"deal\""));
	ck_assert_ptr_nonnull(strstr(a.traj, "deal,2025-11-30T00:20:00Z,"));
	ck_assert_ptr_nonnull(strstr(a.traj, "deal,2025-11-30T01:00:00Z,"));
	ck_assert_ptr_null(strstr(a.traj, "deal,2025-11-30T00:00:00Z,"));
	/* The start, then every hour from 01:00 to 4 Dec 00:00 (95 h): 1 + 96. */
	ck_assert_uint_eq(a.bt->ticks, 1 + 96);
	hand = drive_by_hand(ms, &ar, from, until);
	ck_assert_str_eq(a.deltas, hand);
	free(hand);
	run_free(&a);
	archive_free(&ar);
	market_set_free(ms);
}
END_TEST

/*
 * The daemon's history replays the same from its database as from JSONL:
 * store the sample the way the daemon stores articles, backtest both.
 */
START_TEST(database_replays_like_jsonl)
{
	char		 dir[] = "/tmp/pmsignal-bt.XXXXXX", db[64];
	char		 err[512];
	struct market_set *ms;
	struct archive	 jl, fromdb;
	struct store	*st;
	struct run	 a, b;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/history.db", dir);
	ck_assert_int_eq(market_set_load(DATA "markets.json", &ms, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(archive_load(DATA "replay.jsonl", NULL, &jl, err,
	    sizeof(err)), 0);
	ck_assert_msg(store_open(db, 0, &st, err, sizeof(err)) == 0, "%s", err);
	for (size_t i = 0; i < jl.narticles; i++)
		ck_assert_msg(store_add_article(st, &jl.articles[i], 0, NULL, err,
		    sizeof(err)) == 0, "%s", err);
	store_close(st);
	ck_assert_int_eq(archive_load(db, NULL, &fromdb, err, sizeof(err)), 0);
	ck_assert_uint_eq(fromdb.narticles, jl.narticles);
	run_fixture(ms, &jl, NULL, &a);
	run_fixture(ms, &fromdb, NULL, &b);
	ck_assert_str_eq(a.deltas, b.deltas);
	ck_assert_str_eq(a.traj, b.traj);
	run_free(&a);
	run_free(&b);
	archive_free(&jl);
	archive_free(&fromdb);
	market_set_free(ms);
	unit_unlink_sqlite(db);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *
backtest_suite(void)
{
	Suite	*s = suite_create("backtest");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tick_alignment);
	tcase_add_test(tc, resolutions_file);
	tcase_add_test(tc, replay_fixture);
	tcase_add_test(tc, summary_and_chart);
	tcase_add_test(tc, database_replays_like_jsonl);
	tcase_add_test(tc, unaligned_start);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(backtest_suite());
}
