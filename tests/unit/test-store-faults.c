/*
 * test-store-faults.c: the store against bad files and failing disks.
 * Corrupt, foreign, missing and read-only files are refused at open with a
 * clear message; a full disk (a size cap, and a real full tmpfs) and I/O
 * errors (an sqlite VFS that fails writes or fsyncs on demand) give
 * STORE_EFULL / STORE_EIO, change nothing, leave the handle usable, and the
 * same writes succeed once the disk recovers, with seqs still contiguous.
 *
 * The tmpfs and read-only mounts need root; they happen in a private mount
 * namespace of the test's own process (Check forks one per test), so they
 * vanish with it.  Without root those cases are skipped and say so.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store-fixture.h"

/* Write n bytes of junk at offset off of path. */
static void
scribble(const char *path, off_t off, size_t n)
{
	char	buf[4096];
	int	fd;

	memset(buf, 0x5a, sizeof(buf));
	ck_assert_int_ge(fd = open(path, O_WRONLY), 0);
	while (n > 0) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		ck_assert_int_eq(pwrite(fd, buf, k, off), (ssize_t)k);
		off += (off_t)k;
		n -= k;
	}
	ck_assert_int_eq(close(fd), 0);
}

/* A closed database at path holding n articles of 1 KiB and n deltas. */
static void
make_database(const char *path, int n)
{
	struct store		*s = fx_open(path);
	struct fx_article	 a;
	struct delta		 d;
	char			 err[512];

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_begin(s, err, sizeof(err)), 0);
	for (int i = 0; i < n; i++) {
		fx_article(&a, "wire", i, FX_T0 + i, 1024);
		ck_assert_int_eq(store_add_article(s, &a.a, (uint64_t)i, NULL,
		    err, sizeof(err)), 0);
		fx_delta(&d, i, FX_T0 + i);
		ck_assert_int_eq(store_append_deltas(s, &d, 1, err,
		    sizeof(err)), 0);
	}
	ck_assert_int_eq(store_commit(s, err, sizeof(err)), 0);
	store_close(s);
}

static int
count_one(void *arg, const struct article *a, int64_t rowid)
{
	(void)a;
	(void)rowid;
	(*(int *)arg)++;
	return 0;
}

START_TEST(not_a_database)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "junk.db");
	struct store	*s;
	char		 err[512];
	FILE		*fp;

	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	for (int i = 0; i < 400; i++)
		fputs("this is a text file, not a database\n", fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(store_open(path, 0, &s, err, sizeof(err)),
	    STORE_ECORRUPT);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(strncmp(err, path, strlen(path)), 0);
	ck_assert_ptr_nonnull(strstr(err, ": not an sqlite database, or a "
	    "damaged one (file is not a database)"));
	/* The file is left alone. */
	ck_assert_int_eq(fx_sql_int(path, "SELECT 1") , 1);
	free(path);
	fx_rmdir(dir);
}
END_TEST

START_TEST(damaged_database)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s;
	char		 err[512];
	int		 rc, n = 0;

	make_database(path, 300);
	/* Pages 3..40 hold articles: overwrite them. */
	scribble(path, 2 * 4096, 38 * 4096);
	ck_assert_int_eq(store_open(path, STORE_CHECK, &s, err, sizeof(err)),
	    STORE_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(err, ": damaged ("));
	ck_assert_ptr_nonnull(strstr(err, "restore a backup"));
	/* Without the check, reading the damage fails cleanly. */
	rc = store_open(path, 0, &s, err, sizeof(err));
	if (rc == STORE_OK) {
		rc = store_articles_each(s, PM_TIME_NONE, PM_TIME_NONE,
		    count_one, &n, err, sizeof(err));
		store_close(s);
	}
	ck_assert_int_eq(rc, STORE_ECORRUPT);
	/* A damaged header is not a database at all. */
	scribble(path, 0, 100);
	ck_assert_int_eq(store_open(path, 0, &s, err, sizeof(err)),
	    STORE_ECORRUPT);
	free(path);
	fx_rmdir(dir);
}
END_TEST

