/*
 * simhash.c: 64-bit SimHash over token 3-shingles, and a window of recent
 * hashes.  See simhash.h.
 */
#include <stdlib.h>
#include <string.h>

#include "simhash.h"

static uint64_t
rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* The hash of a shingle: its words' hashes combined, then the splitmix64
 * finaliser to spread the bits. */
uint64_t
simhash_shingle(uint64_t w1, uint64_t w2, uint64_t w3)
{
	uint64_t h = w1 ^ rotl(w2, 21) ^ rotl(w3, 42);

	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

/*
 * simhash_spread[x]: the 8 bits of byte x moved to the low bits of 8 bytes,
 * so that adding simhash_spread[(h >> 8k) & 0xff] to a uint64_t adds bit
 * 8k+j of h to its byte j: eight counters in one word, one addition per
 * byte of h instead of one per bit.
 */
#define SPREAD_BIT(x, j)	((uint64_t)(((x) >> (j)) & 1) << (8 * (j)))
#define SPREAD(x)	(SPREAD_BIT(x, 0) | SPREAD_BIT(x, 1) | SPREAD_BIT(x, 2) | \
			 SPREAD_BIT(x, 3) | SPREAD_BIT(x, 4) | SPREAD_BIT(x, 5) | \
			 SPREAD_BIT(x, 6) | SPREAD_BIT(x, 7))
#define SPREAD4(x)	SPREAD(x), SPREAD((x) + 1), SPREAD((x) + 2), SPREAD((x) + 3)
#define SPREAD16(x)	SPREAD4(x), SPREAD4((x) + 4), SPREAD4((x) + 8), SPREAD4((x) + 12)
#define SPREAD64(x)	SPREAD16(x), SPREAD16((x) + 16), SPREAD16((x) + 32), \
			SPREAD16((x) + 48)

static const uint64_t simhash_spread[256] = {
	SPREAD64(0), SPREAD64(64), SPREAD64(128), SPREAD64(192)
};

/* Add the 8-bit lane counters of acc into the bit counts c (64 of them). */
static void
simhash_flush(uint64_t acc[8], uint32_t c[64])
{
	for (int k = 0; k < 8; k++) {
		for (int j = 0; j < 8; j++)
			c[8 * k + j] += (uint32_t)((acc[k] >> (8 * j)) & 0xff);
		acc[k] = 0;
	}
}

/*
 * Shingles of three words, from the tokens' hashes (punctuation ignored).
 * Bit b of the SimHash is set when more than half of the shingle hashes
 * have it set (Charikar's +1/-1 vote, counted as ones: v = 2 * ones - n).
 * The ones are counted eight bits at a time in byte lanes (see
 * simhash_spread[]) and flushed before a lane can overflow (255 shingles).
 */
uint64_t
simhash_text(const struct text *t)
{
	uint64_t	 acc[8] = { 0 }, out = 0, h1 = 0, h2 = 0;
	uint32_t	 c[64];
	size_t		 nw = 0, n = 0;
	unsigned	 lane = 0;

	memset(c, 0, sizeof(c));
	for (size_t i = 0; i < t->ntoks; i++) {
		uint64_t h3, h;

		if (t->toks[i].kind != TOK_WORD)
			continue;
		h3 = t->toks[i].hash;
		if (++nw >= 3) {
			h = simhash_shingle(h1, h2, h3);
			for (int k = 0; k < 8; k++)
				acc[k] += simhash_spread[(h >> (8 * k)) & 0xff];
			n++;
			if (++lane == 255) {
				simhash_flush(acc, c);
				lane = 0;
			}
		}
		h1 = h2;
		h2 = h3;
	}
	if (nw < SIMHASH_MIN_TOKENS)
		return 0;
	simhash_flush(acc, c);
	for (int b = 0; b < 64; b++)
		if (2 * (uint64_t)c[b] > n)
			out |= 1ULL << b;
	/* 0 means "not judged": keep a real hash away from it. */
	return out != 0 ? out : 1;
}

