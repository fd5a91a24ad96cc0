/*
 * test-store.c: the database's schema and migrations from every released
 * version, the delta log (contiguous seqs across reopen, replay, byte-exact
 * round trip through delta_to_json), article identity, batches, feed and
 * pipeline state, metadata, sessions and retention.  Failures of the file
 * and the disk are in test-store-faults.c.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "store-fixture.h"

/*
 * A description of the schema a file has: every table's columns (name,
 * type, not null, default, key) and every index's columns and condition,
 * so two files built differently can be compared.
 */
static char *
schema_signature(const char *path)
{
	static const char q[] =
	    "SELECT m.type || ' ' || m.name || ': ' || coalesce(("
	    "  SELECT group_concat(c.name || ' ' || c.type || ' ' || c.\"notnull\""
	    "    || ' ' || coalesce(c.dflt_value, '-') || ' ' || c.pk, ', ')"
	    "  FROM pragma_table_info(m.name) c), '') || ' / ' || coalesce(("
	    "  SELECT group_concat(i.name, ',') FROM pragma_index_info(m.name) i),"
	    "  '') || ' / ' || (m.type = 'index' AND m.sql LIKE '% WHERE %')"
	    " FROM sqlite_master m WHERE m.name NOT LIKE 'sqlite_%'"
	    " ORDER BY m.type, m.name";
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*sig = strdup(""), *next;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ck_assert_int_ne(asprintf(&next, "%s%s\n", sig,
		    sqlite3_column_text(st, 0)), -1);
		free(sig);
		sig = next;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return sig;
}

/* Collects replayed deltas as protocol lines. */
struct lines {
	char	*line[64];
	char	 session[64][64];
	int	 n;
};

static int
collect_line(void *arg, const struct delta *d, const char *session)
{
	struct lines *l = arg;

	ck_assert_int_lt(l->n, 64);
	l->line[l->n] = delta_to_json(d, session);
	ck_assert_ptr_nonnull(l->line[l->n]);
	snprintf(l->session[l->n], sizeof(l->session[0]), "%s", session);
	l->n++;
	return 0;
}

static void
lines_free(struct lines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->line[i]);
	l->n = 0;
}

