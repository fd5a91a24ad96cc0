/*
 * server-client.c: one subscriber connection: reading request lines,
 * answering them, replaying stored deltas, and keeping its output bounded.
 *
 * Output rules (docs/PROTOCOL.md, "Slow consumers"):
 * - live deltas obey the limits: over hard_limit, or over soft_limit for
 *   soft_seconds, the client is "in overflow" and its deltas are dropped;
 *   once its output drains it gets gap + a fresh snapshot; still in overflow
 *   after slow_close_seconds it gets bye "slow_consumer" and is closed;
 * - replies are never dropped, but no request is read while the output is
 *   over soft_limit, so replies cannot pile up either;
 * - a replay is pulled from the store only while the output is below half
 *   of soft_limit, so replaying a year of deltas costs no memory.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "log.h"
#include "server-int.h"

static void	client_process_input(struct client *);
static void	client_replay_step(struct client *);
static void	client_resync(struct client *, uint64_t gap_from);
static void	client_recover(struct client *);

/*
 * Start dropping c's live deltas: its output is over the limits.  Counted
 * as a slow-consumer gap; the client hears of it (gap + snapshot) once its
 * output drains.
 */
static void
client_overflow_begin(struct client *c, size_t queued, double now)
{
	c->overflow = 1;
	c->overflow_since = now;
	c->srv->counters->slow_consumer_gaps++;
	log_info("client %llu: output over its limit (%zu bytes queued): "
	    "dropping deltas until it drains", (unsigned long long)c->id,
	    queued);
}

static size_t
client_queued(const struct client *c)
{
	return evbuffer_get_length(c->out);
}

/*
 * Output is written once per loop turn, after everything published in
 * that turn is queued: the client joins the server's flush list, and
 * ev_flush runs client_flush for each one.  A client whose socket is full
 * waits for ev_write instead.
 */
static void
client_schedule_flush(struct client *c)
{
	struct server *s = c->srv;

	if (c->dead || c->flush_queued || c->write_armed)
		return;
	c->flush_queued = 1;
	TAILQ_INSERT_TAIL(&s->flushq, c, flush_entry);
	event_active(s->ev_flush, EV_TIMEOUT, 0);
}

/* Append bytes to the output; closes the client on allocation failure. */
static int
client_queue(struct client *c, const char *data, size_t len)
{
	if (evbuffer_add(c->out, data, len) == -1) {
		client_close(c, "out of memory queueing output");
		return -1;
	}
	client_schedule_flush(c);
	return 0;
}

/* Log a client's misbehaviour, but only its first few errors. */
static void __attribute__((format(printf, 2, 3)))
client_log_error(struct client *c, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	if (++c->nerrors > SERVER_MAX_LOGGED + 1)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("client %llu (uid %ld, pid %ld): %s%s",
	    (unsigned long long)c->id, (long)c->uid, (long)c->pid, msg,
	    c->nerrors > SERVER_MAX_LOGGED ? " (further errors not logged)" :
	    "");
}

int
client_matches(const struct client *c, const char *market)
{
	return proto_match(c->patterns, c->npatterns, market);
}

/*
 * Queue one protocol line (without newline) regardless of the limits:
 * replies, snapshots, gaps, replayed deltas.  Takes ownership of line; a
 * NULL line (an encoder out of memory) closes the client.
 */
static int
client_send(struct client *c, char *line)
{
	int r;

	if (c->dead) {
		free(line);
		return -1;
	}
	if (line == NULL) {
		client_close(c, "out of memory encoding a message");
		return -1;
	}
	r = client_queue(c, line, strlen(line));
	free(line);
	return r == 0 ? client_queue(c, "\n", 1) : -1;
}

static void
client_send_error(struct client *c, enum proto_err e, const char *message)
{
	client_send(c, proto_error(e, message));
}

/* Close once the output is flushed (or SERVER_CLOSE_GRACE has passed). */
static void
client_close_after_flush(struct client *c, const char *why)
{
	if (c->dead || c->closing)
		return;
	if (client_queued(c) == 0) {
		client_close(c, why);
		return;
	}
	c->closing = 1;
	c->closing_since = server_now();
	log_info("client %llu: closing: %s", (unsigned long long)c->id, why);
	bufferevent_disable(c->bev, EV_READ);
}

/*
 * Close now: free the connection, keep the struct (routes in use this turn
 * may still point at it) until the reap event frees it next turn.
 */
