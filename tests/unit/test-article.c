/*
 * test-article.c: article_bound() holds what a feed sends to the limits a
 * delta can carry: a 1 MB title is cut at a character boundary with an
 * ellipsis, an oversized URL is dropped, an oversized id becomes a stable
 * hash; fields within the limits are untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "date.h"
#include "unit.h"
#include "utf8.h"

static struct article
art(char *id, char *title, char *url)
{
	struct article a = { id, (char *)"feed", title, url, (char *)"text",
	    PM_TIME_NONE, 1790000000, 1.0 };

	return a;
}

/* A NUL-terminated string of n copies of the UTF-8 character c. */
static char *
repeat(const char *c, size_t n)
{
	size_t	 cl = strlen(c);
	char	*s = malloc(n * cl + 1);

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * cl, c, cl);
	s[n * cl] = '\0';
	return s;
}

static int
valid_utf8(const char *s)
{
	struct utf8_stats st;

	utf8_scan(s, strlen(s), &st);
	return st.invalid == 0;
}

START_TEST(within_limits_untouched)
{
	char			*title = repeat("a", ARTICLE_TITLE_MAX);
	char			*url = repeat("u", ARTICLE_URL_MAX);
	char			*id = repeat("i", ARTICLE_ID_MAX);
	struct article		 a = art(id, title, url);
	struct article_bounds	 b;

	ck_assert_int_eq(article_bound(&a, &b), 0);
	ck_assert_ptr_eq(a.title, title);
	ck_assert_ptr_eq(a.url, url);
	ck_assert_ptr_eq(a.id, id);
	a = art(NULL, NULL, NULL);
	ck_assert_int_eq(article_bound(&a, &b), 0);
	free(title);
	free(url);
	free(id);
}
END_TEST

/* One megabyte of title, in 1-, 2-, 3- and 4-byte characters. */
START_TEST(title_cut_at_a_character)
{
	static const char *chars[] = { "x", "\xC3\xA9", "\xE2\x82\xAC",
	    "\xF0\x9F\x95\x8A" };
	struct article_bounds	 b;

	for (size_t i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
		size_t		 cl = strlen(chars[i]), n;
		char		*title = repeat(chars[i], (1 << 20) / cl);
		struct article	 a = art((char *)"id", title, NULL);

		ck_assert_int_eq(article_bound(&a, &b), ARTICLE_CUT_TITLE);
		ck_assert_ptr_eq(a.title, b.title);
		n = strlen(a.title);
		ck_assert_uint_le(n, ARTICLE_TITLE_MAX);
		ck_assert_uint_gt(n, ARTICLE_TITLE_MAX - 8);
		ck_assert(valid_utf8(a.title));
		/* The kept part is the title's start, whole characters. */
		ck_assert_str_eq(a.title + n - 3, "\xE2\x80\xA6");
		ck_assert_uint_eq((n - 3) % cl, 0);
		ck_assert_int_eq(memcmp(a.title, title, n - 3), 0);
		free(title);
	}
}
END_TEST

START_TEST(long_url_dropped)
{
	char			*url = repeat("u", ARTICLE_URL_MAX + 1);
	struct article		 a = art((char *)"id", (char *)"t", url);
	struct article_bounds	 b;

	ck_assert_int_eq(article_bound(&a, &b), ARTICLE_DROP_URL);
	ck_assert_ptr_null(a.url);
	ck_assert_str_eq(a.title, "t");
	free(url);
}
END_TEST

/* A long id hashes the same every time, and differently from another. */
START_TEST(long_id_hashed)
{
	char			*id1 = repeat("g", 100000), *id2 = strdup(id1);
	struct article		 a, c;
	struct article_bounds	 b1, b2, b3;

	ck_assert_ptr_nonnull(id2);
	id2[99999] = 'h';	/* differs only at the very end */
	a = art(id1, (char *)"t", NULL);
	ck_assert_int_eq(article_bound(&a, &b1), ARTICLE_HASH_ID);
	ck_assert_ptr_eq(a.id, b1.id);
	ck_assert_int_eq(strncmp(a.id, "pmsignal:long-id:", 17), 0);
	ck_assert_uint_le(strlen(a.id), ARTICLE_ID_MAX);
	c = art(id1, (char *)"t", NULL);
	ck_assert_int_eq(article_bound(&c, &b2), ARTICLE_HASH_ID);
	ck_assert_str_eq(c.id, a.id);
	c = art(id2, (char *)"t", NULL);
	ck_assert_int_eq(article_bound(&c, &b3), ARTICLE_HASH_ID);
	ck_assert_str_ne(c.id, a.id);
	free(id1);
	free(id2);
}
END_TEST

/*
 * article_hash_id: ids stored by earlier versions must stay the same, so
 * the values are pinned; the text counts only without title and time.
 */
START_TEST(hash_id_stable)
{
	char	id[ARTICLE_HASH_ID_SIZE], other[ARTICLE_HASH_ID_SIZE];
	int64_t	t;

	ck_assert_int_eq(date_parse_rfc3339("2025-11-23T10:00:00Z", &t), 0);
	article_hash_id("Envoys meet in Geneva", t, "any text", id);
	ck_assert_str_eq(id, "pmsignal:hash:7a9e64e324672ac8");
	article_hash_id("Envoys meet in Geneva", t, "other text", other);
	ck_assert_str_eq(id, other);
	article_hash_id("Envoys meet in Geneva", t + 1, "any text", other);
	ck_assert_str_ne(id, other);
	article_hash_id(NULL, PM_TIME_NONE, "only text", id);
	ck_assert_str_eq(id, "pmsignal:hash:6942ee3bbc28870d");
	article_hash_id("", PM_TIME_NONE, "other text", other);
	ck_assert_str_ne(id, other);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("article");
	TCase	*tc = tcase_create("article");

	tcase_add_test(tc, within_limits_untouched);
	tcase_add_test(tc, title_cut_at_a_character);
	tcase_add_test(tc, long_url_dropped);
	tcase_add_test(tc, long_id_hashed);
	tcase_add_test(tc, hash_id_stable);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
