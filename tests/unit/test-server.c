/*
 * test-server.c: the subscriber server on a real event_base with real
 * Unix-socket clients and an in-memory delta log as its source
 * (server-fixture.h).
 */
#include "server-fixture.h"

/* ---- tests ---- */

START_TEST(hello_ping_status_markets)
{
	struct env	*e = env_new("");
	struct tclient	*t;
	cJSON		*o, *c;

	log_publish(e, 0);
	log_publish(e, 1);
	t = tc_connect(e->path);
	o = tc_expect(e, t, "hello");
	ck_assert_int_eq((int)num(o, "protocol"), PM_PROTOCOL);
	ck_assert_str_eq(str(o, "session"), "test-session");
	ck_assert_str_eq(str(o, "version"), PM_VERSION);
	ck_assert_uint_eq((uint64_t)num(o, "seq"), 2);
	ck_assert_int_eq((int)num(o, "heartbeat"), 5);
	cJSON_Delete(o);

	tc_send(e, t, "{\"op\":\"ping\"}\n");
	o = tc_expect(e, t, "pong");
	ck_assert_uint_eq((uint64_t)num(o, "seq"), 2);
	cJSON_Delete(o);

	tc_send(e, t, "{\"op\":\"status\"}\n");
	o = tc_expect(e, t, "status");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "feeds")),
	    8);
	ck_assert_uint_eq((uint64_t)num(o, "seq"), 2);
	c = cJSON_GetObjectItem(o, "subscribers");
	ck_assert_int_eq((int)num(c, "clients"), 1);
	ck_assert_int_eq((int)num(c, "max_clients"), 1024);
	ck_assert_str_eq(str(c, "socket"), e->path);
	c = cJSON_GetObjectItem(o, "client");
	ck_assert_str_eq(str(c, "state"), "idle");
	cJSON_Delete(o);

	tc_send(e, t, "{\"op\":\"markets\"}\n");
	o = tc_expect(e, t, "markets");
	c = cJSON_GetObjectItem(o, "markets");
	ck_assert_int_eq(cJSON_GetArraySize(c), NMARKETS);
	ck_assert_str_eq(str(cJSON_GetArrayItem(c, 2), "id"), "trump-putin-call");
	cJSON_Delete(o);

	/* A snapshot without subscribing: every market, as of seq 2. */
	tc_send(e, t, "{\"op\":\"snapshot\"}\n");
	o = tc_expect(e, t, "snapshot");
	ck_assert_uint_eq((uint64_t)num(o, "as_of_seq"), 2);
	c = cJSON_GetObjectItem(o, "markets");
	ck_assert_int_eq(cJSON_GetArraySize(c), NMARKETS);
	ck_assert_str_eq(str(cJSON_GetArrayItem(c, 0), "updated"),
	    "2025-11-19T00:00:01Z");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(c, 2),
	    "updated")));
	cJSON_Delete(o);
	/* Not subscribed: publishing sends nothing. */
	log_publish(e, 0);
	tc_expect_quiet(e, t, 50);
	tc_free(t);
	env_free(e);
}
END_TEST

START_TEST(subscribe_filters)
{
	struct env	*e = env_new("");
	struct tclient	*a, *b, *all;
	cJSON		*o, *m;
	uint64_t	 s0, s1, s2, s3;

	log_publish(e, 0);
	a = tc_hello(e);
	tc_send(e, a, "{\"op\":\"subscribe\",\"markets\":[\"ukraine-*\"]}\n");
	o = tc_expect(e, a, "snapshot");
	m = cJSON_GetObjectItem(o, "markets");
	ck_assert_int_eq(cJSON_GetArraySize(m), 2);
	ck_assert_str_eq(str(cJSON_GetArrayItem(m, 0), "id"), "ukraine-ceasefire");
	ck_assert_str_eq(str(cJSON_GetArrayItem(m, 1), "id"), "ukraine-dmz");
	ck_assert_uint_eq((uint64_t)num(o, "as_of_seq"), 1);
	cJSON_Delete(o);
	b = tc_hello(e);
	tc_send(e, b, "{\"op\":\"subscribe\",\"markets\":[\"trump-putin-call\"]}\n");
	o = tc_expect(e, b, "snapshot");
	m = cJSON_GetObjectItem(o, "markets");
	ck_assert_int_eq(cJSON_GetArraySize(m), 1);
	ck_assert_str_eq(str(cJSON_GetArrayItem(m, 0), "id"), "trump-putin-call");
	cJSON_Delete(o);
	all = tc_subscribed(e, "{\"op\":\"subscribe\"}\n");

	s0 = log_publish(e, 2);
	s1 = log_publish(e, 0);
	s2 = log_publish(e, 1);
	s3 = log_publish(e, 2);
	tc_expect_delta(e, a, s1, "ukraine-ceasefire");
	tc_expect_delta(e, a, s2, "ukraine-dmz");
	tc_expect_quiet(e, a, 50);
	tc_expect_delta(e, b, s0, "trump-putin-call");
	tc_expect_delta(e, b, s3, "trump-putin-call");
	tc_expect_quiet(e, b, 50);
	tc_expect_delta(e, all, s0, NULL);
	tc_expect_delta(e, all, s1, NULL);
	tc_expect_delta(e, all, s2, NULL);
	o = tc_expect(e, all, "delta");
	ck_assert_uint_eq((uint64_t)num(o, "seq"), s3);
	ck_assert_str_eq(str(o, "session"), "test-session");
	ck_assert_str_eq(str(o, "cause"), "article");
	cJSON_Delete(o);

	/* A second subscribe replaces the first. */
	tc_send(e, a, "{\"op\":\"subscribe\",\"markets\":[\"*-call\"]}\n");
	cJSON_Delete(tc_expect(e, a, "snapshot"));
	s0 = log_publish(e, 0);
	s1 = log_publish(e, 2);
	tc_expect_delta(e, a, s1, "trump-putin-call");
	tc_expect_quiet(e, a, 50);
	tc_free(a);
	tc_free(b);
	tc_free(all);
	env_free(e);
}
END_TEST

