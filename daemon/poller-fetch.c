/*
 * poller-fetch.c: one poll of one feed.  Sets up a curl easy handle with
 * every limit (timeouts, low-speed abort, redirects, protocols, body cap,
 * TLS verification) and the conditional-GET validators, collects the body
 * up to the cap, and turns the finished transfer into an outcome: parsed,
 * not modified, or failed with a one-line reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "poller-int.h"
#include "text.h"

#define POLLER_ACCEPT	"Accept: application/rss+xml, application/atom+xml, " \
			"application/feed+json, application/xml;q=0.9, " \
			"text/xml;q=0.9, */*;q=0.8"
#define POLLER_BODY_MIN	16384	/* first body allocation */

/*
 * CURLOPT_WRITEFUNCTION: append to the body, refusing to go past max_body.
 * The cap is checked here on the decoded bytes, so neither a missing
 * Content-Length nor a compression bomb gets past it.
 */
static size_t
poller_fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct poller_xfer	*x = arg;
	size_t			 n = size * nmemb, need, cap;
	char			*nb;

	if (n > x->max_body - x->len) {
		x->too_big = 1;
		return CURL_WRITEFUNC_ERROR;
	}
	need = x->len + n + 1;
	if (need > x->cap) {
		cap = x->cap > 0 ? x->cap : POLLER_BODY_MIN;
		while (cap < need)
			cap *= 2;
		if (cap > x->max_body + 1)
			cap = x->max_body + 1;
		if ((nb = realloc(x->body, cap)) == NULL)
			return CURL_WRITEFUNC_ERROR;
		x->body = nb;
		x->cap = cap;
	}
	memcpy(x->body + x->len, data, n);
	x->len += n;
	return n;
}

static void
poller_xfer_free(struct poller_xfer *x)
{
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	free(x->body);
	free(x);
}

/* Request headers: Accept and the conditional-GET validators. */
static int
poller_fetch_headers(struct poller_xfer *x, const struct poller_feed *f)
{
	char			 line[POLLER_VALIDATOR_MAX + 32];
	struct curl_slist	*l;

	if ((x->headers = curl_slist_append(NULL, POLLER_ACCEPT)) == NULL)
		return -1;
	if (f->etag != NULL) {
		snprintf(line, sizeof(line), "If-None-Match: %s", f->etag);
		if ((l = curl_slist_append(x->headers, line)) == NULL)
			return -1;
		x->headers = l;
	}
	if (f->last_modified != NULL) {
		snprintf(line, sizeof(line), "If-Modified-Since: %s",
		    f->last_modified);
		if ((l = curl_slist_append(x->headers, line)) == NULL)
			return -1;
		x->headers = l;
	}
	return 0;
}

/*
 * Every option of a poll; the limits come from the config.
 * CURLOPT_QUICK_EXIT: a transfer that times out (or is aborted) while its
 * name is still resolving would otherwise make curl join the resolver
 * thread, blocking the loop until getaddrinfo() returns; with it the thread
 * is detached and frees itself when done.
 */
static int
poller_fetch_setopt(struct poller *p, struct poller_xfer *x,
    const struct poller_feed *f)
{
	CURL				*e = x->easy;
	const struct poller_limits	*lim = &p->lim;

	if (curl_easy_setopt(e, CURLOPT_URL, f->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, x) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, poller_fetch_write) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, x) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, lim->user_agent) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)POLLER_MAX_REDIRS) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(lim->connect_timeout * 1000)) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)(lim->timeout * 1000)) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT,
	    p->opts.low_speed_limit) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
	    p->opts.low_speed_time) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)lim->max_body) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L) != CURLE_OK)
		return -1;
	return 0;
}

/*
 * Start f's transfer on the multi handle.  Returns 0, or -1 with the
 * reason in err (the caller records it as a failed poll).
 */
int
poller_fetch_start(struct poller *p, struct poller_feed *f, char *err,
    size_t errsize)
{
	struct poller_xfer	*x;
	CURLMcode		 mc;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	x->feed = f;
	x->max_body = (size_t)p->lim.max_body;
	x->started = monotime_ms();
	if ((x->easy = curl_easy_init()) == NULL ||
	    poller_fetch_headers(x, f) == -1 ||
	    poller_fetch_setopt(p, x, f) == -1) {
		snprintf(err, errsize, "cannot set up the transfer");
		poller_xfer_free(x);
		return -1;
	}
	if ((mc = curl_multi_add_handle(p->multi, x->easy)) != CURLM_OK) {
		snprintf(err, errsize, "curl_multi_add_handle: %s",
		    curl_multi_strerror(mc));
		poller_xfer_free(x);
		return -1;
	}
	f->xfer = x;
	TAILQ_INSERT_TAIL(&p->xfers, x, link);
	return 0;
}

