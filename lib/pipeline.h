/*
 * pipeline.h: article + time -> deltas.  The one step both the live daemon
 * and the backtest call, so a backtest says exactly what the daemon would
 * have said.
 *
 *   pipeline_article(): near-duplicate check (SimHash) -> score every
 *       market in one pass -> model update -> one DELTA_ARTICLE per market
 *       that moved, with the article and its evidence.
 *   pipeline_tick(): called every `tick` seconds (config model.tick):
 *       markets opening (DELTA_OPEN), closing (DELTA_CLOSE), and decay
 *       (DELTA_DECAY) when p has drifted at least the market's min_delta
 *       from the last value published.
 *
 * Both first bring every market's open/closed status up to `now` (emitting
 * DELTA_OPEN/DELTA_CLOSE), so an article arriving between ticks never moves
 * a market that is not open.  Time is always an argument; the same calls
 * give the same deltas, bit for bit.  Every delta's prev is the last value
 * published for its market, so a subscriber's view of a market is a chain.
 *
 * The state (per market: status, last published p, evidence; the recent
 * SimHashes) exports to JSON text and imports back, so a restart continues
 * where it stopped.  docs/MODEL.md has the details.
 */
#ifndef PM_PIPELINE_H
#define PM_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "article.h"
#include "delta.h"
#include "market.h"

struct pipeline;

struct pipeline_opts {
	int64_t	 dedup_window;	/* seconds a near-duplicate moves nothing; 0: off */
	int	 dedup_distance;/* most differing SimHash bits; 0: SIMHASH_DEFAULT_DISTANCE */
};

/* A growable list of deltas the pipeline appends to. */
struct delta_list {
	struct delta	*v;
	size_t		 n, cap;
};

void	 delta_list_init(struct delta_list *);
void	 delta_list_clear(struct delta_list *);	/* frees the deltas, keeps the array */
void	 delta_list_free(struct delta_list *);

enum pipeline_status {
	PIPELINE_SCORED = 0,	/* scored; deltas for the markets it moved */
	PIPELINE_DUPLICATE,	/* a near-copy of dup_of: moved nothing */
	PIPELINE_FUTURE,	/* first_seen is after now: ignored, try later */
};

struct pipeline_result {
	enum pipeline_status status;
	uint64_t	 simhash;
	char		 dup_of[256];	/* id of the article it copies */
	int		 dup_distance;	/* differing bits */
	size_t		 evidence_markets;	/* markets with evidence */
	size_t		 moved;		/* DELTA_ARTICLE deltas appended */
};

/*
 * A pipeline over markets (which must outlive it).  Every market starts
 * pending; the first tick or article at or after its opening opens it.
 */
struct pipeline	*pipeline_new(const struct market_set *markets,
		    const struct pipeline_opts *opts, char *err, size_t errsize);
void		 pipeline_free(struct pipeline *);

/*
 * Feed one article at time now (its first_seen should be <= now; one from
 * the future is refused with PIPELINE_FUTURE and changes nothing).  Appends
 * deltas (seq 0) to out; res (may be NULL) says what happened.  Returns 0,
 * or -1 when out of memory.
 */
int	 pipeline_article(struct pipeline *, const struct article *a,
	    int64_t now, struct delta_list *out, struct pipeline_result *res);

/* Open, close and decay markets at now; appends deltas to out. 0 or -1. */
int	 pipeline_tick(struct pipeline *, int64_t now, struct delta_list *out);

enum pipeline_market_status {
	PM_PENDING = 0,		/* not open yet */
	PM_OPEN,
	PM_CLOSED,
};

struct pipeline_market {
	const struct market *market;
	enum pipeline_market_status status;
	double		 p;		/* model value at the time asked */
	double		 published;	/* last value published in a delta */
	int64_t		 published_at;	/* PM_TIME_NONE if never */
	double		 evidence;	/* faded evidence, log units */
	double		 happened;	/* probability it has already happened */
};

size_t	 pipeline_nmarkets(const struct pipeline *);
/* Market i as of now (now does not change the state). */
void	 pipeline_market_get(const struct pipeline *, size_t i, int64_t now,
	    struct pipeline_market *out);

/*
 * Version 2 added each market's "happened" (docs/MODEL.md); a version 1
 * state imports with it 0.
 */
#define PIPELINE_STATE_VERSION	2

/*
 * The state as JSON text (malloc'd; NULL when out of memory), and back.
 * Import before feeding anything; markets are matched by id: a market of
 * the state that is gone from the set is closed (DELTA_CLOSE) at the next
 * tick, a new market starts pending.  -1 with one line in err on bad text.
 */
char	*pipeline_export(const struct pipeline *);
/*
 * The per-market part of the state only: the daemon persists this after
 * every burst and restores the SimHash window from the articles it stored
 * (pipeline_remember), which keeps each state write small.
 */
char	*pipeline_export_markets(const struct pipeline *);
/* Add one article's SimHash, first seen at t, to the near-duplicate window. */
int	 pipeline_remember(struct pipeline *, uint64_t simhash, int64_t t,
	    const char *id);
int	 pipeline_import(struct pipeline *, const char *json, char *err,
	    size_t errsize);

#endif
