// SPDX-License-Identifier: GPL-2.0-only
/*
 * The API around the parser: files, diagnostics, resolving names, and
 * the promises every parse keeps (every error collected, re-entrant,
 * bounded, printable).
 */
#include "cfgtest.h"

static void test_attach_modes(void **state)
{
	static const char *const names[] = { "auto", "xdp", "xdpgeneric", "tc" };
	enum cfg_attach_mode m;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		assert_int_equal(cfg_attach_mode_parse(names[i], &m), 0);
		assert_int_equal(m, (enum cfg_attach_mode)i);
		assert_string_equal(cfg_attach_mode_name(m), names[i]);
	}
	assert_int_equal(cfg_attach_mode_parse("XDP", &m), -1);
	assert_int_equal(cfg_attach_mode_parse("", &m), -1);
	assert_string_equal(cfg_attach_mode_name((enum cfg_attach_mode)42), "unknown");
}

static void test_find_helpers(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE, &cfg, &d);
	assert_ptr_equal(cfg_find_backend(&cfg, "b"), &cfg.backends[0]);
	assert_null(cfg_find_backend(&cfg, "f"));
	assert_null(cfg_find_backend(&cfg, NULL));
	assert_null(cfg_find_server(NULL, "s1"));
	assert_ptr_equal(cfg_find_server(&cfg.backends[0], "s1"), &cfg.backends[0].servers[0]);
	cfg_free(&cfg);
	cfg_diags_free(&d);
	/* cfg_free leaves an empty model, so freeing twice is harmless. */
	cfg_free(&cfg);
	assert_null(cfg_find_backend(&cfg, "b"));
}

static void test_diag_format(void **state)
{
	struct cfg_diags d = { .file = "x.cfg" };
	struct cfg_diag e = { .severity = CFG_ERROR, .line = 7, .msg = "boom" };
	struct cfg_diag w = { .severity = CFG_WARNING, .line = 0, .msg = "hmm" };
	char buf[64];

	(void)state;
	assert_int_equal(cfg_diag_format(&d, &e, buf, sizeof(buf)), 20);
	assert_string_equal(buf, "x.cfg:7: error: boom");
	cfg_diag_format(&d, &w, buf, sizeof(buf));
	assert_string_equal(buf, "x.cfg: warning: hmm");
	/* Truncation reports the full length, as snprintf. */
	assert_int_equal(cfg_diag_format(&d, &e, buf, 5), 20);
	assert_string_equal(buf, "x.cf");
}

static void test_parse_file_missing(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	assert_int_equal(cfg_parse_file("/nonexistent/rpilb.cfg", &cfg, &d), -1);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.file, "/nonexistent/rpilb.cfg");
	check_diag(&d, CFG_ERROR, 0, "cannot open: No such file or directory");
	assert_null(cfg.backends);
	cfg_diags_free(&d);
}

static void test_parse_file_unreadable(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	char path[512];

	(void)state;
	/* A directory opens but cannot be read. */
	data_path("", path, sizeof(path));
	assert_int_equal(cfg_parse_file(path, &cfg, &d), -1);
	assert_int_equal(d.nerrors, 1);
	check_diag(&d, CFG_ERROR, 0, "cannot read: Is a directory");
	cfg_diags_free(&d);
}

static void test_resolve(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE "\tserver s2 localhost:8001\n", &cfg, &d);
	assert_int_equal(cfg.backends[0].servers[1].addr.s_addr, 0);
	assert_int_equal(cfg_resolve(&cfg, &d), 0);
	assert_addr(cfg.backends[0].servers[0].addr, "10.0.0.1");
	assert_addr(cfg.backends[0].servers[1].addr, "127.0.0.1");
	assert_int_equal(d.nerrors, 0);
	cfg_free(&cfg);
	cfg_diags_free(&d);

	parse_ok(BASE "\tserver s2 nonexistent.invalid\n", &cfg, &d);
	assert_int_equal(cfg_resolve(&cfg, &d), -1);
	assert_int_equal(d.nerrors, 1);
	check_diag(&d, CFG_ERROR, 6, "server 's2': cannot resolve 'nonexistent.invalid'");
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_every_error_collected(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	size_t i;

	(void)state;
	assert_int_equal(parse("frontend f\n"
			       "\tbind :80\n"
			       "\tdefault_backend nope\n"
			       "\tsparkle\n"
			       "backend b\n"
			       "\tserver s1 10.0.0.1 weight 999\n"
			       "\tbalance first\n"
			       "\toption forwardfor\n"
			       "rpilb\n"
			       "\tattach magic\n",
			       &cfg, &d),
			 -1);
	assert_int_equal(d.nerrors, 5);
	assert_int_equal(d.count, 6);
	check_diag(&d, CFG_ERROR, 3, "default_backend 'nope' names no backend");
	check_diag(&d, CFG_ERROR, 4, "unknown keyword 'sparkle'");
	check_diag(&d, CFG_ERROR, 6, "'weight' expects an integer");
	check_diag(&d, CFG_ERROR, 7, "'balance first' is not supported");
	check_diag(&d, CFG_WARNING, 8, "'option forwardfor' ignored");
	check_diag(&d, CFG_ERROR, 10, "unknown attach mode 'magic'");
	/* Sorted by line, though the default_backend check runs at the end. */
	for (i = 1; i < d.count; i++)
		assert_true(d.items[i - 1].line <= d.items[i].line);
	assert_null(cfg.frontends);
	cfg_diags_free(&d);
}

