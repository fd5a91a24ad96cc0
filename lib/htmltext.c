/*
 * htmltext.c: HTML to plain text and to clean markup, with libxml2's HTML
 * parser in SAX mode (see htmltext.h).
 *
 * The markup is rebuilt from source positions: each SAX event says where
 * the parser stands (consumed + cur - base), so the bytes since the last
 * event are exactly the construct just parsed.  Text, entities and
 * comments are copied from the source; only tags are rewritten.  Elements
 * the parser merely implies (a <p> around loose text, end tags it closes
 * on its own) have no bytes in the source and produce nothing, so they
 * neither add markup nor break a sentence in the text.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include "buf.h"
#include "htmltext.h"
#include "uri.h"
#include "utf8.h"
#include "xmlent.h"

#define HTML_OPTIONS	(HTML_PARSE_NOIMPLIED | HTML_PARSE_NOERROR | \
			 HTML_PARSE_NOWARNING | HTML_PARSE_NONET | \
			 HTML_PARSE_RECOVER)
#define HTML_MAX_ATTRS	64
#define HTML_XML_TRIES	8	/* misses in a row before XML is not tried */
/*
 * Open elements at which a fragment stops being read: libxml2's parsers
 * keep some 60 bytes per open element, so 7 MB of "<b>" would cost
 * 160 MB.  Real markup nests a few dozen deep.
 */
#define HTML_NEST_LIMIT	1024

enum html_class {
	HTML_INLINE = 0,
	HTML_BLOCK,		/* a line break before and after */
	HTML_CELL,		/* a space before and after */
	HTML_SKIP,		/* its text is not content */
};

struct html_elem {
	const char	*name;
	unsigned char	 cls;
	unsigned char	 empty;	/* written "<x />", never closed */
};

/* Sorted by name, for bsearch. */
static const struct html_elem html_elems[] = {
	{ "address", HTML_BLOCK, 0 }, { "area", HTML_INLINE, 1 },
	{ "article", HTML_BLOCK, 0 }, { "aside", HTML_BLOCK, 0 },
	{ "base", HTML_INLINE, 1 }, { "basefont", HTML_INLINE, 1 },
	{ "blockquote", HTML_BLOCK, 0 }, { "body", HTML_BLOCK, 0 },
	{ "br", HTML_BLOCK, 1 }, { "caption", HTML_BLOCK, 0 },
	{ "center", HTML_BLOCK, 0 }, { "col", HTML_INLINE, 1 },
	{ "command", HTML_INLINE, 1 }, { "dd", HTML_BLOCK, 0 },
	{ "details", HTML_BLOCK, 0 }, { "dialog", HTML_BLOCK, 0 },
	{ "div", HTML_BLOCK, 0 }, { "dl", HTML_BLOCK, 0 },
	{ "dt", HTML_BLOCK, 0 }, { "embed", HTML_INLINE, 1 },
	{ "fieldset", HTML_BLOCK, 0 }, { "figcaption", HTML_BLOCK, 0 },
	{ "figure", HTML_BLOCK, 0 }, { "footer", HTML_BLOCK, 0 },
	{ "form", HTML_BLOCK, 0 }, { "frame", HTML_INLINE, 1 },
	{ "h1", HTML_BLOCK, 0 }, { "h2", HTML_BLOCK, 0 },
	{ "h3", HTML_BLOCK, 0 }, { "h4", HTML_BLOCK, 0 },
	{ "h5", HTML_BLOCK, 0 }, { "h6", HTML_BLOCK, 0 },
	{ "head", HTML_SKIP, 0 }, { "header", HTML_BLOCK, 0 },
	{ "hr", HTML_BLOCK, 1 }, { "html", HTML_BLOCK, 0 },
	{ "iframe", HTML_SKIP, 0 }, { "img", HTML_INLINE, 1 },
	{ "input", HTML_INLINE, 1 }, { "isindex", HTML_INLINE, 1 },
	{ "keygen", HTML_INLINE, 1 }, { "li", HTML_BLOCK, 0 },
	{ "link", HTML_INLINE, 1 }, { "main", HTML_BLOCK, 0 },
	{ "meta", HTML_INLINE, 1 }, { "nav", HTML_BLOCK, 0 },
	{ "noscript", HTML_SKIP, 0 }, { "ol", HTML_BLOCK, 0 },
	{ "p", HTML_BLOCK, 0 }, { "param", HTML_INLINE, 1 },
	{ "pre", HTML_BLOCK, 0 }, { "script", HTML_SKIP, 0 },
	{ "section", HTML_BLOCK, 0 }, { "source", HTML_INLINE, 1 },
	{ "style", HTML_SKIP, 0 }, { "summary", HTML_BLOCK, 0 },
	{ "svg", HTML_SKIP, 0 }, { "table", HTML_BLOCK, 0 },
	{ "tbody", HTML_BLOCK, 0 }, { "td", HTML_CELL, 0 },
	{ "template", HTML_SKIP, 0 }, { "tfoot", HTML_BLOCK, 0 },
	{ "th", HTML_CELL, 0 }, { "thead", HTML_BLOCK, 0 },
	{ "title", HTML_SKIP, 0 }, { "tr", HTML_BLOCK, 0 },
	{ "track", HTML_INLINE, 1 }, { "ul", HTML_BLOCK, 0 },
	{ "wbr", HTML_INLINE, 1 },
};

