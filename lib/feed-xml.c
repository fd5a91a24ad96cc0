/*
 * feed-xml.c: RSS and Atom documents through libxml2's SAX2 push parser,
 * read by the rules of feed-rules.c.
 *
 * Safety: no network, no DTD loading, external entities (general or
 * parameter) are never resolved, libxml2's entity amplification limits
 * stay on (no XML_PARSE_HUGE) and our own budget stops what they miss.
 * HTML named entities (&nbsp;), undeclared in XML, are answered from
 * libxml2's HTML entity table and mark the feed ill-formed.  Parse errors
 * are recovered from (XML_PARSE_RECOVER).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "buf.h"
#include "feed-xml.h"

#define FX_OPTIONS	(XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOENT | \
			 XML_PARSE_IGNORE_ENC | XML_PARSE_NOWARNING)

/*
 * After an error libxml2 clears wellFormed, and from then on silently
 * drops every entity reference (&amp; included) even in recovery mode.
 * The error is already recorded (fx_on_error): let the parser go on as
 * before, so that what follows the error is read in full.
 */
static void
fx_keep_going(void *ctx)
{
	xmlParserCtxtPtr	 pctx = ctx;
	struct fx		*x = pctx->_private;

	if (!x->bomb && !x->too_deep)
		pctx->wellFormed = 1;
}

/*
 * An entity-expansion bomb ("billion laughs"): libxml2 detected it, or
 * the text grew past what the document could honestly expand to.  Stop
 * the parser; from now on every entity expands to nothing, so the nested
 * parsers of the entities being expanded wind down at once.
 */
static void
fx_bomb(struct fx *x, xmlParserCtxtPtr pctx)
{
	if (!x->bomb)
		snprintf(x->err, sizeof(x->err), "entity expansion exceeds the "
		    "limits (an entity bomb?)");
	x->bomb = 1;
	pctx->wellFormed = 0;
	xmlStopParser(pctx);
	if (x->pctx != pctx)
		xmlStopParser(x->pctx);
}

/*
 * A nesting bomb: with SAX handlers libxml2 applies no depth limit, and
 * its push parser keeps some 40 bytes per open element, so 8 MB of "<x>"
 * would cost over 100 MB.  No feed nests a thousand elements deep.
 */
static int
fx_too_deep(xmlParserCtxtPtr pctx)
{
	struct fx *x = pctx->_private;

	if (pctx->nameNr <= FX_NEST_LIMIT)
		return 0;
	if (!x->too_deep)
		snprintf(x->err, sizeof(x->err), "elements nested deeper than "
		    "%d levels (a nesting bomb?)", FX_NEST_LIMIT);
	x->too_deep = 1;
	pctx->wellFormed = 0;
	xmlStopParser(pctx);
	return 1;
}

static void
fx_on_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **ns, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	(void)ndefaulted;
	if (fx_too_deep(ctx))
		return;
	fx_keep_going(ctx);
	fx_rules_start(((xmlParserCtxtPtr)ctx)->_private, local, prefix, uri,
	    nns, ns, nattrs, attrs);
}

static void
fx_on_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
    const xmlChar *uri)
{
	(void)prefix;
	(void)uri;
	fx_keep_going(ctx);
	fx_rules_end(((xmlParserCtxtPtr)ctx)->_private, local);
}

/* Characters, within the expansion budget. */
static void
fx_on_chars(void *ctx, const xmlChar *ch, int len)
{
	struct fx *x = ((xmlParserCtxtPtr)ctx)->_private;

	fx_keep_going(ctx);
	if (x->bomb)
		return;
	if ((x->chars += (size_t)len) > x->chars_limit) {
		fx_bomb(x, ctx);
		return;
	}
	fx_rules_text(x, ch, len);
}

/*
 * getEntity: the predefined entities, then the document's own internal
 * ones, then HTML's; anything else (an undeclared or an external entity)
 * stays as written.  Never NULL: on NULL libxml2 would ask
 * xmlSAX2GetEntity, which loads external entities (an XXE).
 */
static xmlEntityPtr
fx_get_entity(void *ctx, const xmlChar *name)
{
	xmlParserCtxtPtr	 pctx = ctx;
	struct fx		*x = pctx->_private;
	xmlEntityPtr		 ent;

	fx_keep_going(ctx);
	if (x->bomb)
		return xmlent_empty();
	if ((ent = xmlGetPredefinedEntity(name)) != NULL)
		return ent;
	if (pctx->myDoc != NULL &&
	    (ent = xmlGetDocEntity(pctx->myDoc, name)) != NULL &&
	    ent->etype == XML_INTERNAL_GENERAL_ENTITY)
		return ent;
	x->fb->illformed = 1;	/* undeclared */
	if ((ent = xmlent_lend(&x->entities, pctx, name, 1)) != NULL)
		return ent;
	return xmlent_empty();
}

