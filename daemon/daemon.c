/*
 * daemon.c: pmsignald's life cycle: load the config, set up the event loop
 * and its signals, run until SIGINT/SIGTERM, tear down.  Signals arrive
 * through libevent, so their handlers run in the loop, never in signal
 * context.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "poller.h"
#include "server.h"
#include "store.h"
#include "version.h"

/*
 * How long a stop waits for the transfers in flight: the tests require an
 * exit within 5 s of SIGTERM, the unit allows 10 s (TimeoutStopSec).
 */
#define DAEMON_DRAIN_MS	3000

/* Relative socket and database paths live in the state directory. */
static int
daemon_resolve_paths(struct daemon *d, const struct config *cfg)
{
	free(d->socket_path);
	free(d->database_path);
	free(d->markets_path);
	d->socket_path = config_resolve_path(d->opts.state_dir, cfg->socket);
	d->database_path = config_resolve_path(d->opts.state_dir, cfg->database);
	d->markets_path = config_resolve_path(cfg->dir, cfg->markets);
	if (d->socket_path == NULL || d->database_path == NULL ||
	    d->markets_path == NULL) {
		log_warnx("out of memory resolving paths");
		return -1;
	}
	return 0;
}

static void
daemon_log_summary(const struct daemon *d)
{
	const struct config *cfg = &d->cfg;

	log_info("config %s: %zu feed%s, markets %s, socket %s, database %s, "
	    "log level %s", cfg->path, cfg->nfeeds, cfg->nfeeds == 1 ? "" : "s",
	    d->markets_path, d->socket_path, d->database_path,
	    log_level_name(cfg->log_level));
}

/*
 * Apply a valid new config to the running parts: markets first (they may
 * still be invalid, and then nothing changes), then the feeds and the
 * subscriber limits.  The socket and database stay until a restart.
 */
static int
daemon_reload_parts(struct daemon *d, const struct config *cfg)
{
	char	*markets, err[512];

	if ((markets = config_resolve_path(cfg->dir, cfg->markets)) == NULL) {
		log_warnx("reload failed, keeping the running config and "
		    "markets: out of memory");
		return -1;
	}
	if (d->pipeline != NULL &&
	    publish_reload_markets(d, cfg, markets, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the running config and "
		    "markets: %s", err);
		free(markets);
		return -1;
	}
	free(markets);
	if (d->poller != NULL && poller_reconfigure(d->poller, cfg) == -1)
		log_warnx("reload: feeds not updated (out of memory)");
	if (d->server != NULL)
		server_reconfigure(d->server, cfg);
	if (strcmp(cfg->socket, d->cfg.socket) != 0 ||
	    strcmp(cfg->database, d->cfg.database) != 0)
		log_warnx("reload: socket and database paths change only at "
		    "a restart");
	return 0;
}

/*
 * Re-read the config.  The new one is parsed into a fresh struct and
 * swapped in only when valid; otherwise the running config stays.
 */
static int
daemon_reload_config(struct daemon *d)
{
	struct config	cfg;
	char		err[512];

	log_info("SIGHUP: reloading %s", d->opts.config_path);
	if (config_load(d->opts.config_path, &cfg, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the running config and "
		    "markets: %s", err);
		return -1;
	}
	if (daemon_reload_parts(d, &cfg) == -1) {
		config_free(&cfg);
		return -1;
	}
	config_free(&d->cfg);
	d->cfg = cfg;
	log_set_level(cfg.log_level);
	if (daemon_resolve_paths(d, &d->cfg) == -1)
		return -1;
	daemon_log_summary(d);
	return 0;
}

/* --- operations: systemd notification and metrics (daemon/notify.h, daemon/metrics.h) */

/* STATUS= for systemd: the counters' one-line summary. */
static void
daemon_status(void *arg, char *buf, size_t size)
{
	struct daemon *d = arg;

	metrics_summary(&d->counters, buf, size);
}

/* Counters, metrics listener and systemd timers, once the loop exists. */
static int
daemon_ops_setup(struct daemon *d)
{
	d->counters.feeds = d->cfg.nfeeds;
	if ((d->metrics = metrics_new(d->base, &d->counters)) == NULL ||
	    metrics_listen(d->metrics, d->cfg.metrics_listen) == -1 ||
	    notify_start(&d->notify, d->base, daemon_status, d) == -1)
		return -1;
	return 0;
}

/* SIGHUP: RELOADING=1, reload, count it, READY=1 (also when it failed). */
static void
daemon_reload(struct daemon *d)
{
	if (d->stopping) {
		log_info("SIGHUP while stopping: ignored");
		return;
	}
	notify_reloading(&d->notify);
	if (daemon_reload_config(d) == -1) {
		d->counters.reload_failures++;
	} else {
		d->counters.reloads++;
		d->counters.feeds = d->cfg.nfeeds;
		if (d->poller != NULL)
			d->counters.feeds_failing = poller_nfailing(d->poller);
		/* On failure the old listener stays; the reason is logged. */
		metrics_listen(d->metrics, d->cfg.metrics_listen);
	}
	notify_ready(&d->notify);
}

