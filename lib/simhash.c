/*
 * simhash.c: 64-bit SimHash over token 3-shingles, and a window of recent
 * hashes.  See simhash.h.
 */
#include <stdlib.h>
#include <string.h>

#include "simhash.h"

/* FNV-1a, then the splitmix64 finaliser to spread the bits. */
static uint64_t
simhash_mix(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static uint64_t
rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/*
 * Byte lanes of a shingle hash's bit counters: spread the 8 bits of byte x
 * into the low bit of 8 bytes (bit k to byte k), without a table.
 */
static uint64_t
simhash_spread(uint64_t x)
{
	uint64_t v = (x & 0xff) * 0x0101010101010101ULL &
	    0x8040201008040201ULL;

	return ((v + 0x7f7f7f7f7f7f7f7fULL) >> 7) & 0x0101010101010101ULL;
}

/* Add the byte-lane counters into the 64 bit counts; clear them. */
static void
simhash_flush(uint64_t acc[8], uint32_t count[64])
{
	for (int j = 0; j < 8; j++) {
		for (int k = 0; k < 8; k++)
			count[8 * j + k] += (uint32_t)(acc[j] >> (8 * k)) & 0xff;
		acc[j] = 0;
	}
}

/*
 * Shingles of three words, from the tokens' hashes (punctuation ignored).
 * Bit b of the result is set when more shingle hashes have bit b set than
 * clear.  The set bits are counted eight at a time in byte lanes (flushed
 * before a lane can overflow), which gives the same counts as a loop over
 * the 64 bits of every shingle, several times faster.
 */
uint64_t
simhash_text(const struct text *t)
{
	uint32_t	 count[64];
	uint64_t	 acc[8], out = 0, h1 = 0, h2 = 0;
	size_t		 nw = 0, nsh = 0, lane = 0;

	for (size_t i = 0; i < t->ntoks; i++)
		nw += t->toks[i].kind == TOK_WORD;
	if (nw < SIMHASH_MIN_TOKENS)
		return 0;
	memset(count, 0, sizeof(count));
	memset(acc, 0, sizeof(acc));
	nw = 0;
	for (size_t i = 0; i < t->ntoks; i++) {
		uint64_t h3, h;

		if (t->toks[i].kind != TOK_WORD)
			continue;
		h3 = t->toks[i].hash;
		if (++nw >= 3) {
			h = simhash_mix(h1 ^ rotl(h2, 21) ^ rotl(h3, 42));
			for (int j = 0; j < 8; j++)
				acc[j] += simhash_spread(h >> (8 * j));
			nsh++;
			if (++lane == 255) {
				simhash_flush(acc, count);
				lane = 0;
			}
		}
		h1 = h2;
		h2 = h3;
	}
	simhash_flush(acc, count);
	/* More ones than zeros: 2 * ones > shingles. */
	for (int b = 0; b < 64; b++)
		if (2 * (uint64_t)count[b] > nsh)
			out |= 1ULL << b;
	/* 0 means "not judged": keep a real hash away from it. */
	return out != 0 ? out : 1;
}

/* Differing bits.  SWAR popcount: inline, where __builtin_popcountll
 * without -mpopcnt is a call into libgcc for every entry of the window. */
int
simhash_distance(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;

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
	memset(x, 0, sizeof(*x));
}

int
simhash_index_add(struct simhash_index *x, uint64_t hash, int64_t t,
    const char *id)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 256;
		struct simhash_entry *n = realloc(x->v, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		x->v = n;
		x->cap = cap;
	}
	if ((x->v[x->n].id = strdup(id != NULL ? id : "")) == NULL)
		return -1;
	x->v[x->n].hash = hash;
	x->v[x->n].t = t;
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
		memmove(x->v, x->v + k, (x->n - k) * sizeof(*x->v));
		x->n -= k;
	}
}

const struct simhash_entry *
simhash_index_find(const struct simhash_index *x, uint64_t hash, int64_t now,
    int64_t window, int maxdist)
{
	const struct simhash_entry	*best = NULL;
	int				 bestd = maxdist + 1;

	if (hash == 0)
		return NULL;
	for (size_t i = 0; i < x->n; i++) {
		const struct simhash_entry *e = &x->v[i];
		int d;

		if (e->hash == 0 || e->t < now - window || e->t > now)
			continue;
		d = simhash_distance(hash, e->hash);
		if (d < bestd) {
			bestd = d;
			best = e;
		}
	}
	return best;
}
