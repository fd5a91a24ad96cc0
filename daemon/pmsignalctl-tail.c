/*
 * pmsignalctl-tail.c: "pmsignalctl tail": subscribe and print deltas as
 * they come, one line each for a human (time, market, old -> new, points,
 * headline, strongest evidence) or as raw JSON lines.  When the daemon
 * goes away (restart, crash, bye) it reconnects and resumes after the last
 * seq it saw, so nothing is missed and nothing is printed twice.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pmsignalctl.h"

#define TAIL_BACKOFF_MIN_MS	200
#define TAIL_BACKOFF_MAX_MS	5000

enum tail_end {
	TAIL_LOST,	/* connection gone: reconnect */
	TAIL_DONE,	/* --count reached */
	TAIL_FATAL,	/* the daemon rejected our request: give up */
};

struct tail {
	const struct ctl_opts	*o;
	const char		**markets;
	int			  nmarkets;
	int			  has_cursor;
	uint64_t		  cursor;	/* last seq seen or covered */
	long			  count;	/* stop after this many deltas */
	long			  seen;
	int			  reconnect;
	int			  heartbeat;	/* seconds, from hello */
	int			  progress;	/* got past hello this time */
	char			  session[128];
};

static const struct option tail_options[] = {
	{ "market", required_argument, NULL, 'm' },
	{ "since", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "count", required_argument, NULL, 'n' },
	{ "no-reconnect", no_argument, NULL, 'N' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
tail_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pmsignalctl tail [--market GLOB]... [--since SEQ] [--json]\n"
	    "                        [--count N] [--no-reconnect]\n"
	    "  --market GLOB   only these markets (id or glob, e.g. 'ukraine-*'; repeatable)\n"
	    "  --since SEQ     replay every delta after SEQ first\n"
	    "  --json          raw protocol lines instead of the human view\n"
	    "  --count N       exit after N deltas\n"
	    "  --no-reconnect  exit when the connection is lost\n");
}

/* ANSI colour, only when printing to a terminal. */
static const char *
tail_color(const struct tail *t, const char *code)
{
	return t->o->color ? code : "";
}

/* The subscribe request: markets and, when resuming, since. */
static char *
tail_request(const struct tail *t)
{
	cJSON	*o = cJSON_CreateObject(), *a;
	char	*s = NULL;

	if (o == NULL || cJSON_AddStringToObject(o, "op", "subscribe") == NULL)
		goto out;
	if (t->nmarkets > 0 && ((a = cJSON_CreateStringArray(t->markets,
	    t->nmarkets)) == NULL || !cJSON_AddItemToObject(o, "markets", a)))
		goto out;
	if (t->has_cursor &&
	    cJSON_AddNumberToObject(o, "since", (double)t->cursor) == NULL)
		goto out;
	s = cJSON_PrintUnformatted(o);
out:
	cJSON_Delete(o);
	return s;
}

/* A string member of an evidence item, trying several names. */
static const char *
tail_ev_text(const cJSON *e)
{
	static const char *const keys[] = { "text", "match", "quote", "span" };
	const char *s;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((s = ctl_str(e, keys[i])) != NULL)
			return s;
	return NULL;
}

/* "negated,hedged" from a modifiers array of names or {name} objects. */
static void
tail_ev_modifiers(const cJSON *e, char *buf, size_t size)
{
	const cJSON	*m, *a = cJSON_GetObjectItemCaseSensitive(e, "modifiers");
	const char	*name;
	size_t		 len = 0;

	buf[0] = '\0';
	cJSON_ArrayForEach(m, a) {
		name = cJSON_IsString(m) ? m->valuestring : ctl_str(m, "name");
		if (name == NULL || len + strlen(name) + 2 >= size)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    len > 0 ? "," : "", name);
	}
}

