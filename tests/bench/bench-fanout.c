/*
 * bench-fanout.c: deltas fanned out to many subscribers, pmsignal's server
 * side by side with redis-server pub/sub, through the same client harness.
 *
 * Each run forks a publisher: for pmsignal, a process running the real
 * server module (daemon/server.c) on its own event loop, publishing deltas
 * as the daemon does after a commit; for redis, a process sending PUBLISH
 * commands to a redis-server the caller started.  Both publish the same
 * bytes (delta_to_json output) at the same rate, each delta stamped with
 * the CLOCK_MONOTONIC time of its publish.  This process is the harness:
 * N subscribers on Unix sockets, each subscribed to one of M markets
 * (channels), one epoll loop reading them all, latency = receipt - publish.
 *
 * usage: bench-fanout [--subscribers N] [--markets M] [--seconds S]
 *                     [--rates R1,R2,...] [--redis-socket PATH --redis-pid PID]
 * The first rate is the target one; list it several times to get a median.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "config.h"
#include "delta.h"
#include "log.h"
#include "server.h"

#define TS_MARKER	"\"id\":\"t"	/* article id "t<ns>" carries the stamp */
#define MAX_RATES	8

enum sys { SYS_PMSIGNAL, SYS_REDIS };

struct opts {
	int	 subscribers;
	int	 markets;
	double	 seconds;
	int	 rates[MAX_RATES];
	int	 nrates;
	const char *redis;
	pid_t	 redis_pid;
	char	 dir[64];
};

struct result {
	uint64_t published, expected, delivered;
	double	 elapsed;			/* first publish to last receipt */
	double	 p50, p99, p999, max;		/* ms */
	double	 server_cpu;	/* s: publisher process (+ redis-server) */
	double	 harness_cpu;	/* s: the subscribers' process */
	size_t	 msg_bytes;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* CPU seconds (user + system) this process has used. */
static double
cpu_self(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* CPU seconds another process has used (/proc/PID/stat), 0 if unknown. */
static double
cpu_of(pid_t pid)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 ut = 0, st = 0;
	FILE		*f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (pid <= 0 || (f = fopen(path, "r")) == NULL)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void
market_name(char *buf, size_t size, int i)
{
	snprintf(buf, size, "bench-%05d", i % 100000);
}

/* A realistic delta (headline, URL, two evidence items); id holds "t<ns>". */
static void
bench_delta(struct delta *d, uint64_t seq, const char *market, char *id,
    size_t idsize, uint64_t stamp)
{
	memset(d, 0, sizeof(*d));
	snprintf(id, idsize, "t%llu", (unsigned long long)stamp);
	d->seq = seq;
	d->ts = 1763510400 + (int64_t)(seq / 1000);
	d->market = (char *)market;
	d->prev = 0.3125;
	d->p = 0.3391;
	d->cause = DELTA_ARTICLE;
	d->article_id = id;
	d->article_title = "Negotiators report progress on a ceasefire "
	    "framework after a second day of talks";
	d->article_url = "https://news.example.org/world/2025/11/19/ceasefire-"
	    "framework-talks-day-two";
	d->article_source = "example-wire";
	d->article_published = d->ts - 120;
	d->article_first_seen = d->ts;
	d->evidence = "[{\"rule\":\"ceasefire-progress\",\"text\":\"report "
	    "progress on a ceasefire framework\",\"span\":[11,52],\"modifiers\":"
	    "[\"reported\"],\"weight\":0.42},{\"rule\":\"talks-continue\",\"text\":"
	    "\"second day of talks\",\"span\":[65,84],\"modifiers\":[],"
	    "\"weight\":0.11}]";
}

/* ---- publisher side ---- */

struct pub {
	struct event_base	*base;
	enum sys		 sys;
	struct server		*srv;
	struct bufferevent	*redis;
	char			 (*markets)[24];
	int			 nmarkets;
	int			 rate;
	double			 seconds;
	uint64_t		 seq, published, start;
	double			 cpu0;		/* CPU used before this step */
	struct event		*tick;
	int			 res_fd;
};

static void
pub_redis_one(struct pub *p, const char *market, const char *payload)
{
	struct evbuffer *out = bufferevent_get_output(p->redis);

	evbuffer_add_printf(out, "*3\r\n$7\r\nPUBLISH\r\n$%zu\r\n%s\r\n$%zu\r\n",
	    strlen(market), market, strlen(payload));
	evbuffer_add(out, payload, strlen(payload));
	evbuffer_add(out, "\r\n", 2);
}

/*
 * Publish one delta now, stamped first: into the server as the daemon does
 * after the store commit (the server encodes it once), or encoded and
 * sent as a PUBLISH to redis.
 */
static void
pub_one(struct pub *p)
{
	const char	*market = p->markets[p->seq % (uint64_t)p->nmarkets];
	struct delta	 d;
	char		 id[32], *line;

	bench_delta(&d, ++p->seq, market, id, sizeof(id), now_ns());
	if (p->sys == SYS_PMSIGNAL)
		server_publish(p->srv, &d);
	else {
		if ((line = delta_to_json(&d, "bench-session")) == NULL)
			abort();
		pub_redis_one(p, market, line);
		free(line);
	}
	p->published++;
}

/* Every millisecond: publish what the rate says is due by now. */
static void
pub_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pub	*p = arg;
	uint64_t	 now = now_ns(), due;
	double		 t = (double)(now - p->start) / 1e9;
	uint64_t	 res[3];

	(void)fd;
	(void)what;
	if (t >= p->seconds)
		t = p->seconds;
	due = (uint64_t)(t * p->rate);
	while (p->published < due)
		pub_one(p);
	if (t >= p->seconds) {
		event_del(p->tick);
		res[0] = p->published;
		res[1] = p->start;
		res[2] = (uint64_t)((cpu_self() - p->cpu0) * 1e6);
		if (write(p->res_fd, res, sizeof(res)) != sizeof(res))
			_exit(1);
	}
}

/* The harness writes 'g' (go) with the rate, or closes the pipe (quit). */
static void
pub_ctl_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pub	*p = arg;
	struct timeval	 ms = { 0, 1000 };
	int		 rate;

