/*
 * jsonw.h: JSON values appended straight to a struct buf (lib/buf.h), for
 * hot paths where building a cJSON tree only to print it costs more than
 * the work around it (the evidence of every delta).  Strings and numbers
 * come out byte for byte as cJSON_PrintUnformatted() prints them (a
 * differential test holds it to that), so the stored and published text
 * does not depend on which of the two wrote it.  The caller adds the
 * punctuation with buf_add()/buf_addc(); failures stick in the buffer.
 */
#ifndef PM_JSONW_H
#define PM_JSONW_H

#include "buf.h"

/* A string value, quoted and escaped as cJSON does; NULL writes "". */
void	jsonw_string(struct buf *, const char *s);
/* A number as cJSON prints it: %.15g, or %.17g when 15 digits do not
 * give the value back; NaN and infinities: null. */
void	jsonw_number(struct buf *, double d);

#endif