void
client_close(struct client *c, const char *why)
{
	struct server *s = c->srv;

	if (c->dead)
		return;
	log_info("client %llu: closed: %s (%llu delta%s sent, %llu dropped)",
	    (unsigned long long)c->id, why, (unsigned long long)c->delivered,
	    c->delivered == 1 ? "" : "s", (unsigned long long)c->dropped);
	c->dead = 1;
	event_del(c->ev_write);
	event_del(c->ev_replay);
	if (c->flush_queued) {
		TAILQ_REMOVE(&s->flushq, c, flush_entry);
		c->flush_queued = 0;
	}
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	c->bev = NULL;
	if (c->subscribed)
		s->routes_stale = 1;
	TAILQ_REMOVE(&s->clients, c, entry);
	s->nclients--;
	s->counters->subscribers = s->nclients;
	TAILQ_INSERT_TAIL(&s->zombies, c, entry);
	event_active(s->ev_reap, EV_TIMEOUT, 0);
}

/* Release everything; the client must be closed or the server going. */
void
client_free(struct client *c)
{
	if (c->ev_write != NULL)
		event_free(c->ev_write);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->out != NULL)
		evbuffer_free(c->out);
	if (c->ev_replay != NULL)
		event_free(c->ev_replay);
	for (size_t i = 0; i < c->npatterns; i++)
		free(c->patterns[i]);
	free(c->patterns);
	free(c);
}

/*
 * A live delta (line ends in a newline), subject to the output limits.
 * Deltas at or below the cursor were already sent or covered by a
 * snapshot; a client still replaying will read this one from the store.
 */
void
client_deliver(struct client *c, uint64_t seq, const char *line, size_t len)
{
	size_t	queued;
	double	now;

	if (c->dead || c->closing || c->state != CLIENT_LIVE || seq <= c->cursor)
		return;
	c->cursor = seq;
	queued = client_queued(c);
	now = server_now();
	if (queued <= c->srv->lim.soft_limit)
		c->soft_since = 0;
	else if (!c->overflow) {
		if (c->soft_since == 0)
			c->soft_since = now;
		else if (now - c->soft_since >= c->srv->lim.soft_seconds)
			client_overflow_begin(c, queued, now);
	}
	if (!c->overflow && queued + len > c->srv->lim.hard_limit)
		client_overflow_begin(c, queued, now);
	if (c->overflow) {
		if (c->lost_from == 0)
			c->lost_from = seq;
		c->dropped++;
		return;
	}
	if (client_queue(c, line, len) == 0)
		c->delivered++;
}

/* A heartbeat is only worth sending if nothing is waiting ahead of it. */
void
client_heartbeat(struct client *c, const char *line, size_t len)
{
	if (c->dead || c->closing || c->overflow ||
	    client_queued(c) > c->srv->lim.soft_limit)
		return;
	client_queue(c, line, len);
}

/*
 * Throw away queued output except the rest of the line the socket is in
 * the middle of, so that a last message can still follow cleanly.
 */
static void
client_truncate_output(struct client *c)
{
	struct evbuffer		*out = c->out;
	struct evbuffer		*keep;
	struct evbuffer_ptr	 eol;

	eol = evbuffer_search_eol(out, NULL, NULL, EVBUFFER_EOL_LF);
	if (eol.pos < 0 || (keep = evbuffer_new()) == NULL)
		return;
	if (evbuffer_remove_buffer(out, keep, (size_t)eol.pos + 1) ==
	    eol.pos + 1) {
		evbuffer_drain(out, evbuffer_get_length(out));
		evbuffer_add_buffer(out, keep);
	}
	evbuffer_free(keep);
}

/* Once a second: slow consumers past their time, closes past grace. */
void
client_sweep(struct client *c, double now)
{
	const struct server_limits *lim = &c->srv->lim;

	if (c->dead)
		return;
	if (c->closing) {
		if (now - c->closing_since >= SERVER_CLOSE_GRACE)
			client_close(c, "output not flushed in time");
		return;
	}
	if (!c->overflow && c->soft_since != 0 &&
	    now - c->soft_since >= lim->soft_seconds &&
	    client_queued(c) > lim->soft_limit)
		client_overflow_begin(c, client_queued(c), now);
	/* Normally client_drained notices the drain; a delta larger than
	 * hard_limit on an empty output leaves nothing to drain. */
	if (c->overflow && client_queued(c) <= lim->soft_limit / 4) {
		client_recover(c);
		return;
	}
	if (c->overflow && now - c->overflow_since >= lim->slow_close_seconds) {
		c->srv->slow_closed++;
		c->srv->counters->slow_consumer_closes++;
		client_log_error(c, "slow consumer: output over its limit for "
		    "%.0f s; closing", now - c->overflow_since);
		client_truncate_output(c);
		client_bye(c, "slow_consumer");
	}
}

