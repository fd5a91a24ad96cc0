/*
 * match.c: the phrase matcher.  See match.h.
 *
 * Two tables serve the per-token probes of match_run():
 *  - the word table: token hash -> word id, in buckets of four slots that
 *    fill one cache line and are compared without branches (which word a
 *    token is, and whether it is one at all, is unpredictable);
 *  - the trie, as a double array: the children of the node at position p
 *    are at base[p] + word id, and check[] says whose child a position
 *    holds.  One probe per step, whatever a node's fan-out, in an array
 *    about as long as the trie has nodes.  The words that start literals
 *    have the ids 0 .. nroots-1 and their roots sit at those positions,
 *    so "does a literal start here" is one comparison.
 *
 * The trie is first built with its edges in a hash (struct tbuild), then
 * packed into the double array.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"

#define PREFIX_SALT	0x9e3779b97f4a7c15ULL
#define EDGE_EMPTY	UINT32_MAX
#define PFILTER_BITS	4096	/* see match_pfilter_bit() */
#define POS_MAX		(INT32_MAX / 2)	/* positions, and word ids, below this */

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

/*
 * A trie node, at its position p in the double array: 16 bytes, as the
 * walk reads one for every step.  The literals ending at p are
 * outs[dn[p].out0 .. dn[p + 1].out0).
 */
struct dnode {
	uint64_t	 kids;		/* a one-word Bloom filter of its children's words; 0: none */
	int32_t		 base;		/* children at base + word id */
	uint32_t	 out0;
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
	uint64_t	 pfilter[PFILTER_BITS / 64];	/* Bloom filter of the prefix keys */

	struct dnode	*dn;		/* per position */
	int32_t		*check;		/* per position: its parent's position, or -1 */
	size_t		 npos;		/* positions, padded so base + any word fits */
	uint32_t	*outs;

	/* Per text. */
	int32_t		*twid, *tpid;	/* per token: word id, prefix id (or -1) */
	int		 tpid_set;	/* tpid is filled in (the text has prefixes) */
	uint32_t	*starts;	/* tokens whose word starts a literal */
	size_t		 tcap;
	struct match_hit *hits;
	size_t		 nhits, hcap;
	struct match_hit *merged;	/* scratch of match_merge_prefix_hits() */
	size_t		 mcap;
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

/*
 * A text offers the hash of every prefix of every word of the lengths
 * asked for (thousands per article), and few are "word*" prefixes: a bit
 * per key in a small filter spares most of them the word table.
 */
static inline size_t
match_pfilter_bit(uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 52);	/* < 4096 */
}

static inline int
match_pfilter_has(const struct matcher *m, uint64_t key)
{
	size_t b = match_pfilter_bit(key);

	return (m->pfilter[b / 64] >> (b % 64)) & 1;
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
	if (l->prefix && k + 1 == l->ntoks) {
		uint64_t key = match_prefix_key(l->hashes[k], l->plen);
		size_t	 b = match_pfilter_bit(key);

		m->pfilter[b / 64] |= 1ULL << (b % 64);
		return match_word_add(m, key);
	}
	return match_word_add(m, l->hashes[k]);
}

/* Word w's bit in the filter of a node's children. */
static inline uint64_t
match_kid_bit(uint32_t w)
{
	return 1ULL << ((w * 0x9e3779b9u) >> 26);
}

/* ------------------------------------------------- the trie, while built */

/* Nodes in order of creation (the roots first), edges in a hash. */
struct tbuild {
	uint32_t	*parent;	/* per node; roots: themselves */
	size_t		 nnodes, ncap;
	struct tedge {
		uint32_t parent, word;	/* word EDGE_EMPTY: a free slot */
		uint32_t child;
	}		*edges;
	size_t		 emask, nedges;
};

static void
tb_free(struct tbuild *tb)
{
	free(tb->parent);
	free(tb->edges);
}

static int
tb_new_node(struct tbuild *tb, uint32_t parent, uint32_t *out)
{
	if (tb->nnodes == tb->ncap) {
		size_t	  n = tb->ncap ? tb->ncap * 2 : 1024;
		uint32_t *x = realloc(tb->parent, n * sizeof(*x));

		if (x == NULL)
			return -1;
		tb->parent = x;
		tb->ncap = n;
	}
	if (tb->nnodes >= POS_MAX)
		return -1;
	*out = (uint32_t)tb->nnodes++;
	tb->parent[*out] = parent == UINT32_MAX ? *out : parent;
	return 0;
}

