/*
 * server.c: the subscriber server's life cycle: listening, accepting (up
 * to max_clients), publishing deltas to the clients whose markets match,
 * heartbeats, and the once-a-second sweep that enforces output limits.
 * One client's protocol and I/O live in server-client.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "server-int.h"
#include "version.h"

/* Seconds on the monotonic clock: what output limits are timed by. */
double
server_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The limits of cfg; max_clients within the descriptor budget. */
static void
server_limits_from(struct server *s, const struct config *cfg)
{
	struct server_limits *lim = &s->lim;

	lim->max_clients = server_fd_budget(cfg, s->path, lim->max_clients);
	lim->fd_capped = lim->max_clients < (size_t)cfg->max_clients;
	lim->heartbeat = cfg->heartbeat;
	lim->soft_limit = (size_t)cfg->client_soft_limit;
	lim->soft_seconds = (double)cfg->client_soft_seconds;
	lim->hard_limit = (size_t)cfg->client_hard_limit;
	lim->slow_close_seconds = (double)cfg->slow_close_seconds;
}

void
server_set_counters(struct server *s, struct metrics_counters *c)
{
	c->subscribers = s->nclients;
	s->counters = c;
}

size_t
server_nclients(const struct server *s)
{
	return s->nclients;
}

uint64_t
server_seq(const struct server *s)
{
	return s->seq;
}

/*
 * Queue a committed delta for every matching client.  The
 * line is encoded once, whatever the number of subscribers.
 */
void
server_publish(struct server *s, const struct delta *d)
{
	struct route	*r;
	char		*line, *nl;
	size_t		 len;

	if (d->seq <= s->seq && s->published > 0)
		log_warnx("server: delta %llu published after %llu (out of "
		    "order); subscribers past it skip it",
		    (unsigned long long)d->seq, (unsigned long long)s->seq);
	if (d->seq > s->seq)
		s->seq = d->seq;
	s->published++;
	if ((r = server_route(s, d->market)) == NULL || r->n == 0)
		return;
	if ((line = delta_to_json(d, s->session)) == NULL) {
		log_warnx("server: out of memory encoding delta %llu",
		    (unsigned long long)d->seq);
		return;
	}
	len = strlen(line);
	if ((nl = realloc(line, len + 2)) == NULL) {
		free(line);
		log_warnx("server: out of memory encoding delta %llu",
		    (unsigned long long)d->seq);
		return;
	}
	nl[len++] = '\n';
	for (size_t i = 0; i < r->n; i++)
		client_deliver(r->clients[i], d->seq, nl, len);
	free(nl);
}

static void
server_heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*s = arg;
	struct client	*c, *next;
	char		*line, *nl;
	size_t		 len;

	(void)fd;
	(void)what;
	if ((line = proto_heartbeat(s->seq, (int64_t)time(NULL))) == NULL)
		return;
	len = strlen(line);
	if ((nl = realloc(line, len + 2)) == NULL) {
		free(line);
		return;
	}
	nl[len++] = '\n';
	for (c = TAILQ_FIRST(&s->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		client_heartbeat(c, nl, len);
	}
	free(nl);
}

static void
server_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*s = arg;
	struct client	*c, *next;
	double		 now = server_now();

	(void)fd;
	(void)what;
	for (c = TAILQ_FIRST(&s->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		client_sweep(c, now);
	}
}

/* Write the output queued this loop turn, one writev per client. */
static void
server_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*s = arg;
	struct client	*c;

	(void)fd;
	(void)what;
	while ((c = TAILQ_FIRST(&s->flushq)) != NULL) {
		TAILQ_REMOVE(&s->flushq, c, flush_entry);
		c->flush_queued = 0;
		client_flush(c);
	}
}

/* Free the clients closed during the last loop turn. */
static void
server_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*s = arg;
	struct client	*c;

	(void)fd;
	(void)what;
	while ((c = TAILQ_FIRST(&s->zombies)) != NULL) {
		TAILQ_REMOVE(&s->zombies, c, entry);
		client_free(c);
	}
}

/*
 * Turn away a client over max_clients with one error line, written
 * directly (the socket is fresh, so it fits), never blocking.
 */
