/*
 * archive.h: read archived articles for a backtest.  An archive is a JSONL
 * file (one article per line: id, title, body, source, url, published,
 * first_seen; times RFC 3339, or any date feeds use, or epoch seconds; an
 * HTML body becomes text), a pmsignald sqlite database, or a directory
 * holding such files (walked recursively in byte order of names).
 *
 * Optional fields (title, body, source, url) that are absent or null stay
 * NULL, as they were in the daemon that wrote the archive.
 *
 * Articles are returned in replay order: by first_seen, else published,
 * ties kept in the order they were read, so a replay is deterministic.
 * Articles with neither time are skipped and counted.  A bad line is
 * skipped and reported as "FILE:LINE: problem", never silently.
 */
#ifndef PM_ARCHIVE_H
#define PM_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "article.h"

#define ARCHIVE_MAX_LINE	(16u * 1024 * 1024)
/* Messages kept for the caller; bad lines past this are only counted. */
#define ARCHIVE_MAX_PROBLEMS	1000

struct archive_opts {
	int64_t	 from;		/* keep replay times >= from; PM_TIME_NONE: all */
	int64_t	 until;		/* keep replay times <= until; PM_TIME_NONE: all */
};

struct archive {
	struct article	*articles;	/* replay order; first_seen = replay time */
	size_t		 narticles;

	size_t		 files;		/* archive files read */
	size_t		 records;	/* non-blank lines and database rows */
	size_t		 bad;		/* bad lines, each reported */
	size_t		 no_time;	/* skipped: no first_seen, no published */
	size_t		 out_of_range;	/* skipped by opts.from / opts.until */
	size_t		 skipped_files;	/* directory entries that are not archives */
	size_t		 pruned;	/* skipped: database text pruned by retention */
	size_t		 derived_ids;	/* lines without "id": url or hash used */

	char		**problems;	/* first ARCHIVE_MAX_PROBLEMS reports */
	size_t		 nproblems;

	size_t		 cap;		/* internal: allocated articles */
};

/*
 * Read path (file or directory) into *ar.  Returns 0, or -1 with one line
 * in err for what stops the whole read: a missing or unreadable path, a
 * directory with no archive file, an unreadable database, no memory.
 * Bad lines are not errors: they are in ar->problems and ar->bad.
 * ar must be freed with archive_free() in both cases.
 */
int	 archive_load(const char *path, const struct archive_opts *opts,
	    struct archive *ar, char *err, size_t errsize);
void	 archive_free(struct archive *ar);

/*
 * Parse one JSONL record into *a (fields malloc'd); NULL or a problem.
 * A record without "id" (absent, null or empty) gets its url as id, else
 * article_hash_id() of its title and time, as a feed entry would; *derived
 * (when not NULL) says so.
 */
const char *archive_parse_line(const char *line, size_t len, struct article *a,
	    int *derived, char *buf, size_t bufsize);

/* archive_parse_object() flags. */
#define ARCHIVE_ID_OPTIONAL	0x1	/* "id" may be absent or empty */

/*
 * Read one article object, the members of an archive line, into *a
 * (fields malloc'd): archive_parse_line() past the JSON syntax, for
 * callers that parsed the JSON themselves (pmsignald score, with its
 * strict key check).  Unknown members are ignored.  NULL, or a one-line
 * problem in buf ("MEMBER: problem"); on a problem *a holds nothing.
 */
struct cJSON;
const char *archive_parse_object(const struct cJSON *o, unsigned flags,
	    struct article *a, char *buf, size_t bufsize);
/* True when body looks like HTML markup rather than plain text. */
int	 archive_looks_like_html(const char *body);
void	 archive_article_free(struct article *a);

#endif
