/*
 * feed-json.c: JSON Feed 1.0 and 1.1 (https://jsonfeed.org) with cJSON.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "feed-internal.h"

int
feed_json_read(struct feed_builder *fb, const char *data, size_t len,
    char *err, size_t errsize)
{
	(void)fb; (void)data; (void)len;
	snprintf(err, errsize, "JSON Feed: not yet");
	return -1;
}
