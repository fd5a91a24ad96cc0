/*
 * server-fixture.h: what the server's unit tests share: a test-side
 * in-memory delta log with market state as the server's data source (the
 * store's role: commit, then server_publish, as the daemon does), an
 * event_base the test drives itself, and test clients on real Unix
 * sockets.  Everything runs in one process, deterministically.
 */
#ifndef PM_SERVER_FIXTURE_H
#define PM_SERVER_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "date.h"
#include "log.h"
#include "server-int.h"
#include "unit.h"
#include "version.h"

#define NMARKETS	3
#define TIMEOUT_MS	5000

/* The test's store: deltas in seq order and each market's state. */
struct tlog {
	struct delta	*d;
	size_t		 n, cap;
	uint64_t	 seq;		/* last committed */
	uint64_t	 first_kept;	/* deltas below were pruned */
	uint64_t	 as_of;		/* seq the market state includes */
	double		 p[NMARKETS];
	int64_t		 updated[NMARKETS];
	size_t		 title_pad;	/* makes deltas bigger */
};

static const char *const market_ids[NMARKETS] = {
	"ukraine-ceasefire", "ukraine-dmz", "trump-putin-call"
};
static const char *const market_questions[NMARKETS] = {
	"Ceasefire in Ukraine by 2026-06-30?", "Demilitarized zone agreed?",
	"Trump-Putin call held this month?"
};

struct env {
	struct event_base	*base;
	struct config		 cfg;
	struct tlog		 log;
	struct server		*srv;
	char			 dir[64];
	char			 path[128];
	const char		*session;
};

#define TC_HEARTBEAT	"{\"type\":\"heartbeat\","

struct tclient {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
	int	 eof;
	int	 heartbeats;	/* 1: tc_line returns heartbeat lines too */
};

/* ---- the in-memory source ---- */

static inline uint64_t
src_seq(void *arg)
{
	return ((struct env *)arg)->log.seq;
}

static inline int
src_replay(void *arg, uint64_t since, size_t max,
    int (*emit)(void *, const struct delta *, const char *), void *ctx)
{
	struct tlog	*l = &((struct env *)arg)->log;
	size_t		 i, n = 0;

	if (since + 1 < l->first_kept)
		return SERVER_REPLAY_GONE;
	for (i = 0; i < l->n && n < max; i++) {
		if (l->d[i].seq <= since || l->d[i].seq < l->first_kept)
			continue;
		if (emit(ctx, &l->d[i], "old-session") == -1)
			break;
		n++;
	}
	return (int)n;
}

static inline int
src_snapshot(void *arg, int (*emit)(void *, const struct proto_market *),
    void *ctx, uint64_t *as_of)
{
	struct tlog		*l = &((struct env *)arg)->log;
	struct proto_market	 m;

	for (int i = 0; i < NMARKETS; i++) {
		m.id = market_ids[i];
		m.question = market_questions[i];
		m.p = l->p[i];
		m.updated = l->updated[i];
		if (emit(ctx, &m) == -1)
			return -1;
	}
	*as_of = l->as_of;
	return 0;
}

static inline cJSON *
src_markets(void *arg)
{
	cJSON *a = cJSON_CreateArray(), *o;

	(void)arg;
	for (int i = 0; i < NMARKETS; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", market_ids[i]);
		cJSON_AddStringToObject(o, "question", market_questions[i]);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* The daemon's part of "status": eight feeds, the last one failing. */
static inline cJSON *
src_status(void *arg)
{
	cJSON	*o = cJSON_CreateObject(), *feeds, *f;
	char	 name[16];

	(void)arg;
	feeds = cJSON_AddArrayToObject(o, "feeds");
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "feed%d", i);
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "name", name);
		cJSON_AddStringToObject(f, "health", i < 7 ? "ok" : "failing");
		cJSON_AddItemToArray(feeds, f);
	}
	return o;
}

static const struct server_source test_source = {
	src_seq, src_replay, src_snapshot, src_markets, src_status
};

/* Commit one delta for market mi (state and log), without publishing. */
static inline struct delta *
log_commit(struct env *e, int mi)
{
	struct tlog	*l = &e->log;
	struct delta	*d;
	char		 title[4096];
	size_t		 pad = l->title_pad < 4000 ? l->title_pad : 4000;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 256 : l->cap * 2;
		l->d = realloc(l->d, l->cap * sizeof(*l->d));
		ck_assert_ptr_nonnull(l->d);
	}
	d = &l->d[l->n++];
	memset(d, 0, sizeof(*d));
	d->seq = ++l->seq;
	d->ts = 1763510400 + (int64_t)d->seq;
	d->market = strdup(market_ids[mi]);
	d->prev = l->p[mi];
	d->p = l->p[mi] = 0.1 + (double)(d->seq % 80) / 100.0;
	d->cause = DELTA_ARTICLE;
	snprintf(title, sizeof(title), "Headline %llu %.*s",
	    (unsigned long long)d->seq, (int)pad,
	    "................................................................"
	    "................................................................"
	    "................................................................"
	    "................................................................"
	    "................................................................"
	    "................................................................"
	    "................................................................"
	    "................................................................");
	d->article_id = strdup("a");
	d->article_title = strdup(title);
	d->article_url = strdup("https://example.org/a");
	d->article_source = strdup("wire");
	d->article_published = PM_TIME_NONE;
	d->article_first_seen = d->ts;
	d->evidence = strdup("[{\"rule\":\"talks\",\"weight\":0.4}]");
	l->updated[mi] = d->ts;
	l->as_of = d->seq;
	return d;
}

