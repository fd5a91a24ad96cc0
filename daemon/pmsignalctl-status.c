/*
 * pmsignalctl-status.c: "pmsignalctl status": the daemon's status reply
 * as tables a human reads at a glance: one line per feed (health, last
 * success, next poll, failures, last error), one per market (status, p,
 * prior, last update), the subscribers and the counters.  --json prints
 * the reply as it came.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "pmsignalctl.h"

#define STATUS_NAME_MAX	40	/* widest name column */

/* "12s", "5m", "2h05m", "3d04h": a duration for a narrow column. */
static void
status_duration(int64_t s, char *buf, size_t size)
{
	if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, size, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s / 60 % 60));
	else
		snprintf(buf, size, "%lldd%02lldh", (long long)(s / 86400),
		    (long long)(s / 3600 % 24));
}

/* A time member as "12s ago" ("never" when null or absent). */
static void
status_ago(const cJSON *o, const char *key, int64_t now, char *buf,
    size_t size)
{
	const char	*s = ctl_str(o, key);
	char		 d[24];
	int64_t		 t;

	if (s == NULL || date_parse_rfc3339(s, &t) == -1) {
		snprintf(buf, size, "never");
		return;
	}
	status_duration(now > t ? now - t : 0, d, sizeof(d));
	snprintf(buf, size, "%s ago", d);
}

/* A time member as "in 40s" ("now" once due, "-" when unknown). */
static void
status_until(const cJSON *o, const char *key, int64_t now, char *buf,
    size_t size)
{
	const char	*s = ctl_str(o, key);
	char		 d[24];
	int64_t		 t;

	if (s == NULL || date_parse_rfc3339(s, &t) == -1) {
		snprintf(buf, size, "-");
		return;
	}
	if (t <= now) {
		snprintf(buf, size, "now");
		return;
	}
	status_duration(t - now, d, sizeof(d));
	snprintf(buf, size, "in %s", d);
}

/* The width of the widest string member key of an array's objects. */
static int
status_width(const cJSON *arr, const char *key, int min)
{
	const cJSON	*m;
	int		 w = min, n;

	cJSON_ArrayForEach(m, arr) {
		n = ctl_str(m, key) != NULL ? (int)strlen(ctl_str(m, key)) : 0;
		if (n > w)
			w = n;
	}
	return w > STATUS_NAME_MAX ? STATUS_NAME_MAX : w;
}

/* Health in colour on a terminal: ok green, failing red. */
static const char *
status_health_color(const struct ctl_opts *o, const char *health)
{
	if (!o->color || health == NULL)
		return "";
	if (strcmp(health, "ok") == 0)
		return "\033[32m";
	if (strcmp(health, "failing") == 0)
		return "\033[31m";
	return "";
}

/* One line per feed. */
static void
status_feeds(const struct ctl_opts *o, const cJSON *s, int64_t now)
{
	const cJSON	*feeds = cJSON_GetObjectItemCaseSensitive(s, "feeds");
	const cJSON	*f;
	const char	*health, *err;
	char		 ok[32], next[32], when[32];
	int		 w = status_width(feeds, "name", 4), failing = 0;

	cJSON_ArrayForEach(f, feeds)
		failing += ctl_str(f, "health") != NULL &&
		    strcmp(ctl_str(f, "health"), "failing") == 0;
	printf("\nfeeds: %d (%d failing)\n", cJSON_GetArraySize(feeds), failing);
	if (cJSON_GetArraySize(feeds) == 0)
		return;
	printf("  %-*s  %-7s  %-11s  %-9s  %6s  %5s  %s\n", w, "FEED", "HEALTH",
	    "LAST OK", "NEXT POLL", "POLLS", "FAILS", "LAST ERROR");
	cJSON_ArrayForEach(f, feeds) {
		health = ctl_str(f, "health");
		err = ctl_str(f, "last_error");
		status_ago(f, "last_success", now, ok, sizeof(ok));
		status_until(f, "next_poll", now, next, sizeof(next));
		status_ago(f, "last_failure", now, when, sizeof(when));
		printf("  %-*.*s  %s%-7s%s  %-11s  %-9s  %6.0f  %5.0f  ", w, w,
		    ctl_str(f, "name") ? ctl_str(f, "name") : "?",
		    status_health_color(o, health), health ? health : "?",
		    o->color && health != NULL ? "\033[0m" : "", ok, next,
		    ctl_num(f, "polls", 0), ctl_num(f, "consecutive_failures", 0));
		if (err != NULL)
			printf("%s: %s\n", when, err);
		else
			printf("-\n");
	}
}

