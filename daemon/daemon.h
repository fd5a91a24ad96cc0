/*
 * daemon.h: the one daemon context that ties the event loop to the
 * configuration and (as they arrive) the poller, pipeline, store and
 * subscriber server.
 */
#ifndef PM_DAEMON_H
#define PM_DAEMON_H

#include <event2/event.h>

#include "config.h"
#include "metrics.h"
#include "notify.h"

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
};

int	daemon_main(const struct daemon_opts *opts);

#endif
