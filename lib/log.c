/*
 * log.c: leveled logging to stderr.  Under systemd-journald (JOURNAL_STREAM
 * set) each line carries a "<N>" syslog priority prefix and no timestamp,
 * since the journal stamps lines itself; otherwise lines start with a UTC
 * timestamp and the level name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_progname = "pmsignal";
static enum log_level log_level = LOG_LEVEL_INFO;
static int log_journal;

static const char *const log_names[] = { "error", "warn", "info", "debug" };
/* syslog priorities: err, warning, info, debug */
static const int log_priorities[] = { 3, 4, 6, 7 };

/* Set the program name and level; detect journald on stderr. */
void
log_init(const char *progname, enum log_level level)
{
	if (progname != NULL)
		log_progname = progname;
	log_level = level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

/* Parse "error", "warn", "info" or "debug"; 0 on success, -1 if unknown. */
int
log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcasecmp(name, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	if ((unsigned)level >= sizeof(log_names) / sizeof(log_names[0]))
		return "unknown";
	return log_names[level];
}

/* Write one line; the whole line goes out in one write so lines never mix. */
static void
log_vwrite(enum log_level level, const char *fmt, va_list ap, int errnum)
{
	char	msg[2048], line[2300], stamp[32];
	struct tm tm;
	time_t	now;
	int	n;

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journal) {
		n = snprintf(line, sizeof(line), "<%d>%s%s%s\n",
		    log_priorities[level], msg, errnum ? ": " : "",
		    errnum ? strerror(errnum) : "");
	} else {
		now = time(NULL);
		if (gmtime_r(&now, &tm) == NULL ||
		    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			stamp[0] = '\0';
		n = snprintf(line, sizeof(line), "%s %s[%ld]: %s: %s%s%s\n",
		    stamp, log_progname, (long)getpid(), log_names[level], msg,
		    errnum ? ": " : "", errnum ? strerror(errnum) : "");
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* Nothing sensible to do if stderr is gone. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, fmt, ap, 0);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, fmt, ap, 0);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, 0);
	va_end(ap);
}

/* Like log_warnx, with ": strerror(errno)" appended. */
void
log_warn(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, fmt, ap, saved);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
