/*
 * test-poller.c: the feed poller against a real HTTP server on 127.0.0.1
 * (a libevent evhttp server on the same loop, ephemeral ports, one port per
 * "host").  The server records every request and misbehaves on demand:
 * 304s, gzip, 429/503 with Retry-After, 500s, slow drips, oversized bodies,
 * redirect loops, redirects to file://, HTML, empty bodies.
 *
 * Time is shortened with poller_opts.time_unit_ms = 10: a feed with the
 * minimum config interval of 30 s polls every 300 ms (+-10%), backoff and
 * Retry-After shrink alike, and the config validation is unchanged.
 *
 * The "zoo" runs every misbehaving feed at once on one poller, once (an
 * unchecked fixture), next to healthy control feeds; each test then checks
 * one behaviour in the recorded requests and poller state, and
 * control_feeds_on_time checks that none of it delayed the healthy feeds.
 * The lifecycle tests run their own short pollers.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <zlib.h>

#include "config.h"
#include "date.h"
#include "poller-int.h"
#include "poller.h"
#include "unit.h"
#include "version.h"

#define UNIT_MS		10		/* real ms per scheduling second */
#define IVL_MS		300		/* the 30 s interval, scaled */
/*
 * Scheduling slack on a busy machine (a sanitizer build next to the
 * end-to-end tests saw 166 ms).  What the on-time checks guard against, a
 * bad feed holding the loop, costs at least the 700 ms of a low-speed
 * abort, well past the interval plus jitter plus this.
 */
#define TOL_MS		300
#define MAX_PORTS	20
#define MAX_REQS	4096
#define MAX_FEEDS	32
#define MAX_BODY	32768

/* ---- the test server ---- */

struct req {
	char	 path[128];
	int	 port;		/* index into srv.port[] */
	int64_t	 t;		/* ms since t0 */
	int	 status;	/* answered with */
	int	 gzip;		/* body sent gzip-encoded */
	char	 inm[128];	/* If-None-Match */
	char	 ims[64];	/* If-Modified-Since */
	char	 ae[128];	/* Accept-Encoding */
	char	 ua[128];	/* User-Agent */
	int64_t	 closed;	/* drips: ms since t0 the client went away */
};

/* A reply sent later (/slow) or bit by bit (/drip). */
struct later {
	struct server		*srv;
	struct evhttp_request	*req;
	struct event		*ev;
	size_t			 ri;		/* index into srv.reqs */
	size_t			 chunk;		/* drip: bytes per tick */
	int			 ms;		/* drip: tick */
	int			 dead;
	struct later		*next;
};

struct server {
	struct event_base	*base;
	struct evhttp		*http;
	int			 nports;
	int			 port[MAX_PORTS];
	int64_t			 t0;
	struct req		 reqs[MAX_REQS];
	size_t			 nreqs;
	int			 fail500;	/* /500 fails this many times */
	int			 inflight[MAX_PORTS], max_inflight[MAX_PORTS];
	int			 inflight_all, max_inflight_all;
	int			 gate_open;	/* /gate/ replies may go */
	struct later		*laters;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char LASTMOD[] = "Tue, 04 Nov 2025 10:00:00 GMT";

/* A small RSS document of n items, distinct per tag. */
static void
rss_body(char *buf, size_t size, const char *tag, int n)
{
	size_t len;

	len = (size_t)snprintf(buf, size, "<?xml version=\"1.0\"?>\n"
	    "<rss version=\"2.0\"><channel><title>%s desk</title>\n", tag);
	for (int i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len,
		    "<item><guid>%s-%d</guid><title>Bulletin %d from the %s "
		    "desk</title></item>\n", tag, i, i, tag);
	if (len < size)
		snprintf(buf + len, size - len, "</channel></rss>\n");
}

/* gzip in[0..n) into out; returns the compressed length. */
static size_t
gzip_buf(const void *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream	zs;
	size_t		len;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	len = zs.total_out;
	deflateEnd(&zs);
	return len;
}

static void
reply(struct server *srv, struct evhttp_request *req, size_t ri, int code,
    const char *reason, const void *body, size_t len)
{
	struct evbuffer *b = NULL;

	if (body != NULL) {
		ck_assert_ptr_nonnull(b = evbuffer_new());
		ck_assert_int_eq(evbuffer_add(b, body, len), 0);
	}
	srv->reqs[ri].status = code;
	evhttp_send_reply(req, code, reason, b);
	if (b != NULL)
		evbuffer_free(b);
}

static void
header(struct evhttp_request *req, const char *k, const char *v)
{
	ck_assert_int_eq(evhttp_add_header(evhttp_request_get_output_headers(req),
	    k, v), 0);
}

static void
copy_header(struct evhttp_request *req, const char *k, char *dst, size_t n)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(req),
	    k);

	snprintf(dst, n, "%s", v != NULL ? v : "");
}

static struct later *
later_new(struct server *srv, struct evhttp_request *req, size_t ri,
    event_callback_fn cb)
{
	struct later *l = calloc(1, sizeof(*l));

	ck_assert_ptr_nonnull(l);
	l->srv = srv;
	l->req = req;
	l->ri = ri;
	ck_assert_ptr_nonnull(l->ev = evtimer_new(srv->base, cb, l));
	l->next = srv->laters;
	srv->laters = l;
	return l;
}

static void
later_arm(struct later *l, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	ck_assert_int_eq(evtimer_add(l->ev, &tv), 0);
}

/* The client of a dripping reply went away. */
static void
drip_closed(struct evhttp_connection *evcon, void *arg)
{
	struct later *l = arg;

	(void)evcon;
	if (l->dead)
		return;
	l->dead = 1;
	l->srv->reqs[l->ri].closed = mono_ms() - l->srv->t0;
	event_del(l->ev);
	/*
	 * A client that went away leaves the unfinished reply detached from
	 * its connection and ours to end (which frees it); at evhttp_free()
	 * it is still attached and libevent frees it.
	 */
	if (evhttp_request_get_connection(l->req) == NULL)
		evhttp_send_reply_end(l->req);
}

static void
drip_tick(evutil_socket_t fd, short what, void *arg)
{
	struct later	*l = arg;
	struct evbuffer	*b;
	char		 chunk[512];

	(void)fd;
	(void)what;
	if (l->dead)
		return;
	memset(chunk, ' ', sizeof(chunk));
	ck_assert_ptr_nonnull(b = evbuffer_new());
	ck_assert_int_eq(evbuffer_add(b, chunk, l->chunk), 0);
	evhttp_send_reply_chunk(l->req, b);
	evbuffer_free(b);
	if (!l->dead)
		later_arm(l, l->ms);
}

/* Start a reply that never ends: chunk bytes every ms milliseconds. */
static void
drip_start(struct server *srv, struct evhttp_request *req, size_t ri,
    size_t chunk, int ms)
{
	struct later *l = later_new(srv, req, ri, drip_tick);

	l->chunk = chunk;
	l->ms = ms;
	srv->reqs[ri].status = 200;
	header(req, "Content-Type", "application/rss+xml");
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    drip_closed, l);
	evhttp_send_reply_start(req, 200, "OK");
	later_arm(l, ms);
}

static void
slow_done(evutil_socket_t fd, short what, void *arg)
{
	struct later	*l = arg;
	struct server	*srv = l->srv;
	char		 body[1024];
	int		 port = srv->reqs[l->ri].port;

	(void)fd;
	(void)what;
	srv->inflight[port]--;
	srv->inflight_all--;
	rss_body(body, sizeof(body), "slow", 2);
	header(l->req, "Content-Type", "application/rss+xml");
	reply(srv, l->req, l->ri, 200, "OK", body, strlen(body));
}

/* /slow/...: answer after 100 ms; count concurrent requests per port. */
static void
slow_start(struct server *srv, struct evhttp_request *req, size_t ri)
{
	struct later	*l = later_new(srv, req, ri, slow_done);
	int		 port = srv->reqs[ri].port;

	if (++srv->inflight[port] > srv->max_inflight[port])
		srv->max_inflight[port] = srv->inflight[port];
	if (++srv->inflight_all > srv->max_inflight_all)
		srv->max_inflight_all = srv->inflight_all;
	later_arm(l, 100);
}

