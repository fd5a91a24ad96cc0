/*
 * feed-build.c: the values of a feed being read (see feed-internal.h).
 * Every string value goes through feed_value_make: repaired the way the
 * Universal Feed Parser repairs it, then for HTML rewritten and turned into
 * plain text in one pass of the HTML parser.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "feed-internal.h"
#include "htmltext.h"
#include "utf8.h"

static void
feed_draft_clear(struct feed_draft *d)
{
	for (int i = 0; i < FF_NFIELDS; i++)
		feed_value_clear(&d->f[i]);
	d->published = d->updated = INT64_MIN;
}

void
feed_builder_reset(struct feed_builder *fb)
{
	feed_draft_clear(&fb->feed);
	for (size_t i = 0; i < fb->nentries; i++)
		feed_draft_clear(&fb->entries[i]);
	fb->nentries = 0;
	fb->dropped = 0;
}

struct feed_rank {
	int64_t	 t;	/* published, else updated; INT64_MIN: undated */
	size_t	 pos;	/* place in the document */
};

/* Newest first, undated last, ties in document order. */
static int
feed_rank_cmp(const void *a, const void *b)
{
	const struct feed_rank *x = a, *y = b;

	if (x->t != y->t)
		return x->t > y->t ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int
feed_builder_keep_newest(struct feed_builder *fb, size_t max)
{
	struct feed_rank	*r;
	unsigned char		*keep;
	size_t			 n = fb->nentries, j = 0;

	if (n <= max)
		return 0;
	r = calloc(n, sizeof(*r));
	keep = calloc(n, 1);
	if (r == NULL || keep == NULL) {
		free(r);
		free(keep);
		fb->oom = 1;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct feed_draft *d = &fb->entries[i];

		r[i].t = d->published != INT64_MIN ? d->published : d->updated;
		r[i].pos = i;
	}
	qsort(r, n, sizeof(*r), feed_rank_cmp);
	for (size_t i = 0; i < max; i++)
		keep[r[i].pos] = 1;
	for (size_t i = 0; i < n; i++) {
		if (!keep[i])
			feed_draft_clear(&fb->entries[i]);
		else if (j++ != i)
			fb->entries[j - 1] = fb->entries[i];
	}
	free(r);
	free(keep);
	fb->nentries = max;
	fb->dropped += n - max;
	return 0;
}

struct feed_draft *
feed_builder_entry(struct feed_builder *fb)
{
	struct feed_draft *d;

	if (fb->nentries >= 2 * FEED_MAX_ENTRIES &&
	    feed_builder_keep_newest(fb, FEED_MAX_ENTRIES) == -1)
		return NULL;
	if (fb->nentries == fb->cap) {
		size_t cap = fb->cap ? fb->cap * 2 : 16;

		if ((d = realloc(fb->entries, cap * sizeof(*d))) == NULL) {
			fb->oom = 1;
			return NULL;
		}
		fb->entries = d;
		fb->cap = cap;
	}
	d = &fb->entries[fb->nentries++];
	memset(d, 0, sizeof(*d));
	d->published = d->updated = INT64_MIN;
	return d;
}

void
feed_value_clear(struct feed_value *v)
{
	free(v->s);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

void
feed_value_move(struct feed_value *dst, struct feed_value *src)
{
	feed_value_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

int
feed_value_copy(struct feed_builder *fb, struct feed_value *dst,
    const struct feed_value *src)
{
	struct feed_value v = *src;

	v.s = src->s ? strdup(src->s) : NULL;
	v.text = src->text ? strdup(src->text) : NULL;
	if ((src->s && !v.s) || (src->text && !v.text)) {
		free(v.s);
		free(v.text);
		fb->oom = 1;
		return -1;
	}
	feed_value_move(dst, &v);
	return 0;
}

/*
 * UTF-8 that was read as Latin-1 and encoded again ("â€¦" for "…"): when
 * every character is below U+0100 and their Latin-1 bytes are valid UTF-8,
 * use those bytes instead.  Rewrites s in place (it only shrinks).
 */
static void
feed_fix_double_utf8(char *s, size_t *lenp)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = *lenp, o = 0, high = 0;
	struct utf8_stats	 st;
	char			*tmp;

	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x80)
			continue;
		if (p[i] >= 0xC4)
			return;		/* a character above U+00FF */
		high += p[i] == 0xC2 || p[i] == 0xC3;
	}
	if (high == 0 || (tmp = malloc(len + 1)) == NULL)
		return;
	for (size_t i = 0; i < len; i++) {
		if ((p[i] == 0xC2 || p[i] == 0xC3) && i + 1 < len) {
			tmp[o++] = (char)(((p[i] & 0x03) << 6) | (p[i + 1] & 0x3F));
			i++;
		} else
			tmp[o++] = (char)p[i];
	}
	utf8_scan(tmp, o, &st);
	if (st.invalid == 0 && st.forbidden == 0 && st.multibyte > 0) {
		memcpy(s, tmp, o);
		s[o] = '\0';
		*lenp = o;
	}
	free(tmp);
}

