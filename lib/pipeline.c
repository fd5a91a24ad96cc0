/*
 * pipeline.c: dedup -> score -> model -> deltas.  See pipeline.h and
 * docs/MODEL.md.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "jsonv.h"
#include "model.h"
#include "pipeline.h"
#include "score.h"
#include "simhash.h"
#include "text.h"

struct pstate {
	enum pipeline_market_status status;
	double		 published;
	int64_t		 published_at;
	struct model_state model;
};

/* A market of an imported state that the current set no longer has. */
struct gone {
	char		*id;
	double		 published;
};

struct pipeline {
	const struct market_set *set;
	struct pipeline_opts opts;
	struct scorer	*scorer;
	struct text	 text;
	struct pstate	*st;
	struct simhash_index recent;
	struct gone	*gone;
	size_t		 ngone;
};

static const char *const status_names[] = { "pending", "open", "closed" };

/* ------------------------------------------------------------ delta lists */

void
delta_list_init(struct delta_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
delta_list_clear(struct delta_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		delta_free(&l->v[i]);
	l->n = 0;
}

void
delta_list_free(struct delta_list *l)
{
	delta_list_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Room for one more delta, zeroed; NULL when out of memory. */
static struct delta *
delta_list_next(struct delta_list *l)
{
	struct delta *d;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;

		if ((d = realloc(l->v, cap * sizeof(*d))) == NULL)
			return NULL;
		l->v = d;
		l->cap = cap;
	}
	d = &l->v[l->n];
	memset(d, 0, sizeof(*d));
	d->article_published = d->article_first_seen = PM_TIME_NONE;
	return d;
}

static int
pl_dup(char **dst, const char *src)
{
	if (src == NULL)
		return 0;
	return (*dst = strdup(src)) != NULL ? 0 : -1;
}

/*
 * Append a delta.  evidence (malloc'd JSON or NULL) is taken over, also
 * on failure.
 */
static int
pl_push(struct delta_list *out, const char *market, enum delta_cause cause,
    int64_t now, double prev, double p, const struct article *a,
    char *evidence)
{
	struct delta *d = delta_list_next(out);

	if (d == NULL) {
		free(evidence);
		return -1;
	}
	d->ts = now;
	d->prev = prev;
	d->p = p;
	d->cause = cause;
	d->evidence = evidence;
	out->n++;
	if (pl_dup(&d->market, market) == -1)
		return -1;
	if (a == NULL)
		return 0;
	if (pl_dup(&d->article_id, a->id != NULL ? a->id : "") == -1 ||
	    pl_dup(&d->article_title, a->title) == -1 ||
	    pl_dup(&d->article_url, a->url) == -1 ||
	    pl_dup(&d->article_source, a->source) == -1)
		return -1;
	d->article_published = a->published;
	d->article_first_seen = a->first_seen;
	return 0;
}

/* ------------------------------------------------------------ life cycle */

struct pipeline *
pipeline_new(const struct market_set *set, const struct pipeline_opts *opts,
    char *err, size_t errsize)
{
	struct pipeline *p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errsize, "pipeline: out of memory");
		return NULL;
	}
	p->set = set;
	if (opts != NULL)
		p->opts = *opts;
	if (p->opts.dedup_distance <= 0)
		p->opts.dedup_distance = SIMHASH_DEFAULT_DISTANCE;
	text_init(&p->text);
	simhash_index_init(&p->recent);
	if ((p->st = calloc(set->nmarkets + 1, sizeof(*p->st))) == NULL) {
		snprintf(err, errsize, "pipeline: out of memory");
		pipeline_free(p);
		return NULL;
	}
	for (size_t i = 0; i < set->nmarkets; i++) {
		p->st[i].status = PM_PENDING;
		p->st[i].published = set->markets[i].prior;
		p->st[i].published_at = PM_TIME_NONE;
		model_init(&p->st[i].model);
	}
	if ((p->scorer = scorer_new(set, err, errsize)) == NULL) {
		pipeline_free(p);
		return NULL;
	}
	text_set_prefixes(&p->text, scorer_prefix_mask(p->scorer));
	return p;
}

