// SPDX-License-Identifier: GPL-2.0-only
/*
 * HTTP health checks (user/config/kw_httpchk.c): option httpchk in each
 * form, http-check send and expect, and how the two are merged.
 */
#include "cfgtest.h"

static void check_httpchk(const char *line, const char *method, const char *uri,
			  const char *version, const char *headers)
{
	char text[1024];
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_http_check *h;

	snprintf(text, sizeof(text), "%s\t%s\n", BASE, line);
	parse_ok(text, &cfg, &d);
	h = &cfg.backends[0].http;
	assert_int_equal(cfg.backends[0].check_kind, CFG_CHECK_HTTP);
	assert_string_equal(h->method, method);
	assert_string_equal(h->uri, uri);
	assert_string_equal(h->version, version);
	assert_string_equal(h->headers, headers);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_option_httpchk_forms(void **state)
{
	(void)state;
	check_httpchk("option httpchk", "OPTIONS", "/", "HTTP/1.0", "");
	check_httpchk("option httpchk /health", "OPTIONS", "/health", "HTTP/1.0", "");
	check_httpchk("option httpchk GET /health", "GET", "/health", "HTTP/1.0", "");
	check_httpchk("option httpchk GET /health HTTP/1.1", "GET", "/health", "HTTP/1.1", "");
	check_httpchk("option httpchk HEAD / HTTP/1.1\\r\\nHost:localhost", "HEAD", "/", "HTTP/1.1",
		      "Host:localhost\r\n");
	check_httpchk("option httpchk HEAD / HTTP/1.1\\r\\nHost:\\ pi\\r\\nX-A:1\\r\\n", "HEAD",
		      "/", "HTTP/1.1", "Host: pi\r\nX-A:1\r\n");
	check_httpchk("option httpchk \"HEAD\" \"/\" \"HTTP/1.1\\r\\nHost: pi\"", "HEAD", "/",
		      "HTTP/1.1", "Host: pi\r\n");
	/* HAProxy 3.1: the fourth argument is the Host header. */
	check_httpchk("option httpchk GET /health HTTP/1.1 pi.local", "GET", "/health", "HTTP/1.1",
		      "Host: pi.local\r\n");
}

static void test_option_httpchk_errors(void **state)
{
	(void)state;
	expect_error(BASE "\toption httpchk GET / HTTP/1.1 host extra\n", 6,
		     "'option httpchk' has an unexpected argument 'extra'");
	expect_error(BASE "\toption httpchk \"GE T\" /\n", 6, "bad check method 'GE T'");
	expect_error(BASE "\toption httpchk GET \"/a b\"\n", 6, "bad check URI '/a b'");
	expect_error(BASE "\toption httpchk GET / HTTP/1.1\\r\\nnocolon\n", 6,
		     "header line 'nocolon' in the check request has no 'name:'");
	expect_error(BASE "\toption httpchk GET / HTTP/1.1.1.1.1.1.1.1.1\n", 6,
		     "is too long (max 15 bytes)");
	expect_warning(
		BASE_FE "\toption httpchk\n" BASE_BE, 4,
		"'option httpchk' ignored in a frontend section: it applies to defaults, backend, listen sections");
}

static void test_check_kind_toggles(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok("defaults\n\toption httpchk\n" BASE "\toption tcp-check\n"
		 "backend c\n\tserver s 10.0.0.2\n\tno option httpchk\n"
		 "backend e\n\tserver s 10.0.0.3\n"
		 "backend g\n\tserver s 10.0.0.4\n\tno option tcp-check\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	assert_int_equal(cfg.backends[0].check_kind, CFG_CHECK_TCP);
	assert_int_equal(cfg.backends[1].check_kind, CFG_CHECK_TCP);
	assert_int_equal(cfg.backends[2].check_kind, CFG_CHECK_HTTP);
	assert_int_equal(cfg.backends[3].check_kind, CFG_CHECK_HTTP);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_http_check_send(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_http_check *h;

	(void)state;
	/* The send rule may come first; it wins field by field and adds its headers. */
	parse_ok(BASE "\thttp-check send meth GET uri /ready ver HTTP/1.1 hdr Host pi hdr "
		      "User-Agent \"rpilb check\"\n"
		      "\toption httpchk HEAD /old HTTP/1.0\\r\\nX-Old:1\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	h = &cfg.backends[0].http;
	assert_string_equal(h->method, "GET");
	assert_string_equal(h->uri, "/ready");
	assert_string_equal(h->version, "HTTP/1.1");
	assert_string_equal(h->headers, "X-Old:1\r\nHost: pi\r\nUser-Agent: rpilb check\r\n");
	cfg_free(&cfg);
	cfg_diags_free(&d);

	/* Fields the send rule leaves out come from option httpchk, or HAProxy's defaults. */
	parse_ok(BASE "\toption httpchk\n\thttp-check send uri /x\n", &cfg, &d);
	h = &cfg.backends[0].http;
	assert_string_equal(h->method, "OPTIONS");
	assert_string_equal(h->uri, "/x");
	assert_string_equal(h->version, "HTTP/1.0");
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_http_check_send_errors(void **state)
{
	(void)state;
	expect_error(BASE "\toption httpchk\n\thttp-check send meth\n", 7,
		     "'http-check send meth' needs a value");
	expect_error(BASE "\toption httpchk\n\thttp-check send hdr Host\n", 7,
		     "'http-check send hdr' needs a name and a value");
	expect_error(BASE "\toption httpchk\n\thttp-check send verb GET\n", 7,
		     "unknown 'http-check send' parameter 'verb'");
	expect_error(BASE "\toption httpchk\n\thttp-check send hdr \"A B\" c\n", 7,
		     "bad header name 'A B'");
}

/* HAProxy's order for http-check rules (tcpcheck_add_http_rule): each refused case. */
static void test_http_check_rule_order(void **state)
{
	(void)state;
	expect_error(
		BASE "\toption httpchk\n\thttp-check send uri /a\n\thttp-check send uri /b\n", 8,
		"http-check rule 2 is out of order: a new request needs an 'http-check connect' before its send (HAProxy refuses this too)");
	expect_error(
		BASE "\toption httpchk\n\thttp-check send uri /a\n"
		     "\thttp-check expect status 200\n\thttp-check send uri /b\n",
		9,
		"http-check rule 3 is out of order: a new request needs an 'http-check connect'");
	expect_error(
		BASE "\toption httpchk\n\thttp-check connect\n\thttp-check expect status 200\n", 8,
		"http-check rule 2 is out of order: an expect after a connect needs an 'http-check send' between them");
}

/* Sequences HAProxy accepts: body, connect port, a second request, negation. */
static void test_http_check_sequences(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_check *c;

	(void)state;
	parse_ok(BASE "\toption httpchk\n\thttp-check send meth POST uri /a body \"{}\"\n", &cfg,
		 &d);
	assert_int_equal(d.count, 0);
	assert_string_equal(cfg.backends[0].http.method, "POST");
	assert_string_equal(cfg.backends[0].http.body, "{}");
	cfg_free(&cfg);
	cfg_diags_free(&d);

	parse_ok(
		BASE
		"\toption httpchk\n\thttp-check connect port 8008\n"
		"\thttp-check send uri /leader\n\thttp-check expect ! status 500\n"
		"\thttp-check expect string OK\n"
		"\thttp-check connect\n\thttp-check send uri /b\n\thttp-check expect rstring ^up\n",
		&cfg, &d);
	assert_int_equal(d.count, 0);
	c = &cfg.backends[0].check;
	assert_int_equal(c->kind, CFG_CHECK_HTTP);
	assert_int_equal(c->nrules, 7);
	assert_int_equal(c->rules[0].kind, CFG_RULE_CONNECT);
	assert_int_equal(c->rules[0].port, 8008);
	assert_int_equal(c->rules[1].kind, CFG_RULE_SEND);
	assert_string_equal(c->rules[1].http->uri, "/leader");
	assert_int_equal(c->rules[2].match, CFG_MATCH_STATUS);
	assert_true(c->rules[2].negate);
	assert_string_equal(c->rules[2].data, "500");
	assert_int_equal(c->rules[3].match, CFG_MATCH_BODY_STRING);
	assert_false(c->rules[3].negate);
	assert_string_equal(c->rules[3].data, "OK");
	assert_int_equal(c->rules[4].kind, CFG_RULE_CONNECT);
	assert_int_equal(c->rules[4].port, 0);
	assert_string_equal(c->rules[5].http->uri, "/b");
	assert_int_equal(c->rules[6].match, CFG_MATCH_BODY_RSTRING);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_http_check_expect(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE "\toption httpchk\n\thttp-check expect status 200,204,300-399\n"
		      "backend c\n\tserver s 10.0.0.2\n\toption httpchk\n"
		      "\thttp-check expect rstatus ^(2|3)[0-9]{2}$\n",
		 &cfg, &d);
	assert_int_equal(cfg.backends[0].http.expect, CFG_EXPECT_STATUS);
	assert_string_equal(cfg.backends[0].http.expect_arg, "200,204,300-399");
	assert_int_equal(cfg.backends[1].http.expect, CFG_EXPECT_RSTATUS);
	assert_string_equal(cfg.backends[1].http.expect_arg, "^(2|3)[0-9]{2}$");
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_http_check_expect_errors(void **state)
{
	(void)state;
	expect_error(BASE "\toption httpchk\n\thttp-check expect rstatus ^(2\n", 7,
		     "bad regular expression '^(2' in 'http-check expect'");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status 2000\n", 7,
		     "bad status list '2000'");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status 399-200\n", 7,
		     "bad status list");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status 200,\n", 7,
		     "bad status list");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status\n", 7,
		     "'http-check expect status' needs a pattern");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status 200 300\n", 7,
		     "'300' is one too many");
}

static void test_http_check_without_httpchk(void **state)
{
	(void)state;
	expect_warning(BASE "\thttp-check expect status 200\n", 6,
		       "'http-check' rules have no effect without 'option httpchk'");
	expect_warning(
		BASE "\thttp-check disable-on-404\n", 4,
		"'http-check disable-on-404' and 'send-state' have no effect without 'option httpchk'");
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_option_httpchk_forms),
		cmocka_unit_test(test_option_httpchk_errors),
		cmocka_unit_test(test_check_kind_toggles),
		cmocka_unit_test(test_http_check_send),
		cmocka_unit_test(test_http_check_send_errors),
		cmocka_unit_test(test_http_check_rule_order),
		cmocka_unit_test(test_http_check_sequences),
		cmocka_unit_test(test_http_check_expect),
		cmocka_unit_test(test_http_check_expect_errors),
		cmocka_unit_test(test_http_check_without_httpchk),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("health checks", g0, NULL, NULL);
	return failed ? 1 : 0;
}
