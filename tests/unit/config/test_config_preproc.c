// SPDX-License-Identifier: GPL-2.0-only
/*
 * HAProxy's preprocessor in the lexer (lex.c, env.c, kw_env.c, cond.c,
 * preproc.c): quoting, "$VAR" expansion, the setenv family, conditional
 * blocks and message directives. The parser copies environ when a parse
 * starts, so tests set variables with setenv() first.
 */
#include "cfgtest.h"

/* The first server's address of a BASE_FE file whose backend line is s. */
static void expect_server(const char *text, const char *name, uint16_t port)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	parse_ok(text, &cfg, &d);
	assert_int_equal(cfg.nbackends, 1);
	assert_string_equal(cfg.backends[0].servers[0].name, name);
	assert_int_equal(cfg.backends[0].servers[0].port, port);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_expansion(void **state)
{
	(void)state;
	setenv("T_PORT", "8123", 1);
	unsetenv("T_NONE");
	expect_server(BASE_FE "backend b\n\tserver s1 \"10.0.0.1:$T_PORT\"\n", "s1", 8123);
	expect_server(BASE_FE "backend b\n\tserver s1 \"10.0.0.1:${T_PORT}\"\n", "s1", 8123);
	expect_server(BASE_FE "backend b\n\tserver s1 \"10.0.0.1:${T_NONE-8001}\"\n", "s1", 8001);
	expect_server(BASE_FE "backend b\n\tserver s1 \"10.0.0.1:${T_PORT-1}\"\n", "s1", 8123);
	/* Single quotes and a backslash keep the dollar; undefined is empty. */
	expect_server(BASE_FE "backend b\n\tserver \"s${T_NONE}1\" 10.0.0.1:8002\n", "s1", 8002);
	expect_error(BASE_FE "backend b\n\tserver s1 '10.0.0.1:$T_PORT'\n", 5, "");
	expect_error(BASE_FE "backend b\n\tserver s1 \"10.0.0.1:\\$T_PORT\"\n", 5, "");
	expect_error(BASE_FE "backend b\n\tserver s1 \"${T_PORT[*]}\"\n", 5, "word splitting");
	expect_error(BASE_FE "backend b\n\tserver s1 \"${T_PORT\"\n", 5, "unmatched brace");
}

static void test_builtins(void **state)
{
	(void)state;
	expect_server(BASE_FE "backend b\n\tserver \"s${.LINE}\" 10.0.0.1:1\n", "s5", 1);
	expect_server(BASE_FE "backend b\n\tserver \"${.SECTION}\" 10.0.0.1:1\n", "b", 1);
	expect_clean(".if strneq(\"$HAPROXY_BRANCH\",3.2) || !defined(HAPROXY_LOCALPEER)\n"
		     ".alert wrong\n.endif\n"
		     ".if !streq(\"$HAPROXY_STARTUP_VERSION\",3.2.0) || "
		     "!streq(\"$HAPROXY_CFGFILES\",test.cfg) || !streq(\"${.FILE}\",test.cfg)\n"
		     ".alert wrong\n.endif\n" BASE);
}

static void test_escapes(void **state)
{
	(void)state;
	/* \x41 is 'A'; \  a blank inside a word. */
	expect_server(BASE_FE "backend b\n\tserver \\x41 10.0.0.1:1\n", "A", 1);
	expect_clean(".if streq(\"a\\ b\",'a b')\n" BASE ".else\n.alert no\n.endif\n");
	expect_clean(".if !streq('$X',\"\\$X\")\n.alert no\n.endif\n" BASE);
	expect_warning(BASE "listen stats\n\tbind :1936\n\tstats realm x \"\" y\n", 8,
		       "argument 4 is empty");
}

static void test_setenv_family(void **state)
{
	(void)state;
	setenv("T_PRE", "7001", 1);
	expect_server("global\n\tsetenv T_A 7000\n\tsetenv T_A 7002\n" BASE_FE
		      "backend b\n\tserver s1 \"10.0.0.1:$T_A\"\n",
		      "s1", 7002);
	/* presetenv does not override what the process had. */
	expect_server(
		"global\n\tpresetenv T_PRE 1\n\tpresetenv T_NEW 7003\n" BASE_FE
		"backend b\n\tserver s1 \"10.0.0.1:$T_PRE\"\n\tserver s2 \"10.0.0.2:$T_NEW\"\n",
		"s1", 7001);
	expect_server("global\n\tunsetenv T_PRE\n" BASE_FE
		      "backend b\n\tserver s1 \"10.0.0.1:${T_PRE-7004}\"\n",
		      "s1", 7004);
	expect_server(
		"global\n\tsetenv T_K 7005\n\tresetenv T_K\n" BASE_FE
		"backend b\n\tserver s1 \"10.0.0.1:${T_PRE-7006}\"\n\tserver s2 \"10.0.0.1:$T_K\"\n",
		"s1", 7006); /* resetenv kept T_K only */
	/* The process environment is never changed. */
	assert_null(getenv("T_A"));
	assert_string_equal(getenv("T_PRE"), "7001");
}