static void
server_refuse(struct server *s, int fd)
{
	char	msg[160], *line;
	double	now = server_now();

	s->refused++;
	s->counters->subscribers_refused++;
	snprintf(msg, sizeof(msg), "server full: %zu clients connected "
	    "(%s); try again later", s->nclients, s->lim.fd_capped ?
	    "the descriptor limit" : "subscribers.max_clients");
	if ((line = proto_error(PROTO_ERR_FULL, msg)) != NULL) {
		size_t len = strlen(line);

		line[len] = '\n';
		(void)send(fd, line, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		free(line);
	}
	close(fd);
	/* One line per 10 s at most: a reconnect loop must not fill logs. */
	s->refused_unlogged++;
	if (now - s->refused_logged >= 10) {
		log_warnx("socket %s: refused %llu client%s: %zu clients "
		    "connected (%s)", s->path,
		    (unsigned long long)s->refused_unlogged,
		    s->refused_unlogged == 1 ? "" : "s", s->nclients,
		    s->lim.fd_capped ? "the descriptor limit" :
		    "subscribers.max_clients");
		s->refused_logged = now;
		s->refused_unlogged = 0;
	}
}

static void
server_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct server *s = arg;

	(void)l;
	(void)sa;
	(void)socklen;
	if (s->nclients >= s->lim.max_clients) {
		server_refuse(s, fd);
		return;
	}
	if (client_new(s, fd) == NULL)
		log_warnx("socket %s: out of memory accepting a client",
		    s->path);
}

static void
server_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(s->listener);
}

/*
 * accept() failed.  Out of descriptors or memory: pause accepting for a
 * second rather than spin on a listening socket that stays readable.
 */
static void
server_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct server	*s = arg;
	struct timeval	 tv = { 1, 0 };
	int		 e = EVUTIL_SOCKET_ERROR();

	log_warnx("socket %s: accept: %s%s", s->path,
	    evutil_socket_error_to_string(e),
	    e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM ?
	    "; pausing accepts for 1 s" : "");
	if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
		evconnlistener_disable(l);
		evtimer_add(s->ev_resume, &tv);
	}
}

/* "status": the daemon's members, plus the server's and this client's. */
cJSON *
server_status(struct server *s, const struct client *c)
{
	cJSON	*o, *sub;

	o = s->src->status != NULL ? s->src->status(s->arg) : NULL;
	if (o == NULL && (o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "version", PM_VERSION) == NULL ||
	    cJSON_AddStringToObject(o, "session", s->session) == NULL ||
	    cJSON_AddNumberToObject(o, "seq", (double)s->seq) == NULL ||
	    cJSON_AddNumberToObject(o, "uptime",
	    (double)(int64_t)(server_now() - s->started)) == NULL ||
	    (sub = cJSON_AddObjectToObject(o, "subscribers")) == NULL ||
	    cJSON_AddStringToObject(sub, "socket", s->path) == NULL ||
	    cJSON_AddNumberToObject(sub, "clients", (double)s->nclients) == NULL ||
	    cJSON_AddNumberToObject(sub, "max_clients",
	    (double)s->lim.max_clients) == NULL ||
	    cJSON_AddNumberToObject(sub, "published", (double)s->published) ==
	    NULL ||
	    cJSON_AddNumberToObject(sub, "refused", (double)s->refused) == NULL ||
	    cJSON_AddNumberToObject(sub, "slow_consumers_closed",
	    (double)s->slow_closed) == NULL ||
	    !cJSON_AddItemToObject(o, "client", client_status(c))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Ignore SIGPIPE if nobody decided otherwise: a vanished reader must not
 * kill the daemon (libevent writes with writev, not MSG_NOSIGNAL). */
static int
server_ignore_sigpipe(char *err, size_t errsize)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa) == -1)
		goto fail;
	if (sa.sa_handler != SIG_DFL)
		return 0;
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, errsize, "sigaction(SIGPIPE): %s", strerror(errno));
	return -1;
}

/* A socket handed over (systemd) must be a listening stream socket. */
static int
server_check_fd(const char *path, int fd, char *err, size_t errsize)
{
	int		on = 0, type = 0;
	socklen_t	len = sizeof(on), tlen = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1) {
		snprintf(err, errsize, "socket %s (fd %d): %s", path, fd,
		    strerror(errno));
		return -1;
	}
	if (!on || type != SOCK_STREAM) {
		snprintf(err, errsize, "socket %s (fd %d): not a listening "
		    "stream socket", path, fd);
		return -1;
	}
	return 0;
}

static int
server_start_timers(struct server *s)
{
	struct timeval hb = { (time_t)s->lim.heartbeat, 0 }, sec = { 1, 0 };

	s->ev_heartbeat = event_new(s->base, -1, EV_PERSIST,
	    server_heartbeat_cb, s);
	s->ev_sweep = event_new(s->base, -1, EV_PERSIST, server_sweep_cb, s);
	s->ev_reap = event_new(s->base, -1, 0, server_reap_cb, s);
	s->ev_flush = event_new(s->base, -1, 0, server_flush_cb, s);
	s->ev_resume = evtimer_new(s->base, server_resume_cb, s);
	if (s->ev_heartbeat == NULL || s->ev_sweep == NULL ||
	    s->ev_reap == NULL || s->ev_flush == NULL || s->ev_resume == NULL ||
	    event_add(s->ev_heartbeat, &hb) == -1 ||
	    event_add(s->ev_sweep, &sec) == -1)
		return -1;
	return 0;
}

