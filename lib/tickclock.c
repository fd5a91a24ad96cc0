/*
 * tickclock.c: tick boundaries on multiples of the step since the epoch.
 */
#include "tickclock.h"

int64_t
tickclock_align(int64_t t, int64_t step)
{
	int64_t q = t / step;		/* C truncates toward zero */

	if (t % step > 0)
		q++;
	return q * step;
}

void
tickclock_init(struct tickclock *tc, int64_t step, int64_t start)
{
	tc->step = step > 0 ? step : 1;
	tc->next = tickclock_align(start, tc->step);
}

int
tickclock_due(struct tickclock *tc, int64_t now, int64_t *t)
{
	if (tc->next > now)
		return 0;
	*t = tc->next;
	tc->next += tc->step;
	return 1;
}

int64_t
tickclock_next(const struct tickclock *tc)
{
	return tc->next;
}
