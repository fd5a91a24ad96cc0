/*
 * feed-json.c: JSON Feed 1.0 and 1.1 (https://jsonfeed.org) with cJSON.
 *
 * title and home_page_url are the feed's; each item gives id, url (the
 * link, resolved against the base URL), title, summary, content_text or
 * else content_html (text or HTML content), date_published,
 * date_modified, and author.name (1.0) or else authors[0].name (1.1).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "feed-internal.h"
#include "uri.h"

/*
 * cJSON spends a node of about 64 bytes on every value, so a max_body of
 * "0,0,0,..." would take 300 MB to hold.  A real feed of FEED_MAX_ENTRIES
 * items has some tens of thousands of values; more than this is refused
 * before cJSON sees it.
 */
#define FJ_MAX_VALUES	500000

/* A member that is a non-empty string, or NULL. */
static const char *
fj_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && v->valuestring[0] != '\0' ?
	    v->valuestring : NULL;
}

/* Set a field from a string (plain, or HTML when html is set). */
static void
fj_set(struct feed_builder *fb, struct feed_draft *d, enum feed_field ff,
    const char *s, int html)
{
	struct feed_value v;

	if (s == NULL || feed_value_make(fb, s, strlen(s), html, fb->base_url,
	    &v) == -1)
		return;
	v.set = 1;
	feed_value_move(&d->f[ff], &v);
}

/* Set the link from a URL, resolved against the feed's base URL. */
static void
fj_set_link(struct feed_builder *fb, struct feed_draft *d, const char *url)
{
	struct feed_value	 v;
	char			*r;

	if (url == NULL)
		return;
	if ((r = uri_resolve(fb->base_url, url)) == NULL) {
		fb->oom = 1;
		return;
	}
	if (feed_value_plain(fb, r, strlen(r), &v) == 0)
		feed_value_move(&d->f[FF_LINK], &v);
	free(r);
}

/* A date member, parsed, or PM_TIME_NONE. */
static int64_t
fj_date(const cJSON *obj, const char *key)
{
	const char	*s = fj_str(obj, key);
	int64_t		 t;

	return s != NULL && date_parse(s, &t) == 0 ? t : PM_TIME_NONE;
}

/* The item's author: author.name (JSON Feed 1.0), else authors[0].name. */
static const char *
fj_author(const cJSON *item)
{
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(item, "author");
	const cJSON	*list = cJSON_GetObjectItemCaseSensitive(item, "authors");
	const char	*name;

	if (cJSON_IsObject(a) && (name = fj_str(a, "name")) != NULL)
		return name;
	if (cJSON_IsArray(list) && cJSON_IsObject(cJSON_GetArrayItem(list, 0)))
		return fj_str(cJSON_GetArrayItem(list, 0), "name");
	return NULL;
}

/* One item of "items". */
static void
fj_item(struct feed_builder *fb, const cJSON *item)
{
	struct feed_draft	*d;
	const cJSON		*id;
	const char		*text;
	char			 num[32];

	if (!cJSON_IsObject(item) || (d = feed_builder_entry(fb)) == NULL)
		return;
	id = cJSON_GetObjectItemCaseSensitive(item, "id");
	if (cJSON_IsNumber(id)) {
		snprintf(num, sizeof(num), "%.17g", id->valuedouble);
		fj_set(fb, d, FF_ID, num, 0);
	} else if (cJSON_IsString(id) && id->valuestring[0] != '\0')
		fj_set(fb, d, FF_ID, id->valuestring, 0);
	fj_set_link(fb, d, fj_str(item, "url"));
	fj_set(fb, d, FF_TITLE, fj_str(item, "title"), 0);
	fj_set(fb, d, FF_SUMMARY, fj_str(item, "summary"), 0);
	if ((text = fj_str(item, "content_text")) != NULL)
		fj_set(fb, d, FF_CONTENT, text, 0);
	else
		fj_set(fb, d, FF_CONTENT, fj_str(item, "content_html"), 1);
	fj_set(fb, d, FF_AUTHOR, fj_author(item), 0);
	d->published = fj_date(item, "date_published");
	d->updated = fj_date(item, "date_modified");
}

/*
 * The shape of data[0..n) outside strings: how deeply arrays and objects
 * are nested at byte n, and how many values start there (every comma and
 * opening bracket starts one; members count once each, close enough for
 * a bound), counting stopped once past max_values.  One pass, no
 * allocation: it explains cJSON's refusals (fj_syntax_error) and bounds
 * what cJSON would build (feed_json_read).
 */
struct fj_shape {
	size_t	depth;
	size_t	values;
};

static void
fj_shape(const char *data, size_t n, size_t max_values, struct fj_shape *sh)
{
	int	instr = 0;

	sh->depth = 0;
	sh->values = 1;
	for (size_t i = 0; i < n && sh->values <= max_values; i++) {
		char c = data[i];

		if (instr) {
			if (c == '\\')
				i++;
			else if (c == '"')
				instr = 0;
		} else if (c == '"') {
			instr = 1;
		} else if (c == '[' || c == '{') {
			sh->depth++;
			sh->values++;
		} else if (c == ',') {
			sh->values++;
		} else if ((c == ']' || c == '}') && sh->depth > 0) {
			sh->depth--;
		}
	}
}

/* Why cJSON refused the document, in one line. */
static void
fj_syntax_error(const char *data, size_t len, char *err, size_t errsize)
{
	const char	*where = cJSON_GetErrorPtr();
	size_t		 at;
	struct fj_shape	 sh;

	if (where == NULL || where < data || where > data + len) {
		snprintf(err, errsize, "JSON Feed: syntax error");
		return;
	}
	at = (size_t)(where - data);
	fj_shape(data, at, SIZE_MAX, &sh);
	if (sh.depth >= CJSON_NESTING_LIMIT)
		snprintf(err, errsize, "JSON Feed: nested deeper than %d "
		    "levels at byte %zu", CJSON_NESTING_LIMIT, at);
	else
		snprintf(err, errsize, "JSON Feed: syntax error at byte %zu",
		    at);
}

int
feed_json_read(struct feed_builder *fb, const char *data, size_t len,
    char *err, size_t errsize)
{
	cJSON		*root;
	const cJSON	*items, *item;
	const char	*version;
	struct fj_shape	 sh;

	fj_shape(data, len, FJ_MAX_VALUES, &sh);
	if (sh.values > FJ_MAX_VALUES) {
		snprintf(err, errsize, "JSON Feed: more than %d values (no "
		    "feed has that many; refused to bound memory)",
		    FJ_MAX_VALUES);
		return -1;
	}
	if ((root = cJSON_ParseWithLength(data, len)) == NULL) {
		fj_syntax_error(data, len, err, errsize);
		return -1;
	}
	items = cJSON_GetObjectItemCaseSensitive(root, "items");
	version = fj_str(root, "version");
	if (!cJSON_IsObject(root) || (!cJSON_IsArray(items) &&
	    (version == NULL || strstr(version, "jsonfeed.org") == NULL))) {
		cJSON_Delete(root);
		snprintf(err, errsize, "not a JSON Feed (no \"items\" array)");
		return -1;
	}
	fb->format = version != NULL && strstr(version, "/1.1") != NULL ?
	    "json11" : "json10";
	fj_set(fb, &fb->feed, FF_TITLE, fj_str(root, "title"), 0);
	fj_set_link(fb, &fb->feed, fj_str(root, "home_page_url"));
	cJSON_ArrayForEach(item, items)
		fj_item(fb, item);
	cJSON_Delete(root);
	return 0;
}
