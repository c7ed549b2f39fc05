// SPDX-License-Identifier: GPL-2.0-only
/*
 * The global section: HAProxy's process settings. rpilb has its own in
 * the rpilb section (kw_rpilb.c), so here only "stats" is read, to reach
 * the control-socket keywords of HAProxy's global "stats". Everything
 * else global can hold is a compatibility row (kw_compat_global.c).
 */
#include "config/parser.h"

const struct kw global_kws[] = {
	SUB("stats", IN_GLOBAL, kw_sub, &kwf_global_stats, "stats socket|timeout|maxconn ..."),
	KW_END,
};
