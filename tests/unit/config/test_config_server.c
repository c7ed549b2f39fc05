// SPDX-License-Identifier: GPL-2.0-only
/*
 * server and default-server (user/config/kw_server.c): parameters, host
 * names, errors and the limits on servers, backends and slots.
 */
#include "cfgtest.h"

static void test_server_params(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_server *s;

	(void)state;
	parse_ok(BASE_FE
		 "backend b\n"
		 "\tserver a 10.0.0.1:8000 check inter 1s fastinter 500 downinter 1m rise 5 "
		 "fall 7 weight 0 port 9000 disabled\n"
		 "\tserver b 10.0.0.2:8000 check inter 3s disabled enabled\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	s = &cfg.backends[0].servers[0];
	assert_true(s->opts.check);
	assert_int_equal(s->opts.inter_ms, 1000);
	assert_int_equal(s->opts.fastinter_ms, 500);
	assert_int_equal(s->opts.downinter_ms, 60000);
	assert_int_equal(s->opts.rise, 5);
	assert_int_equal(s->opts.fall, 7);
	assert_int_equal(s->opts.weight, 0);
	assert_int_equal(s->opts.check_port, 9000);
	assert_true(s->opts.disabled);
	s = &cfg.backends[0].servers[1];
	/* fastinter and downinter follow the server's own inter. */
	assert_int_equal(s->opts.inter_ms, 3000);
	assert_int_equal(s->opts.fastinter_ms, 3000);
	assert_int_equal(s->opts.downinter_ms, 3000);
	assert_false(s->opts.disabled);
	assert_int_equal(s->port, 8000);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_server_host_name(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_server *s;

	(void)state;
	parse_ok(BASE_FE "backend b\n\tserver a pi-1.local:8000\n\tserver b ipv4@pi_2\n", &cfg, &d);
	s = &cfg.backends[0].servers[0];
	assert_string_equal(s->host, "pi-1.local");
	assert_int_equal(s->addr.s_addr, 0);
	assert_int_equal(s->port, 8000);
	assert_string_equal(cfg.backends[0].servers[1].host, "pi_2");
	assert_int_equal(cfg.backends[0].servers[1].port, 0);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

/* No port, "ADDR:", ":+N", ":-N": the client's port, shifted (HAProxy's port maps). */
static void test_server_port_maps(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_server *s;

	(void)state;
	parse_ok(BASE "\tserver a 10.0.0.2\n\tserver b 10.0.0.3:\n\tserver c 10.0.0.4:+1000\n"
		      "\tserver e 10.0.0.5:-1 check port 8008\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	s = cfg.backends[0].servers;
	assert_false(s[0].port_map);
	assert_int_equal(s[0].port, 8000);
	for (int i = 1; i <= 4; i++) {
		assert_true(s[i].port_map);
		assert_int_equal(s[i].port, 0);
	}
	assert_int_equal(s[1].port_offset, 0);
	assert_int_equal(s[2].port_offset, 0);
	assert_int_equal(s[3].port_offset, 1000);
	assert_int_equal(s[4].port_offset, 65535);
	assert_int_equal(s[4].opts.check_port, 8008);
	cfg_free(&cfg);
	cfg_diags_free(&d);

	/* Checks whose every connect names a port need none from the server. */
	parse_ok(BASE "\toption tcp-check\n\ttcp-check connect port 6379\n"
		      "\tserver r 10.0.0.6 check\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_server_errors(void **state)
{
	(void)state;
	expect_error(BASE "\tserver s2\n", 6, "'server' is missing an argument");
	expect_error(BASE "\tserver s2 check\n", 6, "server 's2' has no address before 'check'");
	expect_error(BASE "\tserver s2 10.0.0.2 weight 257\n", 6,
		     "'weight' expects an integer in 0..256, not '257'");
	expect_error(BASE "\tserver s2 10.0.0.2 weight -1\n", 6, "not '-1'");
	expect_error(BASE "\tserver s2 10.0.0.2 rise 0\n", 6,
		     "'rise' expects an integer in 1..65535");
	expect_error(BASE "\tserver s2 10.0.0.2 fall x\n", 6, "'fall' expects an integer");
	expect_error(BASE "\tserver s2 10.0.0.2 inter 0\n", 6, "'inter' must be greater than 0");
	expect_error(BASE "\tserver s2 10.0.0.2 inter 2x\n", 6, "'inter' expects a time");
	expect_error(BASE "\tserver s2 10.0.0.2 port 0\n", 6,
		     "'port' expects an integer in 1..65535");
	expect_error(BASE "\tserver s2 10.0.0.2 inter\n", 6,
		     "server parameter 'inter' needs a value");
	expect_error(BASE "\tserver s2 10.0.0.2 sparkle 1 check\n", 6,
		     "unknown server parameter 'sparkle'");
	expect_error(BASE "\tserver s2 10.0.0.2 backup\n", 6,
		     "server parameter 'backup' is not supported");
	expect_error(BASE "\tserver s2 10.0.0.2 send-proxy\n", 6,
		     "server parameter 'send-proxy' is not supported");
	expect_error(BASE "\tserver s2 [fe80::1]:80\n", 6, "IPv6 is not supported yet");
	expect_error(BASE "\tserver s2 10.0.0.2:+70000\n", 6,
		     "bad port offset '+70000' (expected +N or -N, N up to 65535)");
	expect_error(BASE "\tserver s2 10.0.0.2:80-90\n", 6, "a port range is for bind lines only");
	/* HAProxy: a server whose port follows the client's needs a port for its checks. */
	expect_error(BASE "\tserver s2 10.0.0.2 check\n", 6,
		     "server 's2' has neither service port nor check port");
	expect_error(BASE "\tserver s2 10.0.0.2:+10 check\n", 6,
		     "server 's2' has neither service port nor check port");
	expect_error(BASE "\toption tcp-check\n\ttcp-check connect port 80\n\ttcp-check connect\n"
			  "\tserver s2 10.0.0.2: check\n",
		     9, "server 's2' has neither service port nor check port");
	expect_error(BASE "\tserver s2 0.0.0.0:80\n", 6, "0.0.0.0 cannot be connected to");
	expect_error(BASE "\tserver s2 bad!host\n", 6, "bad host name 'bad!host'");
	expect_error(BASE "\tserver s1 10.0.0.2\n", 6,
		     "duplicate server name 's1' in backend 'b' (first at line 5)");
}

static void test_server_warnings(void **state)
{
	(void)state;
	expect_warning(BASE "\tserver s2 10.0.0.2 ssl\n", 6,
		       "server parameter 'ssl' ignored: rpilb forwards TCP at layer 4");
	expect_warning(BASE "\tserver s2 10.0.0.2 cookie s2\n", 6,
		       "server parameter 'cookie' ignored");
	expect_warning(BASE "\tserver s2 127.0.0.1:8000\n", 6, "loopback address 127.0.0.1");
}

static void test_default_server(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_backend *be;

	(void)state;
	parse_ok(BASE_FE "backend b\n"
			 "\tserver a 10.0.0.1\n"
			 "\tdefault-server check inter 4s fastinter 1s weight 3\n"
			 "\tserver b 10.0.0.2:80\n"
			 "\tserver c 10.0.0.3:80 inter 8s\n",
		 &cfg, &d);
	be = &cfg.backends[0];
	/* default-server only affects the servers after it. */
	assert_false(be->servers[0].opts.check);
	assert_int_equal(be->servers[0].opts.weight, 1);
	assert_true(be->servers[1].opts.check);
	assert_int_equal(be->servers[1].opts.inter_ms, 4000);
	assert_int_equal(be->servers[1].opts.fastinter_ms, 1000);
	assert_int_equal(be->servers[1].opts.downinter_ms, 4000);
	assert_int_equal(be->servers[2].opts.inter_ms, 8000);
	assert_int_equal(be->servers[2].opts.fastinter_ms, 1000);
	assert_int_equal(be->servers[2].opts.downinter_ms, 8000);
	assert_int_equal(be->servers[2].opts.weight, 3);
	cfg_free(&cfg);
	cfg_diags_free(&d);
	expect_error(BASE "\tdefault-server rise\n", 6,
		     "default-server parameter 'rise' needs a value");
}

static void test_server_limit(void **state)
{
	size_t len = 64 * 300, n;
	char *text = malloc(len);
	int i;

	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, len, "%s", BASE_FE "backend b\n");
	for (i = 0; i < 257; i++)
		n += (size_t)snprintf(text + n, len - n, "\tserver s%d 10.0.%d.%d\n", i, i / 200,
				      i % 200 + 1);
	expect_error(text, 4 + 257, "too many servers: rpilb supports 256 over all backends");
	free(text);
}

static void test_backend_limit(void **state)
{
	size_t len = 64 * 90, n;
	char *text = malloc(len);
	int i;

	(void)state;
	assert_non_null(text);
	n = (size_t)snprintf(text, len, "%s", BASE);
	for (i = 0; i < 64; i++)
		n += (size_t)snprintf(text + n, len - n, "backend b%d\n\tserver s 10.0.1.%d\n", i,
				      i + 1);
	/* Backend b<i> starts on line 6 + 2i: the 65th backend, b63, on line 132. */
	expect_error(text, 132, "too many backends: rpilb supports 64");
	free(text);
}

static void test_weight_slots(void **state)
{
	char text[4096];
	size_t n;
	int i;

	(void)state;
	/* 17 servers of weight 256 need 17 slots (gcd 256): fine. */
	n = (size_t)snprintf(text, sizeof(text), "%s", BASE_FE "backend b\n");
	for (i = 0; i < 17; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "\tserver s%d 10.0.0.%d weight 256\n", i, i + 1);
	expect_clean(text);
	/* Add one of 255: the gcd drops to 1 and 17*256 + 255 = 4607 slots. */
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\tserver x 10.0.1.1 weight 255\n");
	expect_error(text, 4, "backend 'b' needs 4607 round-robin slots");
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_server_params),	 cmocka_unit_test(test_server_host_name),
		cmocka_unit_test(test_server_port_maps), cmocka_unit_test(test_server_errors),
		cmocka_unit_test(test_server_warnings),	 cmocka_unit_test(test_default_server),
		cmocka_unit_test(test_server_limit),	 cmocka_unit_test(test_backend_limit),
		cmocka_unit_test(test_weight_slots),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("servers", g0, NULL, NULL);
	return failed ? 1 : 0;
}
