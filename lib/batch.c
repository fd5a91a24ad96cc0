/*
 * batch.c: a burst of articles and deltas in memory, and its one-
 * transaction write to the store.  docs/STORE.md ("Disk full") explains
 * how the daemon queues batches the store could not take.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "date.h"

struct batch *
batch_new(void)
{
	struct batch *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	delta_list_init(&b->deltas);
	b->state_time = PM_TIME_NONE;
	b->last_tick = PM_TIME_NONE;
	return b;
}

static void
batch_article_free(struct batch_article *x)
{
	free(x->a.id);
	free(x->a.source);
	free(x->a.title);
	free(x->a.url);
	free(x->a.text);
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++)
		batch_article_free(&b->v[i]);
	free(b->v);
	delta_list_free(&b->deltas);
	free(b->state);
	free(b);
}

int
batch_empty(const struct batch *b)
{
	return b->n == 0 && b->deltas.n == 0;
}

static int
batch_dup(char **dst, const char *src)
{
	*dst = NULL;
	return src == NULL || (*dst = strdup(src)) != NULL ? 0 : -1;
}

/*
 * Room for need elements of size bytes in array v of capacity *cap
 * (doubling): the array, moved or not, or NULL when out of memory (v and
 * *cap unchanged).
 */
static void *
batch_grow(void *v, size_t *cap, size_t need, size_t size)
{
	size_t	 n = *cap ? *cap : 16;
	void	*p;

	while (n < need)
		n *= 2;
	if (n == *cap)
		return v;
	if ((p = realloc(v, n * size)) == NULL)
		return NULL;
	*cap = n;
	return p;
}

/* Room for n more articles; -1 when out of memory. */
static int
batch_reserve(struct batch *b, size_t n)
{
	struct batch_article *v;

	if ((v = batch_grow(b->v, &b->cap, b->n + n, sizeof(*v))) == NULL)
		return -1;
	b->v = v;
	return 0;
}

int
batch_add_article(struct batch *b, const struct article *a)
{
	struct batch_article *x;

	if (batch_reserve(b, 1) == -1)
		return -1;
	x = &b->v[b->n];
	memset(x, 0, sizeof(*x));
	x->a = *a;
	if (batch_dup(&x->a.id, a->id) == -1 ||
	    batch_dup(&x->a.source, a->source) == -1 ||
	    batch_dup(&x->a.title, a->title) == -1 ||
	    batch_dup(&x->a.url, a->url) == -1 ||
	    batch_dup(&x->a.text, a->text) == -1) {
		batch_article_free(x);
		return -1;
	}
	x->dfrom = x->dto = b->deltas.n;
	b->n++;
	return 0;
}

void
batch_scored(struct batch *b, uint64_t simhash)
{
	struct batch_article *x = &b->v[b->n - 1];

	x->simhash = simhash;
	x->dto = b->deltas.n;
}

const struct batch_article *
batch_last(const struct batch *b)
{
	return b->n > 0 ? &b->v[b->n - 1] : NULL;
}

void
batch_set_state(struct batch *b, char *state, int64_t now, int64_t last_tick)
{
	free(b->state);
	b->state = state;
	b->state_time = now;
	b->last_tick = last_tick;
}

void
batch_number(struct batch *b, uint64_t first)
{
	b->first_seq = first;
	for (size_t i = 0; i < b->deltas.n; i++)
		b->deltas.v[i].seq = first + i;
}

