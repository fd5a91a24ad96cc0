/*
 * xmlent.c: predefined entities lent to libxml2 (see xmlent.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <libxml/HTMLparser.h>

#include "utf8.h"
#include "xmlent.h"

xmlEntityPtr
xmlent_lend(struct xmlent *e, const xmlChar *name, int literal)
{
	const htmlEntityDesc	*h = htmlEntityLookup(name);
	xmlEntityPtr		 ent;
	char			 text[72];
	size_t			 n;

	if (h == NULL && !literal)
		return NULL;
	for (int i = 0; i < e->n; i++)
		if (xmlStrEqual(e->lent[i]->name, name))
			return e->lent[i];
	if (e->n == XMLENT_MAX)
		return NULL;
	if (h != NULL)
		n = utf8_encode(h->value, text);
	else if ((n = (size_t)snprintf(text, sizeof(text), "&%s;", name)) >=
	    sizeof(text))
		return NULL;
	if ((ent = calloc(1, sizeof(*ent))) == NULL)
		return NULL;
	ent->type = XML_ENTITY_DECL;
	ent->etype = XML_INTERNAL_PREDEFINED_ENTITY;
	ent->name = xmlStrdup(name);
	ent->content = xmlStrndup((const xmlChar *)text, (int)n);
	ent->length = (int)n;
	if (ent->name == NULL || ent->content == NULL) {
		xmlFree((xmlChar *)ent->name);
		xmlFree(ent->content);
		free(ent);
		return NULL;
	}
	e->lent[e->n++] = ent;
	return ent;
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

void
xmlent_free(struct xmlent *e)
{
	for (int i = 0; i < e->n; i++) {
		xmlFree((xmlChar *)e->lent[i]->name);
		xmlFree(e->lent[i]->content);
		free(e->lent[i]);
	}
	e->n = 0;
}
