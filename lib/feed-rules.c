/*
 * feed-rules.c: the reading rules of RSS 0.9x/1.0/2.0 and Atom 0.3/1.0,
 * the Universal Feed Parser's (feedparser), so that its test suite
 * applies: a stack of frames collects the text of the elements whose
 * values we keep; inline XHTML is serialized into the frame of the
 * construct that holds it; a value found nearer the entry element wins
 * over one found deeper; the type of a text construct decides whether its
 * value is text or HTML markup.  feed-xml.c feeds these rules from
 * libxml2's SAX events.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "date.h"
#include "feed-xml.h"
#include "uri.h"
#include "utf8.h"

struct fx_name {
	const char	*name;
	enum fx_kind	 kind;
};

/* Element handlers, by "prefix_localname" (sorted for bsearch). */
static const struct fx_name fx_names[] = {
	{ "abstract", FK_ABSTRACT }, { "author", FK_AUTHOR },
	{ "body", FK_BODY }, { "category", FK_OTHER },
	{ "channel", FK_CHANNEL }, { "content", FK_CONTENT },
	{ "content_encoded", FK_CONTENT_ENCODED },
	{ "contributor", FK_CONTRIBUTOR }, { "copyright", FK_TEXTCONSTRUCT },
	{ "created", FK_OTHER }, { "dc_author", FK_AUTHOR },
	{ "dc_contributor", FK_DC_CONTRIBUTOR }, { "dc_creator", FK_AUTHOR },
	{ "dc_date", FK_UPDATED }, { "dc_description", FK_DESCRIPTION },
	{ "dc_language", FK_OTHER }, { "dc_publisher", FK_OTHER },
	{ "dc_rights", FK_TEXTCONSTRUCT }, { "dc_subject", FK_OTHER },
	{ "dc_title", FK_TITLE }, { "dcterms_created", FK_OTHER },
	{ "dcterms_issued", FK_PUBLISHED }, { "dcterms_modified", FK_UPDATED },
	{ "description", FK_DESCRIPTION }, { "email", FK_EMAIL },
	{ "entry", FK_ITEM }, { "expirationdate", FK_OTHER },
	{ "feed", FK_FEED }, { "fullitem", FK_CONTENT_ENCODED },
	{ "generator", FK_OTHER }, { "guid", FK_GUID },
	{ "height", FK_OTHER }, { "homepage", FK_OTHER }, { "id", FK_GUID },
	{ "image", FK_IMAGE }, { "info", FK_TEXTCONSTRUCT },
	{ "issued", FK_PUBLISHED }, { "item", FK_ITEM },
	{ "itunes_author", FK_AUTHOR }, { "itunes_category", FK_OTHER },
	{ "itunes_email", FK_EMAIL }, { "itunes_name", FK_NAME },
	{ "itunes_owner", FK_OTHER }, { "itunes_subtitle", FK_TEXTCONSTRUCT },
	{ "itunes_summary", FK_SUMMARY }, { "keywords", FK_OTHER },
	{ "language", FK_OTHER }, { "lastbuilddate", FK_UPDATED },
	{ "link", FK_LINK }, { "managingeditor", FK_AUTHOR },
	{ "media_category", FK_OTHER }, { "media_description", FK_DESCRIPTION },
	{ "media_title", FK_TITLE }, { "modified", FK_UPDATED },
	{ "name", FK_NAME }, { "newlocation", FK_OTHER },
	{ "pubdate", FK_PUBLISHED }, { "published", FK_PUBLISHED },
	{ "rights", FK_TEXTCONSTRUCT }, { "rss", FK_RSS },
	{ "source", FK_SOURCE }, { "subtitle", FK_TEXTCONSTRUCT },
	{ "summary", FK_SUMMARY }, { "tagline", FK_TEXTCONSTRUCT },
	{ "tags", FK_OTHER }, { "textinput", FK_TEXTINPUT },
	{ "title", FK_TITLE }, { "updated", FK_UPDATED },
	{ "uri", FK_OTHER }, { "url", FK_OTHER }, { "webmaster", FK_OTHER },
	{ "width", FK_OTHER }, { "xhtml_body", FK_BODY },
};

struct fx_ns {
	const char	*uri;
	const char	*prefix;
};


/* Namespaces we map to a fixed prefix ("" for the feed formats' own). */
static const struct fx_ns fx_namespaces[] = {
	{ "http://backend.userland.com/rss", "" },
	{ "http://blogs.law.harvard.edu/tech/rss", "" },
	{ "http://purl.org/rss/1.0/", "" },
	{ "http://my.netscape.com/rdf/simple/0.9/", "" },
	{ "http://example.com/newformat#", "" },
	{ "http://example.com/necho", "" },
	{ "http://purl.org/echo/", "" },
	{ "uri/of/echo/namespace#", "" },
	{ "http://purl.org/pie/", "" },
	{ "http://purl.org/atom/ns#", "" },
	{ "http://www.w3.org/2005/atom", "" },
	{ "http://purl.org/rss/1.0/modules/rss091#", "" },
	{ "http://purl.org/rss/1.0/modules/content/", "content" },
	{ "http://purl.org/dc/elements/1.1/", "dc" },
	{ "http://purl.org/dc/terms/", "dcterms" },
	{ "http://www.w3.org/1999/xhtml", "xhtml" },
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf" },
	{ "http://www.w3.org/xml/1998/namespace", "xml" },
	{ "http://search.yahoo.com/mrss", "media" },
	{ "http://search.yahoo.com/mrss/", "media" },
	{ "http://www.itunes.com/dtds/podcast-1.0.dtd", "itunes" },
	{ "http://example.com/dtds/podcast-1.0.dtd", "itunes" },
	{ "http://www.w3.org/1999/xlink", "xlink" },
};

