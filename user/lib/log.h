/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one logging API. Messages go to stderr (journald picks them up
 * under systemd) or to syslog once the daemon has detached. In JSON mode
 * a command's errors are printed as JSON objects instead.
 */
#ifndef RPILB_LOG_H
#define RPILB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

enum log_level {
	LOG_LVL_ERR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

void log_set_level(enum log_level level);
void log_to_syslog(const char *ident);
void log_set_json(bool json);
/*
 * Also write every message, plain, to f (NULL: stop). While "up" starts,
 * its -L log file is a second sink, so that what went wrong is on the
 * terminal too.
 */
void log_tee(FILE *f);
bool log_is_json(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* A message that names its own severity ("file:12: warning: ..."): no prefix. */
void log_plain(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define pr_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define pr_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* Route libbpf's own messages through us, at debug level unless verbose. */
void log_libbpf_init(bool verbose);

#endif
