// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stats page (user/config/kw_stats.c).
 */
#include "cfgtest.h"

static void test_stats_settings(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE "listen stats\n"
		      "\tbind 10.0.0.10:8404\n"
		      "\tmode http\n"
		      "\tstats uri /haproxy?stats\n"
		      "\tstats realm Pi\\ cluster\n"
		      "\tstats refresh 10\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	assert_true(cfg.stats.enabled);
	assert_addr(cfg.stats.addr, "10.0.0.10");
	assert_int_equal(cfg.stats.port, 8404);
	assert_string_equal(cfg.stats.uri, "/haproxy?stats");
	assert_string_equal(cfg.stats.realm, "Pi cluster");
	/* A bare number is seconds for stats refresh, as in HAProxy. */
	assert_int_equal(cfg.stats.refresh_s, 10);
	assert_false(cfg.stats.hide_version);
	assert_int_equal(cfg.stats.nusers, 0);
	cfg_free(&cfg);
	cfg_diags_free(&d);

	parse_ok(BASE "listen stats\n\tbind :1936\n\tstats refresh 1500ms\n", &cfg, &d);
	assert_int_equal(cfg.stats.refresh_s, 2);
	cfg_free(&cfg);
	cfg_diags_free(&d);

	/* No stats directive: no stats page. */
	parse_ok(BASE, &cfg, &d);
	assert_false(cfg.stats.enabled);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_stats_in_frontend(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE "frontend stats\n\tbind :1936\n\tmode http\n\tstats enable\n", &cfg, &d);
	assert_int_equal(d.count, 0);
	assert_true(cfg.stats.enabled);
	assert_int_equal(cfg.stats.port, 1936);
	assert_int_equal(cfg.nfrontends, 1);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

/* HAProxy's "listen web" with both a page and servers: rpilb keeps the forwarding. */
static void test_stats_with_servers(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE "listen web\n\tbind :8080\n\tstats enable\n\tstats uri /haproxy?stats\n"
		      "\tserver w1 10.0.0.2:80\n",
		 &cfg, &d);
	assert_int_equal(d.count, 1);
	assert_false(cfg.stats.enabled);
	assert_int_equal(cfg.nfrontends, 2);
	assert_int_equal(cfg.nbackends, 2);
	assert_int_equal(cfg.frontends[1].binds[0].port, 8080);
	assert_string_equal(cfg.backends[cfg.frontends[1].backend].servers[0].name, "w1");
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_stats_users(void **state)
{
	char text[2048];
	size_t n;
	int i;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "%s", BASE "listen stats\n\tbind :1936\n");
	for (i = 0; i < 8; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\tstats auth u%d:p:%d\n", i, i);
	expect_clean(text);
	snprintf(text + n, sizeof(text) - n, "\tstats auth u9:p\n");
	expect_error(text, 16, "too many 'stats auth' users (max 8)");
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats auth :pw\n", 8,
		     "'stats auth' expects USER:PASSWORD, not ':pw'");
	expect_error(BASE "listen stats\n\tbind :1936\n"
			  "\tstats auth u2345678901234567890123456789012:pw\n",
		     8, "stats user 'u2345678901234567890123456789012' is too long");
}

static void test_stats_errors(void **state)
{
	(void)state;
	expect_error(BASE "\tstats enable\n", 6, "'stats enable' in a backend needs use_backend");
	expect_error("defaults\n\tstats enable\n" BASE, 2,
		     "'stats enable' in defaults would put a stats page on every proxy");
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats sparkle\n", 8,
		     "unknown keyword 'stats sparkle' in 'listen' section");
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats uri\n", 8,
		     "'stats uri' is missing an argument");
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats enable now\n", 8,
		     "'stats enable' has an unexpected argument 'now'");
	expect_error(BASE "listen stats\n\tstats enable\n", 6,
		     "stats page 'stats' has no address: add 'bind *:1936' to it");
	expect_error(BASE "listen stats\n\tbind :1936\n\tbind :1937\n\tstats enable\n", 8,
		     "stats page 'stats' has 2 addresses");
	/* A proxy that forwards keeps forwarding, and its page is ignored, with why. */
	expect_warning(
		BASE "listen web\n\tbind :8080\n\tstats enable\n\tstats uri /s\n"
		     "\tserver x 10.0.0.2:80\n",
		6,
		"stats page of listen 'web' ignored: its connections go to its servers at layer 4");
	expect_warning(BASE "frontend web\n\tbind :8080\n\tstats enable\n\tdefault_backend b\n", 6,
		       "stats page of frontend 'web' ignored");
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats enable\n"
			  "listen stats2\n\tbind :1937\n\tstats enable\n",
		     9, "only one stats page is supported (the first is the section at line 6)");
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats refresh soon\n", 8,
		     "'stats refresh' expects a time");
}

static void test_stats_ignored(void **state)
{
	(void)state;
	expect_warning(BASE "listen stats\n\tbind :1936\n\tstats show-legends\n", 8,
		       "'stats show-legends' ignored: rpilb's stats page does not offer it");
	expect_warning(BASE "listen stats\n\tbind :1936\n\tstats admin if TRUE\n", 8,
		       "'stats admin' ignored: rpilb's stats page is read-only");
	/* mode http outside a stats page is worth a warning. */
	expect_warning(BASE "listen web\n\tbind :81\n\tmode http\n\tserver x 10.0.0.2\n", 8,
		       "'mode http' ignored");
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_stats_settings), cmocka_unit_test(test_stats_in_frontend),
		cmocka_unit_test(test_stats_users),    cmocka_unit_test(test_stats_errors),
		cmocka_unit_test(test_stats_ignored),  cmocka_unit_test(test_stats_with_servers),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("stats page", g0, NULL, NULL);
	return failed ? 1 : 0;
}