START_TEST(resume_since)
{
	struct env	*e = env_new("");
	struct tclient	*t;
	uint64_t	 last, i;
	cJSON		*o;
	char		 req[128];

	t = tc_subscribed(e, "{\"op\":\"subscribe\"}\n");
	for (i = 0; i < 5; i++)
		log_publish(e, (int)(i % NMARKETS));
	for (i = 1; i <= 5; i++)
		tc_expect_delta(e, t, i, NULL);
	last = 5;
	tc_free(t);
	env_spin(e, 20);
	ck_assert_uint_eq(server_nclients(e->srv), 0);
	/* Missed while away. */
	for (i = 0; i < 7; i++)
		log_publish(e, (int)(i % NMARKETS));

	t = tc_hello(e);
	snprintf(req, sizeof(req), "{\"op\":\"subscribe\",\"since\":%llu}\n",
	    (unsigned long long)last);
	tc_send(e, t, req);
	/* Exactly the missed ones, no snapshot, then live. */
	for (i = 6; i <= 12; i++) {
		o = tc_expect(e, t, "delta");
		ck_assert_uint_eq((uint64_t)num(o, "seq"), i);
		/* A replayed delta keeps the session that published it. */
		ck_assert_str_eq(str(o, "session"), "old-session");
		cJSON_Delete(o);
	}
	tc_expect_quiet(e, t, 30);
	log_publish(e, 1);
	tc_expect_delta(e, t, 13, "ukraine-dmz");
	tc_expect_quiet(e, t, 30);
	tc_free(t);

	/* Resume with a filter: only the missed deltas that match. */
	t = tc_hello(e);
	tc_send(e, t, "{\"op\":\"subscribe\",\"markets\":[\"ukraine-dmz\"],"
	    "\"since\":6}\n");
	for (i = 7; i <= 13; i++)
		if (strcmp(e->log.d[i - 1].market, "ukraine-dmz") == 0)
			tc_expect_delta(e, t, i, "ukraine-dmz");
	tc_expect_quiet(e, t, 30);
	/* since = the current seq: nothing to replay, straight to live. */
	tc_send(e, t, "{\"op\":\"subscribe\",\"since\":13}\n");
	tc_expect_quiet(e, t, 30);
	log_publish(e, 0);
	tc_expect_delta(e, t, 14, NULL);
	tc_free(t);
	env_free(e);
}
END_TEST

/* Publish deltas committed earlier (the store-then-publish lag). */
static void
publish_pending(struct env *e, uint64_t *pending, int *npending)
{
	for (int i = 0; i < *npending; i++)
		server_publish(e->srv, &e->log.d[pending[i] - 1]);
	*npending = 0;
}

/*
 * The seam: a long replay runs over many loop turns while new deltas are
 * committed and published, and others are committed some time before
 * they are published.  The client must see every seq exactly once.
 */
