/*
 * store.c: opening and checking the database, errors, transactions and
 * batches, metadata and sessions.  The other store-*.c files hold the
 * tables' own operations.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "log.h"
#include "store-int.h"

#define STORE_BUSY_MS		1000		/* wait for another writer */
#define STORE_WAL_LIMIT		(64 << 20)	/* WAL kept after checkpoint */
#define STORE_CACHE_KIB		8192		/* page cache: keeps RSS under 40 MB at 2000 feeds */

static const char *const store_errors[] = {
	"ok",
	"failed",
	"out of memory",
	"disk full",
	"I/O error",
	"database locked",
	"database corrupt",
	"read-only",
	"schema from a newer pmsignald",
	"not a pmsignald database",
	"cannot open",
};

const char *
store_strerror(int code)
{
	if (code > 0 || -code >= (int)(sizeof(store_errors) /
	    sizeof(store_errors[0])))
		return "unknown error";
	return store_errors[-code];
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

int
store_errf(const struct store *s, int code, char *err, size_t errsize,
    const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (err == NULL || errsize == 0)
		return code;
	n = snprintf(err, errsize, "%s: ", s->path);
	if (n < 0 || (size_t)n >= errsize)
		return code;
	va_start(ap, fmt);
	vsnprintf(err + n, errsize - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

/* Map an sqlite result (and the errno behind an I/O error) to STORE_E*. */
static int
store_code(int rc, int sys_errno)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return STORE_OK;
	case SQLITE_FULL:
		return STORE_EFULL;
	case SQLITE_IOERR:
		if (rc == SQLITE_IOERR_NOMEM)
			return STORE_ENOMEM;
		if (sys_errno == ENOSPC || sys_errno == EDQUOT)
			return STORE_EFULL;
		return STORE_EIO;
	case SQLITE_NOMEM:
		return STORE_ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_EBUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return STORE_ECORRUPT;
	case SQLITE_READONLY:
		return STORE_EREADONLY;
	case SQLITE_CANTOPEN:
		return STORE_ECANTOPEN;
	default:
		return STORE_EFAIL;
	}
}

int
store_fail(struct store *s, int rc, const char *what, char *err,
    size_t errsize)
{
	int		 eno = sqlite3_system_errno(s->db);
	int		 code = store_code(rc, eno);
	const char	*msg = sqlite3_errmsg(s->db);

	/* A failure whatever sqlite says: SQLITE_DONE where a row was due. */
	if (code == STORE_OK)
		code = STORE_EFAIL;

	if (sqlite3_errcode(s->db) == SQLITE_OK)
		msg = sqlite3_errstr(rc);
	if (code == STORE_EIO || code == STORE_EFULL || code == STORE_ECANTOPEN) {
		if (eno != 0)
			return store_errf(s, code, err, errsize, "%s: %s (%s)",
			    what, msg, strerror(eno));
	}
	return store_errf(s, code, err, errsize, "%s: %s", what, msg);
}

int
store_exec(struct store *s, const char *sql, const char *what, char *err,
    size_t errsize)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_fail(s, rc, what, err, errsize);
	return STORE_OK;
}

sqlite3_stmt *
store_stmt(struct store *s, enum store_stmt_id id)
{
	return s->stmt[id];
}

void
store_done(sqlite3_stmt *st)
{
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
}

int
store_bind_text(sqlite3_stmt *st, int col, const char *str)
{
	if (str == NULL)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_text(st, col, str, -1, SQLITE_STATIC);
}

int
store_bind_time(sqlite3_stmt *st, int col, int64_t t)
{
	if (t == PM_TIME_NONE)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_int64(st, col, t);
}

int64_t
store_column_time(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return PM_TIME_NONE;
	return sqlite3_column_int64(st, col);
}

int
store_column_dup(sqlite3_stmt *st, int col, char **out)
{
	const unsigned char *t;

	*out = NULL;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	if ((t = sqlite3_column_text(st, col)) == NULL)
		return -1;
	return (*out = strdup((const char *)t)) != NULL ? 0 : -1;
}

