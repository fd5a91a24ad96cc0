/*
 * market.c: load and validate market definitions (docs/MARKETS.md).
 *
 * Loading is a small compiler: phrases are expanded ("(sign|signed) a
 * deal"), normalised like article text and interned, so each distinct
 * phrase is one literal and each distinct set of alternatives one term,
 * however many rules and markets use it.  The scorer relies on that
 * sharing to keep its cost flat in the number of markets.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "jsonv.h"
#include "market.h"
#include "text.h"

#define MARKET_MAX_EXPANSIONS	256	/* phrases one pattern may expand to */
#define MARKET_MAX_PHRASE	200	/* bytes of a normalised phrase */
#define MARKET_MAX_PHRASE_TOKENS 32
#define MARKET_MAX_VOCAB_DEPTH	8

/* ---------------------------------------------------------------- defaults */

static const char *const mod_names[MOD_COUNT] = {
	"negation", "denial", "hedge", "intent", "question", "recap",
	"wrong_actor", "repeat"
};

static const char *const def_negation_before[] = {
	"not", "no", "never", "without", "neither", "nor", "none", "nothing",
	"nobody", "no longer", "not yet", "(lack|absence) of", "far from",
	"(fail|fails|failed|failing) to", "unable to", "unlikely",
	"cannot", "(can|could|did|do|does|had|has|have|is|are|was|were|will|would|should|wo|ca)n't",
	NULL
};
static const char *const def_negation_after[] = {
	"not", "never", "(is|are|was|were|has|have|had|did|does|do|will|would|wo)n't",
	"unlikely", "off the table", "fell through", NULL
};
static const char *const def_denial_before[] = {
	"(deny|denies|denied|denying)", "(rule|rules|ruled|ruling) out",
	"(reject|rejects|rejected|rejecting)", "(dismiss|dismisses|dismissed|dismissing)",
	"(refuse|refuses|refused|refusing)", "(decline|declines|declined) to",
	"(turn|turns|turned) down", "(call|calls|called) off",
	"(cancel|cancels|cancelled|canceled|cancelling|canceling)",
	"(scrap|scraps|scrapped)", "(postpone|postpones|postponed)",
	"(dash|dashes|dashed|dashing)", "(preclude|precludes|precluded)",
	"(walk|walks|walked) away", "(abandon|abandons|abandoned)",
	"(shelve|shelves|shelved)", "no truth", "fake news", "(veto|vetoes|vetoed)",
	NULL
};
static const char *const def_denial_after[] = {
	"(was|were|been|is|are) denied", "(ruled|rules) out", "rejected",
	"(cancelled|canceled|called off|postponed|scrapped|shelved)",
	"off the table", "on hold", "(collapsed|fell apart)", NULL
};
static const char *const def_hedge[] = {
	"reportedly", "allegedly", "(rumor|rumour|rumors|rumours|rumored|rumoured)",
	"speculation", "unconfirmed", "could", "may", "might", "possibly",
	"perhaps", "potential", "potentially", "(sources|officials) said",
	"familiar with", "(unclear|uncertain)", "not clear",
	"(appear|appears|appeared|seem|seems|seemed) to", "(hint|hints|hinted)",
	"(float|floats|floated)", "mulling", "considering", "according to",
	"likelihood", "(chance|chances|odds|prospect|prospects) (of|for|that)",
	"speculate", "speculated", "if confirmed", NULL
};
static const char *const def_intent_before[] = {
	"will", "would", "shall", "'ll", "(plan|plans|planned|planning) to",
	"(intend|intends|intended) to", "(aim|aims|aimed) to",
	"(hope|hopes|hoped|hoping) to", "(want|wants|wanted) to",
	"(seek|seeks|seeking|sought) to", "(ready|prepared|willing|eager|set) to",
	"(expect|expects|expected) to", "going to", "(try|tries|trying) to",
	"(push|pushes|pushing) for", "(call|calls|called|calling) for",
	"(urge|urges|urged|urging)", "(offer|offers|offered) to",
	"(propose|proposes|proposed|proposing)", "upcoming", "possible",
	"future", "(schedule|scheduled) to", "next (week|month|year)",
	"would-be", NULL
};
static const char *const def_intent_after[] = {
	"would", "next (week|month|year)", "soon", "in the coming (days|weeks|months)",
	"later this (week|month|year)", "(is|are|being) (planned|prepared|expected)",
	"in the works", NULL
};
static const char *const def_question_before[] = {
	"if", "whether", "unless", "in case", "in the event", "provided that",
	"as long as", "on condition", NULL
};
/* A question whose answer follows: "Asked whether X, Peskov said Z". */
static const char *const def_question_clause[] = {
	"(asked|asking|ask) (whether|if|about)", "when asked (whether|if|about)",
	NULL
};
static const char *const def_breaks[] = {
	"but", "however", "although", "though", "while", "whereas", "yet",
	"despite", "instead", "meanwhile", "which", "who", "after", "because",
	NULL
};
/* Words that start a new clause the way a comma does. */
static const char *const def_soft_breaks[] = {
	"that", "he", "she", "they", "we", "said", "says", "told", "adding",
	NULL
};
static const char *const def_none[] = { NULL };

struct mod_default {
	double			 factor;
	int			 before_scope, after_scope, breaks;
	const char *const	*before, *const *after;
	const char *const	*clause;	/* before-cues ending at any break */
};

static const struct mod_default mod_defaults[MOD_COUNT] = {
	[MOD_NEGATION] = { -0.6, 5, 4, BREAK_ANY, def_negation_before, def_negation_after,
	    def_none },
	[MOD_DENIAL] = { -0.6, 0, 5, BREAK_STRONG, def_denial_before, def_denial_after,
	    def_none },
	[MOD_HEDGE] = { 0.5, 0, 8, BREAK_NONE, def_hedge, def_hedge, def_none },
	[MOD_INTENT] = { 0.5, 6, 5, BREAK_ANY, def_intent_before, def_intent_after,
	    def_none },
	[MOD_QUESTION] = { 0.25, 0, 0, BREAK_STRONG, def_question_before, def_none,
	    def_question_clause },
	/* off unless a market file gives its cues (docs/MARKETS.md) */
	[MOD_RECAP] = { 0.0, 0, 6, BREAK_STRONG, def_none, def_none, def_none },
	[MOD_WRONG_ACTOR] = { 0.0, 3, 0, BREAK_ANY, def_none, def_none, def_none },
	[MOD_REPEAT] = { 0.5, 0, 0, BREAK_NONE, def_none, def_none, def_none },
};

const char *
modifier_name(enum modifier_id m)
{
	return (unsigned)m < MOD_COUNT ? mod_names[m] : "unknown";
}

int
modifier_parse(const char *name)
{
	for (int i = 0; i < MOD_COUNT; i++)
		if (strcmp(name, mod_names[i]) == 0)
			return i;
	return -1;
}

const char *
market_kind_name(enum market_kind k)
{
	return k == MARKET_BINARY ? "binary" : "deadline";
}

