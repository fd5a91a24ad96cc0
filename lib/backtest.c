/*
 * backtest.c: the replay driver.  Two pipelines over the same markets run
 * on one virtual clock: "model" gets the ticks and the articles, "decay"
 * gets the ticks only.  Every model delta is numbered and written as the
 * protocol's delta line; at every tick each open market is sampled for the
 * scores and the trajectories.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "date.h"
#include "delta.h"
#include "market.h"
#include "pipeline.h"
#include "tickclock.h"

#define BACKTEST_PROGRESS_EVERY	256	/* articles between progress calls */

/* One run: the result being built and what builds it. */
struct bt_run {
	struct backtest			*bt;
	const struct market_set		*ms;
	const struct backtest_opts	*opts;
	struct pipeline			*model, *decay;
	struct delta_list		 out;
	size_t				 hint;	/* market of the last delta */
	int64_t				 when_t;	/* when[] formats it */
	char				 when[40];
	char				*err;
	size_t				 errsize;
};

static void
series_free(struct backtest_series *s)
{
	free(s->pts);
	memset(s, 0, sizeof(*s));
}

static int
series_push(struct backtest_series *s, int64_t t, double p)
{
	if (s->n == s->cap) {
		size_t		 cap = s->cap ? s->cap * 2 : 64;
		struct chart_point *n = realloc(s->pts, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		s->pts = n;
		s->cap = cap;
	}
	s->pts[s->n].t = t;
	s->pts[s->n].p = delta_round(p);
	s->n++;
	return 0;
}

void
backtest_free(struct backtest *bt)
{
	if (bt == NULL)
		return;
	for (size_t i = 0; i < bt->nmarkets; i++) {
		struct backtest_market *m = &bt->markets[i];

		free(m->id);
		free(m->question);
		series_free(&m->model);
		series_free(&m->decay);
		for (size_t k = 0; k < m->nmarks; k++)
			free((char *)m->marks[k].title);
		free(m->marks);
	}
	free(bt->markets);
	free(bt);
}

/* A new result with one entry per market, in market-set order. */
static struct backtest *
bt_new(const struct market_set *ms, const struct resolutions *res)
{
	struct backtest *bt = calloc(1, sizeof(*bt));

	if (bt == NULL || (bt->markets = calloc(ms->nmarkets + 1,
	    sizeof(*bt->markets))) == NULL) {
		free(bt);
		return NULL;
	}
	bt->nmarkets = ms->nmarkets;
	forecast_init(&bt->all);
	forecast_init(&bt->all_prior);
	forecast_init(&bt->all_decay);
	calibration_init(&bt->calib);
	for (size_t i = 0; i < ms->nmarkets; i++) {
		const struct market	*d = &ms->markets[i];
		struct backtest_market	*m = &bt->markets[i];

		m->opens = d->opens;
		m->deadline = d->deadline;
		m->prior = m->p = m->p_decay = d->prior;
		m->resolution = resolutions_get(res, d->id);
		m->row_t = PM_TIME_NONE;
		forecast_init(&m->fc);
		forecast_init(&m->fc_prior);
		forecast_init(&m->fc_decay);
		if ((m->id = strdup(d->id)) == NULL ||
		    (d->question != NULL &&
		    (m->question = strdup(d->question)) == NULL)) {
			bt->nmarkets = i + 1;
			backtest_free(bt);
			return NULL;
		}
	}
	return bt;
}

/*
 * The market a delta is about.  Deltas come in market order within a tick
 * or an article, so start looking after the previous one: a tick over
 * many markets costs one comparison per delta, not a scan.
 */
static struct backtest_market *
bt_market(struct bt_run *r, const char *id)
{
	size_t n = r->bt->nmarkets;

	for (size_t k = 0; k < n; k++) {
		size_t i = (r->hint + k) % n;

		if (strcmp(r->bt->markets[i].id, id) == 0) {
			r->hint = i + 1;
			return &r->bt->markets[i];
		}
	}
	return NULL;
}

static int
bt_fail(struct bt_run *r, const char *what)
{
	snprintf(r->err, r->errsize, "backtest: %s", what);
	return -1;
}

/*
 * p, already rounded to 6 decimals, as "%.6f" prints it.  A tick writes a
 * row per market and a backtest hundreds of thousands of them: digits of
 * the integer millionths cost a fraction of printf's float formatting.
 */
static void
bt_format_p(double p, char *out, size_t size)
{
	long long	k;

	if (!(p >= 0.0 && p <= 1.0)) {
		snprintf(out, size, "%.6f", p);
		return;
	}
	k = llround(p * 1e6);
	out[0] = (char)('0' + k / 1000000);
	out[1] = '.';
	for (int i = 7; i >= 2; i--, k /= 10)
		out[i] = (char)('0' + k % 10);
	out[8] = '\0';
}

/* One "market,time,p" row, unless it would repeat the previous one. */
static int
bt_row(struct bt_run *r, struct backtest_market *m, int64_t t, double p)
{
	char pbuf[40];

	p = delta_round(p);
	if (m->row_t == t && m->row_p == p)
		return 0;
	m->row_t = t;
	m->row_p = p;
	if (r->opts->trajectories == NULL)
		return 0;
	if (r->when[0] == '\0' || r->when_t != t) {
		date_format_rfc3339(t, r->when, sizeof(r->when));
		r->when_t = t;
	}
	bt_format_p(p, pbuf, sizeof(pbuf));
	if (fputs(m->id, r->opts->trajectories) == EOF ||
	    putc(',', r->opts->trajectories) == EOF ||
	    fputs(r->when, r->opts->trajectories) == EOF ||
	    putc(',', r->opts->trajectories) == EOF ||
	    fputs(pbuf, r->opts->trajectories) == EOF ||
	    putc('\n', r->opts->trajectories) == EOF)
		return bt_fail(r, "cannot write trajectories");
	return 0;
}

/* Remember an article delta for the chart's ticks. */
static int
bt_mark(struct backtest_market *m, const struct delta *d)
{
	struct chart_mark *k;

	if (m->nmarks == m->capmarks) {
		size_t cap = m->capmarks ? m->capmarks * 2 : 16;

		if ((k = realloc(m->marks, cap * sizeof(*k))) == NULL)
			return -1;
		m->marks = k;
		m->capmarks = cap;
	}
	k = &m->marks[m->nmarks];
	k->t = d->ts;
	k->prev = delta_round(d->prev);
	k->p = delta_round(d->p);
	k->title = NULL;
	if (d->article_title != NULL && d->article_title[0] != '\0' &&
	    (k->title = strdup(d->article_title)) == NULL)
		return -1;
	m->nmarks++;
	return 0;
}

/* A model delta: number it, write it, follow the market's p. */
static int
bt_publish(struct bt_run *r, struct delta *d)
{
	struct backtest_market	*m = bt_market(r, d->market);
	char			*line;
	int			 rc;

	if (m == NULL)
		return bt_fail(r, "delta for an unknown market");
	d->seq = ++r->bt->seq;
	if (r->opts->deltas != NULL) {
		if ((line = delta_to_json(d, BACKTEST_SESSION)) == NULL)
			return bt_fail(r, "out of memory");
		rc = fputs(line, r->opts->deltas) == EOF ||
		    putc('\n', r->opts->deltas) == EOF;
		free(line);
		if (rc)
			return bt_fail(r, "cannot write deltas");
	}
	m->p = d->p;
	m->ndeltas++;
	if (d->cause == DELTA_OPEN)
		m->open = 1;
	else if (d->cause == DELTA_CLOSE)
		m->open = 0;
	if (series_push(&m->model, d->ts, d->p) == -1 ||
	    (d->cause == DELTA_ARTICLE && bt_mark(m, d) == -1))
		return bt_fail(r, "out of memory");
	return bt_row(r, m, d->ts, d->p);
}

/* A decay-baseline delta: only its p and the chart's dashed line. */
static int
bt_follow_decay(struct bt_run *r, const struct delta *d)
{
	struct backtest_market *m = bt_market(r, d->market);

	if (m == NULL)
		return bt_fail(r, "delta for an unknown market");
	m->p_decay = d->p;
	if (d->cause == DELTA_OPEN)
		m->open_decay = 1;
	else if (d->cause == DELTA_CLOSE)
		m->open_decay = 0;
	if (series_push(&m->decay, d->ts, d->p) == -1)
		return bt_fail(r, "out of memory");
	return 0;
}

/* Hand every delta in r->out to fn, then empty the list. */
static int
bt_drain(struct bt_run *r, int model)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->out.n; i++)
		rc = model ? bt_publish(r, &r->out.v[i]) :
		    bt_follow_decay(r, &r->out.v[i]);
	delta_list_clear(&r->out);
	return rc;
}

