/*
 * fuzz-date.c: libFuzzer target for the date parsers (date_parse: RFC 822
 * and its broken variants, asctime, ISO 8601, W3C-DTF, Greek names,
 * curl_getdate; date_parse_rfc3339).  A date that parses and whose year
 * is 0000-9999 must survive a round trip through date_format_rfc3339 and
 * date_parse_rfc3339; an RFC 3339 date must mean the same to date_parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "fuzzcheck.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Seconds from 0000-01-01 to 10000-01-01 (exclusive), in epoch time. */
#define FUZZ_YEAR0	(-62167219200LL)
#define FUZZ_YEAR10000	(253402300800LL)

static void
fuzz_date_roundtrip(int64_t t)
{
	char	buf[64];
	int64_t	back;

	date_format_rfc3339(t, buf, sizeof(buf));
	if (t < FUZZ_YEAR0 || t >= FUZZ_YEAR10000)
		return;
	FUZZ_CHECK(date_parse_rfc3339(buf, &back) == 0);
	FUZZ_CHECK(back == t);
}

/*
 * The RFC 3339 dates that date_parse refuses on purpose: 128 bytes or
 * more (no feed writes such a date), and those its range checks refuse
 * (years 0001-9999, seconds 00-59): the year 0000 and a leap second.
 * Everything else RFC 3339 accepts must mean the same to date_parse.
 */
static int
fuzz_date_feeds_refuse(const char *s)
{
	size_t n = strlen(s);

	return n >= 128 || strncmp(s, "0000", 4) == 0 ||
	    (n >= 19 && s[13] == ':' && s[16] == ':' && s[17] == '6' &&
	    s[18] == '0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	int64_t	 t, t2;

	if ((s = fuzz_strndup(data, size)) == NULL)
		return 0;
	if (date_parse(s, &t) == 0)
		fuzz_date_roundtrip(t);
	if (date_parse_rfc3339(s, &t) == 0) {
		fuzz_date_roundtrip(t);
		if (date_parse(s, &t2) == 0)
			FUZZ_CHECK(t2 == t);
		else
			FUZZ_CHECK(fuzz_date_feeds_refuse(s));
	}
	free(s);
	return 0;
}