/* A /gate/ request: answer once the test opens the gate. */
static void
gate_check(evutil_socket_t fd, short what, void *arg)
{
	struct later	*l = arg;
	char		 body[1024];

	(void)fd;
	(void)what;
	if (!l->srv->gate_open) {
		later_arm(l, 10);
		return;
	}
	rss_body(body, sizeof(body), "gate", 3);
	header(l->req, "Content-Type", "application/rss+xml");
	reply(l->srv, l->req, l->ri, 200, "OK", body, strlen(body));
}

/* /ok/TAG: an RSS document with ETag "TAG-v1", 304 when it matches. */
static void
route_ok(struct server *srv, struct evhttp_request *req, size_t ri,
    const char *tag)
{
	char etag[160], body[2048];

	snprintf(etag, sizeof(etag), "\"%s-v1\"", tag);
	header(req, "ETag", etag);
	if (strcmp(srv->reqs[ri].inm, etag) == 0) {
		reply(srv, req, ri, 304, "Not Modified", NULL, 0);
		return;
	}
	header(req, "Content-Type", "application/rss+xml; charset=utf-8");
	rss_body(body, sizeof(body), tag, 3);
	reply(srv, req, ri, 200, "OK", body, strlen(body));
}

static void
route_gzip(struct server *srv, struct evhttp_request *req, size_t ri,
    int bomb)
{
	static char	plain[1024 * 1024];
	unsigned char	z[64 * 1024];
	size_t		n, zn;

	if (bomb) {
		n = sizeof(plain);
		memset(plain, 'a', n);
	} else {
		rss_body(plain, 4096, "gzip", 20);
		n = strlen(plain);
	}
	header(req, "Content-Type", "application/rss+xml");
	if (strstr(srv->reqs[ri].ae, "gzip") == NULL) {
		reply(srv, req, ri, 200, "OK", plain, n);
		return;
	}
	zn = gzip_buf(plain, n, z, sizeof(z));
	header(req, "Content-Encoding", "gzip");
	srv->reqs[ri].gzip = 1;
	reply(srv, req, ri, 200, "OK", z, zn);
}

static void
route_big(struct server *srv, struct evhttp_request *req, size_t ri,
    int chunked)
{
	static char	big[64 * 1024];
	struct evbuffer	*b;

	memset(big, 'x', sizeof(big));
	header(req, "Content-Type", "application/rss+xml");
	if (!chunked) {
		reply(srv, req, ri, 200, "OK", big, sizeof(big));
		return;
	}
	srv->reqs[ri].status = 200;
	evhttp_send_reply_start(req, 200, "OK");
	for (int i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(b = evbuffer_new());
		ck_assert_int_eq(evbuffer_add(b, big, sizeof(big) / 4), 0);
		evhttp_send_reply_chunk(req, b);
		evbuffer_free(b);
	}
	evhttp_send_reply_end(req);
}

/* Retry-After as an HTTP date 120 s ahead. */
static void
route_503_date(struct server *srv, struct evhttp_request *req, size_t ri)
{
	char		date[64];
	time_t		t = time(NULL) + 120;
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	header(req, "Retry-After", date);
	reply(srv, req, ri, 503, "Service Unavailable", "busy", 4);
}

static void
route_redirect(struct server *srv, struct evhttp_request *req, size_t ri,
    const char *to)
{
	header(req, "Location", to);
	reply(srv, req, ri, 302, "Found", "moved", 5);
}

/* Behaviours by path. */
static void
route(struct server *srv, struct evhttp_request *req, size_t ri)
{
	const char *path = srv->reqs[ri].path;

	if (strncmp(path, "/ok/", 4) == 0) {
		route_ok(srv, req, ri, path + 4);
	} else if (strcmp(path, "/same") == 0 ||
	    strcmp(path, "/changing") == 0) {
		char body[2048], tag[32];

		/* No validators: the same document, or a new one each time. */
		snprintf(tag, sizeof(tag), "%s", path[1] == 's' ? "same" :
		    "changing");
		if (path[1] == 'c')
			snprintf(tag, sizeof(tag), "chg%zu", ri);
		header(req, "Content-Type", "application/rss+xml");
		rss_body(body, sizeof(body), tag, 3);
		reply(srv, req, ri, 200, "OK", body, strlen(body));
	} else if (strcmp(path, "/lastmod") == 0) {
		header(req, "Last-Modified", LASTMOD);
		header(req, "Content-Type", "application/rss+xml");
		if (strcmp(srv->reqs[ri].ims, LASTMOD) == 0) {
			reply(srv, req, ri, 304, "Not Modified", NULL, 0);
			return;
		}
		reply(srv, req, ri, 200, "OK", "<rss><channel><item/>"
		    "</channel></rss>", 37);
	} else if (strcmp(path, "/gzip") == 0) {
		route_gzip(srv, req, ri, 0);
	} else if (strcmp(path, "/gzip-bomb") == 0) {
		route_gzip(srv, req, ri, 1);
	} else if (strcmp(path, "/429") == 0) {
		header(req, "Retry-After", "120");
		reply(srv, req, ri, 429, "Too Many Requests", "slow down", 9);
	} else if (strcmp(path, "/429-short") == 0) {
		header(req, "Retry-After", "1");
		reply(srv, req, ri, 429, "Too Many Requests", "slow down", 9);
	} else if (strcmp(path, "/503-date") == 0) {
		route_503_date(srv, req, ri);
	} else if (strcmp(path, "/500") == 0) {
		if (srv->fail500-- > 0)
			reply(srv, req, ri, 500, "Internal Server Error",
			    "oops", 4);
		else
			route_ok(srv, req, ri, "recovered");
	} else if (strcmp(path, "/drip") == 0) {
		drip_start(srv, req, ri, 10, 100);	/* 100 B/s */
	} else if (strcmp(path, "/drip-fast") == 0) {
		drip_start(srv, req, ri, 300, 50);	/* 6000 B/s */
	} else if (strcmp(path, "/big") == 0) {
		route_big(srv, req, ri, 1);
	} else if (strcmp(path, "/big-cl") == 0) {
		route_big(srv, req, ri, 0);
	} else if (strcmp(path, "/loop") == 0) {
		route_redirect(srv, req, ri, "/loop");
	} else if (strcmp(path, "/to-file") == 0) {
		route_redirect(srv, req, ri, "file:///etc/passwd");
	} else if (strcmp(path, "/redirect") == 0) {
		route_redirect(srv, req, ri, "/ok/target");
	} else if (strcmp(path, "/html") == 0) {
		header(req, "Content-Type", "text/html; charset=utf-8");
		header(req, "ETag", "\"html-v1\"");
		reply(srv, req, ri, 200, "OK", "<!DOCTYPE html><html><body>"
		    "Subscribe!</body></html>", 51);
	} else if (strcmp(path, "/huge-header") == 0) {
		static char filler[200 * 1024];

		memset(filler, 'f', sizeof(filler) - 1);
		header(req, "X-Filler", filler);
		route_ok(srv, req, ri, "hdr");
	} else if (strcmp(path, "/empty") == 0) {
		reply(srv, req, ri, 200, "OK", NULL, 0);
	} else if (strncmp(path, "/slow/", 6) == 0) {
		slow_start(srv, req, ri);
	} else if (strncmp(path, "/gate/", 6) == 0) {
		later_arm(later_new(srv, req, ri, gate_check), 10);
	} else {
		reply(srv, req, ri, 404, "Not Found", "no", 2);
	}
}

/* Record the request, then answer it. */
static void
server_cb(struct evhttp_request *req, void *arg)
{
	struct server	*srv = arg;
	struct req	*r;
	const char	*uri = evhttp_request_get_uri(req), *host;
	size_t		 n = strcspn(uri, "?");
	int		 port = 0;

	ck_assert_uint_lt(srv->nreqs, MAX_REQS);
	r = &srv->reqs[srv->nreqs];
	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%.*s", (int)n, uri);
	r->t = mono_ms() - srv->t0;
	r->port = -1;
	host = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Host");
	if (host != NULL && strchr(host, ':') != NULL)
		port = atoi(strchr(host, ':') + 1);
	for (int i = 0; i < srv->nports; i++)
		if (srv->port[i] == port)
			r->port = i;
	copy_header(req, "If-None-Match", r->inm, sizeof(r->inm));
	copy_header(req, "If-Modified-Since", r->ims, sizeof(r->ims));
	copy_header(req, "Accept-Encoding", r->ae, sizeof(r->ae));
	copy_header(req, "User-Agent", r->ua, sizeof(r->ua));
	route(srv, req, srv->nreqs++);
}

