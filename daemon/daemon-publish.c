/*
 * daemon-publish.c: the live pipeline.  Articles (from the poller) and
 * ticks (from a timer on the tick clock) go through the same pipeline the
 * backtest calls; the deltas they give are stored first and published to
 * subscribers only once the store has committed them.  One poll's new
 * articles, or one run of due ticks, make one batch: one transaction.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "date.h"
#include "log.h"
#include "server.h"
#include "store.h"

#define PUBLISH_STATE_KEY	"pipeline"
#define PUBLISH_TICK_KEY	"last_tick"
#define PRUNE_INTERVAL		60	/* seconds between retention passes */
#define PRUNE_ROWS		100	/* rows per step: a few ms each */

static void	publish_arm_tick(struct daemon *);

int64_t
daemon_now(void)
{
	return (int64_t)time(NULL);
}

/*
 * Open a batch: one store transaction gathering the articles of one poll
 * (or the due ticks) and the deltas they give.
 */
int
publish_begin(struct daemon *d)
{
	char err[512];

	if (d->in_batch)
		return 0;
	if (store_begin(d->store, err, sizeof(err)) != STORE_OK) {
		log_warnx("store: %s", err);
		return -1;
	}
	d->in_batch = 1;
	delta_list_clear(&d->batch);
	return 0;
}

/* Abandon the open batch: nothing of it is stored or published. */
void
publish_abort(struct daemon *d)
{
	if (d->in_batch)
		store_rollback(d->store);
	d->in_batch = 0;
	delta_list_clear(&d->batch);
}

/* Run every tick boundary that is due by now, in order. */
static int
publish_due_ticks(struct daemon *d, int64_t now)
{
	int64_t t;

	while (tickclock_due(&d->clock, now, &t)) {
		if (pipeline_tick(d->pipeline, t, &d->batch) == -1) {
			log_warnx("pipeline: out of memory at tick");
			return -1;
		}
		d->last_tick = t;
	}
	return 0;
}

/* Record the evidence each moved market got from the article. */
static int
publish_evidence(struct daemon *d, int64_t rowid, size_t from)
{
	char err[512];

	for (size_t i = from; i < d->batch.n; i++) {
		const struct delta *x = &d->batch.v[i];

		if (x->cause != DELTA_ARTICLE || x->evidence == NULL)
			continue;
		if (store_add_evidence(d->store, rowid, x->market, x->evidence,
		    err, sizeof(err)) < 0) {
			log_warnx("store: %s", err);
			return -1;
		}
	}
	return 0;
}

/*
 * Score one new article at time now inside the open batch, and store it
 * (with its SimHash, so the near-duplicate window survives a restart).
 */
int
publish_article(struct daemon *d, const struct article *a, int64_t now)
{
	struct pipeline_result	res;
	char			err[512];
	int64_t			rowid;
	size_t			from;

	if (publish_due_ticks(d, now) == -1)
		return -1;
	from = d->batch.n;
	if (pipeline_article(d->pipeline, a, now, &d->batch, &res) == -1) {
		log_warnx("pipeline: out of memory scoring %s", a->id);
		return -1;
	}
	if (store_add_article(d->store, a, res.simhash, &rowid, err,
	    sizeof(err)) < 0) {
		log_warnx("store: %s", err);
		return -1;
	}
	if (publish_evidence(d, rowid, from) == -1)
		return -1;
	d->counters.articles++;
	if (res.status == PIPELINE_DUPLICATE) {
		d->counters.articles_duplicate++;
		log_debug("feed %s: article %s is a near-copy of %s (%d bits)",
		    a->source, a->id, res.dup_of, res.dup_distance);
	}
	return 0;
}

