/*
 * test-date-delta.c: RFC 3339 times round-trip without the time zone, and
 * the protocol's delta message encodes and decodes losslessly.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "delta.h"
#include "unit.h"

START_TEST(rfc3339_parse)
{
	int64_t t;

	ck_assert_int_eq(date_parse_rfc3339("1970-01-01T00:00:00Z", &t), 0);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(date_parse_rfc3339("2025-11-27T23:59:59Z", &t), 0);
	ck_assert_int_eq(t, 1764287999);
	ck_assert_int_eq(date_parse_rfc3339("2025-11-28T01:59:59+02:00", &t), 0);
	ck_assert_int_eq(t, 1764287999);
	ck_assert_int_eq(date_parse_rfc3339("2025-11-27T18:59:59.250-05:00", &t), 0);
	ck_assert_int_eq(t, 1764287999);
	ck_assert_int_eq(date_parse_rfc3339("2025-11-19", &t), 0);
	ck_assert_int_eq(t, 1763510400);
	ck_assert_int_eq(date_parse_rfc3339("2024-02-29T00:00:00Z", &t), 0);
	ck_assert_int_eq(date_parse_rfc3339("1969-12-31T23:59:59Z", &t), 0);
	ck_assert_int_eq(t, -1);
}
END_TEST

START_TEST(rfc3339_reject)
{
	int64_t t = 42;

	ck_assert_int_eq(date_parse_rfc3339("", &t), -1);
	ck_assert_int_eq(date_parse_rfc3339("2025-13-01", &t), -1);
	ck_assert_int_eq(date_parse_rfc3339("2025-02-29T00:00:00Z", &t), -1);
	ck_assert_int_eq(date_parse_rfc3339("2025-11-19T24:00:00Z", &t), -1);
	ck_assert_int_eq(date_parse_rfc3339("2025-11-19T10:00:00", &t), -1);
	ck_assert_int_eq(date_parse_rfc3339("2025-11-19T10:00:00Zjunk", &t), -1);
	ck_assert_int_eq(date_parse_rfc3339("25-11-19", &t), -1);
	ck_assert_int_eq(t, 42);
}
END_TEST

START_TEST(rfc3339_format)
{
	char buf[32];

	date_format_rfc3339(1764287999, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2025-11-27T23:59:59Z");
	date_format_rfc3339(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
	date_format_rfc3339(951782400, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2000-02-29T00:00:00Z");
}
END_TEST

/* The reference: the delta as a cJSON tree, printed by cJSON. */
static char *
delta_by_cjson(const struct delta *d, const char *session)
{
	cJSON	*o = cJSON_CreateObject(), *a;
	char	 t[40], *out;
	double	 p = delta_round(d->p), prev = delta_round(d->prev);

	cJSON_AddStringToObject(o, "type", "delta");
	cJSON_AddNumberToObject(o, "seq", (double)d->seq);
	cJSON_AddStringToObject(o, "session", session);
	date_format_rfc3339(d->ts, t, sizeof(t));
	cJSON_AddStringToObject(o, "ts", t);
	cJSON_AddStringToObject(o, "market", d->market);
	cJSON_AddNumberToObject(o, "p", p);
	cJSON_AddNumberToObject(o, "prev", prev);
	cJSON_AddNumberToObject(o, "delta", delta_round(p - prev));
	cJSON_AddStringToObject(o, "cause", delta_cause_name(d->cause));
	if (d->article_id == NULL)
		cJSON_AddNullToObject(o, "article");
	else {
		a = cJSON_AddObjectToObject(o, "article");
		cJSON_AddStringToObject(a, "id", d->article_id);
		if (d->article_title != NULL)
			cJSON_AddStringToObject(a, "title", d->article_title);
		else
			cJSON_AddNullToObject(a, "title");
		cJSON_AddStringToObject(a, "url", d->article_url);
		cJSON_AddStringToObject(a, "source", d->article_source);
		if (d->article_published == PM_TIME_NONE)
			cJSON_AddNullToObject(a, "published");
		else {
			date_format_rfc3339(d->article_published, t, sizeof(t));
			cJSON_AddStringToObject(a, "published", t);
		}
		date_format_rfc3339(d->article_first_seen, t, sizeof(t));
		cJSON_AddStringToObject(a, "first_seen", t);
	}
	cJSON_AddItemToObject(o, "evidence", cJSON_Parse(d->evidence != NULL ?
	    d->evidence : "[]"));
	if (d->unpersisted)
		cJSON_AddFalseToObject(o, "persisted");
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

/*
 * delta_to_json() writes its bytes itself: they must be cJSON's, byte for
 * byte, for awkward strings, numbers and both article shapes.
 */
START_TEST(delta_bytes_match_cjson)
{
	static const char *titles[] = {
		"plain", "quote \" backslash \\ slash /", "tab\tnl\ncr\r\x01\x1f",
		"Zelens\xca\xb9kyi \xe2\x80\x94 \xd0\x9a\xd0\xb8\xd1\x97\xd0\xb2", "", NULL,
	};
	static const double ps[] = { 0.08, 0.123456789, 1e-7, 0.999999, 0.5, 1.0 / 3 };
	static const uint64_t seqs[] = { 1, 42, 9007199254740993ULL, UINT64_MAX };
	struct delta	 d;
	char		*mine, *ref;
	size_t		 k = 0;

	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		for (size_t j = 0; j < sizeof(ps) / sizeof(ps[0]); j++, k++) {
			memset(&d, 0, sizeof(d));
			d.seq = seqs[k % 4];
			d.ts = 1763510400 + (int64_t)k * 3607;
			d.market = "ukraine-\"x\"";
			d.p = ps[j];
			d.prev = ps[(j + 1) % 6];
			d.cause = (enum delta_cause)(k % 4);
			d.unpersisted = (int)(k % 3 == 0);
			if (k % 2 == 0) {
				d.article_id = "feed:1";
				d.article_title = (char *)titles[i];
				d.article_url = "https://example.org/a?b=1&c=<2>";
				d.article_source = "Example \u2028 News";
				d.article_published = k % 4 == 0 ?
				    PM_TIME_NONE : 1763510000;
				d.article_first_seen = 1763510100;
				d.evidence = "[{\"rule\":\"call\",\"weight\":0.35,"
				    "\"text\":\"a \\\"phone\\\" call\",\"span\":[3,17]}]";
			}
			mine = delta_to_json(&d, "s-1");
			ref = delta_by_cjson(&d, "s-1");
			ck_assert_ptr_nonnull(mine);
			ck_assert_ptr_nonnull(ref);
			ck_assert_str_eq(mine, ref);
			free(mine);
			free(ref);
		}
}
END_TEST

START_TEST(delta_roundtrip)
{
	struct delta	d = { 0 }, back;
	char		*line;

	d.seq = 42;
	d.ts = 1763510400;
	d.market = "peace-deal-2025";
	d.prev = 0.12;
	d.p = 0.1534567891;
	d.cause = DELTA_ARTICLE;
	d.article_id = "a1";
	d.article_title = "Talks \"moving\" ahead";
	d.article_url = "https://example.org/a1";
	d.article_source = "wire";
	d.article_published = PM_TIME_NONE;
	d.article_first_seen = 1763510400;
	d.evidence = "[{\"rule\":\"signed\",\"weight\":1.5}]";
	line = delta_to_json(&d, "s-1");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_null(strchr(line, '\n'));
	ck_assert_ptr_nonnull(strstr(line, "\"type\":\"delta\",\"seq\":42,"
	    "\"session\":\"s-1\",\"ts\":\"2025-11-19T00:00:00Z\""));
	ck_assert_ptr_nonnull(strstr(line, "\"p\":0.153457,\"prev\":0.12,"
	    "\"delta\":0.033457,\"cause\":\"article\""));
	ck_assert_ptr_nonnull(strstr(line, "\"published\":null"));
	ck_assert_int_eq(delta_from_json(line, &back), 0);
	ck_assert_uint_eq(back.seq, 42);
	ck_assert_int_eq(back.ts, d.ts);
	ck_assert_str_eq(back.market, d.market);
	ck_assert(back.p == 0.153457);
	ck_assert_str_eq(back.article_title, d.article_title);
	ck_assert_int_eq(back.article_published, PM_TIME_NONE);
	ck_assert_int_eq(back.article_first_seen, d.article_first_seen);
	ck_assert_str_eq(back.evidence, d.evidence);
	delta_free(&back);
	free(line);
}
END_TEST

START_TEST(delta_decay_has_null_article)
{
	struct delta	d = { 0 }, back;
	char		*line;

	d.seq = 7;
	d.ts = 0;
	d.market = "m";
	d.prev = 0.5;
	d.p = 0.49;
	d.cause = DELTA_DECAY;
	line = delta_to_json(&d, "s");
	ck_assert_ptr_nonnull(strstr(line, "\"article\":null,\"evidence\":[]"));
	ck_assert_int_eq(delta_from_json(line, &back), 0);
	ck_assert_ptr_null(back.article_id);
	ck_assert_int_eq(back.cause, DELTA_DECAY);
	delta_free(&back);
	free(line);
	ck_assert_int_eq(delta_from_json("{\"type\":\"heartbeat\"}", &back), -1);
	ck_assert_int_eq(delta_from_json("not json", &back), -1);
}
END_TEST

/* A delta published from memory says so; a stored one has no member. */
START_TEST(delta_unpersisted_flag)
{
	struct delta	d = { 0 }, back;
	char		*line, *plain;

	d.seq = 9;
	d.ts = 1763510400;
	d.market = "m";
	d.prev = 0.5;
	d.p = 0.6;
	d.cause = DELTA_DECAY;
	ck_assert_ptr_nonnull(plain = delta_to_json(&d, "s"));
	ck_assert_ptr_null(strstr(plain, "persisted"));
	ck_assert_int_eq(delta_from_json(plain, &back), 0);
	ck_assert_int_eq(back.unpersisted, 0);
	delta_free(&back);
	d.unpersisted = 1;
	ck_assert_ptr_nonnull(line = delta_to_json(&d, "s"));
	/* The stored line plus one member at the end, nothing else. */
	ck_assert_uint_eq(strlen(line), strlen(plain) + strlen(",\"persisted\":false"));
	ck_assert_int_eq(strncmp(line, plain, strlen(plain) - 1), 0);
	ck_assert_str_eq(line + strlen(plain) - 1, ",\"persisted\":false}");
	ck_assert_int_eq(delta_from_json(line, &back), 0);
	ck_assert_int_eq(back.unpersisted, 1);
	delta_free(&back);
	free(line);
	free(plain);
}
END_TEST

static Suite *
date_delta_suite(void)
{
	Suite	*s = suite_create("date-delta");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, rfc3339_parse);
	tcase_add_test(tc, rfc3339_reject);
	tcase_add_test(tc, rfc3339_format);
	tcase_add_test(tc, delta_roundtrip);
	tcase_add_test(tc, delta_bytes_match_cjson);
	tcase_add_test(tc, delta_decay_has_null_article);
	tcase_add_test(tc, delta_unpersisted_flag);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(date_delta_suite());
}
