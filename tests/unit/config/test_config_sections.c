// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sections (user/config/section.c): where keywords may stand, proxy names,
 * what a frontend, backend or listen needs to be committed, and what a
 * defaults section passes on.
 */
#include "cfgtest.h"

static void test_outside_section(void **state)
{
	(void)state;
	expect_error("bind *:80\n" BASE, 1, "'bind' outside any section");
}

static void test_unknown_keywords(void **state)
{
	(void)state;
	expect_error("global\n\tfoo 1\n" BASE, 2, "unknown keyword 'foo' in 'global' section");
	expect_error("defaults\n\tfoo 1\n" BASE, 2, "unknown keyword 'foo' in 'defaults' section");
	expect_error(BASE_FE "\tfoo\n" BASE_BE, 4, "unknown keyword 'foo' in 'frontend' section");
	expect_error(BASE "\tfoo\n", 6, "unknown keyword 'foo' in 'backend' section");
	expect_error(BASE "listen l\n\tbind :81\n\tserver x 10.0.0.2\n\tfoo\n", 9,
		     "unknown keyword 'foo' in 'listen' section");
	expect_error(BASE "rpilb\n\tfoo 1\n", 7, "unknown keyword 'foo' in 'rpilb' section");
	expect_error(BASE "\toption foo\n", 6, "unknown keyword 'option foo' in 'backend' section");
	expect_error(BASE "\ttimeout foo 1s\n", 6,
		     "unknown keyword 'timeout foo' in 'backend' section");
	expect_error(BASE "\thttp-check foo\n", 6,
		     "unknown keyword 'http-check foo' in 'backend' section");
}

static void test_keyword_wrong_section(void **state)
{
	(void)state;
	expect_error(BASE "\tbind *:81\n", 6,
		     "'bind' is not allowed in a backend section (only in frontend, listen)");
	expect_error(BASE_FE "\tserver s 10.0.0.2\n" BASE_BE, 4,
		     "'server' is not allowed in a frontend section");
	expect_error(BASE "\tdefault_backend b\n", 6,
		     "'default_backend' is not allowed in a backend section");
	expect_error(BASE "defaults\n\tbind :81\n", 7,
		     "'bind' is not allowed in a defaults section");
	expect_error(BASE_FE "\tbalance roundrobin\n" BASE_BE, 4,
		     "'balance' is not allowed in a frontend section");
}

static void test_ignored_section(void **state)
{
	(void)state;
	expect_warning(BASE "userlist admins\n\tuser a password x\n\tgroup g\n", 6,
		       "section 'userlist' ignored");
	expect_warning("resolvers dns\n\tnameserver a 1.1.1.1:53\n" BASE, 1,
		       "section 'resolvers' ignored");
}

static void test_duplicate_proxy_names(void **state)
{
	(void)state;
	expect_error(BASE "backend b\n\tserver s1 10.0.0.2\n", 6,
		     "duplicate proxy name 'b': already used by the backend at line 4");
	expect_error(BASE "frontend f\n\tbind :81\n\tdefault_backend b\n", 6,
		     "duplicate proxy name 'f': already used by the frontend at line 1");
	expect_error(BASE "listen b\n\tbind :81\n\tserver x 10.0.0.3\n", 6,
		     "already used by the backend at line 4");
	/* HAProxy lets a frontend and a backend share a name. */
	expect_clean("frontend web\n\tbind :80\n\tdefault_backend web\n"
		     "backend web\n\tserver s 10.0.0.1\n");
}