/* Save what a restart needs: the markets' state and the last tick. */
static int
publish_save_state(struct daemon *d, int64_t now)
{
	char	*state, err[512], buf[32];
	int	 rc = 0;

	if ((state = pipeline_export_markets(d->pipeline)) == NULL) {
		log_warnx("pipeline: out of memory exporting state");
		return -1;
	}
	if (store_state_put(d->store, PUBLISH_STATE_KEY, state, now, err,
	    sizeof(err)) != STORE_OK)
		rc = -1;
	free(state);
	snprintf(buf, sizeof(buf), "%" PRId64, d->last_tick);
	if (rc == 0 && d->last_tick != PM_TIME_NONE &&
	    store_meta_put(d->store, PUBLISH_TICK_KEY, buf, err,
	    sizeof(err)) != STORE_OK)
		rc = -1;
	if (rc == -1)
		log_warnx("store: %s", err);
	return rc;
}

/*
 * Close the batch: give its deltas their seqs, commit durably, and only
 * then show them to subscribers.  When the store fails (disk full, I/O
 * error) nothing of the batch is kept: the error is logged once, and the
 * next batch tries again.
 */
int
publish_commit(struct daemon *d)
{
	char	err[512];
	int64_t	now = daemon_now();
	int	rc;

	if (!d->in_batch)
		return 0;
	d->in_batch = 0;
	rc = store_append_deltas(d->store, d->batch.v, d->batch.n, err,
	    sizeof(err));
	if (rc == STORE_OK && publish_save_state(d, now) == -1)
		rc = STORE_EFAIL;
	if (rc == STORE_OK)
		rc = store_commit(d->store, err, sizeof(err));
	else
		store_rollback(d->store);
	if (rc != STORE_OK) {
		if (!d->store_failing)
			log_error("store: commit failed, %zu deltas not "
			    "persisted nor published: %s", d->batch.n, err);
		d->store_failing = 1;
		delta_list_clear(&d->batch);
		return -1;
	}
	if (d->store_failing)
		log_info("store: writing again");
	d->store_failing = 0;
	for (size_t i = 0; i < d->batch.n; i++) {
		const struct delta *x = &d->batch.v[i];

		if (d->server != NULL)
			server_publish(d->server, x);
		metrics_delta(&d->counters, x->seq, x->ts);
	}
	delta_list_clear(&d->batch);
	return 0;
}

/* The tick timer: run the due ticks as one batch, then re-arm. */
static void
publish_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	int64_t		 now = daemon_now();

	(void)fd;
	(void)what;
	if (publish_begin(d) == 0) {
		if (publish_due_ticks(d, now) == 0)
			publish_commit(d);
		else
			publish_abort(d);
	}
	publish_arm_tick(d);
}

static void
publish_arm_tick(struct daemon *d)
{
	struct timeval	tv;
	int64_t		wait = tickclock_next(&d->clock) - daemon_now();

	if (wait < 0)
		wait = 0;
	tv.tv_sec = (time_t)wait;
	tv.tv_usec = 0;
	if (evtimer_add(d->ev_tick, &tv) == -1)
		log_warnx("cannot arm the tick timer");
}

/*
 * Retention: prune in bounded steps, one per loop turn while there is
 * more, so that no step holds the loop for more than a few milliseconds.
 */
static void
publish_prune_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 tv = { PRUNE_INTERVAL, 0 };
	char		 err[512];
	int		 n;

	(void)fd;
	(void)what;
	if (d->in_batch)
		n = PRUNE_ROWS;		/* not inside a batch: retry soon */
	else
		n = store_prune(d->store, daemon_now(),
		    d->cfg.article_retention_days, d->cfg.delta_retention_days,
		    PRUNE_ROWS, err, sizeof(err));
	if (n < 0)
		log_warnx("store: retention: %s", err);
	if (n == PRUNE_ROWS)
		tv.tv_sec = 0;
	if (evtimer_add(d->ev_prune, &tv) == -1)
		log_warnx("cannot arm the retention timer");
}

/* Put every stored SimHash of the dedup window back into the pipeline. */
static int
publish_remember_cb(void *arg, uint64_t simhash, int64_t first_seen,
    int64_t article)
{
	struct daemon	*d = arg;
	char		 id[32];

	snprintf(id, sizeof(id), "article:%" PRId64, article);
	return pipeline_remember(d->pipeline, simhash, first_seen, id) == -1;
}