START_TEST(replay_seam)
{
	struct env	*e = env_new("");
	struct tclient	*t, *t2;
	struct client	*c;
	uint64_t	 expect = 1, total, pending[2], p1, p2;
	int		 got = 0, npending = 0, live_during_replay = 0;
	char		*line, req[80];
	cJSON		*o;

	e->log.title_pad = 200;
	for (int i = 0; i < 3000; i++)
		log_publish(e, i % NMARKETS);
	t = tc_hello(e);
	c = TAILQ_FIRST(&e->srv->clients);
	tc_send(e, t, "{\"op\":\"subscribe\",\"since\":0}\n");
	for (;;) {
		if (expect > e->log.seq) {	/* has all that is stored */
			if (npending == 0)
				break;
			publish_pending(e, pending, &npending);
			continue;
		}
		line = tc_line(e, t);
		ck_assert_msg(line != NULL, "stalled before seq %llu",
		    (unsigned long long)expect);
		o = cJSON_Parse(line);
		free(line);
		ck_assert_str_eq(str(o, "type"), "delta");
		ck_assert_uint_eq((uint64_t)num(o, "seq"), expect);
		cJSON_Delete(o);
		expect++;
		if (++got % 50 != 0)
			continue;
		if (npending > 0)
			publish_pending(e, pending, &npending);
		else if (c->state == CLIENT_REPLAY) {
			for (int i = 0; i < 3; i++)
				log_publish(e, i);
			live_during_replay += 3;
			for (npending = 0; npending < 2; npending++)
				pending[npending] = log_commit(e, npending)->seq;
		}
	}
	/* Published during the replay, which therefore spanned loop turns. */
	ck_assert_int_gt(live_during_replay, 30);
	tc_expect_quiet(e, t, 50);
	ck_assert_int_eq(c->state, CLIENT_LIVE);
	total = e->log.seq;

	/* Committed, replayed to a new client, published after: once only. */
	p1 = log_commit(e, 0)->seq;
	p2 = log_commit(e, 1)->seq;
	t2 = tc_hello(e);
	snprintf(req, sizeof(req), "{\"op\":\"subscribe\",\"since\":%llu}\n",
	    (unsigned long long)(total - 2));
	tc_send(e, t2, req);
	tc_expect_delta(e, t2, total - 1, NULL);
	tc_expect_delta(e, t2, total, NULL);
	tc_expect_delta(e, t2, p1, NULL);
	tc_expect_delta(e, t2, p2, NULL);
	tc_expect_quiet(e, t2, 30);
	server_publish(e->srv, &e->log.d[p1 - 1]);
	server_publish(e->srv, &e->log.d[p2 - 1]);
	tc_expect_delta(e, t, p1, NULL);
	tc_expect_delta(e, t, p2, NULL);
	tc_expect_quiet(e, t2, 50);
	tc_expect_quiet(e, t, 10);
	log_publish(e, 2);
	tc_expect_delta(e, t2, p2 + 1, NULL);
	tc_expect_delta(e, t, p2 + 1, NULL);
	tc_free(t);
	tc_free(t2);
	env_free(e);
}
END_TEST

START_TEST(since_too_old_and_ahead)
{
	struct env	*e = env_new("");
	struct tclient	*t;
	cJSON		*o;

	for (int i = 0; i < 60; i++)
		log_publish(e, i % NMARKETS);
	e->log.first_kept = 50;		/* 1..49 pruned */

	t = tc_hello(e);
	tc_send(e, t, "{\"op\":\"subscribe\",\"since\":10}\n");
	o = tc_expect(e, t, "gap");
	ck_assert_uint_eq((uint64_t)num(o, "from"), 11);
	ck_assert_uint_eq((uint64_t)num(o, "to"), 60);
	cJSON_Delete(o);
	o = tc_expect(e, t, "snapshot");
	ck_assert_uint_eq((uint64_t)num(o, "as_of_seq"), 60);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "markets")),
	    NMARKETS);
	cJSON_Delete(o);
	tc_expect_quiet(e, t, 30);
	log_publish(e, 2);
	tc_expect_delta(e, t, 61, NULL);

	/* since 49: 50 is the oldest kept, so a replay is still possible. */
	tc_send(e, t, "{\"op\":\"subscribe\",\"since\":49}\n");
	for (uint64_t i = 50; i <= 61; i++)
		tc_expect_delta(e, t, i, NULL);
	tc_expect_quiet(e, t, 30);

	/* since ahead of the server: error, then a fresh snapshot. */
	tc_send(e, t, "{\"op\":\"subscribe\",\"since\":500}\n");
	tc_expect_error(e, t, "since_ahead");
	o = tc_expect(e, t, "snapshot");
	ck_assert_uint_eq((uint64_t)num(o, "as_of_seq"), 61);
	cJSON_Delete(o);
	log_publish(e, 0);
	tc_expect_delta(e, t, 62, NULL);
	tc_free(t);
	env_free(e);
}
END_TEST

/* Bytes queued for a client (server internals, for the memory bound). */
static size_t
queued(struct env *e, uint64_t id)
{
	struct client *c;

	TAILQ_FOREACH(c, &e->srv->clients, entry)
		if (c->id == id && c->bev != NULL)
			return evbuffer_get_length(c->out);
	return 0;
}

/* Read every line available until quiet for ms; returns the count. */
static int
tc_drain(struct env *e, struct tclient *t, int ms, uint64_t *last_seq)
{
	char	*line;
	int	 n = 0;
	cJSON	*o;

	while ((line = tc_line_within(e, t, ms)) != NULL) {
		o = cJSON_Parse(line);
		ck_assert_ptr_nonnull(o);
		if (strcmp(str(o, "type"), "delta") == 0) {
			ck_assert_uint_gt((uint64_t)num(o, "seq"), *last_seq);
			*last_seq = (uint64_t)num(o, "seq");
			n++;
		}
		cJSON_Delete(o);
		free(line);
	}
	return n;
}

