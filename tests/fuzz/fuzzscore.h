/*
 * fuzzscore.h: score one article (title, body) against a compiled market
 * set and check the results: every touched market's total is finite and
 * within its step cap, every piece of evidence lies inside the text, and
 * the evidence JSON is valid UTF-8.  Shared by fuzz-score.c and
 * fuzz-markets.c.
 */
#ifndef PM_FUZZSCORE_H
#define PM_FUZZSCORE_H

#include <math.h>

#include "fuzzcheck.h"
#include "market.h"
#include "score.h"
#include "simhash.h"
#include "text.h"

static void
fuzz_score_article(const struct market_set *set, struct scorer *sc,
    struct text *t, const char *title, const char *body)
{
	const uint32_t		*touched;
	const struct evidence	*ev;
	size_t			 n;
	long			 nev;
	char			*js;

	if (text_prepare(t, title, body) == -1)
		return;
	(void)simhash_text(t);
	if (scorer_run(sc, t, 0.75) == -1)
		return;
	n = scorer_touched(sc, &touched);
	for (size_t i = 0; i < n; i++) {
		const struct market *m = &set->markets[touched[i]];
		double total = scorer_total(sc, touched[i]);

		FUZZ_CHECK(touched[i] < set->nmarkets);
		FUZZ_CHECK(isfinite(total));
		FUZZ_CHECK(fabs(total) <= m->step_cap + 1e-9);
		FUZZ_CHECK(isfinite(scorer_raw_total(sc, touched[i])));
		if ((nev = scorer_evidence(sc, touched[i], &ev)) < 0)
			continue;
		for (long k = 0; k < nev; k++) {
			FUZZ_CHECK(ev[k].market == touched[i]);
			FUZZ_CHECK(ev[k].rule < m->nrules);
			FUZZ_CHECK(ev[k].start <= ev[k].end);
			FUZZ_CHECK(ev[k].end <= t->olen);
			FUZZ_CHECK(isfinite(ev[k].weight));
		}
		if ((js = scorer_evidence_json(sc, t, touched[i])) != NULL) {
			if (fuzz_utf8_ok(title) && fuzz_utf8_ok(body))
				FUZZ_CHECK(fuzz_utf8_ok(js));
			free(js);
		}
	}
}

#endif
