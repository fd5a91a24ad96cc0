/*
 * poller.c: the feed poller's schedule.  Each feed has a timer for its next
 * poll; when it fires the feed queues on its host, and hosts with queued
 * feeds and a free connection take turns (round robin) at the global
 * max_parallel slots.  A finished poll records the outcome, backs off on
 * failure, blocks the host on Retry-After, re-arms the timer and reports
 * the new state.  poller-fetch.c runs the transfers, poller-loop.c ties
 * curl to the loop, poller-policy.c holds the arithmetic.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "log.h"
#include "poller-int.h"
#include "version.h"

static void	poller_host_update_ready(struct poller *, struct poller_host *);

int64_t
poller_now_wall(void)
{
	return (int64_t)time(NULL);
}

void
poller_opts_default(struct poller_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->time_unit_ms = 1000;
	opts->low_speed_limit = 256;
	opts->low_speed_time = 15;
}

/* Scheduling seconds to real milliseconds. */
static int64_t
poller_units_ms(const struct poller *p, int64_t units)
{
	return units * (int64_t)p->opts.time_unit_ms;
}

/* Run poller_dispatch() on the next loop turn, outside any caller. */
static void
poller_kick(struct poller *p)
{
	if (p->ev_kick != NULL)
		event_active(p->ev_kick, EV_TIMEOUT, 0);
}

static void
poller_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	poller_dispatch(arg);
}

/*
 * A copy of a validator (ETag or Last-Modified) fit to send back in a
 * header, or NULL: empty, too long or with control characters.
 */
static char *
poller_validator_dup(const char *v)
{
	size_t n;

	if (v == NULL || (n = strlen(v)) == 0 || n > POLLER_VALIDATOR_MAX)
		return NULL;
	for (const char *c = v; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return NULL;
	return strdup(v);
}

/* Replace *slot by a copy of v (NULL clears; v may be *slot itself). */
static void
poller_validator_set(char **slot, const char *v)
{
	char *copy = poller_validator_dup(v);

	free(*slot);
	*slot = copy;
}

/* ---- hosts ---- */

static void
poller_host_unblock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct poller_host	*h = arg;
	struct poller_feed	*f;
	int64_t			 now = monotime_ms();

	(void)fd;
	(void)what;
	h->not_before = 0;
	h->retry_until = PM_TIME_NONE;
	/* Time spent blocked by the server is not lateness. */
	TAILQ_FOREACH(f, &h->waiting, wait_link)
		if (f->due < now)
			f->due = now;
	poller_host_update_ready(h->p, h);
	poller_dispatch(h->p);
}

/* The host for key, created on first use; counts one more feed on it. */
static struct poller_host *
poller_host_get(struct poller *p, const char *key)
{
	struct poller_host *h;

	TAILQ_FOREACH(h, &p->hosts, link) {
		if (strcmp(h->key, key) == 0) {
			h->nfeeds++;
			return h;
		}
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->key = strdup(key)) == NULL ||
	    (h->ev_unblock = evtimer_new(p->base, poller_host_unblock_cb,
	    h)) == NULL) {
		free(h->key);
		free(h);
		return NULL;
	}
	h->p = p;
	h->nfeeds = 1;
	h->retry_until = PM_TIME_NONE;
	TAILQ_INIT(&h->waiting);
	TAILQ_INSERT_TAIL(&p->hosts, h, link);
	return h;
}

/* One feed fewer on h; free it when nothing refers to it any more. */
static void
poller_host_unref(struct poller *p, struct poller_host *h)
{
	if (--h->nfeeds > 0 || h->active > 0)
		return;
	if (h->on_ready)
		TAILQ_REMOVE(&p->ready, h, ready_link);
	TAILQ_REMOVE(&p->hosts, h, link);
	event_free(h->ev_unblock);
	free(h->key);
	free(h);
}

/*
 * Keep h on the ready list exactly when it has a queued feed, a free
 * connection and no Retry-After block.
 */
static void
poller_host_update_ready(struct poller *p, struct poller_host *h)
{
	int eligible;

	eligible = !p->stopped && !TAILQ_EMPTY(&h->waiting) &&
	    h->active < p->lim.per_host && h->not_before == 0;
	if (eligible && !h->on_ready) {
		TAILQ_INSERT_TAIL(&p->ready, h, ready_link);
		h->on_ready = 1;
	} else if (!eligible && h->on_ready) {
		TAILQ_REMOVE(&p->ready, h, ready_link);
		h->on_ready = 0;
	}
}

