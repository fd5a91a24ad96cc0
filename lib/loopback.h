/*
 * loopback.h: parse an "ADDRESS:PORT" listen spec that must stay on the
 * loopback interface (the metrics listener).  Pure string work: no sockets,
 * no name service.
 */
#ifndef PM_LOOPBACK_H
#define PM_LOOPBACK_H

#include <stddef.h>

struct loopback_addr {
	char		host[64];	/* numeric: "127.0.0.1", "::1" */
	unsigned	port;		/* 0..65535; 0: any free port */
};

/*
 * Accept "127.x.y.z:PORT", "[::1]:PORT" and "localhost:PORT" (as
 * 127.0.0.1).  Anything else, including every non-loopback address, fails
 * with one line in err naming the problem.  Returns 0 or -1.
 */
int	loopback_parse(const char *spec, struct loopback_addr *out,
	    char *err, size_t errsize);

#endif
