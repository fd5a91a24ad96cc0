/*
 * test-simhash.c: the SimHash of a text is the same as the plain
 * Charikar vote (one +1/-1 per bit per shingle, written out here as the
 * reference) on random texts of every length, including ones long enough
 * to overflow the byte-lane counters many times; near-copies are near,
 * different texts far; and the window of recent hashes finds, forgets and
 * ignores what it should.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simhash.h"
#include "text.h"
#include "unit.h"

/* The reference: the vote bit by bit, as SimHash is defined. */
static uint64_t
ref_simhash(const struct text *t)
{
	int64_t		 v[64];
	uint64_t	 out = 0, h1 = 0, h2 = 0;
	size_t		 nw = 0;

	memset(v, 0, sizeof(v));
	for (size_t i = 0; i < t->ntoks; i++) {
		uint64_t h3, h;

		if (t->toks[i].kind != TOK_WORD)
			continue;
		h3 = t->toks[i].hash;
		if (++nw >= 3) {
			h = simhash_shingle(h1, h2, h3);
			for (int b = 0; b < 64; b++)
				v[b] += ((h >> b) & 1) ? 1 : -1;
		}
		h1 = h2;
		h2 = h3;
	}
	if (nw < SIMHASH_MIN_TOKENS)
		return 0;
	for (int b = 0; b < 64; b++)
		if (v[b] > 0)
			out |= 1ULL << b;
	return out != 0 ? out : 1;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/*
 * Random text of n words: from a small vocabulary (so shingles repeat and
 * votes tie), some random letters, punctuation and non-ASCII words.
 */
static char *
random_text(size_t n)
{
	static const char *const vocab[] = {
		"the", "talks", "Putin", "Zelenskyy", "ceasefire", "a", "of",
		"Kyiv", "said", "deal", "Trump", "envoy", "Witkoff", "zone",
		"ЗЕЛЕНСЬКИЙ", "Genève", "draft", "on", "in", "security",
	};
	static const char *const punct[] = { " ", " ", " ", ", ", ". ", "; ",
		" - ", "? ", " (", ") " };
	size_t	 cap = n * 24 + 16, len = 0;
	char	*s = malloc(cap);

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++) {
		if (rnd(4) == 0) {
			size_t k = 1 + rnd(9);

			for (size_t j = 0; j < k; j++)
				s[len++] = (char)('a' + rnd(26));
		} else {
			const char *w = vocab[rnd(sizeof(vocab) / sizeof(vocab[0]))];

			memcpy(s + len, w, strlen(w));
			len += strlen(w);
		}
		const char *p = punct[rnd(sizeof(punct) / sizeof(punct[0]))];

		memcpy(s + len, p, strlen(p));
		len += strlen(p);
	}
	s[len] = '\0';
	return s;
}

START_TEST(same_as_the_plain_vote)
{
	static const size_t lens[] = { 0, 1, 9, 10, 11, 12, 20, 100, 256,
		257, 258, 511, 700, 5000, 70000 };
	struct text	 t;
	size_t		 tried = 0;

	text_init(&t);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (int rep = 0; rep < 20; rep++) {
			size_t	 n = lens[i] + (rep > 0 && lens[i] < 5000 ? rnd(40) : 0);
			char	*s = random_text(n);

			ck_assert_int_eq(text_prepare(&t, rep % 2 ? "Title" : NULL, s), 0);
			ck_assert_msg(simhash_text(&t) == ref_simhash(&t),
			    "%zu words: %016llx, reference %016llx", n,
			    (unsigned long long)simhash_text(&t),
			    (unsigned long long)ref_simhash(&t));
			free(s);
			tried++;
			if (lens[i] >= 5000 && rep >= 2)
				break;
		}
	}
	ck_assert_uint_gt(tried, 200);
	text_free(&t);
}
END_TEST

/*
 * One word over and over: every shingle is the same, so every set bit of
 * its hash gets every vote; the counters must not wrap at any length.
 */
START_TEST(repeated_shingles_do_not_wrap)
{
	static const size_t lens[] = { 12, 254, 255, 256, 257, 258, 600, 66000 };
	struct text	 t;

	text_init(&t);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char	*s = malloc(lens[i] * 6 + 1);

		ck_assert_ptr_nonnull(s);
		for (size_t k = 0; k < lens[i]; k++)
			memcpy(s + 6 * k, "peace ", 6);
		s[6 * lens[i]] = '\0';
		ck_assert_int_eq(text_prepare(&t, NULL, s), 0);
		ck_assert_msg(simhash_text(&t) == ref_simhash(&t), "%zu words",
		    lens[i]);
		ck_assert_int_gt(simhash_distance(simhash_text(&t), 0), 8);
		free(s);
	}
	text_free(&t);
}
END_TEST

START_TEST(near_copies_are_near)
{
	const char *a = "Russian and Ukrainian negotiators met in Geneva on "
	    "Tuesday for a second day of talks on a framework that would end "
	    "the war, officials from both delegations said, adding that the "
	    "security guarantees remained the hardest question.";
	const char *b = "Russian and Ukrainian negotiators met in Geneva on "
	    "Tuesday for a second day of talks on a framework that would end "
	    "the war, officials from both delegations said, adding that the "
	    "security guarantees remained the hardest question. (Reporting by "
	    "a wire)";
	const char *c = "Oil prices slipped on Wednesday as traders weighed "
	    "rising inventories in the United States against supply cuts "
	    "announced by producers, with Brent crude settling lower for a "
	    "third session in a row.";
	struct text	 t;
	uint64_t	 ha, hb, hc;

	text_init(&t);
	ck_assert_int_eq(text_prepare(&t, "Talks in Geneva", a), 0);
	ha = simhash_text(&t);
	ck_assert_int_eq(text_prepare(&t, "Talks continue in Geneva", b), 0);
	hb = simhash_text(&t);
	ck_assert_int_eq(text_prepare(&t, "Oil slips", c), 0);
	hc = simhash_text(&t);
	ck_assert_int_le(simhash_distance(ha, hb), 12);
	ck_assert_int_gt(simhash_distance(ha, hc), 16);
	ck_assert_int_eq(text_prepare(&t, "Short", "far too few words here"), 0);
	ck_assert(simhash_text(&t) == 0);
	text_free(&t);
}
END_TEST