/* The server asked (Retry-After) not to hear from h for delay_ms. */
static void
poller_host_block(struct poller *p, struct poller_host *h, int64_t delay_ms)
{
	int64_t		until = monotime_ms() + delay_ms;
	struct timeval	tv = monotime_timeval(delay_ms);

	if (until <= h->not_before)
		return;
	h->not_before = until;
	h->retry_until = poller_now_wall() + (delay_ms + 999) / 1000;
	if (evtimer_add(h->ev_unblock, &tv) == -1)
		log_warnx("poller: cannot arm the Retry-After timer of %s",
		    h->key);
	poller_host_update_ready(p, h);
}

/* ---- feeds ---- */

/* Arm f's timer for its next poll in delay_ms. */
static void
poller_feed_schedule(struct poller *p, struct poller_feed *f,
    int64_t delay_ms)
{
	struct timeval tv;

	if (delay_ms < 0)
		delay_ms = 0;
	f->phase = POLLER_IDLE;
	f->due = monotime_ms() + delay_ms;
	f->next_poll = poller_now_wall() + (delay_ms + 999) / 1000;
	if (p->stopped)
		return;
	tv = monotime_timeval(delay_ms);
	if (evtimer_add(f->ev_due, &tv) == -1)
		log_warnx("poller: feed %s: cannot arm its timer", f->name);
}

/* A first poll at a random point within min(interval, 60 s). */
static int64_t
poller_feed_spread_ms(struct poller *p, const struct poller_feed *f)
{
	int64_t window = f->interval < POLLER_SPREAD_MAX ? f->interval :
	    POLLER_SPREAD_MAX;

	return (int64_t)(poller_rng_unit(&p->rng) *
	    (double)poller_units_ms(p, window));
}

/* f's timer fired: queue it on its host and start what can start. */
static void
poller_feed_due_cb(evutil_socket_t fd, short what, void *arg)
{
	struct poller_feed *f = arg;

	(void)fd;
	(void)what;
	f->phase = POLLER_WAITING;
	TAILQ_INSERT_TAIL(&f->host->waiting, f, wait_link);
	poller_host_update_ready(f->p, f->host);
	poller_dispatch(f->p);
}

static struct poller_feed *
poller_feed_new(struct poller *p, const struct config_feed *cf)
{
	struct poller_feed	*f;
	char			 key[1024];

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->p = p;
	f->interval = cf->interval;
	f->entries_seen = -1;
	f->last_attempt = f->last_success = f->last_failure = PM_TIME_NONE;
	f->next_poll = PM_TIME_NONE;
	/* A URL curl cannot parse still gets polled, and fails loudly. */
	if (poller_host_key(cf->url, key, sizeof(key)) == -1)
		snprintf(key, sizeof(key), "unparsed:%s", cf->url);
	if ((f->name = strdup(cf->name)) == NULL ||
	    (f->url = strdup(cf->url)) == NULL ||
	    (f->ev_due = evtimer_new(p->base, poller_feed_due_cb, f)) == NULL ||
	    (f->host = poller_host_get(p, key)) == NULL) {
		if (f->ev_due != NULL)
			event_free(f->ev_due);
		free(f->name);
		free(f->url);
		free(f);
		return NULL;
	}
	return f;
}

static void
poller_feed_free(struct poller *p, struct poller_feed *f)
{
	struct poller_host *h = f->host;

	event_free(f->ev_due);
	free(f->name);
	free(f->url);
	free(f->etag);
	free(f->last_modified);
	free(f);
	poller_host_unref(p, h);
}

/* Set f's consecutive failures, keeping the count of failing feeds. */
static void
poller_feed_set_failures(struct poller *p, struct poller_feed *f,
    uint32_t n)
{
	if (n > 0 && f->consecutive_failures == 0)
		p->nfailing++;
	else if (n == 0 && f->consecutive_failures > 0)
		p->nfailing--;
	f->consecutive_failures = n;
}

