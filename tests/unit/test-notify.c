/*
 * test-notify.c: notifications reach a real datagram socket named by
 * NOTIFY_SOCKET with the documented fields; without NOTIFY_SOCKET nothing
 * is sent; the watchdog timer pings only when WATCHDOG_PID is ours; and
 * notify_listen_fd takes a passed listening Unix stream socket but refuses
 * other fds and fds meant for another process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"
#include "unit.h"

static char sink_path[64];

/* A datagram socket standing in for systemd's; NOTIFY_SOCKET names it. */
static int
sink_open(void)
{
	struct sockaddr_un	sun;
	int			fd;

	snprintf(sink_path, sizeof(sink_path), "/tmp/pm-notify-%ld.sock",
	    (long)getpid());
	unlink(sink_path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sink_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", sink_path, 1), 0);
	return fd;
}

static void
sink_close(int fd)
{
	close(fd);
	unlink(sink_path);
}

/* The next datagram, or "" when none is waiting. */
static const char *
sink_next(int fd)
{
	static char	buf[1024];
	ssize_t		n = recv(fd, buf, sizeof(buf) - 1, 0);

	if (n < 0) {
		ck_assert_int_eq(errno, EAGAIN);
		n = 0;
	}
	buf[n] = '\0';
	return buf;
}

/* End of a test: stop n, free its base, close and remove the sink. */
static void
finish(struct notify *n, struct event_base *base, int fd)
{
	notify_stop(n);
	event_base_free(base);
	sink_close(fd);
}

static void
status_text(void *arg, char *buf, size_t size)
{
	snprintf(buf, size, "%s", (const char *)arg);
}

START_TEST(messages)
{
	struct event_base	*base = event_base_new();
	struct notify		 n;
	const char		*m;
	char			 status[32] = "3 feeds";
	int			 fd = sink_open();

	unsetenv("WATCHDOG_USEC");
	ck_assert_int_eq(notify_start(&n, base, status_text, status), 0);
	ck_assert_int_eq(n.enabled, 1);
	ck_assert_uint_eq(n.watchdog_usec, 0);
	notify_ready(&n);
	ck_assert_str_eq(sink_next(fd), "READY=1\nSTATUS=3 feeds");
	notify_reloading(&n);
	m = sink_next(fd);
	ck_assert_msg(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0, "%s", m);
	ck_assert_msg(strtoull(m + 27, NULL, 10) > 0, "%s", m);
	notify_status(&n);		/* unchanged: nothing sent */
	ck_assert_str_eq(sink_next(fd), "");
	snprintf(status, sizeof(status), "4 feeds");
	notify_status(&n);
	ck_assert_str_eq(sink_next(fd), "STATUS=4 feeds");
	notify_stopping(&n);
	ck_assert_str_eq(sink_next(fd), "STOPPING=1\nSTATUS=stopping");
	finish(&n, base, fd);
}
END_TEST

START_TEST(no_socket_no_messages)
{
	struct event_base	*base = event_base_new();
	struct notify		 n;
	int			 fd = sink_open();

	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "1000", 1), 0);
	ck_assert_int_eq(notify_start(&n, base, NULL, NULL), 0);
	ck_assert_int_eq(n.enabled, 0);
	ck_assert_ptr_null(n.ev_watchdog);
	notify_ready(&n);
	notify_stopping(&n);
	ck_assert_str_eq(sink_next(fd), "");
	finish(&n, base, fd);
}
END_TEST

static void
loop_exit_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Run the loop until the watchdog has pinged want times (at most 5 s). */
static void
run_until_pings(struct event_base *base, struct notify *n, uint64_t want)
{
	struct timeval	 step = { 0, 20000 };
	struct event	*ev = evtimer_new(base, loop_exit_cb, base);

	for (int i = 0; i < 250 && n->pings < want; i++) {
		ck_assert_int_eq(evtimer_add(ev, &step), 0);
		ck_assert_int_eq(event_base_dispatch(base), 0);
	}
	event_free(ev);
}

