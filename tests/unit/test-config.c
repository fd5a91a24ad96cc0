/*
 * test-config.c: the config loader accepts good configs with the documented
 * defaults and rejects every kind of bad config with one line naming the
 * file, the JSON path and the problem.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "unit.h"

#define FEED_OK "{\"name\":\"a\",\"url\":\"https://example.org/rss\"}"

static char err[512];

static int
parse(const char *text, struct config *cfg)
{
	err[0] = '\0';
	return config_parse("t.json", text, strlen(text), cfg, err, sizeof(err));
}

/* Parsing must fail with exactly this one-line message. */
static void
expect_error(const char *text, const char *message)
{
	struct config cfg;

	ck_assert_int_eq(parse(text, &cfg), -1);
	ck_assert_str_eq(err, message);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(minimal_gets_defaults)
{
	struct config cfg;

	ck_assert_int_eq(parse("{\"feeds\":[" FEED_OK "]}", &cfg), 0);
	ck_assert_str_eq(cfg.socket, "pmsignald.sock");
	ck_assert_str_eq(cfg.database, "pmsignald.db");
	ck_assert_str_eq(cfg.markets, "markets");
	ck_assert_int_eq(cfg.log_level, LOG_LEVEL_INFO);
	ck_assert_uint_eq(cfg.nfeeds, 1);
	ck_assert_int_eq(cfg.feeds[0].interval, 300);
	ck_assert(cfg.feeds[0].credibility == 1.0);
	ck_assert_int_eq(cfg.max_clients, 1024);
	ck_assert_int_eq(cfg.heartbeat, 5);
	ck_assert_int_eq(cfg.client_soft_limit, 256 * 1024);
	ck_assert_int_eq(cfg.client_hard_limit, 4 * 1024 * 1024);
	ck_assert_int_eq(cfg.max_body, 8 * 1024 * 1024);
	ck_assert_int_eq(cfg.max_unpersisted, 64 * 1024 * 1024);
	ck_assert_int_eq(cfg.socket_mode, 0660);
	ck_assert_str_eq(cfg.dir, ".");
	config_free(&cfg);
}
END_TEST

START_TEST(full_config)
{
	struct config cfg;
	const char *text =
	    "{\"socket\":\"/run/x.sock\",\"database\":\"/var/lib/x.db\","
	    "\"log_level\":\"debug\",\"markets\":\"m\",\"socket_mode\":\"0600\","
	    "\"poll\":{\"default_interval\":120,\"max_body\":65536},"
	    "\"subscribers\":{\"max_clients\":10,\"heartbeat\":2},"
	    "\"model\":{\"tick\":600},\"retention\":{\"article_days\":7,"
	    "\"max_unpersisted\":1048576},"
	    "\"feeds\":[{\"name\":\"a.b-c_d\",\"url\":\"http://h/x\","
	    "\"interval\":60,\"credibility\":0.5},"
	    "{\"name\":\"b\",\"url\":\"HTTPS://h:8080/y?z=1\"}]}";

	ck_assert_int_eq(parse(text, &cfg), 0);
	ck_assert_str_eq(cfg.socket, "/run/x.sock");
	ck_assert_int_eq(cfg.log_level, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(cfg.socket_mode, 0600);
	ck_assert_int_eq(cfg.max_body, 65536);
	ck_assert_int_eq(cfg.max_clients, 10);
	ck_assert_int_eq(cfg.tick, 600);
	ck_assert_int_eq(cfg.article_retention_days, 7);
	ck_assert_int_eq(cfg.max_unpersisted, 1048576);
	ck_assert_uint_eq(cfg.nfeeds, 2);
	ck_assert_int_eq(cfg.feeds[0].interval, 60);
	ck_assert(cfg.feeds[0].credibility == 0.5);
	/* default_interval applies to feeds that do not set their own */
	ck_assert_int_eq(cfg.feeds[1].interval, 120);
	config_free(&cfg);
}
END_TEST

START_TEST(unknown_key)
{
	expect_error("{\"feeds\":[" FEED_OK "],\"sockett\":\"x\"}",
	    "t.json: sockett: unknown key");
	expect_error("{\"feeds\":[{\"name\":\"a\",\"url\":\"http://h/\","
	    "\"intervall\":60}]}", "t.json: feeds[0].intervall: unknown key");
	expect_error("{\"poll\":{\"timeuot\":1},\"feeds\":[" FEED_OK "]}",
	    "t.json: poll.timeuot: unknown key");
}
END_TEST

START_TEST(wrong_type)
{
	expect_error("{\"socket\":5,\"feeds\":[" FEED_OK "]}",
	    "t.json: socket: must be a string, not a number");
	expect_error("{\"feeds\":{}}", "t.json: feeds: must be an array, not an object");
	expect_error("{\"feeds\":[{\"name\":\"a\",\"url\":\"http://h/\","
	    "\"interval\":\"60\"}]}",
	    "t.json: feeds[0].interval: must be an integer, not a string");
	expect_error("[1]", "t.json: (top level): must be an object, not an array");
	expect_error("{\"feeds\":[5]}", "t.json: feeds[0]: must be an object, not a number");
}
END_TEST

START_TEST(out_of_range)
{
	expect_error("{\"feeds\":[" FEED_OK ",{\"name\":\"b\",\"url\":\"http://h/\"},"
	    "{\"name\":\"c\",\"url\":\"http://h/\"},{\"name\":\"d\","
	    "\"url\":\"http://h/\",\"interval\":5}]}",
	    "t.json: feeds[3].interval: must be between 30 and 86400 (got 5)");
	expect_error("{\"feeds\":[{\"name\":\"a\",\"url\":\"http://h/\","
	    "\"credibility\":1.5}]}",
	    "t.json: feeds[0].credibility: must be between 0 and 1 (got 1.5)");
	expect_error("{\"feeds\":[{\"name\":\"a\",\"url\":\"http://h/\","
	    "\"interval\":60.5}]}",
	    "t.json: feeds[0].interval: must be an integer (got 60.5)");
	expect_error("{\"subscribers\":{\"max_clients\":0},\"feeds\":[" FEED_OK "]}",
	    "t.json: subscribers.max_clients: must be between 1 and 65536 (got 0)");
	expect_error("{\"retention\":{\"max_unpersisted\":1000},\"feeds\":["
	    FEED_OK "]}", "t.json: retention.max_unpersisted: must be between "
	    "65536 and 1099511627776 (got 1000)");
}
END_TEST

START_TEST(bad_url)
{
	expect_error("{\"feeds\":[{\"name\":\"a\",\"url\":\"ftp://h/x\"}]}",
	    "t.json: feeds[0].url: 'ftp://h/x' is not an http:// or https:// URL");
	expect_error("{\"feeds\":[{\"name\":\"a\",\"url\":\"file:///etc/passwd\"}]}",
	    "t.json: feeds[0].url: 'file:///etc/passwd' is not an http:// or "
	    "https:// URL");
	expect_error("{\"feeds\":[{\"name\":\"a\",\"url\":\"http://\"}]}",
	    "t.json: feeds[0].url: 'http://' is not an http:// or https:// URL");
	expect_error("{\"feeds\":[{\"name\":\"a\",\"url\":\"http://h/a b\"}]}",
	    "t.json: feeds[0].url: 'http://h/a b' is not an http:// or https:// URL");
}
END_TEST

START_TEST(duplicate_feed_name)
{
	expect_error("{\"feeds\":[" FEED_OK ",{\"name\":\"b\",\"url\":\"http://h/\"},"
	    "{\"name\":\"a\",\"url\":\"http://h/2\"}]}",
	    "t.json: feeds[2].name: duplicate feed name 'a' (also feeds[0])");
}
END_TEST

START_TEST(empty_or_missing_feeds)
{
	expect_error("{\"feeds\":[]}",
	    "t.json: feeds: is empty: list at least one feed");
	expect_error("{}", "t.json: feeds: missing (required): list the feeds to poll");
	expect_error("{\"feeds\":[{\"url\":\"http://h/\"}]}",
	    "t.json: feeds[0].name: missing (required)");
}
END_TEST

START_TEST(syntax_error_line_column)
{
	expect_error("{\n  \"feeds\": [\n    {\"name\": \"a\",, }\n  ]\n}",
	    "t.json: JSON syntax error at line 3, column 18 (near ', }')");
	expect_error("{\"feeds\":[", "t.json: JSON syntax error at line 1, column 10 "
	    "(near '[')");
	expect_error("{\"feeds\": [1 2]}",
	    "t.json: JSON syntax error at line 1, column 14 (near '2]}')");
	expect_error("", "t.json: JSON syntax error at line 1, column 1: "
	    "unexpected end of input");
	/* The quote holds whole characters only: 14 bytes, not 15. */
	expect_error("{\"feeds\": [] xx\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9}",
	    "t.json: JSON syntax error at line 1, column 14 (near 'xx\xC3\xA9"
	    "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9')");
}
END_TEST

/* JSON is UTF-8: a latin-1 byte is refused, with where it is. */
START_TEST(invalid_utf8)
{
	expect_error("{\n \"feeds\": [{\"name\": \"caf\xE9\"}]}",
	    "t.json: invalid UTF-8 at line 2, column 25");
	expect_error("\xEF\xBB\xBF\xFF{}", "t.json: invalid UTF-8 at line 1, "
	    "column 4");
}
END_TEST

START_TEST(bad_enums_and_names)
{
	expect_error("{\"log_level\":\"loud\",\"feeds\":[" FEED_OK "]}",
	    "t.json: log_level: 'loud' is not one of error, warn, info, debug");
	expect_error("{\"socket_mode\":\"0999\",\"feeds\":[" FEED_OK "]}",
	    "t.json: socket_mode: '0999' is not an octal mode between 0000 and 0777");
	expect_error("{\"feeds\":[{\"name\":\"a b\",\"url\":\"http://h/\"}]}",
	    "t.json: feeds[0].name: 'a b' is not a valid feed name "
	    "(1-64 characters from A-Z a-z 0-9 . _ -)");
	expect_error("{\"database\":\"\",\"feeds\":[" FEED_OK "]}",
	    "t.json: database: must not be empty");
	expect_error("{\"feeds\":[" FEED_OK "],\"feeds\":[" FEED_OK "]}",
	    "t.json: feeds: duplicate key");
	expect_error("{\"subscribers\":{\"soft_limit\":8192,\"hard_limit\":4096},"
	    "\"feeds\":[" FEED_OK "]}",
	    "t.json: subscribers.hard_limit: must not be below soft_limit (8192)");
}
END_TEST

START_TEST(load_missing_file)
{
	struct config cfg;

	ck_assert_int_eq(config_load("/nonexistent/x.json", &cfg, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/x.json: No such file or directory");
}
END_TEST

START_TEST(bundled_config_is_valid)
{
	struct config cfg;

	ck_assert_int_eq(config_load("config/pmsignald.json", &cfg, err,
	    sizeof(err)), 0);
	ck_assert_uint_gt(cfg.nfeeds, 0);
	ck_assert_str_eq(cfg.dir, "config");
	config_free(&cfg);
}
END_TEST

START_TEST(resolve_path)
{
	char *p;

	p = config_resolve_path("/etc/pmsignald", "markets");
	ck_assert_str_eq(p, "/etc/pmsignald/markets");
	free(p);
	p = config_resolve_path("/etc/pmsignald", "/srv/m.json");
	ck_assert_str_eq(p, "/srv/m.json");
	free(p);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, minimal_gets_defaults);
	tcase_add_test(tc, full_config);
	tcase_add_test(tc, unknown_key);
	tcase_add_test(tc, wrong_type);
	tcase_add_test(tc, out_of_range);
	tcase_add_test(tc, bad_url);
	tcase_add_test(tc, duplicate_feed_name);
	tcase_add_test(tc, empty_or_missing_feeds);
	tcase_add_test(tc, syntax_error_line_column);
	tcase_add_test(tc, invalid_utf8);
	tcase_add_test(tc, bad_enums_and_names);
	tcase_add_test(tc, load_missing_file);
	tcase_add_test(tc, bundled_config_is_valid);
	tcase_add_test(tc, resolve_path);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(config_suite());
}
