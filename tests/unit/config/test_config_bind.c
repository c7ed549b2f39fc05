// SPDX-License-Identifier: GPL-2.0-only
/*
 * bind (user/config/kw_bind.c, endpoint.c): the address forms, the ones
 * refused, duplicates, limits and bind parameters.
 */
#include "cfgtest.h"

static void test_bind_forms(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_frontend *fe;

	(void)state;
	parse_ok("frontend f\n"
		 "\tbind *:80\n"
		 "\tbind :81\n"
		 "\tbind 10.1.2.3:82\n"
		 "\tbind ipv4@10.1.2.3:83\n"
		 "\tbind 10.1.2.4:84,*:85\n"
		 "\tdefault_backend b\n" BASE_BE,
		 &cfg, &d);
	fe = &cfg.frontends[0];
	assert_int_equal(fe->nbinds, 6);
	assert_addr(fe->binds[0].addr, "0.0.0.0");
	assert_addr(fe->binds[1].addr, "0.0.0.0");
	assert_int_equal(fe->binds[1].port, 81);
	assert_addr(fe->binds[2].addr, "10.1.2.3");
	assert_int_equal(fe->binds[3].port, 83);
	assert_addr(fe->binds[4].addr, "10.1.2.4");
	assert_addr(fe->binds[5].addr, "0.0.0.0");
	assert_int_equal(fe->binds[5].port, 85);
	assert_int_equal(fe->binds[5].line, 6);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_bind_ipv6(void **state)
{
	(void)state;
	expect_error(BASE_FE "\tbind [::]:81\n" BASE_BE, 4, "IPv6 is not supported yet");
	expect_error(BASE_FE "\tbind :::81\n" BASE_BE, 4, "IPv6 is not supported yet");
	expect_error(BASE_FE "\tbind ipv6@::1:81\n" BASE_BE, 4, "IPv6 is not supported yet");
}

static void test_bind_errors(void **state)
{
	(void)state;
	expect_error(BASE_FE "\tbind :85-81\n" BASE_BE, 4,
		     "bind ':85-81': the range ends before it starts");
	expect_error(BASE_FE "\tbind :81-\n" BASE_BE, 4, "bad port '' (expected 1..65535)");
	expect_error(BASE_FE "\tbind :+81\n" BASE_BE, 4,
		     "a port offset (+N/-N) is for servers only");
	expect_error(BASE_FE "\tbind :79-81\n" BASE_BE, 4, "0.0.0.0:80 is already bound at line 2");
	expect_error(BASE_FE "\tbind 10.0.0.1\n" BASE_BE, 4, "has no port");
	expect_error(BASE_FE "\tbind :0\n" BASE_BE, 4, "bad port '0'");
	expect_error(BASE_FE "\tbind :65536\n" BASE_BE, 4, "bad port '65536'");
	expect_error(BASE_FE "\tbind :http\n" BASE_BE, 4, "bad port 'http'");
	expect_error(BASE_FE "\tbind web.local:81\n" BASE_BE, 4, "is not an IPv4 address");
	expect_error(BASE_FE "\tbind 10.0.0.256:81\n" BASE_BE, 4, "bad IPv4 address '10.0.0.256'");
	expect_error(BASE_FE "\tbind /run/x.sock\n" BASE_BE, 4, "UNIX sockets are not supported");
	expect_error(BASE_FE "\tbind unix@x.sock\n" BASE_BE, 4,
		     "'unix@' addresses are not supported");
	expect_error(BASE_FE "\tbind\n" BASE_BE, 4,
		     "'bind' is missing an argument (usage: bind ADDR:PORT [option...])");
}

static void test_bind_duplicate(void **state)
{
	(void)state;
	expect_error(BASE_FE "\tbind 0.0.0.0:80\n" BASE_BE, 4,
		     "0.0.0.0:80 is already bound at line 2");
	expect_error(BASE "frontend g\n\tbind *:80\n\tdefault_backend b\n", 7,
		     "0.0.0.0:80 is already bound at line 2");
	expect_error(BASE "listen stats\n\tbind :80\n\tstats enable\n", 7, "already bound");
	/* Different addresses on one port are different services. */
	expect_clean(BASE "frontend g\n\tbind 10.0.0.5:80\n\tdefault_backend b\n");
}

static void test_bind_options(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE_FE "\tbind :443 ssl crt /etc/ssl/x.pem alpn h2 name web shards 2\n" BASE_BE,
		 &cfg, &d);
	assert_int_equal(d.count, 5);
	check_diag(
		&d, CFG_WARNING, 4,
		"bind option 'ssl' ignored: rpilb forwards TCP at layer 4 and does not terminate TLS");
	check_diag(&d, CFG_WARNING, 4, "bind option 'crt' ignored");
	check_diag(&d, CFG_WARNING, 4, "bind option 'alpn' ignored");
	check_diag(&d, CFG_WARNING, 4, "bind option 'name' ignored");
	check_diag(&d, CFG_WARNING, 4, "bind option 'shards' ignored");
	assert_int_equal(cfg.frontends[0].binds[1].port, 443);
	cfg_free(&cfg);
	cfg_diags_free(&d);
	/* HAProxy drops a connection without the header; rpilb would let it through. */
	expect_error(BASE_FE "\tbind :443 accept-proxy\n" BASE_BE, 4,
		     "bind option 'accept-proxy' is not supported: rpilb does not read PROXY");
	expect_error(BASE_FE "\tbind :443 sparkle\n" BASE_BE, 4, "unknown bind option 'sparkle'");
	expect_error(BASE_FE "\tbind :443 crt\n" BASE_BE, 4, "bind option 'crt' needs a value");
}

