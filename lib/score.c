/*
 * score.c: the scoring engine.  See score.h for the contract.
 *
 * Matching works on tokens, not bytes: lib/match.c finds every phrase of
 * every market (rule terms and modifier cues alike) in one pass over an
 * article's tokens, whole words by construction.  (docs/MARKETS.md and
 * tests/bench/bench-score compare that matcher with vectorscan on the same
 * phrases.)  Each hit becomes an occurrence of the terms the phrase
 * belongs to, and a cue when it is one.
 *
 * Two paths share the work:
 *  - fast: a rule with one term and no vetoes (most rules, and every rule
 *    of a plain phrase list) depends only on its term's occurrences, so
 *    the term's occurrences are judged once (context factors, diminishing
 *    repeats) into one sum S, and each such rule adds weight * S to its
 *    market: one multiply-add per rule;
 *  - slow: rules with several terms ("Trump" AND "Putin" AND a call word),
 *    vetoes or rivals are evaluated sentence by sentence, only when all
 *    their terms occurred.
 *
 * With up to SCORER_DENSE_MAX markets the totals live in one array that
 * is cleared before each article and whose touched entries are flagged as
 * rules add to them; with more, a list of touched markets is kept.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonw.h"
#include "match.h"
#include "score.h"

#define CUE_BEFORE(m)	(1u << (2 * (m)))
#define CUE_AFTER(m)	(1u << (2 * (m) + 1))
#define CUE_CLAUSE(m)	(1u << (12 + (m)))	/* with CUE_BEFORE(m): ends at any break */
#define CUE_CLAUSE_BITS	(((1u << CUE_MODS) - 1) << 12)
#define CUE_BREAK	(1u << 31)
#define CUE_SOFT_BREAK	(1u << 30)
#define CUE_MODS	6	/* negation .. recap have cue lists */
#define CUE_MOD_BITS	((1u << (2 * CUE_MODS)) - 1)
#define FACTOR_SETS	(1u << MOD_REPEAT)	/* negation .. wrong_actor: see scorer_factor() */

#define EXCERPT_MAX	300	/* bytes of matched text quoted in evidence */
#define SCORER_DENSE_MAX 8192	/* up to this many markets, dense accumulators */

/* A place in the text: original bytes, tokens, word ordinals, sentence. */
struct cue {
	uint32_t	 bits;
	uint32_t	 start, end;
	uint32_t	 tok0, tok1;
	uint32_t	 w0, w1;	/* words before the first, and after the last token */
	uint32_t	 sent;
};

struct occ {
	uint32_t	 start, end;	/* original bytes */
	uint32_t	 tok0, tok1;	/* tokens [tok0, tok1) */
	uint32_t	 w0, w1;	/* word ordinals, as in struct cue */
	uint32_t	 sent;
	int32_t		 next;		/* next occurrence of the same term */
	int		 judged;
	unsigned	 mods;		/* context, with the occurrence itself excluded */
};

/* One candidate firing of a slow rule. */
struct firing {
	int		 ok;
	unsigned	 mods;
	uint32_t	 start, end;
};

struct scorer {
	const struct market_set *set;

	struct matcher	*matcher;	/* every literal, see match.h */
	double		 factors[FACTOR_SETS];	/* per set of modifiers */
	uint64_t	 h_apos, h_s;	/* hashes of "'" and "s" */
	uint64_t	 h_and, h_that;	/* hashes of "and" and "that" */

	uint32_t	*lit_cue;
	uint32_t	*lit_toff, *lit_terms;		/* CSR: literal -> terms */
	struct litinfo {				/* the same, in one line */
		uint32_t cue;			/* CUE_* bits */
		uint32_t t0, t1;		/* its terms: lit_terms[t0 .. t1) */
		uint32_t term0;			/* lit_terms[t0], if any */
	}		*li;
	uint32_t	*term_soff;			/* CSR: term -> fast rules */
	struct sref {					/* ... their weights and markets */
		double	 weight;
		uint32_t market;
	}		*srefs;
	uint32_t	*term_moff, *term_mrefs;	/* CSR: term -> slow rules */

	const struct market_rule **rules;		/* global rule index */
	uint32_t	*rule_base;			/* market -> first global rule */
	uint32_t	*rule_stamp;
	uint8_t		*rule_fast;
	size_t		 nrules;
	/*
	 * Slow rules of the same shape (terms, vetoes, rivals, article terms,
	 * window) fire in the same sentences with the same modifiers: a
	 * market listed at several deadlines repeats its rules.  twin[g] is
	 * the first rule of g's shape; its firings in this article are kept
	 * in fires[] (fired[twin]) for the others to reuse.
	 */
	uint32_t	*twin;
	struct fired {
		uint32_t stamp;		/* == stamp: judged in this article */
		uint32_t off, n;	/* its firings in fires[] */
	}		*fired;
	struct firing	*fires;
	size_t		 nfires, fcap;

	/* Per article. */
	uint32_t	 stamp;
	struct text	*text;
	double		 credibility;
	uint8_t		*maskb, *maska, *cueat;		/* see scorer_build_masks() */
	uint32_t	 clause_before;	/* CUE_BEFORE(m) of modifiers with clause cues */
	/* Per coreference entry: the token hashes of its "not_after" words
	 * (compared with the tokens before an actor, never recorded as
	 * occurrences: "to", "of" are everywhere). */
	struct nahash {
		uint64_t *h;
		size_t	  n;
	}		 na[MARKET_MAX_COREFS];
	size_t		 mcap;
	int		 masks_ready;
	struct cue	*cues;
	size_t		 ncues, ccap;
	struct occ	*occs;
	size_t		 nocc, ocap;
	struct termrt {			/* per term, this article */
		uint32_t stamp;		/* == stamp: it occurred */
		int32_t	 first, last;	/* its occurrences */
		/* A cache (see scorer_sentence_first()): cur is the first
		 * occurrence in sentence cur_sent or later, -1 if none. */
		int32_t	 cur;
		uint32_t cur_sent;	/* UINT32_MAX: not asked yet */
	}		*trt;
	uint32_t	*tterms;			/* terms seen, in order */
	size_t		 ntterms;
	double		*acc;		/* per market: the sum of evidence */
	double		*cap;		/* ... its step_cap */
	uint32_t	 nmarkets;
	int		 dense;		/* few markets: see scorer_order_touched() */
	uint8_t		*mflag;		/* dense: touched (see scorer_fast_add()) */
	uint32_t	*mstamp;	/* sparse: == stamp when touched */
	uint32_t	*touched;
	size_t		 ntouched;
	uint32_t	*cand;
	size_t		 ncand;
	struct evidence	*ev;
	size_t		 nev, evcap;
};

/*
 * The factor a set of modifiers applies (a negation and a denial flip
 * once), computed for every set once: which modifiers apply is
 * unpredictable, and a table lookup has no branch.
 */
static double
scorer_factor_of(const struct modifier *md, unsigned mods)
{
	double f = 1.0;

	if (mods & (1u << MOD_NEGATION))
		f *= md[MOD_NEGATION].factor;
	else if (mods & (1u << MOD_DENIAL))
		f *= md[MOD_DENIAL].factor;
	if (mods & (1u << MOD_HEDGE))
		f *= md[MOD_HEDGE].factor;
	if (mods & (1u << MOD_INTENT))
		f *= md[MOD_INTENT].factor;
	if (mods & (1u << MOD_QUESTION))
		f *= md[MOD_QUESTION].factor;
	if (mods & (1u << MOD_RECAP))
		f *= md[MOD_RECAP].factor;
	if (mods & (1u << MOD_WRONG_ACTOR))
		f *= md[MOD_WRONG_ACTOR].factor;
	return f;
}

static double
scorer_factor(const struct scorer *s, unsigned mods)
{
	return s->factors[mods & (FACTOR_SETS - 1)];
}

/* ------------------------------------------------------------- the tables */

static int
scorer_alloc_tables(struct scorer *s)
{
	const struct market_set *set = s->set;

	s->nrules = set->nrules;
	s->lit_cue = calloc(set->nlits + 1, sizeof(*s->lit_cue));
	s->lit_toff = calloc(set->nlits + 1, sizeof(*s->lit_toff));
	s->term_soff = calloc(set->nterms + 1, sizeof(*s->term_soff));
	s->term_moff = calloc(set->nterms + 1, sizeof(*s->term_moff));
	s->trt = calloc(set->nterms + 1, sizeof(*s->trt));
	s->tterms = calloc(set->nterms + 1, sizeof(*s->tterms));
	/* An array of pointers: sizeof(pointer) is meant. */
	s->rules = calloc(set->nrules + 1,
	    sizeof(*s->rules));	/* NOLINT(bugprone-sizeof-expression) */
	s->rule_base = calloc(set->nmarkets + 1, sizeof(*s->rule_base));
	s->rule_stamp = calloc(set->nrules + 1, sizeof(*s->rule_stamp));
	s->rule_fast = calloc(set->nrules + 1, sizeof(*s->rule_fast));
	s->twin = calloc(set->nrules + 1, sizeof(*s->twin));
	s->fired = calloc(set->nrules + 1, sizeof(*s->fired));
	s->cand = calloc(set->nrules + 1, sizeof(*s->cand));
	s->acc = calloc(set->nmarkets + 1, sizeof(*s->acc));
	s->cap = calloc(set->nmarkets + 1, sizeof(*s->cap));
	s->mstamp = calloc(set->nmarkets + 1, sizeof(*s->mstamp));
	s->mflag = calloc(set->nmarkets + 1, sizeof(*s->mflag));
	s->touched = calloc(set->nmarkets + 1, sizeof(*s->touched));
	s->nmarkets = (uint32_t)set->nmarkets;
	s->dense = set->nmarkets <= SCORER_DENSE_MAX;
	if (!s->lit_cue || !s->lit_toff || !s->term_soff || !s->term_moff ||
	    !s->trt || !s->tterms ||
	    !s->rules || !s->rule_base || !s->rule_stamp || !s->rule_fast ||
	    !s->twin || !s->fired ||
	    !s->cand || !s->acc || !s->cap || !s->mstamp ||
	    !s->mflag || !s->touched)
		return -1;
	for (size_t m = 0; m < set->nmarkets; m++)
		s->cap[m] = set->markets[m].step_cap;
	return 0;
}