static void
pl_free_gone(struct pipeline *p)
{
	for (size_t i = 0; i < p->ngone; i++)
		free(p->gone[i].id);
	free(p->gone);
	p->gone = NULL;
	p->ngone = 0;
}

void
pipeline_free(struct pipeline *p)
{
	if (p == NULL)
		return;
	scorer_free(p->scorer);
	text_free(&p->text);
	simhash_index_free(&p->recent);
	pl_free_gone(p);
	free(p->st);
	free(p);
}

/* ----------------------------------------------------------------- time */

/* Open and close markets as of now; close markets gone from the set. */
static int
pl_advance(struct pipeline *p, int64_t now, struct delta_list *out)
{
	for (size_t i = 0; i < p->set->nmarkets; i++) {
		const struct market	*m = &p->set->markets[i];
		struct pstate		*s = &p->st[i];

		if (s->status == PM_PENDING && now >= m->opens) {
			double v = model_p(m, &s->model, now);

			if (pl_push(out, m->id, DELTA_OPEN, now, m->prior, v,
			    NULL, NULL) == -1)
				return -1;
			s->status = PM_OPEN;
			s->published = v;
			s->published_at = now;
		}
		if (s->status == PM_OPEN && model_is_closed(m, now)) {
			if (pl_push(out, m->id, DELTA_CLOSE, now, s->published,
			    s->published, NULL, NULL) == -1)
				return -1;
			s->status = PM_CLOSED;
			s->published_at = now;
		}
	}
	for (size_t i = 0; i < p->ngone; i++)
		if (pl_push(out, p->gone[i].id, DELTA_CLOSE, now,
		    p->gone[i].published, p->gone[i].published, NULL, NULL) == -1)
			return -1;
	pl_free_gone(p);
	return 0;
}

int
pipeline_tick(struct pipeline *p, int64_t now, struct delta_list *out)
{
	if (pl_advance(p, now, out) == -1)
		return -1;
	for (size_t i = 0; i < p->set->nmarkets; i++) {
		const struct market	*m = &p->set->markets[i];
		struct pstate		*s = &p->st[i];
		double			 v;

		if (s->status != PM_OPEN)
			continue;
		v = model_p(m, &s->model, now);
		if (fabs(v - s->published) < m->min_delta)
			continue;
		if (pl_push(out, m->id, DELTA_DECAY, now, s->published, v,
		    NULL, NULL) == -1)
			return -1;
		s->published = v;
		s->published_at = now;
	}
	return 0;
}

/* --------------------------------------------------------------- articles */

/* Is the prepared text a near-copy of a recent one?  Remember it if not. */
static int
pl_dedup(struct pipeline *p, const struct article *a, int64_t now,
    struct pipeline_result *res)
{
	const struct simhash_entry *e;

	res->simhash = simhash_text(&p->text);
	if (p->opts.dedup_window <= 0 || res->simhash == 0)
		return 0;
	simhash_index_expire(&p->recent, now, p->opts.dedup_window);
	e = simhash_index_find(&p->recent, res->simhash, now,
	    p->opts.dedup_window, p->opts.dedup_distance);
	if (e != NULL) {
		res->status = PIPELINE_DUPLICATE;
		snprintf(res->dup_of, sizeof(res->dup_of), "%s", e->id);
		res->dup_distance = simhash_distance(res->simhash, e->hash);
		return 1;
	}
	if (simhash_index_add(&p->recent, res->simhash, now, a->id) == -1)
		return -1;
	return 0;
}

/*
 * Apply the scorer's evidence to the open markets, split into what the
 * article reports as done and the rest (model_input_get()); one delta per
 * move.
 */
