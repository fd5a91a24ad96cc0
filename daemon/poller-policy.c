/*
 * poller-policy.c: the poller's arithmetic, kept free of the loop and the
 * clock so that tests can check it directly: a seeded PRNG for jitter
 * (never rand()'s global state), exponential backoff, Retry-After parsing
 * and clamping, and the host key a feed's connection cap is counted on.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poller-int.h"

/* splitmix64: small, fast, good enough to spread polls; never zero-stuck. */
uint64_t
poller_rng_next(uint64_t *state)
{
	uint64_t z;

	z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
double
poller_rng_unit(uint64_t *state)
{
	return (double)(poller_rng_next(state) >> 11) * 0x1.0p-53;
}

/* delay scaled by a uniform factor in [1 - frac, 1 + frac], never < 0. */
int64_t
poller_jitter(uint64_t *rng, int64_t delay, double frac)
{
	double f = 1.0 + frac * (2.0 * poller_rng_unit(rng) - 1.0);
	double d = (double)delay * f + 0.5;

	return d < 0 ? 0 : (int64_t)d;
}

/*
 * Seconds until the next poll after `failures` consecutive failures: the
 * interval after the first, doubling after each further one, capped at
 * 6 h, but never shorter than the interval itself (a failing feed is never
 * polled more often than a healthy one).
 */
int64_t
poller_backoff(int64_t interval, uint32_t failures)
{
	int64_t d = interval;

	for (uint32_t i = 1; i < failures && d < POLLER_BACKOFF_CAP; i++)
		d *= 2;
	if (d > POLLER_BACKOFF_CAP)
		d = POLLER_BACKOFF_CAP;
	return d < interval ? interval : d;
}

/*
 * Parse a Retry-After value: delay-seconds or an HTTP date (which
 * curl_getdate() reads in all three HTTP formats).  *delay is seconds from
 * now, possibly <= 0 for a date in the past.  Returns 0, or -1 if the value
 * is neither.
 */
int
poller_retry_after_parse(const char *value, int64_t now, int64_t *delay)
{
	const char	*s = value;
	char		*end;
	long long	 n;
	time_t		 t;

	while (*s == ' ' || *s == '\t')
		s++;
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		n = strtoll(s, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end == '\0') {
			*delay = errno == ERANGE ? INT64_MAX : (int64_t)n;
			return 0;
		}
	}
	if ((t = curl_getdate(s, NULL)) == -1)
		return -1;
	*delay = (int64_t)t - now;
	return 0;
}

/* Clamp a server's Retry-After to 60 s .. 24 h. */
int64_t
poller_retry_after_clamp(int64_t delay)
{
	if (delay < POLLER_RETRY_MIN)
		return POLLER_RETRY_MIN;
	if (delay > POLLER_RETRY_MAX)
		return POLLER_RETRY_MAX;
	return delay;
}

/*
 * The key a URL's connections are counted under: "scheme://host:port",
 * lower case, default port filled in, as curl itself pools connections.
 * Parsed by curl's URL API.  Returns 0, or -1 for a URL curl rejects.
 */
int
poller_host_key(const char *url, char *buf, size_t size)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL, *port = NULL;
	int	 rc = -1, n;

	if ((u = curl_url()) == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	for (char *c = host; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	n = snprintf(buf, size, "%s://%s:%s", scheme, host, port);
	if (n >= 0 && (size_t)n < size)
		rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}
