/*
 * server-socket.c: create the subscriber socket file safely.  A file left
 * by a daemon that died is removed, but only after a connect shows nobody
 * answers on it; a live daemon's socket, or anything that is not a socket,
 * is never touched.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "server-int.h"

#define SERVER_BACKLOG	4096

static int
server_sockaddr(const char *path, struct sockaddr_un *sun, char *err,
    size_t errsize)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof(sun->sun_path)) {
		snprintf(err, errsize, "socket %s: path empty or longer than "
		    "%zu bytes", path, sizeof(sun->sun_path) - 1);
		return -1;
	}
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * Is a daemon listening on path?  1 yes, 0 no (connection refused: the
 * file is stale), -1 cannot tell (message in err).  Non-blocking, so a
 * live daemon with a full backlog (EAGAIN) counts as live.
 */
static int
server_socket_live(const char *path, const struct sockaddr_un *sun,
    char *err, size_t errsize)
{
	int fd, r;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errsize, "socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (r == 0 || errno == EAGAIN || errno == EINPROGRESS)
		r = 1;
	else if (errno == ECONNREFUSED)
		r = 0;
	else {
		snprintf(err, errsize, "socket %s: exists and cannot be tested: "
		    "%s", path, strerror(errno));
		r = -1;
	}
	close(fd);
	return r;
}

/* The path is taken: remove it if it is a stale socket, else explain. */
static int
server_socket_clear(const char *path, const struct sockaddr_un *sun,
    char *err, size_t errsize)
{
	struct stat	st;
	int		live;

	if (lstat(path, &st) == -1) {
		snprintf(err, errsize, "socket %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errsize, "socket %s: exists and is not a socket; "
		    "not removing it", path);
		return -1;
	}
	if ((live = server_socket_live(path, sun, err, errsize)) != 0) {
		if (live == 1)
			snprintf(err, errsize, "socket %s: another daemon is "
			    "listening on it", path);
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errsize, "socket %s: cannot remove stale socket: "
		    "%s", path, strerror(errno));
		return -1;
	}
	log_info("socket %s: removed stale socket file", path);
	return 0;
}

/* Bind with the final mode from the start (umask), so no window is open. */
static int
server_socket_try_bind(int fd, const struct sockaddr_un *sun, int mode)
{
	mode_t	old = umask((mode_t)(~mode & 0777));
	int	r, saved;

	r = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
	saved = errno;
	umask(old);
	errno = saved;
	return r;
}

/* Bind, clearing a stale socket file once if the path is taken. */
static int
server_socket_bind_path(int fd, const char *path, const struct sockaddr_un *sun,
    int mode, char *err, size_t errsize)
{
	if (server_socket_try_bind(fd, sun, mode) == 0)
		return 0;
	if (errno == EADDRINUSE) {
		if (server_socket_clear(path, sun, err, errsize) == -1)
			return -1;
		if (server_socket_try_bind(fd, sun, mode) == 0)
			return 0;
	}
	snprintf(err, errsize, "socket %s: bind: %s", path, strerror(errno));
	return -1;
}

/* Give the socket to group (name or number); NULL leaves it alone. */
static int
server_socket_group(const char *path, const char *group, char *err,
    size_t errsize)
{
	struct group	 gr, *res = NULL;
	char		 buf[4096], *end;
	long		 gid;
	int		 e;

	if (group == NULL)
		return 0;
	gid = strtol(group, &end, 10);
	if (group[0] == '\0' || *end != '\0' || gid < 0) {
		if ((e = getgrnam_r(group, &gr, buf, sizeof(buf), &res)) != 0 ||
		    res == NULL) {
			snprintf(err, errsize, "socket_group: unknown group "
			    "'%s'%s%s", group, e != 0 ? ": " : "",
			    e != 0 ? strerror(e) : "");
			return -1;
		}
		gid = (long)res->gr_gid;
	}
	if (chown(path, (uid_t)-1, (gid_t)gid) == -1) {
		snprintf(err, errsize, "socket %s: cannot give it to group "
		    "'%s': %s", path, group, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Create, bind and listen on a Unix socket at path with the given mode and
 * group.  Records the file's device and inode so that server_free unlinks
 * only the file it created.  Returns the fd or -1 with a message in err.
 */
int
server_socket_bind(const char *path, int mode, const char *group,
    dev_t *devp, ino_t *inop, char *err, size_t errsize)
{
	struct sockaddr_un	sun;
	struct stat		st;
	int			fd;

	if (server_sockaddr(path, &sun, err, errsize) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, errsize, "socket: %s", strerror(errno));
		return -1;
	}
	if (server_socket_bind_path(fd, path, &sun, mode, err, errsize) == -1) {
		close(fd);
		return -1;
	}
	if (chmod(path, (mode_t)mode) == -1 || lstat(path, &st) == -1) {
		snprintf(err, errsize, "socket %s: %s", path, strerror(errno));
		goto fail;
	}
	if (server_socket_group(path, group, err, errsize) == -1)
		goto fail;
	if (listen(fd, SERVER_BACKLOG) == -1) {
		snprintf(err, errsize, "socket %s: listen: %s", path,
		    strerror(errno));
		goto fail;
	}
	*devp = st.st_dev;
	*inop = st.st_ino;
	return fd;
fail:
	unlink(path);
	close(fd);
	return -1;
}

/* Remove the socket file, unless someone replaced it since we made it. */
void
server_socket_unlink(const char *path, dev_t dev, ino_t ino)
{
	struct stat st;

	if (lstat(path, &st) == -1 || st.st_dev != dev || st.st_ino != ino)
		return;
	if (unlink(path) == -1)
		log_warn("socket %s: unlink", path);
}
