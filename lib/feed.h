/*
 * feed.h: RSS 0.90-0.94 and 2.0, RSS 1.0 (RDF), Atom 0.3 and 1.0 and JSON
 * Feed 1.0/1.1 documents to clean entries.
 *
 * XML goes through libxml2 (SAX, recovering from errors, no network, no
 * external entities or DTDs), JSON through cJSON.  Every string is valid
 * UTF-8.  The values follow the Universal Feed Parser's conventions (see
 * docs/FEEDS.md): plain-text constructs are decoded text, HTML constructs
 * are their markup (relative URIs resolved), and `text` is the plain text
 * the scorer reads.
 */
#ifndef PM_FEED_H
#define PM_FEED_H

#include <stddef.h>
#include <stdint.h>

/* Larger documents are refused before any parsing. */
#define FEED_MAX_BYTES	(64 * 1024 * 1024)

/*
 * At most this many entries are kept from one document: the newest by
 * date (published, else updated), undated ones counting as older than
 * dated ones, and of equals the earlier in the document (feeds list the
 * newest first).  So 8 MB of tiny entries cost neither the memory nor the
 * time of 250,000 entries, and a long feed sorted either way gives its
 * latest news.
 */
#define FEED_MAX_ENTRIES	1000

struct feed_entry {
	char	*id;		/* guid/id, else the link, else a hash of
				   title and date ("pmsignal:hash:...") */
	char	*title;		/* markup when the feed marks it as HTML */
	char	*title_text;	/* the title as plain text */
	char	*link;
	char	*summary;	/* text or HTML markup; may be NULL */
	char	*content;	/* text or HTML markup; may be NULL */
	char	*author;	/* "Name (email)", "Name" or as written */
	char	*text;		/* plain text of content, else of summary;
				   never NULL ("" when neither exists) */
	int64_t	 published;	/* PM_TIME_NONE if absent or unparseable */
	int64_t	 updated;	/* PM_TIME_NONE if absent or unparseable */
};

struct feed {
	char			*title;		/* may be NULL */
	char			*link;		/* may be NULL */
	struct feed_entry	*entries;
	size_t			 nentries;
	size_t			 nolder;	/* entries left out: over
						   FEED_MAX_ENTRIES, the oldest */
	int			 illformed;	/* errors were recovered from */
	const char		*format;	/* "rss20", "atom10", "json11"... */
};

/*
 * Parse len bytes.  content_type is the HTTP Content-Type header (for the
 * charset) and base_url the URL the feed came from (relative links are
 * resolved against it); either may be NULL.  Returns 0 (*out filled; check
 * out->illformed), or -1 with a one-line reason in err, and *out empty.
 * Free with feed_free() either way.
 */
int	feed_parse(const char *data, size_t len, const char *content_type,
	    const char *base_url, struct feed *out, char *err, size_t errsize);

void	feed_free(struct feed *);

#endif
