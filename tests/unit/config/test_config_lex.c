// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lines and tokens (user/config/lex.c): comments, quotes, escapes, line
 * endings, NUL bytes and the limits of a line; and HAProxy's time values.
 */
#include "cfgtest.h"

static void test_comments_and_blanks(void **state)
{
	(void)state;
	expect_clean("# a comment\n"
		     "\n"
		     "   \t\n"
		     "frontend f # trailing comment\n"
		     "\t\tbind *:80#glued comment\n"
		     "    default_backend b\n"
		     "   # indented comment\n" BASE_BE);
}

static void test_quotes(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE "listen stats\n"
		      "\tbind :1936\n"
		      "\tstats realm \"My Pis # not a comment\"\n"
		      "\tstats auth 'a:b\\ c'\n"
		      "\tstats auth \"us\"'er':p\\ w\\#\n"
		      "\tstats auth x:\"it's\"\n",
		 &cfg, &d);
	assert_string_equal(cfg.stats.realm, "My Pis # not a comment");
	assert_int_equal(cfg.stats.nusers, 3);
	/* Single quotes keep backslashes. */
	assert_string_equal(cfg.stats.users[0].password, "b\\ c");
	assert_string_equal(cfg.stats.users[1].user, "user");
	assert_string_equal(cfg.stats.users[1].password, "p w#");
	assert_string_equal(cfg.stats.users[2].password, "it's");
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_escapes(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE_FE "backend b\n"
			 "\tserver s1 10.0.0.1:8000\n"
			 "\toption httpchk GET /a\\qb\\x41 HTTP/1.1\\r\\nX-A:\\ 1\\r\\nX-B:2\n"
			 "listen stats\n"
			 "\tbind :1936\n"
			 "\tstats realm My\\ Pis\\#1\\tok\n",
		 &cfg, &d);
	/* Unknown escapes keep their backslash, as in HAProxy. */
	assert_string_equal(cfg.backends[0].http.uri, "/a\\qbA");
	assert_string_equal(cfg.backends[0].http.version, "HTTP/1.1");
	assert_string_equal(cfg.backends[0].http.headers, "X-A: 1\r\nX-B:2\r\n");
	assert_string_equal(cfg.stats.realm, "My Pis#1\tok");
	cfg_free(&cfg);
	cfg_diags_free(&d);
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats realm \"My\\ \\\"Pis\\\"\\tok\"\n",
		     8, "bad stats realm");
}

static void test_quote_errors(void **state)
{
	(void)state;
	expect_error(BASE "backend c\n\tserver s 'x\n", 7, "unmatched single quote");
	expect_error(BASE "backend c\n\tserver s \"x\n", 7, "unmatched double quote");
	expect_error(BASE "backend c\n\tserver s x\\x0\n", 7, "bad '\\x' escape");
	expect_error(BASE "backend c\n\tserver s x\\x00\n", 7, "NUL byte");
}

static void test_empty_argument(void **state)
{
	(void)state;
	/* As in HAProxy, an empty argument ends the list (with a warning). */
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats uri \"\"\n", 8,
		     "'stats uri' is missing an argument");
}

static void test_crlf_and_no_final_newline(void **state)
{
	(void)state;
	expect_clean("frontend f\r\n\tbind *:80\r\n\tdefault_backend b\r\n"
		     "backend b\r\n\tserver s1 10.0.0.1:8000");
}