/*
 * Code points U+0080-U+009F are almost always windows-1252 bytes that were
 * decoded as Latin-1: map them to the characters meant.  Returns s, or a
 * new string (s freed) when something changed.
 */
static char *
feed_fix_cp1252(struct feed_builder *fb, char *s, size_t *lenp)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len = *lenp;
	struct buf		 b;
	char			 enc[4];

	if (memchr(s, 0xC2, len) == NULL)
		return s;
	buf_init(&b);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == 0xC2 && i + 1 < len && utf8_cp1252(p[i + 1]) != 0) {
			buf_add(&b, enc, utf8_encode(utf8_cp1252(p[i + 1]), enc));
			i++;
		} else
			buf_addc(&b, (char)p[i]);
	}
	if (b.failed) {
		fb->oom = 1;
		buf_free(&b);
		return s;
	}
	free(s);
	return buf_detach(&b, lenp);
}

int
feed_value_plain(struct feed_builder *fb, const char *s, size_t len,
    struct feed_value *out)
{
	memset(out, 0, sizeof(*out));
	if ((out->s = malloc(len + 1)) == NULL) {
		fb->oom = 1;
		return -1;
	}
	memcpy(out->s, s, len);
	out->s[len] = '\0';
	out->set = 1;
	return 0;
}

/* 1 if feed_value_make's repairs could change these bytes. */
static int
feed_needs_repair(const struct feed_builder *fb, const char *s, size_t len)
{
	return memchr(s, 0xC2, len) != NULL ||
	    (fb->utf8 && memchr(s, 0xC3, len) != NULL);
}

int
feed_value_make(struct feed_builder *fb, const char *raw, size_t len,
    int html, const char *base, struct feed_value *out)
{
	char	*s = NULL, *markup = NULL, *text = NULL;
	size_t	 tlen;

	memset(out, 0, sizeof(*out));
	if (!html || feed_needs_repair(fb, raw, len)) {
		if (feed_value_plain(fb, raw, len, out) == -1)
			return -1;
		s = out->s;
		if (fb->utf8)
			feed_fix_double_utf8(s, &len);
		out->s = s = feed_fix_cp1252(fb, s, &len);
		if (s == NULL)
			return -1;
		if (!html)
			return 0;
		raw = s;
	}
	if (fb->html == NULL && (fb->html = html_ctx_new()) == NULL) {
		fb->oom = 1;
		return -1;
	}
	if (html_ctx_run(fb->html, raw, len, base, HTML_MARKUP | HTML_TEXT,
	    &markup, &text) == -1) {
		fb->oom = 1;
		return -1;
	}
	free(out->s);
	out->s = markup;
	out->set = 1;
	tlen = strlen(text);
	out->text = feed_fix_cp1252(fb, text, &tlen);
	return out->text == NULL ? -1 : 0;
}