int
market_parse_duration(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;
	int64_t		 unit = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno != 0 || v < 0)
		return -1;
	switch (*end) {
	case '\0': case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > INT64_MAX / unit / 2)
		return -1;
	*out = (int64_t)v * unit;
	return 0;
}

/* ----------------------------------------------------------------- strmap */

/* A small open-addressing map from owned strings to indexes. */
struct strmap {
	char		**keys;
	uint32_t	 *vals;
	size_t		  cap, n;
};

static uint64_t
strmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* Slot of key, or of the empty slot where it would go. */
static size_t
strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)strmap_hash(key) & (m->cap - 1);

	while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int
strmap_get(const struct strmap *m, const char *key, uint32_t *val)
{
	size_t i;

	if (m->cap == 0)
		return -1;
	i = strmap_slot(m, key);
	if (m->keys[i] == NULL)
		return -1;
	*val = m->vals[i];
	return 0;
}

static int
strmap_grow(struct strmap *m)
{
	struct strmap	 n;
	size_t		 cap = m->cap ? m->cap * 2 : 256;

	n.cap = cap;
	n.n = m->n;
	if ((n.keys = calloc(cap, sizeof(*n.keys))) == NULL)
		return -1;
	if ((n.vals = calloc(cap, sizeof(*n.vals))) == NULL) {
		free(n.keys);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] != NULL) {
			size_t j = strmap_slot(&n, m->keys[i]);

			n.keys[j] = m->keys[i];
			n.vals[j] = m->vals[i];
		}
	}
	free(m->keys);
	free(m->vals);
	*m = n;
	return 0;
}

static int
strmap_put(struct strmap *m, const char *key, uint32_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && strmap_grow(m) == -1)
		return -1;
	i = strmap_slot(m, key);
	if (m->keys[i] == NULL) {
		if ((m->keys[i] = strdup(key)) == NULL)
			return -1;
		m->n++;
	}
	m->vals[i] = val;
	return 0;
}

/* ---------------------------------------------------------------- builder */

struct vocab {
	char		*name;
	const cJSON	*node;
	struct jsonv	*jv;		/* of the file that defines it */
	char		 path[160];
	uint32_t	*lits;
	size_t		 nlits;
	int		 state;		/* 0 new, 1 resolving, 2 done */
};

struct idlist {
	uint32_t	*v;
	size_t		 n, cap;
};

struct mbuild {
	struct market_set *set;
	size_t		 lcap, tcap, mcap;
	struct strmap	 litmap, termmap, vocabmap, idmap;
	struct vocab	*vocabs;
	size_t		 nvocabs, vcap;
	struct text	 ptext;		/* phrases are tokenised like articles */
};

static int
idlist_add(struct idlist *l, uint32_t v, int unique)
{
	if (unique)
		for (size_t i = 0; i < l->n; i++)
			if (l->v[i] == v)
				return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		uint32_t *n = realloc(l->v, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		l->v = n;
		l->cap = cap;
	}
	l->v[l->n++] = v;
	return 0;
}

/*
 * Intern the literal whose tokens t holds; returns its index, or -1 when
 * out of memory.
 */
static long
mbuild_lit(struct mbuild *b, const struct text *t, int prefix)
{
	struct market_set	*s = b->set;
	struct market_lit	*l;
	char			 key[MARKET_MAX_PHRASE + 4];
	uint32_t		 id;

	snprintf(key, sizeof(key), "%s%s", t->norm, prefix ? "*" : "");
	if (strmap_get(&b->litmap, key, &id) == 0)
		return id;
	if (s->nlits == b->lcap) {
		size_t cap = b->lcap ? b->lcap * 2 : 256;
		struct market_lit *n = realloc(s->lits, cap * sizeof(*n));

		if (n == NULL)
			return -1;
		s->lits = n;
		b->lcap = cap;
	}
	id = (uint32_t)s->nlits;
	l = &s->lits[id];
	memset(l, 0, sizeof(*l));
	if ((l->text = strdup(t->norm)) == NULL ||
	    (l->hashes = calloc(t->ntoks, sizeof(*l->hashes))) == NULL) {
		free(l->text);
		return -1;
	}
	s->nlits++;
	l->len = strlen(t->norm);
	l->ntoks = (uint32_t)t->ntoks;
	for (size_t i = 0; i < t->ntoks; i++)
		l->hashes[i] = t->toks[i].hash;
	l->prefix = prefix;
	l->plen = prefix ? t->toks[t->ntoks - 1].len : 0;
	if (strmap_put(&b->litmap, key, id) == -1)
		return -1;
	return id;
}

/* Add one expanded phrase (maybe with a trailing '*'). */
static int
mbuild_phrase1(struct mbuild *b, struct jsonv *jv, const char *path,
    const char *src, const char *phrase, struct idlist *out)
{
	char		 buf[512];
	size_t		 n;
	int		 prefix = 0, words = 0;
	long		 id;

	snprintf(buf, sizeof(buf), "%s", phrase);
	n = strlen(buf);
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '*') {
		prefix = 1;
		buf[--n] = '\0';
	}
	b->ptext.want_norm = 1;
	if (text_prepare(&b->ptext, NULL, buf) == -1)
		return jsonv_fail(jv, path, "out of memory");
	for (size_t i = 0; i < b->ptext.ntoks; i++)
		words += b->ptext.toks[i].kind == TOK_WORD;
	if (b->ptext.ntoks == 0 || words == 0)
		return jsonv_fail(jv, path, "phrase '%s' has no letter or digit",
		    src);
	if (b->ptext.nsents > 1 || b->ptext.nlen > MARKET_MAX_PHRASE ||
	    b->ptext.ntoks > MARKET_MAX_PHRASE_TOKENS)
		return jsonv_fail(jv, path, "phrase '%s' must be one line of at "
		    "most %d tokens (%d bytes), with no sentence end inside", src,
		    MARKET_MAX_PHRASE_TOKENS, MARKET_MAX_PHRASE);
	if (prefix && (b->ptext.toks[b->ptext.ntoks - 1].kind != TOK_WORD ||
	    b->ptext.toks[b->ptext.ntoks - 1].len >= 32 ||
	    (n > 0 && isspace((unsigned char)buf[n - 1]))))
		return jsonv_fail(jv, path, "phrase '%s': '*' must follow a "
		    "word of fewer than 32 letters", src);
	id = mbuild_lit(b, &b->ptext, prefix);
	if (id < 0 || idlist_add(out, (uint32_t)id, 1) == -1)
		return jsonv_fail(jv, path, "out of memory");
	return 0;
}

/*
 * Expand "(a|b) c (d|e)" into every combination and add each.  Groups do
 * not nest; an empty alternative is allowed ("(the |)deal").
 */