/* Attributes that hold a URI, per element ("tag attr"), sorted. */
static const char *const html_uri_attrs[] = {
	"a href", "applet codebase", "area href", "audio src",
	"blockquote cite", "body background", "del cite", "form action",
	"frame longdesc", "frame src", "head profile", "iframe longdesc",
	"iframe src", "img longdesc", "img src", "img usemap", "input src",
	"input usemap", "ins cite", "link href", "object classid",
	"object codebase", "object data", "object usemap", "q cite",
	"script src", "source src", "video poster", "video src",
};

#define HTML_ELEM_CACHE	32

struct html_elem_cache {
	const xmlChar		*name;
	char			 copy[16];
	const struct html_elem	*elem;
};

struct html_ctx {
	struct html_elem_cache	 cache[HTML_ELEM_CACHE];
	htmlParserCtxtPtr	 pctx;		/* the HTML parser */
	htmlSAXHandler		 sax;
	xmlParserCtxtPtr	 xctx;		/* the XML parser (fast path) */
	xmlSAXHandler		 xsax;
	struct xmlent		 ents;		/* HTML entities lent to it */
	xmlParserCtxtPtr	 cur;		/* the parser running */
	size_t			 shift;		/* its offset of the source */
	int			 bail;		/* not XML: use the HTML parser */
	int			 rawtext;	/* open script, style, ... (XML) */
	int			 xml_misses;	/* fragments in a row not XML */
	const char		*src;
	size_t			 len;
	const char		*base;
	unsigned		 flags;
	size_t			 last;	/* source bytes before it are handled */
	char			 selfclosed[32]; /* element whose tag ended "/>" */
	int			 skip;	/* depth inside HTML_SKIP elements */
	char			 pending; /* separator the text owes: ' ', '\n' */
	struct buf		 markup;
	struct buf		 text;
	struct buf		 scratch;	/* XML attribute values */
};

static int
html_elem_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct html_elem *)elem)->name);
}

/*
 * What we know about an element, or NULL for an ordinary inline one.
 * Names come from libxml2's dictionary, so a pointer cache (checked with
 * one strcmp) saves most lookups.
 */
static const struct html_elem *
html_elem(struct html_ctx *c, const xmlChar *name)
{
	struct html_elem_cache *e = &c->cache[((uintptr_t)name >> 3) %
	    HTML_ELEM_CACHE];

	if (e->name == name && strcmp((const char *)name, e->copy) == 0)
		return e->elem;
	e->elem = bsearch(name, html_elems, sizeof(html_elems) /
	    sizeof(html_elems[0]), sizeof(html_elems[0]), html_elem_cmp);
	if (strlen((const char *)name) < sizeof(e->copy)) {
		e->name = name;
		strcpy(e->copy, (const char *)name);
	} else
		e->name = NULL;
	return e->elem;
}

static int
html_str_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* 1 if attribute attr of element tag holds a URI. */
static int
html_is_uri_attr(const xmlChar *tag, const xmlChar *attr)
{
	char key[64];

	if (strlen((const char *)tag) + strlen((const char *)attr) + 2 >
	    sizeof(key))
		return 0;
	strcpy(key, (const char *)tag);
	strcat(key, " ");
	strcat(key, (const char *)attr);
	return bsearch(key, html_uri_attrs, sizeof(html_uri_attrs) /
	    sizeof(html_uri_attrs[0]), sizeof(html_uri_attrs[0]),
	    html_str_cmp) != NULL;
}

/* Where the parser stands in the source. */
static size_t
html_pos(struct html_ctx *c)
{
	xmlParserInputPtr in = c->cur->input;
	size_t pos = in->consumed + (size_t)(in->cur - in->base);

	pos = pos > c->shift ? pos - c->shift : 0;
	return pos > c->len ? c->len : pos;
}

/* Separator the text owes before its next word. */
static void
html_text_sep(struct html_ctx *c, char sep)
{
	if (sep == '\n' || c->pending == 0)
		c->pending = sep;
}

/* 1 if s[0] is white space for the text: ASCII space or control, NBSP. */
static inline size_t
html_space_len(const unsigned char *s, size_t n)
{
	if (s[0] <= ' ')
		return 1;
	return s[0] == 0xC2 && n > 1 && s[1] == 0xA0 ? 2 : 0;
}

/*
 * Offset of the first byte of s that may need collapsing: a control
 * character, a 0xC2 (the lead of a no-break space), or a space followed
 * by white space.  Eight bytes at a time.
 */
