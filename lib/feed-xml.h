/*
 * feed-xml.h: what the two halves of the RSS/Atom reader share.
 * feed-xml.c drives libxml2 (SAX callbacks, entities, safety, repair);
 * feed-rules.c holds the Universal Feed Parser's reading rules (which
 * element gives which value, and how).
 */
#ifndef PM_FEED_XML_H
#define PM_FEED_XML_H

#include <limits.h>
#include <stddef.h>

#include <libxml/parser.h>

#include "buf.h"
#include "feed-internal.h"
#include "xmlent.h"

#define FX_MAX_DEPTH	256	/* elements tracked; deeper ones are skipped */
#define FX_NEST_LIMIT	1024	/* deeper than this: the document is refused */
#define FX_TYPE_MAX	64
#define FX_UNSET	INT_MAX	/* depth of a value set without precedence */

enum fx_kind {
	FK_UNKNOWN = 0,
	FK_RSS, FK_CHANNEL, FK_FEED, FK_ITEM, FK_IMAGE, FK_TEXTINPUT,
	FK_SOURCE, FK_TITLE, FK_LINK, FK_GUID, FK_DESCRIPTION, FK_SUMMARY,
	FK_ABSTRACT, FK_CONTENT, FK_CONTENT_ENCODED, FK_BODY, FK_AUTHOR,
	FK_CONTRIBUTOR, FK_DC_CONTRIBUTOR, FK_NAME, FK_EMAIL, FK_PUBLISHED,
	FK_UPDATED, FK_TEXTCONSTRUCT, FK_OTHER,
};

/* What a frame's text becomes (feedparser's element names). */
enum fx_key {
	KEY_NONE, KEY_TITLE, KEY_LINK, KEY_ID, KEY_DESCRIPTION, KEY_SUMMARY,
	KEY_CONTENT, KEY_AUTHOR, KEY_NAME, KEY_EMAIL, KEY_PUBLISHED,
	KEY_UPDATED, KEY_OTHER,
};

enum fx_version {
	FV_NONE, FV_RSS, FV_RSS090, FV_RSS10, FV_ATOM, FV_ATOM03, FV_ATOM10,
};

/* What an element name means, cached by libxml2's interned pointers. */
struct fx_name_cache {
	const xmlChar	*local;
	const xmlChar	*prefix;
	const xmlChar	*uri;
	enum fx_kind	 kind;
	int		 prefixed;	/* in a namespace with a prefix */
	char		 canon[48];	/* "prefix_localname", lower case */
};

#define FX_NAME_CACHE	64

/* One frame of feedparser's element stack. */
struct fx_frame {
	enum fx_key	key;
	int		expecting;	/* the value is stored */
	int		content;	/* pushed as a text construct */
	size_t		start;		/* its text in fx.text */
};

/* One open XML element. */
struct fx_elem {
	enum fx_kind	kind;
	int		frame;		/* index of the frame it pushed, or -1 */
	int		markup;		/* serialized as inline XHTML */
	int		skipped;	/* a <div> dropped from escaped content */
	int		base_owned;	/* bases[depth] was allocated here */
};

/* The Atom author (or contributor) being read. */
struct fx_person {
	char	*name;
	char	*email;
	int	 any;			/* a name or an email was seen */
};

struct fx {
	struct feed_builder	*fb;
	xmlParserCtxtPtr	 pctx;
	struct buf		 text;
	struct fx_frame		 frames[FX_MAX_DEPTH + 2];
	int			 nframes;
	struct fx_elem		 elems[FX_MAX_DEPTH + 2];
	char			*bases[FX_MAX_DEPTH + 2];
	int			 depth;
	struct feed_draft	*entry;
	enum fx_version		 version;
	int			 feed_seen;
	int			 infeed, inentry, insource, inimage, intextinput;
	int			 inauthor, incontributor, incontent;
	int			 hascontent, guidislink, summary_is_content;
	int			 feed_has_image;
	int			 title_depth;
	char			 ctype[FX_TYPE_MAX];	/* contentparams type */
	int			 base64;
	int			 content_depth;
	/* The shape of inline XHTML, for Atom 1.0's wrapping <div>: */
	int			 top_elems;	/* children of the construct */
	int			 top_text;	/* text beside them */
	int			 top_not_div;	/* the first child is no div */
	struct fx_person	 person;
	char			 rss_version[8];
	int			 bad_amps;	/* errors a bare '&' causes */
	int			 bomb;		/* entity expansion went wild */
	int			 too_deep;	/* nesting past FX_NEST_LIMIT */
	size_t			 chars;		/* text delivered so far */
	size_t			 chars_limit;
	int			 overflow;	/* elements deeper than we track */
	struct xmlent		 entities;	/* HTML entities lent */
	struct fx_name_cache	 names[FX_NAME_CACHE];
	char			 err[200];
};

/* The rules (feed-rules.c), called by the SAX handlers of feed-xml.c. */
void		 fx_rules_start(struct fx *, const xmlChar *local,
		    const xmlChar *prefix, const xmlChar *uri, int nns,
		    const xmlChar **ns, int nattrs, const xmlChar **attrs);
void		 fx_rules_end(struct fx *, const xmlChar *local);
void		 fx_rules_text(struct fx *, const xmlChar *ch, int len);
const char	*fx_rules_format(const struct fx *);
void		 fx_rules_cleanup(struct fx *);

#endif