static void
server_start(struct server *srv, struct event_base *base, int nports)
{
	struct evhttp_bound_socket	*bs;
	struct sockaddr_in		 sin;
	socklen_t			 len;

	memset(srv, 0, sizeof(*srv));
	srv->base = base;
	srv->nports = nports;
	ck_assert_ptr_nonnull(srv->http = evhttp_new(base));
	evhttp_set_gencb(srv->http, server_cb, srv);
	for (int i = 0; i < nports; i++) {
		ck_assert_ptr_nonnull(bs = evhttp_bind_socket_with_handle(
		    srv->http, "127.0.0.1", 0));
		len = sizeof(sin);
		ck_assert_int_eq(getsockname(evhttp_bound_socket_get_fd(bs),
		    (struct sockaddr *)&sin, &len), 0);
		srv->port[i] = ntohs(sin.sin_port);
	}
	srv->t0 = mono_ms();
}

static void
server_stop(struct server *srv)
{
	struct later *l;

	evhttp_free(srv->http);
	while ((l = srv->laters) != NULL) {
		srv->laters = l->next;
		event_free(l->ev);
		free(l);
	}
}

/* Times (ms since t0) of the requests for path, or on port if path NULL. */
static size_t
req_times(const struct server *srv, const char *path, int port,
    int64_t *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < srv->nreqs && n < max; i++)
		if (path != NULL ? strcmp(srv->reqs[i].path, path) == 0 :
		    srv->reqs[i].port == port)
			out[n++] = srv->reqs[i].t;
	return n;
}

static const struct req *
req_first(const struct server *srv, const char *path)
{
	for (size_t i = 0; i < srv->nreqs; i++)
		if (strcmp(srv->reqs[i].path, path) == 0)
			return &srv->reqs[i];
	return NULL;
}

/* ---- the handler: a stand-in for the feed parser ---- */

struct feedrec {
	char		 name[64];
	int		 bodies;	/* on_body calls */
	int		 accepted;
	char		 body[MAX_BODY + 1];
	size_t		 len;
	char		 ct[128];
	char		 eu[256];
	int		 states;	/* on_state calls */
	char		 etag[128];
	uint32_t	 max_failures;
	int64_t		 retry_until;
};

struct rec {
	struct feedrec	 feeds[MAX_FEEDS];
	int		 nfeeds;
};

static struct feedrec *
rec_feed(struct rec *r, const char *name)
{
	for (int i = 0; i < r->nfeeds; i++)
		if (strcmp(r->feeds[i].name, name) == 0)
			return &r->feeds[i];
	ck_assert_int_lt(r->nfeeds, MAX_FEEDS);
	snprintf(r->feeds[r->nfeeds].name, 64, "%s", name);
	r->feeds[r->nfeeds].retry_until = PM_TIME_NONE;
	return &r->feeds[r->nfeeds++];
}

/*
 * Reject what is plainly not a feed (as the real parser does), otherwise
 * count the items.
 */
static int
on_body(void *arg, const char *name, const char *body, size_t len,
    const char *ct, const char *eu, int64_t now, char *err, size_t errsize)
{
	struct feedrec	*fr = rec_feed(arg, name);
	int		 n = 0;

	ck_assert_int_gt(now, 1700000000);
	ck_assert_uint_eq(strlen(body), len);
	fr->bodies++;
	fr->len = len < MAX_BODY ? len : MAX_BODY;
	memcpy(fr->body, body, fr->len);
	fr->body[fr->len] = '\0';
	snprintf(fr->ct, sizeof(fr->ct), "%s", ct != NULL ? ct : "");
	snprintf(fr->eu, sizeof(fr->eu), "%s", eu);
	if ((ct != NULL && strncmp(ct, "text/html", 9) == 0) ||
	    strncmp(body, "<!DOCTYPE html", 14) == 0) {
		snprintf(err, errsize, "not a feed: HTML page");
		return -1;
	}
	for (const char *s = body; (s = strstr(s, "<item")) != NULL; s++)
		n++;
	fr->accepted++;
	return n;
}

static void
on_state(void *arg, const struct poller_feed_state *st)
{
	struct feedrec *fr = rec_feed(arg, st->name);

	fr->states++;
	snprintf(fr->etag, sizeof(fr->etag), "%s",
	    st->etag != NULL ? st->etag : "");
	if (st->consecutive_failures > fr->max_failures)
		fr->max_failures = st->consecutive_failures;
	if (st->retry_until != PM_TIME_NONE)
		fr->retry_until = st->retry_until;
}

static const struct poller_handler handler = { on_body, on_state };

/* ---- scenarios ---- */

struct scen {
	struct event_base	*base;
	struct server		 srv;
	struct poller		*p;
	struct config		 cfg;
	struct rec		 rec;
	char			 feeds[8192];
	size_t			 flen;
	int64_t			 end;		/* ms since t0 the run ended */
};

/* Add a feed on port index port (interval 30 s unless given). */
static void
scen_feed(struct scen *s, const char *name, int port, const char *path,
    int interval)
{
	s->flen += (size_t)snprintf(s->feeds + s->flen,
	    sizeof(s->feeds) - s->flen,
	    "%s{\"name\":\"%s\",\"url\":\"http://127.0.0.1:%d%s\","
	    "\"interval\":%d}", s->flen > 0 ? "," : "", name,
	    s->srv.port[port], path, interval > 0 ? interval : 30);
	ck_assert_uint_lt(s->flen, sizeof(s->feeds));
}

static void
scen_config(struct scen *s, const char *poll, struct config *cfg)
{
	char text[10000], err[512];

	snprintf(text, sizeof(text), "{\"poll\":{%s},\"feeds\":[%s]}", poll,
	    s->feeds);
	if (config_parse("test.json", text, strlen(text), cfg, err,
	    sizeof(err)) == -1)
		ck_abort_msg("config: %s", err);
}

static void
scen_init(struct scen *s, int nports)
{
	memset(s, 0, sizeof(*s));
	ck_assert_ptr_nonnull(s->base = event_base_new());
	server_start(&s->srv, s->base, nports);
}

static void
scen_poller(struct scen *s, const char *poll, const struct poller_opts *o)
{
	struct poller_opts opts;

	scen_config(s, poll, &s->cfg);
	poller_opts_default(&opts);
	if (o != NULL)
		opts = *o;
	opts.time_unit_ms = UNIT_MS;
	opts.seed = 42;
	ck_assert_ptr_nonnull(s->p = poller_new_opts(s->base, &s->cfg,
	    &handler, &s->rec, &opts));
	s->srv.t0 = mono_ms();
}

/* Run the loop for ms milliseconds. */
static void
scen_run(struct scen *s, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	ck_assert_int_eq(event_base_loopexit(s->base, &tv), 0);
	ck_assert_int_eq(event_base_dispatch(s->base), 0);
	s->end = mono_ms() - s->srv.t0;
}

static void
scen_free(struct scen *s)
{
	poller_free(s->p);
	server_stop(&s->srv);
	config_free(&s->cfg);
	event_base_free(s->base);
}

static struct poller_feed_state
scen_state(struct scen *s, const char *name)
{
	struct poller_feed_state	st[MAX_FEEDS];
	size_t				n;

	n = poller_status(s->p, st, MAX_FEEDS);
	ck_assert_uint_le(n, MAX_FEEDS);
	for (size_t i = 0; i < n; i++)
		if (strcmp(st[i].name, name) == 0)
			return st[i];
	ck_abort_msg("no feed %s", name);
	return st[0];
}

/*
 * The feed on path was polled on time through the run: first poll within
 * the cold-start spread, no gap longer than the interval plus jitter, and
 * the poller saw no lateness beyond the slack.
 */
static void
assert_on_time(struct scen *s, const char *name, const char *path)
{
	int64_t		t[MAX_REQS];
	size_t		n = req_times(&s->srv, path, -1, t, MAX_REQS);
	int64_t		max_gap = IVL_MS * 11 / 10 + TOL_MS;
	struct poller_feed_state st = scen_state(s, name);

	ck_assert_uint_ge(n, (size_t)(s->end / (IVL_MS * 11 / 10)) - 1);
	ck_assert_int_le(t[0], IVL_MS + TOL_MS);
	for (size_t i = 1; i < n; i++)
		if (t[i] - t[i - 1] > max_gap)
			ck_abort_msg("%s: gap of %lld ms before poll %zu", name,
			    (long long)(t[i] - t[i - 1]), i);
	ck_assert_int_le(s->end - t[n - 1], max_gap);
	ck_assert_int_le(st.worst_lateness_ms, TOL_MS);
	ck_assert_uint_eq(st.consecutive_failures, 0);
}

