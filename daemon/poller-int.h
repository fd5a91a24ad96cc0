/*
 * poller-int.h: the poller's internals, shared by its files:
 *   poller.c         feeds, hosts, schedule, reconfigure, state, status
 *   poller-fetch.c   one transfer: curl options, body, outcome
 *   poller-loop.c    curl multi socket interface on libevent
 *   poller-policy.c  pure arithmetic: PRNG, jitter, backoff, Retry-After
 * Only poller.h is public.
 */
#ifndef PM_POLLER_INT_H
#define PM_POLLER_INT_H

#include <sys/queue.h>

#include <curl/curl.h>

#include "monotime.h"
#include "poller.h"

#define POLLER_JITTER		0.10		/* +-10% on every delay */
#define POLLER_SPREAD_MAX	60		/* s: cold-start spread cap */
#define POLLER_BACKOFF_CAP	(6 * 3600)	/* s */
#define POLLER_RETRY_MIN	60		/* s: Retry-After clamp */
#define POLLER_RETRY_MAX	(24 * 3600)	/* s */
#define POLLER_MAX_REDIRS	5
#define POLLER_VALIDATOR_MAX	1024	/* longer ETag/Last-Modified: ignored */

enum poller_phase {
	POLLER_IDLE,		/* timer armed for the next poll */
	POLLER_WAITING,		/* due, queued on its host */
	POLLER_ACTIVE,		/* transfer running */
};

struct poller_feed;

/* A host ("scheme://host:port"): connection cap, queue, Retry-After. */
struct poller_host {
	struct poller		*p;
	char			*key;
	unsigned		 nfeeds;	/* configured feeds on it */
	unsigned		 active;	/* transfers running */
	int64_t			 not_before;	/* mono ms (Retry-After), 0: none */
	int64_t			 retry_until;	/* the same, epoch s */
	struct event		*ev_unblock;
	int			 on_ready;
	TAILQ_HEAD(, poller_feed) waiting;	/* due, in due order */
	TAILQ_ENTRY(poller_host) ready_link;	/* in p->ready */
	TAILQ_ENTRY(poller_host) link;		/* in p->hosts */
};

/* One running transfer. */
struct poller_xfer {
	struct poller_feed	*feed;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*body;
	size_t			 len, cap;
	size_t			 max_body;
	int			 too_big;
	int64_t			 started;	/* mono ms */
	char			 errbuf[CURL_ERROR_SIZE];
	TAILQ_ENTRY(poller_xfer) link;		/* in p->xfers */
};

struct poller_feed {
	struct poller		*p;
	char			*name;
	char			*url;
	struct poller_host	*host;
	int64_t			 interval;	/* s */
	enum poller_phase	 phase;
	int			 removed;	/* dropped while in flight */
	int			 kept;		/* reconfigure: survives */
	struct event		*ev_due;
	int64_t			 due;		/* mono ms it is or was due */
	int64_t			 next_poll;	/* epoch s of due */
	struct poller_xfer	*xfer;

	char			*etag;
	char			*last_modified;
	int64_t			 last_attempt, last_success, last_failure;
	char			 last_error[POLLER_ERROR_MAX];
	uint32_t		 consecutive_failures;
	int64_t			 entries_seen;
	/* The last body the handler took (opts.skip_unchanged). */
	uint64_t		 body_hash;	/* 0: none */
	size_t			 body_len;
	int			 body_entries;
	uint64_t		 polls, failures, not_modified;
	int64_t			 worst_lateness_ms;
	enum poller_poll	 last_poll;
	enum metrics_poll_error	 last_error_kind;

	TAILQ_ENTRY(poller_feed) wait_link;	/* in host->waiting */
	TAILQ_ENTRY(poller_feed) orphan_link;	/* in p->orphans */
};

/* Settings copied from the config at new/reconfigure. */
struct poller_limits {
	char		*user_agent;
	int64_t		 connect_timeout;	/* s */
	int64_t		 timeout;		/* s */
	int64_t		 max_body;		/* bytes */
	unsigned	 per_host;
	unsigned	 max_parallel;
};

struct poller_sock;

struct poller {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*ev_timer;	/* curl's timeout */
	struct event		*ev_kick;	/* deferred dispatch */
	struct poller_handler	 handler;
	void			*arg;
	struct poller_opts	 opts;
	struct poller_limits	 lim;
	uint64_t		 rng;
	int			 stopped;
	int			 paused;	/* poller_pause(): start nothing */
	int			 draining;	/* poller_drain(): until done */
	struct event		*ev_drain;	/* its time limit, its end */
	void			(*drain_done)(void *);
	void			*drain_arg;
	unsigned		 active;	/* transfers running */
	size_t			 nfailing;	/* feeds whose last poll failed */

	struct poller_feed	**feeds;	/* config order */
	size_t			 nfeeds;
	TAILQ_HEAD(, poller_host) hosts;
	TAILQ_HEAD(, poller_host) ready;	/* waiting feeds, spare capacity */
	TAILQ_HEAD(, poller_xfer) xfers;
	TAILQ_HEAD(, poller_feed) orphans;	/* removed, still in flight */
	LIST_HEAD(, poller_sock) socks;
};

/* How one poll ended. */
enum poller_result {
	POLLER_OK,		/* body parsed */
	POLLER_NOT_MODIFIED,	/* 304 */
	POLLER_FAILED,
};

struct poller_outcome {
	enum poller_result	 result;
	int			 refused;	/* FAILED: by the handler */
	enum metrics_poll_error	 kind;		/* FAILED: why, for metrics */
	int			 entries;	/* POLLER_OK */
	int64_t			 retry_after;	/* s, clamped; -1: none */
	const char		*etag;		/* from the response, or NULL */
	const char		*last_modified;
	char			 reason[POLLER_ERROR_MAX];
};

/* poller.c */
int64_t	poller_now_wall(void);
void	poller_feed_finish(struct poller *p, struct poller_feed *f,
	    const struct poller_outcome *o);
void	poller_dispatch(struct poller *p);

/* poller-fetch.c */
int	poller_fetch_start(struct poller *p, struct poller_feed *f,
	    char *err, size_t errsize);
void	poller_fetch_done(struct poller *p, struct poller_xfer *x,
	    CURLcode res);
void	poller_fetch_abort(struct poller *p, struct poller_xfer *x);

/* poller-loop.c */
int	poller_loop_init(struct poller *p);
void	poller_loop_free(struct poller *p);

/* poller-policy.c */
uint64_t poller_rng_next(uint64_t *state);
double	poller_rng_unit(uint64_t *state);
int64_t	poller_jitter(uint64_t *rng, int64_t delay, double frac);
int64_t	poller_backoff(int64_t interval, uint32_t failures);
int	poller_retry_after_parse(const char *value, int64_t now,
	    int64_t *delay);
int64_t	poller_retry_after_clamp(int64_t delay);
int	poller_host_key(const char *url, char *buf, size_t size);

#endif