START_TEST(missing_and_directory)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "none.db");
	char		*deep = fx_path(dir, "no/such/dir.db");
	struct store	*s;
	char		 err[512], want[600];

	ck_assert_int_eq(store_open(path, STORE_NOCREATE, &s, err, sizeof(err)),
	    STORE_ECANTOPEN);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(store_open(path, STORE_RDONLY, &s, err, sizeof(err)),
	    STORE_ECANTOPEN);
	ck_assert_int_eq(store_open(dir, 0, &s, err, sizeof(err)),
	    STORE_ECANTOPEN);
	snprintf(want, sizeof(want), "%s: is a directory", dir);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(store_open(deep, 0, &s, err, sizeof(err)),
	    STORE_ECANTOPEN);
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
	ck_assert_ptr_nonnull(strstr(err, "must be readable and writable"));
	free(deep);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/* Only with fork mode: mounts must die with the test's process. */
static int
can_mount(void)
{
	const char *fork = getenv("CK_FORK");

	if (geteuid() != 0 || (fork != NULL && strcmp(fork, "no") == 0))
		return 0;
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return 0;
	return 1;
}

/*
 * Make dir read-only: a read-only bind mount as root (root ignores
 * permission bits), else the permission bits.  0 if neither works.
 */
static int
make_read_only(const char *dir, const char *path)
{
	if (geteuid() != 0)
		return chmod(path, 0444) == 0 && chmod(dir, 0555) == 0;
	if (!can_mount())
		return 0;
	return mount(dir, dir, NULL, MS_BIND, NULL) == 0 &&
	    mount(NULL, dir, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0;
}

START_TEST(read_only_file)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s;
	char		 err[512];
	int		 n = 0;

	make_database(path, 5);
	if (!make_read_only(dir, path)) {
		fprintf(stderr, "test-store-faults: read_only_file: cannot "
		    "make a read-only directory here, skipped\n");
		chmod(dir, 0755);
		free(path);
		fx_rmdir(dir);
		return;
	}
	n = store_open(path, 0, &s, err, sizeof(err));
	ck_assert_msg(n == STORE_EREADONLY, "%d %s", n, err);
	n = 0;
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(strstr(err, "cannot write"));
	ck_assert_ptr_nonnull(strstr(err, "permissions"));
	/* A read-only open (export) still reads it, and writes nothing. */
	ck_assert_int_eq(store_open(path, STORE_RDONLY | STORE_NOCREATE, &s,
	    err, sizeof(err)), 0);
	ck_assert_uint_eq(store_last_seq(s), 5);
	ck_assert_int_eq(store_articles_each(s, PM_TIME_NONE, PM_TIME_NONE,
	    count_one, &n, err, sizeof(err)), 5);
	ck_assert_int_eq(store_state_put(s, "k", "v", FX_T0, err, sizeof(err)),
	    STORE_EREADONLY);
	store_close(s);
	if (geteuid() != 0) {
		chmod(dir, 0755);
		chmod(path, 0644);
	} else
		ck_assert_int_eq(umount(dir), 0);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/*
 * One burst: an article with 4 KiB of text and three deltas in a batch.
 * Returns the store's code; on success the deltas' seqs follow *last.
 */
static int
burst(struct store *s, int i, uint64_t *last, char *err, size_t errsize)
{
	struct fx_article	a;
	struct delta		d[3];
	int			rc;

	fx_article(&a, "wire", i, FX_T0 + i, 4000);
	for (int k = 0; k < 3; k++)
		fx_delta(&d[k], k, FX_T0 + i);
	if ((rc = store_begin(s, err, errsize)) != STORE_OK)
		return rc;
	if (store_add_article(s, &a.a, (uint64_t)i, NULL, err, errsize) < 0 ||
	    store_append_deltas(s, d, 3, err, errsize) != STORE_OK) {
		rc = store_commit(s, NULL, 0);
		ck_assert_int_ne(rc, STORE_OK);
		return rc;
	}
	if ((rc = store_commit(s, err, errsize)) != STORE_OK)
		return rc;
	ck_assert_uint_eq(d[0].seq, *last + 1);
	*last = d[2].seq;
	return STORE_OK;
}

/* Bursts until one fails; returns its code and how many went in. */
static int
burst_until_failure(struct store *s, int *i, uint64_t *last, char *err,
    size_t errsize)
{
	for (int tries = 0; tries < 5000; tries++, (*i)++) {
		int rc = burst(s, *i, last, err, errsize);

		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

/* After a failure: nothing of the failed burst, the handle still reads. */
static void
assert_intact(struct store *s, uint64_t last, int i)
{
	char err[512];

	ck_assert_uint_eq(store_last_seq(s), last);
	ck_assert_uint_eq(fx_check_contiguous(s), last);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-0", NULL, err,
	    sizeof(err)), 1);
	{
		char id[32];

		snprintf(id, sizeof(id), "guid-%d", i);
		ck_assert_int_eq(store_article_seen(s, "wire", id, NULL, err,
		    sizeof(err)), 0);
	}
}

/* Close, reopen: the file is sound and the log continues. */
static void
assert_reopens(const char *path, uint64_t last)
{
	struct store	*s;
	char		 err[512];

	ck_assert_int_eq(store_open(path, STORE_CHECK, &s, err, sizeof(err)),
	    0);
	ck_assert_int_eq(store_check(s, 1, err, sizeof(err)), 0);
	ck_assert_uint_eq(store_last_seq(s), last);
	ck_assert_uint_eq(fx_check_contiguous(s), last);
	store_close(s);
}

START_TEST(size_limit_full_then_recovers)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s = fx_open(path);
	char		 err[512];
	uint64_t	 last = 0;
	int		 i = 0;

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	ck_assert_int_eq(store_set_max_bytes(s, 256 * 1024, err, sizeof(err)),
	    0);
	ck_assert_int_eq(burst_until_failure(s, &i, &last, err, sizeof(err)),
	    STORE_EFULL);
	ck_assert_ptr_nonnull(strstr(err, "database or disk is full"));
	ck_assert_int_gt(last, 0);
	assert_intact(s, last, i);
	/* Still full: fails again, the same way, and changes nothing. */
	ck_assert_int_eq(burst(s, i, &last, err, sizeof(err)), STORE_EFULL);
	assert_intact(s, last, i);
	/* Room again: the very same burst goes in, seqs continue. */
	ck_assert_int_eq(store_set_max_bytes(s, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(burst(s, i, &last, err, sizeof(err)), 0);
	ck_assert_int_eq(burst(s, i + 1, &last, err, sizeof(err)), 0);
	store_close(s);
	assert_reopens(path, last);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/* Fill the file system holding path with a file; returns its size. */
static off_t
fill_disk(const char *path)
{
	char	buf[8192];
	off_t	size = 0;
	ssize_t	n;
	int	fd;

	memset(buf, 'x', sizeof(buf));
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT, 0644), 0);
	while ((n = write(fd, buf, sizeof(buf))) > 0)
		size += n;
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(close(fd), 0);
	return size;
}

START_TEST(tmpfs_full_then_recovers)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	char		*filler = fx_path(dir, "filler");
	struct store	*s;
	char		 err[512];
	uint64_t	 last = 0;
	int		 i = 0;

	if (!can_mount() || mount("tmpfs", dir, "tmpfs", 0, "size=1m") == -1) {
		fprintf(stderr, "test-store-faults: tmpfs_full_then_recovers: "
		    "cannot mount a small tmpfs here (needs root), skipped\n");
		free(filler);
		free(path);
		fx_rmdir(dir);
		return;
	}
	s = fx_open(path);
	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	ck_assert_int_eq(burst(s, i++, &last, err, sizeof(err)), 0);
	ck_assert_int_gt(fill_disk(filler), 0);
	ck_assert_int_eq(burst_until_failure(s, &i, &last, err, sizeof(err)),
	    STORE_EFULL);
	ck_assert_ptr_nonnull(strstr(err, "full"));
	assert_intact(s, last, i);
	ck_assert_int_eq(burst(s, i, &last, err, sizeof(err)), STORE_EFULL);
	/* The disk recovers: the same handle writes again. */
	ck_assert_int_eq(unlink(filler), 0);
	ck_assert_int_eq(burst(s, i, &last, err, sizeof(err)), 0);
	ck_assert_int_eq(burst(s, i + 1, &last, err, sizeof(err)), 0);
	store_close(s);
	assert_reopens(path, last);
	ck_assert_int_eq(umount(dir), 0);
	free(filler);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/*
 * A VFS over the default one whose writes or fsyncs fail while
 * fault_mode says so: real error paths of sqlite, on demand.
 */
enum { FAULT_NONE, FAULT_WRITE, FAULT_SYNC };
static int		 fault_mode;
static int		 fault_syncs;	/* xSync calls that went through */
static sqlite3_vfs	*fault_real;
static sqlite3_vfs	 fault_vfs;

struct fault_file {
	sqlite3_file	 base;
	sqlite3_file	*real;
};

#define REAL(f)	(((struct fault_file *)(f))->real)

static int
fault_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
fault_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int
fault_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (fault_mode == FAULT_WRITE)
		return SQLITE_IOERR_WRITE;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int
fault_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
fault_sync(sqlite3_file *f, int flags)
{
	if (fault_mode == FAULT_SYNC)
		return SQLITE_IOERR_FSYNC;
	fault_syncs++;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
fault_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
fault_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
fault_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
fault_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
fault_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
fault_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
fault_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
fault_shm_map(sqlite3_file *f, int pg, int size, int extend,
    void volatile **out)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, size, extend, out);
}

