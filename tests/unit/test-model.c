/*
 * test-model.c: hazard-rate and log-odds probabilities: the prior at the
 * opening, decay towards the deadline without news, evidence raising the
 * rate and fading with its half-life (p integrates the fading: checked
 * against numerical integration), saturating under a flood of news,
 * reports of the event done holding
 * the market up to the deadline, and bit-identical results for the same
 * inputs.
 */
#include <math.h>
#include <string.h>

#include "date.h"
#include "model.h"
#include "unit.h"

#define DAY	86400

static struct market
deadline_market(double prior)
{
	struct market m;

	memset(&m, 0, sizeof(m));
	m.kind = MARKET_DEADLINE;
	m.opens = 1000 * DAY;
	m.deadline = 1030 * DAY - 1;
	m.prior = prior;
	m.half_life = 7 * DAY;
	m.min_delta = 0.005;
	m.step_cap = 3.0;
	m.fact_scale = MARKET_FACT_SCALE;
	m.evidence_cap = MARKET_EVIDENCE_CAP;
	return m;
}

START_TEST(prior_at_opening_and_decay)
{
	struct market m = deadline_market(0.3);
	double p0, p10, p20, p29;

	p0 = model_p_no_news(&m, m.opens);
	ck_assert(fabs(p0 - 0.3) < 1e-12);
	p10 = model_p_no_news(&m, m.opens + 10 * DAY);
	p20 = model_p_no_news(&m, m.opens + 20 * DAY);
	p29 = model_p_no_news(&m, m.opens + 29 * DAY);
	ck_assert(p10 < p0 && p20 < p10 && p29 < p20);
	/* 1 - exp(-lambda * left): two thirds of the time left. */
	ck_assert(fabs(p10 - (1 - pow(0.7, (double)(20 * DAY - 1) /
	    (30 * DAY - 1)))) < 1e-12);
	ck_assert(model_p_no_news(&m, m.deadline) == 0.0);
	/* Outside [opens, deadline] the time is clamped. */
	ck_assert(model_p_no_news(&m, m.opens - DAY) == p0);
	ck_assert(model_p_no_news(&m, m.deadline + DAY) == 0.0);
}
END_TEST

/*
 * The integral the model computes in closed form, by Simpson's rule:
 * lambda0 * integral_0^left exp(e 2^(-s/h)) ds, as a probability.
 */
static double
numeric_p(const struct market *m, double e, int64_t now)
{
	double	 left = (double)(m->deadline - now), h = (double)m->half_life;
	double	 lambda0 = -log1p(-m->prior) / (double)(m->deadline - m->opens);
	double	 sum = 0.0, dx = left / 20000;

	for (int i = 0; i <= 20000; i++) {
		double f = exp(e * exp2(-(i * dx) / h));

		sum += f * (i == 0 || i == 20000 ? 1 : i % 2 ? 4 : 2);
	}
	return -expm1(-lambda0 * sum * dx / 3);
}

START_TEST(evidence_scales_the_rate_and_fades)
{
	struct market		m = deadline_market(0.1);
	struct model_state	st;
	int64_t			t = m.opens + 5 * DAY;
	double			before, after, later;

	model_init(&st);
	before = model_p(&m, &st, t);
	ck_assert(before == model_p_no_news(&m, t));
	model_add(&m, &st, 1.0, t);
	after = model_p(&m, &st, t);
	ck_assert(after > before);
	/*
	 * The rate is lambda0 * e^E(s) with E fading as it will: less than
	 * if E stayed (1 - (1 - p)^e), more than no news.
	 */
	ck_assert(after < 1 - pow(1 - before, exp(1.0)));
	ck_assert_msg(fabs(after - numeric_p(&m, st.evidence, t)) < 1e-9,
	    "%.12f %.12f", after, numeric_p(&m, st.evidence, t));
	/* One half-life later the evidence is worth half. */
	ck_assert(fabs(model_evidence(&m, &st, t + 7 * DAY) - st.evidence / 2) < 1e-12);
	later = model_p(&m, &st, t + 7 * DAY);
	ck_assert(later < after);
	ck_assert(later > model_p_no_news(&m, t + 7 * DAY));
	/* Negative evidence lowers it. */
	model_add(&m, &st, -3.0, t + 7 * DAY);
	ck_assert(model_p(&m, &st, t + 7 * DAY) < model_p_no_news(&m, t + 7 * DAY));
}
END_TEST

