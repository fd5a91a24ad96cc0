/*
 * metrics.h: the daemon's counters and their two outputs: Prometheus text
 * (served by an optional loopback HTTP listener, config "metrics_listen")
 * and the one-line summary used for systemd's STATUS=.
 *
 * One struct metrics_counters lives in the daemon context; every module
 * gets a pointer to it and updates its own fields directly (plain
 * increments on the single loop thread, no locks).  The few updates that
 * touch more than one field have a function here.
 */
#ifndef PM_METRICS_H
#define PM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>

/* Why a poll failed; the "kind" label of pmsignald_poll_errors_total. */
enum metrics_poll_error {
	METRICS_POLL_DNS,		/* host name did not resolve */
	METRICS_POLL_CONNECT,		/* refused, unreachable */
	METRICS_POLL_TLS,		/* handshake or certificate */
	METRICS_POLL_TIMEOUT,		/* connect, total or low-speed timeout */
	METRICS_POLL_RATE_LIMITED,	/* 429, or 503 with Retry-After */
	METRICS_POLL_HTTP_4XX,		/* any other 4xx status */
	METRICS_POLL_HTTP_5XX,		/* any other 5xx status */
	METRICS_POLL_TOO_LARGE,		/* body over poll.max_body */
	METRICS_POLL_REDIRECT,		/* too many, or to a refused scheme */
	METRICS_POLL_PARSE,		/* body is not a feed we can read */
	METRICS_POLL_OTHER,
	METRICS_POLL_ERROR_KINDS	/* count, not a kind */
};

/* Upper bounds (seconds) of the loop-lag histogram; one more for +Inf. */
#define METRICS_LAG_BOUNDS	{ 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0 }
#define METRICS_LAG_BUCKETS	9
/* How often the loop-lag timer fires. */
#define METRICS_LAG_INTERVAL_MS	500

struct metrics_counters {
	int64_t		start_time;		/* epoch seconds */

	/* Poller. */
	uint64_t	polls;			/* finished, any outcome */
	uint64_t	polls_not_modified;	/* 304 */
	uint64_t	poll_errors[METRICS_POLL_ERROR_KINDS];
	uint64_t	feeds;			/* gauge: configured */
	uint64_t	feeds_failing;		/* gauge: last poll failed */

	/* Pipeline and store. */
	uint64_t	articles;		/* new articles scored */
	uint64_t	articles_duplicate;	/* near-duplicates, moved nothing */
	uint64_t	markets;		/* gauge: markets loaded */
	uint64_t	deltas;			/* published */
	uint64_t	last_delta_seq;		/* gauge, 0: none yet */
	int64_t		last_delta_time;	/* epoch s, PM_TIME_NONE: none */

	/* Subscriber server. */
	uint64_t	subscribers;		/* gauge: connected now */
	uint64_t	subscribers_accepted;
	uint64_t	subscribers_refused;	/* over max_clients */
	uint64_t	slow_consumer_gaps;	/* stopped queueing for a client */
	uint64_t	slow_consumer_closes;	/* bye "slow_consumer" */

	/* Daemon. */
	uint64_t	reloads;		/* SIGHUP, new config applied */
	uint64_t	reload_failures;	/* SIGHUP, config kept */

	/* Event-loop lag: how late the lag timer fires (metrics_loop_lag). */
	uint64_t	lag_buckets[METRICS_LAG_BUCKETS];	/* per bucket */
	uint64_t	lag_count;
	double		lag_sum;		/* seconds */
	double		lag_max;		/* seconds, since start */
};

/* Zero c and stamp the start time (epoch seconds). */
void	metrics_init(struct metrics_counters *c, int64_t now);

/* Count one failed poll (polls is counted separately, for every poll). */
void	metrics_poll_error(struct metrics_counters *c, enum metrics_poll_error kind);
/* The kind of a failed transfer from its curl result. */
enum metrics_poll_error metrics_poll_error_curl(CURLcode code);
/* The kind for an HTTP status that is not 200 or 304. */
enum metrics_poll_error metrics_poll_error_http(long status);
const char *metrics_poll_error_name(enum metrics_poll_error kind);

/* Count one published delta with its seq and time (epoch seconds). */
void	metrics_delta(struct metrics_counters *c, uint64_t seq, int64_t ts);
/* Record one loop-lag observation, in seconds. */
void	metrics_loop_lag(struct metrics_counters *c, double seconds);

/* Append every metric in Prometheus text format 0.0.4.  0, or -1 on ENOMEM. */
int	metrics_render(const struct metrics_counters *c, struct evbuffer *out);
/* One line for STATUS=: feeds, markets, subscribers, deltas, last delta. */
void	metrics_summary(const struct metrics_counters *c, char *buf, size_t size);

/*
 * The HTTP listener (GET /metrics) and the loop-lag timer, on the daemon's
 * event loop.  metrics_new starts the timer; metrics_listen (re)binds the
 * listener: spec NULL turns it off, an unchanged spec keeps it, a new one
 * replaces the old listener only once the new one is bound.  spec must
 * have passed loopback_parse (config_load checks it).
 */
struct metrics;

struct metrics *metrics_new(struct event_base *base, struct metrics_counters *c);
int	metrics_listen(struct metrics *m, const char *spec);
/* The bound TCP port, 0 when not listening. */
unsigned metrics_port(const struct metrics *m);
void	metrics_free(struct metrics *m);

#endif
