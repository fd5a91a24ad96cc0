/*
 * article.c: the limits an article from the outside world is held to
 * before it reaches the pipeline, the store and subscribers (article.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "article.h"
#include "date.h"
#include "text.h"
#include "utf8.h"

#define ARTICLE_ELLIPSIS	"\xE2\x80\xA6"	/* U+2026 */

/*
 * Cut title to at most ARTICLE_TITLE_MAX bytes, the ellipsis included,
 * backing off to the start of a UTF-8 character.
 */
static void
article_cut_title(const char *title, struct article_bounds *b)
{
	size_t n = utf8_cut(title, strlen(title),
	    ARTICLE_TITLE_MAX - (sizeof(ARTICLE_ELLIPSIS) - 1));

	while (n > 0 && title[n - 1] == ' ')
		n--;
	memcpy(b->title, title, n);
	memcpy(b->title + n, ARTICLE_ELLIPSIS, sizeof(ARTICLE_ELLIPSIS));
}

/* FNV-1a over s, then a field separator. */
static uint64_t
article_fnv(uint64_t h, const char *s)
{
	for (; s != NULL && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	h ^= 0xff;
	h *= 0x100000001b3ULL;
	return h;
}

void
article_hash_id(const char *title, int64_t t, const char *text,
    char id[ARTICLE_HASH_ID_SIZE])
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	char		date[32] = "";

	if (t != PM_TIME_NONE)
		date_format_rfc3339(t, date, sizeof(date));
	h = article_fnv(h, title);
	h = article_fnv(h, date);
	if ((title == NULL || *title == '\0') && *date == '\0')
		h = article_fnv(h, text);
	snprintf(id, ARTICLE_HASH_ID_SIZE, "pmsignal:hash:%016" PRIx64, h);
}

int
article_bound(struct article *a, struct article_bounds *b)
{
	int changes = 0;

	if (a->title != NULL && strlen(a->title) > ARTICLE_TITLE_MAX) {
		article_cut_title(a->title, b);
		a->title = b->title;
		changes |= ARTICLE_CUT_TITLE;
	}
	if (a->url != NULL && strlen(a->url) > ARTICLE_URL_MAX) {
		a->url = NULL;
		changes |= ARTICLE_DROP_URL;
	}
	if (a->id != NULL && strlen(a->id) > ARTICLE_ID_MAX) {
		snprintf(b->id, sizeof(b->id), "pmsignal:long-id:%016" PRIx64,
		    text_hash(a->id, strlen(a->id)));
		a->id = b->id;
		changes |= ARTICLE_HASH_ID;
	}
	return changes;
}