/* HTML elements a plain-text value may hold and still be taken as HTML. */
static const char *const fx_html_elements[] = {
	"a", "abbr", "acronym", "address", "area", "article", "aside",
	"audio", "b", "big", "blockquote", "br", "button", "canvas",
	"caption", "center", "cite", "code", "col", "colgroup", "command",
	"datagrid", "datalist", "dd", "del", "details", "dfn", "dialog",
	"dir", "div", "dl", "dt", "em", "event-source", "fieldset",
	"figcaption", "figure", "font", "footer", "form", "h1", "h2", "h3",
	"h4", "h5", "h6", "header", "hr", "i", "img", "input", "ins", "kbd",
	"keygen", "label", "legend", "li", "m", "map", "menu", "meter",
	"multicol", "nav", "nextid", "noscript", "ol", "optgroup", "option",
	"output", "p", "pre", "progress", "q", "s", "samp", "section",
	"select", "small", "sound", "source", "spacer", "span", "strike",
	"strong", "sub", "sup", "table", "tbody", "td", "textarea", "tfoot",
	"th", "thead", "time", "tr", "tt", "u", "ul", "var", "video",
};

static int
fx_name_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct fx_name *)elem)->name);
}

/* The handler of an element, by its "prefix_localname". */
static enum fx_kind
fx_kind_of(const char *name)
{
	const struct fx_name *n = bsearch(name, fx_names, sizeof(fx_names) /
	    sizeof(fx_names[0]), sizeof(fx_names[0]), fx_name_cmp);

	return n != NULL ? n->kind : FK_UNKNOWN;
}

/* The prefix feedparser uses for a namespace URI, or NULL if unknown. */
static const char *
fx_ns_prefix(const xmlChar *uri)
{
	if (uri == NULL)
		return NULL;
	if (strstr((const char *)uri, "backend.userland.com/rss") != NULL)
		return "";
	for (size_t i = 0; i < sizeof(fx_namespaces) / sizeof(fx_namespaces[0]);
	    i++)
		if (strcasecmp((const char *)uri, fx_namespaces[i].uri) == 0)
			return fx_namespaces[i].prefix;
	return NULL;
}

/*
 * "prefix_localname", lower-cased, the way feedparser names elements:
 * a known namespace gives its fixed prefix, an unknown one the document's.
 * Returns 1 when there is a prefix.
 */
static int
fx_canon(char *out, size_t size, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	const char	*p = fx_ns_prefix(uri);
	size_t		 o = 0;
	int		 prefixed;

	if (p == NULL)
		p = prefix != NULL ? (const char *)prefix : "";
	for (; *p && o + 2 < size; p++)
		out[o++] = (char)tolower((unsigned char)*p);
	if (o > 0)
		out[o++] = '_';
	prefixed = o > 0;
	for (const char *l = (const char *)local; *l && o + 1 < size; l++)
		out[o++] = (char)tolower((unsigned char)*l);
	out[o] = '\0';
	return prefixed;
}

/*
 * The canonical name and handler of an element.  libxml2 interns names in
 * the parser's dictionary, which lives as long as this parse: equal
 * pointers are equal names.
 */
static const struct fx_name_cache *
fx_name(struct fx *x, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	uintptr_t		 h = ((uintptr_t)local >> 3) ^ ((uintptr_t)uri >> 5);
	struct fx_name_cache	*c = &x->names[h % FX_NAME_CACHE];

	if (c->local == local && c->prefix == prefix && c->uri == uri)
		return c;
	c->local = local;
	c->prefix = prefix;
	c->uri = uri;
	c->prefixed = fx_canon(c->canon, sizeof(c->canon), local, prefix, uri);
	c->kind = fx_kind_of(c->canon);
	return c;
}

/*
 * The value of attribute `name` ("prefix:local" for namespaced ones, names
 * compared case-insensitively), copied into out; NULL if absent.
 */
static const char *
fx_attr(const xmlChar **attrs, int nattrs, const char *name, char *out,
    size_t size)
{
	const char	*colon = strchr(name, ':');

	for (int i = 0; i < nattrs; i++) {
		const xmlChar	**a = attrs + 5 * i;
		const char	 *pfx = fx_ns_prefix(a[2]);
		size_t		  n = (size_t)(a[4] - a[3]);

		if (pfx == NULL)
			pfx = a[1] != NULL ? (const char *)a[1] : "";
		if (colon != NULL ? (strncasecmp(pfx, name, (size_t)(colon - name))
		    != 0 || pfx[colon - name] != '\0' ||
		    strcasecmp((const char *)a[0], colon + 1) != 0) :
		    (*pfx != '\0' || strcasecmp((const char *)a[0], name) != 0))
			continue;
		if (n >= size)
			n = size - 1;
		memcpy(out, a[3], n);
		out[n] = '\0';
		return out;
	}
	return NULL;
}

/* feedparser's map_content_type: "text", "html", "xhtml" to MIME types. */
static void
fx_map_type(const char *t, char *out, size_t size)
{
	char	lower[FX_TYPE_MAX];
	size_t	i;

	for (i = 0; t[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)t[i]);
	lower[i] = '\0';
	if (strcmp(lower, "text") == 0 || strcmp(lower, "plain") == 0)
		t = "text/plain";
	else if (strcmp(lower, "html") == 0)
		t = "text/html";
	else if (strcmp(lower, "xhtml") == 0)
		t = "application/xhtml+xml";
	else
		t = lower;
	snprintf(out, size, "%s", t);
}

static int
fx_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* 1 if the current text construct type is HTML or XHTML. */
static int
fx_type_is_html(const char *t)
{
	return *t == '\0' || strcmp(t, "text/html") == 0 ||
	    strcmp(t, "application/xhtml+xml") == 0;
}

static int
fx_is_xhtml(const struct fx *x)
{
	return x->ctype[0] == 'a' &&
	    strcmp(x->ctype, "application/xhtml+xml") == 0;
}