static void test_not_nul_terminated(void **state)
{
	/* A fuzzer hands over bytes and a length, with nothing after them. */
	static const char text[] = BASE "garbage";
	size_t len = strlen(BASE);
	char *buf = malloc(len);
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	assert_non_null(buf);
	memcpy(buf, text, len);
	assert_int_equal(cfg_parse_string("raw", buf, len, &cfg, &d), 0);
	assert_int_equal(d.count, 0);
	assert_int_equal(cfg.nbackends, 1);
	free(buf);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_embedded_nul(void **state)
{
	static const char text[] = BASE "listen x\n\tbind :81\0oops\n\tserver s 10.0.0.2\n";
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	assert_int_equal(cfg_parse_string("nul", text, sizeof(text) - 1, &cfg, &d), -1);
	assert_int_equal(d.nerrors, 2);
	check_diag(&d, CFG_ERROR, 7, "NUL byte in line");
	/* The line is lost, so the listen has no bind: reported at its header. */
	check_diag(&d, CFG_ERROR, 6, "has no bind address");
	cfg_diags_free(&d);
}

static void test_line_too_long(void **state)
{
	size_t base = strlen(BASE), pad = 4097;
	char *text = malloc(base + pad + 64);
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	assert_non_null(text);
	memcpy(text, BASE, base);
	memset(text + base, '#', pad);
	strcpy(text + base + pad, "\n# fine\n");
	assert_int_equal(parse(text, &cfg, &d), -1);
	assert_int_equal(d.nerrors, 1);
	check_diag(&d, CFG_ERROR, 6, "line too long (4097 bytes, max 4096)");
	cfg_diags_free(&d);
	/* Exactly 4096 bytes is fine. */
	text[base + 4096] = '\n';
	assert_int_equal(parse(text, &cfg, &d), 0);
	cfg_free(&cfg);
	cfg_diags_free(&d);
	free(text);
}

static void test_too_many_args(void **state)
{
	char text[1024];
	size_t n;
	int i;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "%s\thttp-request set-header", BASE);
	for (i = 0; i < 62; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " a");
	snprintf(text + n, sizeof(text) - n, "\n");
	/* 64 arguments: accepted (and ignored with a warning). */
	expect_warning(text, 6, "'http-request set-header' ignored");
	text[n] = '\0';
	snprintf(text + n, sizeof(text) - n, " a\n");
	expect_error(text, 6, "too many arguments on one line (max 64)");
}

static void check_time(const char *value, uint32_t ms)
{
	char text[512];
	struct rpilb_config cfg;
	struct cfg_diags d;

	snprintf(text, sizeof(text), "%s\ttimeout server %s\n", BASE, value);
	parse_ok(text, &cfg, &d);
	assert_int_equal(cfg.backends[0].timeout_server_ms, ms);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_time_units(void **state)
{
	(void)state;
	check_time("5000", 5000);
	check_time("0", 0);
	check_time("1500us", 2);
	check_time("1000us", 1);
	check_time("1us", 1);
	check_time("250ms", 250);
	check_time("30s", 30000);
	check_time("2m", 120000);
	check_time("3h", 10800000);
	check_time("1d", 86400000);
	check_time("24d", 2073600000);
	check_time("2147483647", 2147483647);
}

static void test_time_errors(void **state)
{
	(void)state;
	expect_error(
		BASE "\ttimeout server 10x\n", 6,
		"'timeout server' expects a time (a number with an optional unit us, ms, s, m, h or d), not '10x'");
	expect_error(BASE "\ttimeout server s\n", 6, "expects a time");
	expect_error(BASE "\ttimeout server 1.5s\n", 6, "expects a time");
	expect_error(BASE "\ttimeout server 10S\n", 6, "expects a time");
	expect_error(BASE "\ttimeout server 25d\n", 6, "time '25d' is too large");
	expect_error(BASE "\ttimeout server 2147483648\n", 6, "is too large");
	expect_error(BASE "\ttimeout server 99999999999999999999999s\n", 6, "is too large");
	expect_error(BASE "\ttimeout server\n", 6, "'timeout server' is missing an argument");
	expect_error(BASE "\ttimeout server 1s 2s\n", 6,
		     "'timeout server' has an unexpected argument '2s'");
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_comments_and_blanks),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_quote_errors),
		cmocka_unit_test(test_empty_argument),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_too_many_args),
		cmocka_unit_test(test_time_units),
		cmocka_unit_test(test_time_errors),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("lines and tokens", g0, NULL, NULL);
	return failed ? 1 : 0;
}