static int
mbuild_expand(struct mbuild *b, struct jsonv *jv, const char *path,
    const char *src, const char *rest, char *acc, size_t acclen,
    size_t *count, struct idlist *out)
{
	const char *open = strchr(rest, '('), *close, *alt;

	if (open == NULL) {
		if (acclen + strlen(rest) >= 512)
			return jsonv_fail(jv, path, "phrase '%s' is too long", src);
		strcpy(acc + acclen, rest);
		if (++*count > MARKET_MAX_EXPANSIONS)
			return jsonv_fail(jv, path, "phrase '%s' expands to more "
			    "than %d phrases", src, MARKET_MAX_EXPANSIONS);
		return mbuild_phrase1(b, jv, path, src, acc, out);
	}
	if ((close = strchr(open, ')')) == NULL)
		return jsonv_fail(jv, path, "phrase '%s' has an unclosed '('", src);
	for (const char *q = open + 1; q < close; q++)
		if (*q == '(')
			return jsonv_fail(jv, path, "phrase '%s': groups do not "
			    "nest", src);
	if (acclen + (size_t)(open - rest) >= 512)
		return jsonv_fail(jv, path, "phrase '%s' is too long", src);
	memcpy(acc + acclen, rest, (size_t)(open - rest));
	acclen += (size_t)(open - rest);
	alt = open + 1;
	for (;;) {
		const char	*bar = memchr(alt, '|', (size_t)(close - alt));
		const char	*e = bar != NULL ? bar : close;

		if (acclen + (size_t)(e - alt) >= 512)
			return jsonv_fail(jv, path, "phrase '%s' is too long", src);
		memcpy(acc + acclen, alt, (size_t)(e - alt));
		if (mbuild_expand(b, jv, path, src, close + 1, acc,
		    acclen + (size_t)(e - alt), count, out) == -1)
			return -1;
		if (bar == NULL)
			break;
		alt = bar + 1;
	}
	return 0;
}

static int
mbuild_phrase(struct mbuild *b, struct jsonv *jv, const char *path,
    const char *phrase, struct idlist *out)
{
	char	acc[512];
	size_t	count = 0;

	if (strstr(phrase, ")?") != NULL)
		return jsonv_fail(jv, path, "phrase '%s': write an optional part "
		    "as \"(word |)\", not \"(word )?\"", phrase);
	if (strchr(phrase, ')') != NULL && strchr(phrase, '(') == NULL)
		return jsonv_fail(jv, path, "phrase '%s' has a ')' without '('",
		    phrase);
	return mbuild_expand(b, jv, path, phrase, phrase, acc, 0, &count, out);
}

static int mbuild_strings(struct mbuild *, struct jsonv *, const char *,
    const cJSON *, int, struct idlist *);

/* Resolve "@name" into its literals, once; cycles are errors. */
static int
mbuild_vocab(struct mbuild *b, struct jsonv *jv, const char *path,
    const char *name, int depth, struct idlist *out)
{
	struct vocab	*v;
	struct idlist	 l = { NULL, 0, 0 };
	uint32_t	 idx;

	if (strmap_get(&b->vocabmap, name, &idx) == -1)
		return jsonv_fail(jv, path, "unknown vocabulary '@%s'", name);
	v = &b->vocabs[idx];
	if (v->state == 1 || depth > MARKET_MAX_VOCAB_DEPTH)
		return jsonv_fail(jv, path, "vocabulary '@%s' refers to itself",
		    name);
	if (v->state == 0) {
		v->state = 1;
		if (mbuild_strings(b, v->jv, v->path, v->node, depth + 1, &l) == -1) {
			free(l.v);
			if (jv != v->jv && v->jv->failed && !jv->failed) {
				/* The error is in the vocabulary's own file. */
				snprintf(jv->err, sizeof(jv->err), "%s", v->jv->err);
				jv->failed = 1;
			}
			return -1;
		}
		v->lits = l.v;
		v->nlits = l.n;
		v->state = 2;
	}
	for (size_t i = 0; i < v->nlits; i++)
		if (idlist_add(out, v->lits[i], 1) == -1)
			return jsonv_fail(jv, path, "out of memory");
	return 0;
}

/* A string (phrase or "@vocabulary") or an array of them, into literals. */
static int
mbuild_strings(struct mbuild *b, struct jsonv *jv, const char *path,
    const cJSON *node, int depth, struct idlist *out)
{
	const cJSON	*e;
	char		 p[256];
	int		 i = 0;

	if (cJSON_IsString(node)) {
		if (node->valuestring[0] == '@')
			return mbuild_vocab(b, jv, path, node->valuestring + 1,
			    depth, out);
		return mbuild_phrase(b, jv, path, node->valuestring, out);
	}
	if (!cJSON_IsArray(node) || cJSON_GetArraySize(node) == 0)
		return jsonv_fail(jv, path, "must be a phrase, an \"@vocabulary\" "
		    "or a non-empty array of them");
	cJSON_ArrayForEach(e, node) {
		jsonv_path_index(p, sizeof(p), path, i++);
		if (!cJSON_IsString(e))
			return jsonv_fail(jv, p, "must be a phrase or an "
			    "\"@vocabulary\"");
		if (mbuild_strings(b, jv, p, e, depth, out) == -1)
			return -1;
	}
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Intern the term made of node's alternatives; its index in *out. */
static int
mbuild_term(struct mbuild *b, struct jsonv *jv, const char *path,
    const cJSON *node, uint32_t *out)
{
	struct market_set	*s = b->set;
	struct market_term	*t;
	struct idlist		 l = { NULL, 0, 0 };
	char			*key = NULL, *label;
	size_t			 klen;
	uint32_t		 id;

	if (mbuild_strings(b, jv, path, node, 0, &l) == -1)
		goto fail;
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_u32);
	klen = l.n * 11 + 1;
	if ((key = malloc(klen)) == NULL)
		goto oom;
	key[0] = '\0';
	for (size_t i = 0, o = 0; i < l.n; i++)
		o += (size_t)snprintf(key + o, klen - o, "%u,", l.v[i]);
	if (strmap_get(&b->termmap, key, &id) == 0) {
		*out = id;
		free(key);
		free(l.v);
		return 0;
	}
	if (s->nterms == b->tcap) {
		size_t cap = b->tcap ? b->tcap * 2 : 256;
		struct market_term *n = realloc(s->terms, cap * sizeof(*n));

		if (n == NULL)
			goto oom;
		s->terms = n;
		b->tcap = cap;
	}
	if (cJSON_IsString(node))
		label = node->valuestring;
	else
		label = cJSON_GetArrayItem(node, 0)->valuestring;
	id = (uint32_t)s->nterms;
	t = &s->terms[id];
	t->lits = l.v;
	t->nlits = l.n;
	if ((t->label = strdup(label)) == NULL) {
		t->lits = NULL;
		goto oom;
	}
	s->nterms++;
	if (strmap_put(&b->termmap, key, id) == -1) {
		free(key);
		return jsonv_fail(jv, path, "out of memory");
	}
	free(key);
	*out = id;
	return 0;
oom:
	jsonv_fail(jv, path, "out of memory");
fail:
	free(key);
	free(l.v);
	return -1;
}

