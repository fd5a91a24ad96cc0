/*
 * daemon.h: the one daemon context that ties the event loop to the
 * configuration and (as they arrive) the poller, pipeline, store and
 * subscriber server.
 */
#ifndef PM_DAEMON_H
#define PM_DAEMON_H

#include <event2/event.h>

#include "batch.h"
#include "config.h"
#include "keyset.h"
#include "market.h"
#include "metrics.h"
#include "notify.h"
#include "pipeline.h"
#include "tickclock.h"

struct poller;
struct server;
struct store;

struct daemon_opts {
	const char	*config_path;
	const char	*state_dir;	/* relative socket/database live here */
	int		 foreground;
};

struct daemon {
	struct event_base	*base;
	struct daemon_opts	 opts;
	struct config		 cfg;
	char			*socket_path;	/* resolved */
	char			*database_path;	/* resolved */
	char			*markets_path;	/* resolved */

	struct event		*ev_sigint;
	struct event		*ev_sigterm;
	struct event		*ev_sighup;
	int			 stopping;

	/* Operations: systemd notification, counters, metrics listener. */
	struct notify		 notify;
	struct metrics_counters	 counters;	/* modules update their fields */
	struct metrics		*metrics;	/* lag timer, GET /metrics */
	int			 listen_fd;	/* socket-activated, -1: none;
						   the server takes it over */

	/* The pipeline and what it writes through (daemon-publish.c). */
	struct store		*store;
	struct market_set	*markets;
	struct pipeline		*pipeline;
	struct tickclock	 clock;		/* when pipeline_tick runs */
	struct event		*ev_tick;
	struct event		*ev_prune;
	struct batch		*open;		/* the batch being built, or NULL */
	int64_t			 last_tick;	/* last pipeline_tick time */
	int64_t			 saved_tick;	/* last_tick of the last batch */
	int			 state_dirty;	/* save the state even if no delta */

	/*
	 * Batches the store could not take (disk full, I/O error), oldest
	 * first, published from memory and written in order once it can
	 * (daemon-pending.c), and the identities of the articles in memory
	 * that the store has not got yet (the open batch's too).
	 */
	struct batch		*pending, *pending_tail;
	uint64_t		 pending_from;	/* first seq held since the failure */
	uint64_t		 pending_deltas;
	size_t			 pending_articles;
	size_t			 pending_bytes;
	struct keyset		 held_guids;	/* (feed, guid) */
	struct keyset		 held_links;	/* (feed, link) */
	struct event		*ev_retry;
	int64_t			 retry_after_ms;	/* no write attempt before */
	int			 store_failing;	/* logged once until recovery */
	int			 paused;	/* over retention.max_unpersisted */

	struct poller		*poller;
	struct server		*server;
};

int	daemon_main(const struct daemon_opts *opts);

/* daemon-publish.c: articles and ticks in, stored-then-published deltas out. */
#define PUBLISH_PRUNE_ROWS	50	/* rows per retention step: a few ms */
#define PUBLISH_PRUNE_PAUSE_MS	10	/* between steps while more is due */
int	publish_setup(struct daemon *);
void	publish_teardown(struct daemon *);
int	publish_begin(struct daemon *);
int	publish_article(struct daemon *, const struct article *, int64_t now);
int	publish_commit(struct daemon *);
void	publish_abort(struct daemon *);
int	publish_reload_markets(struct daemon *, const struct config *cfg,
	    const char *path, char *err, size_t errsize);
uint64_t publish_last_seq(const struct daemon *);
void	publish_deltas(struct daemon *, const struct batch *);
int64_t	daemon_now(void);

/* daemon-pending.c: what the store could not take yet, kept in memory. */
int	pending_setup(struct daemon *);
void	pending_teardown(struct daemon *);
void	pending_failed(struct daemon *, int code, const char *err);
void	pending_push(struct daemon *, struct batch *);
int	pending_flush(struct daemon *);
int	pending_holds(const struct daemon *, const char *feed,
	    const char *guid, const char *link);
void	pending_hold(struct daemon *, const struct batch_article *);
void	pending_release(struct daemon *, const struct batch *);
int	pending_replay(struct daemon *, uint64_t since, size_t max,
	    int (*emit)(void *, const struct delta *, const char *), void *ctx);

/* daemon-ingest.c: the poller's handler: fetched bodies to articles. */
int	ingest_setup(struct daemon *);
/*
 * One fetched document of feed name (as the poller hands it over): parse,
 * take the entries not seen before, score them and store them as one
 * batch.  Returns the number of entries, or -1 with a reason in err.
 */
int	ingest_document(struct daemon *, const char *name, const char *body,
	    size_t len, const char *content_type, const char *effective_url,
	    int64_t now, char *err, size_t errsize);

/* daemon-source.c: what the subscriber server reads (store, pipeline). */
int	source_setup(struct daemon *);

#endif
