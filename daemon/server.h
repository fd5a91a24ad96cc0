/*
 * server.h: the subscriber socket.  A Unix stream socket on the daemon's
 * libevent loop, speaking the newline-delimited JSON protocol of
 * lib/protocol.h (docs/PROTOCOL.md).  The server owns no data: it asks the
 * daemon for stored deltas, market state and status through struct
 * server_source, and the daemon hands it each new delta with
 * server_publish() once the store has committed it.
 */
#ifndef PM_SERVER_H
#define PM_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "config.h"
#include "delta.h"
#include "metrics.h"
#include "protocol.h"

/* Return values of server_source.replay besides a count. */
#define SERVER_REPLAY_GONE	(-1)	/* deltas after since are no longer kept */
#define SERVER_REPLAY_ERROR	(-2)	/* the store failed */

/*
 * What the daemon provides.  Every callback runs on the loop and must not
 * re-enter the server (no server_publish from inside one).  arg is the
 * pointer given to server_new().
 */
struct server_source {
	/* The last committed seq (0 for an empty store). */
	uint64_t (*seq)(void *arg);

	/*
	 * Call emit for the stored deltas with seq > since, in seq order, at
	 * most max of them, and return how many were emitted: fewer than max
	 * means there are no more.  Return SERVER_REPLAY_GONE if deltas right
	 * after since have been pruned (the server then sends gap and a
	 * snapshot), SERVER_REPLAY_ERROR if the store failed.  If emit returns
	 * -1, stop at once and return the count so far.  session is the
	 * session that published the delta (NULL: the current one).
	 */
	int	(*replay)(void *arg, uint64_t since, size_t max,
		    int (*emit)(void *ctx, const struct delta *,
		    const char *session), void *ctx);

	/*
	 * Call emit for every market's current state (id, question, p,
	 * updated) and set *as_of_seq to the last seq that state includes.
	 * Return 0, or -1 if the state cannot be read.  If emit returns -1,
	 * stop and return -1.
	 */
	int	(*snapshot)(void *arg,
		    int (*emit)(void *ctx, const struct proto_market *), void *ctx,
		    uint64_t *as_of_seq);

	/* The "markets" array (definitions: id, question, kind, deadline,
	 * ...), caller frees; NULL on failure.  May be NULL: empty list. */
	cJSON	*(*markets)(void *arg);

	/* Extra members for the "status" message (feeds, store, ...) as an
	 * object the caller frees, or NULL.  May be NULL. */
	cJSON	*(*status)(void *arg);
};

struct server;

/*
 * Start serving.  listen_fd -1: create socket_path (mode cfg->socket_mode,
 * group cfg->socket_group), removing a stale socket file left by a dead
 * daemon but refusing if a live one answers on it or if the path is not a
 * socket.  listen_fd >= 0: serve that already listening socket (systemd
 * socket activation; socket_path is then only used in messages and never
 * unlinked); the server owns it from then on (closed by server_free) but
 * leaves it open if server_new fails.  session names this run of the
 * daemon in every message.  Returns NULL with a one-line reason in err.
 */
struct server	*server_new(struct event_base *base, const struct config *cfg,
		    const char *socket_path, int listen_fd,
		    const struct server_source *src, void *arg,
		    const char *session, char *err, size_t errsize);

/* Take new limits and heartbeat from a reloaded config (not the path). */
void		 server_reconfigure(struct server *, const struct config *cfg);

/*
 * Send a committed delta (d->seq assigned) to every live subscriber whose
 * markets match.  Deltas must be published in seq order.
 */
void		 server_publish(struct server *, const struct delta *d);

/*
 * Graceful shutdown: stop accepting, queue "bye" with reason to every
 * client and write what each socket takes at once.  server_free() next.
 */
void		 server_bye_all(struct server *, const char *reason);

/*
 * Count into c from now on (the daemon's counters: subscribers gauge,
 * accepted, refused, slow-consumer gaps and closes).  c must outlive the
 * server; until called, the server counts into a private struct.
 */
void		 server_set_counters(struct server *, struct metrics_counters *c);

size_t		 server_nclients(const struct server *);
uint64_t	 server_seq(const struct server *);
/* Stop serving; unlinks the socket file if server_new created it. */
void		 server_free(struct server *);

#endif
