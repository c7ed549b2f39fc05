// SPDX-License-Identifier: GPL-2.0-only
/*
 * The global section: HAProxy's process settings. rpilb has its own in
 * the rpilb section (kw_rpilb.c), so here only "stats" is read, to reach
 * the control-socket keywords of HAProxy's global "stats", and the one
 * process setting that decides which connections get through. Everything
 * else global can hold is a compatibility row (kw_compat_global.c).
 */
#include <string.h>

#include "config/parser.h"

/*
 * HAProxy 3.0 can refuse clients that connect from a port below 1024.
 * rpilb forwards them all: that is what "off" asks for, and "on" would
 * let through the clients HAProxy turns away.
 */
static void parse_harden_tcp(struct parser *p, const struct directive *d)
{
	const char *v = d->argv[1];

	if (!strcmp(v, "off"))
		return;
	if (!strcmp(v, "on"))
		perr(p,
		     "'%s on' is not supported: rpilb cannot refuse clients by their source port",
		     d->name);
	else
		perr(p, "'%s' expects 'on' or 'off', not '%.64s'", d->name, v);
}

const struct kw global_kws[] = {
	SUB("stats", IN_GLOBAL, kw_sub, &kwf_global_stats, "stats socket|timeout|maxconn ..."),
	KW("harden.reject-privileged-ports.tcp", IN_GLOBAL, parse_harden_tcp, 1, 1,
	   "harden.reject-privileged-ports.tcp on|off", 0),
	KW_END,
};