/*
 * A reader that stops reading overflows: its deltas are dropped, its
 * memory stays bounded, and when it reads again it gets gap + snapshot;
 * meanwhile a fast reader receives every delta.
 */
START_TEST(slow_reader_gap_snapshot)
{
	struct env	*e = env_new("\"soft_limit\":16384,\"soft_seconds\":0,"
			    "\"hard_limit\":65536,\"slow_close_seconds\":60");
	struct tclient	*fast, *slow;
	uint64_t	 fast_last = 0, slow_last = 0, slow_id, gap_from, gap_to;
	size_t		 max_queued = 0, q;
	int		 fast_n = 0, i;
	char		*line;
	cJSON		*o;

	e->log.title_pad = 400;
	fast = tc_subscribed(e, "{\"op\":\"subscribe\"}\n");
	slow = tc_subscribed(e, "{\"op\":\"subscribe\"}\n");
	slow_id = e->srv->next_id;
	for (i = 0; i < 3000; i++) {
		log_publish(e, i % NMARKETS);
		if (i % 20 == 19)
			fast_n += tc_drain(e, fast, 0, &fast_last);
		if ((q = queued(e, slow_id)) > max_queued)
			max_queued = q;
	}
	fast_n += tc_drain(e, fast, 100, &fast_last);
	ck_assert_int_eq(fast_n, 3000);
	ck_assert_uint_eq(fast_last, 3000);
	/* The slow one hit the limit and never held more than hard_limit. */
	ck_assert_uint_gt(max_queued, 16384);
	ck_assert_uint_le(max_queued, 65536);

	/* Now it reads: deltas in order, then gap, then a snapshot. */
	for (;;) {
		line = tc_line(e, slow);
		ck_assert_ptr_nonnull(line);
		o = cJSON_Parse(line);
		free(line);
		ck_assert_ptr_nonnull(o);
		if (strcmp(str(o, "type"), "gap") == 0)
			break;
		ck_assert_str_eq(str(o, "type"), "delta");
		ck_assert_uint_eq((uint64_t)num(o, "seq"), slow_last + 1);
		slow_last++;
		cJSON_Delete(o);
	}
	gap_from = (uint64_t)num(o, "from");
	gap_to = (uint64_t)num(o, "to");
	cJSON_Delete(o);
	ck_assert_uint_eq(gap_from, slow_last + 1);
	ck_assert_uint_eq(gap_to, 3000);
	ck_assert_uint_lt(slow_last, 2000);
	o = tc_expect(e, slow, "snapshot");
	ck_assert_uint_eq((uint64_t)num(o, "as_of_seq"), 3000);
	cJSON_Delete(o);
	/* And it is live again. */
	log_publish(e, 1);
	tc_expect_delta(e, slow, 3001, NULL);
	tc_expect_delta(e, fast, 3001, NULL);
	tc_free(fast);
	tc_free(slow);
	env_free(e);
}
END_TEST

/* Still over the limit after slow_close_seconds: bye, then closed. */
START_TEST(slow_consumer_closed)
{
	struct env	*e = env_new("\"soft_limit\":16384,\"soft_seconds\":0,"
			    "\"hard_limit\":65536,\"slow_close_seconds\":1");
	struct tclient	*slow, *ok;
	double		 end;
	char		*line, *last = NULL;
	cJSON		*o;

	e->log.title_pad = 400;
	ok = tc_subscribed(e, "{\"op\":\"subscribe\",\"markets\":[\"nothing\"]}\n");
	slow = tc_subscribed(e, "{\"op\":\"subscribe\"}\n");
	/* Let the server write as it goes, so the socket buffer fills. */
	for (int i = 0; i < 3000; i++) {
		log_publish(e, i % NMARKETS);
		if (i % 20 == 19)
			event_base_loop(e->base, EVLOOP_NONBLOCK);
	}
	end = server_now() + 5;
	while (e->srv->slow_closed == 0 && server_now() < end)
		env_spin(e, 50);
	ck_assert_uint_eq(e->srv->slow_closed, 1);
	/* Every line it still gets is whole JSON; the last is the bye. */
	while ((line = tc_line(e, slow)) != NULL) {
		o = cJSON_Parse(line);
		ck_assert_msg(o != NULL, "broken line: %.80s", line);
		cJSON_Delete(o);
		free(last);
		last = line;
	}
	ck_assert(slow->eof);
	ck_assert_ptr_nonnull(last);
	ck_assert_str_eq(last, "{\"type\":\"bye\",\"reason\":\"slow_consumer\"}");
	free(last);
	env_spin(e, 20);
	ck_assert_uint_eq(server_nclients(e->srv), 1);
	/* The other client is unaffected. */
	tc_send(e, ok, "{\"op\":\"ping\"}\n");
	cJSON_Delete(tc_expect(e, ok, "pong"));
	tc_free(slow);
	tc_free(ok);
	env_free(e);
}
END_TEST

