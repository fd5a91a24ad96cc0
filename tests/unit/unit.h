/* unit.h: the few helpers every Check unit-test program shares. */
#ifndef PM_UNIT_H
#define PM_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
