/*
 * article.c: the limits an article from the outside world is held to
 * before it reaches the pipeline, the store and subscribers (article.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "article.h"
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