START_TEST(bad_line_too_long)
{
	struct env	*e = env_new("");
	struct tclient	*t;
	char		*big = malloc(70001);

	ck_assert_ptr_nonnull(big);
	memset(big, 'a', 70000);
	big[70000] = '\0';
	/* No newline at all. */
	t = tc_hello(e);
	tc_send(e, t, big);
	tc_expect_error(e, t, "line_too_long");
	tc_expect_eof(e, t);
	tc_free(t);
	/* A complete line just over the limit. */
	t = tc_hello(e);
	memset(big, ' ', 65537);
	big[0] = '{';
	big[65537] = '\n';
	big[65538] = '\0';
	tc_send(e, t, big);
	tc_expect_error(e, t, "line_too_long");
	tc_expect_eof(e, t);
	tc_free(t);
	/* Exactly 64 KiB is accepted. */
	t = tc_hello(e);
	memset(big, ' ', 65536);
	memcpy(big, "{\"op\":\"ping\"}", 13);
	big[65536] = '\n';
	big[65537] = '\0';
	tc_send(e, t, big);
	cJSON_Delete(tc_expect(e, t, "pong"));
	tc_free(t);
	free(big);
	env_spin(e, 20);
	ck_assert_uint_eq(server_nclients(e->srv), 0);
	env_free(e);
}
END_TEST

START_TEST(bad_json_closes)
{
	struct env	*e = env_new("");
	struct tclient	*t = tc_hello(e);

	tc_send(e, t, "{\"op\":\"ping\"\n{\"op\":\"ping\"}\n");
	tc_expect_error(e, t, "invalid_json");
	/* The second request is not answered: the stream is untrusted. */
	tc_expect_eof(e, t);
	tc_free(t);
	env_free(e);
}
END_TEST

START_TEST(bad_op_binary_fields_stay_open)
{
	struct env	*e = env_new("");
	struct tclient	*t = tc_hello(e);
	static const char garbage[] = "\x16\x03\x01\x00\xff\x01\x00\x00\n";

	tc_send(e, t, "{\"op\":\"fly\"}\n");
	tc_expect_error(e, t, "unknown_op");
	tc_sendn(e, t, garbage, sizeof(garbage) - 1);
	tc_expect_error(e, t, "binary");
	tc_send(e, t, "{\"op\":\"subscribe\",\"since\":-4}\n");
	tc_expect_error(e, t, "bad_request");
	tc_send(e, t, "[]\n");
	tc_expect_error(e, t, "bad_request");
	/* Blank lines are ignored, CRLF is fine, and the client still works. */
	tc_send(e, t, "\n\r\n   \n{\"op\":\"ping\"}\r\n");
	cJSON_Delete(tc_expect(e, t, "pong"));
	tc_expect_quiet(e, t, 30);
	ck_assert_uint_eq(server_nclients(e->srv), 1);
	tc_free(t);
	env_free(e);
}
END_TEST

/* Many requests at once: all answered, yet replies never pile up. */
START_TEST(pipelined_requests_bounded)
{
	struct env	*e = env_new("\"soft_limit\":4096,\"hard_limit\":8192");
	struct tclient	*t = tc_hello(e);
	size_t		 len = 0, max_q = 0, q;
	char		*reqs = malloc(2000 * 20);
	int		 n = 0;
	char		*line;

	for (int i = 0; i < 2000; i++)
		len += (size_t)sprintf(reqs + len, "{\"op\":\"snapshot\"}\n");
	tc_sendn(e, t, reqs, len);
	free(reqs);
	/* Do not read for a while: the server must stop answering. */
	for (int i = 0; i < 200; i++) {
		event_base_loop(e->base, EVLOOP_NONBLOCK);
		if ((q = queued(e, e->srv->next_id)) > max_q)
			max_q = q;
	}
	ck_assert_uint_gt(max_q, 0);
	ck_assert_uint_le(max_q, 4096 + 1024);
	while (n < 2000 && (line = tc_line(e, t)) != NULL) {
		ck_assert_ptr_nonnull(strstr(line, "\"type\":\"snapshot\""));
		free(line);
		n++;
	}
	ck_assert_int_eq(n, 2000);
	tc_free(t);
	env_free(e);
}
END_TEST