/* Push a frame for the current element. */
static void
fx_push(struct fx *x, enum fx_key key, int expecting)
{
	struct fx_frame *f;

	if (x->nframes >= FX_MAX_DEPTH + 1)
		return;
	f = &x->frames[x->nframes];
	f->key = key;
	f->expecting = expecting;
	f->content = 0;
	f->start = x->text.len;
	x->elems[x->depth].frame = x->nframes++;
}

/* feedparser's push_content: a text construct with its type. */
static void
fx_push_content(struct fx *x, enum fx_key key, const xmlChar **attrs,
    int nattrs, const char *default_type, int expecting)
{
	char	type[FX_TYPE_MAX], mode[16];

	x->incontent++;
	fx_map_type(fx_attr(attrs, nattrs, "type", type, sizeof(type)) ?
	    type : default_type, x->ctype, sizeof(x->ctype));
	if (fx_attr(attrs, nattrs, "mode", mode, sizeof(mode)) != NULL &&
	    strcmp(mode, "base64") == 0)
		x->base64 = 1;
	else
		x->base64 = strncmp(x->ctype, "text/", 5) != 0 &&
		    !fx_ends_with(x->ctype, "+xml") &&
		    !fx_ends_with(x->ctype, "/xml");
	x->content_depth = x->depth;
	x->top_elems = x->top_text = x->top_not_div = 0;
	fx_push(x, key, expecting);
	if (x->elems[x->depth].frame >= 0)
		x->frames[x->elems[x->depth].frame].content = 1;
}

/* The draft that values go to: the entry, the feed, or NULL (ignored). */
static struct feed_draft *
fx_context(struct fx *x)
{
	if (x->insource || (x->inimage && x->feed_has_image) || x->intextinput)
		return NULL;
	return x->inentry ? x->entry : &x->fb->feed;
}

/* Decode base64 in place; -1 (s untouched) when it is not base64. */
static int
fx_base64(char *s, size_t *lenp)
{
	static const char	 digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned		 acc = 0;
	int			 bits = 0, pad = 0;
	size_t			 o = 0;
	char			*tmp;

	if ((tmp = malloc(*lenp + 1)) == NULL)
		return -1;
	for (size_t i = 0; i < *lenp; i++) {
		const char *d;

		if (isspace((unsigned char)s[i]))
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad || (d = strchr(digits, s[i])) == NULL || s[i] == '\0') {
			free(tmp);
			return -1;
		}
		acc = (acc << 6) | (unsigned)(d - digits);
		if ((bits += 6) >= 8) {
			bits -= 8;
			tmp[o++] = (char)((acc >> bits) & 0xFF);
		}
	}
	memcpy(s, tmp, o);
	s[o] = '\0';
	free(tmp);
	*lenp = o;
	return 0;
}

/*
 * feedparser's looks_like_html: a closing tag or an entity, and every tag
 * a common HTML element and every entity a known HTML one.
 */
static int
fx_str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
fx_looks_like_html(const char *s)
{
	const char	*key;
	int		 evidence = 0;

	for (const char *p = s; (p = strpbrk(p, "<&")) != NULL; p++) {
		char	name[32];
		size_t	n = 0;
		int	close = 0;

		if (*p == '<') {
			close = p[1] == '/';
			for (const char *q = p + 1 + close; (isalnum(
			    (unsigned char)*q) || *q == '_') && n + 1 < sizeof(name);
			    q++)
				name[n++] = (char)tolower((unsigned char)*q);
			name[n] = '\0';
			if (n == 0)
				continue;
			key = name;
			if (bsearch(&key, fx_html_elements,
			    sizeof(fx_html_elements) / sizeof(fx_html_elements[0]),
			    sizeof(char *), fx_str_cmp) == NULL)
				return 0;
			if (close && p[2 + n] == '>')
				evidence = 1;
		} else {
			const char *q = p + 1 + (p[1] == '#');

			while ((isalnum((unsigned char)q[n]) || q[n] == '_') &&
			    n + 1 < sizeof(name))
				name[n] = q[n], n++;
			name[n] = '\0';
			if (n == 0 || q[n] != ';')
				continue;
			evidence = 1;
			if (p[1] != '#' && htmlEntityLookup((const xmlChar *)name)
			    == NULL)
				return 0;
		}
	}
	return evidence;
}

/* The index of attribute `name` (see fx_attr), or -1. */
static int
fx_attr_index(const xmlChar **attrs, int nattrs, const char *name)
{
	char one[2];

	for (int i = 0; i < nattrs; i++) {
		const xmlChar **a = attrs + 5 * i;

		if (fx_attr(a, 1, name, one, sizeof(one)) != NULL)
			return i;
	}
	return -1;
}

/* A malloc'd copy of attribute `name`, or NULL (absent or no memory). */
static char *
fx_attr_dup(const xmlChar **attrs, int nattrs, const char *name)
{
	int		 i = fx_attr_index(attrs, nattrs, name);
	const xmlChar	**a;
	char		*s;

	if (i < 0)
		return NULL;
	a = attrs + 5 * i;
	if ((s = malloc((size_t)(a[4] - a[3]) + 1)) == NULL)
		return NULL;
	memcpy(s, a[3], (size_t)(a[4] - a[3]));
	s[a[4] - a[3]] = '\0';
	return s;
}

/* The base URI in effect for the current element. */
static const char *
fx_base(const struct fx *x)
{
	return x->bases[x->depth];
}

/*
 * xml:base (or a bare "base" attribute) on the element just opened: its
 * base is the parent's resolved against it, if that gives a safe URI.
 */
static void
fx_track_base(struct fx *x, const xmlChar **attrs, int nattrs)
{
	char	*parent = x->bases[x->depth - 1], *val, *b;

	x->bases[x->depth] = parent;
	x->elems[x->depth].base_owned = 0;
	val = fx_attr_dup(attrs, nattrs, "xml:base");
	if (val == NULL)
		val = fx_attr_dup(attrs, nattrs, "base");
	if (val == NULL)
		return;
	if (*val != '\0') {
		b = parent != NULL ? uri_resolve_safe(parent, val) : strdup(val);
		if (b != NULL && *b == '\0') {
			free(b);
			b = NULL;
		}
		if (b != NULL) {
			x->bases[x->depth] = b;
			x->elems[x->depth].base_owned = 1;
		}
	}
	free(val);
}

