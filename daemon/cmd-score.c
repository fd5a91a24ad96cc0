/*
 * cmd-score.c: "pmsignald score": score one article against the markets
 * and explain every move.  This is how market authors debug their rules,
 * so the human output is laid out to be read at a glance.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "archive.h"
#include "cmd.h"
#include "config.h"
#include "date.h"
#include "delta.h"
#include "jsonv.h"
#include "market.h"
#include "model.h"
#include "score.h"
#include "text.h"
#include "utf8.h"

#define SCORE_MAX_INPUT	(64u * 1024 * 1024)

static void
score_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pmsignald score [--markets PATH] [--config FILE] [--at TIME]\n"
	    "                       [--credibility X] [--json] FILE|-\n"
	    "  Score one article: a JSON object {\"id\",\"title\",\"body\",\"source\",\n"
	    "  \"url\",\"published\"} or plain text whose first line is the title.\n"
	    "  --markets PATH     market file or directory (default: the config's)\n"
	    "  --config FILE      daemon config naming the markets (default %s)\n"
	    "  --at TIME          RFC 3339 time to score at (default: published, else now)\n"
	    "  --credibility X    source credibility 0..1 (default 1)\n"
	    "  --json             one JSON object instead of the report\n",
	    CONFIG_DEFAULT_PATH);
}

/* The whole input: FILE, or stdin for "-". */
static char *
score_read(const char *path, size_t *len, char *err, size_t errsize)
{
	if (strcmp(path, "-") == 0)
		return jsonv_read_stream(stdin, "stdin", SCORE_MAX_INPUT, len,
		    err, errsize);
	return jsonv_read_file(path, SCORE_MAX_INPUT, len, err, errsize);
}

/*
 * "text" is taken for "body" when there is no "body".  It is renamed in
 * place so that the shared reader sees one body; a wrong type is reported
 * under the name the article used.
 */
static int
score_text_alias(struct jsonv *jv, cJSON *root)
{
	cJSON	*t;

	if (cJSON_GetObjectItemCaseSensitive(root, "body") != NULL ||
	    (t = cJSON_GetObjectItemCaseSensitive(root, "text")) == NULL)
		return 0;
	if (!cJSON_IsString(t) && !cJSON_IsNull(t))
		return jsonv_fail(jv, "text", "must be a string, not %s",
		    jsonv_type_name(t));
	t = cJSON_DetachItemViaPointer(root, t);
	if (!cJSON_AddItemToObject(root, "body", t)) {
		cJSON_Delete(t);
		return jsonv_fail(jv, NULL, "out of memory");
	}
	return 0;
}

/*
 * The JSON form of an article, read as a line of an archive is
 * (archive_parse_object(): types, times, an HTML body made plain text),
 * but with score's own rules on top: unknown keys are refused (a typo
 * would silently score nothing), "id" is optional and "text" stands for
 * "body".  Errors are one line naming the file.
 */
static int
score_parse_json(const char *name, const char *text, size_t len,
    struct article *a, char *err, size_t errsize)
{
	static const char *const keys[] = { "id", "title", "body", "source",
	    "url", "published", "first_seen", "text", NULL };
	struct jsonv	 jv;
	cJSON		*root;
	const char	*why;
	char		 why_buf[256];

	jsonv_init(&jv, name);
	if ((root = jsonv_parse(&jv, text, len)) == NULL ||
	    jsonv_only_keys(&jv, root, NULL, keys) == -1 ||
	    score_text_alias(&jv, root) == -1) {
		cJSON_Delete(root);
		snprintf(err, errsize, "%s", jv.err);
		return -1;
	}
	why = archive_parse_object(root, ARCHIVE_ID_OPTIONAL, a, why_buf,
	    sizeof(why_buf));
	cJSON_Delete(root);
	if (why != NULL) {
		snprintf(err, errsize, "%s: %s", name, why);
		return -1;
	}
	return 0;
}

/* An article from the input: a JSON object, or plain text. */
static int
score_parse_input(const char *name, char *text, size_t len,
    struct article *in, char *err, size_t errsize)
{
	size_t	 i = 0;
	char	*nl;

