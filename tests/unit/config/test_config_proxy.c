// SPDX-License-Identifier: GPL-2.0-only
/*
 * The directives of proxies (user/config/kw_proxy.c): balance, mode,
 * timeouts and the flow idle timeout, and directives accepted with a
 * warning or refused.
 */
#include "cfgtest.h"

static void test_balance(void **state)
{
	(void)state;
	expect_clean(BASE "\tbalance roundrobin\n");
	expect_error(
		BASE "\tbalance leastconn\n", 6,
		"'balance leastconn' is not supported: rpilb balances with roundrobin or static-rr");
	expect_error(BASE "\tbalance source\n", 6, "'balance source' is not supported");
	expect_error(BASE "\tbalance roundrobin extra\n", 6, "unexpected argument 'extra'");
	expect_error(BASE "\tbalance\n", 6, "'balance' is missing an argument");
}

static void test_mode(void **state)
{
	(void)state;
	expect_clean(BASE "\tmode tcp\n");
	expect_error(BASE "\tmode health\n", 6, "'mode health' is not supported");
	expect_error(BASE "\tmode udp\n", 6, "unknown mode 'udp' (expected tcp or http)");
	expect_error(BASE "\tmode\n", 6, "'mode' is missing an argument (usage: mode tcp|http)");
}

static void test_content_switching_refused(void **state)
{
	(void)state;
	expect_error(BASE_FE "\tuse_backend b if { path_beg /api }\n" BASE_BE, 4,
		     "'use_backend' is not supported: choosing by request content needs layer 7");
	expect_error(BASE_FE "\ttcp-request connection reject if { src 10.0.0.0/8 }\n" BASE_BE, 4,
		     "'tcp-request connection reject' is not supported: rpilb cannot filter");
	expect_error(BASE_FE "\thttp-request deny if { path /admin }\n" BASE_BE, 4,
		     "'http-request deny' is not supported");
}

/* An action is refused when ignoring it would pass on what HAProxy stops or answers. */
static void test_rule_actions(void **state)
{
	(void)state;
	expect_warning(BASE_FE "\ttcp-request inspect-delay 5s\n" BASE_BE, 4,
		       "'tcp-request inspect-delay' ignored: rpilb picks a server at the SYN");
	expect_warning(BASE_FE "\ttcp-request content accept if { req_ssl_hello_type 1 }\n" BASE_BE,
		       4, "'tcp-request content accept' ignored: rpilb lets every connection");
	expect_warning(BASE_FE "\ttcp-request connection track-sc0 src\n" BASE_BE, 4,
		       "'tcp-request connection track-sc0' ignored");
	expect_warning(BASE "\thttp-request set-var(txn.host) req.hdr(host)\n", 6,
		       "'http-request set-var(txn.host)' ignored");
	expect_error(BASE "\ttcp-request connection reject\n", 6,
		     "'tcp-request connection' is not allowed in a backend section");
	expect_error(BASE "\ttcp-request content lua.check\n", 6,
		     "'tcp-request content lua.check' is not supported: rpilb runs no Lua");
	expect_error(BASE "\ttcp-response content close\n", 6,
		     "'tcp-response content close' is not supported");
	expect_error(BASE_FE "\thttp-request redirect scheme https unless { ssl_fc }\n" BASE_BE, 4,
		     "'http-request redirect' is not supported: rpilb never answers itself");
	expect_error(BASE "\thttp-request set-dst 10.0.0.9\n", 6,
		     "'http-request set-dst' is not supported");
	expect_error(BASE "\thttp-response return status 200\n", 6,
		     "'http-response return' is not supported");
	/* Not an action of that rule set in HAProxy either. */
	expect_error(BASE "\thttp-response auth\n", 6,
		     "unknown keyword 'http-response auth' in 'backend' section");
	expect_error(BASE "\ttcp-request sparkle\n", 6,
		     "unknown keyword 'tcp-request sparkle' in 'backend' section");
	expect_error(
		BASE "\treqadd X-Proto:\\ https\n", 6,
		"'reqadd' is not supported: removed in HAProxy 2.1: use 'http-request add-header'");
	expect_error(BASE "\tredispatch\n", 6, "removed in HAProxy 2.1: use 'option redispatch'");
}

