/*
 * fuzz-protocol.c: libFuzzer target for the client side of the subscriber
 * protocol.  The input is what a client writes: it is cut into lines at
 * each newline and blank lines are skipped, as daemon/server-client.c
 * does; each line goes through proto_parse(), then what the server does
 * with the result without a socket: an error message naming the problem
 * (sent back to the client, so it must be valid JSON and valid UTF-8
 * whatever the client wrote), or the request's market patterns matched
 * against market ids and a snapshot built for them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "date.h"
#include "fuzzcheck.h"
#include "protocol.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct proto_market fuzz_markets[] = {
	{ "trump-putin-call-2025", "Will Trump and Putin talk?", 0.42, 1764547200 },
	{ "ceasefire-2025", "Ceasefire by December?", 0.1234567, PM_TIME_NONE },
	{ "a", NULL, 0.5, 0 },
	{ "x.y_z-9", "Dots, underscores and dashes", 0.999, -1 },
	{ "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
	    "The longest id", 0.001, 4102444800 },
};
#define FUZZ_NMARKETS	(sizeof(fuzz_markets) / sizeof(fuzz_markets[0]))

/* A server message: one line of valid UTF-8 that parses as a JSON object. */
static void
fuzz_check_message(char *msg)
{
	cJSON *o;

	if (msg == NULL)
		return;
	FUZZ_CHECK(strchr(msg, '\n') == NULL);
	FUZZ_CHECK(fuzz_utf8_ok(msg));
	FUZZ_CHECK((o = cJSON_Parse(msg)) != NULL && cJSON_IsObject(o));
	cJSON_Delete(o);
	free(msg);
}

/* What the server does with one parsed request, short of a socket. */
static void
fuzz_request(const struct proto_request *req)
{
	struct proto_snapshot	*s;
	size_t			 matched = 0;

	FUZZ_CHECK(strcmp(proto_op_name(req->op), "unknown") != 0);
	FUZZ_CHECK(req->markets != NULL || req->nmarkets == 0);
	FUZZ_CHECK(req->nmarkets <= PROTO_MAX_PATTERNS);
	FUZZ_CHECK(!req->has_since || req->since <= PROTO_MAX_SEQ);
	for (size_t i = 0; i < FUZZ_NMARKETS; i++)
		matched += (size_t)proto_match(req->markets, req->nmarkets,
		    fuzz_markets[i].id);
	if ((s = proto_snapshot_new(req->markets, req->nmarkets)) == NULL)
		return;
	for (size_t i = 0; i < FUZZ_NMARKETS; i++)
		if (proto_snapshot_add(s, &fuzz_markets[i]) == -1)
			break;
	fuzz_check_message(proto_snapshot_finish(s, req->since));
	(void)matched;
}

static void
fuzz_line(const char *line, size_t len)
{
	struct proto_request	req;
	enum proto_err		e;
	char			err[256];
	size_t			i;

	for (i = 0; i < len && strchr(" \t\r", line[i]) != NULL; i++)
		continue;
	if (i == len)
		return;		/* blank: not a request */
	err[0] = '\0';
	if (proto_parse(line, len, &req, &e, err, sizeof(err)) == -1) {
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(strcmp(proto_err_code(e), "internal") != 0);
		FUZZ_CHECK(req.markets == NULL && req.nmarkets == 0);
		fuzz_check_message(proto_error(e, err));
		return;
	}
	fuzz_request(&req);
	proto_request_free(&req);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data, *end = p + size, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;	/* the last line, at end of input */
		fuzz_line(p, (size_t)(nl - p));
		p = nl + 1;
	}
	return 0;
}
