/*
 * store-prune.c: retention in small steps.  The daemon calls store_prune()
 * from a timer; each call changes at most max_rows rows in one short
 * transaction (synchronous=NORMAL: a step lost to a power cut is simply
 * done again), so no step holds the event loop or the write lock for more
 * than a few milliseconds.  Every scan walks an index from its oldest end,
 * so a step costs the same however much has already been pruned.
 */
#include <stdlib.h>

#include "store-int.h"

#define DAY	86400

/*
 * Delete the oldest deltas older than cutoff (a NULL ts counts as old),
 * stopping at the first young one: only a prefix of the log goes, so the
 * seqs that stay are contiguous.  *first gets the new oldest seq.
 */
static int
store_prune_deltas(struct store *s, int64_t cutoff, int budget, int *n,
    uint64_t *first, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_PRUNE_DELTAS_SCAN);
	int64_t		 upto = 0;
	int		 rc, count = 0;

	if ((rc = sqlite3_bind_int(st, 1, budget)) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
			    sqlite3_column_int64(st, 1) >= cutoff)
				break;
			upto = sqlite3_column_int64(st, 0);
			count++;
		}
	}
	store_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, rc, "prune deltas", err, errsize);
	if (count == 0)
		return STORE_OK;
	st = store_stmt(s, ST_PRUNE_DELTAS);
	if ((rc = sqlite3_bind_int64(st, 1, upto)) == SQLITE_OK)
		rc = sqlite3_step(st);
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "prune deltas", err, errsize);
	*first = (uint64_t)upto + 1;
	*n += count;
	return STORE_OK;
}

/* Collect up to budget article ids from a scan statement (cutoff, limit). */
static int
store_prune_scan(struct store *s, enum store_stmt_id id, int64_t cutoff,
    int budget, int64_t *ids, int *nids, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, id);
	int		 rc;

	*nids = 0;
	if ((rc = sqlite3_bind_int64(st, 1, cutoff)) == SQLITE_OK &&
	    (rc = sqlite3_bind_int(st, 2, budget)) == SQLITE_OK)
		while (*nids < budget && (rc = sqlite3_step(st)) == SQLITE_ROW)
			ids[(*nids)++] = sqlite3_column_int64(st, 0);
	store_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, rc, "prune articles", err, errsize);
	return STORE_OK;
}

/* Run a one-parameter (article id) write statement. */
static int
store_prune_one(struct store *s, enum store_stmt_id id, int64_t article,
    char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, id);
	int		 rc;

	if ((rc = sqlite3_bind_int64(st, 1, article)) == SQLITE_OK)
		rc = sqlite3_step(st);
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, "prune articles", err, errsize);
	return STORE_OK;
}

/*
 * For the oldest articles found by scan: drop their evidence, then either
 * their text (ST_PRUNE_TEXT) or the whole row (ST_PRUNE_ARTICLE).
 */
static int
store_prune_articles(struct store *s, enum store_stmt_id scan,
    enum store_stmt_id action, int64_t cutoff, int budget, int *n, char *err,
    size_t errsize)
{
	int64_t	*ids;
	int	 nids, rc;

	if (budget <= 0)
		return STORE_OK;
	if ((ids = calloc((size_t)budget, sizeof(*ids))) == NULL)
		return store_errf(s, STORE_ENOMEM, err, errsize,
		    "prune articles: out of memory");
	rc = store_prune_scan(s, scan, cutoff, budget, ids, &nids, err,
	    errsize);
	for (int i = 0; i < nids && rc == STORE_OK; i++) {
		rc = store_prune_one(s, ST_PRUNE_EVIDENCE, ids[i], err,
		    errsize);
		if (rc == STORE_OK)
			rc = store_prune_one(s, action, ids[i], err, errsize);
	}
	free(ids);
	if (rc == STORE_OK)
		*n += nids;
	return rc;
}

int
store_prune(struct store *s, int64_t now, int64_t article_days,
    int64_t delta_days, int max_rows, char *err, size_t errsize)
{
	int64_t		text_cutoff = now - article_days * DAY;
	int64_t		delta_cutoff = now - delta_days * DAY;
	int64_t		row_cutoff = text_cutoff < delta_cutoff ? text_cutoff :
			    delta_cutoff;
	uint64_t	first = s->first_seq;
	int		rc, n = 0;

	if (s->in_batch)
		return store_errf(s, STORE_EFAIL, err, errsize,
		    "prune: not inside a batch");
	if (max_rows <= 0 || article_days < 0 || delta_days < 0)
		return store_errf(s, STORE_EFAIL, err, errsize,
		    "prune: bad limits");
	if ((rc = store_tx_begin(s, 0, err, errsize)) != STORE_OK)
		return rc;
	rc = store_prune_deltas(s, delta_cutoff, max_rows, &n, &first, err,
	    errsize);
	if (rc == STORE_OK)
		rc = store_prune_articles(s, ST_PRUNE_ARTICLES_SCAN,
		    ST_PRUNE_ARTICLE, row_cutoff, max_rows - n, &n, err,
		    errsize);
	if (rc == STORE_OK)
		rc = store_prune_articles(s, ST_PRUNE_TEXT_SCAN, ST_PRUNE_TEXT,
		    text_cutoff, max_rows - n, &n, err, errsize);
	if ((rc = store_tx_end(s, rc, err, errsize)) != STORE_OK)
		return rc;
	s->first_seq = first;
	return n;
}
