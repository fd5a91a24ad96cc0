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
 * p for fading evidence e and happened-evidence h at now.  The event has
 * not happened yet with probability exp(-h); if not, it still comes before
 * the deadline at the hazard rate (or, for a binary market, with the
 * log-odds probability).  With h = 0 this is exactly the plain model.
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
	return -expm1(-(h + lambda0 * exp(e) * left));
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

void
model_add(const struct market *m, struct model_state *st, double w,
    int64_t now)
{
	double e = model_evidence(m, st, now);

	if (st->evidence_at != PM_TIME_NONE && now < st->evidence_at)
		now = st->evidence_at;
	st->evidence = model_clamp_e(e + w);
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
