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

/*
 * The common numbers without printf: d is a whole number, or a number of
 * millionths (probabilities, rounded weights), that %1.15g prints exactly
 * as that decimal, trailing zeros dropped, and that reads back as d.  That
 * holds when d is the double nearest to k / 10^6 (the division below is
 * correctly rounded, so comparing it with d says so), k has at most 15
 * digits, and |d| >= 1e-4, below which %g turns to an exponent.  Returns
 * the length written to tmp (at least 24 bytes), or 0 for printf's way.
 */
static int
jsonw_number_fast(double d, char *tmp)
{
	char		 digits[24];
	long long	 k;
	unsigned long long u;
	int		 nd = 0, n = 0, point;

	if (!(fabs(d) >= 1e-4 && fabs(d) < 1e9))
		return 0;
	k = llround(d * 1e6);
	if ((double)k / 1e6 != d)
		return 0;
	u = k < 0 ? (unsigned long long)-k : (unsigned long long)k;
	point = 6;
	while (point > 0 && u % 10 == 0) {	/* trailing zeros go */
		u /= 10;
		point--;
	}
	do {
		digits[nd++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	while (nd <= point)			/* "0.00x" */
		digits[nd++] = '0';
	if (k < 0)
		tmp[n++] = '-';
	while (nd > 0) {
		tmp[n++] = digits[--nd];
		if (nd == point && point > 0)
			tmp[n++] = '.';
	}
	return n;
}

void
jsonw_number(struct buf *b, double d)
{
	char	tmp[32];
	int	n;

	if ((n = jsonw_number_fast(d, tmp)) > 0)
		;
	else if (isnan(d) || isinf(d))
		n = snprintf(tmp, sizeof(tmp), "null");
	else {
		n = snprintf(tmp, sizeof(tmp), "%1.15g", d);
		if (!jsonw_same(strtod(tmp, NULL), d))
			n = snprintf(tmp, sizeof(tmp), "%1.17g", d);
	}
	buf_add(b, tmp, (size_t)n);
}