/* An array of terms (each a phrase, "@vocabulary" or array) into ids. */
static int
mbuild_terms(struct mbuild *b, struct jsonv *jv, const char *path,
    const cJSON *node, uint32_t **ids, size_t *n)
{
	const cJSON	*e;
	char		 p[256];
	int		 i = 0, cnt;

	if (!cJSON_IsArray(node) || (cnt = cJSON_GetArraySize(node)) == 0)
		return jsonv_fail(jv, path, "must be a non-empty array of terms");
	if (cnt > 16)
		return jsonv_fail(jv, path, "more than 16 terms");
	if ((*ids = calloc((size_t)cnt, sizeof(**ids))) == NULL)
		return jsonv_fail(jv, path, "out of memory");
	*n = (size_t)cnt;
	cJSON_ArrayForEach(e, node) {
		jsonv_path_index(p, sizeof(p), path, i);
		if (mbuild_term(b, jv, p, e, &(*ids)[i]) == -1)
			return -1;
		i++;
	}
	return 0;
}

/* ------------------------------------------------------------------ rules */

static const char *const rule_keys[] = {
	"name", "all", "any", "within", "weight", "none", "rivals", "ignore",
	"article_has", "fact", "concord", NULL
};

static int
mbuild_rule_within(struct jsonv *jv, const cJSON *node, const char *path,
    struct market_rule *r)
{
	const cJSON	*w = cJSON_GetObjectItemCaseSensitive(node, "within");
	char		 p[256];
	int64_t		 v = 0;

	if (w == NULL)
		return 0;
	jsonv_path_key(p, sizeof(p), path, "within");
	if (cJSON_IsString(w) && strcmp(w->valuestring, "sentence") == 0)
		return 0;
	if (!cJSON_IsNumber(w))
		return jsonv_fail(jv, p, "must be \"sentence\" or a number of "
		    "tokens");
	if (jsonv_int(jv, node, path, "within", 1, 1, MARKET_MAX_WINDOW, &v) == -1)
		return -1;
	r->within = (int)v;
	return 0;
}

static int
mbuild_rule_ignore(struct jsonv *jv, const cJSON *node, const char *path,
    struct market_rule *r)
{
	const cJSON	*ig = cJSON_GetObjectItemCaseSensitive(node, "ignore"), *e;
	char		 p[256], q[256];
	int		 i = 0, m;

	if (ig == NULL)
		return 0;
	jsonv_path_key(p, sizeof(p), path, "ignore");
	if (jsonv_array(jv, ig, p) == -1)
		return -1;
	cJSON_ArrayForEach(e, ig) {
		jsonv_path_index(q, sizeof(q), p, i++);
		if (!cJSON_IsString(e) || (m = modifier_parse(e->valuestring)) < 0)
			return jsonv_fail(jv, q, "must name a modifier (negation, "
			    "denial, hedge, intent, question, recap, wrong_actor, repeat)");
		r->ignore |= 1u << m;
	}
	return 0;
}

/*
 * The rule's flags.  "fact": true marks a rule that reports the event
 * itself as done ("the two presidents spoke by phone"): its clean firings
 * say the event has happened, which the model keeps (docs/MODEL.md); such
 * a rule must move the market up.  "concord": true: a negation right
 * before one of the rule's terms other than the anchor belongs to that
 * term, not to the event: for a rule that already says no, "there will be
 * no ceasefire and no agreement" is a no to a ceasefire, not a double
 * negative; only rules of two terms or more.
 */
static int
mbuild_rule_flags(struct jsonv *jv, const cJSON *node, const char *path,
    struct market_rule *r)
{
	char p[256];

	if (jsonv_bool(jv, node, path, "fact", 0, &r->fact) == -1 ||
	    jsonv_bool(jv, node, path, "concord", 0, &r->concord) == -1)
		return -1;
	jsonv_path_key(p, sizeof(p), path, r->fact && r->weight < 0 ?
	    "fact" : "concord");
	if (r->fact && r->weight < 0)
		return jsonv_fail(jv, p, "a fact rule reports the event done: "
		    "its weight must be positive");
	if (r->concord && r->nterms < 2)
		return jsonv_fail(jv, p, "needs a rule with at least two terms "
		    "in \"all\"");
	return 0;
}

static int
mbuild_rule(struct mbuild *b, struct jsonv *jv, const cJSON *node,
    const char *path, struct market *m, uint32_t mi, size_t ri)
{
	struct market_rule	*r = &m->rules[ri];
	const cJSON		*all, *any, *x;
	const char		*name = NULL;
	char			 p[256];

	r->market = mi;
	if (jsonv_only_keys(jv, node, path, rule_keys) == -1 ||
	    jsonv_string(jv, node, path, "name", 1, 64, &name) == -1 ||
	    jsonv_number(jv, node, path, "weight", 1, -20.0, 20.0,
	    &r->weight) == -1)
		return -1;
	if (name[0] == '\0')
		return jsonv_fail(jv, path, "name must not be empty");
	for (size_t k = 0; k < ri; k++)
		if (strcmp(m->rules[k].name, name) == 0)
			return jsonv_fail(jv, path, "duplicate rule name '%s' "
			    "(also rules[%zu])", name, k);
	if ((r->name = strdup(name)) == NULL)
		return jsonv_fail(jv, path, "out of memory");
	if (r->weight == 0.0) {
		jsonv_path_key(p, sizeof(p), path, "weight");
		return jsonv_fail(jv, p, "must not be 0 (its sign says which "
		    "way the rule moves the market)");
	}
	all = cJSON_GetObjectItemCaseSensitive(node, "all");
	any = cJSON_GetObjectItemCaseSensitive(node, "any");
	if ((all == NULL) == (any == NULL))
		return jsonv_fail(jv, path, "needs exactly one of \"all\" (terms "
		    "that must co-occur) or \"any\" (alternative phrases)");
	if (all != NULL) {
		jsonv_path_key(p, sizeof(p), path, "all");
		if (mbuild_terms(b, jv, p, all, &r->terms, &r->nterms) == -1)
			return -1;
	} else {
		jsonv_path_key(p, sizeof(p), path, "any");
		if ((r->terms = calloc(1, sizeof(*r->terms))) == NULL)
			return jsonv_fail(jv, p, "out of memory");
		r->nterms = 1;
		if (mbuild_term(b, jv, p, any, &r->terms[0]) == -1)
			return -1;
	}
	if ((x = cJSON_GetObjectItemCaseSensitive(node, "none")) != NULL) {
		jsonv_path_key(p, sizeof(p), path, "none");
		if (mbuild_terms(b, jv, p, x, &r->none, &r->nnone) == -1)
			return -1;
	}
	if ((x = cJSON_GetObjectItemCaseSensitive(node, "article_has")) != NULL) {
		jsonv_path_key(p, sizeof(p), path, "article_has");
		if (mbuild_terms(b, jv, p, x, &r->article, &r->narticle) == -1)
			return -1;
	}
	if ((x = cJSON_GetObjectItemCaseSensitive(node, "rivals")) != NULL) {
		jsonv_path_key(p, sizeof(p), path, "rivals");
		if (mbuild_terms(b, jv, p, x, &r->rivals, &r->nrivals) == -1)
			return -1;
		if (r->nterms < 2)
			return jsonv_fail(jv, p, "needs a rule with at least two "
			    "terms in \"all\" (actors, then the event)");
	}
	return mbuild_rule_within(jv, node, path, r) == -1 ||
	    mbuild_rule_ignore(jv, node, path, r) == -1 ||
	    mbuild_rule_flags(jv, node, path, r) == -1 ? -1 : 0;
}

