/*
 * model.h: the probability of one market as a function of its evidence and
 * of time.  docs/MODEL.md explains the maths.
 *
 * Two kinds of evidence (log units), kept apart because they age apart:
 *
 *  - E, news that the event may come ("talks progress", "a call is
 *    planned", "Kremlin rules out a summit"): it fades, halving every
 *    half_life seconds, and saturates at the market's evidence_cap (many
 *    reports of the same news add less and less);
 *  - H, reports that the event HAS happened ("the two presidents spoke by
 *    phone on Sunday", "the agreement was signed"): a completed event
 *    does not become less done as time passes, so H never fades.  q = 1 -
 *    exp(-H) is the probability that it has already happened.
 *
 *  - deadline markets ("will X happen by T"): a hazard rate for what is
 *    still to come.  The prior fixes lambda0 = -ln(1 - prior) / (T -
 *    opens), so that p(opens) = prior; the rate at a time s ahead is
 *    lambda0 * exp(E 2^(-s/h)) as E fades, and
 *        p(t) = 1 - (1 - q) * exp(-integral_t^T rate)
 *    (closed form in model.c).  Without news p drifts down to q (0
 *    without a report) at the deadline.
 *  - binary markets: p = 1 - (1 - q) * (1 - sigmoid(logit(prior) + E)).
 *
 * Everything is a pure function of its arguments (time included), so the
 * same inputs give bit-identical outputs.
 */
#ifndef PM_MODEL_H
#define PM_MODEL_H

#include <stdint.h>

#include "market.h"

#define MODEL_EVIDENCE_MAX	30.0	/* |E| and H are clamped here (log units) */

struct scorer;

struct model_state {
	double	 evidence;	/* E as of evidence_at */
	int64_t	 evidence_at;	/* PM_TIME_NONE: no evidence yet */
	double	 happened;	/* H >= 0: never fades */
};

/*
 * One article's evidence for one market, split: what it says of the
 * future (fades) and what it reports as done (does not).
 */
struct model_input {
	double	 rumour;	/* log units, added to E */
	double	 fact;		/* log units of fact rules, >= 0; times fact_scale into H */
};

void	model_init(struct model_state *);

/* Is the market open at now (opens <= now <= deadline)? */
int	model_is_open(const struct market *, int64_t now);
/* Has it closed (now > deadline)? */
int	model_is_closed(const struct market *, int64_t now);

/* E at now, faded since it was last updated. */
double	model_evidence(const struct market *, const struct model_state *,
	    int64_t now);

/* q: the probability that the event has already happened (1 - exp(-H)). */
double	model_happened(const struct model_state *);

/* p at now; times outside [opens, deadline] are clamped into it. */
double	model_p(const struct market *, const struct model_state *, int64_t now);

/* p at now of the market with no evidence at all. */
double	model_p_no_news(const struct market *, int64_t now);

/* Add evidence w (log units) to E at now: fade what is there, then add. */
void	model_add(const struct market *, struct model_state *, double w,
	    int64_t now);

/*
 * Add one article's split evidence at now: in->rumour to E (as
 * model_add), in->fact * the market's fact_scale to H.
 */
void	model_update(const struct market *, struct model_state *,
	    const struct model_input *in, int64_t now);

/*
 * Split the last scorer_run()'s evidence for market i of set (see
 * lib/model-input.c): the clean firings of the market's "fact" rules (no
 * negation, denial, hedge, intent, question or wrong actor) are fact, the
 * rest rumour; the two add up to scorer_total().  0, or -1 when out of
 * memory.
 */
int	model_input_get(struct scorer *, const struct market_set *set,
	    uint32_t i, struct model_input *out);

#endif
