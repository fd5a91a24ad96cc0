/*
 * protocol.c: parse client request lines and encode server messages with
 * cJSON.  Nothing here touches a socket or the clock, so every message can
 * be tested byte for byte.  docs/PROTOCOL.md documents each field.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "delta.h"
#include "jsonv.h"
#include "protocol.h"
#include "utf8.h"
#include "version.h"

static const char *const proto_ops[] = {
	"subscribe", "snapshot", "markets", "status", "ping"
};

static const char *const proto_errs[] = {
	"invalid_json", "line_too_long", "binary", "unknown_op", "bad_request",
	"too_many_clients", "since_ahead", "internal"
};

/* The members each op accepts, besides "op". */
static const char *const proto_subscribe_keys[] = { "markets", "since", NULL };
static const char *const proto_snapshot_keys[] = { "markets", NULL };
static const char *const proto_no_keys[] = { NULL };

struct proto_snapshot {
	cJSON		 *root;
	cJSON		 *markets;
	char *const	 *patterns;
	size_t		  npatterns;
	int		  failed;
};

const char *
proto_op_name(enum proto_op op)
{
	if ((unsigned)op >= sizeof(proto_ops) / sizeof(proto_ops[0]))
		return "unknown";
	return proto_ops[op];
}

const char *
proto_err_code(enum proto_err e)
{
	if ((unsigned)e >= sizeof(proto_errs) / sizeof(proto_errs[0]))
		return "internal";
	return proto_errs[e];
}

/*
 * A client's string quoted in an error message: its first 64 bytes, cut
 * at a character boundary, since the message goes back to the client as
 * JSON and must stay valid UTF-8 ("%.*s" arguments).
 */
#define PROTO_QUOTE(s)	(int)utf8_cut((s), strlen(s), 64), (s)

/* Record an error; always returns -1. */
static int
proto_fail(enum proto_err *errp, char *err, size_t errsize, enum proto_err e,
    const char *fmt, ...)
{
	va_list ap;

	*errp = e;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Binary garbage: control bytes other than tab, or bytes that are not
 * UTF-8.  Such a line is most likely a client speaking another protocol;
 * it gets its own error code so the operator sees what happened.
 */
static int
proto_is_text(const char *s, size_t len)
{
	const utf8proc_uint8_t	*p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t	 cp;
	utf8proc_ssize_t	 n;
	size_t			 i = 0;

	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			return 0;
		if ((cp < 0x20 && cp != '\t') || cp == 0x7f)
			return 0;
		i += (size_t)n;
	}
	return 1;
}

static int
proto_op_parse(const char *s, enum proto_op *op)
{
	for (size_t i = 0; i < sizeof(proto_ops) / sizeof(proto_ops[0]); i++) {
		if (strcmp(s, proto_ops[i]) == 0) {
			*op = (enum proto_op)i;
			return 0;
		}
	}
	return -1;
}

static const char *const *
proto_allowed_keys(enum proto_op op)
{
	switch (op) {
	case PROTO_SUBSCRIBE:
		return proto_subscribe_keys;
	case PROTO_SNAPSHOT:
		return proto_snapshot_keys;
	default:
		return proto_no_keys;
	}
}

/* Reject members the op does not know: a typo must not pass silently. */
static int
proto_check_keys(const cJSON *o, enum proto_op op, enum proto_err *errp,
    char *err, size_t errsize)
{
	const char *const	*allowed = proto_allowed_keys(op);
	const cJSON		*m;
	size_t			 i;

	cJSON_ArrayForEach(m, o) {
		if (strcmp(m->string, "op") == 0)
			continue;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(m->string, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return proto_fail(errp, err, errsize, PROTO_ERR_FIELD,
			    "%s: unknown field \"%.*s\"", proto_op_name(op),
			    PROTO_QUOTE(m->string));
	}
	return 0;
}

/* "markets": a non-empty array of market ids or globs. */
static int
proto_parse_markets(const cJSON *o, struct proto_request *req,
    enum proto_err *errp, char *err, size_t errsize)
{
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(o, "markets");
	const cJSON	*m;
	int		 n, i = 0;

	if (a == NULL)
		return 0;
	if (!cJSON_IsArray(a) || (n = cJSON_GetArraySize(a)) == 0 ||
	    n > PROTO_MAX_PATTERNS)
		return proto_fail(errp, err, errsize, PROTO_ERR_FIELD,
		    "markets: must be an array of 1 to %d market ids or globs",
		    PROTO_MAX_PATTERNS);
	if ((req->markets = calloc((size_t)n, sizeof(char *))) == NULL)
		return proto_fail(errp, err, errsize, PROTO_ERR_INTERNAL,
		    "out of memory");
	cJSON_ArrayForEach(m, a) {
		if (!cJSON_IsString(m) || m->valuestring[0] == '\0' ||
		    strlen(m->valuestring) > PROTO_MAX_PATTERN)
			return proto_fail(errp, err, errsize, PROTO_ERR_FIELD,
			    "markets[%d]: must be a market id or glob of 1 to "
			    "%d bytes", i, PROTO_MAX_PATTERN);
		if ((req->markets[i] = strdup(m->valuestring)) == NULL)
			return proto_fail(errp, err, errsize,
			    PROTO_ERR_INTERNAL, "out of memory");
		req->nmarkets = (size_t)++i;
	}
	return 0;
}

/* "since": the last seq the client saw, a whole number >= 0. */
static int
proto_parse_since(const cJSON *o, struct proto_request *req,
    enum proto_err *errp, char *err, size_t errsize)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(o, "since");
	double		 v;

	if (m == NULL)
		return 0;
	v = cJSON_IsNumber(m) ? m->valuedouble : -1;
	if (v < 0 || v > (double)PROTO_MAX_SEQ || floor(v) != v)
		return proto_fail(errp, err, errsize, PROTO_ERR_FIELD,
		    "since: must be a whole number from 0 to %llu",
		    (unsigned long long)PROTO_MAX_SEQ);
	req->has_since = 1;
	req->since = (uint64_t)v;
	return 0;
}

