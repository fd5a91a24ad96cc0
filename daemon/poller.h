/*
 * poller.h: the feed poller.  libcurl's multi socket interface, driven by
 * the caller's libevent loop, fetches every configured feed on its own
 * schedule: politely (conditional GET, compression, a per-host connection
 * cap, Retry-After honoured per host) and within limits (timeouts, a
 * low-speed abort, a body cap, at most 5 redirects, http/https only, TLS
 * verified).  It persists nothing: each fetched body goes to
 * handler->on_body, each state change to handler->on_state, and the daemon
 * hands saved state back with poller_set_state() at start.
 * docs/POLLER.md describes the schedule, limits, backoff and health fields.
 */
#ifndef PM_POLLER_H
#define PM_POLLER_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "config.h"
#include "metrics.h"

#define POLLER_ERROR_MAX	256	/* bytes of a feed's last error */

/* How a feed's last poll ended (since this poller started). */
enum poller_poll {
	POLLER_POLL_NONE = 0,		/* not polled yet */
	POLLER_POLL_OK,			/* a body the handler took */
	POLLER_POLL_NOT_MODIFIED,	/* 304 */
	POLLER_POLL_FAILED,		/* transfer, HTTP status or empty body:
					   last_error_kind says which */
	POLLER_POLL_REFUSED,		/* the handler refused the body: it
					   knows (and counts) why */
};

/*
 * One feed's state: what the store keeps across restarts (validators,
 * schedule, health) plus counters since start.  Times are epoch seconds,
 * PM_TIME_NONE when unknown.  Strings are NULL when absent; they belong to
 * the poller and stay valid only until the callback returns (on_state) or
 * until the poller next runs or is changed (poller_status).
 */
struct poller_feed_state {
	const char	*name;
	const char	*url;		/* the URL the validators belong to */
	const char	*etag;		/* last ETag, for If-None-Match */
	const char	*last_modified;	/* last Last-Modified, for If-Modified-Since */
	int64_t		 next_poll;	/* when the next poll is due */
	int64_t		 retry_until;	/* the host asked (Retry-After) not to be polled before */
	int64_t		 last_attempt;	/* last poll finished */
	int64_t		 last_success;	/* last 200 parsed or 304 */
	int64_t		 last_failure;
	const char	*last_error;	/* one line, kept after recovery; NULL: never */
	uint32_t	 consecutive_failures;	/* 0 after a success */
	int64_t		 entries_seen;	/* entries in the last parsed body, -1 unknown */

	/* Since this poller started; poller_set_state() ignores them. */
	uint64_t	 polls;		/* polls finished */
	uint64_t	 failures;	/* of which failed */
	uint64_t	 not_modified;	/* of which were 304 */
	int64_t		 worst_lateness_ms;	/* start of a poll after it was due */
	int		 in_flight;	/* a transfer is running now */
	enum poller_poll last_poll;	/* how the last poll ended; in on_state,
					   the poll just finished */
	enum metrics_poll_error last_error_kind;	/* POLLER_POLL_FAILED */
};

/* What the poller calls, always on the loop and never re-entrantly. */
struct poller_handler {
	/*
	 * A 2xx response with a non-empty body (body[len] is a NUL not
	 * counted in len; content_type may be NULL; effective_url is where
	 * redirects ended; now is when the body arrived, the articles'
	 * first_seen).  Return the number of entries in the document (>= 0),
	 * or -1 with a one-line reason in err ("not a feed: HTML page"): the
	 * poll then counts as a failure and backs off.
	 */
	int	(*on_body)(void *arg, const char *feed_name, const char *body,
		    size_t len, const char *content_type,
		    const char *effective_url, int64_t now, char *err,
		    size_t errsize);
	/* A feed's state changed (after every poll): the daemon persists it. */
	void	(*on_state)(void *arg, const struct poller_feed_state *st);
};