START_TEST(fresh_schema)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s = fx_open(path);
	char		*v, err[512];

	ck_assert_uint_eq(store_last_seq(s), 0);
	ck_assert_uint_eq(store_first_seq(s), 1);
	ck_assert_ptr_null(store_session(s));
	ck_assert_int_eq(store_meta_get(s, "db_id", &v, err, sizeof(err)), 1);
	ck_assert_uint_eq(strlen(v), 16);
	ck_assert_uint_eq(strspn(v, "0123456789abcdef"), 16);
	free(v);
	store_close(s);
	ck_assert_int_eq(fx_sql_int(path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	ck_assert_int_eq(fx_sql_int(path, "PRAGMA application_id"),
	    STORE_APPLICATION_ID);
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name IN ('meta', 'feeds', 'articles', "
	    "'evidence', 'deltas', 'state', 'sessions')"), 7);
	ck_assert_int_eq(fx_sql_int(path, "SELECT journal_mode = 'wal' FROM "
	    "pragma_journal_mode"), 1);
	/* Reopening a current database changes nothing. */
	s = fx_open(path);
	store_close(s);
	ck_assert_int_eq(fx_sql_int(path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/*
 * Build a database of a released version from the DDL of every version up
 * to it, frozen in tests/data/store/ as released (independent of
 * lib/store-schema.c), and rows that version's daemon would have written.
 */
static char *
old_database(const char *dir, int version)
{
	char *path = fx_path(dir, version == 1 ? "v1.db" : "v2.db");

	fx_sql_file(path, "tests/data/store/v1-schema.sql");
	if (version == 1) {
		fx_sql_file(path, "tests/data/store/v1-rows.sql");
		return path;
	}
	fx_sql_file(path, "tests/data/store/v2-schema.sql");
	fx_sql_file(path, "tests/data/store/v2-rows.sql");
	return path;
}

/* A migrated file has exactly the schema of a new one. */
static void
assert_schema_current(const char *dir, const char *path)
{
	char		*fresh = fx_path(dir, "fresh.db");
	struct store	*s = fx_open(fresh);
	char		*want, *got;

	store_close(s);
	want = schema_signature(fresh);
	got = schema_signature(path);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(fx_sql_int(path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	ck_assert_int_eq(fx_sql_int(path, "SELECT integrity_check = 'ok' "
	    "FROM pragma_integrity_check"), 1);
	free(want);
	free(got);
	free(fresh);
}

START_TEST(migrate_from_v1)
{
	char			*dir = fx_tmpdir(), *path = old_database(dir, 1);
	struct store		*s = fx_open(path);
	struct lines		 l = { .n = 0 };
	struct store_feed	 f;
	struct delta		 d;
	char			 err[512], *v;

	/* Deltas carry their article's fields now, byte-exact on the wire. */
	ck_assert_uint_eq(store_last_seq(s), 3);
	ck_assert_uint_eq(store_first_seq(s), 1);
	ck_assert_int_eq(store_deltas_since(s, 0, 0, collect_line, &l, err,
	    sizeof(err)), 3);
	ck_assert_str_eq(l.line[0], "{\"type\":\"delta\",\"seq\":1,"
	    "\"session\":\"s1\",\"ts\":\"2025-11-18T10:00:00Z\","
	    "\"market\":\"ceasefire-2025\",\"p\":0.15,\"prev\":0.1,"
	    "\"delta\":0.05,\"cause\":\"article\",\"article\":{\"id\":\"g-1\","
	    "\"title\":\"Envoys meet in Geneva\","
	    "\"url\":\"https://wire.example/1\",\"source\":\"wire\","
	    "\"published\":\"2025-11-18T07:13:20Z\","
	    "\"first_seen\":\"2025-11-18T10:00:00Z\"},"
	    "\"evidence\":[{\"rule\":\"talks\",\"weight\":0.4}]}");
	ck_assert_ptr_nonnull(strstr(l.line[1], "\"cause\":\"decay\","
	    "\"article\":null,\"evidence\":[]}"));
	ck_assert_ptr_nonnull(strstr(l.line[2], "\"session\":\"s2\""));
	ck_assert_ptr_nonnull(strstr(l.line[2], "\"published\":null"));
	lines_free(&l);

	/* Market state became pipeline state; feeds gained their columns. */
	ck_assert_int_eq(store_state_get(s, "market:ceasefire-2025", &v, err,
	    sizeof(err)), 1);
	ck_assert_str_eq(v, "{\"p\":0.149}");
	free(v);
	ck_assert_int_eq(store_feed_get(s, "slow", &f, err, sizeof(err)), 1);
	ck_assert_int_eq(f.failures, 3);
	ck_assert_str_eq(f.last_error, "timeout after 30 s");
	ck_assert_int_eq(f.backoff, 0);
	ck_assert_int_eq(f.entries_seen, 0);
	ck_assert_int_eq(f.last_error_time, PM_TIME_NONE);
	ck_assert_int_eq(f.last_success, PM_TIME_NONE);
	store_feed_free(&f);
	ck_assert_int_eq(store_feed_get(s, "wire", &f, err, sizeof(err)), 1);
	ck_assert_str_eq(f.etag, "\"e1\"");
	ck_assert_int_eq(f.next_poll, 1763460300);
	store_feed_free(&f);

	/* Articles are still known, by guid and by link. */
	ck_assert_int_eq(store_article_seen(s, "wire", "g-1", NULL, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(store_article_seen(s, "wire", "other",
	    "https://wire.example/2", err, sizeof(err)), 1);

	/* The log goes on where it was; the old sessions are recorded. */
	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(store_session(s), "-3"));
	fx_delta(&d, 0, FX_T0);
	ck_assert_int_eq(store_append_deltas(s, &d, 1, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.seq, 4);
	ck_assert_uint_eq(fx_check_contiguous(s), 4);
	store_close(s);
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(*) FROM meta "
	    "WHERE key = 'session'"), 0);
	ck_assert_int_eq(fx_sql_int(path, "SELECT started FROM sessions "
	    "WHERE name = 's1'"), 1763460000);
	assert_schema_current(dir, path);
	free(path);
	fx_rmdir(dir);
}
END_TEST

START_TEST(migrate_from_v2)
{
	char			*dir = fx_tmpdir(), *path = old_database(dir, 2);
	struct store		*s = fx_open(path);
	struct lines		 l = { .n = 0 };
	struct store_feed	 f;
	char			 err[512], *v;

	ck_assert_uint_eq(store_last_seq(s), 10);
	ck_assert_uint_eq(store_first_seq(s), 10);
	ck_assert_int_eq(store_deltas_since(s, 9, 0, collect_line, &l, err,
	    sizeof(err)), 1);
	ck_assert_ptr_nonnull(strstr(l.line[0], "\"seq\":10,\"session\":\"s4\""));
	ck_assert_ptr_nonnull(strstr(l.line[0], "\"article\":{\"id\":\"g-7\","
	    "\"title\":\"Zone agreed\""));
	lines_free(&l);
	ck_assert_int_eq(store_state_get(s, "market:dmz-agreed", &v, err,
	    sizeof(err)), 1);
	ck_assert_str_eq(v, "{\"p\":0.31}");
	free(v);
	ck_assert_int_eq(store_feed_get(s, "wire", &f, err, sizeof(err)), 1);
	ck_assert_int_eq(f.backoff, 600);
	ck_assert_int_eq(f.entries_seen, 41);
	ck_assert_int_eq(f.last_error_time, 1763465000);
	ck_assert_str_eq(f.last_error, "HTTP 503");
	ck_assert_ptr_null(f.last_modified);
	store_feed_free(&f);
	ck_assert_int_eq(store_article_seen(s, "wire", "g-7", NULL, err,
	    sizeof(err)), 1);
	store_close(s);
	assert_schema_current(dir, path);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/* A failed migration leaves the old database exactly as it was. */
START_TEST(migration_failure_changes_nothing)
{
	char		*dir = fx_tmpdir(), *path = old_database(dir, 1);
	struct store	*s;
	char		 err[512];

	/* A v1 file that already has a "state" table cannot take v3's. */
	fx_sql(path, "CREATE TABLE state (x)");
	ck_assert_int_eq(store_open(path, 0, &s, err, sizeof(err)), STORE_EFAIL);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(err, "migrate"));
	ck_assert_int_eq(fx_sql_int(path, "PRAGMA user_version"), 1);
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(*) FROM pragma_table_info"
	    "('deltas') WHERE name = 'article'"), 1);
	free(path);
	fx_rmdir(dir);
}
END_TEST

START_TEST(newer_and_foreign_refused)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	char		*other = fx_path(dir, "other.db");
	struct store	*s = fx_open(path);
	char		 err[512];

	store_close(s);
	fx_sql(path, "PRAGMA user_version = 4");
	ck_assert_int_eq(store_open(path, 0, &s, err, sizeof(err)), STORE_ENEWER);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(strchr(err, ':'), ": schema version 4 is newer than "
	    "this pmsignald supports (3): run a newer pmsignald, or another "
	    "database");
	ck_assert_int_eq(fx_sql_int(path, "PRAGMA user_version"), 4);

	fx_sql(other, "CREATE TABLE notes (x)");
	ck_assert_int_eq(store_open(other, 0, &s, err, sizeof(err)),
	    STORE_EFOREIGN);
	ck_assert_ptr_nonnull(strstr(err, "not a pmsignald one"));
	fx_sql(other, "PRAGMA user_version = 2");
	ck_assert_int_eq(store_open(other, 0, &s, err, sizeof(err)),
	    STORE_EFOREIGN);
	ck_assert_ptr_nonnull(strstr(err, "application_id 0"));
	free(other);
	free(path);
	fx_rmdir(dir);
}
END_TEST

START_TEST(seq_contiguous_across_reopen)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s;
	struct delta	 d[7];
	char		 err[512], first[64];
	uint64_t	 want = 0;

	for (int round = 0; round < 4; round++) {
		s = fx_open(path);
		ck_assert_uint_eq(store_last_seq(s), want);
		ck_assert_int_eq(store_session_new(s, FX_T0 + round, err,
		    sizeof(err)), 0);
		if (round == 0)
			snprintf(first, sizeof(first), "%s", store_session(s));
		else
			ck_assert_str_ne(store_session(s), first);
		for (int k = 1; k <= 3; k++) {
			size_t n = (size_t)(round + k) % 7 + 1;

			for (size_t i = 0; i < n; i++)
				fx_delta(&d[i], (int)i, FX_T0 + round * 60);
			ck_assert_int_eq(store_append_deltas(s, d, n, err,
			    sizeof(err)), 0);
			for (size_t i = 0; i < n; i++)
				ck_assert_uint_eq(d[i].seq, want + 1 + i);
			want += n;
		}
		/* A refused append uses no seq. */
		fx_delta(&d[0], 0, FX_T0);
		d[0].market = NULL;
		ck_assert_int_eq(store_append_deltas(s, d, 1, err, sizeof(err)),
		    STORE_EFAIL);
		ck_assert_uint_eq(d[0].seq, 0);
		ck_assert_uint_eq(store_last_seq(s), want);
		ck_assert_uint_eq(fx_check_contiguous(s), want);
		store_close(s);
	}
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(DISTINCT session) "
	    "FROM deltas"), 4);
	free(path);
	fx_rmdir(dir);
}
END_TEST