static void test_empty_input(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	assert_int_equal(cfg_parse_string(NULL, NULL, 0, &cfg, &d), 0);
	/* Valid, and nothing to start: that is cfg_has_listener()'s to say, not a warning. */
	assert_int_equal(d.count, 0);
	assert_false(cfg_has_listener(&cfg));
	assert_string_equal(d.file, "<config>");
	assert_int_equal(cfg.rpilb.flow_table_size, CFG_DEFAULT_FLOW_TABLE);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void test_reentrant(void **state)
{
	struct rpilb_config a, b;
	struct cfg_diags da, db;

	(void)state;
	/* A failing parse must leave nothing behind for the next one. */
	assert_int_equal(parse("defaults\n\ttimeout server 9s\n" BASE "\tsparkle\n", &a, &da), -1);
	cfg_diags_free(&da);
	parse_ok(BASE, &a, &da);
	parse_ok(BASE, &b, &db);
	assert_int_equal(a.backends[0].timeout_server_ms, 0);
	assert_int_equal(a.nbackends, b.nbackends);
	assert_string_equal(a.backends[0].servers[0].name, b.backends[0].servers[0].name);
	assert_int_equal(da.count, db.count);
	cfg_free(&a);
	cfg_free(&b);
	cfg_diags_free(&da);
	cfg_diags_free(&db);
}

static void test_diag_cap(void **state)
{
	size_t lines = 2000, n = 0, len = lines * 8 + 1;
	char *text = malloc(len);
	struct rpilb_config cfg;
	struct cfg_diags d;
	size_t i;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < lines; i++)
		n += (size_t)snprintf(text + n, len - n, "bogus\n");
	assert_int_equal(parse(text, &cfg, &d), -1);
	/* Every error is counted; the list stops at 1000 with a note saying so. */
	assert_int_equal(d.nerrors, lines);
	assert_int_equal(d.count, 1000);
	check_diag(&d, CFG_WARNING, 0, "too many diagnostics: only the first 999 are listed");
	assert_int_equal(d.items[1].line, 1);
	assert_int_equal(d.items[999].line, 999);
	cfg_diags_free(&d);
	free(text);
}

static void test_hostile_bytes(void **state)
{
	static const char text[] = "frontend \x01\xff\n\tbind :80\n";
	struct rpilb_config cfg;
	struct cfg_diags d;
	size_t i;
	const unsigned char *c;

	(void)state;
	assert_int_equal(cfg_parse_string("x", text, sizeof(text) - 1, &cfg, &d), -1);
	/* Messages quote input; they must stay printable ASCII. */
	for (i = 0; i < d.count; i++) {
		for (c = (const unsigned char *)d.items[i].msg; *c; c++)
			assert_true(*c >= 0x20 && *c < 0x7f);
	}
	check_diag(&d, CFG_ERROR, 1, "frontend name '?\?' has a character outside");
	cfg_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_attach_modes),
		cmocka_unit_test(test_find_helpers),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_parse_file_missing),
		cmocka_unit_test(test_parse_file_unreadable),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_every_error_collected),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_reentrant),
		cmocka_unit_test(test_diag_cap),
		cmocka_unit_test(test_hostile_bytes),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("parser API", g0, NULL, NULL);
	return failed ? 1 : 0;
}