static void test_proxy_names(void **state)
{
	(void)state;
	expect_clean(BASE "backend A.b_c:d-9\n\tserver s.1_x:y-z 10.0.0.2\n");
	expect_error(BASE "backend bad/name\n\tserver s 10.0.0.2\n", 6,
		     "backend name 'bad/name' has a character outside [A-Za-z0-9._:-]");
	expect_clean(BASE "backend b234567890123456789012345678901\n\tserver s 10.0.0.2\n");
	expect_error(BASE "backend b2345678901234567890123456789012\n\tserver s 10.0.0.2\n", 6,
		     "is too long (max 31 characters)");
	expect_error(BASE "\tserver s2345678901234567890123456789012 10.0.0.2\n", 6,
		     "server name 's2345678901234567890123456789012' is too long");
	expect_error(BASE "backend\n", 6, "'backend' needs a name");
	expect_error(BASE "backend c d\n\tserver s 10.0.0.2\n", 6,
		     "'backend' has an unexpected argument 'd'");
}

static void test_frontend_without_bind(void **state)
{
	(void)state;
	expect_error("frontend f\n\tdefault_backend b\n" BASE_BE, 1,
		     "frontend 'f' has no bind address");
	expect_error(BASE "listen l\n\tserver s 10.0.0.2\n", 6, "listen 'l' has no bind address");
}

static void test_frontend_without_backend(void **state)
{
	(void)state;
	expect_error("frontend f\n\tbind :80\n" BASE_BE, 1, "frontend 'f' has no default_backend");
}

static void test_default_backend_unknown(void **state)
{
	(void)state;
	expect_error("frontend f\n\tbind :80\n\tdefault_backend nope\n" BASE_BE, 3,
		     "frontend 'f': default_backend 'nope' names no backend");
}

static void test_backend_without_servers(void **state)
{
	(void)state;
	expect_warning(BASE "backend empty\n", 6, "backend 'empty' has no servers");
}

