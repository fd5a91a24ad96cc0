/*
 * test-protocol.c: client request lines parse into requests or into the
 * right error code and message; every server message encodes to the exact
 * line docs/PROTOCOL.md shows; market globs match as documented.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "protocol.h"
#include "unit.h"

/* Parse a NUL-terminated line; returns proto_parse's result. */
static int
parse(const char *line, struct proto_request *req, enum proto_err *e,
    char *err, size_t errsize)
{
	return proto_parse(line, strlen(line), req, e, err, errsize);
}

/* The line must fail with code e and a message containing want. */
static void
expect_error(const char *line, enum proto_err want_code, const char *want)
{
	struct proto_request	req;
	enum proto_err		e = PROTO_ERR_INTERNAL;
	char			err[256] = "";

	ck_assert_msg(parse(line, &req, &e, err, sizeof(err)) == -1,
	    "accepted: %s", line);
	ck_assert_msg(e == want_code, "%s: code %s, expected %s", line,
	    proto_err_code(e), proto_err_code(want_code));
	ck_assert_msg(strstr(err, want) != NULL, "%s: message '%s' lacks '%s'",
	    line, err, want);
	ck_assert_ptr_null(req.markets);
}

START_TEST(parse_subscribe)
{
	struct proto_request	req;
	enum proto_err		e;
	char			err[256];

	ck_assert_int_eq(parse("{\"op\":\"subscribe\",\"markets\":"
	    "[\"ukraine-*\",\"trump-putin-call\"],\"since\":1234}\r",
	    &req, &e, err, sizeof(err)), 0);
	ck_assert_int_eq(req.op, PROTO_SUBSCRIBE);
	ck_assert_uint_eq(req.nmarkets, 2);
	ck_assert_str_eq(req.markets[0], "ukraine-*");
	ck_assert_str_eq(req.markets[1], "trump-putin-call");
	ck_assert_int_eq(req.has_since, 1);
	ck_assert_uint_eq(req.since, 1234);
	proto_request_free(&req);
	ck_assert_ptr_null(req.markets);

	ck_assert_int_eq(parse("  {\"op\":\"subscribe\"}  ", &req, &e, err,
	    sizeof(err)), 0);
	ck_assert_ptr_null(req.markets);
	ck_assert_int_eq(req.has_since, 0);
	proto_request_free(&req);

	ck_assert_int_eq(parse("{\"since\":0,\"op\":\"subscribe\"}", &req, &e,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(req.has_since, 1);
	ck_assert_uint_eq(req.since, 0);
	proto_request_free(&req);
}
END_TEST

START_TEST(parse_other_ops)
{
	static const char *const lines[] = {
		"{\"op\":\"snapshot\"}", "{\"op\":\"markets\"}",
		"{\"op\":\"status\"}", "{\"op\":\"ping\"}",
	};
	static const enum proto_op ops[] = {
		PROTO_SNAPSHOT, PROTO_MARKETS, PROTO_STATUS, PROTO_PING
	};
	struct proto_request	req;
	enum proto_err		e;
	char			err[256];

	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(parse(lines[i], &req, &e, err, sizeof(err)), 0);
		ck_assert_int_eq(req.op, ops[i]);
		ck_assert_ptr_nonnull(strstr(lines[i], proto_op_name(req.op)));
		proto_request_free(&req);
	}
	ck_assert_int_eq(parse("{\"op\":\"snapshot\",\"markets\":[\"a*\"]}",
	    &req, &e, err, sizeof(err)), 0);
	ck_assert_uint_eq(req.nmarkets, 1);
	ck_assert_str_eq(req.markets[0], "a*");
	proto_request_free(&req);
}
END_TEST

START_TEST(parse_json_errors)
{
	expect_error("{\"op\":\"subscribe\"", PROTO_ERR_JSON, "invalid JSON");
	expect_error("subscribe please", PROTO_ERR_JSON, "invalid JSON at byte 0");
	expect_error("{\"op\":\"ping\"} {\"op\":\"ping\"}", PROTO_ERR_JSON,
	    "text after the object at byte 14");
	expect_error("{\"op\":\"ping\",}", PROTO_ERR_JSON, "invalid JSON");
}
END_TEST

START_TEST(parse_op_errors)
{
	expect_error("{}", PROTO_ERR_OP, "missing \"op\"");
	expect_error("{\"markets\":[\"a\"]}", PROTO_ERR_OP, "missing \"op\"");
	expect_error("{\"op\":\"unsubscribe\"}", PROTO_ERR_OP,
	    "unknown op \"unsubscribe\"");
	expect_error("{\"op\":42}", PROTO_ERR_OP, "(not a string)");
	expect_error("{\"op\":\"PING\"}", PROTO_ERR_OP, "unknown op \"PING\"");
}
END_TEST

/*
 * A client's op or field name is quoted in the error (sent back to it as
 * JSON): at most 64 bytes, and never half a character.  33 "é" are 66
 * bytes: the quote keeps 32 of them, 64 bytes.
 */
START_TEST(error_quotes_whole_characters)
{
	char	line[256], name[128] = "", want[128] = "";

	for (int i = 0; i < 33; i++)
		strcat(name, "\xC3\xA9");
	for (int i = 0; i < 32; i++)
		strcat(want, "\xC3\xA9");
	snprintf(line, sizeof(line), "{\"op\":\"%s\"}", name);
	strcat(want, "\" (expected");
	expect_error(line, PROTO_ERR_OP, want);
	snprintf(line, sizeof(line), "{\"op\":\"ping\",\"x%s\":1}", name);
	want[0] = '\0';
	strcat(want, "unknown field \"x");
	for (int i = 0; i < 31; i++)
		strcat(want, "\xC3\xA9");
	strcat(want, "\"");
	expect_error(line, PROTO_ERR_FIELD, want);
}
END_TEST

START_TEST(parse_field_errors)
{
	expect_error("[1,2]", PROTO_ERR_FIELD, "must be a JSON object");
	expect_error("\"ping\"", PROTO_ERR_FIELD, "must be a JSON object");
	expect_error("{\"op\":\"subscribe\",\"market\":[\"a\"]}",
	    PROTO_ERR_FIELD, "subscribe: unknown field \"market\"");
	expect_error("{\"op\":\"ping\",\"since\":1}", PROTO_ERR_FIELD,
	    "ping: unknown field \"since\"");
	expect_error("{\"op\":\"snapshot\",\"since\":1}", PROTO_ERR_FIELD,
	    "snapshot: unknown field \"since\"");
	expect_error("{\"op\":\"subscribe\",\"markets\":\"a*\"}",
	    PROTO_ERR_FIELD, "markets: must be an array");
	expect_error("{\"op\":\"subscribe\",\"markets\":[]}", PROTO_ERR_FIELD,
	    "markets: must be an array of 1 to 1024");
	expect_error("{\"op\":\"subscribe\",\"markets\":[\"a\",7]}",
	    PROTO_ERR_FIELD, "markets[1]: must be a market id or glob");
	expect_error("{\"op\":\"subscribe\",\"markets\":[\"\"]}",
	    PROTO_ERR_FIELD, "markets[0]");
	expect_error("{\"op\":\"subscribe\",\"since\":-1}", PROTO_ERR_FIELD,
	    "since: must be a whole number");
	expect_error("{\"op\":\"subscribe\",\"since\":1.5}", PROTO_ERR_FIELD,
	    "since: must be a whole number");
	expect_error("{\"op\":\"subscribe\",\"since\":\"12\"}", PROTO_ERR_FIELD,
	    "since: must be a whole number");
	expect_error("{\"op\":\"subscribe\",\"since\":1e300}", PROTO_ERR_FIELD,
	    "since: must be a whole number");
	expect_error("{\"op\":\"subscribe\",\"since\":1000000000000000}",
	    PROTO_ERR_FIELD, "since: must be a whole number from 0 to "
	    "999999999999999");
}
END_TEST

START_TEST(parse_limits)
{
	struct proto_request	 req;
	enum proto_err		 e;
	char			 err[256], *line, *p;
	size_t			 n;

	/* A pattern of 257 bytes is refused, 256 accepted. */
	line = malloc(400);
	ck_assert_ptr_nonnull(line);
	strcpy(line, "{\"op\":\"subscribe\",\"markets\":[\"");
	p = line + strlen(line);
	memset(p, 'x', 257);
	strcpy(p + 257, "\"]}");
	expect_error(line, PROTO_ERR_FIELD, "markets[0]: must be a market id "
	    "or glob of 1 to 256 bytes");
	strcpy(p + 256, "\"]}");
	ck_assert_int_eq(parse(line, &req, &e, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(req.markets[0]), 256);
	proto_request_free(&req);
	free(line);

	/* 1025 patterns are refused. */
	line = malloc(1025 * 4 + 64);
	strcpy(line, "{\"op\":\"subscribe\",\"markets\":[");
	for (n = 0; n < 1025; n++)
		strcat(line, n == 0 ? "\"a\"" : ",\"a\"");
	strcat(line, "]}");
	expect_error(line, PROTO_ERR_FIELD, "1 to 1024");
	free(line);

	/* A line over 64 KiB. */
	n = PROTO_MAX_LINE + 1;
	line = malloc(n + 1);
	memset(line, ' ', n);
	line[n] = '\0';
	memcpy(line, "{\"op\":\"ping\"}", 13);
	ck_assert_int_eq(proto_parse(line, n, &req, &e, err, sizeof(err)), -1);
	ck_assert_int_eq(e, PROTO_ERR_TOO_LONG);
	ck_assert_str_eq(proto_err_code(e), "line_too_long");
	/* Exactly 64 KiB (trailing blanks) plus a CR is fine. */
	line[n - 1] = '\r';
	ck_assert_int_eq(proto_parse(line, n, &req, &e, err, sizeof(err)), 0);
	ck_assert_int_eq(req.op, PROTO_PING);
	proto_request_free(&req);
	free(line);
}
END_TEST

START_TEST(parse_binary)
{
	struct proto_request	req;
	enum proto_err		e;
	char			err[256];
	static const char	nul[] = "{\"op\":\"ping\"}\0garbage";
	static const char	tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03";
	static const char	latin1[] = "{\"op\":\"ping\",\"x\":\"caf\xe9\"}";
	static const char	utf8[] = "{\"op\":\"snapshot\",\"markets\":"
	    "[\"caf\xc3\xa9-*\"]}";

	ck_assert_int_eq(proto_parse(nul, sizeof(nul) - 1, &req, &e, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(e, PROTO_ERR_BINARY);
	ck_assert_str_eq(proto_err_code(e), "binary");
	ck_assert_ptr_nonnull(strstr(err, "binary data"));
	ck_assert_int_eq(proto_parse(tls, sizeof(tls) - 1, &req, &e, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(e, PROTO_ERR_BINARY);
	ck_assert_int_eq(proto_parse(latin1, sizeof(latin1) - 1, &req, &e, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(e, PROTO_ERR_BINARY);
	expect_error("{\"op\":\"ping\"}\x7f", PROTO_ERR_BINARY, "binary");
	/* Valid UTF-8 and tabs are text. */
	ck_assert_int_eq(proto_parse(utf8, sizeof(utf8) - 1, &req, &e, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(req.markets[0], "caf\xc3\xa9-*");
	proto_request_free(&req);
	ck_assert_int_eq(parse("{\t\"op\":\t\"ping\"}", &req, &e, err,
	    sizeof(err)), 0);
	proto_request_free(&req);
}
END_TEST

START_TEST(globs)
{
	char *const	pats[] = { "ukraine-*", "trump-putin-call", "ceasefire-202[56]" };
	char *const	q[] = { "m?" };

	ck_assert(proto_match(NULL, 0, "anything"));
	ck_assert(proto_match(pats, 3, "ukraine-ceasefire"));
	ck_assert(proto_match(pats, 3, "ukraine-"));
	ck_assert(!proto_match(pats, 3, "russia-ukraine-talks"));
	ck_assert(proto_match(pats, 3, "trump-putin-call"));
	ck_assert(!proto_match(pats, 3, "trump-putin-call-2"));
	ck_assert(proto_match(pats, 3, "ceasefire-2026"));
	ck_assert(!proto_match(pats, 3, "ceasefire-2027"));
	ck_assert(proto_match(q, 1, "m1"));
	ck_assert(!proto_match(q, 1, "m10"));
	ck_assert(proto_is_glob("a*"));
	ck_assert(proto_is_glob("a?"));
	ck_assert(proto_is_glob("a[bc]"));
	ck_assert(!proto_is_glob("plain-id.2025"));
}
END_TEST

START_TEST(encode_messages)
{
	char *s;

	s = proto_hello("s-42", 1234, 5);
	ck_assert_str_eq(s, "{\"type\":\"hello\",\"protocol\":1,"
	    "\"server\":\"pmsignald\",\"version\":\"0.1.0\",\"session\":\"s-42\","
	    "\"seq\":1234,\"heartbeat\":5}");
	free(s);
	s = proto_heartbeat(1234, 1763510400);
	ck_assert_str_eq(s, "{\"type\":\"heartbeat\",\"seq\":1234,"
	    "\"ts\":\"2025-11-19T00:00:00Z\"}");
	free(s);
	s = proto_gap(11, 20);
	ck_assert_str_eq(s, "{\"type\":\"gap\",\"from\":11,\"to\":20}");
	free(s);
	s = proto_error(PROTO_ERR_OP, "unknown op \"x\"");
	ck_assert_str_eq(s, "{\"type\":\"error\",\"code\":\"unknown_op\","
	    "\"message\":\"unknown op \\\"x\\\"\"}");
	free(s);
	s = proto_bye("slow_consumer");
	ck_assert_str_eq(s, "{\"type\":\"bye\",\"reason\":\"slow_consumer\"}");
	free(s);
	s = proto_pong(7);
	ck_assert_str_eq(s, "{\"type\":\"pong\",\"seq\":7}");
	free(s);
	/* seq keeps all its digits up to PROTO_MAX_SEQ (15 digits). */
	s = proto_gap(4294967297ULL, PROTO_MAX_SEQ);
	ck_assert_str_eq(s, "{\"type\":\"gap\",\"from\":4294967297,"
	    "\"to\":999999999999999}");
	free(s);
	for (int e = PROTO_ERR_JSON; e <= PROTO_ERR_INTERNAL; e++)
		ck_assert_str_ne(proto_err_code((enum proto_err)e), "");
	ck_assert_str_eq(proto_err_code(PROTO_ERR_FULL), "too_many_clients");
}
END_TEST

START_TEST(encode_markets_status)
{
	cJSON	*a = cJSON_CreateArray(), *st = cJSON_CreateObject();
	char	*s;

	cJSON_AddItemToArray(a, cJSON_CreateString("m1"));
	s = proto_markets(a);
	ck_assert_str_eq(s, "{\"type\":\"markets\",\"markets\":[\"m1\"]}");
	free(s);
	ck_assert_ptr_null(proto_markets(NULL));

	cJSON_AddStringToObject(st, "type", "bogus");
	cJSON_AddNumberToObject(st, "feeds", 8);
	cJSON_AddStringToObject(st, "session", "s");
	s = proto_status(st);
	ck_assert_str_eq(s, "{\"type\":\"status\",\"feeds\":8,\"session\":\"s\"}");
	free(s);
	s = proto_status(cJSON_CreateObject());
	ck_assert_str_eq(s, "{\"type\":\"status\"}");
	free(s);
}
END_TEST

START_TEST(encode_snapshot)
{
	char *const		 pats[] = { "ukraine-*" };
	struct proto_snapshot	*b;
	struct proto_market	 m1 = { "ukraine-ceasefire", "Ceasefire by 2026?",
				    0.1234567, 1763510400 };
	struct proto_market	 m2 = { "trump-putin-call", "Call held?", 0.5,
				    PM_TIME_NONE };
	struct proto_market	 m3 = { "ukraine-dmz", "DMZ \"agreed\"?", 0.02,
				    PM_TIME_NONE };
	char			*s;

	b = proto_snapshot_new(pats, 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(proto_snapshot_add(b, &m1), 0);
	ck_assert_int_eq(proto_snapshot_add(b, &m2), 0);	/* filtered */
	ck_assert_int_eq(proto_snapshot_add(b, &m3), 0);
	s = proto_snapshot_finish(b, 99);
	ck_assert_str_eq(s, "{\"type\":\"snapshot\",\"as_of_seq\":99,\"markets\":["
	    "{\"id\":\"ukraine-ceasefire\",\"question\":\"Ceasefire by 2026?\","
	    "\"p\":0.123457,\"updated\":\"2025-11-19T00:00:00Z\"},"
	    "{\"id\":\"ukraine-dmz\",\"question\":\"DMZ \\\"agreed\\\"?\","
	    "\"p\":0.02,\"updated\":null}]}");
	free(s);

	b = proto_snapshot_new(NULL, 0);
	s = proto_snapshot_finish(b, 0);
	ck_assert_str_eq(s, "{\"type\":\"snapshot\",\"as_of_seq\":0,"
	    "\"markets\":[]}");
	free(s);

	b = proto_snapshot_new(NULL, 0);
	ck_assert_int_eq(proto_snapshot_add(b, &m2), 0);
	proto_snapshot_free(b);
}
END_TEST

static Suite *
protocol_suite(void)
{
	Suite	*s = suite_create("protocol");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, parse_subscribe);
	tcase_add_test(tc, parse_other_ops);
	tcase_add_test(tc, parse_json_errors);
	tcase_add_test(tc, parse_op_errors);
	tcase_add_test(tc, error_quotes_whole_characters);
	tcase_add_test(tc, parse_field_errors);
	tcase_add_test(tc, parse_limits);
	tcase_add_test(tc, parse_binary);
	tcase_add_test(tc, globs);
	tcase_add_test(tc, encode_messages);
	tcase_add_test(tc, encode_markets_status);
	tcase_add_test(tc, encode_snapshot);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(protocol_suite());
}
