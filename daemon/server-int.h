/*
 * server-int.h: what the files of the subscriber server share (server.c:
 * lifecycle, accept, publish, timers; server-client.c: one client's I/O,
 * requests and output limits; server-route.c: which clients want which
 * market; server-socket.c: creating the socket file; server-fdlimit.c:
 * descriptors for the clients).  Not for other
 * modules: they use server.h.
 */
#ifndef PM_SERVER_INT_H
#define PM_SERVER_INT_H

#include <sys/queue.h>
#include <sys/types.h>

#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "metrics.h"
#include "server.h"

#define SERVER_ROUTE_BUCKETS	1024
#define SERVER_ROUTE_MAX	65536	/* cached markets before a flush */
#define SERVER_REPLAY_CHUNK	64	/* deltas asked of the store at once */
#define SERVER_REPLAY_TURN	1024	/* deltas per client per loop turn */
#define SERVER_CLOSE_GRACE	2.0	/* seconds to flush before a close */
#define SERVER_MAX_LOGGED	5	/* errors logged per client */

struct server_limits {
	size_t		 max_clients;		/* within the descriptor budget */
	int		 fd_capped;		/* lower than configured */
	int64_t		 heartbeat;		/* seconds */
	size_t		 soft_limit;		/* bytes */
	double		 soft_seconds;
	size_t		 hard_limit;		/* bytes */
	double		 slow_close_seconds;
};

enum client_state {
	CLIENT_IDLE = 0,	/* not subscribed */
	CLIENT_REPLAY,		/* sending stored deltas after its cursor */
	CLIENT_LIVE,		/* receiving published deltas */
};

struct client {
	TAILQ_ENTRY(client)	 entry;
	struct server		*srv;
	uint64_t		 id;
	struct bufferevent	*bev;		/* reads requests; NULL once closed */
	struct evbuffer		*out;		/* output not yet written */
	struct event		*ev_write;	/* armed while the socket is full */
	int			 write_armed;
	int			 flush_queued;	/* on the server's flush list */
	TAILQ_ENTRY(client)	 flush_entry;
	uid_t			 uid;
	pid_t			 pid;

	enum client_state	 state;
	char			**patterns;	/* NULL: every market */
	size_t			 npatterns;
	int			 subscribed;
	/* Every delta for this client with seq <= cursor has been sent or
	 * covered by a snapshot; a delta at or below it is never sent. */
	uint64_t		 cursor;
	struct event		*ev_replay;	/* continue a replay next turn */

	/* Output limits (docs/PROTOCOL.md, "Slow consumers"). */
	double			 soft_since;	/* 0: not over soft_limit */
	int			 overflow;	/* dropping deltas */
	double			 overflow_since;
	uint64_t		 lost_from;	/* first delta dropped, 0: none */
	int			 read_paused;	/* output over soft_limit */

	int			 closing;	/* flushing, then closed */
	double			 closing_since;
	int			 dead;		/* closed, waiting to be freed */
	int			 half_closed;	/* peer shut its write side */
	int			 replay_failed;
	unsigned		 nerrors;
	uint64_t		 delivered;	/* deltas queued */
	uint64_t		 dropped;	/* deltas dropped while over */
};
TAILQ_HEAD(client_list, client);

struct route {
	struct route		*next;
	char			*market;
	struct client		**clients;
	size_t			 n;
};

struct server {
	struct event_base	*base;
	struct server_limits	 lim;
	const struct server_source *src;
	void			*arg;
	char			*session;
	char			*path;
	int			 own_path;	/* we created it: unlink at free */
	dev_t			 path_dev;
	ino_t			 path_ino;

	struct evconnlistener	*listener;
	struct event		*ev_heartbeat;
	struct event		*ev_sweep;	/* every second: limits, grace */
	struct event		*ev_reap;	/* free closed clients */
	struct event		*ev_resume;	/* re-enable accept after EMFILE */

	struct client_list	 clients;
	struct client_list	 zombies;	/* closed, freed by ev_reap */
	TAILQ_HEAD(, client)	 flushq;	/* output to write this turn */
	struct event		*ev_flush;
	size_t			 nclients;
	uint64_t		 next_id;
	uint64_t		 seq;		/* last published (or stored) */
	double			 started;

	struct route		*routes[SERVER_ROUTE_BUCKETS];
	size_t			 nroutes;
	int			 routes_stale;

	uint64_t		 published;
	uint64_t		 refused;
	double			 refused_logged;
	uint64_t		 refused_unlogged;
	uint64_t		 slow_closed;

	/* The daemon's counters (server_set_counters), else own_counters. */
	struct metrics_counters	*counters;
	struct metrics_counters	 own_counters;
};

/* server.c */
double		 server_now(void);
cJSON		*server_status(struct server *, const struct client *);

/* server-fdlimit.c */
size_t		 server_fd_budget(const struct config *, const char *path,
		    size_t prev);

/* server-socket.c */
int		 server_socket_bind(const char *path, int mode,
		    const char *group, dev_t *devp, ino_t *inop,
		    char *err, size_t errsize);
void		 server_socket_unlink(const char *path, dev_t dev, ino_t ino);

/* server-route.c */
struct route	*server_route(struct server *, const char *market);
void		 server_routes_clear(struct server *);

/* server-client.c */
struct client	*client_new(struct server *, int fd);
void		 client_close(struct client *, const char *why);
void		 client_free(struct client *);
void		 client_deliver(struct client *, uint64_t seq,
		    const char *line, size_t len);
void		 client_heartbeat(struct client *, const char *line, size_t len);
void		 client_sweep(struct client *, double now);
void		 client_bye(struct client *, const char *reason);
void		 client_flush(struct client *);
int		 client_matches(const struct client *, const char *market);
cJSON		*client_status(const struct client *);

#endif
