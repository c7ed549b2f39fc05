// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_config: the configuration parser on raw bytes.
 *
 * The input is a whole file as cfg_parse_string() gets it from
 * cfg_parse_file(): not NUL-terminated (the parser must not read past
 * len), any bytes, any length. Every diagnostic is formatted, as
 * "rpilbctl check" prints it. A file that parses is then taken as far as
 * it goes without the kernel or the network (no cfg_resolve(): host names
 * would mean DNS): the balancer model is built from it, its state-file
 * form written, each server's health-check spec validated (the rstatus
 * regex compiled, the request built) and the stats page's access rules
 * set up from its users. Everything is freed: LeakSanitizer checks it.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "model/balancer.h"
#include "health/probe.h"
#include "config/config.h"
#include "fuzz.h"
#include "config/names.h"
#include "model/statefile.h"
#include "stats/stats_http.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

static void check_diags(const struct cfg_diags *diags)
{
	size_t errors = 0;
	char line[512];

	for (size_t i = 0; i < diags->count; i++) {
		const struct cfg_diag *d = &diags->items[i];
		int n = cfg_diag_format(diags, d, line, sizeof(line));

		FUZZ_CHECK(n >= 0, "cfg_diag_format failed");
		FUZZ_CHECK(memchr(d->msg, '\0', sizeof(d->msg)), "diag %zu not terminated", i);
		FUZZ_CHECK(strlen(line) < sizeof(line), "diag line overflow");
		errors += d->severity == CFG_ERROR;
		/* Listed in line order. */
		if (i)
			FUZZ_CHECK(diags->items[i - 1].line <= d->line, "diags out of order");
	}
	/* The list may be cut; the error count never is. */
	FUZZ_CHECK(errors <= diags->nerrors, "%zu errors listed, %zu counted", errors,
		   diags->nerrors);
}

