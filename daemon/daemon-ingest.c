/*
 * daemon-ingest.c: the poller's handler.  A fetched body is parsed as a
 * feed; its entries not seen before (by feed + id, and feed + link, across
 * restarts) become articles first seen now, and go through the pipeline as
 * one batch.  Each feed's poll state goes to the store so conditional GETs
 * and backoff survive a restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "daemon.h"
#include "date.h"
#include "feed.h"
#include "log.h"
#include "poller.h"
#include "store.h"

static const struct config_feed *
ingest_feed_config(const struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->cfg.nfeeds; i++)
		if (strcmp(d->cfg.feeds[i].name, name) == 0)
			return &d->cfg.feeds[i];
	return NULL;
}

/*
 * Is this article new (by feed + id, or feed + link)?  1, 0 (stored, or
 * held in memory until the store takes it), -1 (error).
 */
static int
ingest_is_new(struct daemon *d, const struct article *a)
{
	char	err[512];
	int	r;

	if (pending_holds(d, a->source, a->id, a->url))
		return 0;
	r = store_article_seen(d->store, a->source, a->id, a->url, err,
	    sizeof(err));
	if (r < 0) {
		log_warnx("store: %s", err);
		return -1;
	}
	return r == 0;
}

/*
 * The article an entry makes, first seen now; it borrows the entry's
 * strings, or b's where a field is over the limits of article.h (the
 * seen-check and the store both see the bounded values).  Returns what
 * article_bound() changed.
 */
static int
ingest_article(const struct config_feed *fc, const struct feed_entry *e,
    int64_t now, struct article *a, struct article_bounds *b)
{
	memset(a, 0, sizeof(*a));
	a->id = e->id;
	a->source = fc->name;
	a->title = e->title_text != NULL ? e->title_text : e->title;
	a->url = e->link;
	a->text = e->text;
	a->published = e->published;
	a->first_seen = now;
	a->credibility = fc->credibility;
	return article_bound(a, b);
}

/*
 * Feed entries come newest first by convention; take them oldest first so
 * the stored order reads like the news did.  The batch (one durable store
 * transaction) opens at the first new entry: a poll that brings nothing
 * new, the usual case, writes nothing and waits for no fsync.
 */
static int
ingest_entries(struct daemon *d, const struct config_feed *fc,
    const struct feed *f, int64_t now, size_t *fresh)
{
	*fresh = 0;
	for (size_t i = f->nentries; i-- > 0;) {
		const struct feed_entry	*e = &f->entries[i];
		struct article		 a;
		struct article_bounds	 b;
		int			 r, cut;

		if (e->id == NULL || e->id[0] == '\0')
			continue;
		cut = ingest_article(fc, e, now, &a, &b);
		if ((r = ingest_is_new(d, &a)) == -1)
			return -1;
		if (r == 0)
			continue;
		if (cut != 0)
			log_debug("feed %s: article %s: %s%s%s", fc->name,
			    a.id, cut & ARTICLE_CUT_TITLE ? "title cut " : "",
			    cut & ARTICLE_DROP_URL ? "link dropped " : "",
			    cut & ARTICLE_HASH_ID ? "id hashed " : "");
		if (publish_begin(d) == -1 || publish_article(d, &a, now) == -1)
			return -1;
		(*fresh)++;
	}
	return 0;
}

static int
ingest_feed(struct daemon *d, const struct config_feed *fc,
    const struct feed *f, int64_t now, size_t *fresh)
{
	char	err[512];
	int	rc;

	/* One read transaction for the identity checks of every entry. */
	if (store_read_begin(d->store, err, sizeof(err)) != STORE_OK)
		log_warnx("store: %s", err);
	rc = ingest_entries(d, fc, f, now, fresh);
	store_read_end(d->store);
	return rc;
}

/*
 * A document as one batch.  When an entry fails (out of memory, the store
 * cannot be read), the entries scored so far are still committed, so the
 * pipeline state and what is stored never part; the poll counts as
 * failed, keeps no validators, and the rest comes with the next one.
 * While the daemon holds all the unstored data it may (d->paused), a
 * document is refused the same way.
 */
