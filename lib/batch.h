/*
 * batch.h: one burst of the live pipeline held in memory until the store
 * has it: the new articles (copies, with their SimHash), the deltas they
 * and the ticks gave (with their evidence), and the pipeline state at the
 * end of the burst.  batch_write() stores all of it in one durable
 * transaction; when that fails (disk full, I/O error) nothing is stored
 * and the same batch can be written again later, in order, with the seqs
 * it was already published under.
 */
#ifndef PM_BATCH_H
#define PM_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "article.h"
#include "pipeline.h"
#include "store.h"

/* Where batch_write() keeps the state (store "state" key and "meta" key). */
#define BATCH_STATE_KEY	"pipeline"
#define BATCH_TICK_KEY	"last_tick"

/* batch_write(): the store's last seq is not the one the seqs follow. */
#define BATCH_ESEQ	(-100)

struct batch_article {
	struct article	 a;		/* owned copies of every string */
	uint64_t	 simhash;
	size_t		 dfrom, dto;	/* its deltas: deltas.v[dfrom .. dto-1] */
};

struct batch {
	struct batch_article	*v;
	size_t			 n, cap;
	struct delta_list	 deltas;	/* the pipeline appends here */
	char			*state;		/* pipeline state text; NULL: keep */
	int64_t			 state_time;
	int64_t			 last_tick;	/* PM_TIME_NONE: keep */
	uint64_t		 first_seq;	/* seq of deltas.v[0]; 0: not given yet */
	size_t			 bytes;		/* memory held, about */
	struct batch		*next;		/* for the caller's queue */
};

/* A new empty batch, or NULL when out of memory. */
struct batch	*batch_new(void);
void		 batch_free(struct batch *);
/* No articles and no deltas. */
int		 batch_empty(const struct batch *);

/*
 * Keep a copy of article a, about to be scored: the deltas the pipeline
 * appends from now on are its own until batch_scored() records the end of
 * them and its SimHash.  0, or -1 when out of memory (nothing added).
 */
int		 batch_add_article(struct batch *, const struct article *a);
void		 batch_scored(struct batch *, uint64_t simhash);
/* The last article added. */
const struct batch_article *batch_last(const struct batch *);
/* Take the state text (malloc'd, owned from now on) and the tick time. */
void		 batch_set_state(struct batch *, char *state, int64_t now,
		    int64_t last_tick);
/*
 * Give the deltas seqs first, first + 1, ... and set first_seq: for a batch
 * published before it is stored.
 */
void		 batch_number(struct batch *, uint64_t first);
/* Recount bytes (after the pipeline appended deltas). */
void		 batch_account(struct batch *);

/*
 * Append src (which must follow dst: src->first_seq == dst->first_seq +
 * dst's deltas, when numbered) to dst and free src.  dst takes src's
 * state and tick.  0, or -1 when out of memory (both unchanged).
 */
int		 batch_merge(struct batch *dst, struct batch *src);

/*
 * Store everything in one durable transaction: the articles, each moved
 * market's evidence, the deltas (seqs from the store), the state and the
 * tick.  A numbered batch must follow the store's last seq exactly
 * (BATCH_ESEQ otherwise, nothing written).  STORE_OK when committed, or
 * the store's error with one line in err: nothing was stored and the
 * deltas keep the seqs they had (0 when not numbered).
 */
int		 batch_write(struct batch *, struct store *, char *err,
		    size_t errsize);

#endif
