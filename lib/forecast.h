/*
 * forecast.h: how good a stream of probability forecasts was, once the
 * outcome is known: Brier score, log loss and a 10-bin calibration table.
 * Used by the backtest; plain arithmetic, no I/O.
 *
 * Every probability is first rounded to 6 decimals (delta_round()), the
 * precision every output of pmsignal carries, so a score computed from
 * deltas.ndjson by hand matches the one in summary.json.
 */
#ifndef PM_FORECAST_H
#define PM_FORECAST_H

#include <stddef.h>

#define FORECAST_BINS		10
/* Log loss clamps p to [EPS, 1 - EPS]: a forecast of exactly 0 or 1 that
 * turns out wrong costs -ln(1e-6) = 13.8, not infinity. */
#define FORECAST_EPS		1e-6

/* Running Brier and log-loss sums of one series (one market, or all). */
struct forecast {
	size_t	 n;
	double	 brier_sum;
	double	 log_loss_sum;
};

struct forecast_bin {
	double	 lo, hi;	/* [lo, hi); the last bin includes 1.0 */
	size_t	 n;		/* forecasts in the bin */
	double	 sum_p;		/* their sum, for the mean forecast */
	size_t	 hits;		/* how many of them resolved 1 */
};

struct calibration {
	struct forecast_bin bins[FORECAST_BINS];
};

void	forecast_init(struct forecast *);
/* Add one forecast p of a question whose outcome is 0 or 1. */
void	forecast_add(struct forecast *, double p, int outcome);
/* Mean Brier score / log loss (natural log); NAN when n == 0. */
double	forecast_brier(const struct forecast *);
double	forecast_log_loss(const struct forecast *);

void	calibration_init(struct calibration *);
void	calibration_add(struct calibration *, double p, int outcome);
/* Bin of p: floor(10 p) on the 6-decimal p, 1.0 in the last bin. */
int	calibration_bin(double p);

#endif
