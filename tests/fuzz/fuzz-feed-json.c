/*
 * fuzz-feed-json.c: libFuzzer target for the feed parser's JSON Feed side
 * (1.0 and 1.1).  The parser is told Content-Type application/feed+json
 * unless the input's first line names another ("CT: ..."), so documents
 * that do not start with '{' reach the JSON reader too.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzzfeed.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_feed_one(data, size, "application/feed+json");
	return 0;
}
