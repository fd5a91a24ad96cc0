/*
 * monotime.c: see monotime.h.
 */
#include <time.h>

#include "log.h"
#include "monotime.h"

int64_t
monotime_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail on Linux; if it did, every deadline
	 * would be wrong. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
