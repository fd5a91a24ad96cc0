/*
 * test-forecast.c: Brier score, log loss and calibration bins against
 * values worked out by hand.
 */
#include <math.h>

#include "forecast.h"
#include "unit.h"

#define near(a, b)	ck_assert_msg(fabs((a) - (b)) < 1e-12, \
			    "%.17g != %.17g", (double)(a), (double)(b))

START_TEST(brier_and_log_loss)
{
	struct forecast f;

	forecast_init(&f);
	ck_assert(isnan(forecast_brier(&f)));
	ck_assert(isnan(forecast_log_loss(&f)));
	forecast_add(&f, 0.2, 1);	/* (0.8)^2 = 0.64, -ln 0.2 */
	forecast_add(&f, 0.9, 1);	/* 0.01, -ln 0.9 */
	forecast_add(&f, 0.3, 0);	/* 0.09, -ln 0.7 */
	ck_assert_uint_eq(f.n, 3);
	near(forecast_brier(&f), 0.74 / 3);
	/* 1.6094379124341003 + 0.10536051565782628 + 0.35667494393873245 */
	near(forecast_log_loss(&f), 2.0714733720306590 / 3);
}
END_TEST

START_TEST(certain_forecasts_are_clamped)
{
	struct forecast f;

	forecast_init(&f);
	forecast_add(&f, 0.0, 1);	/* wrong and certain: -ln 1e-6 */
	near(forecast_brier(&f), 1.0);
	near(forecast_log_loss(&f), 13.815510557964274);
	forecast_init(&f);
	forecast_add(&f, 1.0, 1);	/* right and certain: -ln(1 - 1e-6) */
	near(forecast_brier(&f), 0.0);
	ck_assert(forecast_log_loss(&f) > 0.99e-6 && forecast_log_loss(&f) < 1.01e-6);
	forecast_init(&f);
	forecast_add(&f, 1.0, 0);
	near(forecast_log_loss(&f), 13.815510557964274);
}
END_TEST

START_TEST(probabilities_are_rounded_like_outputs)
{
	struct forecast f;

	/* 0.1234564 is published as 0.123456: score what was published. */
	forecast_init(&f);
	forecast_add(&f, 0.1234564, 0);
	near(forecast_brier(&f), 0.123456 * 0.123456);
}
END_TEST

START_TEST(calibration_bins)
{
	struct calibration c;

	ck_assert_int_eq(calibration_bin(0.0), 0);
	ck_assert_int_eq(calibration_bin(0.099999), 0);
	ck_assert_int_eq(calibration_bin(0.0999999), 1);	/* rounds to 0.1 */
	ck_assert_int_eq(calibration_bin(0.1), 1);
	ck_assert_int_eq(calibration_bin(0.3), 3);
	ck_assert_int_eq(calibration_bin(0.7), 7);
	ck_assert_int_eq(calibration_bin(0.999999), 9);
	ck_assert_int_eq(calibration_bin(1.0), 9);
	calibration_init(&c);
	near(c.bins[3].lo, 0.3);
	near(c.bins[3].hi, 0.4);
	calibration_add(&c, 0.32, 1);
	calibration_add(&c, 0.38, 0);
	calibration_add(&c, 0.35, 0);
	calibration_add(&c, 1.0, 1);
	ck_assert_uint_eq(c.bins[3].n, 3);
	ck_assert_uint_eq(c.bins[3].hits, 1);
	near(c.bins[3].sum_p / c.bins[3].n, 0.35);
	ck_assert_uint_eq(c.bins[9].n, 1);
	ck_assert_uint_eq(c.bins[9].hits, 1);
	ck_assert_uint_eq(c.bins[0].n, 0);
}
END_TEST

static Suite *
forecast_suite(void)
{
	Suite	*s = suite_create("forecast");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, brier_and_log_loss);
	tcase_add_test(tc, certain_forecasts_are_clamped);
	tcase_add_test(tc, probabilities_are_rounded_like_outputs);
	tcase_add_test(tc, calibration_bins);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(forecast_suite());
}