/* The closed form holds for every evidence the model can hold. */
START_TEST(fading_integral_closed_form)
{
	static const double es[] = { -30, -12, -5, -1.5, -1.0, -0.999, -0.3,
		1e-9, 0.2, 1.0, 2.0, 5.0, 12.0 };
	struct market m = deadline_market(0.2);
	struct model_state st;

	for (size_t i = 0; i < sizeof(es) / sizeof(es[0]); i++) {
		for (int d = 0; d < 30; d += 7) {
			int64_t	t = m.opens + d * DAY;
			double	p, q;

			model_init(&st);
			st.evidence = es[i];
			st.evidence_at = t;
			p = model_p(&m, &st, t);
			q = numeric_p(&m, es[i], t);
			ck_assert_msg(fabs(p - q) <= 1e-9 * (q > 1e-3 ? 1 : 0) + 1e-12 +
			    1e-7 * q, "e %g day %d: %.15g, numerically %.15g",
			    es[i], d, p, q);
		}
	}
}
END_TEST

/*
 * Evidence saturates at evidence_cap: a single article adds about its
 * weight, a hundred of the same kind do not add a hundred times, and news
 * the other way counts in full.
 */
START_TEST(evidence_saturates)
{
	struct market		m = deadline_market(0.1);
	struct model_state	st;
	int64_t			t = m.opens + DAY;

	m.evidence_cap = 2.0;
	model_init(&st);
	model_add(&m, &st, 0.3, t);
	ck_assert(fabs(st.evidence - 2 * (1 - exp(-0.15))) < 1e-15);
	ck_assert(st.evidence > 0.27 && st.evidence < 0.3);
	for (int i = 0; i < 100; i++)
		model_add(&m, &st, 1.0, t);
	ck_assert(st.evidence <= 2.0 && st.evidence > 1.99);
	/* The other way counts in full, back to 0 ... */
	model_add(&m, &st, -1.0, t);
	ck_assert(fabs(st.evidence - (2.0 - 1.0)) < 0.01);
	/* ... and past it saturates on the other side. */
	model_add(&m, &st, -1.5, t);
	ck_assert(st.evidence < 0 && st.evidence > -0.5);
	for (int i = 0; i < 100; i++)
		model_add(&m, &st, -3.0, t);
	ck_assert(st.evidence >= -2.0 && st.evidence < -1.99);
	/* A large cap is about plain addition. */
	m.evidence_cap = 30.0;
	model_init(&st);
	model_add(&m, &st, 0.5, t);
	model_add(&m, &st, 0.25, t);
	ck_assert(fabs(st.evidence - 0.75) < 0.01);
}
END_TEST

/*
 * A completed event: p = 1 - (1 - q) exp(-lambda * left) with q = 1 -
 * exp(-H).  It does not decay towards 0 as the deadline nears (the old
 * model's flaw: a signed agreement drifted back to 0), and it does not
 * fade with the half-life.
 */
START_TEST(happened_holds_to_the_deadline)
{
	struct market		m = deadline_market(0.5);
	struct model_state	st, rumour;
	struct model_input	in = { 0.0, 2.0 };
	int64_t			t = m.opens + 10 * DAY;
	double			q, p;

	m.fact_scale = 0.6;
	model_init(&st);
	model_init(&rumour);
	model_update(&m, &st, &in, t);
	q = 1.0 - exp(-1.2);
	ck_assert(fabs(model_happened(&st) - q) < 1e-12);
	ck_assert(st.evidence_at == PM_TIME_NONE);	/* nothing fades */
	p = model_p(&m, &st, t);
	ck_assert(fabs(p - (1 - (1 - q) * (1 - model_p_no_news(&m, t)))) < 1e-12);
	/* The same weight as rumour moves p up now, but fades and decays. */
	model_add(&m, &rumour, 2.0 * 0.6, t);
	ck_assert(model_p(&m, &rumour, t) > model_p_no_news(&m, t));
	ck_assert(model_p(&m, &rumour, m.deadline) == 0.0);
	/* The report holds: at the deadline and after it, p is q. */
	ck_assert(fabs(model_p(&m, &st, m.deadline) - q) < 1e-12);
	ck_assert(fabs(model_p(&m, &st, m.deadline + 30 * DAY) - q) < 1e-12);
	for (int64_t k = 0; k < 20; k++)
		ck_assert(model_p(&m, &st, t + k * DAY) >= q - 1e-12);
	/* More reports: nearer 1, never past it; clamped like E. */
	model_update(&m, &st, &in, t + DAY);
	ck_assert(model_happened(&st) > q);
	in.fact = 1e6;
	model_update(&m, &st, &in, t + 2 * DAY);
	ck_assert(st.happened == MODEL_EVIDENCE_MAX);
	ck_assert(model_p(&m, &st, m.deadline) <= 1.0);
	/* A negative fact part is not a report: it changes nothing. */
	model_init(&st);
	in.fact = -3.0;
	model_update(&m, &st, &in, t);
	ck_assert(st.happened == 0.0);
	ck_assert(model_p(&m, &st, t) == model_p_no_news(&m, t));
}
END_TEST

