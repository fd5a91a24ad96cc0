/*
 * pmsignald.c: main() of the daemon and its offline subcommands.  It only
 * finds the subcommand; each one parses its own options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "version.h"

struct subcommand {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*summary;
};

static const struct subcommand subcommands[] = {
	{ "run", cmd_run, "run the daemon (the default)" },
	{ "check-config", cmd_check_config, "validate the config and markets, then exit" },
	{ "score", cmd_score, "score one article against the markets and explain it" },
	{ "backtest", cmd_backtest, "replay an archive: deltas, scores, chart" },
	{ "parse-feed", cmd_parse_feed, "parse a feed document and print it as JSON" },
	{ "export", cmd_export, "write the stored articles as a JSONL archive" },
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pmsignald [run] [--config FILE] [--state-dir DIR] [--foreground]\n"
	    "       pmsignald SUBCOMMAND [OPTIONS] [ARGS]\n"
	    "       pmsignald --help | --version\n"
	    "\nsubcommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(fp, "  %-14s %s\n", subcommands[i].name,
		    subcommands[i].summary);
	fprintf(fp, "\n'pmsignald SUBCOMMAND --help' describes each one; "
	    "see pmsignald(8).\n");
}

int
main(int argc, char **argv)
{
	log_init("pmsignald", LOG_LEVEL_INFO);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "-V") == 0)) {
		printf("pmsignald %s\n", PM_VERSION);
		return 0;
	}
	/* No subcommand, or options first: "run". */
	if (argc < 2 || argv[1][0] == '-')
		return cmd_run(argc, argv);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "pmsignald: unknown subcommand '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
