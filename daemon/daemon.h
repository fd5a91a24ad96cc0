/*
 * daemon.h: the one daemon context that ties the event loop to the
 * configuration and (as they arrive) the poller, pipeline, store and
 * subscriber server.
 */
#ifndef PM_DAEMON_H
#define PM_DAEMON_H

#include <event2/event.h>

#include "config.h"
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
	struct delta_list	 batch;		/* deltas of the open batch */
	int			 in_batch;
	int			 store_failing;	/* last commit failed: logged once */
	int64_t			 last_tick;	/* last pipeline_tick time */

	struct poller		*poller;
	struct server		*server;
};

int	daemon_main(const struct daemon_opts *opts);

/* daemon-publish.c: articles and ticks in, stored-then-published deltas out. */
int	publish_setup(struct daemon *);
void	publish_teardown(struct daemon *);
int	publish_begin(struct daemon *);
int	publish_article(struct daemon *, const struct article *, int64_t now);
int	publish_commit(struct daemon *);
void	publish_abort(struct daemon *);
int	publish_reload_markets(struct daemon *, const struct config *cfg,
	    const char *path, char *err, size_t errsize);
int64_t	daemon_now(void);

/* daemon-ingest.c: the poller's handler: fetched bodies to articles. */
int	ingest_setup(struct daemon *);

/* daemon-source.c: what the subscriber server reads (store, pipeline). */
int	source_setup(struct daemon *);

#endif
