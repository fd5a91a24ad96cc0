/*
 * daemon-pending.c: what the store could not take yet.  When a batch
 * cannot be committed (disk full, I/O error, a read-only remount), the
 * daemon goes on polling, scoring and publishing from memory: the batch
 * joins a queue, its deltas numbered after the last stored seq and the
 * deltas queued before it (the store numbers a batch last_seq + 1 ... when
 * it finally takes it, so the numbers match; batch_write() checks), and
 * published marked "persisted":false.  A timer writes the queue, oldest
 * batch first, one batch per loop turn, as soon as the store takes it.
 * Articles in the queue count as seen, so a re-poll does not score them
 * again.  The queue is bounded by retention.max_unpersisted: past it,
 * polling and ticks pause until the store has caught up.
 * docs/STORE.md ("Disk full and I/O errors") has the whole story.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "monotime.h"
#include "poller.h"
#include "store.h"

#define PENDING_RETRY_MS	1000		/* between failed attempts */
#define PENDING_MERGE_BYTES	(1024 * 1024)	/* queue entries grow to this */

/* Write attempts: in ms (0: at once, on the next loop turn). */
static void
pending_arm(struct daemon *d, int64_t ms)
{
	struct timeval tv = monotime_timeval(ms);

	if (d->ev_retry != NULL && evtimer_add(d->ev_retry, &tv) == -1)
		log_warnx("store: cannot arm the retry timer");
}

/* Identities of an article kept in memory until the store has it. */
void
pending_hold(struct daemon *d, const struct batch_article *x)
{
	const struct article *a = &x->a;

	if (keyset_add(&d->held_guids, a->source, a->id) == -1 ||
	    (a->url != NULL && a->url[0] != '\0' &&
	    keyset_add(&d->held_links, a->source, a->url) == -1))
		log_warnx("feed %s: out of memory remembering %s", a->source,
		    a->id);
}

/* The store has b's articles now (or they were dropped): let go. */
void
pending_release(struct daemon *d, const struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct article *a = &b->v[i].a;

		keyset_remove(&d->held_guids, a->source, a->id);
		if (a->url != NULL && a->url[0] != '\0')
			keyset_remove(&d->held_links, a->source, a->url);
	}
}

/* Is an article of feed with this guid (or link) held in memory? */
int
pending_holds(const struct daemon *d, const char *feed, const char *guid,
    const char *link)
{
	return keyset_has(&d->held_guids, feed, guid) ||
	    (link != NULL && link[0] != '\0' &&
	    keyset_has(&d->held_links, feed, link));
}

/*
 * The store refused a batch.  Log the first failure with its reason (the
 * rest are the same until it recovers); a batch numbered differently
 * from the store means published seqs would be reused: stop at once.
 */
void
pending_failed(struct daemon *d, int code, const char *err)
{
	if (code == BATCH_ESEQ)
		fatalx("store: %s: deltas already published cannot be stored "
		    "under their seqs; stopping", err);
	if (d->store_failing)
		return;
	d->store_failing = 1;
	log_error("store: cannot write (%s): %s; publishing from memory, "
	    "marked \"persisted\":false, until it can", store_strerror(code),
	    err);
}

/* Over retention.max_unpersisted: stop taking more until the store does. */
static void
pending_check_cap(struct daemon *d)
{
	if (d->paused || d->pending_bytes < (size_t)d->cfg.max_unpersisted)
		return;
	d->paused = 1;
	if (d->poller != NULL)
		poller_pause(d->poller, 1);
	log_error("store: %zu bytes of articles and deltas wait in memory "
	    "(retention.max_unpersisted %" PRId64 "): polling and scoring "
	    "pause until the database can be written", d->pending_bytes,
	    d->cfg.max_unpersisted);
}

/*
 * Queue a numbered batch (its deltas already published).  A small batch
 * joins the last one in the queue, so the queue stays a few entries of
 * about PENDING_MERGE_BYTES, each written in one transaction.
 */
void
pending_push(struct daemon *d, struct batch *b)
{
	struct batch	*tail = d->pending_tail;
	size_t		 nd = b->deltas.n, na = b->n;

	batch_account(b);
	if (d->pending == NULL)
		d->pending_from = b->first_seq;
	if (tail != NULL && tail->bytes < PENDING_MERGE_BYTES) {
		d->pending_bytes -= tail->bytes;
		if (batch_merge(tail, b) == 0) {
			d->pending_bytes += tail->bytes;
			goto counted;
		}
		d->pending_bytes += tail->bytes;	/* unchanged */
	}
	b->next = NULL;
	if (tail != NULL)
		tail->next = b;
	else
		d->pending = b;
	d->pending_tail = b;
	d->pending_bytes += b->bytes;
counted:
	d->pending_deltas += nd;
	d->pending_articles += na;
	pending_check_cap(d);
	if (d->ev_retry != NULL && !evtimer_pending(d->ev_retry, NULL))
		pending_arm(d, PENDING_RETRY_MS);
}