static int
pl_apply(struct pipeline *p, const struct article *a, int64_t now,
    struct delta_list *out, struct pipeline_result *res)
{
	const uint32_t	*touched;
	size_t		 n = scorer_touched(p->scorer, &touched);

	res->evidence_markets = n;
	for (size_t i = 0; i < n; i++) {
		const struct market	*m = &p->set->markets[touched[i]];
		struct pstate		*s = &p->st[touched[i]];
		struct model_input	 in;
		double			 v;
		char			*ev;

		if (s->status != PM_OPEN || scorer_total(p->scorer,
		    touched[i]) == 0.0)
			continue;
		if (model_input_get(p->scorer, p->set, touched[i], &in) == -1)
			return -1;
		model_update(m, &s->model, &in, now);
		v = model_p(m, &s->model, now);
		if (delta_round(v) == delta_round(s->published))
			continue;
		if ((ev = scorer_evidence_json(p->scorer, &p->text,
		    touched[i])) == NULL)
			return -1;
		if (pl_push(out, m->id, DELTA_ARTICLE, now, s->published, v, a,
		    ev) == -1)
			return -1;
		s->published = v;
		s->published_at = now;
		res->moved++;
	}
	return 0;
}

int
pipeline_article(struct pipeline *p, const struct article *a, int64_t now,
    struct delta_list *out, struct pipeline_result *resp)
{
	struct pipeline_result	 local = { .status = PIPELINE_SCORED };
	struct pipeline_result	*res = resp != NULL ? resp : &local;
	double			 cred = a->credibility;
	int			 r;

	memset(res, 0, sizeof(*res));
	if (a->first_seen != PM_TIME_NONE && a->first_seen > now) {
		res->status = PIPELINE_FUTURE;
		return 0;
	}
	if (pl_advance(p, now, out) == -1 ||
	    text_prepare(&p->text, a->title, a->text) == -1)
		return -1;
	if ((r = pl_dedup(p, a, now, res)) != 0)
		return r < 0 ? -1 : 0;
	if (!(cred >= 0.0))
		cred = 0.0;
	if (cred > 1.0)
		cred = 1.0;
	if (scorer_run(p->scorer, &p->text, cred) == -1)
		return -1;
	return pl_apply(p, a, now, out, res);
}

/* ---------------------------------------------------------------- queries */

size_t
pipeline_nmarkets(const struct pipeline *p)
{
	return p->set->nmarkets;
}

void
pipeline_market_get(const struct pipeline *p, size_t i, int64_t now,
    struct pipeline_market *out)
{
	const struct market	*m = &p->set->markets[i];
	const struct pstate	*s = &p->st[i];

	out->market = m;
	out->status = s->status;
	out->published = s->published;
	out->published_at = s->published_at;
	out->evidence = model_evidence(m, &s->model, now);
	out->happened = model_happened(&s->model);
	if (s->status == PM_OPEN && !model_is_closed(m, now))
		out->p = model_p(m, &s->model, now);
	else
		out->p = s->published;
}

/* ------------------------------------------------------------ persistence */

static int
pl_add_time(cJSON *o, const char *key, int64_t t)
{
	if (t == PM_TIME_NONE)
		return cJSON_AddNullToObject(o, key) != NULL ? 0 : -1;
	return cJSON_AddNumberToObject(o, key, (double)t) != NULL ? 0 : -1;
}