/* ---- the zoo: every misbehaviour at once, run once ---- */

enum {
	H_CTRL, H_ETAG, H_LM, H_GZIP, H_429, H_429S, H_503, H_500, H_DRIP,
	H_TIMEOUT, H_BIG, H_LOOP, H_FILE, H_REDIR, H_HTML, H_EMPTY, H_HDR, H_N
};

static struct scen zoo;
static char zoo_log[64 * 1024];
#define ZOO_MS	3600

static void
zoo_setup(void)
{
	struct poller_opts	opts;
	char			logpath[] = "/tmp/test-poller-log.XXXXXX";
	int			fd, saved;
	ssize_t			n;

	scen_init(&zoo, H_N);
	zoo.srv.fail500 = 3;
	scen_feed(&zoo, "control", H_CTRL, "/ok/control", 0);
	scen_feed(&zoo, "etag", H_ETAG, "/ok/etag", 0);
	scen_feed(&zoo, "lastmod", H_LM, "/lastmod", 0);
	scen_feed(&zoo, "gzip", H_GZIP, "/gzip", 0);
	scen_feed(&zoo, "r429", H_429, "/429", 0);
	scen_feed(&zoo, "sib429", H_429, "/ok/sib429", 0);
	scen_feed(&zoo, "r429short", H_429S, "/429-short", 0);
	scen_feed(&zoo, "r503", H_503, "/503-date", 0);
	scen_feed(&zoo, "e500", H_500, "/500", 0);
	scen_feed(&zoo, "drip", H_DRIP, "/drip", 0);
	scen_feed(&zoo, "sibdrip", H_DRIP, "/ok/sibdrip", 0);
	scen_feed(&zoo, "timeout", H_TIMEOUT, "/drip-fast", 0);
	scen_feed(&zoo, "big", H_BIG, "/big", 0);
	scen_feed(&zoo, "bigcl", H_BIG, "/big-cl", 0);
	scen_feed(&zoo, "bomb", H_BIG, "/gzip-bomb", 0);
	scen_feed(&zoo, "loop", H_LOOP, "/loop", 0);
	scen_feed(&zoo, "tofile", H_FILE, "/to-file", 0);
	scen_feed(&zoo, "redir", H_REDIR, "/redirect", 0);
	scen_feed(&zoo, "html", H_HTML, "/html", 0);
	scen_feed(&zoo, "empty", H_EMPTY, "/empty", 0);
	scen_feed(&zoo, "hugehdr", H_HDR, "/huge-header", 0);

	/* Slow drips are cut after 1 s under 1000 B/s; transfers after 2 s. */
	poller_opts_default(&opts);
	opts.low_speed_limit = 1000;
	opts.low_speed_time = 1;
	fflush(stderr);
	if ((fd = mkstemp(logpath)) == -1 || (saved = dup(2)) == -1 ||
	    dup2(fd, 2) == -1)
		abort();
	scen_poller(&zoo, "\"timeout\":2,\"max_body\":32768", &opts);
	scen_run(&zoo, ZOO_MS);
	fflush(stderr);
	if (dup2(saved, 2) == -1)
		abort();
	close(saved);
	n = pread(fd, zoo_log, sizeof(zoo_log) - 1, 0);
	zoo_log[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(logpath);
}

static void
zoo_teardown(void)
{
	scen_free(&zoo);
}

START_TEST(control_feeds_on_time)
{
	if (unit_timing_skipped("test-poller", "control_feeds_on_time"))
		return;
	/* Its own host, and beside a slow drip on the same host. */
	assert_on_time(&zoo, "control", "/ok/control");
	assert_on_time(&zoo, "sibdrip", "/ok/sibdrip");
	assert_on_time(&zoo, "etag", "/ok/etag");
}
END_TEST

/*
 * The requests for path: the first without a validator and answered 200,
 * every later one carrying validator (If-Modified-Since when ims, else
 * If-None-Match) and answered 304.  At least 5 of them.
 */
static void
assert_conditional(const char *path, int ims, const char *validator)
{
	size_t n = 0;

	for (size_t i = 0; i < zoo.srv.nreqs; i++) {
		const struct req *r = &zoo.srv.reqs[i];

		if (strcmp(r->path, path) != 0)
			continue;
		ck_assert_str_eq(ims ? r->ims : r->inm, n == 0 ? "" : validator);
		ck_assert_int_eq(r->status, n == 0 ? 200 : 304);
		n++;
	}
	ck_assert_uint_ge(n, 5);
}

START_TEST(conditional_get_etag)
{
	struct poller_feed_state	 st = scen_state(&zoo, "etag");
	struct feedrec			*fr = rec_feed(&zoo.rec, "etag");

	assert_conditional("/ok/etag", 0, "\"etag-v1\"");
	ck_assert_int_eq(fr->bodies, 1);	/* 304: nothing to parse */
	ck_assert_str_eq(fr->etag, "\"etag-v1\"");
	ck_assert_int_eq(fr->states, (int)st.polls);
	ck_assert_uint_eq(st.not_modified, st.polls - 1);
	ck_assert_str_eq(st.etag, "\"etag-v1\"");
	ck_assert_int_eq(st.entries_seen, 3);
	ck_assert_ptr_null(st.last_error);
}
END_TEST

START_TEST(conditional_get_last_modified)
{
	struct poller_feed_state st = scen_state(&zoo, "lastmod");

	assert_conditional("/lastmod", 1, LASTMOD);
	ck_assert_str_eq(st.last_modified, LASTMOD);
	ck_assert_ptr_null(st.etag);
	ck_assert_int_eq(rec_feed(&zoo.rec, "lastmod")->bodies, 1);
}
END_TEST

START_TEST(gzip_body_decoded)
{
	const struct req	*r = req_first(&zoo.srv, "/gzip");
	struct feedrec		*fr = rec_feed(&zoo.rec, "gzip");
	char			 plain[4096];

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(strstr(r->ae, "gzip"));
	ck_assert_ptr_nonnull(strstr(r->ae, "deflate"));
	ck_assert_int_eq(r->gzip, 1);
	rss_body(plain, sizeof(plain), "gzip", 20);
	ck_assert_int_ge(fr->accepted, 1);
	ck_assert_uint_eq(fr->len, strlen(plain));
	ck_assert_str_eq(fr->body, plain);
	ck_assert_int_eq(scen_state(&zoo, "gzip").entries_seen, 20);
}
END_TEST

/* After a 429 with Retry-After: 120 (1.2 s here) the host hears nothing. */
START_TEST(retry_after_429_blocks_host)
{
	const struct req		*first = req_first(&zoo.srv, "/429");
	int64_t				 t[MAX_REQS], t429;
	size_t				 n, after = 0;
	struct poller_feed_state	 st = scen_state(&zoo, "r429");

	if (unit_timing_skipped("test-poller", "retry_after_429_blocks_host"))
		return;
	ck_assert_ptr_nonnull(first);
	t429 = first->t;
	n = req_times(&zoo.srv, NULL, H_429, t, MAX_REQS);
	for (size_t i = 0; i < n; i++) {
		if (t[i] > t429 + 50 && t[i] < t429 + 1150)
			ck_abort_msg("host polled %lld ms after its 429",
			    (long long)(t[i] - t429));
		if (t[i] >= t429 + 1150)
			after++;
	}
	ck_assert_uint_ge(after, 1);	/* and it resumes */
	ck_assert_str_eq(st.last_error,
	    "HTTP 429 Too Many Requests, Retry-After 120 s");
	ck_assert_uint_ge(st.consecutive_failures, 2);
	ck_assert_int_gt(rec_feed(&zoo.rec, "r429")->retry_until,
	    1700000000);
	ck_assert_int_eq(rec_feed(&zoo.rec, "r429")->bodies, 0);
	/* The other feed on that host resumed after the block too. */
	ck_assert_uint_ge(scen_state(&zoo, "sib429").polls, 2);
}
END_TEST

/* Feed (on path) polled at least twice, always min_gap ms apart or more. */
static void
assert_spaced(const char *feed, const char *path, int64_t min_gap,
    const char *reason)
{
	int64_t				t[MAX_REQS];
	size_t				n;
	struct poller_feed_state	st = scen_state(&zoo, feed);

	n = req_times(&zoo.srv, path, -1, t, MAX_REQS);
	ck_assert_uint_ge(n, 2);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_ge(t[i] - t[i - 1], min_gap);
	ck_assert_ptr_nonnull(st.last_error);
	ck_assert_msg(strncmp(st.last_error, reason, strlen(reason)) == 0,
	    "%s: last error '%s'", feed, st.last_error);
}

/* Retry-After: 1 is clamped up to 60 s (600 ms here). */
START_TEST(retry_after_clamped)
{
	if (unit_timing_skipped("test-poller", "retry_after_clamped"))
		return;
	assert_spaced("r429short", "/429-short", 590,
	    "HTTP 429 Too Many Requests, Retry-After 60 s");
}
END_TEST

/* An HTTP date 120 s ahead: 119 or 120 s after rounding (1.2 s here). */
START_TEST(retry_after_http_date)
{
	if (unit_timing_skipped("test-poller", "retry_after_http_date"))
		return;
	assert_spaced("r503", "/503-date", 1150,
	    "HTTP 503 Service Unavailable, Retry-After 1");
}
END_TEST

/* 500 three times: 300, 600, 1200 ms apart; then healthy again. */
START_TEST(backoff_grows_and_resets)
{
	int64_t				t[MAX_REQS];
	size_t				n;
	struct poller_feed_state	st = scen_state(&zoo, "e500");
	const int64_t			lo[] = { 270, 540, 1080, 270 };

	if (unit_timing_skipped("test-poller", "backoff_grows_and_resets"))
		return;
	n = req_times(&zoo.srv, "/500", -1, t, MAX_REQS);
	ck_assert_uint_ge(n, 5);
	for (size_t i = 0; i < 4; i++) {
		int64_t gap = t[i + 1] - t[i];

		if (gap < lo[i] - 5 || gap > lo[i] * 11 / 9 + TOL_MS)
			ck_abort_msg("gap %zu: %lld ms, want %lld..%lld", i,
			    (long long)gap, (long long)lo[i],
			    (long long)(lo[i] * 11 / 9));
	}
	ck_assert_uint_eq(rec_feed(&zoo.rec, "e500")->max_failures, 3);
	ck_assert_uint_eq(st.failures, 3);
	ck_assert_uint_eq(st.consecutive_failures, 0);
	ck_assert_str_eq(st.last_error, "HTTP 500 Internal Server Error");
	ck_assert_int_ge(st.last_success, st.last_failure);
	ck_assert_int_ge(st.next_poll, st.last_success);
	ck_assert_int_ge(rec_feed(&zoo.rec, "e500")->accepted, 1);
}
END_TEST

/* Each failure is one log line naming the feed, its URL and the reason. */
START_TEST(failure_log_lines)
{
	char		 want[256];
	int		 lines = 0;
	const char	*s;

	snprintf(want, sizeof(want), "poller: feed e500 "
	    "(http://127.0.0.1:%d/500): HTTP 500 Internal Server Error; "
	    "1 consecutive failure, next poll in ", zoo.srv.port[H_500]);
	ck_assert_msg(strstr(zoo_log, want) != NULL, "no '%s' in:\n%s", want,
	    zoo_log);
	for (s = zoo_log; (s = strstr(s, "poller: feed e500 (")) != NULL; s++)
		lines++;
	ck_assert_int_eq(lines, 3);
	snprintf(want, sizeof(want), "poller: feed drip "
	    "(http://127.0.0.1:%d/drip): Operation too slow.",
	    zoo.srv.port[H_DRIP]);
	ck_assert_msg(strstr(zoo_log, want) != NULL, "no '%s'", want);
	snprintf(want, sizeof(want), "poller: feed html "
	    "(http://127.0.0.1:%d/html): not a feed: HTML page; ",
	    zoo.srv.port[H_HTML]);
	ck_assert_msg(strstr(zoo_log, want) != NULL, "no '%s'", want);
}
END_TEST

/*
 * The first transfer of feed (on path) was cut by the poller between lo
 * and hi ms after the server saw its request (which is a little after
 * curl started the clock), as a failure with reason in last_error.
 */
static void
assert_cut(const char *feed, const char *path, int64_t lo, int64_t hi,
    const char *reason)
{
	const struct req		*r = req_first(&zoo.srv, path);
	struct poller_feed_state	 st = scen_state(&zoo, feed);

	ck_assert_ptr_nonnull(r);
	ck_assert_int_gt(r->closed, 0);
	ck_assert_int_ge(r->closed - r->t, lo);
	ck_assert_int_le(r->closed - r->t, hi);
	ck_assert_ptr_nonnull(strstr(st.last_error, reason));
	ck_assert_uint_ge(st.failures, 1);
	ck_assert_int_eq(rec_feed(&zoo.rec, feed)->bodies, 0);
}

/* 100 B/s against a 1000 B/s floor over 1 s. */
START_TEST(slow_drip_aborted)
{
	if (unit_timing_skipped("test-poller", "slow_drip_aborted"))
		return;
	assert_cut("drip", "/drip", 700, 2500, "Operation too slow");
}
END_TEST

/* 6000 B/s, fast enough, but past the 2 s total timeout. */
START_TEST(total_timeout)
{
	if (unit_timing_skipped("test-poller", "total_timeout"))
		return;
	assert_cut("timeout", "/drip-fast", 1500, 3000, "timed out");
}
END_TEST

START_TEST(oversized_bodies_aborted)
{
	const char *feeds[] = { "big", "bigcl", "bomb" };

	for (size_t i = 0; i < 3; i++) {
		struct poller_feed_state st = scen_state(&zoo, feeds[i]);

		ck_assert_uint_ge(st.failures, 1);
		ck_assert_str_eq(st.last_error,
		    "body larger than max_body (32768 bytes), aborted");
		ck_assert_int_eq(rec_feed(&zoo.rec, feeds[i])->bodies, 0);
	}
	ck_assert_int_eq(req_first(&zoo.srv, "/gzip-bomb")->gzip, 1);
}
END_TEST

START_TEST(redirect_loop)
{
	int64_t				t[MAX_REQS];
	size_t				n;
	struct poller_feed_state	st = scen_state(&zoo, "loop");

	n = req_times(&zoo.srv, "/loop", -1, t, MAX_REQS);
	ck_assert_uint_ge(st.polls, 1);
	ck_assert_uint_eq(st.failures, st.polls);
	/* Each poll: the request and 5 redirects, no more (the run may
	 * have ended inside one). */
	ck_assert_uint_ge(n, 6 * st.polls);
	ck_assert_uint_lt(n, 6 * (st.polls + 1));
	ck_assert_str_eq(st.last_error, "Maximum (5) redirects followed");
}
END_TEST

START_TEST(redirect_to_file_refused)
{
	struct poller_feed_state st = scen_state(&zoo, "tofile");

	ck_assert_uint_ge(st.polls, 2);
	ck_assert_uint_eq(st.failures, st.polls);
	ck_assert_ptr_nonnull(strstr(st.last_error,
	    "Protocol \"file\" not supported"));
	ck_assert_int_eq(rec_feed(&zoo.rec, "tofile")->bodies, 0);
}
END_TEST

START_TEST(redirect_followed)
{
	struct feedrec	*fr = rec_feed(&zoo.rec, "redir");
	char		 want[128];

	snprintf(want, sizeof(want), "http://127.0.0.1:%d/ok/target",
	    zoo.srv.port[H_REDIR]);
	ck_assert_int_eq(fr->accepted, 1);
	ck_assert_str_eq(fr->eu, want);
	ck_assert_ptr_nonnull(strstr(fr->ct, "application/rss+xml"));
	ck_assert_ptr_nonnull(req_first(&zoo.srv, "/ok/target"));
}
END_TEST

/* The handler's refusal is a failure: backoff, and no validators kept. */
START_TEST(html_page_is_a_failure)
{
	struct poller_feed_state	 st = scen_state(&zoo, "html");
	int64_t				 t[MAX_REQS];
	size_t				 n;

	n = req_times(&zoo.srv, "/html", -1, t, MAX_REQS);
	ck_assert_uint_ge(n, 3);
	ck_assert_int_ge(t[2] - t[1], 540);	/* backoff doubled */
	for (size_t i = 0; i < zoo.srv.nreqs; i++)
		if (strcmp(zoo.srv.reqs[i].path, "/html") == 0)
			ck_assert_str_eq(zoo.srv.reqs[i].inm, "");
	ck_assert_str_eq(st.last_error, "not a feed: HTML page");
	ck_assert_uint_eq(st.consecutive_failures, st.polls);
	ck_assert_ptr_null(st.etag);
	ck_assert_int_eq(rec_feed(&zoo.rec, "html")->bodies, (int)st.polls);
	ck_assert_int_eq(rec_feed(&zoo.rec, "html")->accepted, 0);
}
END_TEST

START_TEST(empty_body_is_a_failure)
{
	struct poller_feed_state st = scen_state(&zoo, "empty");

	ck_assert_uint_ge(st.polls, 2);
	ck_assert_uint_eq(st.failures, st.polls);
	ck_assert_str_eq(st.last_error, "empty body (HTTP 200)");
	ck_assert_int_eq(rec_feed(&zoo.rec, "empty")->bodies, 0);
}
END_TEST

/*
 * How each feed's last poll ended, as the daemon counts it in its metrics:
 * the kind of failure from the curl result or the HTTP status, refusals
 * by the handler apart; and the count of failing feeds agrees.
 */
START_TEST(poll_outcomes_classified)
{
	static const struct {
		const char		*feed;
		enum poller_poll	 poll;
		enum metrics_poll_error	 kind;
	} want[] = {
		{ "gzip", POLLER_POLL_OK, 0 },
		{ "control", POLLER_POLL_NOT_MODIFIED, 0 },
		{ "etag", POLLER_POLL_NOT_MODIFIED, 0 },
		{ "r429", POLLER_POLL_FAILED, METRICS_POLL_RATE_LIMITED },
		{ "r503", POLLER_POLL_FAILED, METRICS_POLL_RATE_LIMITED },
		{ "drip", POLLER_POLL_FAILED, METRICS_POLL_TIMEOUT },
		{ "timeout", POLLER_POLL_FAILED, METRICS_POLL_TIMEOUT },
		{ "big", POLLER_POLL_FAILED, METRICS_POLL_TOO_LARGE },
		{ "bigcl", POLLER_POLL_FAILED, METRICS_POLL_TOO_LARGE },
		{ "bomb", POLLER_POLL_FAILED, METRICS_POLL_TOO_LARGE },
		{ "loop", POLLER_POLL_FAILED, METRICS_POLL_REDIRECT },
		{ "tofile", POLLER_POLL_FAILED, METRICS_POLL_REDIRECT },
		{ "html", POLLER_POLL_REFUSED, METRICS_POLL_PARSE },
		{ "empty", POLLER_POLL_FAILED, METRICS_POLL_PARSE },
	};
	struct poller_feed_state	st[MAX_FEEDS];
	size_t				n, failing = 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct poller_feed_state s1 = scen_state(&zoo, want[i].feed);

		ck_assert_msg(s1.last_poll == want[i].poll,
		    "%s: last poll %d, want %d", want[i].feed, s1.last_poll,
		    want[i].poll);
		if (want[i].poll == POLLER_POLL_FAILED ||
		    want[i].poll == POLLER_POLL_REFUSED)
			ck_assert_msg(s1.last_error_kind == want[i].kind,
			    "%s: kind %s, want %s", want[i].feed,
			    metrics_poll_error_name(s1.last_error_kind),
			    metrics_poll_error_name(want[i].kind));
	}
	n = poller_status(zoo.p, st, MAX_FEEDS);
	for (size_t i = 0; i < n; i++)
		failing += st[i].consecutive_failures > 0;
	ck_assert_uint_ge(failing, 10);
	ck_assert_uint_eq(poller_nfailing(zoo.p), failing);
}
END_TEST