/* Commit and publish, as the daemon does. */
static inline uint64_t
log_publish(struct env *e, int mi)
{
	struct delta *d = log_commit(e, mi);

	server_publish(e->srv, d);
	return d->seq;
}

/* ---- setup ---- */

static inline void
env_config(struct env *e, const char *subscribers)
{
	char	text[1024], err[512];

	snprintf(text, sizeof(text), "{\"feeds\":[{\"name\":\"t\",\"url\":"
	    "\"http://example.org/\"}],\"subscribers\":{%s}}", subscribers);
	config_free(&e->cfg);
	ck_assert_msg(config_parse("test.json", text, strlen(text), &e->cfg,
	    err, sizeof(err)) == 0, "%s", err);
}

static inline void
env_start(struct env *e)
{
	char err[512];

	e->srv = server_new(e->base, &e->cfg, e->path, -1, &test_source, e,
	    e->session, err, sizeof(err));
	ck_assert_msg(e->srv != NULL, "server_new: %s", err);
}

static inline struct env *
env_new(const char *subscribers)
{
	struct env *e = calloc(1, sizeof(*e));

	ck_assert_ptr_nonnull(e);
	/* TEST_LOG=1 shows the server's log while debugging a test. */
	log_init("test-server", getenv("TEST_LOG") != NULL ? LOG_LEVEL_DEBUG :
	    LOG_LEVEL_ERROR);
	snprintf(e->dir, sizeof(e->dir), "/tmp/pmsignal-server.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/s.sock", e->dir);
	e->base = event_base_new();
	ck_assert_ptr_nonnull(e->base);
	e->session = "test-session";
	e->log.first_kept = 1;
	for (int i = 0; i < NMARKETS; i++) {
		e->log.p[i] = 0.5;
		e->log.updated[i] = PM_TIME_NONE;
	}
	env_config(e, subscribers);
	env_start(e);
	return e;
}

static inline void
env_free(struct env *e)
{
	server_free(e->srv);
	event_base_free(e->base);
	config_free(&e->cfg);
	for (size_t i = 0; i < e->log.n; i++)
		delta_free(&e->log.d[i]);
	free(e->log.d);
	unlink(e->path);
	rmdir(e->dir);
	free(e);
}

/* Run the loop for about ms milliseconds. */
static inline void
env_spin(struct env *e, int ms)
{
	double end = server_now() + ms / 1000.0;

	while (server_now() < end) {
		event_base_loop(e->base, EVLOOP_NONBLOCK);
		poll(NULL, 0, 1);
	}
}

/* ---- test clients ---- */

static inline struct tclient *
tc_connect(const char *path)
{
	struct tclient		*t = calloc(1, sizeof(*t));
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };

	ck_assert_ptr_nonnull(t);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	t->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(t->fd, 0);
	ck_assert_msg(connect(t->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0,
	    "connect %s: %s", path, strerror(errno));
	ck_assert_int_eq(fcntl(t->fd, F_SETFL, O_NONBLOCK), 0);
	return t;
}

static inline void
tc_free(struct tclient *t)
{
	if (t->fd >= 0)
		close(t->fd);
	free(t->buf);
	free(t);
}

static inline void
tc_sendn(struct env *e, struct tclient *t, const char *s, size_t len)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < len) {
		n = send(t->fd, s + off, len - off, MSG_NOSIGNAL);
		if (n > 0)
			off += (size_t)n;
		else if (n == -1 && errno == EAGAIN)
			env_spin(e, 1);
		else
			ck_abort_msg("send: %s", strerror(errno));
	}
}

static inline void
tc_send(struct env *e, struct tclient *t, const char *s)
{
	tc_sendn(e, t, s, strlen(s));
}

/* Read what the socket has now; 1 if anything came. */
static inline int
tc_fill(struct tclient *t)
{
	ssize_t n;

	if (t->cap - t->len < 65536) {
		t->cap = t->cap == 0 ? 131072 : t->cap * 2;
		t->buf = realloc(t->buf, t->cap);
		ck_assert_ptr_nonnull(t->buf);
	}
	n = recv(t->fd, t->buf + t->len, t->cap - t->len - 1, MSG_DONTWAIT);
	if (n > 0) {
		t->len += (size_t)n;
		return 1;
	}
	if (n == 0)
		t->eof = 1;
	else if (errno != EAGAIN)
		t->eof = 1;
	return 0;
}