static void test_multiple_proxies(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok("frontend web\n\tbind 10.0.0.10:80\n\tdefault_backend pis\n"
		 "frontend api\n\tbind 10.0.0.10:8080\n\tbind 10.0.0.11:8080\n"
		 "\tdefault_backend apis\n"
		 "backend apis\n\tserver a1 10.0.1.1:9000\n"
		 "backend pis\n\tserver p1 10.0.2.1\n\tserver p2 10.0.2.2\n",
		 &cfg, &d);
	assert_int_equal(cfg.nfrontends, 2);
	assert_int_equal(cfg.nbackends, 2);
	assert_string_equal(cfg.frontends[0].name, "web");
	assert_int_equal(cfg.frontends[0].backend, 1);
	assert_string_equal(cfg.frontends[1].name, "api");
	assert_int_equal(cfg.frontends[1].backend, 0);
	assert_int_equal(cfg.frontends[1].nbinds, 2);
	assert_addr(cfg.frontends[1].binds[1].addr, "10.0.0.11");
	assert_int_equal(cfg.backends[1].nservers, 2);
	assert_int_equal(cfg.backends[1].servers[1].port, 0);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_listen_section(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok("listen web\n\tbind :80\n\tbalance static-rr\n\ttimeout client 7s\n"
		 "\ttimeout server 9s\n\tserver a 10.0.0.1:8000\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	assert_int_equal(cfg.nfrontends, 1);
	assert_int_equal(cfg.nbackends, 1);
	assert_string_equal(cfg.frontends[0].name, "web");
	assert_string_equal(cfg.frontends[0].default_backend, "web");
	assert_int_equal(cfg.frontends[0].backend, 0);
	assert_int_equal(cfg.frontends[0].timeout_client_ms, 7000);
	assert_string_equal(cfg.backends[0].name, "web");
	assert_int_equal(cfg.backends[0].balance, CFG_BALANCE_STATIC_RR);
	assert_int_equal(cfg.backends[0].timeout_server_ms, 9000);
	assert_int_equal(cfg_flow_idle_ms(&cfg, &cfg.frontends[0]), 9000);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_listen_old_address_form(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok("listen web 10.0.0.10:80\n\tserver a 10.0.0.1:8000\n", &cfg, &d);
	assert_int_equal(d.count, 1);
	check_diag(&d, CFG_WARNING, 1, "'bind 10.0.0.10:80' inside the section works with both");
	assert_addr(cfg.frontends[0].binds[0].addr, "10.0.0.10");
	assert_int_equal(cfg.frontends[0].binds[0].port, 80);
	assert_int_equal(cfg.frontends[0].binds[0].line, 1);
	cfg_free(&cfg);
	cfg_diags_free(&d);
	expect_warning("frontend web :80\n\tdefault_backend b\n" BASE_BE, 1, "HAProxy 1.x syntax");
	expect_error(BASE "backend c 10.0.0.1:80\n", 6, "'backend' has an unexpected argument");
}

static void test_listen_default_backend(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE "listen alt\n\tbind :81\n\tdefault_backend b\n", &cfg, &d);
	assert_int_equal(d.count, 0);
	assert_int_equal(cfg.nbackends, 1);
	assert_int_equal(cfg.nfrontends, 2);
	assert_int_equal(cfg.frontends[1].backend, 0);
	cfg_free(&cfg);
	cfg_diags_free(&d);
	expect_error(BASE "listen alt\n\tbind :81\n\tdefault_backend b\n\tserver x 10.0.0.2\n", 8,
		     "listen 'alt' has servers and a default_backend");
}

static void test_defaults_inheritance(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_backend *be;

	(void)state;
	parse_ok("defaults\n"
		 "\ttimeout client 20s\n"
		 "\ttimeout server 40s\n"
		 "\ttimeout connect 3s\n"
		 "\ttimeout check 1s\n"
		 "\tbalance static-rr\n"
		 "\tdefault-server inter 5s rise 4 fall 6 weight 7 check\n"
		 "\toption httpchk GET /healthz\n"
		 "\thttp-check expect status 200\n"
		 "\tdefault_backend b\n" /* line 10 */
		 "frontend f\n\tbind :80\n"
		 "backend b\n\tserver s1 10.0.0.1:80\n\tserver s2 10.0.0.2 no-check weight 2\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	assert_int_equal(cfg.frontends[0].timeout_client_ms, 20000);
	assert_string_equal(cfg.frontends[0].default_backend, "b");
	be = &cfg.backends[0];
	assert_int_equal(be->timeout_server_ms, 40000);
	assert_int_equal(be->timeout_connect_ms, 3000);
	assert_int_equal(be->timeout_check_ms, 1000);
	assert_int_equal(be->balance, CFG_BALANCE_STATIC_RR);
	assert_int_equal(be->check_kind, CFG_CHECK_HTTP);
	assert_string_equal(be->http.method, "GET");
	assert_string_equal(be->http.uri, "/healthz");
	assert_string_equal(be->http.version, "HTTP/1.0");
	assert_int_equal(be->http.expect, CFG_EXPECT_STATUS);
	assert_string_equal(be->http.expect_arg, "200");
	assert_true(be->servers[0].opts.check);
	assert_int_equal(be->servers[0].opts.inter_ms, 5000);
	assert_int_equal(be->servers[0].opts.fastinter_ms, 5000);
	assert_int_equal(be->servers[0].opts.rise, 4);
	assert_int_equal(be->servers[0].opts.fall, 6);
	assert_int_equal(be->servers[0].opts.weight, 7);
	assert_false(be->servers[1].opts.check);
	assert_int_equal(be->servers[1].opts.weight, 2);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_defaults_most_recent(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok("defaults\n\ttimeout server 1s\n\toption httpchk\n"
		 "backend one\n\tserver s 10.0.0.1\n"
		 "defaults\n\ttimeout client 2s\n"
		 "backend two\n\tserver s 10.0.0.2\n"
		 "frontend f\n\tbind :80\n\tdefault_backend two\n",
		 &cfg, &d);
	assert_int_equal(cfg.backends[0].timeout_server_ms, 1000);
	assert_int_equal(cfg.backends[0].check_kind, CFG_CHECK_HTTP);
	/* A new defaults section starts over from HAProxy's built-in values. */
	assert_int_equal(cfg.backends[1].timeout_server_ms, 0);
	assert_int_equal(cfg.backends[1].check_kind, CFG_CHECK_TCP);
	assert_int_equal(cfg.frontends[0].timeout_client_ms, 2000);
	assert_int_equal(cfg_flow_idle_ms(&cfg, &cfg.frontends[0]), 2000);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_named_defaults(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok("defaults slow\n\ttimeout server 1h\n"
		 "defaults fast from slow\n\ttimeout connect 1s\n"
		 "defaults\n\ttimeout server 5s\n"
		 "backend a from slow\n\tserver s 10.0.0.1\n"
		 "backend b from fast\n\tserver s 10.0.0.2\n"
		 "backend c\n\tserver s 10.0.0.3\n" BASE_FE,
		 &cfg, &d);
	assert_int_equal(cfg.backends[0].timeout_server_ms, 3600000);
	assert_int_equal(cfg.backends[0].timeout_connect_ms, CFG_DEFAULT_CONNECT_MS);
	assert_int_equal(cfg.backends[1].timeout_server_ms, 3600000);
	assert_int_equal(cfg.backends[1].timeout_connect_ms, 1000);
	assert_int_equal(cfg.backends[2].timeout_server_ms, 5000);
	cfg_free(&cfg);
	cfg_diags_free(&d);
	expect_error(BASE "backend c from nope\n\tserver s 10.0.0.2\n", 6,
		     "no defaults section named 'nope'");
	expect_error(BASE "backend c from\n\tserver s 10.0.0.2\n", 6,
		     "'from' needs the name of a defaults section");
}

static void test_defaults_warns_once(void **state)
{
	/* Inherited settings are not occurrences: one warning, at the defaults line. */
	(void)state;
	expect_warning("defaults\n\toption forwardfor\n" BASE "backend c\n\tserver s 10.0.0.2\n", 2,
		       "'option forwardfor' ignored");
}

static void test_http_check_rules_replace_inherited(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok("defaults\n\toption httpchk\n\thttp-check send hdr X-From defaults\n"
		 "\thttp-check expect status 204\n" BASE "\thttp-check send uri /own\n"
		 "backend c\n\tserver s 10.0.0.2\n",
		 &cfg, &d);
	/* HAProxy: a proxy with http-check rules of its own drops the inherited ones. */
	assert_string_equal(cfg.backends[0].http.uri, "/own");
	assert_string_equal(cfg.backends[0].http.headers, "");
	assert_int_equal(cfg.backends[0].http.expect, CFG_EXPECT_2XX_3XX);
	assert_string_equal(cfg.backends[1].http.headers, "X-From: defaults\r\n");
	assert_int_equal(cfg.backends[1].http.expect, CFG_EXPECT_STATUS);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_outside_section),
		cmocka_unit_test(test_unknown_keywords),
		cmocka_unit_test(test_keyword_wrong_section),
		cmocka_unit_test(test_ignored_section),
		cmocka_unit_test(test_duplicate_proxy_names),
		cmocka_unit_test(test_proxy_names),
		cmocka_unit_test(test_frontend_without_bind),
		cmocka_unit_test(test_frontend_without_backend),
		cmocka_unit_test(test_default_backend_unknown),
		cmocka_unit_test(test_backend_without_servers),
		cmocka_unit_test(test_multiple_proxies),
		cmocka_unit_test(test_listen_section),
		cmocka_unit_test(test_listen_old_address_form),
		cmocka_unit_test(test_listen_default_backend),
	};
	const struct CMUnitTest g1[] = {
		cmocka_unit_test(test_defaults_inheritance),
		cmocka_unit_test(test_defaults_most_recent),
		cmocka_unit_test(test_named_defaults),
		cmocka_unit_test(test_defaults_warns_once),
		cmocka_unit_test(test_http_check_rules_replace_inherited),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("sections", g0, NULL, NULL);
	failed += cmocka_run_group_tests_name("defaults", g1, NULL, NULL);
	return failed ? 1 : 0;
}
