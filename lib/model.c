/*
 * model.c: hazard-rate and log-odds probabilities with fading evidence and
 * a "happened" part that does not fade.  See model.h and docs/MODEL.md.
 */
#include <math.h>

#include "date.h"
#include "model.h"

void
model_init(struct model_state *st)
{
	st->evidence = 0.0;
	st->evidence_at = PM_TIME_NONE;
	st->happened = 0.0;
}

int
model_is_open(const struct market *m, int64_t now)
{
	return now >= m->opens &&
	    (m->deadline == PM_TIME_NONE || now <= m->deadline);
}

int
model_is_closed(const struct market *m, int64_t now)
{
	return m->deadline != PM_TIME_NONE && now > m->deadline;
}

double
model_evidence(const struct market *m, const struct model_state *st,
    int64_t now)
{
	double age;

	if (st->evidence_at == PM_TIME_NONE || st->evidence == 0.0)
		return 0.0;
	if (now <= st->evidence_at)
		return st->evidence;
	age = (double)(now - st->evidence_at);
	return st->evidence * exp2(-age / (double)m->half_life);
}

double
model_happened(const struct model_state *st)
{
	return -expm1(-st->happened);
}

static double
model_clamp_e(double e)
{
	if (e > MODEL_EVIDENCE_MAX)
		return MODEL_EVIDENCE_MAX;
	if (e < -MODEL_EVIDENCE_MAX)
		return -MODEL_EVIDENCE_MAX;
	return e;
}

/*
 * F(x) = integral from 0 to x of (e^u - 1) / u du = sum_k x^k / (k k!).
 * For x >= -1 the series (no cancellation); below, F(x) = -(E1(-x) +
 * ln(-x) + gamma), with the exponential integral E1 by its continued
 * fraction (converges fast for arguments > 1).  Deterministic: the same
 * operations in the same order for the same x.
 */
static double
model_fint(double x)
{
	double sum = 0.0, term = 1.0, y, b, c, d, h;

	if (x >= -1.0) {
		for (int k = 1; k < 400; k++) {
			term *= x / k;			/* x^k / k! */
			sum += term / k;
			if (fabs(term) <= 1e-17 * fabs(sum) && k > (int)fabs(x))
				break;
		}
		return sum;
	}
	y = -x;
	b = y + 1.0;
	c = 1.0 / 1e-300;
	d = 1.0 / b;
	h = d;
	for (int i = 1; i < 400; i++) {
		double an = -(double)i * i, del;

		b += 2.0;
		d = 1.0 / (an * d + b);
		c = b + an / c;
		del = c * d;
		h *= del;
		if (fabs(del - 1.0) < 1e-16)
			break;
	}
	return -(h * exp(-y) + log(y) + 0.57721566490153286061);
}

/*
 * The cumulative hazard from now to the deadline, in units of lambda0,
 * when evidence e fades with the half-life: the rate at time s from now
 * is lambda0 exp(e 2^(-s/h)), so
 *
 *   integral_0^left exp(e 2^(-s/h)) ds = left + tau (F(e) - F(e 2^(-left/h)))
 *
 * with tau = h / ln 2 (substitute u = e 2^(-s/h)).  Evidence speaks for the
 * weeks it lasts, not for all the months to the deadline: a rumour about
 * a market four months out moves it less than one a week out.
 */
static double
model_exposure(const struct market *m, double e, double left)
{
	double h = (double)m->half_life, tau = h / M_LN2;

	if (e == 0.0)
		return left;
	return left + tau * (model_fint(e) - model_fint(e * exp2(-left / h)));
}

/*
 * p for fading evidence e and happened-evidence h at now.  The event has
 * not happened yet with probability exp(-h); if not, it still comes before
 * the deadline at the hazard rate (or, for a binary market, with the
 * log-odds probability).  With e = h = 0 this is the no-news model.
 */
static double
model_p_eh(const struct market *m, double e, double h, int64_t now)
{
	double lambda0, span, left;

	if (m->kind == MARKET_BINARY) {
		double lo = log(m->prior / (1.0 - m->prior)) + e;
		double p = 1.0 / (1.0 + exp(-lo));

		return h > 0.0 ? 1.0 - exp(-h) * (1.0 - p) : p;
	}
	if (now < m->opens)
		now = m->opens;
	if (now > m->deadline)
		now = m->deadline;
	span = (double)(m->deadline - m->opens);
	left = (double)(m->deadline - now);
	lambda0 = -log1p(-m->prior) / span;
	return -expm1(-(h + lambda0 * model_exposure(m, e, left)));
}

double
model_p(const struct market *m, const struct model_state *st, int64_t now)
{
	return model_p_eh(m, model_evidence(m, st, now), st->happened, now);
}

double
model_p_no_news(const struct market *m, int64_t now)
{
	return model_p_eh(m, 0.0, 0.0, now);
}

/*
 * E + w with diminishing returns: news in the direction E already points
 * closes a part of the gap to the market's evidence_cap C,
 *
 *     |E'| = C (1 - (1 - |E|/C) exp(-|w|/C)),
 *
 * about |E| + |w| while E is small, never past C: a hundred outlets saying
 * that talks progress are not a hundred independent pieces of evidence.
 * News the other way counts in full back to 0; what is left of it past
 * 0 saturates the same way on the other side.
 */
static double
model_saturate(const struct market *m, double e, double w)
{
	double c = m->evidence_cap, a, r;

	if (!(c > 0.0))
		return model_clamp_e(e + w);
	if (e * w < 0.0) {
		if (fabs(w) <= fabs(e))
			return e + w;
		w += e;			/* what is left past 0 */
		e = 0.0;
	}
	a = fabs(e) / c;
	if (a > 1.0)
		a = 1.0;
	r = c * (1.0 - (1.0 - a) * exp(-fabs(w) / c));
	return (w < 0.0 || (w == 0.0 && e < 0.0)) ? -r : r;
}

void
model_add(const struct market *m, struct model_state *st, double w,
    int64_t now)
{
	double e = model_evidence(m, st, now);

	if (st->evidence_at != PM_TIME_NONE && now < st->evidence_at)
		now = st->evidence_at;
	st->evidence = model_saturate(m, e, w);
	st->evidence_at = now;
}

void
model_update(const struct market *m, struct model_state *st,
    const struct model_input *in, int64_t now)
{
	if (in->rumour != 0.0)
		model_add(m, st, in->rumour, now);
	if (in->fact > 0.0) {
		st->happened += in->fact * m->fact_scale;
		if (st->happened > MODEL_EVIDENCE_MAX)
			st->happened = MODEL_EVIDENCE_MAX;
	}
}