static int
fault_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
fault_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
fault_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
fault_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}

static int
fault_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fault_io = {
	3, fault_close, fault_read, fault_write, fault_truncate, fault_sync,
	fault_size, fault_lock, fault_unlock, fault_reserved, fault_fcntl,
	fault_sector, fault_devchar, fault_shm_map, fault_shm_lock,
	fault_shm_barrier, fault_shm_unmap, fault_fetch, fault_unfetch,
};

static int
fault_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out)
{
	struct fault_file	*ff = (struct fault_file *)f;
	int			 rc;

	(void)vfs;
	ff->real = (sqlite3_file *)(ff + 1);
	rc = fault_real->xOpen(fault_real, name, ff->real, flags, out);
	ff->base.pMethods = ff->real->pMethods != NULL ? &fault_io : NULL;
	return rc;
}

/* Make the fault VFS the default for this (forked) test process. */
static void
fault_install(void)
{
	fault_mode = FAULT_NONE;
	if (fault_real != NULL)		/* CK_FORK=no: already there */
		return;
	ck_assert_ptr_nonnull(fault_real = sqlite3_vfs_find(NULL));
	fault_vfs = *fault_real;
	fault_vfs.zName = "fault";
	fault_vfs.szOsFile = (int)sizeof(struct fault_file) +
	    fault_real->szOsFile;
	fault_vfs.xOpen = fault_open;
	ck_assert_int_eq(sqlite3_vfs_register(&fault_vfs, 1), SQLITE_OK);
}

