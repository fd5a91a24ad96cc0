/*
 * tickclock.h: when pipeline_tick() runs.  Ticks fall on the multiples of
 * step since the epoch (UTC): with step 3600, on every full hour.  The
 * backtest and the daemon both drive the pipeline with this clock, so a
 * replay ticks at exactly the times the live daemon did:
 *
 *	pipeline_tick(p, start, out);		// a fresh start ticks once
 *	tickclock_init(&tc, step, start + 1);	// then boundaries > start
 *	// before pipeline_article(p, a, now, ...), and in the timer callback:
 *	while (tickclock_due(&tc, now, &t))
 *		pipeline_tick(p, t, out);	// t, never the wall clock
 *	// arm the timer for tickclock_next(&tc)
 *
 * A tick at the same second as an article runs first.  A late timer, or a
 * process that slept, catches up every missed boundary in order.
 */
#ifndef PM_TICKCLOCK_H
#define PM_TICKCLOCK_H

#include <stdint.h>

struct tickclock {
	int64_t	 step;		/* seconds, > 0 */
	int64_t	 next;		/* the next boundary not yet ticked */
};

/* The least multiple of step that is >= t. */
int64_t	tickclock_align(int64_t t, int64_t step);

/* Start a clock whose first tick is the first boundary at or after start. */
void	tickclock_init(struct tickclock *, int64_t step, int64_t start);

/*
 * If a boundary <= now has not been ticked, set *t to the earliest one,
 * advance past it and return 1; else return 0.
 */
int	tickclock_due(struct tickclock *, int64_t now, int64_t *t);

/* The next boundary to tick (for arming a timer). */
int64_t	tickclock_next(const struct tickclock *);

#endif
