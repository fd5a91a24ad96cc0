/*
 * match.c: the phrase matcher.  See match.h.
 *
 * Three tables, each built for the per-token probe of match_run():
 *  - the word table: token hash -> word id, in buckets of four slots that
 *    fill one cache line and are compared without branches (which word a
 *    token is, and whether it is one at all, is unpredictable);
 *  - the trie nodes: the words that start a literal have the ids
 *    0 .. nroots-1 and are the trie's roots (node id = word id), so
 *    "does a literal start here" is one comparison;
 *  - the trie edges: (node, word id) -> child, one open-addressed hash
 *    for all nodes (one probe per step, whatever a node's fan-out).  A
 *    slot holds only the word and the child, eight bytes: the child's
 *    parent, read from the node the walk goes on with anyway, confirms
 *    the node.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

#define PREFIX_SALT	0x9e3779b97f4a7c15ULL
#define EDGE_EMPTY	UINT32_MAX

/* Four words: their hashes, then their ids plus one (0: empty). */
struct wbucket {
	uint64_t	 hash[4];
	uint32_t	 idp1[4];
	uint32_t	 over;		/* a word of this bucket is in the overflow table */
	uint32_t	 pad[3];
};

/* Build-time and overflow table: hash -> id, linear probing. */
struct wslot {
	uint64_t	 hash;
	int32_t		 id;		/* -1: empty */
};

struct mnode {
	uint64_t	 kids;		/* a one-word Bloom filter of its children's words */
	uint32_t	 out0, nout;	/* literals ending here: outs[out0 ..] */
	uint32_t	 nkids;
	uint32_t	 parent;	/* roots: their own id */
};

struct medge {
	uint32_t	 word;		/* EDGE_EMPTY: a free slot */
	uint32_t	 child;
};

struct matcher {
	const struct market_set *set;

	struct wbucket	*wb;
	size_t		 wbmask;
	int		 wbshift;
	uint64_t	 wempty;	/* the hash of empty slots: no word's */
	struct wslot	*wt;		/* every word, for the overflow */
	size_t		 wtmask;
	size_t		 nwords, nroots;
	uint32_t	 prefix_mask;

	struct mnode	*nodes;
	size_t		 nnodes, ncap;
	struct medge	*edges;
	size_t		 emask, nedges;
	uint32_t	*outs;

	/* Per text. */
	int32_t		*twid, *tpid;	/* per token: word id, prefix id (or -1) */
	int		 tpid_set;	/* tpid is filled in (the text has prefixes) */
	uint32_t	*starts;	/* tokens whose word starts a literal */
	size_t		 tcap;
	struct match_hit *hits;
	size_t		 nhits, hcap;
};

/* --------------------------------------------------------------- hashing */

static uint64_t
match_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* The key of a "word*" prefix of len bytes, apart from whole words. */
static uint64_t
match_prefix_key(uint64_t hash, uint32_t len)
{
	return (hash ^ PREFIX_SALT) + len * 0x100000001b3ULL;
}

/* The bucket of hash h: its top bits after a multiply (wbshift = 64 - log2 buckets). */
static inline size_t
match_bucket(const struct matcher *m, uint64_t h)
{
	return (size_t)((h * 0x9e3779b97f4a7c15ULL) >> m->wbshift);
}

/* The id of hash h in the overflow table, or -1. */
static int32_t
match_wt_find(const struct matcher *m, uint64_t h)
{
	size_t i = (size_t)match_mix(h) & m->wtmask;

	for (; m->wt[i].id >= 0; i = (i + 1) & m->wtmask)
		if (m->wt[i].hash == h)
			return m->wt[i].id;
	return -1;
}

/*
 * The word id of token hash h, or -1.  The four slots of its bucket are
 * compared with masks, not branches; only a miss in a bucket that
 * overflowed goes on to the full table.
 */
static inline int32_t
match_lookup(const struct matcher *m, uint64_t h)
{
	const struct wbucket	*b = &m->wb[match_bucket(m, h)];
	uint32_t		 idp1;

	/* At most one slot matches: OR the ids masked by equality. */
	idp1 = (b->idp1[0] & -(uint32_t)(b->hash[0] == h)) |
	    (b->idp1[1] & -(uint32_t)(b->hash[1] == h)) |
	    (b->idp1[2] & -(uint32_t)(b->hash[2] == h)) |
	    (b->idp1[3] & -(uint32_t)(b->hash[3] == h));
	if (__builtin_expect((idp1 == 0) & b->over, 0))
		return match_wt_find(m, h);
	return (int32_t)idp1 - 1;
}

/* ------------------------------------------------------------- compiling */