/* Parameter entities: internal ones only (an external one is a file). */
static xmlEntityPtr
fx_get_parameter_entity(void *ctx, const xmlChar *name)
{
	xmlParserCtxtPtr	pctx = ctx;
	xmlEntityPtr		ent;

	if (pctx->myDoc == NULL ||
	    (ent = xmlGetParameterEntity(pctx->myDoc, name)) == NULL)
		return NULL;
	return ent->etype == XML_INTERNAL_PARAMETER_ENTITY ? ent : NULL;
}

/* Nothing outside the document is ever read. */
static xmlParserInputPtr
fx_resolve_entity(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
	(void)ctx;
	(void)public_id;
	(void)system_id;
	return NULL;
}

/* Errors make the feed ill-formed; the first one explains a failure. */
static void
fx_on_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr	 pctx = ctx;
	struct fx		*x = pctx != NULL ? pctx->_private : NULL;
	size_t			 n;

	if (x == NULL || e == NULL || e->level < XML_ERR_ERROR)
		return;
	x->fb->illformed = 1;
	switch (e->code) {
	case XML_ERR_INVALID_CHARREF:
	case XML_ERR_INVALID_HEX_CHARREF:
	case XML_ERR_INVALID_DEC_CHARREF:
	case XML_ERR_ENTITYREF_NO_NAME:
	case XML_ERR_ENTITYREF_SEMICOL_MISSING:
	case XML_ERR_NAME_REQUIRED:
		x->bad_amps = 1;	/* fx_fix_amps may help */
		break;
	case XML_ERR_ENTITY_LOOP:
		fx_bomb(x, pctx);
		return;
	default:
		break;
	}
	if (x->err[0] != '\0' || e->message == NULL)
		return;
	snprintf(x->err, sizeof(x->err), "line %d: %s", e->line, e->message);
	n = strlen(x->err);
	while (n > 0 && isspace((unsigned char)x->err[n - 1]))
		x->err[--n] = '\0';
}

/* The SAX handlers: ours for content, libxml2's for the DTD's records. */
static void
fx_sax_init(xmlSAXHandler *sax)
{
	memset(sax, 0, sizeof(*sax));
	xmlSAXVersion(sax, 2);
	sax->startElementNs = fx_on_start;
	sax->endElementNs = fx_on_end;
	sax->characters = fx_on_chars;
	sax->cdataBlock = fx_on_chars;
	sax->ignorableWhitespace = fx_on_chars;
	sax->getEntity = fx_get_entity;
	sax->getParameterEntity = fx_get_parameter_entity;
	sax->resolveEntity = fx_resolve_entity;
	sax->externalSubset = NULL;
	sax->reference = NULL;
	sax->comment = NULL;
	sax->processingInstruction = NULL;
	sax->setDocumentLocator = NULL;
	sax->warning = NULL;
	sax->error = NULL;
	sax->fatalError = NULL;
	sax->serror = fx_on_error;
}

static void
fx_cleanup(struct fx *x)
{
	xmlent_free(&x->entities);
	fx_rules_cleanup(x);
	buf_free(&x->text);
}

/* 1 if c may be part of an XML name (ASCII rules; any non-ASCII byte). */
static int
fx_name_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == ':' || c == '.' || c == '-' ||
	    c >= 0x80;
}

/*
 * 0 if d[i] == '&' starts a reference ("&name;", "&#65;", "&#x41;"), 1 if
 * the ampersand is bare, 2 for "&#X41;" (an upper-case X libxml2 refuses).
 */
static int
fx_amp_kind(const char *d, size_t len, size_t i)
{
	size_t	j = i + 1, start;
	int	upper = 0;

	if (j < len && d[j] == '#') {
		j++;
		if (j < len && (d[j] == 'x' || d[j] == 'X')) {
			upper = d[j] == 'X';
			for (start = ++j; j < len && isxdigit((unsigned char)d[j]);
			    j++)
				;
		} else
			for (start = j; j < len && isdigit((unsigned char)d[j]); j++)
				;
		if (j == start || j >= len || d[j] != ';')
			return 1;
		return upper ? 2 : 0;
	}
	if (j >= len || isdigit((unsigned char)d[j]) || d[j] == '.' ||
	    d[j] == '-' || !fx_name_char((unsigned char)d[j]))
		return 1;
	while (j < len && fx_name_char((unsigned char)d[j]))
		j++;
	return j < len && d[j] == ';' ? 0 : 1;
}

/*
 * Feeds often carry bare ampersands ("?a=1&b=2") and "&#X41;", which XML
 * forbids and libxml2 drops.  Outside CDATA sections, write them as "&amp;"
 * and "&#x41;".  Returns 0 and *out NULL when nothing needed fixing, 0 and
 * a fixed copy in *out, or -1 when out of memory.
 */
