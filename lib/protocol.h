/*
 * protocol.h: the subscriber wire protocol, without sockets.  Clients send
 * one JSON object per line (a request); the server answers with one JSON
 * object per line (a message).  This file parses requests and encodes every
 * server message except "delta", whose one encoder is delta_to_json() in
 * delta.h.  docs/PROTOCOL.md is the reference.
 */
#ifndef PM_PROTOCOL_H
#define PM_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define PROTO_MAX_LINE		(64 * 1024)	/* longest client line, bytes */
#define PROTO_MAX_PATTERNS	1024		/* "markets" entries per request */
#define PROTO_MAX_PATTERN	256		/* bytes per market id or glob */
/* Largest seq a message carries exactly: JSON numbers are written with 15
 * significant digits (cJSON), so seq stays below 10^15 (3000 years at
 * 10,000 deltas per second). */
#define PROTO_MAX_SEQ		999999999999999ULL

enum proto_op {
	PROTO_SUBSCRIBE = 0,
	PROTO_SNAPSHOT,
	PROTO_MARKETS,
	PROTO_STATUS,
	PROTO_PING,
};

/*
 * Error codes of the "error" message.  The server closes the connection
 * after PROTO_ERR_JSON and PROTO_ERR_TOO_LONG (the stream can no longer be
 * trusted), and after PROTO_ERR_FULL (refused at accept); the others leave
 * it open.
 */
enum proto_err {
	PROTO_ERR_JSON = 0,	/* "invalid_json": not a JSON object */
	PROTO_ERR_TOO_LONG,	/* "line_too_long": over PROTO_MAX_LINE */
	PROTO_ERR_BINARY,	/* "binary": control bytes or invalid UTF-8 */
	PROTO_ERR_OP,		/* "unknown_op": missing or unknown "op" */
	PROTO_ERR_FIELD,	/* "bad_request": a field is wrong */
	PROTO_ERR_FULL,		/* "too_many_clients": refused at accept */
	PROTO_ERR_SINCE,	/* "since_ahead": since beyond the current seq */
	PROTO_ERR_INTERNAL,	/* "internal": the server failed, not the client */
};

/* One parsed client request.  markets == NULL means every market. */
struct proto_request {
	enum proto_op	  op;
	char		**markets;	/* ids or fnmatch(3) globs */
	size_t		  nmarkets;
	int		  has_since;
	uint64_t	  since;	/* last seq the client has seen */
};

/* One market as the "snapshot" message shows it. */
struct proto_market {
	const char	*id;
	const char	*question;
	double		 p;
	int64_t		 updated;	/* last change, PM_TIME_NONE if never */
};

const char	*proto_op_name(enum proto_op);
const char	*proto_err_code(enum proto_err);

/*
 * Parse one client line (without its newline; a trailing CR is allowed).
 * Returns 0 and fills *req (free with proto_request_free), or -1 with
 * *errp set and a one-line message in err.  An empty or blank line is
 * PROTO_ERR_JSON only if the caller passes it: the server skips them.
 */
int		 proto_parse(const char *line, size_t len,
		    struct proto_request *req, enum proto_err *errp,
		    char *err, size_t errsize);
void		 proto_request_free(struct proto_request *);

/* Does a market id match one of the patterns (NULL list: every market)? */
int		 proto_match(char *const *patterns, size_t n, const char *id);
/* Is s a glob (has * ? or [) rather than a plain market id? */
int		 proto_is_glob(const char *s);

/*
 * Encoders.  Each returns one malloc'd line without the newline, or NULL
 * on allocation failure.  Times are epoch seconds, written as RFC 3339.
 */
char	*proto_hello(const char *session, uint64_t seq, int64_t heartbeat);
char	*proto_heartbeat(uint64_t seq, int64_t now);
char	*proto_gap(uint64_t from, uint64_t to);
char	*proto_error(enum proto_err, const char *message);
char	*proto_bye(const char *reason);
char	*proto_pong(uint64_t seq);
/* Take ownership of markets (a cJSON array) whatever happens. */
char	*proto_markets(cJSON *markets);
/* Take ownership of status (a cJSON object), adding "type" first. */
char	*proto_status(cJSON *status);

/*
 * The snapshot message is built market by market, since its producer
 * iterates its own state: new, add (skipped if it does not match the
 * patterns), then finish, which frees the builder (or free, to abandon
 * it).  Any failure makes finish return NULL.
 */
struct proto_snapshot;
struct proto_snapshot *proto_snapshot_new(char *const *patterns, size_t n);
int	 proto_snapshot_add(struct proto_snapshot *, const struct proto_market *);
char	*proto_snapshot_finish(struct proto_snapshot *, uint64_t as_of_seq);
void	 proto_snapshot_free(struct proto_snapshot *);	/* abandon */

#endif
