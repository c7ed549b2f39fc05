// SPDX-License-Identifier: GPL-2.0-only
/*
 * server and default-server, and the server parameters rpilb honours:
 * health checking (check, inter, rise, fall, port), weight and the
 * initial admin state. The others are compatibility rows
 * (kw_compat_server.c). A default-server line sets the defaults of the
 * server lines after it, in this proxy and those inheriting from it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "config/parser.h"

static void srv_check(struct parser *p, const struct directive *d)
{
	p->srv->check = strcmp(d->argv[0], "no-check") != 0;
}

static void srv_state(struct parser *p, const struct directive *d)
{
	p->srv->disabled = !strcmp(d->argv[0], "disabled");
}

/* inter, fastinter, downinter: the field is the row's. */
static void srv_inter(struct parser *p, const struct directive *d)
{
	uint32_t *field = (uint32_t *)((char *)p->srv + d->kw->arg);
	uint32_t ms;

	if (!parse_time_ms(p, d->argv[0], d->argv[1], 1000, &ms))
		return;
	if (!ms) {
		perr(p, "'%s' must be greater than 0", d->argv[0]);
		return;
	}
	*field = ms;
}

/* rise, fall: the field is the row's. */
static void srv_count(struct parser *p, const struct directive *d)
{
	unsigned int *field = (unsigned int *)((char *)p->srv + d->kw->arg);
	unsigned long v;

	if (parse_uint_range(p, d->argv[0], d->argv[1], 1, 65535, &v))
		*field = (unsigned int)v;
}

static void srv_weight(struct parser *p, const struct directive *d)
{
	unsigned long v;

	if (parse_uint_range(p, d->argv[0], d->argv[1], 0, CFG_MAX_WEIGHT, &v))
		p->srv->weight = (unsigned int)v;
}

static void srv_port(struct parser *p, const struct directive *d)
{
	unsigned long v;

	if (parse_uint_range(p, d->argv[0], d->argv[1], 1, 65535, &v))
		p->srv->check_port = (uint16_t)v;
}

/* "addr": where this server's checks go instead of its own address. */
static void srv_addr(struct parser *p, const struct directive *d)
{
	if (inet_pton(AF_INET, d->argv[1], &p->srv->check_addr) != 1)
		perr(p, "'addr' needs an IPv4 address for the checks, not '%.64s'", d->argv[1]);
}

/* clang-format off */
#define SRV_FIELD(n, f, field) \
	{ .name = n, .where = IN_SRV, .fn = f, .min_args = 1, .max_args = 1, \
	  .arg = offsetof(struct cfg_server_opts, field) }
/* clang-format on */

const struct kw server_kws[] = {
	PARAM("check", IN_SRV, srv_check, 0),
	PARAM("no-check", IN_SRV, srv_check, 0),
	SRV_FIELD("inter", srv_inter, inter_ms),
	SRV_FIELD("fastinter", srv_inter, fastinter_ms),
	SRV_FIELD("downinter", srv_inter, downinter_ms),
	SRV_FIELD("rise", srv_count, rise),
	SRV_FIELD("fall", srv_count, fall),
	PARAM("weight", IN_SRV, srv_weight, 1),
	PARAM("port", IN_SRV, srv_port, 1),
	PARAM("addr", IN_SRV, srv_addr, 1),
	PARAM("disabled", IN_SRV, srv_state, 0),
	PARAM("enabled", IN_SRV, srv_state, 0),
	KW_END,
};

static void parse_server_params(struct parser *p, struct cfg_server_opts *o, const char *what,
				unsigned int here, int argc, char **argv)
{
	p->srv = o;
	run_params(p, &kwf_server, what, here, argc, argv);
	p->srv = NULL;
}

static void parse_default_server(struct parser *p, const struct directive *d)
{
	parse_server_params(p, &p->px.s.srv, "default-server parameter", IN_DEFSRV, d->argc - 1,
			    d->argv + 1);
}

static void parse_server(struct parser *p, const struct directive *d)
{
	struct px *px = &p->px;
	struct cfg_server srv;
	struct ep_port ep;
	size_t i;

	px->server_lines++;
	memset(&srv, 0, sizeof(srv));
	srv.line = p->line;
	srv.opts = px->s.srv;
	if (!check_name(p, "server", d->argv[1]))
		return;
	snprintf(srv.name, sizeof(srv.name), "%s", d->argv[1]);
	for (i = 0; i < px->nservers; i++) {
		if (!strcmp(px->servers[i].name, srv.name)) {
			perr(p, "duplicate server name '%s' in %s '%s' (first at line %u)",
			     srv.name, proxy_kind(px->sec), px->name, px->servers[i].line);
			return;
		}
	}
	/* "server pi01 check": the address was left out, not a host called "check". */
	if (kw_find(&kwf_server, d->argv[2])) {
		perr(p, "server '%s' has no address before '%.64s'", srv.name, d->argv[2]);
		return;
	}
	/* A server with a bad address is still kept, so later duplicates of its name show. */
	if (parse_endpoint(p, "server", d->argv[2], EP_HOST | EP_MAP, &srv.addr, &ep, srv.host,
			   sizeof(srv.host))) {
		srv.port = ep.port;
		srv.port_map = ep.map;
		srv.port_offset = ep.offset;
	}
	if ((ntohl(srv.addr.s_addr) >> 24) == 127)
		pwarn(p,
		      "server '%s' has the loopback address %s: rpilb forwards through the network interface and cannot reach it",
		      srv.name, srv.host);
	parse_server_params(p, &srv.opts, "server parameter", IN_SERVER, d->argc - 3, d->argv + 3);
	if (p->nservers >= RPILB_MAX_BACKENDS) {
		if (!p->servers_full)
			perr(p, "too many servers: rpilb supports %d over all backends",
			     RPILB_MAX_BACKENDS);
		p->servers_full = true;
		return;
	}
	if (P_RESERVE(p, px->servers, px->nservers, px->servers_cap) < 0)
		return;
	px->servers[px->nservers++] = srv;
	p->nservers++;
}

const struct kw server_proxy_kws[] = {
	KW("server", IN_BE, parse_server, 2, -1, "server NAME ADDR[:PORT|:+N|:-N] [param...]", 0),
	KW("default-server", IN_DEF | IN_BE, parse_default_server, 0, -1,
	   "default-server [param...]", 0),
	KW_END,
};