	memset(in, 0, sizeof(*in));
	in->published = in->first_seen = PM_TIME_NONE;
	in->credibility = 1.0;
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errsize, "%s: binary input (NUL byte)", name);
		return -1;
	}
	while (i < len && (text[i] == ' ' || text[i] == '\n' ||
	    text[i] == '\t' || text[i] == '\r'))
		i++;
	if (i < len && text[i] == '{')
		return score_parse_json(name, text, len, in, err, errsize);
	/* Plain text: the first line is the title. */
	if ((nl = strchr(text + i, '\n')) != NULL) {
		in->title = strndup(text + i, (size_t)(nl - (text + i)));
		in->text = strdup(nl + 1);
	} else {
		in->title = strdup(text + i);
		in->text = strdup("");
	}
	if (in->title == NULL || in->text == NULL) {
		snprintf(err, errsize, "%s: out of memory", name);
		return -1;
	}
	return 0;
}

/* Market path: --markets, else the config's markets (relative to it). */
static char *
score_markets_path(const char *markets, const char *config, char *err,
    size_t errsize)
{
	struct config	 cfg;
	char		*p;

	if (markets != NULL)
		return strdup(markets);
	if (config_load(config, &cfg, err, errsize) == -1)
		return NULL;
	p = config_resolve_path(cfg.dir, cfg.markets);
	config_free(&cfg);
	return p;
}

/* ------------------------------------------------------------------ output */

struct score_run {
	const struct market_set	*set;
	struct scorer		*scorer;
	struct text		 text;
	struct article		 in;
	int64_t			 at;
};

/*
 * p with no news and after this article alone, as the pipeline applies it;
 * q: the probability that the event has happened, from its fact rules.
 */
static int
score_p(const struct score_run *r, uint32_t i, double *before, double *after,
    double *q)
{
	const struct market	*m = &r->set->markets[i];
	struct model_state	 st;
	struct model_input	 in;

	model_init(&st);
	*before = model_p_no_news(m, r->at);
	if (model_input_get(r->scorer, r->set, i, &in) == -1)
		return -1;
	model_update(m, &st, &in, r->at);
	*after = model_p(m, &st, r->at);
	*q = model_happened(&st);
	return 0;
}

static int
score_json(struct score_run *r)
{
	cJSON	*root, *a, *arr, *o, *ev;
	char	 buf[40], *out, *evj;

	if ((root = cJSON_CreateObject()) == NULL ||
	    (a = cJSON_AddObjectToObject(root, "article")) == NULL)
		goto oom;
	cJSON_AddStringToObject(a, "id", r->in.id ? r->in.id : "");
	cJSON_AddStringToObject(a, "title", r->in.title ? r->in.title : "");
	cJSON_AddStringToObject(a, "source", r->in.source ? r->in.source : "");
	cJSON_AddStringToObject(a, "url", r->in.url ? r->in.url : "");
	if (r->in.published != PM_TIME_NONE) {
		date_format_rfc3339(r->in.published, buf, sizeof(buf));
		cJSON_AddStringToObject(a, "published", buf);
	} else
		cJSON_AddNullToObject(a, "published");
	date_format_rfc3339(r->at, buf, sizeof(buf));
	cJSON_AddStringToObject(a, "at", buf);
	if ((arr = cJSON_AddArrayToObject(root, "markets")) == NULL)
		goto oom;
	for (uint32_t i = 0; i < r->set->nmarkets; i++) {
		double before, after, q;

		if (!model_is_open(&r->set->markets[i], r->at))
			continue;
		if (score_p(r, i, &before, &after, &q) == -1)
			goto oom;
		if ((evj = scorer_evidence_json(r->scorer, &r->text, i)) == NULL)
			goto oom;
		ev = cJSON_Parse(evj);
		free(evj);
		if (ev == NULL || (o = cJSON_CreateObject()) == NULL)
			goto oom;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "id", r->set->markets[i].id);
		cJSON_AddNumberToObject(o, "p_before", delta_round(before));
		cJSON_AddNumberToObject(o, "p_after", delta_round(after));
		cJSON_AddNumberToObject(o, "delta",
		    delta_round(delta_round(after) - delta_round(before)));
		cJSON_AddNumberToObject(o, "happened", delta_round(q));
		cJSON_AddItemToObject(o, "evidence", ev);
	}
	if ((out = cJSON_PrintUnformatted(root)) == NULL)
		goto oom;
	printf("%s\n", out);
	free(out);
	cJSON_Delete(root);
	return 0;