/*
 * Build a pipeline over markets, continuing from the stored state: the
 * markets' state, the near-duplicate window.  NULL with the reason in err.
 */
static struct pipeline *
publish_new_pipeline(const struct config *cfg, struct market_set *markets,
    const char *state, char *err, size_t errsize)
{
	struct pipeline_opts	 opts = { cfg->dedup_window, 0 };
	struct pipeline		*p;

	if ((p = pipeline_new(markets, &opts, err, errsize)) == NULL)
		return NULL;
	if (state != NULL && pipeline_import(p, state, err, errsize) == -1) {
		pipeline_free(p);
		return NULL;
	}
	return p;
}

/* Append ", id" (or "id") to a bounded list; "..." once it is full. */
static void
publish_append_id(char *buf, size_t size, const char *id)
{
	size_t len = strlen(buf);

	if (len + 5 >= size || (len > 3 && strcmp(buf + len - 3, "...") == 0))
		return;
	if (len + strlen(id) + 6 >= size) {
		snprintf(buf + len, size - len, "%s...", len > 0 ? ", " : "");
		return;
	}
	snprintf(buf + len, size - len, "%s%s", len > 0 ? ", " : "", id);
}

/* The stored tick clock position, or PM_TIME_NONE on a fresh database. */
static int64_t
publish_stored_tick(struct daemon *d)
{
	char	*v = NULL, *end, err[512];
	int64_t	 t = PM_TIME_NONE;

	if (store_meta_get(d->store, PUBLISH_TICK_KEY, &v, err,
	    sizeof(err)) == 1) {
		t = strtoll(v, &end, 10);
		if (*v == '\0' || *end != '\0')
			t = PM_TIME_NONE;
	}
	free(v);
	return t;
}

/*
 * Open the store, start a session, load the markets and continue the
 * pipeline where the last run stopped.  Missed tick boundaries since then
 * are caught up, in order, by the first tick timer.
 */