/* Bind (or adopt) the socket and hand it to an evconnlistener. */
static int
server_listen(struct server *s, const struct config *cfg, int listen_fd,
    char *err, size_t errsize)
{
	int fd = listen_fd;

	if (fd >= 0) {
		/* libevent accepts until EAGAIN: a blocking socket (systemd's
		 * default) would hang the loop on the second accept. */
		if (server_check_fd(s->path, fd, err, errsize) == -1)
			return -1;
		if (evutil_make_socket_nonblocking(fd) == -1 ||
		    evutil_make_socket_closeonexec(fd) == -1) {
			snprintf(err, errsize, "socket %s (fd %d): cannot make "
			    "it non-blocking", s->path, fd);
			return -1;
		}
	} else {
		fd = server_socket_bind(s->path, cfg->socket_mode,
		    cfg->socket_group, &s->path_dev, &s->path_ino, err,
		    errsize);
		if (fd == -1)
			return -1;
		s->own_path = 1;
	}
	s->listener = evconnlistener_new(s->base, server_accept_cb, s,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (s->listener == NULL) {
		snprintf(err, errsize, "socket %s: cannot listen on the event "
		    "loop", s->path);
		if (s->own_path)
			close(fd);
		return -1;
	}
	evconnlistener_set_error_cb(s->listener, server_accept_error_cb);
	return 0;
}

struct server *
server_new(struct event_base *base, const struct config *cfg,
    const char *socket_path, int listen_fd, const struct server_source *src,
    void *arg, const char *session, char *err, size_t errsize)
{
	struct server *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errsize, "server: out of memory");
		return NULL;
	}
	s->base = base;
	s->counters = &s->own_counters;
	s->src = src;
	s->arg = arg;
	TAILQ_INIT(&s->clients);
	TAILQ_INIT(&s->zombies);
	TAILQ_INIT(&s->flushq);
	s->started = server_now();
	s->seq = src->seq != NULL ? src->seq(arg) : 0;
	if ((s->session = strdup(session)) == NULL ||
	    (s->path = strdup(socket_path)) == NULL) {
		snprintf(err, errsize, "server: out of memory");
		goto fail;
	}
	server_limits_from(s, cfg);
	if (server_ignore_sigpipe(err, errsize) == -1 ||
	    server_listen(s, cfg, listen_fd, err, errsize) == -1)
		goto fail;
	if (server_start_timers(s) == -1) {
		snprintf(err, errsize, "server: cannot create its timers");
		goto fail;
	}
	log_info("socket %s: listening (%s, max %zu clients, seq %llu)",
	    s->path, listen_fd >= 0 ? "socket from systemd" : "created",
	    s->lim.max_clients, (unsigned long long)s->seq);
	return s;
fail:
	server_free(s);
	return NULL;
}

void
server_reconfigure(struct server *s, const struct config *cfg)
{
	struct timeval hb = { (time_t)cfg->heartbeat, 0 };

	server_limits_from(s, cfg);
	if (event_add(s->ev_heartbeat, &hb) == -1)
		log_warnx("server: cannot reschedule heartbeats");
}

void
server_bye_all(struct server *s, const char *reason)
{
	struct client *c, *next;

	if (s->listener != NULL)
		evconnlistener_disable(s->listener);
	for (c = TAILQ_FIRST(&s->clients); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		client_bye(c, reason);
	}
}

void
server_free(struct server *s)
{
	struct client *c;

	if (s == NULL)
		return;
	while ((c = TAILQ_FIRST(&s->clients)) != NULL) {
		TAILQ_REMOVE(&s->clients, c, entry);
		client_free(c);
	}
	while ((c = TAILQ_FIRST(&s->zombies)) != NULL) {
		TAILQ_REMOVE(&s->zombies, c, entry);
		client_free(c);
	}
	server_routes_clear(s);
	if (s->listener != NULL)
		evconnlistener_free(s->listener);
	if (s->own_path)
		server_socket_unlink(s->path, s->path_dev, s->path_ino);
	if (s->ev_heartbeat != NULL)
		event_free(s->ev_heartbeat);
	if (s->ev_sweep != NULL)
		event_free(s->ev_sweep);
	if (s->ev_reap != NULL)
		event_free(s->ev_reap);
	if (s->ev_flush != NULL)
		event_free(s->ev_flush);
	if (s->ev_resume != NULL)
		event_free(s->ev_resume);
	free(s->session);
	free(s->path);
	free(s);
}
