/*
 * pmsignalctl-show.c: the one-shot commands "markets" and "snapshot", and
 * what every one-shot command shares (pmsignalctl-status.c has "status"):
 * each sends one request and prints the reply for a human, or as the raw
 * JSON line with --json.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmsignalctl.h"

static const struct option show_options[] = {
	{ "market", required_argument, NULL, 'm' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * Common options: --json, and --market GLOB where the command takes it
 * (markets != NULL).  Returns 0, or the exit status to leave with.
 */
int
ctl_show_parse(const char *cmd, int argc, char **argv, struct ctl_opts *o,
    cJSON *markets, int *done)
{
	int ch;

	*done = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, markets != NULL ? "m:jh" : "jh",
	    show_options, NULL)) != -1) {
		switch (ch) {
		case 'm':
			cJSON_AddItemToArray(markets, cJSON_CreateString(optarg));
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			printf("usage: pmsignalctl %s %s[--json]\n", cmd,
			    markets != NULL ? "[--market GLOB]... " : "");
			*done = 1;
			return 0;
		default:
			fprintf(stderr, "usage: pmsignalctl %s %s[--json]\n", cmd,
			    markets != NULL ? "[--market GLOB]... " : "");
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pmsignalctl: %s: unexpected argument '%s'\n",
		    cmd, argv[optind]);
		return 2;
	}
	return 0;
}

/* Send request, print the reply raw or with show_fn; exit status. */
int
ctl_show_request(const struct ctl_opts *o, const char *request,
    const char *type,
    void (*show_fn)(const struct ctl_opts *, const cJSON *))
{
	struct ctl_conn	 c;
	cJSON		*reply;
	char		*text = NULL;

	if (ctl_connect(&c, o->socket, 0) == -1)
		return 1;
	reply = ctl_request(&c, request, type, &text);
	ctl_close(&c);
	if (reply == NULL)
		return 1;
	if (o->json)
		printf("%s\n", text);
	else
		show_fn(o, reply);
	free(text);
	cJSON_Delete(reply);
	return 0;
}

/* One value on one line: scalars as they are, the rest as compact JSON. */
static void
show_value(const char *prefix, const cJSON *v)
{
	char *s;

	if (cJSON_IsString(v))
		printf("%s: %s\n", prefix, v->valuestring);
	else if (cJSON_IsNumber(v))
		printf("%s: %.15g\n", prefix, v->valuedouble);
	else if ((s = cJSON_PrintUnformatted(v)) != NULL) {
		printf("%s: %s\n", prefix, s);
		free(s);
	}
}

/* Members of an object, nested objects flattened as "a.b: value". */
void
ctl_show_members(const char *prefix, const cJSON *o, const char *const *skip)
{
	const cJSON	*m;
	char		 key[256];
	int		 skipped;

	cJSON_ArrayForEach(m, o) {
		skipped = 0;
		for (size_t i = 0; skip != NULL && skip[i] != NULL; i++)
			if (strcmp(m->string, skip[i]) == 0)
				skipped = 1;
		if (skipped)
			continue;
		snprintf(key, sizeof(key), "%s%s%s", prefix,
		    prefix[0] != '\0' ? "." : "", m->string);
		if (cJSON_IsObject(m))
			ctl_show_members(key, m, NULL);
		else
			show_value(key, m);
	}
}

static void
show_markets(const struct ctl_opts *o, const cJSON *reply)
{
	static const char *const skip[] = { "id", "question", NULL };
	const cJSON	*m;
	char		 prefix[300];

	(void)o;
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(reply, "markets")) {
		if (!cJSON_IsObject(m)) {
			show_value("market", m);
			continue;
		}
		printf("%-28s %s\n", ctl_str(m, "id") ? ctl_str(m, "id") : "?",
		    ctl_str(m, "question") ? ctl_str(m, "question") : "");
		snprintf(prefix, sizeof(prefix), "    ");
		ctl_show_members(prefix, m, skip);
	}
}

int
ctl_markets(const struct ctl_opts *o, int argc, char **argv)
{
	struct ctl_opts	opts = *o;
	int		r, done;

	if ((r = ctl_show_parse("markets", argc, argv, &opts, NULL, &done)) != 0 ||
	    done)
		return r;
	return ctl_show_request(&opts, "{\"op\":\"markets\"}", "markets",
	    show_markets);
}

static void
show_snapshot(const struct ctl_opts *o, const cJSON *s)
{
	const cJSON	*m;
	char		 when[32];

	(void)o;
	printf("snapshot as of seq %.0f\n", ctl_num(s, "as_of_seq", 0));
	printf("%-28s %7s  %-14s  %s\n", "MARKET", "P", "UPDATED", "QUESTION");
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(s, "markets")) {
		ctl_format_time(ctl_str(m, "updated"), 1, when, sizeof(when));
		printf("%-28s %6.1f%%  %-14s  %s\n", ctl_str(m, "id") ?
		    ctl_str(m, "id") : "?", ctl_num(m, "p", 0) * 100, when,
		    ctl_str(m, "question") ? ctl_str(m, "question") : "");
	}
}

int
ctl_snapshot(const struct ctl_opts *o, int argc, char **argv)
{
	struct ctl_opts	 opts = *o;
	cJSON		*req, *markets;
	char		*text;
	int		 r, done;

	if ((req = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(req, "op", "snapshot") == NULL ||
	    (markets = cJSON_AddArrayToObject(req, "markets")) == NULL) {
		cJSON_Delete(req);
		return 1;
	}
	if ((r = ctl_show_parse("snapshot", argc, argv, &opts, markets,
	    &done)) != 0 || done) {
		cJSON_Delete(req);
		return r;
	}
	if (cJSON_GetArraySize(markets) == 0)
		cJSON_DeleteItemFromObject(req, "markets");
	text = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	if (text == NULL)
		return 1;
	r = ctl_show_request(&opts, text, "snapshot", show_snapshot);
	free(text);
	return r;
}