/* The word id of h, added (with the next id) if new. */
static int32_t
match_word_add(struct matcher *m, uint64_t h)
{
	size_t i = (size_t)match_mix(h) & m->wtmask;

	for (; m->wt[i].id >= 0; i = (i + 1) & m->wtmask)
		if (m->wt[i].hash == h)
			return m->wt[i].id;
	m->wt[i].hash = h;
	m->wt[i].id = (int32_t)m->nwords;
	return (int32_t)m->nwords++;
}

/* Word k of literal l (the last one of "word*" is its prefix key). */
static int32_t
match_lit_word(struct matcher *m, const struct market_lit *l, uint32_t k)
{
	if (l->prefix && k + 1 == l->ntoks)
		return match_word_add(m, match_prefix_key(l->hashes[k], l->plen));
	return match_word_add(m, l->hashes[k]);
}

static int
match_new_node(struct matcher *m, uint32_t *out)
{
	if (m->nnodes == m->ncap) {
		size_t		 n = m->ncap ? m->ncap * 2 : 1024;
		struct mnode	*x = realloc(m->nodes, n * sizeof(*x));

		if (x == NULL)
			return -1;
		m->nodes = x;
		m->ncap = n;
	}
	memset(&m->nodes[m->nnodes], 0, sizeof(*m->nodes));
	*out = (uint32_t)m->nnodes++;
	return 0;
}

static inline size_t
match_edge_slot(const struct matcher *m, uint32_t node, uint32_t w)
{
	uint64_t key = ((uint64_t)node << 32 | w) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(key >> 32) & m->emask;
}

/* Word w's bit in the filter of a node's children. */
static inline uint64_t
match_kid_bit(int32_t w)
{
	return 1ULL << (((uint32_t)w * 0x9e3779b9u) >> 26);
}

/*
 * The child of node for word w, or -1.  Most tokens are no child of the
 * node a walk is at: the node's filter says so without a probe of the
 * (large, uncached) edge table.
 */
static inline int32_t
match_child(const struct matcher *m, uint32_t node, int32_t w)
{
	size_t i;

	if ((m->nodes[node].kids & match_kid_bit(w)) == 0)
		return -1;
	i = match_edge_slot(m, node, (uint32_t)w);

	for (; m->edges[i].word != EDGE_EMPTY; i = (i + 1) & m->emask)
		if (m->edges[i].word == (uint32_t)w &&
		    m->nodes[m->edges[i].child].parent == node)
			return (int32_t)m->edges[i].child;
	return -1;
}

/* Double the edge table (kept at most half full). */
static int
match_grow_edges(struct matcher *m)
{
	struct medge	*old = m->edges;
	size_t		 oldn = old != NULL ? m->emask + 1 : 0;
	size_t		 n = oldn ? oldn * 2 : 1024;

	if ((m->edges = malloc(n * sizeof(*m->edges))) == NULL) {
		m->edges = old;
		return -1;
	}
	m->emask = n - 1;
	for (size_t i = 0; i < n; i++)
		m->edges[i].word = EDGE_EMPTY;
	for (size_t i = 0; i < oldn; i++) {
		size_t j;

		if (old[i].word == EDGE_EMPTY)
			continue;
		for (j = match_edge_slot(m, m->nodes[old[i].child].parent,
		    old[i].word); m->edges[j].word != EDGE_EMPTY;
		    j = (j + 1) & m->emask)
			;
		m->edges[j] = old[i];
	}
	free(old);
	return 0;
}

/* The child of node for word w, created if new. */
static int
match_add_child(struct matcher *m, uint32_t node, int32_t w, uint32_t *out)
{
	int32_t		c = m->edges != NULL ? match_child(m, node, w) : -1;
	size_t		i;

	if (c >= 0) {
		*out = (uint32_t)c;
		return 0;
	}
	if ((m->edges == NULL || (m->nedges + 1) * 2 > m->emask + 1) &&
	    match_grow_edges(m) == -1)
		return -1;
	if (match_new_node(m, out) == -1)
		return -1;
	m->nodes[*out].parent = node;
	m->nodes[node].kids |= match_kid_bit(w);
	for (i = match_edge_slot(m, node, (uint32_t)w);
	    m->edges[i].word != EDGE_EMPTY; i = (i + 1) & m->emask)
		;
	m->edges[i].word = (uint32_t)w;
	m->edges[i].child = *out;
	m->nedges++;
	m->nodes[node].nkids++;
	return 0;
}