/* A fast rule: one term, no vetoes, every modifier applies. */
static int
rule_is_fast(const struct market_rule *r)
{
	return r->nterms == 1 && r->nnone == 0 && r->nrivals == 0 &&
	    r->narticle == 0 && r->ignore == 0;
}

/* Cue bits of each literal. */
static void
scorer_index_cues(struct scorer *s)
{
	const struct market_set *set = s->set;

	for (int m = 0; m < CUE_MODS; m++) {
		const struct modifier *md = &set->mods[m];

		for (size_t j = 0; j < md->nbefore; j++)
			s->lit_cue[md->before[j]] |= CUE_BEFORE(m);
		for (size_t j = 0; j < md->nafter; j++)
			s->lit_cue[md->after[j]] |= CUE_AFTER(m);
		for (size_t j = 0; j < md->nclause; j++)
			s->lit_cue[md->clause[j]] |= CUE_BEFORE(m) | CUE_CLAUSE(m);
		if (md->nclause > 0)
			s->clause_before |= CUE_BEFORE(m);
	}
	for (size_t j = 0; j < set->nbreaks; j++)
		s->lit_cue[set->breaks[j]] |= CUE_BREAK;
	for (size_t j = 0; j < set->nsoft_breaks; j++)
		s->lit_cue[set->soft_breaks[j]] |= CUE_SOFT_BREAK;
}

static void
mark_terms(uint8_t *used, const uint32_t *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		used[t[i]] = 1;
}

/*
 * Which terms are only some coreference entry's "not_after" words (a
 * calloc'd flag per term, or NULL): they are looked up as token hashes
 * (scorer_coref_skipped()), so their occurrences are not recorded.  The
 * hashes go to s->na.
 */
static uint8_t *
scorer_not_after_only(struct scorer *s)
{
	const struct market_set	*set = s->set;
	uint8_t			*used, *skip;

	used = calloc(set->nterms + 1, 1);
	skip = calloc(set->nterms + 1, 1);
	if (used == NULL || skip == NULL)
		goto fail;
	for (size_t m = 0; m < set->nmarkets; m++)
		for (size_t i = 0; i < set->markets[m].nrules; i++) {
			const struct market_rule *r = &set->markets[m].rules[i];

			mark_terms(used, r->terms, r->nterms);
			mark_terms(used, r->none, r->nnone);
			mark_terms(used, r->rivals, r->nrivals);
			mark_terms(used, r->article, r->narticle);
		}
	for (size_t ci = 0; ci < set->ncorefs; ci++) {
		mark_terms(used, &set->corefs[ci].anaphor, 1);
		mark_terms(used, set->corefs[ci].actors, set->corefs[ci].nactors);
	}
	for (size_t ci = 0; ci < set->ncorefs && ci < MARKET_MAX_COREFS; ci++) {
		const struct market_term *t;
		uint32_t na = set->corefs[ci].not_after;

		if (na == UINT32_MAX)
			continue;
		t = &set->terms[na];
		if ((s->na[ci].h = calloc(t->nlits + 1, sizeof(uint64_t))) == NULL)
			goto fail;
		for (size_t j = 0; j < t->nlits; j++)
			s->na[ci].h[s->na[ci].n++] = set->lits[t->lits[j]].hashes[0];
		skip[na] = !used[na];
	}
	free(used);
	return skip;
fail:
	free(used);
	free(skip);
	return NULL;
}

/* literal -> terms, as compressed rows. */
static int
scorer_index_terms(struct scorer *s)
{
	const struct market_set *set = s->set;
	uint32_t *fill;
	uint8_t	 *skip;
	size_t total;

	if ((skip = scorer_not_after_only(s)) == NULL)
		return -1;
	for (size_t t = 0; t < set->nterms; t++)
		for (size_t j = 0; j < set->terms[t].nlits && !skip[t]; j++)
			s->lit_toff[set->terms[t].lits[j] + 1]++;
	for (size_t i = 0; i < set->nlits; i++)
		s->lit_toff[i + 1] += s->lit_toff[i];
	total = s->lit_toff[set->nlits];
	s->lit_terms = calloc(total + 1, sizeof(*s->lit_terms));
	fill = calloc(set->nlits + 1, sizeof(*fill));
	if (s->lit_terms == NULL || fill == NULL) {
		free(fill);
		free(skip);
		return -1;
	}
	for (size_t t = 0; t < set->nterms; t++) {
		for (size_t j = 0; j < set->terms[t].nlits && !skip[t]; j++) {
			uint32_t l = set->terms[t].lits[j];

			s->lit_terms[s->lit_toff[l] + fill[l]++] = (uint32_t)t;
		}
	}
	free(fill);
	free(skip);
	return 0;
}

/*
 * Add g to the slow-rule row of every term it mentions, once per term
 * (fill NULL: only count).
 */
static void
scorer_count_mrefs(struct scorer *s, const struct market_rule *r, uint32_t g,
    uint32_t *fill)
{
	/* NOLINTNEXTLINE(clang-analyzer-*): callers pass a rule of the set, never NULL */
	const uint32_t	*lists[3] = { r->terms, r->none, r->rivals };
	size_t		 ns[3] = { r->nterms, r->nnone, r->nrivals };
	uint32_t	 seen[48];
	size_t		 nseen = 0;

	for (int k = 0; k < 3; k++) {
		for (size_t j = 0; j < ns[k]; j++) {
			uint32_t t = lists[k][j];
			size_t	 i;

			for (i = 0; i < nseen; i++)
				if (seen[i] == t)
					break;
			if (i < nseen)
				continue;
			seen[nseen++] = t;
			if (fill == NULL)
				s->term_moff[t + 1]++;
			else
				s->term_mrefs[s->term_moff[t] + fill[t]++] = g;
		}
	}
}

/* term -> fast rules and term -> slow rules, as compressed rows. */
static int
scorer_index_rules(struct scorer *s)
{
	const struct market_set *set = s->set;
	uint32_t *sfill, *mfill, g = 0;

	for (size_t m = 0; m < set->nmarkets; m++) {
		s->rule_base[m] = g;
		for (size_t j = 0; j < set->markets[m].nrules; j++, g++) {
			const struct market_rule *r = &set->markets[m].rules[j];

			s->rules[g] = r;
			s->rule_fast[g] = (uint8_t)rule_is_fast(r);
			if (s->rule_fast[g])
				s->term_soff[r->terms[0] + 1]++;
			else
				scorer_count_mrefs(s, r, g, NULL);
		}
	}
	for (size_t t = 0; t < set->nterms; t++) {
		s->term_soff[t + 1] += s->term_soff[t];
		s->term_moff[t + 1] += s->term_moff[t];
	}
	s->srefs = calloc(s->term_soff[set->nterms] + 1, sizeof(*s->srefs));
	s->term_mrefs = calloc(s->term_moff[set->nterms] + 1, sizeof(*s->term_mrefs));
	sfill = calloc(set->nterms + 1, sizeof(*sfill));
	mfill = calloc(set->nterms + 1, sizeof(*mfill));
	if (!s->srefs || !s->term_mrefs || !sfill ||
	    !mfill) {
		free(sfill);
		free(mfill);
		return -1;
	}
	for (g = 0; g < s->nrules; g++) {
		const struct market_rule *r = s->rules[g];

		if (s->rule_fast[g]) {
			uint32_t t = r->terms[0];
			uint32_t k = s->term_soff[t] + sfill[t]++;

			s->srefs[k].market = r->market;
			s->srefs[k].weight = r->weight;
		} else
			scorer_count_mrefs(s, r, g, mfill);
	}
	free(sfill);
	free(mfill);
	return 0;
}