static int
proto_parse_object(const cJSON *o, struct proto_request *req,
    enum proto_err *errp, char *err, size_t errsize)
{
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(o, "op");

	if (!cJSON_IsObject(o))
		return proto_fail(errp, err, errsize, PROTO_ERR_FIELD,
		    "a request must be a JSON object");
	if (op == NULL)
		return proto_fail(errp, err, errsize, PROTO_ERR_OP,
		    "missing \"op\"");
	if (!cJSON_IsString(op) || proto_op_parse(op->valuestring,
	    &req->op) == -1)
		return proto_fail(errp, err, errsize, PROTO_ERR_OP,
		    "unknown op %s%.*s%s (expected subscribe, snapshot, "
		    "markets, status or ping)", cJSON_IsString(op) ? "\"" : "",
		    PROTO_QUOTE(cJSON_IsString(op) ? op->valuestring :
		    "(not a string)"), cJSON_IsString(op) ? "\"" : "");
	if (proto_check_keys(o, req->op, errp, err, errsize) == -1 ||
	    proto_parse_markets(o, req, errp, err, errsize) == -1 ||
	    proto_parse_since(o, req, errp, err, errsize) == -1)
		return -1;
	return 0;
}

int
proto_parse(const char *line, size_t len, struct proto_request *req,
    enum proto_err *errp, char *err, size_t errsize)
{
	const char	*end = NULL;
	cJSON		*o;
	int		 rc;

	memset(req, 0, sizeof(*req));
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > PROTO_MAX_LINE)
		return proto_fail(errp, err, errsize, PROTO_ERR_TOO_LONG,
		    "line longer than %d bytes", PROTO_MAX_LINE);
	if (!proto_is_text(line, len))
		return proto_fail(errp, err, errsize, PROTO_ERR_BINARY,
		    "binary data (control bytes or invalid UTF-8); expected "
		    "one JSON object per line");
	o = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (o == NULL)
		return proto_fail(errp, err, errsize, PROTO_ERR_JSON,
		    "invalid JSON at byte %zu", end != NULL && end >= line ?
		    (size_t)(end - line) : (size_t)0);
	for (; end < line + len; end++) {
		if (strchr(" \t", *end) == NULL) {
			cJSON_Delete(o);
			return proto_fail(errp, err, errsize, PROTO_ERR_JSON,
			    "invalid JSON: text after the object at byte %zu",
			    (size_t)(end - line));
		}
	}
	rc = proto_parse_object(o, req, errp, err, errsize);
	cJSON_Delete(o);
	if (rc == -1)
		proto_request_free(req);
	return rc;
}

void
proto_request_free(struct proto_request *req)
{
	for (size_t i = 0; i < req->nmarkets; i++)
		free(req->markets[i]);
	free(req->markets);
	memset(req, 0, sizeof(*req));
}

int
proto_is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

int
proto_match(char *const *patterns, size_t n, const char *id)
{
	if (patterns == NULL)
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (proto_is_glob(patterns[i])) {
			if (fnmatch(patterns[i], id, 0) == 0)
				return 1;
		} else if (strcmp(patterns[i], id) == 0)
			return 1;
	}
	return 0;
}

