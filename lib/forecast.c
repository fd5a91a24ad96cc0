/*
 * forecast.c: Brier score, log loss and calibration bins.
 */
#include <math.h>

#include "delta.h"
#include "forecast.h"

void
forecast_init(struct forecast *f)
{
	f->n = 0;
	f->brier_sum = 0;
	f->log_loss_sum = 0;
}

void
forecast_add(struct forecast *f, double p, int outcome)
{
	double	y = outcome ? 1.0 : 0.0, q;

	p = delta_round(p);
	/* q: the probability given to what happened, clamped. */
	q = fmin(fmax(outcome ? p : 1.0 - p, FORECAST_EPS), 1.0 - FORECAST_EPS);
	f->n++;
	f->brier_sum += (p - y) * (p - y);
	f->log_loss_sum += -log(q);
}

double
forecast_brier(const struct forecast *f)
{
	return f->n == 0 ? NAN : f->brier_sum / (double)f->n;
}

double
forecast_log_loss(const struct forecast *f)
{
	return f->n == 0 ? NAN : f->log_loss_sum / (double)f->n;
}

void
calibration_init(struct calibration *c)
{
	for (int i = 0; i < FORECAST_BINS; i++) {
		c->bins[i].lo = (double)i / FORECAST_BINS;
		c->bins[i].hi = (double)(i + 1) / FORECAST_BINS;
		c->bins[i].n = 0;
		c->bins[i].sum_p = 0;
		c->bins[i].hits = 0;
	}
}

/*
 * Work in millionths so that 0.3 lands in bin 3 whatever the binary
 * rounding of 0.3 * 10 is.
 */
int
calibration_bin(double p)
{
	long long	micro = llround(delta_round(p) * 1e6);
	long long	width = 1000000 / FORECAST_BINS;

	if (micro < 0)
		return 0;
	if (micro >= 1000000)
		return FORECAST_BINS - 1;
	return (int)(micro / width);
}

void
calibration_add(struct calibration *c, double p, int outcome)
{
	struct forecast_bin *b = &c->bins[calibration_bin(p)];

	b->n++;
	b->sum_p += delta_round(p);
	b->hits += outcome ? 1 : 0;
}