static int
pl_export_markets(const struct pipeline *p, cJSON *root)
{
	cJSON *arr = cJSON_AddArrayToObject(root, "markets"), *o;

	if (arr == NULL)
		return -1;
	for (size_t i = 0; i < p->set->nmarkets; i++) {
		const struct pstate *s = &p->st[i];

		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "id", p->set->markets[i].id) ||
		    !cJSON_AddStringToObject(o, "status", status_names[s->status]) ||
		    !cJSON_AddNumberToObject(o, "published", s->published) ||
		    pl_add_time(o, "published_at", s->published_at) == -1 ||
		    !cJSON_AddNumberToObject(o, "evidence", s->model.evidence) ||
		    pl_add_time(o, "evidence_at", s->model.evidence_at) == -1 ||
		    !cJSON_AddNumberToObject(o, "happened", s->model.happened))
			return -1;
	}
	for (size_t i = 0; i < p->ngone; i++) {
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "id", p->gone[i].id) ||
		    !cJSON_AddStringToObject(o, "status", "open") ||
		    !cJSON_AddNumberToObject(o, "published", p->gone[i].published) ||
		    !cJSON_AddNullToObject(o, "published_at") ||
		    !cJSON_AddNumberToObject(o, "evidence", 0) ||
		    !cJSON_AddNullToObject(o, "evidence_at") ||
		    !cJSON_AddNumberToObject(o, "happened", 0))
			return -1;
	}
	return 0;
}

static int
pl_export_recent(const struct pipeline *p, cJSON *root)
{
	cJSON	*arr = cJSON_AddArrayToObject(root, "recent"), *o;
	char	 hex[24];

	if (arr == NULL)
		return -1;
	for (size_t i = 0; i < p->recent.n; i++) {
		const struct simhash_entry *e = &p->recent.v[i];

		snprintf(hex, sizeof(hex), "%016" PRIx64, e->hash);
		if ((o = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "hash", hex) ||
		    !cJSON_AddNumberToObject(o, "t", (double)e->t) ||
		    !cJSON_AddStringToObject(o, "id", e->id))
			return -1;
	}
	return 0;
}

static char *
pl_export(const struct pipeline *p, int with_recent)
{
	cJSON	*root;
	char	*out = NULL;

	if ((root = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddNumberToObject(root, "version", PIPELINE_STATE_VERSION) != NULL &&
	    pl_export_markets(p, root) == 0 &&
	    (!with_recent || pl_export_recent(p, root) == 0))
		out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

char *
pipeline_export(const struct pipeline *p)
{
	return pl_export(p, 1);
}

char *
pipeline_export_markets(const struct pipeline *p)
{
	return pl_export(p, 0);
}

int
pipeline_remember(struct pipeline *p, uint64_t simhash, int64_t t,
    const char *id)
{
	if (simhash == 0)
		return 0;
	return simhash_index_add(&p->recent, simhash, t, id);
}

/* An epoch-seconds member that may be null. */
static int
pl_import_time(struct jsonv *jv, const cJSON *o, const char *path,
    const char *key, int64_t *out)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsNull(m)) {
		*out = PM_TIME_NONE;
		return 0;
	}
	return jsonv_int(jv, o, path, key, 1, -(1LL << 52), 1LL << 52, out);
}

static int
pl_import_market(struct pipeline *p, struct jsonv *jv, const cJSON *o,
    const char *path)
{
	const char	*id = NULL, *status = NULL;
	struct pstate	 s;
	long		 idx;
	int		 k;

	memset(&s, 0, sizeof(s));
	if (jsonv_string(jv, o, path, "id", 1, 64, &id) == -1 ||
	    jsonv_string(jv, o, path, "status", 1, 16, &status) == -1 ||
	    jsonv_number(jv, o, path, "published", 1, 0.0, 1.0,
	    &s.published) == -1 ||
	    pl_import_time(jv, o, path, "published_at", &s.published_at) == -1 ||
	    jsonv_number(jv, o, path, "evidence", 1, -MODEL_EVIDENCE_MAX,
	    MODEL_EVIDENCE_MAX, &s.model.evidence) == -1 ||
	    pl_import_time(jv, o, path, "evidence_at", &s.model.evidence_at) == -1 ||
	    jsonv_number(jv, o, path, "happened", 0, 0.0, MODEL_EVIDENCE_MAX,
	    &s.model.happened) == -1)
		return -1;
	for (k = 0; k < 3; k++)
		if (strcmp(status, status_names[k]) == 0)
			break;
	if (k == 3)
		return jsonv_fail(jv, path, "status '%s' is not pending, open "
		    "or closed", status);
	s.status = (enum pipeline_market_status)k;
	if ((idx = market_set_index(p->set, id)) >= 0) {
		p->st[idx] = s;
		return 0;
	}
	if (s.status != PM_OPEN)
		return 0;
	/* Open in the state, gone from the markets: close it next time. */
	{
		struct gone *g = realloc(p->gone, (p->ngone + 1) * sizeof(*g));

		if (g == NULL)
			return jsonv_fail(jv, path, "out of memory");
		p->gone = g;
		if ((g[p->ngone].id = strdup(id)) == NULL)
			return jsonv_fail(jv, path, "out of memory");
		g[p->ngone++].published = s.published;
	}
	return 0;
}