/* The parts of a rule that decide where and how it fires. */
static int
rule_same_shape(const struct market_rule *a, const struct market_rule *b)
{
	return a->within == b->within && a->nterms == b->nterms &&
	    a->concord == b->concord &&
	    a->nnone == b->nnone && a->nrivals == b->nrivals &&
	    a->narticle == b->narticle &&
	    memcmp(a->terms, b->terms, a->nterms * sizeof(*a->terms)) == 0 &&
	    (a->nnone == 0 || memcmp(a->none, b->none,
	    a->nnone * sizeof(*a->none)) == 0) &&
	    (a->nrivals == 0 || memcmp(a->rivals, b->rivals,
	    a->nrivals * sizeof(*a->rivals)) == 0) &&
	    (a->narticle == 0 || memcmp(a->article, b->article,
	    a->narticle * sizeof(*a->article)) == 0);
}

static uint64_t
rule_shape_hash(const struct market_rule *r)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(r->within + 1) ^
	    ((uint64_t)r->concord << 40);

	for (size_t i = 0; i < r->nterms; i++)
		h = (h ^ r->terms[i]) * 0x100000001b3ULL;
	h = (h ^ 0xa1) * 0x100000001b3ULL;
	for (size_t i = 0; i < r->nnone; i++)
		h = (h ^ r->none[i]) * 0x100000001b3ULL;
	h = (h ^ 0xa2) * 0x100000001b3ULL;
	for (size_t i = 0; i < r->nrivals; i++)
		h = (h ^ r->rivals[i]) * 0x100000001b3ULL;
	h = (h ^ 0xa3) * 0x100000001b3ULL;
	for (size_t i = 0; i < r->narticle; i++)
		h = (h ^ r->article[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * twin[g]: the first slow rule of g's shape, through an open-addressing
 * table of shapes (a few entries per rule): a thousand markets at ten
 * deadlines each cost a pass, not a comparison of every pair.
 */
static int
scorer_find_twins(struct scorer *s)
{
	size_t		 cap = 16, mask;
	uint32_t	*slot;

	while (cap < 2 * s->nrules + 2)
		cap *= 2;
	mask = cap - 1;
	if ((slot = calloc(cap, sizeof(*slot))) == NULL)
		return -1;
	for (uint32_t g = 0; g < s->nrules; g++) {
		size_t k;

		s->twin[g] = g;
		if (s->rule_fast[g])
			continue;
		for (k = rule_shape_hash(s->rules[g]) & mask; slot[k] != 0;
		    k = (k + 1) & mask) {
			if (rule_same_shape(s->rules[slot[k] - 1], s->rules[g])) {
				s->twin[g] = slot[k] - 1;
				break;
			}
		}
		if (slot[k] == 0)
			slot[k] = g + 1;
	}
	free(slot);
	return 0;
}

struct scorer *
scorer_new(const struct market_set *set, char *err, size_t errsize)
{
	struct scorer *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errsize, "scorer: out of memory");
		return NULL;
	}
	s->set = set;
	if (scorer_alloc_tables(s) == -1 || scorer_index_terms(s) == -1 ||
	    scorer_index_rules(s) == -1 || scorer_find_twins(s) == -1) {
		snprintf(err, errsize, "scorer: out of memory");
		scorer_free(s);
		return NULL;
	}
	scorer_index_cues(s);
	if ((s->li = calloc(set->nlits + 1, sizeof(*s->li))) == NULL) {
		snprintf(err, errsize, "scorer: out of memory");
		scorer_free(s);
		return NULL;
	}
	for (size_t i = 0; i < set->nlits; i++) {
		s->li[i].cue = s->lit_cue[i];
		s->li[i].t0 = s->lit_toff[i];
		s->li[i].t1 = s->lit_toff[i + 1];
		if (s->li[i].t1 > s->li[i].t0)
			s->li[i].term0 = s->lit_terms[s->li[i].t0];
	}
	for (unsigned mods = 0; mods < FACTOR_SETS; mods++)
		s->factors[mods] = scorer_factor_of(set->mods, mods);
	s->h_apos = text_hash("'", 1);
	s->h_and = text_hash("and", 3);
	s->h_that = text_hash("that", 4);
	s->h_s = text_hash("s", 1);
	if ((s->matcher = match_new(set, err, errsize)) == NULL) {
		scorer_free(s);
		return NULL;
	}
	return s;
}

void
scorer_free(struct scorer *s)
{
	if (s == NULL)
		return;
	match_free(s->matcher);
	free(s->lit_cue);
	free(s->li);
	free(s->lit_toff);
	free(s->lit_terms);
	free(s->term_soff);
	free(s->srefs);
	free(s->term_moff);
	free(s->term_mrefs);
	free(s->rules);
	free(s->rule_base);
	free(s->rule_stamp);
	free(s->rule_fast);
	free(s->twin);
	free(s->fired);
	free(s->fires);
	free(s->maskb);
	free(s->maska);
	free(s->cueat);
	for (size_t i = 0; i < MARKET_MAX_COREFS; i++)
		free(s->na[i].h);
	free(s->cues);
	free(s->occs);
	free(s->trt);
	free(s->tterms);
	free(s->acc);
	free(s->cap);
	free(s->mstamp);
	free(s->mflag);
	free(s->touched);
	free(s->cand);
	free(s->ev);
	free(s);
}

size_t
scorer_patterns(const struct scorer *s)
{
	return s->set->nlits;
}

uint32_t
scorer_prefix_mask(const struct scorer *s)
{
	return match_prefix_mask(s->matcher);
}

/* ---------------------------------------------------------------- matching */

/*
 * The before-cue bits of a cue (at o) that a clause cue of the same
 * modifier found earlier already covers ("whether" inside "asked
 * whether"): the clause cue's shorter scope is the one that holds.  Cues
 * come in text order, so the covering one is among the last few.
 */
static uint32_t
scorer_covered_bits(const struct scorer *s, const struct occ *o)
{
	uint32_t covered = 0;

	for (size_t i = s->ncues, k = 0; i > 0 && k < 8; i--, k++) {
		const struct cue *p = &s->cues[i - 1];

		if (p->sent != o->sent)
			break;
		if (p->tok0 <= o->tok0 && p->tok1 >= o->tok1 &&
		    (p->tok0 != o->tok0 || p->tok1 != o->tok1))
			for (int m = 0; m < CUE_MODS; m++)
				if (p->bits & CUE_CLAUSE(m))
					covered |= CUE_BEFORE(m);
	}
	return covered;
}

static int
scorer_push_cue(struct scorer *s, uint32_t bits, const struct occ *o)
{
	struct cue *c;

	if (s->ncues > 0 && (bits & s->clause_before)) {
		uint32_t covered = scorer_covered_bits(s, o);

		for (int m = 0; m < CUE_MODS; m++)
			if (bits & CUE_CLAUSE(m))
				covered &= ~CUE_BEFORE(m);
		bits &= ~covered;
		if ((bits & CUE_MOD_BITS) == 0)
			return 0;
	}

	if (s->ncues == s->ccap) {
		size_t cap = s->ccap ? s->ccap * 2 : 256;

		if ((c = realloc(s->cues, cap * sizeof(*c))) == NULL)
			return -1;
		s->cues = c;
		s->ccap = cap;
	}
	c = &s->cues[s->ncues++];
	c->bits = bits;
	c->start = o->start;
	c->end = o->end;
	c->tok0 = o->tok0;
	c->tok1 = o->tok1;
	c->w0 = o->w0;
	c->w1 = o->w1;
	c->sent = o->sent;
	return 0;
}

/* Room for one more occurrence. */
static int
scorer_grow_occs(struct scorer *s)
{
	struct occ	*p;
	size_t		 cap;

	if (s->nocc < s->ocap)
		return 0;
	cap = s->ocap ? s->ocap * 2 : 1024;
	if ((p = realloc(s->occs, cap * sizeof(*p))) == NULL)
		return -1;
	s->occs = p;
	s->ocap = cap;
	return 0;
}

/* Record an occurrence of term; one overlapping the last one merges. */
static int
scorer_push_occ(struct scorer *s, uint32_t term, const struct occ *o)
{
	struct occ *p;

	if (s->trt[term].stamp != s->stamp) {
		s->trt[term].stamp = s->stamp;
		s->trt[term].first = s->trt[term].last = -1;
		s->trt[term].cur = -1;
		s->trt[term].cur_sent = UINT32_MAX;
		s->tterms[s->ntterms++] = term;
	} else {
		p = &s->occs[s->trt[term].last];
		if (o->start < p->end) {
			if (o->end > p->end) {
				p->end = o->end;
				p->tok1 = o->tok1;
				p->w1 = o->w1;
			}
			return 0;
		}
	}
	if (scorer_grow_occs(s) == -1)
		return -1;
	p = &s->occs[s->nocc];
	*p = *o;
	p->next = -1;
	p->judged = 0;
	if (s->trt[term].first < 0)
		s->trt[term].first = (int32_t)s->nocc;
	else
		s->occs[s->trt[term].last].next = (int32_t)s->nocc;
	s->trt[term].last = (int32_t)s->nocc;
	s->nocc++;
	return 0;
}

