/*
 * monotime.h: milliseconds on the monotonic clock, for deadlines and
 * intervals (the poller's schedule, the pending queue's retries,
 * pmsignalctl's timeouts); never for timestamps, which are wall time.
 */
#ifndef PM_MONOTIME_H
#define PM_MONOTIME_H

#include <stdint.h>

int64_t	monotime_ms(void);

#endif
