/*
 * date.h: times as UTC epoch seconds (int64_t).  PM_TIME_NONE marks "no
 * time"; nothing here reads the clock, so callers pass time explicitly.
 */
#ifndef PM_DATE_H
#define PM_DATE_H

#include <stddef.h>
#include <stdint.h>

#define PM_TIME_NONE	INT64_MIN

/*
 * Parse an RFC 3339 / ISO 8601 timestamp ("2025-11-19T00:00:00Z",
 * "2025-11-19T10:30:00+02:00", "2025-11-19" as midnight UTC).  Fractional
 * seconds are dropped.  Returns 0 and sets *out, or -1.
 */
int	date_parse_rfc3339(const char *s, int64_t *out);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 32 bytes). */
void	date_format_rfc3339(int64_t t, char *buf, size_t size);

/*
 * Parse the dates feeds carry: RFC 822/1123/2822 and their broken variants
 * (named zones such as EST or PDT, missing seconds, two-digit years,
 * missing weekday), asctime, RFC 3339, ISO 8601 and W3C-DTF.  A missing
 * zone is UTC.  Returns 0 and sets *out, or -1: never a guess.
 */
int	date_parse(const char *s, int64_t *out);

/* Number of days in month m (1-12) of year y (proleptic Gregorian). */
int	date_days_in_month(int64_t y, int m);

/* Days since 1970-01-01 of a proleptic Gregorian date (no libc, no TZ). */
int64_t	date_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