static void test_conditions(void **state)
{
	(void)state;
	unsetenv("T_NONE");
	setenv("T_SET", "x", 1);
	expect_clean(".if defined(T_NONE) || feature(QUIC) || feature(OPENSSL) || !feature(EPOLL)\n"
		     ".alert a\n.endif\n"
		     ".if !defined(T_SET) || !streq(x,x) || strneq(a,a) || !strstr(abc,b)\n"
		     ".alert b\n.endif\n"
		     ".if !version_atleast(3.2) || version_atleast(3.3) || version_before(3.2)\n"
		     ".alert c\n.endif\n"
		     ".if !version_before(3.10) || openssl_version_atleast(1.0) || "
		     "openssl_version_before(9.0)\n.alert d\n.endif\n"
		     ".if !enabled(EPOLL) || enabled(KQUEUE) || 0 || !(1 && 2) || (1 && 0)\n"
		     ".alert e\n.endif\n"
		     ".if\n.alert empty-is-false\n.endif\n" BASE);
}

static void test_nesting(void **state)
{
	(void)state;
	expect_server(".if 0\n.alert a\n.elif 0\n.alert b\n.elif 1\n"
		      ".if 1\n.if 0\n.alert c\n.else\n" BASE_FE
		      "backend b\n\tserver yes 10.0.0.1:1\n.endif\n.endif\n"
		      ".elif 1\n.alert d\n.else\n.alert e\n.endif\n",
		      "yes", 1);
	/* Inside a block not taken, nothing is evaluated, not even bad conditions. */
	expect_clean(".if 0\n.if nosuch(x)\n\"unterminated\n.elif 1\n.alert x\n.endif\n"
		     ".elif 0\n.else\n" BASE ".endif\n");
	expect_warning(".warning careful \"$T_SET\"\n" BASE, 1, "careful x");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error(BASE ".if 1\n\tbalance roundrobin\n", 6, "'.if' is never closed");
	expect_error(BASE ".else\n", 6, "'.else' without a matching '.if'");
	expect_error(BASE ".endif\n", 6, "'.endif' without a matching '.if'");
	expect_error(BASE ".if 1\n.else\n.elif 1\n.endif\n", 8, "'.elif' after '.else'");
	expect_error(BASE ".if 1\n.else x\n.endif\n", 7, "takes no argument");
	expect_error(BASE ".if nosuch(x)\n.endif\n", 6, "unknown condition 'nosuch'");
	expect_error(BASE ".if 0\n.elif bogus\n.endif\n", 7, "unknown condition 'bogus'");
	expect_error(BASE ".if streq(a)\n.endif\n", 6, "'streq' takes 2 arguments");
	expect_error(BASE ".if (1\n.endif\n", 6, "missing ')'");
	expect_error(BASE ".if 1 1\n.endif\n", 6, "unexpected text");
	/* .alert stops the read: the bad line after it is never seen. */
	expect_error(BASE ".alert stop here\nnonsense\n", 6, "stop here");
}

static void test_deep_nesting(void **state)
{
	char *text = malloc(8 * 200 + 64);
	size_t n = 0;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		n += (size_t)sprintf(text + n, ".if 1\n");
	expect_error(text, 100, "too many nested '.if' (max 99)");
	free(text);
}

static void test_long_expansion(void **state)
{
	char *big = malloc(5000), *text = malloc(8192);
	size_t i;

	(void)state;
	for (i = 0; i < 4999; i++)
		big[i] = 'a';
	big[i] = '\0';
	setenv("T_BIG", big, 1);
	snprintf(text, 8192,
		 BASE "listen stats\n\tbind :1936\n\tstats realm "
		      "\"$T_BIG$T_BIG$T_BIG$T_BIG$T_BIG\"\n");
	expect_error(text, 8, "line too long once its variables are expanded");
	free(big);
	free(text);
	unsetenv("T_BIG");
}

static void test_real_file(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	char path[512];

	(void)state;
	unsetenv("PORT");
	unsetenv("BACKEND");
	unsetenv("RPILB_TEST_NO_THIRD");
	if (cfg_parse_file(data_path("preproc-real.cfg", path, sizeof(path)), &cfg, &d) ||
	    d.nerrors) {
		dump_diags(&d);
		fail_msg("parse failed");
	}
	assert_int_equal(cfg.nfrontends, 1);
	assert_string_equal(cfg.frontends[0].name, "web");
	assert_int_equal(cfg.frontends[0].nbinds, 1);
	assert_int_equal(cfg.frontends[0].binds[0].port, 80);
	assert_int_equal(cfg.nbackends, 1);
	assert_string_equal(cfg.backends[0].name, "pis");
	assert_int_equal(cfg.backends[0].nservers, 3);
	assert_string_equal(cfg.backends[0].servers[2].name, "pi03");
	assert_string_equal(cfg.backends[0].servers[2].host, "10.0.0.3");
	assert_int_equal(cfg.backends[0].servers[2].port, 8000);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expansion),      cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_escapes),	       cmocka_unit_test(test_setenv_family),
		cmocka_unit_test(test_conditions),     cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_errors),	       cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_long_expansion), cmocka_unit_test(test_real_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