oom:
	cJSON_Delete(root);
	fprintf(stderr, "pmsignald: score: out of memory\n");
	return 1;
}

/* One line of original text for the report: blanks folded, at most n bytes. */
static void
score_excerpt(const struct text *t, const struct evidence *e, char *buf,
    size_t size)
{
	const char	*field, *base;
	size_t		 s, en, o;

	text_span(t, e->start, e->end, &field, &s, &en);
	base = strcmp(field, "title") == 0 ? t->orig : t->orig + t->title_len + 1;
	/* Whole characters only, with room for an ellipsis and the NUL. */
	o = utf8_cut(base + s, en - s, size - 4);
	for (size_t i = 0; i < o; i++) {
		char c = base[s + i];

		buf[i] = c == '\n' || c == '\t' || c == '\r' ? ' ' : c;
	}
	if (s + o < en) {
		memcpy(buf + o, "\xe2\x80\xa6", 3);	/* U+2026 */
		o += 3;
	}
	buf[o] = '\0';
}

static void
score_human_evidence(struct score_run *r, uint32_t i)
{
	const struct evidence	*ev;
	long			 n = scorer_evidence(r->scorer, i, &ev);
	char			 ex[120], mods[128];

	for (long k = 0; k < n; k++) {
		const struct evidence	*e = &ev[k];
		const char		*field;
		size_t			 s, en, o = 0;

		text_span(&r->text, e->start, e->end, &field, &s, &en);
		score_excerpt(&r->text, e, ex, sizeof(ex));
		mods[0] = '\0';
		for (int m = 0; m < MOD_COUNT; m++)
			if (e->mods & (1u << m))
				o += (size_t)snprintf(mods + o, sizeof(mods) - o,
				    "%s%s", o ? ", " : "", modifier_name(m));
		printf("      %+7.3f  %-24s %s[%zu..%zu]  \"%s\"%s%s%s\n",
		    e->weight, r->set->markets[i].rules[e->rule].name, field, s,
		    en, ex, o ? "  (" : "", mods, o ? ")" : "");
	}
	if (scorer_raw_total(r->scorer, i) != scorer_total(r->scorer, i))
		printf("      total %+.3f capped at %+.3f (step_cap)\n",
		    scorer_raw_total(r->scorer, i), scorer_total(r->scorer, i));
}

static int
score_human(struct score_run *r)
{
	char	 at[40], when[40], pub[64] = "";
	size_t	 nopen = 0, nmoved = 0, nquiet = 0;

	date_format_rfc3339(r->at, at, sizeof(at));
	printf("%s\n", r->in.title && r->in.title[0] ? r->in.title : "(untitled)");
	if (r->in.published != PM_TIME_NONE) {
		date_format_rfc3339(r->in.published, when, sizeof(when));
		snprintf(pub, sizeof(pub), "published %s, ", when);
	}
	printf("  %s%s%sscored at %s\n\n", r->in.source ? r->in.source : "",
	    r->in.source ? ", " : "", pub, at);
	for (uint32_t i = 0; i < r->set->nmarkets; i++) {
		const struct market *m = &r->set->markets[i];
		double before, after, d, q;
		const struct evidence *ev;

		if (!model_is_open(m, r->at))
			continue;
		nopen++;
		if (scorer_evidence(r->scorer, i, &ev) <= 0) {
			nquiet++;
			continue;
		}
		if (score_p(r, i, &before, &after, &q) == -1) {
			fprintf(stderr, "pmsignald: score: out of memory\n");
			return 1;
		}
		d = delta_round(after) - delta_round(before);
		nmoved += d != 0.0;
		printf("  %s %-32s %.3f -> %.3f  (%+.3f)\n",
		    d > 0 ? "\xe2\x96\xb2" : d < 0 ? "\xe2\x96\xbc" : "=",
		    m->id, before, after, d);
		printf("    %s\n", m->question);
		if (q > 0.0)
			printf("    reported as done: happened with probability "
			    "%.2f, which does not fade\n", q);
		score_human_evidence(r, i);
		printf("\n");
	}
	printf("%zu of %zu open markets moved; %zu without evidence", nmoved,
	    nopen, nquiet);
	if (nquiet > 0) {
		const char *sep = ": ";

		for (uint32_t i = 0; i < r->set->nmarkets; i++) {
			const struct evidence *ev;

			if (model_is_open(&r->set->markets[i], r->at) &&
			    scorer_evidence(r->scorer, i, &ev) == 0) {
				printf("%s%s", sep, r->set->markets[i].id);
				sep = ", ";
			}
		}
	}
	printf("\n");
	return 0;
}