/* Namespace declarations tell RSS 0.90, RSS 1.0 and Atom 1.0 apart. */
static void
fx_track_namespaces(struct fx *x, const xmlChar **ns, int nns)
{
	for (int i = 0; i < nns && x->version == FV_NONE; i++) {
		const char *prefix = (const char *)ns[2 * i];
		const char *uri = (const char *)ns[2 * i + 1];

		if (uri == NULL)
			continue;
		if (prefix == NULL &&
		    strcasecmp(uri, "http://my.netscape.com/rdf/simple/0.9/") == 0)
			x->version = FV_RSS090;
		else if (strcasecmp(uri, "http://purl.org/rss/1.0/") == 0)
			x->version = FV_RSS10;
		else if (strcasecmp(uri, "http://www.w3.org/2005/Atom") == 0)
			x->version = FV_ATOM10;
	}
}

/* Append text to the top frame, XML-escaped when escape is set. */
static void
fx_text_add(struct fx *x, const char *s, size_t len, int escape)
{
	size_t i = 0, j;

	if (!escape) {
		buf_add(&x->text, s, len);
		return;
	}
	while (i < len) {
		for (j = i; j < len && s[j] != '&' && s[j] != '<' && s[j] != '>';
		    j++)
			;
		buf_add(&x->text, s + i, j - i);
		if (j == len)
			break;
		buf_adds(&x->text, s[j] == '&' ? "&amp;" : s[j] == '<' ? "&lt;" :
		    "&gt;");
		i = j + 1;
	}
}

/* Serialize the start tag of an element inside inline XHTML. */
static void
fx_markup_start(struct fx *x, const xmlChar *local, const xmlChar **attrs,
    int nattrs)
{
	buf_addc(&x->text, '<');
	for (const char *p = (const char *)local; *p; p++)
		buf_addc(&x->text, (char)tolower((unsigned char)*p));
	for (int i = 0; i < nattrs; i++) {
		const xmlChar **a = attrs + 5 * i;
		const char *pfx = fx_ns_prefix(a[2]);

		if (pfx == NULL)
			pfx = (const char *)a[1];
		buf_addc(&x->text, ' ');
		if (pfx != NULL && *pfx != '\0')
			buf_printf(&x->text, "%s:", pfx);
		for (const char *p = (const char *)a[0]; *p; p++)
			buf_addc(&x->text, (char)tolower((unsigned char)*p));
		buf_adds(&x->text, "=\"");
		for (const xmlChar *p = a[3]; p < a[4]; p++) {
			if (*p == '"')
				buf_adds(&x->text, "&quot;");
			else
				fx_text_add(x, (const char *)p, 1, 1);
		}
		buf_addc(&x->text, '"');
	}
	buf_addc(&x->text, '>');
	if (x->depth == x->content_depth + 1 && x->top_elems++ == 0)
		x->top_not_div = strcasecmp((const char *)local, "div") != 0;
}

/* Serialize an end tag inside inline XHTML. */
static void
fx_markup_end(struct fx *x, const char *local)
{
	buf_adds(&x->text, "</");
	for (const char *p = local; *p; p++)
		buf_addc(&x->text, (char)tolower((unsigned char)*p));
	buf_addc(&x->text, '>');
}

/*
 * A frame's value after feedparser's pop(): s points into fx.text (or to
 * `owned` when it was rewritten) and stays valid until fx_val_done().
 */
struct fx_val {
	char	*s;
	size_t	 len;
	int	 html;
	char	*owned;
	size_t	 start;		/* where the frame's text began */
};

/* Trim ASCII white space off both ends of [*sp, *sp + *lenp). */
static void
fx_trim(const char **sp, size_t *lenp)
{
	while (*lenp > 0 && isspace((unsigned char)**sp))
		(*sp)++, (*lenp)--;
	while (*lenp > 0 && isspace((unsigned char)(*sp)[*lenp - 1]))
		(*lenp)--;
}

/*
 * Atom 1.0 inline XHTML is wrapped in one <div> that is not content: when
 * it holds everything, drop it.
 */
static void
fx_unwrap_div(const struct fx *x, const char **sp, size_t *lenp)
{
	const char *gt;

	if (x->version != FV_ATOM10 || !fx_is_xhtml(x) || x->top_elems != 1 ||
	    x->top_text || x->top_not_div || *lenp < 11 || strncmp(*sp, "<div", 4) != 0 ||
	    strncmp(*sp + *lenp - 6, "</div>", 6) != 0)
		return;
	if ((gt = memchr(*sp, '>', *lenp - 6)) == NULL)
		return;
	*lenp -= (size_t)(gt + 1 - *sp) + 6;
	*sp = gt + 1;
}

/* 1 if an id (a guid) should be resolved as a relative URL. */
static int
fx_id_is_path(const char *s)
{
	return !uri_has_scheme(s) && strchr(s, '/') != NULL &&
	    strchr(s, ' ') == NULL;
}

/* Replace a value's string by a new one it owns. */
static void
fx_val_own(struct fx_val *v, char *s, size_t len)
{
	free(v->owned);
	v->owned = v->s = s;
	v->len = len;
}

/* Release a popped value and its frame's text. */
static void
fx_val_done(struct fx *x, struct fx_val *v)
{
	free(v->owned);
	v->owned = v->s = NULL;
	buf_truncate(&x->text, v->start);
}

/*
 * Pop the top frame (the current element's): its text, trimmed, base64
 * decoded, a relative link resolved, and whether it is HTML.  The caller
 * ends with fx_val_done().
 */