static void
io_error_case(int mode)
{
	char		*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store	*s;
	struct delta	 d;
	char		 err[512];
	uint64_t	 last = 0;
	int		 i = 0;

	fault_install();
	s = fx_open(path);
	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	for (; i < 5; i++)
		ck_assert_int_eq(burst(s, i, &last, err, sizeof(err)), 0);
	fault_mode = mode;
	ck_assert_int_eq(burst(s, i, &last, err, sizeof(err)), STORE_EIO);
	ck_assert_ptr_nonnull(strstr(err, "disk I/O error"));
	fx_delta(&d, 0, FX_T0);
	ck_assert_int_eq(store_append_deltas(s, &d, 1, err, sizeof(err)),
	    STORE_EIO);
	ck_assert_uint_eq(d.seq, 0);
	assert_intact(s, last, i);
	fault_mode = FAULT_NONE;
	ck_assert_int_eq(burst(s, i, &last, err, sizeof(err)), 0);
	ck_assert_int_eq(store_append_deltas(s, &d, 1, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.seq, ++last);
	store_close(s);
	assert_reopens(path, last);
	free(path);
	fx_rmdir(dir);
}

START_TEST(write_error_then_recovers)
{
	io_error_case(FAULT_WRITE);
}
END_TEST

START_TEST(fsync_error_then_recovers)
{
	io_error_case(FAULT_SYNC);
}
END_TEST

/*
 * Store-then-publish: a delta append and a batch commit reach the disk
 * (fsync) before they return; feed state and pruning need not.
 */
START_TEST(deltas_are_fsynced_before_return)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "p.db");
	struct store		*s;
	struct store_feed	 f = { .name = "wire", .url = "http://h/" };
	struct delta		 d;
	char			 err[512];
	uint64_t		 last = 0;
	int			 before;

	fault_install();
	s = fx_open(path);
	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	fx_delta(&d, 0, FX_T0);
	before = fault_syncs;
	ck_assert_int_eq(store_append_deltas(s, &d, 1, err, sizeof(err)), 0);
	ck_assert_int_gt(fault_syncs, before);
	last = d.seq;
	before = fault_syncs;
	ck_assert_int_eq(burst(s, 1, &last, err, sizeof(err)), 0);
	ck_assert_int_gt(fault_syncs, before);
	before = fault_syncs;
	f.last_success = f.last_error_time = f.next_poll = PM_TIME_NONE;
	ck_assert_int_eq(store_feed_put(s, &f, err, sizeof(err)), 0);
	ck_assert_int_eq(store_prune(s, FX_T0, 1, 1, 10, err, sizeof(err)), 0);
	ck_assert_int_eq(fault_syncs, before);
	ck_assert_int_eq(store_append_deltas(s, &d, 1, err, sizeof(err)), 0);
	ck_assert_int_gt(fault_syncs, before);
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/*
 * Crash safety at the library level: a writer process polls a feed (the
 * articles it has not seen), stores each burst of articles with their
 * deltas in one batch and "publishes" the deltas on a pipe only after the
 * commit returned; it is killed with SIGKILL at random moments, 25 times.
 * The parent is the subscriber: after each kill it resumes with "since"
 * from the database.  In the end every stored delta was received exactly
 * once with the same bytes, seqs are contiguous, the file is sound, and no
 * article was scored twice.
 */
