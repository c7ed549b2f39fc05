// SPDX-License-Identifier: GPL-2.0-only
/*
 * The global section, ignored with a warning, and the rpilb section
 * (user/config/kw_global.c, kw_rpilb.c).
 */
#include "cfgtest.h"

static void test_global_ignored(void **state)
{
	static const struct {
		const char *line;
		const char *text;
	} cases[] = {
		{ "maxconn 4096", "'maxconn' ignored" },
		{ "nbthread 4", "'nbthread' ignored: the kernel forwards packets" },
		{ "pidfile /run/haproxy.pid", "'pidfile' ignored" },
		{ "tune.ssl.default-dh-param 2048", "'tune.ssl.default-dh-param' ignored" },
		{ "ssl-default-server-options no-sslv3",
		  "'ssl-default-server-options' ignored: rpilb forwards TCP at layer 4 and does not terminate TLS" },
		{ "stats socket ipv4@127.0.0.1:9999 level admin",
		  "'stats socket' ignored: rpilb's control socket is set with 'socket' in the rpilb section" },
		{ "log stdout format raw local0", "'log' ignored" },
	};
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text), "global\n\t%s\n%s", cases[i].line, BASE);
		expect_warning(text, 2, cases[i].text);
	}
	expect_error("global\n\tstats sparkle\n" BASE, 2,
		     "unknown keyword 'stats sparkle' in 'global' section");
	expect_error("global extra\n" BASE, 1, "'global' has an unexpected argument 'extra'");
}

/* The process settings, HAProxy's removed ones, and the one that filters. */
static void test_global_process_settings(void **state)
{
	static const char *const quiet_ones[] = {
		"strict-limits",	"default-path config",
		"zero-warning",		"quiet",
		"ulimit-n 8192",	"expose-experimental-directives",
		"httpclient.retries 3",
	};
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(quiet_ones); i++) {
		snprintf(text, sizeof(text), "global\n\t%s\n%s", quiet_ones[i], BASE);
		expect_warning(text, 2, "ignored: ");
	}
	expect_error("global\n\tnbproc 2\n" BASE, 2,
		     "'nbproc' is not supported: removed in HAProxy 2.5");
	expect_error("global\n\tdebug\n" BASE, 2,
		     "'debug' is not supported: removed in HAProxy 2.3");
	/* Found before the "tune." prefix row, which would ignore it. */
	expect_error("global\n\ttune.chksize 16384\n" BASE, 2,
		     "'tune.chksize' is not supported: removed");
	expect_clean("global\n\tharden.reject-privileged-ports.tcp off\n" BASE);
	expect_error(
		"global\n\tharden.reject-privileged-ports.tcp on\n" BASE, 2,
		"'harden.reject-privileged-ports.tcp on' is not supported: rpilb cannot refuse");
	expect_error("global\n\tharden.reject-privileged-ports.tcp yes\n" BASE, 2,
		     "expects 'on' or 'off', not 'yes'");
}