/* The evidence item with the largest |weight|, described in one phrase. */
static void
tail_evidence(const cJSON *ev, char *buf, size_t size)
{
	const cJSON	*e, *best = NULL;
	const char	*rule, *text;
	double		 w, bestw = -1;
	char		 mods[128];

	buf[0] = '\0';
	cJSON_ArrayForEach(e, ev) {
		w = fabs(ctl_num(e, "weight", 0));
		if (cJSON_IsObject(e) && w > bestw) {
			best = e;
			bestw = w;
		}
	}
	if (best == NULL)
		return;
	rule = ctl_str(best, "rule");
	text = tail_ev_text(best);
	tail_ev_modifiers(best, mods, sizeof(mods));
	snprintf(buf, size, "%s %+.2f%s%.80s%s%s%s%s", rule != NULL ? rule : "?",
	    ctl_num(best, "weight", 0), text != NULL ? " \"" : "",
	    text != NULL ? text : "", text != NULL ? "\"" : "",
	    mods[0] != '\0' ? " (" : "", mods, mods[0] != '\0' ? ")" : "");
}

/* The headline: the article's title and source, or what moved p. */
static void
tail_headline(const cJSON *d, char *buf, size_t size)
{
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(d, "article");
	const char	*cause = ctl_str(d, "cause");

	if (cJSON_IsObject(a) && ctl_str(a, "title") != NULL) {
		snprintf(buf, size, "%s%s%s%s", ctl_str(a, "title"),
		    ctl_str(a, "source") != NULL ? " (" : "",
		    ctl_str(a, "source") != NULL ? ctl_str(a, "source") : "",
		    ctl_str(a, "source") != NULL ? ")" : "");
		return;
	}
	if (cause != NULL && strcmp(cause, "decay") == 0)
		snprintf(buf, size, "(no news: time decay)");
	else if (cause != NULL && strcmp(cause, "open") == 0)
		snprintf(buf, size, "(market opened)");
	else if (cause != NULL && strcmp(cause, "close") == 0)
		snprintf(buf, size, "(market closed)");
	else
		snprintf(buf, size, "(%s)", cause != NULL ? cause : "?");
}

/* One delta, one line: time market old -> new points headline [evidence]. */
static void
tail_print_delta(const struct tail *t, const cJSON *d)
{
	double	 p = ctl_num(d, "p", 0), prev = ctl_num(d, "prev", 0);
	double	 pts = (p - prev) * 100;
	char	 when[32], head[512], ev[256];
	const char *dir = pts > 0 ? "\033[32m" : pts < 0 ? "\033[31m" : "";

	ctl_format_time(ctl_str(d, "ts"), 0, when, sizeof(when));
	tail_headline(d, head, sizeof(head));
	tail_evidence(cJSON_GetObjectItemCaseSensitive(d, "evidence"), ev,
	    sizeof(ev));
	printf("%s  %s%-24s%s %5.1f%% %s\xe2\x86\x92 %5.1f%%  %+5.1f pts%s  %s",
	    when, tail_color(t, "\033[1m"), ctl_str(d, "market") ?
	    ctl_str(d, "market") : "?", tail_color(t, "\033[0m"), prev * 100,
	    tail_color(t, dir), p * 100, pts, tail_color(t, "\033[0m"), head);
	if (ev[0] != '\0')
		printf("  %s[%s]%s", tail_color(t, "\033[2m"), ev,
		    tail_color(t, "\033[0m"));
	printf("\n");
}

static void
tail_print_snapshot(const struct tail *t, const cJSON *s)
{
	const cJSON	*m;
	char		 when[32];

	printf("%s-- snapshot as of seq %.0f: %d market%s%s\n",
	    tail_color(t, "\033[2m"), ctl_num(s, "as_of_seq", 0),
	    cJSON_GetArraySize(cJSON_GetObjectItem(s, "markets")),
	    cJSON_GetArraySize(cJSON_GetObjectItem(s, "markets")) == 1 ? "" :
	    "s", tail_color(t, "\033[0m"));
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(s, "markets")) {
		ctl_format_time(ctl_str(m, "updated"), 1, when, sizeof(when));
		printf("   %-24s %5.1f%%  %s  %s\n", ctl_str(m, "id") ?
		    ctl_str(m, "id") : "?", ctl_num(m, "p", 0) * 100, when,
		    ctl_str(m, "question") ? ctl_str(m, "question") : "");
	}
}

