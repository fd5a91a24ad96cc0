/*
 * bench-poll-scale.c: the three programs of the poll-scale benchmark
 * (tests/bench/bench-poll-scale.sh drives them):
 *
 *   serve PORTFILE NPORTS INTERVAL
 *	An HTTP server on NPORTS ephemeral ports of 127.0.0.1 (each one a
 *	"host") serving /feed/N as a 19 KB RSS document.  It writes its
 *	ports to PORTFILE, and on SIGTERM prints how many requests it saw and
 *	the worst lateness it observed: the longest gap between two polls of
 *	one feed beyond INTERVAL + 10% jitter.
 *   poll CONFIG
 *	The poller alone on an event loop, polling CONFIG's feeds until
 *	SIGINT; then prints polls, failures and the worst lateness the poller
 *	measured (start of a poll after it was due).
 *   measure SECONDS CMD [ARG...]
 *	Runs CMD, sends it SIGINT after SECONDS, waits, and prints its CPU
 *	use (percent of one core over the run) and peak RSS (ru_maxrss).
 *	CMD can be "poll" above or the real daemon.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "config.h"
#include "log.h"
#include "poller.h"

#define MAX_FEED_ID	100000
#define MAX_PORTS	1000

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- serve ---- */

struct serve {
	const char	*doc;		/* the one document served */
	size_t		 len;
	int64_t		 interval_ms;
	int64_t		*last;		/* per feed: last request, ms */
	uint64_t	 requests;
	int64_t		 worst_late;	/* ms beyond interval + 10% */
	uint64_t	 gaps;
};

/* Serve /feed/N and note how long since feed N was last polled. */
static void
serve_cb(struct evhttp_request *req, void *arg)
{
	struct serve	*sv = arg;
	const char	*uri = evhttp_request_get_uri(req);
	struct evbuffer	*b;
	long		 id;
	int64_t		 now = mono_ms(), late;

	if (strncmp(uri, "/feed/", 6) != 0 ||
	    (id = strtol(uri + 6, NULL, 10)) < 0 || id >= MAX_FEED_ID ||
	    (b = evbuffer_new()) == NULL) {
		evhttp_send_reply(req, 404, "Not Found", NULL);
		return;
	}
	sv->requests++;
	if (sv->last[id] != 0) {
		late = now - sv->last[id] - sv->interval_ms * 11 / 10;
		if (late > sv->worst_late)
			sv->worst_late = late;
		sv->gaps++;
	}
	sv->last[id] = now;
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/rss+xml");
	evbuffer_add_reference(b, sv->doc, sv->len, NULL, NULL);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
serve_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

static char *
serve_doc(size_t *len)
{
	size_t	cap = 64 * 1024, n = 0;
	char	*doc = malloc(cap);

	if (doc == NULL)
		fatal("malloc");
	n += (size_t)snprintf(doc + n, cap - n, "<?xml version=\"1.0\"?>\n"
	    "<rss version=\"2.0\"><channel><title>Bench wire</title>\n");
	for (int i = 0; i < 60 && n < cap; i++)
		n += (size_t)snprintf(doc + n, cap - n, "<item><guid>bench-%d"
		    "</guid><title>Wire item %d: talks continue in the capital"
		    "</title><link>https://wire.example/%d</link><description>"
		    "Delegations met again on day %d; officials described the "
		    "session as constructive and said work would resume."
		    "</description><pubDate>Tue, 04 Nov 2025 10:%02d:00 GMT"
		    "</pubDate></item>\n", i, i, i, i, i % 60);
	n += (size_t)snprintf(doc + n, cap - n, "</channel></rss>\n");
	*len = n;
	return doc;
}

static int
serve_main(int argc, char **argv)
{
	struct event_base		*base;
	struct evhttp			*http;
	struct evhttp_bound_socket	*bs;
	struct event			*ev_term, *ev_int;
	struct sockaddr_in		 sin;
	socklen_t			 slen;
	struct serve			 sv;
	FILE				*fp;
	int				 nports;

	if (argc != 5 || (nports = atoi(argv[3])) < 1 || nports > MAX_PORTS)
		fatalx("usage: serve PORTFILE NPORTS INTERVAL");
	memset(&sv, 0, sizeof(sv));
	sv.interval_ms = atoll(argv[4]) * 1000;
	if ((sv.last = calloc(MAX_FEED_ID, sizeof(*sv.last))) == NULL ||
	    (base = event_base_new()) == NULL || (http = evhttp_new(base)) ==
	    NULL)
		fatalx("serve: setup failed");
	sv.doc = serve_doc(&sv.len);
	evhttp_set_gencb(http, serve_cb, &sv);
	if ((fp = fopen(argv[2], "w")) == NULL)
		fatal("%s", argv[2]);
	for (int i = 0; i < nports; i++) {
		if ((bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0)) ==
		    NULL)
			fatalx("serve: cannot bind");
		slen = sizeof(sin);
		if (getsockname(evhttp_bound_socket_get_fd(bs),
		    (struct sockaddr *)&sin, &slen) == -1)
			fatal("getsockname");
		fprintf(fp, "%d\n", ntohs(sin.sin_port));
	}
	if (fclose(fp) == EOF)
		fatal("%s", argv[2]);
	if ((ev_term = evsignal_new(base, SIGTERM, serve_stop_cb, base)) ==
	    NULL || evsignal_add(ev_term, NULL) == -1 ||
	    (ev_int = evsignal_new(base, SIGINT, serve_stop_cb, base)) ==
	    NULL || evsignal_add(ev_int, NULL) == -1)
		fatalx("serve: signals");
	event_base_dispatch(base);
	printf("server: %llu requests of %zu bytes, %llu repeat polls, "
	    "worst gap beyond interval+10%%: %lld ms\n",
	    (unsigned long long)sv.requests, sv.len,
	    (unsigned long long)sv.gaps,
	    (long long)(sv.worst_late > 0 ? sv.worst_late : 0));
	event_free(ev_term);
	event_free(ev_int);
	evhttp_free(http);
	event_base_free(base);
	free(sv.last);
	free((char *)sv.doc);
	return 0;
}

