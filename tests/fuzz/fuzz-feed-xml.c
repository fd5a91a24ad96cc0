/*
 * fuzz-feed-xml.c: libFuzzer target for the feed parser's XML side (RSS,
 * RDF, Atom): charset detection, libxml2's recovery, feedparser's rules,
 * HTML constructs to text and markup, dates, relative URIs.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzzfeed.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_feed_one(data, size, NULL);
	return 0;
}