/* Read and check hello; remember the session and heartbeat interval. */
static int
tail_hello(struct tail *t, struct ctl_conn *c)
{
	char		*line;
	cJSON		*o;
	const char	*session;

	if (ctl_read_line(c, CTL_TIMEOUT_MS, &line) != 1)
		return -1;
	o = cJSON_Parse(line);
	if (t->o->json && o != NULL)
		printf("%s\n", line);
	free(line);
	if (o == NULL || ctl_str(o, "type") == NULL ||
	    strcmp(ctl_str(o, "type"), "hello") != 0) {
		if (o != NULL && ctl_str(o, "message") != NULL)
			fprintf(stderr, "pmsignalctl: %s\n", ctl_str(o, "message"));
		cJSON_Delete(o);
		return -1;
	}
	session = ctl_str(o, "session") != NULL ? ctl_str(o, "session") : "";
	if (t->session[0] != '\0' && strcmp(t->session, session) != 0)
		fprintf(stderr, "-- daemon restarted (session %s); resuming "
		    "after seq %llu\n", session, (unsigned long long)t->cursor);
	snprintf(t->session, sizeof(t->session), "%s", session);
	t->heartbeat = (int)ctl_num(o, "heartbeat", 5);
	cJSON_Delete(o);
	return 0;
}

/* Act on one message; TAIL_LOST means "keep going" unless stop is set. */
static enum tail_end
tail_message(struct tail *t, const cJSON *o, int *stop)
{
	const char *type = ctl_str(o, "type"), *code;

	*stop = 0;
	t->progress = 1;
	if (strcmp(type, "delta") == 0) {
		t->cursor = (uint64_t)ctl_num(o, "seq", (double)t->cursor);
		t->has_cursor = 1;
		if (!t->o->json)
			tail_print_delta(t, o);
		if (t->count > 0 && ++t->seen >= t->count) {
			*stop = 1;
			return TAIL_DONE;
		}
	} else if (strcmp(type, "snapshot") == 0) {
		if ((uint64_t)ctl_num(o, "as_of_seq", 0) > t->cursor ||
		    !t->has_cursor)
			t->cursor = (uint64_t)ctl_num(o, "as_of_seq", 0);
		t->has_cursor = 1;
		if (!t->o->json)
			tail_print_snapshot(t, o);
	} else if (strcmp(type, "gap") == 0 && !t->o->json) {
		fprintf(stderr, "-- gap: missed seq %.0f to %.0f (too slow, or "
		    "pruned); a fresh snapshot follows\n", ctl_num(o, "from", 0),
		    ctl_num(o, "to", 0));
	} else if (strcmp(type, "bye") == 0) {
		fprintf(stderr, "-- daemon said bye: %s\n", ctl_str(o, "reason") ?
		    ctl_str(o, "reason") : "?");
		*stop = 1;
		return TAIL_LOST;
	} else if (strcmp(type, "error") == 0) {
		code = ctl_str(o, "code") != NULL ? ctl_str(o, "code") : "?";
		fprintf(stderr, "pmsignalctl: daemon error %s: %s\n", code,
		    ctl_str(o, "message") ? ctl_str(o, "message") : "");
		if (strcmp(code, "bad_request") == 0 ||
		    strcmp(code, "invalid_json") == 0 ||
		    strcmp(code, "unknown_op") == 0) {
			*stop = 1;
			return TAIL_FATAL;
		}
	}
	return TAIL_LOST;
}