/* Drop f from the schedule; a transfer in flight is discarded when done. */
static void
poller_feed_remove(struct poller *p, struct poller_feed *f)
{
	poller_feed_set_failures(p, f, 0);
	evtimer_del(f->ev_due);
	switch (f->phase) {
	case POLLER_ACTIVE:
		f->removed = 1;
		TAILQ_INSERT_TAIL(&p->orphans, f, orphan_link);
		return;
	case POLLER_WAITING:
		TAILQ_REMOVE(&f->host->waiting, f, wait_link);
		poller_host_update_ready(p, f->host);
		break;
	case POLLER_IDLE:
		break;
	}
	poller_feed_free(p, f);
}

/* Describe f as the public state struct (pointers into f). */
static void
poller_feed_fill(const struct poller_feed *f, struct poller_feed_state *st)
{
	memset(st, 0, sizeof(*st));
	st->name = f->name;
	st->url = f->url;
	st->etag = f->etag;
	st->last_modified = f->last_modified;
	st->next_poll = f->next_poll;
	st->retry_until = f->host->retry_until;
	st->last_attempt = f->last_attempt;
	st->last_success = f->last_success;
	st->last_failure = f->last_failure;
	st->last_error = f->last_error[0] != '\0' ? f->last_error : NULL;
	st->consecutive_failures = f->consecutive_failures;
	st->entries_seen = f->entries_seen;
	st->polls = f->polls;
	st->failures = f->failures;
	st->not_modified = f->not_modified;
	st->worst_lateness_ms = f->worst_lateness_ms;
	st->in_flight = f->phase == POLLER_ACTIVE;
	st->last_poll = f->last_poll;
	st->last_error_kind = f->last_error_kind;
}

static void
poller_feed_notify(struct poller *p, const struct poller_feed *f)
{
	struct poller_feed_state st;

	if (p->handler.on_state == NULL)
		return;
	poller_feed_fill(f, &st);
	p->handler.on_state(p->arg, &st);
}

/* Update f's validators and health from one poll's outcome. */
static void
poller_feed_account(struct poller_feed *f, const struct poller_outcome *o)
{
	int64_t now = poller_now_wall();

	f->polls++;
	f->last_attempt = now;
	switch (o->result) {
	case POLLER_OK:
		poller_validator_set(&f->etag, o->etag);
		poller_validator_set(&f->last_modified, o->last_modified);
		f->entries_seen = o->entries;
		f->last_poll = POLLER_POLL_OK;
		break;
	case POLLER_NOT_MODIFIED:
		f->not_modified++;
		f->last_poll = POLLER_POLL_NOT_MODIFIED;
		if (o->etag != NULL)
			poller_validator_set(&f->etag, o->etag);
		if (o->last_modified != NULL)
			poller_validator_set(&f->last_modified,
			    o->last_modified);
		break;
	case POLLER_FAILED:
		f->failures++;
		poller_feed_set_failures(f->p, f, f->consecutive_failures + 1);
		f->last_failure = now;
		snprintf(f->last_error, sizeof(f->last_error), "%s", o->reason);
		f->last_poll = o->refused ? POLLER_POLL_REFUSED :
		    POLLER_POLL_FAILED;
		f->last_error_kind = o->kind;
		return;
	}
	poller_feed_set_failures(f->p, f, 0);
	f->last_success = now;
}

/* One line per poll: a warning naming feed, URL and reason on failure. */
static void
poller_feed_log(const struct poller_feed *f, const struct poller_outcome *o,
    int64_t delay_ms)
{
	if (o->result != POLLER_FAILED) {
		log_debug("poller: feed %s: %s", f->name,
		    o->result == POLLER_OK ? "fetched and parsed" :
		    "not modified");
		return;
	}
	log_warnx("poller: feed %s (%s): %s; %u consecutive failure%s, "
	    "next poll in %.*f s", f->name, f->url, o->reason,
	    f->consecutive_failures, f->consecutive_failures == 1 ? "" : "s",
	    delay_ms < 10000 ? 1 : 0, (double)delay_ms / 1000);
}

/*
 * Record one poll of f and schedule the next: the interval after a
 * success, backoff after a failure, and never before a Retry-After (which
 * also blocks the whole host).  Each failure is one log line naming the
 * feed, its URL and the reason.
 */
