/*
 * test-archive.c: archives are read in replay order (first_seen, else
 * published, ties in read order), articles without a time are counted,
 * and every bad line is reported as FILE:LINE with its problem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "archive.h"
#include "date.h"
#include "store.h"
#include "unit.h"

#define DATA	"tests/data/backtest/"

static int64_t
t(const char *s)
{
	int64_t v;

	ck_assert_int_eq(date_parse_rfc3339(s, &v), 0);
	return v;
}

/* Is msg among the reported problems? */
static int
reported(const struct archive *ar, const char *msg)
{
	for (size_t i = 0; i < ar->nproblems; i++)
		if (strcmp(ar->problems[i], msg) == 0)
			return 1;
	return 0;
}

START_TEST(jsonl_order_and_problems)
{
	struct archive	ar;
	char		err[256];

	ck_assert_int_eq(archive_load(DATA "mixed.jsonl", NULL, &ar, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(ar.files, 1);
	ck_assert_uint_eq(ar.records, 14);	/* the blank line is not one */
	ck_assert_uint_eq(ar.no_time, 1);
	ck_assert_uint_eq(ar.bad, 5);
	ck_assert_uint_eq(ar.nproblems, 5);
	ck_assert(reported(&ar, DATA "mixed.jsonl:4: not valid JSON (at column 72)"));
	ck_assert(reported(&ar, DATA "mixed.jsonl:5: not a JSON object"));
	ck_assert(reported(&ar, DATA "mixed.jsonl:7: published: not a time (RFC 3339 expected, such as 2025-11-19T10:00:00Z)"));
	ck_assert(reported(&ar, DATA "mixed.jsonl:9: no title and no body"));
	ck_assert(reported(&ar, DATA "mixed.jsonl:10: title: must be a string, not a number"));

	ck_assert_uint_eq(ar.narticles, 8);
	ck_assert_str_eq(ar.articles[0].id, "m8");
	/* No id: a hash of title and time, as a feed entry gets (line 8). */
	ck_assert_str_eq(ar.articles[1].id, "pmsignal:hash:a031981cc4c0c214");
	ck_assert_str_eq(ar.articles[2].id, "m2");
	ck_assert_str_eq(ar.articles[3].id, "m10");
	ck_assert_str_eq(ar.articles[4].id, "m1");
	ck_assert_str_eq(ar.articles[5].id, "m9");
	ck_assert_str_eq(ar.articles[6].id, "m11");
	/* An empty id: the url stands for it. */
	ck_assert_str_eq(ar.articles[7].id, "https://example.org/m12");
	ck_assert_uint_eq(ar.derived_ids, 2);
	/* Dates as feeds write them, and epoch seconds, are times too. */
	ck_assert_int_eq(ar.articles[3].first_seen, t("2025-11-24T09:00:00Z"));
	ck_assert_int_eq(ar.articles[6].first_seen, t("2025-11-24T16:00:00Z"));
	/* Without first_seen the replay time is the published time. */
	ck_assert_int_eq(ar.articles[2].first_seen, t("2025-11-24T07:00:00Z"));
	ck_assert_int_eq(ar.articles[2].published, t("2025-11-24T07:00:00Z"));
	ck_assert_int_eq(ar.articles[0].published, PM_TIME_NONE);
	ck_assert_str_eq(ar.articles[4].title, "Talks resume in Geneva");
	ck_assert_str_eq(ar.articles[4].text, "Delegations met on Monday.");
	ck_assert_str_eq(ar.articles[4].source, "wire");
	ck_assert_str_eq(ar.articles[4].url, "https://example.org/m1");
	/* An HTML body is scored as its text, as the feed parser gives it. */
	ck_assert_str_eq(ar.articles[0].text, "Envoys met again & talked.");
	ck_assert_ptr_null(ar.articles[5].source);	/* absent stays NULL */
	ck_assert_ptr_null(ar.articles[5].url);
	ck_assert(ar.articles[4].credibility == 1.0);
	archive_free(&ar);
}
END_TEST

START_TEST(time_window)
{
	struct archive		ar;
	struct archive_opts	o = { 0, 0 };
	char			err[256];

	o.from = t("2025-11-24T07:00:00Z");
	o.until = t("2025-11-24T09:04:59Z");
	ck_assert_int_eq(archive_load(DATA "mixed.jsonl", &o, &ar, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(ar.narticles, 2);
	ck_assert_str_eq(ar.articles[0].id, "m2");
	ck_assert_str_eq(ar.articles[1].id, "m10");
	ck_assert_uint_eq(ar.out_of_range, 6);
	ck_assert_uint_eq(ar.no_time, 1);
	archive_free(&ar);
}
END_TEST

START_TEST(directory_walk)
{
	struct archive	ar;
	char		err[256];

	ck_assert_int_eq(archive_load(DATA "dir", NULL, &ar, err, sizeof(err)), 0);
	ck_assert_uint_eq(ar.files, 3);
	ck_assert_uint_eq(ar.skipped_files, 1);		/* README.txt */
	ck_assert_uint_eq(ar.bad, 0);
	ck_assert_uint_eq(ar.narticles, 4);
	ck_assert_str_eq(ar.articles[0].id, "c1");
	ck_assert_str_eq(ar.articles[1].id, "a2");	/* a.jsonl is read first */
	ck_assert_str_eq(ar.articles[2].id, "b1");
	ck_assert_str_eq(ar.articles[3].id, "a1");
	archive_free(&ar);
}
END_TEST

START_TEST(fatal_errors)
{
	struct archive	ar;
	char		err[256];

	ck_assert_int_eq(archive_load(DATA "missing.jsonl", NULL, &ar, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, DATA "missing.jsonl: No such file or directory");
	archive_free(&ar);
	ck_assert_int_eq(archive_load(DATA "dir/sub/..", NULL, &ar, err,
	    sizeof(err)), 0);
	archive_free(&ar);
}
END_TEST

START_TEST(invalid_utf8_is_a_bad_line)
{
	struct archive	ar;
	char		err[256];

	ck_assert_int_eq(archive_load(DATA "badutf8.jsonl", NULL, &ar, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(ar.narticles, 0);
	ck_assert(reported(&ar, DATA "badutf8.jsonl:1: title: invalid UTF-8"));
	archive_free(&ar);
}
END_TEST

START_TEST(html_detection)
{
	ck_assert(archive_looks_like_html("<p>Talks</p>"));
	ck_assert(archive_looks_like_html("Talks<br/>resume"));
	ck_assert(archive_looks_like_html("<!-- x -->"));
	ck_assert(!archive_looks_like_html("if a < b and c > d"));
	ck_assert(!archive_looks_like_html("x<3 or <> or < p>"));
	ck_assert(!archive_looks_like_html("plain text"));
}
END_TEST

/* archive_parse_object() on text; NULL or the problem. */
static const char *
parse_object(const char *json, unsigned flags, struct article *a, char *buf,
    size_t size)
{
	cJSON		*o;
	const char	*why;

	ck_assert_ptr_nonnull(o = cJSON_Parse(json));
	why = archive_parse_object(o, flags, a, buf, size);
	cJSON_Delete(o);
	return why;
}

START_TEST(object_id_optional)
{
	struct article	a;
	char		why[256];

	/* An archive line needs its id; pmsignald score's article does not. */
	ck_assert_str_eq(parse_object("{\"title\":\"Talks\"}", 0, &a, why,
	    sizeof(why)), "id: missing");
	ck_assert_ptr_null(a.title);
	ck_assert_ptr_null(parse_object("{\"title\":\"Talks\",\"x\":1}",
	    ARCHIVE_ID_OPTIONAL, &a, why, sizeof(why)));
	ck_assert_ptr_null(a.id);
	ck_assert_str_eq(a.title, "Talks");
	ck_assert_int_eq(a.published, PM_TIME_NONE);
	archive_article_free(&a);

	/* Everything else is read as an archive line is: HTML bodies too. */
	ck_assert_ptr_null(parse_object("{\"body\":\"<p>Envoys <b>met</b></p>\","
	    "\"published\":\"2025-12-01T10:00:00Z\"}", ARCHIVE_ID_OPTIONAL, &a,
	    why, sizeof(why)));
	ck_assert_ptr_null(strchr(a.text, '<'));
	ck_assert_ptr_nonnull(strstr(a.text, "Envoys met"));
	ck_assert_int_eq(a.published, t("2025-12-01T10:00:00Z"));
	archive_article_free(&a);
	ck_assert_str_eq(parse_object("{\"title\":\"\",\"body\":\"\"}",
	    ARCHIVE_ID_OPTIONAL, &a, why, sizeof(why)), "no title and no body");
	ck_assert_str_eq(parse_object("{\"title\":\"x\",\"url\":[]}",
	    ARCHIVE_ID_OPTIONAL, &a, why, sizeof(why)),
	    "url: must be a string, not an array");
	ck_assert_str_eq(parse_object("[1]", ARCHIVE_ID_OPTIONAL, &a, why,
	    sizeof(why)), "not a JSON object");
}
END_TEST

/* Store one article the way the daemon does. */
static void
store_one(struct store *st, const char *feed, const char *guid,
    const char *title, const char *first_seen)
{
	struct article	a;
	char		err[256];

	memset(&a, 0, sizeof(a));
	a.source = (char *)feed;
	a.id = (char *)guid;
	a.title = (char *)title;
	a.url = "https://example.org/x";
	a.text = "Stored body.";
	a.published = PM_TIME_NONE;
	a.first_seen = t(first_seen);
	ck_assert_msg(store_add_article(st, &a, 0, NULL, err, sizeof(err)) == 0,
	    "%s", err);
}

START_TEST(database_and_mixed_directory)
{
	char		dir[] = "/tmp/pmsignal-archive.XXXXXX", db[64], jl[64], err[256];
	struct store	*st;
	struct archive	ar;
	FILE		*fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/daemon.db", dir);
	snprintf(jl, sizeof(jl), "%s/extra.jsonl", dir);
	ck_assert_msg(store_open(db, 0, &st, err, sizeof(err)) == 0, "%s", err);
	store_one(st, "wire", "g2", "Second", "2025-12-02T00:00:00Z");
	store_one(st, "wire", "g1", "First", "2025-12-01T00:00:00Z");
	store_close(st);
	ck_assert_ptr_nonnull(fp = fopen(jl, "w"));
	fputs("{\"id\":\"j1\",\"title\":\"Between\",\"first_seen\":"
	    "\"2025-12-01T12:00:00Z\"}\n", fp);
	ck_assert_int_eq(fclose(fp), 0);

	ck_assert_int_eq(archive_load(db, NULL, &ar, err, sizeof(err)), 0);
	ck_assert_uint_eq(ar.narticles, 2);
	ck_assert_str_eq(ar.articles[0].id, "g1");
	ck_assert_str_eq(ar.articles[0].source, "wire");
	ck_assert_str_eq(ar.articles[0].text, "Stored body.");
	ck_assert_int_eq(ar.articles[0].published, PM_TIME_NONE);
	archive_free(&ar);

	ck_assert_int_eq(archive_load(dir, NULL, &ar, err, sizeof(err)), 0);
	ck_assert_uint_eq(ar.files, 2);
	ck_assert_uint_eq(ar.narticles, 3);
	ck_assert_str_eq(ar.articles[0].id, "g1");
	ck_assert_str_eq(ar.articles[1].id, "j1");
	ck_assert_str_eq(ar.articles[2].id, "g2");
	archive_free(&ar);

	/* The store's range is half-open; ours includes until. */
	{
		struct archive_opts o = { t("2025-12-01T00:00:00Z"),
		    t("2025-12-01T00:00:00Z") };

		ck_assert_int_eq(archive_load(db, &o, &ar, err, sizeof(err)), 0);
		ck_assert_uint_eq(ar.narticles, 1);
		archive_free(&ar);
	}
	unlink(jl);
	unit_unlink_sqlite(db);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *
archive_suite(void)
{
	Suite	*s = suite_create("archive");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, jsonl_order_and_problems);
	tcase_add_test(tc, time_window);
	tcase_add_test(tc, directory_walk);
	tcase_add_test(tc, fatal_errors);
	tcase_add_test(tc, invalid_utf8_is_a_bad_line);
	tcase_add_test(tc, html_detection);
	tcase_add_test(tc, object_id_optional);
	tcase_add_test(tc, database_and_mixed_directory);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(archive_suite());
}
