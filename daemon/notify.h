/*
 * notify.h: talking to systemd.  Readiness, status, watchdog, reload and
 * stop notifications go out through sd_notify(3); the subscriber socket of
 * a socket-activated start comes in through sd_listen_fds(3).  Outside
 * systemd (no NOTIFY_SOCKET) every notification is a no-op.
 */
#ifndef PM_NOTIFY_H
#define PM_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

/* STATUS= is refreshed this often (when it changed). */
#define NOTIFY_STATUS_SECONDS	5
#define NOTIFY_STATUS_MAX	256

/* Fill buf with a one-line live summary for STATUS=. */
typedef void	(*notify_status_fn)(void *arg, char *buf, size_t size);

struct notify {
	int		 enabled;	/* NOTIFY_SOCKET is set */
	uint64_t	 watchdog_usec;	/* WATCHDOG_USEC for us, 0: off */
	uint64_t	 pings;		/* WATCHDOG=1 sent */
	struct event	*ev_watchdog;	/* every watchdog_usec / 2 */
	struct event	*ev_status;	/* every NOTIFY_STATUS_SECONDS */
	notify_status_fn status_fn;
	void		*status_arg;
	char		 status[NOTIFY_STATUS_MAX];	/* last STATUS= sent */
	int		 warned;	/* a send failure was logged */
};

/*
 * Set up n on base: find out whether systemd listens and whether it wants
 * watchdog pings, and start the loop timers that send them.  status_fn
 * (may be NULL) supplies the STATUS= text.  Returns 0, or -1 when a timer
 * cannot be created.
 */
int	notify_start(struct notify *n, struct event_base *base,
	    notify_status_fn status_fn, void *status_arg);
/* Stop the timers; n can be started again. */
void	notify_stop(struct notify *n);

/* READY=1 with the current STATUS=: after setup and after each reload. */
void	notify_ready(struct notify *n);
/* RELOADING=1 with MONOTONIC_USEC=: a reload begins (READY=1 ends it). */
void	notify_reloading(struct notify *n);
/* STOPPING=1: shutdown begins. */
void	notify_stopping(struct notify *n);
/* Send STATUS= now if the summary changed since the last one. */
void	notify_status(struct notify *n);

/*
 * The listening subscriber socket systemd passed (socket activation), or -1
 * when there is none.  Only a listening Unix stream socket is accepted; any
 * other passed fd is refused with a warning.  Consumes LISTEN_FDS and
 * LISTEN_PID, so call it once, before any fork.  The caller owns the fd.
 */
int	notify_listen_fd(void);

#endif
