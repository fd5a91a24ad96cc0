/*
 * keyset.c: open addressing with linear probing over 64-bit FNV-1a hashes
 * of (scope, key); slots compare the strings themselves, so two pairs
 * that share a hash are still told apart.  Removal shifts the rest of the
 * cluster back (no tombstones), so lookups stay short however many pairs
 * come and go.
 */
#include <stdlib.h>
#include <string.h>

#include "keyset.h"

#define KEYSET_MIN_CAP	64

/* FNV-1a over scope, a byte no C string holds (0xff in UTF-8), key. */
static uint64_t
keyset_hash(const char *scope, const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)scope; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h != 0 ? h : 1;	/* 0 marks an empty slot */
}

void
keyset_init(struct keyset *ks)
{
	memset(ks, 0, sizeof(*ks));
}

void
keyset_free(struct keyset *ks)
{
	free(ks->v);
	keyset_init(ks);
}

void
keyset_clear(struct keyset *ks)
{
	if (ks->v != NULL)
		memset(ks->v, 0, ks->cap * sizeof(*ks->v));
	ks->n = 0;
}

/* The slot holding (scope, key), or the empty slot where it would go. */
static struct keyset_slot *
keyset_find(const struct keyset *ks, uint64_t h, const char *scope,
    const char *key)
{
	size_t mask = ks->cap - 1, i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		struct keyset_slot *s = &ks->v[i];

		if (s->hash == 0)
			return s;
		if (s->hash == h && strcmp(s->key, key) == 0 &&
		    strcmp(s->scope, scope) == 0)
			return s;
	}
}

/* Double the table (kept at most half full); -1 when out of memory. */
static int
keyset_grow(struct keyset *ks)
{
	struct keyset	old = *ks;
	size_t		cap = ks->cap ? ks->cap * 2 : KEYSET_MIN_CAP;

	if ((ks->v = calloc(cap, sizeof(*ks->v))) == NULL) {
		ks->v = old.v;
		return -1;
	}
	ks->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].hash != 0)
			*keyset_find(ks, old.v[i].hash, old.v[i].scope,
			    old.v[i].key) = old.v[i];
	free(old.v);
	return 0;
}

int
keyset_add(struct keyset *ks, const char *scope, const char *key)
{
	uint64_t		 h = keyset_hash(scope, key);
	struct keyset_slot	*s;

	if ((ks->n + 1) * 2 > ks->cap && keyset_grow(ks) == -1)
		return -1;
	s = keyset_find(ks, h, scope, key);
	if (s->hash == 0) {
		*s = (struct keyset_slot){ h, scope, key };
		ks->n++;
	}
	return 0;
}

int
keyset_has(const struct keyset *ks, const char *scope, const char *key)
{
	if (ks->n == 0)
		return 0;
	return keyset_find(ks, keyset_hash(scope, key), scope, key)->hash != 0;
}

int
keyset_remove(struct keyset *ks, const char *scope, const char *key)
{
	struct keyset_slot	*s;
	size_t			 mask = ks->cap - 1, i, j, home;

	if (ks->n == 0)
		return 0;
	s = keyset_find(ks, keyset_hash(scope, key), scope, key);
	if (s->hash == 0)
		return 0;
	/*
	 * Backward shift: each later member of the cluster moves into the
	 * hole unless its home slot lies cyclically in (hole, its slot].
	 */
	i = (size_t)(s - ks->v);
	for (j = (i + 1) & mask; ks->v[j].hash != 0; j = (j + 1) & mask) {
		home = (size_t)ks->v[j].hash & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			ks->v[i] = ks->v[j];
			i = j;
		}
	}
	memset(&ks->v[i], 0, sizeof(ks->v[i]));
	ks->n--;
	return 1;
}