int
simhash_distance(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;

	/* SWAR popcount: inline, where __builtin_popcountll without
	 * -mpopcnt is a call into libgcc for every entry of the window. */
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (int)((x * 0x0101010101010101ULL) >> 56);
}

void
simhash_index_init(struct simhash_index *x)
{
	memset(x, 0, sizeof(*x));
}

void
simhash_index_free(struct simhash_index *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->v[i].id);
	free(x->v);
	free(x->heads);
	memset(x, 0, sizeof(*x));
}

/* The bucket of band b of hash h. */
static inline size_t
simhash_bucket(uint64_t h, int b)
{
	uint64_t band = (h >> (16 * b)) & 0xffff;

	/* Fold the 16 bits: similar bands spread over the buckets. */
	return (size_t)b << SIMHASH_BUCKET_BITS |
	    (size_t)((band * 0x9e37u) >> 4 & ((1u << SIMHASH_BUCKET_BITS) - 1));
}

int
simhash_index_add(struct simhash_index *x, uint64_t hash, int64_t t,
    const char *id)
{
	struct simhash_entry	*e;
	uint64_t		 num = x->base + x->n;

	if (x->heads == NULL && (x->heads = calloc((size_t)SIMHASH_BANDS <<
	    SIMHASH_BUCKET_BITS, sizeof(*x->heads))) == NULL)
		return -1;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct simhash_entry *n = realloc(x->v, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		x->v = n;
		x->cap = cap;
	}
	e = &x->v[x->n];
	if ((e->id = strdup(id != NULL ? id : "")) == NULL)
		return -1;
	e->hash = hash;
	e->t = t;
	for (int b = 0; b < SIMHASH_BANDS; b++) {
		size_t k = simhash_bucket(hash, b);

		e->next[b] = x->heads[k];
		x->heads[k] = num + 1;
	}
	x->n++;
	return 0;
}

void
simhash_index_expire(struct simhash_index *x, int64_t now, int64_t window)
{
	size_t k = 0;

	while (k < x->n && x->v[k].t < now - window)
		free(x->v[k++].id);
	if (k > 0) {
		/* Bucket chains run newest to oldest and stop at base. */
		memmove(x->v, x->v + k, (x->n - k) * sizeof(*x->v));
		x->n -= k;
		x->base += k;
	}
}

/* Is e a better match than best (at bestd bits)?  Nearest, then oldest. */
static int
simhash_consider(const struct simhash_entry *e, uint64_t hash, int64_t now,
    int64_t window, const struct simhash_entry *best, int *bestd)
{
	int d;

	if (e->hash == 0 || e->t < now - window || e->t > now)
		return 0;
	d = simhash_distance(hash, e->hash);
	if (d < *bestd || (d == *bestd && best != NULL && e < best)) {
		*bestd = d;
		return 1;
	}
	return 0;
}

const struct simhash_entry *
simhash_index_find(const struct simhash_index *x, uint64_t hash, int64_t now,
    int64_t window, int maxdist)
{
	const struct simhash_entry	*best = NULL;
	int				 bestd = maxdist + 1;

	if (hash == 0)
		return NULL;
	if (maxdist >= SIMHASH_BANDS || x->heads == NULL) {
		for (size_t i = 0; i < x->n; i++)
			if (simhash_consider(&x->v[i], hash, now, window, best,
			    &bestd))
				best = &x->v[i];
		return best;
	}
	/* Within maxdist < SIMHASH_BANDS bits, some band is equal. */
	for (int b = 0; b < SIMHASH_BANDS; b++) {
		uint64_t num = x->heads[simhash_bucket(hash, b)];

		while (num > x->base) {
			const struct simhash_entry *e = &x->v[num - 1 - x->base];

			if (simhash_consider(e, hash, now, window, best, &bestd))
				best = e;
			num = e->next[b];
		}
	}
	return best;
}
