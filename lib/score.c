/*
 * score.c: the scoring engine.  See score.h for the contract.
 *
 * One vectorscan scan reports every literal (rule phrase or modifier cue)
 * of every market.  Hits are checked for word boundaries and turned into
 * term occurrences (overlapping hits of one term merge) and cue hits.
 *
 * Two paths share the work:
 *  - fast: a rule with one term and no vetoes (most rules, and every rule
 *    of a plain phrase list) depends only on its term's occurrences, so
 *    the term's occurrences are judged once (context factors, diminishing
 *    repeats) into one sum S, and each such rule adds weight * S to its
 *    market: one multiply-add per rule, whatever the number of markets;
 *  - slow: rules with several terms ("Trump" AND "Putin" AND a call word),
 *    vetoes or rivals are evaluated sentence by sentence, only when all
 *    their terms occurred.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <hs/hs.h>

#include "score.h"

#define LIT_LEFT	0x1	/* needs a word boundary before */
#define LIT_RIGHT	0x2	/* needs a word boundary after */
#define LIT_PREFIX	0x4	/* extends to the end of the word */

#define CUE_BEFORE(m)	(1u << (2 * (m)))
#define CUE_AFTER(m)	(1u << (2 * (m) + 1))
#define CUE_BREAK	(1u << 31)
#define CUE_MODS	5	/* negation .. question have cue lists */

#define EXCERPT_MAX	300	/* bytes of matched text quoted in evidence */

struct hit {
	uint32_t	 lit;
	uint32_t	 end;
};

struct cue {
	uint32_t	 bits;
	uint32_t	 start, end;
	uint32_t	 tok0, tok1;
	uint32_t	 sent;
};

struct occ {
	uint32_t	 start, end;	/* normalised bytes */
	uint32_t	 tok0, tok1;	/* tokens [tok0, tok1) */
	uint32_t	 sent;
	int32_t		 next;		/* next occurrence of the same term */
	int		 judged;
	unsigned	 mods;		/* context, with the occurrence itself excluded */
};

struct sref {
	uint32_t	 market;
	uint32_t	 rule;
	double		 weight;
};

struct scorer {
	const struct market_set *set;
	hs_database_t	*db;
	hs_scratch_t	*scratch;
	size_t		 nlits;

	uint32_t	*lit_len;
	uint8_t		*lit_flags;
	uint32_t	*lit_cue;
	uint32_t	*lit_toff, *lit_terms;		/* CSR: literal -> terms */
	uint32_t	*term_soff;			/* CSR: term -> fast rules */
	struct sref	*term_srefs;
	uint32_t	*term_moff, *term_mrefs;	/* CSR: term -> slow rules */

	const struct market_rule **rules;		/* global rule index */
	uint32_t	*rule_base;			/* market -> first global rule */
	uint32_t	*rule_stamp;
	uint8_t		*rule_fast;
	size_t		 nrules;

	/* Per article. */
	uint32_t	 stamp;
	struct text	*text;
	double		 credibility;
	struct hit	*hits;
	size_t		 nhits, hcap;
	struct cue	*cues;
	size_t		 ncues, ccap;
	struct occ	*occs;
	size_t		 nocc, ocap;
	int32_t		*term_first, *term_last;
	uint32_t	*term_stamp;
	uint32_t	*tterms;			/* terms seen, in order */
	size_t		 ntterms;
	double		*acc;
	uint32_t	*mstamp;
	uint32_t	*touched;
	size_t		 ntouched;
	uint32_t	*cand;
	size_t		 ncand;
	struct evidence	*ev;
	size_t		 nev, evcap;
	int		 failed;
};

/* ------------------------------------------------------------ compilation */