/* The queue is empty again: say so, and take new work again. */
static void
pending_recovered(struct daemon *d)
{
	log_info("store: writing again: the deltas published from memory "
	    "(seqs %" PRIu64 "-%" PRIu64 ") and their articles are stored",
	    d->pending_from, store_last_seq(d->store));
	d->store_failing = 0;
	if (d->paused) {
		d->paused = 0;
		if (d->poller != NULL)
			poller_pause(d->poller, 0);
		if (d->ev_tick != NULL)
			event_active(d->ev_tick, EV_TIMEOUT, 0);
		log_info("store: polling and scoring resume");
	}
}

/*
 * Try to write the oldest queued batch (one: a bounded amount of work)
 * unless an attempt failed less than PENDING_RETRY_MS ago.  Returns 0
 * when the queue is empty afterwards, -1 when batches still wait.
 */
int
pending_flush(struct daemon *d)
{
	struct batch	*b = d->pending;
	char		 err[512];
	int		 rc;

	if (b == NULL)
		return 0;
	if (monotime_ms() < d->retry_after_ms)
		return -1;
	if ((rc = batch_write(b, d->store, err, sizeof(err))) != STORE_OK) {
		pending_failed(d, rc, err);
		d->retry_after_ms = monotime_ms() + PENDING_RETRY_MS;
		return -1;
	}
	d->retry_after_ms = 0;
	if ((d->pending = b->next) == NULL)
		d->pending_tail = NULL;
	d->pending_deltas -= b->deltas.n;
	d->pending_articles -= b->n;
	d->pending_bytes -= b->bytes;
	pending_release(d, b);
	batch_free(b);
	if (d->pending == NULL) {
		pending_recovered(d);
		return 0;
	}
	return -1;
}

/* The retry timer: one batch per turn while the store takes them. */
static void
pending_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	if (pending_flush(d) == 0)
		return;
	pending_arm(d, d->retry_after_ms == 0 ? 0 : PENDING_RETRY_MS);
}

/*
 * Deltas held in memory with seq > since, in order, at most max: the tail
 * of a replay that ran past the last stored seq.  Returns how many were
 * emitted (emit returning -1 stops, the refused one counted).
 */
int
pending_replay(struct daemon *d, uint64_t since, size_t max,
    int (*emit)(void *, const struct delta *, const char *), void *ctx)
{
	int n = 0;

	for (struct batch *b = d->pending; b != NULL; b = b->next)
		for (size_t i = 0; i < b->deltas.n; i++) {
			if (b->deltas.v[i].seq <= since)
				continue;
			if ((size_t)n == max)
				return n;
			n++;
			if (emit(ctx, &b->deltas.v[i], NULL) == -1)
				return n;
		}
	return n;
}

int
pending_setup(struct daemon *d)
{
	keyset_init(&d->held_guids);
	keyset_init(&d->held_links);
	if ((d->ev_retry = evtimer_new(d->base, pending_retry_cb, d)) == NULL) {
		log_error("cannot create the store retry timer");
		return -1;
	}
	return 0;
}

/*
 * At shutdown: a last try to store what memory holds.  What the store
 * still refuses is lost, and the next start numbers new deltas from the
 * last stored seq again: say so plainly.
 */
void
pending_teardown(struct daemon *d)
{
	struct batch *b;

	d->retry_after_ms = 0;
	while (d->store != NULL && d->pending != NULL) {
		pending_flush(d);
		if (d->retry_after_ms != 0)
			break;		/* refused */
	}
	if (d->pending != NULL)
		log_error("store: %" PRIu64 " deltas (seqs %" PRIu64 "-%" PRIu64
		    ") and %zu articles published from memory were never "
		    "stored and are lost; the next start reuses those seqs",
		    d->pending_deltas, store_last_seq(d->store) + 1,
		    publish_last_seq(d), d->pending_articles);
	while ((b = d->pending) != NULL) {
		d->pending = b->next;
		batch_free(b);
	}
	d->pending_tail = NULL;
	d->pending_deltas = 0;
	d->pending_bytes = d->pending_articles = 0;
	keyset_free(&d->held_guids);
	keyset_free(&d->held_links);
	if (d->ev_retry != NULL)
		event_free(d->ev_retry);
	d->ev_retry = NULL;
}