/* ---------------------------------------------------------------- markets */

static const char *const market_keys[] = {
	"id", "question", "kind", "opens", "deadline", "prior", "min_delta",
	"half_life", "step_cap", "fact_scale", "evidence_cap", "rules", NULL
};

static int
mbuild_valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    strchr("._-", *s) == NULL)
			return 0;
	return 1;
}

/* A time: RFC 3339, or a date (the deadline's date means its last second). */
static int
mbuild_time(struct jsonv *jv, const cJSON *node, const char *path,
    const char *key, int required, int end_of_day, int64_t *out)
{
	const char	*s = NULL;
	char		 p[256];

	if (jsonv_string(jv, node, path, key, required, 64, &s) == -1)
		return -1;
	if (s == NULL)
		return 0;
	jsonv_path_key(p, sizeof(p), path, key);
	if (date_parse_rfc3339(s, out) == -1)
		return jsonv_fail(jv, p, "'%s' is not an RFC 3339 time such as "
		    "2025-11-27T23:59:59Z or a date such as 2025-11-27", s);
	if (end_of_day && strlen(s) == 10)
		*out += 86399;
	return 0;
}

static int
mbuild_half_life(struct jsonv *jv, const cJSON *node, const char *path,
    struct market *m)
{
	const cJSON	*h = cJSON_GetObjectItemCaseSensitive(node, "half_life");
	char		 p[256];

	if (h == NULL)
		return 0;
	jsonv_path_key(p, sizeof(p), path, "half_life");
	if (cJSON_IsNumber(h))
		return jsonv_int(jv, node, path, "half_life", 1, 3600,
		    3650 * 86400LL, &m->half_life);
	if (!cJSON_IsString(h) || market_parse_duration(h->valuestring,
	    &m->half_life) == -1 || m->half_life < 3600 ||
	    m->half_life > 3650 * 86400LL)
		return jsonv_fail(jv, p, "must be a duration between 1h and "
		    "3650d, such as \"14d\" or \"36h\"");
	return 0;
}

static int
mbuild_market_fields(struct mbuild *b, struct jsonv *jv, const cJSON *node,
    const char *path, struct market *m)
{
	const char	*id = NULL, *q = NULL, *kind = NULL;
	char		 p[256];
	uint32_t	 other;

	if (jsonv_only_keys(jv, node, path, market_keys) == -1 ||
	    jsonv_string(jv, node, path, "id", 1, 64, &id) == -1 ||
	    jsonv_string(jv, node, path, "question", 1, 1000, &q) == -1 ||
	    jsonv_string(jv, node, path, "kind", 1, 16, &kind) == -1)
		return -1;
	jsonv_path_key(p, sizeof(p), path, "id");
	if (!mbuild_valid_id(id))
		return jsonv_fail(jv, p, "'%s' is not a valid market id (1-64 "
		    "characters from a-z 0-9 . _ -)", id);
	if (strmap_get(&b->idmap, id, &other) == 0)
		return jsonv_fail(jv, p, "duplicate market id '%s'", id);
	if ((m->id = strdup(id)) == NULL || (m->question = strdup(q)) == NULL ||
	    strmap_put(&b->idmap, id, 0) == -1)
		return jsonv_fail(jv, path, "out of memory");
	jsonv_path_key(p, sizeof(p), path, "kind");
	if (strcmp(kind, "deadline") == 0)
		m->kind = MARKET_DEADLINE;
	else if (strcmp(kind, "binary") == 0)
		m->kind = MARKET_BINARY;
	else
		return jsonv_fail(jv, p, "'%s' is not \"deadline\" or \"binary\"",
		    kind);
	m->deadline = PM_TIME_NONE;
	m->min_delta = 0.005;
	m->half_life = 14 * 86400;
	m->step_cap = 3.0;
	m->fact_scale = MARKET_FACT_SCALE;
	m->evidence_cap = MARKET_EVIDENCE_CAP;
	if (mbuild_time(jv, node, path, "opens", 1, 0, &m->opens) == -1 ||
	    mbuild_time(jv, node, path, "deadline", m->kind == MARKET_DEADLINE,
	    1, &m->deadline) == -1 ||
	    jsonv_number(jv, node, path, "prior", 1, 0.001, 0.999,
	    &m->prior) == -1 ||
	    jsonv_number(jv, node, path, "min_delta", 0, 0.0001, 0.5,
	    &m->min_delta) == -1 ||
	    jsonv_number(jv, node, path, "step_cap", 0, 0.1, 20.0,
	    &m->step_cap) == -1 ||
	    jsonv_number(jv, node, path, "fact_scale", 0, 0.05, 5.0,
	    &m->fact_scale) == -1 ||
	    jsonv_number(jv, node, path, "evidence_cap", 0, 0.5, 30.0,
	    &m->evidence_cap) == -1 ||
	    mbuild_half_life(jv, node, path, m) == -1)
		return -1;
	if (m->deadline != PM_TIME_NONE && m->deadline <= m->opens) {
		jsonv_path_key(p, sizeof(p), path, "deadline");
		return jsonv_fail(jv, p, "must be after opens");
	}
	return 0;
}

static int
mbuild_market(struct mbuild *b, struct jsonv *jv, const cJSON *node,
    const char *path, const char *file)
{
	struct market_set	*s = b->set;
	struct market		*m;
	const cJSON		*rules, *r;
	char			 p[256], rp[256];
	uint32_t		 mi;
	int			 n, i = 0;

	if (s->nmarkets == b->mcap) {
		size_t cap = b->mcap ? b->mcap * 2 : 16;
		struct market *nm = realloc(s->markets, cap * sizeof(*nm));

		if (nm == NULL)
			return jsonv_fail(jv, path, "out of memory");
		s->markets = nm;
		b->mcap = cap;
	}
	mi = (uint32_t)s->nmarkets++;
	m = &s->markets[mi];
	memset(m, 0, sizeof(*m));
	if ((m->file = strdup(file)) == NULL)
		return jsonv_fail(jv, path, "out of memory");
	if (jsonv_object(jv, node, path) == -1 ||
	    mbuild_market_fields(b, jv, node, path, m) == -1)
		return -1;
	jsonv_path_key(p, sizeof(p), path, "rules");
	rules = cJSON_GetObjectItemCaseSensitive(node, "rules");
	if (rules == NULL)
		return jsonv_fail(jv, p, "missing (required): say what evidence "
		    "moves this market");
	if (jsonv_array(jv, rules, p) == -1)
		return -1;
	n = cJSON_GetArraySize(rules);
	if (n == 0 || n > MARKET_MAX_RULES)
		return jsonv_fail(jv, p, "must hold 1 to %d rules",
		    MARKET_MAX_RULES);
	if ((m->rules = calloc((size_t)n, sizeof(*m->rules))) == NULL)
		return jsonv_fail(jv, p, "out of memory");
	cJSON_ArrayForEach(r, rules) {
		jsonv_path_index(rp, sizeof(rp), p, i);
		m->nrules = (size_t)i + 1;
		if (mbuild_rule(b, jv, r, rp, m, mi, (size_t)i) == -1)
			return -1;
		m->nfact += m->rules[i].fact != 0;
		i++;
	}
	s->nrules += m->nrules;
	return 0;
}

