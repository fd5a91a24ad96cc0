/*
 * store-checkpoint.c: WAL checkpoints off the caller's thread.  sqlite
 * normally copies the WAL back into the database inside the COMMIT that
 * crosses wal_autocheckpoint, with an fsync of each file: tens of
 * milliseconds on a busy disk, charged to whichever write (a batch, or a
 * retention step) happened to cross it, on the daemon's event loop.  A
 * writing handle instead gets a helper thread with its own connection:
 * the commit hook only wakes it, and it runs PASSIVE checkpoints (which
 * never wait for, nor block, the writer) on the other core.  The caller's
 * connection stays single-threaded; the two meet only in sqlite's file
 * locks, as two processes would.
 *
 * The writer starts the WAL over at its next transaction when a
 * checkpoint has caught up with it, which a writer committing back to
 * back (a burst of feeds, a retention backlog) may never allow: the WAL
 * then keeps growing while the thread keeps copying.  Past
 * STORE_CKPT_WRITER_PAGES the hook stops waking the thread and the writer
 * checkpoints itself once the thread is idle: it copies only what the
 * thread has not (about one commit), and the WAL starts over next.
 * Without a thread-safe sqlite, or if the thread cannot start, sqlite's
 * own autocheckpoint stays on.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store-int.h"

#define STORE_CKPT_WRITER_PAGES	(16 * STORE_CHECKPOINT_PAGES)	/* 16 MiB */

struct store_ckpt {
	sqlite3		*db;		/* the thread's own connection */
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 wanted;	/* a checkpoint is due */
	int		 stop;
};

/* The thread: wait until woken, checkpoint, repeat. */
static void *
store_ckpt_main(void *arg)
{
	struct store_ckpt *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->wanted = 0;
		pthread_mutex_unlock(&c->mu);
		/* Failures (disk full, I/O) are retried at the next wake-up. */
		(void)sqlite3_wal_checkpoint_v2(c->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/*
 * sqlite calls this after every commit with the WAL's size in frames (in
 * place of its autocheckpoint): wake the thread, or past
 * STORE_CKPT_WRITER_PAGES checkpoint here (SQLITE_BUSY at once, and again
 * at the next commit, while the thread is still copying).
 */
static int
store_ckpt_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_ckpt *c = arg;

	if (frames >= STORE_CKPT_WRITER_PAGES) {
		(void)sqlite3_wal_checkpoint_v2(db, name,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		return SQLITE_OK;
	}
	if (frames < STORE_CHECKPOINT_PAGES)
		return SQLITE_OK;
	pthread_mutex_lock(&c->mu);
	c->wanted = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	return SQLITE_OK;
}

/*
 * The thread's connection: the same file through sqlite's plain "unix" VFS
 * (not a wrapper a test may have made the default, whose injected faults
 * are meant for the caller's writes), with a small page cache.
 */
static int
store_ckpt_open(struct store *s, struct store_ckpt *c)
{
	const char *vfs = sqlite3_vfs_find("unix") != NULL ? "unix" : NULL;

	if (sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, vfs) != SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA cache_size = -256", NULL, NULL,
	    NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		c->db = NULL;
		return -1;
	}
	return 0;
}

void
store_ckpt_start(struct store *s)
{
	struct store_ckpt *c;

	if (!sqlite3_threadsafe() || (c = calloc(1, sizeof(*c))) == NULL)
		return;
	if (store_ckpt_open(s, c) == -1) {
		free(c);
		return;
	}
	if (pthread_mutex_init(&c->mu, NULL) != 0) {
		sqlite3_close(c->db);
		free(c);
		return;
	}
	if (pthread_cond_init(&c->cv, NULL) != 0 ||
	    pthread_create(&c->thread, NULL, store_ckpt_main, c) != 0) {
		log_warnx("%s: no checkpoint thread, checkpoints stay in "
		    "commits", s->path);
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		sqlite3_close(c->db);
		free(c);
		return;
	}
	s->ckpt = c;
	sqlite3_wal_hook(s->db, store_ckpt_hook, c);
}

/* Stop the thread (a checkpoint it is running finishes first). */
void
store_ckpt_stop(struct store *s)
{
	struct store_ckpt *c = s->ckpt;

	if (c == NULL)
		return;
	if (s->db != NULL)
		sqlite3_wal_hook(s->db, NULL, NULL);
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	if (sqlite3_close(c->db) != SQLITE_OK)
		log_warnx("%s: close: %s", s->path, sqlite3_errmsg(c->db));
	free(c);
	s->ckpt = NULL;
}