/* Make the next transaction fsync at commit (FULL) or not (NORMAL). */
static int
store_set_sync(struct store *s, int full, char *err, size_t errsize)
{
	int rc;

	if (s->sync_full == full)
		return STORE_OK;
	rc = store_exec(s, full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", "set synchronous", err, errsize);
	if (rc == STORE_OK)
		s->sync_full = full;
	return rc;
}

/*
 * Roll back the open transaction, if sqlite has not already done so after
 * the error, and forget what it did to last_seq.
 */
static void
store_tx_abort(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
	s->last_seq = s->tx_last_seq;
}

/*
 * Durability is chosen before BEGIN: sqlite takes the synchronous setting
 * when a transaction starts, so changing it just before COMMIT does nothing.
 */
int
store_tx_begin(struct store *s, int durable, char *err, size_t errsize)
{
	int rc;

	if (s->flags & STORE_RDONLY)
		return store_errf(s, STORE_EREADONLY, err, errsize,
		    "opened read-only");
	if (s->in_batch) {
		if (s->batch_err != STORE_OK)
			return store_errf(s, s->batch_err, err, errsize,
			    "batch already failed (%s)",
			    store_strerror(s->batch_err));
		return STORE_OK;
	}
	store_read_end(s);
	if ((rc = store_set_sync(s, durable, err, errsize)) != STORE_OK ||
	    (rc = store_exec(s, "BEGIN IMMEDIATE", "begin", err, errsize)) !=
	    STORE_OK)
		return rc;
	s->in_tx = 1;
	s->tx_last_seq = s->last_seq;
	return STORE_OK;
}

int
store_tx_end(struct store *s, int code, char *err, size_t errsize)
{
	if (s->in_batch) {
		if (code != STORE_OK && s->batch_err == STORE_OK) {
			store_tx_abort(s);
			s->batch_err = code;
		}
		return code;
	}
	if (!s->in_tx)
		return code;
	if (code == STORE_OK)
		code = store_exec(s, "COMMIT", "commit", err, errsize);
	if (code != STORE_OK)
		store_tx_abort(s);
	s->in_tx = 0;
	return code;
}

int
store_read_begin(struct store *s, char *err, size_t errsize)
{
	int rc;

	if (s->in_tx || s->in_read)
		return STORE_OK;
	if ((rc = store_exec(s, "BEGIN", "begin reading", err, errsize)) !=
	    STORE_OK)
		return rc;
	s->in_read = 1;
	return STORE_OK;
}

void
store_read_end(struct store *s)
{
	if (!s->in_read)
		return;
	s->in_read = 0;
	/* Nothing to lose: a failed COMMIT of reads rolls back nothing. */
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK &&
	    !sqlite3_get_autocommit(s->db))
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_begin(struct store *s, char *err, size_t errsize)
{
	int rc;

	if (s->in_batch || s->in_tx)
		return store_errf(s, STORE_EFAIL, err, errsize,
		    "begin: a batch is already open");
	if ((rc = store_tx_begin(s, 1, err, errsize)) != STORE_OK)
		return rc;
	s->in_batch = 1;
	s->batch_err = STORE_OK;
	return STORE_OK;
}

int
store_commit(struct store *s, char *err, size_t errsize)
{
	int code;

	if (!s->in_batch)
		return store_errf(s, STORE_EFAIL, err, errsize,
		    "commit: no batch is open");
	code = s->batch_err;
	s->in_batch = 0;
	s->batch_err = STORE_OK;
	if (code != STORE_OK)
		return store_errf(s, code, err, errsize,
		    "commit: the batch failed earlier (%s)",
		    store_strerror(code));
	return store_tx_end(s, STORE_OK, err, errsize);
}

void
store_rollback(struct store *s)
{
	if (!s->in_batch)
		return;
	if (s->in_tx)
		store_tx_abort(s);
	s->in_batch = 0;
	s->batch_err = STORE_OK;
}

/* Read one integer pragma (application_id, user_version, ...). */
static int
store_pragma_int(struct store *s, const char *name, int64_t *out, char *err,
    size_t errsize)
{
	sqlite3_stmt	*st;
	char		 sql[64];
	int		 rc;

	*out = 0;
	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return store_fail(s, rc, "read header", err, errsize);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc, "read header", err, errsize);
	return STORE_OK;
}

