/*
 * cmd-export.c: "pmsignald export": the stored articles as an archive (JSONL,
 * one article per line, in first_seen order; docs/ARCHIVE.md), so the
 * daemon's own history becomes a backtest archive.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "config.h"
#include "date.h"
#include "store.h"

struct export {
	FILE	*out;
	long	 written;
	long	 pruned;	/* skipped: text removed by retention */
	int	 failed;	/* out of memory or a write error */
};

static void
export_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pmsignald export [--since TIME] [--until TIME] "
	    "[--database FILE]\n"
	    "                        [--config FILE] [--state-dir DIR]\n"
	    "  Write the stored articles as JSONL (one article per line: id, "
	    "title,\n"
	    "  body, source, url, published, first_seen) on stdout, in "
	    "first_seen order.\n"
	    "  --since TIME      only articles first seen at or after TIME "
	    "(RFC 3339)\n"
	    "  --until TIME      only articles first seen before TIME\n"
	    "  --database FILE   the database (default: the config's "
	    "\"database\",\n"
	    "                    taken in the state directory as by "
	    "'pmsignald run')\n"
	    "  --config FILE     configuration (default %s)\n"
	    "  --state-dir DIR   default $STATE_DIRECTORY, else the current "
	    "directory\n", CONFIG_DEFAULT_PATH);
}

/* Add a time as RFC 3339, or null. */
static cJSON *
export_add_time(cJSON *o, const char *key, int64_t t)
{
	char buf[40];

	if (t == PM_TIME_NONE)
		return cJSON_AddNullToObject(o, key);
	date_format_rfc3339(t, buf, sizeof(buf));
	return cJSON_AddStringToObject(o, key, buf);
}

/* One archive line for a; NULL when out of memory. */
static char *
export_line(const struct article *a)
{
	cJSON	*o;
	char	*line = NULL;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "id", a->id) != NULL &&
	    cJSON_AddStringToObject(o, "title", a->title != NULL ? a->title :
	    "") != NULL &&
	    cJSON_AddStringToObject(o, "body", a->text) != NULL &&
	    cJSON_AddStringToObject(o, "source", a->source) != NULL &&
	    cJSON_AddStringToObject(o, "url", a->url != NULL ? a->url : "") !=
	    NULL &&
	    export_add_time(o, "published", a->published) != NULL &&
	    export_add_time(o, "first_seen", a->first_seen) != NULL)
		line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return line;
}

static int
export_one(void *arg, const struct article *a, int64_t rowid)
{
	struct export	*e = arg;
	char		*line;

	(void)rowid;
	if (a->text == NULL) {
		e->pruned++;
		return 0;
	}
	if ((line = export_line(a)) == NULL) {
		fprintf(stderr, "pmsignald: export: out of memory\n");
		e->failed = 1;
		return 1;
	}
	if (fputs(line, e->out) == EOF || putc('\n', e->out) == EOF) {
		fprintf(stderr, "pmsignald: export: write error: %s\n",
		    strerror(errno));
		e->failed = 1;
	} else
		e->written++;
	free(line);
	return e->failed;
}

/* The database the daemon would use with this config and state dir. */
static char *
export_default_database(const char *config_path, const char *state_dir)
{
	struct config	 cfg;
	char		 err[512], *path;

	if (config_load(config_path, &cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	if ((path = config_resolve_path(state_dir, cfg.database)) == NULL)
		fprintf(stderr, "pmsignald: export: out of memory\n");
	config_free(&cfg);
	return path;
}

/*
 * Open read-only, so an export never writes; an older schema needs the
 * same migration the daemon would do, so that case opens read-write.
 */
static struct store *
export_open(const char *path)
{
	struct store	*s;
	char		 err[1024];
	int		 rc;

	rc = store_open(path, STORE_RDONLY | STORE_NOCREATE, &s, err,
	    sizeof(err));
	if (rc == STORE_EREADONLY)
		rc = store_open(path, STORE_NOCREATE, &s, err, sizeof(err));
	if (rc != STORE_OK) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	return s;
}

static int
export_run(const char *path, int64_t since, int64_t until)
{
	struct export	 e = { stdout, 0, 0, 0 };
	struct store	*s;
	char		 err[1024];
	int		 rc;

	if ((s = export_open(path)) == NULL)
		return 1;
	rc = store_articles_each(s, since, until, export_one, &e, err,
	    sizeof(err));
	store_close(s);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (!e.failed)
			fprintf(stderr, "pmsignald: export: write error: %s\n",
			    strerror(errno));
		return 1;
	}
	if (e.pruned > 0)
		fprintf(stderr, "pmsignald: export: %ld article%s skipped: "
		    "text already pruned by retention\n", e.pruned,
		    e.pruned == 1 ? "" : "s");
	return e.failed ? 1 : 0;
}

/* Parse --since/--until. */
static int
export_time(const char *opt, const char *s, int64_t *t)
{
	if (date_parse_rfc3339(s, t) == 0)
		return 0;
	fprintf(stderr, "pmsignald: export: %s: '%s' is not an RFC 3339 time "
	    "(e.g. 2025-11-19T00:00:00Z)\n", opt, s);
	return -1;
}

int
cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "database", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*config_path = CONFIG_DEFAULT_PATH, *database = NULL;
	const char	*state_dir = getenv("STATE_DIRECTORY");
	int64_t		 since = PM_TIME_NONE, until = PM_TIME_NONE;
	char		*path;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "S:U:d:c:s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'S':
			if (export_time("--since", optarg, &since) == -1)
				return EXIT_USAGE;
			break;
		case 'U':
			if (export_time("--until", optarg, &until) == -1)
				return EXIT_USAGE;
			break;
		case 'd':
			database = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'h':
			export_usage(stdout);
			return 0;
		default:
			export_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pmsignald: export: unexpected argument '%s'\n",
		    argv[optind]);
		export_usage(stderr);
		return EXIT_USAGE;
	}
	if (state_dir == NULL || state_dir[0] == '\0')
		state_dir = ".";
	if (database != NULL)
		path = strdup(database);
	else if ((path = export_default_database(config_path, state_dir)) ==
	    NULL)
		return EXIT_USAGE;
	if (path == NULL) {
		fprintf(stderr, "pmsignald: export: out of memory\n");
		return 1;
	}
	rc = export_run(path, since, until);
	free(path);
	return rc;
}
