// SPDX-License-Identifier: GPL-2.0-only
/*
 * The directives of proxies that are no family of their own: where a
 * frontend sends its connections, mode, balance, the words that
 * introduce an option, a timeout or an HTTP rule, and the timeouts rpilb
 * honours. bind, server, http-check and stats add their rows to the
 * proxy family from their own files; the compatibility rows are in
 * kw_compat_proxy.c and kw_compat_option.c.
 */
#include <stdio.h>
#include <string.h>

#include "config/parser.h"
#include "config/why.h"

static void parse_default_backend(struct parser *p, const struct directive *d)
{
	struct px *px = &p->px;

	if (!check_name(p, "backend", d->argv[1]))
		return;
	snprintf(px->s.default_backend, sizeof(px->s.default_backend), "%s", d->argv[1]);
	px->s.default_backend_line = p->line;
	px->default_backend_here = true;
}

static void parse_mode(struct parser *p, const struct directive *d)
{
	const char *m = d->argv[1];

	if (!strcmp(m, "tcp"))
		return;
	if (!strcmp(m, "http")) {
		/* A frontend or listen may turn out to be the stats page, which is HTTP. */
		if (p->sec == SEC_FRONTEND || p->sec == SEC_LISTEN)
			p->px.mode_http_line = p->line;
		else
			pwarn(p,
			      "'mode http' ignored: rpilb forwards TCP at layer 4; HTTP passes through unchanged");
		return;
	}
	if (!strcmp(m, "health"))
		perr(p, "'mode health' is not supported");
	else
		perr(p, "unknown mode '%.64s' (expected tcp or http)", m);
}

static void parse_balance(struct parser *p, const struct directive *d)
{
	const char *a = d->argv[1];

	if (!strcmp(a, "roundrobin") || !strcmp(a, "static-rr")) {
		if (d->argc > 2) {
			perr(p, "'balance %s' has an unexpected argument '%.64s'", a, d->argv[2]);
			return;
		}
		p->px.s.balance = a[0] == 'r' ? CFG_BALANCE_ROUNDROBIN : CFG_BALANCE_STATIC_RR;
		return;
	}
	perr(p, "'balance %.64s' is not supported: rpilb balances with roundrobin or static-rr", a);
}

static void parse_no(struct parser *p, const struct directive *d)
{
	if (!strcmp(d->argv[1], "log"))
		return;
	if (strcmp(d->argv[1], "option") || d->argc < 3) {
		perr(p, "'no' only negates an option here (usage: no option NAME)");
		return;
	}
	run_sub(p, &kwf_option, "no option", true, d->argc - 2, d->argv + 2);
}

static void parse_timeout_value(struct parser *p, const struct directive *d)
{
	uint32_t *field = (uint32_t *)((char *)&p->px.s + d->kw->arg);
	uint32_t ms;

	if (parse_time_ms(p, d->name, d->argv[1], 1000, &ms))
		*field = ms;
}

/* clang-format off */
#define TIMEOUT(n, w, field) \
	{ .name = n, .where = w, .fn = parse_timeout_value, .min_args = 1, .max_args = 1, \
	  .usage = "timeout " n " TIME", .flags = KW_CAP_WARN, \
	  .arg = offsetof(struct px_settings, field) }
/* clang-format on */

const struct kw timeout_kws[] = {
	TIMEOUT("client", IN_DEF | IN_FE, timeout_client_ms),
	TIMEOUT("server", IN_DEF | IN_BE, timeout_server_ms),
	TIMEOUT("connect", IN_DEF | IN_BE, timeout_connect_ms),
	TIMEOUT("check", IN_DEF | IN_BE, timeout_check_ms),
	TIMEOUT("tunnel", IN_DEF | IN_BE, timeout_tunnel_ms),
	TIMEOUT("client-fin", IN_DEF | IN_FE, timeout_client_fin_ms),
	TIMEOUT("server-fin", IN_DEF | IN_BE, timeout_server_fin_ms),
	KW_END,
};

/* http-request, http-response and http-after-response: the action is the keyword. */
static void parse_http_rule(struct parser *p, const struct directive *d)
{
	if (d->argc < 2) {
		pwarn(p, "'%s' ignored: %s", d->name, WHY_L7);
		return;
	}
	run_sub(p, d->kw->sub, d->argv[0], false, d->argc - 1, d->argv + 1);
}

/* clang-format off */
#define HTTP_RULE(n, family) \
	{ .name = n, .where = IN_PROXY, .fn = parse_http_rule, .max_args = -1, .sub = family }
/* clang-format on */

const struct kw proxy_kws[] = {
	KW("default_backend", IN_DEF | IN_FE, parse_default_backend, 1, 1, "default_backend NAME",
	   0),
	KW("mode", IN_PROXY, parse_mode, 1, 1, "mode tcp|http", 0),
	KW("balance", IN_DEF | IN_BE, parse_balance, 1, -1, "balance roundrobin|static-rr", 0),
	SUB("option", IN_PROXY, kw_sub, &kwf_option, "option NAME [args...]"),
	SUB("no", IN_PROXY, parse_no, &kwf_option, "no option NAME"),
	SUB("timeout", IN_PROXY, kw_sub, &kwf_timeout, "timeout NAME TIME"),
	HTTP_RULE("http-request", &kwf_http_request),
	HTTP_RULE("http-response", &kwf_http_response),
	HTTP_RULE("http-after-response", &kwf_http_after_response),
	KW_END,
};