static int
pl_import_recent(struct pipeline *p, struct jsonv *jv, const cJSON *o,
    const char *path)
{
	const char	*hex = NULL, *id = NULL;
	int64_t		 t;
	uint64_t	 h;
	char		*end;

	if (jsonv_string(jv, o, path, "hash", 1, 16, &hex) == -1 ||
	    jsonv_string(jv, o, path, "id", 1, 4096, &id) == -1 ||
	    jsonv_int(jv, o, path, "t", 1, -(1LL << 52), 1LL << 52, &t) == -1)
		return -1;
	h = strtoull(hex, &end, 16);
	if (*hex == '\0' || *end != '\0')
		return jsonv_fail(jv, path, "hash '%s' is not hexadecimal", hex);
	if (simhash_index_add(&p->recent, h, t, id) == -1)
		return jsonv_fail(jv, path, "out of memory");
	return 0;
}

/*
 * The state's version: 1 (before "happened", which then reads as 0) or
 * 2; absent means 1.  A newer one is refused rather than misread.
 */
static int
pl_import_version(struct jsonv *jv, const cJSON *root)
{
	int64_t v = 1;

	if (jsonv_int(jv, root, "(top level)", "version", 0, 1, 1000, &v) == -1)
		return -1;
	if (v > PIPELINE_STATE_VERSION)
		return jsonv_fail(jv, "version", "%lld is newer than this "
		    "pmsignald understands (%d)", (long long)v,
		    PIPELINE_STATE_VERSION);
	return 0;
}

int
pipeline_import(struct pipeline *p, const char *json, char *err,
    size_t errsize)
{
	struct jsonv	 jv;
	cJSON		*root;
	const cJSON	*arr, *o;
	char		 path[64];
	int		 i;

	jsonv_init(&jv, "pipeline state");
	if ((root = jsonv_parse(&jv, json, strlen(json))) == NULL)
		goto fail;
	if (jsonv_object(&jv, root, "(top level)") == -1 ||
	    pl_import_version(&jv, root) == -1)
		goto fail;
	arr = cJSON_GetObjectItemCaseSensitive(root, "markets");
	if (jsonv_array(&jv, arr, "markets") == -1)
		goto fail;
	i = 0;
	cJSON_ArrayForEach(o, arr) {
		jsonv_path_index(path, sizeof(path), "markets", i++);
		if (jsonv_object(&jv, o, path) == -1 ||
		    pl_import_market(p, &jv, o, path) == -1)
			goto fail;
	}
	arr = cJSON_GetObjectItemCaseSensitive(root, "recent");
	if (arr != NULL) {
		if (jsonv_array(&jv, arr, "recent") == -1)
			goto fail;
		i = 0;
		cJSON_ArrayForEach(o, arr) {
			jsonv_path_index(path, sizeof(path), "recent", i++);
			if (jsonv_object(&jv, o, path) == -1 ||
			    pl_import_recent(p, &jv, o, path) == -1)
				goto fail;
		}
	}
	cJSON_Delete(root);
	return 0;
fail:
	cJSON_Delete(root);
	snprintf(err, errsize, "%s", jv.err);
	return -1;
}