/* The value of response header name of the last response, or NULL. */
static const char *
poller_fetch_header(CURL *easy, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return h->value;
}

/* A reason phrase for the statuses feeds commonly answer with. */
static const char *
poller_status_text(long status)
{
	switch (status) {
	case 300: return " Multiple Choices";
	case 301: return " Moved Permanently";
	case 302: return " Found";
	case 400: return " Bad Request";
	case 401: return " Unauthorized";
	case 403: return " Forbidden";
	case 404: return " Not Found";
	case 406: return " Not Acceptable";
	case 410: return " Gone";
	case 429: return " Too Many Requests";
	case 500: return " Internal Server Error";
	case 502: return " Bad Gateway";
	case 503: return " Service Unavailable";
	case 504: return " Gateway Timeout";
	default: return "";
	}
}

/*
 * libcurl 7.x refuses a response header line over its 100 KiB limit with
 * CURLE_OUT_OF_MEMORY and no message, which reads in a log as if the
 * daemon ran out of memory.  Recognise it: a status line was read, no
 * body byte yet, and curl said nothing more.
 */
static int
poller_fetch_header_too_long(struct poller_xfer *x, CURLcode res)
{
	long status = 0;

	if (res != CURLE_OUT_OF_MEMORY || x->errbuf[0] != '\0' || x->len > 0)
		return 0;
	if (curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK)
		return 0;
	return status > 0;
}

/* A transfer curl gave up on: the body cap, or curl's own words. */
static void
poller_fetch_curl_error(struct poller *p, struct poller_xfer *x,
    CURLcode res, struct poller_outcome *o)
{
	if (x->too_big || res == CURLE_FILESIZE_EXCEEDED) {
		o->kind = METRICS_POLL_TOO_LARGE;
		snprintf(o->reason, sizeof(o->reason),
		    "body larger than max_body (%lld bytes), aborted",
		    (long long)p->lim.max_body);
	} else if (poller_fetch_header_too_long(x, res)) {
		o->kind = METRICS_POLL_OTHER;
		snprintf(o->reason, sizeof(o->reason),
		    "response header line too long (over libcurl's limit), "
		    "aborted");
	} else {
		o->kind = metrics_poll_error_curl(res);
		snprintf(o->reason, sizeof(o->reason), "%s",
		    x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(res));
	}
}

/* 429/503: read Retry-After (seconds or an HTTP date), clamped. */
static void
poller_fetch_retry_after(struct poller_xfer *x, struct poller_outcome *o)
{
	const char	*v = poller_fetch_header(x->easy, "Retry-After");
	int64_t		 delay;
	size_t		 n = strlen(o->reason);

	if (v == NULL || poller_retry_after_parse(v, poller_now_wall(),
	    &delay) == -1)
		return;
	o->retry_after = poller_retry_after_clamp(delay);
	snprintf(o->reason + n, sizeof(o->reason) - n,
	    ", Retry-After %lld s", (long long)o->retry_after);
}

/*
 * A 64-bit hash of the body with its content type and final URL (both
 * change how it parses): text_hash() of each, combined; never 0.
 */
static uint64_t
poller_body_hash(const char *body, size_t len, const char *ct,
    const char *url)
{
	uint64_t h = text_hash(body, len);

	if (ct == NULL)
		ct = "";
	h = (h ^ text_hash(ct, strlen(ct))) * 0x9e3779b97f4a7c15ULL;
	h = (h ^ text_hash(url, strlen(url))) * 0x9e3779b97f4a7c15ULL;
	return h != 0 ? h : 1;
}

/* A 2xx body: empty is a failure, otherwise the handler decides. */
static void
poller_fetch_body(struct poller *p, struct poller_xfer *x, long status,
    struct poller_outcome *o)
{
	struct poller_feed	*f = x->feed;
	char			*ct = NULL, *eu = NULL, err[POLLER_ERROR_MAX];
	uint64_t		 h = 0;
	int			 n = 0;

