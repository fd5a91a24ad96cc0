/*
 * jsonv.c: strict JSON validation helpers shared by every loader of
 * human-written JSON.  The goal is that an operator fixes a typo in
 * seconds: one line naming the file, the JSON path and what was wrong.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "jsonv.h"
#include "utf8.h"

void
jsonv_init(struct jsonv *jv, const char *file)
{
	memset(jv, 0, sizeof(*jv));
	jv->file = file != NULL ? file : "<input>";
}

/* Record the first error as "FILE: PATH: message"; always returns -1. */
int
jsonv_fail(struct jsonv *jv, const char *path, const char *fmt, ...)
{
	char	msg[384];
	va_list	ap;

	if (jv->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path != NULL && path[0] != '\0')
		snprintf(jv->err, sizeof(jv->err), "%s: %s: %s", jv->file,
		    path, msg);
	else
		snprintf(jv->err, sizeof(jv->err), "%s: %s", jv->file, msg);
	jv->failed = 1;
	return -1;
}

/*
 * Parse a JSON document.  cJSON reports where it stopped; turn that byte
 * offset into line:column, which is what an editor wants.
 */
/* Line and column (from 1; a column counts bytes) of byte off. */
static void
jsonv_line_col(const char *text, size_t off, size_t *line, size_t *col)
{
	*line = *col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

cJSON *
jsonv_parse(struct jsonv *jv, const char *text, size_t len)
{
	const char	*end = NULL;
	cJSON		*root;
	size_t		 off, line, col, n, show;
	char		 near[16];

	/*
	 * JSON text is UTF-8 (RFC 8259, 8.1) and cJSON does not check it:
	 * a stray byte would reach names, phrases and messages as it is.
	 */
	if ((off = utf8_valid_len(text, len)) < len) {
		jsonv_line_col(text, off, &line, &col);
		jsonv_fail(jv, NULL, "invalid UTF-8 at line %zu, column %zu",
		    line, col);
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root != NULL)
		return root;
	off = (end != NULL && end >= text) ? (size_t)(end - text) : 0;
	if (off > len)
		off = len;
	/* cJSON stops after skipping blanks; point at the culprit instead. */
	while (off > 0 && off < len && isspace((unsigned char)text[off]))
		off--;
	jsonv_line_col(text, off, &line, &col);
	if (off >= len) {
		jsonv_fail(jv, NULL, "JSON syntax error at line %zu, column %zu: "
		    "unexpected end of input", line, col);
		return NULL;
	}
	/* Quote a little of the text, on one line, whole characters only. */
	show = utf8_cut(text + off, len - off, sizeof(near) - 1);
	for (n = 0; n < show; n++) {
		unsigned char c = (unsigned char)text[off + n];

		if (c == '\n' || c == '\r')
			break;
		near[n] = (c < ' ' || c == 0x7f) ? '?' : (char)c;
	}
	near[n] = '\0';
	jsonv_fail(jv, NULL, "JSON syntax error at line %zu, column %zu "
	    "(near '%s')", line, col, near);
	return NULL;
}

void
jsonv_path_key(char *buf, size_t size, const char *parent, const char *key)
{
	if (parent == NULL || parent[0] == '\0')
		snprintf(buf, size, "%s", key);
	else
		snprintf(buf, size, "%s.%s", parent, key);
}

void
jsonv_path_index(char *buf, size_t size, const char *parent, int index)
{
	snprintf(buf, size, "%s[%d]", parent != NULL ? parent : "", index);
}

const char *
jsonv_type_name(const cJSON *node)
{
	if (cJSON_IsObject(node))
		return "an object";
	if (cJSON_IsArray(node))
		return "an array";
	if (cJSON_IsString(node))
		return "a string";
	if (cJSON_IsNumber(node))
		return "a number";
	if (cJSON_IsBool(node))
		return "a boolean";
	if (cJSON_IsNull(node))
		return "null";
	return "invalid";
}

int
jsonv_object(struct jsonv *jv, const cJSON *node, const char *path)
{
	if (jv->failed)
		return -1;
	if (!cJSON_IsObject(node))
		return jsonv_fail(jv, path, "must be an object, not %s",
		    jsonv_type_name(node));
	return 0;
}

int
jsonv_array(struct jsonv *jv, const cJSON *node, const char *path)
{
	if (jv->failed)
		return -1;
	if (!cJSON_IsArray(node))
		return jsonv_fail(jv, path, "must be an array, not %s",
		    jsonv_type_name(node));
	return 0;
}

/* Unknown keys are errors, and so are duplicates (cJSON keeps both). */
int
jsonv_only_keys(struct jsonv *jv, const cJSON *obj, const char *path,
    const char *const *allowed)
{
	const cJSON	*m, *n;
	char		 p[256];

	if (jsonv_object(jv, obj, path) == -1)
		return -1;
	for (m = obj->child; m != NULL; m = m->next) {
		size_t i;

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(m->string, allowed[i]) == 0)
				break;
		jsonv_path_key(p, sizeof(p), path, m->string);
		if (allowed[i] == NULL)
			return jsonv_fail(jv, p, "unknown key");
		for (n = m->next; n != NULL; n = n->next)
			if (strcmp(m->string, n->string) == 0)
				return jsonv_fail(jv, p, "duplicate key");
	}
	return 0;
}