/* Literal lit found at tokens [a, b): a cue, a clause break, term occurrences. */
static int
scorer_emit(struct scorer *s, uint32_t lit, uint32_t a, uint32_t b)
{
	struct text		*t = s->text;
	const struct token	*ta = &t->toks[a], *tb = &t->toks[b - 1];
	const struct litinfo	*li = &s->li[lit];
	uint32_t		 bits = li->cue;
	struct occ		 o;

	o.start = ta->start;
	o.end = tb->end;
	o.tok0 = a;
	o.tok1 = b;
	o.w0 = ta->w;
	o.w1 = tb->w + (tb->kind == TOK_WORD);
	o.sent = ta->sent;
	/* Only cues of modifiers are judged: a word that only breaks a
	 * clause ("but", "he said") changes nothing but its token's break. */
	if ((bits & CUE_MOD_BITS) != 0 && scorer_push_cue(s, bits, &o) == -1)
		return -1;
	if ((bits & CUE_BREAK) && t->toks[a].brk < BREAK_STRONG)
		t->toks[a].brk = BREAK_STRONG;
	if ((bits & CUE_SOFT_BREAK) && t->toks[a].brk < BREAK_ANY)
		t->toks[a].brk = BREAK_ANY;
	if (li->t1 == li->t0)
		return 0;
	if (scorer_push_occ(s, li->term0, &o) == -1)
		return -1;
	for (uint32_t k = li->t0 + 1; k < li->t1; k++)
		if (scorer_push_occ(s, s->lit_terms[k], &o) == -1)
			return -1;
	return 0;
}

