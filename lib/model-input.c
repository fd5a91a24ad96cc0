/*
 * model-input.c: one article's evidence for one market, split into what
 * it reports as done (the clean firings of "fact" rules) and the rest.
 * See model.h and docs/MODEL.md.
 */
#include "model.h"
#include "score.h"

/* Modifiers that make a firing of a fact rule something less than a report
 * that the event happened ("did not sign", "reportedly met", "will call",
 * "if they meet", "Trump's envoy met Putin"). */
#define MODEL_NOT_DONE	((1u << MOD_NEGATION) | (1u << MOD_DENIAL) | \
			 (1u << MOD_HEDGE) | (1u << MOD_INTENT) | \
			 (1u << MOD_QUESTION) | (1u << MOD_RECAP) | \
			 (1u << MOD_WRONG_ACTOR))

/*
 * The scorer's total (capped, credibility applied) is the whole; the fact
 * part is the sum of the clean positive firings of fact rules, shrunk by
 * the cap as the total was (total / raw, in (0, 1]), and the rumour part
 * what remains.
 * Markets without fact rules skip the evidence walk.
 */
int
model_input_get(struct scorer *sc, const struct market_set *set, uint32_t i,
    struct model_input *out)
{
	const struct market	*m = &set->markets[i];
	const struct evidence	*ev;
	double			 total = scorer_total(sc, i), raw, fact = 0.0;
	long			 n;

	out->rumour = total;
	out->fact = 0.0;
	if (m->nfact == 0 || total == 0.0)
		return 0;
	if ((n = scorer_evidence(sc, i, &ev)) < 0)
		return -1;
	for (long k = 0; k < n; k++)
		if (m->rules[ev[k].rule].fact && ev[k].weight > 0.0 &&
		    (ev[k].mods & MODEL_NOT_DONE) == 0)
			fact += ev[k].weight;
	if (fact <= 0.0)
		return 0;
	raw = scorer_raw_total(sc, i);
	if (raw != total && raw != 0.0)
		fact *= total / raw;	/* the cap shrinks every part alike */
	out->fact = fact;
	out->rumour = total - fact;
	return 0;
}