static void
poller_feed_record(struct poller *p, struct poller_feed *f,
    const struct poller_outcome *o)
{
	int64_t units, delay_ms, retry_ms;

	poller_feed_account(f, o);
	units = o->result == POLLER_FAILED ?
	    poller_backoff(f->interval, f->consecutive_failures) : f->interval;
	delay_ms = poller_jitter(&p->rng, poller_units_ms(p, units),
	    POLLER_JITTER);
	if (o->retry_after >= 0) {
		retry_ms = poller_units_ms(p, o->retry_after);
		poller_host_block(p, f->host, retry_ms);
		if (delay_ms < retry_ms)
			delay_ms = retry_ms;
	}
	poller_feed_schedule(p, f, delay_ms);
	poller_feed_log(f, o, delay_ms);
	poller_feed_notify(p, f);
}

/* Start polling f now; a transfer that cannot even start is a failure. */
static void
poller_feed_start(struct poller *p, struct poller_feed *f)
{
	struct poller_outcome	o;
	int64_t			late = monotime_ms() - f->due;

	if (late > f->worst_lateness_ms)
		f->worst_lateness_ms = late;
	memset(&o, 0, sizeof(o));
	if (poller_fetch_start(p, f, o.reason, sizeof(o.reason)) == 0) {
		f->phase = POLLER_ACTIVE;
		p->active++;
		f->host->active++;
		return;
	}
	o.result = POLLER_FAILED;
	o.kind = METRICS_POLL_OTHER;
	o.retry_after = -1;
	poller_feed_record(p, f, &o);
}

/* Draining: the last transfer out ends the drain on the next loop turn. */
static void
poller_drain_check(struct poller *p)
{
	struct timeval now = { 0, 0 };

	if (p->draining && TAILQ_EMPTY(&p->xfers) && p->ev_drain != NULL &&
	    evtimer_add(p->ev_drain, &now) == -1)
		log_warnx("poller: cannot arm the drain timer");
}

/*
 * f's transfer is over: o is its outcome, or NULL when it was aborted or
 * its feed was removed meanwhile (nothing recorded then).
 */
void
poller_feed_finish(struct poller *p, struct poller_feed *f,
    const struct poller_outcome *o)
{
	struct poller_host *h = f->host;

	f->phase = POLLER_IDLE;
	p->active--;
	h->active--;
	if (f->removed) {
		TAILQ_REMOVE(&p->orphans, f, orphan_link);
		poller_feed_free(p, f);
		poller_drain_check(p);
		return;
	}
	if (o != NULL && (!p->stopped || p->draining))
		poller_feed_record(p, f, o);
	poller_host_update_ready(p, h);
	poller_kick(p);
	poller_drain_check(p);
}

/* Start queued feeds, hosts taking turns, up to max_parallel at once. */
void
poller_dispatch(struct poller *p)
{
	struct poller_host *h;
	struct poller_feed *f;

	while (!p->stopped && !p->paused && p->active < p->lim.max_parallel &&
	    (h = TAILQ_FIRST(&p->ready)) != NULL) {
		TAILQ_REMOVE(&p->ready, h, ready_link);
		h->on_ready = 0;
		f = TAILQ_FIRST(&h->waiting);
		TAILQ_REMOVE(&h->waiting, f, wait_link);
		poller_feed_start(p, f);
		poller_host_update_ready(p, h);
	}
}

/*
 * Start no new transfers while paused (due feeds wait on their hosts, in
 * order); on resume, start what is due.  Transfers running go on.
 */
void
poller_pause(struct poller *p, int on)
{
	p->paused = on != 0;
	if (!p->paused)
		poller_kick(p);
}

/* ---- configuration ---- */

static void
poller_limits_free(struct poller_limits *lim)
{
	free(lim->user_agent);
	lim->user_agent = NULL;
}

static int
poller_limits_from(const struct config *cfg, struct poller_limits *lim)
{
	char ua[512];

	if (cfg->user_agent != NULL)
		snprintf(ua, sizeof(ua), "%s", cfg->user_agent);
	else
		snprintf(ua, sizeof(ua), "pmsignald/%s (+%s)", PM_VERSION,
		    PM_URL);
	if ((lim->user_agent = strdup(ua)) == NULL)
		return -1;
	lim->connect_timeout = cfg->connect_timeout;
	lim->timeout = cfg->timeout;
	lim->max_body = cfg->max_body;
	lim->per_host = (unsigned)cfg->per_host_connections;
	lim->max_parallel = (unsigned)cfg->max_parallel;
	return 0;
}