/* HAProxy's port ranges and comma lists: one listener per port, in order. */
static void test_bind_ranges_and_lists(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_frontend *fe;
	const uint16_t want[] = { 9000, 9001, 9002, 8080, 7000 };

	(void)state;
	parse_ok("frontend f\n\tbind :9000-9002,:8080\n\tbind 10.0.0.9:7000-7000\n"
		 "\tdefault_backend b\n" BASE_BE,
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	fe = &cfg.frontends[0];
	assert_int_equal(fe->nbinds, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(fe->binds[i].port, want[i]);
		assert_int_equal(fe->binds[i].line, i < 4 ? 2 : 3);
	}
	assert_int_equal(fe->binds[4].addr.s_addr, htonl(0x0a000009));
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_bind_limits(void **state)
{
	char text[8192];
	size_t n;
	int i;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "frontend f\n\tdefault_backend b\n");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\tbind :1000-1063\n\tbind :2000\n");
	snprintf(text + n, sizeof(text) - n, "%s", BASE_BE);
	expect_error(
		text, 4,
		"too many bind addresses in frontend 'f' (max 64, a port range counting each port)");

	/* 64 services over all frontends is the limit; the 65th bind is refused. */
	n = 0;
	for (i = 0; i < 9; i++) {
		int k;

		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "frontend f%d\n\tdefault_backend b\n", i);
		for (k = 0; k < (i < 8 ? 8 : 1); k++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "\tbind :%d\n",
					      2000 + i * 10 + k);
	}
	snprintf(text + n, sizeof(text) - n, "%s", BASE_BE);
	/* Each full frontend takes 10 lines; the 65th bind is on line 83. */
	expect_error(text, 83, "too many bind addresses: rpilb supports 64 over all frontends");
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_bind_forms),
		cmocka_unit_test(test_bind_ipv6),
		cmocka_unit_test(test_bind_errors),
		cmocka_unit_test(test_bind_duplicate),
		cmocka_unit_test(test_bind_options),
		cmocka_unit_test(test_bind_limits),
		cmocka_unit_test(test_bind_ranges_and_lists),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("bind", g0, NULL, NULL);
	return failed ? 1 : 0;
}
