/*
 * htmltext.h: HTML fragments (feed summaries and contents, archived
 * article bodies) to plain text for scoring, and to clean markup.
 *
 * Both come from one pass of libxml2: its XML parser when the fragment is
 * well-formed XML (the fast path: most feed HTML is XHTML-clean), else its
 * HTML parser; both give the same results.  The text drops
 * scripts, styles and other non-content elements, turns block elements
 * into line breaks, decodes entities and collapses white space.  The
 * markup keeps the source's text, entities and comments byte for byte and
 * rewrites only the tags: names and attribute names lower-cased,
 * attributes sorted and double-quoted, empty elements written "<br />",
 * and relative URIs in link attributes resolved against a base URI (the
 * conventions of the Universal Feed Parser).
 */
#ifndef PM_HTMLTEXT_H
#define PM_HTMLTEXT_H

#include <stddef.h>

#define HTML_TEXT	0x1	/* produce the plain text */
#define HTML_MARKUP	0x2	/* produce the rewritten markup */
#define HTML_NO_XML	0x4	/* always libxml2's HTML parser (for tests) */

struct html_ctx;

/* The plain text of an HTML fragment or page; NULL if out of memory. */
char	*html_to_text(const char *html, size_t len);

/* A reusable parser context: cheaper than html_to_text in a loop. */
struct html_ctx	*html_ctx_new(void);
void		 html_ctx_free(struct html_ctx *);

/*
 * Parse len bytes of UTF-8 HTML once.  With HTML_TEXT, *text gets the plain
 * text; with HTML_MARKUP, *markup gets the rewritten markup, relative URIs
 * resolved against base (may be NULL).  Both are malloc'd.  Returns 0, or
 * -1 when out of memory (with the outputs asked for set to NULL).
 */
int	 html_ctx_run(struct html_ctx *, const char *html, size_t len,
	    const char *base, unsigned flags, char **markup, char **text);

#endif
