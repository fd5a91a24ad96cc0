/*
 * store-feed.c: what survives a restart besides articles and deltas: each
 * feed's poll state and health, and the pipeline's state as opaque text
 * per key.
 */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "store-int.h"

void
store_feed_free(struct store_feed *f)
{
	free(f->name);
	free(f->url);
	free(f->etag);
	free(f->last_modified);
	free(f->last_error);
	memset(f, 0, sizeof(*f));
}

/* An empty feed state: no strings, every time unknown. */
static void
store_feed_init(struct store_feed *f)
{
	memset(f, 0, sizeof(*f));
	f->last_success = f->last_error_time = f->next_poll = PM_TIME_NONE;
}

/* Copy the current row into f (malloc'd strings); -1 out of memory. */
static int
store_feed_row(sqlite3_stmt *st, struct store_feed *f)
{
	store_feed_init(f);
	if (store_column_dup(st, 0, &f->name) == -1 ||
	    store_column_dup(st, 1, &f->url) == -1 ||
	    store_column_dup(st, 2, &f->etag) == -1 ||
	    store_column_dup(st, 3, &f->last_modified) == -1 ||
	    store_column_dup(st, 6, &f->last_error) == -1) {
		store_feed_free(f);
		return -1;
	}
	f->last_success = store_column_time(st, 4);
	f->last_error_time = store_column_time(st, 5);
	f->failures = sqlite3_column_int64(st, 7);
	f->next_poll = store_column_time(st, 8);
	f->backoff = sqlite3_column_int64(st, 9);
	f->entries_seen = sqlite3_column_int64(st, 10);
	return 0;
}

int
store_feed_get(struct store *s, const char *name, struct store_feed *f,
    char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_FEED_GET);
	int		 rc, found = 0;

	store_feed_init(f);
	if ((rc = store_bind_text(st, 1, name)) == SQLITE_OK &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = 1;
		rc = store_feed_row(st, f) == -1 ? SQLITE_NOMEM : SQLITE_DONE;
	}
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "read feed", err, errsize);
	return found;
}

int
store_feeds_each(struct store *s, store_feed_fn fn, void *arg, char *err,
    size_t errsize)
{
	sqlite3_stmt		*st = store_stmt(s, ST_FEEDS_ALL);
	struct store_feed	 f;
	int			 rc, stop;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (store_feed_row(st, &f) == -1) {
			rc = SQLITE_NOMEM;
			break;
		}
		stop = fn(arg, &f);
		store_feed_free(&f);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "read feeds", err, errsize);
	return STORE_OK;
}

static int
store_feed_bind(sqlite3_stmt *st, const struct store_feed *f)
{
	int rc;

	if ((rc = store_bind_text(st, 1, f->name)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 2, f->url)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 3, f->etag)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 4, f->last_modified)) != SQLITE_OK ||
	    (rc = store_bind_time(st, 5, f->last_success)) != SQLITE_OK ||
	    (rc = store_bind_time(st, 6, f->last_error_time)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 7, f->last_error)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 8, f->failures)) != SQLITE_OK ||
	    (rc = store_bind_time(st, 9, f->next_poll)) != SQLITE_OK ||
	    (rc = sqlite3_bind_int64(st, 10, f->backoff)) != SQLITE_OK)
		return rc;
	return sqlite3_bind_int64(st, 11, f->entries_seen);
}

int
store_feed_put(struct store *s, const struct store_feed *f, char *err,
    size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_FEED_PUT);
	int		 rc;

	if ((rc = store_tx_begin(s, 0, err, errsize)) != STORE_OK)
		return rc;
	if (f->name == NULL || f->url == NULL)
		return store_tx_end(s, store_errf(s, STORE_EFAIL, err, errsize,
		    "write feed: name and url are required"), err, errsize);
	if ((rc = store_feed_bind(st, f)) == SQLITE_OK)
		rc = sqlite3_step(st);
	store_done(st);
	rc = rc == SQLITE_DONE ? STORE_OK :
	    store_fail(s, rc, "write feed", err, errsize);
	return store_tx_end(s, rc, err, errsize);
}

int
store_state_get(struct store *s, const char *key, char **value, char *err,
    size_t errsize)
{
	return store_get_text(s, ST_STATE_GET, key, value, "read state", err,
	    errsize);
}

/* One write to the state table (put or delete) in its own transaction. */
static int
store_state_write(struct store *s, enum store_stmt_id id, const char *key,
    const char *value, int64_t now, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, id);
	int		 rc;

	if ((rc = store_tx_begin(s, 0, err, errsize)) != STORE_OK)
		return rc;
	if (key == NULL || (id == ST_STATE_PUT && value == NULL))
		return store_tx_end(s, store_errf(s, STORE_EFAIL, err, errsize,
		    "write state: key and value are required"), err, errsize);
	rc = store_bind_text(st, 1, key);
	if (rc == SQLITE_OK && id == ST_STATE_PUT &&
	    (rc = store_bind_text(st, 2, value)) == SQLITE_OK)
		rc = store_bind_time(st, 3, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	store_done(st);
	rc = rc == SQLITE_DONE ? STORE_OK :
	    store_fail(s, rc, "write state", err, errsize);
	return store_tx_end(s, rc, err, errsize);
}

int
store_state_put(struct store *s, const char *key, const char *value,
    int64_t now, char *err, size_t errsize)
{
	return store_state_write(s, ST_STATE_PUT, key, value, now, err,
	    errsize);
}

int
store_state_delete(struct store *s, const char *key, char *err,
    size_t errsize)
{
	return store_state_write(s, ST_STATE_DELETE, key, NULL, PM_TIME_NONE,
	    err, errsize);
}

int
store_state_each(struct store *s, const char *prefix, store_state_fn fn,
    void *arg, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_STATE_ALL);
	int		 rc;

	if ((rc = store_bind_text(st, 1, prefix != NULL ? prefix : "")) ==
	    SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (fn(arg, (const char *)sqlite3_column_text(st, 0),
			    (const char *)sqlite3_column_text(st, 1)) != 0) {
				rc = SQLITE_DONE;
				break;
			}
	}
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "read state", err, errsize);
	return STORE_OK;
}