/* Put a clearer name on the errors opening a file can meet. */
static int
store_open_fail(struct store *s, int code, char *err, size_t errsize)
{
	switch (code) {
	case STORE_ECORRUPT:
		return store_errf(s, code, err, errsize, "not an sqlite "
		    "database, or a damaged one (%s): move it aside or "
		    "restore a backup", sqlite3_errmsg(s->db));
	case STORE_ECANTOPEN:
		return store_errf(s, code, err, errsize, "cannot open (%s): "
		    "the file and its directory must be readable and "
		    "writable", sqlite3_errmsg(s->db));
	case STORE_EREADONLY:
		return store_errf(s, code, err, errsize, "cannot write (%s): "
		    "check the permissions of the file and its directory, "
		    "and that the file system is not read-only",
		    sqlite3_errmsg(s->db));
	default:
		return code;
	}
}

/*
 * Decide what the file is from its header: 0 = empty (new), a version to
 * migrate from, or an error for a newer, foreign or unreadable file.
 */
static int
store_schema_version(struct store *s, int64_t *version, char *err,
    size_t errsize)
{
	int64_t	app, tables = 0;
	int	rc;

	*version = 0;	/* defined on every path, failures included */
	if ((rc = store_pragma_int(s, "application_id", &app, err,
	    errsize)) != STORE_OK ||
	    (rc = store_pragma_int(s, "user_version", version, err,
	    errsize)) != STORE_OK)
		return store_open_fail(s, rc, err, errsize);
	if (*version == 0) {
		sqlite3_stmt *st;

		rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM "
		    "sqlite_master", -1, &st, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
			tables = sqlite3_column_int64(st, 0);
		if (rc == SQLITE_OK || rc == SQLITE_ROW)
			sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return store_open_fail(s, store_fail(s, rc,
			    "read schema", err, errsize), err, errsize);
		if (tables > 0 || app != 0)
			return store_errf(s, STORE_EFOREIGN, err, errsize,
			    "an sqlite database, but not a pmsignald one "
			    "(no schema version)");
		return STORE_OK;
	}
	if (app != STORE_APPLICATION_ID)
		return store_errf(s, STORE_EFOREIGN, err, errsize,
		    "an sqlite database, but not a pmsignald one "
		    "(application_id %" PRId64 ")", app);
	if (*version > STORE_SCHEMA_VERSION)
		return store_errf(s, STORE_ENEWER, err, errsize,
		    "schema version %" PRId64 " is newer than this pmsignald "
		    "supports (%d): run a newer pmsignald, or another database",
		    *version, STORE_SCHEMA_VERSION);
	return STORE_OK;
}

/* Bring the schema up to date, or say why a read-only open cannot. */
static int
store_schema_update(struct store *s, char *err, size_t errsize)
{
	int64_t	version;
	int	rc;

	if ((rc = store_schema_version(s, &version, err, errsize)) != STORE_OK)
		return rc;
	if (version == STORE_SCHEMA_VERSION)
		return STORE_OK;
	if (s->flags & STORE_RDONLY) {
		if (version == 0)
			return store_errf(s, STORE_EFOREIGN, err, errsize,
			    "empty: not a pmsignald database");
		return store_errf(s, STORE_EREADONLY, err, errsize,
		    "schema version %" PRId64 " needs migrating to %d, which "
		    "a read-only open cannot do: open it once read-write "
		    "(pmsignald run or export)", version, STORE_SCHEMA_VERSION);
	}
	if (version > 0)
		log_info("%s: migrating schema from version %" PRId64
		    " to %d", s->path, version, STORE_SCHEMA_VERSION);
	if ((rc = store_schema_migrate(s, (int)version, err, errsize)) !=
	    STORE_OK)
		return store_open_fail(s, rc, err, errsize);
	return STORE_OK;
}