static size_t
tb_slot(const struct tbuild *tb, uint32_t node, uint32_t w)
{
	return (size_t)(match_mix((uint64_t)node << 32 | w) & tb->emask);
}

/* Double the edge hash (kept at most half full). */
static int
tb_grow(struct tbuild *tb)
{
	struct tedge	*old = tb->edges;
	size_t		 oldn = old != NULL ? tb->emask + 1 : 0;
	size_t		 n = oldn ? oldn * 2 : 1024;

	if ((tb->edges = malloc(n * sizeof(*tb->edges))) == NULL) {
		tb->edges = old;
		return -1;
	}
	tb->emask = n - 1;
	for (size_t i = 0; i < n; i++)
		tb->edges[i].word = EDGE_EMPTY;
	for (size_t i = 0; i < oldn; i++) {
		size_t j;

		if (old[i].word == EDGE_EMPTY)
			continue;
		j = tb_slot(tb, old[i].parent, old[i].word);
		/* Every one of the n slots was set just above. */
		while (tb->edges[j].word != EDGE_EMPTY) /* NOLINT(clang-analyzer-*) */
			j = (j + 1) & tb->emask;
		tb->edges[j] = old[i];
	}
	free(old);
	return 0;
}

/* The child of node for word w, created if new. */
static int
tb_child(struct tbuild *tb, uint32_t node, uint32_t w, uint32_t *out)
{
	size_t i;

	if ((tb->nedges + 1) * 2 > (tb->edges != NULL ? tb->emask + 1 : 0) &&
	    tb_grow(tb) == -1)
		return -1;
	/* NOLINTNEXTLINE(clang-analyzer-*): tb_grow set every slot, and emask + 1 > nedges */
	for (i = tb_slot(tb, node, w); tb->edges[i].word != EDGE_EMPTY;
	    i = (i + 1) & tb->emask) {
		if (tb->edges[i].parent == node && tb->edges[i].word == w) {
			*out = tb->edges[i].child;
			return 0;
		}
	}
	if (tb_new_node(tb, node, out) == -1)
		return -1;
	tb->edges[i].parent = node;
	tb->edges[i].word = w;
	tb->edges[i].child = *out;
	tb->nedges++;
	return 0;
}

/* ------------------------------------------------ packing the double array */

static int
cmp_tedge(const void *a, const void *b)
{
	const struct tedge *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return x->word < y->word ? -1 : x->word > y->word;
}

/* The trie's edges sorted by (parent, word), and where each node's start. */
struct tkids {
	struct tedge	*e;
	uint32_t	*first;		/* per node: its children are e[first[n] .. first[n + 1]) */
};

static int
tb_kids(const struct tbuild *tb, struct tkids *k)
{
	size_t n = 0;

	k->e = malloc((tb->nedges + 1) * sizeof(*k->e));
	k->first = calloc(tb->nnodes + 1, sizeof(*k->first));
	if (k->e == NULL || k->first == NULL)
		return -1;
	for (size_t i = 0; tb->edges != NULL && i <= tb->emask; i++)
		if (tb->edges[i].word != EDGE_EMPTY)
			k->e[n++] = tb->edges[i];
	qsort(k->e, n, sizeof(*k->e), cmp_tedge);
	for (size_t i = 0; i < n; i++)
		k->first[k->e[i].parent + 1]++;
	for (size_t i = 0; i < tb->nnodes; i++)
		k->first[i + 1] += k->first[i];
	return 0;
}

/* Positions taken so far, growing as needed. */
struct dplace {
	uint8_t		*used;
	size_t		 cap, next_free, end;	/* end: one past the highest taken */
};

static int
dplace_take(struct dplace *d, size_t p)
{
	if (p >= d->cap) {
		size_t	 n = d->cap ? d->cap : 1024;
		uint8_t	*x;

		while (n <= p)
			n *= 2;
		if ((x = realloc(d->used, n)) == NULL)
			return -1;
		memset(x + d->cap, 0, n - d->cap);
		d->used = x;
		d->cap = n;
	}
	d->used[p] = 1;
	if (p + 1 > d->end)
		d->end = p + 1;
	while (d->next_free < d->cap && d->used[d->next_free])
		d->next_free++;
	return 0;
}

static int
dplace_free(const struct dplace *d, size_t p)
{
	return p >= d->cap || !d->used[p];
}

/*
 * The base for children with words e[0 .. n) (sorted): the first one that
 * puts all of them on free positions, at or after the first free one.
 */
