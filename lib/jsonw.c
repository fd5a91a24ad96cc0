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

void
jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void
jsonw_free(struct jsonw *w)
{
	free(w->buf);
	jsonw_init(w);
}

/* Room for n more bytes and a NUL; 0, or -1 (sticky) when out of memory. */
static int
jsonw_reserve(struct jsonw *w, size_t n)
{
	size_t	 cap = w->cap ? w->cap : 256;
	char	*p;

	if (w->failed)
		return -1;
	while (cap < w->len + n + 1)
		cap *= 2;
	if (cap == w->cap)
		return 0;
	if ((p = realloc(w->buf, cap)) == NULL) {
		w->failed = 1;
		return -1;
	}
	w->buf = p;
	w->cap = cap;
	return 0;
}

void
jsonw_raw(struct jsonw *w, const char *s, size_t n)
{
	if (jsonw_reserve(w, n) == -1)
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

void
jsonw_char(struct jsonw *w, char c)
{
	jsonw_raw(w, &c, 1);
}

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
jsonw_string(struct jsonw *w, const char *s)
{
	const unsigned char	*p = (const unsigned char *)(s != NULL ? s : "");
	const unsigned char	*run = p;
	const char		*esc;
	char			 buf[8];

	jsonw_char(w, '"');
	for (; *p != '\0'; p++) {
		if ((esc = jsonw_escape(*p, buf)) == NULL)
			continue;
		jsonw_raw(w, (const char *)run, (size_t)(p - run));
		jsonw_raw(w, esc, strlen(esc));
		run = p + 1;
	}
	jsonw_raw(w, (const char *)run, (size_t)(p - run));
	jsonw_char(w, '"');
}

/* cJSON's compare_double(): equal within the larger one's epsilon. */
static int
jsonw_same(double a, double b)
{
	double max = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	return fabs(a - b) <= max * DBL_EPSILON;
}

void
jsonw_number(struct jsonw *w, double d)
{
	char	buf[32];
	int	n;

	if (isnan(d) || isinf(d))
		n = snprintf(buf, sizeof(buf), "null");
	else {
		n = snprintf(buf, sizeof(buf), "%1.15g", d);
		if (!jsonw_same(strtod(buf, NULL), d))
			n = snprintf(buf, sizeof(buf), "%1.17g", d);
	}
	jsonw_raw(w, buf, (size_t)n);
}

char *
jsonw_finish(struct jsonw *w)
{
	char *out;

	if (jsonw_reserve(w, 0) == -1) {
		jsonw_free(w);
		return NULL;
	}
	w->buf[w->len] = '\0';
	out = w->buf;
	jsonw_init(w);
	return out;
}
