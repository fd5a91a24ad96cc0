/*
 * monotime.h: milliseconds on the monotonic clock, for deadlines and
 * intervals (the poller's schedule, the pending queue's retries,
 * pmsignalctl's timeouts); never for timestamps, which are wall time.
 */
#ifndef PM_MONOTIME_H
#define PM_MONOTIME_H

#include <stdint.h>
#include <sys/time.h>

int64_t	monotime_ms(void);

/* A delay of ms milliseconds (>= 0) as the timeval evtimer_add() takes. */
static inline struct timeval
monotime_timeval(int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	return tv;
}

#endif
