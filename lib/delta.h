/*
 * delta.h: one probability change of one market, the unit that is stored,
 * published to subscribers and written by backtests.  delta_to_json() is
 * the single encoder of the protocol's "delta" message, so the socket, the
 * database and the backtest output can never drift apart.
 */
#ifndef PM_DELTA_H
#define PM_DELTA_H

#include <stddef.h>
#include <stdint.h>

enum delta_cause {
	DELTA_ARTICLE = 0,	/* evidence in an article */
	DELTA_DECAY,		/* time passing: hazard decay, evidence fading */
	DELTA_OPEN,		/* market opened (or added by a reload) */
	DELTA_CLOSE,		/* market closed (deadline, or removed) */
};

struct delta {
	uint64_t	 seq;		/* global sequence; 0 until stored */
	int64_t		 ts;		/* pipeline time, epoch seconds */
	char		*market;
	double		 prev;
	double		 p;
	enum delta_cause cause;
	/* The article behind a DELTA_ARTICLE delta; article_id NULL otherwise. */
	char		*article_id;
	char		*article_title;
	char		*article_url;
	char		*article_source;
	int64_t		 article_published;	/* PM_TIME_NONE if unknown */
	int64_t		 article_first_seen;
	char		*evidence;	/* JSON array text; NULL means "[]" */
	/*
	 * Published from memory while the database could not be written
	 * (disk full, I/O error): encoded as "persisted":false.  Never stored.
	 */
	int		 unpersisted;
};

const char	*delta_cause_name(enum delta_cause);
int		 delta_cause_parse(const char *, enum delta_cause *);

/* Round a probability the way every output does (6 decimals). */
double		 delta_round(double p);

/*
 * Encode d as one protocol line (no trailing newline), with the daemon's
 * session id.  Returns malloc'd text or NULL on allocation failure.
 */
char		*delta_to_json(const struct delta *d, const char *session);

/* Decode a "delta" line into d (fields malloc'd); -1 on a malformed line. */
int		 delta_from_json(const char *line, struct delta *d);

/* Deep copy; -1 on allocation failure (dst then needs no free). */
int		 delta_copy(struct delta *dst, const struct delta *src);
void		 delta_free(struct delta *d);

#endif
