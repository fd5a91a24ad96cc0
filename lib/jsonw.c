/*
 * jsonw.c: see jsonw.h.  The number and string rules follow cJSON 1.7's
 * print_number() and print_string_ptr(); tests/unit/test-jsonw.c compares
 * the two on many values.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

/* The escape of byte c, or NULL when it goes out as it is. */
static const char *
jsonw_escape(unsigned char c, char buf[8])
{
	switch (c) {
	case '"':	return "\\\"";
	case '\\':	return "\\\\";
	case '\b':	return "\\b";
	case '\f':	return "\\f";
	case '\n':	return "\\n";
	case '\r':	return "\\r";
	case '\t':	return "\\t";
	default:
		if (c >= 32)
			return NULL;
		snprintf(buf, 8, "\\u%04x", c);
		return buf;
	}
}

void
jsonw_string(struct buf *b, const char *s)
{
	const unsigned char	*p = (const unsigned char *)(s != NULL ? s : "");
	const unsigned char	*run = p;
	const char		*esc;
	char			 tmp[8];

	buf_addc(b, '"');
	for (; *p != '\0'; p++) {
		if ((esc = jsonw_escape(*p, tmp)) == NULL)
			continue;
		buf_add(b, run, (size_t)(p - run));
		buf_adds(b, esc);
		run = p + 1;
	}
	buf_add(b, run, (size_t)(p - run));
	buf_addc(b, '"');
}

/* cJSON's compare_double(): equal within the larger one's epsilon. */
static int
jsonw_same(double a, double b)
{
	double max = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	return fabs(a - b) <= max * DBL_EPSILON;
}

void
jsonw_number(struct buf *b, double d)
{
	char	tmp[32];
	int	n;

	if (isnan(d) || isinf(d))
		n = snprintf(tmp, sizeof(tmp), "null");
	else {
		n = snprintf(tmp, sizeof(tmp), "%1.15g", d);
		if (!jsonw_same(strtod(tmp, NULL), d))
			n = snprintf(tmp, sizeof(tmp), "%1.17g", d);
	}
	buf_add(b, tmp, (size_t)n);
}
