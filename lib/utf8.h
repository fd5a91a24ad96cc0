/*
 * utf8.h: UTF-8 checking and repair.  Invalid bytes are replaced with
 * U+FFFD, never passed on; with UTF8_XML the characters XML 1.0 forbids
 * (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) are replaced too.
 */
#ifndef PM_UTF8_H
#define PM_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_XML	0x1
#define UTF8_ONES	0x0101010101010101ULL
#define UTF8_LOW7	0x7F7F7F7F7F7F7F7FULL
#define UTF8_HIGH	0x8080808080808080ULL

/* High bit set in each byte of w that is zero (exact: no false hits). */
static inline uint64_t
utf8_zero_bytes(uint64_t w)
{
	return ~(((w & UTF8_LOW7) + UTF8_LOW7) | w | UTF8_LOW7);
}

struct utf8_stats {
	size_t	invalid;	/* invalid sequences */
	size_t	forbidden;	/* valid characters that XML 1.0 forbids */
	size_t	multibyte;	/* valid multi-byte sequences: a UTF-8 hint */
};

/* Count what utf8_repair would replace, in one pass. */
void	 utf8_scan(const char *s, size_t len, struct utf8_stats *);

/* Length of the longest prefix of s that is valid UTF-8 (len if all is). */
size_t	 utf8_valid_len(const char *s, size_t len);

/*
 * How many of the len bytes of s to show when at most max fit: len if
 * len <= max, else the largest n <= max such that s[0..n) does not end
 * inside a multi-byte character (s valid UTF-8 or not).
 */
size_t	 utf8_cut(const char *s, size_t len, size_t max);

/*
 * A NUL-terminated copy of s with every bad sequence replaced by U+FFFD;
 * *outlen gets its length.  NULL if out of memory.
 */
char	*utf8_repair(const char *s, size_t len, int flags, size_t *outlen);

/*
 * The character windows-1252 has at byte b (0x80-0x9F), where Latin-1
 * has a C1 control; 0 where windows-1252 has none either.
 */
unsigned utf8_cp1252(unsigned b);

/* Encode code point cp at out (4 bytes of room); returns the length. */
size_t	 utf8_encode(unsigned long cp, char *out);

#endif