#define CRASH_ROUNDS		25
#define CRASH_PER_BURST		3	/* articles per batch */
#define CRASH_DELTAS		2	/* deltas per article */
#define CRASH_MAX		100000

/* The writer: never returns; exits only when killed (or on a bug). */
static void
crash_writer(const char *path, int fd)
{
	struct store	*s;
	struct delta	 d[CRASH_PER_BURST * CRASH_DELTAS];
	char		 err[512], id[CRASH_PER_BURST][32];
	size_t		 nd = 0;
	int		 narticles = 0;

	if (store_open(path, 0, &s, err, sizeof(err)) != STORE_OK ||
	    store_session_new(s, FX_T0, err, sizeof(err)) != STORE_OK)
		_exit(3);
	for (int i = 0; i < CRASH_MAX; i++) {
		struct fx_article a;

		snprintf(id[narticles], sizeof(id[0]), "guid-%d", i);
		if (store_article_seen(s, "wire", id[narticles], NULL, err,
		    sizeof(err)) != 0)
			continue;		/* stored before a crash */
		if (narticles == 0 && store_begin(s, err, sizeof(err)) != 0)
			_exit(4);
		fx_article(&a, "wire", i, FX_T0 + i, 200);
		if (store_add_article(s, &a.a, (uint64_t)i, NULL, err,
		    sizeof(err)) != 0)
			_exit(5);
		for (int k = 0; k < CRASH_DELTAS; k++, nd++) {
			fx_delta(&d[nd], k * 3, FX_T0 + i);
			d[nd].article_id = id[narticles];
		}
		if (++narticles < CRASH_PER_BURST)
			continue;
		if (store_append_deltas(s, d, nd, err, sizeof(err)) != 0 ||
		    store_commit(s, err, sizeof(err)) != 0)
			_exit(6);
		for (size_t k = 0; k < nd; k++) {
			char *line = delta_to_json(&d[k], store_session(s));

			if (line == NULL || dprintf(fd, "%s\n", line) < 0)
				_exit(7);
			free(line);
		}
		narticles = 0;
		nd = 0;
	}
	_exit(8);
}

/* What the subscriber received, by seq. */
struct received {
	char		*line[CRASH_MAX];
	uint64_t	 max;
};

static void
received_add(struct received *r, const char *line)
{
	struct delta d;

	ck_assert_msg(delta_from_json(line, &d) == 0, "bad line: %s", line);
	ck_assert_uint_lt(d.seq, CRASH_MAX);
	ck_assert_msg(r->line[d.seq] == NULL, "seq %llu received twice",
	    (unsigned long long)d.seq);
	ck_assert_ptr_nonnull(r->line[d.seq] = strdup(line));
	if (d.seq > r->max)
		r->max = d.seq;
	delta_free(&d);
}

