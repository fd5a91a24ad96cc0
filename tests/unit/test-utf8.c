/*
 * test-utf8.c: utf8_valid_len() finds the first byte that is not UTF-8;
 * utf8_cut() never cuts a character in half, whatever its length.
 */
#include <string.h>

#include "unit.h"
#include "utf8.h"

START_TEST(valid_len)
{
	const char *ok = "plain \t\r\n ascii, caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x98\x80";

	ck_assert_uint_eq(utf8_valid_len(ok, strlen(ok)), strlen(ok));
	ck_assert_uint_eq(utf8_valid_len("", 0), 0);
	/* NUL and other control bytes are valid UTF-8. */
	ck_assert_uint_eq(utf8_valid_len("a\0b\x01", 4), 4);
	ck_assert_uint_eq(utf8_valid_len("abc\xFF" "def", 7), 3);
	ck_assert_uint_eq(utf8_valid_len("t\xEC\"", 3), 1);	/* latin-1 */
	ck_assert_uint_eq(utf8_valid_len("\xC3", 1), 0);	/* truncated */
	ck_assert_uint_eq(utf8_valid_len("ab\xC0\xAF", 4), 2);	/* overlong */
	ck_assert_uint_eq(utf8_valid_len("\xED\xA0\x80", 3), 0); /* surrogate */
	ck_assert_uint_eq(utf8_valid_len("\xF4\x90\x80\x80", 4), 0); /* > U+10FFFF */
	/* Past the eight-byte ASCII fast path too. */
	ck_assert_uint_eq(utf8_valid_len("0123456789abcdef\x80", 17), 16);
}
END_TEST

START_TEST(cut)
{
	const char *e = "\xC3\xA9\xC3\xA9";		/* "éé" */
	const char *emoji = "a\xF0\x9F\x98\x80z";	/* a, U+1F600, z */

	ck_assert_uint_eq(utf8_cut("abcdef", 6, 64), 6);
	ck_assert_uint_eq(utf8_cut("abcdef", 6, 3), 3);
	ck_assert_uint_eq(utf8_cut(e, 4, 4), 4);
	ck_assert_uint_eq(utf8_cut(e, 4, 3), 2);
	ck_assert_uint_eq(utf8_cut(e, 4, 2), 2);
	ck_assert_uint_eq(utf8_cut(e, 4, 1), 0);
	for (size_t max = 1; max <= 4; max++)
		ck_assert_uint_eq(utf8_cut(emoji, 6, max), 1);
	ck_assert_uint_eq(utf8_cut(emoji, 6, 5), 5);
	ck_assert_uint_eq(utf8_cut(emoji, 6, 0), 0);
	/* Not UTF-8: stray continuation bytes are cut anywhere. */
	ck_assert_uint_eq(utf8_cut("\x80\x80\x80\x80\x80", 5, 4), 4);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("utf8");
	TCase	*tc = tcase_create("utf8");

	tcase_add_test(tc, valid_len);
	tcase_add_test(tc, cut);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
