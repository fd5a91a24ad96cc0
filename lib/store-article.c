/*
 * store-article.c: articles (identity, text, SimHash) and their evidence.
 * An article's identity is (feed, guid), also (feed, link): the row stays
 * after retention prunes its text, so a feed that still lists an old item
 * never brings it back as new.
 */
#include <stdlib.h>

#include "date.h"
#include "store-int.h"

/* Run a "SELECT 1 ..." with two text parameters: 1 if a row, 0 if none. */
static int
store_exists(struct store *s, enum store_stmt_id id, const char *a,
    const char *b, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, id);
	int		 rc;

	if ((rc = store_bind_text(st, 1, a)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 2, b)) == SQLITE_OK)
		rc = sqlite3_step(st);
	store_done(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_fail(s, rc, "look up article", err, errsize);
}

int
store_article_seen(struct store *s, const char *feed, const char *guid,
    const char *link, char *err, size_t errsize)
{
	int rc = 0;

	if (feed == NULL)
		return store_errf(s, STORE_EFAIL, err, errsize,
		    "look up article: no feed");
	if (guid != NULL && guid[0] != '\0')
		rc = store_exists(s, ST_SEEN_GUID, feed, guid, err, errsize);
	if (rc == 0 && link != NULL && link[0] != '\0')
		rc = store_exists(s, ST_SEEN_URL, feed, link, err, errsize);
	return rc;
}

/* The row id of (feed, guid); 0 if there is none. */
static int
store_article_id(struct store *s, const char *feed, const char *guid,
    int64_t *rowid, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_ARTICLE_ID);
	int		 rc;

	*rowid = 0;
	if ((rc = store_bind_text(st, 1, feed)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 2, guid)) == SQLITE_OK &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW)
		*rowid = sqlite3_column_int64(st, 0);
	store_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, rc, "look up article", err, errsize);
	return STORE_OK;
}

/* Insert a; 0 inserted, 1 already there. */
static int
store_article_insert(struct store *s, const struct article *a,
    uint64_t simhash, int64_t *rowid, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_ARTICLE_INSERT);
	int		 rc;

	if ((rc = store_bind_text(st, 1, a->source)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 2, a->id)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 3, a->url)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 4, a->title)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 5, a->text)) == SQLITE_OK &&
	    (rc = store_bind_time(st, 6, a->published)) == SQLITE_OK &&
	    (rc = store_bind_time(st, 7, a->first_seen)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int64(st, 8, (int64_t)simhash)) == SQLITE_OK)
		rc = sqlite3_step(st);
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "add article", err, errsize);
	if (sqlite3_changes(s->db) == 1) {
		*rowid = sqlite3_last_insert_rowid(s->db);
		return 0;
	}
	if ((rc = store_article_id(s, a->source, a->id, rowid, err,
	    errsize)) != STORE_OK)
		return rc;
	return 1;
}

int
store_add_article(struct store *s, const struct article *a, uint64_t simhash,
    int64_t *rowid, char *err, size_t errsize)
{
	int64_t	id = 0;
	int	rc, dup;

	if ((rc = store_tx_begin(s, 0, err, errsize)) != STORE_OK)
		return rc;
	if (a->source == NULL || a->id == NULL || a->first_seen == PM_TIME_NONE)
		rc = store_errf(s, STORE_EFAIL, err, errsize, "add article: "
		    "source, id and first_seen are required");
	else
		rc = store_article_insert(s, a, simhash, &id, err, errsize);
	dup = rc == 1;
	if ((rc = store_tx_end(s, dup ? STORE_OK : rc, err, errsize)) !=
	    STORE_OK)
		return rc;
	if (rowid != NULL)
		*rowid = id;
	return dup;
}

int
store_add_evidence(struct store *s, int64_t article, const char *market,
    const char *json, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_EVIDENCE_PUT);
	int		 rc;

	if ((rc = store_tx_begin(s, 0, err, errsize)) != STORE_OK)
		return rc;
	if (market == NULL || json == NULL)
		return store_tx_end(s, store_errf(s, STORE_EFAIL, err, errsize,
		    "add evidence: market and evidence are required"), err,
		    errsize);
	if ((rc = sqlite3_bind_int64(st, 1, article)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 2, market)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 3, json)) == SQLITE_OK)
		rc = sqlite3_step(st);
	store_done(st);
	rc = rc == SQLITE_DONE ? STORE_OK :
	    store_fail(s, rc, "add evidence", err, errsize);
	return store_tx_end(s, rc, err, errsize);
}

int
store_get_evidence(struct store *s, int64_t article, const char *market,
    char **json, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_EVIDENCE_GET);
	int		 rc, found = 0;

	*json = NULL;
	if ((rc = sqlite3_bind_int64(st, 1, article)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 2, market)) == SQLITE_OK &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = 1;
		rc = store_column_dup(st, 0, json) == -1 ? SQLITE_NOMEM :
		    SQLITE_DONE;
	}
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "read evidence", err, errsize);
	return found;
}

int
store_simhashes_since(struct store *s, int64_t since, store_simhash_fn fn,
    void *arg, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_SIMHASHES);
	int		 rc, n = 0;

	if ((rc = sqlite3_bind_int64(st, 1, since == PM_TIME_NONE ? INT64_MIN :
	    since)) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			n++;
			if (fn(arg, (uint64_t)sqlite3_column_int64(st, 0),
			    sqlite3_column_int64(st, 1),
			    sqlite3_column_int64(st, 2)) != 0) {
				rc = SQLITE_DONE;
				break;
			}
		}
	}
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "read SimHashes", err, errsize);
	return n;
}

/* Point a's fields at the current row (valid until the next step). */
static void
store_article_row(sqlite3_stmt *st, struct article *a)
{
	a->source = (char *)sqlite3_column_text(st, 1);
	a->id = (char *)sqlite3_column_text(st, 2);
	a->url = (char *)sqlite3_column_text(st, 3);
	a->title = (char *)sqlite3_column_text(st, 4);
	a->text = (char *)sqlite3_column_text(st, 5);
	a->published = store_column_time(st, 6);
	a->first_seen = store_column_time(st, 7);
	a->credibility = 0;
}

int
store_articles_each(struct store *s, int64_t since, int64_t until,
    store_article_fn fn, void *arg, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_ARTICLES_RANGE);
	struct article	 a;
	int		 rc, n = 0;

	if ((rc = sqlite3_bind_int64(st, 1, since == PM_TIME_NONE ? INT64_MIN :
	    since)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int64(st, 2, until == PM_TIME_NONE ? INT64_MAX :
	    until)) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			store_article_row(st, &a);
			n++;
			if (fn(arg, &a, sqlite3_column_int64(st, 0)) != 0) {
				rc = SQLITE_DONE;
				break;
			}
		}
	}
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "read articles", err, errsize);
	return n;
}