struct since {
	uint64_t	seqs[32];
	int		n, stop_after;
};

static int
collect_seq(void *arg, const struct delta *d, const char *session)
{
	struct since *c = arg;

	(void)session;
	c->seqs[c->n++] = d->seq;
	return c->stop_after != 0 && c->n >= c->stop_after;
}

START_TEST(replay_since)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s = fx_open(path);
	struct delta	 d[20];
	struct since	 c = { .n = 0 };
	char		 err[512];

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	for (int i = 0; i < 20; i++)
		fx_delta(&d[i], i, FX_T0 + i);
	ck_assert_int_eq(store_append_deltas(s, d, 20, err, sizeof(err)), 0);
	ck_assert_int_eq(store_deltas_since(s, 15, 0, collect_seq, &c, err,
	    sizeof(err)), 5);
	ck_assert_uint_eq(c.seqs[0], 16);
	ck_assert_uint_eq(c.seqs[4], 20);
	c.n = 0;
	ck_assert_int_eq(store_deltas_since(s, 3, 4, collect_seq, &c, err,
	    sizeof(err)), 4);
	ck_assert_uint_eq(c.seqs[0], 4);
	ck_assert_uint_eq(c.seqs[3], 7);
	c.n = 0;
	c.stop_after = 2;
	ck_assert_int_eq(store_deltas_since(s, 0, 0, collect_seq, &c, err,
	    sizeof(err)), 2);
	c.n = c.stop_after = 0;
	ck_assert_int_eq(store_deltas_since(s, 20, 0, collect_seq, &c, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_deltas_since(s, UINT64_MAX, 0, collect_seq, &c,
	    err, sizeof(err)), 0);
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/* Every delta re-encodes byte for byte, before and after a reopen. */
START_TEST(delta_roundtrip)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s = fx_open(path);
	struct delta	 d[24];
	struct lines	 l = { .n = 0 };
	char		*want[24], err[512], session[64];

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	snprintf(session, sizeof(session), "%s", store_session(s));
	for (int i = 0; i < 24; i++)
		fx_delta(&d[i], i, FX_T0 + i * 3600);
	d[5].cause = DELTA_OPEN;
	d[8].cause = DELTA_CLOSE;
	d[9].ts = PM_TIME_NONE;
	d[10].p = 1.0 / 3.0;
	d[10].prev = 2.0 / 3.0;
	d[11].article_title = NULL;
	d[12].evidence = "[{\"rule\":\"r\",\"text\":\"na\\u00efve \\\"q\\\"\"}]";
	ck_assert_int_eq(store_append_deltas(s, d, 24, err, sizeof(err)), 0);
	for (int i = 0; i < 24; i++)
		ck_assert_ptr_nonnull(want[i] = delta_to_json(&d[i], session));
	for (int pass = 0; pass < 2; pass++) {
		ck_assert_int_eq(store_deltas_since(s, 0, 0, collect_line, &l,
		    err, sizeof(err)), 24);
		for (int i = 0; i < 24; i++) {
			ck_assert_str_eq(l.line[i], want[i]);
			ck_assert_str_eq(l.session[i], session);
		}
		lines_free(&l);
		store_close(s);
		s = fx_open(path);
	}
	store_close(s);
	for (int i = 0; i < 24; i++)
		free(want[i]);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/*
 * Evidence is written into the delta line as stored: a damaged row (text
 * that is not a JSON array) is replayed with "evidence":[], never as
 * broken JSON on a subscriber's socket.
 */
START_TEST(damaged_evidence_replayed_empty)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "e.db");
	struct store	*s = fx_open(path);
	struct delta	 d[3];
	struct lines	 l = { .n = 0 };
	sqlite3		*db;
	cJSON		*o;
	char		 err[512];

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++)
		fx_delta(&d[i], i, FX_T0 + i * 60);
	ck_assert_int_eq(store_append_deltas(s, d, 3, err, sizeof(err)), 0);
	store_close(s);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE deltas SET evidence = "
	    "'[{\"rule\":' WHERE seq = 2; UPDATE deltas SET evidence = "
	    "'{\"a\":1}' WHERE seq = 3", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = fx_open(path);
	ck_assert_int_eq(store_deltas_since(s, 0, 0, collect_line, &l, err,
	    sizeof(err)), 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(o = cJSON_Parse(l.line[i]));
		ck_assert(cJSON_IsArray(cJSON_GetObjectItem(o, "evidence")));
		if (i > 0)
			ck_assert_ptr_nonnull(strstr(l.line[i],
			    "\"evidence\":[]"));
		cJSON_Delete(o);
	}
	lines_free(&l);
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

