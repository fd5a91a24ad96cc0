/*
 * cmd.h: pmsignald's subcommands.  Each lives in its own file and takes the
 * arguments after its name (argv[0] is the subcommand).  Exit status: 0 ok,
 * 1 runtime failure, 2 usage or invalid input (config, markets, archive).
 */
#ifndef PM_CMD_H
#define PM_CMD_H

#define EXIT_USAGE	2

int	cmd_run(int argc, char **argv);
int	cmd_check_config(int argc, char **argv);
int	cmd_score(int argc, char **argv);
int	cmd_backtest(int argc, char **argv);
int	cmd_parse_feed(int argc, char **argv);
int	cmd_export(int argc, char **argv);

#endif
