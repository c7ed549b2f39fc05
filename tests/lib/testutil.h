/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by every cmocka test binary. */
#ifndef RPILB_TESTUTIL_H
#define RPILB_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static inline bool test_in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && (!strcmp(ci, "true") || !strcmp(ci, "1"));
}

/*
 * Privileged tests skip with a reason for a normal user, and fail under
 * CI, which runs as root: a skip there would hide a broken test.
 */
#define REQUIRE_ROOT()                                                                             \
	do {                                                                                       \
		if (geteuid() != 0) {                                                              \
			if (test_in_ci())                                                          \
				fail_msg("CI=true but not root: privileged tests may not skip");   \
			print_message("[  SKIP    ] needs root: run 'sudo make check'\n");         \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

#endif
