/*
 * date-parse.c: the dates that feeds really carry, to UTC epoch seconds.
 *
 * Feeds write dates in RFC 822/1123/2822 (with many broken variants: named
 * zones such as EST or PDT, missing seconds, two-digit years, no weekday,
 * day and month swapped), asctime, RFC 3339, ISO 8601 and W3C-DTF.  The
 * rules follow the Universal Feed Parser's, with one difference: a zone
 * name we do not know makes the date unparseable instead of silently UTC,
 * and forms that need today's date (ISO "--12-31") are refused.  libcurl's
 * curl_getdate() is the last resort for the RFC 822/850/asctime family.
 * An unparseable date is -1, never a guess.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "date.h"

#define DATE_MAX_TOKENS	8
#define DATE_MAX_LEN	128

/* A broken-down time and its offset east of UTC, in seconds. */
struct date_fields {
	int64_t	year;
	int	month, day, hour, min, sec;
	int	ordinal;		/* day of year, when month is 0 */
	int	offset;
};

struct date_zone {
	const char	*name;
	int		 minutes;	/* east of UTC */
};

/* Zone names seen in feeds; the single letters follow feedparser. */
static const struct date_zone date_zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 }, { "wet", 0 },
	{ "bst", 60 }, { "west", 60 }, { "cet", 60 }, { "met", 60 },
	{ "mez", 60 }, { "cest", 120 }, { "mest", 120 }, { "mesz", 120 },
	{ "eet", 120 }, { "eest", 180 }, { "msk", 180 }, { "msd", 240 },
	{ "ast", -240 }, { "adt", -180 }, { "at", -240 },
	{ "est", -300 }, { "edt", -240 }, { "et", -300 },
	{ "cst", -360 }, { "cdt", -300 }, { "ct", -360 },
	{ "mst", -420 }, { "mdt", -360 }, { "mt", -420 },
	{ "pst", -480 }, { "pdt", -420 }, { "pt", -480 },
	{ "akst", -540 }, { "akdt", -480 }, { "hst", -600 },
	{ "nst", -210 }, { "ndt", -150 },
	{ "jst", 540 }, { "kst", 540 }, { "hkt", 480 }, { "sgt", 480 },
	{ "awst", 480 }, { "acst", 570 }, { "acdt", 630 }, { "aest", 600 },
	{ "aedt", 660 }, { "nzst", 720 }, { "nzdt", 780 },
	{ "a", -60 }, { "n", 60 }, { "m", -720 }, { "y", 720 },
};

static const char *const date_months[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec"
};