/* Queue bye, push what the socket takes now, then close. */
void
client_bye(struct client *c, const char *reason)
{
	if (c->dead || c->closing)
		return;
	if (client_send(c, proto_bye(reason)) == -1)
		return;
	client_close_after_flush(c, reason);
	client_flush(c);	/* now: the loop may not run again */
}

/* The output drained after an overflow: catch the client up, or resume. */
static void
client_recover(struct client *c)
{
	log_info("client %llu: output drained after dropping %llu delta%s",
	    (unsigned long long)c->id, (unsigned long long)c->dropped,
	    c->dropped == 1 ? "" : "s");
	c->overflow = 0;
	c->overflow_since = 0;
	c->soft_since = 0;
	if (c->lost_from != 0)
		client_resync(c, c->lost_from);
}

/* Snapshot emit: one market into the message being built. */
static int
client_snapshot_emit(void *ctx, const struct proto_market *m)
{
	return proto_snapshot_add(ctx, m);
}

/*
 * Build the snapshot of the markets matching patterns; NULL on failure.
 * *as_of is the seq the snapshot includes.
 */
static char *
client_snapshot(struct client *c, char *const *patterns, size_t n,
    uint64_t *as_of)
{
	const struct server_source	*src = c->srv->src;
	struct proto_snapshot		*b;

	*as_of = c->srv->seq;
	if ((b = proto_snapshot_new(patterns, n)) == NULL)
		return NULL;
	if (src->snapshot != NULL &&
	    src->snapshot(c->srv->arg, client_snapshot_emit, b, as_of) == -1) {
		proto_snapshot_free(b);
		return NULL;
	}
	return proto_snapshot_finish(b, *as_of);
}

/*
 * Catch a client up with a fresh snapshot of its markets, preceded by a
 * gap from gap_from (0: no gap, a plain subscribe) to the snapshot's seq.
 * Then live, or replay if the snapshot is older than the last publish.
 */
static void
client_resync(struct client *c, uint64_t gap_from)
{
	uint64_t	 as_of;
	char		*line;

	if ((line = client_snapshot(c, c->patterns, c->npatterns,
	    &as_of)) == NULL) {
		client_send_error(c, PROTO_ERR_INTERNAL,
		    "cannot read the market state");
		client_close_after_flush(c, "snapshot failed");
		return;
	}
	if (gap_from != 0 && client_send(c, proto_gap(gap_from,
	    as_of >= gap_from ? as_of : gap_from)) == -1) {
		free(line);
		return;
	}
	if (client_send(c, line) == -1)
		return;
	c->lost_from = 0;
	if (as_of > c->cursor)
		c->cursor = as_of;
	c->state = CLIENT_REPLAY;
	client_replay_step(c);
}

/* Replay emit: a stored delta, sent if it is new and matches. */
static int
client_replay_emit(void *ctx, const struct delta *d, const char *session)
{
	struct client *c = ctx;

	if (c->dead || c->closing)
		return -1;
	if (d->seq <= c->cursor)
		return 0;
	c->cursor = d->seq;
	if (!client_matches(c, d->market))
		return 0;
	if (client_send(c, delta_to_json(d, session != NULL ? session :
	    c->srv->session)) == -1) {
		c->replay_failed = 1;
		return -1;
	}
	c->delivered++;
	return 0;
}

/*
 * The store has nothing after the cursor.  Everything published is
 * stored, so normally the cursor has reached the last publish and the
 * client goes live; if not (deltas published but not stored), the client
 * is told of the gap and resynchronised.
 */
static void
client_replay_done(struct client *c)
{
	if (c->cursor < c->srv->seq) {
		client_resync(c, c->cursor + 1);
		return;
	}
	c->state = CLIENT_LIVE;
}

/*
 * Pull stored deltas after the cursor while the output has room, at most
 * SERVER_REPLAY_TURN per loop turn so that one long replay never holds up
 * the loop.  The write callback or ev_replay calls this again.
 *
 * The seam between replay and live: while replaying, published deltas are
 * not queued (client_deliver skips non-live clients); since every published
 * delta is stored first, the replay reaches them.  Deltas already stored
 * but not yet published are replayed and move the cursor past them, so
 * their later publish is skipped.  Nothing is lost, nothing is doubled.
 */
