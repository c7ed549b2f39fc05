// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seed tutorial's haproxy.cfg, parsed as it is: every field of the
 * model and every warning, line by line; and the example of docs/config.md,
 * which must parse without a single diagnostic.
 */
#include "cfgtest.h"

struct seed {
	struct rpilb_config cfg;
	struct cfg_diags d;
};

static int seed_setup(void **state)
{
	struct seed *s = calloc(1, sizeof(*s));
	char path[512];

	if (!s)
		return -1;
	if (cfg_parse_file(data_path("seed-haproxy.cfg", path, sizeof(path)), &s->cfg, &s->d)) {
		dump_diags(&s->d);
		cfg_diags_free(&s->d);
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int seed_teardown(void **state)
{
	struct seed *s = *state;

	/* cmocka may call this after a failed setup. */
	if (!s)
		return 0;
	cfg_free(&s->cfg);
	cfg_diags_free(&s->d);
	free(s);
	return 0;
}

static void test_seed_no_errors(void **state)
{
	struct seed *s = *state;

	assert_int_equal(s->d.nerrors, 0);
	assert_int_equal(count_sev(&s->d, CFG_ERROR), 0);
}

static void test_seed_frontend(void **state)
{
	struct seed *s = *state;
	const struct cfg_frontend *fe = &s->cfg.frontends[0];

	assert_int_equal(s->cfg.nfrontends, 1);
	assert_string_equal(fe->name, "raspberrypinodes");
	assert_int_equal(fe->nbinds, 1);
	assert_addr(fe->binds[0].addr, "0.0.0.0");
	assert_int_equal(fe->binds[0].port, 80);
	assert_int_equal(fe->binds[0].line, 37);
	assert_string_equal(fe->default_backend, "nodes");
	assert_int_equal(fe->backend, 0);
	assert_int_equal(fe->timeout_client_ms, 50000);
	assert_int_equal(fe->line, 36);
	assert_int_equal(cfg_flow_idle_ms(&s->cfg, fe), 50000);
}

static void test_seed_backend(void **state)
{
	static const char *const names[] = { "raspberrypi01", "raspberrypi02", "raspberrypi03" };
	static const char *const addrs[] = { "192.168.1.101", "192.168.1.102", "192.168.1.103" };
	struct seed *s = *state;
	const struct cfg_backend *be = &s->cfg.backends[0];
	size_t i;

	assert_int_equal(s->cfg.nbackends, 1);
	assert_string_equal(be->name, "nodes");
	assert_int_equal(be->line, 41);
	assert_int_equal(be->balance, CFG_BALANCE_ROUNDROBIN);
	assert_int_equal(be->timeout_server_ms, 50000);
	assert_int_equal(be->timeout_connect_ms, 5000);
	assert_int_equal(be->timeout_check_ms, 0);
	assert_int_equal(be->nservers, 3);
	for (i = 0; i < 3; i++) {
		const struct cfg_server *sv = &be->servers[i];

		assert_string_equal(sv->name, names[i]);
		assert_string_equal(sv->host, addrs[i]);
		assert_addr(sv->addr, addrs[i]);
		assert_int_equal(sv->port, 8000);
		assert_int_equal(sv->line, 48 + i);
		assert_true(sv->opts.check);
		assert_false(sv->opts.disabled);
		assert_int_equal(sv->opts.inter_ms, 2000);
		assert_int_equal(sv->opts.fastinter_ms, 2000);
		assert_int_equal(sv->opts.downinter_ms, 2000);
		assert_int_equal(sv->opts.rise, 2);
		assert_int_equal(sv->opts.fall, 3);
		assert_int_equal(sv->opts.weight, 1);
		assert_int_equal(sv->opts.check_port, 0);
	}
	assert_ptr_equal(cfg_find_backend(&s->cfg, "nodes"), be);
	assert_ptr_equal(cfg_find_server(be, "raspberrypi02"), &be->servers[1]);
	assert_null(cfg_find_server(be, "raspberrypi04"));
}

static void test_seed_http_check(void **state)
{
	struct seed *s = *state;
	const struct cfg_backend *be = &s->cfg.backends[0];

	assert_int_equal(be->check_kind, CFG_CHECK_HTTP);
	assert_string_equal(be->http.method, "HEAD");
	assert_string_equal(be->http.uri, "/");
	assert_string_equal(be->http.version, "HTTP/1.1");
	assert_string_equal(be->http.headers, "Host:localhost\r\n");
	assert_int_equal(be->http.expect, CFG_EXPECT_2XX_3XX);
	assert_string_equal(be->http.expect_arg, "");
}

static void test_seed_stats(void **state)
{
	struct seed *s = *state;
	const struct cfg_stats *st = &s->cfg.stats;

	assert_true(st->enabled);
	assert_addr(st->addr, "0.0.0.0");
	assert_int_equal(st->port, 1936);
	assert_string_equal(st->uri, "/");
	assert_int_equal(st->nusers, 1);
	assert_string_equal(st->users[0].user, "someuser");
	assert_string_equal(st->users[0].password, "password");
	assert_true(st->hide_version);
	assert_int_equal(st->refresh_s, 0);
	assert_string_equal(st->realm, "rpilb Statistics");
	assert_int_equal(st->line, 52);
}

static void test_seed_rpilb_defaults(void **state)
{
	struct seed *s = *state;
	const struct cfg_rpilb *r = &s->cfg.rpilb;

	assert_string_equal(r->interface, "");
	assert_int_equal(r->mode, CFG_ATTACH_AUTO);
	assert_int_equal(r->flow_table_size, CFG_DEFAULT_FLOW_TABLE);
	assert_int_equal(r->nat_port_lo, CFG_DEFAULT_NAT_PORT_LO);
	assert_int_equal(r->nat_port_hi, CFG_DEFAULT_NAT_PORT_HI);
	assert_string_equal(r->state_dir, CFG_DEFAULT_STATE_DIR);
	assert_string_equal(r->socket_path, CFG_DEFAULT_SOCKET);
	/* "" stands for the default pin directory, /sys/fs/bpf/rpilb. */
	assert_string_equal(r->pin_dir, "");
	assert_int_equal(r->socket_mode, 0600);
	assert_string_equal(r->socket_group, "");
}

static void test_seed_warnings(void **state)
{
	static const struct {
		unsigned int line;
		const char *text;
	} want[] = {
		{ 2, "'log' ignored: " },
		{ 3, "'log' ignored: " },
		{ 4, "'chroot' ignored: " },
		{ 5, "'stats socket' ignored: " },
		{ 6, "'stats timeout' ignored: " },
		{ 7, "'user' ignored: " },
		{ 8, "'group' ignored: " },
		{ 9, "'daemon' ignored: " },
		{ 12, "'ca-base' ignored: " },
		{ 13, "'crt-base' ignored: " },
		{ 16, "'ssl-default-bind-ciphers' ignored: " },
		{ 17, "'ssl-default-bind-ciphersuites' ignored: " },
		{ 18, "'ssl-default-bind-options' ignored: " },
		{ 21, "'log' ignored: " },
		{ 22, "'mode http' ignored: " },
		{ 23, "'option httplog' ignored: " },
		{ 24, "'option dontlognull' ignored: " },
		{ 28, "'errorfile' ignored: " },
		{ 29, "'errorfile' ignored: " },
		{ 30, "'errorfile' ignored: " },
		{ 31, "'errorfile' ignored: " },
		{ 32, "'errorfile' ignored: " },
		{ 33, "'errorfile' ignored: " },
		{ 34, "'errorfile' ignored: " },
		{ 38, "'mode http' ignored: " },
		{ 42, "'mode http' ignored: " },
		{ 44,
		  "'option forwardfor' ignored: rpilb forwards TCP at layer 4 and cannot add X-Forwarded-For; backends see the balancer's address" },
		{ 45, "'http-request set-header' ignored: " },
		{ 46, "'http-request add-header' ignored: " },
		{ 52, "HAProxy 1.x syntax" },
	};
	struct seed *s = *state;
	size_t i;

	if (s->d.count != ARRAY_SIZE(want))
		dump_diags(&s->d);
	assert_int_equal(s->d.count, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct cfg_diag *x = &s->d.items[i];

		assert_int_equal(x->severity, CFG_WARNING);
		assert_int_equal(x->line, want[i].line);
		if (!strstr(x->msg, want[i].text))
			fail_msg("line %u: \"%s\" lacks \"%s\"", x->line, x->msg, want[i].text);
		/* A warning that fills the buffer was probably cut short. */
		assert_true(strlen(x->msg) < sizeof(x->msg) - 1);
	}
}

static void test_seed_diag_format(void **state)
{
	struct seed *s = *state;
	char path[512], want[1024], buf[1024];
	int n;

	data_path("seed-haproxy.cfg", path, sizeof(path));
	snprintf(want, sizeof(want), "%s:44: warning: 'option forwardfor' ignored: ", path);
	n = cfg_diag_format(&s->d, &s->d.items[26], buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_memory_equal(buf, want, strlen(want));
}

/* The seed with the stats address moved to a bind line, as HAProxy 2.x wants it. */
static void test_seed_stats_bind_form(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE "listen stats\n"
		      "\tbind *:1936\n"
		      "\tstats enable\n"
		      "\tstats uri /\n"
		      "\tstats hide-version\n"
		      "\tstats auth someuser:password\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	assert_true(cfg.stats.enabled);
	assert_addr(cfg.stats.addr, "0.0.0.0");
	assert_int_equal(cfg.stats.port, 1936);
	assert_int_equal(cfg.stats.line, 6);
	assert_int_equal(cfg.nfrontends, 1);
	assert_int_equal(cfg.nbackends, 1);
	assert_null(cfg_find_backend(&cfg, "stats"));
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

/* The example docs/config.md shows: no diagnostics at all. */
static void test_example_file(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	char path[512];

	(void)state;
	if (cfg_parse_file(data_path("rpilb-example.cfg", path, sizeof(path)), &cfg, &d) ||
	    d.count) {
		dump_diags(&d);
		fail_msg("the example is not clean");
	}
	assert_string_equal(cfg.rpilb.interface, "eth0");
	assert_int_equal(cfg.rpilb.socket_mode, 0660);
	assert_int_equal(cfg.backends[0].servers[2].opts.weight, 2);
	assert_true(cfg.backends[0].servers[0].opts.check);
	assert_string_equal(cfg.backends[0].http.headers, "Host: localhost\r\n");
	assert_int_equal(cfg.backends[0].http.expect, CFG_EXPECT_STATUS);
	assert_int_equal(cfg.stats.refresh_s, 5);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_seed_no_errors), cmocka_unit_test(test_seed_frontend),
		cmocka_unit_test(test_seed_backend),   cmocka_unit_test(test_seed_http_check),
		cmocka_unit_test(test_seed_stats),     cmocka_unit_test(test_seed_rpilb_defaults),
		cmocka_unit_test(test_seed_warnings),  cmocka_unit_test(test_seed_diag_format),
	};
	const struct CMUnitTest g1[] = {
		cmocka_unit_test(test_seed_stats_bind_form),
		cmocka_unit_test(test_example_file),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("seed tutorial", g0, seed_setup, seed_teardown);
	failed += cmocka_run_group_tests_name("config files", g1, NULL, NULL);
	return failed ? 1 : 0;
}
