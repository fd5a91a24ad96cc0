/*
 * test-jsonw.c: the direct JSON writer against cJSON itself: for many
 * strings (every byte value, quotes, controls, UTF-8) and numbers
 * (integers, the int limits, rounded weights, tiny and huge magnitudes,
 * negative zero, NaN, infinities, random bit patterns) the two must print
 * the same bytes.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonw.h"
#include "unit.h"

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
check_number(double d)
{
	cJSON		*n = cJSON_CreateNumber(d);
	char		*want = cJSON_PrintUnformatted(n), *got;
	struct buf	 w;

	buf_init(&w);
	jsonw_number(&w, d);
	got = buf_detach(&w, NULL);
	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(want, got) == 0, "%.17g: cJSON %s, jsonw %s", d,
	    want, got);
	free(want);
	free(got);
	cJSON_Delete(n);
}

static void
check_string(const char *s)
{
	cJSON		*n = cJSON_CreateString(s);
	char		*want = cJSON_PrintUnformatted(n), *got;
	struct buf	 w;

	buf_init(&w);
	jsonw_string(&w, s);
	got = buf_detach(&w, NULL);
	ck_assert_ptr_nonnull(want);
	ck_assert_ptr_nonnull(got);
	ck_assert_msg(strcmp(want, got) == 0, "cJSON %s, jsonw %s", want, got);
	free(want);
	free(got);
	cJSON_Delete(n);
}

START_TEST(numbers_as_cjson_prints_them)
{
	static const double fixed[] = { 0, -0.0, 1, -1, 0.5, 0.35, -0.1234,
	    1e-7, 123456789.123, 1e15, 1e16, 1e21, 1e300, 5e-324, DBL_MAX,
	    -DBL_MAX, INT_MAX, INT_MIN, (double)INT_MAX + 1,
	    (double)INT_MIN - 1, 2147483646.5, 0.1 + 0.2, 1.0 / 3, 2.0 / 3,
	    NAN, INFINITY, -INFINITY, 1e-4, -1e-4, 9.9999e-5, 0.000123,
	    0.1, 0.01, 0.001, 1e-6, 999999999.999999, 1e9, 0.080000001,
	    -1.344, 2.6, 100, 1234567, -0.5 };

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_number(fixed[i]);
	for (int i = 0; i < 60000; i++) {
		uint64_t	r = next_rand();
		double		d;

		switch (i % 6) {
		case 4:		/* millionths, as rounded probabilities are */
			d = round((double)(r % 2000000001) - 1e9) / 1e6;
			break;
		case 5:		/* a few decimals, small and large */
			d = (double)(int64_t)(r % 20000001 - 10000000) /
			    pow(10, (double)((r >> 40) % 12));
			break;
		case 0:		/* evidence weights, rounded to 4 places */
			d = round(((double)(r % 2000001) / 1e5 - 10) * 1e4) / 1e4;
			break;
		case 1:		/* spans and counts */
			d = (double)(r % 100000000);
			break;
		case 2:		/* probabilities */
			d = (double)(r >> 11) / 9007199254740992.0;
			break;
		default:	/* anything a double can hold */
			memcpy(&d, &r, sizeof(d));
			break;
		}
		check_number(d);
	}
}
END_TEST

START_TEST(strings_as_cjson_prints_them)
{
	char	s[64];

	check_string("");
	check_string("plain words");
	check_string("quote \" backslash \\ slash / tab \t nl \n cr \r");
	check_string("\x01\x02\x1f\x7f \b\f");
	check_string("UTF-8: \xe2\x80\x9c\xc4\x9f\xe2\x80\xa6\xf0\x9f\x98\x80");
	check_string("\xff\xfe invalid \xc3");
	for (int c = 1; c < 256; c++) {
		snprintf(s, sizeof(s), "a%cb", c);
		check_string(s);
	}
	for (int i = 0; i < 5000; i++) {
		size_t n = next_rand() % (sizeof(s) - 1);

		for (size_t k = 0; k < n; k++)
			s[k] = (char)(next_rand() % 255 + 1);
		s[n] = '\0';
		check_string(s);
	}
}
END_TEST

/* Pieces put together make one document that cJSON reads back. */
START_TEST(pieces_make_a_document)
{
	struct buf	 w;
	cJSON		*o;
	char		*text;

	buf_init(&w);
	buf_adds(&w, "[{\"rule\":");
	jsonw_string(&w, "signed \"deal\"");
	buf_adds(&w, ",\"span\":[");
	jsonw_number(&w, 3);
	buf_addc(&w, ',');
	jsonw_number(&w, 17);
	buf_adds(&w, "],\"weight\":");
	jsonw_number(&w, -0.35);
	buf_adds(&w, "}]");
	ck_assert_ptr_nonnull(text = buf_detach(&w, NULL));
	ck_assert_str_eq(text, "[{\"rule\":\"signed \\\"deal\\\"\",\"span\":"
	    "[3,17],\"weight\":-0.35}]");
	ck_assert_ptr_nonnull(o = cJSON_Parse(text));
	cJSON_Delete(o);
	free(text);
}
END_TEST

static Suite *
jsonw_suite(void)
{
	Suite	*s = suite_create("jsonw");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, numbers_as_cjson_prints_them);
	tcase_add_test(tc, strings_as_cjson_prints_them);
	tcase_add_test(tc, pieces_make_a_document);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(jsonw_suite());
}