/* libcurl 7.x says "Out of memory" for an oversized header line. */
START_TEST(huge_header_named)
{
	struct poller_feed_state st = scen_state(&zoo, "hugehdr");

	ck_assert_uint_ge(st.polls, 2);
	ck_assert_uint_eq(st.failures, st.polls);
	ck_assert_msg(strstr(st.last_error, "header") != NULL &&
	    strstr(st.last_error, "memory") == NULL, "%s", st.last_error);
	ck_assert_int_eq(rec_feed(&zoo.rec, "hugehdr")->bodies, 0);
}
END_TEST

START_TEST(user_agent_default)
{
	ck_assert_uint_gt(zoo.srv.nreqs, 50);
	for (size_t i = 0; i < zoo.srv.nreqs; i++)
		ck_assert_str_eq(zoo.srv.reqs[i].ua,
		    "pmsignald/" PM_VERSION " (+" PM_URL ")");
}
END_TEST

/* ---- lifecycle: each its own poller ---- */

/* per_host_connections 1, max_parallel 2: never more at once. */
START_TEST(connection_caps)
{
	static struct scen s;	/* big: not on the stack */
	const char	*names[] = { "a1", "a2", "a3", "b1", "b2", "b3", "c1" };

	if (unit_timing_skipped("test-poller", "connection_caps"))
		return;
	scen_init(&s, 3);
	for (int i = 0; i < 7; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/slow/%s", names[i]);
		scen_feed(&s, names[i], i / 3, path, 60);
	}
	scen_poller(&s, "\"per_host_connections\":1,\"max_parallel\":2", NULL);
	scen_run(&s, 1800);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(s.srv.max_inflight[i], 1);
	ck_assert_int_eq(s.srv.max_inflight_all, 2);
	for (int i = 0; i < 7; i++) {
		ck_assert_uint_ge(scen_state(&s, names[i]).polls, 2);
		ck_assert_uint_eq(scen_state(&s, names[i]).failures, 0);
	}
	scen_free(&s);
}
END_TEST