static int
fx_fix_amps(const char *d, size_t len, char **out, size_t *outlen)
{
	const char	*cdata = memmem(d, len, "<![CDATA[", 9), *end, *amp;
	struct buf	 b;
	size_t		 i = 0, copied = 0;
	int		 kind;

	*out = NULL;
	buf_init(&b);
	while (i < len && (amp = memchr(d + i, '&', len - i)) != NULL) {
		/* Skip the CDATA sections opened before this ampersand. */
		while (cdata != NULL && cdata < amp) {
			end = memmem(cdata + 9, len - (size_t)(cdata + 9 - d),
			    "]]>", 3);
			if (end == NULL)
				goto done;	/* an open CDATA to the end */
			cdata = memmem(end + 3, len - (size_t)(end + 3 - d),
			    "<![CDATA[", 9);
			if (end > amp) {
				amp = NULL;	/* inside that section */
				i = (size_t)(end + 3 - d);
				break;
			}
		}
		if (amp == NULL)
			continue;
		i = (size_t)(amp - d);
		if ((kind = fx_amp_kind(d, len, i)) != 0) {
			buf_add(&b, d + copied, i - copied);
			buf_adds(&b, kind == 1 ? "&amp;" : "&#x");
			copied = i + (kind == 1 ? 1 : 3);
		}
		i++;
	}
done:
	if (copied == 0 && b.len == 0)
		return 0;
	buf_add(&b, d + copied, len - copied);
	if ((*out = buf_detach(&b, outlen)) == NULL)
		return -1;
	return 0;
}

/*
 * One pass of libxml2 over the document into fb.  Returns 0, or -1 (out
 * of memory); *bad_amps tells whether ampersand errors were seen.
 */
static int
fx_parse(struct feed_builder *fb, const char *data, size_t len,
    int *bad_amps, int *feed_seen, char *err, size_t errsize)
{
	struct fx		*x;
	xmlSAXHandler		 sax;
	xmlParserCtxtPtr	 pctx;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	x->fb = fb;
	x->title_depth = -1;
	x->bases[0] = (char *)fb->base_url;
	x->chars_limit = 4 * len + (1 << 20);
	buf_init(&x->text);
	fx_sax_init(&sax);
	/*
	 * The push parser, given the whole document as one chunk: it hands
	 * CDATA sections over in one piece, where the pull parser reads them
	 * a character at a time (RSS puts whole articles in CDATA).
	 */
	if ((pctx = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL)) == NULL) {
		free(x);
		return -1;
	}
	xmlCtxtUseOptions(pctx, FX_OPTIONS);
	pctx->_private = x;
	x->pctx = pctx;
	xmlParseChunk(pctx, data, (int)len, 1);
	if (pctx->myDoc != NULL) {
		xmlFreeDoc(pctx->myDoc);
		pctx->myDoc = NULL;
	}
	xmlFreeParserCtxt(pctx);
	fb->format = fx_rules_format(x);
	*bad_amps = x->bad_amps;
	*feed_seen = x->feed_seen && !x->bomb && !x->too_deep;
	if (x->bomb || x->too_deep)
		snprintf(err, errsize, "%s", x->err);
	else if (!x->feed_seen)
		snprintf(err, errsize, "not an RSS, RDF or Atom feed%s%s",
		    x->err[0] ? ": " : "", x->err);
	fx_cleanup(x);
	free(x);
	return 0;
}

int
feed_xml_read(struct feed_builder *fb, const char *data, size_t len,
    char *err, size_t errsize)
{
	char	*fixed = NULL;
	size_t	 fixedlen;
	int	 bad_amps, seen;

	if (len == 0) {
		snprintf(err, errsize, "empty document");
		return -1;
	}
	if (len > INT_MAX)
		goto oom;
	xmlInitParser();
	if (fx_parse(fb, data, len, &bad_amps, &seen, err, errsize) == -1)
		goto oom;
	/*
	 * Bare ampersands made libxml2 drop text: when escaping them changes
	 * the document, read it again that way.  (Well-formed feeds, the
	 * common case, are never scanned for them.)
	 */
	if (bad_amps) {
		if (fx_fix_amps(data, len, &fixed, &fixedlen) == -1)
			goto oom;
		if (fixed != NULL) {
			feed_builder_reset(fb);
			fb->illformed = 1;
			if (fx_parse(fb, fixed, fixedlen, &bad_amps, &seen, err,
			    errsize) == -1)
				goto oom;
			free(fixed);
		}
	}
	return seen ? 0 : -1;
oom:
	free(fixed);
	snprintf(err, errsize, "out of memory");
	return -1;
}