/* -------------------------------------------------------------- modifiers */

static const char *const modifier_keys[] = {
	"factor", "scope", "after_scope", "breaks", "before", "after",
	"before_clause", NULL
};

/* Cue list from JSON (replacing the default) or from the defaults. */
static int
mbuild_cues(struct mbuild *b, struct jsonv *jv, const char *path,
    const cJSON *node, const char *const *defaults, uint32_t **ids, size_t *n)
{
	struct idlist l = { NULL, 0, 0 };

	if (node != NULL) {
		if (!cJSON_IsArray(node))
			return jsonv_fail(jv, path, "must be an array of phrases");
		if (cJSON_GetArraySize(node) > 0 &&
		    mbuild_strings(b, jv, path, node, 0, &l) == -1) {
			free(l.v);
			return -1;
		}
	} else {
		for (size_t i = 0; defaults[i] != NULL; i++) {
			if (mbuild_phrase(b, jv, path, defaults[i], &l) == -1) {
				free(l.v);
				return -1;
			}
		}
	}
	free(*ids);
	*ids = l.v;
	*n = l.n;
	return 0;
}

static int
mbuild_breaks_level(struct jsonv *jv, const cJSON *o, const char *path,
    struct modifier *md)
{
	const char	*s = NULL;
	char		 p[256];

	if (jsonv_string(jv, o, path, "breaks", 0, 16, &s) == -1)
		return -1;
	if (s == NULL)
		return 0;
	jsonv_path_key(p, sizeof(p), path, "breaks");
	if (strcmp(s, "none") == 0)
		md->breaks = BREAK_NONE;
	else if (strcmp(s, "any") == 0)
		md->breaks = BREAK_ANY;
	else if (strcmp(s, "strong") == 0)
		md->breaks = BREAK_STRONG;
	else
		return jsonv_fail(jv, p, "'%s' is not none, any or strong", s);
	return 0;
}

/* One modifier: defaults, then the overrides of o (may be NULL). */
static int
mbuild_modifier(struct mbuild *b, struct jsonv *jv, int id, const cJSON *o,
    const char *path)
{
	struct modifier		*md = &b->set->mods[id];
	const struct mod_default *d = &mod_defaults[id];
	int64_t			 v;
	char			 p[256];

	md->name = mod_names[id];
	md->factor = d->factor;
	md->before_scope = d->before_scope;
	md->after_scope = d->after_scope;
	md->breaks = d->breaks;
	if (o != NULL) {
		if (jsonv_only_keys(jv, o, path, modifier_keys) == -1 ||
		    jsonv_number(jv, o, path, "factor", 0, -1.0, 1.0,
		    &md->factor) == -1 ||
		    mbuild_breaks_level(jv, o, path, md) == -1)
			return -1;
		v = md->before_scope;
		if (jsonv_int(jv, o, path, "scope", 0, 0, MARKET_MAX_WINDOW, &v) == -1)
			return -1;
		md->before_scope = (int)v;
		v = md->after_scope;
		if (jsonv_int(jv, o, path, "after_scope", 0, 0, MARKET_MAX_WINDOW,
		    &v) == -1)
			return -1;
		md->after_scope = (int)v;
	}
	jsonv_path_key(p, sizeof(p), path, "before");
	if (mbuild_cues(b, jv, p, o ? cJSON_GetObjectItemCaseSensitive(o,
	    "before") : NULL, d->before, &md->before, &md->nbefore) == -1)
		return -1;
	jsonv_path_key(p, sizeof(p), path, "after");
	if (mbuild_cues(b, jv, p, o ? cJSON_GetObjectItemCaseSensitive(o,
	    "after") : NULL, d->after, &md->after, &md->nafter) == -1)
		return -1;
	jsonv_path_key(p, sizeof(p), path, "before_clause");
	return mbuild_cues(b, jv, p, o ? cJSON_GetObjectItemCaseSensitive(o,
	    "before_clause") : NULL, d->clause, &md->clause, &md->nclause);
}

static const char *const coref_keys[] = {
	"anaphors", "actors", "count", "sentences", "not_after", NULL
};

/* One entry of "coreference". */
static int
mbuild_coref(struct mbuild *b, struct jsonv *jv, const cJSON *o,
    const char *path, struct market_coref *c)
{
	const struct market_set *s = b->set;
	const cJSON	*x;
	char		 p[256];
	int64_t		 v;

	if (jsonv_object(jv, o, path) == -1 ||
	    jsonv_only_keys(jv, o, path, coref_keys) == -1)
		return -1;
	jsonv_path_key(p, sizeof(p), path, "anaphors");
	if ((x = cJSON_GetObjectItemCaseSensitive(o, "anaphors")) == NULL)
		return jsonv_fail(jv, p, "required");
	if (mbuild_term(b, jv, p, x, &c->anaphor) == -1)
		return -1;
	jsonv_path_key(p, sizeof(p), path, "actors");
	if ((x = cJSON_GetObjectItemCaseSensitive(o, "actors")) == NULL)
		return jsonv_fail(jv, p, "required");
	if (mbuild_terms(b, jv, p, x, &c->actors, &c->nactors) == -1)
		return -1;
	for (size_t i = 0; i < c->nactors; i++)
		if (c->actors[i] == c->anaphor)
			return jsonv_fail(jv, p, "an anaphor cannot be its own actor");
	v = 1;
	if (jsonv_int(jv, o, path, "count", 0, 1, 2, &v) == -1)
		return -1;
	c->count = (int)v;
	v = 1;
	if (jsonv_int(jv, o, path, "sentences", 0, 0, 3, &v) == -1)
		return -1;
	c->sentences = (int)v;
	c->not_after = UINT32_MAX;
	if ((x = cJSON_GetObjectItemCaseSensitive(o, "not_after")) != NULL) {
		jsonv_path_key(p, sizeof(p), path, "not_after");
		if (mbuild_term(b, jv, p, x, &c->not_after) == -1)
			return -1;
		/* compared with single tokens (see lib/score.c) */
		for (size_t i = 0; i < s->terms[c->not_after].nlits; i++) {
			const struct market_lit *l =
			    &s->lits[s->terms[c->not_after].lits[i]];

			if (l->ntoks != 1 || l->prefix)
				return jsonv_fail(jv, p, "'%s' is not one whole "
				    "word", l->text);
		}
	}
	return 0;
}

/* "coreference": anaphors and the actors they may stand for. */
static int
mbuild_corefs(struct mbuild *b, struct jsonv *jv, const cJSON *node)
{
	struct market_set	*s = b->set;
	const cJSON		*e;
	char			 p[64];
	int			 n;

	if (node == NULL)
		return 0;
	if (jsonv_array(jv, node, "coreference") == -1)
		return -1;
	if ((n = cJSON_GetArraySize(node)) > MARKET_MAX_COREFS)
		return jsonv_fail(jv, "coreference", "more than %d entries",
		    MARKET_MAX_COREFS);
	if (n == 0)
		return 0;
	if ((s->corefs = calloc((size_t)n, sizeof(*s->corefs))) == NULL)
		return jsonv_fail(jv, "coreference", "out of memory");
	cJSON_ArrayForEach(e, node) {
		jsonv_path_index(p, sizeof(p), "coreference", (int)s->ncorefs);
		if (mbuild_coref(b, jv, e, p, &s->corefs[s->ncorefs++]) == -1)
			return -1;
	}
	return 0;
}