int
publish_setup(struct daemon *d)
{
	char	 err[512], *state = NULL;
	int64_t	 now = daemon_now(), since;
	int	 r;

	delta_list_init(&d->batch);
	d->last_tick = PM_TIME_NONE;
	if (store_open(d->database_path, 0, &d->store, err,
	    sizeof(err)) != STORE_OK) {
		log_error("%s", err);
		return -1;
	}
	if (store_session_new(d->store, now, err, sizeof(err)) != STORE_OK) {
		log_error("%s", err);
		return -1;
	}
	if (market_set_load(d->markets_path, &d->markets, err,
	    sizeof(err)) == -1) {
		log_error("%s", err);
		return -1;
	}
	d->counters.markets = d->markets->nmarkets;
	r = store_state_get(d->store, PUBLISH_STATE_KEY, &state, err,
	    sizeof(err));
	if (r < 0) {
		log_error("%s", err);
		return -1;
	}
	d->pipeline = publish_new_pipeline(&d->cfg, d->markets, state, err,
	    sizeof(err));
	free(state);
	if (d->pipeline == NULL) {
		log_error("%s", err);
		return -1;
	}
	since = d->cfg.dedup_window > 0 ? now - d->cfg.dedup_window : now;
	if (store_simhashes_since(d->store, since, publish_remember_cb, d, err,
	    sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	d->last_tick = publish_stored_tick(d);
	if (d->last_tick == PM_TIME_NONE) {
		/* A fresh database: open the markets that are due now. */
		tickclock_init(&d->clock, d->cfg.tick, now + 1);
		if (publish_begin(d) == -1 ||
		    pipeline_tick(d->pipeline, now, &d->batch) == -1)
			return -1;
		d->last_tick = now;
		if (publish_commit(d) == -1)
			return -1;
	} else
		tickclock_init(&d->clock, d->cfg.tick, d->last_tick + 1);
	log_info("store %s: session %s, last seq %" PRIu64 ", %zu markets",
	    store_path(d->store), store_session(d->store),
	    store_last_seq(d->store), d->markets->nmarkets);
	if ((d->ev_tick = evtimer_new(d->base, publish_tick_cb, d)) == NULL ||
	    (d->ev_prune = evtimer_new(d->base, publish_prune_cb, d)) == NULL) {
		log_error("cannot create timers");
		return -1;
	}
	publish_arm_tick(d);
	publish_prune_cb(-1, 0, d);
	return 0;
}

/* One line naming the markets that a reload added and removed. */
static void
publish_log_market_changes(const struct market_set *old,
    const struct market_set *new, const char *path)
{
	char	added[512] = "", removed[512] = "";
	size_t	nadded = 0, nremoved = 0, kept = 0;

	for (size_t i = 0; i < new->nmarkets; i++) {
		const char *id = new->markets[i].id;

		if (market_set_find(old, id) != NULL) {
			kept++;
			continue;
		}
		nadded++;
		publish_append_id(added, sizeof(added), id);
	}
	for (size_t i = 0; i < old->nmarkets; i++) {
		const char *id = old->markets[i].id;

		if (market_set_find(new, id) != NULL)
			continue;
		nremoved++;
		publish_append_id(removed, sizeof(removed), id);
	}
	log_info("markets %s: %zu kept, %zu added%s%s%s, %zu removed%s%s%s",
	    path, kept, nadded, nadded ? " (" : "", added, nadded ? ")" : "",
	    nremoved, nremoved ? " (" : "", removed, nremoved ? ")" : "");
}

/* A new model.tick: the clock goes on from the last tick at the new step. */
static void
publish_retick(struct daemon *d, int64_t step)
{
	if (step == d->clock.step)
		return;
	tickclock_init(&d->clock, step, d->last_tick != PM_TIME_NONE ?
	    d->last_tick + 1 : daemon_now() + 1);
	evtimer_del(d->ev_tick);
	publish_arm_tick(d);
}

/*
 * SIGHUP: load the market files again; swap only when they are valid.
 * Unchanged markets (same id) keep their state, new ones open at their
 * prior ("open" delta), and removed ones get a final "close" delta.  The
 * new pipeline takes cfg's model settings (the new config, not yet
 * swapped in).  Returns 0, or -1 with the reason in err and the running
 * markets kept.
 */
int
publish_reload_markets(struct daemon *d, const struct config *cfg,
    const char *path, char *err, size_t errsize)
{
	struct market_set	*markets;
	struct pipeline		*p;
	char			*state;
	int64_t			 now = daemon_now();

	if (market_set_load(path, &markets, err, errsize) == -1)
		return -1;
	if ((state = pipeline_export(d->pipeline)) == NULL) {
		snprintf(err, errsize, "out of memory exporting the state");
		market_set_free(markets);
		return -1;
	}
	p = publish_new_pipeline(cfg, markets, state, err, errsize);
	free(state);
	if (p == NULL) {
		market_set_free(markets);
		return -1;
	}
	publish_log_market_changes(d->markets, markets, path);
	pipeline_free(d->pipeline);
	market_set_free(d->markets);
	d->pipeline = p;
	d->markets = markets;
	d->counters.markets = markets->nmarkets;
	publish_retick(d, cfg->tick);
	/* Opens and closes now; a store failure is logged by the commit. */
	if (publish_begin(d) == -1)
		return 0;
	if (pipeline_tick(d->pipeline, now, &d->batch) == -1) {
		log_warnx("pipeline: out of memory opening and closing markets");
		publish_abort(d);
		return 0;
	}
	(void)publish_commit(d);
	return 0;
}

void
publish_teardown(struct daemon *d)
{
	publish_abort(d);
	if (d->ev_tick != NULL)
		event_free(d->ev_tick);
	if (d->ev_prune != NULL)
		event_free(d->ev_prune);
	d->ev_tick = d->ev_prune = NULL;
	delta_list_free(&d->batch);
	pipeline_free(d->pipeline);
	market_set_free(d->markets);
	store_close(d->store);
	d->pipeline = NULL;
	d->markets = NULL;
	d->store = NULL;
}