	(void)what;
	if (read(fd, &rate, sizeof(rate)) != sizeof(rate)) {
		event_base_loopbreak(p->base);
		return;
	}
	p->rate = rate;
	p->published = 0;
	p->cpu0 = cpu_self();
	p->start = now_ns();
	event_add(p->tick, &ms);
}

static void
pub_redis_read_cb(struct bufferevent *bev, void *arg)
{
	(void)arg;	/* integer replies to PUBLISH: discard */
	evbuffer_drain(bufferevent_get_input(bev),
	    evbuffer_get_length(bufferevent_get_input(bev)));
}

/* Source for the bench server: nothing stored, markets at p 0.5. */
static uint64_t bench_seq(void *arg) { (void)arg; return 0; }

static int
bench_replay(void *arg, uint64_t since, size_t max,
    int (*emit)(void *, const struct delta *, const char *), void *ctx)
{
	(void)arg; (void)since; (void)max; (void)emit; (void)ctx;
	return 0;
}

static int
bench_snapshot(void *arg, int (*emit)(void *, const struct proto_market *),
    void *ctx, uint64_t *as_of)
{
	struct pub		*p = arg;
	struct proto_market	 m = { NULL, "Bench market?", 0.5, 0 };

	for (int i = 0; i < p->nmarkets; i++) {
		m.id = p->markets[i];
		if (emit(ctx, &m) == -1)
			return -1;
	}
	*as_of = server_seq(p->srv);
	return 0;
}

static const struct server_source bench_source = {
	bench_seq, bench_replay, bench_snapshot, NULL, NULL
};

static int
pub_connect(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "bench-fanout: connect %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
	return fd;
}