/* Connection settings: the page cache, how long to wait for locks. */
static int
store_configure(struct store *s, char *err, size_t errsize)
{
	char	sql[192];
	int	rc;

	if (!(s->flags & STORE_RDONLY) && sqlite3_db_readonly(s->db, "main") == 1)
		return store_errf(s, STORE_EREADONLY, err, errsize,
		    "cannot write: check the permissions of the file and its "
		    "directory, and that the file system is not read-only");
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d; "
	    "PRAGMA journal_size_limit = %d; PRAGMA wal_autocheckpoint = %d",
	    STORE_CACHE_KIB, STORE_WAL_LIMIT, STORE_CHECKPOINT_PAGES);
	if ((rc = store_exec(s, sql, "configure", err, errsize)) != STORE_OK)
		return store_open_fail(s, rc, err, errsize);
	return STORE_OK;
}

/* Switch to WAL mode (kept in the file) and check that it took. */
static int
store_wal(struct store *s, char *err, size_t errsize)
{
	sqlite3_stmt	*st;
	int		 rc, wal = 0;

	if (s->flags & STORE_RDONLY)
		return STORE_OK;
	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return store_open_fail(s, store_fail(s, rc, "set WAL mode", err,
		    errsize), err, errsize);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		wal = strcmp((const char *)sqlite3_column_text(st, 0),
		    "wal") == 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_open_fail(s, store_fail(s, rc, "set WAL mode", err,
		    errsize), err, errsize);
	if (!wal)
		return store_errf(s, STORE_EFAIL, err, errsize,
		    "the file system does not support WAL mode");
	return store_set_sync(s, 0, err, errsize);
}

static int
store_prepare(struct store *s, char *err, size_t errsize)
{
	int rc;

	for (int i = 0; i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, store_stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL);
		if (rc != SQLITE_OK) {
			rc = store_fail(s, rc, "prepare", err, errsize);
			return store_errf(s, rc == STORE_EFAIL ? STORE_ECORRUPT
			    : rc, err, errsize, "schema version %d does not "
			    "match what pmsignald expects (%s): the file was "
			    "altered", STORE_SCHEMA_VERSION,
			    sqlite3_errmsg(s->db));
		}
	}
	return STORE_OK;
}

/* Load last_seq and first_seq into the handle. */
static int
store_load_seq(struct store *s, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_SEQ_GET);
	int		 rc;

	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		store_done(st);
		if (rc == SQLITE_DONE)
			return store_errf(s, STORE_ECORRUPT, err, errsize,
			    "meta.last_seq is missing");
		return store_fail(s, rc, "read last_seq", err, errsize);
	}
	s->last_seq = (uint64_t)sqlite3_column_int64(st, 0);
	store_done(st);
	st = store_stmt(s, ST_FIRST_SEQ);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		store_done(st);
		return store_fail(s, rc, "read first seq", err, errsize);
	}
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		s->first_seq = s->last_seq + 1;
	else
		s->first_seq = (uint64_t)sqlite3_column_int64(st, 0);
	store_done(st);
	return STORE_OK;
}

/* Refuse what sqlite would open lazily or wrongly: missing, directories. */
static int
store_check_path(const struct store *s, char *err, size_t errsize)
{
	struct stat sb;

	if (stat(s->path, &sb) == -1) {
		if (errno == ENOENT &&
		    !(s->flags & (STORE_RDONLY | STORE_NOCREATE)))
			return STORE_OK;
		return store_errf(s, STORE_ECANTOPEN, err, errsize, "%s",
		    strerror(errno));
	}
	if (S_ISDIR(sb.st_mode))
		return store_errf(s, STORE_ECANTOPEN, err, errsize,
		    "is a directory");
	return STORE_OK;
}

/*
 * The URI that opens path without locks or WAL index ("immutable"): for
 * reading a database where the -shm file cannot be created, such as a
 * backup on read-only media.  Characters special in URIs are escaped.
 */
static char *
store_immutable_uri(const char *path)
{
	static const char	 hex[] = "0123456789abcdef";
	char			*uri, *p;

	if ((uri = malloc(strlen(path) * 3 + 32)) == NULL)
		return NULL;
	p = uri + sprintf(uri, "file:");
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if (*c == '?' || *c == '#' || *c == '%' || *c < 0x20) {
			*p++ = '%';
			*p++ = hex[*c >> 4];
			*p++ = hex[*c & 15];
		} else
			*p++ = (char)*c;
	}
	strcpy(p, "?immutable=1");
	return uri;
}