static const char *const date_wdays[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

/* Greek month and weekday abbreviations, as feedparser knows them. */
static const char *const date_greek[][2] = {
	{ "Ιαν", "Jan" }, { "Φεβ", "Feb" }, { "Μάώ", "Mar" }, { "Μαώ", "Mar" },
	{ "Απρ", "Apr" }, { "Μάι", "May" }, { "Μαϊ", "May" }, { "Μαι", "May" },
	{ "Ιούν", "Jun" }, { "Ιον", "Jun" }, { "Ιούλ", "Jul" }, { "Ιολ", "Jul" },
	{ "Αύγ", "Aug" }, { "Αυγ", "Aug" }, { "Σεπ", "Sep" }, { "Οκτ", "Oct" },
	{ "Νοέ", "Nov" }, { "Νοε", "Nov" }, { "Δεκ", "Dec" },
	{ "Κυρ", "Sun" }, { "Δευ", "Mon" }, { "Τρι", "Tue" }, { "Τετ", "Wed" },
	{ "Πεμ", "Thu" }, { "Παρ", "Fri" }, { "Σαβ", "Sat" },
};

/*
 * Check the fields and turn them into epoch seconds.  -2 when a field is
 * out of range: the string had the right shape but is not a date, and no
 * other parser may try to make one out of it.
 */
static int
date_fields_epoch(const struct date_fields *f, int64_t *out)
{
	int64_t	days;

	if (f->year < 1 || f->year > 9999 || f->hour > 23 || f->min > 59 ||
	    f->sec > 59 || f->hour < 0 || f->min < 0 || f->sec < 0)
		return -2;
	if (f->month == 0) {
		int leap = date_days_in_month(f->year, 2) == 29;

		if (f->ordinal < 1 || f->ordinal > 365 + leap)
			return -2;
		days = date_days_from_civil(f->year, 1, 1) + f->ordinal - 1;
	} else {
		if (f->month < 1 || f->month > 12 || f->day < 1 ||
		    f->day > date_days_in_month(f->year, f->month))
			return -2;
		days = date_days_from_civil(f->year, (unsigned)f->month,
		    (unsigned)f->day);
	}
	*out = days * 86400 + f->hour * 3600 + f->min * 60 + f->sec - f->offset;
	return 0;
}

/* Two-digit years: 00-49 are 20xx, 50-99 are 19xx (RFC 2822 4.3). */
static int64_t
date_full_year(int64_t y, size_t ndigits)
{
	if (ndigits > 2)
		return y;
	return y < 50 ? 2000 + y : 1900 + y;
}

/* Count the digits at s. */
static size_t
date_ndigits(const char *s)
{
	size_t n = 0;

	while (isdigit((unsigned char)s[n]))
		n++;
	return n;
}

/* Value of exactly n digits at s (n <= 9). */
static int
date_num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Look a zone name up (case-insensitive, len bytes); -1 if unknown. */
static int
date_zone_lookup(const char *s, size_t len, int *minutes)
{
	for (size_t i = 0; i < sizeof(date_zones) / sizeof(date_zones[0]); i++)
		if (strlen(date_zones[i].name) == len &&
		    strncasecmp(date_zones[i].name, s, len) == 0) {
			*minutes = date_zones[i].minutes;
			return 0;
		}
	return -1;
}

/*
 * A numeric zone "+HH", "+HHMM" or "+HH:MM" (sign included) of exactly len
 * bytes, to seconds east of UTC.
 */
static int
date_numeric_zone(const char *s, size_t len, int *offset)
{
	int	sign, h, m = 0;

	if (len < 3 || (s[0] != '+' && s[0] != '-'))
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	if (date_ndigits(s + 1) < 2)
		return -1;
	h = date_num(s + 1, 2);
	if (len == 5 && date_ndigits(s + 3) == 2)
		m = date_num(s + 3, 2);
	else if (len == 6 && s[3] == ':' && date_ndigits(s + 4) == 2)
		m = date_num(s + 4, 2);
	else if (len != 3)
		return -1;
	if (h > 23 || m > 59)
		return -1;
	*offset = sign * (h * 3600 + m * 60);
	return 0;
}

/* Any zone: numeric, "GMT+01:00", "Etc/GMT" or a known name. */
static int
date_zone(const char *s, size_t len, int *offset)
{
	int minutes;

	if (len > 4 && strncasecmp(s, "etc/", 4) == 0)
		s += 4, len -= 4;
	if (len > 3 && (strncasecmp(s, "gmt", 3) == 0 ||
	    strncasecmp(s, "utc", 3) == 0) && (s[3] == '+' || s[3] == '-'))
		s += 3, len -= 3;
	if (len > 0 && (s[0] == '+' || s[0] == '-'))
		return date_numeric_zone(s, len, offset);
	if (date_zone_lookup(s, len, &minutes) == -1)
		return -1;
	*offset = minutes * 60;
	return 0;
}

/*
 * The time of day "HH:MM[:SS[.fraction]]" at *sp; the fraction is dropped.
 * With basic set, "HHMM[SS]" is accepted too.
 */
static int
date_time_of_day(const char **sp, struct date_fields *f, int basic)
{
	const char	*s = *sp;
	size_t		 n = date_ndigits(s);

	if (basic && (n == 4 || n == 6)) {
		f->hour = date_num(s, 2);
		f->min = date_num(s + 2, 2);
		f->sec = n == 6 ? date_num(s + 4, 2) : 0;
		s += n;
	} else {
		if (n != 2 || s[2] != ':' || date_ndigits(s + 3) != 2)
			return -1;
		f->hour = date_num(s, 2);
		f->min = date_num(s + 3, 2);
		s += 5;
		if (*s == ':') {
			if (date_ndigits(s + 1) != 2)
				return -1;
			f->sec = date_num(s + 1, 2);
			s += 3;
		}
	}
	if ((*s == '.' || *s == ',') && isdigit((unsigned char)s[1])) {
		s++;
		s += date_ndigits(s);
	}
	*sp = s;
	return 0;
}

/* The calendar date of an ISO 8601 / W3C-DTF string; see date_parse_iso. */
static int
date_iso_calendar(const char **sp, struct date_fields *f)
{
	const char	*s = *sp;
	size_t		 n;

	f->month = 1;
	f->day = 1;
	if (s[0] == '-') {		/* -YY-MM or -YYMM */
		s++;
		n = date_ndigits(s);
		if (n == 2 && s[2] == '-' && date_ndigits(s + 3) == 2) {
			f->year = date_full_year(date_num(s, 2), 2);
			f->month = date_num(s + 3, 2);
			s += 5;
		} else if (n == 4) {
			f->year = date_full_year(date_num(s, 2), 2);
			f->month = date_num(s + 2, 2);
			s += 4;
		} else
			return -1;
		*sp = s;
		return 0;
	}
	n = date_ndigits(s);
	switch (n) {
	case 8:			/* YYYYMMDD */
		f->year = date_num(s, 4);
		f->month = date_num(s + 4, 2);
		f->day = date_num(s + 6, 2);
		break;
	case 7:			/* YYYYDDD */
	case 5:			/* YYDDD */
		f->year = date_full_year(date_num(s, n - 3), n - 3);
		f->month = 0;
		f->ordinal = date_num(s + n - 3, 3);
		break;
	case 6:			/* YYMMDD */
		f->year = date_full_year(date_num(s, 2), 2);
		f->month = date_num(s + 2, 2);
		f->day = date_num(s + 4, 2);
		break;
	case 4:			/* YYYY[-MM[-DD]], YYYY-DDD, YYYY-0MM-DD */
	case 2:			/* YY-MM-DD, YY-DDD */
		f->year = date_full_year(date_num(s, n), n);
		if (s[n] != '-')
			break;
		s += n + 1;
		n = date_ndigits(s);
		if (n == 3 && s[0] == '0' && s[3] == '-') {
			s++;	/* a month written with three digits */
			n = 2;
		}
		if (n == 3) {
			f->month = 0;
			f->ordinal = date_num(s, 3);
			break;
		}
		if (n != 2)
			return -1;
		f->month = date_num(s, 2);
		if (s[2] == '-') {
			if (date_ndigits(s + 3) != 2)
				return -1;
			f->day = date_num(s + 3, 2);
			s += 3;
		}
		n = 2;
		break;
	default:
		return -1;
	}
	*sp = s + n;
	return 0;
}

/*
 * RFC 3339, ISO 8601 and W3C-DTF: a calendar or ordinal date, then an
 * optional time ("T" or spaces first) and zone ("Z", "+HH:MM", "+HHMM",
 * "+HH", or a zone name after a space).  No zone means UTC.
 */
static int
date_parse_iso(const char *s, int64_t *out)
{
	struct date_fields	f;
	const char		*z;

	memset(&f, 0, sizeof(f));
	if (date_iso_calendar(&s, &f) == -1)
		return -1;
	if (*s == 'T' || *s == 't' || (*s == ' ' && isdigit((unsigned char)s[1]))) {
		int basic = *s != ' ';

		s++;
		if (date_time_of_day(&s, &f, basic) == -1)
			return -1;
		while (*s == ' ')
			s++;
		z = s;
		s += strcspn(s, " ");
		if (s > z && date_zone(z, (size_t)(s - z), &f.offset) == -1)
			return -1;
		while (*s == ' ')
			s++;
	}
	if (*s != '\0')
		return -1;
	return date_fields_epoch(&f, out);
}

/* Index of a month name (first three letters, case-insensitive), or -1. */
static int
date_month_index(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (strncasecmp(s, date_months[i], 3) == 0)
			return i + 1;
	return -1;
}

/* 1 if s is all digits (and not empty). */
static int
date_all_digits(const char *s)
{
	return *s != '\0' && date_ndigits(s) == strlen(s);
}

/* Split s (at most DATE_MAX_LEN bytes) into whitespace-separated tokens. */
static int
date_tokens(const char *s, char *buf, size_t size, char **tok, int max)
{
	int n = 0;

	if (strlen(s) >= size)
		return -1;
	strcpy(buf, s);
	for (char *p = strtok(buf, " \t\r\n"); p != NULL;
	    p = strtok(NULL, " \t\r\n")) {
		if (n == max)
			return -1;
		tok[n++] = p;
	}
	return n;
}

/*
 * RFC 822 and its variants, feedparser's way: "[Wdy,] DD Mon YY[YY]
 * [HH:MM[:SS]] [zone]"; the day and month may be swapped, a missing time
 * is midnight and a missing zone UTC.
 */
static int
date_parse_rfc822(const char *s, int64_t *out)
{
	char			 buf[DATE_MAX_LEN], *tok[DATE_MAX_TOKENS + 2], *p;
	struct date_fields	 f;
	int			 n, i = 0, padded = 0, month, tm[3], ntm = 0;
	size_t			 nd;

	if ((n = date_tokens(s, buf, sizeof(buf), tok, DATE_MAX_TOKENS)) < 1)
		return -1;
	if (n < 5) {
		tok[n++] = "00:00:00";
		tok[n++] = "0000";
		padded = 1;
	}
	for (int w = 0; w < 7; w++)
		if (strncasecmp(tok[0], date_wdays[w], 3) == 0) {
			i = 1;
			break;
		}
	if (n - i < 5)
		return -1;
	memset(&f, 0, sizeof(f));
	month = date_month_index(tok[i + 1]);
	if (date_all_digits(tok[i]) && strlen(tok[i]) <= 2)
		f.day = atoi(tok[i]);
	else if ((month = date_month_index(tok[i])) != -1 &&
	    date_all_digits(tok[i + 1]) && strlen(tok[i + 1]) <= 2)
		f.day = atoi(tok[i + 1]);
	else
		return -1;
	nd = strlen(tok[i + 2]);
	if (month == -1 || !date_all_digits(tok[i + 2]) || nd > 4)
		return -1;
	f.month = month;
	f.year = date_full_year(atoi(tok[i + 2]), nd);
	for (p = tok[i + 3];;) {	/* HH[:MM[:SS]] */
		nd = date_ndigits(p);
		if (nd < 1 || nd > 2 || ntm == 3)
			return -1;
		tm[ntm++] = date_num(p, nd);
		p += nd;
		if (*p == '\0')
			break;
		if (*p++ != ':')
			return -1;
	}
	f.hour = tm[0];
	f.min = ntm > 1 ? tm[1] : 0;
	f.sec = ntm > 2 ? tm[2] : 0;
	if (!(padded && strcmp(tok[i + 4], "0000") == 0) &&
	    date_zone(tok[i + 4], strlen(tok[i + 4]), &f.offset) == -1)
		return -1;
	return date_fields_epoch(&f, out);
}

/*
 * asctime "Wdy Mon DD HH:MM:SS [zone] YYYY", rearranged into RFC 822.
 * (The rearranged string may fail to parse for reasons of its own: that
 * says nothing about the original, so -2 becomes -1.)
 */
static int
date_parse_asctime(const char *s, int64_t *out)
{
	char	buf[DATE_MAX_LEN], re[DATE_MAX_LEN + 8], *tok[7];
	int	n;

	if ((n = date_tokens(s, buf, sizeof(buf), tok, 6)) < 5)
		return -1;
	if (n == 5) {
		tok[5] = tok[4];
		tok[4] = "+0000";
	}
	snprintf(re, sizeof(re), "%s %s %s %s %s %s", tok[0], tok[2], tok[1],
	    tok[5], tok[3], tok[4]);
	return date_parse_rfc822(re, out) == 0 ? 0 : -1;
}

/* Perforce "Wdy, YYYY/MM/DD HH:MM:SS ZONE". */
static int
date_parse_perforce(const char *s, int64_t *out)
{
	struct date_fields	f;
	const char		*p = strchr(s, ',');

	memset(&f, 0, sizeof(f));
	p = p == NULL ? s : p + 1;
	while (*p == ' ')
		p++;
	if (date_ndigits(p) != 4 || p[4] != '/' || date_ndigits(p + 5) != 2 ||
	    p[7] != '/' || date_ndigits(p + 8) != 2 || p[10] != ' ')
		return -1;
	f.year = date_num(p, 4);
	f.month = date_num(p + 5, 2);
	f.day = date_num(p + 8, 2);
	p += 11;
	if (date_time_of_day(&p, &f, 0) == -1 || *p++ != ' ' ||
	    date_zone(p, strlen(p), &f.offset) == -1)
		return -1;
	return date_fields_epoch(&f, out);
}

/* Greek month and weekday names replaced by English ones, then RFC 822. */
static int
date_parse_greek(const char *s, int64_t *out)
{
	char	buf[DATE_MAX_LEN * 2];
	size_t	o = 0;
	int	changed = 0;

	while (*s != '\0' && o + 8 < sizeof(buf)) {
		size_t i, n = sizeof(date_greek) / sizeof(date_greek[0]);

		for (i = 0; i < n; i++) {
			size_t len = strlen(date_greek[i][0]);

			if (strncmp(s, date_greek[i][0], len) == 0 &&
			    !((unsigned char)s[len] & 0x80)) {
				memcpy(buf + o, date_greek[i][1], 3);
				o += 3;
				s += len;
				changed = 1;
				break;
			}
		}
		if (i == n)
			buf[o++] = *s++;
	}
	buf[o] = '\0';
	return changed && *s == '\0' ? date_parse_rfc822(buf, out) : -1;
}

/* libcurl's parser for the RFC 822/850/asctime family. */
static int
date_parse_curl(const char *s, int64_t *out)
{
	time_t t = curl_getdate(s, NULL);

	if (t == -1)
		return -1;
	*out = (int64_t)t;
	return 0;
}

int
date_parse(const char *s, int64_t *out)
{
	static int	(*const parsers[])(const char *, int64_t *) = {
		date_parse_iso, date_parse_rfc822, date_parse_asctime,
		date_parse_perforce, date_parse_greek, date_parse_curl,
	};
	char		buf[DATE_MAX_LEN];
	size_t		len;

	if (s == NULL)
		return -1;
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++)
		switch (parsers[i](buf, out)) {
		case 0:
			return 0;
		case -2:
			return -1;	/* the right shape, impossible values */
		}
	return -1;
}
