/*
 * metrics.c: the counters, their Prometheus text rendering and the STATUS=
 * summary.  Rendering is plain formatting over the struct, so every module
 * only ever touches numbers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "metrics.h"
#include "version.h"

static const char *const metrics_poll_error_names[METRICS_POLL_ERROR_KINDS] = {
	"dns", "connect", "tls", "timeout", "rate_limited", "http_4xx",
	"http_5xx", "too_large", "redirect", "parse", "other",
};

static const double metrics_lag_bounds[METRICS_LAG_BUCKETS - 1] =
    METRICS_LAG_BOUNDS;

void
metrics_init(struct metrics_counters *c, int64_t now)
{
	memset(c, 0, sizeof(*c));
	c->start_time = now;
	c->last_delta_time = PM_TIME_NONE;
}

void
metrics_poll_error(struct metrics_counters *c, enum metrics_poll_error kind)
{
	if ((unsigned)kind >= METRICS_POLL_ERROR_KINDS)
		kind = METRICS_POLL_OTHER;
	c->poll_errors[kind]++;
}

/* Group curl's many error codes into the few kinds ops act on. */
enum metrics_poll_error
metrics_poll_error_curl(CURLcode code)
{
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return METRICS_POLL_DNS;
	case CURLE_COULDNT_CONNECT:
		return METRICS_POLL_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return METRICS_POLL_TLS;
	case CURLE_OPERATION_TIMEDOUT:
		return METRICS_POLL_TIMEOUT;
	case CURLE_FILESIZE_EXCEEDED:
		return METRICS_POLL_TOO_LARGE;
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return METRICS_POLL_REDIRECT;
	default:
		return METRICS_POLL_OTHER;
	}
}

enum metrics_poll_error
metrics_poll_error_http(long status)
{
	if (status == 429 || status == 503)
		return METRICS_POLL_RATE_LIMITED;
	if (status >= 400 && status < 500)
		return METRICS_POLL_HTTP_4XX;
	if (status >= 500 && status < 600)
		return METRICS_POLL_HTTP_5XX;
	return METRICS_POLL_OTHER;
}

const char *
metrics_poll_error_name(enum metrics_poll_error kind)
{
	if ((unsigned)kind >= METRICS_POLL_ERROR_KINDS)
		return "unknown";
	return metrics_poll_error_names[kind];
}

void
metrics_delta(struct metrics_counters *c, uint64_t seq, int64_t ts)
{
	c->deltas++;
	c->last_delta_seq = seq;
	c->last_delta_time = ts;
}

void
metrics_loop_lag(struct metrics_counters *c, double seconds)
{
	size_t i;

	if (seconds < 0)
		seconds = 0;
	for (i = 0; i < METRICS_LAG_BUCKETS - 1; i++)
		if (seconds <= metrics_lag_bounds[i])
			break;
	c->lag_buckets[i]++;
	c->lag_count++;
	c->lag_sum += seconds;
	if (seconds > c->lag_max)
		c->lag_max = seconds;
}

/* "# HELP" and "# TYPE" lines that open a metric family. */
static int
metrics_family(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	return evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name,
	    help, name, type) < 0 ? -1 : 0;
}

/* A family with one unlabelled integer sample. */
static int
metrics_u64(struct evbuffer *b, const char *name, const char *type,
    const char *help, uint64_t v)
{
	if (metrics_family(b, name, type, help) == -1)
		return -1;
	return evbuffer_add_printf(b, "%s %" PRIu64 "\n", name, v) < 0 ? -1 : 0;
}

static int
metrics_render_polls(const struct metrics_counters *c, struct evbuffer *b)
{
	if (metrics_u64(b, "pmsignald_polls_total", "counter",
	    "Feed polls finished, whatever the outcome.", c->polls) == -1 ||
	    metrics_u64(b, "pmsignald_polls_not_modified_total", "counter",
	    "Feed polls answered 304 Not Modified.", c->polls_not_modified) == -1 ||
	    metrics_family(b, "pmsignald_poll_errors_total", "counter",
	    "Failed feed polls by kind of failure.") == -1)
		return -1;
	for (int k = 0; k < METRICS_POLL_ERROR_KINDS; k++)
		if (evbuffer_add_printf(b, "pmsignald_poll_errors_total"
		    "{kind=\"%s\"} %" PRIu64 "\n", metrics_poll_error_names[k],
		    c->poll_errors[k]) < 0)
			return -1;
	if (metrics_u64(b, "pmsignald_feeds", "gauge",
	    "Feeds configured.", c->feeds) == -1 ||
	    metrics_u64(b, "pmsignald_feeds_failing", "gauge",
	    "Feeds whose last poll failed.", c->feeds_failing) == -1)
		return -1;
	return 0;
}

