/*
 * cmd-backtest.c: "pmsignald backtest": replay an archive through the live
 * pipeline with a virtual clock (lib/backtest.c) and write deltas.ndjson,
 * trajectories.csv, summary.json and chart.svg into --out, with a table on
 * stdout.  This file is the glue: options, files, progress, timing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "backtest.h"
#include "cmd.h"
#include "config.h"
#include "date.h"
#include "log.h"
#include "market.h"

#define BT_DEFAULT_OUT		"backtest-out"
#define BT_PROGRESS_MIN		5000	/* articles before a progress bar shows */
#define BT_PROBLEMS_SHOWN	50	/* bad lines listed on stderr */
#define BT_DEDUP_WINDOW		(3 * 86400)	/* model.dedup_window's default */

struct bt_args {
	const char	*archive;
	const char	*markets;
	const char	*resolutions;
	const char	*config;
	const char	*out;
	int64_t		 from, until, step;
	int64_t		 dedup_window;
};

static void
bt_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pmsignald backtest --archive PATH [--markets PATH] "
	    "[--resolutions FILE]\n"
	    "           [--from TIME] [--until TIME] [--step DURATION] "
	    "[--out DIR] [--config FILE]\n"
	    "  --archive PATH      JSONL file, pmsignald database, or a directory of them\n"
	    "  --markets PATH      market file or directory (default: the config's)\n"
	    "  --resolutions FILE  {\"market-id\": 1 or 0, ...}: enables the scores\n"
	    "  --from TIME         start the clock here (RFC 3339; default: the data)\n"
	    "  --until TIME        stop the clock here (default: the last deadline)\n"
	    "  --step DURATION     tick, e.g. 1h, 30m, 3600 (default: the config's "
	    "tick, else 1h)\n"
	    "  --out DIR           where the outputs go (default ./%s/)\n"
	    "  --config FILE       daemon config: markets, tick and feed credibility\n"
	    "                      (default %s, read when --markets is not given)\n",
	    BT_DEFAULT_OUT, CONFIG_DEFAULT_PATH);
}

/* Parse a --from/--until value; -1 and a message if it is not a time. */
static int
bt_parse_time(const char *opt, const char *s, int64_t *out)
{
	if (date_parse_rfc3339(s, out) == -1) {
		fprintf(stderr, "pmsignald backtest: %s: '%s' is not an RFC 3339 "
		    "time (e.g. 2025-11-19 or 2025-11-19T12:00:00Z)\n", opt, s);
		return -1;
	}
	return 0;
}

static int
bt_parse_args(int argc, char **argv, struct bt_args *a)
{
	static const struct option opts[] = {
		{ "archive", required_argument, NULL, 'a' },
		{ "markets", required_argument, NULL, 'm' },
		{ "resolutions", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "step", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(a, 0, sizeof(*a));
	a->from = a->until = PM_TIME_NONE;
	a->out = BT_DEFAULT_OUT;
	a->dedup_window = BT_DEDUP_WINDOW;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "a:m:r:f:u:s:o:c:h", opts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a': a->archive = optarg; break;
		case 'm': a->markets = optarg; break;
		case 'r': a->resolutions = optarg; break;
		case 'o': a->out = optarg; break;
		case 'c': a->config = optarg; break;
		case 'f':
			if (bt_parse_time("--from", optarg, &a->from) == -1)
				return -1;
			break;
		case 'u':
			if (bt_parse_time("--until", optarg, &a->until) == -1)
				return -1;
			break;
		case 's':
			if (market_parse_duration(optarg, &a->step) == -1 ||
			    a->step < 1 || a->step > 7 * 86400) {
				fprintf(stderr, "pmsignald backtest: --step: '%s' is "
				    "not a duration from 1s to 7d (e.g. 1h, 30m, "
				    "3600)\n", optarg);
				return -1;
			}
			break;
		case 'h':
			bt_usage(stdout);
			exit(0);
		default:
			bt_usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pmsignald backtest: unexpected argument '%s'\n",
		    argv[optind]);
		return -1;
	}
	if (a->archive == NULL) {
		fprintf(stderr, "pmsignald backtest: --archive PATH is required\n");
		bt_usage(stderr);
		return -1;
	}
	if (a->from != PM_TIME_NONE && a->until != PM_TIME_NONE &&
	    a->until < a->from) {
		fprintf(stderr, "pmsignald backtest: --until is before --from\n");
		return -1;
	}
	return 0;
}

