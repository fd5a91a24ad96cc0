/*
 * cmd-run.c: "pmsignald run" and "pmsignald check-config": option parsing
 * for the daemon itself.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "config.h"
#include "daemon.h"
#include "log.h"

static const struct option run_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, 's' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
run_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pmsignald run [--config FILE] [--state-dir DIR] [--foreground]\n"
	    "  --config FILE     configuration (default %s)\n"
	    "  --state-dir DIR   where relative socket and database paths live\n"
	    "                    (default $STATE_DIRECTORY, else the current directory)\n"
	    "  --foreground      do not detach from the terminal\n",
	    CONFIG_DEFAULT_PATH);
}

int
cmd_run(int argc, char **argv)
{
	struct daemon_opts	opts = { CONFIG_DEFAULT_PATH, NULL, 0 };
	int			ch;

	opts.state_dir = getenv("STATE_DIRECTORY");
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:s:fh", run_options, NULL)) != -1) {
		switch (ch) {
		case 'c':
			opts.config_path = optarg;
			break;
		case 's':
			opts.state_dir = optarg;
			break;
		case 'f':
			opts.foreground = 1;
			break;
		case 'h':
			run_usage(stdout);
			return 0;
		default:
			run_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pmsignald: unexpected argument '%s'\n", argv[optind]);
		run_usage(stderr);
		return EXIT_USAGE;
	}
	if (opts.state_dir == NULL || opts.state_dir[0] == '\0')
		opts.state_dir = ".";
	return daemon_main(&opts);
}

int
cmd_check_config(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*path = CONFIG_DEFAULT_PATH;
	struct config	 cfg;
	char		 err[512];
	int		 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			printf("usage: pmsignald check-config [--config FILE]\n");
			return 0;
		default:
			fprintf(stderr, "usage: pmsignald check-config [--config FILE]\n");
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pmsignald: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (config_load(path, &cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return EXIT_USAGE;
	}
	printf("ok: %s: %zu feed%s, markets %s, socket %s, database %s\n",
	    path, cfg.nfeeds, cfg.nfeeds == 1 ? "" : "s", cfg.markets,
	    cfg.socket, cfg.database);
	config_free(&cfg);
	return 0;
}