struct hashes {
	uint64_t	h[8];
	int64_t		t[8];
	int		n;
};

static int
collect_hash(void *arg, uint64_t simhash, int64_t first_seen, int64_t article)
{
	struct hashes *c = arg;

	ck_assert_int_gt(article, 0);
	c->h[c->n] = simhash;
	c->t[c->n++] = first_seen;
	return 0;
}

/*
 * Reads as one transaction: lookups inside it see the database, a second
 * connection can still write while it is open (WAL), a batch ends it
 * first, and after it ends the file is not left locked.
 */
START_TEST(read_transaction)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "r.db");
	struct store		*s = fx_open(path), *w;
	struct fx_article	 a, b;
	char			 err[512];

	fx_article(&a, "wire", 1, FX_T0, 100);
	fx_article(&b, "wire", 2, FX_T0 + 1, 100);
	ck_assert_int_eq(store_add_article(s, &a.a, 1, NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_read_begin(s, err, sizeof(err)), STORE_OK);
	ck_assert_int_eq(store_read_begin(s, err, sizeof(err)), STORE_OK);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-1", NULL, err,
	    sizeof(err)), 1);
	/* Another writer is not blocked by the reads. */
	w = fx_open(path);
	ck_assert_int_eq(store_add_article(w, &b.a, 2, NULL, err,
	    sizeof(err)), 0);
	store_close(w);
	/* A batch ends the reads first and commits. */
	ck_assert_int_eq(store_begin(s, err, sizeof(err)), STORE_OK);
	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_commit(s, err, sizeof(err)), STORE_OK);
	ck_assert_int_eq(store_read_begin(s, err, sizeof(err)), STORE_OK);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-2", NULL, err,
	    sizeof(err)), 1);
	store_read_end(s);
	store_read_end(s);
	/* Nothing left locked: another connection writes at once. */
	w = fx_open(path);
	fx_article(&b, "wire", 3, FX_T0 + 2, 100);
	ck_assert_int_eq(store_add_article(w, &b.a, 3, NULL, err,
	    sizeof(err)), 0);
	store_close(w);
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

