/*
 * store-schema.c: the database schema as a list of forward migrations, and
 * the SQL of every statement the store runs.
 *
 * A new database is created by running every migration from version 0, so
 * a fresh database and a migrated one are built by the same code.  Each
 * migration is frozen once released: to change the schema, append a step
 * and raise STORE_SCHEMA_VERSION; tests/unit/test-store.c keeps the DDL of
 * every released version and migrates a database of each.  docs/STORE.md
 * describes the current schema.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "store-int.h"

/*
 * Version 1: the first schema.  Deltas pointed at their article's row,
 * market state had its own table, the seq counter and a session counter
 * lived in meta.
 */
static const char store_v1_sql[] =
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value);"
	"INSERT INTO meta (key, value) VALUES ('last_seq', 0), ('session', 0);"
	"CREATE TABLE feeds ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  url TEXT NOT NULL,"
	"  etag TEXT,"
	"  last_modified TEXT,"
	"  last_success INTEGER,"
	"  last_error TEXT,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  next_poll INTEGER);"
	"CREATE TABLE articles ("
	"  id INTEGER PRIMARY KEY,"
	"  feed TEXT NOT NULL,"
	"  guid TEXT NOT NULL,"
	"  url TEXT,"
	"  title TEXT,"
	"  body TEXT,"
	"  published INTEGER,"
	"  first_seen INTEGER NOT NULL,"
	"  simhash INTEGER NOT NULL,"
	"  UNIQUE (feed, guid));"
	"CREATE INDEX articles_first_seen ON articles (first_seen);"
	"CREATE TABLE deltas ("
	"  seq INTEGER PRIMARY KEY,"
	"  session TEXT NOT NULL,"
	"  ts INTEGER,"
	"  market TEXT NOT NULL,"
	"  prev REAL NOT NULL,"
	"  p REAL NOT NULL,"
	"  cause TEXT NOT NULL,"
	"  article INTEGER,"
	"  evidence TEXT);"
	"CREATE TABLE market_state ("
	"  market TEXT PRIMARY KEY NOT NULL,"
	"  state TEXT NOT NULL);"
	"PRAGMA application_id = 1886221159;";

/*
 * Version 2: a delta carries its article's fields itself, so it re-encodes
 * identically after the article is pruned; link identity gets an index;
 * feeds record their backoff, entries seen and when the last error was.
 */
static const char store_v2_sql[] =
	"ALTER TABLE deltas ADD COLUMN article_id TEXT;"
	"ALTER TABLE deltas ADD COLUMN article_title TEXT;"
	"ALTER TABLE deltas ADD COLUMN article_url TEXT;"
	"ALTER TABLE deltas ADD COLUMN article_source TEXT;"
	"ALTER TABLE deltas ADD COLUMN article_published INTEGER;"
	"ALTER TABLE deltas ADD COLUMN article_first_seen INTEGER;"
	"UPDATE deltas SET (article_id, article_title, article_url,"
	"    article_source, article_published, article_first_seen) ="
	"  (SELECT guid, title, url, feed, published, first_seen"
	"   FROM articles WHERE articles.id = deltas.article)"
	"  WHERE article IS NOT NULL;"
	"ALTER TABLE deltas DROP COLUMN article;"
	"CREATE INDEX articles_feed_url ON articles (feed, url);"
	"ALTER TABLE feeds ADD COLUMN last_error_time INTEGER;"
	"ALTER TABLE feeds ADD COLUMN backoff INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN entries_seen INTEGER NOT NULL DEFAULT 0;";

/*
 * Version 3: pipeline state is opaque text per key (market state moves to
 * "market:<id>"); evidence per (article, market); sessions get a table and
 * ids unique across databases (meta db_id, made by store_v3_db_id()); a
 * partial index finds article text still to prune without scanning the
 * pruned rows.
 */
static const char store_v3_sql[] =
	"CREATE TABLE state ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL,"
	"  updated INTEGER);"
	"INSERT INTO state (key, value)"
	"  SELECT 'market:' || market, state FROM market_state;"
	"DROP TABLE market_state;"
	"CREATE TABLE evidence ("
	"  article INTEGER NOT NULL,"
	"  market TEXT NOT NULL,"
	"  evidence TEXT NOT NULL,"
	"  PRIMARY KEY (article, market));"
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  started INTEGER);"
	"INSERT INTO sessions (name, started)"
	"  SELECT session, min(ts) FROM deltas GROUP BY session ORDER BY min(seq);"
	"DELETE FROM meta WHERE key = 'session';"
	"CREATE INDEX articles_unpruned ON articles (first_seen)"
	"  WHERE body IS NOT NULL;";

/* A random database id, so session ids differ across re-created files. */
static int
store_v3_db_id(struct store *s, char *err, size_t errsize)
{
	uint64_t	id;
	char		sql[128];

	if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
		return store_errf(s, STORE_EFAIL, err, errsize,
		    "getrandom: %s", strerror(errno));
	snprintf(sql, sizeof(sql), "INSERT INTO meta (key, value) "
	    "VALUES ('db_id', '%016" PRIx64 "');", id);
	return store_exec(s, sql, "migrate to version 3", err, errsize);
}

struct store_migration {
	const char	*sql;
	int		(*fn)(struct store *, char *, size_t);
};

/* store_migrations[v] takes a database from version v to v + 1. */
static const struct store_migration store_migrations[STORE_SCHEMA_VERSION] = {
	{ store_v1_sql, NULL },
	{ store_v2_sql, NULL },
	{ store_v3_sql, store_v3_db_id },
};

/*
 * Run the migrations from version `from` to the current one and set
 * user_version, all in one exclusive transaction: a failure (or a crash)
 * leaves the database exactly as it was.
 */
