/*
 * store-int.h: what the store's files share and nobody else sees: the
 * handle, its prepared statements, transactions and error reporting.
 */
#ifndef PM_STORE_INT_H
#define PM_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

/* Every statement the store runs, prepared once at open. */
enum store_stmt_id {
	ST_META_GET,
	ST_META_PUT,
	ST_SEQ_GET,
	ST_SEQ_PUT,
	ST_FIRST_SEQ,
	ST_DELTA_INSERT,
	ST_DELTAS_SINCE,
	ST_SESSION_NEXT,
	ST_SESSION_INSERT,
	ST_SEEN_GUID,
	ST_SEEN_URL,
	ST_ARTICLE_INSERT,
	ST_ARTICLE_ID,
	ST_EVIDENCE_PUT,
	ST_EVIDENCE_GET,
	ST_SIMHASHES,
	ST_ARTICLES_RANGE,
	ST_FEED_GET,
	ST_FEEDS_ALL,
	ST_FEED_PUT,
	ST_STATE_GET,
	ST_STATE_PUT,
	ST_STATE_DELETE,
	ST_STATE_ALL,
	ST_PRUNE_DELTAS_SCAN,
	ST_PRUNE_DELTAS,
	ST_PRUNE_TEXT_SCAN,
	ST_PRUNE_TEXT,
	ST_PRUNE_EVIDENCE,
	ST_PRUNE_ARTICLES_SCAN,
	ST_PRUNE_ARTICLE,
	ST_COUNT
};

struct store_ckpt;

/* WAL pages that call for a checkpoint (store-checkpoint.c). */
#define STORE_CHECKPOINT_PAGES	256

struct store {
	sqlite3		*db;
	char		*path;
	int		 flags;
	sqlite3_stmt	*stmt[ST_COUNT];
	uint64_t	 last_seq;	/* mirrors meta.last_seq */
	uint64_t	 first_seq;	/* min(deltas.seq), or last_seq + 1 */
	char		*session;	/* current session id, or NULL */
	int		 sync_full;	/* PRAGMA synchronous is FULL now */

	/* The open transaction, if any. */
	int		 in_tx;		/* BEGIN done, COMMIT/ROLLBACK not yet */
	int		 in_batch;	/* ... and it is the caller's batch */
	int		 in_read;	/* store_read_begin(): BEGIN, reads only */
	int		 batch_err;	/* first error inside the batch, or 0 */
	uint64_t	 tx_last_seq;	/* last_seq when the transaction began */

	struct store_ckpt *ckpt;	/* checkpoint thread, or NULL */
};

/*
 * store-checkpoint.c: checkpoint the WAL on a helper thread of a writing
 * handle (start: nothing changes if it cannot), and stop it before close.
 */
void	store_ckpt_start(struct store *);
void	store_ckpt_stop(struct store *);

/* The SQL of each statement (store-schema.c). */
extern const char *const store_stmt_sql[ST_COUNT];

/* store-schema.c: bring a database at version from up to date. */
int	store_schema_migrate(struct store *, int from, char *err,
	    size_t errsize);

/* A prepared statement, reset and with cleared bindings. */
sqlite3_stmt *store_stmt(struct store *, enum store_stmt_id);
/* Reset a statement after use, so it holds no read lock. */
void	store_done(sqlite3_stmt *);

/*
 * Turn the sqlite result rc of doing "what" into a STORE_E* code with a
 * message "PATH: what: sqlite's message (errno text)".  Does not roll back.
 */
int	store_fail(struct store *, int rc, const char *what, char *err,
	    size_t errsize);
/* Write "PATH: message" into err and return code. */
int	store_errf(const struct store *, int code, char *err, size_t errsize,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Run SQL text without results; a failure goes through store_fail(). */
int	store_exec(struct store *, const char *sql, const char *what,
	    char *err, size_t errsize);

/*
 * Write transactions.  store_tx_begin() opens one (durable: fsync at
 * commit) unless a batch is open; store_tx_end() commits it when code is
 * STORE_OK, else rolls back (the whole batch, if one is open) and restores
 * last_seq.  It returns the final code.
 */
int	store_tx_begin(struct store *, int durable, char *err, size_t errsize);
int	store_tx_end(struct store *, int code, char *err, size_t errsize);

/*
 * Run a one-key lookup statement whose first column is text: 1 and a
 * malloc'd *value, or 0 when there is no row.
 */
int	store_get_text(struct store *, enum store_stmt_id, const char *key,
	    char **value, const char *what, char *err, size_t errsize);

/* Bind text (NULL binds NULL) and times (PM_TIME_NONE binds NULL). */
int	store_bind_text(sqlite3_stmt *, int col, const char *s);
int	store_bind_time(sqlite3_stmt *, int col, int64_t t);
/* Read a time (NULL reads PM_TIME_NONE). */
int64_t	store_column_time(sqlite3_stmt *, int col);
/* strdup() a text column into *out (NULL stays NULL); -1 out of memory. */
int	store_column_dup(sqlite3_stmt *, int col, char **out);

#endif
