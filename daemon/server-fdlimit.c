/*
 * server-fdlimit.c: descriptors for the clients.  Each subscriber holds a
 * descriptor, and so does each of the poller's transfers: when clients take
 * them all, the feeds cannot be polled and further clients wait unanswered
 * in the backlog.  So the server makes room (the soft RLIMIT_NOFILE up to
 * the hard one) and, when the hard limit is too low for max_clients, serves
 * fewer clients: one past the budget is refused with too_many_clients.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "log.h"
#include "server-int.h"

/* The daemon's own: stdio, database and journal, epoll, listeners, ... */
#define SERVER_FD_RESERVE	64

/* Descriptors the rest of the daemon needs: its own, two per transfer. */
static rlim_t
server_fd_others(const struct config *cfg)
{
	return SERVER_FD_RESERVE + 2 * (rlim_t)cfg->max_parallel;
}

/*
 * Raise the soft limit to what max_clients needs, at most the hard limit.
 * (Under systemd LimitNOFILE= sets both and no raise is needed; its
 * SystemCallFilter refuses setrlimit, which is then only a warning.)
 */
static void
server_fd_raise(struct rlimit *rl, rlim_t want, const char *path)
{
	rlim_t old = rl->rlim_cur;

	if (rl->rlim_cur == RLIM_INFINITY || rl->rlim_cur >= want)
		return;
	rl->rlim_cur = rl->rlim_max != RLIM_INFINITY && rl->rlim_max < want ?
	    rl->rlim_max : want;
	if (rl->rlim_cur <= old)
		return;
	if (setrlimit(RLIMIT_NOFILE, rl) == -1) {
		log_warn("socket %s: cannot raise the descriptor limit from "
		    "%llu to %llu", path, (unsigned long long)old,
		    (unsigned long long)rl->rlim_cur);
		rl->rlim_cur = old;
		return;
	}
	log_info("socket %s: descriptor limit raised from %llu to %llu",
	    path, (unsigned long long)old, (unsigned long long)rl->rlim_cur);
}

/*
 * How many clients the server may take: max_clients, or fewer when the
 * descriptor limit leaves no room for them beside the poller (logged when
 * it changes; prev is the last value, 0 at start).
 */
size_t
server_fd_budget(const struct config *cfg, const char *path, size_t prev)
{
	struct rlimit	rl;
	rlim_t		others = server_fd_others(cfg);
	size_t		want = (size_t)cfg->max_clients, room;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("socket %s: getrlimit(RLIMIT_NOFILE)", path);
		return want;
	}
	server_fd_raise(&rl, (rlim_t)want + others, path);
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)want + others)
		return want;
	room = rl.rlim_cur > others + 1 ? (size_t)(rl.rlim_cur - others) : 1;
	if (room != prev)
		log_warnx("socket %s: the descriptor limit (%llu) leaves room for "
		    "%zu clients beside %llu for the feeds and the daemon, not "
		    "max_clients %zu: raise it (ulimit -n, LimitNOFILE=)", path,
		    (unsigned long long)rl.rlim_cur, room,
		    (unsigned long long)others, want);
	return room;
}
