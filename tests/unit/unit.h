/* unit.h: the few helpers every Check unit-test program shares. */
#ifndef PM_UNIT_H
#define PM_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND	0
#endif

/*
 * 1 when a test measuring wall-clock time must not: under valgrind (make
 * valgrind) code runs 20 to 50 times slower and the first pass through
 * each path slower still, so schedules checked in milliseconds cannot
 * hold.  Such a test says so on stderr and returns; memcheck still sees
 * the code it drives through the tests and fixtures that measure nothing.
 */
static inline int
unit_timing_skipped(const char *prog, const char *test)
{
	if (!RUNNING_ON_VALGRIND)
		return 0;
	fprintf(stderr, "%s: %s: measures time, not under valgrind, "
	    "skipped\n", prog, test);
	return 1;
}

/* Run one suite; exit status 0 when every test passed. */
static inline int
unit_run(Suite *s)
{
	SRunner	*sr = srunner_create(s);
	int	 failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * Remove an sqlite database and the -wal and -shm files that a read-only
 * reader of a WAL database may leave behind.
 */
static inline void
unit_unlink_sqlite(const char *db)
{
	char side[4096];

	unlink(db);
	snprintf(side, sizeof(side), "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db);
	unlink(side);
}

#endif
