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

#define HTML_OPTIONS	(HTML_PARSE_NOIMPLIED | HTML_PARSE_NOERROR | \
			 HTML_PARSE_NOWARNING | HTML_PARSE_NONET | \
			 HTML_PARSE_RECOVER)
#define HTML_MAX_ATTRS	64

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
	htmlParserCtxtPtr	 pctx;
	htmlSAXHandler		 sax;
	const char		*src;
	size_t			 len;
	const char		*base;
	unsigned		 flags;
	size_t			 last;	/* source bytes before it are handled */
	const xmlChar		*selfclosed; /* element whose tag ended "/>" */
	int			 skip;	/* depth inside HTML_SKIP elements */
	char			 pending; /* separator the text owes: ' ', '\n' */
	struct buf		 markup;
	struct buf		 text;
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
	xmlParserInputPtr in = c->pctx->input;
	size_t pos = in->consumed + (size_t)(in->cur - in->base);

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
 * Copy source text [last, to) into the markup the way feedparser writes
 * text: a bare "&" escaped, numeric references lower-cased (and the
 * windows-1252 range mapped: "&#146;" is "&#x2019;"), and a "<!" that
 * opens no comment, DOCTYPE or CDATA escaped.
 */
static void
html_copy_text_to(struct html_ctx *c, size_t to)
{
	const char	*s = c->src;
	size_t		 i = c->last, len;
	long		 num;

	while (i < to) {
		const char *amp = memchr(s + i, '&', to - i);
		const char *lt = memchr(s + i, '<', to - i);
		const char *p = amp == NULL ? lt : lt == NULL || amp < lt ? amp : lt;
		size_t j = p == NULL ? to : (size_t)(p - s);

		buf_add(&c->markup, s + i, j - i);
		if ((i = j) == to)
			break;
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

		if (p[0] != '<' || (end && p[1] != '/') || i + k + n > pos)
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

static void
html_on_start(void *ctx, const xmlChar *name, const xmlChar **attrs)
{
	struct html_ctx		*c = ((htmlParserCtxtPtr)ctx)->_private;
	const struct html_elem	*e = html_elem(c, name);
	size_t			 pos = html_pos(c);
	long			 tag = html_find_tag(c, name, pos, 0);

	c->selfclosed = NULL;
	if (tag < 0)
		return;		/* implied by the parser */
	if (e != NULL && e->cls == HTML_SKIP)
		c->skip++;
	else if (e != NULL)
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
		c->selfclosed = name;
	}
}

/* Write an end tag. */
static void
html_end_tag(struct html_ctx *c, const xmlChar *name)
{
	buf_add(&c->markup, "</", 2);
	buf_adds(&c->markup, (const char *)name);
	buf_addc(&c->markup, '>');
}

static void
html_on_end(void *ctx, const xmlChar *name)
{
	struct html_ctx		*c = ((htmlParserCtxtPtr)ctx)->_private;
	const struct html_elem	*e = html_elem(c, name);
	size_t			 pos = html_pos(c);
	int			 selfclosed = c->selfclosed == name;
	long			 tag;

	c->selfclosed = NULL;
	if (e != NULL && e->cls == HTML_SKIP) {
		if (c->skip > 0)
			c->skip--;
	} else if (e != NULL)
		html_text_sep(c, e->cls == HTML_BLOCK ? '\n' : ' ');
	if (!(c->flags & HTML_MARKUP))
		return;
	if (selfclosed) {
		if (e == NULL || !e->empty)
			html_end_tag(c, name);
		return;
	}
	if ((tag = html_find_tag(c, name, pos, 1)) < 0)
		return;		/* closed by the parser, not the source */
	html_copy_text_to(c, (size_t)tag);
	if (e == NULL || !e->empty)
		html_end_tag(c, name);
	c->last = pos;
}

static void
html_on_chars(void *ctx, const xmlChar *ch, int len)
{
	struct html_ctx *c = ((htmlParserCtxtPtr)ctx)->_private;

	c->selfclosed = NULL;
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
	c->selfclosed = NULL;
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
	buf_init(&c->markup);
	buf_init(&c->text);
	return c;
}

void
html_ctx_free(struct html_ctx *c)
{
	if (c == NULL)
		return;
	htmlFreeParserCtxt(c->pctx);
	buf_free(&c->markup);
	buf_free(&c->text);
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

int
html_ctx_run(struct html_ctx *c, const char *html, size_t len,
    const char *base, unsigned flags, char **markup, char **text)
{

	c->src = html;
	c->len = len;
	c->base = base != NULL && *base != '\0' ? base : NULL;
	c->flags = flags;
	c->last = 0;
	c->selfclosed = NULL;
	c->skip = 0;
	c->pending = 0;
	buf_truncate(&c->markup, 0);
	buf_truncate(&c->text, 0);
	/* Sized for the usual case: the outputs are about as long. */
	if (((flags & HTML_MARKUP) && buf_reserve(&c->markup, len + 64) == -1) ||
	    ((flags & HTML_TEXT) && buf_reserve(&c->text, len + 16) == -1))
		return -1;
	if (len > 0 && len < INT32_MAX && html_parse(c, html, len) == -1)
		return -1;
	if (flags & HTML_MARKUP) {
		html_copy_text_to(c, len);
		*markup = buf_detach(&c->markup, NULL);
	}
	if (flags & HTML_TEXT)
		*text = buf_detach(&c->text, NULL);
	if (((flags & HTML_MARKUP) && *markup == NULL) ||
	    ((flags & HTML_TEXT) && *text == NULL)) {
		if (flags & HTML_MARKUP)
			free(*markup);
		if (flags & HTML_TEXT)
			free(*text);
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