/* ----------------------------------------------------------------- command */

struct score_args {
	const char	*markets, *config, *at, *file;
	double		 credibility;
	int		 json;
};

static int
score_args(int argc, char **argv, struct score_args *a)
{
	static const struct option opts[] = {
		{ "markets", required_argument, NULL, 'm' },
		{ "config", required_argument, NULL, 'c' },
		{ "at", required_argument, NULL, 'a' },
		{ "credibility", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char	*end;
	int	 ch;

	memset(a, 0, sizeof(*a));
	a->config = CONFIG_DEFAULT_PATH;
	a->credibility = 1.0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "m:c:a:r:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': a->markets = optarg; break;
		case 'c': a->config = optarg; break;
		case 'a': a->at = optarg; break;
		case 'j': a->json = 1; break;
		case 'r':
			a->credibility = strtod(optarg, &end);
			if (*end != '\0' || !(a->credibility >= 0.0 &&
			    a->credibility <= 1.0)) {
				fprintf(stderr, "pmsignald: score: --credibility "
				    "'%s' is not a number from 0 to 1\n", optarg);
				return -1;
			}
			break;
		case 'h':
			score_usage(stdout);
			return 1;
		default:
			score_usage(stderr);
			return -1;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "pmsignald: score: give one FILE (or - for stdin)\n");
		score_usage(stderr);
		return -1;
	}
	a->file = argv[optind];
	return 0;
}

static int
score_at(const struct score_args *a, const struct article *in, int64_t *at)
{
	if (a->at != NULL && strcmp(a->at, "now") != 0) {
		if (date_parse_rfc3339(a->at, at) == -1) {
			fprintf(stderr, "pmsignald: score: --at '%s' is not an "
			    "RFC 3339 time\n", a->at);
			return -1;
		}
	} else if (a->at == NULL && in->published != PM_TIME_NONE)
		*at = in->published;
	else
		*at = (int64_t)time(NULL);
	return 0;
}

int
cmd_score(int argc, char **argv)
{
	struct score_args	 a;
	struct score_run	 r;
	struct market_set	*set = NULL;
	char			 err[600], *path = NULL, *input = NULL;
	size_t			 len;
	int			 rc = EXIT_USAGE, x;

	if ((x = score_args(argc, argv, &a)) != 0)
		return x > 0 ? 0 : EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	text_init(&r.text);
	if ((path = score_markets_path(a.markets, a.config, err, sizeof(err))) == NULL ||
	    market_set_load(path, &set, err, sizeof(err)) == -1 ||
	    (input = score_read(a.file, &len, err, sizeof(err))) == NULL ||
	    score_parse_input(strcmp(a.file, "-") ? a.file : "stdin", input, len,
	    &r.in, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (score_at(&a, &r.in, &r.at) == -1)
		goto out;
	rc = 1;
	r.set = set;
	if ((r.scorer = scorer_new(set, err, sizeof(err))) == NULL) {
		fprintf(stderr, "pmsignald: %s\n", err);
		goto out;
	}
	text_set_prefixes(&r.text, scorer_prefix_mask(r.scorer));
	if (text_prepare(&r.text, r.in.title, r.in.text) == -1 ||
	    scorer_run(r.scorer, &r.text, a.credibility) == -1) {
		fprintf(stderr, "pmsignald: score: cannot score %s (too large or "
		    "out of memory)\n", a.file);
		goto out;
	}
	rc = a.json ? score_json(&r) : score_human(&r);
out:
	scorer_free(r.scorer);
	text_free(&r.text);
	archive_article_free(&r.in);
	market_set_free(set);
	free(path);
	free(input);
	return rc;
}
