/*
 * delta.c: the protocol's "delta" message, encoded and decoded with cJSON.
 * docs/PROTOCOL.md documents the fields.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "date.h"
#include "delta.h"
#include "jsonw.h"

static const char *const delta_causes[] = { "article", "decay", "open", "close" };

const char *
delta_cause_name(enum delta_cause c)
{
	if ((unsigned)c >= sizeof(delta_causes) / sizeof(delta_causes[0]))
		return "unknown";
	return delta_causes[c];
}

int
delta_cause_parse(const char *s, enum delta_cause *out)
{
	for (size_t i = 0; i < sizeof(delta_causes) / sizeof(delta_causes[0]); i++) {
		if (strcmp(s, delta_causes[i]) == 0) {
			*out = (enum delta_cause)i;
			return 0;
		}
	}
	return -1;
}

double
delta_round(double p)
{
	return round(p * 1e6) / 1e6;
}

/* A string member ("key":"value" or "key":null) after a comma. */
static void
delta_put_string(struct buf *b, const char *key, const char *s)
{
	buf_adds(b, key);
	if (s == NULL)
		buf_add(b, "null", 4);
	else
		jsonw_string(b, s);
}

static void
delta_put_time(struct buf *b, const char *key, int64_t t)
{
	char ts[40];

	if (t == PM_TIME_NONE) {
		delta_put_string(b, key, NULL);
		return;
	}
	date_format_rfc3339(t, ts, sizeof(ts));
	delta_put_string(b, key, ts);
}

static void
delta_put_number(struct buf *b, const char *key, double v)
{
	buf_adds(b, key);
	jsonw_number(b, v);
}

/*
 * Written straight into a buffer rather than built as a cJSON tree and
 * printed: a backtest encodes every delta, and the tree (with the evidence
 * array parsed back into it) cost more than scoring the article.  The bytes
 * are those cJSON_PrintUnformatted() gives for the same object, member for
 * member (a differential test holds it to that).  d->evidence goes in as
 * it is: its producers (the scorer's jsonw writer, delta_from_json(), the
 * store's read path) all hand over a valid array printed that way.
 */
char *
delta_to_json(const struct delta *d, const char *session)
{
	struct buf	 b;
	double		 p = delta_round(d->p), prev = delta_round(d->prev);

	buf_init(&b);
	buf_adds(&b, "{\"type\":\"delta\"");
	delta_put_number(&b, ",\"seq\":", (double)d->seq);
	delta_put_string(&b, ",\"session\":", session);
	delta_put_time(&b, ",\"ts\":", d->ts);
	delta_put_string(&b, ",\"market\":", d->market);
	delta_put_number(&b, ",\"p\":", p);
	delta_put_number(&b, ",\"prev\":", prev);
	delta_put_number(&b, ",\"delta\":", delta_round(p - prev));
	delta_put_string(&b, ",\"cause\":", delta_cause_name(d->cause));
	if (d->article_id == NULL)
		buf_adds(&b, ",\"article\":null");
	else {
		delta_put_string(&b, ",\"article\":{\"id\":", d->article_id);
		delta_put_string(&b, ",\"title\":", d->article_title);
		delta_put_string(&b, ",\"url\":", d->article_url);
		delta_put_string(&b, ",\"source\":", d->article_source);
		delta_put_time(&b, ",\"published\":", d->article_published);
		delta_put_time(&b, ",\"first_seen\":", d->article_first_seen);
		buf_addc(&b, '}');
	}
	buf_adds(&b, ",\"evidence\":");
	buf_adds(&b, d->evidence != NULL && *d->evidence != '\0' ?
	    d->evidence : "[]");
	if (d->unpersisted)
		buf_adds(&b, ",\"persisted\":false");
	buf_addc(&b, '}');
	if (d->market == NULL) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

static char *
delta_dup_string(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(m))
		return NULL;
	return strdup(m->valuestring);
}

static int64_t
delta_get_time(const cJSON *o, const char *key)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(o, key);
	int64_t		 t;

	if (!cJSON_IsString(m) || date_parse_rfc3339(m->valuestring, &t) == -1)
		return PM_TIME_NONE;
	return t;
}

int
delta_from_json(const char *line, struct delta *d)
{
	cJSON		*o, *m, *a, *ev;
	int		 rc = -1;

	memset(d, 0, sizeof(*d));
	if ((o = cJSON_Parse(line)) == NULL)
		return -1;
	m = cJSON_GetObjectItemCaseSensitive(o, "type");
	if (!cJSON_IsString(m) || strcmp(m->valuestring, "delta") != 0)
		goto out;
	if (!cJSON_IsNumber(m = cJSON_GetObjectItemCaseSensitive(o, "seq")))
		goto out;
	d->seq = (uint64_t)m->valuedouble;
	d->ts = delta_get_time(o, "ts");
	if (!cJSON_IsNumber(m = cJSON_GetObjectItemCaseSensitive(o, "p")))
		goto out;
	d->p = m->valuedouble;
	if (!cJSON_IsNumber(m = cJSON_GetObjectItemCaseSensitive(o, "prev")))
		goto out;
	d->prev = m->valuedouble;
	m = cJSON_GetObjectItemCaseSensitive(o, "cause");
	if (!cJSON_IsString(m) || delta_cause_parse(m->valuestring, &d->cause) == -1)
		goto out;
	if ((d->market = delta_dup_string(o, "market")) == NULL)
		goto out;
	a = cJSON_GetObjectItemCaseSensitive(o, "article");
	d->article_published = d->article_first_seen = PM_TIME_NONE;
	if (cJSON_IsObject(a)) {
		d->article_id = delta_dup_string(a, "id");
		d->article_title = delta_dup_string(a, "title");
		d->article_url = delta_dup_string(a, "url");
		d->article_source = delta_dup_string(a, "source");
		d->article_published = delta_get_time(a, "published");
		d->article_first_seen = delta_get_time(a, "first_seen");
	}
	ev = cJSON_GetObjectItemCaseSensitive(o, "evidence");
	if (ev != NULL && (d->evidence = cJSON_PrintUnformatted(ev)) == NULL)
		goto out;
	d->unpersisted = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o,
	    "persisted"));
	rc = 0;
out:
	cJSON_Delete(o);
	if (rc == -1)
		delta_free(d);
	return rc;
}

static int
delta_dup_field(char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return 0;
	}
	return (*dst = strdup(src)) != NULL ? 0 : -1;
}

int
delta_copy(struct delta *dst, const struct delta *src)
{
	*dst = *src;
	dst->market = dst->article_id = dst->article_title = NULL;
	dst->article_url = dst->article_source = dst->evidence = NULL;
	if (delta_dup_field(&dst->market, src->market) == -1 ||
	    delta_dup_field(&dst->article_id, src->article_id) == -1 ||
	    delta_dup_field(&dst->article_title, src->article_title) == -1 ||
	    delta_dup_field(&dst->article_url, src->article_url) == -1 ||
	    delta_dup_field(&dst->article_source, src->article_source) == -1 ||
	    delta_dup_field(&dst->evidence, src->evidence) == -1) {
		delta_free(dst);
		return -1;
	}
	return 0;
}

void
delta_free(struct delta *d)
{
	free(d->market);
	free(d->article_id);
	free(d->article_title);
	free(d->article_url);
	free(d->article_source);
	free(d->evidence);
	memset(d, 0, sizeof(*d));
}
