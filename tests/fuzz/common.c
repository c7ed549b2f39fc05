// SPDX-License-Identifier: GPL-2.0-only
/* What every harness shares: the log wrappers named in fuzz.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/log.h"

static int log_on = -1;

static bool logging(void)
{
	if (log_on < 0) {
		const char *v = getenv("RPILB_FUZZ_LOG");

		log_on = v && !strcmp(v, "1");
	}
	return log_on;
}

void fuzz_quiet_logs(void)
{
	logging();
}

void __real_log_vmsg(enum log_level level, const char *fmt, va_list ap);

void __wrap_log_vmsg(enum log_level level, const char *fmt, va_list ap);
void __wrap_log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	if (logging())
		__real_log_vmsg(level, fmt, ap);
}

void __wrap_log_msg(enum log_level level, const char *fmt, ...);
void __wrap_log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!logging())
		return;
	va_start(ap, fmt);
	__real_log_vmsg(level, fmt, ap);
	va_end(ap);
}

void __wrap_log_plain(enum log_level level, const char *fmt, ...);
void __wrap_log_plain(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!logging())
		return;
	va_start(ap, fmt);
	__real_log_vmsg(level, fmt, ap);
	va_end(ap);
}