static int
poller_feed_cmp(const void *a, const void *b)
{
	const struct poller_feed *fa = *(struct poller_feed *const *)a;
	const struct poller_feed *fb = *(struct poller_feed *const *)b;

	return strcmp(fa->name, fb->name);
}

/* The feed named name in sorted[0..n-1], or NULL. */
static struct poller_feed *
poller_feed_find(struct poller_feed **sorted, size_t n, const char *name)
{
	struct poller_feed	 key, *kp = &key, **found;

	key.name = (char *)name;
	found = bsearch(&kp, sorted, n, sizeof(struct poller_feed *),
	    poller_feed_cmp);
	return found != NULL ? *found : NULL;
}

/* The kept feed f got a new interval: pull its next poll in if needed. */
static void
poller_feed_retime(struct poller *p, struct poller_feed *f, int64_t interval)
{
	int64_t max_ms;

	if (f->interval == interval)
		return;
	f->interval = interval;
	max_ms = poller_units_ms(p, interval) * (1.0 + POLLER_JITTER);
	if (f->phase == POLLER_IDLE && f->due - monotime_ms() > max_ms) {
		evtimer_del(f->ev_due);
		poller_feed_schedule(p, f, poller_jitter(&p->rng,
		    poller_units_ms(p, interval), POLLER_JITTER));
	}
}

/*
 * Build the new feed list for cfg in nf[]: unchanged feeds (same name and
 * URL) are taken over and marked, the others allocated.  On failure the
 * new allocations are undone and -1 returned; nothing else has changed.
 */
static int
poller_feeds_build(struct poller *p, const struct config *cfg,
    struct poller_feed **sorted, struct poller_feed **nf)
{
	struct poller_feed *old;

