/*
 * pmsignalctl-conn.c: pmsignalctl's connection to the daemon: connect,
 * send a request line, read reply lines with a timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "monotime.h"
#include "pmsignalctl.h"

int
ctl_connect(struct ctl_conn *c, const char *path, int quiet)
{
	struct sockaddr_un	sun;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->path = path;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "pmsignalctl: socket path too long: %s\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "pmsignalctl: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (!quiet)
			fprintf(stderr, "pmsignalctl: cannot connect to %s: %s "
			    "(is pmsignald running? --socket or "
			    "$PMSIGNAL_SOCKET)\n", path, strerror(errno));
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

void
ctl_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
	c->len = c->cap = 0;
}

int
ctl_send(struct ctl_conn *c, const char *line)
{
	size_t	len = strlen(line), off = 0;
	char	*msg;
	ssize_t	n;

	if ((msg = malloc(len + 1)) == NULL)
		return -1;
	memcpy(msg, line, len);
	msg[len++] = '\n';
	while (off < len) {
		n = send(c->fd, msg + off, len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "pmsignalctl: %s: send: %s\n", c->path,
			    strerror(errno));
			free(msg);
			return -1;
		}
		off += (size_t)n;
	}
	free(msg);
	return 0;
}

/* Read more into the buffer: 1 data, 0 EOF, -1 error, -2 timeout. */
static int
ctl_fill(struct ctl_conn *c, int timeout_ms)
{
	struct pollfd	 pfd = { c->fd, POLLIN, 0 };
	ssize_t		 n;
	char		*b;
	int		 r;

	if (c->cap - c->len < 65536) {
		if (c->cap >= CTL_MAX_LINE) {
			fprintf(stderr, "pmsignalctl: %s: line longer than %d "
			    "bytes\n", c->path, CTL_MAX_LINE);
			return -1;
		}
		if ((b = realloc(c->buf, c->cap * 2 + 131072)) == NULL)
			return -1;
		c->buf = b;
		c->cap = c->cap * 2 + 131072;
	}
	while ((r = poll(&pfd, 1, timeout_ms)) == -1 && errno == EINTR)
		;
	if (r == 0)
		return -2;
	if (r == -1)
		return -1;
	while ((n = read(c->fd, c->buf + c->len, c->cap - c->len)) == -1 &&
	    errno == EINTR)
		;
	if (n == 0)
		return 0;
	if (n < 0) {
		fprintf(stderr, "pmsignalctl: %s: read: %s\n", c->path,
		    strerror(errno));
		return -1;
	}
	c->len += (size_t)n;
	return 1;
}

int
ctl_read_line(struct ctl_conn *c, int timeout_ms, char **line)
{
	int64_t	 deadline = monotime_ms() + timeout_ms;
	char	*nl;
	size_t	 n;
	int	 r, left;

	for (;;) {
		if (c->len > 0 && (nl = memchr(c->buf, '\n', c->len)) != NULL) {
			n = (size_t)(nl - c->buf);
			if ((*line = strndup(c->buf, n)) == NULL)
				return -1;
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return 1;
		}
		left = timeout_ms < 0 ? -1 : (int)(deadline - monotime_ms());
		if (timeout_ms >= 0 && left < 0)
			left = 0;
		if ((r = ctl_fill(c, left)) != 1)
			return r;
	}
}

const char *
ctl_str(const cJSON *o, const char *key)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(m) ? m->valuestring : NULL;
}

double
ctl_num(const cJSON *o, const char *key, double dflt)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(m) ? m->valuedouble : dflt;
}

/* An "error" message from the daemon, on stderr. */
static void
ctl_print_error(const cJSON *o)
{
	fprintf(stderr, "pmsignalctl: daemon error %s: %s\n",
	    ctl_str(o, "code") != NULL ? ctl_str(o, "code") : "?",
	    ctl_str(o, "message") != NULL ? ctl_str(o, "message") : "");
}

cJSON *
ctl_request(struct ctl_conn *c, const char *request, const char *type,
    char **text)
{
	char		*line;
	cJSON		*o;
	const char	*t;
	int		 r;

	if (ctl_send(c, request) == -1)
		return NULL;
	for (;;) {
		if ((r = ctl_read_line(c, CTL_TIMEOUT_MS, &line)) != 1) {
			fprintf(stderr, "pmsignalctl: %s: %s waiting for the "
			    "%s reply\n", c->path, r == 0 ? "connection closed" :
			    r == -2 ? "timed out" : "error", type);
			return NULL;
		}
		if ((o = cJSON_Parse(line)) == NULL ||
		    (t = ctl_str(o, "type")) == NULL) {
			fprintf(stderr, "pmsignalctl: %s: not a protocol line: "
			    "%.200s\n", c->path, line);
			cJSON_Delete(o);
			free(line);
			return NULL;
		}
		if (strcmp(t, type) == 0) {
			if (text != NULL)
				*text = line;
			else
				free(line);
			return o;
		}
		free(line);
		if (strcmp(t, "error") == 0 || strcmp(t, "bye") == 0) {
			if (strcmp(t, "error") == 0)
				ctl_print_error(o);
			else
				fprintf(stderr, "pmsignalctl: daemon closed the "
				    "connection: %s\n", ctl_str(o, "reason") ?
				    ctl_str(o, "reason") : "?");
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_Delete(o);	/* hello, heartbeat */
	}
}

void
ctl_format_time(const char *s, int with_date, char *buf, size_t size)
{
	int64_t		t;
	time_t		tt;
	struct tm	tm;

	if (s == NULL || date_parse_rfc3339(s, &t) == -1) {
		snprintf(buf, size, "%s", with_date ? "--------------" :
		    "--:--:--");
		return;
	}
	tt = (time_t)t;
	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, with_date ? "%m-%d %H:%M:%S" : "%H:%M:%S",
	    &tm) == 0)
		snprintf(buf, size, "%s", s);
}
