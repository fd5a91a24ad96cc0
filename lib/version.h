/* version.h: the one place the version and project URL live. */
#ifndef PM_VERSION_H
#define PM_VERSION_H

#define PM_VERSION	"0.1.0"
#define PM_URL		"https://github.com/pmsignal/pmsignal"
#define PM_PROTOCOL	1

#endif
