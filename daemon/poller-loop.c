/*
 * poller-loop.c: libcurl's multi socket interface on a libevent loop.
 * Curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when
 * to call it back (CURLMOPT_TIMERFUNCTION); libevent watches; each event
 * goes to curl_multi_socket_action(), and finished transfers are drained
 * from curl_multi_info_read() afterwards, outside every curl callback.
 * Nothing here blocks: curl resolves names on its own threads.
 */
#include <stdlib.h>

#include "log.h"
#include "poller-int.h"

/* One socket curl asked us to watch. */
struct poller_sock {
	struct poller		*p;
	curl_socket_t		 fd;
	struct event		*ev;
	LIST_ENTRY(poller_sock)	 link;
};

/* Drain finished transfers, then start whatever is due. */
static void
poller_loop_drain(struct poller *p)
{
	CURLMsg			*msg;
	struct poller_xfer	*x;
	int			 left;

	while ((msg = curl_multi_info_read(p->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&x) != CURLE_OK || x == NULL) {
			log_warnx("poller: finished transfer without owner");
			curl_multi_remove_handle(p->multi, msg->easy_handle);
			continue;
		}
		poller_fetch_done(p, x, msg->data.result);
	}
	poller_dispatch(p);
}

/* Tell curl what happened on a socket. */
static void
poller_loop_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct poller	*p = arg;
	int		 flags = 0, running;
	CURLMcode	 rc;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	rc = curl_multi_socket_action(p->multi, fd, flags, &running);
	if (rc != CURLM_OK)
		log_warnx("poller: curl_multi_socket_action: %s",
		    curl_multi_strerror(rc));
	poller_loop_drain(p);
}

/* Curl's timeout expired. */
static void
poller_loop_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct poller	*p = arg;
	int		 running;
	CURLMcode	 rc;

	(void)fd;
	(void)what;
	rc = curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	if (rc != CURLM_OK)
		log_warnx("poller: curl_multi_socket_action: %s",
		    curl_multi_strerror(rc));
	poller_loop_drain(p);
}

static void
poller_sock_free(struct poller_sock *ps)
{
	LIST_REMOVE(ps, link);
	event_free(ps->ev);
	free(ps);
}

/* CURLMOPT_SOCKETFUNCTION: watch s for what, or stop watching it. */
static int
poller_loop_socket(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct poller		*p = userp;
	struct poller_sock	*ps = socketp;
	short			 kind = EV_PERSIST;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (ps != NULL) {
			curl_multi_assign(p->multi, s, NULL);
			poller_sock_free(ps);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (ps == NULL) {
		if ((ps = calloc(1, sizeof(*ps))) == NULL ||
		    (ps->ev = event_new(p->base, s, kind, poller_loop_sock_cb,
		    p)) == NULL) {
			free(ps);
			log_warnx("poller: out of memory watching a socket");
			return -1;
		}
		ps->p = p;
		ps->fd = s;
		LIST_INSERT_HEAD(&p->socks, ps, link);
		curl_multi_assign(p->multi, s, ps);
	} else {
		event_del(ps->ev);
		if (event_assign(ps->ev, p->base, s, kind, poller_loop_sock_cb,
		    p) == -1)
			return -1;
	}
	if (event_add(ps->ev, NULL) == -1) {
		log_warnx("poller: cannot watch socket %d", (int)s);
		return -1;
	}
	return 0;
}

/*
 * CURLMOPT_TIMERFUNCTION: call curl back after timeout_ms (-1: never).
 * Curl must not be re-entered from here, so even 0 goes through the loop.
 */
static int
poller_loop_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct poller	*p = userp;
	struct timeval	 tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(p->ev_timer);
		return 0;
	}
	tv = monotime_timeval(timeout_ms);
	if (evtimer_add(p->ev_timer, &tv) == -1) {
		log_warnx("poller: cannot arm curl's timer");
		return -1;
	}
	return 0;
}

/* Create the multi handle and hook it to p->base. */
int
poller_loop_init(struct poller *p)
{
	LIST_INIT(&p->socks);
	if ((p->ev_timer = evtimer_new(p->base, poller_loop_timer_cb, p)) ==
	    NULL) {
		log_warnx("poller: evtimer_new failed");
		return -1;
	}
	if ((p->multi = curl_multi_init()) == NULL) {
		log_warnx("poller: curl_multi_init failed");
		return -1;
	}
	if (curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION,
	    poller_loop_socket) != CURLM_OK ||
	    curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p) != CURLM_OK ||
	    curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION,
	    poller_loop_timer) != CURLM_OK ||
	    curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p) != CURLM_OK) {
		log_warnx("poller: curl_multi_setopt failed");
		return -1;
	}
	return 0;
}

/*
 * Tear down the multi handle (transfers must be gone already).  Curl may
 * still report sockets closing while it empties its connection cache; any
 * left after that are freed here.
 */
void
poller_loop_free(struct poller *p)
{
	struct poller_sock *ps, *next;

	if (p->multi != NULL)
		curl_multi_cleanup(p->multi);
	p->multi = NULL;
	for (ps = LIST_FIRST(&p->socks); ps != NULL; ps = next) {
		next = LIST_NEXT(ps, link);
		poller_sock_free(ps);
	}
	if (p->ev_timer != NULL)
		event_free(p->ev_timer);
	p->ev_timer = NULL;
}
