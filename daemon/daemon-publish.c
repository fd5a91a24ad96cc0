/*
 * daemon-publish.c: the live pipeline.  Articles (from the poller) and
 * ticks (from a timer on the tick clock) go through the same pipeline the
 * backtest calls; the deltas they give are stored first and published to
 * subscribers only once the store has committed them.  One poll's new
 * articles, or one run of due ticks, make one batch (lib/batch.h): built
 * in memory, stored in one transaction.  A batch the store cannot take
 * goes to daemon-pending.c, which publishes it marked as not persisted.
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

#define PRUNE_INTERVAL		60	/* seconds between retention passes */

static void	publish_arm_tick(struct daemon *);

int64_t
daemon_now(void)
{
	return (int64_t)time(NULL);
}

/* The last seq published: stored, or held in memory after them. */
uint64_t
publish_last_seq(const struct daemon *d)
{
	return store_last_seq(d->store) + d->pending_deltas;
}

/*
 * Open a batch: the articles of one poll (or the due ticks) and the
 * deltas they give, gathered in memory and stored in one transaction by
 * publish_commit().
 */
int
publish_begin(struct daemon *d)
{
	if (d->open != NULL)
		return 0;
	if ((d->open = batch_new()) == NULL) {
		log_warnx("publish: out of memory");
		return -1;
	}
	return 0;
}

/* Forget the open batch: only for one that scored nothing. */
void
publish_abort(struct daemon *d)
{
	if (d->open != NULL)
		pending_release(d, d->open);
	batch_free(d->open);
	d->open = NULL;
}

/* Run every tick boundary that is due by now, in order. */
static int
publish_due_ticks(struct daemon *d, int64_t now)
{
	int64_t t;

	while (tickclock_due(&d->clock, now, &t)) {
		if (pipeline_tick(d->pipeline, t, &d->open->deltas) == -1) {
			log_warnx("pipeline: out of memory at tick");
			return -1;
		}
		d->last_tick = t;
	}
	return 0;
}

/*
 * Score one new article at time now into the open batch, which keeps a
 * copy of it (stored with its SimHash, so the near-duplicate window
 * survives a restart) and its identity until the store has it.
 */
int
publish_article(struct daemon *d, const struct article *a, int64_t now)
{
	struct pipeline_result	res;
	int			rc = 0;

	if (publish_due_ticks(d, now) == -1)
		return -1;
	if (batch_add_article(d->open, a) == -1) {
		log_warnx("publish: out of memory keeping %s", a->id);
		return -1;
	}
	pending_hold(d, batch_last(d->open));
	memset(&res, 0, sizeof(res));
	if (pipeline_article(d->pipeline, a, now, &d->open->deltas,
	    &res) == -1) {
		log_warnx("pipeline: out of memory scoring %s", a->id);
		rc = -1;
	}
	batch_scored(d->open, res.simhash);
	d->counters.articles++;
	if (res.status == PIPELINE_DUPLICATE) {
		d->counters.articles_duplicate++;
		log_debug("feed %s: article %s is a near-copy of %s (%d bits)",
		    a->source, a->id, res.dup_of, res.dup_distance);
	}
	return rc;
}

/* Show a batch's deltas (numbered, stored or not) to subscribers. */
void
publish_deltas(struct daemon *d, const struct batch *b)
{
	for (size_t i = 0; i < b->deltas.n; i++) {
		const struct delta *x = &b->deltas.v[i];

		if (d->server != NULL)
			server_publish(d->server, x);
		metrics_delta(&d->counters, x->seq, x->ts);
	}
}

/*
 * Seal the batch with the state that follows from it: the markets'
 * state (the SimHashes come back from the stored articles) and the tick.
 * 0, or 1 when there is nothing at all to store.
 */
static int
publish_seal(struct daemon *d, struct batch *b, int64_t now)
{
	char *state;

	if (batch_empty(b) && d->last_tick == d->saved_tick && !d->state_dirty)
		return 1;
	if ((state = pipeline_export_markets(d->pipeline)) == NULL)
		log_warnx("pipeline: out of memory exporting state; the "
		    "stored state stays behind until the next batch");
	batch_set_state(b, state, now, d->last_tick);
	d->saved_tick = d->last_tick;
	d->state_dirty = state == NULL;
	return 0;
}