static void
client_replay_step(struct client *c)
{
	struct server	*s = c->srv;
	size_t		 budget = SERVER_REPLAY_TURN;
	int		 n;

	while (c->state == CLIENT_REPLAY && !c->dead && !c->closing) {
		if (client_queued(c) >= s->lim.soft_limit / 2)
			return;
		if (budget == 0) {
			event_active(c->ev_replay, EV_TIMEOUT, 0);
			return;
		}
		n = s->src->replay == NULL ? 0 : s->src->replay(s->arg,
		    c->cursor, SERVER_REPLAY_CHUNK, client_replay_emit, c);
		if (c->replay_failed || c->dead)
			return;
		if (n == SERVER_REPLAY_GONE || n < 0) {
			if (n != SERVER_REPLAY_GONE)
				client_send_error(c, PROTO_ERR_INTERNAL,
				    "cannot read stored deltas; sending a "
				    "snapshot instead");
			client_resync(c, c->cursor + 1);
			return;
		}
		if ((size_t)n < SERVER_REPLAY_CHUNK) {
			client_replay_done(c);
			return;
		}
		budget -= (size_t)n < budget ? (size_t)n : budget;
	}
}

static void
client_replay_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	client_replay_step(arg);
}

/* Replace the subscription: take req's patterns. */
static void
client_set_patterns(struct client *c, struct proto_request *req)
{
	for (size_t i = 0; i < c->npatterns; i++)
		free(c->patterns[i]);
	free(c->patterns);
	c->patterns = req->markets;
	c->npatterns = req->nmarkets;
	req->markets = NULL;
	req->nmarkets = 0;
}

/*
 * subscribe: with since, replay what came after it, then live; without,
 * a snapshot, then live.  A second subscribe replaces the first.
 */
static void
client_subscribe(struct client *c, struct proto_request *req)
{
	struct server	*s = c->srv;
	char		 msg[160];

	client_set_patterns(c, req);
	c->subscribed = 1;
	s->routes_stale = 1;
	c->overflow = 0;
	c->overflow_since = c->soft_since = 0;
	c->lost_from = 0;
	event_del(c->ev_replay);
	c->cursor = 0;
	if (req->has_since && req->since > s->seq) {
		snprintf(msg, sizeof(msg), "since %llu is ahead of the last "
		    "seq %llu (was the database reset?); sending a snapshot",
		    (unsigned long long)req->since,
		    (unsigned long long)s->seq);
		client_send_error(c, PROTO_ERR_SINCE, msg);
		client_resync(c, 0);
		return;
	}
	if (!req->has_since) {
		client_resync(c, 0);
		return;
	}
	c->cursor = req->since;
	c->state = CLIENT_REPLAY;
	client_replay_step(c);
}

/* snapshot: the request's markets, else the subscription's. */
static void
client_op_snapshot(struct client *c, const struct proto_request *req)
{
	uint64_t	 as_of;
	char		*line;

	if (req->markets != NULL)
		line = client_snapshot(c, req->markets, req->nmarkets, &as_of);
	else
		line = client_snapshot(c, c->patterns, c->npatterns, &as_of);
	if (line == NULL) {
		client_send_error(c, PROTO_ERR_INTERNAL,
		    "cannot read the market state");
		return;
	}
	client_send(c, line);
}

static void
client_op_markets(struct client *c)
{
	const struct server_source	*src = c->srv->src;
	cJSON				*m;

	m = src->markets != NULL ? src->markets(c->srv->arg) :
	    cJSON_CreateArray();
	if (m == NULL) {
		client_send_error(c, PROTO_ERR_INTERNAL,
		    "cannot list the markets");
		return;
	}
	client_send(c, proto_markets(m));
}

static const char *
client_state_name(const struct client *c)
{
	switch (c->state) {
	case CLIENT_REPLAY:
		return "replay";
	case CLIENT_LIVE:
		return "live";
	default:
		return "idle";
	}
}