/* The publisher process; never returns. */
static void
pub_main(const struct opts *o, enum sys sys, const char *path, int ctl_fd,
    int res_fd)
{
	struct pub	 p = { 0 };
	struct config	 cfg;
	struct event	*ctl;
	char		 err[512], text[512];
	int		 fd;

	p.base = event_base_new();
	p.sys = sys;
	p.seconds = o->seconds;
	p.res_fd = res_fd;
	p.nmarkets = o->markets;
	p.markets = calloc((size_t)o->markets, sizeof(*p.markets));
	for (int i = 0; i < o->markets; i++)
		market_name(p.markets[i], sizeof(p.markets[i]), i);
	p.tick = event_new(p.base, -1, EV_PERSIST, pub_tick_cb, &p);
	ctl = event_new(p.base, ctl_fd, EV_READ | EV_PERSIST, pub_ctl_cb, &p);
	event_add(ctl, NULL);
	if (sys == SYS_PMSIGNAL) {
		snprintf(text, sizeof(text), "{\"feeds\":[{\"name\":\"b\",\"url\":"
		    "\"http://example.org/\"}],\"subscribers\":{\"max_clients\":%d}}",
		    o->subscribers + 16);
		if (config_parse("bench", text, strlen(text), &cfg, err,
		    sizeof(err)) == -1 ||
		    (p.srv = server_new(p.base, &cfg, path, -1, &bench_source, &p,
		    "bench-session", err, sizeof(err))) == NULL) {
			fprintf(stderr, "bench-fanout: %s\n", err);
			_exit(1);
		}
	} else {
		fd = pub_connect(path);
		evutil_make_socket_nonblocking(fd);
		p.redis = bufferevent_socket_new(p.base, fd, BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(p.redis, pub_redis_read_cb, NULL, NULL, &p);
		bufferevent_enable(p.redis, EV_READ | EV_WRITE);
	}
	if (write(res_fd, "r", 1) != 1)
		_exit(1);
	event_base_dispatch(p.base);
	if (p.srv != NULL)
		server_free(p.srv);
	_exit(0);
}

/* ---- harness side ---- */

struct sub {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
	int	 ready;		/* subscribed */
};

struct harness {
	enum sys	 sys;
	struct sub	*subs;
	int		 nsubs, nready;
	int		 ep;
	uint32_t	*lat;		/* microseconds */
	size_t		 nlat, caplat;
	uint64_t	 last_rx;
};

static void
h_record(struct harness *h, const char *msg, size_t len)
{
	const char	*p = memmem(msg, len, TS_MARKER, strlen(TS_MARKER));
	uint64_t	 stamp, now = now_ns();

	if (p == NULL)
		return;
	stamp = strtoull(p + strlen(TS_MARKER), NULL, 10);
	if (h->nlat == h->caplat) {
		h->caplat = h->caplat == 0 ? 1 << 20 : h->caplat * 2;
		h->lat = realloc(h->lat, h->caplat * sizeof(*h->lat));
		if (h->lat == NULL)
			abort();
	}
	h->lat[h->nlat++] = (uint32_t)((now - stamp) / 1000);
	h->last_rx = now;
}

/* pmsignal framing: newline-delimited JSON.  Returns bytes consumed. */
static size_t
h_frame_lines(struct harness *h, struct sub *s)
{
	char	*p = s->buf, *end = s->buf + s->len, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (!s->ready && memmem(p, (size_t)(nl - p), "\"snapshot\"", 10)) {
			s->ready = 1;
			h->nready++;
		} else if (s->ready)
			h_record(h, p, (size_t)(nl - p));
		p = nl + 1;
	}
	return (size_t)(p - s->buf);
}

/* Parse "$<n>\r\n<n bytes>\r\n" at p; NULL if incomplete. */
static const char *
h_bulk(const char *p, const char *end, const char **data, size_t *n)
{
	char *q;

	if (p >= end || *p != '$')
		return NULL;
	*n = strtoul(p + 1, &q, 10);
	if (q + 2 > end || q[0] != '\r')
		return NULL;
	*data = q + 2;
	if (*data + *n + 2 > end)
		return NULL;
	return *data + *n + 2;
}

/*
 * redis framing: RESP arrays of 3: ["message", channel, data], or
 * ["subscribe", channel, :count] for the confirmation.
 */