static size_t
html_plain_scan(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i + 9 <= n) {
		uint64_t w, next, sp, bad;

		memcpy(&w, s + i, 8);
		memcpy(&next, s + i + 1, 8);
		sp = utf8_zero_bytes(w ^ (UTF8_ONES * ' '));
		bad = utf8_zero_bytes(w & (UTF8_ONES * 0xE0)) |
		    utf8_zero_bytes(w ^ (UTF8_ONES * 0xC2)) |
		    (sp & utf8_zero_bytes(next ^ (UTF8_ONES * ' '))) |
		    (sp & utf8_zero_bytes(next & (UTF8_ONES * 0xE0)));
		if (bad != 0)
			return i + (size_t)__builtin_ctzll(bad) / 8;
		i += 8;
	}
	for (; i < n; i++)
		if (s[i] < ' ' || s[i] == 0xC2 ||
		    (s[i] == ' ' && (i + 1 == n || s[i + 1] <= ' ')))
			break;
	return i;
}

/*
 * Length of the prefix of s (s[0] not white space) that can go to the
 * text as it is: words and single spaces, not ending with a space.
 */
static size_t
html_plain_run(const unsigned char *s, size_t n)
{
	size_t i = 0;

	for (;;) {
		i += html_plain_scan(s + i, n - i);
		if (i < n && s[i] == 0xC2 && !(i + 1 < n && s[i + 1] == 0xA0)) {
			i += i + 1 < n ? 2 : 1;	/* a character, not a space */
			continue;
		}
		break;
	}
	while (i > 0 && s[i - 1] == ' ')
		i--;
	return i;
}

/*
 * Append decoded characters to the text, collapsing white space (and
 * no-break spaces) into the pending separator.
 */
static void
html_text_add(struct html_ctx *c, const unsigned char *s, size_t n)
{
	size_t i = 0, j, sp;

	while (i < n) {
		if ((sp = html_space_len(s + i, n - i)) > 0) {
			html_text_sep(c, ' ');
			i += sp;
			continue;
		}
		if (c->pending != 0 && c->text.len > 0)
			buf_addc(&c->text, c->pending);
		c->pending = 0;
		if ((j = html_plain_run(s + i, n - i)) == 0)
			j = 1;
		buf_add(&c->text, s + i, j);
		i += j;
	}
}

/* Copy the source bytes [last, to) into the markup as they are. */
static void
html_copy_to(struct html_ctx *c, size_t to)
{
	if (to > c->last)
		buf_add(&c->markup, c->src + c->last, to - c->last);
	c->last = to;
}

/*
 * Length of the character or entity reference at s[0] == '&' ("&amp;",
 * "&#38;", "&#x26;"), or 0 when the ampersand is bare.  *num gets the code
 * point of a numeric one, else -1.
 */
static size_t
html_ref_len(const char *s, size_t n, long *num)
{
	size_t	i = 1, start;
	int	hex = 0;

	*num = -1;
	if (i < n && s[i] == '#') {
		i++;
		if (i < n && (s[i] == 'x' || s[i] == 'X'))
			hex = 1, i++;
		start = i;
		while (i < n && i - start < 8 && (hex ? isxdigit((unsigned char)s[i]) :
		    isdigit((unsigned char)s[i])))
			i++;
		if (i == start || i >= n || s[i] != ';')
			return 0;
		*num = strtol(s + start, NULL, hex ? 16 : 10);
		return i + 1;
	}
	start = i;
	while (i < n && i - start < 32 && isalnum((unsigned char)s[i]))
		i++;
	return i > start && i < n && s[i] == ';' ? i + 1 : 0;
}

/* 1 if the n bytes at s start with lit. */
static int
html_starts(const char *s, size_t n, const char *lit)
{
	size_t m = strlen(lit);

	return n >= m && memcmp(s, lit, m) == 0;
}

/*
 * Length of the end tag of an empty element ("</br>", "</img>") at s, or
 * 0.  The HTML parser reports no event for them.
 */
static size_t
html_void_end_len(struct html_ctx *c, const char *s, size_t n)
{
	const struct html_elem	*e;
	char			 name[16];
	size_t			 i = 2, k = 0;

	if (n < 4 || s[1] != '/')
		return 0;
	while (i < n && k + 1 < sizeof(name) && isalnum((unsigned char)s[i]))
		name[k++] = (char)tolower((unsigned char)s[i++]);
	name[k] = '\0';
	while (i < n && isspace((unsigned char)s[i]))
		i++;
	if (k == 0 || i >= n || s[i] != '>')
		return 0;
	e = html_elem(c, (const xmlChar *)name);
	return e != NULL && e->empty ? i + 1 : 0;
}

/*
 * Copy source text [last, to) into the markup the way feedparser writes
 * text: a bare "&" escaped, numeric references lower-cased (and the
 * windows-1252 range mapped: "&#146;" is "&#x2019;"), and a "<!" that
 * opens no comment, DOCTYPE or CDATA escaped.
 */
