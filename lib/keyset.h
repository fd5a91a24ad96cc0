/*
 * keyset.h: a set of (scope, key) string pairs, such as (feed, guid), for
 * exact membership tests in O(1).  The set borrows the strings: each pair
 * must stay valid, unchanged, until it is removed or the set is cleared.
 * The daemon keeps the identities of articles it holds in memory but has
 * not stored yet here, so that a re-poll does not take them twice.
 */
#ifndef PM_KEYSET_H
#define PM_KEYSET_H

#include <stddef.h>
#include <stdint.h>

struct keyset_slot {
	uint64_t	 hash;		/* 0: empty */
	const char	*scope;
	const char	*key;
};

struct keyset {
	struct keyset_slot	*v;	/* open addressing, linear probing */
	size_t			 cap;	/* a power of two, or 0 */
	size_t			 n;
};

void	keyset_init(struct keyset *);
void	keyset_free(struct keyset *);
/* Forget every pair, keeping the table. */
void	keyset_clear(struct keyset *);
/* Add a pair (a pair already there is kept once): 0, or -1 out of memory. */
int	keyset_add(struct keyset *, const char *scope, const char *key);
/* 1 if the pair (compared by content) is in the set, else 0. */
int	keyset_has(const struct keyset *, const char *scope, const char *key);
/* Remove the pair if it is there; 1 if it was, else 0. */
int	keyset_remove(struct keyset *, const char *scope, const char *key);

#endif