static int
mbuild_modifiers(struct mbuild *b, struct jsonv *jv, const cJSON *root)
{
	const cJSON	*mods = NULL, *br = NULL;
	char		 p[128];

	if (root != NULL) {
		mods = cJSON_GetObjectItemCaseSensitive(root, "modifiers");
		br = cJSON_GetObjectItemCaseSensitive(root, "clause_breaks");
	}
	if (mods != NULL) {
		const cJSON *m;

		if (jsonv_object(jv, mods, "modifiers") == -1)
			return -1;
		for (m = mods->child; m != NULL; m = m->next) {
			jsonv_path_key(p, sizeof(p), "modifiers", m->string);
			if (modifier_parse(m->string) < 0)
				return jsonv_fail(jv, p, "unknown modifier (negation, "
				    "denial, hedge, intent, question, recap, "
				    "wrong_actor, repeat)");
		}
	}
	for (int i = 0; i < MOD_COUNT; i++) {
		const cJSON *o = mods ? cJSON_GetObjectItemCaseSensitive(mods,
		    mod_names[i]) : NULL;

		jsonv_path_key(p, sizeof(p), "modifiers", mod_names[i]);
		if (mbuild_modifier(b, jv, i, o, p) == -1)
			return -1;
	}
	if (mbuild_cues(b, jv, "clause_breaks", br, def_breaks,
	    &b->set->breaks, &b->set->nbreaks) == -1)
		return -1;
	br = root != NULL ? cJSON_GetObjectItemCaseSensitive(root, "soft_breaks") : NULL;
	if (mbuild_cues(b, jv, "soft_breaks", br, def_soft_breaks,
	    &b->set->soft_breaks, &b->set->nsoft_breaks) == -1)
		return -1;
	return mbuild_corefs(b, jv, root != NULL ?
	    cJSON_GetObjectItemCaseSensitive(root, "coreference") : NULL);
}

/* ------------------------------------------------------------------ files */

struct mfile {
	char		*name;
	char		*text;
	cJSON		*root;
	struct jsonv	 jv;
};

static const char *const file_keys[] = {
	"vocabularies", "modifiers", "clause_breaks", "soft_breaks",
	"coreference", "markets", NULL
};

static int
mbuild_add_vocabs(struct mbuild *b, struct mfile *f)
{
	const cJSON	*vs = cJSON_GetObjectItemCaseSensitive(f->root, "vocabularies");
	const cJSON	*v;
	uint32_t	 idx;

	if (vs == NULL)
		return 0;
	if (jsonv_object(&f->jv, vs, "vocabularies") == -1)
		return -1;
	for (v = vs->child; v != NULL; v = v->next) {
		struct vocab	*nv;
		char		 p[160];
		const char	*s;

		jsonv_path_key(p, sizeof(p), "vocabularies", v->string);
		for (s = v->string; *s != '\0'; s++)
			if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
				break;
		if (v->string[0] == '\0' || *s != '\0' || strlen(v->string) > 64)
			return jsonv_fail(&f->jv, p, "vocabulary names are 1-64 "
			    "characters from A-Z a-z 0-9 . _ -");
		if (strmap_get(&b->vocabmap, v->string, &idx) == 0) {
			/* Files of one directory may repeat a vocabulary verbatim. */
			if (cJSON_Compare(b->vocabs[idx].node, v, 1))
				continue;
			return jsonv_fail(&f->jv, p, "vocabulary '%s' is defined "
			    "twice, differently", v->string);
		}
		if (b->nvocabs == b->vcap) {
			size_t cap = b->vcap ? b->vcap * 2 : 32;

			if ((nv = realloc(b->vocabs, cap * sizeof(*nv))) == NULL)
				return jsonv_fail(&f->jv, p, "out of memory");
			b->vocabs = nv;
			b->vcap = cap;
		}
		nv = &b->vocabs[b->nvocabs];
		memset(nv, 0, sizeof(*nv));
		nv->node = v;
		nv->jv = &f->jv;
		snprintf(nv->path, sizeof(nv->path), "%s", p);
		if ((nv->name = strdup(v->string)) == NULL ||
		    strmap_put(&b->vocabmap, v->string, (uint32_t)b->nvocabs) == -1) {
			free(nv->name);
			return jsonv_fail(&f->jv, p, "out of memory");
		}
		b->nvocabs++;
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
			return jsonv_fail(&f->jv, p, "must be a non-empty array of "
			    "phrases");
	}
	return 0;
}

static int
mbuild_file_markets(struct mbuild *b, struct mfile *f)
{
	const cJSON	*ms = cJSON_GetObjectItemCaseSensitive(f->root, "markets");
	const cJSON	*m;
	char		 p[64];
	int		 i = 0;

	if (ms == NULL)
		return 0;
	if (jsonv_array(&f->jv, ms, "markets") == -1)
		return -1;
	cJSON_ArrayForEach(m, ms) {
		if (b->set->nmarkets >= MARKET_MAX_MARKETS)
			return jsonv_fail(&f->jv, "markets", "more than %d markets",
			    MARKET_MAX_MARKETS);
		jsonv_path_index(p, sizeof(p), "markets", i++);
		if (mbuild_market(b, &f->jv, m, p, f->name) == -1)
			return -1;
	}
	return 0;
}

static void
mbuild_free(struct mbuild *b)
{
	text_free(&b->ptext);
	strmap_free(&b->litmap);
	strmap_free(&b->termmap);
	strmap_free(&b->vocabmap);
	strmap_free(&b->idmap);
	for (size_t i = 0; i < b->nvocabs; i++) {
		free(b->vocabs[i].name);
		free(b->vocabs[i].lits);
	}
	free(b->vocabs);
}

/* Parse the files' JSON and check their top level. */
static int
mbuild_parse_files(struct mfile *files, size_t nfiles, char *err,
    size_t errsize)
{
	for (size_t i = 0; i < nfiles; i++) {
		struct mfile *f = &files[i];

		jsonv_init(&f->jv, f->name);
		if ((f->root = jsonv_parse(&f->jv, f->text, strlen(f->text))) == NULL ||
		    jsonv_object(&f->jv, f->root, "(top level)") == -1 ||
		    jsonv_only_keys(&f->jv, f->root, NULL, file_keys) == -1) {
			snprintf(err, errsize, "%s", f->jv.err);
			return -1;
		}
	}
	return 0;
}

/*
 * Do files a and b set "modifiers", "clause_breaks", "soft_breaks" and
 * "coreference" alike (each absent from both, or equal)?  Files written by one
 * generator repeat them verbatim, as they repeat vocabularies.
 */
