/*
 * charset.h: decode a feed document to UTF-8.
 *
 * The encoding is chosen the way RFC 3023 and the Universal Feed Parser
 * choose it: byte-order mark, XML declaration and the HTTP Content-Type
 * charset, tried in order, then UTF-8, windows-1252 and ISO-8859-2.
 * Conversion is done by iconv (as libxml2 does).  Text that holds valid
 * multi-byte UTF-8 sequences next to invalid bytes is damaged UTF-8: it
 * stays UTF-8 with each invalid byte replaced by U+FFFD (text without any
 * is another encoding).  Characters XML forbids are replaced the same way.
 */
#ifndef PM_CHARSET_H
#define PM_CHARSET_H

#include <stddef.h>

struct charset_out {
	const char	*data;		/* UTF-8, no byte-order mark */
	size_t		 len;
	char		*owned;		/* non-NULL when data was allocated */
	char		 encoding[40];	/* the encoding that was used */
	int		 repaired;	/* bad bytes were replaced */
	int		 fallback;	/* not the declared encoding */
};

/*
 * Decode data.  content_type is the HTTP Content-Type or NULL.  Returns 0,
 * or -1 (out of memory) with a reason in err.  Free out->owned after use.
 */
int	charset_to_utf8(const char *data, size_t len, const char *content_type,
	    struct charset_out *out, char *err, size_t errsize);

/* The media type and charset parameter of a Content-Type value. */
void	charset_parse_content_type(const char *ct, char *type, size_t typesize,
	    char *charset, size_t charsetsize);

#endif