static void
fx_pop(struct fx *x, struct fx_val *v)
{
	struct fx_frame		*f = &x->frames[--x->nframes];
	const char		*raw;
	size_t			 len;
	struct utf8_stats	 st;
	char			*r;

	memset(v, 0, sizeof(*v));
	v->start = f->start;
	if (buf_reserve(&x->text, 0) == -1) {
		x->fb->oom = 1;
		v->s = "";
		return;
	}
	raw = x->text.data + f->start;
	len = x->text.len - f->start;
	if (f->content)
		fx_unwrap_div(x, &raw, &len);
	fx_trim(&raw, &len);
	v->s = (char *)raw;
	v->s[len] = '\0';
	v->len = len;
	if (f->content && x->base64 && (r = strdup(v->s)) != NULL) {
		size_t n = len;

		if (fx_base64(r, &n) == 0 && (utf8_scan(r, n, &st),
		    st.invalid == 0 && st.forbidden == 0))
			fx_val_own(v, r, n);
		else
			free(r);
	}
	if ((f->key == KEY_LINK || (f->key == KEY_ID && x->guidislink &&
	    fx_id_is_path(v->s))) && *v->s != '\0' &&
	    (r = uri_resolve(fx_base(x), v->s)) != NULL)
		fx_val_own(v, r, strlen(r));
	if (f->content) {
		if (x->version < FV_ATOM && strcmp(x->ctype, "text/plain") == 0 &&
		    fx_looks_like_html(v->s))
			strcpy(x->ctype, "text/html");
		v->html = fx_type_is_html(x->ctype) && (f->key == KEY_TITLE ||
		    f->key == KEY_DESCRIPTION || f->key == KEY_SUMMARY ||
		    f->key == KEY_CONTENT);
	}
}

/*
 * "a=1&amp;b=2" and "a=1&b;=2" (a broken "&b=") back to "a=1&b=2", in
 * place; returns the new length.
 */
static size_t
fx_fix_link_amps(char *s, int unescape)
{
	char *o = s;

	for (const char *p = s; *p;) {
		if (unescape && strncmp(p, "&amp;", 5) == 0) {
			*o++ = '&';
			p += 5;
			continue;
		}
		if (*p == '&') {
			const char *q = p + 1;

			while (isalnum((unsigned char)*q) || *q == '_')
				q++;
			if (q > p + 1 && *q == ';') {
				memmove(o, p, (size_t)(q - p));
				o += q - p;
				p = q + 1;
				continue;
			}
		}
		*o++ = *p++;
	}
	*o = '\0';
	return (size_t)(o - s);
}

/* Set a field directly (no precedence), as feedparser's _save does. */
static void
fx_set_direct(struct fx *x, struct feed_draft *d, enum feed_field ff,
    const char *s, int only_if_unset)
{
	struct feed_value v;

	if (d == NULL || (only_if_unset && d->f[ff].set))
		return;
	if (feed_value_plain(x->fb, s, strlen(s), &v) == -1)
		return;
	v.depth = FX_UNSET;
	feed_value_move(&d->f[ff], &v);
}

/*
 * Store a popped value where feedparser would: in the entry (content: the
 * first one; link: the last one; the rest: the shallowest, then the last)
 * or in the feed (title and link).  With also_summary, content becomes the
 * summary too when there is none.
 */
static void
fx_store(struct fx *x, enum fx_key key, int expecting, struct fx_val *v,
    int also_summary)
{
	static const int	 fields[] = {
		[KEY_TITLE] = FF_TITLE, [KEY_LINK] = FF_LINK, [KEY_ID] = FF_ID,
		[KEY_DESCRIPTION] = FF_SUMMARY, [KEY_SUMMARY] = FF_SUMMARY,
		[KEY_CONTENT] = FF_CONTENT, [KEY_AUTHOR] = FF_AUTHOR,
	};
	struct feed_draft	*d = NULL;
	struct feed_value	 fv;
	int			 ff;

	if (!expecting || key == KEY_NONE || key > KEY_AUTHOR ||
	    (key == KEY_TITLE && x->title_depth > -1 &&
	    x->title_depth <= x->depth))
		return;
	ff = fields[key];
	if (x->inentry && !x->insource) {
		d = x->entry;
		if ((ff == FF_CONTENT && d->f[ff].set) ||
		    (ff == FF_LINK && x->inimage) ||
		    (ff != FF_CONTENT && ff != FF_LINK && d->f[ff].set &&
		    x->depth > d->f[ff].depth))
			d = NULL;
		if (d != NULL && ff == FF_LINK)
			v->len = fx_fix_link_amps(v->s, 1);
	} else if ((x->infeed || x->insource) && fx_context(x) == &x->fb->feed &&
	    (ff == FF_TITLE || ff == FF_LINK)) {
		d = &x->fb->feed;
		if (ff == FF_LINK)
			v->len = fx_fix_link_amps(v->s, 0);
	}
	if (d == NULL || feed_value_make(x->fb, v->s, v->len, v->html,
	    fx_base(x), &fv) == -1)
		return;
	fv.depth = x->depth;
	fv.set = 1;
	if (also_summary && d == x->entry && !d->f[FF_SUMMARY].set &&
	    feed_value_copy(x->fb, &d->f[FF_SUMMARY], &fv) == 0)
		d->f[FF_SUMMARY].depth = FX_UNSET;
	feed_value_move(&d->f[ff], &fv);
}

/*
 * Pop the current element's frame and store its value; 1 if the value was
 * not empty.
 */
static int
fx_pop_store(struct fx *x, int also_summary)
{
	struct fx_frame	*f;
	struct fx_val	 v;
	enum fx_key	 key;
	int		 expecting, nonempty;

	if (x->elems[x->depth].frame < 0 || x->nframes == 0)
		return 0;
	f = &x->frames[x->nframes - 1];
	key = f->key;
	expecting = f->expecting;
	fx_pop(x, &v);
	nonempty = v.len > 0;
	fx_store(x, key, expecting, &v, also_summary);
	fx_val_done(x, &v);
	return nonempty;
}

