// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <bpf/libbpf.h>

#include "lib/json.h"
#include "lib/log.h"

static enum log_level log_level = LOG_LVL_INFO;
static bool log_syslog;
static bool log_json;
static bool libbpf_verbose;
static FILE *log_second;

void log_set_level(enum log_level level)
{
	log_level = level;
}

void log_to_syslog(const char *ident)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = true;
}

void log_set_json(bool json)
{
	log_json = json;
}

void log_tee(FILE *f)
{
	log_second = f;
}

bool log_is_json(void)
{
	return log_json;
}

static const char *const level_prefix[] = {
	[LOG_LVL_ERR] = "error: ",
	[LOG_LVL_WARN] = "warning: ",
	[LOG_LVL_INFO] = "",
	[LOG_LVL_DEBUG] = "debug: ",
};

static const int level_syslog[] = {
	[LOG_LVL_ERR] = LOG_ERR,
	[LOG_LVL_WARN] = LOG_WARNING,
	[LOG_LVL_INFO] = LOG_INFO,
	[LOG_LVL_DEBUG] = LOG_DEBUG,
};

static void log_emit(enum log_level level, bool prefix, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	if (level > log_level)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (log_second)
		fprintf(log_second, "%s%s\n", prefix ? level_prefix[level] : "", buf);

	if (log_syslog) {
		syslog(level_syslog[level], "%s", buf);
		return;
	}
	if (log_json && level <= LOG_LVL_WARN) {
		/* Scripts parse stdout; errors stay on stderr but as JSON. */
		struct json_writer *jw = json_new(stderr, false);

		json_begin_object(jw);
		json_kv_str(jw, level == LOG_LVL_ERR ? "error" : "warning", buf);
		json_end_object(jw);
		json_free(jw);
		fputc('\n', stderr);
		return;
	}
	fprintf(stderr, "%s%s\n", prefix ? level_prefix[level] : "", buf);
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	log_emit(level, true, fmt, ap);
}

void log_plain(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(level, false, fmt, ap);
	va_end(ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	/* libbpf's own warnings are detail for a debug run: we report the cause. */
	log_vmsg(libbpf_verbose ? LOG_LVL_INFO : LOG_LVL_DEBUG, fmt, ap);
	return 0;
}

void log_libbpf_init(bool verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
}
