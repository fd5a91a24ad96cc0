/*
 * feed.c: feed_parse() and feed_free() (see feed.h).  Decodes the bytes to
 * UTF-8, picks the XML or the JSON reader, then finishes each entry: the
 * id fallback (link, then a stable hash of title and date), the plain
 * title and the scoring text.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "article.h"
#include "buf.h"
#include "charset.h"
#include "date.h"
#include "feed-internal.h"
#include "htmltext.h"

/*
 * 1 if the document is JSON: it starts with '{' (servers mislabel feeds,
 * so the bytes decide), or with neither '{' nor '<' and the Content-Type
 * says JSON.
 */
static int
feed_is_json(const char *d, size_t len, const char *content_type)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)d[i]))
		i++;
	if (i < len && (d[i] == '{' || d[i] == '<'))
		return d[i] == '{';
	return content_type != NULL && (strncasecmp(content_type,
	    "application/feed+json", 21) == 0 || strncasecmp(content_type,
	    "application/json", 16) == 0);
}

/*
 * Plain text with white space collapsed: a run holding a line break
 * becomes one line break, any other run one space; ends trimmed.
 */
static char *
feed_collapse(const char *str)
{
	const unsigned char	*s = (const unsigned char *)(str ? str : "");
	struct buf		 b;
	size_t			 i = 0, j;
	int			 pend = 0;	/* 0, ' ' or '\n' */

	buf_init(&b);
	buf_reserve(&b, strlen((const char *)s));
	while (s[i] != '\0') {
		if (s[i] <= ' ' || (s[i] == 0xC2 && s[i + 1] == 0xA0)) {
			if (s[i] == '\n' || s[i] == '\r')
				pend = '\n';
			else if (pend == 0)
				pend = ' ';
			i += s[i] == 0xC2 ? 2 : 1;
			continue;
		}
		if (pend && b.len > 0)
			buf_addc(&b, (char)pend);
		pend = 0;
		for (j = i; s[j] > ' ' && !(s[j] == 0xC2 && s[j + 1] == 0xA0); j++)
			;
		buf_add(&b, s + i, j - i);
		i = j;
	}
	return buf_detach(&b, NULL);
}

/*
 * An id for an entry that has neither id nor link: a hash of its title and
 * date (and of its text when it has neither), stable across fetches.
 */
static char *
feed_hash_id(const struct feed_entry *e)
{
	char id[ARTICLE_HASH_ID_SIZE];

	article_hash_id(e->title_text, e->published != PM_TIME_NONE ?
	    e->published : e->updated, e->text, id);
	return strdup(id);
}

/* Take a value's string (NULL when unset or empty). */
static char *
feed_take(struct feed_value *v)
{
	char *s = v->s;

	v->s = NULL;
	if (s != NULL && *s == '\0') {
		free(s);
		s = NULL;
	}
	return s;
}

/* A value's plain text, not collapsed, without copying. */
static const char *
feed_plain_peek(const struct feed_value *v)
{
	return v->text != NULL ? v->text : v->s != NULL ? v->s : "";
}

/*
 * The plain text of a value: the text extracted from its markup (taken,
 * already collapsed), else the value itself, collapsed.
 */
static char *
feed_plain(struct feed_value *v)
{
	char *t = v->text;

	if (t == NULL)
		return feed_collapse(v->s);
	v->text = NULL;
	return t;
}

/* Turn one draft into a public entry; -1 when out of memory. */
static int
feed_finish_entry(struct feed_draft *d, struct feed_entry *e)
{
	struct feed_value *body = &d->f[FF_CONTENT];

	memset(e, 0, sizeof(*e));
	e->published = d->published;
	e->updated = d->updated;
	if (*feed_plain_peek(body) == '\0')
		body = &d->f[FF_SUMMARY];
	if ((e->text = feed_plain(body)) == NULL ||
	    (e->title_text = feed_plain(&d->f[FF_TITLE])) == NULL)
		return -1;
	e->title = feed_take(&d->f[FF_TITLE]);
	e->link = feed_take(&d->f[FF_LINK]);
	e->id = feed_take(&d->f[FF_ID]);
	e->summary = feed_take(&d->f[FF_SUMMARY]);
	e->content = feed_take(&d->f[FF_CONTENT]);
	e->author = feed_take(&d->f[FF_AUTHOR]);
	if (e->id == NULL && e->link != NULL && (e->id = strdup(e->link)) == NULL)
		return -1;
	if (e->id == NULL && (e->id = feed_hash_id(e)) == NULL)
		return -1;
	return 0;
}

static void
feed_builder_free(struct feed_builder *fb)
{
	feed_builder_reset(fb);
	free(fb->entries);
	html_ctx_free(fb->html);
}

/* Build *out from the drafts; -1 when out of memory. */
static int
feed_finish(struct feed_builder *fb, struct feed *out)
{
	out->title = feed_take(&fb->feed.f[FF_TITLE]);
	out->link = feed_take(&fb->feed.f[FF_LINK]);
	out->illformed = fb->illformed;
	out->format = fb->format;
	if (feed_builder_keep_newest(fb, FEED_MAX_ENTRIES) == -1)
		return -1;
	out->nolder = fb->dropped;
	if (fb->nentries > 0 &&
	    (out->entries = calloc(fb->nentries, sizeof(*out->entries))) == NULL)
		return -1;
	for (size_t i = 0; i < fb->nentries; i++) {
		out->nentries = i + 1;
		if (feed_finish_entry(&fb->entries[i], &out->entries[i]) == -1)
			return -1;
	}
	return 0;
}

int
feed_parse(const char *data, size_t len, const char *content_type,
    const char *base_url, struct feed *out, char *err, size_t errsize)
{
	struct charset_out	cs;
	struct feed_builder	fb;
	int			r;

	memset(out, 0, sizeof(*out));
	if (len > FEED_MAX_BYTES) {
		snprintf(err, errsize, "document too large (%zu bytes, limit %d)",
		    len, FEED_MAX_BYTES);
		return -1;
	}
	if (charset_to_utf8(data, len, content_type, &cs, err, errsize) == -1)
		return -1;
	memset(&fb, 0, sizeof(fb));
	fb.feed.published = fb.feed.updated = PM_TIME_NONE;
	fb.base_url = base_url != NULL && *base_url != '\0' ? base_url : NULL;
	fb.utf8 = strcmp(cs.encoding, "UTF-8") == 0 ||
	    strcmp(cs.encoding, "ASCII") == 0;
	fb.illformed = cs.repaired || cs.fallback;
	if (feed_is_json(cs.data, cs.len, content_type))
		r = feed_json_read(&fb, cs.data, cs.len, err, errsize);
	else
		r = feed_xml_read(&fb, cs.data, cs.len, err, errsize);
	free(cs.owned);
	if (r == 0 && (fb.oom || feed_finish(&fb, out) == -1)) {
		snprintf(err, errsize, "out of memory");
		r = -1;
	}
	feed_builder_free(&fb);
	if (r == -1)
		feed_free(out);
	return r;
}

void
feed_free(struct feed *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nentries; i++) {
		struct feed_entry *e = &f->entries[i];

		free(e->id);
		free(e->title);
		free(e->title_text);
		free(e->link);
		free(e->summary);
		free(e->content);
		free(e->author);
		free(e->text);
	}
	free(f->entries);
	free(f->title);
	free(f->link);
	memset(f, 0, sizeof(*f));
}