int
store_schema_migrate(struct store *s, int from, char *err, size_t errsize)
{
	char	sql[64];
	int	rc;

	if ((rc = store_exec(s, "BEGIN EXCLUSIVE", "migrate", err,
	    errsize)) != STORE_OK)
		return rc;
	for (int v = from; v < STORE_SCHEMA_VERSION && rc == STORE_OK; v++) {
		rc = store_exec(s, store_migrations[v].sql, "migrate", err,
		    errsize);
		if (rc == STORE_OK && store_migrations[v].fn != NULL)
			rc = store_migrations[v].fn(s, err, errsize);
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    STORE_SCHEMA_VERSION);
	if (rc == STORE_OK)
		rc = store_exec(s, sql, "migrate", err, errsize);
	if (rc == STORE_OK)
		rc = store_exec(s, "COMMIT", "migrate", err, errsize);
	if (rc != STORE_OK && !sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

#define DELTA_COLUMNS \
	"seq, session, ts, market, prev, p, cause, article_id, " \
	"article_title, article_url, article_source, article_published, " \
	"article_first_seen, evidence"
#define FEED_COLUMNS \
	"name, url, etag, last_modified, last_success, last_error_time, " \
	"last_error, failures, next_poll, backoff, entries_seen"

const char *const store_stmt_sql[ST_COUNT] = {
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_META_PUT] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[ST_SEQ_GET] = "SELECT value FROM meta WHERE key = 'last_seq'",
	[ST_SEQ_PUT] = "UPDATE meta SET value = ?1 WHERE key = 'last_seq'",
	[ST_FIRST_SEQ] = "SELECT min(seq) FROM deltas",
	[ST_DELTA_INSERT] = "INSERT INTO deltas (" DELTA_COLUMNS ") VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[ST_DELTAS_SINCE] = "SELECT " DELTA_COLUMNS " FROM deltas "
	    "WHERE seq > ?1 ORDER BY seq LIMIT ?2",
	[ST_SESSION_NEXT] = "SELECT coalesce(max(id), 0) + 1, "
	    "(SELECT value FROM meta WHERE key = 'db_id') FROM sessions",
	[ST_SESSION_INSERT] = "INSERT INTO sessions (id, name, started) "
	    "VALUES (?1, ?2, ?3)",
	[ST_SEEN_GUID] = "SELECT 1 FROM articles WHERE feed = ?1 AND guid = ?2",
	[ST_SEEN_URL] = "SELECT 1 FROM articles WHERE feed = ?1 AND url = ?2 "
	    "LIMIT 1",
	[ST_ARTICLE_INSERT] = "INSERT INTO articles (feed, guid, url, title, "
	    "body, published, first_seen, simhash) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT (feed, guid) DO NOTHING",
	[ST_ARTICLE_ID] = "SELECT id FROM articles WHERE feed = ?1 AND guid = ?2",
	[ST_EVIDENCE_PUT] = "INSERT INTO evidence (article, market, evidence) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (article, market) "
	    "DO UPDATE SET evidence = excluded.evidence",
	[ST_EVIDENCE_GET] = "SELECT evidence FROM evidence "
	    "WHERE article = ?1 AND market = ?2",
	[ST_SIMHASHES] = "SELECT simhash, first_seen, id FROM articles "
	    "WHERE first_seen >= ?1 ORDER BY first_seen, id",
	[ST_ARTICLES_RANGE] = "SELECT id, feed, guid, url, title, body, "
	    "published, first_seen FROM articles "
	    "WHERE first_seen >= ?1 AND first_seen < ?2 ORDER BY first_seen, id",
	[ST_FEED_GET] = "SELECT " FEED_COLUMNS " FROM feeds WHERE name = ?1",
	[ST_FEEDS_ALL] = "SELECT " FEED_COLUMNS " FROM feeds ORDER BY name",
	[ST_FEED_PUT] = "INSERT INTO feeds (" FEED_COLUMNS ") VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
	    "ON CONFLICT (name) DO UPDATE SET url = excluded.url, "
	    "etag = excluded.etag, last_modified = excluded.last_modified, "
	    "last_success = excluded.last_success, "
	    "last_error_time = excluded.last_error_time, "
	    "last_error = excluded.last_error, failures = excluded.failures, "
	    "next_poll = excluded.next_poll, backoff = excluded.backoff, "
	    "entries_seen = excluded.entries_seen",
	[ST_STATE_GET] = "SELECT value FROM state WHERE key = ?1",
	[ST_STATE_PUT] = "INSERT INTO state (key, value, updated) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE SET "
	    "value = excluded.value, updated = excluded.updated",
	[ST_STATE_DELETE] = "DELETE FROM state WHERE key = ?1",
	[ST_STATE_ALL] = "SELECT key, value FROM state "
	    "WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key",
	[ST_PRUNE_DELTAS_SCAN] = "SELECT seq, ts FROM deltas ORDER BY seq "
	    "LIMIT ?1",
	[ST_PRUNE_DELTAS] = "DELETE FROM deltas WHERE seq <= ?1",
	[ST_PRUNE_TEXT_SCAN] = "SELECT id FROM articles "
	    "WHERE body IS NOT NULL AND first_seen < ?1 "
	    "ORDER BY first_seen LIMIT ?2",
	[ST_PRUNE_TEXT] = "UPDATE articles SET body = NULL WHERE id = ?1",
	[ST_PRUNE_EVIDENCE] = "DELETE FROM evidence WHERE article = ?1",
	[ST_PRUNE_ARTICLES_SCAN] = "SELECT id FROM articles "
	    "WHERE first_seen < ?1 ORDER BY first_seen LIMIT ?2",
	[ST_PRUNE_ARTICLE] = "DELETE FROM articles WHERE id = ?1",
};