static int
store_open_db(struct store *s, int immutable, char *err, size_t errsize)
{
	int	 oflags = SQLITE_OPEN_NOMUTEX;
	char	*uri = NULL;
	int	 rc;

	if (s->flags & STORE_RDONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
		    ((s->flags & STORE_NOCREATE) ? 0 : SQLITE_OPEN_CREATE);
	if (immutable) {
		if ((uri = store_immutable_uri(s->path)) == NULL)
			return store_errf(s, STORE_ENOMEM, err, errsize,
			    "out of memory");
		oflags |= SQLITE_OPEN_URI;
	}
	rc = sqlite3_open_v2(uri != NULL ? uri : s->path, &s->db, oflags, NULL);
	free(uri);
	if (rc == SQLITE_OK)
		return STORE_OK;
	if (s->db == NULL)
		return store_errf(s, STORE_ENOMEM, err, errsize,
		    "out of memory");
	return store_open_fail(s, store_fail(s, rc, "open", err, errsize),
	    err, errsize);
}

/* Everything store_open() does once the handle exists. */
static int
store_open_steps(struct store *s, int immutable, char *err, size_t errsize)
{
	int rc;

	if ((rc = store_open_db(s, immutable, err, errsize)) != STORE_OK ||
	    (rc = store_configure(s, err, errsize)) != STORE_OK ||
	    (rc = store_wal(s, err, errsize)) != STORE_OK ||
	    (rc = store_schema_update(s, err, errsize)) != STORE_OK ||
	    ((s->flags & STORE_CHECK) &&
	    (rc = store_check(s, 0, err, errsize)) != STORE_OK) ||
	    (rc = store_prepare(s, err, errsize)) != STORE_OK)
		return rc;
	return store_load_seq(s, err, errsize);
}

/* Finalize the statements and close the connection (not the handle). */
static void
store_close_db(struct store *s)
{
	store_read_end(s);
	store_ckpt_stop(s);
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(s->stmt[i]);
		s->stmt[i] = NULL;
	}
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("%s: close: %s", s->path, sqlite3_errmsg(s->db));
	s->db = NULL;
}

int
store_open(const char *path, int flags, struct store **out, char *err,
    size_t errsize)
{
	struct store	*s;
	int		 rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		free(s);
		if (err != NULL && errsize > 0)
			snprintf(err, errsize, "%s: out of memory", path);
		return STORE_ENOMEM;
	}
	s->flags = flags;
	s->sync_full = -1;
	if ((rc = store_check_path(s, err, errsize)) == STORE_OK)
		rc = store_open_steps(s, 0, err, errsize);
	/* Read-only, and no -shm file could be made: read it as it is. */
	if (rc == STORE_ECANTOPEN && (flags & STORE_RDONLY) &&
	    access(path, R_OK) == 0) {
		store_close_db(s);
		rc = store_open_steps(s, 1, err, errsize);
	}
	if (rc != STORE_OK) {
		store_close(s);
		return rc;
	}
	if (!(flags & STORE_RDONLY))
		store_ckpt_start(s);
	*out = s;
	return STORE_OK;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	store_rollback(s);
	if (s->in_tx && s->db != NULL)
		store_tx_abort(s);
	store_close_db(s);
	free(s->session);
	free(s->path);
	free(s);
}

int
store_check(struct store *s, int full, char *err, size_t errsize)
{
	sqlite3_stmt	*st;
	int		 rc;
	char		*first = NULL;

	rc = sqlite3_prepare_v2(s->db, full ? "PRAGMA integrity_check(1)" :
	    "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_open_fail(s, store_fail(s, rc, "check", err,
		    errsize), err, errsize);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    store_column_dup(st, 0, &first) == -1)
		rc = SQLITE_NOMEM;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		free(first);
		return store_open_fail(s, store_fail(s, rc, "check", err,
		    errsize), err, errsize);
	}
	if (first == NULL || strcmp(first, "ok") != 0) {
		/* sqlite's report spans lines; a log message must not. */
		for (char *c = first; c != NULL && *c != '\0'; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		rc = store_errf(s, STORE_ECORRUPT, err, errsize, "damaged "
		    "(%s): move it aside or restore a backup",
		    first != NULL ? first : "no result");
		free(first);
		return rc;
	}
	free(first);
	return STORE_OK;
}

