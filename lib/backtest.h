/*
 * backtest.h: replay an archive through the live pipeline with a virtual
 * clock, and score what it said against the known outcomes.
 *
 * The clock: articles are fed at their replay time (first_seen, else
 * published) with pipeline_article(); pipeline_tick() runs once at the
 * start and then at every tick boundary after it, the multiples of step
 * since the epoch (UTC), driven by lib/tickclock.h exactly as the daemon
 * does from a fresh database (docs/BACKTEST.md, "Tick alignment").  A
 * second pipeline over the same markets gets the ticks but no article: the
 * "decay" baseline (the model with no evidence).
 *
 * Scores are taken at every tick at which a market is open (opens <= t <=
 * deadline), for the markets with a resolution: Brier and log loss of the
 * model, of the prior held constant, and of the decay baseline, per market
 * and over all samples, and a 10-bin calibration table of the model.
 */
#ifndef PM_BACKTEST_H
#define PM_BACKTEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "archive.h"
#include "forecast.h"
#include "svgchart.h"

#define BACKTEST_SESSION	"backtest"	/* session id of backtest deltas */
#define BACKTEST_STEP		3600		/* default tick, seconds */

struct market_set;

/* Outcomes by market id (a resolutions file). */
struct resolutions {
	char	**ids;
	int	 *outcomes;	/* 1 happened, 0 did not */
	size_t	  n;
};

struct backtest_opts {
	int64_t	 from;		/* clock start; PM_TIME_NONE: from the data */
	int64_t	 until;		/* clock end; PM_TIME_NONE: from the data */
	int64_t	 step;		/* seconds between ticks, > 0 */
	int64_t	 dedup_window;	/* as the daemon's model.dedup_window */
	FILE	*deltas;	/* deltas.ndjson, or NULL */
	FILE	*trajectories;	/* trajectories.csv, or NULL */
	/* Called now and then with articles done / total; may be NULL. */
	void	(*progress)(void *arg, size_t done, size_t total);
	void	*progress_arg;
};

/* A growing list of (time, p) points. */
struct backtest_series {
	struct chart_point *pts;
	size_t		 n, cap;
};

struct backtest_market {
	char		*id;
	char		*question;
	int64_t		 opens, deadline;	/* deadline PM_TIME_NONE: none */
	double		 prior;
	int		 resolution;		/* 1, 0, or -1 when unknown */

	double		 p;			/* last published p, model */
	double		 p_decay;		/* same, decay baseline */
	int		 open, open_decay;	/* between OPEN and CLOSE deltas */
	int64_t		 row_t;			/* last trajectories.csv row */
	double		 row_p;
	size_t		 ndeltas;		/* model deltas published */
	struct backtest_series model, decay;	/* every change of p */
	struct chart_mark *marks;		/* article deltas */
	size_t		 nmarks, capmarks;

	struct forecast	 fc, fc_prior, fc_decay;	/* tick samples */
};

struct backtest {
	struct backtest_market *markets;	/* in market-set order */
	size_t		 nmarkets;
	int64_t		 start, end, step;	/* the clock actually run */
	size_t		 articles;		/* fed to the pipeline */
	size_t		 ticks;
	uint64_t	 seq;			/* last delta seq written */

	struct forecast	 all, all_prior, all_decay;	/* every sample */
	struct calibration calib;			/* of the model */
};

/*
 * Load a resolutions file: a JSON object mapping market id to 1 or 0.
 * Returns 0, or -1 with "FILE: JSON.PATH: problem" in err.
 */
int	 resolutions_load(const char *path, struct resolutions *out,
	    char *err, size_t errsize);
int	 resolutions_parse(const char *name, const char *text, size_t len,
	    struct resolutions *out, char *err, size_t errsize);
/* The outcome of id: 1, 0, or -1 when it has none. */
int	 resolutions_get(const struct resolutions *, const char *id);
void	 resolutions_free(struct resolutions *);

/*
 * Replay ar through fresh pipelines built from ms.  res may be NULL (no
 * scores).  Deltas go to opts->deltas as protocol lines (session
 * BACKTEST_SESSION, seq 1, 2, 3, ...), samples to opts->trajectories as
 * "market,time,p" rows.  Returns 0 and a new *out, or -1 with one line in
 * err (a pipeline or write error).  The same inputs give the same bytes.
 */
int	 backtest_run(const struct market_set *ms, const struct archive *ar,
	    const struct resolutions *res, const struct backtest_opts *opts,
	    struct backtest **out, char *err, size_t errsize);
void	 backtest_free(struct backtest *);

/* Outputs of a finished run (backtest-report.c). */
int	 backtest_write_summary(const struct backtest *, FILE *);
int	 backtest_write_chart(const struct backtest *, FILE *, const char *title);
void	 backtest_print_table(const struct backtest *, FILE *);

#endif