/* Give each article the credibility its feed has in the config. */
static void
bt_apply_credibility(struct archive *ar, const struct config *cfg)
{
	for (size_t i = 0; i < ar->narticles; i++) {
		struct article *a = &ar->articles[i];

		for (size_t f = 0; a->source != NULL && f < cfg->nfeeds; f++) {
			if (strcmp(cfg->feeds[f].name, a->source) == 0) {
				a->credibility = cfg->feeds[f].credibility;
				break;
			}
		}
	}
}

/*
 * The config is read when given, or when --markets is not: it names the
 * markets, the tick and each feed's credibility, as the daemon uses them.
 * Returns 1 with *cfg loaded, 0 when not needed, -1 on error.
 */
static int
bt_load_config(struct bt_args *a, struct config *cfg, char **markets)
{
	const char	*path = a->config != NULL ? a->config : CONFIG_DEFAULT_PATH;
	char		 err[512];

	*markets = NULL;
	if (a->config == NULL && a->markets != NULL)
		return 0;
	if (config_load(path, cfg, err, sizeof(err)) == -1) {
		if (a->markets == NULL)
			fprintf(stderr, "pmsignald backtest: no --markets given, "
			    "and the config cannot be read: %s\n", err);
		else
			fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (a->markets == NULL) {
		if ((*markets = config_resolve_path(cfg->dir, cfg->markets)) == NULL) {
			config_free(cfg);
			fprintf(stderr, "pmsignald backtest: out of memory\n");
			return -1;
		}
		a->markets = *markets;
	}
	if (a->step == 0)
		a->step = cfg->tick;
	a->dedup_window = cfg->dedup_window;
	return 1;
}

/* mkdir -p: every missing directory of path. */
static int
bt_mkdirs(const char *path)
{
	char	*p = strdup(path);

	if (p == NULL)
		return -1;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0777) == -1 && errno != EEXIST) {
				free(p);
				return -1;
			}
			if ((*s = c) == '\0')
				break;
		}
	}
	free(p);
	return 0;
}