/*
 * The next line (malloc'd, no newline), running the loop while waiting;
 * NULL at EOF or after ms milliseconds.
 */
static inline char *
tc_line_within(struct env *e, struct tclient *t, int ms)
{
	double	 end = server_now() + ms / 1000.0;
	char	*nl, *line;

	for (;;) {
		if (t->len > 0 && (nl = memchr(t->buf, '\n', t->len)) != NULL) {
			size_t n = (size_t)(nl - t->buf);

			line = strndup(t->buf, n);
			memmove(t->buf, nl + 1, t->len - n - 1);
			t->len -= n + 1;
			/*
			 * Heartbeats come every 5 s whatever the test does;
			 * a slow run (valgrind, a loaded machine) sees them
			 * anywhere.  Only heartbeat_sent wants them.
			 */
			if (!t->heartbeats && line != NULL && strncmp(line,
			    TC_HEARTBEAT, sizeof(TC_HEARTBEAT) - 1) == 0) {
				free(line);
				continue;
			}
			return line;
		}
		if (tc_fill(t))
			continue;
		if (t->eof)
			return NULL;
		/* Let the server run at least once, even with ms 0. */
		event_base_loop(e->base, EVLOOP_NONBLOCK);
		if (tc_fill(t))
			continue;
		if (t->eof || server_now() > end)
			return NULL;
		poll(NULL, 0, 1);
	}
}

static inline char *
tc_line(struct env *e, struct tclient *t)
{
	return tc_line_within(e, t, TIMEOUT_MS);
}

/* The next message, which must be of the given type; caller frees. */
static inline cJSON *
tc_expect(struct env *e, struct tclient *t, const char *type)
{
	char	*line = tc_line(e, t);
	cJSON	*o, *ty;

	ck_assert_msg(line != NULL, "expected %s, got %s", type,
	    t->eof ? "EOF" : "nothing");
	o = cJSON_Parse(line);
	ck_assert_msg(o != NULL, "not JSON: %s", line);
	ty = cJSON_GetObjectItem(o, "type");
	ck_assert_msg(cJSON_IsString(ty) && strcmp(ty->valuestring, type) == 0,
	    "expected %s, got %s", type, line);
	free(line);
	return o;
}

static inline double
num(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItem(o, key);

	ck_assert_msg(cJSON_IsNumber(m), "no number %s", key);
	return m->valuedouble;
}

static inline const char *
str(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItem(o, key);

	ck_assert_msg(cJSON_IsString(m), "no string %s", key);
	return m->valuestring;
}

/* Expect a delta with this seq (and market, if not NULL). */
static inline void
tc_expect_delta(struct env *e, struct tclient *t, uint64_t seq,
    const char *market)
{
	cJSON *o = tc_expect(e, t, "delta");

	ck_assert_uint_eq((uint64_t)num(o, "seq"), seq);
	if (market != NULL)
		ck_assert_str_eq(str(o, "market"), market);
	cJSON_Delete(o);
}

static inline void
tc_expect_error(struct env *e, struct tclient *t, const char *code)
{
	cJSON *o = tc_expect(e, t, "error");

	ck_assert_str_eq(str(o, "code"), code);
	ck_assert_str_ne(str(o, "message"), "");
	cJSON_Delete(o);
}

/* Nothing more arrives within ms (and the socket stays open). */
static inline void
tc_expect_quiet(struct env *e, struct tclient *t, int ms)
{
	char *line = tc_line_within(e, t, ms);

	ck_assert_msg(line == NULL, "unexpected: %s", line);
	ck_assert_msg(!t->eof, "unexpected EOF");
}

/* The server closes the connection within the timeout. */
static inline void
tc_expect_eof(struct env *e, struct tclient *t)
{
	char *line = tc_line(e, t);

	ck_assert_msg(line == NULL, "unexpected: %s", line);
	ck_assert_msg(t->eof, "no EOF");
}

/* Connect and read hello. */
static inline struct tclient *
tc_hello(struct env *e)
{
	struct tclient	*t = tc_connect(e->path);
	cJSON		*o = tc_expect(e, t, "hello");

	cJSON_Delete(o);
	return t;
}

/* Connect, subscribe (request given), and read hello + snapshot. */
static inline struct tclient *
tc_subscribed(struct env *e, const char *req)
{
	struct tclient	*t = tc_hello(e);
	cJSON		*o;

	tc_send(e, t, req);
	o = tc_expect(e, t, "snapshot");
	ck_assert_uint_eq((uint64_t)num(o, "as_of_seq"), e->log.seq);
	cJSON_Delete(o);
	return t;
}

#endif