/* Read the writer's lines for ms milliseconds, then kill it, then drain. */
static void
crash_round(const char *path, struct received *r, int ms)
{
	static char	buf[1 << 20];
	size_t		len = 0;
	struct pollfd	pfd;
	ssize_t		n;
	int		p[2], status;
	pid_t		pid;
	struct timespec	t0, t;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		close(p[0]);
		crash_writer(path, p[1]);
	}
	close(p[1]);
	pfd = (struct pollfd){ p[0], POLLIN, 0 };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		int left = ms - (int)((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			break;
		if (poll(&pfd, 1, left) == 1) {
			ck_assert_uint_lt(len, sizeof(buf));
			n = read(p[0], buf + len, sizeof(buf) - len);
			ck_assert_int_gt(n, 0);
			len += (size_t)n;
		}
	}
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status), "writer exited %d",
	    WEXITSTATUS(status));
	while ((n = read(p[0], buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	/* Whole lines only: a line cut by the kill was never published. */
	for (char *line = buf, *nl; (nl = memchr(line, '\n',
	    len - (size_t)(line - buf))) != NULL; line = nl + 1) {
		*nl = '\0';
		received_add(r, line);
	}
}

static int
crash_resume(void *arg, const struct delta *d, const char *session)
{
	struct received	*r = arg;
	char		*line = delta_to_json(d, session);

	ck_assert_ptr_nonnull(line);
	received_add(r, line);
	free(line);
	return 0;
}

static int
crash_compare(void *arg, const struct delta *d, const char *session)
{
	struct received	*r = arg;
	char		*line = delta_to_json(d, session);

	ck_assert_ptr_nonnull(line);
	ck_assert_msg(r->line[d->seq] != NULL, "seq %llu never received",
	    (unsigned long long)d->seq);
	ck_assert_str_eq(r->line[d->seq], line);
	free(line);
	return 0;
}

/* After a kill: sound file, contiguous log; resume with since. */
static void
crash_check(const char *path, struct received *r)
{
	struct store	*s;
	char		 err[512];

	ck_assert_msg(store_open(path, STORE_CHECK, &s, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_int_eq(store_check(s, 1, err, sizeof(err)), 0);
	ck_assert_uint_eq(fx_check_contiguous(s), store_last_seq(s));
	ck_assert_uint_le(r->max, store_last_seq(s));
	ck_assert_int_ge(store_deltas_since(s, r->max, 0, crash_resume, r, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(r->max, store_last_seq(s));
	ck_assert_int_eq(store_deltas_since(s, 0, 0, crash_compare, r, err,
	    sizeof(err)), (int)store_last_seq(s));
	store_close(s);
}

START_TEST(kill9_loses_nothing)
{
	char		*dir, *path;
	struct received	*r;
	unsigned	 seed = 7;

	/* Kills at random moments of a writer that valgrind slows 50-fold. */
	if (unit_timing_skipped("test-store-faults", "kill9_loses_nothing"))
		return;
	dir = fx_tmpdir();
	path = fx_path(dir, "p.db");
	r = calloc(1, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	for (int round = 0; round < CRASH_ROUNDS; round++) {
		crash_round(path, r, 5 + (int)(rand_r(&seed) % 60));
		crash_check(path, r);
	}
	ck_assert_int_gt(r->max, CRASH_ROUNDS);
	/* Every stored article has its deltas exactly once. */
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(*) FROM (SELECT "
	    "article_id FROM deltas GROUP BY article_id HAVING count(*) != 2)"),
	    0);
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(DISTINCT article_id) "
	    "FROM deltas"), fx_sql_int(path, "SELECT count(*) FROM articles"));
	ck_assert_int_eq(fx_sql_int(path, "SELECT count(DISTINCT session) "
	    "FROM deltas") > 1, 1);
	for (uint64_t i = 0; i <= r->max; i++)
		free(r->line[i]);
	free(r);
	free(path);
	fx_rmdir(dir);
}
END_TEST

static Suite *
faults_suite(void)
{
	Suite	*s = suite_create("store-faults");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, not_a_database);
	tcase_add_test(tc, damaged_database);
	tcase_add_test(tc, missing_and_directory);
	tcase_add_test(tc, read_only_file);
	tcase_add_test(tc, size_limit_full_then_recovers);
	tcase_add_test(tc, tmpfs_full_then_recovers);
	tcase_add_test(tc, write_error_then_recovers);
	tcase_add_test(tc, fsync_error_then_recovers);
	tcase_add_test(tc, deltas_are_fsynced_before_return);
	tcase_add_test(tc, kill9_loses_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	log_init("test-store-faults", LOG_LEVEL_WARN);
	return unit_run(faults_suite());
}