/* Validators, next poll and a host's Retry-After come back from the store. */
START_TEST(restored_state)
{
	static struct scen		s;	/* big: not on the stack */
	struct poller_feed_state	st;
	const struct req		*r;
	int64_t				t[64], now = time(NULL);

	if (unit_timing_skipped("test-poller", "restored_state"))
		return;
	scen_init(&s, 3);
	scen_feed(&s, "a", 0, "/ok/a", 0);
	scen_feed(&s, "b", 1, "/ok/b", 0);
	scen_feed(&s, "c", 2, "/ok/c", 0);
	scen_feed(&s, "moved", 0, "/ok/moved", 0);
	scen_poller(&s, "", NULL);

	memset(&st, 0, sizeof(st));
	st.name = "a";
	st.url = s.cfg.feeds[0].url;
	st.etag = "\"a-v1\"";
	st.next_poll = now - 5;		/* overdue: spread like a cold start */
	st.retry_until = PM_TIME_NONE;
	st.consecutive_failures = 2;
	ck_assert_int_eq(poller_set_state(s.p, &st), 0);
	st.name = "b";
	st.url = s.cfg.feeds[1].url;
	st.etag = NULL;
	st.next_poll = now + 70;	/* 700 ms here */
	ck_assert_int_eq(poller_set_state(s.p, &st), 0);
	st.name = "c";
	st.url = s.cfg.feeds[2].url;
	st.next_poll = PM_TIME_NONE;
	st.retry_until = now + 100;	/* host blocked 1 s here */
	ck_assert_int_eq(poller_set_state(s.p, &st), 0);
	st.name = "moved";
	st.url = "http://elsewhere.example/feed";	/* validators void */
	st.etag = "\"moved-v1\"";
	st.retry_until = PM_TIME_NONE;
	ck_assert_int_eq(poller_set_state(s.p, &st), 0);
	st.name = "unknown";
	ck_assert_int_eq(poller_set_state(s.p, &st), -1);
	ck_assert_uint_eq(poller_nfailing(s.p), 4);	/* restored */

	scen_run(&s, 1300);
	r = req_first(&s.srv, "/ok/a");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_le(r->t, IVL_MS + TOL_MS);
	ck_assert_str_eq(r->inm, "\"a-v1\"");
	ck_assert_int_eq(r->status, 304);
	ck_assert_int_eq(rec_feed(&s.rec, "a")->bodies, 0);
	ck_assert_uint_eq(scen_state(&s, "a").consecutive_failures, 0);
	ck_assert_uint_eq(poller_nfailing(s.p), 0);	/* all healthy now */
	ck_assert_uint_ge(req_times(&s.srv, "/ok/b", -1, t, 64), 1);
	ck_assert_int_ge(t[0], 680);
	ck_assert_uint_ge(req_times(&s.srv, "/ok/c", -1, t, 64), 1);
	ck_assert_int_ge(t[0], 980);
	ck_assert_str_eq(req_first(&s.srv, "/ok/moved")->inm, "");
	scen_free(&s);
}
END_TEST