/*
 * Score every open market at tick t against its outcome: the model's
 * published p, the prior, and the decay baseline's published p.
 */
static void
bt_sample(struct backtest *bt, struct backtest_market *m)
{
	if (m->resolution < 0)
		return;
	forecast_add(&m->fc, m->p, m->resolution);
	forecast_add(&m->fc_prior, m->prior, m->resolution);
	forecast_add(&m->fc_decay, m->p_decay, m->resolution);
	forecast_add(&bt->all, m->p, m->resolution);
	forecast_add(&bt->all_prior, m->prior, m->resolution);
	forecast_add(&bt->all_decay, m->p_decay, m->resolution);
	calibration_add(&bt->calib, m->p, m->resolution);
}

/* One tick of both pipelines at boundary t, then the samples. */
static int
bt_tick(struct bt_run *r, int64_t t)
{
	if (pipeline_tick(r->model, t, &r->out) == -1)
		return bt_fail(r, "pipeline tick: out of memory");
	if (bt_drain(r, 1) == -1)
		return -1;
	if (pipeline_tick(r->decay, t, &r->out) == -1)
		return bt_fail(r, "pipeline tick: out of memory");
	if (bt_drain(r, 0) == -1)
		return -1;
	for (size_t i = 0; i < r->bt->nmarkets; i++) {
		struct backtest_market *m = &r->bt->markets[i];

		if (!m->open)
			continue;
		bt_sample(r->bt, m);
		if (bt_row(r, m, t, m->p) == -1)
			return -1;
	}
	r->bt->ticks++;
	return 0;
}