/* Pop the current element's frame and return its text (caller frees). */
static char *
fx_pop_value(struct fx *x)
{
	struct fx_val	 v;
	char		*s;

	if (x->elems[x->depth].frame < 0 || x->nframes == 0)
		return NULL;
	fx_pop(x, &v);
	if ((s = strdup(v.s)) == NULL)
		x->fb->oom = 1;
	fx_val_done(x, &v);
	return s;
}

/* feedparser's pop_content: pop, then leave the text construct. */
static int
fx_pop_content(struct fx *x, int also_summary)
{
	int nonempty = fx_pop_store(x, also_summary);

	if (x->incontent > 0)
		x->incontent--;
	x->ctype[0] = '\0';
	x->base64 = 0;
	return nonempty;
}

/* The context's current person as feedparser writes it. */
static void
fx_person_sync(struct fx *x)
{
	struct fx_person	*p = &x->person;
	struct buf		 b;
	char			*s;

	if (!p->any)
		return;
	buf_init(&b);
	if (p->name != NULL && p->email != NULL)
		buf_printf(&b, "%s (%s)", p->name, p->email);
	else
		buf_adds(&b, p->name != NULL ? p->name : p->email);
	if ((s = buf_detach(&b, NULL)) == NULL) {
		x->fb->oom = 1;
		return;
	}
	fx_set_direct(x, fx_context(x), FF_AUTHOR, s, 0);
	free(s);
}

static void
fx_person_clear(struct fx_person *p)
{
	free(p->name);
	free(p->email);
	memset(p, 0, sizeof(*p));
}

/* <name> or <email> of an author: remember it for fx_person_sync. */
static void
fx_end_person_part(struct fx *x, int email)
{
	char *v = fx_pop_value(x);

	if (v == NULL || *v == '\0' || !x->inauthor) {
		free(v);
		return;
	}
	if (email) {
		free(x->person.email);
		x->person.email = v;
	} else {
		free(x->person.name);
		x->person.name = v;
	}
	x->person.any = 1;
}

/* <item>/<entry>: a new entry (RSS 1.0's rdf:about is its id). */
static void
fx_start_item(struct fx *x, const xmlChar **attrs, int nattrs)
{
	struct feed_draft	*d;
	char			*about;

	x->feed_seen = 1;
	fx_push(x, KEY_NONE, 0);
	if ((d = feed_builder_entry(x->fb)) == NULL)
		return;
	x->entry = d;
	x->inentry = 1;
	x->guidislink = 0;
	x->title_depth = -1;
	if ((about = fx_attr_dup(attrs, nattrs, "rdf:about")) != NULL) {
		fx_set_direct(x, d, FF_ID, about, 0);
		free(about);
	}
}

/*
 * <link>: Atom's carries an href (an alternate HTML one is the link),
 * RSS's holds the URL as text.
 */
