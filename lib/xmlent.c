/*
 * xmlent.c: predefined entities lent to libxml2 (see xmlent.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <libxml/HTMLparser.h>

#include "buf.h"
#include "utf8.h"
#include "xmlent.h"

/*
 * The replacement text of an entity lent for an attribute value: libxml2
 * decodes it once more, so '&' and '<' are written as character
 * references ("&bogus;" stays "&bogus;").  NULL if out of memory.
 */
static xmlChar *
xmlent_attr_text(const char *text, size_t n)
{
	struct buf	 b;
	xmlChar		*s = NULL;

	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '&')
			buf_adds(&b, "&#38;");
		else if (text[i] == '<')
			buf_adds(&b, "&#60;");
		else
			buf_addc(&b, text[i]);
	}
	if (!b.failed && b.data != NULL)
		s = xmlStrdup((const xmlChar *)b.data);
	buf_free(&b);
	return s;
}

/* A new entity named name with the given replacement text. */
static xmlEntityPtr
xmlent_new(const xmlChar *name, const char *text, size_t n, int attr)
{
	xmlEntityPtr ent;

	if ((ent = calloc(1, sizeof(*ent))) == NULL)
		return NULL;
	ent->type = XML_ENTITY_DECL;
	ent->etype = attr ? XML_INTERNAL_GENERAL_ENTITY :
	    XML_INTERNAL_PREDEFINED_ENTITY;
	ent->name = xmlStrdup(name);
	ent->content = attr ? xmlent_attr_text(text, n) :
	    xmlStrndup((const xmlChar *)text, (int)n);
	if (ent->name == NULL || ent->content == NULL) {
		xmlFree((xmlChar *)ent->name);
		xmlFree(ent->content);
		free(ent);
		return NULL;
	}
	ent->length = xmlStrlen(ent->content);
	return ent;
}

/*
 * In an attribute value libxml2 (2.9) copies only the first byte of a
 * predefined entity's text, which cuts "&eacute;" to half a character.
 * There the entity is lent as an internal general entity instead, whose
 * text libxml2 decodes whole (XML_PARSE_NOENT); it holds no markup, so
 * this is safe.  Elsewhere a predefined entity is the simplest: its text
 * goes to the characters callback as it is.
 */
xmlEntityPtr
xmlent_lend(struct xmlent *e, xmlParserCtxtPtr ctxt, const xmlChar *name,
    int literal)
{
	const htmlEntityDesc	*h = htmlEntityLookup(name);
	int			 attr = ctxt != NULL &&
				    ctxt->instate == XML_PARSER_ATTRIBUTE_VALUE;
	xmlEntityPtr		*lent = attr ? e->attr : e->lent;
	int			*np = attr ? &e->nattr : &e->n;
	char			 text[72];
	size_t			 n;

	if (h == NULL && !literal)
		return NULL;
	for (int i = 0; i < *np; i++)
		if (xmlStrEqual(lent[i]->name, name))
			return lent[i];
	if (*np == XMLENT_MAX)
		return NULL;
	if (h != NULL)
		n = utf8_encode(h->value, text);
	else if ((n = (size_t)snprintf(text, sizeof(text), "&%s;", name)) >=
	    sizeof(text))
		return NULL;
	if ((lent[*np] = xmlent_new(name, text, n, attr)) == NULL)
		return NULL;
	return lent[(*np)++];
}

xmlEntityPtr
xmlent_empty(void)
{
	static xmlEntity empty = {
		.type = XML_ENTITY_DECL,
		.name = (const xmlChar *)"",
		.content = (xmlChar *)"",
		.etype = XML_INTERNAL_PREDEFINED_ENTITY,
	};

	return &empty;
}

static void
xmlent_free_list(xmlEntityPtr *lent, int *np)
{
	for (int i = 0; i < *np; i++) {
		xmlFree((xmlChar *)lent[i]->name);
		xmlFree(lent[i]->content);
		free(lent[i]);
	}
	*np = 0;
}

void
xmlent_free(struct xmlent *e)
{
	xmlent_free_list(e->lent, &e->n);
	xmlent_free_list(e->attr, &e->nattr);
}
