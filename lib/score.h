/*
 * score.h: one pass over an article for every rule of every market.
 *
 * scorer_new() compiles every phrase of a market set (rule terms and
 * modifier cues alike) into one matcher (match.h).  scorer_run() walks a
 * prepared text's tokens once, finds the phrases, judges each in its
 * sentence (negation, denial, hedging, intent, questions, wrong actors)
 * and sums, per market, the weight of the evidence times the source's
 * credibility, with repeated mentions of a rule worth less each time and
 * the total capped per market (the market's step_cap).
 *
 * The totals are computed without materialising evidence, so the cost of an
 * article stays nearly flat in the number of markets; scorer_evidence()
 * then explains any one market on demand.  A scorer holds per-article
 * state: one per thread, and the results of scorer_run() stay valid until
 * the next call.
 */
#ifndef PM_SCORE_H
#define PM_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "market.h"
#include "text.h"

struct scorer;

/* One piece of evidence: a rule firing at a place in the text. */
struct evidence {
	uint32_t	 market;	/* index in the market set */
	uint32_t	 rule;		/* index in the market's rules */
	uint32_t	 start, end;	/* original bytes (see text_span()) */
	unsigned	 mods;		/* bit (1 << modifier_id) for each applied */
	double		 weight;	/* signed contribution, all factors applied */
};

/* Compile the matcher; NULL with one line in err on failure. */
struct scorer	*scorer_new(const struct market_set *, char *err, size_t errsize);
void		 scorer_free(struct scorer *);

/*
 * Score t (prepared with text_prepare(); the scorer marks clause breaks in
 * its tokens) from a source of the given credibility (0..1).  Returns 0 or
 * -1 (out of memory, or the matcher failed).
 */
int		 scorer_run(struct scorer *, struct text *t, double credibility);

/* Markets with any evidence in the last run, in ascending index order. */
size_t		 scorer_touched(struct scorer *, const uint32_t **markets);

/* The capped total of market i in the last run (0 without evidence). */
double		 scorer_total(const struct scorer *, uint32_t market);
/* Its uncapped sum. */
double		 scorer_raw_total(const struct scorer *, uint32_t market);

/*
 * The evidence behind market i in the last run, sorted by position; the
 * array stays valid until the next scorer_evidence() or scorer_run().
 * Returns the count, or -1 when out of memory.
 */
long		 scorer_evidence(struct scorer *, uint32_t market,
		    const struct evidence **out);

/*
 * The evidence of market i as a JSON array text (the "evidence" of a delta):
 * [{"rule","text","field","span":[start,end],"modifiers":[...],"weight"}].
 * Spans are byte offsets into the original title or body.  malloc'd, or
 * NULL when out of memory.
 */
char		*scorer_evidence_json(struct scorer *, const struct text *t,
		    uint32_t market);

/* How many literals (phrases and cues) the matcher holds. */
size_t		 scorer_patterns(const struct scorer *);

/*
 * Prefix lengths the matcher needs for "word*" phrases: pass them to
 * text_set_prefixes() before text_prepare(), or such phrases never match.
 */
uint32_t	 scorer_prefix_mask(const struct scorer *);

#endif
