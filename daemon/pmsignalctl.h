/*
 * pmsignalctl.h: what the files of pmsignalctl share: the connection to
 * the daemon's socket (pmsignalctl-conn.c), the commands (pmsignalctl-tail.c,
 * pmsignalctl-show.c) and terminal output helpers.
 */
#ifndef PM_PMSIGNALCTL_H
#define PM_PMSIGNALCTL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define CTL_DEFAULT_SOCKET	"/run/pmsignald/pmsignald.sock"
#define CTL_TIMEOUT_MS		10000	/* for one-shot requests */
#define CTL_MAX_LINE		(64 * 1024 * 1024)

struct ctl_conn {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
	const char *path;
};

/* Options every command shares. */
struct ctl_opts {
	const char	*socket;
	int		 json;		/* raw JSON lines */
	int		 color;		/* ANSI colours on a terminal */
};

/* Connect; -1 with a message naming the socket unless quiet. */
int	 ctl_connect(struct ctl_conn *, const char *path, int quiet);
void	 ctl_close(struct ctl_conn *);
/* Send one request line (newline added); -1 on failure. */
int	 ctl_send(struct ctl_conn *, const char *line);
/*
 * Next line from the daemon, malloc'd, without newline.  Returns 1, 0 at
 * EOF, -1 on error, -2 on timeout (timeout_ms < 0: wait forever).
 */
int	 ctl_read_line(struct ctl_conn *, int timeout_ms, char **line);
/*
 * Send a request and return the first reply of the wanted type (hello and
 * heartbeats skipped), parsed, with its text in *text if not NULL.  An
 * "error" reply is printed and NULL returned.
 */
cJSON	*ctl_request(struct ctl_conn *, const char *request, const char *type,
	    char **text);

/* Member getters that tolerate absence. */
const char *ctl_str(const cJSON *, const char *key);
double	 ctl_num(const cJSON *, const char *key, double dflt);

/* Local "HH:MM:SS" (with "MM-DD " when with_date) of an RFC 3339 time. */
void	 ctl_format_time(const char *rfc3339, int with_date, char *buf,
	    size_t size);

/*
 * One-shot commands (pmsignalctl-show.c).  ctl_show_parse: the options
 * --json and, when markets is not NULL, --market GLOB (added to markets);
 * returns 0 or the exit status, *done set after --help.  ctl_show_request:
 * send request, print the reply of that type raw (--json) or through
 * show_fn; the exit status.  ctl_show_members: an object's members as
 * "prefix.key: value" lines, nested objects flattened, skip[] left out.
 */
int	 ctl_show_parse(const char *cmd, int argc, char **argv,
	    struct ctl_opts *o, cJSON *markets, int *done);
int	 ctl_show_request(const struct ctl_opts *o, const char *request,
	    const char *type,
	    void (*show_fn)(const struct ctl_opts *, const cJSON *));
void	 ctl_show_members(const char *prefix, const cJSON *o,
	    const char *const *skip);

int	 ctl_tail(const struct ctl_opts *, int argc, char **argv);
int	 ctl_status(const struct ctl_opts *, int argc, char **argv);
int	 ctl_markets(const struct ctl_opts *, int argc, char **argv);
int	 ctl_snapshot(const struct ctl_opts *, int argc, char **argv);

#endif