/* Outputs: literal ids per trie node, as compressed rows. */
static int
match_index_outs(struct matcher *m, const uint32_t *lit_node)
{
	const struct market_set	*set = m->set;
	uint32_t		*fill;

	for (size_t i = 0; i < set->nlits; i++)
		m->nodes[lit_node[i]].nout++;
	for (size_t n = 0, off = 0; n < m->nnodes; n++) {
		m->nodes[n].out0 = (uint32_t)off;
		off += m->nodes[n].nout;
	}
	m->outs = calloc(set->nlits + 1, sizeof(*m->outs));
	fill = calloc(m->nnodes + 1, sizeof(*fill));
	if (m->outs == NULL || fill == NULL) {
		free(fill);
		return -1;
	}
	for (size_t i = 0; i < set->nlits; i++) {
		uint32_t n = lit_node[i];

		m->outs[m->nodes[n].out0 + fill[n]++] = (uint32_t)i;
	}
	free(fill);
	return 0;
}

/* A hash that no word has, for the empty slots of the buckets. */
static uint64_t
match_empty_hash(const struct matcher *m)
{
	uint64_t e = 0;

	for (size_t i = 0; i <= m->wtmask; i++)
		if (m->wt[i].id >= 0 && m->wt[i].hash == e) {
			e++;
			i = (size_t)-1;		/* check the new one again */
		}
	return e;
}

/* Build the buckets (see struct wbucket) from the word table. */
static int
match_build_buckets(struct matcher *m)
{
	size_t nb;

	for (nb = 16, m->wbshift = 60; nb < m->nwords; nb *= 2)
		m->wbshift--;
	m->wbmask = nb - 1;
	if ((m->wb = aligned_alloc(64, nb * sizeof(*m->wb))) == NULL)
		return -1;
	m->wempty = match_empty_hash(m);
	for (size_t b = 0; b < nb; b++) {
		memset(&m->wb[b], 0, sizeof(m->wb[b]));
		for (int k = 0; k < 4; k++)
			m->wb[b].hash[k] = m->wempty;
	}
	for (size_t i = 0; i <= m->wtmask; i++) {
		struct wbucket	*b;
		int		 k;

		if (m->wt[i].id < 0)
			continue;
		b = &m->wb[match_bucket(m, m->wt[i].hash)];
		for (k = 0; k < 4 && b->idp1[k] != 0; k++)
			;
		if (k == 4) {
			b->over = 1;
			continue;
		}
		b->hash[k] = m->wt[i].hash;
		b->idp1[k] = (uint32_t)m->wt[i].id + 1;
	}
	return 0;
}

/*
 * Compile every literal.  First the words that start literals, so that
 * they get the ids 0 .. nroots-1 and are the root nodes; then the rest of
 * each literal, as a path of children from its root.
 */
static int
match_compile(struct matcher *m)
{
	const struct market_set	*set = m->set;
	uint32_t		*lit_node;
	size_t			 words = 0, cap;
	int			 rc = -1;

	for (size_t i = 0; i < set->nlits; i++) {
		words += set->lits[i].ntoks;
		if (set->lits[i].prefix)
			m->prefix_mask |= 1u << set->lits[i].plen;
	}
	for (cap = 64; cap < words * 2 + 2; cap *= 2)
		;
	m->wtmask = cap - 1;
	m->wt = malloc(cap * sizeof(*m->wt));
	lit_node = calloc(set->nlits + 1, sizeof(*lit_node));
	if (m->wt == NULL || lit_node == NULL)
		goto out;
	for (size_t i = 0; i < cap; i++)
		m->wt[i].id = -1;
	for (size_t i = 0; i < set->nlits; i++)
		lit_node[i] = (uint32_t)match_lit_word(m, &set->lits[i], 0);
	m->nroots = m->nwords;
	for (size_t i = 0; i < m->nroots; i++) {
		uint32_t root;

		if (match_new_node(m, &root) == -1)
			goto out;
		m->nodes[root].parent = root;
	}
	for (size_t i = 0; i < set->nlits; i++)
		for (uint32_t k = 1; k < set->lits[i].ntoks; k++)
			if (match_add_child(m, lit_node[i],
			    match_lit_word(m, &set->lits[i], k), &lit_node[i]) == -1)
				goto out;
	if (m->edges == NULL && match_grow_edges(m) == -1)
		goto out;
	if (match_index_outs(m, lit_node) == -1 || match_build_buckets(m) == -1)
		goto out;
	rc = 0;
out:
	free(lit_node);
	return rc;
}

struct matcher *
match_new(const struct market_set *set, char *err, size_t errsize)
{
	struct matcher *m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errsize, "matcher: out of memory");
		return NULL;
	}
	m->set = set;
	if (match_compile(m) == -1) {
		snprintf(err, errsize, "matcher: out of memory compiling %zu "
		    "phrases", set->nlits);
		match_free(m);
		return NULL;
	}
	return m;
}

