/*
 * notify.c: sd_notify(3) messages and socket activation.  The watchdog is
 * pinged from a timer on the event loop, so a stuck loop stops the pings
 * and systemd restarts the service.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"

/* Send one notification; log the first failure only, not every ping. */
static void
notify_send(struct notify *n, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;
	int	r;

	if (!n->enabled)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((r = sd_notify(0, msg)) < 0 && !n->warned) {
		n->warned = 1;
		log_warnx("notify: sd_notify to %s failed: %s",
		    getenv("NOTIFY_SOCKET"), strerror(-r));
	}
}

/* Ask the status callback for the current summary (empty without one). */
static void
notify_summary(const struct notify *n, char *buf, size_t size)
{
	buf[0] = '\0';
	if (n->status_fn != NULL)
		n->status_fn(n->status_arg, buf, size);
}

/* Timer: the loop is alive, tell systemd. */
static void
notify_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	struct notify *n = arg;

	(void)fd;
	(void)what;
	n->pings++;
	notify_send(n, "WATCHDOG=1");
}

static void
notify_status_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	notify_status(arg);
}

/* A persistent timer every usec microseconds. */
static struct event *
notify_timer(struct event_base *base, uint64_t usec, event_callback_fn cb,
    void *arg)
{
	struct timeval	 tv;
	struct event	*ev;

	tv.tv_sec = (time_t)(usec / 1000000);
	tv.tv_usec = (suseconds_t)(usec % 1000000);
	if ((ev = event_new(base, -1, EV_PERSIST, cb, arg)) == NULL)
		return NULL;
	if (event_add(ev, &tv) == -1) {
		event_free(ev);
		return NULL;
	}
	return ev;
}

/*
 * Read the environment systemd set up for us.  WATCHDOG_USEC counts only
 * when WATCHDOG_PID is unset or ours (sd_watchdog_enabled checks); pings go
 * out at half the period, as sd_watchdog_enabled(3) recommends.
 */
int
notify_start(struct notify *n, struct event_base *base,
    notify_status_fn status_fn, void *status_arg)
{
	uint64_t	usec = 0;
	int		r;

	memset(n, 0, sizeof(*n));
	n->status_fn = status_fn;
	n->status_arg = status_arg;
	n->enabled = getenv("NOTIFY_SOCKET") != NULL;
	if (!n->enabled)
		return 0;
	if ((r = sd_watchdog_enabled(0, &usec)) < 0)
		log_warnx("notify: ignoring a bad WATCHDOG_USEC/WATCHDOG_PID: %s",
		    strerror(-r));
	else if (r > 0 && usec >= 2)
		n->watchdog_usec = usec;
	if (n->watchdog_usec != 0) {
		n->ev_watchdog = notify_timer(base, n->watchdog_usec / 2,
		    notify_watchdog_cb, n);
		if (n->ev_watchdog == NULL) {
			log_warnx("notify: cannot create the watchdog timer");
			return -1;
		}
		log_info("notify: watchdog every %llu ms (WATCHDOG_USEC %llu)",
		    (unsigned long long)(n->watchdog_usec / 2000),
		    (unsigned long long)n->watchdog_usec);
	}
	n->ev_status = notify_timer(base, NOTIFY_STATUS_SECONDS * 1000000ULL,
	    notify_status_cb, n);
	if (n->ev_status == NULL) {
		log_warnx("notify: cannot create the status timer");
		notify_stop(n);
		return -1;
	}
	return 0;
}

void
notify_stop(struct notify *n)
{
	if (n->ev_watchdog != NULL)
		event_free(n->ev_watchdog);
	if (n->ev_status != NULL)
		event_free(n->ev_status);
	n->ev_watchdog = NULL;
	n->ev_status = NULL;
}

void
notify_ready(struct notify *n)
{
	notify_summary(n, n->status, sizeof(n->status));
	notify_send(n, "READY=1\nSTATUS=%s", n->status);
}

/*
 * MONOTONIC_USEC lets systemd (253 and later, Type=notify-reload) tell
 * this reload from an older one; 252 ignores it.
 */
void
notify_reloading(struct notify *n)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
		log_warn("notify: clock_gettime");
		notify_send(n, "RELOADING=1\nSTATUS=reloading");
		return;
	}
	notify_send(n, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
}

void
notify_stopping(struct notify *n)
{
	notify_send(n, "STOPPING=1\nSTATUS=stopping");
}

void
notify_status(struct notify *n)
{
	char buf[NOTIFY_STATUS_MAX];

	notify_summary(n, buf, sizeof(buf));
	if (strcmp(buf, n->status) == 0)
		return;
	memcpy(n->status, buf, sizeof(n->status));
	notify_send(n, "STATUS=%s", n->status);
}

/* The path a Unix socket is bound to, for the log ("?" if unnamed). */
static void
notify_socket_path(int fd, char *buf, size_t size)
{
	struct sockaddr_un	sun;
	socklen_t		len = sizeof(sun);

	memset(&sun, 0, sizeof(sun));
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == -1 ||
	    len <= offsetof(struct sockaddr_un, sun_path) ||
	    sun.sun_path[0] == '\0') {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%.*s", (int)(len - offsetof(struct sockaddr_un,
	    sun_path)), sun.sun_path);
}

/* Close the passed fds from first to first + count - 1. */
static void
notify_close_fds(int first, int count)
{
	for (int fd = first; fd < first + count; fd++)
		if (close(fd) == -1)
			log_warn("socket activation: close fd %d", fd);
}

int
notify_listen_fd(void)
{
	char	path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	int	n, fd = SD_LISTEN_FDS_START, r;

	if ((n = sd_listen_fds(1)) < 0) {
		log_warnx("socket activation: bad LISTEN_FDS/LISTEN_PID: %s",
		    strerror(-n));
		return -1;
	}
	if (n == 0)
		return -1;
	if (n > 1) {
		log_warnx("socket activation: %d fds passed, using fd %d only",
		    n, fd);
		notify_close_fds(fd + 1, n - 1);
	}
	if ((r = sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0)) <= 0) {
		log_warnx("socket activation: fd %d is not a listening Unix "
		    "stream socket%s%s; ignoring it", fd, r < 0 ? ": " : "",
		    r < 0 ? strerror(-r) : "");
		notify_close_fds(fd, 1);
		return -1;
	}
	notify_socket_path(fd, path, sizeof(path));
	log_info("socket activation: listening socket fd %d (%s) from systemd",
	    fd, path);
	return fd;
}