	for (size_t i = 0; i < cfg->nfeeds; i++) {
		old = poller_feed_find(sorted, p->nfeeds, cfg->feeds[i].name);
		if (old != NULL && strcmp(old->url, cfg->feeds[i].url) == 0) {
			old->kept = 1;
			nf[i] = old;
		} else if ((nf[i] = poller_feed_new(p, &cfg->feeds[i])) ==
		    NULL) {
			while (i-- > 0)
				if (!nf[i]->kept)
					poller_feed_free(p, nf[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * Switch to the feed list nf[0..n-1] built for cfg and the limits lim:
 * drop the feeds not taken over, retime the kept ones, schedule the new.
 */
static void
poller_feeds_apply(struct poller *p, const struct config *cfg,
    struct poller_feed **nf, struct poller_limits *lim)
{
	struct poller_host *h;

	poller_limits_free(&p->lim);
	p->lim = *lim;
	if (curl_multi_setopt(p->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)lim->per_host) != CURLM_OK)
		log_warnx("poller: cannot set curl's per-host connection cap");
	for (size_t i = 0; i < p->nfeeds; i++)
		if (!p->feeds[i]->kept)
			poller_feed_remove(p, p->feeds[i]);
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		if (nf[i]->kept)
			poller_feed_retime(p, nf[i], cfg->feeds[i].interval);
		else
			poller_feed_schedule(p, nf[i],
			    poller_feed_spread_ms(p, nf[i]));
	}
	free(p->feeds);
	p->feeds = nf;
	p->nfeeds = cfg->nfeeds;
	TAILQ_FOREACH(h, &p->hosts, link)
		poller_host_update_ready(p, h);
	poller_kick(p);
}

int
poller_reconfigure(struct poller *p, const struct config *cfg)
{
	struct poller_limits	  lim;
	struct poller_feed	**sorted = NULL, **nf = NULL;
	size_t			  n = cfg->nfeeds;

	memset(&lim, 0, sizeof(lim));
	if (poller_limits_from(cfg, &lim) == -1 ||
	    (nf = calloc(n > 0 ? n : 1, sizeof(struct poller_feed *))) ==
	    NULL || (sorted = calloc(p->nfeeds > 0 ? p->nfeeds : 1,
	    sizeof(struct poller_feed *))) == NULL)
		goto fail;
	for (size_t i = 0; i < p->nfeeds; i++) {
		p->feeds[i]->kept = 0;
		sorted[i] = p->feeds[i];
	}
	qsort(sorted, p->nfeeds, sizeof(struct poller_feed *),
	    poller_feed_cmp);
	if (poller_feeds_build(p, cfg, sorted, nf) == -1)
		goto fail;
	poller_feeds_apply(p, cfg, nf, &lim);
	free(sorted);
	return 0;
fail:
	log_warnx("poller: out of memory applying the config");
	poller_limits_free(&lim);
	free(nf);
	free(sorted);
	return -1;
}

/* ---- life cycle ---- */

struct poller *
poller_new(struct event_base *base, const struct config *cfg,
    const struct poller_handler *handler, void *arg)
{
	struct poller_opts opts;

	poller_opts_default(&opts);
	return poller_new_opts(base, cfg, handler, arg, &opts);
}

struct poller *
poller_new_opts(struct event_base *base, const struct config *cfg,
    const struct poller_handler *handler, void *arg,
    const struct poller_opts *opts)
{
	struct poller *p;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("poller: curl_global_init failed");
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_warnx("poller: out of memory");
		curl_global_cleanup();
		return NULL;
	}
	p->base = base;
	p->handler = *handler;
	p->arg = arg;
	p->opts = *opts;
	if (p->opts.time_unit_ms == 0)
		p->opts.time_unit_ms = 1000;
	p->rng = opts->seed != 0 ? opts->seed : (uint64_t)monotime_ms() ^
	    ((uint64_t)time(NULL) << 20) ^ ((uint64_t)getpid() << 40);
	TAILQ_INIT(&p->hosts);
	TAILQ_INIT(&p->ready);
	TAILQ_INIT(&p->xfers);
	TAILQ_INIT(&p->orphans);
	if ((p->ev_kick = event_new(base, -1, 0, poller_kick_cb, p)) == NULL ||
	    poller_loop_init(p) == -1 || poller_reconfigure(p, cfg) == -1) {
		poller_free(p);
		return NULL;
	}
	return p;
}

/* Saved validators (if for this URL) and health back into f. */
static void
poller_feed_restore(struct poller_feed *f, const struct poller_feed_state *st)
{
	if (st->url == NULL || strcmp(st->url, f->url) == 0) {
		poller_validator_set(&f->etag, st->etag);
		poller_validator_set(&f->last_modified, st->last_modified);
	}
	f->last_attempt = st->last_attempt;
	f->last_success = st->last_success;
	f->last_failure = st->last_failure;
	if (st->last_error != f->last_error)	/* not our own status */
		snprintf(f->last_error, sizeof(f->last_error), "%s",
		    st->last_error != NULL ? st->last_error : "");
	poller_feed_set_failures(f->p, f, st->consecutive_failures);
	f->entries_seen = st->entries_seen;
}

/*
 * Re-arm idle f for a saved next poll: spread if overdue, at most
 * max(24 h, interval + 10%) ahead.  Saved times are seconds, counted in
 * scheduling units like every other delay.
 */
static void
poller_feed_reschedule(struct poller *p, struct poller_feed *f,
    int64_t next_poll, int64_t now)
{
	int64_t d = next_poll - now, cap;

	if (f->phase != POLLER_IDLE || next_poll == PM_TIME_NONE)
		return;
	evtimer_del(f->ev_due);
	if (d <= 0) {
		poller_feed_schedule(p, f, poller_feed_spread_ms(p, f));
		return;
	}
	cap = f->interval + f->interval / 10;
	if (cap < POLLER_RETRY_MAX)
		cap = POLLER_RETRY_MAX;
	poller_feed_schedule(p, f, poller_units_ms(p, d < cap ? d : cap));
}

int
poller_set_state(struct poller *p, const struct poller_feed_state *st)
{
	struct poller_feed	*f = NULL;
	int64_t			 now = poller_now_wall(), d;

	for (size_t i = 0; i < p->nfeeds && f == NULL; i++)
		if (strcmp(p->feeds[i]->name, st->name) == 0)
			f = p->feeds[i];
	if (f == NULL)
		return -1;
	poller_feed_restore(f, st);
	if (st->retry_until != PM_TIME_NONE && st->retry_until > now) {
		d = st->retry_until - now;
		poller_host_block(p, f->host, poller_units_ms(p,
		    d < POLLER_RETRY_MAX ? d : POLLER_RETRY_MAX));
	}
	poller_feed_reschedule(p, f, st->next_poll, now);
	return 0;
}

/* Start nothing more: no queued feed, no due timer. */
static void
poller_unschedule(struct poller *p)
{
	struct poller_host	*h;
	struct poller_feed	*f;

	p->stopped = 1;
	TAILQ_FOREACH(h, &p->hosts, link) {
		while ((f = TAILQ_FIRST(&h->waiting)) != NULL) {
			TAILQ_REMOVE(&h->waiting, f, wait_link);
			f->phase = POLLER_IDLE;
		}
		evtimer_del(h->ev_unblock);
		poller_host_update_ready(p, h);
	}
	for (size_t i = 0; i < p->nfeeds; i++)
		evtimer_del(p->feeds[i]->ev_due);
}

/* The drain is over (nothing in flight now): tell whoever asked, once. */
static void
poller_drain_end(struct poller *p)
{
	void	(*done)(void *) = p->drain_done;

	p->draining = 0;
	p->drain_done = NULL;
	if (p->ev_drain != NULL)
		evtimer_del(p->ev_drain);
	if (done != NULL)
		done(p->drain_arg);
}

void
poller_stop(struct poller *p)
{
	poller_unschedule(p);
	while (!TAILQ_EMPTY(&p->xfers))
		poller_fetch_abort(p, TAILQ_FIRST(&p->xfers));
	if (p->draining)
		poller_drain_end(p);
}

/*
 * The drain timer: armed for the time limit, and re-armed for "now" by
 * poller_feed_finish() when the last transfer is over.  Whatever is still
 * in flight is abandoned; its feed is polled again after the restart.
 */
static void
poller_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct poller		*p = arg;
	struct poller_xfer	*x;
	unsigned		 n = 0;

	(void)fd;
	(void)what;
	TAILQ_FOREACH(x, &p->xfers, link) {
		log_warnx("poller: feed %s: still in flight at the stop "
		    "deadline: abandoned (%s)", x->feed->name, x->feed->url);
		n++;
	}
	if (n > 0)
		log_warnx("poller: %u transfer(s) abandoned", n);
	poller_stop(p);
}

void
poller_drain(struct poller *p, int64_t limit_ms, void (*done)(void *),
    void *arg)
{
	struct timeval tv = { 0, 0 };

	poller_unschedule(p);
	p->draining = 1;
	p->drain_done = done;
	p->drain_arg = arg;
	if (!TAILQ_EMPTY(&p->xfers)) {
		log_info("poller: stopping: %u transfer(s) in flight, "
		    "waiting up to %" PRId64 " ms", p->active, limit_ms);
		tv = monotime_timeval(limit_ms);
	}
	if (p->ev_drain == NULL &&
	    (p->ev_drain = evtimer_new(p->base, poller_drain_cb, p)) == NULL) {
		log_warnx("poller: cannot create the drain timer: not "
		    "waiting for transfers in flight");
		poller_stop(p);
		return;
	}
	if (evtimer_add(p->ev_drain, &tv) == -1) {
		log_warnx("poller: cannot arm the drain timer: not waiting "
		    "for transfers in flight");
		poller_stop(p);
	}
}

size_t
poller_status(struct poller *p, struct poller_feed_state *out, size_t max)
{
	for (size_t i = 0; i < p->nfeeds && i < max; i++)
		poller_feed_fill(p->feeds[i], &out[i]);
	return p->nfeeds;
}

size_t
poller_nfailing(const struct poller *p)
{
	return p->nfailing;
}

void
poller_free(struct poller *p)
{
	if (p == NULL)
		return;
	p->drain_done = NULL;	/* freeing is no stop to report */
	poller_stop(p);
	for (size_t i = 0; i < p->nfeeds; i++)
		poller_feed_free(p, p->feeds[i]);
	free(p->feeds);
	poller_loop_free(p);
	if (p->ev_kick != NULL)
		event_free(p->ev_kick);
	if (p->ev_drain != NULL)
		event_free(p->ev_drain);
	poller_limits_free(&p->lim);
	free(p);
	curl_global_cleanup();
}
