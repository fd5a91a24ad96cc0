/*
 * config.h: the daemon configuration (pmsignald.json), parsed and validated
 * into a fresh struct.  The daemon swaps a new config in only when it loads
 * cleanly, so a bad reload never breaks a running daemon.
 */
#ifndef PM_CONFIG_H
#define PM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

#define CONFIG_DEFAULT_PATH	"/etc/pmsignald/pmsignald.json"
#define CONFIG_MAX_BYTES	(4u * 1024 * 1024)
#define CONFIG_MAX_FEEDS	100000

struct config_feed {
	char	*name;		/* unique, [A-Za-z0-9._-], 1..64 bytes */
	char	*url;		/* http:// or https:// */
	int64_t	 interval;	/* seconds between polls, 30..86400 */
	double	 credibility;	/* 0..1, scales the evidence of its articles */
};

struct config {
	char	*path;			/* the file this came from */
	char	*dir;			/* its directory, for relative paths */

	char	*socket;		/* subscriber socket path */
	char	*socket_group;		/* group owning it, NULL: unchanged */
	int	 socket_mode;		/* permission bits, default 0660 */
	char	*database;		/* sqlite path */
	enum log_level log_level;
	char	*markets;		/* market file or directory */
	char	*metrics_listen;	/* "127.0.0.1:9464" or NULL (off) */

	/* Poller. */
	char	*user_agent;		/* NULL: built from the version */
	int64_t	 default_interval;	/* feeds without "interval" */
	int64_t	 connect_timeout;	/* seconds */
	int64_t	 timeout;		/* whole transfer, seconds */
	int64_t	 max_body;		/* bytes */
	int64_t	 per_host_connections;
	int64_t	 max_parallel;		/* transfers at once, all hosts */

	/* Subscribers. */
	int64_t	 max_clients;
	int64_t	 heartbeat;		/* seconds */
	int64_t	 client_soft_limit;	/* bytes queued ... */
	int64_t	 client_soft_seconds;	/* ... for this long */
	int64_t	 client_hard_limit;	/* bytes queued, at once */
	int64_t	 slow_close_seconds;	/* still over after this: bye */

	/* Model and storage. */
	int64_t	 tick;			/* deadline-decay tick, seconds */
	int64_t	 dedup_window;		/* near-duplicate window, seconds */
	int64_t	 article_retention_days;
	int64_t	 delta_retention_days;
	int64_t	 max_unpersisted;	/* bytes held while the disk is full */

	struct config_feed *feeds;
	size_t	 nfeeds;
};

/*
 * Load and validate path into *cfg.  On error return -1 with one line in
 * err: "FILE: JSON.PATH: problem" (or "FILE: JSON syntax error at line L,
 * column C").  *cfg is untouched on error.
 */
int	config_load(const char *path, struct config *cfg, char *err, size_t errsize);
/* Same, from a buffer; name is used in messages. */
int	config_parse(const char *name, const char *text, size_t len,
	    struct config *cfg, char *err, size_t errsize);
void	config_free(struct config *cfg);

/* Resolve p against base (if relative); returns malloc'd path or NULL. */
char	*config_resolve_path(const char *base, const char *p);

#endif
