/*
 * test-keyset.c: the (scope, key) set against a plain array doing the same
 * operations, through growth and many removals (the backward shift must
 * keep every cluster reachable).
 */
#include <stdio.h>
#include <string.h>

#include "keyset.h"
#include "unit.h"

#define NKEYS	4000

static char	scopes[8][16];
static char	keys[NKEYS][24];

static void
make_keys(void)
{
	for (int i = 0; i < 8; i++)
		snprintf(scopes[i], sizeof(scopes[i]), "feed-%d", i);
	for (int i = 0; i < NKEYS; i++)
		snprintf(keys[i], sizeof(keys[i]), "guid-%d", i * 7919 % 100003);
}

START_TEST(pairs_by_content)
{
	struct keyset	ks;
	char		scope[8] = "wire", key[8] = "a1";

	keyset_init(&ks);
	ck_assert_int_eq(keyset_has(&ks, "wire", "a1"), 0);
	ck_assert_int_eq(keyset_remove(&ks, "wire", "a1"), 0);
	ck_assert_int_eq(keyset_add(&ks, scope, key), 0);
	ck_assert_int_eq(keyset_add(&ks, "wire", "a1"), 0);	/* kept once */
	ck_assert_uint_eq(ks.n, 1);
	ck_assert_int_eq(keyset_has(&ks, "wire", "a1"), 1);
	ck_assert_int_eq(keyset_has(&ks, "wire", "a2"), 0);
	ck_assert_int_eq(keyset_has(&ks, "wir", "ea1"), 0);
	ck_assert_int_eq(keyset_has(&ks, "other", "a1"), 0);
	/* The scope/key boundary counts: ("ab", "c") is not ("a", "bc"). */
	ck_assert_int_eq(keyset_add(&ks, "ab", "c"), 0);
	ck_assert_int_eq(keyset_has(&ks, "a", "bc"), 0);
	ck_assert_int_eq(keyset_remove(&ks, "wire", "a1"), 1);
	ck_assert_int_eq(keyset_has(&ks, "wire", "a1"), 0);
	ck_assert_int_eq(keyset_has(&ks, "ab", "c"), 1);
	keyset_clear(&ks);
	ck_assert_int_eq(keyset_has(&ks, "ab", "c"), 0);
	ck_assert_uint_eq(ks.n, 0);
	keyset_free(&ks);
}
END_TEST

/* Random adds and removes, checked against an array of flags. */
START_TEST(matches_a_plain_model)
{
	static unsigned char	in[8][NKEYS];
	struct keyset		ks;
	uint64_t		rng = 0x9e3779b97f4a7c15ULL;
	size_t			n = 0;

	make_keys();
	memset(in, 0, sizeof(in));
	keyset_init(&ks);
	for (int round = 0; round < 60000; round++) {
		int s, k, add;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		s = (int)(rng % 8);
		k = (int)((rng >> 8) % NKEYS);
		add = (rng >> 40) % 3 != 0;	/* grow, with churn */
		if (add) {
			ck_assert_int_eq(keyset_add(&ks, scopes[s], keys[k]), 0);
			n += !in[s][k];
			in[s][k] = 1;
		} else {
			ck_assert_int_eq(keyset_remove(&ks, scopes[s], keys[k]),
			    in[s][k]);
			n -= in[s][k];
			in[s][k] = 0;
		}
		ck_assert_uint_eq(ks.n, n);
	}
	for (int s = 0; s < 8; s++)
		for (int k = 0; k < NKEYS; k++)
			ck_assert_int_eq(keyset_has(&ks, scopes[s], keys[k]),
			    in[s][k]);
	/* Remove everything: every cluster stays reachable to the end. */
	for (int s = 0; s < 8; s++)
		for (int k = 0; k < NKEYS; k++)
			ck_assert_int_eq(keyset_remove(&ks, scopes[s], keys[k]),
			    in[s][k]);
	ck_assert_uint_eq(ks.n, 0);
	for (size_t i = 0; i < ks.cap; i++)
		ck_assert_uint_eq(ks.v[i].hash, 0);
	keyset_free(&ks);
}
END_TEST

static Suite *
keyset_suite(void)
{
	Suite	*s = suite_create("keyset");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, pairs_by_content);
	tcase_add_test(tc, matches_a_plain_model);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(keyset_suite());
}