/* The inline popcount against counting bits one by one. */
START_TEST(distance_counts_bits)
{
	uint64_t r = 88172645463325252ULL;

	ck_assert_int_eq(simhash_distance(0, 0), 0);
	ck_assert_int_eq(simhash_distance(0, ~0ULL), 64);
	ck_assert_int_eq(simhash_distance(1ULL << 63, 1), 2);
	for (int i = 0; i < 10000; i++) {
		uint64_t a, b, x;
		int n = 0;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		a = r;
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		b = r;
		for (x = a ^ b; x != 0; x &= x - 1)
			n++;
		ck_assert_int_eq(simhash_distance(a, b), n);
	}
}
END_TEST

START_TEST(window_of_recent_hashes)
{
	struct simhash_index	 x;
	const struct simhash_entry *e;

	simhash_index_init(&x);
	ck_assert_int_eq(simhash_index_add(&x, 0xff00ULL, 100, "a"), 0);
	ck_assert_int_eq(simhash_index_add(&x, 0xff0fULL, 200, "b"), 0);
	/* Nearest within 3 bits: "b" is 1 bit away, "a" 3. */
	ck_assert_ptr_nonnull(e = simhash_index_find(&x, 0xff0eULL, 250, 1000, 3));
	ck_assert_str_eq(e->id, "b");
	/* Outside the window, or in the future of now: not seen. */
	ck_assert_ptr_null(simhash_index_find(&x, 0xff0eULL, 250, 10, 3));
	ck_assert_ptr_nonnull(e = simhash_index_find(&x, 0xff0eULL, 150, 1000, 3));
	ck_assert_str_eq(e->id, "a");
	/* A zero hash (too short to judge) never matches. */
	ck_assert_ptr_null(simhash_index_find(&x, 0, 250, 1000, 64));
	simhash_index_expire(&x, 250, 100);
	ck_assert_uint_eq(x.n, 1);
	ck_assert_str_eq(x.v[0].id, "b");
	simhash_index_free(&x);
}
END_TEST

/* The definition the banded lookup must agree with: every entry looked at. */
static const struct simhash_entry *
find_by_scan(const struct simhash_index *x, uint64_t h, int64_t now,
    int64_t window, int maxdist)
{
	const struct simhash_entry	*best = NULL;
	int				 bestd = maxdist + 1;

	for (size_t i = 0; h != 0 && i < x->n; i++) {
		const struct simhash_entry *e = &x->v[i];
		int d = simhash_distance(h, e->hash);

		if (e->hash != 0 && e->t >= now - window && e->t <= now &&
		    d < bestd) {
			bestd = d;
			best = e;
		}
	}
	return best;
}

/*
 * The lookup by bands finds exactly what a scan of the window finds, the
 * nearest and then the oldest, also after expiry has moved the window on:
 * random hashes, near copies of them 0 to 5 bits off, and exact repeats.
 */
START_TEST(banded_lookup_equals_scan)
{
	struct simhash_index	 x;
	uint64_t		 r = 0x9e3779b97f4a7c15ULL, kept[512];
	char			 id[32];
	int			 found = 0;

	simhash_index_init(&x);
	for (int i = 0; i < 20000; i++) {
		uint64_t h;
		int64_t	 t = i * 10;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		h = r;
		if (i >= 512 && r % 3 == 0) {	/* near an earlier one */
			h = kept[(r >> 8) % 512];
			for (int k = 0; k < (int)((r >> 20) % 6); k++)
				h ^= 1ULL << ((r >> (24 + 6 * k)) % 64);
		}
		for (int maxdist = 0; maxdist <= 3; maxdist++) {
			const struct simhash_entry *want = find_by_scan(&x, h,
			    t, 5000, maxdist);
			const struct simhash_entry *got = simhash_index_find(&x,
			    h, t, 5000, maxdist);

			ck_assert_ptr_eq(got, want);
			found += got != NULL;
		}
		snprintf(id, sizeof(id), "a%d", i);
		if (h != 0)
			ck_assert_int_eq(simhash_index_add(&x, h, t, id), 0);
		kept[i % 512] = h;
		simhash_index_expire(&x, t, 5000);
	}
	/* The window held about 500 entries, and matches were many. */
	ck_assert_uint_le(x.n, 502);
	ck_assert_int_gt(found, 5000);
	simhash_index_free(&x);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("simhash");
	TCase	*tc = tcase_create("simhash");

	tcase_add_test(tc, same_as_the_plain_vote);
	tcase_add_test(tc, repeated_shingles_do_not_wrap);
	tcase_add_test(tc, near_copies_are_near);
	tcase_add_test(tc, window_of_recent_hashes);
	tcase_add_test(tc, banded_lookup_equals_scan);
	tcase_add_test(tc, distance_counts_bits);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
