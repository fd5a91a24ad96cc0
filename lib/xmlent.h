/*
 * xmlent.h: entities lent to libxml2's XML parser for names a document
 * uses without declaring them: HTML's named entities (&nbsp;, &eacute;),
 * and optionally any other name as itself ("&bogus;").  They are
 * "predefined" entities, so libxml2 substitutes their text and nothing
 * else: never a file, never the network.
 */
#ifndef PM_XMLENT_H
#define PM_XMLENT_H

#include <libxml/entities.h>
#include <libxml/parser.h>

#define XMLENT_MAX	64

struct xmlent {
	xmlEntityPtr	lent[XMLENT_MAX];	/* for text */
	int		n;
	xmlEntityPtr	attr[XMLENT_MAX];	/* for attribute values */
	int		nattr;
};

/*
 * The entity for name: HTML's character, or with literal set "&name;";
 * NULL when the name is unknown (and literal is not set) or when out of
 * room or memory.  ctxt is the parser asking (from the getEntity
 * callback): in an attribute value the entity is lent in another form
 * (see xmlent.c).  Entities stay valid until xmlent_free.
 */
xmlEntityPtr	xmlent_lend(struct xmlent *, xmlParserCtxtPtr ctxt,
		    const xmlChar *name, int literal);

/* An entity that expands to nothing (static). */
xmlEntityPtr	xmlent_empty(void);

void		xmlent_free(struct xmlent *);

#endif
