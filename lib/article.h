/*
 * article.h: one news article as the pipeline sees it, whatever it came
 * from (a polled feed, an archive line, the score command).
 */
#ifndef PM_ARTICLE_H
#define PM_ARTICLE_H

#include <stdint.h>

struct article {
	char	*id;		/* stable identity within its source */
	char	*source;	/* feed name, or the archive's source field */
	char	*title;
	char	*url;
	char	*text;		/* plain UTF-8 text scored (title not included) */
	int64_t	 published;	/* as claimed by the source, or PM_TIME_NONE */
	int64_t	 first_seen;	/* when pmsignal first saw it: the time that counts */
	double	 credibility;	/* of its source, 0..1 */
};

/*
 * What an article from the outside world may carry into deltas, the
 * store and every subscriber's line (docs/FEEDS.md, "Safety and limits").
 * A feed is free to send a 1 MB title; a delta is not free to repeat it.
 */
#define ARTICLE_TITLE_MAX	1024	/* bytes; a longer title is cut, "…" added */
#define ARTICLE_URL_MAX		4096	/* bytes; a longer URL is dropped */
#define ARTICLE_ID_MAX		512	/* bytes; a longer id becomes a hash of it */

/* Room for article_hash_id()'s id, its NUL included. */
#define ARTICLE_HASH_ID_SIZE	32

/*
 * The id of an article that came without id or link, as feeds and
 * archives give it: "pmsignal:hash:" and 16 hex digits of a hash of its
 * title and time t (RFC 3339; PM_TIME_NONE for none), and of its text when
 * it has neither: the same article always gets the same id.
 */
void	 article_hash_id(const char *title, int64_t t, const char *text,
	    char id[ARTICLE_HASH_ID_SIZE]);

/* Room for the replacements article_bound() makes. */
struct article_bounds {
	char	 title[ARTICLE_TITLE_MAX + 1];
	char	 id[48];
};

enum {
	ARTICLE_CUT_TITLE	= 0x1,
	ARTICLE_DROP_URL	= 0x2,
	ARTICLE_HASH_ID		= 0x4,
};

/*
 * Hold a's id, title and url to the limits above: fields within them are
 * left alone (same pointers); a replaced title or id points into b, which
 * must outlive a's use.  The title must be valid UTF-8 and is cut at a
 * character boundary; the same long id always gives the same hash.
 * Returns the ARTICLE_* changes made (0: none).
 */
int	 article_bound(struct article *a, struct article_bounds *b);

#endif
