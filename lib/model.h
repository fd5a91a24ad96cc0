/*
 * model.h: the probability of one market as a function of its evidence and
 * of time.  docs/MODEL.md explains the maths.
 *
 *  - deadline markets ("will X happen by T"): a hazard rate.  The prior
 *    fixes the base rate lambda0 = -ln(1 - prior) / (T - opens), so that
 *    p(opens) = prior; evidence E (log units) scales it, lambda =
 *    lambda0 * exp(E), and p(t) = 1 - exp(-lambda * (T - t)).  Without
 *    news p drifts down to 0 as the deadline nears.
 *  - binary markets: log-odds, p = sigmoid(logit(prior) + E).
 *
 * Evidence fades: E halves every half_life seconds.  Everything is a pure
 * function of its arguments (time included), so the same inputs give
 * bit-identical outputs.
 */
#ifndef PM_MODEL_H
#define PM_MODEL_H

#include <stdint.h>

#include "market.h"

#define MODEL_EVIDENCE_MAX	30.0	/* |E| is clamped here (log units) */

struct model_state {
	double	 evidence;	/* E as of evidence_at */
	int64_t	 evidence_at;	/* PM_TIME_NONE: no evidence yet */
};

void	model_init(struct model_state *);

/* Is the market open at now (opens <= now <= deadline)? */
int	model_is_open(const struct market *, int64_t now);
/* Has it closed (now > deadline)? */
int	model_is_closed(const struct market *, int64_t now);

/* E at now, faded since it was last updated. */
double	model_evidence(const struct market *, const struct model_state *,
	    int64_t now);

/* p at now; times outside [opens, deadline] are clamped into it. */
double	model_p(const struct market *, const struct model_state *, int64_t now);

/* p at now of the market with no evidence at all. */
double	model_p_no_news(const struct market *, int64_t now);

/* Add evidence w (log units) at now: fade what is there, then add. */
void	model_add(const struct market *, struct model_state *, double w,
	    int64_t now);

#endif