int
store_set_max_bytes(struct store *s, int64_t max_bytes, char *err,
    size_t errsize)
{
	int64_t	page, pages;
	char	sql[64];
	int	rc;

	if ((rc = store_pragma_int(s, "page_size", &page, err, errsize)) !=
	    STORE_OK)
		return rc;
	pages = max_bytes > 0 && page > 0 ? max_bytes / page : 4294967294LL;
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %" PRId64,
	    pages < 1 ? 1 : pages);
	return store_exec(s, sql, "set size limit", err, errsize);
}

int
store_get_text(struct store *s, enum store_stmt_id id, const char *key,
    char **value, const char *what, char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, id);
	int		 rc, found = 0;

	*value = NULL;
	if ((rc = store_bind_text(st, 1, key)) == SQLITE_OK &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		found = 1;
		rc = store_column_dup(st, 0, value) == -1 ? SQLITE_NOMEM :
		    SQLITE_DONE;
	}
	store_done(st);
	if (rc != SQLITE_DONE)
		return store_fail(s, rc, what, err, errsize);
	return found;
}

int
store_meta_get(struct store *s, const char *key, char **value, char *err,
    size_t errsize)
{
	return store_get_text(s, ST_META_GET, key, value, "read meta", err,
	    errsize);
}

int
store_meta_put(struct store *s, const char *key, const char *value,
    char *err, size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_META_PUT);
	int		 rc;

	if ((rc = store_tx_begin(s, 0, err, errsize)) != STORE_OK)
		return rc;
	if (strcmp(key, "last_seq") == 0 || strcmp(key, "db_id") == 0)
		return store_tx_end(s, store_errf(s, STORE_EFAIL, err, errsize,
		    "meta key '%s' belongs to the store", key), err, errsize);
	if (value == NULL)
		return store_tx_end(s, store_errf(s, STORE_EFAIL, err, errsize,
		    "meta key '%s': NULL value", key), err, errsize);
	if ((rc = store_bind_text(st, 1, key)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 2, value)) == SQLITE_OK)
		rc = sqlite3_step(st);
	store_done(st);
	rc = rc == SQLITE_DONE ? STORE_OK :
	    store_fail(s, rc, "write meta", err, errsize);
	return store_tx_end(s, rc, err, errsize);
}

/* Insert the next session row and remember its name. */
static int
store_session_insert(struct store *s, int64_t now, char **name, char *err,
    size_t errsize)
{
	sqlite3_stmt	*st = store_stmt(s, ST_SESSION_NEXT);
	int64_t		 id = 0;
	int		 rc;

	*name = NULL;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (asprintf(name, "%s-%" PRId64, sqlite3_column_type(st, 1) ==
		    SQLITE_NULL ? "0" : (const char *)sqlite3_column_text(st,
		    1), id) == -1) {
			*name = NULL;
			rc = SQLITE_NOMEM;
		}
	}
	store_done(st);
	if (rc != SQLITE_ROW)
		return store_fail(s, rc, "new session", err, errsize);
	st = store_stmt(s, ST_SESSION_INSERT);
	if ((rc = sqlite3_bind_int64(st, 1, id)) == SQLITE_OK &&
	    (rc = store_bind_text(st, 2, *name)) == SQLITE_OK &&
	    (rc = store_bind_time(st, 3, now)) == SQLITE_OK)
		rc = sqlite3_step(st);
	store_done(st);
	if (rc != SQLITE_DONE) {
		free(*name);
		*name = NULL;
		return store_fail(s, rc, "new session", err, errsize);
	}
	return STORE_OK;
}

int
store_session_new(struct store *s, int64_t now, char *err, size_t errsize)
{
	char	*name;
	int	 rc;

	if ((rc = store_tx_begin(s, 1, err, errsize)) != STORE_OK)
		return rc;
	rc = store_session_insert(s, now, &name, err, errsize);
	if ((rc = store_tx_end(s, rc, err, errsize)) != STORE_OK) {
		free(name);
		return rc;
	}
	free(s->session);
	s->session = name;
	return STORE_OK;
}

const char *
store_session(const struct store *s)
{
	return s->session;
}