	if (x->len == 0) {
		o->kind = METRICS_POLL_PARSE;
		snprintf(o->reason, sizeof(o->reason), "empty body (HTTP %ld)",
		    status);
		return;
	}
	x->body[x->len] = '\0';
	if (curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct) != CURLE_OK)
		ct = NULL;
	if (curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eu) !=
	    CURLE_OK || eu == NULL)
		eu = f->url;
	err[0] = '\0';
	if (p->opts.skip_unchanged)
		h = poller_body_hash(x->body, x->len, ct, eu);
	if (h != 0 && h == f->body_hash && x->len == f->body_len)
		n = f->body_entries;
	else if (p->handler.on_body != NULL)
		n = p->handler.on_body(p->arg, f->name, x->body, x->len, ct, eu,
		    poller_now_wall(), err, sizeof(err));
	/* Only a body the handler took counts as seen. */
	f->body_hash = n >= 0 ? h : 0;
	f->body_len = x->len;
	f->body_entries = n;
	if (n < 0) {
		o->refused = 1;
		o->kind = METRICS_POLL_PARSE;
		snprintf(o->reason, sizeof(o->reason), "%s",
		    err[0] != '\0' ? err : "rejected by the feed handler");
		return;
	}
	o->result = POLLER_OK;
	o->entries = n;
	o->etag = poller_fetch_header(x->easy, "ETag");
	o->last_modified = poller_fetch_header(x->easy, "Last-Modified");
}

/* Classify a finished transfer into o. */
static void
poller_fetch_outcome(struct poller *p, struct poller_xfer *x, CURLcode res,
    struct poller_outcome *o)
{
	long status = 0;

	memset(o, 0, sizeof(*o));
	o->result = POLLER_FAILED;
	o->entries = -1;
	o->retry_after = -1;
	if (res != CURLE_OK) {
		poller_fetch_curl_error(p, x, res, o);
		return;
	}
	if (curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK)
		status = 0;
	if (status == 304) {
		o->result = POLLER_NOT_MODIFIED;
		o->etag = poller_fetch_header(x->easy, "ETag");
		o->last_modified = poller_fetch_header(x->easy,
		    "Last-Modified");
		return;
	}
	if (status >= 200 && status < 300 && status != 206) {
		poller_fetch_body(p, x, status, o);
		return;
	}
	snprintf(o->reason, sizeof(o->reason), "HTTP %ld%s", status,
	    poller_status_text(status));
	if (status == 429 || status == 503)
		poller_fetch_retry_after(x, o);
	/* A 503 is rate limiting only when it says when to come back. */
	o->kind = status == 503 && o->retry_after < 0 ?
	    METRICS_POLL_HTTP_5XX : metrics_poll_error_http(status);
}

/* Take x off the multi handle and the poller's list. */
static void
poller_fetch_detach(struct poller *p, struct poller_xfer *x)
{
	CURLMcode mc;

	if ((mc = curl_multi_remove_handle(p->multi, x->easy)) != CURLM_OK)
		log_warnx("poller: curl_multi_remove_handle: %s",
		    curl_multi_strerror(mc));
	TAILQ_REMOVE(&p->xfers, x, link);
	x->feed->xfer = NULL;
}

/*
 * A transfer finished (from the CURLMSG_DONE drain): classify it, hand a
 * body to the handler, record the outcome.  A feed removed from the config
 * meanwhile is dropped without a word.
 */
void
poller_fetch_done(struct poller *p, struct poller_xfer *x, CURLcode res)
{
	struct poller_feed	*f = x->feed;
	struct poller_outcome	 o;

	poller_fetch_detach(p, x);
	if (f->removed) {
		poller_feed_finish(p, f, NULL);
	} else {
		poller_fetch_outcome(p, x, res, &o);
		poller_feed_finish(p, f, &o);
	}
	poller_xfer_free(x);
}

/* Abandon a transfer in flight (poller_stop). */
void
poller_fetch_abort(struct poller *p, struct poller_xfer *x)
{
	struct poller_feed *f = x->feed;

	poller_fetch_detach(p, x);
	poller_feed_finish(p, f, NULL);
	poller_xfer_free(x);
}
