/*
 * daemon-source.c: what the subscriber server reads.  Stored deltas come
 * from the store (so a resume with "since" works across restarts), market
 * state from the pipeline, status from the poller, server and counters.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "daemon.h"
#include "date.h"
#include "jsonv.h"
#include "log.h"
#include "poller.h"
#include "server.h"
#include "store.h"
#include "version.h"

static uint64_t
source_seq(void *arg)
{
	struct daemon *d = arg;

	return publish_last_seq(d);
}

struct source_replay {
	int	(*emit)(void *, const struct delta *, const char *);
	void	*ctx;
	int	 stopped;
};

static int
source_replay_one(void *arg, const struct delta *x, const char *session)
{
	struct source_replay *r = arg;

	if (r->emit(r->ctx, x, session) == -1) {
		r->stopped = 1;
		return 1;
	}
	return 0;
}

/*
 * Deltas after since: stored ones, then those held in memory while the
 * store cannot take them (daemon-pending.c); GONE when retention took the
 * next one.
 */
static int
source_replay(void *arg, uint64_t since, size_t max,
    int (*emit)(void *, const struct delta *, const char *), void *ctx)
{
	struct daemon		*d = arg;
	struct source_replay	 r = { emit, ctx, 0 };
	char			 err[512];
	int			 n = 0;

	if (since + 1 < store_first_seq(d->store))
		return SERVER_REPLAY_GONE;
	if (since < store_last_seq(d->store)) {
		n = store_deltas_since(d->store, since, max, source_replay_one,
		    &r, err, sizeof(err));
		if (n < 0) {
			log_warnx("replay: %s", err);
			return SERVER_REPLAY_ERROR;
		}
	}
	if (!r.stopped && (size_t)n < max && d->pending != NULL)
		n += pending_replay(d, since, max - (size_t)n,
		    source_replay_one, &r);
	/* A stop by emit counts the delta it refused: leave it out. */
	return r.stopped && n > 0 ? n - 1 : n;
}

/* Every market's last published value: the state its deltas chain to. */
static int
source_snapshot(void *arg, int (*emit)(void *, const struct proto_market *),
    void *ctx, uint64_t *as_of_seq)
{
	struct daemon		*d = arg;
	struct pipeline_market	 pm;
	struct proto_market	 m;
	int64_t			 now = daemon_now();

	*as_of_seq = publish_last_seq(d);
	for (size_t i = 0; i < pipeline_nmarkets(d->pipeline); i++) {
		pipeline_market_get(d->pipeline, i, now, &pm);
		m.id = pm.market->id;
		m.question = pm.market->question;
		m.p = pm.published;
		m.updated = pm.published_at;
		if (emit(ctx, &m) == -1)
			return -1;
	}
	return 0;
}

static const char *const source_status_names[] = { "pending", "open", "closed" };

static cJSON *
source_market_json(const struct pipeline_market *pm)
{
	const struct market	*m = pm->market;
	cJSON			*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "id", m->id) == NULL ||
	    cJSON_AddStringToObject(o, "question", m->question) == NULL ||
	    cJSON_AddStringToObject(o, "kind", m->kind == MARKET_DEADLINE ?
	    "deadline" : "binary") == NULL ||
	    jsonv_add_time(o, "opens", m->opens) == -1 ||
	    jsonv_add_time(o, "deadline", m->deadline) == -1 ||
	    cJSON_AddNumberToObject(o, "prior", m->prior) == NULL ||
	    cJSON_AddStringToObject(o, "status",
	    source_status_names[pm->status]) == NULL ||
	    cJSON_AddNumberToObject(o, "p", delta_round(pm->published)) == NULL ||
	    jsonv_add_time(o, "updated", pm->published_at) == -1 ||
	    cJSON_AddNumberToObject(o, "rules", (double)m->nrules) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *
source_markets(void *arg)
{
	struct daemon		*d = arg;
	struct pipeline_market	 pm;
	cJSON			*arr, *o;
	int64_t			 now = daemon_now();

	if ((arr = cJSON_CreateArray()) == NULL)
		return NULL;
	for (size_t i = 0; i < pipeline_nmarkets(d->pipeline); i++) {
		pipeline_market_get(d->pipeline, i, now, &pm);
		if ((o = source_market_json(&pm)) == NULL ||
		    !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

/* One feed's health, as `pmsignalctl status` shows it. */
static cJSON *
source_feed_json(const struct poller_feed_state *st)
{
	cJSON *o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "name", st->name) == NULL ||
	    cJSON_AddStringToObject(o, "url", st->url) == NULL ||
	    cJSON_AddStringToObject(o, "health", st->consecutive_failures ?
	    "failing" : st->last_success == PM_TIME_NONE ? "new" : "ok") == NULL ||
	    jsonv_add_time(o, "last_success", st->last_success) == -1 ||
	    jsonv_add_time(o, "last_failure", st->last_failure) == -1 ||
	    (st->last_error != NULL ? cJSON_AddStringToObject(o, "last_error",
	    st->last_error) : cJSON_AddNullToObject(o, "last_error")) == NULL ||
	    cJSON_AddNumberToObject(o, "consecutive_failures",
	    st->consecutive_failures) == NULL ||
	    jsonv_add_time(o, "next_poll", st->next_poll) == -1 ||
	    cJSON_AddNumberToObject(o, "entries_seen",
	    (double)st->entries_seen) == NULL ||
	    cJSON_AddNumberToObject(o, "polls", (double)st->polls) == NULL ||
	    cJSON_AddNumberToObject(o, "failures", (double)st->failures) == NULL ||
	    cJSON_AddNumberToObject(o, "not_modified",
	    (double)st->not_modified) == NULL ||
	    cJSON_AddNumberToObject(o, "worst_lateness_ms",
	    (double)st->worst_lateness_ms) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int
source_add_feeds(struct daemon *d, cJSON *status)
{
	struct poller_feed_state	*v;
	cJSON				*arr, *o;
	size_t				 n, i;

	if ((arr = cJSON_AddArrayToObject(status, "feeds")) == NULL)
		return -1;
	if (d->poller == NULL)
		return 0;
	n = poller_status(d->poller, NULL, 0);
	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	n = poller_status(d->poller, v, n);
	for (i = 0; i < n; i++) {
		if ((o = source_feed_json(&v[i])) == NULL ||
		    !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			break;
		}
	}
	free(v);
	return i == n ? 0 : -1;
}

/* "poll_errors": {kind: count} for every kind, as in GET /metrics. */
static int
source_add_poll_errors(const struct metrics_counters *c, cJSON *counters)
{
	cJSON *o;

	if ((o = cJSON_AddObjectToObject(counters, "poll_errors")) == NULL)
		return -1;
	for (int k = 0; k < METRICS_POLL_ERROR_KINDS; k++)
		if (cJSON_AddNumberToObject(o, metrics_poll_error_name(k),
		    (double)c->poll_errors[k]) == NULL)
			return -1;
	return 0;
}

/* The counters of GET /metrics that a human asks status for. */
static int
source_add_counters(struct daemon *d, cJSON *status)
{
	const struct metrics_counters	*c = &d->counters;
	cJSON				*o;

	if ((o = cJSON_AddObjectToObject(status, "counters")) == NULL ||
	    cJSON_AddNumberToObject(o, "polls", (double)c->polls) == NULL ||
	    cJSON_AddNumberToObject(o, "polls_not_modified",
	    (double)c->polls_not_modified) == NULL ||
	    source_add_poll_errors(c, o) == -1 ||
	    cJSON_AddNumberToObject(o, "feeds_failing",
	    (double)c->feeds_failing) == NULL ||
	    cJSON_AddNumberToObject(o, "articles", (double)c->articles) == NULL ||
	    cJSON_AddNumberToObject(o, "articles_duplicate",
	    (double)c->articles_duplicate) == NULL ||
	    cJSON_AddNumberToObject(o, "deltas", (double)c->deltas) == NULL ||
	    cJSON_AddNumberToObject(o, "subscribers_accepted",
	    (double)c->subscribers_accepted) == NULL ||
	    cJSON_AddNumberToObject(o, "slow_consumer_gaps",
	    (double)c->slow_consumer_gaps) == NULL ||
	    cJSON_AddNumberToObject(o, "slow_consumer_closes",
	    (double)c->slow_consumer_closes) == NULL ||
	    cJSON_AddNumberToObject(o, "reloads", (double)c->reloads) == NULL ||
	    cJSON_AddNumberToObject(o, "reload_failures",
	    (double)c->reload_failures) == NULL ||
	    cJSON_AddBoolToObject(o, "store_failing", d->store_failing) == NULL)
		return -1;
	return 0;
}

/* Markets with current p, and the counters, under "markets"/"counters". */
static int
source_add_markets_counters(struct daemon *d, cJSON *status)
{
	cJSON *arr;

	if ((arr = source_markets(d)) == NULL)
		return -1;
	if (!cJSON_AddItemToObject(status, "markets", arr)) {
		cJSON_Delete(arr);
		return -1;
	}
	return source_add_counters(d, status);
}

/*
 * "store": is it taking writes, and what waits in memory for it
 * (docs/STORE.md, "Disk full and I/O errors").
 */
static int
source_add_store(struct daemon *d, cJSON *status)
{
	cJSON *o;

	if ((o = cJSON_AddObjectToObject(status, "store")) == NULL ||
	    cJSON_AddStringToObject(o, "path", store_path(d->store)) == NULL ||
	    cJSON_AddNumberToObject(o, "last_stored_seq",
	    (double)store_last_seq(d->store)) == NULL ||
	    cJSON_AddBoolToObject(o, "failing", d->store_failing) == NULL ||
	    cJSON_AddNumberToObject(o, "unpersisted_deltas",
	    (double)d->pending_deltas) == NULL ||
	    cJSON_AddNumberToObject(o, "unpersisted_articles",
	    (double)d->pending_articles) == NULL ||
	    cJSON_AddNumberToObject(o, "unpersisted_bytes",
	    (double)d->pending_bytes) == NULL ||
	    cJSON_AddBoolToObject(o, "paused", d->paused) == NULL)
		return -1;
	return 0;
}

static cJSON *
source_status(void *arg)
{
	struct daemon	*d = arg;
	cJSON		*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "database", store_path(d->store)) == NULL ||
	    source_add_feeds(d, o) == -1 ||
	    source_add_markets_counters(d, o) == -1 ||
	    source_add_store(d, o) == -1) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static const struct server_source source_ops = {
	source_seq,
	source_replay,
	source_snapshot,
	source_markets,
	source_status,
};

/*
 * Start the subscriber server on the socket systemd passed, else on the
 * configured path.
 */
int
source_setup(struct daemon *d)
{
	char err[512];

	d->server = server_new(d->base, &d->cfg, d->socket_path, d->listen_fd,
	    &source_ops, d, store_session(d->store), err, sizeof(err));
	if (d->server == NULL) {
		log_error("%s", err);
		return -1;
	}
	server_set_counters(d->server, &d->counters);
	if (d->listen_fd >= 0)
		log_info("serving subscribers on the socket systemd passed (%s)",
		    d->socket_path);
	else
		log_info("serving subscribers on %s", d->socket_path);
	d->listen_fd = -1;	/* the server owns it now */
	return 0;
}
