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

#define XMLENT_MAX	64

struct xmlent {
	xmlEntityPtr	lent[XMLENT_MAX];
	int		n;
};

/*
 * The entity for name: HTML's character, or with literal set "&name;";
 * NULL when the name is unknown (and literal is not set) or when out of
 * room or memory.  Entities stay valid until xmlent_free.
 */
xmlEntityPtr	xmlent_lend(struct xmlent *, const xmlChar *name, int literal);

/* An entity that expands to nothing (static). */
xmlEntityPtr	xmlent_empty(void);

void		xmlent_free(struct xmlent *);

#endif