/* Clients that vanish are reaped; writing to them never kills us. */
START_TEST(vanished_clients_reaped)
{
	struct env	*e = env_new("");
	struct tclient	*a, *b;

	e->log.title_pad = 400;
	a = tc_subscribed(e, "{\"op\":\"subscribe\"}\n");
	b = tc_subscribed(e, "{\"op\":\"subscribe\"}\n");
	ck_assert_uint_eq(server_nclients(e->srv), 2);
	/* a stops reading with data pending, then vanishes mid-stream. */
	for (int i = 0; i < 500; i++)
		log_publish(e, i % NMARKETS);
	env_spin(e, 20);
	close(a->fd);
	a->fd = -1;
	for (int i = 0; i < 500; i++)
		log_publish(e, i % NMARKETS);
	env_spin(e, 50);
	ck_assert_uint_eq(server_nclients(e->srv), 1);
	/* b vanishes without a word. */
	close(b->fd);
	b->fd = -1;
	env_spin(e, 50);
	ck_assert_uint_eq(server_nclients(e->srv), 0);
	log_publish(e, 0);
	env_spin(e, 20);
	tc_free(a);
	tc_free(b);
	env_free(e);
}
END_TEST

/* A client that shuts its write side still gets its answers and deltas. */
START_TEST(half_closed_clients)
{
	struct env	*e = env_new("");
	struct tclient	*t;

	t = tc_subscribed(e, "{\"op\":\"subscribe\"}\n");
	ck_assert_int_eq(shutdown(t->fd, SHUT_WR), 0);
	env_spin(e, 30);
	ck_assert_uint_eq(server_nclients(e->srv), 1);
	log_publish(e, 1);
	tc_expect_delta(e, t, 1, "ukraine-dmz");
	/* Gone for good: the next write notices. */
	tc_free(t);
	env_spin(e, 30);
	log_publish(e, 1);
	env_spin(e, 30);
	ck_assert_uint_eq(server_nclients(e->srv), 0);

	/* A last request without newline, then EOF: answered, then closed. */
	t = tc_hello(e);
	tc_send(e, t, "{\"op\":\"status\"}");
	ck_assert_int_eq(shutdown(t->fd, SHUT_WR), 0);
	cJSON_Delete(tc_expect(e, t, "status"));
	tc_expect_eof(e, t);
	tc_free(t);
	env_free(e);
}
END_TEST

START_TEST(max_clients_refused)
{
	struct env	*e = env_new("\"max_clients\":2");
	struct tclient	*a = tc_hello(e), *b = tc_hello(e), *c;
	cJSON		*o;

	c = tc_connect(e->path);
	o = tc_expect(e, c, "error");
	ck_assert_str_eq(str(o, "code"), "too_many_clients");
	ck_assert_ptr_nonnull(strstr(str(o, "message"), "max_clients"));
	cJSON_Delete(o);
	tc_expect_eof(e, c);
	tc_free(c);
	ck_assert_uint_eq(e->srv->refused, 1);
	/* Once one leaves there is room again. */
	tc_free(a);
	env_spin(e, 30);
	c = tc_hello(e);
	ck_assert_uint_eq(server_nclients(e->srv), 2);
	tc_free(b);
	tc_free(c);
	env_free(e);
}
END_TEST

START_TEST(heartbeat_sent)
{
	struct env	*e = env_new("\"heartbeat\":1");
	struct tclient	*t = tc_subscribed(e, "{\"op\":\"subscribe\"}\n");
	double		 start = server_now();
	cJSON		*o;

	t->heartbeats = 1;
	log_publish(e, 0);
	tc_expect_delta(e, t, 1, NULL);
	o = tc_expect(e, t, "heartbeat");
	ck_assert_uint_eq((uint64_t)num(o, "seq"), 1);
	ck_assert_int_eq((int)strlen(str(o, "ts")), 20);
	cJSON_Delete(o);
	ck_assert(server_now() - start < 2.5);
	cJSON_Delete(tc_expect(e, t, "heartbeat"));
	tc_free(t);
	env_free(e);
}
END_TEST

START_TEST(bye_all_on_shutdown)
{
	struct env	*e = env_new("");
	struct tclient	*a = tc_subscribed(e, "{\"op\":\"subscribe\"}\n");
	struct tclient	*b = tc_hello(e), *c;
	cJSON		*o;

	server_bye_all(e->srv, "shutdown");
	o = tc_expect(e, a, "bye");
	ck_assert_str_eq(str(o, "reason"), "shutdown");
	cJSON_Delete(o);
	tc_expect_eof(e, a);
	cJSON_Delete(tc_expect(e, b, "bye"));
	tc_expect_eof(e, b);
	/* No longer accepting: a new client is not greeted. */
	c = tc_connect(e->path);
	tc_expect_quiet(e, c, 50);
	tc_free(a);
	tc_free(b);
	tc_free(c);
	env_free(e);
}
END_TEST

/* Make a socket file nobody listens on (a daemon died). */
static void
make_stale_socket(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path) + 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(fd, 1), 0);
	close(fd);
}