static int
metrics_render_pipeline(const struct metrics_counters *c, struct evbuffer *b)
{
	double last = c->last_delta_time == PM_TIME_NONE ? 0 :
	    (double)c->last_delta_time;

	if (metrics_u64(b, "pmsignald_articles_total", "counter",
	    "New articles scored.", c->articles) == -1 ||
	    metrics_u64(b, "pmsignald_articles_duplicate_total", "counter",
	    "Near-duplicate articles that moved nothing.",
	    c->articles_duplicate) == -1 ||
	    metrics_u64(b, "pmsignald_markets", "gauge",
	    "Markets loaded.", c->markets) == -1 ||
	    metrics_u64(b, "pmsignald_deltas_total", "counter",
	    "Deltas published.", c->deltas) == -1 ||
	    metrics_u64(b, "pmsignald_last_delta_seq", "gauge",
	    "Sequence number of the last delta published (0: none).",
	    c->last_delta_seq) == -1 ||
	    metrics_family(b, "pmsignald_last_delta_timestamp_seconds", "gauge",
	    "Time of the last delta published (0: none).") == -1 ||
	    evbuffer_add_printf(b, "pmsignald_last_delta_timestamp_seconds "
	    "%.0f\n", last) < 0)
		return -1;
	return 0;
}

static int
metrics_render_server(const struct metrics_counters *c, struct evbuffer *b)
{
	if (metrics_u64(b, "pmsignald_subscribers", "gauge",
	    "Subscribers connected now.", c->subscribers) == -1 ||
	    metrics_u64(b, "pmsignald_subscribers_accepted_total", "counter",
	    "Subscriber connections accepted.", c->subscribers_accepted) == -1 ||
	    metrics_u64(b, "pmsignald_subscribers_refused_total", "counter",
	    "Subscriber connections refused (max_clients).",
	    c->subscribers_refused) == -1 ||
	    metrics_family(b, "pmsignald_slow_consumer_events_total", "counter",
	    "Slow-consumer events: queueing stopped (gap) or client closed.") == -1 ||
	    evbuffer_add_printf(b, "pmsignald_slow_consumer_events_total"
	    "{event=\"gap\"} %" PRIu64 "\n", c->slow_consumer_gaps) < 0 ||
	    evbuffer_add_printf(b, "pmsignald_slow_consumer_events_total"
	    "{event=\"close\"} %" PRIu64 "\n", c->slow_consumer_closes) < 0)
		return -1;
	return 0;
}

/* Prometheus histograms are cumulative: each bucket counts all below it. */
static int
metrics_render_lag(const struct metrics_counters *c, struct evbuffer *b)
{
	uint64_t cum = 0;

	if (metrics_family(b, "pmsignald_loop_lag_seconds", "histogram",
	    "How late the event loop runs a timer.") == -1)
		return -1;
	for (size_t i = 0; i < METRICS_LAG_BUCKETS; i++) {
		char le[32];

		if (i < METRICS_LAG_BUCKETS - 1)
			snprintf(le, sizeof(le), "%g", metrics_lag_bounds[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		cum += c->lag_buckets[i];
		if (evbuffer_add_printf(b, "pmsignald_loop_lag_seconds_bucket"
		    "{le=\"%s\"} %" PRIu64 "\n", le, cum) < 0)
			return -1;
	}
	if (evbuffer_add_printf(b, "pmsignald_loop_lag_seconds_sum %.9f\n"
	    "pmsignald_loop_lag_seconds_count %" PRIu64 "\n", c->lag_sum,
	    c->lag_count) < 0 ||
	    metrics_family(b, "pmsignald_loop_lag_max_seconds", "gauge",
	    "Largest event-loop lag since start.") == -1 ||
	    evbuffer_add_printf(b, "pmsignald_loop_lag_max_seconds %.9f\n",
	    c->lag_max) < 0)
		return -1;
	return 0;
}

static int
metrics_render_daemon(const struct metrics_counters *c, struct evbuffer *b)
{
	if (metrics_family(b, "pmsignald_build_info", "gauge",
	    "Version of the running pmsignald.") == -1 ||
	    evbuffer_add_printf(b, "pmsignald_build_info{version=\"%s\"} 1\n",
	    PM_VERSION) < 0 ||
	    metrics_u64(b, "pmsignald_start_time_seconds", "gauge",
	    "Time the daemon started, in epoch seconds.",
	    (uint64_t)(c->start_time > 0 ? c->start_time : 0)) == -1 ||
	    metrics_family(b, "pmsignald_reloads_total", "counter",
	    "Config reloads (SIGHUP) by result.") == -1 ||
	    evbuffer_add_printf(b, "pmsignald_reloads_total{result=\"ok\"} %"
	    PRIu64 "\n", c->reloads) < 0 ||
	    evbuffer_add_printf(b, "pmsignald_reloads_total{result=\"failed\"} %"
	    PRIu64 "\n", c->reload_failures) < 0)
		return -1;
	return 0;
}

int
metrics_render(const struct metrics_counters *c, struct evbuffer *out)
{
	if (metrics_render_daemon(c, out) == -1 ||
	    metrics_render_polls(c, out) == -1 ||
	    metrics_render_pipeline(c, out) == -1 ||
	    metrics_render_server(c, out) == -1 ||
	    metrics_render_lag(c, out) == -1)
		return -1;
	return 0;
}

void
metrics_summary(const struct metrics_counters *c, char *buf, size_t size)
{
	char when[40];

	if (c->last_delta_time == PM_TIME_NONE)
		snprintf(when, sizeof(when), "never");
	else
		date_format_rfc3339(c->last_delta_time, when, sizeof(when));
	snprintf(buf, size, "%" PRIu64 " feeds (%" PRIu64 " failing), %"
	    PRIu64 " markets, %" PRIu64 " subscribers, %" PRIu64 " deltas, "
	    "last delta %s", c->feeds, c->feeds_failing, c->markets,
	    c->subscribers, c->deltas, when);
}
