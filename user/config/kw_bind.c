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

static bool add_bind_port(struct parser *p, struct cfg_bind b)
{
	struct px *px = &p->px;
	size_t i;

	for (i = 0; i < p->nbinds; i++) {
		if (p->binds[i].addr.s_addr == b.addr.s_addr && p->binds[i].port == b.port) {
			char a[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &b.addr, a, sizeof(a));
			perr(p, "%s:%u is already bound at line %u", a, b.port, p->binds[i].line);
			px->bind_failed = true;
			return false;
		}
	}
	if (px->nbinds == CFG_MAX_BINDS) {
		perr(p,
		     "too many bind addresses in %s '%s' (max %d, a port range counting each port)",
		     proxy_kind(px->sec), px->name, CFG_MAX_BINDS);
		px->bind_failed = true;
		return false;
	}
	px->binds[px->nbinds++] = b;
	if (p->nbinds < CFG_MAX_TRACKED && P_RESERVE(p, p->binds, p->nbinds, p->binds_cap) == 0)
		p->binds[p->nbinds++] =
			(struct bind_ref){ .addr = b.addr, .port = b.port, .line = b.line };
	return true;
}

/* ADDR:PORT or ADDR:LO-HI (HAProxy's port range: one listener per port). */
void add_bind(struct parser *p, const char *s)
{
	struct cfg_bind b = { .line = p->line };
	struct ep_port ep;

	if (!parse_endpoint(p, "bind", s, EP_ANY | EP_PORT | EP_RANGE, &b.addr, &ep, NULL, 0)) {
		p->px.bind_failed = true;
		return;
	}
	for (unsigned int port = ep.port; port <= ep.last; port++) {
		b.port = (uint16_t)port;
		if (!add_bind_port(p, b))
			return;
	}
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
