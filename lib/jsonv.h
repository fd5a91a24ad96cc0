/*
 * jsonv.h: strict validation of JSON documents (config, market files,
 * client lines).  Every error is one line, "FILE: PATH: problem", where PATH
 * is the JSON path of the offending value (feeds[3].interval).  The first
 * error wins; later calls on a failed context do nothing and fail.
 */
#ifndef PM_JSONV_H
#define PM_JSONV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

struct jsonv {
	const char	*file;		/* name used in messages */
	char		 err[512];	/* first error, "" if none */
	int		 failed;
};

void	 jsonv_init(struct jsonv *, const char *file);
int	 jsonv_fail(struct jsonv *, const char *path, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Parse text; a syntax error reports line and column.  NULL on error. */
cJSON	*jsonv_parse(struct jsonv *, const char *text, size_t len);

/* What a node is, for messages: "a number", "an object", "null", ... */
const char *jsonv_type_name(const cJSON *node);

/* Join a parent path and a key ("feeds[3]" + "url"), or an index. */
void	 jsonv_path_key(char *buf, size_t size, const char *parent, const char *key);
void	 jsonv_path_index(char *buf, size_t size, const char *parent, int index);

/* Fail on any member of obj whose name is not in the NULL-ended list. */
int	 jsonv_only_keys(struct jsonv *, const cJSON *obj, const char *path,
	    const char *const *allowed);
int	 jsonv_object(struct jsonv *, const cJSON *node, const char *path);
int	 jsonv_array(struct jsonv *, const cJSON *node, const char *path);

/*
 * Typed member getters.  A missing member is an error when required, else
 * *out is left untouched (so callers preset defaults).  Return 0 or -1.
 */
int	 jsonv_string(struct jsonv *, const cJSON *obj, const char *path,
	    const char *key, int required, size_t maxlen, const char **out);
int	 jsonv_int(struct jsonv *, const cJSON *obj, const char *path,
	    const char *key, int required, int64_t min, int64_t max, int64_t *out);
int	 jsonv_number(struct jsonv *, const cJSON *obj, const char *path,
	    const char *key, int required, double min, double max, double *out);
int	 jsonv_bool(struct jsonv *, const cJSON *obj, const char *path,
	    const char *key, int required, int *out);

/* Add t to obj as an RFC 3339 UTC string, or null if PM_TIME_NONE: the
 * one way every JSON output writes a time.  0, or -1 out of memory. */
int	 jsonv_add_time(cJSON *obj, const char *key, int64_t t);

/* Read a whole file (at most maxlen bytes); NULL and a message on error. */
char	*jsonv_read_file(const char *path, size_t maxlen, size_t *lenp,
	    char *err, size_t errsize);
/* The same for an open stream (stdin), named name in messages. */
char	*jsonv_read_stream(FILE *fp, const char *name, size_t maxlen,
	    size_t *lenp, char *err, size_t errsize);

#endif
