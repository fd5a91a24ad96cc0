/*
 * backtest-report.c: what a finished backtest writes: summary.json, the
 * chart and the table on stdout.  Numbers are rounded to 6 decimals
 * before printing, so the files are the same bytes on every run.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backtest.h"
#include "date.h"
#include "delta.h"

/* A score rounded to 6 decimals, or null when there is none. */
static cJSON *
report_number(double v)
{
	if (isnan(v) || isinf(v))
		return cJSON_CreateNull();
	return cJSON_CreateNumber(delta_round(v));
}

static int
report_add(cJSON *o, const char *key, cJSON *v)
{
	if (v == NULL)
		return -1;
	if (!cJSON_AddItemToObject(o, key, v)) {
		cJSON_Delete(v);
		return -1;
	}
	return 0;
}

/* {"brier": .., "log_loss": ..} */
static cJSON *
report_pair(const struct forecast *f)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || report_add(o, "brier", report_number(forecast_brier(f))) ||
	    report_add(o, "log_loss", report_number(forecast_log_loss(f)))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *
report_market(const struct backtest_market *m)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL ||
	    report_add(o, "id", cJSON_CreateString(m->id)) ||
	    report_add(o, "final_p", report_number(m->p)) ||
	    report_add(o, "resolution", m->resolution < 0 ? cJSON_CreateNull() :
	    cJSON_CreateNumber(m->resolution)) ||
	    report_add(o, "brier", report_number(forecast_brier(&m->fc))) ||
	    report_add(o, "log_loss", report_number(forecast_log_loss(&m->fc))) ||
	    report_add(o, "deltas", cJSON_CreateNumber((double)m->ndeltas))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/*
 * One row per bin: its range, how many samples fell in it, their mean p
 * and the share of them whose market resolved 1 (null when empty).
 */
static cJSON *
report_calibration(const struct calibration *c)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; a != NULL && i < FORECAST_BINS; i++) {
		const struct forecast_bin *b = &c->bins[i];
		cJSON	*o = cJSON_CreateObject();
		double	 n = (double)b->n;

		if (o == NULL || !cJSON_AddItemToArray(a, o) ||
		    report_add(o, "lo", report_number(b->lo)) ||
		    report_add(o, "hi", report_number(b->hi)) ||
		    report_add(o, "n", cJSON_CreateNumber(n)) ||
		    report_add(o, "mean_p", report_number(b->n ? b->sum_p / n : NAN)) ||
		    report_add(o, "observed", report_number(b->n ?
		    (double)b->hits / n : NAN))) {
			cJSON_Delete(a);
			return NULL;
		}
	}
	return a;
}

