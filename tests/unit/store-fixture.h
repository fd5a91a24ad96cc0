/*
 * store-fixture.h: what the store's test programs share: temporary
 * directories, raw sqlite access to inspect a file behind the store's back,
 * and sample articles and deltas.
 */
#ifndef PM_STORE_FIXTURE_H
#define PM_STORE_FIXTURE_H

#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "date.h"
#include "store.h"
#include "unit.h"

#define FX_T0	1763510400	/* 2025-11-19T00:00:00Z */

/* A fresh temporary directory (malloc'd path). */
static inline char *
fx_tmpdir(void)
{
	char *dir = strdup("/tmp/pmsignal-store.XXXXXX");

	ck_assert_ptr_nonnull(dir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static inline char *
fx_path(const char *dir, const char *name)
{
	char *p;

	ck_assert_int_ne(asprintf(&p, "%s/%s", dir, name), -1);
	return p;
}

static inline int
fx_rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Remove a temporary directory and everything in it, then free dir. */
static inline void
fx_rmdir(char *dir)
{
	(void)nftw(dir, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* store_open() that must succeed. */
static inline struct store *
fx_open(const char *path)
{
	struct store	*s;
	char		 err[512];
	int		 rc = store_open(path, 0, &s, err, sizeof(err));

	ck_assert_msg(rc == STORE_OK, "store_open: %d %s", rc, err);
	return s;
}

/* Run SQL on the file with a connection of our own; must succeed. */
static inline void
fx_sql(const char *path, const char *sql)
{
	sqlite3	*db;
	char	*msg = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
	    "%s: %s", sql, msg != NULL ? msg : "?");
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
}

/* Run the SQL in a file (relative to the repository root). */
static inline void
fx_sql_file(const char *path, const char *file)
{
	char	*sql = NULL;
	size_t	 size = 0;
	FILE	*fp, *mem;
	int	 c;

	ck_assert_msg((fp = fopen(file, "r")) != NULL, "%s: cannot open", file);
	ck_assert_ptr_nonnull(mem = open_memstream(&sql, &size));
	while ((c = getc(fp)) != EOF)
		putc(c, mem);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(fclose(mem), 0);
	fx_sql(path, sql);
	free(sql);
}

/* The first column of the first row of a query, as an integer. */
static inline int64_t
fx_sql_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 v;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	return v;
}

/* A sample article with its own storage. */
struct fx_article {
	struct article	a;
	char		id[32], title[64], url[64], text[4096];
};

static inline void
fx_article(struct fx_article *f, const char *feed, int i, int64_t first_seen,
    size_t textlen)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "guid-%d", i);
	snprintf(f->title, sizeof(f->title), "Talks \"resume\" in round %d", i);
	snprintf(f->url, sizeof(f->url), "https://news.example/%s/%d", feed, i);
	if (textlen >= sizeof(f->text))
		textlen = sizeof(f->text) - 1;
	for (size_t k = 0; k < textlen; k++)
		f->text[k] = "Envoys met again on Tuesday; no deal yet. "[k % 42];
	f->a.id = f->id;
	f->a.source = (char *)feed;
	f->a.title = f->title;
	f->a.url = f->url;
	f->a.text = f->text;
	f->a.published = i % 3 == 0 ? PM_TIME_NONE : first_seen - 60;
	f->a.first_seen = first_seen;
	f->a.credibility = 1;
}

/* A sample delta; every third one is a decay delta without an article. */
static inline void
fx_delta(struct delta *d, int i, int64_t ts)
{
	static char market[4][24] = { "ceasefire-2025", "dmz-agreed",
	    "call-held", "sanctions-eased" };

	memset(d, 0, sizeof(*d));
	d->ts = ts;
	d->market = market[i % 4];
	d->prev = 0.1 + (i % 7) * 0.01;
	d->p = d->prev + 0.0123456789 * (i % 5 - 2);
	d->cause = i % 3 == 2 ? DELTA_DECAY : DELTA_ARTICLE;
	d->article_published = d->article_first_seen = PM_TIME_NONE;
	if (d->cause == DELTA_ARTICLE) {
		d->article_id = "guid-x";
		d->article_title = "Envoys \"agree\" to meet — again";
		d->article_url = "https://news.example/x";
		d->article_source = "wire";
		d->article_published = i % 2 ? PM_TIME_NONE : ts - 600;
		d->article_first_seen = ts;
		d->evidence = i % 4 == 0 ? NULL :
		    "[{\"rule\":\"talks\",\"span\":[3,9],\"weight\":0.4}]";
	}
}

static inline int
fx_contiguous_one(void *arg, const struct delta *d, const char *session)
{
	uint64_t *next = arg;

	(void)session;
	ck_assert_uint_eq(d->seq, *next);
	(*next)++;
	return 0;
}

/*
 * Check that the stored seqs run first_seq, first_seq + 1, ... last_seq
 * without a hole; return how many there are.
 */
static inline uint64_t
fx_check_contiguous(struct store *s)
{
	uint64_t	next = store_first_seq(s);
	char		err[512];
	int		n;

	n = store_deltas_since(s, 0, 0, fx_contiguous_one, &next, err,
	    sizeof(err));
	ck_assert_msg(n >= 0, "deltas_since: %s", err);
	ck_assert_uint_eq(next, store_last_seq(s) + 1);
	return (uint64_t)n;
}

#endif