static size_t
dplace_base(const struct dplace *d, const struct tedge *e, size_t n)
{
	size_t p = d->next_free > e[0].word ? d->next_free : e[0].word;

	for (;; p++) {
		size_t b = p - e[0].word, k;

		if (!dplace_free(d, p))
			continue;
		for (k = 1; k < n && dplace_free(d, b + e[k].word); k++)
			;
		if (k == n)
			return b;
	}
}

/*
 * Give every node its position: roots at their word ids, then, breadth
 * first, each node's children at base + word.  pos[] receives them.
 */
static int
match_place(struct matcher *m, const struct tbuild *tb, const struct tkids *k,
    uint32_t *pos, int32_t *base)
{
	struct dplace	 d = { NULL, 0, 0, 0 };
	uint32_t	*queue = malloc((tb->nnodes + 1) * sizeof(*queue));
	size_t		 qn = 0;
	int		 rc = -1;

	if (queue == NULL)
		goto out;
	for (uint32_t r = 0; r < m->nroots; r++) {
		pos[r] = r;
		queue[qn++] = r;
		if (dplace_take(&d, r) == -1)
			goto out;
	}
	for (size_t q = 0; q < qn; q++) {
		uint32_t	 x = queue[q], a = k->first[x], z = k->first[x + 1];
		size_t		 b;

		base[x] = 0;
		if (a == z)
			continue;
		b = dplace_base(&d, &k->e[a], z - a);
		if (b + m->nwords >= POS_MAX)
			goto out;
		base[x] = (int32_t)b;
		for (uint32_t i = a; i < z; i++) {
			pos[k->e[i].child] = (uint32_t)(b + k->e[i].word);
			queue[qn++] = k->e[i].child;
			if (dplace_take(&d, b + k->e[i].word) == -1)
				goto out;
		}
	}
	m->npos = d.end + m->nwords + 1;	/* base + any word id fits */
	rc = 0;
out:
	free(queue);
	free(d.used);
	return rc;
}

/*
 * The double array from the built trie: node info and check[] per
 * position, and the literals that end at each.
 */