static void test_rpilb_section(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_rpilb *r;

	(void)state;
	parse_ok(BASE "rpilb\n"
		      "\tinterface eth0\n"
		      "\tattach xdpgeneric\n"
		      "\tflow-table-size 1048576\n"
		      "\tnat-ports 40000-49999\n"
		      "\tstate-dir /srv/rpilb\n"
		      "\tpin-dir /sys/fs/bpf/rpilb-lab\n"
		      "\tsocket /run/lb.sock\n"
		      "\tsocket-mode 0660\n"
		      "\tsocket-group rpilb\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	r = &cfg.rpilb;
	assert_string_equal(r->interface, "eth0");
	assert_int_equal(r->mode, CFG_ATTACH_XDP_GENERIC);
	assert_int_equal(r->flow_table_size, 1048576);
	assert_int_equal(r->nat_port_lo, 40000);
	assert_int_equal(r->nat_port_hi, 49999);
	assert_string_equal(r->state_dir, "/srv/rpilb");
	assert_string_equal(r->pin_dir, "/sys/fs/bpf/rpilb-lab");
	assert_string_equal(r->socket_path, "/run/lb.sock");
	assert_int_equal(r->socket_mode, 0660);
	assert_string_equal(r->socket_group, "rpilb");
	cfg_free(&cfg);
	cfg_diags_free(&d);

	/* The rpilb section may come first, and the bounds themselves are accepted. */
	parse_ok("rpilb\n\tflow-table-size 16777216\n\tnat-ports 1024-2047\n\tattach tc\n" BASE,
		 &cfg, &d);
	assert_int_equal(cfg.rpilb.flow_table_size, 16777216);
	assert_int_equal(cfg.rpilb.nat_port_lo, 1024);
	assert_int_equal(cfg.rpilb.nat_port_hi, 2047);
	assert_int_equal(cfg.rpilb.mode, CFG_ATTACH_TC);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_rpilb_errors(void **state)
{
	(void)state;
	expect_error(BASE "rpilb\n\tinterface eth0123456789abc\n", 7,
		     "interface name 'eth0123456789abc' is too long (max 15 characters)");
	expect_error(BASE "rpilb\n\tinterface eth/0\n", 7, "bad interface name 'eth/0'");
	expect_error(BASE "rpilb\n\tattach native\n", 7,
		     "unknown attach mode 'native' (expected auto, xdp, xdpgeneric or tc)");
	expect_error(BASE "rpilb\n\tmode xdp\n", 7, "'mode' is not supported: the rpilb section");
	expect_error(BASE "rpilb\n\tflow-table-size 1023\n", 7,
		     "'flow-table-size' expects an integer in 1024..16777216, not '1023'");
	expect_error(BASE "rpilb\n\tflow-table-size 16777217\n", 7, "not '16777217'");
	expect_error(BASE "rpilb\n\tnat-ports 59999-50000\n", 7,
		     "the range must lie in 1024-65535, low end first");
	expect_error(BASE "rpilb\n\tnat-ports 1000-9000\n", 7, "the range must lie in 1024-65535");
	expect_error(BASE "rpilb\n\tnat-ports 60000-61022\n", 7,
		     "'nat-ports 60000-61022' holds 1023 ports; rpilb needs at least 1024");
	expect_error(BASE "rpilb\n\tnat-ports 60000\n", 7,
		     "'nat-ports' expects a range LOW-HIGH such as 50000-59999");
	expect_error(BASE "rpilb\n\tnat-ports 60000-70000\n", 7, "expects a range LOW-HIGH");
	expect_error(BASE "rpilb\n\tpin-dir rpilb\n", 7,
		     "'pin-dir' needs an absolute path, not 'rpilb'");
	expect_error(BASE "rpilb\n\tstate-dir var/lib\n", 7,
		     "'state-dir' needs an absolute path, not 'var/lib'");
	expect_error(
		BASE
		"rpilb\n\tsocket /run/rpilb/"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n",
		7, "is too long (max 107 bytes)");
	expect_error(BASE "rpilb\n\tsocket-mode 0989\n", 7,
		     "'socket-mode' expects an octal mode such as 0660, not '0989'");
	expect_error(BASE "rpilb\n\tsocket-mode 01777\n", 7, "expects an octal mode");
	expect_error(BASE "rpilb\n\tsocket-group -x\n", 7, "bad group name '-x'");
	expect_error(BASE "rpilb\n\tinterface eth0 eth1\n", 7,
		     "'interface' has an unexpected argument 'eth1' (usage: interface IFNAME)");
	expect_error(BASE "rpilb now\n", 6, "'rpilb' has an unexpected argument 'now'");
}

static void test_nat_ports_vs_binds(void **state)
{
	(void)state;
	expect_error(BASE "frontend g\n\tbind :55000\n\tdefault_backend b\n", 7,
		     "bind port 55000 is inside nat-ports 50000-59999");
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats enable\n"
			  "rpilb\n\tnat-ports 1024-2047\n",
		     7, "stats port 1936 is inside nat-ports 1024-2047");
	expect_clean("rpilb\n\tnat-ports 40000-41023\n" BASE "frontend g\n\tbind :55000\n"
		     "\tdefault_backend b\n");
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_global_ignored),
		cmocka_unit_test(test_global_process_settings),
		cmocka_unit_test(test_rpilb_section),
		cmocka_unit_test(test_rpilb_errors),
		cmocka_unit_test(test_nat_ports_vs_binds),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("global and rpilb sections", g0, NULL, NULL);
	return failed ? 1 : 0;
}