START_TEST(watchdog_pings)
{
	struct event_base	*base = event_base_new();
	struct notify		 n;
	char			 pid[32];
	int			 fd = sink_open();

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	ck_assert_int_eq(setenv("WATCHDOG_USEC", "20000", 1), 0);
	ck_assert_int_eq(setenv("WATCHDOG_PID", pid, 1), 0);
	ck_assert_int_eq(notify_start(&n, base, NULL, NULL), 0);
	ck_assert_uint_eq(n.watchdog_usec, 20000);
	ck_assert_ptr_nonnull(n.ev_watchdog);
	run_until_pings(base, &n, 3);
	ck_assert_uint_ge(n.pings, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(sink_next(fd), "WATCHDOG=1");
	finish(&n, base, fd);
}
END_TEST

START_TEST(watchdog_other_pid)
{
	struct event_base	*base = event_base_new();
	struct notify		 n;
	int			 fd = sink_open();

	ck_assert_int_eq(setenv("WATCHDOG_USEC", "20000", 1), 0);
	ck_assert_int_eq(setenv("WATCHDOG_PID", "1", 1), 0);
	ck_assert_int_eq(notify_start(&n, base, NULL, NULL), 0);
	ck_assert_uint_eq(n.watchdog_usec, 0);
	ck_assert_ptr_null(n.ev_watchdog);
	finish(&n, base, fd);
}
END_TEST

/*
 * In a child (fd 3 may belong to the test harness here): put fd at 3, set
 * LISTEN_FDS/LISTEN_PID as systemd would, and report what
 * notify_listen_fd returned as the exit status (255 for -1).
 */
static int
listen_fd_in_child(int fd, int pid_offset)
{
	char	pid[32];
	pid_t	child;
	int	status, r;

	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		log_init("test-notify", LOG_LEVEL_ERROR);
		if (dup2(fd, SD_LISTEN_FDS_START) == -1)
			_exit(100);
		snprintf(pid, sizeof(pid), "%ld", (long)getpid() + pid_offset);
		setenv("LISTEN_FDS", "1", 1);
		setenv("LISTEN_PID", pid, 1);
		r = notify_listen_fd();
		if (r >= 0 && getenv("LISTEN_FDS") != NULL)
			_exit(101);	/* must consume the variables */
		_exit(r < 0 ? 255 : r);
	}
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(listen_fd)
{
	struct sockaddr_un	sun;
	int			lfd, dfd, fds[2];
	char			path[64];

	snprintf(path, sizeof(path), "/tmp/pm-listen-%ld.sock", (long)getpid());
	unlink(path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);

	/* Bound but not listening yet: refused. */
	ck_assert_int_eq(listen_fd_in_child(lfd, 0), 255);
	ck_assert_int_eq(listen(lfd, 8), 0);
	ck_assert_int_eq(listen_fd_in_child(lfd, 0), 3);
	/* Meant for another process: not ours to take. */
	ck_assert_int_eq(listen_fd_in_child(lfd, 1), 255);
	/* A datagram socket, a socket pair and a pipe: refused. */
	dfd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(listen_fd_in_child(dfd, 0), 255);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	ck_assert_int_eq(listen_fd_in_child(fds[0], 0), 255);
	close(fds[0]);
	close(fds[1]);
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(listen_fd_in_child(fds[0], 0), 255);
	close(fds[0]);
	close(fds[1]);
	close(dfd);
	close(lfd);
	unlink(path);
}
END_TEST

START_TEST(listen_fd_none)
{
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	ck_assert_int_eq(notify_listen_fd(), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("notify");
	TCase	*tc = tcase_create("notify");

	tcase_add_test(tc, messages);
	tcase_add_test(tc, no_socket_no_messages);
	tcase_add_test(tc, watchdog_pings);
	tcase_add_test(tc, watchdog_other_pid);
	tcase_add_test(tc, listen_fd);
	tcase_add_test(tc, listen_fd_none);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