/* Rumour and fact parts of one article go to E and H respectively. */
START_TEST(update_splits_rumour_and_fact)
{
	struct market		m = deadline_market(0.1);
	struct model_state	a, b;
	struct model_input	in = { -0.5, 1.5 };
	int64_t			t = m.opens + 3 * DAY;

	m.fact_scale = 0.5;
	model_init(&a);
	model_init(&b);
	model_update(&m, &a, &in, t);
	model_add(&m, &b, -0.5, t);
	ck_assert(a.evidence == b.evidence && a.evidence_at == b.evidence_at);
	ck_assert(fabs(a.happened - 0.75) < 1e-12);
	/* With nothing happened, model_update of rumour is model_add. */
	in.fact = 0.0;
	model_update(&m, &b, &in, t + DAY);
	model_add(&m, &a, -0.5, t + DAY);
	ck_assert(a.evidence == b.evidence);
}
END_TEST

START_TEST(binary_log_odds)
{
	struct market		m = deadline_market(0.2);
	struct model_state	st;

	m.kind = MARKET_BINARY;
	m.deadline = PM_TIME_NONE;
	model_init(&st);
	ck_assert(fabs(model_p(&m, &st, m.opens + 100 * DAY) - 0.2) < 1e-12);
	m.evidence_cap = 30.0;		/* nearly plain addition ... */
	model_add(&m, &st, log(4.0), m.opens);
	st.evidence = log(4.0);		/* ... and exactly so */
	/* odds 0.25 * 4 = 1 */
	ck_assert(fabs(model_p(&m, &st, m.opens) - 0.5) < 1e-12);
	ck_assert(model_is_open(&m, m.opens + 5000 * DAY));
	ck_assert(!model_is_closed(&m, m.opens + 5000 * DAY));
	/* Happened: 1 - (1 - q)(1 - 0.5) with q = 1 - e^-1. */
	st.happened = 1.0;
	ck_assert(fabs(model_p(&m, &st, m.opens) - (1 - exp(-1.0) * 0.5)) < 1e-12);
}
END_TEST

START_TEST(open_and_closed)
{
	struct market m = deadline_market(0.5);

	ck_assert(!model_is_open(&m, m.opens - 1));
	ck_assert(model_is_open(&m, m.opens));
	ck_assert(model_is_open(&m, m.deadline));
	ck_assert(!model_is_open(&m, m.deadline + 1));
	ck_assert(model_is_closed(&m, m.deadline + 1));
	ck_assert(!model_is_closed(&m, m.deadline));
}
END_TEST

START_TEST(deterministic)
{
	struct market		m = deadline_market(0.12);
	struct model_state	a, b;
	double			pa[50], pb[50];

	model_init(&a);
	model_init(&b);
	for (int i = 0; i < 50; i++) {
		int64_t t = m.opens + i * 3600 * 11;

		struct model_input in = { (i % 7) * 0.3 - 0.8, (i % 5) * 0.2 };

		model_update(&m, &a, &in, t);
		model_update(&m, &b, &in, t);
		pa[i] = model_p(&m, &a, t + 1800);
		pb[i] = model_p(&m, &b, t + 1800);
	}
	ck_assert(memcmp(pa, pb, sizeof(pa)) == 0);
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("model");
	TCase	*tc = tcase_create("model");

	tcase_add_test(tc, prior_at_opening_and_decay);
	tcase_add_test(tc, evidence_scales_the_rate_and_fades);
	tcase_add_test(tc, fading_integral_closed_form);
	tcase_add_test(tc, evidence_saturates);
	tcase_add_test(tc, happened_holds_to_the_deadline);
	tcase_add_test(tc, update_splits_rumour_and_fact);
	tcase_add_test(tc, binary_log_odds);
	tcase_add_test(tc, open_and_closed);
	tcase_add_test(tc, deterministic);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