/*
 * Knobs the config does not expose.  Tests and benchmarks shorten time with
 * time_unit_ms: every delay the poller decides (intervals, jitter, initial
 * spread, backoff, Retry-After and its clamp) is counted in units of
 * time_unit_ms real milliseconds instead of 1000, so a feed whose interval
 * is the minimum 30 s polls every 300 ms at time_unit_ms 10 while the config
 * validation stays untouched.  Curl's own timeouts stay in real seconds.
 */
struct poller_opts {
	unsigned	 time_unit_ms;		/* real ms per scheduling second: 1000 */
	long		 low_speed_limit;	/* abort below this many bytes/s ... */
	long		 low_speed_time;	/* ... sustained for this many s */
	uint64_t	 seed;			/* jitter PRNG seed; 0: clock and pid */
	/*
	 * A body byte for byte the one the handler last took from this feed
	 * (same content type and final URL) is not handed over again: it can
	 * hold nothing new.  The poll counts as a success with the entries
	 * of last time.  Servers without ETag or Last-Modified send the same
	 * document at every poll; parsing it and looking up its entries was
	 * most of the cost of a poll that brings nothing.
	 */
	int		 skip_unchanged;
};

struct poller;

/* The defaults: 1000 ms units, abort under 256 B/s for 15 s, random seed. */
void	poller_opts_default(struct poller_opts *opts);

/*
 * Create a poller for cfg's feeds on base (cfg is copied, not kept).  Feeds
 * without saved state get their first poll at a random point within
 * min(interval, 60 s), so a cold start does not fire every feed at once.
 * Returns NULL (logged) on failure.
 */
struct poller *poller_new(struct event_base *base, const struct config *cfg,
	    const struct poller_handler *handler, void *arg);
struct poller *poller_new_opts(struct event_base *base,
	    const struct config *cfg, const struct poller_handler *handler,
	    void *arg, const struct poller_opts *opts);

/*
 * Restore one feed's saved state (by st->name) at start: validators (only
 * if st->url is NULL or the feed's current URL), health, next poll and
 * the host's Retry-After.  A next poll in the past is spread like a cold
 * start; one further than max(24 h, interval + 10%) ahead is pulled in.
 * Call it before the loop runs.  Returns 0, or -1 if no configured feed
 * has that name.
 */
int	poller_set_state(struct poller *p, const struct poller_feed_state *st);

/*
 * Apply a reloaded config: new feeds are scheduled, removed ones dropped
 * (a running transfer of theirs is discarded), feeds whose name and URL
 * are unchanged keep their validators, health and schedule (pulled in if
 * the new interval is shorter); a changed URL starts afresh.  Returns 0,
 * or -1 (out of memory) with the running set unchanged.
 */
int	poller_reconfigure(struct poller *p, const struct config *cfg);

/*
 * Pause (on != 0) or resume polling: while paused no transfer starts; due
 * feeds wait and start, in order, on resume.  Running transfers finish
 * and reach the handler as usual.  The daemon pauses while its database
 * cannot take more articles (docs/STORE.md).
 */
void	poller_pause(struct poller *p, int on);

/* Stop scheduling and abort the transfers in flight (no handler calls). */
void	poller_stop(struct poller *p);

/*
 * Graceful stop: start no new transfer, let those in flight finish (their
 * bodies reach the handler and their outcomes are recorded as usual) for
 * up to limit_ms, then abandon the rest as poller_stop() does.  done(arg)
 * is called once, from the loop, when no transfer is left.  A later
 * poller_stop() ends the wait at once (done is still called).
 */
void	poller_drain(struct poller *p, int64_t limit_ms,
	    void (*done)(void *), void *arg);

/*
 * Per-feed health for `status`: fill out[0 .. max-1] in config order and
 * return the number of feeds (which may exceed max).
 */
size_t	poller_status(struct poller *p, struct poller_feed_state *out,
	    size_t max);

/* How many feeds' last poll failed (consecutive_failures > 0); O(1). */
size_t	poller_nfailing(const struct poller *p);

/* Stop and free everything; not from inside a handler callback. */
void	poller_free(struct poller *p);

#endif