/*
 * A reload keeps unchanged feeds' state, drops removed ones, starts new
 * ones and a changed URL afresh, and applies the new poll settings.
 */
START_TEST(reconfigure_keeps_state)
{
	static struct scen s;	/* big: not on the stack */
	struct config	cfg2;
	int64_t		t[MAX_REQS], t_reload;
	size_t		n, before;

	if (unit_timing_skipped("test-poller", "reconfigure_keeps_state"))
		return;
	scen_init(&s, 2);
	scen_feed(&s, "keep", 0, "/ok/keep", 0);
	scen_feed(&s, "drop", 0, "/ok/drop", 0);
	scen_feed(&s, "move", 1, "/ok/move", 0);
	scen_poller(&s, "", NULL);
	scen_run(&s, 700);
	ck_assert_str_eq(scen_state(&s, "keep").etag, "\"keep-v1\"");
	ck_assert_str_eq(scen_state(&s, "move").etag, "\"move-v1\"");

	s.flen = 0;
	scen_feed(&s, "keep", 0, "/ok/keep", 0);
	scen_feed(&s, "move", 1, "/ok/moved", 0);
	scen_feed(&s, "new", 1, "/ok/new", 0);
	scen_config(&s, "\"user_agent\":\"tester/2\"", &cfg2);
	ck_assert_int_eq(poller_reconfigure(s.p, &cfg2), 0);
	config_free(&s.cfg);
	s.cfg = cfg2;
	t_reload = mono_ms() - s.srv.t0;
	before = s.srv.nreqs;
	scen_run(&s, 700);

	n = req_times(&s.srv, "/ok/drop", -1, t, MAX_REQS);
	ck_assert_uint_ge(n, 1);
	ck_assert_int_le(t[n - 1], t_reload + 20);
	ck_assert_uint_ge(req_times(&s.srv, "/ok/new", -1, t, MAX_REQS), 1);
	/* (A transfer started just before the reload may still arrive.) */
	for (size_t i = before; i < s.srv.nreqs; i++) {
		const struct req *r = &s.srv.reqs[i];

		if (r->t < t_reload + 50)
			continue;
		ck_assert_str_eq(r->ua, "tester/2");
		if (strcmp(r->path, "/ok/keep") == 0)
			ck_assert_str_eq(r->inm, "\"keep-v1\"");
	}
	ck_assert_str_eq(req_first(&s.srv, "/ok/moved")->inm, "");
	ck_assert_uint_eq(poller_status(s.p, NULL, 0), 3);
	ck_assert_uint_ge(scen_state(&s, "keep").not_modified, 2);
	scen_free(&s);
}
END_TEST

/* After poller_stop nothing more is requested; a drip in flight is cut. */
START_TEST(stop_aborts_and_stops)
{
	static struct scen s;	/* big: not on the stack */
	size_t			 before;
	const struct req	*r;

	scen_init(&s, 2);
	scen_feed(&s, "ok", 0, "/ok/x", 0);
	scen_feed(&s, "drip", 1, "/drip", 0);
	scen_poller(&s, "", NULL);
	scen_run(&s, 500);
	r = req_first(&s.srv, "/drip");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->closed, 0);
	poller_stop(s.p);
	before = s.srv.nreqs;
	scen_run(&s, 700);
	ck_assert_uint_eq(s.srv.nreqs, before);
	ck_assert_int_gt(req_first(&s.srv, "/drip")->closed, 0);
	ck_assert_int_eq(scen_state(&s, "drip").in_flight, 0);
	scen_free(&s);
}
END_TEST

/* poller_drain()'s done callback: count it and leave the loop. */
struct drained {
	struct event_base	*base;
	int			 calls;
};

static void
on_drained(void *arg)
{
	struct drained *d = arg;

	d->calls++;
	event_base_loopbreak(d->base);
}

/* Run the loop in steps of 10 ms until a request for path came (or 5 s). */
static const struct req *
scen_wait_request(struct scen *s, const char *path)
{
	const struct req *r;

	for (int i = 0; i < 500 && (r = req_first(&s->srv, path)) == NULL; i++)
		scen_run(s, 10);
	ck_assert_msg(r != NULL, "no request for %s", path);
	return r;
}

/*
 * poller_drain: a transfer in flight finishes and reaches the handler
 * (its outcome recorded) before done is called; nothing new starts.
 */
START_TEST(drain_lets_transfers_finish)
{
	static struct scen	s;	/* big: not on the stack */
	struct drained		d = { NULL, 0 };
	size_t			before;

	scen_init(&s, 1);
	scen_feed(&s, "gated", 0, "/gate/a", 0);
	scen_feed(&s, "idle", 0, "/ok/idle", 3000);
	scen_poller(&s, "", NULL);
	d.base = s.base;
	scen_wait_request(&s, "/gate/a");
	before = s.srv.nreqs;
	poller_drain(s.p, 60000, on_drained, &d);
	scen_run(&s, 200);
	ck_assert_int_eq(d.calls, 0);		/* still in flight */
	ck_assert_int_eq(scen_state(&s, "gated").in_flight, 1);
	s.srv.gate_open = 1;
	scen_run(&s, 5000);			/* loopbreak at done */
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(rec_feed(&s.rec, "gated")->accepted, 1);
	ck_assert_int_eq(scen_state(&s, "gated").in_flight, 0);
	ck_assert_int_eq(scen_state(&s, "gated").last_poll, POLLER_POLL_OK);
	ck_assert_int_eq(scen_state(&s, "gated").entries_seen, 3);
	scen_run(&s, 300);
	ck_assert_uint_eq(s.srv.nreqs, before);	/* nothing new started */
	ck_assert_int_eq(d.calls, 1);
	scen_free(&s);
}
END_TEST

/* At the time limit a transfer still running is abandoned, then done. */
START_TEST(drain_abandons_at_limit)
{
	static struct scen	s;	/* big: not on the stack */
	struct drained		d = { NULL, 0 };

	scen_init(&s, 1);
	scen_feed(&s, "drip", 0, "/drip", 0);
	scen_poller(&s, "", NULL);
	d.base = s.base;
	scen_wait_request(&s, "/drip");
	poller_drain(s.p, 300, on_drained, &d);
	scen_run(&s, 5000);			/* loopbreak at done */
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(rec_feed(&s.rec, "drip")->bodies, 0);
	ck_assert_int_eq(scen_state(&s, "drip").in_flight, 0);
	scen_run(&s, 300);
	ck_assert_int_gt(req_first(&s.srv, "/drip")->closed, 0);
	ck_assert_int_eq(d.calls, 1);
	scen_free(&s);
}
END_TEST

/* poller_stop during a drain ends it at once; nothing in flight: at once. */
START_TEST(drain_ended_by_stop)
{
	static struct scen	s;	/* big: not on the stack */
	struct drained		d = { NULL, 0 }, idle = { NULL, 0 };

	scen_init(&s, 1);
	scen_feed(&s, "drip", 0, "/drip", 0);
	scen_poller(&s, "", NULL);
	d.base = idle.base = s.base;
	scen_wait_request(&s, "/drip");
	poller_drain(s.p, 60000, on_drained, &d);
	scen_run(&s, 100);
	ck_assert_int_eq(d.calls, 0);
	poller_stop(s.p);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(scen_state(&s, "drip").in_flight, 0);
	/* A second drain with nothing in flight ends on the next turn. */
	poller_drain(s.p, 60000, on_drained, &idle);
	ck_assert_int_eq(idle.calls, 0);
	scen_run(&s, 5000);
	ck_assert_int_eq(idle.calls, 1);
	ck_assert_int_eq(d.calls, 1);
	scen_free(&s);
}
END_TEST

/*
 * skip_unchanged: a body the handler took is not handed over again while
 * the server sends it byte for byte (the polls count as successes with its
 * entries); a new body is; a refused one is offered again at every poll.
 */