static FILE *
bt_open_out(const char *dir, const char *name, char *path, size_t size)
{
	FILE *fp;

	snprintf(path, size, "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		log_warn("%s", path);
	return fp;
}

static int
bt_close_out(FILE *fp, const char *path)
{
	if (fp == NULL)
		return 0;
	if (ferror(fp) | fclose(fp)) {
		log_warn("%s: write error", path);
		return -1;
	}
	return 0;
}

/* A step as people write it: 1h, 30m, 2d, 90s. */
static const char *
bt_duration(int64_t s, char *buf, size_t size)
{
	if (s % 86400 == 0)
		snprintf(buf, size, "%lldd", (long long)(s / 86400));
	else if (s % 3600 == 0)
		snprintf(buf, size, "%lldh", (long long)(s / 3600));
	else if (s % 60 == 0)
		snprintf(buf, size, "%lldm", (long long)(s / 60));
	else
		snprintf(buf, size, "%llds", (long long)s);
	return buf;
}

/* A progress bar on stderr, redrawn when the percentage changes. */
static void
bt_progress(void *arg, size_t done, size_t total)
{
	int	*last = arg, pct = total ? (int)(done * 100 / total) : 100;
	char	 bar[41];

	if (pct == *last)
		return;
	*last = pct;
	memset(bar, '#', sizeof(bar) - 1);
	memset(bar + pct * 40 / 100, '.', 40 - (size_t)pct * 40 / 100);
	bar[40] = '\0';
	fprintf(stderr, "\rbacktest [%s] %3d%% %zu/%zu articles", bar, pct, done,
	    total);
	if (done == total)
		fputc('\n', stderr);
}

/* Bad lines on stderr (the first ones), then one line of counts on stdout. */
static void
bt_report_archive(const char *path, const struct archive *ar)
{
	for (size_t i = 0; i < ar->nproblems && i < BT_PROBLEMS_SHOWN; i++)
		log_warnx("%s", ar->problems[i]);
	if (ar->bad > BT_PROBLEMS_SHOWN)
		log_warnx("%s: %zu more bad lines not shown", path,
		    ar->bad - BT_PROBLEMS_SHOWN);
	printf("archive %s: %zu article%s replayed", path, ar->narticles,
	    ar->narticles == 1 ? "" : "s");
	if (ar->bad)
		printf(", %zu bad line%s skipped", ar->bad, ar->bad == 1 ? "" : "s");
	if (ar->no_time)
		printf(", %zu without a time skipped", ar->no_time);
	if (ar->derived_ids)
		printf(", %zu without an id given one (url or hash)",
		    ar->derived_ids);
	if (ar->out_of_range)
		printf(", %zu outside --from/--until", ar->out_of_range);
	if (ar->pruned)
		printf(", %zu with text pruned by retention skipped", ar->pruned);
	printf("\n");
}

/* Replay and write the four files; 0, or 1 on a runtime failure. */
static int
bt_replay(const struct bt_args *a, const struct market_set *ms,
    const struct archive *ar, const struct resolutions *res)
{
	struct backtest_opts	 o;
	struct backtest		*bt = NULL;
	char			 pd[4096], pt[4096], ps[4096], pc[4096], err[512];
	char			 from[40], until[40], title[600], step[32];
	const char		*base;
	FILE			*fd, *ft, *fs = NULL, *fc = NULL;
	struct timespec		 t0, t1;
	int			 last = -1, rc = 1;
	double			 secs;

	if (bt_mkdirs(a->out) == -1) {
		log_warn("%s", a->out);
		return 1;
	}
	fd = bt_open_out(a->out, "deltas.ndjson", pd, sizeof(pd));
	ft = bt_open_out(a->out, "trajectories.csv", pt, sizeof(pt));
	if (fd == NULL || ft == NULL)
		goto out;
	memset(&o, 0, sizeof(o));
	o.from = a->from;
	o.until = a->until;
	o.step = a->step;
	o.dedup_window = a->dedup_window;
	o.deltas = fd;
	o.trajectories = ft;
	if (isatty(STDERR_FILENO) && ar->narticles >= BT_PROGRESS_MIN) {
		o.progress = bt_progress;
		o.progress_arg = &last;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (backtest_run(ms, ar, res, &o, &bt, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	log_info("replayed %zu articles in %.3f s (%.0f articles/s)",
	    bt->articles, secs, secs > 0 ? (double)bt->articles / secs : 0.0);

	date_format_rfc3339(bt->start, from, sizeof(from));
	date_format_rfc3339(bt->end, until, sizeof(until));
	base = strrchr(a->archive, '/');
	snprintf(title, sizeof(title), "pmsignald backtest: %s, %.10s to %.10s, "
	    "tick %s", base != NULL && base[1] != '\0' ? base + 1 : a->archive,
	    from, until, bt_duration(bt->step, step, sizeof(step)));
	fs = bt_open_out(a->out, "summary.json", ps, sizeof(ps));
	fc = bt_open_out(a->out, "chart.svg", pc, sizeof(pc));
	if (fs == NULL || fc == NULL || backtest_write_summary(bt, fs) == -1 ||
	    backtest_write_chart(bt, fc, title) == -1) {
		log_warnx("%s: cannot write the outputs", a->out);
		goto out;
	}
	printf("clock %s .. %s, tick %s: %zu ticks, %llu deltas\n\n", from,
	    until, step, bt->ticks, (unsigned long long)bt->seq);
	backtest_print_table(bt, stdout);
	rc = 0;
out:
	if (bt_close_out(fd, pd) | bt_close_out(ft, pt) | bt_close_out(fs, ps) |
	    bt_close_out(fc, pc))
		rc = 1;
	if (rc == 0)
		printf("\noutputs: %s/{deltas.ndjson,trajectories.csv,summary.json}"
		    "\nchart:   %s (open it in a browser)\n", a->out, pc);
	backtest_free(bt);
	return rc;
}

int
cmd_backtest(int argc, char **argv)
{
	struct bt_args		 a;
	struct config		 cfg;
	struct market_set	*ms = NULL;
	struct archive		 ar;
	struct archive_opts	 ao;
	struct resolutions	 res = { NULL, NULL, 0 };
	char			 err[1024], *markets = NULL;
	int			 have_cfg, rc = EXIT_USAGE;

	memset(&ar, 0, sizeof(ar));
	if (bt_parse_args(argc, argv, &a) == -1)
		return EXIT_USAGE;
	if ((have_cfg = bt_load_config(&a, &cfg, &markets)) == -1)
		return EXIT_USAGE;
	if (a.step == 0)
		a.step = BACKTEST_STEP;
	if (market_set_load(a.markets, &ms, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (a.resolutions != NULL &&
	    resolutions_load(a.resolutions, &res, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	for (size_t i = 0; i < res.n; i++)
		if (market_set_find(ms, res.ids[i]) == NULL)
			log_warnx("%s: market '%s' is not in %s; ignored",
			    a.resolutions, res.ids[i], a.markets);
	ao.from = a.from;
	ao.until = a.until;
	if (archive_load(a.archive, &ao, &ar, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (have_cfg)
		bt_apply_credibility(&ar, &cfg);
	bt_report_archive(a.archive, &ar);
	rc = bt_replay(&a, ms, &ar, a.resolutions != NULL ? &res : NULL);
out:
	archive_free(&ar);
	resolutions_free(&res);
	if (ms != NULL)
		market_set_free(ms);
	if (have_cfg == 1)
		config_free(&cfg);
	free(markets);
	return rc;
}
