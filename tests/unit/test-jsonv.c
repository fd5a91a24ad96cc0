/*
 * test-jsonv.c: the whole-input readers (jsonv_read_stream() for stdin,
 * jsonv_read_file()) keep every byte, stop at their limit and say which
 * input failed; jsonv_type_name() names what a message found.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonv.h"
#include "unit.h"

/* A stream holding n bytes of a repeating pattern. */
static FILE *
stream_of(size_t n)
{
	FILE	*fp = tmpfile();

	ck_assert_ptr_nonnull(fp);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_ne(fputc('a' + (int)(i % 26), fp), EOF);
	rewind(fp);
	return fp;
}

START_TEST(stream_read_whole)
{
	char	 err[128];
	size_t	 len;
	char	*buf;
	FILE	*fp = stream_of(100000);	/* several buffer growths */

	buf = jsonv_read_stream(fp, "stdin", 100000, &len, err, sizeof(err));
	ck_assert_msg(buf != NULL, "%s", err);
	ck_assert_uint_eq(len, 100000);
	ck_assert_uint_eq(strlen(buf), 100000);
	ck_assert_int_eq(buf[0], 'a');
	ck_assert_int_eq(buf[99999], 'a' + 99999 % 26);
	free(buf);
	fclose(fp);

	fp = stream_of(0);
	ck_assert_ptr_nonnull(buf = jsonv_read_stream(fp, "stdin", 10, &len,
	    err, sizeof(err)));
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(buf, "");
	free(buf);
	fclose(fp);
}
END_TEST

START_TEST(stream_over_limit)
{
	char	 err[128];
	size_t	 len;
	FILE	*fp = stream_of(20000);

	ck_assert_ptr_null(jsonv_read_stream(fp, "stdin", 19999, &len, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "stdin: larger than 19999 bytes");
	fclose(fp);
}
END_TEST

START_TEST(file_errors_name_the_file)
{
	char	 err[256];
	size_t	 len;

	ck_assert_ptr_null(jsonv_read_file("tests/data/no-such-file.json", 10,
	    &len, err, sizeof(err)));
	ck_assert_str_eq(err, "tests/data/no-such-file.json: No such file or "
	    "directory");
}
END_TEST

START_TEST(type_names)
{
	cJSON	*o = cJSON_Parse("[1, \"s\", null, true, {}, []]");
	const char *want[] = { "a number", "a string", "null", "a boolean",
	    "an object", "an array" };
	int	 i = 0;
	const cJSON *m;

	ck_assert_ptr_nonnull(o);
	cJSON_ArrayForEach(m, o)
		ck_assert_str_eq(jsonv_type_name(m), want[i++]);
	ck_assert_int_eq(i, 6);
	cJSON_Delete(o);
}
END_TEST

static Suite *
jsonv_suite(void)
{
	Suite	*s = suite_create("jsonv");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, stream_read_whole);
	tcase_add_test(tc, stream_over_limit);
	tcase_add_test(tc, file_errors_name_the_file);
	tcase_add_test(tc, type_names);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(jsonv_suite());
}