/* Subscribe on a fresh connection and print until it ends. */
static enum tail_end
tail_session(struct tail *t, struct ctl_conn *c)
{
	enum tail_end	 end;
	char		*req, *line;
	cJSON		*o;
	int		 r, stop, quiet_ms;

	if (tail_hello(t, c) == -1)
		return TAIL_LOST;
	if ((req = tail_request(t)) == NULL || ctl_send(c, req) == -1) {
		free(req);
		return TAIL_LOST;
	}
	free(req);
	/* Three missed heartbeats: the daemon is gone or wedged. */
	quiet_ms = (t->heartbeat > 0 ? t->heartbeat : 5) * 3000;
	for (;;) {
		if ((r = ctl_read_line(c, quiet_ms, &line)) != 1) {
			fprintf(stderr, "-- %s\n", r == 0 ? "connection closed" :
			    r == -2 ? "no heartbeat from the daemon" :
			    "connection error");
			return TAIL_LOST;
		}
		if ((o = cJSON_Parse(line)) == NULL ||
		    ctl_str(o, "type") == NULL) {
			fprintf(stderr, "pmsignalctl: not a protocol line: "
			    "%.200s\n", line);
			free(line);
			cJSON_Delete(o);
			continue;
		}
		if (t->o->json && strcmp(ctl_str(o, "type"), "heartbeat") != 0)
			printf("%s\n", line);
		free(line);
		end = tail_message(t, o, &stop);
		cJSON_Delete(o);
		fflush(stdout);
		if (stop)
			return end;
	}
}

static void
tail_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int
tail_parse_args(struct tail *t, int argc, char **argv)
{
	char	*end;
	int	 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "m:s:jn:Nh", tail_options,
	    NULL)) != -1) {
		switch (ch) {
		case 'm':
			t->markets[t->nmarkets++] = optarg;
			break;
		case 's':
			t->cursor = strtoull(optarg, &end, 10);
			if (optarg[0] == '\0' || optarg[0] == '-' || *end != '\0') {
				fprintf(stderr, "pmsignalctl: --since: '%s' is "
				    "not a seq number\n", optarg);
				return -1;
			}
			t->has_cursor = 1;
			break;
		case 'j':
			/* handled by the caller's options too */
			break;
		case 'n':
			t->count = strtol(optarg, &end, 10);
			if (optarg[0] == '\0' || *end != '\0' || t->count < 1) {
				fprintf(stderr, "pmsignalctl: --count: '%s' is "
				    "not a positive number\n", optarg);
				return -1;
			}
			break;
		case 'N':
			t->reconnect = 0;
			break;
		case 'h':
			tail_usage(stdout);
			exit(0);
		default:
			tail_usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pmsignalctl: tail: unexpected argument '%s'\n",
		    argv[optind]);
		return -1;
	}
	return 0;
}

int
ctl_tail(const struct ctl_opts *o, int argc, char **argv)
{
	struct tail	 t;
	struct ctl_conn	 c;
	struct ctl_opts	 opts = *o;
	enum tail_end	 end;
	int		 backoff = TAIL_BACKOFF_MIN_MS, first = 1;

	memset(&t, 0, sizeof(t));
	t.reconnect = 1;
	if ((t.markets = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
			opts.json = 1;
	t.o = &opts;
	if (tail_parse_args(&t, argc, argv) == -1) {
		free(t.markets);
		return 2;
	}
	for (;;) {
		if (ctl_connect(&c, o->socket, !first) == 0) {
			if (!first)
				fprintf(stderr, "-- reconnected to %s\n",
				    o->socket);
			t.progress = 0;
			end = tail_session(&t, &c);
			ctl_close(&c);
			if (end != TAIL_LOST || !t.reconnect) {
				free(t.markets);
				return end == TAIL_DONE ? 0 : 1;
			}
			if (t.progress)
				backoff = TAIL_BACKOFF_MIN_MS;
			fprintf(stderr, "-- reconnecting to %s%s\n", o->socket,
			    t.has_cursor ? " to resume" : "");
		} else if (first)
			break;
		first = 0;
		tail_sleep_ms(backoff);
		backoff = backoff * 2 > TAIL_BACKOFF_MAX_MS ?
		    TAIL_BACKOFF_MAX_MS : backoff * 2;
	}
	free(t.markets);
	return 1;
}
