// SPDX-License-Identifier: GPL-2.0-only
/*
 * bind: the addresses a frontend takes connections on. Every bind
 * parameter is a compatibility row (kw_compat_bind.c): rpilb listens on
 * no socket, so none of them can apply.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "config/parser.h"

void add_bind(struct parser *p, const char *s)
{
	struct px *px = &p->px;
	struct cfg_bind b = { .line = p->line };
	size_t i;

	if (!parse_endpoint(p, "bind", s, EP_ANY | EP_PORT, &b.addr, &b.port, NULL, 0)) {
		px->bind_failed = true;
		return;
	}
	for (i = 0; i < p->nbinds; i++) {
		if (p->binds[i].addr.s_addr == b.addr.s_addr && p->binds[i].port == b.port) {
			char a[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &b.addr, a, sizeof(a));
			perr(p, "%s:%u is already bound at line %u", a, b.port, p->binds[i].line);
			px->bind_failed = true;
			return;
		}
	}
	if (px->nbinds == CFG_MAX_BINDS) {
		perr(p, "too many bind addresses in %s '%s' (max %d)", proxy_kind(px->sec),
		     px->name, CFG_MAX_BINDS);
		px->bind_failed = true;
		return;
	}
	px->binds[px->nbinds++] = b;
	if (p->nbinds < CFG_MAX_TRACKED && P_RESERVE(p, p->binds, p->nbinds, p->binds_cap) == 0)
		p->binds[p->nbinds++] =
			(struct bind_ref){ .addr = b.addr, .port = b.port, .line = b.line };
}

static void parse_bind(struct parser *p, const struct directive *d)
{
	char *addr = d->argv[1], *comma;

	/* "bind :80,:8080" is HAProxy's shorthand for several binds. */
	for (;;) {
		comma = strchr(addr, ',');
		if (comma)
			*comma = '\0';
		add_bind(p, addr);
		if (!comma)
			break;
		addr = comma + 1;
	}
	run_params(p, &kwf_bind, "bind option", IN_BIND, d->argc - 2, d->argv + 2);
}

const struct kw bind_proxy_kws[] = {
	KW("bind", IN_FE, parse_bind, 1, -1, "bind ADDR:PORT [option...]", 0),
	KW_END,
};