static void
html_copy_text_to(struct html_ctx *c, size_t to)
{
	const char	*s = c->src, *amp = NULL, *lt = NULL;
	size_t		 i = c->last, len;
	long		 num;

	if (i < to) {
		amp = memchr(s + i, '&', to - i);
		lt = memchr(s + i, '<', to - i);
	}
	while (i < to) {
		const char	*p;
		size_t		 j;

		/* Search again only past a hit already used: linear time
		 * even for a stretch of a million "<" and no "&". */
		if (amp != NULL && amp < s + i)
			amp = memchr(s + i, '&', to - i);
		if (lt != NULL && lt < s + i)
			lt = memchr(s + i, '<', to - i);
		p = amp == NULL ? lt : lt == NULL || amp < lt ? amp : lt;
		j = p == NULL ? to : (size_t)(p - s);

		buf_add(&c->markup, s + i, j - i);
		if ((i = j) == to)
			break;
		if (s[i] == '<' && (len = html_void_end_len(c, s + i, to - i)) > 0) {
			i += len;	/* "</br>": feedparser drops these too */
			continue;
		}
		if (s[i] == '<') {
			size_t	rest = to - i - 2;
			int	bang = i + 1 < to && s[i + 1] == '!' &&
				    !html_starts(s + i + 2, rest, "DOCTYPE") &&
				    !html_starts(s + i + 2, rest, "--") &&
				    !html_starts(s + i + 2, rest, "[");

			buf_adds(&c->markup, bang ? "&lt;" : "<");
			i++;
			continue;
		}
		if ((len = html_ref_len(s + i, to - i, &num)) == 0) {
			buf_adds(&c->markup, "&amp;");
			i++;
		} else if (num >= 0x80 && num <= 0x9F && utf8_cp1252((unsigned)num)) {
			buf_printf(&c->markup, "&#x%x;", utf8_cp1252((unsigned)num));
			i += len;
		} else {
			for (size_t k = 0; k < len; k++, i++)
				buf_addc(&c->markup, num >= 0 ?
				    (char)tolower((unsigned char)s[i]) : s[i]);
		}
	}
	c->last = to;
}

/*
 * Offset of "<name" (case-insensitive) in the source between last and pos,
 * the last one there, or -1 when the element has no tag in the source.
 */
static long
html_find_tag(struct html_ctx *c, const xmlChar *name, size_t pos,
    int end)
{
	size_t	n = strlen((const char *)name), k = end ? 2 : 1;

	for (size_t i = pos; i-- > c->last;) {
		const char *p = c->src + i;

		/* The length test first: p[1] may be past the source's end. */
		if (i + k + n > pos || p[0] != '<' || (end && p[1] != '/'))
			continue;
		if (strncasecmp(p + k, (const char *)name, n) != 0)
			continue;
		if (i + k + n == pos || strchr(" \t\r\n/>", p[k + n]) != NULL)
			return (long)i;
	}
	return -1;
}

/* Append an attribute value, escaped for a double-quoted attribute. */
static void
html_attr_value(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++)
		switch (*v) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		default:
			buf_addc(b, *v);
		}
}

static int
html_attr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Write one attribute: rel and type lower-cased, URIs resolved. */
static void
html_attr(struct html_ctx *c, const xmlChar *tag, const char *name,
    const char *value)
{
	char *v = NULL;

	if (value == NULL)
		value = name;
	buf_addc(&c->markup, ' ');
	buf_adds(&c->markup, name);
	buf_adds(&c->markup, "=\"");
	if (strcmp(name, "rel") == 0 || strcmp(name, "type") == 0) {
		if ((v = strdup(value)) != NULL)
			for (char *p = v; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	} else if (c->base != NULL && html_is_uri_attr(tag, (const xmlChar *)name))
		v = uri_resolve_safe(c->base, value);
	html_attr_value(&c->markup, v != NULL ? v : value);
	free(v);
	buf_addc(&c->markup, '"');
}

/* Write a start tag the normalized way. */
static void
html_start_tag(struct html_ctx *c, const xmlChar *name, const xmlChar **attrs,
    const struct html_elem *e)
{
	const char	*sorted[HTML_MAX_ATTRS * 2];
	size_t		 n = 0;

	buf_addc(&c->markup, '<');
	buf_adds(&c->markup, (const char *)name);
	for (size_t i = 0; attrs != NULL && attrs[i] != NULL &&
	    n < HTML_MAX_ATTRS; i += 2) {
		sorted[2 * n] = (const char *)attrs[i];
		sorted[2 * n + 1] = (const char *)attrs[i + 1];
		n++;
	}
	if (n > 1)
		qsort(sorted, n, 2 * sizeof(sorted[0]), html_attr_cmp);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(sorted[2 * i], sorted[2 * i - 2]) != 0)
			html_attr(c, name, sorted[2 * i], sorted[2 * i + 1]);
	buf_adds(&c->markup, e != NULL && e->empty ? " />" : ">");
}