static int
scorer_alloc_tables(struct scorer *s)
{
	const struct market_set *set = s->set;

	s->nlits = set->nlits;
	s->nrules = set->nrules;
	s->lit_len = calloc(set->nlits + 1, sizeof(*s->lit_len));
	s->lit_flags = calloc(set->nlits + 1, sizeof(*s->lit_flags));
	s->lit_cue = calloc(set->nlits + 1, sizeof(*s->lit_cue));
	s->lit_toff = calloc(set->nlits + 1, sizeof(*s->lit_toff));
	s->term_soff = calloc(set->nterms + 1, sizeof(*s->term_soff));
	s->term_moff = calloc(set->nterms + 1, sizeof(*s->term_moff));
	s->term_first = calloc(set->nterms + 1, sizeof(*s->term_first));
	s->term_last = calloc(set->nterms + 1, sizeof(*s->term_last));
	s->term_stamp = calloc(set->nterms + 1, sizeof(*s->term_stamp));
	s->tterms = calloc(set->nterms + 1, sizeof(*s->tterms));
	s->rules = calloc(set->nrules + 1, sizeof(*s->rules));
	s->rule_base = calloc(set->nmarkets + 1, sizeof(*s->rule_base));
	s->rule_stamp = calloc(set->nrules + 1, sizeof(*s->rule_stamp));
	s->rule_fast = calloc(set->nrules + 1, sizeof(*s->rule_fast));
	s->cand = calloc(set->nrules + 1, sizeof(*s->cand));
	s->acc = calloc(set->nmarkets + 1, sizeof(*s->acc));
	s->mstamp = calloc(set->nmarkets + 1, sizeof(*s->mstamp));
	s->touched = calloc(set->nmarkets + 1, sizeof(*s->touched));
	if (!s->lit_len || !s->lit_flags || !s->lit_cue || !s->lit_toff ||
	    !s->term_soff || !s->term_moff || !s->term_first || !s->term_last ||
	    !s->term_stamp || !s->tterms || !s->rules || !s->rule_base ||
	    !s->rule_stamp || !s->rule_fast || !s->cand || !s->acc ||
	    !s->mstamp || !s->touched)
		return -1;
	return 0;
}

/* A fast rule: one term, no vetoes, every modifier applies. */
static int
rule_is_fast(const struct market_rule *r)
{
	return r->nterms == 1 && r->nnone == 0 && r->nrivals == 0 &&
	    r->ignore == 0;
}

/* Literal flags and cue bits. */
static void
scorer_index_lits(struct scorer *s)
{
	const struct market_set *set = s->set;

	for (size_t i = 0; i < set->nlits; i++) {
		const struct market_lit *l = &set->lits[i];

		s->lit_len[i] = (uint32_t)l->len;
		if (text_is_word_byte((unsigned char)l->text[0]))
			s->lit_flags[i] |= LIT_LEFT;
		if (l->prefix)
			s->lit_flags[i] |= LIT_PREFIX;
		else if (text_is_word_byte((unsigned char)l->text[l->len - 1]))
			s->lit_flags[i] |= LIT_RIGHT;
	}
	for (int m = 0; m < CUE_MODS; m++) {
		const struct modifier *md = &set->mods[m];

		for (size_t j = 0; j < md->nbefore; j++)
			s->lit_cue[md->before[j]] |= CUE_BEFORE(m);
		for (size_t j = 0; j < md->nafter; j++)
			s->lit_cue[md->after[j]] |= CUE_AFTER(m);
	}
	for (size_t j = 0; j < set->nbreaks; j++)
		s->lit_cue[set->breaks[j]] |= CUE_BREAK;
}

