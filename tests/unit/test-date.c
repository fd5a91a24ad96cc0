/*
 * test-date.c: date_parse() on the date formats feeds carry, and on
 * strings that must not give a date.
 */
#include <stdlib.h>

#include "date.h"
#include "unit.h"

struct date_case {
	const char	*in;
	int64_t		 want;
};

/* Each with its UTC epoch seconds. */
static const struct date_case good[] = {
	/* RFC 822 / 1123 / 2822 */
	{ "Tue, 04 Mar 2025 09:15:00 GMT", 1741079700 },
	{ "Tue, 04 Mar 2025 09:15:00 +0000", 1741079700 },
	{ "Tue, 04 Mar 2025 09:15:00 -0500", 1741097700 },
	{ "Tue, 04 Mar 2025 09:15:00 +05:30", 1741059900 },
	/* named zones */
	{ "Tue, 04 Mar 2025 09:15:00 EST", 1741097700 },
	{ "Tue, 04 Mar 2025 09:15:00 EDT", 1741094100 },
	{ "Tue, 04 Mar 2025 09:15:00 PST", 1741108500 },
	{ "Tue, 04 Mar 2025 09:15:00 PDT", 1741104900 },
	{ "Tue, 04 Mar 2025 09:15:00 CET", 1741076100 },
	{ "Tue, 04 Mar 2025 09:15:00 UT", 1741079700 },
	{ "Tue, 04 Mar 2025 09:15:00 Z", 1741079700 },
	{ "Tue, 04 Mar 2025 09:15:00 GMT+01:00", 1741076100 },
	{ "Tue, 04 Mar 2025 09:15:00 Etc/GMT", 1741079700 },
	/* missing seconds, missing weekday, missing time and zone */
	{ "Tue, 04 Mar 2025 09:15 GMT", 1741079700 },
	{ "04 Mar 2025 09:15:00 GMT", 1741079700 },
	{ "4 Mar 2025", 1741046400 },
	/* two-digit years */
	{ "Tue, 04 Mar 25 09:15:00 GMT", 1741079700 },
	{ "Thu, 04 Mar 99 09:15:00 GMT", 920538900 },
	/* full month name, day and month swapped, stray comma */
	{ "Tuesday, 04 March 2025 09:15:00 GMT", 1741079700 },
	{ "Tue, Mar 04 2025 09:15:00 GMT", 1741079700 },
	{ "Tue, 04 Mar, 2025 09:15:00 GMT", 1741079700 },
	/* asctime, with and without a zone */
	{ "Tue Mar  4 09:15:00 2025", 1741079700 },
	{ "Tue Mar 4 09:15:00 +0100 2025", 1741076100 },
	/* RFC 850 (libcurl) */
	{ "Tuesday, 04-Mar-25 09:15:00 GMT", 1741079700 },
	/* RFC 3339 / ISO 8601 / W3C-DTF */
	{ "2025-03-04T09:15:00Z", 1741079700 },
	{ "2025-03-04T09:15:00.123456Z", 1741079700 },
	{ "2025-03-04T04:15:00-05:00", 1741079700 },
	{ "2025-03-04T10:15:00+0100", 1741079700 },
	{ "2025-03-04T10:15:00+01", 1741079700 },
	{ "2025-03-04T09:15Z", 1741079700 },
	{ "2025-03-04 09:15:00", 1741079700 },
	{ "2025-03-04 09:15:00 +00:00", 1741079700 },
	{ "2025-03-04", 1741046400 },
	{ "2025-03", 1740787200 },
	{ "2025", 1735689600 },
	{ "20250304T091500Z", 1741079700 },
	{ "20250304", 1741046400 },
	{ "2025-063", 1741046400 },
	{ "  2025-03-04T09:15:00Z  ", 1741079700 },
	/* leap day, year boundary */
	{ "2024-02-28T20:00:00-08:00", 1709179200 },
	{ "Thu, 01 Jan 1970 00:00:00 GMT", 0 },
};

static const char *const bad[] = {
	"", "   ", "yesterday", "Tue, 32 Mar 2025 09:15:00 GMT",
	"Tue, 29 Feb 2025 09:15:00 GMT", "Tue, 04 Foo 2025 09:15:00 GMT",
	"Tue, 04 Mar 2025 25:15:00 GMT", "Tue, 04 Mar 2025 09:15:00 XYZT",
	"Tue, 04 Mar 2025 09:15:00 +zz00", "Tue, 04 Mar 2025 1:2:3:4 GMT",
	"2025-13-04", "2025-03-04T09:15:00Zjunk", "013", "--03-04",
	"Mar 2025", "04 Mar",
};

START_TEST(parses)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int64_t t = 42;

		ck_assert_msg(date_parse(good[i].in, &t) == 0, "'%s' refused",
		    good[i].in);
		ck_assert_msg(t == good[i].want, "'%s': %lld, want %lld",
		    good[i].in, (long long)t, (long long)good[i].want);
	}
}
END_TEST

START_TEST(refuses)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t t = 42;

		ck_assert_msg(date_parse(bad[i], &t) == -1, "'%s' gave %lld",
		    bad[i], (long long)t);
		ck_assert_int_eq(t, 42);
	}
	ck_assert_int_eq(date_parse(NULL, NULL), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("date");
	TCase	*tc = tcase_create("date");

	tcase_add_test(tc, parses);
	tcase_add_test(tc, refuses);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