static size_t
h_frame_resp(struct harness *h, struct sub *s)
{
	const char	*p = s->buf, *end = s->buf + s->len, *q, *crlf;
	const char	*kind, *chan, *data;
	size_t		 nk, nc, nd;

	while (p + 4 <= end && memcmp(p, "*3\r\n", 4) == 0) {
		if ((q = h_bulk(p + 4, end, &kind, &nk)) == NULL ||
		    (q = h_bulk(q, end, &chan, &nc)) == NULL || q >= end)
			break;
		if (*q == ':') {
			if ((crlf = memmem(q, (size_t)(end - q), "\r\n", 2)) ==
			    NULL)
				break;
			p = crlf + 2;
			if (!s->ready) {
				s->ready = 1;
				h->nready++;
			}
			continue;
		}
		if ((q = h_bulk(q, end, &data, &nd)) == NULL)
			break;
		h_record(h, data, nd);
		p = q;
	}
	return (size_t)(p - s->buf);
}

static void
h_read(struct harness *h, struct sub *s)
{
	ssize_t	n;
	size_t	used, want;

	for (;;) {
		if (s->cap - s->len < 65536) {
			s->cap = s->cap * 2 + 65536;
			if ((s->buf = realloc(s->buf, s->cap)) == NULL)
				abort();
		}
		want = s->cap - s->len;
		n = read(s->fd, s->buf + s->len, want);
		if (n <= 0)
			break;
		s->len += (size_t)n;
		used = h->sys == SYS_PMSIGNAL ? h_frame_lines(h, s) :
		    h_frame_resp(h, s);
		memmove(s->buf, s->buf + used, s->len - used);
		s->len -= used;
		if ((size_t)n < want)
			break;
	}
}

/* One epoll round: wait up to ms, read every ready subscriber. */
static void
h_poll(struct harness *h, int ms)
{
	struct epoll_event	ev[256];
	int			n;

	n = epoll_wait(h->ep, ev, 256, ms);
	for (int i = 0; i < n; i++)
		h_read(h, &h->subs[ev[i].data.u32]);
}

/* Connect and subscribe every subscriber to its market. */
static int
h_connect(struct harness *h, const struct opts *o, const char *path)
{
	struct epoll_event	ev;
	char			m[24], req[128];
	double			end;

	h->ep = epoll_create1(EPOLL_CLOEXEC);
	h->subs = calloc((size_t)h->nsubs, sizeof(*h->subs));
	for (int i = 0; i < h->nsubs; i++) {
		struct sub *s = &h->subs[i];

		s->fd = pub_connect(path);
		market_name(m, sizeof(m), i % o->markets);
		if (h->sys == SYS_PMSIGNAL)
			snprintf(req, sizeof(req), "{\"op\":\"subscribe\","
			    "\"markets\":[\"%s\"]}\n", m);
		else
			snprintf(req, sizeof(req), "SUBSCRIBE %s\r\n", m);
		if (write(s->fd, req, strlen(req)) != (ssize_t)strlen(req))
			return -1;
		fcntl(s->fd, F_SETFL, O_NONBLOCK);
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		epoll_ctl(h->ep, EPOLL_CTL_ADD, s->fd, &ev);
	}
	end = (double)now_ns() / 1e9 + 20;
	while (h->nready < h->nsubs && (double)now_ns() / 1e9 < end)
		h_poll(h, 100);
	return h->nready == h->nsubs ? 0 : -1;
}

static void
h_close(struct harness *h)
{
	for (int i = 0; i < h->nsubs; i++) {
		close(h->subs[i].fd);
		free(h->subs[i].buf);
	}
	free(h->subs);
	free(h->lat);
	close(h->ep);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const uint32_t *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)(n - 1));

	return n == 0 ? 0 : v[i] / 1000.0;
}

/*
 * One rate step: tell the publisher to go, collect for its duration plus
 * a drain period, then sort the latencies.
 */
