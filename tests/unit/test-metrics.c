/*
 * test-metrics.c: the metrics_listen spec accepts loopback addresses only;
 * the counters render as Prometheus text with the values put in (loop-lag
 * buckets cumulative); the STATUS= summary says what the counters say;
 * curl and HTTP failures map to the documented kinds.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "date.h"
#include "loopback.h"
#include "metrics.h"
#include "unit.h"

static char err[512];

static void
expect_addr(const char *spec, const char *host, unsigned port)
{
	struct loopback_addr a;

	ck_assert_msg(loopback_parse(spec, &a, err, sizeof(err)) == 0,
	    "%s: %s", spec, err);
	ck_assert_str_eq(a.host, host);
	ck_assert_uint_eq(a.port, port);
}

/* Refused, with a message containing want. */
static void
expect_refused(const char *spec, const char *want)
{
	struct loopback_addr a;

	err[0] = '\0';
	ck_assert_int_eq(loopback_parse(spec, &a, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, want) != NULL, "%s: '%s' lacks '%s'", spec,
	    err, want);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(loopback_accepts)
{
	expect_addr("127.0.0.1:9464", "127.0.0.1", 9464);
	expect_addr("127.3.2.1:1", "127.3.2.1", 1);
	expect_addr("[::1]:65535", "::1", 65535);
	expect_addr("localhost:9464", "127.0.0.1", 9464);
	expect_addr("127.0.0.1:0", "127.0.0.1", 0);
}
END_TEST

START_TEST(loopback_refuses)
{
	expect_refused("0.0.0.0:9464", "not a loopback address");
	expect_refused("192.168.1.2:9464", "not a loopback address");
	expect_refused("[::]:9464", "not a loopback address");
	expect_refused("[2001:db8::1]:80", "not a loopback address");
	expect_refused("example.org:9464", "not a numeric address");
	expect_refused("128.0.0.1:9464", "not a loopback address");
	expect_refused("127.0.0.1", "is not ADDRESS:PORT");
	expect_refused("::1:9464", "is not ADDRESS:PORT");
	expect_refused("[::1]9464", "is not ADDRESS:PORT");
	expect_refused(":9464", "is not ADDRESS:PORT");
	expect_refused("127.0.0.1:65536", "not a number between 0 and 65535");
	expect_refused("127.0.0.1:-1", "not a number");
	expect_refused("127.0.0.1:", "not a number");
	expect_refused("127.0.0.1:80x", "not a number");
}
END_TEST

/* The config loader applies the same rule, naming file and key. */
START_TEST(config_refuses_public_metrics)
{
	const char *text = "{\"metrics_listen\":\"0.0.0.0:9464\",\"feeds\":"
	    "[{\"name\":\"a\",\"url\":\"https://example.org/rss\"}]}";
	const char *good = "{\"metrics_listen\":\"[::1]:9464\",\"feeds\":"
	    "[{\"name\":\"a\",\"url\":\"https://example.org/rss\"}]}";
	struct config cfg;

	ck_assert_int_eq(config_parse("t.json", text, strlen(text), &cfg, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t.json: metrics_listen: '0.0.0.0:9464': not a "
	    "loopback address; the metrics listener has no authentication and "
	    "only listens on 127.0.0.0/8 or [::1]");
	ck_assert_int_eq(config_parse("t.json", good, strlen(good), &cfg, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(cfg.metrics_listen, "[::1]:9464");
	config_free(&cfg);
}
END_TEST

/* Render c into a NUL-terminated string (caller frees). */
static char *
render(const struct metrics_counters *c)
{
	struct evbuffer	*b = evbuffer_new();
	size_t		 len;
	char		*s;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(metrics_render(c, b), 0);
	len = evbuffer_get_length(b);
	s = malloc(len + 1);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(evbuffer_remove(b, s, len), (int)len);
	s[len] = '\0';
	evbuffer_free(b);
	return s;
}

static void
expect_line(const char *text, const char *line)
{
	char	want[256];

	snprintf(want, sizeof(want), "\n%s\n", line);
	ck_assert_msg(strstr(text, want) != NULL, "no line '%s' in:\n%s", line,
	    text);
}

START_TEST(render_values)
{
	struct metrics_counters	c;
	char			*s;

	metrics_init(&c, 1700000000);
	c.polls = 17;
	c.polls_not_modified = 5;
	metrics_poll_error(&c, METRICS_POLL_TIMEOUT);
	metrics_poll_error(&c, METRICS_POLL_TIMEOUT);
	metrics_poll_error(&c, metrics_poll_error_http(503));
	metrics_poll_error(&c, (enum metrics_poll_error)99);
	c.articles = 40;
	c.subscribers = 3;
	c.slow_consumer_gaps = 2;
	c.slow_consumer_closes = 1;
	c.reload_failures = 4;
	metrics_delta(&c, 12, 1700000100);
	metrics_delta(&c, 13, 1700000200);
	s = render(&c);
	expect_line(s, "pmsignald_polls_total 17");
	expect_line(s, "pmsignald_polls_not_modified_total 5");
	expect_line(s, "pmsignald_poll_errors_total{kind=\"timeout\"} 2");
	expect_line(s, "pmsignald_poll_errors_total{kind=\"rate_limited\"} 1");
	expect_line(s, "pmsignald_poll_errors_total{kind=\"other\"} 1");
	expect_line(s, "pmsignald_poll_errors_total{kind=\"dns\"} 0");
	expect_line(s, "pmsignald_articles_total 40");
	expect_line(s, "pmsignald_deltas_total 2");
	expect_line(s, "pmsignald_last_delta_seq 13");
	expect_line(s, "pmsignald_last_delta_timestamp_seconds 1700000200");
	expect_line(s, "pmsignald_subscribers 3");
	expect_line(s, "pmsignald_slow_consumer_events_total{event=\"gap\"} 2");
	expect_line(s, "pmsignald_slow_consumer_events_total{event=\"close\"} 1");
	expect_line(s, "pmsignald_reloads_total{result=\"failed\"} 4");
	expect_line(s, "pmsignald_start_time_seconds 1700000000");
	expect_line(s, "# TYPE pmsignald_subscribers gauge");
	expect_line(s, "# TYPE pmsignald_deltas_total counter");
	ck_assert_int_eq(s[strlen(s) - 1], '\n');
	free(s);
}
END_TEST

START_TEST(render_lag_histogram)
{
	struct metrics_counters	c;
	char			*s;

	metrics_init(&c, 0);
	metrics_loop_lag(&c, 0.0005);	/* <= 0.001 */
	metrics_loop_lag(&c, 0.001);	/* <= 0.001: bounds are inclusive */
	metrics_loop_lag(&c, 0.02);	/* <= 0.05 */
	metrics_loop_lag(&c, 7.5);	/* +Inf only */
	metrics_loop_lag(&c, -1);	/* clock oddity: counted as 0 */
	s = render(&c);
	expect_line(s, "# TYPE pmsignald_loop_lag_seconds histogram");
	expect_line(s, "pmsignald_loop_lag_seconds_bucket{le=\"0.001\"} 3");
	expect_line(s, "pmsignald_loop_lag_seconds_bucket{le=\"0.01\"} 3");
	expect_line(s, "pmsignald_loop_lag_seconds_bucket{le=\"0.05\"} 4");
	expect_line(s, "pmsignald_loop_lag_seconds_bucket{le=\"5\"} 4");
	expect_line(s, "pmsignald_loop_lag_seconds_bucket{le=\"+Inf\"} 5");
	expect_line(s, "pmsignald_loop_lag_seconds_count 5");
	expect_line(s, "pmsignald_loop_lag_seconds_sum 7.521500000");
	expect_line(s, "pmsignald_loop_lag_max_seconds 7.500000000");
	free(s);
}
END_TEST

START_TEST(summary_text)
{
	struct metrics_counters	c;
	char			buf[256];

	metrics_init(&c, 0);
	c.feeds = 8;
	c.feeds_failing = 1;
	c.markets = 10;
	metrics_summary(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "8 feeds (1 failing), 10 markets, 0 subscribers, "
	    "0 deltas, last delta never");
	c.subscribers = 2;
	metrics_delta(&c, 99, 1763510400);
	metrics_summary(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "8 feeds (1 failing), 10 markets, 2 subscribers, "
	    "1 deltas, last delta 2025-11-19T00:00:00Z");
}
END_TEST

START_TEST(error_kinds)
{
	ck_assert_int_eq(metrics_poll_error_curl(CURLE_COULDNT_RESOLVE_HOST),
	    METRICS_POLL_DNS);
	ck_assert_int_eq(metrics_poll_error_curl(CURLE_COULDNT_CONNECT),
	    METRICS_POLL_CONNECT);
	ck_assert_int_eq(metrics_poll_error_curl(CURLE_PEER_FAILED_VERIFICATION),
	    METRICS_POLL_TLS);
	ck_assert_int_eq(metrics_poll_error_curl(CURLE_OPERATION_TIMEDOUT),
	    METRICS_POLL_TIMEOUT);
	ck_assert_int_eq(metrics_poll_error_curl(CURLE_TOO_MANY_REDIRECTS),
	    METRICS_POLL_REDIRECT);
	ck_assert_int_eq(metrics_poll_error_curl(CURLE_FILESIZE_EXCEEDED),
	    METRICS_POLL_TOO_LARGE);
	ck_assert_int_eq(metrics_poll_error_curl(CURLE_RECV_ERROR),
	    METRICS_POLL_OTHER);
	ck_assert_int_eq(metrics_poll_error_http(404), METRICS_POLL_HTTP_4XX);
	ck_assert_int_eq(metrics_poll_error_http(429), METRICS_POLL_RATE_LIMITED);
	ck_assert_int_eq(metrics_poll_error_http(500), METRICS_POLL_HTTP_5XX);
	ck_assert_int_eq(metrics_poll_error_http(302), METRICS_POLL_OTHER);
	ck_assert_str_eq(metrics_poll_error_name(METRICS_POLL_HTTP_5XX),
	    "http_5xx");
	ck_assert_str_eq(metrics_poll_error_name(METRICS_POLL_ERROR_KINDS),
	    "unknown");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("metrics");
	TCase	*tc = tcase_create("metrics");

	tcase_add_test(tc, loopback_accepts);
	tcase_add_test(tc, loopback_refuses);
	tcase_add_test(tc, config_refuses_public_metrics);
	tcase_add_test(tc, render_values);
	tcase_add_test(tc, render_lag_histogram);
	tcase_add_test(tc, summary_text);
	tcase_add_test(tc, error_kinds);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
