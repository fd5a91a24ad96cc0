/*
 * market.h: prediction-market definitions, loaded from JSON files (one file
 * or a directory of *.json) and validated strictly: every error is one line
 * "FILE: JSON.PATH: problem".  docs/MARKETS.md documents the format.
 *
 * Loading resolves everything the scorer needs into flat tables: every
 * distinct phrase once (struct market_lit, normalised like article text),
 * every distinct term (a set of alternative phrases) once, the rules of
 * every market pointing at terms, and the context modifiers with their cue
 * phrases.  The scorer compiles all literals into one matcher.
 */
#ifndef PM_MARKET_H
#define PM_MARKET_H

#include <stddef.h>
#include <stdint.h>

#define MARKET_MAX_BYTES	(16u * 1024 * 1024)	/* one file */
#define MARKET_MAX_MARKETS	100000
#define MARKET_MAX_RULES	1000			/* per market */
#define MARKET_MAX_WINDOW	100			/* tokens */
#define MARKET_FACT_SCALE	0.6	/* default fact_scale (docs/MODEL.md) */
#define MARKET_EVIDENCE_CAP	2.0	/* default evidence_cap (docs/MODEL.md) */

enum market_kind {
	MARKET_DEADLINE = 0,	/* "will X happen by the deadline": hazard rate */
	MARKET_BINARY,		/* yes/no without a clock: log-odds */
};

/* The context modifiers, in the order they are shown in evidence. */
enum modifier_id {
	MOD_NEGATION = 0,	/* "no", "not", "never" near the cue */
	MOD_DENIAL,		/* "denied", "ruled out", "rejected" */
	MOD_HEDGE,		/* "reportedly", "could", "may" */
	MOD_INTENT,		/* "will", "plans to", "ready to": not yet a fact */
	MOD_QUESTION,		/* "if", "whether", a question */
	MOD_RECAP,		/* "last met", "previously": background, old news */
	MOD_WRONG_ACTOR,	/* someone else is nearer the event than a named actor */
	MOD_REPEAT,		/* the same rule again in one article */
	MOD_COUNT
};

/* Clause breaks: a modifier's scope stops at breaks of this level or above. */
enum {
	BREAK_NONE = 0,		/* never stops (sentence-wide) */
	BREAK_ANY = 1,		/* commas, colons, brackets, dashes and above */
	BREAK_STRONG = 2,	/* ';' and "but", "however", "although", ... */
};

struct market_lit {
	char		*text;		/* normalised tokens, blank-separated; no '*' */
	size_t		 len;
	uint64_t	*hashes;	/* its tokens (see text.h) */
	uint32_t	 ntoks;
	int		 prefix;	/* "negotiat*": the last word is a prefix ... */
	uint32_t	 plen;		/* ... of this many normalised bytes (< 32) */
};

struct market_term {
	uint32_t	*lits;		/* alternatives (indexes into lits) */
	size_t		 nlits;
	char		*label;		/* "@vocabulary" or the first phrase */
};

struct market_rule {
	char		*name;
	uint32_t	 market;	/* index of its market */
	double		 weight;	/* signed: > 0 towards yes, < 0 towards no */
	int		 within;	/* 0: same sentence; N: within N tokens */
	uint32_t	*terms;		/* all must occur; the last is the anchor */
	size_t		 nterms;
	uint32_t	*none;		/* any of these in scope vetoes the rule */
	size_t		 nnone;
	uint32_t	*rivals;	/* wrong actors, see MOD_WRONG_ACTOR */
	size_t		 nrivals;
	uint32_t	*article;	/* each must occur somewhere in the article */
	size_t		 narticle;
	unsigned	 ignore;	/* bit (1 << modifier_id): not applied */
	int		 fact;		/* reports the event itself as done (see model.h) */
	int		 concord;	/* a negation right before another term is that term's */
};

struct market {
	char		*id;
	char		*question;
	char		*file;		/* where it was defined */
	enum market_kind kind;
	int64_t		 opens;
	int64_t		 deadline;	/* PM_TIME_NONE for a binary market without one */
	double		 prior;
	double		 min_delta;	/* smallest decay move published */
	int64_t		 half_life;	/* seconds for evidence to lose half its weight */
	double		 step_cap;	/* most one article can add (log units) */
	double		 fact_scale;	/* "happened" evidence per log unit of fact rules */
	double		 evidence_cap;	/* E saturates here (log units) */
	struct market_rule *rules;
	size_t		 nrules;
	size_t		 nfact;		/* rules with fact set */
};

struct modifier {
	const char	*name;
	double		 factor;	/* evidence weight is multiplied by this */
	int		 before_scope;	/* tokens before the anchor; 0: to the sentence start */
	int		 after_scope;	/* tokens after it; 0: to the sentence end */
	int		 breaks;	/* BREAK_*: scopes stop at breaks this strong */
	uint32_t	*before, *after;	/* cue literals */
	size_t		 nbefore, nafter;
	/* before-cues whose scope ends at the first clause break of any
	 * level: "asked whether ..., Peskov said no" (the answer is not asked) */
	uint32_t	*clause;
	size_t		 nclause;
};

/*
 * Coreference: an anaphor ("he", "the two presidents") stands for the
 * count actors named nearest before it, in its sentence or up to
 * sentences before it (docs/MARKETS.md, "coreference"); the scorer adds
 * it to those actors' terms.
 */
#define MARKET_MAX_COREFS	16
struct market_coref {
	uint32_t	 anaphor;	/* term */
	uint32_t	*actors;	/* terms, at most 16 */
	size_t		 nactors;
	int		 count;		/* 1 or 2 */
	int		 sentences;	/* 0-3 */
	uint32_t	 not_after;	/* term, or UINT32_MAX: see "not_after" */
};

struct market_set {
	struct market	*markets;
	size_t		 nmarkets;
	size_t		 nrules;	/* over all markets */
	struct market_lit *lits;
	size_t		 nlits;
	struct market_term *terms;
	size_t		 nterms;
	struct modifier	 mods[MOD_COUNT];
	uint32_t	*breaks;	/* literals that start a new clause (BREAK_STRONG) */
	size_t		 nbreaks;
	uint32_t	*soft_breaks;	/* ... a new clause, softly (BREAK_ANY) */
	size_t		 nsoft_breaks;
	struct market_coref *corefs;
	size_t		 ncorefs;
};

/*
 * Load a market file, or every *.json file of a directory (in name order;
 * vocabularies are shared across the files, and at most one file may set
 * "modifiers", "clause_breaks" or "soft_breaks").  Returns 0 and a new set, or -1 with
 * one line in err.
 */
int	 market_set_load(const char *path, struct market_set **out,
	    char *err, size_t errsize);
/* The same from one buffer; name is used in messages. */
int	 market_set_parse(const char *name, const char *text, size_t len,
	    struct market_set **out, char *err, size_t errsize);
void	 market_set_free(struct market_set *);

/* The market with this id, or NULL. */
const struct market *market_set_find(const struct market_set *, const char *id);
/* Its index, or -1. */
long	 market_set_index(const struct market_set *, const char *id);

const char *market_kind_name(enum market_kind);
const char *modifier_name(enum modifier_id);
/* Parse a modifier name; -1 if unknown. */
int	 modifier_parse(const char *name);

/* Parse "90s", "30m", "36h", "14d" (or a bare number of seconds); -1 on error. */
int	 market_parse_duration(const char *s, int64_t *out);

#endif