static void
h_step(struct harness *h, const struct opts *o, int rate, int ctl_fd,
    int res_fd, struct result *r)
{
	uint64_t	res[3] = { 0, 0, 0 };
	double		end, hcpu = cpu_self();
	double		rcpu = h->sys == SYS_REDIS ? cpu_of(o->redis_pid) : 0;
	int		fanout = o->subscribers / o->markets;

	h->nlat = 0;
	if (write(ctl_fd, &rate, sizeof(rate)) != sizeof(rate))
		abort();
	fcntl(res_fd, F_SETFL, O_NONBLOCK);
	while (read(res_fd, res, sizeof(res)) != sizeof(res))
		h_poll(h, 5);
	r->published = res[0];
	r->expected = res[0] * (uint64_t)fanout;
	end = (double)now_ns() / 1e9 + 3;
	while (h->nlat < r->expected && (double)now_ns() / 1e9 < end)
		h_poll(h, 5);
	r->delivered = h->nlat;
	r->harness_cpu = cpu_self() - hcpu;
	r->server_cpu = (double)res[2] / 1e6;
	if (h->sys == SYS_REDIS)
		r->server_cpu += cpu_of(o->redis_pid) - rcpu;
	r->elapsed = (double)(h->last_rx - res[1]) / 1e9;
	qsort(h->lat, h->nlat, sizeof(*h->lat), cmp_u32);
	r->p50 = pct(h->lat, h->nlat, 0.50);
	r->p99 = pct(h->lat, h->nlat, 0.99);
	r->p999 = pct(h->lat, h->nlat, 0.999);
	r->max = h->nlat > 0 ? h->lat[h->nlat - 1] / 1000.0 : 0;
}

/* One system through every rate; results[i] per rate.  0 or -1. */
static int
run_system(const struct opts *o, enum sys sys, const char *path,
    struct result *results)
{
	struct harness	h = { 0 };
	int		ctl[2], res[2], rc = -1;
	pid_t		pid;
	char		ready;

	if (pipe(ctl) == -1 || pipe(res) == -1)
		return -1;
	if ((pid = fork()) == 0) {
		close(ctl[1]);
		close(res[0]);
		pub_main(o, sys, path, ctl[0], res[1]);
	}
	close(ctl[0]);
	close(res[1]);
	if (read(res[0], &ready, 1) != 1)
		goto out;
	h.sys = sys;
	h.nsubs = o->subscribers;
	if (h_connect(&h, o, path) == -1) {
		fprintf(stderr, "bench-fanout: only %d of %d subscribers ready\n",
		    h.nready, h.nsubs);
		goto out;
	}
	for (int i = 0; i < o->nrates; i++)
		h_step(&h, o, o->rates[i], ctl[1], res[0], &results[i]);
	rc = 0;
out:
	close(ctl[1]);
	close(res[0]);
	waitpid(pid, NULL, 0);
	h_close(&h);
	return rc;
}

