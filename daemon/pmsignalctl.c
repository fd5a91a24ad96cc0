/*
 * pmsignalctl.c: the command-line client of pmsignald's subscriber socket.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "version.h"

#define CTL_DEFAULT_SOCKET	"/run/pmsignald/pmsignald.sock"

static void
ctl_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pmsignalctl [--socket PATH] COMMAND\n"
	    "  --socket PATH   daemon socket (default $PMSIGNAL_SOCKET, else %s)\n"
	    "commands:\n"
	    "  status          daemon status\n",
	    CTL_DEFAULT_SOCKET);
}

/* Connect to the daemon's socket; -1 and a message naming it on failure. */
static int
ctl_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "pmsignalctl: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		fprintf(stderr, "pmsignalctl: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "pmsignalctl: cannot connect to %s: %s\n", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*sock = getenv("PMSIGNAL_SOCKET");
	int		 ch, fd;

	if (sock == NULL || sock[0] == '\0')
		sock = CTL_DEFAULT_SOCKET;
	while ((ch = getopt_long(argc, argv, "+s:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			sock = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return 0;
		case 'V':
			printf("pmsignalctl %s\n", PM_VERSION);
			return 0;
		default:
			ctl_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		ctl_usage(stderr);
		return 2;
	}
	if (strcmp(argv[optind], "status") != 0) {
		fprintf(stderr, "pmsignalctl: unknown command '%s'\n", argv[optind]);
		ctl_usage(stderr);
		return 2;
	}
	if ((fd = ctl_connect(sock)) == -1)
		return 1;
	close(fd);
	printf("connected to %s\n", sock);
	return 0;
}