/* What a client learns about itself in "status". */
cJSON *
client_status(const struct client *c)
{
	cJSON *o, *m;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (c->subscribed && c->patterns != NULL)
		m = cJSON_CreateStringArray((const char *const *)c->patterns,
		    (int)c->npatterns);
	else
		m = c->subscribed ? cJSON_CreateString("*") : cJSON_CreateNull();
	if (cJSON_AddNumberToObject(o, "id", (double)c->id) == NULL ||
	    cJSON_AddStringToObject(o, "state", client_state_name(c)) == NULL ||
	    m == NULL || !cJSON_AddItemToObject(o, "markets", m) ||
	    cJSON_AddNumberToObject(o, "cursor", (double)c->cursor) == NULL ||
	    cJSON_AddNumberToObject(o, "delivered", (double)c->delivered) ==
	    NULL ||
	    cJSON_AddNumberToObject(o, "dropped", (double)c->dropped) == NULL) {
		if (m != NULL && cJSON_GetObjectItem(o, "markets") != m)
			cJSON_Delete(m);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* One request line: parse, answer, and close on the fatal errors. */
static void
client_handle_line(struct client *c, const char *line, size_t len)
{
	struct proto_request	req;
	enum proto_err		e;
	char			err[256];

	if (proto_parse(line, len, &req, &e, err, sizeof(err)) == -1) {
		client_log_error(c, "%s: %s", proto_err_code(e), err);
		client_send_error(c, e, err);
		if (e == PROTO_ERR_JSON || e == PROTO_ERR_TOO_LONG)
			client_close_after_flush(c, proto_err_code(e));
		return;
	}
	log_debug("client %llu: %s", (unsigned long long)c->id,
	    proto_op_name(req.op));
	switch (req.op) {
	case PROTO_SUBSCRIBE:
		client_subscribe(c, &req);
		break;
	case PROTO_SNAPSHOT:
		client_op_snapshot(c, &req);
		break;
	case PROTO_MARKETS:
		client_op_markets(c);
		break;
	case PROTO_STATUS:
		client_send(c, proto_status(server_status(c->srv, c)));
		break;
	case PROTO_PING:
		client_send(c, proto_pong(c->srv->seq));
		break;
	}
	proto_request_free(&req);
}

/* Blank lines (keep-alives typed into socat) are not requests. */
static int
client_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (strchr(" \t\r", line[i]) == NULL)
			return 0;
	return 1;
}

/*
 * Take one complete line off the input and handle it.  Returns 1 if a
 * line was handled, 0 if no complete line is there yet.  A line longer
 * than PROTO_MAX_LINE, complete or not, ends the connection.
 */
static int
client_next_line(struct client *c, struct evbuffer *in)
{
	struct evbuffer_ptr	 eol;
	size_t			 len;
	char			*line;

	eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
	len = eol.pos >= 0 ? (size_t)eol.pos : evbuffer_get_length(in);
	/* One more byte than the limit for a CR; proto_parse checks the rest. */
	if (len > PROTO_MAX_LINE + 1) {
		client_log_error(c, "request line longer than %d bytes; "
		    "closing", PROTO_MAX_LINE);
		client_send_error(c, PROTO_ERR_TOO_LONG, "request line longer "
		    "than 65536 bytes");
		evbuffer_drain(in, evbuffer_get_length(in));
		client_close_after_flush(c, "line_too_long");
		return 0;
	}
	if (eol.pos < 0)
		return 0;
	if ((line = (char *)evbuffer_pullup(in, (ev_ssize_t)len + 1)) == NULL) {
		client_close(c, "out of memory reading a request");
		return 0;
	}
	if (!client_blank(line, len))
		client_handle_line(c, line, len);
	if (!c->dead)
		evbuffer_drain(in, len + 1);
	return 1;
}

/* Handle the complete lines read so far, while the output has room. */
static void
client_process_input(struct client *c)
{
	struct evbuffer *in;

	while (!c->dead && !c->closing) {
		if (client_queued(c) > c->srv->lim.soft_limit) {
			/* Answering more would grow the output: wait. */
			if (!c->read_paused) {
				c->read_paused = 1;
				bufferevent_disable(c->bev, EV_READ);
			}
			return;
		}
		in = bufferevent_get_input(c->bev);
		if (!client_next_line(c, in))
			return;
	}
}

static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	client_process_input(arg);
}

/*
 * After a write: close a closing client once empty; once the output is
 * down to a quarter of soft_limit, end an overflow, resume reading, and
 * pull more of a replay.
 */
static void
client_drained(struct client *c)
{
	size_t low = c->srv->lim.soft_limit / 4;

	if (c->closing) {
		if (client_queued(c) == 0)
			client_close(c, "closed after flushing");
		return;
	}
	if (client_queued(c) <= c->srv->lim.soft_limit)
		c->soft_since = 0;
	if (c->overflow && client_queued(c) <= low)
		client_recover(c);
	if (c->read_paused && !c->dead && !c->closing &&
	    client_queued(c) <= low) {
		c->read_paused = 0;
		if (!c->half_closed)
			bufferevent_enable(c->bev, EV_READ);
		client_process_input(c);
	}
	if (c->state == CLIENT_REPLAY && !c->dead && client_queued(c) <= low)
		client_replay_step(c);
}

