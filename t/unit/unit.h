/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A minimal test harness: CHECK records a failure and goes on. */
#ifndef NVD_UNIT_H
#define NVD_UNIT_H

#include <stdio.h>

static int unit_failures, unit_checks;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		unit_checks++;                                                       \
		if (!(cond)) {                                                       \
			unit_failures++;                                             \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
		}                                                                    \
	} while (0)

#define UNIT_DONE()                                                                  \
	do {                                                                         \
		printf("%d passed, %d failed\n", unit_checks - unit_failures,        \
		       unit_failures);                                               \
		return unit_failures ? 1 : 0;                                        \
	} while (0)

#endif
