/*
 * store.h: pmsignald's sqlite database (WAL mode): feeds and their poll
 * state, articles with their SimHash, evidence, the global delta log,
 * pipeline state and metadata.  docs/STORE.md has the schema, the
 * durability argument, retention and the error model.
 *
 * Store-then-publish: a delta gets its seq from the database and is on
 * disk (fsync'd, synchronous=FULL) before store_append_deltas() or
 * store_commit() returns; only then may the daemon show it to anyone.
 *
 * Conventions: every fallible function returns STORE_OK (0), a documented
 * positive value, or a negative STORE_E* code with one line in err ("PATH:
 * what: why"; err may be NULL).  A failed write changes nothing, the handle
 * stays usable, and the same call succeeds once the cause (disk full, I/O
 * error, lock) is gone.  Times are epoch seconds; PM_TIME_NONE is stored as
 * NULL.  One process writes a database (the daemon); others may read it.
 */
#ifndef PM_STORE_H
#define PM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "article.h"
#include "delta.h"

#define STORE_SCHEMA_VERSION	3		/* PRAGMA user_version */
#define STORE_APPLICATION_ID	0x706d7367	/* PRAGMA application_id, "pmsg" */

/* Return codes (negative), see store_strerror(). */
#define STORE_OK	  0
#define STORE_EFAIL	(-1)	/* anything else: misuse, constraint, bug */
#define STORE_ENOMEM	(-2)	/* out of memory */
#define STORE_EFULL	(-3)	/* disk, quota or size limit full */
#define STORE_EIO	(-4)	/* I/O error reading or writing */
#define STORE_EBUSY	(-5)	/* locked by another process */
#define STORE_ECORRUPT	(-6)	/* not an sqlite database, or damaged */
#define STORE_EREADONLY	(-7)	/* cannot write: permissions, read-only fs */
#define STORE_ENEWER	(-8)	/* schema of a newer pmsignald */
#define STORE_EFOREIGN	(-9)	/* an sqlite database, but not pmsignald's */
#define STORE_ECANTOPEN	(-10)	/* missing file, directory, no access */

/* store_open() flags. */
#define STORE_RDONLY	0x1	/* never write (export); needs a current schema */
#define STORE_NOCREATE	0x2	/* the file must already exist */
#define STORE_CHECK	0x4	/* PRAGMA quick_check at open: reads every page */

struct store;

/*
 * Open (creating if needed) the database at path, migrate an older schema
 * forward in one transaction, and prepare every statement.  A newer schema,
 * a foreign or corrupt file, or a file that cannot be written (unless
 * STORE_RDONLY) is refused here with a clear message, never later.
 */
int		 store_open(const char *path, int flags, struct store **out,
		    char *err, size_t errsize);
void		 store_close(struct store *);
const char	*store_path(const struct store *);
const char	*store_strerror(int code);

/*
 * Batches: everything between store_begin() and store_commit() is one
 * transaction, committed durably (fsync) by store_commit().  Calls made
 * outside a batch are each their own transaction.  If a call inside a
 * batch fails, the whole batch is rolled back at once: later calls in it
 * return the same error without doing anything, and store_commit() returns
 * it too and ends the batch.  After a failed batch the seq fields of its
 * deltas mean nothing (nothing was stored).  store_rollback() abandons a
 * batch.  Batches do not nest.
 */
int		 store_begin(struct store *, char *err, size_t errsize);
int		 store_commit(struct store *, char *err, size_t errsize);
void		 store_rollback(struct store *);

/*
 * A run of reads as one transaction: lookups outside a transaction take
 * and drop sqlite's file locks each time (several fcntl() calls), which
 * for the identity check of every entry of a polled document cost more
 * than the lookups.  store_read_end() ends it; a write transaction
 * (store_begin(), or any call that writes) ends it first.  Inside a
 * batch both do nothing.
 */
int		 store_read_begin(struct store *, char *err, size_t errsize);
void		 store_read_end(struct store *);

/*
 * Start a new session: a fresh id ("<database id>-<n>", unique even across
 * re-created databases) recorded with its start time.  The daemon calls it
 * once per start; deltas appended afterwards carry it.
 */
int		 store_session_new(struct store *, int64_t now, char *err,
		    size_t errsize);
const char	*store_session(const struct store *);	/* NULL before */

/*
 * Append n deltas: assign d[i].seq = last_seq + 1 + i from the database
 * and store them with the current session.  Outside a batch the deltas are
 * durable when this returns STORE_OK; inside a batch, when store_commit()
 * does.  On error d[i].seq is reset to 0.  Seqs are strictly increasing,
 * contiguous and never reused, across restarts and retention.
 */
int		 store_append_deltas(struct store *, struct delta *d, size_t n,
		    char *err, size_t errsize);
/*
 * The last seq ever stored (0: none yet).  These two are kept by the
 * writing handle; a read-only handle has the values of its open.
 */
uint64_t	 store_last_seq(const struct store *);
/*
 * The oldest seq still stored, or store_last_seq() + 1 when none is: a
 * client resuming after seq S can be replayed without a gap iff
 * S + 1 >= store_first_seq().
 */
uint64_t	 store_first_seq(const struct store *);

/*
 * Call fn for each stored delta with seq > since, in seq order, at most
 * limit of them (0: no limit), with the session it was published in, so
 * delta_to_json(d, session) re-creates the line byte for byte.  d is valid
 * only during the call.  fn returns nonzero to stop.  Returns the number
 * of deltas passed to fn, or an error.
 */
typedef int	(*store_delta_fn)(void *arg, const struct delta *d,
		    const char *session);