START_TEST(socket_file_handling)
{
	struct env	*e = env_new("");
	struct server	*s2;
	struct stat	 st;
	char		 err[512], other[160];
	struct tclient	*t;
	int		 fd;

	/* A live daemon's socket is refused and left alone. */
	s2 = server_new(e->base, &e->cfg, e->path, -1, &test_source, e, "x",
	    err, sizeof(err));
	ck_assert_ptr_null(s2);
	ck_assert_msg(strstr(err, "another daemon is listening") != NULL, "%s",
	    err);
	t = tc_hello(e);
	tc_free(t);

	/* A stale one is replaced; the mode is the configured one. */
	snprintf(other, sizeof(other), "%s/stale.sock", e->dir);
	make_stale_socket(other);
	e->cfg.socket_mode = 0640;
	s2 = server_new(e->base, &e->cfg, other, -1, &test_source, e, "x",
	    err, sizeof(err));
	ck_assert_msg(s2 != NULL, "%s", err);
	ck_assert_int_eq(stat(other, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	server_free(s2);
	ck_assert_int_eq(stat(other, &st), -1);		/* unlinked at free */

	/* Not a socket: refused, file kept. */
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_ptr_null(server_new(e->base, &e->cfg, other, -1,
	    &test_source, e, "x", err, sizeof(err)));
	ck_assert_msg(strstr(err, "is not a socket") != NULL, "%s", err);
	ck_assert_int_eq(stat(other, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	unlink(other);

	/* Unknown group: refused with the name; a path too long: refused. */
	e->cfg.socket_group = strdup("no-such-group-pmsignal");
	ck_assert_ptr_null(server_new(e->base, &e->cfg, other, -1,
	    &test_source, e, "x", err, sizeof(err)));
	ck_assert_msg(strstr(err, "unknown group 'no-such-group-pmsignal'") !=
	    NULL, "%s", err);
	ck_assert_int_eq(stat(other, &st), -1);
	free(e->cfg.socket_group);
	e->cfg.socket_group = strdup(getgrgid(getegid())->gr_name);
	s2 = server_new(e->base, &e->cfg, other, -1, &test_source, e, "x",
	    err, sizeof(err));
	ck_assert_msg(s2 != NULL, "%s", err);
	ck_assert_int_eq(stat(other, &st), 0);
	ck_assert_int_eq(st.st_gid, getegid());
	server_free(s2);
	memset(other, 'x', 140);
	other[140] = '\0';
	ck_assert_ptr_null(server_new(e->base, &e->cfg, other, -1,
	    &test_source, e, "x", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "longer than"));
	env_free(e);
}
END_TEST

/* An already listening socket (systemd socket activation). */
START_TEST(listen_fd_adopted)
{
	struct env		*e = env_new("");
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct server		*s2;
	struct tclient		*t;
	struct stat		 st;
	char			 err[512], path[160];
	int			 fd;

	snprintf(path, sizeof(path), "%s/activated.sock", e->dir);
	ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	/* Not listening yet: refused. */
	ck_assert_ptr_null(server_new(e->base, &e->cfg, path, fd, &test_source,
	    e, "x", err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a listening stream socket"));
	ck_assert_int_eq(listen(fd, 8), 0);
	s2 = server_new(e->base, &e->cfg, path, fd, &test_source, e, "sd",
	    err, sizeof(err));
	ck_assert_msg(s2 != NULL, "%s", err);
	t = tc_connect(path);
	cJSON_Delete(tc_expect(e, t, "hello"));
	tc_free(t);
	server_free(s2);
	/* Not ours: the file stays for the next activation. */
	ck_assert_int_eq(stat(path, &st), 0);
	unlink(path);
	env_free(e);
}
END_TEST

/* CPU seconds used by this process. */
static double
cpu_used(void)
{
	struct rusage ru;

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/*
 * Out of file descriptors: accept fails, the server pauses accepting
 * instead of spinning on a readable listening socket, and greets the
 * waiting client once descriptors are free again.
 */
START_TEST(out_of_descriptors)
{
	struct env		*e = env_new("");
	struct tclient		*t[64];
	struct rlimit		 rl;
	int			 n = 0, fd, spare, nfree = 0, pad = -1;
	double			 cpu;
	char			*line;

	/* Valgrind closes descriptors past the lowered limit itself (the
	 * waiting client is reset): nothing to learn there. */
	if (getenv("LD_PRELOAD") != NULL &&
	    strstr(getenv("LD_PRELOAD"), "vgpreload") != NULL) {
		env_free(e);
		return;
	}
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
	fd = dup(0);
	ck_assert_int_ge(fd, 0);
	close(fd);
	rl.rlim_cur = (rlim_t)fd + 16;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	/* Descriptors inherited above the lowest free one (a CI harness's)
	 * change the parity: pad so that client and server sockets fill
	 * the free ones in pairs, leaving exactly the spare. */
	for (fd = 0; fd < (int)rl.rlim_cur; fd++)
		if (fcntl(fd, F_GETFD) == -1)
			nfree++;
	if (nfree % 2 == 0) {
		pad = dup(0);
		ck_assert_int_ge(pad, 0);
	}
	spare = dup(0);
	ck_assert_int_ge(spare, 0);
	/* Connect until this process has no descriptor left... */
	while (n < 60) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
			/* ...then free one: the client gets it, the server's
			 * accept finds none. */
			ck_assert_int_eq(errno, EMFILE);
			if (spare == -1)
				break;
			close(spare);
			spare = -1;
			continue;
		}
		t[n] = calloc(1, sizeof(*t[n]));
		t[n]->fd = fd;
		memcpy(sun.sun_path, e->path, strlen(e->path) + 1);
		ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun,
		    sizeof(sun)), 0);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		n++;
		/* Let the server take it before the next socket() can use
		 * its descriptor; on a loaded machine that takes a while.
		 * The one connected on the freed spare is never taken. */
		for (int ms = 0; spare != -1 && ms < 2000 &&
		    (int)server_nclients(e->srv) < n; ms += 5)
			env_spin(e, 5);
	}
	env_spin(e, 20);
	ck_assert_int_ge(n, 3);
	ck_assert_int_eq((int)server_nclients(e->srv), n - 1);
	/* Paused, not spinning on the readable listening socket. */
	cpu = cpu_used();
	env_spin(e, 300);
	ck_assert_msg(cpu_used() - cpu < 0.15, "spinning: %.2f s CPU in 0.3 s",
	    cpu_used() - cpu);
	/* Descriptors free again: within about a second it is greeted. */
	for (int i = 0; i < 2; i++)
		tc_free(t[i]);
	line = tc_line_within(e, t[n - 1], 2500);
	ck_assert_msg(line != NULL, "never greeted");
	ck_assert_ptr_nonnull(strstr(line, "\"type\":\"hello\""));
	free(line);
	for (int i = 2; i < n; i++)
		tc_free(t[i]);
	if (pad != -1)
		close(pad);
	env_free(e);
}
END_TEST

/*
 * Descriptors for the clients: a soft limit too low for max_clients (a
 * login shell's 1024) is raised; a hard limit too low makes the server
 * take fewer clients, so that they never eat the poller's descriptors, and
 * refuse the rest at once rather than leave them in the backlog.
 */
START_TEST(descriptor_budget)
{
	const rlim_t	 others = 64 + 2 * 64;	/* reserve + 2 * max_parallel */
	struct rlimit	 rl, saved;
	struct env	*e;
	struct tclient	*t[8], *c;
	cJSON		*o;
	const char	*fork_mode = getenv("CK_FORK");

	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &saved), 0);
	if (saved.rlim_max == RLIM_INFINITY || saved.rlim_max >= 1024 + others) {
		rl = saved;
		rl.rlim_cur = 256;
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
		e = env_new("");
		ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
		ck_assert_uint_eq(rl.rlim_cur, 1024 + others);
		ck_assert_uint_eq(e->srv->lim.max_clients, 1024);
		env_free(e);
		ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &saved), 0);
	}
	/* Lowering the hard limit is for good: only in a forked test. */
	if (fork_mode != NULL && strcmp(fork_mode, "no") == 0)
		return;
	rl.rlim_cur = rl.rlim_max = others + 8;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	e = env_new("");
	ck_assert_uint_eq(e->srv->lim.max_clients, 8);
	for (int i = 0; i < 8; i++)
		t[i] = tc_hello(e);
	c = tc_connect(e->path);
	o = tc_expect(e, c, "error");
	ck_assert_str_eq(str(o, "code"), "too_many_clients");
	ck_assert_ptr_nonnull(strstr(str(o, "message"), "descriptor limit"));
	cJSON_Delete(o);
	tc_expect_eof(e, c);
	tc_free(c);
	for (int i = 0; i < 8; i++)
		tc_free(t[i]);
	env_free(e);
}
END_TEST

static Suite *
server_suite(void)
{
	Suite	*s = suite_create("server");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, hello_ping_status_markets);
	tcase_add_test(tc, subscribe_filters);
	tcase_add_test(tc, resume_since);
	tcase_add_test(tc, replay_seam);
	tcase_add_test(tc, since_too_old_and_ahead);
	tcase_add_test(tc, slow_reader_gap_snapshot);
	tcase_add_test(tc, slow_consumer_closed);
	tcase_add_test(tc, bad_line_too_long);
	tcase_add_test(tc, bad_json_closes);
	tcase_add_test(tc, bad_op_binary_fields_stay_open);
	tcase_add_test(tc, pipelined_requests_bounded);
	tcase_add_test(tc, vanished_clients_reaped);
	tcase_add_test(tc, half_closed_clients);
	tcase_add_test(tc, max_clients_refused);
	tcase_add_test(tc, heartbeat_sent);
	tcase_add_test(tc, bye_all_on_shutdown);
	tcase_add_test(tc, socket_file_handling);
	tcase_add_test(tc, listen_fd_adopted);
	tcase_add_test(tc, out_of_descriptors);
	tcase_add_test(tc, descriptor_budget);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(server_suite());
}