/*
 * Close the batch: store it durably (seqs from the database), and only
 * then show its deltas to subscribers.  When the store cannot take it
 * (disk full, I/O error), or older batches still wait, it joins those in
 * memory: its deltas are numbered after them and published at once,
 * marked "persisted":false, and daemon-pending.c writes them in order
 * when the store can.  Returns 0; the daemon stops if the store's seqs
 * ever disagree with those published.
 */
int
publish_commit(struct daemon *d)
{
	struct batch	*b = d->open;
	char		 err[512];
	int		 rc;

	if (b == NULL)
		return 0;
	d->open = NULL;
	if (publish_seal(d, b, daemon_now()) == 1) {
		pending_release(d, b);
		batch_free(b);
		return 0;
	}
	if (d->pending != NULL)
		pending_flush(d);
	if (d->pending == NULL) {
		if ((rc = batch_write(b, d->store, err, sizeof(err))) ==
		    STORE_OK) {
			publish_deltas(d, b);
			pending_release(d, b);
			batch_free(b);
			return 0;
		}
		pending_failed(d, rc, err);
	}
	batch_number(b, publish_last_seq(d) + 1);
	for (size_t i = 0; i < b->deltas.n; i++)
		b->deltas.v[i].unpersisted = 1;
	publish_deltas(d, b);
	pending_push(d, b);
	return 0;
}

/*
 * The tick timer: run the due ticks as one batch, then re-arm.  While the
 * daemon holds all the unstored data it may (d->paused), ticks wait: the
 * tick clock catches them up, in order, once the store takes it.
 */
static void
publish_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	int64_t		 now = daemon_now();

	(void)fd;
	(void)what;
	if (!d->paused && publish_begin(d) == 0) {
		(void)publish_due_ticks(d, now);
		publish_commit(d);
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
 * Retention: prune in bounded steps (PUBLISH_PRUNE_ROWS rows, a few
 * milliseconds each), PUBLISH_PRUNE_PAUSE_MS apart while there is more:
 * polling and subscribers run in between, and the store's checkpoint
 * thread gets the pause it needs to start the WAL over.
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
	if (d->pending != NULL)
		n = 0;		/* the store is failing: not now */
	else
		n = store_prune(d->store, daemon_now(),
		    d->cfg.article_retention_days, d->cfg.delta_retention_days,
		    PUBLISH_PRUNE_ROWS, err, sizeof(err));
	if (n < 0)
		log_warnx("store: retention: %s", err);
	if (n == PUBLISH_PRUNE_ROWS) {
		tv.tv_sec = 0;
		tv.tv_usec = PUBLISH_PRUNE_PAUSE_MS * 1000;
	}
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

	if (store_meta_get(d->store, BATCH_TICK_KEY, &v, err,
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

	d->last_tick = d->saved_tick = PM_TIME_NONE;
	/*
	 * STORE_CHECK reads every page (PRAGMA quick_check): a damaged file
	 * is refused now with a clear message, not met later in a write.
	 */
	if (store_open(d->database_path, STORE_CHECK, &d->store, err,
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
	r = store_state_get(d->store, BATCH_STATE_KEY, &state, err,
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
	if (pending_setup(d) == -1)
		return -1;
	d->last_tick = d->saved_tick = publish_stored_tick(d);
	if (d->last_tick == PM_TIME_NONE) {
		/* A fresh database: open the markets that are due now. */
		tickclock_init(&d->clock, d->cfg.tick, now + 1);
		if (publish_begin(d) == -1 ||
		    pipeline_tick(d->pipeline, now, &d->open->deltas) == -1)
			return -1;
		d->last_tick = now;
		publish_commit(d);
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
	/* Opens and closes now, in one batch like any other. */
	d->state_dirty = 1;
	if (publish_begin(d) == -1)
		return 0;
	if (pipeline_tick(d->pipeline, now, &d->open->deltas) == -1)
		log_warnx("pipeline: out of memory opening and closing markets");
	(void)publish_commit(d);
	return 0;
}

/* Store what is still held in memory if the store takes it, and close. */
void
publish_teardown(struct daemon *d)
{
	publish_abort(d);
	if (d->ev_tick != NULL)
		event_free(d->ev_tick);
	if (d->ev_prune != NULL)
		event_free(d->ev_prune);
	d->ev_tick = d->ev_prune = NULL;
	pending_teardown(d);
	pipeline_free(d->pipeline);
	market_set_free(d->markets);
	store_close(d->store);
	d->pipeline = NULL;
	d->markets = NULL;
	d->store = NULL;
}