/* A start tag, whichever parser saw it. */
static void
html_start(struct html_ctx *c, const xmlChar *name, const xmlChar **attrs)
{
	const struct html_elem	*e = html_elem(c, name);
	size_t			 pos = html_pos(c);
	long			 tag = html_find_tag(c, name, pos, 0);

	c->selfclosed[0] = '\0';
	if (tag < 0)
		return;		/* implied by the parser */
	if (e != NULL && e->cls == HTML_SKIP)
		c->skip++;
	else if (e != NULL && c->skip == 0)
		html_text_sep(c, e->cls == HTML_BLOCK ? '\n' : ' ');
	if (c->flags & HTML_MARKUP) {
		html_copy_text_to(c, (size_t)tag);
		html_start_tag(c, name, attrs, e);
	}
	c->last = pos;
	if (pos < c->len && c->src[pos] == '>')
		c->last = pos + 1;
	else if (pos + 1 < c->len && c->src[pos] == '/' && c->src[pos + 1] == '>') {
		c->last = pos + 2;
		if (strlen((const char *)name) < sizeof(c->selfclosed))
			strcpy(c->selfclosed, (const char *)name);
	}
}

/* Past HTML_NEST_LIMIT the rest of the fragment is not read as markup. */
static void
html_on_start(void *ctx, const xmlChar *name, const xmlChar **attrs)
{
	htmlParserCtxtPtr pctx = ctx;

	if (pctx->nameNr > HTML_NEST_LIMIT) {
		xmlStopParser(pctx);
		return;
	}
	html_start(pctx->_private, name, attrs);
}

/* Write an end tag. */
static void
html_end_tag(struct html_ctx *c, const xmlChar *name)
{
	buf_add(&c->markup, "</", 2);
	buf_adds(&c->markup, (const char *)name);
	buf_addc(&c->markup, '>');
}

/*
 * An end tag, whichever parser saw it.  One the parser only implies (it
 * closes elements on its own) changes neither the text nor the markup.
 */
static void
html_end(struct html_ctx *c, const xmlChar *name)
{
	const struct html_elem	*e = html_elem(c, name);
	size_t			 pos = html_pos(c);
	int			 selfclosed;
	long			 tag = -1;

	selfclosed = strcmp(c->selfclosed, (const char *)name) == 0;
	c->selfclosed[0] = '\0';
	if (e != NULL && e->cls == HTML_SKIP) {
		if (c->skip > 0)
			c->skip--;
		if (!(c->flags & HTML_MARKUP))
			return;
	}
	if (!selfclosed && (tag = html_find_tag(c, name, pos, 1)) < 0)
		return;		/* closed by the parser, not the source */
	if (e != NULL && e->cls != HTML_SKIP && c->skip == 0)
		html_text_sep(c, e->cls == HTML_BLOCK ? '\n' : ' ');
	if (!(c->flags & HTML_MARKUP))
		return;
	if (selfclosed) {
		if (e == NULL || !e->empty)
			html_end_tag(c, name);
		return;
	}
	html_copy_text_to(c, (size_t)tag);
	if (e == NULL || !e->empty)
		html_end_tag(c, name);
	c->last = pos;
}

static void
html_on_end(void *ctx, const xmlChar *name)
{
	html_end(((htmlParserCtxtPtr)ctx)->_private, name);
}

static void
html_on_chars(void *ctx, const xmlChar *ch, int len)
{
	struct html_ctx *c = ((htmlParserCtxtPtr)ctx)->_private;

	c->selfclosed[0] = '\0';
	if ((c->flags & HTML_TEXT) && c->skip == 0)
		html_text_add(c, ch, (size_t)len);
	if (c->flags & HTML_MARKUP)
		html_copy_text_to(c, html_pos(c));
}

/* Comments, CDATA (script and style bodies), processing instructions. */
static void
html_on_raw(void *ctx, const xmlChar *ch)
{
	struct html_ctx *c = ((htmlParserCtxtPtr)ctx)->_private;

	(void)ch;
	c->selfclosed[0] = '\0';
	if (c->flags & HTML_MARKUP)
		html_copy_to(c, html_pos(c));
}

static void
html_on_cdata(void *ctx, const xmlChar *ch, int len)
{
	(void)len;
	html_on_raw(ctx, ch);
}

static void
html_on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)data;
	html_on_raw(ctx, target);
}

static void
html_on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	(void)ext;
	(void)sys;
	html_on_raw(ctx, name);
}

/*
 * The XML fast path.  libxml2's XML parser reads well-formed markup four to
 * five times faster than its HTML parser, and most feed HTML is XHTML-clean
 * (<p>, <a href="...">, <br />).  A fragment is first read as XML inside a
 * <div>; the first thing XML does not allow (an unclosed <br>, an unquoted
 * attribute, an undeclared prefix, an unknown entity, a CDATA section)
 * stops it, and the fragment goes to the HTML parser instead.  For
 * well-formed input both parsers see the same elements, text and
 * entities, so the text and the markup are the same either way (checked by
 * tests/unit/test-html-text.c).
 */

/*
 * Elements whose content HTML does not parse as markup: script and style
 * (raw text), title and textarea (text with entities).
 */