/* literal -> terms, as compressed rows. */
static int
scorer_index_terms(struct scorer *s)
{
	const struct market_set *set = s->set;
	uint32_t *fill;
	size_t total = 0;

	for (size_t t = 0; t < set->nterms; t++)
		for (size_t j = 0; j < set->terms[t].nlits; j++)
			s->lit_toff[set->terms[t].lits[j] + 1]++;
	for (size_t i = 0; i < set->nlits; i++)
		s->lit_toff[i + 1] += s->lit_toff[i];
	total = s->lit_toff[set->nlits];
	s->lit_terms = calloc(total + 1, sizeof(*s->lit_terms));
	fill = calloc(set->nlits + 1, sizeof(*fill));
	if (s->lit_terms == NULL || fill == NULL) {
		free(fill);
		return -1;
	}
	for (size_t t = 0; t < set->nterms; t++) {
		for (size_t j = 0; j < set->terms[t].nlits; j++) {
			uint32_t l = set->terms[t].lits[j];

			s->lit_terms[s->lit_toff[l] + fill[l]++] = (uint32_t)t;
		}
	}
	free(fill);
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
	s->term_srefs = calloc(s->term_soff[set->nterms] + 1, sizeof(*s->term_srefs));
	s->term_mrefs = calloc(s->term_moff[set->nterms] + 1, sizeof(*s->term_mrefs));
	sfill = calloc(set->nterms + 1, sizeof(*sfill));
	mfill = calloc(set->nterms + 1, sizeof(*mfill));
	if (!s->term_srefs || !s->term_mrefs || !sfill || !mfill) {
		free(sfill);
		free(mfill);
		return -1;
	}
	for (g = 0; g < s->nrules; g++) {
		const struct market_rule *r = s->rules[g];

		if (s->rule_fast[g]) {
			uint32_t t = r->terms[0];
			struct sref *sr = &s->term_srefs[s->term_soff[t] + sfill[t]++];

			sr->market = r->market;
			sr->rule = (uint32_t)(r - set->markets[r->market].rules);
			sr->weight = r->weight;
		} else
			scorer_count_mrefs(s, r, g, mfill);
	}
	free(sfill);
	free(mfill);
	return 0;
}

static int
scorer_compile(struct scorer *s, char *err, size_t errsize)
{
	const struct market_set	*set = s->set;
	const char		**exprs;
	unsigned		 *ids;
	size_t			 *lens;
	hs_compile_error_t	 *cerr = NULL;
	int			  rc = -1;

	exprs = calloc(set->nlits, sizeof(*exprs));
	ids = calloc(set->nlits, sizeof(*ids));
	lens = calloc(set->nlits, sizeof(*lens));
	if (exprs == NULL || ids == NULL || lens == NULL) {
		snprintf(err, errsize, "scorer: out of memory");
		goto out;
	}
	for (size_t i = 0; i < set->nlits; i++) {
		exprs[i] = set->lits[i].text;
		ids[i] = (unsigned)i;
		lens[i] = set->lits[i].len;
	}
	if (hs_compile_lit_multi(exprs, NULL, ids, lens, (unsigned)set->nlits,
	    HS_MODE_BLOCK, NULL, &s->db, &cerr) != HS_SUCCESS) {
		snprintf(err, errsize, "scorer: cannot compile %zu phrases: %s",
		    set->nlits, cerr != NULL ? cerr->message : "unknown error");
		hs_free_compile_error(cerr);
		goto out;
	}
	if (hs_alloc_scratch(s->db, &s->scratch) != HS_SUCCESS) {
		snprintf(err, errsize, "scorer: cannot allocate matcher scratch");
		goto out;
	}
	rc = 0;
out:
	free(exprs);
	free(ids);
	free(lens);
	return rc;
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
	    scorer_index_rules(s) == -1) {
		snprintf(err, errsize, "scorer: out of memory");
		scorer_free(s);
		return NULL;
	}
	scorer_index_lits(s);
	if (scorer_compile(s, err, errsize) == -1) {
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
	hs_free_scratch(s->scratch);
	hs_free_database(s->db);
	free(s->lit_len);
	free(s->lit_flags);
	free(s->lit_cue);
	free(s->lit_toff);
	free(s->lit_terms);
	free(s->term_soff);
	free(s->term_srefs);
	free(s->term_moff);
	free(s->term_mrefs);
	free(s->rules);
	free(s->rule_base);
	free(s->rule_stamp);
	free(s->rule_fast);
	free(s->hits);
	free(s->cues);
	free(s->occs);
	free(s->term_first);
	free(s->term_last);
	free(s->term_stamp);
	free(s->tterms);
	free(s->acc);
	free(s->mstamp);
	free(s->touched);
	free(s->cand);
	free(s->ev);
	free(s);
}

size_t
scorer_patterns(const struct scorer *s)
{
	return s->nlits;
}

/* ---------------------------------------------------------------- matching */