/* One line per market: status, p, prior, last update, question. */
static void
status_markets(const cJSON *s)
{
	const cJSON	*markets = cJSON_GetObjectItemCaseSensitive(s, "markets");
	const cJSON	*m;
	char		 when[32];
	int		 w = status_width(markets, "id", 6);

	printf("\nmarkets: %d\n", cJSON_GetArraySize(markets));
	if (cJSON_GetArraySize(markets) == 0)
		return;
	printf("  %-*s  %-7s  %6s  %6s  %-14s  %s\n", w, "MARKET", "STATUS",
	    "P", "PRIOR", "UPDATED", "QUESTION");
	cJSON_ArrayForEach(m, markets) {
		ctl_format_time(ctl_str(m, "updated"), 1, when, sizeof(when));
		printf("  %-*.*s  %-7s  %5.1f%%  %5.1f%%  %-14s  %s\n", w, w,
		    ctl_str(m, "id") ? ctl_str(m, "id") : "?",
		    ctl_str(m, "status") ? ctl_str(m, "status") : "?",
		    ctl_num(m, "p", NAN) * 100, ctl_num(m, "prior", NAN) * 100,
		    when, ctl_str(m, "question") ? ctl_str(m, "question") : "");
	}
}

/* "timeout 2, http_5xx 1" (only the kinds that happened), or "none". */
static void
status_poll_errors(const cJSON *errors, char *buf, size_t size)
{
	const cJSON	*k;
	size_t		 len = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(k, errors) {
		if (!cJSON_IsNumber(k) || k->valuedouble <= 0 || len >= size)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s %.0f",
		    len > 0 ? ", " : "", k->string, k->valuedouble);
	}
	if (len == 0)
		snprintf(buf, size, "none");
}

/* Subscribers and counters, a few short lines. */
static void
status_counters(const cJSON *s)
{
	const cJSON	*sub = cJSON_GetObjectItemCaseSensitive(s, "subscribers");
	const cJSON	*c = cJSON_GetObjectItemCaseSensitive(s, "counters");
	const cJSON	*store;
	char		 errors[512];

	printf("\nsubscribers: %.0f of %.0f on %s; published %.0f, "
	    "refused %.0f, slow-consumer gaps %.0f, closed %.0f\n",
	    ctl_num(sub, "clients", 0), ctl_num(sub, "max_clients", 0),
	    ctl_str(sub, "socket") ? ctl_str(sub, "socket") : "?",
	    ctl_num(sub, "published", 0), ctl_num(sub, "refused", 0),
	    ctl_num(c, "slow_consumer_gaps", 0),
	    ctl_num(sub, "slow_consumers_closed", 0));
	if (c == NULL)
		return;
	status_poll_errors(cJSON_GetObjectItemCaseSensitive(c, "poll_errors"),
	    errors, sizeof(errors));
	store = cJSON_GetObjectItemCaseSensitive(c, "store_failing");
	printf("polls: %.0f (%.0f not modified); errors: %s\n",
	    ctl_num(c, "polls", 0), ctl_num(c, "polls_not_modified", 0), errors);
	printf("articles: %.0f (%.0f near-duplicates); deltas: %.0f; "
	    "reloads: %.0f (%.0f refused); store: %s\n",
	    ctl_num(c, "articles", 0), ctl_num(c, "articles_duplicate", 0),
	    ctl_num(c, "deltas", 0), ctl_num(c, "reloads", 0),
	    ctl_num(c, "reload_failures", 0),
	    cJSON_IsTrue(store) ? "FAILING (see the log)" : "ok");
}

/*
 * The whole reply.  feeds, markets and counters get their tables only in
 * the shape this version knows; otherwise they are printed as they are.
 */
static void
status_show(const struct ctl_opts *o, const cJSON *s)
{
	const char	*shown[16] = {
		"type", "version", "session", "seq", "uptime", "database",
		"subscribers", "client", NULL
	};
	const cJSON	*feeds = cJSON_GetObjectItemCaseSensitive(s, "feeds");
	const cJSON	*markets = cJSON_GetObjectItemCaseSensitive(s, "markets");
	const cJSON	*counters = cJSON_GetObjectItemCaseSensitive(s, "counters");
	long		 up = (long)ctl_num(s, "uptime", 0);
	int64_t		 now = (int64_t)time(NULL);
	size_t		 n = 8;

	printf("pmsignald %s, session %s, seq %.0f, up %ldd %02ld:%02ld:%02ld\n",
	    ctl_str(s, "version") ? ctl_str(s, "version") : "?",
	    ctl_str(s, "session") ? ctl_str(s, "session") : "?",
	    ctl_num(s, "seq", 0), up / 86400, up / 3600 % 24, up / 60 % 60,
	    up % 60);
	if (ctl_str(s, "database") != NULL)
		printf("database: %s\n", ctl_str(s, "database"));
	if (cJSON_IsArray(feeds)) {
		status_feeds(o, s, now);
		shown[n++] = "feeds";
	}
	if (cJSON_IsArray(markets)) {
		status_markets(s);
		shown[n++] = "markets";
	}
	if (cJSON_IsObject(counters) || counters == NULL) {
		status_counters(s);
		shown[n++] = "counters";
	}
	/* Whatever a newer daemon adds, as plain "key: value" lines. */
	ctl_show_members("", s, shown);
}

int
ctl_status(const struct ctl_opts *o, int argc, char **argv)
{
	struct ctl_opts	opts = *o;
	int		r, done;

	if ((r = ctl_show_parse("status", argc, argv, &opts, NULL,
	    &done)) != 0 || done)
		return r;
	return ctl_show_request(&opts, "{\"op\":\"status\"}", "status",
	    status_show);
}
