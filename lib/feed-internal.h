/*
 * feed-internal.h: what the XML and JSON feed readers share.  Both fill a
 * feed_builder with draft values; feed.c turns the drafts into the public
 * struct feed (id fallback, scoring text).
 */
#ifndef PM_FEED_INTERNAL_H
#define PM_FEED_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"

struct html_ctx;

enum feed_field {
	FF_TITLE,
	FF_LINK,
	FF_ID,
	FF_SUMMARY,
	FF_CONTENT,
	FF_AUTHOR,
	FF_NFIELDS
};

/* One processed value. */
struct feed_value {
	char	*s;		/* as output: text, or markup when html */
	char	*text;		/* plain text of s when html, else NULL */
	int	 depth;		/* element depth it came from (precedence) */
	int	 set;
};

/* An entry (or the feed's own fields) while the document is read. */
struct feed_draft {
	struct feed_value	f[FF_NFIELDS];
	int64_t			published;
	int64_t			updated;
};

struct feed_builder {
	struct feed_draft	 feed;
	struct feed_draft	*entries;
	size_t			 nentries;
	size_t			 cap;
	size_t			 dropped;	/* older entries left out */
	struct html_ctx		*html;
	const char		*base_url;
	int			 utf8;		/* the document was UTF-8 */
	int			 illformed;
	int			 oom;		/* an allocation failed */
	const char		*format;
};

/* Drop every value read so far (to read the document again). */
void	feed_builder_reset(struct feed_builder *);

/*
 * Append an empty entry; NULL when out of memory (sets fb->oom).  Past
 * 2 * FEED_MAX_ENTRIES the entries so far (all complete by then) are cut
 * down to the newest FEED_MAX_ENTRIES first, so drafts move: hold no
 * pointer to an earlier one across this call.
 */
struct feed_draft	*feed_builder_entry(struct feed_builder *);

/* Keep the newest max entries, in document order; -1 when out of memory. */
int	feed_builder_keep_newest(struct feed_builder *, size_t max);

/*
 * Turn raw decoded characters into a value: windows-1252 code points and
 * UTF-8 read as Latin-1 repaired, and for HTML the markup rewritten
 * (relative URIs resolved against base) and its plain text extracted.
 * Returns 0 or -1 (out of memory; sets fb->oom).
 */
int	feed_value_make(struct feed_builder *, const char *raw, size_t len,
	    int html, const char *base, struct feed_value *out);

/* A plain-text value without any repair (URLs, ids). */
int	feed_value_plain(struct feed_builder *, const char *s, size_t len,
	    struct feed_value *out);

/* Move src into dst (freeing what dst held); src is left empty. */
void	feed_value_move(struct feed_value *dst, struct feed_value *src);
int	feed_value_copy(struct feed_builder *, struct feed_value *dst,
	    const struct feed_value *src);
void	feed_value_clear(struct feed_value *);

/* The readers: 0, or -1 with a reason in err. */
int	feed_xml_read(struct feed_builder *, const char *data, size_t len,
	    char *err, size_t errsize);
int	feed_json_read(struct feed_builder *, const char *data, size_t len,
	    char *err, size_t errsize);

#endif