/* The whole summary.json document. */
static cJSON *
report_summary(const struct backtest *bt)
{
	cJSON	*o = cJSON_CreateObject(), *ms = cJSON_CreateArray();

	if (o == NULL || report_add(o, "markets", ms))
		goto fail;
	for (size_t i = 0; i < bt->nmarkets; i++) {
		cJSON *m = report_market(&bt->markets[i]);

		if (m == NULL || !cJSON_AddItemToArray(ms, m)) {
			cJSON_Delete(m);
			goto fail;
		}
	}
	if (report_add(o, "brier", report_number(forecast_brier(&bt->all))) ||
	    report_add(o, "log_loss", report_number(forecast_log_loss(&bt->all))) ||
	    report_add(o, "baseline_prior", report_pair(&bt->all_prior)) ||
	    report_add(o, "baseline_decay", report_pair(&bt->all_decay)) ||
	    report_add(o, "calibration", report_calibration(&bt->calib)))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

int
backtest_write_summary(const struct backtest *bt, FILE *fp)
{
	cJSON	*o = report_summary(bt);
	char	*text;
	int	 rc = -1;

	if (o == NULL)
		return -1;
	if ((text = cJSON_Print(o)) != NULL) {
		rc = fprintf(fp, "%s\n", text) < 0 || ferror(fp) ? -1 : 0;
		free(text);
	}
	cJSON_Delete(o);
	return rc;
}

/* "0.1234" or "-" for a score that does not exist. */
static const char *
report_fmt(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.4f", v);
	return buf;
}

/* How much better (lower) the model's score is than a baseline's. */
static void
report_versus(FILE *fp, const char *name, double model, double base)
{
	if (isnan(model) || isnan(base))
		return;
	if (model < base)
		fprintf(fp, "  beats %s (%.4f) by %.1f%%", name, base,
		    base > 0 ? 100.0 * (base - model) / base : 0.0);
	else
		fprintf(fp, "  does NOT beat %s (%.4f)", name, base);
}

void
backtest_print_table(const struct backtest *bt, FILE *fp)
{
	char	b1[16], b2[16], b3[16], b4[16];
	size_t	w = 6;
	double	brier = forecast_brier(&bt->all);

	for (size_t i = 0; i < bt->nmarkets; i++)
		if (strlen(bt->markets[i].id) > w)
			w = strlen(bt->markets[i].id);
	fprintf(fp, "%-*s  %7s  %7s  %6s  %7s  %7s  %7s  %8s\n", (int)w, "market",
	    "final_p", "outcome", "deltas", "brier", "prior", "decay", "log_loss");
	for (size_t i = 0; i < bt->nmarkets; i++) {
		const struct backtest_market *m = &bt->markets[i];

		fprintf(fp, "%-*s  %7.3f  %7s  %6zu  %7s  %7s  %7s  %8s\n", (int)w,
		    m->id, m->p, m->resolution == 1 ? "yes" :
		    m->resolution == 0 ? "no" : "-", m->ndeltas,
		    report_fmt(b1, sizeof(b1), forecast_brier(&m->fc)),
		    report_fmt(b2, sizeof(b2), forecast_brier(&m->fc_prior)),
		    report_fmt(b3, sizeof(b3), forecast_brier(&m->fc_decay)),
		    report_fmt(b4, sizeof(b4), forecast_log_loss(&m->fc)));
	}
	fprintf(fp, "%-*s  %7s  %7s  %6s  %7s  %7s  %7s  %8s\n", (int)w,
	    "all samples", "", "", "",
	    report_fmt(b1, sizeof(b1), brier),
	    report_fmt(b2, sizeof(b2), forecast_brier(&bt->all_prior)),
	    report_fmt(b3, sizeof(b3), forecast_brier(&bt->all_decay)),
	    report_fmt(b4, sizeof(b4), forecast_log_loss(&bt->all)));
	if (isnan(brier)) {
		fprintf(fp, "no resolved market was open during the backtest: "
		    "no scores\n");
		return;
	}
	fprintf(fp, "model Brier %.4f over %zu samples:", brier, bt->all.n);
	report_versus(fp, "prior", brier, forecast_brier(&bt->all_prior));
	report_versus(fp, "decay", brier, forecast_brier(&bt->all_decay));
	fputc('\n', fp);
}

/* A chart panel for one market: its open window, and a little after. */
static void
report_series(const struct backtest *bt, const struct backtest_market *m,
    struct chart_series *s)
{
	int64_t end = m->deadline != PM_TIME_NONE && m->deadline < bt->end ?
	    m->deadline : bt->end;

	memset(s, 0, sizeof(*s));
	s->id = m->id;
	s->question = m->question;
	s->start = m->opens > bt->start ? m->opens : bt->start;
	s->end = end + (end - s->start) / 40 + 1;
	s->deadline = m->deadline;
	s->prior = m->prior;
	s->resolution = m->resolution;
	s->brier = forecast_brier(&m->fc);
	s->brier_prior = forecast_brier(&m->fc_prior);
	s->brier_decay = forecast_brier(&m->fc_decay);
	s->model = m->model.pts;
	s->nmodel = m->model.n;
	s->decay = m->decay.pts;
	s->ndecay = m->decay.n;
	s->marks = m->marks;
	s->nmarks = m->nmarks;
}

int
backtest_write_chart(const struct backtest *bt, FILE *fp, const char *title)
{
	struct chart_series	*s;
	int			 rc;

	if ((s = calloc(bt->nmarkets ? bt->nmarkets : 1, sizeof(*s))) == NULL)
		return -1;
	for (size_t i = 0; i < bt->nmarkets; i++)
		report_series(bt, &bt->markets[i], &s[i]);
	rc = svgchart_write(fp, title, s, bt->nmarkets);
	free(s);
	return rc;
}