static void
daemon_ops_teardown(struct daemon *d)
{
	notify_stop(&d->notify);
	metrics_free(d->metrics);
	d->metrics = NULL;
	if (d->listen_fd >= 0 && close(d->listen_fd) == -1)
		log_warn("close socket-activated fd %d", d->listen_fd);
	d->listen_fd = -1;
}

/* --- end of operations */

/* The poller has drained: say bye to every subscriber and leave the loop. */
static void
daemon_stop_finish(void *arg)
{
	struct daemon *d = arg;

	if (d->server != NULL)
		server_bye_all(d->server, "shutdown");
	event_base_loopexit(d->base, NULL);
}

/*
 * SIGTERM/SIGINT: poll no more, let the transfers in flight finish (their
 * articles are scored, stored and published as usual) for up to
 * DAEMON_DRAIN_MS, then bye and exit.  A second signal stops waiting.
 */
static void
daemon_stop(struct daemon *d, const char *why)
{
	if (d->stopping) {
		log_info("%s again: not waiting for transfers in flight", why);
		if (d->poller != NULL)
			poller_stop(d->poller);
		return;
	}
	d->stopping = 1;
	log_info("%s: shutting down", why);
	notify_stopping(&d->notify);
	if (d->poller != NULL)
		poller_drain(d->poller, DAEMON_DRAIN_MS, daemon_stop_finish, d);
	else
		daemon_stop_finish(d);
}

static void
daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	switch (sig) {
	case SIGHUP:
		daemon_reload(d);
		break;
	case SIGINT:
		daemon_stop(d, "SIGINT");
		break;
	case SIGTERM:
		daemon_stop(d, "SIGTERM");
		break;
	}
}

static int
daemon_add_signal(struct daemon *d, struct event **evp, int sig)
{
	if ((*evp = evsignal_new(d->base, sig, daemon_signal_cb, d)) == NULL ||
	    evsignal_add(*evp, NULL) == -1) {
		log_warnx("cannot install handler for signal %d", sig);
		return -1;
	}
	return 0;
}

/* Detach from the terminal; stderr stays where it was for the logs. */
static int
daemon_detach(void)
{
	int fd;

	switch (fork()) {
	case -1:
		log_warn("fork");
		return -1;
	case 0:
		break;
	default:
		_exit(0);
	}
	if (setsid() == -1) {
		log_warn("setsid");
		return -1;
	}
	if ((fd = open("/dev/null", O_RDWR)) == -1) {
		log_warn("/dev/null");
		return -1;
	}
	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1) {
		log_warn("dup2");
		close(fd);
		return -1;
	}
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

static int
daemon_setup(struct daemon *d)
{
	/* A subscriber that vanishes mid-write must not kill us. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_warn("signal(SIGPIPE)");
		return -1;
	}
	if ((d->base = event_base_new()) == NULL) {
		log_warnx("event_base_new failed");
		return -1;
	}
	if (daemon_add_signal(d, &d->ev_sigint, SIGINT) == -1 ||
	    daemon_add_signal(d, &d->ev_sigterm, SIGTERM) == -1 ||
	    daemon_add_signal(d, &d->ev_sighup, SIGHUP) == -1)
		return -1;
	if (daemon_ops_setup(d) == -1 || publish_setup(d) == -1 ||
	    source_setup(d) == -1 || ingest_setup(d) == -1)
		return -1;
	return 0;
}

static void
daemon_teardown(struct daemon *d)
{
	poller_free(d->poller);
	d->poller = NULL;
	server_free(d->server);
	d->server = NULL;
	publish_teardown(d);
	daemon_ops_teardown(d);
	if (d->ev_sigint != NULL)
		event_free(d->ev_sigint);
	if (d->ev_sigterm != NULL)
		event_free(d->ev_sigterm);
	if (d->ev_sighup != NULL)
		event_free(d->ev_sighup);
	if (d->base != NULL)
		event_base_free(d->base);
	config_free(&d->cfg);
	free(d->socket_path);
	free(d->database_path);
	free(d->markets_path);
}

int
daemon_main(const struct daemon_opts *opts)
{
	struct daemon	d;
	char		err[512];
	int		rc = 1;

	memset(&d, 0, sizeof(d));
	d.opts = *opts;
	d.listen_fd = -1;
	metrics_init(&d.counters, (int64_t)time(NULL));
	if (config_load(opts->config_path, &d.cfg, err, sizeof(err)) == -1) {
		log_error("%s", err);
		return 2;
	}
	log_set_level(d.cfg.log_level);
	if (daemon_resolve_paths(&d, &d.cfg) == -1)
		goto out;
	/* Before detaching: LISTEN_PID names this process. */
	d.listen_fd = notify_listen_fd();
	if (!opts->foreground && daemon_detach() == -1)
		goto out;
	log_info("pmsignald %s starting (pid %ld)", PM_VERSION, (long)getpid());
	if (daemon_setup(&d) == -1)
		goto out;
	/* Tests and ops read this line as "up": logged once everything is. */
	daemon_log_summary(&d);
	notify_ready(&d.notify);
	if (event_base_dispatch(d.base) == -1) {
		log_warnx("event loop failed");
		goto out;
	}
	log_info("stopped");
	rc = 0;
out:
	daemon_teardown(&d);
	return rc;
}