static void test_timeouts(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE_FE "\ttimeout client 1m\n" BASE_BE "\ttimeout connect 2s\n"
			 "\ttimeout check 3s\n\ttimeout server 30s\n",
		 &cfg, &d);
	assert_int_equal(cfg.frontends[0].timeout_client_ms, 60000);
	assert_int_equal(cfg.backends[0].timeout_connect_ms, 2000);
	assert_int_equal(cfg.backends[0].timeout_check_ms, 3000);
	assert_int_equal(cfg.backends[0].timeout_server_ms, 30000);
	assert_int_equal(cfg_flow_idle_ms(&cfg, &cfg.frontends[0]), 60000);
	cfg_free(&cfg);
	cfg_diags_free(&d);

	/* "timeout connect 0" means HAProxy's "unset": the default applies. */
	parse_ok(BASE "\ttimeout connect 0\n", &cfg, &d);
	assert_int_equal(cfg.backends[0].timeout_connect_ms, CFG_DEFAULT_CONNECT_MS);
	assert_int_equal(cfg_flow_idle_ms(&cfg, &cfg.frontends[0]), CFG_DEFAULT_IDLE_MS);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_timeouts_ignored(void **state)
{
	(void)state;
	expect_warning(BASE "\ttimeout queue 30s\n", 6,
		       "'timeout queue' ignored: rpilb never queues a connection");
	expect_warning(BASE "\ttimeout tarpit 1h\n", 6,
		       "'timeout tarpit' ignored: rpilb forwards TCP at layer 4");
	expect_warning(BASE_FE "\ttimeout server-fin 1s\n" BASE_BE, 4,
		       "'timeout server-fin' ignored in a frontend section");
	expect_warning(BASE "\ttimeout client-fin 1s\n", 6,
		       "'timeout client-fin' ignored in a backend section");
	expect_warning("defaults\n\ttimeout http-request 10s\n" BASE, 2,
		       "'timeout http-request' ignored: rpilb forwards TCP at layer 4");
	expect_warning("defaults\n\ttimeout http-keep-alive 10s\n" BASE, 2,
		       "'timeout http-keep-alive' ignored");
	expect_warning(
		BASE "\ttimeout client 10s\n", 6,
		"'timeout client' ignored in a backend section: it applies to defaults, frontend, listen sections");
	expect_warning(BASE_FE "\ttimeout server 10s\n" BASE_BE, 4,
		       "'timeout server' ignored in a frontend section");
	expect_error(BASE "\tcontimeout 5000\n", 6, "'contimeout' is not supported: removed");
}

static void test_flow_idle(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE_FE "\ttimeout client 90s\n" BASE_BE "\ttimeout server 30s\n", &cfg, &d);
	assert_int_equal(cfg_flow_idle_ms(&cfg, &cfg.frontends[0]), 90000);
	cfg_free(&cfg);
	cfg_diags_free(&d);
	parse_ok(BASE, &cfg, &d);
	assert_int_equal(cfg_flow_idle_ms(&cfg, &cfg.frontends[0]), CFG_DEFAULT_IDLE_MS);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static uint32_t halfclosed_of(const char *text, uint32_t *idle)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	uint32_t ms;

	parse_ok(text, &cfg, &d);
	*idle = cfg_flow_idle_ms(&cfg, &cfg.frontends[0]);
	ms = cfg_flow_halfclosed_ms(&cfg, &cfg.frontends[0]);
	cfg_free(&cfg);
	cfg_diags_free(&d);
	return ms;
}