int		 store_deltas_since(struct store *, uint64_t since, size_t limit,
		    store_delta_fn fn, void *arg, char *err, size_t errsize);

/*
 * Article identity is (feed, guid), and (feed, link) when link is not NULL
 * or empty: returns 1 if such an article is stored (even with its text
 * pruned), 0 if not.
 */
int		 store_article_seen(struct store *, const char *feed,
		    const char *guid, const char *link, char *err, size_t errsize);
/*
 * Store a->source as feed, a->id as guid, with a's url, title, text (the
 * body), published, first_seen (required) and its SimHash.  Returns 0 when
 * stored, 1 when (feed, guid) was already stored (nothing changes); *rowid
 * (may be NULL) gets the article's row id either way.
 */
int		 store_add_article(struct store *, const struct article *a,
		    uint64_t simhash, int64_t *rowid, char *err, size_t errsize);
/* Record the evidence (JSON text) an article gave one market. */
int		 store_add_evidence(struct store *, int64_t article,
		    const char *market, const char *json, char *err,
		    size_t errsize);
/* The evidence of (article, market): 1 and malloc'd *json, or 0. */
int		 store_get_evidence(struct store *, int64_t article,
		    const char *market, char **json, char *err, size_t errsize);
/*
 * SimHashes of the articles first seen at or after since, oldest first:
 * what the near-duplicate window needs after a restart.  fn returns
 * nonzero to stop.  Returns the number passed to fn, or an error.
 */
typedef int	(*store_simhash_fn)(void *arg, uint64_t simhash,
		    int64_t first_seen, int64_t article);
int		 store_simhashes_since(struct store *, int64_t since,
		    store_simhash_fn fn, void *arg, char *err, size_t errsize);
/*
 * Articles first seen in [since, until) (PM_TIME_NONE: unbounded), in
 * first_seen order (then storage order).  a->text is NULL when retention
 * pruned it; a->credibility is 0 (it belongs to the config); a is valid
 * only during the call.  fn returns nonzero to stop.  Returns the number
 * passed to fn, or an error.
 */
typedef int	(*store_article_fn)(void *arg, const struct article *a,
		    int64_t rowid);
int		 store_articles_each(struct store *, int64_t since,
		    int64_t until, store_article_fn fn, void *arg, char *err,
		    size_t errsize);

/* One feed's poll state and health, kept across restarts. */
struct store_feed {
	char	*name;
	char	*url;
	char	*etag;			/* validators for conditional GET */
	char	*last_modified;
	int64_t	 last_success;		/* PM_TIME_NONE: never */
	int64_t	 last_error_time;	/* PM_TIME_NONE: never */
	char	*last_error;		/* NULL: none */
	int64_t	 failures;		/* consecutive */
	int64_t	 next_poll;		/* PM_TIME_NONE: as soon as possible */
	int64_t	 backoff;		/* current backoff, seconds */
	int64_t	 entries_seen;		/* entries parsed, all time */
};

/* Returns 1 and fills *f (strings malloc'd), or 0 (f zeroed, times NONE). */
int		 store_feed_get(struct store *, const char *name,
		    struct store_feed *f, char *err, size_t errsize);
int		 store_feed_put(struct store *, const struct store_feed *f,
		    char *err, size_t errsize);
void		 store_feed_free(struct store_feed *);
typedef int	(*store_feed_fn)(void *arg, const struct store_feed *f);
int		 store_feeds_each(struct store *, store_feed_fn fn, void *arg,
		    char *err, size_t errsize);

/*
 * Pipeline state: an opaque text (the pipeline's own JSON) per key, e.g.
 * "market:<id>".  get returns 1 and malloc'd *value, or 0.
 */
int		 store_state_get(struct store *, const char *key, char **value,
		    char *err, size_t errsize);
int		 store_state_put(struct store *, const char *key,
		    const char *value, int64_t now, char *err, size_t errsize);
int		 store_state_delete(struct store *, const char *key, char *err,
		    size_t errsize);
/* Each key starting with prefix ("" for all), in key order. */
typedef int	(*store_state_fn)(void *arg, const char *key, const char *value);
int		 store_state_each(struct store *, const char *prefix,
		    store_state_fn fn, void *arg, char *err, size_t errsize);

/*
 * Metadata: small text values.  The keys "last_seq", "db_id" and "created"
 * belong to the store: put refuses them.  get returns 1 or 0.
 */
int		 store_meta_get(struct store *, const char *key, char **value,
		    char *err, size_t errsize);
int		 store_meta_put(struct store *, const char *key,
		    const char *value, char *err, size_t errsize);

/*
 * Retention, in bounded steps: change at most max_rows rows in one short
 * transaction, oldest first: deltas older than delta_days (a prefix of the
 * log, so stored seqs stay contiguous), then whole articles older than
 * both article_days and delta_days, then the text (body and evidence) of
 * articles older than article_days, whose identity row stays.  Returns the
 * number of rows changed: max_rows means "more left, call again", less
 * means done for now.  Not inside a batch.
 */
int		 store_prune(struct store *, int64_t now, int64_t article_days,
		    int64_t delta_days, int max_rows, char *err, size_t errsize);

/*
 * Cap the database file at about max_bytes (0: no cap); writes past it
 * fail with STORE_EFULL like a full disk.
 */
int		 store_set_max_bytes(struct store *, int64_t max_bytes,
		    char *err, size_t errsize);
/* PRAGMA quick_check (or integrity_check when full): STORE_ECORRUPT if bad. */
int		 store_check(struct store *, int full, char *err, size_t errsize);

#endif