/*
 * Write what the socket takes.  If it cannot take everything, wait for it
 * with ev_write (the only time a client has a write event armed, so the
 * common case costs one writev and no epoll changes).
 */
void
client_flush(struct client *c)
{
	int	fd;

	if (c->dead)
		return;
	fd = bufferevent_getfd(c->bev);
	if (client_queued(c) > 0 && evbuffer_write(c->out, fd) == -1 &&
	    errno != EAGAIN && errno != EINTR) {
		char why[128];

		snprintf(why, sizeof(why), "write error: %s", strerror(errno));
		client_close(c, why);
		return;
	}
	if (client_queued(c) > 0 && !c->write_armed) {
		if (event_add(c->ev_write, NULL) == -1) {
			client_close(c, "cannot wait for the socket");
			return;
		}
		c->write_armed = 1;
	} else if (client_queued(c) == 0 && c->write_armed) {
		event_del(c->ev_write);
		c->write_armed = 0;
	}
	client_drained(c);
}

static void
client_write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	client_flush(arg);
}

/*
 * The peer shut its side.  If the socket is gone entirely (POLLHUP) the
 * client vanished: close.  If it only shut its write side, it may still
 * be reading: a final unterminated line counts as a request, and a
 * subscriber keeps receiving until a write fails.
 */
static void
client_eof(struct client *c)
{
	struct pollfd	 pfd = { bufferevent_getfd(c->bev), POLLOUT, 0 };
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	char		*line;
	size_t		 len;

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR))) {
		client_close(c, "client went away");
		return;
	}
	c->half_closed = 1;
	bufferevent_disable(c->bev, EV_READ);
	client_process_input(c);
	if (!c->dead && !c->closing && !c->read_paused &&
	    (len = evbuffer_get_length(in)) > 0) {
		/* The input is frozen at its end: no newline can be added. */
		if ((line = (char *)evbuffer_pullup(in, -1)) != NULL &&
		    len <= PROTO_MAX_LINE + 1 && !client_blank(line, len))
			client_handle_line(c, line, len);
		if (!c->dead)
			evbuffer_drain(in, len);
	}
	if (!c->dead && !c->subscribed && !c->read_paused)
		client_close_after_flush(c, "end of requests");
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client	*c = arg;
	char		 why[128];

	(void)bev;
	if (what & BEV_EVENT_EOF) {
		client_eof(c);
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		snprintf(why, sizeof(why), "%s error: %s",
		    (what & BEV_EVENT_WRITING) ? "write" : "read",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		client_close(c, why);
	}
}

/* Who is on the other end: uid and pid from the kernel (SO_PEERCRED). */
static void
client_peercred(struct client *c, int fd)
{
	struct ucred	cred;
	socklen_t	len = sizeof(cred);

	c->uid = (uid_t)-1;
	c->pid = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
		c->uid = cred.uid;
		c->pid = cred.pid;
	}
}

/*
 * A new connection (fd non-blocking, close-on-exec): log who it is and
 * greet it.  NULL on failure, fd then closed.
 */
struct client *
client_new(struct server *s, int fd)
{
	struct client *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return NULL;
	}
	c->srv = s;
	c->id = ++s->next_id;
	client_peercred(c, fd);
	/* The bufferevent reads requests; output is ours (client_flush). */
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->out = evbuffer_new();
	c->ev_write = event_new(s->base, fd, EV_WRITE | EV_PERSIST,
	    client_write_cb, c);
	c->ev_replay = event_new(s->base, -1, 0, client_replay_cb, c);
	if (c->bev == NULL || c->out == NULL || c->ev_write == NULL ||
	    c->ev_replay == NULL) {
		if (c->bev == NULL)
			close(fd);
		client_free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, client_read_cb, NULL, client_event_cb, c);
	if (bufferevent_enable(c->bev, EV_READ) == -1) {
		client_free(c);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&s->clients, c, entry);
	s->nclients++;
	s->counters->subscribers = s->nclients;
	s->counters->subscribers_accepted++;
	log_info("client %llu: connected (uid %ld, pid %ld)",
	    (unsigned long long)c->id, (long)c->uid, (long)c->pid);
	client_send(c, proto_hello(s->session, s->seq, s->lim.heartbeat));
	return c;
}
