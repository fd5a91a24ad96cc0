/*
 * utf8.c: UTF-8 checking and repair (see utf8.h).  ASCII runs are skipped
 * eight bytes at a time; multi-byte sequences are decoded by utf8proc.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "buf.h"
#include "utf8.h"

#define UTF8_ONES	0x0101010101010101ULL
#define UTF8_LOW7	0x7F7F7F7F7F7F7F7FULL

/* High bit set in each byte of w that is zero (exact). */
static inline uint64_t
utf8_zero_bytes(uint64_t w)
{
	return ~(((w & UTF8_LOW7) + UTF8_LOW7) | w | UTF8_LOW7);
}

/*
 * Length of the leading run of ASCII that needs no look: printable
 * characters, tab, line feed and carriage return.
 */
static size_t
utf8_ascii_run(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i + 8 <= len) {
		uint64_t w, ctl;

		memcpy(&w, s + i, 8);
		if (w & (UTF8_ONES * 0x80))
			break;
		/* Bytes below 0x20 other than \t \n \r end the fast path. */
		ctl = utf8_zero_bytes(w & (UTF8_ONES * 0xE0)) &
		    ~utf8_zero_bytes(w ^ (UTF8_ONES * '\n')) &
		    ~utf8_zero_bytes(w ^ (UTF8_ONES * '\t')) &
		    ~utf8_zero_bytes(w ^ (UTF8_ONES * '\r'));
		if (ctl != 0)
			break;
		i += 8;
	}
	while (i < len && s[i] < 0x80 && (s[i] >= 0x20 || s[i] == '\n' ||
	    s[i] == '\t' || s[i] == '\r'))
		i++;
	return i;
}

/*
 * Look at the character at s: return its length, and set *bad when it is an
 * invalid sequence (length 1) or a character XML forbids.
 */
static size_t
utf8_step(const unsigned char *s, size_t len, int flags, int *bad,
    utf8proc_int32_t *cpp)
{
	utf8proc_int32_t	cp;
	utf8proc_ssize_t	n;

	*bad = 0;
	if (s[0] < 0x80) {
		cp = s[0];
		n = 1;
	} else if ((n = utf8proc_iterate(s, (utf8proc_ssize_t)len, &cp)) < 1) {
		*bad = 1;
		*cpp = -1;
		return 1;
	}
	if ((flags & UTF8_XML) && ((cp < 0x20 && cp != '\t' && cp != '\n' &&
	    cp != '\r') || cp == 0xFFFE || cp == 0xFFFF))
		*bad = 1;
	*cpp = cp;
	return (size_t)n;
}

void
utf8_scan(const char *str, size_t len, struct utf8_stats *st)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, step;
	utf8proc_int32_t	 cp;
	int			 bad;

	memset(st, 0, sizeof(*st));
	while (i < len) {
		i += utf8_ascii_run(s + i, len - i);
		if (i == len)
			break;
		step = utf8_step(s + i, len - i, UTF8_XML, &bad, &cp);
		if (cp == -1)
			st->invalid++;
		else if (bad)
			st->forbidden++;
		else if (step > 1)
			st->multibyte++;
		i += step;
	}
}

char *
utf8_repair(const char *str, size_t len, int flags, size_t *outlen)
{
	const unsigned char	*s = (const unsigned char *)str;
	struct buf		 b;
	size_t			 i = 0, run, step;
	utf8proc_int32_t	 cp;
	int			 bad;

	buf_init(&b);
	if (buf_reserve(&b, len + 16) == -1)
		return NULL;
	while (i < len) {
		run = utf8_ascii_run(s + i, len - i);
		buf_add(&b, s + i, run);
		if ((i += run) == len)
			break;
		step = utf8_step(s + i, len - i, flags, &bad, &cp);
		if (bad)
			buf_add(&b, "\xEF\xBF\xBD", 3);
		else
			buf_add(&b, s + i, step);
		i += step;
	}
	return buf_detach(&b, outlen);
}

size_t
utf8_encode(unsigned long cp, char *out)
{
	utf8proc_ssize_t n;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	n = utf8proc_encode_char((utf8proc_int32_t)cp, (utf8proc_uint8_t *)out);
	return (size_t)n;
}