START_TEST(article_identity)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store		*s = fx_open(path);
	struct fx_article	 a, b;
	struct hashes		 c = { .n = 0 };
	int64_t			 id1, id2;
	char			 err[512], *ev;

	fx_article(&a, "wire", 1, FX_T0, 300);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-1", a.url, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_add_article(s, &a.a, 0xfedcba9876543210ULL,
	    &id1, err, sizeof(err)), 0);
	ck_assert_int_gt(id1, 0);
	/* The same (feed, guid) again: reported, not duplicated. */
	ck_assert_int_eq(store_add_article(s, &a.a, 1, &id2, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(id2, id1);
	fx_article(&b, "wire", 2, FX_T0 + 10, 10);
	ck_assert_int_eq(store_add_article(s, &b.a, 7, NULL, err, sizeof(err)),
	    0);
	ck_assert_int_eq(store_add_evidence(s, id1, "ceasefire-2025",
	    "[{\"rule\":\"talks\"}]", err, sizeof(err)), 0);
	store_close(s);

	s = fx_open(path);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-1", NULL, err,
	    sizeof(err)), 1);
	/* A new guid for a known link is the same article. */
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-new", a.url, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-new", "", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_article_seen(s, "other", "guid-1", a.url, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_get_evidence(s, id1, "ceasefire-2025", &ev, err,
	    sizeof(err)), 1);
	ck_assert_str_eq(ev, "[{\"rule\":\"talks\"}]");
	free(ev);
	ck_assert_int_eq(store_get_evidence(s, id1, "dmz-agreed", &ev, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_simhashes_since(s, FX_T0, collect_hash, &c, err,
	    sizeof(err)), 2);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(c.h[0], 0xfedcba9876543210ULL);
	ck_assert_int_eq(c.t[0], FX_T0);
	ck_assert_uint_eq(c.h[1], 7);
	c.n = 0;
	ck_assert_int_eq(store_simhashes_since(s, FX_T0 + 1, collect_hash, &c,
	    err, sizeof(err)), 1);
	ck_assert_int_eq(c.n, 1);
	/* Required fields. */
	b.a.first_seen = PM_TIME_NONE;
	ck_assert_int_eq(store_add_article(s, &b.a, 0, NULL, err, sizeof(err)),
	    STORE_EFAIL);
	ck_assert_ptr_nonnull(strstr(err, "first_seen"));
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

struct arts {
	char	ids[8][32];
	int	pruned[8];
	int	n;
};

static int
collect_article(void *arg, const struct article *a, int64_t rowid)
{
	struct arts *c = arg;

	ck_assert_int_gt(rowid, 0);
	snprintf(c->ids[c->n], sizeof(c->ids[0]), "%s", a->id);
	c->pruned[c->n++] = a->text == NULL;
	return 0;
}

START_TEST(articles_in_first_seen_order)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store		*s = fx_open(path);
	struct fx_article	 a;
	struct arts		 c = { .n = 0 };
	static const int	 order[] = { 3, 1, 4, 0, 2 };
	char			 err[512];

	for (int i = 0; i < 5; i++) {
		fx_article(&a, "wire", order[i], FX_T0 + order[i] * 100, 50);
		ck_assert_int_eq(store_add_article(s, &a.a, 0, NULL, err,
		    sizeof(err)), 0);
	}
	ck_assert_int_eq(store_articles_each(s, PM_TIME_NONE, PM_TIME_NONE,
	    collect_article, &c, err, sizeof(err)), 5);
	for (int i = 0; i < 5; i++) {
		char want[32];

		snprintf(want, sizeof(want), "guid-%d", i);
		ck_assert_str_eq(c.ids[i], want);
	}
	c.n = 0;
	ck_assert_int_eq(store_articles_each(s, FX_T0 + 100, FX_T0 + 300,
	    collect_article, &c, err, sizeof(err)), 2);
	ck_assert_str_eq(c.ids[0], "guid-1");
	ck_assert_str_eq(c.ids[1], "guid-2");
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

START_TEST(batch_commit_and_rollback)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store		*s = fx_open(path);
	struct fx_article	 a;
	struct delta		 d[3];
	char			 err[512], *v;

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_begin(s, err, sizeof(err)), 0);
	ck_assert_int_eq(store_begin(s, err, sizeof(err)), STORE_EFAIL);
	for (int i = 0; i < 3; i++) {
		fx_article(&a, "wire", i, FX_T0 + i, 100);
		ck_assert_int_eq(store_add_article(s, &a.a, (uint64_t)i, NULL,
		    err, sizeof(err)), 0);
		fx_delta(&d[i], 0, FX_T0 + i);
	}
	ck_assert_int_eq(store_append_deltas(s, d, 3, err, sizeof(err)), 0);
	ck_assert_int_eq(store_state_put(s, "model", "{\"v\":1}", FX_T0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_commit(s, err, sizeof(err)), 0);
	ck_assert_int_eq(store_commit(s, err, sizeof(err)), STORE_EFAIL);
	ck_assert_uint_eq(store_last_seq(s), 3);

	/* Rolled back: neither the article, the deltas nor the seqs stay. */
	ck_assert_int_eq(store_begin(s, err, sizeof(err)), 0);
	fx_article(&a, "wire", 9, FX_T0 + 9, 100);
	ck_assert_int_eq(store_add_article(s, &a.a, 9, NULL, err, sizeof(err)),
	    0);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-9", NULL, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(store_append_deltas(s, d, 2, err, sizeof(err)), 0);
	ck_assert_uint_eq(store_last_seq(s), 5);
	ck_assert_int_eq(store_state_put(s, "model", "{\"v\":2}", FX_T0, err,
	    sizeof(err)), 0);
	store_rollback(s);
	ck_assert_uint_eq(store_last_seq(s), 3);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-9", NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_state_get(s, "model", &v, err, sizeof(err)), 1);
	ck_assert_str_eq(v, "{\"v\":1}");
	free(v);
	ck_assert_int_eq(store_append_deltas(s, d, 1, err, sizeof(err)), 0);
	ck_assert_uint_eq(d[0].seq, 4);
	store_close(s);

	s = fx_open(path);
	ck_assert_uint_eq(fx_check_contiguous(s), 4);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-2", NULL, err,
	    sizeof(err)), 1);
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/* One failing call spoils its whole batch; the next batch is fine. */
START_TEST(batch_failure_spoils_batch)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store		*s = fx_open(path);
	struct fx_article	 a;
	struct delta		 d[2];
	char			 err[512];

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_begin(s, err, sizeof(err)), 0);
	fx_article(&a, "wire", 1, FX_T0, 100);
	ck_assert_int_eq(store_add_article(s, &a.a, 1, NULL, err, sizeof(err)),
	    0);
	fx_delta(&d[0], 0, FX_T0);
	ck_assert_int_eq(store_append_deltas(s, d, 1, err, sizeof(err)), 0);
	fx_delta(&d[1], 1, FX_T0);
	d[1].market = NULL;
	ck_assert_int_eq(store_append_deltas(s, &d[1], 1, err, sizeof(err)),
	    STORE_EFAIL);
	ck_assert_uint_eq(store_last_seq(s), 0);
	fx_article(&a, "wire", 2, FX_T0, 100);
	ck_assert_int_eq(store_add_article(s, &a.a, 1, NULL, err, sizeof(err)),
	    STORE_EFAIL);
	ck_assert_ptr_nonnull(strstr(err, "batch already failed"));
	ck_assert_int_eq(store_commit(s, err, sizeof(err)), STORE_EFAIL);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-1", NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_begin(s, err, sizeof(err)), 0);
	ck_assert_int_eq(store_append_deltas(s, d, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(store_commit(s, err, sizeof(err)), 0);
	ck_assert_uint_eq(d[0].seq, 1);
	ck_assert_uint_eq(fx_check_contiguous(s), 1);
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

static int
count_feed(void *arg, const struct store_feed *f)
{
	int *n = arg;

	ck_assert_ptr_nonnull(f->name);
	(*n)++;
	return 0;
}

START_TEST(feed_state)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store		*s = fx_open(path);
	struct store_feed	 f = { 0 }, g;
	char			 err[512];
	int			 n = 0;

	ck_assert_int_eq(store_feed_get(s, "wire", &g, err, sizeof(err)), 0);
	ck_assert_ptr_null(g.name);
	ck_assert_int_eq(g.next_poll, PM_TIME_NONE);
	f.name = "wire";
	f.url = "https://wire.example/rss";
	f.etag = "W/\"abc\"";
	f.last_modified = "Wed, 19 Nov 2025 00:00:00 GMT";
	f.last_success = FX_T0;
	f.last_error_time = PM_TIME_NONE;
	f.failures = 0;
	f.next_poll = FX_T0 + 300;
	f.backoff = 0;
	f.entries_seen = 20;
	ck_assert_int_eq(store_feed_put(s, &f, err, sizeof(err)), 0);
	f.name = "slow";
	f.etag = f.last_modified = NULL;
	f.last_success = PM_TIME_NONE;
	f.last_error_time = FX_T0 - 5;
	f.last_error = "HTTP 500";
	f.failures = 4;
	f.backoff = 960;
	ck_assert_int_eq(store_feed_put(s, &f, err, sizeof(err)), 0);
	store_close(s);

	s = fx_open(path);
	ck_assert_int_eq(store_feed_get(s, "wire", &g, err, sizeof(err)), 1);
	ck_assert_str_eq(g.etag, "W/\"abc\"");
	ck_assert_str_eq(g.last_modified, "Wed, 19 Nov 2025 00:00:00 GMT");
	ck_assert_int_eq(g.last_success, FX_T0);
	ck_assert_int_eq(g.last_error_time, PM_TIME_NONE);
	ck_assert_ptr_null(g.last_error);
	ck_assert_int_eq(g.entries_seen, 20);
	store_feed_free(&g);
	ck_assert_int_eq(store_feed_get(s, "slow", &g, err, sizeof(err)), 1);
	ck_assert_ptr_null(g.etag);
	ck_assert_int_eq(g.last_success, PM_TIME_NONE);
	ck_assert_str_eq(g.last_error, "HTTP 500");
	ck_assert_int_eq(g.failures, 4);
	ck_assert_int_eq(g.backoff, 960);
	/* An update replaces every field. */
	g.failures = 0;
	g.backoff = 0;
	free(g.last_error);
	g.last_error = NULL;
	ck_assert_int_eq(store_feed_put(s, &g, err, sizeof(err)), 0);
	store_feed_free(&g);
	ck_assert_int_eq(store_feed_get(s, "slow", &g, err, sizeof(err)), 1);
	ck_assert_int_eq(g.failures, 0);
	ck_assert_ptr_null(g.last_error);
	store_feed_free(&g);
	ck_assert_int_eq(store_feeds_each(s, count_feed, &n, err, sizeof(err)),
	    0);
	ck_assert_int_eq(n, 2);
	f.url = NULL;
	ck_assert_int_eq(store_feed_put(s, &f, err, sizeof(err)), STORE_EFAIL);
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

static int
collect_key(void *arg, const char *key, const char *value)
{
	char *buf = arg;

	strcat(buf, key);
	strcat(buf, "=");
	strcat(buf, value);
	strcat(buf, ";");
	return 0;
}

START_TEST(pipeline_state_and_meta)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s = fx_open(path);
	char		 err[512], keys[256] = "", *v;

	ck_assert_int_eq(store_state_put(s, "market:b", "{\"p\":0.2}", FX_T0,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(store_state_put(s, "market:a", "{\"p\":0.1}", FX_T0,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(store_state_put(s, "dedup", "[]", FX_T0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_state_put(s, "market:a", "{\"p\":0.15}", FX_T0,
	    err, sizeof(err)), 0);
	store_close(s);
	s = fx_open(path);
	ck_assert_int_eq(store_state_each(s, "market:", collect_key, keys, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(keys, "market:a={\"p\":0.15};market:b={\"p\":0.2};");
	ck_assert_int_eq(store_state_delete(s, "market:b", err, sizeof(err)), 0);
	ck_assert_int_eq(store_state_get(s, "market:b", &v, err, sizeof(err)),
	    0);
	ck_assert_ptr_null(v);
	keys[0] = '\0';
	ck_assert_int_eq(store_state_each(s, "", collect_key, keys, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(keys, "dedup=[];market:a={\"p\":0.15};");

	ck_assert_int_eq(store_meta_put(s, "markets_hash", "abc123", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_meta_get(s, "markets_hash", &v, err,
	    sizeof(err)), 1);
	ck_assert_str_eq(v, "abc123");
	free(v);
	ck_assert_int_eq(store_meta_get(s, "nothing", &v, err, sizeof(err)), 0);
	ck_assert_int_eq(store_meta_put(s, "last_seq", "99", err, sizeof(err)),
	    STORE_EFAIL);
	ck_assert_ptr_nonnull(strstr(err, "belongs to the store"));
	ck_assert_int_eq(store_meta_get(s, "last_seq", &v, err, sizeof(err)), 1);
	ck_assert_str_eq(v, "0");
	free(v);
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

START_TEST(sessions_unique)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	char		*path2 = fx_path(dir, "q.db");
	struct store	*s = fx_open(path), *t = fx_open(path2);
	char		 err[512], a[64], b[64];

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	snprintf(a, sizeof(a), "%s", store_session(s));
	ck_assert_uint_eq(strlen(a), 18);
	ck_assert_str_eq(a + 16, "-1");
	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	ck_assert_str_ne(store_session(s), a);
	ck_assert_str_eq(store_session(s) + 16, "-2");
	/* Another database never gives the same id. */
	ck_assert_int_eq(store_session_new(t, FX_T0, err, sizeof(err)), 0);
	snprintf(b, sizeof(b), "%s", store_session(t));
	ck_assert_str_ne(a, b);
	store_close(t);
	store_close(s);
	s = fx_open(path);
	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	ck_assert_str_eq(store_session(s) + 16, "-3");
	ck_assert_int_eq(strncmp(store_session(s), a, 16), 0);
	store_close(s);
	free(path2);
	free(path);
	fx_rmdir(dir);
}
END_TEST

static int
count_article(void *arg, const struct article *a, int64_t rowid)
{
	(void)arg;
	(void)a;
	(void)rowid;
	return 0;
}

/* Fill a database with 100 days of articles and deltas, one per 12 h. */
static void
fill_history(struct store *s, int64_t now)
{
	struct fx_article	a;
	struct delta		d;
	int64_t			id;
	char			err[512];

	ck_assert_int_eq(store_session_new(s, now, err, sizeof(err)), 0);
	for (int i = 0; i < 200; i++) {
		int64_t t = now - (200 - i) * 43200;

		fx_article(&a, "wire", i, t, 100);
		ck_assert_int_eq(store_add_article(s, &a.a, (uint64_t)i, &id,
		    err, sizeof(err)), 0);
		ck_assert_int_eq(store_add_evidence(s, id, "ceasefire-2025",
		    "[]", err, sizeof(err)), 0);
		fx_delta(&d, i, t);
		ck_assert_int_eq(store_append_deltas(s, &d, 1, err,
		    sizeof(err)), 0);
	}
}

START_TEST(prune_in_bounded_steps)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s = fx_open(path);
	int64_t		 now = FX_T0 + 200 * 86400;
	char		 err[512];
	int		 n, steps = 0, total = 0;

	fill_history(s, now);
	ck_assert_int_eq(store_begin(s, err, sizeof(err)), 0);
	ck_assert_int_eq(store_prune(s, now, 30, 60, 7, err, sizeof(err)),
	    STORE_EFAIL);
	store_rollback(s);
	/* Text after 30 days, deltas and identity after 60. */
	do {
		n = store_prune(s, now, 30, 60, 7, err, sizeof(err));
		ck_assert_msg(n >= 0, "prune: %s", err);
		ck_assert_int_le(n, 7);
		total += n;
		steps++;
	} while (n == 7);
	/* 80 deltas + 60 texts (30..60 days) + 80 rows (> 60 days). */
	ck_assert_int_eq(total, 80 + 60 + 80);
	ck_assert_int_ge(steps, total / 7);
	ck_assert_int_eq(store_prune(s, now, 30, 60, 7, err, sizeof(err)), 0);
	ck_assert_uint_eq(store_last_seq(s), 200);
	ck_assert_uint_eq(store_first_seq(s), 81);
	ck_assert_uint_eq(fx_check_contiguous(s), 120);
	/* Old identity gone, middle-aged identity kept without text. */
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-79", NULL, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-80", NULL, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(store_articles_each(s, PM_TIME_NONE, PM_TIME_NONE,
	    count_article, &n, err, sizeof(err)), 120);
	store_close(s);
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(*) FROM articles "
	    "WHERE body IS NULL"), 60);
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(*) FROM evidence"), 60);
	ck_assert_int_eq(fx_sql_int(path, "SELECT min(first_seen) FROM articles "
	    "WHERE body IS NOT NULL") >= now - 30 * 86400, 1);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/* A read-only handle (export) reads while the daemon writes. */
START_TEST(reader_while_writing)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store		*w = fx_open(path), *r;
	struct fx_article	 a;
	struct delta		 d;
	char			 err[512];
	int			 n = 0;

	ck_assert_int_eq(store_session_new(w, FX_T0, err, sizeof(err)), 0);
	fx_article(&a, "wire", 1, FX_T0, 100);
	ck_assert_int_eq(store_add_article(w, &a.a, 1, NULL, err, sizeof(err)),
	    0);
	ck_assert_int_eq(store_open(path, STORE_RDONLY | STORE_NOCREATE, &r,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(store_articles_each(r, PM_TIME_NONE, PM_TIME_NONE,
	    count_article, &n, err, sizeof(err)), 1);
	/* The writer is not blocked by the reader, nor the reader by it. */
	ck_assert_int_eq(store_begin(w, err, sizeof(err)), 0);
	fx_article(&a, "wire", 2, FX_T0 + 1, 100);
	ck_assert_int_eq(store_add_article(w, &a.a, 2, NULL, err, sizeof(err)),
	    0);
	fx_delta(&d, 0, FX_T0);
	ck_assert_int_eq(store_append_deltas(w, &d, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(store_articles_each(r, PM_TIME_NONE, PM_TIME_NONE,
	    count_article, &n, err, sizeof(err)), 1);
	ck_assert_int_eq(store_commit(w, err, sizeof(err)), 0);
	ck_assert_int_eq(store_articles_each(r, PM_TIME_NONE, PM_TIME_NONE,
	    count_article, &n, err, sizeof(err)), 2);
	ck_assert_int_eq(store_deltas_since(r, 0, 0, collect_seq,
	    &(struct since){ .n = 0 }, err, sizeof(err)), 1);
	ck_assert_int_eq(store_meta_put(r, "k", "v", err, sizeof(err)),
	    STORE_EREADONLY);
	store_close(r);
	store_close(w);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/* Size of a file, 0 if it does not exist. */
static off_t
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : 0;
}

/*
 * Checkpoints run on the store's helper thread, and a writer committing
 * back to back never gives it the pause the WAL needs to start over: the
 * writer must then checkpoint itself, so the WAL stays near 16 MiB while
 * 50 MB go through it.  Everything is there afterwards.
 */
START_TEST(wal_stays_bounded)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	char			*wal = fx_path(dir, "p.db-wal");
	struct store		*s = fx_open(path);
	struct fx_article	 a;
	struct delta		 d;
	char			 err[512];
	off_t			 max = 0;
	int			 i = 0;

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	for (int batch = 0; batch < 500; batch++) {
		ck_assert_int_eq(store_begin(s, err, sizeof(err)), 0);
		for (int k = 0; k < 25; k++, i++) {
			fx_article(&a, "wire", i, FX_T0 + i, 4000);
			ck_assert_int_eq(store_add_article(s, &a.a, (uint64_t)i,
			    NULL, err, sizeof(err)), 0);
			fx_delta(&d, i, FX_T0 + i);
			ck_assert_int_eq(store_append_deltas(s, &d, 1, err,
			    sizeof(err)), 0);
		}
		ck_assert_int_eq(store_commit(s, err, sizeof(err)), 0);
		if (file_size(wal) > max)
			max = file_size(wal);
	}
	ck_assert_msg(max < 24 << 20, "WAL grew to %lld bytes", (long long)max);
	ck_assert_uint_eq(fx_check_contiguous(s), (uint64_t)i);
	ck_assert_int_eq(store_check(s, 1, err, sizeof(err)), 0);
	store_close(s);
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(*) FROM articles"), i);
	free(wal);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/* Pruning every delta keeps the counter: seqs are never reused. */
START_TEST(prune_everything_keeps_seq)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s = fx_open(path);
	struct delta	 d;
	int64_t		 now = FX_T0 + 200 * 86400;
	char		 err[512];

	fill_history(s, now);
	while (store_prune(s, now + 1000 * 86400, 1, 1, 50, err,
	    sizeof(err)) == 50)
		;
	ck_assert_uint_eq(store_last_seq(s), 200);
	ck_assert_uint_eq(store_first_seq(s), 201);
	ck_assert_uint_eq(fx_check_contiguous(s), 0);
	store_close(s);
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(*) FROM articles"), 0);
	s = fx_open(path);
	ck_assert_uint_eq(store_first_seq(s), 201);
	ck_assert_int_eq(store_session_new(s, now, err, sizeof(err)), 0);
	fx_delta(&d, 0, now);
	ck_assert_int_eq(store_append_deltas(s, &d, 1, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.seq, 201);
	ck_assert_uint_eq(store_first_seq(s), 201);
	ck_assert_uint_eq(fx_check_contiguous(s), 1);
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

static Suite *
store_suite(void)
{
	Suite	*s = suite_create("store");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, fresh_schema);
	tcase_add_test(tc, migrate_from_v1);
	tcase_add_test(tc, migrate_from_v2);
	tcase_add_test(tc, migration_failure_changes_nothing);
	tcase_add_test(tc, newer_and_foreign_refused);
	tcase_add_test(tc, seq_contiguous_across_reopen);
	tcase_add_test(tc, replay_since);
	tcase_add_test(tc, delta_roundtrip);
	tcase_add_test(tc, damaged_evidence_replayed_empty);
	tcase_add_test(tc, read_transaction);
	tcase_add_test(tc, article_identity);
	tcase_add_test(tc, articles_in_first_seen_order);
	tcase_add_test(tc, batch_commit_and_rollback);
	tcase_add_test(tc, batch_failure_spoils_batch);
	tcase_add_test(tc, feed_state);
	tcase_add_test(tc, pipeline_state_and_meta);
	tcase_add_test(tc, sessions_unique);
	tcase_add_test(tc, prune_in_bounded_steps);
	tcase_add_test(tc, prune_everything_keeps_seq);
	tcase_add_test(tc, reader_while_writing);
	tcase_add_test(tc, wal_stays_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_init("test-store", LOG_LEVEL_WARN);
	return unit_run(store_suite());
}
