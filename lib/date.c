/*
 * date.c: RFC 3339 parsing and formatting without the process time zone
 * (timegm is not in C11, and TZ must never change a backtest).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "date.h"

/* Howard Hinnant's days_from_civil: exact for every Gregorian date. */
int64_t
date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t		era;
	unsigned	doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* Read exactly n digits. */
static int
read_digits(const char **sp, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*sp)[i]))
			return -1;
		v = v * 10 + ((*sp)[i] - '0');
	}
	*sp += n;
	*out = v;
	return 0;
}

int
date_days_in_month(int64_t y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : days[m - 1];
}

int
date_parse_rfc3339(const char *s, int64_t *out)
{
	int	y, mo, d, h = 0, mi = 0, se = 0, oh = 0, om = 0, sign = 0;

	if (read_digits(&s, 4, &y) == -1 || *s++ != '-' ||
	    read_digits(&s, 2, &mo) == -1 || *s++ != '-' ||
	    read_digits(&s, 2, &d) == -1)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > date_days_in_month(y, mo))
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (read_digits(&s, 2, &h) == -1 || *s++ != ':' ||
		    read_digits(&s, 2, &mi) == -1)
			return -1;
		if (*s == ':') {
			s++;
			if (read_digits(&s, 2, &se) == -1)
				return -1;
			if (*s == '.' || *s == ',') {
				s++;
				if (!isdigit((unsigned char)*s))
					return -1;
				while (isdigit((unsigned char)*s))
					s++;
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		if (*s == 'Z' || *s == 'z')
			s++;
		else if (*s == '+' || *s == '-') {
			sign = *s++ == '-' ? -1 : 1;
			if (read_digits(&s, 2, &oh) == -1)
				return -1;
			if (*s == ':')
				s++;
			if (read_digits(&s, 2, &om) == -1 || oh > 23 || om > 59)
				return -1;
		} else
			return -1;
	}
	if (*s != '\0')
		return -1;
	if (se == 60)		/* leap second: the next second */
		se = 59, s = NULL;
	*out = date_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60) +
	    (s == NULL);
	return 0;
}

void
date_format_rfc3339(int64_t t, char *buf, size_t size)
{
	int64_t		days = t / 86400, secs = t % 86400, y;
	unsigned	m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y,
	    m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}
