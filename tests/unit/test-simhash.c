/*
 * test-simhash.c: simhash_text() counts bits in byte lanes; it must give
 * exactly what the plain definition gives (a +1/-1 vote per bit of every
 * shingle hash), on texts long and short, and simhash_distance() exactly
 * the number of differing bits.
 */
#include <stdio.h>
#include <string.h>

#include "simhash.h"
#include "text.h"
#include "unit.h"

/* The definition, one bit of one shingle at a time. */
static uint64_t
reference_simhash(const struct text *t)
{
	int32_t		v[64];
	uint64_t	out = 0, h1 = 0, h2 = 0;
	size_t		nw = 0;

	for (size_t i = 0; i < t->ntoks; i++)
		nw += t->toks[i].kind == TOK_WORD;
	if (nw < SIMHASH_MIN_TOKENS)
		return 0;
	memset(v, 0, sizeof(v));
	nw = 0;
	for (size_t i = 0; i < t->ntoks; i++) {
		uint64_t h3, h, x;

		if (t->toks[i].kind != TOK_WORD)
			continue;
		h3 = t->toks[i].hash;
		if (++nw >= 3) {
			/* simhash.c's mix of the three hashes */
			x = h1 ^ ((h2 << 21) | (h2 >> 43)) ^
			    ((h3 << 42) | (h3 >> 22));
			x ^= x >> 30;
			x *= 0xbf58476d1ce4e5b9ULL;
			x ^= x >> 27;
			x *= 0x94d049bb133111ebULL;
			x ^= x >> 31;
			h = x;
			for (int b = 0; b < 64; b++)
				v[b] += ((h >> b) & 1) ? 1 : -1;
		}
		h1 = h2;
		h2 = h3;
	}
	for (int b = 0; b < 64; b++)
		if (v[b] > 0)
			out |= 1ULL << b;
	return out != 0 ? out : 1;
}

static uint64_t
next_rand(uint64_t *r)
{
	*r ^= *r << 13;
	*r ^= *r >> 7;
	*r ^= *r << 17;
	return *r;
}

/* Random texts of 0 to 3000 words, some punctuated, some repeating. */
START_TEST(lanes_match_the_definition)
{
	static const char *const words[] = { "envoys", "met", "in", "Geneva",
	    "ceasefire", "talks", "resumed,", "on", "Tuesday.", "officials",
	    "said", "the", "zone", "agreement", "was", "not", "signed", "yet",
	    "a", "call", "between", "leaders", "is", "expected", "sanctions" };
	static char	 body[40000];
	struct text	 t;
	uint64_t	 r = 0x2545f4914f6cdd1dULL;
	int		 lengths[] = { 0, 5, 9, 10, 11, 12, 254, 255, 256, 257,
			     258, 509, 510, 511, 2000, 3000 };
	/* One word repeated: every shingle alike, so each of its set bits
	 * counts in every shingle and a byte lane is full after 255. */
	uint64_t	 vocabulary[3] = { 1, 4, 25 };

	text_init(&t);
	for (int round = 0; round < 200; round++) {
		int	nwords = round < 16 ? lengths[round] :
			    (int)(next_rand(&r) % 3000);
		size_t	n = 0;

		body[0] = '\0';
		for (int w = 0; w < nwords; w++)
			n += (size_t)snprintf(body + n, sizeof(body) - n, "%s ",
			    words[next_rand(&r) % vocabulary[round % 3]]);
		ck_assert_int_eq(text_prepare(&t, "", body), 0);
		ck_assert_msg(simhash_text(&t) == reference_simhash(&t),
		    "round %d, %d words", round, nwords);
	}
	text_free(&t);
}
END_TEST

START_TEST(distance_counts_bits)
{
	uint64_t r = 88172645463325252ULL;

	ck_assert_int_eq(simhash_distance(0, 0), 0);
	ck_assert_int_eq(simhash_distance(0, ~0ULL), 64);
	ck_assert_int_eq(simhash_distance(1ULL << 63, 1), 2);
	for (int i = 0; i < 10000; i++) {
		uint64_t a = next_rand(&r), b = next_rand(&r), x = a ^ b;
		int n = 0;

		for (; x != 0; x &= x - 1)
			n++;
		ck_assert_int_eq(simhash_distance(a, b), n);
	}
}
END_TEST

static Suite *
simhash_suite(void)
{
	Suite	*s = suite_create("simhash");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, lanes_match_the_definition);
	tcase_add_test(tc, distance_counts_bits);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(simhash_suite());
}