static int
scorer_on_hit(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *ctx)
{
	struct scorer *s = ctx;

	(void)from;
	(void)flags;
	if (s->nhits == s->hcap) {
		size_t cap = s->hcap ? s->hcap * 2 : 1024;
		struct hit *n = realloc(s->hits, cap * sizeof(*n));

		if (n == NULL) {
			s->failed = 1;
			return 1;
		}
		s->hits = n;
		s->hcap = cap;
	}
	s->hits[s->nhits].lit = id;
	s->hits[s->nhits].end = (uint32_t)to;
	s->nhits++;
	return 0;
}

/* Hits arrive nearly sorted by end offset; make it exact (stable). */
static void
scorer_sort_hits(struct scorer *s)
{
	for (size_t i = 1; i < s->nhits; i++) {
		struct hit h = s->hits[i];
		size_t j = i;

		while (j > 0 && s->hits[j - 1].end > h.end) {
			s->hits[j] = s->hits[j - 1];
			j--;
		}
		s->hits[j] = h;
	}
}

/*
 * Check the hit's word boundaries; set its byte span and tokens.  Returns
 * 0 when the hit is not a whole-word occurrence.
 */
static int
scorer_place(const struct scorer *s, const struct hit *h, struct occ *o)
{
	const struct text	*t = s->text;
	const unsigned char	*n = (const unsigned char *)t->norm;
	uint32_t		 len = s->lit_len[h->lit], start, end = h->end;
	uint8_t			 fl = s->lit_flags[h->lit];
	uint32_t		 last;

	if (end < len)
		return 0;
	start = end - len;
	if ((fl & LIT_LEFT) && start > 0 && text_is_word_byte(n[start - 1]))
		return 0;
	if ((fl & LIT_RIGHT) && end < t->nlen && text_is_word_byte(n[end]))
		return 0;
	if (fl & LIT_PREFIX)
		while (end < t->nlen && text_is_word_byte(n[end]))
			end++;
	o->start = start;
	o->end = end;
	o->tok0 = t->tokat[start];
	last = t->tokat[end - 1];
	o->tok1 = (last < t->ntoks && t->toks[last].start <= end - 1) ?
	    last + 1 : last;
	if (o->tok0 >= t->ntoks)
		return 0;
	o->sent = t->toks[o->tok0].sent;
	return 1;
}

static int
scorer_push_cue(struct scorer *s, uint32_t bits, const struct occ *o)
{
	struct cue *c;

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
	c->sent = o->sent;
	return 0;
}

/* Record an occurrence of term; one overlapping the last one merges. */
static int
scorer_push_occ(struct scorer *s, uint32_t term, const struct occ *o)
{
	struct occ *p;

	if (s->term_stamp[term] != s->stamp) {
		s->term_stamp[term] = s->stamp;
		s->term_first[term] = s->term_last[term] = -1;
		s->tterms[s->ntterms++] = term;
	} else {
		p = &s->occs[s->term_last[term]];
		if (o->start < p->end) {
			if (o->start < p->start) {
				p->start = o->start;
				p->tok0 = o->tok0;
			}
			if (o->end > p->end) {
				p->end = o->end;
				p->tok1 = o->tok1;
			}
			return 0;
		}
	}
	if (s->nocc == s->ocap) {
		size_t cap = s->ocap ? s->ocap * 2 : 1024;

		if ((p = realloc(s->occs, cap * sizeof(*p))) == NULL)
			return -1;
		s->occs = p;
		s->ocap = cap;
	}
	p = &s->occs[s->nocc];
	*p = *o;
	p->next = -1;
	p->judged = 0;
	if (s->term_first[term] < 0)
		s->term_first[term] = (int32_t)s->nocc;
	else
		s->occs[s->term_last[term]].next = (int32_t)s->nocc;
	s->term_last[term] = (int32_t)s->nocc;
	s->nocc++;
	return 0;
}

