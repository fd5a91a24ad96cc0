/*
 * loopback.c: validate the metrics listen spec.  The metrics listener has
 * no authentication, so it may only ever bind a loopback address; that is
 * checked here, at config time, so check-config catches it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopback.h"

/* PORT: 1 to 5 decimal digits, at most 65535. */
static int
loopback_port(const char *s, unsigned *out)
{
	unsigned long	v = 0;
	size_t		n = 0;

	for (; s[n] >= '0' && s[n] <= '9'; n++)
		v = v * 10 + (unsigned long)(s[n] - '0');
	if (n == 0 || n > 5 || s[n] != '\0' || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Is host (no brackets) a numeric loopback address?  1 yes, 0 no, -1 not numeric. */
static int
loopback_host(const char *host)
{
	struct in_addr	v4;
	struct in6_addr	v6;

	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6);
	return -1;
}

/* Split spec into host (brackets removed) and port text; NULL port if no colon. */
static int
loopback_split(const char *spec, char *host, size_t hostsize, const char **port)
{
	const char	*colon, *start = spec, *end;

	if (spec[0] == '[') {
		if ((end = strchr(spec, ']')) == NULL || end[1] != ':')
			return -1;
		start = spec + 1;
		colon = end + 1;
	} else {
		if ((colon = strrchr(spec, ':')) == NULL ||
		    strchr(spec, ':') != colon)
			return -1;
		end = colon;
	}
	if ((size_t)(end - start) >= hostsize || end == start)
		return -1;
	memcpy(host, start, (size_t)(end - start));
	host[end - start] = '\0';
	*port = colon + 1;
	return 0;
}

int
loopback_parse(const char *spec, struct loopback_addr *out, char *err,
    size_t errsize)
{
	char		host[sizeof(out->host)];
	const char	*port;
	int		r;

	if (loopback_split(spec, host, sizeof(host), &port) == -1) {
		snprintf(err, errsize, "'%s' is not ADDRESS:PORT (such as "
		    "127.0.0.1:9464 or [::1]:9464)", spec);
		return -1;
	}
	if (loopback_port(port, &out->port) == -1) {
		snprintf(err, errsize, "'%s': port '%s' is not a number between "
		    "0 and 65535", spec, port);
		return -1;
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if ((r = loopback_host(host)) != 1) {
		snprintf(err, errsize, "'%s': %s; the metrics listener has no "
		    "authentication and only listens on 127.0.0.0/8 or [::1]",
		    spec, r == 0 ? "not a loopback address" :
		    "not a numeric address");
		return -1;
	}
	snprintf(out->host, sizeof(out->host), "%s", host);
	return 0;
}
