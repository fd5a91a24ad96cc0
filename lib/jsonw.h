/*
 * jsonw.h: JSON text written straight into a growing buffer, for hot
 * paths where building a cJSON tree only to print it costs more than the
 * work around it (the evidence of every delta).  Strings and numbers come
 * out byte for byte as cJSON_PrintUnformatted() prints them (a
 * differential test holds it to that), so the two can be mixed and the
 * stored and published text does not depend on which one wrote it.
 * The caller writes the punctuation; an allocation failure is sticky and
 * reported by jsonw_finish().
 */
#ifndef PM_JSONW_H
#define PM_JSONW_H

#include <stddef.h>

struct jsonw {
	char	*buf;
	size_t	 len, cap;
	int	 failed;
};

void	 jsonw_init(struct jsonw *);
/* Bytes as they are: punctuation, keys known to need no escaping. */
void	 jsonw_raw(struct jsonw *, const char *s, size_t n);
void	 jsonw_char(struct jsonw *, char c);
/* A string value (quoted, escaped as cJSON does); NULL prints "". */
void	 jsonw_string(struct jsonw *, const char *s);
/* A number as cJSON prints it: %.15g, or %.17g when 15 digits do not
 * give the value back; NaN and infinities: null. */
void	 jsonw_number(struct jsonw *, double d);
/* The text (malloc'd, NUL-terminated; the caller frees), or NULL when an
 * allocation failed.  The writer is empty afterwards. */
char	*jsonw_finish(struct jsonw *);
void	 jsonw_free(struct jsonw *);

#endif
