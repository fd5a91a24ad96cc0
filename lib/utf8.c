/*
 * utf8.c: UTF-8 checking and repair (see utf8.h).  ASCII runs are skipped
 * eight bytes at a time and multi-byte sequences checked inline: this runs
 * over every byte of every feed.  utf8proc encodes code points.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "buf.h"
#include "utf8.h"

/*
 * Length of the leading run of ASCII that needs no look: printable
 * characters, tab, line feed and carriage return.  Words without a byte
 * below 0x20 or above 0x7F are skipped eight bytes at a time.
 */
static size_t
utf8_ascii_run(const unsigned char *s, size_t len)
{
	size_t i = 0;

	for (;;) {
		while (i + 8 <= len) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			/* A byte >= 0x80, or one < 0x20 ("hasless"). */
			if (((w | ((w - UTF8_ONES * 0x20) & ~w)) & UTF8_HIGH) != 0)
				break;
			i += 8;
		}
		/* Byte by byte to the end of the word that stopped us. */
		for (size_t end = i + 8 < len ? i + 8 : len; i < end; i++)
			if (s[i] >= 0x80 || (s[i] < 0x20 && s[i] != '\n' &&
			    s[i] != '\t' && s[i] != '\r'))
				return i;
		if (i >= len)
			return len;
	}
}

/*
 * The multi-byte sequence at s (s[0] >= 0x80): its length and code point,
 * or 0 when it is not valid UTF-8 (overlong forms, surrogates and code
 * points past U+10FFFF are not).
 */
static inline size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];

	if (c >= 0xC2 && c <= 0xDF) {
		if (n < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		*cp = ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
		return 2;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		*cp = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) |
		    (s[2] & 0x3Fu);
		return *cp >= 0x800 && (*cp < 0xD800 || *cp > 0xDFFF) ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		*cp = ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) |
		    ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
		return *cp >= 0x10000 && *cp <= 0x10FFFF ? 4 : 0;
	}
	return 0;
}

/*
 * Look at the character at s: return its length, and set *bad when it is an
 * invalid sequence (length 1, *cpp -1) or a character XML forbids.
 */
static size_t
utf8_step(const unsigned char *s, size_t len, int flags, int *bad,
    long *cpp)
{
	uint32_t	cp;
	size_t		n;

	*bad = 0;
	if (s[0] < 0x80) {
		cp = s[0];
		n = 1;
	} else if ((n = utf8_seq(s, len, &cp)) == 0) {
		*bad = 1;
		*cpp = -1;
		return 1;
	}
	if ((flags & UTF8_XML) && ((cp < 0x20 && cp != '\t' && cp != '\n' &&
	    cp != '\r') || cp == 0xFFFE || cp == 0xFFFF))
		*bad = 1;
	*cpp = (long)cp;
	return n;
}

void
utf8_scan(const char *str, size_t len, struct utf8_stats *st)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, step;
	long			 cp;
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

size_t
utf8_valid_len(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, step;
	uint32_t		 cp;

	while (i < len) {
		i += utf8_ascii_run(s + i, len - i);
		if (i == len)
			break;
		if (s[i] < 0x80)
			step = 1;	/* a control byte: valid UTF-8 */
		else if ((step = utf8_seq(s + i, len - i, &cp)) == 0)
			return i;
		i += step;
	}
	return len;
}

size_t
utf8_cut(const char *str, size_t len, size_t max)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 lead = max;

	if (len <= max || (s[max] & 0xC0) != 0x80)
		return len <= max ? len : max;
	/* s[max] continues a character: drop its lead and continuation bytes. */
	while (lead > 0 && max - lead < 3 && (s[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead > 0 && s[lead - 1] >= 0xC0)
		return lead - 1;
	return max;	/* not UTF-8 there: any cut will do */
}

char *
utf8_repair(const char *str, size_t len, int flags, size_t *outlen)
{
	const unsigned char	*s = (const unsigned char *)str;
	struct buf		 b;
	size_t			 i = 0, run, step;
	long			 cp;
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

unsigned
utf8_cp1252(unsigned b)
{
	static const unsigned short map[32] = {
		0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
		0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
	};

	return b >= 0x80 && b <= 0x9F ? map[b - 0x80] : 0;
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