/* Run every tick due at or before now. */
static int
bt_ticks_until(struct bt_run *r, struct tickclock *tc, int64_t now)
{
	int64_t t;

	while (tickclock_due(tc, now, &t))
		if (bt_tick(r, t) == -1)
			return -1;
	return 0;
}

/*
 * The clock's range when not given: from the first article or the first
 * opening, whichever is earlier, to the last article or the last
 * deadline, whichever is later, so every market is seen to its close.
 */
static void
bt_clock_range(const struct market_set *ms, const struct archive *ar,
    const struct backtest_opts *o, int64_t *start, int64_t *end)
{
	int64_t s = PM_TIME_NONE, e = PM_TIME_NONE;

	if (ar->narticles > 0) {
		s = ar->articles[0].first_seen;
		e = ar->articles[ar->narticles - 1].first_seen;
	}
	for (size_t i = 0; i < ms->nmarkets; i++) {
		const struct market *m = &ms->markets[i];

		if (s == PM_TIME_NONE || m->opens < s)
			s = m->opens;
		if (m->deadline != PM_TIME_NONE && (e == PM_TIME_NONE ||
		    m->deadline + 1 > e))
			e = m->deadline + 1;	/* the tick that closes it */
	}
	*start = o->from != PM_TIME_NONE ? o->from : s != PM_TIME_NONE ? s : 0;
	*end = o->until != PM_TIME_NONE ? o->until : e != PM_TIME_NONE ? e : *start;
	if (*end < *start)
		*end = *start;
}

/* Feed the articles in order, ticking in between, then tick to the end. */
static int
bt_replay(struct bt_run *r, const struct archive *ar)
{
	const struct backtest_opts	*o = r->opts;
	struct tickclock		 tc;

	bt_clock_range(r->ms, ar, o, &r->bt->start, &r->bt->end);
	r->bt->step = o->step;
	if (o->trajectories != NULL && fputs("market,time,p\n",
	    o->trajectories) == EOF)
		return bt_fail(r, "cannot write trajectories");
	/*
	 * As the daemon does on a fresh database: one tick at the start (it
	 * opens the markets already due), then the boundaries after it.
	 */
	tickclock_init(&tc, o->step, r->bt->start + 1);
	if (bt_tick(r, r->bt->start) == -1)
		return -1;
	for (size_t i = 0; i < ar->narticles; i++) {
		const struct article *a = &ar->articles[i];

		if (bt_ticks_until(r, &tc, a->first_seen) == -1)
			return -1;
		if (pipeline_article(r->model, a, a->first_seen, &r->out,
		    NULL) == -1)
			return bt_fail(r, "pipeline: out of memory");
		if (bt_drain(r, 1) == -1)
			return -1;
		r->bt->articles++;
		if (o->progress != NULL && (i % BACKTEST_PROGRESS_EVERY == 0 ||
		    i + 1 == ar->narticles))
			o->progress(o->progress_arg, i + 1, ar->narticles);
	}
	return bt_ticks_until(r, &tc, r->bt->end);
}

int
backtest_run(const struct market_set *ms, const struct archive *ar,
    const struct resolutions *res, const struct backtest_opts *opts,
    struct backtest **out, char *err, size_t errsize)
{
	struct pipeline_opts	po;
	struct bt_run		r;
	int			rc = -1;

	memset(&r, 0, sizeof(r));
	r.ms = ms;
	r.opts = opts;
	r.err = err;
	r.errsize = errsize;
	delta_list_init(&r.out);
	memset(&po, 0, sizeof(po));
	po.dedup_window = opts->dedup_window;
	if (opts->step <= 0) {
		snprintf(err, errsize, "backtest: the step must be positive");
		return -1;
	}
	if ((r.bt = bt_new(ms, res)) == NULL) {
		snprintf(err, errsize, "backtest: out of memory");
		return -1;
	}
	if ((r.model = pipeline_new(ms, &po, err, errsize)) != NULL &&
	    (r.decay = pipeline_new(ms, &po, err, errsize)) != NULL)
		rc = bt_replay(&r, ar);
	pipeline_free(r.model);
	pipeline_free(r.decay);
	delta_list_free(&r.out);
	if (rc == -1) {
		backtest_free(r.bt);
		return -1;
	}
	*out = r.bt;
	return 0;
}