static int
html_is_rawtext(const xmlChar *name)
{
	return strcmp((const char *)name, "script") == 0 ||
	    strcmp((const char *)name, "style") == 0 ||
	    strcmp((const char *)name, "title") == 0 ||
	    strcmp((const char *)name, "textarea") == 0;
}

/* Give up on XML for this fragment. */
static void
html_xml_bail(struct html_ctx *c)
{
	c->bail = 1;
	xmlStopParser(c->xctx);
}

/*
 * 1 if the HTML parser reads name as a name too: an ASCII letter (a "<"
 * before anything else is text to it), then letters, digits, ':', '-',
 * '_' and '.' (libxml2's htmlParseHTMLName); short enough for the buffers
 * here and there.  XML also allows other letters ("<ǁ/>") and '_' first,
 * which HTML reads as text.
 */
static int
html_xml_html_name(const xmlChar *name)
{
	size_t i;

	for (i = 0; i < 63 && name[i] != '\0'; i++) {
		unsigned char ch = name[i];
		int letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');

		if (!letter && (i == 0 ||
		    strchr("_:.-0123456789", ch) == NULL))
			return 0;
	}
	return i > 0 && name[i] == '\0';
}

/*
 * 1 if the start tag just read has a tab, CR or LF inside a quoted
 * attribute value: XML turns each into a space (attribute-value
 * normalisation), HTML keeps it.
 */
static int
html_xml_attr_blanks(struct html_ctx *c, const xmlChar *name)
{
	size_t	pos = html_pos(c);
	long	tag = html_find_tag(c, name, pos, 0);
	char	quote = 0;

	for (size_t i = tag < 0 ? pos : (size_t)tag; i < pos; i++) {
		char ch = c->src[i];

		if (quote == 0 && (ch == '"' || ch == '\''))
			quote = ch;
		else if (ch == quote)
			quote = 0;
		else if (quote != 0 && (ch == '\t' || ch == '\n' || ch == '\r'))
			return 1;
	}
	return 0;
}

/* An element name as the HTML parser gives it: lower case. */
static const xmlChar *
html_xml_name(const xmlChar *local, char *buf, size_t size)
{
	size_t i;

	for (i = 0; local[i] != '\0'; i++)
		if (local[i] >= 'A' && local[i] <= 'Z')
			break;
	if (local[i] == '\0')
		return local;
	for (i = 0; local[i] != '\0' && i + 1 < size; i++)
		buf[i] = (char)tolower(local[i]);
	buf[i] = '\0';
	return (const xmlChar *)buf;
}

static void
html_xml_on_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct html_ctx	*c = ((xmlParserCtxtPtr)ctx)->_private;
	const xmlChar	*pairs[2 * HTML_MAX_ATTRS + 1];
	size_t		 offs[HTML_MAX_ATTRS];
	char		 lower[64];
	int		 n = nattrs < HTML_MAX_ATTRS ? nattrs : HTML_MAX_ATTRS;

	(void)uri;
	(void)ns;
	(void)ndefaulted;
	if (c->bail)
		return;
	if (prefix != NULL || nns > 0 || c->rawtext > 0 ||
	    !html_xml_html_name(local) ||
	    ((xmlParserCtxtPtr)ctx)->nameNr > HTML_NEST_LIMIT ||
	    (nattrs > 0 && html_xml_attr_blanks(c, local))) {
		/* Namespaces (HTML knows none), an element where HTML sees
		 * only text, a name that is text to HTML, a nesting bomb
		 * (the HTML parser stops it), or attribute values XML would
		 * normalise. */
		html_xml_bail(c);
		return;
	}
	/* Attribute values are not NUL-terminated: copy them. */
	buf_truncate(&c->scratch, 0);
	for (int i = 0; i < n; i++) {
		const xmlChar **a = attrs + 5 * i;

		if (a[1] != NULL || !html_xml_html_name(a[0])) {
			html_xml_bail(c);
			return;
		}
		offs[i] = c->scratch.len;
		buf_add(&c->scratch, a[3], (size_t)(a[4] - a[3]));
		buf_addc(&c->scratch, '\0');
	}
	if (c->scratch.failed) {
		html_xml_bail(c);
		return;
	}
	for (int i = 0; i < n; i++) {
		pairs[2 * i] = html_xml_name(attrs[5 * i], lower, 1) ==
		    attrs[5 * i] ? attrs[5 * i] : NULL;
		if (pairs[2 * i] == NULL) {
			html_xml_bail(c);	/* an upper-case attribute */
			return;
		}
		pairs[2 * i + 1] = (const xmlChar *)c->scratch.data + offs[i];
	}
	pairs[2 * n] = NULL;
	local = html_xml_name(local, lower, sizeof(lower));
	html_start(c, local, pairs);
	c->rawtext += html_is_rawtext(local);
}