START_TEST(unchanged_body_not_handed_again)
{
	static struct scen	 s;	/* big: not on the stack */
	struct poller_opts	 opts;
	struct poller_feed_state st;

	scen_init(&s, 3);
	scen_feed(&s, "same", 0, "/same", 0);
	scen_feed(&s, "changing", 1, "/changing", 0);
	scen_feed(&s, "html", 2, "/html", 0);
	poller_opts_default(&opts);
	opts.skip_unchanged = 1;
	scen_poller(&s, "", &opts);
	scen_run(&s, 1500);
	st = scen_state(&s, "same");
	ck_assert_uint_ge(st.polls, 3);
	ck_assert_uint_eq(st.failures, 0);
	ck_assert_int_eq(st.entries_seen, 3);
	ck_assert_int_eq(rec_feed(&s.rec, "same")->bodies, 1);
	st = scen_state(&s, "changing");
	ck_assert_uint_ge(st.polls, 3);
	ck_assert_int_eq(rec_feed(&s.rec, "changing")->bodies, (int)st.polls);
	st = scen_state(&s, "html");
	ck_assert_uint_ge(st.polls, 2);
	ck_assert_int_eq(rec_feed(&s.rec, "html")->bodies, (int)st.polls);
	scen_free(&s);
}
END_TEST

/*
 * Paused (the daemon's database is full), nothing new starts; due feeds
 * wait and start at once on resume.
 */
START_TEST(pause_holds_due_feeds)
{
	static struct scen	s;	/* big: not on the stack */
	size_t			before;
	int64_t			resumed;

	scen_init(&s, 1);
	scen_feed(&s, "a", 0, "/ok/a", 0);
	scen_feed(&s, "b", 0, "/ok/b", 0);
	scen_poller(&s, "", NULL);
	scen_run(&s, 700);
	ck_assert_uint_gt(s.srv.nreqs, 0);
	poller_pause(s.p, 1);
	scen_run(&s, 50);		/* transfers already running finish */
	before = s.srv.nreqs;
	scen_run(&s, 1000);		/* three intervals: both feeds come due */
	ck_assert_uint_eq(s.srv.nreqs, before);
	poller_pause(s.p, 0);
	resumed = mono_ms() - s.srv.t0;
	scen_run(&s, 150);
	ck_assert_uint_ge(s.srv.nreqs, before + 2);
	for (size_t i = before; i < s.srv.nreqs; i++)
		ck_assert_int_ge(s.srv.reqs[i].t, resumed);
	scen_free(&s);
}
END_TEST

/* ---- policy arithmetic ---- */

START_TEST(policy_backoff)
{
	ck_assert_int_eq(poller_backoff(300, 0), 300);
	ck_assert_int_eq(poller_backoff(300, 1), 300);
	ck_assert_int_eq(poller_backoff(300, 2), 600);
	ck_assert_int_eq(poller_backoff(300, 3), 1200);
	ck_assert_int_eq(poller_backoff(300, 7), 19200);
	ck_assert_int_eq(poller_backoff(300, 8), 6 * 3600);
	ck_assert_int_eq(poller_backoff(300, 4000000000u), 6 * 3600);
	ck_assert_int_eq(poller_backoff(86400, 5), 86400);
}
END_TEST

START_TEST(policy_jitter)
{
	uint64_t	a = 7, b = 7, c = 8;
	int64_t		lo = INT64_MAX, hi = 0, sum = 0, v;
	int		differ = 0;

	for (int i = 0; i < 10000; i++) {
		v = poller_jitter(&a, 1000, 0.10);
		ck_assert_int_eq(v, poller_jitter(&b, 1000, 0.10));
		if (v != poller_jitter(&c, 1000, 0.10))
			differ++;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		sum += v;
	}
	ck_assert_int_ge(lo, 900);
	ck_assert_int_le(hi, 1100);
	ck_assert_int_lt(lo, 910);	/* it does spread */
	ck_assert_int_gt(hi, 1090);
	ck_assert_int_gt(sum / 10000, 990);
	ck_assert_int_lt(sum / 10000, 1010);
	ck_assert_int_gt(differ, 9000);
}
END_TEST

START_TEST(policy_retry_after)
{
	int64_t d;

	ck_assert_int_eq(poller_retry_after_parse("120", 0, &d), 0);
	ck_assert_int_eq(d, 120);
	ck_assert_int_eq(poller_retry_after_parse(" 7 ", 0, &d), 0);
	ck_assert_int_eq(d, 7);
	ck_assert_int_eq(poller_retry_after_parse(
	    "Wed, 21 Oct 2015 07:28:00 GMT", 1445412000, &d), 0);
	ck_assert_int_eq(d, 480);	/* 07:28 - 07:20 */
	ck_assert_int_eq(poller_retry_after_parse(
	    "Wednesday, 21-Oct-15 07:28:00 GMT", 1445412000, &d), 0);
	ck_assert_int_eq(d, 480);
	ck_assert_int_eq(poller_retry_after_parse("soon", 0, &d), -1);
	ck_assert_int_eq(poller_retry_after_parse("", 0, &d), -1);
	ck_assert_int_eq(poller_retry_after_clamp(5), 60);
	ck_assert_int_eq(poller_retry_after_clamp(-100), 60);
	ck_assert_int_eq(poller_retry_after_clamp(3600), 3600);
	ck_assert_int_eq(poller_retry_after_clamp(10 * 86400), 86400);
}
END_TEST

START_TEST(policy_host_key)
{
	char k[256];

	ck_assert_int_eq(poller_host_key("HTTP://Example.ORG/rss", k,
	    sizeof(k)), 0);
	ck_assert_str_eq(k, "http://example.org:80");
	ck_assert_int_eq(poller_host_key("https://example.org/a?b", k,
	    sizeof(k)), 0);
	ck_assert_str_eq(k, "https://example.org:443");
	ck_assert_int_eq(poller_host_key("http://127.0.0.1:8080/x", k,
	    sizeof(k)), 0);
	ck_assert_str_eq(k, "http://127.0.0.1:8080");
	ck_assert_int_eq(poller_host_key("http://example.org/", k, 8), -1);
}
END_TEST

static Suite *
poller_suite(void)
{
	Suite	*s = suite_create("poller");
	TCase	*tc;

	tc = tcase_create("policy");
	tcase_add_test(tc, policy_backoff);
	tcase_add_test(tc, policy_jitter);
	tcase_add_test(tc, policy_retry_after);
	tcase_add_test(tc, policy_host_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("zoo");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, zoo_setup, zoo_teardown);
	tcase_add_test(tc, control_feeds_on_time);
	tcase_add_test(tc, conditional_get_etag);
	tcase_add_test(tc, conditional_get_last_modified);
	tcase_add_test(tc, gzip_body_decoded);
	tcase_add_test(tc, retry_after_429_blocks_host);
	tcase_add_test(tc, retry_after_clamped);
	tcase_add_test(tc, retry_after_http_date);
	tcase_add_test(tc, backoff_grows_and_resets);
	tcase_add_test(tc, failure_log_lines);
	tcase_add_test(tc, slow_drip_aborted);
	tcase_add_test(tc, total_timeout);
	tcase_add_test(tc, oversized_bodies_aborted);
	tcase_add_test(tc, redirect_loop);
	tcase_add_test(tc, redirect_to_file_refused);
	tcase_add_test(tc, redirect_followed);
	tcase_add_test(tc, html_page_is_a_failure);
	tcase_add_test(tc, empty_body_is_a_failure);
	tcase_add_test(tc, poll_outcomes_classified);
	tcase_add_test(tc, huge_header_named);
	tcase_add_test(tc, user_agent_default);
	suite_add_tcase(s, tc);

	tc = tcase_create("lifecycle");
	tcase_add_test(tc, unchanged_body_not_handed_again);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, connection_caps);
	tcase_add_test(tc, restored_state);
	tcase_add_test(tc, reconfigure_keeps_state);
	tcase_add_test(tc, stop_aborts_and_stops);
	tcase_add_test(tc, drain_lets_transfers_finish);
	tcase_add_test(tc, drain_abandons_at_limit);
	tcase_add_test(tc, drain_ended_by_stop);
	tcase_add_test(tc, pause_holds_due_feeds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	/* A proxy from the environment must not take the 127.0.0.1 traffic. */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	signal(SIGPIPE, SIG_IGN);
	log_init("test-poller", LOG_LEVEL_INFO);
	return unit_run(poller_suite());
}