static size_t
batch_strlen(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

void
batch_account(struct batch *b)
{
	size_t n = sizeof(*b) + b->cap * sizeof(*b->v) +
	    b->deltas.cap * sizeof(*b->deltas.v) + batch_strlen(b->state);

	for (size_t i = 0; i < b->n; i++) {
		const struct article *a = &b->v[i].a;

		n += batch_strlen(a->id) + batch_strlen(a->source) +
		    batch_strlen(a->title) + batch_strlen(a->url) +
		    batch_strlen(a->text);
	}
	for (size_t i = 0; i < b->deltas.n; i++) {
		const struct delta *d = &b->deltas.v[i];

		n += batch_strlen(d->market) + batch_strlen(d->article_id) +
		    batch_strlen(d->article_title) +
		    batch_strlen(d->article_url) +
		    batch_strlen(d->article_source) + batch_strlen(d->evidence);
	}
	b->bytes = n;
}

/* Room for n more deltas in l; -1 when out of memory. */
static int
batch_delta_reserve(struct delta_list *l, size_t n)
{
	struct delta *v;

	if ((v = batch_grow(l->v, &l->cap, l->n + n, sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	return 0;
}

int
batch_merge(struct batch *dst, struct batch *src)
{
	size_t off = dst->deltas.n;

	if (batch_reserve(dst, src->n) == -1 ||
	    batch_delta_reserve(&dst->deltas, src->deltas.n) == -1)
		return -1;
	for (size_t i = 0; i < src->n; i++) {
		dst->v[dst->n] = src->v[i];
		dst->v[dst->n].dfrom += off;
		dst->v[dst->n].dto += off;
		dst->n++;
	}
	if (src->deltas.n > 0)
		memcpy(dst->deltas.v + off, src->deltas.v,
		    src->deltas.n * sizeof(*src->deltas.v));
	dst->deltas.n += src->deltas.n;
	if (dst->first_seq == 0)
		dst->first_seq = src->first_seq;
	if (src->state != NULL)
		batch_set_state(dst, src->state, src->state_time,
		    src->last_tick);
	/* Everything src owned now belongs to dst. */
	src->n = src->deltas.n = 0;
	src->state = NULL;
	batch_free(src);
	batch_account(dst);
	return 0;
}

/* Each moved market's evidence from article x (stored as rowid). */
static int
batch_write_evidence(struct batch *b, const struct batch_article *x,
    struct store *s, int64_t rowid, char *err, size_t errsize)
{
	int rc;

	for (size_t i = x->dfrom; i < x->dto; i++) {
		const struct delta *d = &b->deltas.v[i];

		if (d->cause != DELTA_ARTICLE || d->evidence == NULL)
			continue;
		if ((rc = store_add_evidence(s, rowid, d->market, d->evidence,
		    err, errsize)) != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

static int
batch_write_articles(struct batch *b, struct store *s, char *err,
    size_t errsize)
{
	int64_t	rowid;
	int	rc;

	for (size_t i = 0; i < b->n; i++) {
		const struct batch_article *x = &b->v[i];

		if ((rc = store_add_article(s, &x->a, x->simhash, &rowid, err,
		    errsize)) < 0)
			return rc;
		if ((rc = batch_write_evidence(b, x, s, rowid, err,
		    errsize)) != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

static int
batch_write_state(struct batch *b, struct store *s, char *err, size_t errsize)
{
	char	buf[32];
	int	rc;

	if (b->state != NULL && (rc = store_state_put(s, BATCH_STATE_KEY,
	    b->state, b->state_time, err, errsize)) != STORE_OK)
		return rc;
	if (b->last_tick == PM_TIME_NONE)
		return STORE_OK;
	snprintf(buf, sizeof(buf), "%" PRId64, b->last_tick);
	return store_meta_put(s, BATCH_TICK_KEY, buf, err, errsize);
}

/* The seqs the deltas had before a failed write: theirs, or none. */
static void
batch_restore_seqs(struct batch *b)
{
	for (size_t i = 0; i < b->deltas.n; i++)
		b->deltas.v[i].seq = b->first_seq != 0 ? b->first_seq + i : 0;
}

/* Does the store continue exactly where b's numbering starts? */
static int
batch_check_seq(const struct batch *b, const struct store *s, char *err,
    size_t errsize)
{
	uint64_t next = store_last_seq(s) + 1;

	if (b->first_seq == 0 || b->deltas.n == 0 || b->first_seq == next)
		return STORE_OK;
	if (err != NULL)
		snprintf(err, errsize, "%s: batch numbered from seq %" PRIu64
		    " but the database's next seq is %" PRIu64, store_path(s),
		    b->first_seq, next);
	return BATCH_ESEQ;
}

/* After the append: the store gave the seqs b was published under. */
static int
batch_check_numbered(const struct batch *b, const struct store *s, char *err,
    size_t errsize)
{
	if (b->first_seq == 0 || b->deltas.n == 0 ||
	    b->deltas.v[0].seq == b->first_seq)
		return STORE_OK;
	if (err != NULL)
		snprintf(err, errsize, "%s: batch numbered from seq %" PRIu64
		    " but the database gave %" PRIu64, store_path(s),
		    b->first_seq, b->deltas.v[0].seq);
	return BATCH_ESEQ;
}

int
batch_write(struct batch *b, struct store *s, char *err, size_t errsize)
{
	int rc;

	if ((rc = batch_check_seq(b, s, err, errsize)) != STORE_OK)
		return rc;
	if ((rc = store_begin(s, err, errsize)) != STORE_OK)
		return rc;
	if ((rc = batch_write_articles(b, s, err, errsize)) == STORE_OK &&
	    (rc = store_append_deltas(s, b->deltas.v, b->deltas.n, err,
	    errsize)) == STORE_OK &&
	    (rc = batch_check_numbered(b, s, err, errsize)) == STORE_OK)
		rc = batch_write_state(b, s, err, errsize);
	if (rc == STORE_OK)
		rc = store_commit(s, err, errsize);
	else
		store_rollback(s);
	if (rc != STORE_OK)
		batch_restore_seqs(b);
	return rc;
}