/* Print o as one line and free it; NULL if o is NULL or printing fails. */
static char *
proto_print(cJSON *o)
{
	char *s;

	if (o == NULL)
		return NULL;
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* A new message object {"type": type}; NULL on allocation failure. */
static cJSON *
proto_message(const char *type)
{
	cJSON *o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "type", type) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int
proto_add_seq(cJSON *o, const char *key, uint64_t seq)
{
	return cJSON_AddNumberToObject(o, key, (double)seq) != NULL ? 0 : -1;
}

/* Drop a half-built message: every encoder fails the same way. */
static char *
proto_discard(cJSON *o)
{
	cJSON_Delete(o);
	return NULL;
}

char *
proto_hello(const char *session, uint64_t seq, int64_t heartbeat)
{
	cJSON *o = proto_message("hello");

	if (o == NULL ||
	    cJSON_AddNumberToObject(o, "protocol", PM_PROTOCOL) == NULL ||
	    cJSON_AddStringToObject(o, "server", "pmsignald") == NULL ||
	    cJSON_AddStringToObject(o, "version", PM_VERSION) == NULL ||
	    cJSON_AddStringToObject(o, "session", session) == NULL ||
	    proto_add_seq(o, "seq", seq) == -1 ||
	    cJSON_AddNumberToObject(o, "heartbeat", (double)heartbeat) == NULL)
		return proto_discard(o);
	return proto_print(o);
}

char *
proto_heartbeat(uint64_t seq, int64_t now)
{
	cJSON *o = proto_message("heartbeat");

	if (o == NULL || proto_add_seq(o, "seq", seq) == -1 ||
	    jsonv_add_time(o, "ts", now) == -1)
		return proto_discard(o);
	return proto_print(o);
}

char *
proto_gap(uint64_t from, uint64_t to)
{
	cJSON *o = proto_message("gap");

	if (o == NULL || proto_add_seq(o, "from", from) == -1 ||
	    proto_add_seq(o, "to", to) == -1)
		return proto_discard(o);
	return proto_print(o);
}

char *
proto_error(enum proto_err e, const char *message)
{
	cJSON *o = proto_message("error");

	if (o == NULL ||
	    cJSON_AddStringToObject(o, "code", proto_err_code(e)) == NULL ||
	    cJSON_AddStringToObject(o, "message", message) == NULL)
		return proto_discard(o);
	return proto_print(o);
}

char *
proto_bye(const char *reason)
{
	cJSON *o = proto_message("bye");

	if (o == NULL || cJSON_AddStringToObject(o, "reason", reason) == NULL)
		return proto_discard(o);
	return proto_print(o);
}

char *
proto_pong(uint64_t seq)
{
	cJSON *o = proto_message("pong");

	if (o == NULL || proto_add_seq(o, "seq", seq) == -1)
		return proto_discard(o);
	return proto_print(o);
}

char *
proto_markets(cJSON *markets)
{
	cJSON *o = proto_message("markets");

	if (o == NULL || markets == NULL) {
		cJSON_Delete(markets);
		return proto_discard(o);
	}
	if (!cJSON_AddItemToObject(o, "markets", markets)) {
		cJSON_Delete(markets);
		return proto_discard(o);
	}
	return proto_print(o);
}

/* Move the members of status into a message that starts with "type". */
char *
proto_status(cJSON *status)
{
	cJSON *o, *m;

	if (status == NULL)
		return NULL;
	if ((o = proto_message("status")) == NULL)
		return proto_discard(status);
	while ((m = status->child) != NULL) {
		cJSON_DetachItemViaPointer(status, m);
		if (m->string == NULL || strcmp(m->string, "type") == 0) {
			cJSON_Delete(m);
			continue;
		}
		if (!cJSON_AddItemToObject(o, m->string, m)) {
			cJSON_Delete(m);
			cJSON_Delete(status);
			return proto_discard(o);
		}
	}
	cJSON_Delete(status);
	return proto_print(o);
}

struct proto_snapshot *
proto_snapshot_new(char *const *patterns, size_t n)
{
	struct proto_snapshot *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->patterns = patterns;
	s->npatterns = n;
	if ((s->root = proto_message("snapshot")) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

int
proto_snapshot_add(struct proto_snapshot *s, const struct proto_market *m)
{
	cJSON *o;

	if (s->failed)
		return -1;
	if (!proto_match(s->patterns, s->npatterns, m->id))
		return 0;
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "id", m->id) == NULL ||
	    cJSON_AddStringToObject(o, "question",
	    m->question != NULL ? m->question : "") == NULL ||
	    cJSON_AddNumberToObject(o, "p", delta_round(m->p)) == NULL ||
	    jsonv_add_time(o, "updated", m->updated) == -1 ||
	    (s->markets == NULL && (s->markets = cJSON_CreateArray()) == NULL) ||
	    !cJSON_AddItemToArray(s->markets, o)) {
		cJSON_Delete(o);
		s->failed = 1;
		return -1;
	}
	return 0;
}

char *
proto_snapshot_finish(struct proto_snapshot *s, uint64_t as_of_seq)
{
	cJSON	*root = s->root;
	cJSON	*markets = s->markets;
	int	 failed = s->failed;

	free(s);
	if (markets == NULL && !failed && (markets = cJSON_CreateArray()) == NULL)
		failed = 1;
	if (failed || proto_add_seq(root, "as_of_seq", as_of_seq) == -1 ||
	    !cJSON_AddItemToObject(root, "markets", markets)) {
		cJSON_Delete(markets);
		return proto_discard(root);
	}
	return proto_print(root);
}

void
proto_snapshot_free(struct proto_snapshot *s)
{
	if (s == NULL)
		return;
	cJSON_Delete(s->markets);
	cJSON_Delete(s->root);
	free(s);
}