static void
print_result(const char *name, int rate, const struct result *r)
{
	printf("%8d/s  %-9s %10llu %11llu %7llu %13.0f %8.3f %8.3f %9.3f %8.3f"
	    " %9.2f %9.2f\n", rate, name, (unsigned long long)r->published,
	    (unsigned long long)r->delivered,
	    (unsigned long long)(r->expected - r->delivered),
	    r->elapsed > 0 ? r->delivered / r->elapsed : 0, r->p50, r->p99,
	    r->p999, r->max, r->server_cpu, r->harness_cpu);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median p99 over the steps at the first (target) rate. */
static double
median_p99(const struct opts *o, const struct result *r)
{
	double	v[MAX_RATES];
	int	n = 0;

	for (int i = 0; i < o->nrates; i++)
		if (o->rates[i] == o->rates[0])
			v[n++] = r[i].p99;
	qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
	return v[n / 2];
}

/* The highest delivery rate (deliveries/s) of any step that lost nothing. */
static double
best_rate(const struct opts *o, const struct result *r)
{
	double best = 0, rate;

	for (int i = 0; i < o->nrates; i++) {
		rate = r[i].elapsed > 0 ? r[i].delivered / r[i].elapsed : 0;
		if (r[i].delivered == r[i].expected && rate > best)
			best = rate;
	}
	return best;
}

/*
 * The verdict allows 1%: two systems that both keep up with a rate deliver
 * the same count, and their rates then differ only by a few ms more or
 * less of elapsed time (the last deltas' latency).
 */
static void
print_summary(const struct opts *o, const struct result *pm,
    const struct result *rd, int have_redis)
{
	int	 runs = 0;
	double	 p99 = median_p99(o, pm), best = best_rate(o, pm), rbest;

	for (int i = 0; i < o->nrates; i++)
		runs += o->rates[i] == o->rates[0];
	printf("p99 at %d deltas/s (median of %d run%s): pmsignal %.3f ms",
	    o->rates[0], runs, runs == 1 ? "" : "s", p99);
	if (have_redis)
		printf(", redis %.3f ms", median_p99(o, rd));
	printf(" (under 5 ms: %s)\n", p99 < 5 ? "yes" : "no");
	printf("highest lossless delivery rate: pmsignal %.0f/s", best);
	if (have_redis) {
		rbest = best_rate(o, rd);
		printf(", redis %.0f/s (pmsignal at least redis, within 1%%: %s)",
		    rbest, best >= 0.99 * rbest ? "yes" : "no");
	}
	printf("\n");
}

static int
parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "subscribers", required_argument, NULL, 'n' },
		{ "markets", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "rates", required_argument, NULL, 'r' },
		{ "redis-socket", required_argument, NULL, 'R' },
		{ "redis-pid", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	char	*tok, *save = NULL;
	int	 ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'n': o->subscribers = atoi(optarg); break;
		case 'm': o->markets = atoi(optarg); break;
		case 's': o->seconds = atof(optarg); break;
		case 'R': o->redis = optarg; break;
		case 'P': o->redis_pid = (pid_t)atol(optarg); break;
		case 'r':
			o->nrates = 0;
			for (tok = strtok_r(optarg, ",", &save); tok != NULL &&
			    o->nrates < MAX_RATES; tok = strtok_r(NULL, ",", &save))
				o->rates[o->nrates++] = atoi(tok);
			break;
		default:
			return -1;
		}
	}
	if (o->subscribers < 1 || o->markets < 1 || o->markets > 100000 ||
	    o->markets > o->subscribers ||
	    o->seconds <= 0 || o->nrates == 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts	o = { 1000, 100, 3, { 10000, 10000, 10000, 20000, 40000 }, 5,
			    NULL, 0, "" };
	struct result	pm[MAX_RATES], rd[MAX_RATES];
	char		path[128], *line, id[32];
	struct delta	d;
	int		have_redis;

	if (parse_args(&o, argc, argv) == -1) {
		fprintf(stderr, "usage: bench-fanout [--subscribers N] "
		    "[--markets M] [--seconds S] [--rates R1,R2] "
		    "[--redis-socket PATH]\n");
		return 2;
	}
	log_init("bench-fanout", LOG_LEVEL_ERROR);
	signal(SIGPIPE, SIG_IGN);
	snprintf(o.dir, sizeof(o.dir), "/tmp/bench-fanout.XXXXXX");
	if (mkdtemp(o.dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/pmsignald.sock", o.dir);
	bench_delta(&d, 123456, "bench-000", id, sizeof(id), now_ns());
	if ((line = delta_to_json(&d, "bench-session")) == NULL)
		return 1;
	printf("%d subscribers on Unix sockets, %d markets (%d subscriber%s "
	    "each), %zu-byte deltas, %.0f s per rate\n",
	    o.subscribers, o.markets, o.subscribers / o.markets,
	    o.subscribers / o.markets == 1 ? "" : "s", strlen(line) + 1,
	    o.seconds);
	free(line);
	memset(pm, 0, sizeof(pm));
	memset(rd, 0, sizeof(rd));
	if (run_system(&o, SYS_PMSIGNAL, path, pm) == -1)
		return 1;
	have_redis = o.redis != NULL && run_system(&o, SYS_REDIS, o.redis, rd) == 0;
	rmdir(o.dir);
	printf("%10s  %-9s %10s %11s %7s %13s %8s %8s %9s %8s %9s %9s\n",
	    "deltas", "system", "published", "delivered", "lost",
	    "deliveries/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
	    "srv cpu s", "sub cpu s");
	for (int i = 0; i < o.nrates; i++) {
		print_result("pmsignal", o.rates[i], &pm[i]);
		if (have_redis)
			print_result("redis", o.rates[i], &rd[i]);
	}
	print_summary(&o, pm, rd, have_redis);
	return 0;
}