/* Turn the sorted hits into cues, clause breaks and term occurrences. */
static int
scorer_collect(struct scorer *s)
{
	struct text *t = s->text;

	for (size_t i = 0; i < s->nhits; i++) {
		const struct hit	*h = &s->hits[i];
		uint32_t		 bits = s->lit_cue[h->lit];
		struct occ		 o;

		if (!scorer_place(s, h, &o))
			continue;
		if (bits != 0 && scorer_push_cue(s, bits, &o) == -1)
			return -1;
		if ((bits & CUE_BREAK) && t->toks[o.tok0].brk < BREAK_STRONG)
			t->toks[o.tok0].brk = BREAK_STRONG;
		for (uint32_t k = s->lit_toff[h->lit]; k < s->lit_toff[h->lit + 1]; k++)
			if (scorer_push_occ(s, s->lit_terms[k], &o) == -1)
				return -1;
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

static int
scorer_excluded(const struct cue *c, const struct span *ex, size_t nex)
{
	for (size_t i = 0; i < nex; i++)
		if (c->start < ex[i].end && ex[i].start < c->end)
			return 1;
	return 0;
}

/* Which modifiers the cue c triggers for an anchor at tokens [tok0, tok1). */
static unsigned
scorer_cue_mods(const struct scorer *s, const struct cue *c, uint32_t tok0,
    uint32_t tok1)
{
	unsigned mods = 0;

	for (int m = 0; m < CUE_MODS; m++) {
		const struct modifier *md = &s->set->mods[m];

		if ((c->bits & CUE_BEFORE(m)) && c->tok1 <= tok0) {
			if ((md->before_scope == 0 ||
			    tok0 - c->tok1 <= (uint32_t)md->before_scope) &&
			    !scorer_blocked(s, c->tok1, tok0, md->breaks))
				mods |= 1u << m;
		} else if ((c->bits & CUE_AFTER(m)) && c->tok0 >= tok1) {
			if ((md->after_scope == 0 ||
			    c->tok0 - tok1 <= (uint32_t)md->after_scope) &&
			    !scorer_blocked(s, tok1, c->tok0, md->breaks))
				mods |= 1u << m;
		}
	}
	return mods;
}

/*
 * The context of an anchor at tokens [tok0, tok1) of sentence sent: the
 * modifiers its sentence applies to it.  Cues overlapping the matched
 * phrases themselves (ex) do not count: "no deal" is not negated by its
 * own "no".
 */
static unsigned
scorer_context(const struct scorer *s, uint32_t tok0, uint32_t tok1,
    uint32_t sent, const struct span *ex, size_t nex)
{
	unsigned mods = 0;

	for (size_t i = scorer_first_cue(s, sent);
	    i < s->ncues && s->cues[i].sent == sent; i++) {
		if (scorer_excluded(&s->cues[i], ex, nex))
			continue;
		mods |= scorer_cue_mods(s, &s->cues[i], tok0, tok1);
	}
	if (s->text->sents[sent].question)
		mods |= 1u << MOD_QUESTION;
	return mods;
}

/* The factor a set of modifiers applies (a negation and a denial flip once). */
static double
scorer_factor(const struct scorer *s, unsigned mods)
{
	const struct modifier	*md = s->set->mods;
	double			 f = 1.0;

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
	if (mods & (1u << MOD_WRONG_ACTOR))
		f *= md[MOD_WRONG_ACTOR].factor;
	return f;
}

/* The context of an occurrence judged on its own (cached). */
static unsigned
scorer_occ_mods(struct scorer *s, struct occ *o)
{
	if (!o->judged) {
		struct span ex = { o->start, o->end };

		o->mods = scorer_context(s, o->tok0, o->tok1, o->sent, &ex, 1);
		o->judged = 1;
	}
	return o->mods;
}

/* ------------------------------------------------------------------ totals */

static void
scorer_touch(struct scorer *s, uint32_t m)
{
	if (s->mstamp[m] != s->stamp) {
		s->mstamp[m] = s->stamp;
		s->acc[m] = 0.0;
		s->touched[s->ntouched++] = m;
	}
}

/* Fast path: judge each occurrence of term once, then one add per rule. */
static void
scorer_fast_term(struct scorer *s, uint32_t term)
{
	uint32_t	 a = s->term_soff[term], b = s->term_soff[term + 1];
	double		 rep = s->set->mods[MOD_REPEAT].factor, w = 1.0, sum = 0.0;

	if (a == b)
		return;
	for (int32_t i = s->term_first[term]; i >= 0; i = s->occs[i].next) {
		sum += w * scorer_factor(s, scorer_occ_mods(s, &s->occs[i]));
		w *= rep;
	}
	for (uint32_t k = a; k < b; k++) {
		const struct sref *r = &s->term_srefs[k];

		scorer_touch(s, r->market);
		s->acc[r->market] += r->weight * sum;
	}
}

static uint32_t
occ_dist(const struct occ *x, const struct occ *y)
{
	if (x->tok1 <= y->tok0)
		return y->tok0 - x->tok1;
	if (y->tok1 <= x->tok0)
		return x->tok0 - y->tok1;
	return 0;
}

static int
occ_overlap(const struct occ *x, const struct occ *y)
{
	return x->start < y->end && y->start < x->end;
}

/* The nearest occurrence of term to anchor in its sentence, or -1. */
static int32_t
scorer_nearest(const struct scorer *s, uint32_t term, const struct occ *anchor,
    int within)
{
	int32_t		best = -1;
	uint32_t	bestd = UINT32_MAX;

	if (s->term_stamp[term] != s->stamp)
		return -1;
	for (int32_t i = s->term_first[term]; i >= 0; i = s->occs[i].next) {
		const struct occ *o = &s->occs[i];
		uint32_t d;

		if (o->sent != anchor->sent || occ_overlap(o, anchor))
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

/* One candidate firing of a slow rule. */
struct firing {
	int		 ok;
	unsigned	 mods;
	uint32_t	 start, end;
};

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
	size_t			 nex = 0;
	uint32_t		 maxd = 0;

	f->ok = 0;
	f->mods = 0;
	f->start = anc->start;
	f->end = anc->end;
	ex[nex++] = (struct span){ anc->start, anc->end };
	for (size_t i = 0; i + 1 < r->nterms; i++) {
		int32_t o = scorer_nearest(s, r->terms[i], anc, r->within);

		if (o < 0)
			return;
		ex[nex++] = (struct span){ s->occs[o].start, s->occs[o].end };
		if (s->occs[o].start < f->start)
			f->start = s->occs[o].start;
		if (s->occs[o].end > f->end)
			f->end = s->occs[o].end;
		if (occ_dist(&s->occs[o], anc) > maxd)
			maxd = occ_dist(&s->occs[o], anc);
	}
	for (size_t i = 0; i < r->nnone; i++)
		if (scorer_nearest(s, r->none[i], anc, r->within) >= 0)
			return;
	for (size_t i = 0; i < r->nrivals && !(f->mods & (1u << MOD_WRONG_ACTOR)); i++) {
		int32_t o = scorer_nearest(s, r->rivals[i], anc, r->within);
		int inside = 0;

		if (o < 0)
			continue;
		for (size_t k = 0; k < nex; k++)
			if (s->occs[o].start < ex[k].end && ex[k].start < s->occs[o].end)
				inside = 1;
		if (!inside && occ_dist(&s->occs[o], anc) < maxd)
			f->mods |= 1u << MOD_WRONG_ACTOR;
	}
	f->mods |= scorer_context(s, anc->tok0, anc->tok1, anc->sent, ex, nex);
	f->ok = 1;
}

static int scorer_push_ev(struct scorer *, uint32_t, uint32_t, uint32_t,
    uint32_t, unsigned, double);

/*
 * Evaluate slow rule g: at most one firing per sentence (the first one with
 * the right actors, else the first one), repeats worth less each time.
 * With collect, the firings are also recorded as evidence.
 */
static int
scorer_slow_rule(struct scorer *s, uint32_t g, int collect)
{
	const struct market_rule *r = s->rules[g];
	uint32_t	 anchor = r->terms[r->nterms - 1];
	double		 rep = s->set->mods[MOD_REPEAT].factor, w = 1.0;
	int		 k = 0;

	for (size_t i = 0; i < r->nterms; i++)
		if (s->term_stamp[r->terms[i]] != s->stamp)
			return 0;
	for (int32_t a = s->term_first[anchor]; a >= 0;) {
		uint32_t	sent = s->occs[a].sent;
		struct firing	best = { 0, 0, 0, 0 }, f;
		double		x;

		for (; a >= 0 && s->occs[a].sent == sent; a = s->occs[a].next) {
			scorer_fire(s, r, a, &f);
			if (f.ok && (!best.ok || ((best.mods & (1u << MOD_WRONG_ACTOR)) &&
			    !(f.mods & (1u << MOD_WRONG_ACTOR)))))
				best = f;
		}
		if (!best.ok)
			continue;
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
		k++;
	}
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
scorer_run(struct scorer *s, struct text *t, double credibility)
{
	s->stamp++;
	s->text = t;
	s->credibility = credibility;
	s->nhits = s->ncues = s->nocc = s->ntterms = s->ntouched = 0;
	s->ncand = 0;
	s->nev = 0;
	s->failed = 0;
	if (t->nlen > 0 && hs_scan(s->db, t->norm, (unsigned)t->nlen, 0,
	    s->scratch, scorer_on_hit, s) != HS_SUCCESS && !s->failed)
		return -1;
	if (s->failed)
		return -1;
	scorer_sort_hits(s);
	if (scorer_collect(s) == -1)
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
	qsort(s->touched, s->ntouched, sizeof(*s->touched), cmp_u32);
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
	if (m >= s->set->nmarkets || s->mstamp[m] != s->stamp)
		return 0.0;
	return s->acc[m] * s->credibility;
}

double
scorer_total(const struct scorer *s, uint32_t m)
{
	double x = scorer_raw_total(s, m), cap;

	if (m >= s->set->nmarkets)
		return 0.0;
	cap = s->set->markets[m].step_cap;
	return x > cap ? cap : x < -cap ? -cap : x;
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

	if (s->term_stamp[term] != s->stamp)
		return 0;
	for (int32_t i = s->term_first[term]; i >= 0; i = s->occs[i].next, k++) {
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
	if (m >= s->set->nmarkets || s->mstamp[m] != s->stamp)
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

/* Add the original text of [start, end) (shortened if long) and its span. */
static int
scorer_json_span(cJSON *o, const struct text *t, uint32_t start, uint32_t end)
{
	const char	*field, *base;
	size_t		 s, e, n;
	char		 buf[EXCERPT_MAX + 8];
	cJSON		*span;

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
	if (cJSON_AddStringToObject(o, "text", buf) == NULL ||
	    cJSON_AddStringToObject(o, "field", field) == NULL ||
	    (span = cJSON_AddArrayToObject(o, "span")) == NULL ||
	    !cJSON_AddItemToArray(span, cJSON_CreateNumber((double)s)) ||
	    !cJSON_AddItemToArray(span, cJSON_CreateNumber((double)e)))
		return -1;
	return 0;
}

static int
scorer_json_one(cJSON *arr, const struct scorer *s, const struct text *t,
    const struct evidence *e)
{
	const struct market_rule *r = &s->set->markets[e->market].rules[e->rule];
	cJSON	*o, *mods;

	if ((o = cJSON_CreateObject()) == NULL)
		return -1;
	if (!cJSON_AddItemToArray(arr, o))
		return -1;
	if (cJSON_AddStringToObject(o, "rule", r->name) == NULL ||
	    scorer_json_span(o, t, e->start, e->end) == -1 ||
	    (mods = cJSON_AddArrayToObject(o, "modifiers")) == NULL)
		return -1;
	for (int m = 0; m < MOD_COUNT; m++)
		if ((e->mods & (1u << m)) &&
		    !cJSON_AddItemToArray(mods, cJSON_CreateString(modifier_name(m))))
			return -1;
	if (cJSON_AddNumberToObject(o, "weight",
	    round(e->weight * 10000.0) / 10000.0) == NULL)
		return -1;
	return 0;
}

char *
scorer_evidence_json(struct scorer *s, const struct text *t, uint32_t m)
{
	const struct evidence	*ev;
	long			 n = scorer_evidence(s, m, &ev);
	cJSON			*arr;
	char			*out = NULL;

	if (n < 0 || (arr = cJSON_CreateArray()) == NULL)
		return NULL;
	for (long i = 0; i < n; i++)
		if (scorer_json_one(arr, s, t, &ev[i]) == -1)
			goto out;
	out = cJSON_PrintUnformatted(arr);
out:
	cJSON_Delete(arr);
	return out;
}