/* Find every literal in the text, then record each occurrence. */
static int
scorer_match(struct scorer *s)
{
	const struct match_hit	*h;
	long			 n = match_run(s->matcher, s->text, &h);

	if (n < 0)
		return -1;
	for (long k = 0; k < n; k++) {
		if (scorer_emit(s, h[k].lit, h[k].tok0, h[k].tok1) == -1)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- coreference */

static int32_t scorer_sentence_first(const struct scorer *, uint32_t, uint32_t);
static int scorer_blocked(const struct scorer *, uint32_t, uint32_t, int);

/*
 * Insert a copy of occurrence o (an anaphor) into term's occurrences
 * after prev, its last occurrence ending before o (-1: none), unless the
 * next one overlaps o.
 */
static int
scorer_insert_occ(struct scorer *s, uint32_t term, int32_t prev,
    const struct occ *o)
{
	struct termrt	*rt = &s->trt[term];
	struct occ	*p;
	int32_t		 n, next;

	if (rt->stamp != s->stamp)
		return scorer_push_occ(s, term, o);
	next = prev < 0 ? rt->first : s->occs[prev].next;
	if (next >= 0 && s->occs[next].start < o->end)
		return 0;
	if (scorer_grow_occs(s) == -1)
		return -1;
	n = (int32_t)s->nocc++;
	p = &s->occs[n];
	*p = *o;
	p->judged = 0;
	if (prev < 0) {
		p->next = rt->first;
		rt->first = n;
	} else {
		p->next = s->occs[prev].next;
		s->occs[prev].next = n;
	}
	if (p->next < 0)
		rt->last = n;
	/* keep scorer_sentence_first()'s cache: the first occurrence in
	 * sentence cur_sent or later */
	if (rt->cur_sent != UINT32_MAX && p->sent >= rt->cur_sent &&
	    (rt->cur < 0 || p->start < s->occs[rt->cur].start))
		rt->cur = n;
	return 0;
}

/*
 * The last occurrence of term that ends at or before token tok, or -1;
 * *cur is where the search for the previous anaphor ended (anaphors come
 * in text order, so the walks add up to one pass over term's list).
 */
static int32_t
scorer_last_before(const struct scorer *s, uint32_t term, int32_t *cur,
    uint32_t tok)
{
	int32_t i;

	if (s->trt[term].stamp != s->stamp)
		return -1;
	for (i = *cur < 0 ? s->trt[term].first : s->occs[*cur].next;
	    i >= 0 && s->occs[i].tok1 <= tok; i = s->occs[i].next)
		*cur = i;
	return *cur;
}

/*
 * Is actor occurrence x after one of c's "not_after" words, at most three
 * words and no break before it ("a meeting with Zelensky", "talks with
 * President Volodymyr Zelenskiy")?  Then it is no subject for "he" to
 * stand for.
 */
static int
scorer_coref_skipped(const struct scorer *s, const struct nahash *na,
    const struct occ *x)
{
	const struct token *tk = s->text->toks;

	/* k walks back over at most three words from the actor, and stops
	 * at a break: is the word before token k a not_after word? */
	for (uint32_t k = x->tok0, words = 0; k > 0 && words <= 3;
	    k--, words++) {
		if (tk[k - 1].kind != TOK_WORD)
			return 0;
		for (size_t i = 0; i < na->n; i++)
			if (tk[k - 1].hash == na->h[i])
				return 1;
		if (tk[k - 1].brk >= BREAK_ANY)
			return 0;
	}
	return 0;
}

static size_t scorer_first_cue(const struct scorer *, uint32_t);
static int scorer_clause_cut(const struct text *, uint32_t, uint32_t);

/*
 * Is actor occurrence x inside the scope of a clause cue, the question
 * of "Asked whether Zelensky would come, Putin said ..."?  Who is asked
 * about is not who speaks: not a subject for "he".
 */
static int
scorer_in_asked_clause(const struct scorer *s, const struct occ *x)
{
	for (size_t i = scorer_first_cue(s, x->sent);
	    i < s->ncues && s->cues[i].sent == x->sent &&
	    s->cues[i].tok0 < x->tok0; i++) {
		const struct cue *c = &s->cues[i];

		if ((c->bits & CUE_CLAUSE_BITS) && c->tok1 <= x->tok0 &&
		    !scorer_clause_cut(s->text, c->tok1, x->tok0))
			return 1;
	}
	return 0;
}

/*
 * The actor occurrence named nearest before token tok in sentence sent
 * (before == 1), or the first one in it (before == 0), not counting
 * those after a not_after word; -1 if none.
 */
static int32_t
scorer_coref_pick(const struct scorer *s, const struct market_coref *c,
    const struct nahash *na, uint32_t sent, uint32_t tok, int before)
{
	int32_t best = -1;

	for (size_t k = 0; k < c->nactors; k++) {
		uint32_t term = c->actors[k];

		if (s->trt[term].stamp != s->stamp)
			continue;
		for (int32_t i = scorer_sentence_first(s, term, sent);
		    i >= 0 && s->occs[i].sent == sent && s->occs[i].tok1 <= tok;
		    i = s->occs[i].next) {
			if ((na->n > 0 && scorer_coref_skipped(s, na, &s->occs[i])) ||
			    scorer_in_asked_clause(s, &s->occs[i]))
				continue;
			if (best < 0 || (before ? s->occs[i].tok0 >
			    s->occs[best].tok0 : s->occs[i].tok0 <
			    s->occs[best].tok0))
				best = i;
			if (!before)
				break;
		}
	}
	return best;
}

/*
 * Does the anaphor o open a second reported clause ("and that he ...")?
 * Its speaker is the subject of the sentence, not the person named
 * nearest before it: "He said he believed Putin and Zelensky were close
 * to a deal, and that he would meet Putin when it was ready".
 */
static int
scorer_coref_second_clause(const struct scorer *s, const struct occ *o)
{
	const struct token *tk = s->text->toks;

	return o->tok0 >= 2 && tk[o->tok0 - 1].hash == s->h_that &&
	    tk[o->tok0 - 2].hash == s->h_and &&
	    tk[o->tok0 - 2].sent == o->sent;
}

/*
 * Resolve an anaphor of count 1 at occurrence a: the actor named nearest
 * before it in its sentence ("Trump said he spoke with Putin"), or its
 * first one after "and that" (scorer_coref_second_clause()), else the
 * first one named in the nearest sentence before that names one, its
 * subject ("Trump ... . He said he would speak with Putin"); earlier
 * anaphors count, resolved ("He added that he ...").  Adds a to the terms
 * of every actor named by those very words.
 */
static int
scorer_coref_one(struct scorer *s, const struct market_coref *c,
    const struct nahash *na, uint32_t a, const int32_t *last)
{
	struct occ	 o = s->occs[a], at;
	size_t		 ks[16], n = 0;
	int32_t		 best;

	best = scorer_coref_second_clause(s, &o) ?
	    scorer_coref_pick(s, c, na, o.sent, o.tok0, 0) :
	    scorer_coref_pick(s, c, na, o.sent, o.tok0, 1);
	for (int j = 1; best < 0 && j <= c->sentences && (uint32_t)j <= o.sent; j++)
		best = scorer_coref_pick(s, c, na, o.sent - (uint32_t)j,
		    UINT32_MAX, 0);
	if (best < 0)
		return 0;
	at = s->occs[best];
	for (size_t k = 0; k < c->nactors; k++) {
		uint32_t term = c->actors[k];

		if (s->trt[term].stamp != s->stamp)
			continue;
		for (int32_t i = scorer_sentence_first(s, term, at.sent);
		    i >= 0 && s->occs[i].sent == at.sent; i = s->occs[i].next)
			if (s->occs[i].start == at.start) {
				ks[n++] = k;
				break;
			}
	}
	for (size_t i = 0; i < n; i++)
		if (scorer_insert_occ(s, c->actors[ks[i]], last[ks[i]], &o) == -1)
			return -1;
	return 0;
}

/*
 * Resolve an anaphor of count 2 ("the two presidents") at occurrence a:
 * the two actors named nearest before it, in its sentence or the
 * sentences before.  last[k]: actor k's last occurrence before it.
 */
static int
scorer_coref_two(struct scorer *s, const struct market_coref *c,
    uint32_t a, const int32_t *last)
{
	struct occ	 o = s->occs[a];
	int32_t		 k1 = -1, k2 = -1;
	uint32_t	 lo = o.sent > (uint32_t)c->sentences ?
	    o.sent - (uint32_t)c->sentences : 0;

	for (size_t k = 0; k < c->nactors; k++) {
		if (last[k] < 0 || s->occs[last[k]].sent < lo)
			continue;
		if (k1 < 0 || s->occs[last[k]].tok0 > s->occs[last[k1]].tok0) {
			k2 = k1;
			k1 = (int32_t)k;
		} else if (k2 < 0 ||
		    s->occs[last[k]].tok0 > s->occs[last[k2]].tok0)
			k2 = (int32_t)k;
	}
	if (k2 < 0)
		return 0;
	if (scorer_insert_occ(s, c->actors[k1], last[k1], &o) == -1 ||
	    scorer_insert_occ(s, c->actors[k2], last[k2], &o) == -1)
		return -1;
	return 0;
}

/*
 * Coreference: each anaphor ("he", "the two presidents") becomes an
 * occurrence of the actors it stands for, so that "He said he would
 * speak with Putin soon" after a sentence about Trump is Trump's call.
 * Anaphors are resolved in text order, each against the names and the
 * anaphors resolved before it.
 */
static int
scorer_corefs(struct scorer *s)
{
	for (size_t ci = 0; ci < s->set->ncorefs; ci++) {
		const struct market_coref *c = &s->set->corefs[ci];
		int32_t	 cur[16], last[16];	/* per actor (at most 16 terms) */

		if (s->trt[c->anaphor].stamp != s->stamp)
			continue;
		for (size_t k = 0; k < c->nactors; k++)
			cur[k] = -1;
		for (int32_t a = s->trt[c->anaphor].first; a >= 0;
		    a = s->occs[a].next) {
			int rc;

			for (size_t k = 0; k < c->nactors; k++)
				last[k] = scorer_last_before(s, c->actors[k],
				    &cur[k], s->occs[a].tok0);
			if (c->count == 1)
				rc = scorer_coref_one(s, c, &s->na[ci],
				    (uint32_t)a, last);
			else
				rc = scorer_coref_two(s, c, (uint32_t)a, last);
			if (rc == -1)
				return -1;
		}
	}
	return 0;
}

/* ----------------------------------------------------------------- context */

/* Is there a clause break of at least level in tokens [a, b]? */
static int
scorer_blocked(const struct scorer *s, uint32_t a, uint32_t b, int level)
{
	const struct text *t = s->text;

	if (level == BREAK_NONE)
		return 0;
	for (uint32_t k = a; k <= b && k < t->ntoks; k++)
		if ((int)t->toks[k].brk >= level)
			return 1;
	return 0;
}

/*
 * Does the break at token k belong to the word itself, a cue that starts
 * with a break word ("since December")?  A break that a comma before it
 * left there does not.
 */
static int
scorer_own_break(const struct text *t, uint32_t k)
{
	return k > 0 && t->toks[k - 1].kind == TOK_WORD;
}

/*
 * Is after-cue c cut off from an anchor ending before token a1 by a clause
 * break of at least level?  The cue's own break word does not cut it off:
 * "the ceasefire in force since December" is in the reach of "since
 * December".
 */
static int
scorer_after_blocked(const struct scorer *s, uint32_t a1, const struct cue *c,
    int level)
{
	const struct text *t = s->text;

	if (level == BREAK_NONE)
		return 0;
	if (a1 < c->tok0 && scorer_blocked(s, a1, c->tok0 - 1, level))
		return 1;
	return (int)t->toks[c->tok0].brk >= level &&
	    !scorer_own_break(t, c->tok0);
}

/* First cue of sentence sent (cues are in text order). */
static size_t
scorer_first_cue(const struct scorer *s, uint32_t sent)
{
	size_t lo = 0, hi = s->ncues;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->cues[mid].sent < sent)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct span {
	uint32_t start, end;
};

/*
 * Is cue c part of the matched phrases ex (ex[0] the anchor)?  A cue that
 * starts before the anchor and ends inside it is its context, not part of
 * it: "to meet" says "Putin to meet Trump" is a plan, "last met" that
 * "Trump and Putin last met in Alaska" is background.
 */
static int
scorer_excluded(const struct cue *c, const struct span *ex, size_t nex)
{
	for (size_t i = 0; i < nex; i++) {
		if (!(c->start < ex[i].end && ex[i].start < c->end))
			continue;
		if (i == 0 && c->start < ex[0].start && c->end <= ex[0].end)
			continue;
		return 1;
	}
	return 0;
}

/*
 * Does a clause cue's scope stop at token k?  At punctuation (a comma, a
 * colon) and at strong breaks, but not at the words that break a clause
 * softly: "Asked whether he would meet Zelensky, Putin said ...": the
 * question runs across "he" to the comma, and what Putin said after it
 * is the answer.
 */
static inline int
scorer_clause_stop(const struct text *t, uint32_t k)
{
	return t->toks[k].brk >= BREAK_STRONG ||
	    (t->toks[k].brk >= BREAK_ANY && !scorer_own_break(t, k));
}

/* Does a clause cue's scope stop anywhere in tokens [a, b]? */
static int
scorer_clause_cut(const struct text *t, uint32_t a, uint32_t b)
{
	for (uint32_t k = a; k <= b && k < t->ntoks; k++)
		if (scorer_clause_stop(t, k))
			return 1;
	return 0;
}

/* Is the scope of before-cue c of modifier m cut off in tokens [a, b]? */
static int
scorer_before_blocked(const struct scorer *s, const struct cue *c, int m,
    uint32_t a, uint32_t b)
{
	if (!(c->bits & CUE_CLAUSE(m)))
		return scorer_blocked(s, a, b, s->set->mods[m].breaks);
	return scorer_clause_cut(s->text, a, b);
}

/*
 * Which modifiers the cue c triggers for the anchor a.  Scopes count the
 * words between the cue and the anchor; breaks are looked for in the
 * tokens between them.
 */
static unsigned
scorer_cue_mods(const struct scorer *s, const struct cue *c, const struct occ *a)
{
	unsigned mods = 0;

	for (int m = 0; m < CUE_MODS; m++) {
		const struct modifier *md = &s->set->mods[m];

		if ((c->bits & CUE_BEFORE(m)) && c->tok0 < a->tok0 &&
		    c->tok1 <= a->tok1) {
			/* it may end inside the anchor (scorer_excluded()) */
			uint32_t d = c->w1 > a->w0 ? 0 : a->w0 - c->w1;

			if ((md->before_scope == 0 ||
			    d <= (uint32_t)md->before_scope) &&
			    !scorer_before_blocked(s, c, m, c->tok1, a->tok0))
				mods |= 1u << m;
		} else if ((c->bits & CUE_AFTER(m)) && c->tok0 >= a->tok1) {
			if ((md->after_scope == 0 ||
			    c->w0 - a->w1 <= (uint32_t)md->after_scope) &&
			    !scorer_after_blocked(s, a->tok1, c, md->breaks))
				mods |= 1u << m;
		}
	}
	return mods;
}

/*
 * The context of the anchor a: the modifiers its sentence applies to it.
 * Cues overlapping the matched phrases themselves (ex) do not count: "no
 * deal" is not negated by its own "no".
 */
static __attribute__((noinline)) unsigned
scorer_context(const struct scorer *s, const struct occ *a,
    const struct span *ex, size_t nex)
{
	unsigned mods = 0;

	for (size_t i = scorer_first_cue(s, a->sent);
	    i < s->ncues && s->cues[i].sent == a->sent; i++) {
		if (scorer_excluded(&s->cues[i], ex, nex))
			continue;
		mods |= scorer_cue_mods(s, &s->cues[i], a);
	}
	if (s->text->sents[a->sent].question)
		mods |= 1u << MOD_QUESTION;
	return mods;
}

/* A scope's limits: clause breaks from this level stop it; a distance in words. */
static uint8_t
scorer_stop_level(const struct modifier *md)
{
	return md->breaks == BREAK_NONE ? UINT8_MAX : (uint8_t)md->breaks;
}

static uint32_t
scorer_reach(int scope)
{
	return scope > 0 ? (uint32_t)scope : UINT32_MAX;
}

/* Mark the tokens that before-cue c of modifier m reaches, in maskb. */
static void
scorer_mark_before(struct scorer *s, const struct cue *c, int m)
{
	const struct modifier	*md = &s->set->mods[m];
	const struct token	*tk = s->text->toks;
	uint32_t		 end = s->text->sents[c->sent].tok1;
	uint32_t		 reach = scorer_reach(md->before_scope);
	uint8_t			 stop = scorer_stop_level(md);

	if (c->bits & CUE_CLAUSE(m)) {
		for (uint32_t k = c->tok1; k < end &&
		    !scorer_clause_stop(s->text, k) &&
		    tk[k].w - c->w1 <= reach; k++)
			s->maskb[k] |= (uint8_t)(1u << m);
		return;
	}
	for (uint32_t k = c->tok1; k < end && tk[k].brk < stop &&
	    tk[k].w - c->w1 <= reach; k++)
		s->maskb[k] |= (uint8_t)(1u << m);
}

/* Mark the tokens that after-cue c of modifier m reaches, in maska. */
static void
scorer_mark_after(struct scorer *s, const struct cue *c, int m)
{
	const struct modifier	*md = &s->set->mods[m];
	const struct token	*tk = s->text->toks;
	uint32_t		 start = s->text->sents[c->sent].tok0;
	uint32_t		 reach = scorer_reach(md->after_scope);
	uint8_t			 stop = scorer_stop_level(md);
	uint32_t		 k = c->tok0;

	/* the cue's own break word does not stop it (scorer_after_blocked) */
	if (k > start && tk[k].brk >= stop && scorer_own_break(s->text, k))
		s->maska[k--] |= (uint8_t)(1u << m);
	for (; k > start && tk[k].brk < stop && c->w0 - tk[k].w <= reach; k--)
		s->maska[k] |= (uint8_t)(1u << m);
}

/*
 * Per-token modifier masks, built once per article: every cue marks the
 * tokens its scope reaches, so judging an occurrence is two lookups
 * instead of a walk over its sentence's cues.  maskb[k]: modifiers from
 * cues before an anchor starting at token k; maska[k]: from cues after an
 * anchor ending just before token k.  cueat[k]: a cue covers token k (an
 * occurrence with a cue inside it is judged the exact way, which leaves
 * its own words out).  The results are those of scorer_context().
 */
static __attribute__((noinline)) void
scorer_build_masks(struct scorer *s)
{
	const struct text	*t = s->text;

	if (t->ntoks + 1 > s->mcap) {
		size_t	 cap = t->ntoks + 1024;
		uint8_t	*a = realloc(s->maskb, cap), *b, *c;

		if (a == NULL)
			return;
		s->maskb = a;
		if ((b = realloc(s->maska, cap)) == NULL)
			return;
		s->maska = b;
		if ((c = realloc(s->cueat, cap)) == NULL)
			return;
		s->cueat = c;
		s->mcap = cap;
	}
	memset(s->maskb, 0, t->ntoks + 1);
	memset(s->maska, 0, t->ntoks + 1);
	memset(s->cueat, 0, t->ntoks + 1);
	for (size_t i = 0; i < s->ncues; i++) {
		const struct cue *c = &s->cues[i];
		uint32_t	  bits = c->bits & CUE_MOD_BITS;

		for (uint32_t k = c->tok0; k < c->tok1; k++)
			s->cueat[k] = 1;
		for (; bits != 0; bits &= bits - 1) {
			int b = __builtin_ctz(bits);

			if (b % 2 == 0)
				scorer_mark_before(s, c, b / 2);
			else
				scorer_mark_after(s, c, b / 2);
		}
	}
	s->masks_ready = 1;
}

static unsigned
scorer_mask_context(const struct scorer *s, const struct occ *o)
{
	unsigned mods = s->maskb[o->tok0];

	if (o->tok1 < s->text->ntoks)
		mods |= s->maska[o->tok1];
	if (s->text->sents[o->sent].question)
		mods |= 1u << MOD_QUESTION;
	return mods;
}

/* The context of an occurrence judged on its own (cached). */
static inline unsigned
scorer_occ_mods(struct scorer *s, struct occ *o)
{
	if (!o->judged) {
		struct span ex = { o->start, o->end };
		int own = 0;

		if (!s->masks_ready)
			scorer_build_masks(s);
		for (uint32_t k = o->tok0; k < o->tok1 && !own; k++)
			own = s->cueat[k];
		if (own || !s->masks_ready)
			o->mods = scorer_context(s, o, &ex, 1);
		else
			o->mods = scorer_mask_context(s, o);
		o->judged = 1;
	}
	return o->mods;
}

/* ------------------------------------------------------------------ totals */

static void
scorer_touch(struct scorer *s, uint32_t m)
{
	if (s->dense) {
		s->mflag[m] = 1;
		return;
	}
	if (s->mstamp[m] != s->stamp) {
		s->mstamp[m] = s->stamp;
		s->acc[m] = 0.0;
		s->touched[s->ntouched++] = m;
	}
}

/*
 * Add weight * sum to the market of each rule, and flag the market as
 * touched (dense mode: the flags are cleared before each article; flagging
 * as we go is cheaper than finding the touched ones among all markets
 * afterwards).  restrict: acc is no weight.
 */
static void
scorer_fast_add(double *restrict acc, uint8_t *restrict flag,
    const struct sref *restrict r, uint32_t n, double sum)
{
	for (uint32_t k = 0; k < n; k++) {
		acc[r[k].market] += r[k].weight * sum;
		flag[r[k].market] = 1;
	}
}

/*
 * Fast path: judge each occurrence of term once, then one multiply-add per
 * rule.
 */
static void
scorer_fast_term(struct scorer *s, uint32_t term)
{
	uint32_t	 a = s->term_soff[term], b = s->term_soff[term + 1];
	double		 rep = s->set->mods[MOD_REPEAT].factor, w = 1.0, sum = 0.0;
	const struct sref *r = s->srefs + a;

	if (a == b)
		return;
	for (int32_t i = s->trt[term].first; i >= 0; i = s->occs[i].next) {
		sum += w * scorer_factor(s, scorer_occ_mods(s, &s->occs[i]));
		w *= rep;
	}
	if (s->dense) {
		scorer_fast_add(s->acc, s->mflag, r, b - a, sum);
		return;
	}
	for (uint32_t k = 0; k < b - a; k++) {
		scorer_touch(s, r[k].market);
		s->acc[r[k].market] += r[k].weight * sum;
	}
}

static uint32_t
occ_dist(const struct occ *x, const struct occ *y)
{
	if (x->tok1 <= y->tok0)
		return y->w0 - x->w1;
	if (y->tok1 <= x->tok0)
		return x->w0 - y->w1;
	return 0;
}

/*
 * The first occurrence of term (which occurred) in sentence sent or a
 * later one, or -1.  A term's occurrences are in text order, and a rule
 * asks about its anchors in text order, so each answer starts from the
 * last one (kept in the term's struct termrt) instead of from the
 * article's first occurrence: a name mentioned fifty times costs a walk
 * of fifty per rule, not per anchor.
 */
static int32_t
scorer_sentence_first(const struct scorer *s, uint32_t term, uint32_t sent)
{
	struct termrt	*rt = &s->trt[term];
	int32_t		 i = sent >= rt->cur_sent ? rt->cur : rt->first;

	while (i >= 0 && s->occs[i].sent < sent)
		i = s->occs[i].next;
	rt->cur = i;
	rt->cur_sent = sent;
	return i;
}

/* The nearest occurrence of term to anchor in its sentence, or -1. */
static int32_t
scorer_nearest(const struct scorer *s, uint32_t term, const struct occ *anchor,
    int within)
{
	int32_t		best = -1;
	uint32_t	bestd = UINT32_MAX;

	if (s->trt[term].stamp != s->stamp)
		return -1;
	for (int32_t i = scorer_sentence_first(s, term, anchor->sent);
	    i >= 0 && s->occs[i].sent == anchor->sent; i = s->occs[i].next) {
		const struct occ *o = &s->occs[i];
		uint32_t d;

		/* Another term may sit inside the anchor ("called Putin"), but
		 * the very same words cannot stand for two terms. */
		if (o->start == anchor->start && o->end == anchor->end)
			continue;
		d = occ_dist(o, anchor);
		if (within > 0 && d > (uint32_t)within)
			continue;
		if (d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
}

/* Is there a clause break of at least level between occurrences x and y? */
static int
scorer_between_blocked(const struct scorer *s, const struct occ *x,
    const struct occ *y, int level)
{
	if (x->tok1 <= y->tok0)
		return scorer_blocked(s, x->tok1, y->tok0, level);
	if (y->tok1 <= x->tok0)
		return scorer_blocked(s, y->tok1, x->tok0, level);
	return 0;
}

/* Is occurrence o a possessive ("Putin's")? */
static int
scorer_possessive(const struct scorer *s, const struct occ *o)
{
	const struct text *t = s->text;

	return o->tok1 + 1 < t->ntoks && t->toks[o->tok1].hash == s->h_apos &&
	    t->toks[o->tok1 + 1].hash == s->h_s && !t->toks[o->tok1].gap &&
	    !t->toks[o->tok1 + 1].gap;
}

/*
 * Is actor occurrence o a possessive followed by a rival ("Trump's envoy",
 * "Putin's aide Yuri Ushakov")?  Then the rival, not the actor, takes part.
 */
static int
scorer_possessive_rival(const struct scorer *s, const struct market_rule *r,
    const struct occ *o)
{
	if (!scorer_possessive(s, o))
		return 0;
	for (size_t i = 0; i < r->nrivals; i++) {
		uint32_t term = r->rivals[i];

		if (s->trt[term].stamp != s->stamp)
			continue;
		for (int32_t k = scorer_sentence_first(s, term, o->sent);
		    k >= 0 && s->occs[k].sent == o->sent; k = s->occs[k].next) {
			const struct occ *v = &s->occs[k];

			if (v->tok0 >= o->tok1 + 2 &&
			    v->w0 - o->w1 <= 3)
				return 1;
		}
	}
	return 0;
}

/*
 * Is actor occurrence o a possessive that is not the event's party: "Trump
 * and Zelenskiy discussed Putin's response in a phone call"?  Putin's
 * response is what was talked about; Putin took no part.  A possessive is
 * a party only when one of the rule's other matched phrases follows it,
 * at most one word later ("Putin's phone call with Trump", "Trump's first
 * meeting with Putin", "Washington's plan was published").  occ[0 .. n)
 * are the rule's matched occurrences, the anchor included.
 */
static int
scorer_possessive_aside(const struct scorer *s, const struct occ *o,
    const struct occ *const *occ, size_t n)
{
	if (!scorer_possessive(s, o))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (occ[i]->tok0 >= o->tok1 + 2 && occ[i]->tok0 <= o->tok1 + 3 &&
		    occ[i]->sent == o->sent)
			return 0;
	return 1;
}

/*
 * Is rival occurrence v, after the anchor a, the speaker the sentence is
 * attributed to ("Putin and Zelenskiy agreed to meet, Witkoff says")?  The
 * word right after it is a soft break ("said", "says", "told"): the
 * rival reports the event and takes no part in it.
 */
static int
scorer_speaker(const struct scorer *s, const struct occ *v, const struct occ *a)
{
	const struct text *t = s->text;

	return v->tok0 >= a->tok1 && v->tok1 < t->ntoks &&
	    t->toks[v->tok1].kind == TOK_WORD &&
	    t->toks[v->tok1].brk == BREAK_ANY;
}

/*
 * A rule with "concord": a negation cue right before one of its terms
 * other than the anchor (occ[1..]) is that term's own, like the words of
 * the term: widen the term's span ex[i] over it, so that the anchor's
 * context leaves it out ("no ceasefire and no agreement").
 */
static void
scorer_concord(const struct scorer *s, const struct occ *const *occ,
    struct span *ex, size_t nex)
{
	for (size_t i = 1; i < nex; i++) {
		if (occ[i]->tok0 >= occ[0]->tok0)
			continue;
		for (size_t c = scorer_first_cue(s, occ[i]->sent);
		    c < s->ncues && s->cues[c].sent == occ[i]->sent &&
		    s->cues[c].tok0 < occ[i]->tok0; c++)
			if ((s->cues[c].bits & CUE_BEFORE(MOD_NEGATION)) &&
			    s->cues[c].tok1 == occ[i]->tok0)
				ex[i].start = s->cues[c].start;
	}
}

/*
 * Judge rule r with its anchor at occurrence a: are the other terms in
 * reach, is it vetoed, are rivals nearer the event than the named actors,
 * and what does the sentence say around it?
 */
static void
scorer_fire(const struct scorer *s, const struct market_rule *r, int32_t a,
    struct firing *f)
{
	const struct occ	*anc = &s->occs[a];
	struct span		 ex[17];
	const struct occ	*occ[17];
	size_t			 nex = 0;
	uint32_t		 maxd = 0;
	const struct modifier	*wa = &s->set->mods[MOD_WRONG_ACTOR];
	uint32_t		 wa_scope = (uint32_t)wa->before_scope;

	f->ok = 0;
	f->mods = 0;
	f->start = anc->start;
	f->end = anc->end;
	ex[nex++] = (struct span){ anc->start, anc->end };
	occ[0] = anc;
	for (size_t i = 0; i + 1 < r->nterms; i++) {
		int32_t o = scorer_nearest(s, r->terms[i], anc, r->within);

		if (o < 0)
			return;
		occ[nex] = &s->occs[o];
		ex[nex++] = (struct span){ s->occs[o].start, s->occs[o].end };
		if (s->occs[o].start < f->start)
			f->start = s->occs[o].start;
		if (s->occs[o].end > f->end)
			f->end = s->occs[o].end;
		if (occ_dist(&s->occs[o], anc) > maxd)
			maxd = occ_dist(&s->occs[o], anc);
		if (r->nrivals > 0 && scorer_possessive_rival(s, r, &s->occs[o]))
			f->mods |= 1u << MOD_WRONG_ACTOR;
	}
	for (size_t i = 0; i < r->nnone; i++)
		if (scorer_nearest(s, r->none[i], anc, r->within) >= 0)
			return;
	for (size_t i = 1; i < nex && r->nrivals > 0; i++)
		if (scorer_possessive_aside(s, occ[i], occ, nex))
			f->mods |= 1u << MOD_WRONG_ACTOR;
	for (size_t i = 0; i < r->nrivals && !(f->mods & (1u << MOD_WRONG_ACTOR)); i++) {
		int32_t o = scorer_nearest(s, r->rivals[i], anc, r->within);
		int inside = 0;

		if (o < 0)
			continue;
		for (size_t k = 0; k < nex; k++)
			if (s->occs[o].start < ex[k].end && ex[k].start < s->occs[o].end)
				inside = 1;
		/* A rival right next to the event, nearer than a named actor,
		 * is the one taking part ("Trump spoke with Zelenskyy about
		 * Putin"). */
		if (!inside && !scorer_speaker(s, &s->occs[o], anc) &&
		    occ_dist(&s->occs[o], anc) < maxd &&
		    (wa_scope == 0 || occ_dist(&s->occs[o], anc) <= wa_scope) &&
		    !scorer_between_blocked(s, &s->occs[o], anc, wa->breaks))
			f->mods |= 1u << MOD_WRONG_ACTOR;
	}
	if (r->concord)
		scorer_concord(s, occ, ex, nex);
	f->mods |= scorer_context(s, anc, ex, nex);
	f->ok = 1;
}

static int scorer_push_ev(struct scorer *, uint32_t, uint32_t, uint32_t,
    uint32_t, unsigned, double);

/*
 * Judge the shape of slow rule g in this article, once for all its twins:
 * at most one firing per sentence (the first one with the right actors,
 * else the first one), kept in fires[].
 */
static int
scorer_judge_shape(struct scorer *s, uint32_t g)
{
	const struct market_rule *r = s->rules[g];
	struct fired	*fd = &s->fired[s->twin[g]];

	if (fd->stamp == s->stamp)
		return 0;
	fd->stamp = s->stamp;
	fd->off = (uint32_t)s->nfires;
	fd->n = 0;
	for (int32_t a = s->trt[r->terms[r->nterms - 1]].first; a >= 0;) {
		uint32_t	sent = s->occs[a].sent;
		struct firing	best = { 0, 0, 0, 0 }, f;

		for (; a >= 0 && s->occs[a].sent == sent; a = s->occs[a].next) {
			scorer_fire(s, r, a, &f);
			if (f.ok && (!best.ok || ((best.mods & (1u << MOD_WRONG_ACTOR)) &&
			    !(f.mods & (1u << MOD_WRONG_ACTOR)))))
				best = f;
		}
		if (!best.ok)
			continue;
		if (s->nfires == s->fcap) {
			size_t		 cap = s->fcap ? s->fcap * 2 : 256;
			struct firing	*n = realloc(s->fires, cap * sizeof(*n));

			if (n == NULL) {
				fd->stamp = 0;
				return -1;
			}
			s->fires = n;
			s->fcap = cap;
		}
		s->fires[s->nfires++] = best;
		fd->n++;
	}
	return 0;
}

/*
 * Evaluate slow rule g: its shape's firings, repeats worth less each
 * time.  With collect, the firings are also recorded as evidence.
 */
static int
scorer_slow_rule(struct scorer *s, uint32_t g, int collect)
{
	const struct market_rule *r = s->rules[g];
	const struct fired *fd = &s->fired[s->twin[g]];
	double		 rep = s->set->mods[MOD_REPEAT].factor, w = 1.0;

	for (size_t i = 0; i < r->nterms; i++)
		if (s->trt[r->terms[i]].stamp != s->stamp)
			return 0;
	for (size_t i = 0; i < r->narticle; i++)
		if (s->trt[r->article[i]].stamp != s->stamp)
			return 0;
	if (scorer_judge_shape(s, g) == -1)
		return -1;
	for (uint32_t k = 0; k < fd->n; k++) {
		struct firing	best = s->fires[fd->off + k];
		double		x;

		if (k > 0)
			best.mods |= 1u << MOD_REPEAT;
		best.mods &= ~r->ignore;
		x = r->weight * scorer_factor(s, best.mods) *
		    ((r->ignore & (1u << MOD_REPEAT)) ? 1.0 : w);
		if (!collect) {
			scorer_touch(s, r->market);
			s->acc[r->market] += x;
		} else if (scorer_push_ev(s, r->market, (uint32_t)(r -
		    s->set->markets[r->market].rules), best.start, best.end,
		    best.mods, x * s->credibility) == -1)
			return -1;
		w *= rep;
	}
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The clamp of x to [-cap, cap]: two selects, which compile to min and max. */
static inline double
scorer_clamp(double x, double cap)
{
	x = x > cap ? cap : x;
	return x < -cap ? -cap : x;
}

/*
 * Dense mode, before an article: accumulators at 0, no market touched.
 * (Starting at +0.0 rather than -0.0 changes no total: a sum of zeros is
 * reported as +0.0 either way, see scorer_raw_total().)
 */
static void
scorer_clear_dense(struct scorer *s)
{
	memset(s->acc, 0, s->nmarkets * sizeof(*s->acc));
	memset(s->mflag, 0, s->nmarkets);
}

/* Dense mode, after an article: the touched markets, in index order. */
static void
scorer_collect_dense(struct scorer *s)
{
	const uint8_t *restrict	 flag = s->mflag;
	uint32_t *restrict	 touched = s->touched;
	uint32_t		 n = 0;

	for (uint32_t m = 0; m < s->nmarkets; m++) {
		touched[n] = m;
		n += flag[m];
	}
	s->ntouched = n;
}

/* Did market m get evidence in the last run? */
static int
scorer_has(const struct scorer *s, uint32_t m)
{
	return s->dense ? s->mflag[m] : s->mstamp[m] == s->stamp;
}

/*
 * Put the touched markets in index order.  Sparse mode: a sort when few
 * are touched, a scan of the stamps when many are.
 */
static void
scorer_order_touched(struct scorer *s)
{
	size_t n = 0;

	if (s->dense) {
		scorer_collect_dense(s);
		return;
	}
	if (s->ntouched * 16 < s->set->nmarkets) {
		qsort(s->touched, s->ntouched, sizeof(*s->touched), cmp_u32);
	} else {
		for (uint32_t m = 0; m < s->set->nmarkets; m++)
			if (s->mstamp[m] == s->stamp)
				s->touched[n++] = m;
		s->ntouched = n;
	}
}

int
scorer_run(struct scorer *s, struct text *t, double credibility)
{
	s->stamp++;
	s->text = t;
	s->credibility = credibility;
	s->ncues = s->nocc = s->ntterms = s->ntouched = 0;
	s->ncand = 0;
	s->nev = 0;
	s->nfires = 0;
	s->masks_ready = 0;
	if (s->dense)
		scorer_clear_dense(s);
	if (scorer_match(s) == -1)
		return -1;
	if (s->set->ncorefs > 0 && scorer_corefs(s) == -1)
		return -1;
	for (size_t i = 0; i < s->ntterms; i++) {
		uint32_t term = s->tterms[i];

		scorer_fast_term(s, term);
		for (uint32_t k = s->term_moff[term]; k < s->term_moff[term + 1]; k++) {
			uint32_t g = s->term_mrefs[k];

			if (s->rule_stamp[g] != s->stamp) {
				s->rule_stamp[g] = s->stamp;
				s->cand[s->ncand++] = g;
			}
		}
	}
	for (size_t i = 0; i < s->ncand; i++)
		scorer_slow_rule(s, s->cand[i], 0);
	scorer_order_touched(s);
	return 0;
}

size_t
scorer_touched(struct scorer *s, const uint32_t **markets)
{
	*markets = s->touched;
	return s->ntouched;
}

double
scorer_raw_total(const struct scorer *s, uint32_t m)
{
	if (m >= s->nmarkets || !scorer_has(s, m))
		return 0.0;
	return (s->acc[m] + 0.0) * s->credibility;	/* -0.0 + 0.0 is +0.0 */
}

double
scorer_total(const struct scorer *s, uint32_t m)
{
	double x, cap;

	if (m >= s->nmarkets || !scorer_has(s, m))
		return 0.0;
	x = (s->acc[m] + 0.0) * s->credibility;	/* as scorer_raw_total() */
	cap = s->cap[m];
	return scorer_clamp(x, cap);
}

/* ---------------------------------------------------------------- evidence */

static int
scorer_push_ev(struct scorer *s, uint32_t market, uint32_t rule,
    uint32_t start, uint32_t end, unsigned mods, double weight)
{
	struct evidence *e;

	if (s->nev == s->evcap) {
		size_t cap = s->evcap ? s->evcap * 2 : 64;

		if ((e = realloc(s->ev, cap * sizeof(*e))) == NULL)
			return -1;
		s->ev = e;
		s->evcap = cap;
	}
	e = &s->ev[s->nev++];
	e->market = market;
	e->rule = rule;
	e->start = start;
	e->end = end;
	e->mods = mods;
	e->weight = weight;
	return 0;
}

/* The evidence of fast rule j of market m: every occurrence of its term. */
static int
scorer_fast_evidence(struct scorer *s, uint32_t m, uint32_t j)
{
	const struct market_rule *r = &s->set->markets[m].rules[j];
	uint32_t	 term = r->terms[0];
	double		 rep = s->set->mods[MOD_REPEAT].factor, w = 1.0;
	int		 k = 0;

	if (s->trt[term].stamp != s->stamp)
		return 0;
	for (int32_t i = s->trt[term].first; i >= 0; i = s->occs[i].next, k++) {
		struct occ	*o = &s->occs[i];
		unsigned	 mods = scorer_occ_mods(s, o);

		if (k > 0)
			mods |= 1u << MOD_REPEAT;
		if (scorer_push_ev(s, m, j, o->start, o->end, mods,
		    r->weight * scorer_factor(s, mods) * w * s->credibility) == -1)
			return -1;
		w *= rep;
	}
	return 0;
}

static int
cmp_ev(const void *a, const void *b)
{
	const struct evidence *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return 0;
}

long
scorer_evidence(struct scorer *s, uint32_t m, const struct evidence **out)
{
	const struct market *mk;

	s->nev = 0;
	*out = NULL;
	if (m >= s->set->nmarkets || !scorer_has(s, m))
		return 0;
	mk = &s->set->markets[m];
	for (uint32_t j = 0; j < mk->nrules; j++) {
		uint32_t g = s->rule_base[m] + j;
		int r = s->rule_fast[g] ? scorer_fast_evidence(s, m, j) :
		    scorer_slow_rule(s, g, 1);

		if (r == -1)
			return -1;
	}
	qsort(s->ev, s->nev, sizeof(*s->ev), cmp_ev);
	*out = s->ev;
	return (long)s->nev;
}

/* The original text of [start, end) (shortened if long), its field, its span. */
static void
scorer_json_span(struct buf *w, const struct text *t, uint32_t start,
    uint32_t end)
{
	const char	*field, *base;
	size_t		 s, e, n;
	char		 buf[EXCERPT_MAX + 8];

	text_span(t, start, end, &field, &s, &e);
	base = strcmp(field, "title") == 0 ? t->orig : t->orig + t->title_len + 1;
	n = e - s;
	if (n > EXCERPT_MAX) {
		n = EXCERPT_MAX;
		while (n > 0 && ((unsigned char)base[s + n] & 0xc0) == 0x80)
			n--;
		memcpy(buf, base + s, n);
		memcpy(buf + n, "\xe2\x80\xa6", 4);	/* U+2026 */
	} else {
		memcpy(buf, base + s, n);
		buf[n] = '\0';
	}
	buf_adds(w, ",\"text\":");
	jsonw_string(w, buf);
	buf_adds(w, ",\"field\":");
	jsonw_string(w, field);
	buf_adds(w, ",\"span\":[");
	jsonw_number(w, (double)s);
	buf_addc(w, ',');
	jsonw_number(w, (double)e);
	buf_addc(w, ']');
}

/* {"rule":..., "text":..., "field":..., "span":[...], "modifiers":[...], "weight":...} */
static void
scorer_json_one(struct buf *w, const struct scorer *s, const struct text *t,
    const struct evidence *e)
{
	const struct market_rule *r = &s->set->markets[e->market].rules[e->rule];
	int first = 1;

	buf_adds(w, "{\"rule\":");
	jsonw_string(w, r->name);
	scorer_json_span(w, t, e->start, e->end);
	buf_adds(w, ",\"modifiers\":[");
	for (int m = 0; m < MOD_COUNT; m++) {
		if (!(e->mods & (1u << m)))
			continue;
		if (!first)
			buf_addc(w, ',');
		jsonw_string(w, modifier_name(m));
		first = 0;
	}
	buf_adds(w, "],\"weight\":");
	jsonw_number(w, round(e->weight * 10000.0) / 10000.0);
	buf_addc(w, '}');
}

/*
 * The evidence of market m as a JSON array.  Written directly (lib/jsonw.h,
 * the same bytes cJSON would print): every delta carries one, and building
 * a cJSON tree for it cost more than scoring the article.
 */
char *
scorer_evidence_json(struct scorer *s, const struct text *t, uint32_t m)
{
	const struct evidence	*ev;
	long			 n = scorer_evidence(s, m, &ev);
	struct buf		 w;

	if (n < 0)
		return NULL;
	buf_init(&w);
	buf_addc(&w, '[');
	for (long i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&w, ',');
		scorer_json_one(&w, s, t, &ev[i]);
	}
	buf_addc(&w, ']');
	return buf_detach(&w, NULL);
}
