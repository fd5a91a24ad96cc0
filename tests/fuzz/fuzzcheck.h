/*
 * fuzzcheck.h: helpers shared by the libFuzzer targets.  A broken
 * invariant aborts with a message, which libFuzzer reports as a crash and
 * the replay build (replay-main.c) as a failed run.
 */
#ifndef PM_FUZZCHECK_H
#define PM_FUZZCHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* A NUL-terminated copy of the input (most parsers take C strings). */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		return NULL;
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Is s (NULL allowed) valid UTF-8 without NUL bytes before its end? */
static inline int
fuzz_utf8_ok(const char *s)
{
	struct utf8_stats	st;

	if (s == NULL)
		return 1;
	utf8_scan(s, strlen(s), &st);
	return st.invalid == 0;
}

/*
 * Split an optional first line "CT: value\n" off the input: the value is
 * the HTTP Content-Type the parser is told (written into ct), the rest
 * the document.  Without that line, ct is empty and the whole input is
 * the document.
 */
static inline void
fuzz_content_type(const uint8_t **data, size_t *size, char *ct, size_t ctsize)
{
	const uint8_t	*nl;
	size_t		 n;

	ct[0] = '\0';
	if (*size < 3 || memcmp(*data, "CT:", 3) != 0 ||
	    (nl = memchr(*data, '\n', *size)) == NULL)
		return;
	n = (size_t)(nl - *data) - 3;
	if (n >= ctsize)
		n = ctsize - 1;
	memcpy(ct, *data + 3, n);
	while (n > 0 && ct[0] == ' ')
		memmove(ct, ct + 1, n--);
	ct[n] = '\0';
	*size -= (size_t)(nl - *data) + 1;
	*data = nl + 1;
}

#endif