int
ingest_document(struct daemon *d, const char *name, const char *body,
    size_t len, const char *content_type, const char *effective_url,
    int64_t now, char *err, size_t errsize)
{
	const struct config_feed	*fc = ingest_feed_config(d, name);
	struct feed			 f;
	char				 perr[256];
	size_t				 fresh = 0, older;
	int				 n, rc;

	if (fc == NULL) {
		snprintf(err, errsize, "feed no longer configured");
		metrics_poll_error(&d->counters, METRICS_POLL_OTHER);
		return -1;
	}
	if (d->paused) {
		snprintf(err, errsize, "not taken: %zu bytes wait in memory for "
		    "the database (retention.max_unpersisted)",
		    d->pending_bytes);
		metrics_poll_error(&d->counters, METRICS_POLL_OTHER);
		return -1;
	}
	if (feed_parse(body, len, content_type, effective_url, &f, perr,
	    sizeof(perr)) == -1) {
		snprintf(err, errsize, "parse error: %s", perr);
		metrics_poll_error(&d->counters, METRICS_POLL_PARSE);
		feed_free(&f);
		return -1;
	}
	if (f.illformed)
		log_debug("feed %s: ill-formed document, recovered", name);
	rc = ingest_feed(d, fc, &f, now, &fresh);
	/* entries_seen counts the document's entries, read or not. */
	older = f.nolder;
	n = f.nentries + older > (size_t)INT32_MAX ? INT32_MAX :
	    (int)(f.nentries + older);
	feed_free(&f);
	(void)publish_commit(d);
	if (rc == -1) {
		snprintf(err, errsize, "cannot take its articles (%zu taken)",
		    fresh);
		metrics_poll_error(&d->counters, METRICS_POLL_OTHER);
		return -1;
	}
	if (fresh > 0 && older > 0)
		log_info("feed %s: %zu new article%s (the newest %d of %d "
		    "entries read)", name, fresh, fresh == 1 ? "" : "s",
		    FEED_MAX_ENTRIES, n);
	else if (fresh > 0)
		log_info("feed %s: %zu new article%s", name, fresh,
		    fresh == 1 ? "" : "s");
	return n;
}

static int
ingest_body(void *arg, const char *name, const char *body, size_t len,
    const char *content_type, const char *effective_url, int64_t now,
    char *err, size_t errsize)
{
	return ingest_document(arg, name, body, len, content_type,
	    effective_url, now, err, errsize);
}

/*
 * Persist one feed's poll state (validators, health, schedule).  Not while
 * articles wait in memory for the store: new validators must never be
 * stored before the articles of the document they belong to, or a crash
 * would lose those articles to a 304.
 */
static void
ingest_state(void *arg, const struct poller_feed_state *st)
{
	struct daemon		*d = arg;
	struct store_feed	 f;
	char			 err[512];

	memset(&f, 0, sizeof(f));
	f.name = (char *)st->name;
	f.url = (char *)st->url;
	f.etag = (char *)st->etag;
	f.last_modified = (char *)st->last_modified;
	f.last_success = st->last_success;
	f.last_error_time = st->last_failure;
	f.last_error = (char *)st->last_error;
	f.failures = st->consecutive_failures;
	f.next_poll = st->next_poll;
	f.backoff = 0;
	f.entries_seen = st->entries_seen;
	/* Every poll once, and each failure once by kind; the handler
	 * counted the bodies it refused itself. */
	d->counters.polls++;
	if (st->last_poll == POLLER_POLL_NOT_MODIFIED)
		d->counters.polls_not_modified++;
	else if (st->last_poll == POLLER_POLL_FAILED)
		metrics_poll_error(&d->counters, st->last_error_kind);
	d->counters.feeds_failing = poller_nfailing(d->poller);
	if (d->pending != NULL)
		return;
	if (store_feed_put(d->store, &f, err, sizeof(err)) != STORE_OK &&
	    !d->store_failing)
		log_warnx("store: %s", err);
}

/* Hand each stored feed state back to the poller. */
static int
ingest_restore_one(void *arg, const struct store_feed *f)
{
	struct daemon			*d = arg;
	struct poller_feed_state	 st;

	memset(&st, 0, sizeof(st));
	st.name = f->name;
	st.url = f->url;
	st.etag = f->etag;
	st.last_modified = f->last_modified;
	st.next_poll = f->next_poll;
	st.retry_until = PM_TIME_NONE;
	st.last_attempt = PM_TIME_NONE;
	st.last_success = f->last_success;
	st.last_failure = f->last_error_time;
	st.last_error = f->last_error;
	st.consecutive_failures = (uint32_t)f->failures;
	st.entries_seen = f->entries_seen;
	/* A feed no longer configured just stays in the store. */
	(void)poller_set_state(d->poller, &st);
	return 0;
}

static const struct poller_handler ingest_handler = {
	ingest_body,
	ingest_state,
};

/*
 * PMSIGNALD_POLL_TIME_UNIT_MS (tests only, docs/POLLER.md): how many real
 * milliseconds one scheduling second lasts, so end-to-end tests see polls
 * every few hundred ms without weakening the config's 30 s minimum.
 */
static void
ingest_poller_opts(struct poller_opts *opts)
{
	const char	*s = getenv("PMSIGNALD_POLL_TIME_UNIT_MS");
	char		*end;
	unsigned long	 v;

	poller_opts_default(opts);
	opts->skip_unchanged = 1;
	if (s == NULL || *s == '\0')
		return;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 1000) {
		log_warnx("PMSIGNALD_POLL_TIME_UNIT_MS=%s ignored: not 1..1000", s);
		return;
	}
	opts->time_unit_ms = (unsigned)v;
	log_warnx("poller: time scaled, one second is %lu ms (testing only)", v);
}

int
ingest_setup(struct daemon *d)
{
	struct poller_opts	opts;
	char			err[512];

	ingest_poller_opts(&opts);
	if ((d->poller = poller_new_opts(d->base, &d->cfg, &ingest_handler, d,
	    &opts)) == NULL)
		return -1;
	if (store_feeds_each(d->store, ingest_restore_one, d, err,
	    sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	d->counters.feeds_failing = poller_nfailing(d->poller);
	return 0;
}
