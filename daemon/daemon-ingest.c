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
 * Is this entry new?  1 yes, 0 seen (stored, or held in memory until the
 * store takes it), -1 store error.
 */
static int
ingest_is_new(struct daemon *d, const char *feed, const struct feed_entry *e)
{
	char	err[512];
	int	r;

	if (pending_holds(d, feed, e->id, e->link))
		return 0;
	r = store_article_seen(d->store, feed, e->id, e->link, err, sizeof(err));
	if (r < 0) {
		log_warnx("store: %s", err);
		return -1;
	}
	return r == 0;
}

/* Score and store one new entry; the article borrows the entry's strings. */
static int
ingest_entry(struct daemon *d, const struct config_feed *fc,
    const struct feed_entry *e, int64_t now)
{
	struct article a;

	memset(&a, 0, sizeof(a));
	a.id = e->id;
	a.source = fc->name;
	a.title = e->title_text != NULL ? e->title_text : e->title;
	a.url = e->link;
	a.text = e->text;
	a.published = e->published;
	a.first_seen = now;
	a.credibility = fc->credibility;
	return publish_article(d, &a, now);
}

/*
 * Feed entries come newest first by convention; take them oldest first so
 * the stored order reads like the news did.
 */
static int
ingest_feed(struct daemon *d, const struct config_feed *fc,
    const struct feed *f, int64_t now, size_t *fresh)
{
	*fresh = 0;
	for (size_t i = f->nentries; i-- > 0;) {
		const struct feed_entry *e = &f->entries[i];
		int r;

		if (e->id == NULL || e->id[0] == '\0')
			continue;
		if ((r = ingest_is_new(d, fc->name, e)) == -1)
			return -1;
		if (r == 0)
			continue;
		if (ingest_entry(d, fc, e, now) == -1)
			return -1;
		(*fresh)++;
	}
	return 0;
}

/*
 * A document as one batch.  When an entry fails (out of memory, the store
 * cannot be read), the entries scored so far are still committed, so the
 * pipeline state and what is stored never part; the poll counts as
 * failed, keeps no validators, and the rest comes with the next one.
 */
int
ingest_document(struct daemon *d, const char *name, const char *body,
    size_t len, const char *content_type, const char *effective_url,
    int64_t now, char *err, size_t errsize)
{
	const struct config_feed	*fc = ingest_feed_config(d, name);
	struct feed			 f;
	char				 perr[256];
	size_t				 fresh = 0;
	int				 n, rc;

	if (fc == NULL) {
		snprintf(err, errsize, "feed no longer configured");
		return -1;
	}
	if (d->paused) {
		snprintf(err, errsize, "not taken: %zu bytes wait in memory for "
		    "the database (retention.max_unpersisted)",
		    d->pending_bytes);
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
	if (publish_begin(d) == -1) {
		snprintf(err, errsize, "out of memory");
		feed_free(&f);
		return -1;
	}
	rc = ingest_feed(d, fc, &f, now, &fresh);
	n = f.nentries > (size_t)INT32_MAX ? INT32_MAX : (int)f.nentries;
	feed_free(&f);
	publish_commit(d);
	if (rc == -1) {
		snprintf(err, errsize, "cannot take its articles (%zu taken)",
		    fresh);
		return -1;
	}
	if (fresh > 0)
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

/* The feeds_failing gauge: feeds whose last poll failed. */
static void
ingest_count_failing(struct daemon *d)
{
	size_t n = poller_status(d->poller, NULL, 0), failing = 0;

	if (n > d->nfeed_states) {
		struct poller_feed_state *v = realloc(d->feed_states,
		    n * sizeof(*v));

		if (v == NULL)
			return;
		d->feed_states = v;
		d->nfeed_states = n;
	}
	n = poller_status(d->poller, d->feed_states, n);
	for (size_t i = 0; i < n; i++)
		failing += d->feed_states[i].consecutive_failures > 0;
	d->counters.feeds_failing = failing;
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
	d->counters.polls++;
	ingest_count_failing(d);
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
	return 0;
}
