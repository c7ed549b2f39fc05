// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sections: a section keyword closes the section before it and opens its
 * own. Proxies (and defaults) start from a copy of the defaults they
 * inherit, as in HAProxy, collect their directives in struct px, and are
 * committed to the model when the next section begins; the checks that
 * need the whole section (no bind, no servers, the stats page's shape)
 * run then, at the lines they are about.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parser.h"

#define CFG_DEFAULT_REALM "rpilb Statistics"

void settings_init(struct px_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->balance = CFG_BALANCE_ROUNDROBIN;
	s->check_mode = CHECK_PLAIN;
	s->srv.weight = CFG_DEFAULT_WEIGHT;
	s->srv.inter_ms = CFG_DEFAULT_INTER_MS;
	s->srv.rise = CFG_DEFAULT_RISE;
	s->srv.fall = CFG_DEFAULT_FALL;
}

void settings_free(struct px_settings *s)
{
	cfg_check_free(&s->hc);
	cfg_check_free(&s->tc);
	cfg_check_free(&s->canned);
}

void settings_copy(struct parser *p, struct px_settings *dst, const struct px_settings *src)
{
	if (dst == src)
		return;
	settings_free(dst);
	*dst = *src;
	memset(&dst->hc, 0, sizeof(dst->hc));
	memset(&dst->tc, 0, sizeof(dst->tc));
	memset(&dst->canned, 0, sizeof(dst->canned));
	if (cfg_check_copy(&dst->hc, &src->hc) || cfg_check_copy(&dst->tc, &src->tc) ||
	    cfg_check_copy(&dst->canned, &src->canned))
		p->oom = true;
}

void stats_init(struct cfg_stats *st)
{
	memset(st, 0, sizeof(*st));
	strcpy(st->uri, "/");
	strcpy(st->realm, CFG_DEFAULT_REALM);
}

const char *proxy_kind(enum section sec)
{
	return sec == SEC_FRONTEND ? "frontend" : sec == SEC_BACKEND ? "backend" : "listen";
}

/* HAProxy lets a frontend and a backend share a name; a listen is both. */
static unsigned int proxy_caps(enum section sec)
{
	return sec == SEC_FRONTEND ? 1U : sec == SEC_BACKEND ? 2U : 3U;
}

static void register_proxy(struct parser *p, const char *name, enum section sec)
{
	struct proxy_name *e;
	size_t i;

	for (i = 0; i < p->nnames; i++) {
		e = &p->names[i];
		if (!strcmp(e->name, name) && (proxy_caps(e->sec) & proxy_caps(sec))) {
			perr(p, "duplicate proxy name '%s': already used by the %s at line %u",
			     name, proxy_kind(e->sec), e->line);
			return;
		}
	}
	if (p->nnames >= CFG_MAX_TRACKED)
		return;
	if (P_RESERVE(p, p->names, p->nnames, p->names_cap) < 0)
		return;
	e = &p->names[p->nnames++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->sec = sec;
	e->line = p->line;
}

static void px_open(struct parser *p, enum section sec, int argc, char **argv)
{
	struct px *px = &p->px;
	const char *name = NULL, *addr = NULL, *from = NULL;
	int i = 1;

	settings_free(&px->s);
	free(px->pending_comment);
	memset(px, 0, sizeof(*px));
	px->sec = sec;
	px->line = p->line;
	stats_init(&px->st);

	if (sec != SEC_DEFAULTS) {
		if (argc < 2)
			perr(p, "'%s' needs a name", argv[0]);
		else
			name = argv[i++];
	} else if (argc > 1 && strcmp(argv[1], "from")) {
		name = argv[i++];
	}
	if ((sec == SEC_FRONTEND || sec == SEC_LISTEN) && i < argc && strcmp(argv[i], "from"))
		addr = argv[i++];
	if (i < argc && !strcmp(argv[i], "from")) {
		if (i + 1 >= argc)
			perr(p, "'from' needs the name of a defaults section");
		else
			from = argv[i + 1];
		i += 2;
	}
	if (i < argc)
		perr(p, "'%s' has an unexpected argument '%.64s'", argv[0], argv[i]);

	/* A defaults section starts from HAProxy's built-in values, a proxy from the last defaults. */
	if (sec == SEC_DEFAULTS)
		settings_init(&px->s);
	else
		settings_copy(p, &px->s, &p->defaults);
	if (from) {
		size_t k;

		for (k = 0; k < p->nnamed && strcmp(p->named[k].name, from); k++)
			;
		if (k < p->nnamed)
			settings_copy(p, &px->s, &p->named[k].s);
		else
			perr(p, "no defaults section named '%.64s' before this line", from);
	}
	if (name && check_name(p, sec == SEC_DEFAULTS ? "defaults" : proxy_kind(sec), name)) {
		snprintf(px->name, sizeof(px->name), "%s", name);
		if (sec != SEC_DEFAULTS) {
			if (p->nnames >= CFG_MAX_TRACKED && !p->proxies_full) {
				p->proxies_full = true;
				perr(p, "too many proxy sections (max %d)", CFG_MAX_TRACKED);
			}
			px->untracked = p->proxies_full;
			register_proxy(p, px->name, sec);
		}
	}
	if (addr) {
		pwarn(p,
		      "an address on the '%s' line is HAProxy 1.x syntax that HAProxy 2.x rejects; rpilb accepts it, but 'bind %.64s' inside the section works with both",
		      argv[0], addr);
		add_bind(p, addr);
	}
}

/*
 * A server whose port follows the client's has none for its checks to
 * use: HAProxy refuses it unless "port" or every tcp-check connect names one.
 */
static void check_has_port(struct parser *p, const struct cfg_check *c,
			   const struct cfg_server *srv)
{
	bool rules_name_it = c->nrules && c->rules[0].kind == CFG_RULE_CONNECT;

	if (!srv->opts.check || !srv->port_map || srv->opts.check_port)
		return;
	for (size_t i = 0; i < c->nrules; i++)
		if (c->rules[i].kind == CFG_RULE_CONNECT && !c->rules[i].port)
			rules_name_it = false;
	if (!rules_name_it)
		perr_at(p, srv->line,
			"server '%s' has neither service port nor check port (its port follows the client's): add 'port N' for its checks",
			srv->name);
}

/*
 * HAProxy answers the stats URI itself and forwards the rest of a proxy's
 * requests. The kernel forwards whole connections before any URI is seen,
 * so such a proxy keeps its forwarding and loses its page, with a warning:
 * its servers are no less reachable than HAProxy makes them.
 */
static bool stats_page_forwards(struct parser *p)
{
	const struct px *px = &p->px;

	if (!px->nservers && !px->default_backend_here)
		return false;
	pwarn_at(
		p, px->line,
		"stats page of %s '%s' ignored: its connections go to its servers at layer 4, before any URI is seen; give the page its own section ('listen stats' with 'bind *:1936')",
		proxy_kind(px->sec), px->name);
	return true;
}

static void commit_stats(struct parser *p)
{
	struct px *px = &p->px;
	size_t e0 = p->diags->nerrors;

	if (p->stats_line) {
		perr_at(p, px->line,
			"only one stats page is supported (the first is the section at line %u)",
			p->stats_line);
		return;
	}
	if (!px->nbinds && !px->bind_failed)
		perr_at(p, px->line, "stats page '%s' has no address: add 'bind *:1936' to it",
			px->name);
	if (px->nbinds > 1)
		perr_at(p, px->binds[1].line,
			"stats page '%s' has %zu addresses; rpilb serves it on one", px->name,
			px->nbinds);
	if (p->diags->nerrors != e0 || !px->nbinds)
		return;
	p->cfg->stats = px->st;
	p->cfg->stats.enabled = true;
	p->cfg->stats.addr = px->binds[0].addr;
	p->cfg->stats.port = px->binds[0].port;
	p->cfg->stats.line = px->line;
	p->stats_line = px->line;
	p->stats_bind_line = px->binds[0].line;
}

static unsigned int gcd(unsigned int a, unsigned int b)
{
	while (b) {
		unsigned int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static void commit_backend(struct parser *p)
{
	struct px *px = &p->px;
	struct rpilb_config *cfg = p->cfg;
	struct cfg_backend *be;
	unsigned long slots = 0;
	unsigned int g = 0;
	size_t i;

	if (!px->server_lines)
		pwarn_at(
			p, px->line,
			"%s '%s' has no servers: it takes no connections until 'rpilbctl add-node' adds one",
			proxy_kind(px->sec), px->name);
	for (i = 0; i < px->nservers; i++)
		g = gcd(g, px->servers[i].opts.weight);
	for (i = 0; g && i < px->nservers; i++)
		slots += px->servers[i].opts.weight / g;
	if (slots > RPILB_MAX_SLOTS)
		perr_at(p, px->line,
			"%s '%s' needs %lu round-robin slots (the sum of its weights divided by their gcd); the limit is %d",
			proxy_kind(px->sec), px->name, slots, RPILB_MAX_SLOTS);

	if (px->untracked)
		return;
	if (cfg->nbackends >= RPILB_MAX_POOLS) {
		if (!p->pools_full)
			perr_at(p, px->line, "too many backends: rpilb supports %d",
				RPILB_MAX_POOLS);
		p->pools_full = true;
		return;
	}
	if (P_RESERVE(p, cfg->backends, cfg->nbackends, p->be_cap) < 0)
		return;
	be = &cfg->backends[cfg->nbackends++];
	memset(be, 0, sizeof(*be));
	snprintf(be->name, sizeof(be->name), "%s", px->name);
	be->balance = px->s.balance;
	commit_check(p, be);
	be->timeout_server_ms = px->s.timeout_server_ms;
	be->timeout_tunnel_ms = px->s.timeout_tunnel_ms;
	be->timeout_server_fin_ms = px->s.timeout_server_fin_ms;
	be->timeout_connect_ms =
		px->s.timeout_connect_ms ? px->s.timeout_connect_ms : CFG_DEFAULT_CONNECT_MS;
	be->timeout_check_ms = px->s.timeout_check_ms;
	for (i = 0; i < px->nservers; i++) {
		struct cfg_server_opts *o = &px->servers[i].opts;

		/* HAProxy: fastinter and downinter follow inter unless set. */
		if (!o->fastinter_ms)
			o->fastinter_ms = o->inter_ms;
		if (!o->downinter_ms)
			o->downinter_ms = o->inter_ms;
		check_has_port(p, &be->check, &px->servers[i]);
	}
	be->servers = px->servers;
	be->nservers = px->nservers;
	be->line = px->line;
	px->servers = NULL;
	px->nservers = 0;
}

static void commit_frontend(struct parser *p, const char *default_backend,
			    unsigned int default_backend_line)
{
	struct px *px = &p->px;
	struct rpilb_config *cfg = p->cfg;
	struct cfg_frontend *fe;

	if (px->mode_http_line)
		pwarn_at(
			p, px->mode_http_line,
			"'mode http' ignored: rpilb forwards TCP at layer 4; HTTP passes through unchanged");
	if (!px->nbinds) {
		if (!px->bind_failed)
			perr_at(p, px->line, "%s '%s' has no bind address (add 'bind *:PORT')",
				proxy_kind(px->sec), px->name);
		return;
	}
	if (!default_backend[0]) {
		perr_at(p, px->line,
			"frontend '%s' has no default_backend: rpilb has nowhere to send its connections",
			px->name);
		return;
	}
	if (p->nservices + px->nbinds > RPILB_MAX_SERVICES) {
		if (!p->services_full)
			perr_at(p, px->binds[RPILB_MAX_SERVICES - p->nservices].line,
				"too many bind addresses: rpilb supports %d over all frontends",
				RPILB_MAX_SERVICES);
		p->services_full = true;
		return;
	}
	if (px->untracked)
		return;
	if (P_RESERVE(p, cfg->frontends, cfg->nfrontends, p->fe_cap) < 0 ||
	    P_RESERVE(p, p->fe_lines, cfg->nfrontends, p->fe_lines_cap) < 0)
		return;
	p->fe_lines[cfg->nfrontends] = default_backend_line;
	fe = &cfg->frontends[cfg->nfrontends++];
	memset(fe, 0, sizeof(*fe));
	snprintf(fe->name, sizeof(fe->name), "%s", px->name);
	memcpy(fe->binds, px->binds, sizeof(fe->binds));
	fe->nbinds = px->nbinds;
	snprintf(fe->default_backend, sizeof(fe->default_backend), "%s", default_backend);
	fe->backend = -1;
	fe->timeout_client_ms = px->s.timeout_client_ms;
	fe->timeout_client_fin_ms = px->s.timeout_client_fin_ms;
	fe->line = px->line;
	p->nservices += px->nbinds;
}

void section_close(struct parser *p)
{
	struct px *px = &p->px;
	size_t k;

	switch (p->sec) {
	case SEC_DEFAULTS:
		settings_copy(p, &p->defaults, &px->s);
		if (!px->name[0])
			break;
		for (k = 0; k < p->nnamed && strcmp(p->named[k].name, px->name); k++)
			;
		if (k == p->nnamed) {
			if (p->nnamed >= CFG_MAX_TRACKED ||
			    P_RESERVE(p, p->named, p->nnamed, p->named_cap) < 0)
				break;
			/* A fresh slot holds no rule lists for settings_copy() to free. */
			memset(&p->named[p->nnamed++], 0, sizeof(p->named[0]));
		}
		snprintf(p->named[k].name, sizeof(p->named[k].name), "%s", px->name);
		settings_copy(p, &p->named[k].s, &px->s);
		break;
	case SEC_FRONTEND:
		if (px->stats && !stats_page_forwards(p)) {
			commit_stats(p);
			break;
		}
		commit_frontend(p, px->s.default_backend, px->s.default_backend_line);
		break;
	case SEC_BACKEND:
		commit_backend(p);
		break;
	case SEC_LISTEN:
		if (px->stats && !stats_page_forwards(p)) {
			commit_stats(p);
			break;
		}
		if (px->default_backend_here) {
			if (px->nservers)
				perr_at(p, px->s.default_backend_line,
					"listen '%s' has servers and a default_backend: use one or the other",
					px->name);
			commit_frontend(p, px->s.default_backend, px->s.default_backend_line);
			break;
		}
		commit_backend(p);
		commit_frontend(p, px->name, px->line);
		break;
	default:
		break;
	}
	free(px->servers);
	px->servers = NULL;
	px->nservers = 0;
	px->servers_cap = 0;
	p->sec = SEC_NONE;
}

static void open_section(struct parser *p, const struct directive *d)
{
	p->sec = (enum section)d->kw->arg;
	switch (p->sec) {
	case SEC_GLOBAL:
	case SEC_RPILB:
		if (d->argc > 1)
			perr(p, "'%s' has an unexpected argument '%.64s'", d->argv[0], d->argv[1]);
		break;
	default:
		px_open(p, p->sec, d->argc, d->argv);
		break;
	}
}

/* clang-format off */
#define SECTION(n, sec) \
	{ .name = n, .where = IN_ANY, .fn = open_section, .max_args = -1, .arg = sec }
/* clang-format on */

/* HAProxy sections rpilb skips whole are in kw_compat_global.c. */
const struct kw section_kws[] = {
	SECTION("global", SEC_GLOBAL),
	SECTION("defaults", SEC_DEFAULTS),
	SECTION("frontend", SEC_FRONTEND),
	SECTION("backend", SEC_BACKEND),
	SECTION("listen", SEC_LISTEN),
	SECTION("rpilb", SEC_RPILB),
	KW_END,
};
