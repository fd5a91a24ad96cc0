/*
 * metrics-http.c: the loopback HTTP listener that serves GET /metrics
 * (libevent's evhttp), and the timer that measures event-loop lag.  The
 * listener only ever binds what loopback_parse accepts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>

#include <event2/http.h>

#include "log.h"
#include "loopback.h"
#include "metrics.h"

#define METRICS_HTTP_TIMEOUT	10	/* seconds per request */

struct metrics {
	struct event_base		*base;
	struct metrics_counters		*c;

	struct event			*ev_lag;
	struct timespec			 lag_due;	/* when it should fire */

	struct evhttp			*http;		/* NULL: not listening */
	struct loopback_addr		 addr;		/* what http is bound to */
	unsigned			 port;		/* the bound port */
};

static double
metrics_ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) +
	    (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

/* Arm the lag timer and note when it is due. */
static int
metrics_lag_arm(struct metrics *m)
{
	struct timeval tv = { METRICS_LAG_INTERVAL_MS / 1000,
	    (METRICS_LAG_INTERVAL_MS % 1000) * 1000 };

	if (clock_gettime(CLOCK_MONOTONIC, &m->lag_due) == -1) {
		log_warn("metrics: clock_gettime");
		return -1;
	}
	m->lag_due.tv_sec += tv.tv_sec;
	m->lag_due.tv_nsec += tv.tv_usec * 1000L;
	if (m->lag_due.tv_nsec >= 1000000000L) {
		m->lag_due.tv_sec++;
		m->lag_due.tv_nsec -= 1000000000L;
	}
	if (evtimer_add(m->ev_lag, &tv) == -1) {
		log_warnx("metrics: cannot arm the loop-lag timer");
		return -1;
	}
	return 0;
}

/* Timer: how late are we?  A busy or blocked loop shows up here. */
static void
metrics_lag_cb(evutil_socket_t fd, short what, void *arg)
{
	struct metrics	*m = arg;
	struct timespec	 now;

	(void)fd;
	(void)what;
	if (clock_gettime(CLOCK_MONOTONIC, &now) == 0)
		metrics_loop_lag(m->c, metrics_ts_diff(&now, &m->lag_due));
	metrics_lag_arm(m);
}

struct metrics *
metrics_new(struct event_base *base, struct metrics_counters *c)
{
	struct metrics *m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_warn("metrics");
		return NULL;
	}
	m->base = base;
	m->c = c;
	if ((m->ev_lag = evtimer_new(base, metrics_lag_cb, m)) == NULL ||
	    metrics_lag_arm(m) == -1) {
		log_warnx("metrics: cannot create the loop-lag timer");
		metrics_free(m);
		return NULL;
	}
	return m;
}

/* Only GET and HEAD are served; anything else gets 405 and Allow. */
static int
metrics_http_method_ok(struct evhttp_request *req)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

	if (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD)
		return 1;
	if (evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    "GET, HEAD") == -1)
		log_warnx("metrics: out of memory");
	evhttp_send_error(req, 405, "Method Not Allowed");
	return 0;
}

/* GET /metrics: the counters as Prometheus text. */
static void
metrics_http_cb(struct evhttp_request *req, void *arg)
{
	struct metrics	*m = arg;
	struct evbuffer	*body;

	if (!metrics_http_method_ok(req))
		return;
	if ((body = evbuffer_new()) == NULL ||
	    metrics_render(m->c, body) == -1) {
		log_warnx("metrics: out of memory rendering /metrics");
		if (body != NULL)
			evbuffer_free(body);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	if (evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8") == -1) {
		evbuffer_free(body);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evhttp_send_reply(req, HTTP_OK, "OK", body);
	evbuffer_free(body);
}

/* Any other path. */
static void
metrics_http_notfound_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	if (metrics_http_method_ok(req))
		evhttp_send_error(req, HTTP_NOTFOUND, NULL);
}

/* The port an evhttp socket actually got (the spec may say 0). */
static unsigned
metrics_bound_port(struct evhttp_bound_socket *bound)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/* A new evhttp bound to addr, or NULL with the reason logged. */
static struct evhttp *
metrics_http_open(struct metrics *m, const struct loopback_addr *addr,
    unsigned *port)
{
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;

	if ((http = evhttp_new(m->base)) == NULL) {
		log_warnx("metrics: evhttp_new failed");
		return NULL;
	}
	/* Parse every method, so that the callbacks can answer 405. */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_timeout(http, METRICS_HTTP_TIMEOUT);
	evhttp_set_max_headers_size(http, 8192);
	evhttp_set_max_body_size(http, 1024);
	evhttp_set_gencb(http, metrics_http_notfound_cb, m);
	if (evhttp_set_cb(http, "/metrics", metrics_http_cb, m) != 0) {
		log_warnx("metrics: cannot register /metrics");
		evhttp_free(http);
		return NULL;
	}
	errno = 0;
	if ((bound = evhttp_bind_socket_with_handle(http, addr->host,
	    (ev_uint16_t)addr->port)) == NULL) {
		log_warnx("metrics: cannot listen on %s port %u: %s", addr->host,
		    addr->port, errno != 0 ? strerror(errno) : "bind failed");
		evhttp_free(http);
		return NULL;
	}
	*port = metrics_bound_port(bound);
	return http;
}

static void
metrics_http_close(struct metrics *m)
{
	if (m->http == NULL)
		return;
	evhttp_free(m->http);
	m->http = NULL;
	m->port = 0;
	memset(&m->addr, 0, sizeof(m->addr));
}

int
metrics_listen(struct metrics *m, const char *spec)
{
	struct loopback_addr	 addr;
	struct evhttp		*http;
	unsigned		 port;
	char			 err[256];

	if (spec == NULL) {
		if (m->http != NULL)
			log_info("metrics: listener on %s port %u closed",
			    m->addr.host, m->port);
		metrics_http_close(m);
		return 0;
	}
	if (loopback_parse(spec, &addr, err, sizeof(err)) == -1) {
		log_warnx("metrics: metrics_listen %s", err);
		return -1;
	}
	/* Unchanged (same host, same requested or bound port): keep it. */
	if (m->http != NULL && strcmp(addr.host, m->addr.host) == 0 &&
	    (addr.port == m->addr.port || addr.port == m->port))
		return 0;
	if ((http = metrics_http_open(m, &addr, &port)) == NULL)
		return -1;
	metrics_http_close(m);
	m->http = http;
	m->addr = addr;
	m->port = port;
	log_info("metrics: listening on http://%s%s%s:%u/metrics",
	    strchr(addr.host, ':') != NULL ? "[" : "", addr.host,
	    strchr(addr.host, ':') != NULL ? "]" : "", port);
	return 0;
}

unsigned
metrics_port(const struct metrics *m)
{
	return m->port;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	metrics_http_close(m);
	if (m->ev_lag != NULL)
		event_free(m->ev_lag);
	free(m);
}