/* ---- poll ---- */

struct pollstats {
	uint64_t	bodies;
	uint64_t	bytes;
};

static int
poll_on_body(void *arg, const char *name, const char *body, size_t len,
    const char *ct, const char *eu, int64_t now, char *err, size_t errsize)
{
	struct pollstats *ps = arg;

	(void)name;
	(void)body;
	(void)ct;
	(void)eu;
	(void)now;
	(void)err;
	(void)errsize;
	ps->bodies++;
	ps->bytes += len;
	return 1;
}

static void
poll_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

/* Sum the poller's per-feed health into one line. */
static void
poll_report(struct poller *p, const struct pollstats *ps)
{
	struct poller_feed_state	*st;
	size_t				 n = poller_status(p, NULL, 0);
	uint64_t			 polls = 0, failures = 0;
	int64_t				 worst = 0;

	if ((st = calloc(n > 0 ? n : 1, sizeof(*st))) == NULL)
		fatal("calloc");
	poller_status(p, st, n);
	for (size_t i = 0; i < n; i++) {
		polls += st[i].polls;
		failures += st[i].failures;
		if (st[i].worst_lateness_ms > worst)
			worst = st[i].worst_lateness_ms;
	}
	printf("poller: %zu feeds, %llu polls, %llu failures, %llu bodies "
	    "(%llu MB), worst lateness %lld ms\n", n,
	    (unsigned long long)polls, (unsigned long long)failures,
	    (unsigned long long)ps->bodies,
	    (unsigned long long)(ps->bytes >> 20), (long long)worst);
	free(st);
}

static int
poll_main(int argc, char **argv)
{
	const struct poller_handler	 h = { poll_on_body, NULL };
	struct pollstats		 ps;
	struct event_base		*base;
	struct event			*ev_int, *ev_term;
	struct config			 cfg;
	struct poller			*p;
	char				 err[512];

	if (argc != 3)
		fatalx("usage: poll CONFIG");
	if (config_load(argv[2], &cfg, err, sizeof(err)) == -1)
		fatalx("%s", err);
	log_set_level(cfg.log_level);
	memset(&ps, 0, sizeof(ps));
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if ((ev_int = evsignal_new(base, SIGINT, poll_stop_cb, base)) ==
	    NULL || evsignal_add(ev_int, NULL) == -1 ||
	    (ev_term = evsignal_new(base, SIGTERM, poll_stop_cb, base)) ==
	    NULL || evsignal_add(ev_term, NULL) == -1)
		fatalx("poll: signals");
	if ((p = poller_new(base, &cfg, &h, &ps)) == NULL)
		fatalx("poller_new failed");
	event_base_dispatch(base);
	poll_report(p, &ps);
	poller_free(p);
	event_free(ev_int);
	event_free(ev_term);
	event_base_free(base);
	config_free(&cfg);
	return 0;
}

/* ---- measure ---- */

static volatile sig_atomic_t measure_alarm;

static void
measure_on_alarm(int sig)
{
	(void)sig;
	measure_alarm = 1;
}

/*
 * Run argv[3..] for argv[2] seconds, then SIGINT it (SIGKILL 10 s later if
 * it hangs), and report its CPU and peak RSS from getrusage.
 */
static int
measure_main(int argc, char **argv)
{
	struct sigaction sa;
	struct rusage	 ru;
	pid_t		 pid;
	int		 seconds, status, interrupted = 0;
	int64_t		 t0, wall;
	double		 cpu;

	if (argc < 4 || (seconds = atoi(argv[2])) < 1)
		fatalx("usage: measure SECONDS CMD [ARG...]");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = measure_on_alarm;	/* no SA_RESTART: wake waitpid */
	if (sigaction(SIGALRM, &sa, NULL) == -1)
		fatal("sigaction");
	t0 = mono_ms();
	switch ((pid = fork())) {
	case -1:
		fatal("fork");
	case 0:
		execvp(argv[3], argv + 3);
		fatal("%s", argv[3]);
	}
	alarm((unsigned)seconds);
	while (waitpid(pid, &status, 0) == -1) {
		if (!measure_alarm)
			continue;
		measure_alarm = 0;
		kill(pid, interrupted++ == 0 ? SIGINT : SIGKILL);
		alarm(10);
	}
	wall = mono_ms() - t0;
	if (getrusage(RUSAGE_CHILDREN, &ru) == -1)
		fatal("getrusage");
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("measured: %.1f s wall, %.2f s CPU = %.2f%% of one core, "
	    "peak RSS %.1f MB\n", wall / 1000.0, cpu,
	    100.0 * cpu / ((double)wall / 1000.0), ru.ru_maxrss / 1024.0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("measured: %s exited abnormally (status %d)\n", argv[3],
		    status);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	log_init("bench-poll-scale", LOG_LEVEL_WARN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return serve_main(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "poll") == 0)
		return poll_main(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "measure") == 0)
		return measure_main(argc, argv);
	fprintf(stderr, "usage: bench-poll-scale serve|poll|measure ...\n");
	return 2;
}
