/* unit.h: the few helpers every Check unit-test program shares. */
#ifndef PM_UNIT_H
#define PM_UNIT_H

#include <check.h>
#include <stdlib.h>

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

#endif