static int
match_pack(struct matcher *m, const struct tbuild *tb, const uint32_t *lit_node)
{
	struct tkids	 k = { NULL, NULL };
	uint32_t	*pos = malloc((tb->nnodes + 1) * sizeof(*pos)), *fill = NULL;
	int32_t		*base = malloc((tb->nnodes + 1) * sizeof(*base));
	int		 rc = -1;

	if (pos == NULL || base == NULL || tb_kids(tb, &k) == -1 ||
	    match_place(m, tb, &k, pos, base) == -1)
		goto out;
	m->dn = calloc(m->npos + 1, sizeof(*m->dn));	/* + 1: out0 after the last */
	m->check = malloc(m->npos * sizeof(*m->check));
	m->outs = calloc(m->set->nlits + 1, sizeof(*m->outs));
	fill = calloc(m->npos, sizeof(*fill));
	if (m->dn == NULL || m->check == NULL || m->outs == NULL || fill == NULL)
		goto out;
	for (size_t p = 0; p < m->npos; p++)
		m->check[p] = -1;
	for (size_t x = 0; x < tb->nnodes; x++) {
		/* NOLINTNEXTLINE(clang-analyzer-*): k.first has nnodes + 1 entries, all set */
		struct dnode *n = &m->dn[pos[x]];

		n->base = base[x];
		for (uint32_t i = k.first[x]; i < k.first[x + 1]; i++)
			n->kids |= match_kid_bit(k.e[i].word);
		/* A root is nobody's child: -2 is no position. */
		m->check[pos[x]] = x < m->nroots ? -2 : (int32_t)pos[tb->parent[x]];
	}
	/* out0 as a running count: literals per position, then prefix sums. */
	for (size_t i = 0; i < m->set->nlits; i++)
		m->dn[pos[lit_node[i]] + 1].out0++;
	for (size_t p = 0; p < m->npos; p++)
		m->dn[p + 1].out0 += m->dn[p].out0;
	for (size_t i = 0; i < m->set->nlits; i++) {
		uint32_t p = pos[lit_node[i]];

		m->outs[m->dn[p].out0 + fill[p]++] = (uint32_t)i;
	}
	rc = 0;
out:
	free(pos);
	free(base);
	free(fill);
	free(k.e);
	free(k.first);
	return rc;
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
 * each literal, as a path of children from its root; then the packing.
 */
static int
match_compile(struct matcher *m)
{
	const struct market_set	*set = m->set;
	struct tbuild		 tb;
	uint32_t		*lit_node;
	size_t			 words = 0, cap;
	int			 rc = -1;

	memset(&tb, 0, sizeof(tb));
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
	if (m->wt == NULL || lit_node == NULL || words >= POS_MAX)
		goto out;
	for (size_t i = 0; i < cap; i++)
		m->wt[i].id = -1;
	for (size_t i = 0; i < set->nlits; i++)
		lit_node[i] = (uint32_t)match_lit_word(m, &set->lits[i], 0);
	m->nroots = m->nwords;
	for (size_t i = 0; i < m->nroots; i++)
		if (tb_new_node(&tb, UINT32_MAX, &(uint32_t){ 0 }) == -1)
			goto out;
	for (size_t i = 0; i < set->nlits; i++)
		for (uint32_t k = 1; k < set->lits[i].ntoks; k++)
			if (tb_child(&tb, lit_node[i], (uint32_t)match_lit_word(m,
			    &set->lits[i], k), &lit_node[i]) == -1)
				goto out;
	if (match_pack(m, &tb, lit_node) == -1 || match_build_buckets(m) == -1)
		goto out;
	rc = 0;
out:
	tb_free(&tb);
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
	free(m->dn);
	free(m->check);
	free(m->outs);
	free(m->twid);
	free(m->tpid);
	free(m->starts);
	free(m->hits);
	free(m->merged);
	free(m);
}

uint32_t
match_prefix_mask(const struct matcher *m)
{
	return m->prefix_mask;
}

/* -------------------------------------------------------------- matching */

/* Record the literals outs[o0 .. o1): they span tokens [a, b). */
static int
match_emit(struct matcher *m, uint32_t o0, uint32_t o1, uint32_t a, uint32_t b)
{
	if (m->nhits + (o1 - o0) > m->hcap) {
		size_t		  cap = (m->hcap ? m->hcap * 2 : 256) + (o1 - o0);
		struct match_hit *x = realloc(m->hits, cap * sizeof(*x));

		if (x == NULL)
			return -1;
		m->hits = x;
		m->hcap = cap;
	}
	for (uint32_t k = o0; k < o1; k++) {
		struct match_hit *h = &m->hits[m->nhits++];

		h->lit = m->outs[k];
		h->tok0 = a;
		h->tok1 = b;
	}
	return 0;
}

/*
 * The position of the child for word w (-1: none) of node n at position
 * p.  Most tokens are no child of the node a walk is at: the filter says
 * so without a probe of check[].
 */
static inline int32_t
match_child(const struct matcher *m, const struct dnode *n, int32_t p,
    int32_t w)
{
	int32_t c;

	if (w < 0 || (n->kids & match_kid_bit((uint32_t)w)) == 0)
		return -1;
	c = n->base + w;
	return m->check[c] == p ? c : -1;
}

/*
 * The literals longer than one word starting at token i from root p,
 * within its sentence: follow the tokens down the trie while it has a
 * child for them (for the word, else for its "word*" prefix).
 */
static __attribute__((noinline)) int
match_walk(struct matcher *m, const struct text *t, uint32_t i, int32_t p)
{
	const struct token	*tk = t->toks;
	uint32_t		 sent = tk[i].sent;

	for (uint32_t j = i + 1; j < t->ntoks && tk[j].sent == sent; j++) {
		const struct dnode	*n = &m->dn[p];
		int32_t			 c = match_child(m, n, p, m->twid[j]);

		if (c < 0 && m->tpid_set)
			c = match_child(m, n, p, m->tpid[j]);
		if (c < 0)
			return 0;
		p = c;
		n = &m->dn[p];
		if (n[1].out0 != n->out0 &&
		    match_emit(m, n->out0, n[1].out0, i, j + 1) == -1)
			return -1;
	}
	return 0;
}

/* Might word w (-1: none) be a child of node n?  (Its filter, as an int.) */
static inline int
match_may(const struct dnode *n, int32_t w)
{
	return (w >= 0) & ((n->kids & match_kid_bit((uint32_t)w)) != 0);
}

/*
 * Every literal starting at token i from root p.  Whether the root ends
 * a literal, and whether the next token goes on, are both unpredictable:
 * the root's literal (most roots end one or none) is recorded without a
 * branch, and the walk goes on only when the next token may be a child.
 * Inlined into the loops over the starts: it runs for a third of all
 * tokens, and most of the time does only that.
 */
static inline __attribute__((always_inline)) int
match_start(struct matcher *m, const struct text *t, uint32_t i, int32_t p)
{
	const struct dnode	*n = &m->dn[p];
	uint32_t		 o0 = n->out0, no = n[1].out0 - o0, j = i + 1;

	if (__builtin_expect(no > 1 || m->nhits == m->hcap, 0)) {
		if (match_emit(m, o0, o0 + no, i, j) == -1)
			return -1;
	} else {
		struct match_hit *h = &m->hits[m->nhits];

		h->lit = m->outs[o0];	/* outs has a spare entry at the end */
		h->tok0 = i;
		h->tok1 = j;
		m->nhits += no;
	}
	if (j < t->ntoks && (match_may(n, m->twid[j]) |
	    (m->tpid_set && match_may(n, m->tpid[j]))) &&
	    t->toks[j].sent == t->toks[i].sent)
		return match_walk(m, t, i, p);
	return 0;
}

/*
 * Look every token of t up; list the ones that start a literal in starts.
 * Returns their number.  (The tables are read through locals: the stores
 * to twid[] could otherwise alias the matcher's fields and force reloads.)
 */
static size_t
match_lookup_all(struct matcher *m, const struct text *t)
{
	int32_t *restrict	 twid = m->twid;
	uint32_t *restrict	 starts = m->starts;
	const struct token	*tk = t->toks;
	uint32_t		 nroots = (uint32_t)m->nroots;
	size_t			 n = 0;

	for (uint32_t i = 0; i < t->ntoks; i++) {
		int32_t id = match_lookup(m, tk[i].hash);

		twid[i] = id;
		starts[n] = i;
		n += (uint32_t)id < nroots;
	}
	return n;
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
 * The hits from "word*" prefixes, hits[nexact ..), come after those of
 * whole words, each run in token order: merge them so that every hit is
 * in token order, as match_run() promises (the scorer keeps each term's
 * occurrences in text order and groups them by sentence).  Stable: at
 * one token, the whole-word hits stay first.
 */
static int
match_merge_prefix_hits(struct matcher *m, size_t nexact)
{
	struct match_hit	*a = m->hits, *b = m->hits + nexact, *o;
	size_t			 na = nexact, nb = m->nhits - nexact, i = 0, j = 0;
	size_t			 cap;

	if (na == 0 || nb == 0 || a[na - 1].tok0 <= b[0].tok0)
		return 0;
	if (m->nhits > m->mcap) {
		if ((o = realloc(m->merged, m->hcap * sizeof(*o))) == NULL)
			return -1;
		m->merged = o;
		m->mcap = m->hcap;
	}
	o = m->merged;
	while (i < na && j < nb)
		*o++ = b[j].tok0 < a[i].tok0 ? b[j++] : a[i++];
	while (i < na)
		*o++ = a[i++];
	while (j < nb)
		*o++ = b[j++];
	/* The merged run becomes the hits; the old array the next scratch. */
	o = m->hits;
	m->hits = m->merged;
	m->merged = o;
	cap = m->hcap;
	m->hcap = m->mcap;
	m->mcap = cap;
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
	size_t nstart = 0, nexact;

	m->nhits = 0;
	*hits = NULL;
	if (match_reserve(m, t->ntoks) == -1)
		return -1;
	nstart = match_lookup_all(m, t);
	m->tpid_set = t->npfx > 0;
	if (m->tpid_set)
		memset(m->tpid, 0xff, t->ntoks * sizeof(*m->tpid));	/* -1 */
	for (size_t k = 0; k < t->npfx; k++) {
		const struct prefix_hash *p = &t->pfx[k];
		uint64_t	key = match_prefix_key(p->hash, p->len);
		int32_t		id;

		if (match_pfilter_has(m, key) && (id = match_lookup(m, key)) >= 0 &&
		    p->tok < t->ntoks)
			m->tpid[p->tok] = id;	/* the longest prefix wins */
	}
	for (size_t k = 0; k < nstart; k++)
		if (match_start(m, t, m->starts[k], m->twid[m->starts[k]]) == -1)
			return -1;
	nexact = m->nhits;
	for (size_t k = 0; k < t->npfx; k++) {
		uint32_t i = t->pfx[k].tok;

		if (i < t->ntoks && (uint32_t)m->tpid[i] < m->nroots &&
		    (k + 1 == t->npfx || t->pfx[k + 1].tok != i) &&
		    match_start(m, t, i, m->tpid[i]) == -1)
			return -1;
	}
	if (match_merge_prefix_hits(m, nexact) == -1)
		return -1;
	*hits = m->hits;
	return (long)m->nhits;
}
