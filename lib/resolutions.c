/*
 * resolutions.c: the backtest's resolutions file, a JSON object mapping a
 * market id to 1 (it happened) or 0 (it did not), validated strictly.
 */
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "jsonv.h"

#define RESOLUTIONS_MAX_BYTES	(4u * 1024 * 1024)

void
resolutions_free(struct resolutions *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->ids[i]);
	free(r->ids);
	free(r->outcomes);
	memset(r, 0, sizeof(*r));
}

int
resolutions_get(const struct resolutions *r, const char *id)
{
	for (size_t i = 0; r != NULL && i < r->n; i++)
		if (strcmp(r->ids[i], id) == 0)
			return r->outcomes[i];
	return -1;
}

/* Check one member and append it; -1 with the error recorded in jv. */
static int
resolutions_add(struct jsonv *jv, const cJSON *m, struct resolutions *r)
{
	char	path[256];

	jsonv_path_key(path, sizeof(path), "", m->string);
	if (m->string[0] == '\0')
		return jsonv_fail(jv, path, "empty market id");
	if (!cJSON_IsNumber(m) || (m->valuedouble != 0 && m->valuedouble != 1))
		return jsonv_fail(jv, path, "must be 1 (happened) or 0 (did not)");
	if (resolutions_get(r, m->string) != -1)
		return jsonv_fail(jv, path, "duplicate key");
	if ((r->ids[r->n] = strdup(m->string)) == NULL)
		return jsonv_fail(jv, path, "out of memory");
	r->outcomes[r->n++] = m->valuedouble == 1;
	return 0;
}

int
resolutions_parse(const char *name, const char *text, size_t len,
    struct resolutions *out, char *err, size_t errsize)
{
	struct jsonv		jv;
	struct resolutions	r = { NULL, NULL, 0 };
	cJSON			*root, *m;
	size_t			 n;

	jsonv_init(&jv, name);
	if ((root = jsonv_parse(&jv, text, len)) == NULL)
		goto fail;
	if (jsonv_object(&jv, root, "") == -1)
		goto fail;
	n = (size_t)cJSON_GetArraySize(root);
	r.ids = calloc(n ? n : 1, sizeof(*r.ids));
	r.outcomes = calloc(n ? n : 1, sizeof(*r.outcomes));
	if (r.ids == NULL || r.outcomes == NULL) {
		jsonv_fail(&jv, NULL, "out of memory");
		goto fail;
	}
	cJSON_ArrayForEach(m, root)
		if (resolutions_add(&jv, m, &r) == -1)
			goto fail;
	cJSON_Delete(root);
	*out = r;
	return 0;
fail:
	snprintf(err, errsize, "%s", jv.err);
	cJSON_Delete(root);
	resolutions_free(&r);
	return -1;
}

int
resolutions_load(const char *path, struct resolutions *out, char *err,
    size_t errsize)
{
	char	*text;
	size_t	 len;
	int	 rc;

	if ((text = jsonv_read_file(path, RESOLUTIONS_MAX_BYTES, &len, err,
	    errsize)) == NULL)
		return -1;
	rc = resolutions_parse(path, text, len, out, err, errsize);
	free(text);
	return rc;
}