/* HAProxy's precedence: tunnel supersedes client and server; a FIN timeout cuts shorter. */
static void test_flow_tunnel_and_fin(void **state)
{
	uint32_t idle;

	(void)state;
	assert_int_equal(halfclosed_of(BASE_FE "\ttimeout client 50s\n" BASE_BE
					       "\ttimeout server 50s\n\ttimeout tunnel 4h\n",
				       &idle),
			 14400000);
	assert_int_equal(idle, 14400000);
	/* A tunnel below client and server still wins: it supersedes them. */
	halfclosed_of(BASE_FE "\ttimeout client 50s\n" BASE_BE "\ttimeout tunnel 10s\n", &idle);
	assert_int_equal(idle, 10000);
	assert_int_equal(halfclosed_of("defaults\n\ttimeout tunnel 1h\n\ttimeout client-fin 30s\n"
				       "\ttimeout server-fin 5s\n" BASE,
				       &idle),
			 5000);
	assert_int_equal(idle, 3600000);
	assert_int_equal(halfclosed_of(BASE_FE
				       "\ttimeout client 50s\n\ttimeout client-fin 2s\n" BASE_BE,
				       &idle),
			 2000);
	assert_int_equal(idle, 50000);
	/* Without a FIN timeout a half-closed flow keeps the established limit. */
	assert_int_equal(halfclosed_of(BASE_FE "\ttimeout client 50s\n" BASE_BE, &idle), 50000);
}

static void test_ignored_directives(void **state)
{
	static const struct {
		const char *line;
		const char *text;
	} cases[] = {
		{ "option forwardfor",
		  "'option forwardfor' ignored: rpilb forwards TCP at layer 4 and cannot add X-Forwarded-For" },
		{ "option forwardfor except 127.0.0.0/8", "'option forwardfor' ignored" },
		{ "option httplog", "'option httplog' ignored: rpilb logs no connections" },
		{ "option dontlognull", "'option dontlognull' ignored" },
		{ "option http-server-close",
		  "'option http-server-close' ignored: rpilb forwards TCP at layer 4" },
		{ "option redispatch", "'option redispatch' ignored: rpilb picks a server once" },
		{ "http-request set-header X-A b", "'http-request set-header' ignored" },
		{ "http-response del-header Server", "'http-response del-header' ignored" },
		{ "errorfile 503 /etc/haproxy/errors/503.http",
		  "'errorfile' ignored: rpilb never answers a request itself" },
		{ "compression algo gzip",
		  "'compression' ignored: rpilb does not read or rewrite response bodies" },
		{ "cookie SERVERID insert indirect",
		  "'cookie' ignored: rpilb balances every connection by round robin" },
		{ "http-reuse safe", "'http-reuse' ignored" },
		{ "log global", "'log' ignored" },
		{ "maxconn 100",
		  "'maxconn' ignored: rpilb's only connection limit is its flow table" },
		{ "retries 3", "'retries' ignored" },
		{ "acl is_api path_beg /api", "'acl' ignored: rpilb evaluates no ACLs" },
		{ "mode http", "'mode http' ignored: rpilb forwards TCP at layer 4" },
		{ "capture request header Host len 32", "'capture request' ignored" },
		{ "stick-table type ip size 1m", "'stick-table' ignored" },
	};
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(text, sizeof(text), "%s\t%s\n", BASE, cases[i].line);
		expect_warning(text, 6, cases[i].text);
	}
}

static void test_negated_options_silent(void **state)
{
	(void)state;
	expect_clean(BASE "\tno option forwardfor\n\tno option httplog\n\tno log\n"
			  "\tno option ssl-hello-chk\n");
	expect_error(BASE "\tno balance\n", 6, "'no' only negates an option here");
	expect_error(BASE "\tno option sparkle\n", 6,
		     "unknown keyword 'no option sparkle' in 'backend' section");
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_balance),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_content_switching_refused),
		cmocka_unit_test(test_rule_actions),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_timeouts_ignored),
		cmocka_unit_test(test_flow_idle),
		cmocka_unit_test(test_flow_tunnel_and_fin),
		cmocka_unit_test(test_ignored_directives),
		cmocka_unit_test(test_negated_options_silent),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("proxies", g0, NULL, NULL);
	return failed ? 1 : 0;
}