static void
html_xml_on_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct html_ctx	*c = ((xmlParserCtxtPtr)ctx)->_private;
	char		 lower[64];

	(void)prefix;
	(void)uri;
	if (c->bail)
		return;
	local = html_xml_name(local, lower, sizeof(lower));
	if (html_is_rawtext(local) && c->rawtext > 0)
		c->rawtext--;
	html_end(c, local);
}

static void
html_xml_on_chars(void *ctx, const xmlChar *ch, int len)
{
	struct html_ctx *c = ((xmlParserCtxtPtr)ctx)->_private;

	if (c->bail)
		return;
	if (c->rawtext == 0) {
		html_on_chars(ctx, ch, len);
		return;
	}
	/* Inside script or style the HTML parser copies the source as is. */
	c->selfclosed[0] = '\0';
	if ((c->flags & HTML_TEXT) && c->skip == 0)
		html_text_add(c, ch, (size_t)len);
	if (c->flags & HTML_MARKUP)
		html_copy_to(c, html_pos(c));
}

/* CDATA sections mean other things to HTML: let its parser decide. */
static void
html_xml_on_cdata(void *ctx, const xmlChar *ch, int len)
{
	(void)ch;
	(void)len;
	html_xml_bail(((xmlParserCtxtPtr)ctx)->_private);
}

static void
html_xml_on_comment(void *ctx, const xmlChar *value)
{
	struct html_ctx *c = ((xmlParserCtxtPtr)ctx)->_private;

	if (!c->bail)
		html_on_raw(ctx, value);
}

/* HTML ends a processing instruction at the first '>', XML at "?>". */
static void
html_xml_on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	if (data != NULL && strchr((const char *)data, '>') != NULL) {
		html_xml_bail(((xmlParserCtxtPtr)ctx)->_private);
		return;
	}
	html_xml_on_comment(ctx, target);
}

/* HTML's named entities; any other name is not HTML we know: bail. */
static xmlEntityPtr
html_xml_get_entity(void *ctx, const xmlChar *name)
{
	struct html_ctx	*c = ((xmlParserCtxtPtr)ctx)->_private;
	xmlEntityPtr	 ent = xmlent_lend(&c->ents, ctx, name, 0);

	if (ent == NULL) {
		html_xml_bail(c);
		ent = xmlent_empty();
	}
	return ent;
}

static xmlParserInputPtr
html_xml_resolve(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
	(void)public_id;
	(void)system_id;
	html_xml_bail(((xmlParserCtxtPtr)ctx)->_private);
	return NULL;
}

static void
html_xml_on_error(void *ctx, xmlErrorPtr e)
{
	if (e != NULL && e->level >= XML_ERR_ERROR)
		html_xml_bail(((xmlParserCtxtPtr)ctx)->_private);
}

/* The SAX handlers of the fast path: nothing else, no document built. */
static void
html_xml_sax(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof(*sax));
	sax->initialized = XML_SAX2_MAGIC;
	sax->startElementNs = html_xml_on_start;
	sax->endElementNs = html_xml_on_end;
	sax->characters = html_xml_on_chars;
	sax->ignorableWhitespace = html_xml_on_chars;
	sax->cdataBlock = html_xml_on_cdata;
	sax->comment = html_xml_on_comment;
	sax->processingInstruction = html_xml_on_pi;
	sax->getEntity = html_xml_get_entity;
	sax->resolveEntity = html_xml_resolve;
	sax->serror = html_xml_on_error;
}