static void
fx_start_link(struct fx *x, const xmlChar **attrs, int nattrs)
{
	char	 rel[32], type[FX_TYPE_MAX], mapped[FX_TYPE_MAX], *href, *r;

	if (fx_attr(attrs, nattrs, "rel", rel, sizeof(rel)) == NULL)
		strcpy(rel, "alternate");
	for (char *p = rel; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (fx_attr(attrs, nattrs, "type", type, sizeof(type)) == NULL)
		strcpy(type, strcmp(rel, "self") == 0 ? "application/atom+xml" :
		    "text/html");
	fx_map_type(type, mapped, sizeof(mapped));
	if ((href = fx_attr_dup(attrs, nattrs, "url")) == NULL &&
	    (href = fx_attr_dup(attrs, nattrs, "uri")) == NULL)
		href = fx_attr_dup(attrs, nattrs, "href");
	if (href == NULL) {
		fx_push(x, KEY_LINK, x->infeed || x->inentry || x->insource);
		return;
	}
	if (strcmp(rel, "alternate") == 0 && *mapped != '\0' &&
	    fx_type_is_html(mapped) && (r = uri_resolve(fx_base(x), href))) {
		fx_set_direct(x, fx_context(x), FF_LINK, r, 0);
		free(r);
	}
	free(href);
}

/* <description>, <summary>, <abstract>: a second one is the content. */
static void
fx_start_description(struct fx *x, enum fx_kind kind, const xmlChar **attrs,
    int nattrs)
{
	struct feed_draft	*d = fx_context(x);
	int			 expecting = x->infeed || x->inentry ||
				    x->insource;

	if (kind != FK_ABSTRACT && d != NULL && d == x->entry &&
	    d->f[FF_SUMMARY].set && !x->hascontent) {
		x->summary_is_content = 1;
		x->hascontent = 1;
		fx_push_content(x, KEY_CONTENT, attrs, nattrs, "text/plain", 1);
	} else if (kind == FK_DESCRIPTION)
		fx_push_content(x, KEY_DESCRIPTION, attrs, nattrs, "text/html",
		    expecting);
	else if (kind == FK_ABSTRACT)
		fx_push_content(x, KEY_DESCRIPTION, attrs, nattrs, "text/plain",
		    expecting);
	else
		fx_push_content(x, KEY_SUMMARY, attrs, nattrs, "text/plain", 1);
}

/* <rss version="..."> and <feed version="...">: the format's version. */
static void
fx_start_root(struct fx *x, enum fx_kind kind, const xmlChar **attrs,
    int nattrs)
{
	char v[16];

	x->feed_seen = 1;
	if (kind == FK_FEED) {
		x->infeed = 1;
		if (x->version == FV_NONE)
			x->version = fx_attr(attrs, nattrs, "version", v,
			    sizeof(v)) && strcmp(v, "0.3") == 0 ? FV_ATOM03 :
			    FV_ATOM;
		return;
	}
	if (x->version >= FV_RSS && x->version <= FV_RSS10)
		return;
	x->version = FV_RSS;
	if (fx_attr(attrs, nattrs, "version", v, sizeof(v)) != NULL)
		snprintf(x->rss_version, sizeof(x->rss_version), "%s",
		    strncmp(v, "2.", 2) == 0 ? "rss20" :
		    strcmp(v, "0.91") == 0 ? "rss091" :
		    strcmp(v, "0.92") == 0 ? "rss092" :
		    strcmp(v, "0.93") == 0 ? "rss093" :
		    strcmp(v, "0.94") == 0 ? "rss094" : "rss");
}

/* Dispatch an element's start to feedparser's handler for it. */
static void
fx_start(struct fx *x, enum fx_kind kind, const xmlChar **attrs, int nattrs)
{
	int expecting = x->infeed || x->inentry || x->insource;

	switch (kind) {
	case FK_RSS:
	case FK_FEED:
		fx_start_root(x, kind, attrs, nattrs);
		break;
	case FK_CHANNEL:
		x->infeed = 1;
		x->feed_seen = 1;
		break;
	case FK_ITEM:
		fx_start_item(x, attrs, nattrs);
		break;
	case FK_IMAGE:
	case FK_TEXTINPUT:
		if (kind == FK_IMAGE && !x->inentry)
			x->feed_has_image = 1;
		*(kind == FK_IMAGE ? &x->inimage : &x->intextinput) = 1;
		x->title_depth = -1;
		fx_push(x, KEY_OTHER, 0);
		break;
	case FK_SOURCE:
		fx_push(x, KEY_OTHER, 1);
		x->insource = 1;
		x->title_depth = -1;
		break;
	case FK_TITLE:
		fx_push_content(x, KEY_TITLE, attrs, nattrs, "text/plain",
		    expecting);
		break;
	case FK_LINK:
		fx_start_link(x, attrs, nattrs);
		break;
	case FK_GUID: {
		char perma[16];

		x->guidislink = fx_attr(attrs, nattrs, "ispermalink", perma,
		    sizeof(perma)) == NULL || strcmp(perma, "true") == 0;
		fx_push(x, KEY_ID, 1);
		break;
	}
	case FK_DESCRIPTION:
	case FK_SUMMARY:
	case FK_ABSTRACT:
		fx_start_description(x, kind, attrs, nattrs);
		break;
	case FK_CONTENT:
	case FK_CONTENT_ENCODED:
		x->hascontent = 1;
		fx_push_content(x, KEY_CONTENT, attrs, nattrs, kind == FK_CONTENT ?
		    "text/plain" : "text/html", 1);
		break;
	case FK_BODY:
		fx_push_content(x, KEY_CONTENT, attrs, nattrs,
		    "application/xhtml+xml", 1);
		break;
	case FK_AUTHOR:
		x->inauthor = 1;
		fx_person_clear(&x->person);
		fx_push(x, KEY_AUTHOR, 1);
		break;
	case FK_CONTRIBUTOR:
	case FK_DC_CONTRIBUTOR:
		x->incontributor = 1;
		fx_push(x, kind == FK_CONTRIBUTOR ? KEY_OTHER : KEY_NAME, 0);
		break;
	case FK_NAME:
	case FK_EMAIL:
		fx_push(x, kind == FK_NAME ? KEY_NAME : KEY_EMAIL, 0);
		break;
	case FK_PUBLISHED:
	case FK_UPDATED:
		fx_push(x, kind == FK_PUBLISHED ? KEY_PUBLISHED : KEY_UPDATED, 1);
		break;
	case FK_TEXTCONSTRUCT:
		fx_push_content(x, KEY_OTHER, attrs, nattrs, "text/plain", 1);
		break;
	case FK_OTHER:
		fx_push(x, KEY_OTHER, 1);
		break;
	case FK_UNKNOWN:
		if (nattrs == 0)
			fx_push(x, KEY_OTHER, 1);
		break;
	}
}

/* The end of <content> and friends: maybe also the summary. */
static void
fx_end_content(struct fx *x)
{
	char mapped[FX_TYPE_MAX];
	int copy;

	fx_map_type(x->ctype, mapped, sizeof(mapped));
	copy = strcmp(mapped, "text/plain") == 0 || fx_type_is_html(mapped);
	fx_pop_content(x, copy && *mapped != '\0');
}

/* </guid>, </id>: the id, and a permalink guid is the link if none yet. */
static void
fx_end_guid(struct fx *x)
{
	struct fx_val	 v;
	int		 expecting;
	char		*copy;

	if (x->elems[x->depth].frame < 0 || x->nframes == 0)
		return;
	expecting = x->frames[x->nframes - 1].expecting;
	fx_pop(x, &v);
	copy = x->guidislink ? strdup(v.s) : NULL;
	fx_store(x, KEY_ID, expecting, &v, 0);
	fx_val_done(x, &v);
	if (copy != NULL)
		fx_set_direct(x, fx_context(x), FF_LINK, copy, 1);
	free(copy);
}

/* </pubDate>, </updated> and friends: parse, and overwrite. */
static void
fx_end_date(struct fx *x, int published)
{
	struct feed_draft	*d;
	char			*v = fx_pop_value(x);
	int64_t			 t;

	if (v == NULL)
		return;
	if (date_parse(v, &t) == -1)
		t = PM_TIME_NONE;
	if ((d = fx_context(x)) != NULL)
		*(published ? &d->published : &d->updated) = t;
	free(v);
}

/* Dispatch an element's end to feedparser's handler for it. */
static void
fx_end(struct fx *x, enum fx_kind kind)
{
	switch (kind) {
	case FK_RSS:
		break;
	case FK_CHANNEL:
	case FK_FEED:
		x->infeed = 0;
		break;
	case FK_ITEM:
		fx_pop_store(x, 0);
		x->inentry = 0;
		x->hascontent = 0;
		x->entry = NULL;
		break;
	case FK_IMAGE:
		fx_pop_store(x, 0);
		x->inimage = 0;
		break;
	case FK_TEXTINPUT:
		fx_pop_store(x, 0);
		x->intextinput = 0;
		break;
	case FK_SOURCE:
		x->insource = 0;
		free(fx_pop_value(x));
		break;
	case FK_TITLE:
		if (fx_pop_content(x, 0))
			x->title_depth = x->depth;
		break;
	case FK_GUID:
		fx_end_guid(x);
		break;
	case FK_DESCRIPTION:
	case FK_SUMMARY:
	case FK_ABSTRACT:
		if (x->summary_is_content)
			fx_end_content(x);
		else
			fx_pop_content(x, 0);
		x->summary_is_content = 0;
		break;
	case FK_CONTENT:
	case FK_CONTENT_ENCODED:
	case FK_BODY:
		fx_end_content(x);
		break;
	case FK_AUTHOR:
		fx_pop_store(x, 0);
		x->inauthor = 0;
		fx_person_sync(x);
		fx_person_clear(&x->person);
		break;
	case FK_CONTRIBUTOR:
		fx_pop_store(x, 0);
		x->incontributor = 0;
		break;
	case FK_DC_CONTRIBUTOR:
	case FK_NAME:
	case FK_EMAIL:
		fx_end_person_part(x, kind == FK_EMAIL);
		if (kind == FK_DC_CONTRIBUTOR)
			x->incontributor = 0;
		break;
	case FK_PUBLISHED:
	case FK_UPDATED:
		fx_end_date(x, kind == FK_PUBLISHED);
		break;
	case FK_TEXTCONSTRUCT:
		fx_pop_content(x, 0);
		break;
	case FK_LINK:
	case FK_OTHER:
	case FK_UNKNOWN:
		fx_pop_store(x, 0);
		break;
	}
}

/* feedparser's trick for empty <image> and <textInput> in bad feeds. */
static void
fx_leave_image(struct fx *x, const char *canon, int prefixed)
{
	static const char *const keep_ti[] = { "title", "link", "description",
	    "name", NULL };
	static const char *const keep_img[] = { "title", "link", "description",
	    "url", "href", "width", "height", NULL };
	int i;

	if (!x->intextinput && !x->inimage)
		return;
	if (prefixed)
		return;
	for (i = 0; keep_ti[i] != NULL && strcmp(canon, keep_ti[i]) != 0; i++)
		;
	if (keep_ti[i] == NULL)
		x->intextinput = 0;
	for (i = 0; keep_img[i] != NULL && strcmp(canon, keep_img[i]) != 0; i++)
		;
	if (keep_img[i] == NULL)
		x->inimage = 0;
}

/* An element starts: track its base, then apply feedparser's rules. */
void
fx_rules_start(struct fx *x, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    const xmlChar **attrs)
{
	struct fx_elem			*e;
	const struct fx_name_cache	*n;
	const char			*canon;

	if (x->depth >= FX_MAX_DEPTH) {
		x->overflow++;
		return;
	}
	e = &x->elems[++x->depth];
	memset(e, 0, sizeof(*e));
	e->frame = -1;
	fx_track_base(x, attrs, nattrs);
	fx_track_namespaces(x, ns, nns);
	n = fx_name(x, local, prefix, uri);
	canon = n->canon;
	if (x->incontent && !fx_ends_with(x->ctype, "xml")) {
		if (strcmp(canon, "div") == 0 || strcmp(canon, "xhtml_div") == 0) {
			e->skipped = 1;
			return;
		}
		strcpy(x->ctype, "application/xhtml+xml");
	}
	if (x->incontent && fx_is_xhtml(x)) {
		fx_markup_start(x, local, attrs, nattrs);
		e->markup = 1;
		return;
	}
	if (strcmp(canon, "rdf_rdf") == 0)
		x->feed_seen = 1;
	fx_leave_image(x, canon, n->prefixed);
	e->kind = n->kind;
	fx_start(x, e->kind, attrs, nattrs);
}

/* An element ends. */
void
fx_rules_end(struct fx *x, const xmlChar *local)
{
	struct fx_elem	*e;

	if (x->overflow > 0) {
		x->overflow--;
		return;
	}
	if (x->depth == 0)
		return;
	e = &x->elems[x->depth];
	if (e->markup || e->skipped) {
		if (x->incontent && fx_is_xhtml(x))
			fx_markup_end(x, e->skipped ? "div" : (const char *)local);
	} else
		fx_end(x, e->kind);
	if (e->base_owned)
		free(x->bases[x->depth]);
	x->bases[x->depth] = NULL;
	x->depth--;
}

/* Characters go to the top frame (escaped in inline XHTML). */
void
fx_rules_text(struct fx *x, const xmlChar *ch, int len)
{
	if (x->nframes == 0 || x->overflow > 0)
		return;
	fx_text_add(x, (const char *)ch, (size_t)len,
	    x->incontent && fx_is_xhtml(x));
	if (x->incontent && x->depth == x->content_depth && !x->top_text)
		for (int i = 0; i < len; i++)
			if (!isspace(ch[i])) {
				x->top_text = 1;
				break;
			}
}

/* The name of the format read, for struct feed. */
const char *
fx_rules_format(const struct fx *x)
{
	static const char *const names[] = {
		[FV_NONE] = "xml", [FV_RSS] = "rss", [FV_RSS090] = "rss090",
		[FV_RSS10] = "rss10", [FV_ATOM] = "atom", [FV_ATOM03] = "atom03",
		[FV_ATOM10] = "atom10",
	};
	static const char *const rss[] = { "rss20", "rss091", "rss092",
	    "rss093", "rss094", NULL };

	if (x->version == FV_RSS)
		for (int i = 0; rss[i] != NULL; i++)
			if (strcmp(x->rss_version, rss[i]) == 0)
				return rss[i];
	return names[x->version];
}

/* Free what the rules hold. */
void
fx_rules_cleanup(struct fx *x)
{
	for (int d = 1; d <= x->depth && d <= FX_MAX_DEPTH; d++)
		if (x->elems[d].base_owned)
			free(x->bases[d]);
	fx_person_clear(&x->person);
}
