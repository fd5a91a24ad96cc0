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

#endif