/* Read the fragment as XML; -1 when it is not well-formed XML. */
static int
html_parse_xml(struct html_ctx *c, const char *html, size_t len)
{
	if (c->xctx == NULL) {
		if ((c->xctx = xmlCreatePushParserCtxt(&c->xsax, NULL, NULL, 0,
		    NULL)) == NULL)
			return -1;
	} else if (xmlCtxtResetPush(c->xctx, NULL, 0, NULL, NULL) != 0)
		return -1;
	/*
	 * NOENT: attribute values fully decoded, as the HTML parser gives
	 * them.  Safe: a fragment cannot declare entities (a DOCTYPE after
	 * <div> is an error), and getEntity lends only HTML's.
	 */
	xmlCtxtUseOptions(c->xctx, XML_PARSE_NONET | XML_PARSE_NOENT |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	c->xctx->_private = c;
	c->cur = c->xctx;
	c->shift = 5;
	c->bail = 0;
	c->rawtext = 0;
	xmlParseChunk(c->xctx, "<div>", 5, 0);
	if (!c->bail)
		xmlParseChunk(c->xctx, html, (int)len, 0);
	if (!c->bail)
		xmlParseChunk(c->xctx, "</div>", 6, 1);
	return c->bail || !c->xctx->wellFormed || !c->xctx->nsWellFormed ?
	    -1 : 0;
}

struct html_ctx *
html_ctx_new(void)
{
	struct html_ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	xmlInitParser();
	if ((c->pctx = htmlNewParserCtxt()) == NULL) {
		free(c);
		return NULL;
	}
	c->sax.startElement = html_on_start;
	c->sax.endElement = html_on_end;
	c->sax.characters = html_on_chars;
	c->sax.ignorableWhitespace = html_on_chars;
	c->sax.cdataBlock = html_on_cdata;
	c->sax.comment = html_on_raw;
	c->sax.processingInstruction = html_on_pi;
	c->sax.internalSubset = html_on_doctype;
	c->sax.initialized = 1;
	memcpy(c->pctx->sax, &c->sax, sizeof(c->sax));
	html_xml_sax(&c->xsax);
	buf_init(&c->markup);
	buf_init(&c->text);
	buf_init(&c->scratch);
	return c;
}

void
html_ctx_free(struct html_ctx *c)
{
	if (c == NULL)
		return;
	htmlFreeParserCtxt(c->pctx);
	if (c->xctx != NULL)
		xmlFreeParserCtxt(c->xctx);
	xmlent_free(&c->ents);
	buf_free(&c->markup);
	buf_free(&c->text);
	buf_free(&c->scratch);
	free(c);
}

/*
 * Run libxml2's HTML parser over the UTF-8 bytes: an input declared UTF-8
 * is not transcoded (htmlCtxtReadMemory would convert UTF-8 to UTF-8), and
 * its offsets are the source's.  (A static, uncopied input buffer would
 * save a copy, but libxml2 2.9's input shrinking breaks on it.)
 */
static int
html_parse(struct html_ctx *c, const char *html, size_t len)
{
	xmlParserInputBufferPtr	buf;
	xmlParserInputPtr	in;

	htmlCtxtReset(c->pctx);
	htmlCtxtUseOptions(c->pctx, HTML_OPTIONS);
	c->pctx->_private = c;
	c->cur = c->pctx;
	c->shift = 0;
	buf = xmlParserInputBufferCreateMem(html, (int)len,
	    XML_CHAR_ENCODING_UTF8);
	if (buf == NULL)
		return -1;
	if ((in = xmlNewIOInputStream(c->pctx, buf, XML_CHAR_ENCODING_UTF8)) ==
	    NULL) {
		xmlFreeParserInputBuffer(buf);
		return -1;
	}
	if (inputPush(c->pctx, in) < 0) {
		xmlFreeInputStream(in);
		return -1;
	}
	htmlParseDocument(c->pctx);
	if (c->pctx->myDoc != NULL) {
		xmlFreeDoc(c->pctx->myDoc);
		c->pctx->myDoc = NULL;
	}
	return 0;
}

/* Forget what a parse produced, to start over. */
static void
html_reset_outputs(struct html_ctx *c)
{
	c->last = 0;
	c->selfclosed[0] = '\0';
	c->skip = 0;
	c->pending = 0;
	buf_truncate(&c->markup, 0);
	buf_truncate(&c->text, 0);
}

int
html_ctx_run(struct html_ctx *c, const char *html, size_t len,
    const char *base, unsigned flags, char **markup, char **text)
{
	if (flags & HTML_MARKUP)
		*markup = NULL;
	if (flags & HTML_TEXT)
		*text = NULL;
	c->src = html;
	c->len = len;
	c->base = base != NULL && *base != '\0' ? base : NULL;
	c->flags = flags;
	html_reset_outputs(c);
	/* Sized for the usual case: the outputs are about as long. */
	if (((flags & HTML_MARKUP) && buf_reserve(&c->markup, len + 64) == -1) ||
	    ((flags & HTML_TEXT) && buf_reserve(&c->text, len + 16) == -1))
		return -1;
	/*
	 * A source that writes HTML 4 (<br>, unquoted attributes) does so in
	 * every item: after a run of misses this context stops trying XML.
	 * Both parsers give the same result, so this only saves time.
	 */
	if (len > 0 && len < INT32_MAX - 16) {
		int xml = !(flags & HTML_NO_XML) && c->xml_misses < HTML_XML_TRIES;

		if (xml && html_parse_xml(c, html, len) == 0)
			c->xml_misses = 0;
		else {
			c->xml_misses += xml;
			html_reset_outputs(c);
			if (html_parse(c, html, len) == -1)
				return -1;
		}
	}
	if (flags & HTML_MARKUP) {
		html_copy_text_to(c, len);
		*markup = buf_detach(&c->markup, NULL);
	}
	if (flags & HTML_TEXT)
		*text = buf_detach(&c->text, NULL);
	if (((flags & HTML_MARKUP) && *markup == NULL) ||
	    ((flags & HTML_TEXT) && *text == NULL)) {
		if (flags & HTML_MARKUP) {
			free(*markup);
			*markup = NULL;
		}
		if (flags & HTML_TEXT) {
			free(*text);
			*text = NULL;
		}
		return -1;
	}
	return 0;
}

char *
html_to_text(const char *html, size_t len)
{
	struct html_ctx	*c;
	char		*text = NULL;

	if ((c = html_ctx_new()) == NULL)
		return NULL;
	if (html_ctx_run(c, html, len, NULL, HTML_TEXT, NULL, &text) == -1)
		text = NULL;
	html_ctx_free(c);
	return text;
}