static int
mfile_same_context(const struct mfile *a, const struct mfile *b)
{
	static const char *const keys[] = { "modifiers", "clause_breaks",
		"soft_breaks", "coreference" };

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(a->root, keys[k]);
		const cJSON *y = cJSON_GetObjectItemCaseSensitive(b->root, keys[k]);

		if ((x == NULL) != (y == NULL) ||
		    (x != NULL && !cJSON_Compare(x, y, 1)))
			return 0;
	}
	return 1;
}

/* Build a set from parsed files: vocabularies, modifiers, then markets. */
static int
mbuild_files(struct mfile *files, size_t nfiles, struct market_set **out,
    char *err, size_t errsize)
{
	struct mbuild	 b;
	struct mfile	*modfile = NULL;
	struct jsonv	*jv = NULL;
	size_t		 i;

	memset(&b, 0, sizeof(b));
	if (mbuild_parse_files(files, nfiles, err, errsize) == -1)
		return -1;
	if ((b.set = calloc(1, sizeof(*b.set))) == NULL) {
		snprintf(err, errsize, "%s: out of memory", files[0].name);
		return -1;
	}
	for (i = 0; i < nfiles; i++) {
		jv = &files[i].jv;
		if (mbuild_add_vocabs(&b, &files[i]) == -1)
			goto fail;
		if (cJSON_GetObjectItemCaseSensitive(files[i].root, "modifiers") ||
		    cJSON_GetObjectItemCaseSensitive(files[i].root, "clause_breaks") ||
		    cJSON_GetObjectItemCaseSensitive(files[i].root, "soft_breaks") ||
		    cJSON_GetObjectItemCaseSensitive(files[i].root, "coreference")) {
			if (modfile != NULL && mfile_same_context(modfile,
			    &files[i]))
				continue;
			if (modfile != NULL) {
				jsonv_fail(jv, "modifiers", "modifiers are already "
				    "set differently in %s (one file per "
				    "directory may set them, or all alike)",
				    modfile->name);
				goto fail;
			}
			modfile = &files[i];
		}
	}
	jv = modfile != NULL ? &modfile->jv : &files[0].jv;
	if (mbuild_modifiers(&b, jv, modfile ? modfile->root : NULL) == -1)
		goto fail;
	for (i = 0; i < nfiles; i++) {
		jv = &files[i].jv;
		if (mbuild_file_markets(&b, &files[i]) == -1)
			goto fail;
	}
	if (b.set->nmarkets == 0) {
		jv = &files[0].jv;
		jsonv_fail(jv, "markets", "no markets defined");
		goto fail;
	}
	mbuild_free(&b);
	*out = b.set;
	return 0;
fail:
	snprintf(err, errsize, "%s", jv->err);
	mbuild_free(&b);
	market_set_free(b.set);
	return -1;
}

static void
mfiles_free(struct mfile *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].text);
		cJSON_Delete(files[i].root);
	}
	free(files);
}

int
market_set_parse(const char *name, const char *text, size_t len,
    struct market_set **out, char *err, size_t errsize)
{
	struct mfile	*f;
	int		 r;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->name = strdup(name)) == NULL ||
	    (f->text = strndup(text, len)) == NULL) {
		snprintf(err, errsize, "%s: out of memory", name);
		if (f != NULL)
			mfiles_free(f, 1);
		return -1;
	}
	r = mbuild_files(f, 1, out, err, errsize);
	mfiles_free(f, 1);
	return r;
}

static int
json_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 &&
	    strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Read every *.json of dir, in name order. */
static int
mfiles_read_dir(const char *dir, struct mfile **out, size_t *nout, char *err,
    size_t errsize)
{
	struct dirent	**list;
	struct mfile	 *files;
	int		  n;
	size_t		  len;

	if ((n = scandir(dir, &list, json_filter, alphasort)) < 0) {
		snprintf(err, errsize, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (n == 0) {
		free(list);
		snprintf(err, errsize, "%s: no *.json market files", dir);
		return -1;
	}
	if ((files = calloc((size_t)n, sizeof(*files))) == NULL) {
		snprintf(err, errsize, "%s: out of memory", dir);
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		if (asprintf(&files[i].name, "%s/%s", dir, list[i]->d_name) == -1) {
			files[i].name = NULL;
			snprintf(err, errsize, "%s: out of memory", dir);
			goto fail;
		}
		if ((files[i].text = jsonv_read_file(files[i].name,
		    MARKET_MAX_BYTES, &len, err, errsize)) == NULL)
			goto fail;
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	*out = files;
	*nout = (size_t)n;
	return 0;
fail:
	if (files != NULL)
		mfiles_free(files, (size_t)n);
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return -1;
}

int
market_set_load(const char *path, struct market_set **out, char *err,
    size_t errsize)
{
	struct mfile	*files = NULL;
	size_t		 n = 0, len;
	struct stat	 st;
	int		 r;

	if (stat(path, &st) == -1) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (mfiles_read_dir(path, &files, &n, err, errsize) == -1)
			return -1;
	} else {
		if ((files = calloc(1, sizeof(*files))) == NULL ||
		    (files[0].name = strdup(path)) == NULL) {
			free(files);
			snprintf(err, errsize, "%s: out of memory", path);
			return -1;
		}
		n = 1;
		if ((files[0].text = jsonv_read_file(path, MARKET_MAX_BYTES,
		    &len, err, errsize)) == NULL) {
			mfiles_free(files, n);
			return -1;
		}
	}
	r = mbuild_files(files, n, out, err, errsize);
	mfiles_free(files, n);
	return r;
}

static void
market_rule_free(struct market_rule *r)
{
	free(r->name);
	free(r->terms);
	free(r->none);
	free(r->rivals);
	free(r->article);
}

void
market_set_free(struct market_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nmarkets; i++) {
		struct market *m = &s->markets[i];

		for (size_t j = 0; j < m->nrules; j++)
			market_rule_free(&m->rules[j]);
		free(m->rules);
		free(m->id);
		free(m->question);
		free(m->file);
	}
	free(s->markets);
	for (size_t i = 0; i < s->nlits; i++) {
		free(s->lits[i].text);
		free(s->lits[i].hashes);
	}
	free(s->lits);
	for (size_t i = 0; i < s->nterms; i++) {
		free(s->terms[i].lits);
		free(s->terms[i].label);
	}
	free(s->terms);
	for (int i = 0; i < MOD_COUNT; i++) {
		free(s->mods[i].before);
		free(s->mods[i].after);
		free(s->mods[i].clause);
	}
	free(s->breaks);
	free(s->soft_breaks);
	for (size_t i = 0; i < s->ncorefs; i++)
		free(s->corefs[i].actors);
	free(s->corefs);
	free(s);
}

long
market_set_index(const struct market_set *s, const char *id)
{
	for (size_t i = 0; i < s->nmarkets; i++)
		if (strcmp(s->markets[i].id, id) == 0)
			return (long)i;
	return -1;
}

const struct market *
market_set_find(const struct market_set *s, const char *id)
{
	long i = market_set_index(s, id);

	return i < 0 ? NULL : &s->markets[i];
}
