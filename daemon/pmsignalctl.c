/*
 * pmsignalctl.c: main() of the command-line client of pmsignald's
 * subscriber socket: global options, then one command (tail, status,
 * markets, snapshot), each in its own file.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pmsignalctl.h"
#include "version.h"

struct ctl_command {
	const char	*name;
	int		(*fn)(const struct ctl_opts *, int, char **);
	const char	*summary;
};

static const struct ctl_command ctl_commands[] = {
	{ "tail", ctl_tail, "follow deltas live (--market GLOB, --since SEQ, --json)" },
	{ "status", ctl_status, "the daemon's status" },
	{ "markets", ctl_markets, "the markets and their definitions" },
	{ "snapshot", ctl_snapshot, "every market's current probability" },
};

static void
ctl_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pmsignalctl [--socket PATH] COMMAND [OPTIONS]\n"
	    "  --socket PATH   daemon socket (default $PMSIGNAL_SOCKET, else %s)\n"
	    "commands:\n", CTL_DEFAULT_SOCKET);
	for (size_t i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++)
		fprintf(fp, "  %-14s  %s\n", ctl_commands[i].name,
		    ctl_commands[i].summary);
	fprintf(fp, "'pmsignalctl COMMAND --help' describes each one.\n");
}

/* Colour only on a terminal, and never when NO_COLOR is set. */
static int
ctl_want_color(void)
{
	const char *term = getenv("TERM");
	const char *no = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (no == NULL || no[0] == '\0') &&
	    term != NULL && strcmp(term, "dumb") != 0;
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
	struct ctl_opts	 o = { NULL, 0, 0 };
	int		 ch;

	o.socket = getenv("PMSIGNAL_SOCKET");
	if (o.socket == NULL || o.socket[0] == '\0')
		o.socket = CTL_DEFAULT_SOCKET;
	while ((ch = getopt_long(argc, argv, "+s:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			o.socket = optarg;
			break;
		case 'h':
			ctl_usage(stdout);
			return 0;
		case 'V':
			printf("pmsignalctl %s (protocol %d)\n", PM_VERSION,
			    PM_PROTOCOL);
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
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	o.color = ctl_want_color();
	for (size_t i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++)
		if (strcmp(argv[optind], ctl_commands[i].name) == 0)
			return ctl_commands[i].fn(&o, argc - optind,
			    argv + optind);
	fprintf(stderr, "pmsignalctl: unknown command '%s'\n", argv[optind]);
	ctl_usage(stderr);
	return 2;
}
