/*
 * match.h: the phrase matcher.  Every literal of a market set (rule terms
 * and modifier cues alike) is a sequence of token hashes (see text.h);
 * match_new() compiles all of them into one word table and one trie over
 * word ids, and match_run() finds every occurrence of every literal in a
 * prepared text: each token is looked up once, and the trie is walked from
 * the tokens that start a literal.  One pass whatever the number of
 * literals, and whole words by construction (a byte-level scan has to
 * report, then discard, every "no" inside "now").  Literals never match
 * across sentences.
 *
 * A matcher holds per-text state: one per thread, and the hits of
 * match_run() stay valid until the next call.
 */
#ifndef PM_MATCH_H
#define PM_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "market.h"
#include "text.h"

struct matcher;

/* Literal lit (an index into the set's lits) found at tokens [tok0, tok1). */
struct match_hit {
	uint32_t	 lit;
	uint32_t	 tok0, tok1;
};

/* Compile every literal of set; NULL with one line in err on failure. */
struct matcher	*match_new(const struct market_set *set, char *err,
		    size_t errsize);
void		 match_free(struct matcher *);

/*
 * Prefix lengths that "word*" literals need: pass them to
 * text_set_prefixes() before text_prepare(), or such literals never match.
 */
uint32_t	 match_prefix_mask(const struct matcher *);

/*
 * Every occurrence of every literal in t, ordered by first token; at one
 * token, those of whole words first (by length, then literal index), then
 * those that start with a "word*" prefix (in the same order).  Returns the
 * count, or -1 when out of memory.
 */
long		 match_run(struct matcher *, const struct text *t,
		    const struct match_hit **hits);

#endif
