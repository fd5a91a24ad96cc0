/*
 * simhash.h: near-duplicate detection.  A 64-bit SimHash (Charikar) over
 * shingles of three normalised words: syndicated copies of one story (the
 * same text with a different headline, byline or a sentence more) land
 * within a few bits of each other, different stories about 32 bits apart.
 *
 * struct simhash_index remembers recent hashes with their article ids and
 * times, in arrival order, and answers "was something within d bits seen
 * in the last W seconds?".  For d < SIMHASH_BANDS it looks only at the
 * entries that share one of the hash's four 16-bit bands (two hashes
 * within 3 bits agree on at least one band), so a window of hundreds of
 * thousands of articles costs a few comparisons, not a scan of them all.
 */
#ifndef PM_SIMHASH_H
#define PM_SIMHASH_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"

#define SIMHASH_MIN_TOKENS	10	/* texts of fewer words are never duplicates */
#define SIMHASH_DEFAULT_DISTANCE 3

/* The 64-bit hash of the shingle of three words (their token hashes). */
uint64_t	 simhash_shingle(uint64_t w1, uint64_t w2, uint64_t w3);
/* SimHash of a prepared text; 0 if it has fewer than SIMHASH_MIN_TOKENS. */
uint64_t	 simhash_text(const struct text *);
int		 simhash_distance(uint64_t, uint64_t);

#define SIMHASH_BANDS		4	/* of 16 bits: exact for distances < 4 */
#define SIMHASH_BUCKET_BITS	12	/* buckets per band: 4096 */

struct simhash_entry {
	uint64_t	 hash;
	int64_t		 t;
	char		*id;
	/* The previous entry in this band's bucket, as its number + 1 (0:
	 * none); entry numbers count every entry ever added. */
	uint64_t	 next[SIMHASH_BANDS];
};

struct simhash_index {
	struct simhash_entry *v;	/* oldest first; v[0] is entry number base */
	size_t		 n, cap;
	uint64_t	 base;
	uint64_t	*heads;		/* [band][bucket]: newest entry number + 1 */
};

void	 simhash_index_init(struct simhash_index *);
void	 simhash_index_free(struct simhash_index *);
/* Remember hash at time t; -1 when out of memory. */
int	 simhash_index_add(struct simhash_index *, uint64_t hash, int64_t t,
	    const char *id);
/* Forget entries older than now - window. */
void	 simhash_index_expire(struct simhash_index *, int64_t now, int64_t window);
/*
 * The nearest entry within maxdist bits seen in [now - window, now], or
 * NULL.  A zero hash (too short to judge) never matches.
 */
const struct simhash_entry *simhash_index_find(const struct simhash_index *,
	    uint64_t hash, int64_t now, int64_t window, int maxdist);

#endif