static bool printable_text(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

/*
 * What docs/config.md promises about a file that "rpilbctl check" accepts:
 * the limits and rules it lists hold for the parsed model, so that "up"
 * never meets a value the parser should have refused.
 */
static void check_limits(const struct rpilb_config *cfg)
{
	const struct cfg_rpilb *r = &cfg->rpilb;
	const struct cfg_stats *st = &cfg->stats;
	size_t binds = 0, servers = 0;

	FUZZ_CHECK(r->flow_table_size >= 1024 && r->flow_table_size <= 16777216,
		   "flow-table-size %u", r->flow_table_size);
	FUZZ_CHECK(r->nat_port_lo >= 1024 && r->nat_port_lo <= r->nat_port_hi &&
			   r->nat_port_hi - r->nat_port_lo + 1 >= 1024,
		   "nat-ports %u-%u", r->nat_port_lo, r->nat_port_hi);
	FUZZ_CHECK(r->socket_mode <= 0777, "socket-mode %o", r->socket_mode);
	FUZZ_CHECK(r->socket_path[0] == '/' && strlen(r->socket_path) < 108, "socket '%s'",
		   r->socket_path);
	FUZZ_CHECK(r->state_dir[0] == '/', "state-dir '%s'", r->state_dir);
	FUZZ_CHECK(!r->pin_dir[0] || r->pin_dir[0] == '/', "pin-dir '%s'", r->pin_dir);
	FUZZ_CHECK(strlen(r->interface) < IF_NAMESIZE, "interface");
	FUZZ_CHECK(cfg->nbackends <= RPILB_MAX_POOLS, "%zu backends", cfg->nbackends);
	for (size_t i = 0; i < cfg->nfrontends; i++) {
		const struct cfg_frontend *fe = &cfg->frontends[i];

		FUZZ_CHECK(fe->nbinds >= 1 && fe->nbinds <= CFG_MAX_BINDS, "frontend %s: %zu binds",
			   fe->name, fe->nbinds);
		FUZZ_CHECK(name_valid(fe->name), "frontend name '%s'", fe->name);
		FUZZ_CHECK(fe->backend >= 0 && (size_t)fe->backend < cfg->nbackends,
			   "frontend %s points at no backend", fe->name);
		for (size_t j = 0; j < fe->nbinds; j++) {
			FUZZ_CHECK(fe->binds[j].port != 0, "frontend %s: bind on port 0", fe->name);
			FUZZ_CHECK(fe->binds[j].port < r->nat_port_lo ||
					   fe->binds[j].port > r->nat_port_hi,
				   "bind port %u inside nat-ports", fe->binds[j].port);
		}
		binds += fe->nbinds;
		cfg_flow_idle_ms(cfg, fe);
	}
	FUZZ_CHECK(binds <= RPILB_MAX_SERVICES, "%zu binds", binds);
	for (size_t i = 0; i < cfg->nbackends; i++) {
		const struct cfg_backend *be = &cfg->backends[i];

		FUZZ_CHECK(name_valid(be->name), "backend name '%s'", be->name);
		FUZZ_CHECK(cfg_find_backend(cfg, be->name), "backend '%s' not found", be->name);
		FUZZ_CHECK(be->timeout_connect_ms > 0, "backend %s: timeout connect 0", be->name);
		if (be->http.expect == CFG_EXPECT_STATUS)
			FUZZ_CHECK(be->http.expect_arg[0], "backend %s: empty status list",
				   be->name);
		for (size_t j = 0; j < be->nservers; j++) {
			const struct cfg_server *s = &be->servers[j];

			FUZZ_CHECK(name_valid(s->name), "server name '%s'", s->name);
			FUZZ_CHECK(cfg_find_server(be, s->name) == s, "server '%s' twice", s->name);
			FUZZ_CHECK(s->opts.weight <= CFG_MAX_WEIGHT, "weight %u", s->opts.weight);
			FUZZ_CHECK(s->opts.rise >= 1 && s->opts.rise <= 65535 &&
					   s->opts.fall >= 1 && s->opts.fall <= 65535,
				   "server %s: rise %u fall %u", s->name, s->opts.rise,
				   s->opts.fall);
			FUZZ_CHECK(s->opts.inter_ms && s->opts.fastinter_ms && s->opts.downinter_ms,
				   "server %s: a zero check interval", s->name);
		}
		servers += be->nservers;
	}
	FUZZ_CHECK(servers <= RPILB_MAX_BACKENDS, "%zu servers", servers);
	if (st->enabled) {
		FUZZ_CHECK(st->uri[0] == '/', "stats uri '%s'", st->uri);
		FUZZ_CHECK(!strchr(st->realm, '"') && !strchr(st->realm, '\\') &&
				   printable_text(st->realm),
			   "stats realm '%s'", st->realm);
		FUZZ_CHECK(st->port != 0, "stats on port 0");
	}
	FUZZ_CHECK(st->nusers <= CFG_MAX_STATS_USERS, "%zu stats users", st->nusers);
	for (size_t i = 0; i < st->nusers; i++) {
		FUZZ_CHECK(st->users[i].user[0] && !strchr(st->users[i].user, ':') &&
				   printable_text(st->users[i].user) &&
				   printable_text(st->users[i].password),
			   "stats user %zu", i);
	}
}

/* What "up" does with a valid file, short of the kernel. */
static void use_config(struct rpilb_config *cfg)
{
	struct stats_http_user users[CFG_MAX_STATS_USERS];
	struct in_addr nat = { htonl(0x0a000002) };
	struct lb_overrides ov = { 0 };
	struct stats_http_opts o;
	struct stats_access a;
	struct balancer b;
	char err[256];

	check_limits(cfg);
	for (size_t i = 0; i < cfg->nbackends; i++) {
		const struct cfg_backend *be = &cfg->backends[i];

		for (size_t j = 0; j < be->nservers; j++) {
			const struct cfg_server *s = &be->servers[j];
			struct check_spec spec;

			/* A check the file declares must be able to run. */
			check_spec_from_cfg(&spec, be, s->addr.s_addr ? s->addr : nat,
					    s->port ? s->port : 80, &s->opts);
			FUZZ_CHECK(!check_spec_validate(&spec, err, sizeof(err)),
				   "server %s/%s: the check cannot run: %s", be->name, s->name,
				   err);
		}
	}
	if (!balancer_build(&b, cfg, &ov, nat, NULL, NULL, err, sizeof(err))) {
		if (!balancer_overrides(&b, &ov)) {
			char *text = state_format(&ov);
			struct lb_overrides back;

			FUZZ_CHECK(text, "state_format: out of memory");
			FUZZ_CHECK(!state_parse(text, &back, err, sizeof(err)),
				   "the model's own state does not parse: %s", err);
			FUZZ_CHECK(back.count == ov.count, "state round trip lost entries");
			overrides_free(&back);
			free(text);
		}
		overrides_free(&ov);
		balancer_free(&b);
	} else {
		/* The one failure a valid file may meet: two binds on the interface's address. */
		FUZZ_CHECK(strstr(err, "of the interface's address"),
			   "a valid file does not build: %s", err);
	}
	stats_http_opts_from_cfg(&o, users, &cfg->stats);
	FUZZ_CHECK(!stats_access_init(&a, o.uri, o.users, o.nusers),
		   "the stats page refuses the file's users");
	stats_access_release(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpilb_config cfg;
	struct cfg_diags diags;
	/* An exact-size copy: ASan catches a read one byte past the end. */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	if (!cfg_parse_string("fuzz.cfg", text, size, &cfg, &diags)) {
		FUZZ_CHECK(diags.nerrors == 0, "success with %zu errors", diags.nerrors);
		use_config(&cfg);
		cfg_free(&cfg);
	} else {
		FUZZ_CHECK(diags.nerrors > 0, "failure without an error");
	}
	check_diags(&diags);
	cfg_diags_free(&diags);
	free(text);
	return 0;
}