/* Find a member; -1 if it is required and missing, 1 if optional and missing. */
static int
jsonv_member(struct jsonv *jv, const cJSON *obj, const char *path,
    const char *key, int required, const cJSON **out, char *p, size_t psize)
{
	if (jv->failed)
		return -1;
	jsonv_path_key(p, psize, path, key);
	*out = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (*out == NULL) {
		if (required)
			return jsonv_fail(jv, p, "missing (required)");
		return 1;
	}
	return 0;
}

int
jsonv_string(struct jsonv *jv, const cJSON *obj, const char *path,
    const char *key, int required, size_t maxlen, const char **out)
{
	const cJSON	*m;
	char		 p[256];
	int		 r;

	if ((r = jsonv_member(jv, obj, path, key, required, &m, p, sizeof(p))))
		return r < 0 ? -1 : 0;
	if (!cJSON_IsString(m))
		return jsonv_fail(jv, p, "must be a string, not %s",
		    jsonv_type_name(m));
	if (strlen(m->valuestring) > maxlen)
		return jsonv_fail(jv, p, "longer than %zu bytes", maxlen);
	*out = m->valuestring;
	return 0;
}

int
jsonv_int(struct jsonv *jv, const cJSON *obj, const char *path,
    const char *key, int required, int64_t min, int64_t max, int64_t *out)
{
	const cJSON	*m;
	char		 p[256];
	double		 d;
	int		 r;

	if ((r = jsonv_member(jv, obj, path, key, required, &m, p, sizeof(p))))
		return r < 0 ? -1 : 0;
	if (!cJSON_IsNumber(m))
		return jsonv_fail(jv, p, "must be an integer, not %s",
		    jsonv_type_name(m));
	d = m->valuedouble;
	if (!isfinite(d) || d != floor(d))
		return jsonv_fail(jv, p, "must be an integer (got %g)", d);
	if (d < (double)min || d > (double)max)
		return jsonv_fail(jv, p, "must be between %lld and %lld (got %.0f)",
		    (long long)min, (long long)max, d);
	*out = (int64_t)d;
	return 0;
}

int
jsonv_number(struct jsonv *jv, const cJSON *obj, const char *path,
    const char *key, int required, double min, double max, double *out)
{
	const cJSON	*m;
	char		 p[256];
	int		 r;

	if ((r = jsonv_member(jv, obj, path, key, required, &m, p, sizeof(p))))
		return r < 0 ? -1 : 0;
	if (!cJSON_IsNumber(m))
		return jsonv_fail(jv, p, "must be a number, not %s",
		    jsonv_type_name(m));
	if (!isfinite(m->valuedouble) || m->valuedouble < min ||
	    m->valuedouble > max)
		return jsonv_fail(jv, p, "must be between %g and %g (got %g)",
		    min, max, m->valuedouble);
	*out = m->valuedouble;
	return 0;
}

int
jsonv_bool(struct jsonv *jv, const cJSON *obj, const char *path,
    const char *key, int required, int *out)
{
	const cJSON	*m;
	char		 p[256];
	int		 r;

	if ((r = jsonv_member(jv, obj, path, key, required, &m, p, sizeof(p))))
		return r < 0 ? -1 : 0;
	if (!cJSON_IsBool(m))
		return jsonv_fail(jv, p, "must be true or false, not %s",
		    jsonv_type_name(m));
	*out = cJSON_IsTrue(m);
	return 0;
}

/* Read a regular file whole, refusing anything over maxlen bytes. */
char *
jsonv_read_stream(FILE *fp, const char *name, size_t maxlen, size_t *lenp,
    char *err, size_t errsize)
{
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	for (;;) {
		if (cap - len < 4096) {
			size_t	 ncap = cap ? cap * 2 : 8192;
			char	*nbuf;

			if ((nbuf = realloc(buf, ncap + 1)) == NULL) {
				snprintf(err, errsize, "%s: out of memory", name);
				goto fail;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (len > maxlen) {
			snprintf(err, errsize, "%s: larger than %zu bytes", name,
			    maxlen);
			goto fail;
		}
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errsize, "%s: read error: %s", name,
		    strerror(errno));
		goto fail;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	free(buf);
	return NULL;
}

char *
jsonv_read_file(const char *path, size_t maxlen, size_t *lenp, char *err,
    size_t errsize)
{
	FILE	*fp;
	char	*buf;

	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = jsonv_read_stream(fp, path, maxlen, lenp, err, errsize);
	fclose(fp);
	return buf;
}

int
jsonv_add_time(cJSON *obj, const char *key, int64_t t)
{
	char buf[40];

	if (t == PM_TIME_NONE)
		return cJSON_AddNullToObject(obj, key) != NULL ? 0 : -1;
	date_format_rfc3339(t, buf, sizeof(buf));
	return cJSON_AddStringToObject(obj, key, buf) != NULL ? 0 : -1;
}