void
match_free(struct matcher *m)
{
	if (m == NULL)
		return;
	free(m->wb);
	free(m->wt);
	free(m->nodes);
	free(m->edges);
	free(m->outs);
	free(m->twid);
	free(m->tpid);
	free(m->starts);
	free(m->hits);
	free(m);
}

uint32_t
match_prefix_mask(const struct matcher *m)
{
	return m->prefix_mask;
}

/* -------------------------------------------------------------- matching */

/* Record the literals that end at node n: they span tokens [a, b). */
static int
match_emit(struct matcher *m, const struct mnode *n, uint32_t a, uint32_t b)
{
	if (m->nhits + n->nout > m->hcap) {
		size_t		  cap = (m->hcap ? m->hcap * 2 : 256) + n->nout;
		struct match_hit *x = realloc(m->hits, cap * sizeof(*x));

		if (x == NULL)
			return -1;
		m->hits = x;
		m->hcap = cap;
	}
	for (uint32_t k = 0; k < n->nout; k++) {
		struct match_hit *h = &m->hits[m->nhits++];

		h->lit = m->outs[n->out0 + k];
		h->tok0 = a;
		h->tok1 = b;
	}
	return 0;
}

/*
 * Every literal starting at token i from root node, within its sentence:
 * follow the tokens down the trie while it has a child for them (for the
 * word, else for its "word*" prefix).
 */
static int
match_walk(struct matcher *m, const struct text *t, uint32_t i, uint32_t node)
{
	const struct token	*tk = t->toks;
	uint32_t		 sent = tk[i].sent, j = i + 1;

	for (;;) {
		const struct mnode	*n = &m->nodes[node];
		int32_t			 c = -1;

		if (n->nout > 0 && match_emit(m, n, i, j) == -1)
			return -1;
		if (n->nkids == 0 || j >= t->ntoks || tk[j].sent != sent)
			return 0;
		if (m->twid[j] >= 0)
			c = match_child(m, node, m->twid[j]);
		if (c < 0 && m->tpid_set && m->tpid[j] >= 0)
			c = match_child(m, node, m->tpid[j]);
		if (c < 0)
			return 0;
		node = (uint32_t)c;
		j++;
	}
}

/* Room for the per-token arrays of t. */
static int
match_reserve(struct matcher *m, size_t ntoks)
{
	size_t	 cap = ntoks + 1024;
	int32_t	*a, *b;
	uint32_t *c;

	if (ntoks <= m->tcap)
		return 0;
	if ((a = realloc(m->twid, cap * sizeof(*a))) == NULL)
		return -1;
	m->twid = a;
	if ((b = realloc(m->tpid, cap * sizeof(*b))) == NULL)
		return -1;
	m->tpid = b;
	if ((c = realloc(m->starts, cap * sizeof(*c))) == NULL)
		return -1;
	m->starts = c;
	m->tcap = cap;
	return 0;
}

/*
 * Look every token up once (and the "word*" prefixes the text recorded),
 * then walk the trie from each token that starts a literal.
 */
long
match_run(struct matcher *m, const struct text *t,
    const struct match_hit **hits)
{
	size_t nstart = 0;

	m->nhits = 0;
	*hits = NULL;
	if (match_reserve(m, t->ntoks) == -1)
		return -1;
	for (uint32_t i = 0; i < t->ntoks; i++) {
		int32_t id = match_lookup(m, t->toks[i].hash);

		m->twid[i] = id;
		m->starts[nstart] = i;
		nstart += (uint32_t)id < m->nroots;
	}
	m->tpid_set = t->npfx > 0;
	if (m->tpid_set)
		memset(m->tpid, 0xff, t->ntoks * sizeof(*m->tpid));	/* -1 */
	for (size_t k = 0; k < t->npfx; k++) {
		const struct prefix_hash *p = &t->pfx[k];
		int32_t id = match_lookup(m, match_prefix_key(p->hash, p->len));

		if (id >= 0 && p->tok < t->ntoks)
			m->tpid[p->tok] = id;	/* the longest prefix wins */
	}
	for (size_t k = 0; k < nstart; k++)
		if (match_walk(m, t, m->starts[k], (uint32_t)m->twid[m->starts[k]]) == -1)
			return -1;
	for (size_t k = 0; k < t->npfx; k++) {
		uint32_t i = t->pfx[k].tok;

		if (i < t->ntoks && (uint32_t)m->tpid[i] < m->nroots &&
		    (k + 1 == t->npfx || t->pfx[k + 1].tok != i) &&
		    match_walk(m, t, i, (uint32_t)m->tpid[i]) == -1)
			return -1;
	}
	*hits = m->hits;
	return (long)m->nhits;
}
