/*
 * store-delta.c: the delta log.  Seqs come from meta.last_seq inside the
 * writing transaction, so they are contiguous, never reused (retention
 * deletes rows, never the counter) and survive any crash: a transaction
 * either commits its deltas and the counter together or neither.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "store-int.h"

uint64_t
store_last_seq(const struct store *s)
{
	return s->last_seq;
}

uint64_t
store_first_seq(const struct store *s)
{
	return s->first_seq;
}

/* Bind every field of d to the insert statement. */
static int
store_delta_bind(sqlite3_stmt *st, const struct delta *d, const char *session)
{
	int rc;

	if ((rc = sqlite3_bind_int64(st, 1, (int64_t)d->seq)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 2, session)) != SQLITE_OK ||
	    (rc = store_bind_time(st, 3, d->ts)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 4, d->market)) != SQLITE_OK ||
	    (rc = sqlite3_bind_double(st, 5, d->prev)) != SQLITE_OK ||
	    (rc = sqlite3_bind_double(st, 6, d->p)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 7, delta_cause_name(d->cause))) !=
	    SQLITE_OK ||
	    (rc = store_bind_text(st, 8, d->article_id)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 9, d->article_title)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 10, d->article_url)) != SQLITE_OK ||
	    (rc = store_bind_text(st, 11, d->article_source)) != SQLITE_OK ||
	    (rc = store_bind_time(st, 12, d->article_published)) != SQLITE_OK ||
	    (rc = store_bind_time(st, 13, d->article_first_seen)) != SQLITE_OK)
		return rc;
	return store_bind_text(st, 14, d->evidence);
}

/* Read the counter as the database has it (authoritative over ours). */
static int
store_seq_read(struct store *s, uint64_t *seq, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_SEQ_GET);
	int		 rc;

	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
	store_done(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc, "append deltas: read last_seq", err,
		    errsize);
	return STORE_OK;
}

/* Inside the transaction: number, insert, advance the counter. */
static int
store_delta_insert(struct store *s, struct delta *d, size_t n, char *err,
    size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_DELTA_INSERT);
	uint64_t	 seq = 0;
	int		 rc;

	if ((rc = store_seq_read(s, &seq, err, errsize)) != STORE_OK)
		return rc;
	if (s->first_seq > seq)		/* the log is empty */
		s->first_seq = seq + 1;
	for (size_t i = 0; i < n; i++) {
		d[i].seq = seq + 1 + i;
		if ((rc = store_delta_bind(st, &d[i], s->session)) ==
		    SQLITE_OK)
			rc = sqlite3_step(st);
		store_done(st);
		if (rc != SQLITE_DONE)
			return store_fail(s, rc, "append deltas", err, errsize);
	}
	st = store_stmt(s, ST_SEQ_PUT);
	if ((rc = sqlite3_bind_int64(st, 1, (int64_t)(seq + n))) == SQLITE_OK)
		rc = sqlite3_step(st);
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "append deltas: write last_seq", err,
		    errsize);
	s->last_seq = seq + n;
	return STORE_OK;
}

/* What the schema cannot check for us. */
static int
store_delta_check(struct store *s, const struct delta *d, size_t n, char *err,
    size_t errsize)
{
	if (s->session == NULL)
		return store_errf(s, STORE_EFAIL, err, errsize, "append deltas: "
		    "no session (store_session_new() first)");
	for (size_t i = 0; i < n; i++)
		if (d[i].market == NULL)
			return store_errf(s, STORE_EFAIL, err, errsize,
			    "append deltas: delta %zu has no market", i);
	return STORE_OK;
}

int
store_append_deltas(struct store *s, struct delta *d, size_t n, char *err,
    size_t errsize)
{
	int rc;

	if (n == 0)
		return STORE_OK;
	if ((rc = store_tx_begin(s, 1, err, errsize)) == STORE_OK) {
		rc = store_delta_check(s, d, n, err, errsize);
		if (rc == STORE_OK)
			rc = store_delta_insert(s, d, n, err, errsize);
		rc = store_tx_end(s, rc, err, errsize);
	}
	if (rc != STORE_OK)
		for (size_t i = 0; i < n; i++)
			d[i].seq = 0;
	return rc;
}

static int
store_json_is_array(const char *text)
{
	cJSON	*v = cJSON_Parse(text);
	int	 ok = cJSON_IsArray(v);

	cJSON_Delete(v);
	return ok;
}

/* Point d's fields at the current row (valid until the next step). */
static int
store_delta_row(sqlite3_stmt *st, struct delta *d, const char **session)
{
	memset(d, 0, sizeof(*d));
	d->seq = (uint64_t)sqlite3_column_int64(st, 0);
	*session = (const char *)sqlite3_column_text(st, 1);
	d->ts = store_column_time(st, 2);
	d->market = (char *)sqlite3_column_text(st, 3);
	d->prev = sqlite3_column_double(st, 4);
	d->p = sqlite3_column_double(st, 5);
	d->article_id = (char *)sqlite3_column_text(st, 7);
	d->article_title = (char *)sqlite3_column_text(st, 8);
	d->article_url = (char *)sqlite3_column_text(st, 9);
	d->article_source = (char *)sqlite3_column_text(st, 10);
	d->article_published = store_column_time(st, 11);
	d->article_first_seen = store_column_time(st, 12);
	d->evidence = (char *)sqlite3_column_text(st, 13);
	/* delta_to_json() writes the evidence as it is: text that is not
	 * a JSON array (a damaged row) must not reach a subscriber. */
	if (d->evidence != NULL && !store_json_is_array(d->evidence)) {
		log_warnx("database: delta %llu: stored evidence is not a JSON "
		    "array; sent as []", (unsigned long long)d->seq);
		d->evidence = NULL;
	}
	if (sqlite3_column_type(st, 6) != SQLITE_TEXT ||
	    delta_cause_parse((const char *)sqlite3_column_text(st, 6),
	    &d->cause) == -1)
		return -1;
	return d->market != NULL && *session != NULL ? 0 : -1;
}

int
store_deltas_since(struct store *s, uint64_t since, size_t limit,
    store_delta_fn fn, void *arg, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_DELTAS_SINCE);
	struct delta	 d;
	const char	*session;
	int		 rc, n = 0;

	if (since > INT64_MAX)
		since = INT64_MAX;
	if (limit == 0 || limit > INT32_MAX)
		limit = INT32_MAX;
	if ((rc = sqlite3_bind_int64(st, 1, (int64_t)since)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int64(st, 2, (int64_t)limit)) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (store_delta_row(st, &d, &session) == -1) {
				store_done(st);
				return store_errf(s, STORE_ECORRUPT, err,
				    errsize, "delta seq %llu: bad row",
				    (unsigned long long)d.seq);
			}
			n++;
			if (fn(arg, &d, session) != 0) {
				rc = SQLITE_DONE;
				break;
			}
		}
	}
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "read deltas", err, errsize);
	return n;
}
