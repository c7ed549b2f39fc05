// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the HAProxy-syntax configuration parser (user/config/config.c).
 *
 * Most tests parse a short text and assert the model or the diagnostics
 * exactly: an error test expects exactly one error, at its line, so a
 * cascade of follow-up errors fails the test as surely as a missing one.
 * Files live in tests/unit/data (or $RPILB_TEST_DATA); run from the repo root.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A minimal valid configuration, lines 1-5; tests append to it. */
#define BASE_FE "frontend f\n\tbind *:80\n\tdefault_backend b\n"
#define BASE_BE "backend b\n\tserver s1 10.0.0.1:8000\n"
#define BASE	BASE_FE BASE_BE

static const char *data_path(const char *file, char *buf, size_t len)
{
	const char *dir = getenv("RPILB_TEST_DATA");

	snprintf(buf, len, "%s/%s", dir && *dir ? dir : "tests/unit/data", file);
	return buf;
}

static void dump_diags(const struct cfg_diags *d)
{
	char buf[512];
	size_t i;

	for (i = 0; i < d->count; i++) {
		cfg_diag_format(d, &d->items[i], buf, sizeof(buf));
		print_message("  %s\n", buf);
	}
}

static size_t count_sev(const struct cfg_diags *d, enum cfg_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < d->count; i++)
		n += d->items[i].severity == sev;
	return n;
}

static const struct cfg_diag *find_diag(const struct cfg_diags *d, enum cfg_severity sev,
					unsigned int line, const char *sub)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		const struct cfg_diag *x = &d->items[i];

		if (x->severity == sev && x->line == line && strstr(x->msg, sub))
			return x;
	}
	return NULL;
}

static void check_diag(const struct cfg_diags *d, enum cfg_severity sev, unsigned int line,
		       const char *sub)
{
	if (!find_diag(d, sev, line, sub)) {
		dump_diags(d);
		fail_msg("no %s at line %u containing \"%s\"",
			 sev == CFG_ERROR ? "error" : "warning", line, sub);
	}
}

static int parse(const char *text, struct rpilb_config *cfg, struct cfg_diags *d)
{
	return cfg_parse_string("test.cfg", text, strlen(text), cfg, d);
}

/* Parse text that must succeed; the caller frees. */
static void parse_ok(const char *text, struct rpilb_config *cfg, struct cfg_diags *d)
{
	if (parse(text, cfg, d) != 0 || d->nerrors) {
		dump_diags(d);
		fail_msg("parse failed");
	}
}

/* Exactly one error, at line, containing sub; the model is left freed. */
static void expect_error(const char *text, unsigned int line, const char *sub)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	int rc = parse(text, &cfg, &d);

	if (rc != -1 || d.nerrors != 1) {
		dump_diags(&d);
		fail_msg("expected exactly one error, rc %d, %zu errors", rc, d.nerrors);
	}
	check_diag(&d, CFG_ERROR, line, sub);
	assert_null(cfg.frontends);
	assert_null(cfg.backends);
	assert_int_equal(cfg.nfrontends, 0);
	cfg_diags_free(&d);
}

/* No error and exactly one diagnostic: a warning at line containing sub. */
static void expect_warning(const char *text, unsigned int line, const char *sub)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	parse_ok(text, &cfg, &d);
	if (d.count != 1) {
		dump_diags(&d);
		fail_msg("expected exactly one warning, got %zu diagnostics", d.count);
	}
	check_diag(&d, CFG_WARNING, line, sub);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

/* No diagnostics at all. */
static void expect_clean(const char *text)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	parse_ok(text, &cfg, &d);
	if (d.count) {
		dump_diags(&d);
		fail_msg("expected no diagnostics");
	}
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

static void assert_addr(struct in_addr a, const char *dotted)
{
	char buf[INET_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET, &a, buf, sizeof(buf)));
	assert_string_equal(buf, dotted);
}

/* ---- the seed tutorial's file ---- */

struct seed {
	struct rpilb_config cfg;
	struct cfg_diags d;
};

static int seed_setup(void **state)
{
	struct seed *s = calloc(1, sizeof(*s));
	char path[512];

	if (!s)
		return -1;
	if (cfg_parse_file(data_path("seed-haproxy.cfg", path, sizeof(path)), &s->cfg, &s->d)) {
		dump_diags(&s->d);
		cfg_diags_free(&s->d);
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int seed_teardown(void **state)
{
	struct seed *s = *state;

	/* cmocka may call this after a failed setup. */
	if (!s)
		return 0;
	cfg_free(&s->cfg);
	cfg_diags_free(&s->d);
	free(s);
	return 0;
}

static void test_seed_no_errors(void **state)
{
	struct seed *s = *state;

	assert_int_equal(s->d.nerrors, 0);
	assert_int_equal(count_sev(&s->d, CFG_ERROR), 0);
}

static void test_seed_frontend(void **state)
{
	struct seed *s = *state;
	const struct cfg_frontend *fe = &s->cfg.frontends[0];

	assert_int_equal(s->cfg.nfrontends, 1);
	assert_string_equal(fe->name, "raspberrypinodes");
	assert_int_equal(fe->nbinds, 1);
	assert_addr(fe->binds[0].addr, "0.0.0.0");
	assert_int_equal(fe->binds[0].port, 80);
	assert_int_equal(fe->binds[0].line, 37);
	assert_string_equal(fe->default_backend, "nodes");
	assert_int_equal(fe->backend, 0);
	assert_int_equal(fe->timeout_client_ms, 50000);
	assert_int_equal(fe->line, 36);
	assert_int_equal(cfg_flow_idle_ms(&s->cfg, fe), 50000);
}

static void test_seed_backend(void **state)
{
	static const char *const names[] = { "raspberrypi01", "raspberrypi02", "raspberrypi03" };
	static const char *const addrs[] = { "192.168.1.101", "192.168.1.102", "192.168.1.103" };
	struct seed *s = *state;
	const struct cfg_backend *be = &s->cfg.backends[0];
	size_t i;

	assert_int_equal(s->cfg.nbackends, 1);
	assert_string_equal(be->name, "nodes");
	assert_int_equal(be->line, 41);
	assert_int_equal(be->balance, CFG_BALANCE_ROUNDROBIN);
	assert_int_equal(be->timeout_server_ms, 50000);
	assert_int_equal(be->timeout_connect_ms, 5000);
	assert_int_equal(be->timeout_check_ms, 0);
	assert_int_equal(be->nservers, 3);
	for (i = 0; i < 3; i++) {
		const struct cfg_server *sv = &be->servers[i];

		assert_string_equal(sv->name, names[i]);
		assert_string_equal(sv->host, addrs[i]);
		assert_addr(sv->addr, addrs[i]);
		assert_int_equal(sv->port, 8000);
		assert_int_equal(sv->line, 48 + i);
		assert_true(sv->opts.check);
		assert_false(sv->opts.disabled);
		assert_int_equal(sv->opts.inter_ms, 2000);
		assert_int_equal(sv->opts.fastinter_ms, 2000);
		assert_int_equal(sv->opts.downinter_ms, 2000);
		assert_int_equal(sv->opts.rise, 2);
		assert_int_equal(sv->opts.fall, 3);
		assert_int_equal(sv->opts.weight, 1);
		assert_int_equal(sv->opts.check_port, 0);
	}
	assert_ptr_equal(cfg_find_backend(&s->cfg, "nodes"), be);
	assert_ptr_equal(cfg_find_server(be, "raspberrypi02"), &be->servers[1]);
	assert_null(cfg_find_server(be, "raspberrypi04"));
}

static void test_seed_http_check(void **state)
{
	struct seed *s = *state;
	const struct cfg_backend *be = &s->cfg.backends[0];

	assert_int_equal(be->check_kind, CFG_CHECK_HTTP);
	assert_string_equal(be->http.method, "HEAD");
	assert_string_equal(be->http.uri, "/");
	assert_string_equal(be->http.version, "HTTP/1.1");
	assert_string_equal(be->http.headers, "Host:localhost\r\n");
	assert_int_equal(be->http.expect, CFG_EXPECT_2XX_3XX);
	assert_string_equal(be->http.expect_arg, "");
}

static void test_seed_stats(void **state)
{
	struct seed *s = *state;
	const struct cfg_stats *st = &s->cfg.stats;

	assert_true(st->enabled);
	assert_addr(st->addr, "0.0.0.0");
	assert_int_equal(st->port, 1936);
	assert_string_equal(st->uri, "/");
	assert_int_equal(st->nusers, 1);
	assert_string_equal(st->users[0].user, "someuser");
	assert_string_equal(st->users[0].password, "password");
	assert_true(st->hide_version);
	assert_int_equal(st->refresh_s, 0);
	assert_string_equal(st->realm, "rpilb Statistics");
	assert_int_equal(st->line, 52);
}

static void test_seed_rpilb_defaults(void **state)
{
	struct seed *s = *state;
	const struct cfg_rpilb *r = &s->cfg.rpilb;

	assert_string_equal(r->interface, "");
	assert_int_equal(r->mode, CFG_ATTACH_AUTO);
	assert_int_equal(r->flow_table_size, CFG_DEFAULT_FLOW_TABLE);
	assert_int_equal(r->nat_port_lo, CFG_DEFAULT_NAT_PORT_LO);
	assert_int_equal(r->nat_port_hi, CFG_DEFAULT_NAT_PORT_HI);
	assert_string_equal(r->state_dir, CFG_DEFAULT_STATE_DIR);
	assert_string_equal(r->socket_path, CFG_DEFAULT_SOCKET);
	/* "" stands for the default pin directory, /sys/fs/bpf/rpilb. */
	assert_string_equal(r->pin_dir, "");
	assert_int_equal(r->socket_mode, 0600);
	assert_string_equal(r->socket_group, "");
}

static void test_seed_warnings(void **state)
{
	static const struct {
		unsigned int line;
		const char *text;
	} want[] = {
		{ 2, "'log' ignored: " },
		{ 3, "'log' ignored: " },
		{ 4, "'chroot' ignored: " },
		{ 5, "'stats socket' ignored: " },
		{ 6, "'stats timeout' ignored: " },
		{ 7, "'user' ignored: " },
		{ 8, "'group' ignored: " },
		{ 9, "'daemon' ignored: " },
		{ 12, "'ca-base' ignored: " },
		{ 13, "'crt-base' ignored: " },
		{ 16, "'ssl-default-bind-ciphers' ignored: " },
		{ 17, "'ssl-default-bind-ciphersuites' ignored: " },
		{ 18, "'ssl-default-bind-options' ignored: " },
		{ 21, "'log' ignored: " },
		{ 22, "'mode http' ignored: " },
		{ 23, "'option httplog' ignored: " },
		{ 24, "'option dontlognull' ignored: " },
		{ 28, "'errorfile' ignored: " },
		{ 29, "'errorfile' ignored: " },
		{ 30, "'errorfile' ignored: " },
		{ 31, "'errorfile' ignored: " },
		{ 32, "'errorfile' ignored: " },
		{ 33, "'errorfile' ignored: " },
		{ 34, "'errorfile' ignored: " },
		{ 38, "'mode http' ignored: " },
		{ 42, "'mode http' ignored: " },
		{ 44,
		  "'option forwardfor' ignored: rpilb forwards TCP at layer 4 and cannot add X-Forwarded-For; backends see the balancer's address" },
		{ 45, "'http-request set-header' ignored: " },
		{ 46, "'http-request add-header' ignored: " },
		{ 52, "HAProxy 1.x syntax" },
	};
	struct seed *s = *state;
	size_t i;

	if (s->d.count != ARRAY_SIZE(want))
		dump_diags(&s->d);
	assert_int_equal(s->d.count, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		const struct cfg_diag *x = &s->d.items[i];

		assert_int_equal(x->severity, CFG_WARNING);
		assert_int_equal(x->line, want[i].line);
		if (!strstr(x->msg, want[i].text))
			fail_msg("line %u: \"%s\" lacks \"%s\"", x->line, x->msg, want[i].text);
		/* A warning that fills the buffer was probably cut short. */
		assert_true(strlen(x->msg) < sizeof(x->msg) - 1);
	}
}

static void test_seed_diag_format(void **state)
{
	struct seed *s = *state;
	char path[512], want[1024], buf[1024];
	int n;

	data_path("seed-haproxy.cfg", path, sizeof(path));
	snprintf(want, sizeof(want), "%s:44: warning: 'option forwardfor' ignored: ", path);
	n = cfg_diag_format(&s->d, &s->d.items[26], buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_memory_equal(buf, want, strlen(want));
}

/* The seed with the stats address moved to a bind line, as HAProxy 2.x wants it. */
static void test_seed_stats_bind_form(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok(BASE "listen stats\n"
		      "\tbind *:1936\n"
		      "\tstats enable\n"
		      "\tstats uri /\n"
		      "\tstats hide-version\n"
		      "\tstats auth someuser:password\n",
		 &cfg, &d);
	assert_int_equal(d.count, 0);
	assert_true(cfg.stats.enabled);
	assert_addr(cfg.stats.addr, "0.0.0.0");
	assert_int_equal(cfg.stats.port, 1936);
	assert_int_equal(cfg.stats.line, 6);
	assert_int_equal(cfg.nfrontends, 1);
	assert_int_equal(cfg.nbackends, 1);
	assert_null(cfg_find_backend(&cfg, "stats"));
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

/* The example docs/config.md shows: no diagnostics at all. */
static void test_example_file(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	char path[512];

	(void)state;
	if (cfg_parse_file(data_path("rpilb-example.cfg", path, sizeof(path)), &cfg, &d) ||
	    d.count) {
		dump_diags(&d);
		fail_msg("the example is not clean");
	}
	assert_string_equal(cfg.rpilb.interface, "eth0");
	assert_int_equal(cfg.rpilb.socket_mode, 0660);
	assert_int_equal(cfg.backends[0].servers[2].opts.weight, 2);
	assert_true(cfg.backends[0].servers[0].opts.check);
	assert_string_equal(cfg.backends[0].http.headers, "Host: localhost\r\n");
	assert_int_equal(cfg.backends[0].http.expect, CFG_EXPECT_STATUS);
	assert_int_equal(cfg.stats.refresh_s, 5);
	cfg_free(&cfg);
	cfg_diags_free(&d);
}

/* ---- lines and tokens ---- */

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
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats uri \"\"\n", 8,
		     "'stats uri' must start with '/', not ''");
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

/* ---- sections ---- */

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

/* ---- defaults ---- */

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
		 "backend b\n\tserver s1 10.0.0.1\n\tserver s2 10.0.0.2 no-check weight 2\n",
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
	parse_ok("defaults\n\toption httpchk\n\thttp-check expect status 204\n"
		 "\thttp-check send hdr X-From defaults\n" BASE "\thttp-check send uri /own\n"
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

/* ---- bind ---- */

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
	expect_error(BASE_FE "\tbind :81-85\n" BASE_BE, 4, "port ranges are not supported");
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
	parse_ok(BASE_FE
		 "\tbind :443 ssl crt /etc/ssl/x.pem alpn h2 name web accept-proxy\n" BASE_BE,
		 &cfg, &d);
	assert_int_equal(d.count, 5);
	check_diag(
		&d, CFG_WARNING, 4,
		"bind option 'ssl' ignored: rpilb forwards TCP at layer 4 and does not terminate TLS");
	check_diag(&d, CFG_WARNING, 4, "bind option 'crt' ignored");
	check_diag(&d, CFG_WARNING, 4, "bind option 'alpn' ignored");
	check_diag(&d, CFG_WARNING, 4, "bind option 'name' ignored");
	check_diag(&d, CFG_WARNING, 4, "bind option 'accept-proxy' ignored");
	assert_int_equal(cfg.frontends[0].binds[1].port, 443);
	cfg_free(&cfg);
	cfg_diags_free(&d);
	expect_error(BASE_FE "\tbind :443 sparkle\n" BASE_BE, 4, "unknown bind option 'sparkle'");
	expect_error(BASE_FE "\tbind :443 crt\n" BASE_BE, 4, "bind option 'crt' needs a value");
}

static void test_bind_limits(void **state)
{
	char text[8192];
	size_t n;
	int i;

	(void)state;
	n = (size_t)snprintf(text, sizeof(text), "frontend f\n\tdefault_backend b\n");
	for (i = 0; i < 9; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\tbind :%d\n", 1000 + i);
	snprintf(text + n, sizeof(text) - n, "%s", BASE_BE);
	expect_error(text, 11, "too many bind addresses in frontend 'f' (max 8)");

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

static void test_content_switching_refused(void **state)
{
	(void)state;
	expect_error(BASE_FE "\tuse_backend b if { path_beg /api }\n" BASE_BE, 4,
		     "'use_backend' is not supported: choosing by request content needs layer 7");
	expect_error(BASE_FE "\ttcp-request connection reject if { src 10.0.0.0/8 }\n" BASE_BE, 4,
		     "'tcp-request' is not supported");
	expect_error(BASE_FE "\thttp-request deny if { path /admin }\n" BASE_BE, 4,
		     "'http-request deny' is not supported");
}

/* ---- servers ---- */

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
		 "\tserver b 10.0.0.2 check inter 3s disabled enabled\n",
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
	assert_int_equal(s->port, 0);
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
	expect_error(BASE "\tserver s2 10.0.0.2:+1\n", 6, "port offsets (+N/-N) are not supported");
	expect_error(BASE "\tserver s2 0.0.0.0:80\n", 6, "0.0.0.0 cannot be connected to");
	expect_error(BASE "\tserver s2 10.0.0.2:\n", 6, "bad port ''");
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
			 "\tserver b 10.0.0.2\n"
			 "\tserver c 10.0.0.3 inter 8s\n",
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

/* ---- health checks ---- */

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
	expect_error(
		BASE "\toption ssl-hello-chk\n", 6,
		"'option ssl-hello-chk' is not supported: rpilb checks servers with a TCP connect");
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
	expect_error(BASE "\toption httpchk\n\thttp-check send body x\n", 7,
		     "'http-check send body' is not supported");
	expect_error(BASE "\toption httpchk\n\thttp-check send verb GET\n", 7,
		     "unknown 'http-check send' parameter 'verb'");
	expect_error(BASE "\toption httpchk\n\thttp-check send hdr \"A B\" c\n", 7,
		     "bad header name 'A B'");
	expect_error(BASE "\toption httpchk\n\thttp-check send uri /a\n\thttp-check send uri /b\n",
		     8, "only one 'http-check send' per backend is supported");
	expect_error(BASE "\toption httpchk\n\thttp-check connect\n", 7,
		     "'http-check connect' is not supported");
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
		     "bad regular expression '^(2' in 'http-check expect rstatus'");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status 2000\n", 7,
		     "bad status list '2000'");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status 399-200\n", 7,
		     "bad status list");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status 200,\n", 7,
		     "bad status list");
	expect_error(BASE "\toption httpchk\n\thttp-check expect string OK\n", 7,
		     "'http-check expect string' is not supported: only 'status' and 'rstatus'");
	expect_error(BASE "\toption httpchk\n\thttp-check expect ! status 500\n", 7,
		     "negated 'http-check expect' is not supported");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status\n", 7,
		     "'http-check expect status' needs a value");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status 200 300\n", 7,
		     "unexpected argument '300'");
	expect_error(BASE "\toption httpchk\n\thttp-check expect status 200\n"
			  "\thttp-check expect status 204\n",
		     8, "only one 'http-check expect' per backend");
}

static void test_http_check_without_httpchk(void **state)
{
	(void)state;
	expect_warning(BASE "\thttp-check expect status 200\n", 6,
		       "'http-check' rules have no effect without 'option httpchk'");
	expect_warning(BASE "\thttp-check disable-on-404\n", 6,
		       "'http-check disable-on-404' ignored");
}

/* ---- timeouts ---- */

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
	expect_warning(BASE "\ttimeout tunnel 1h\n", 6,
		       "'timeout tunnel' ignored: a flow's idle timeout");
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

/* ---- stats ---- */

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
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats enable\n\tserver x 10.0.0.2\n", 6,
		     "stats page 'stats' cannot also have servers");
	expect_error(BASE "listen stats\n\tbind :1936\n\tstats enable\n\tdefault_backend b\n", 9,
		     "stats page 'stats' cannot also forward to a default_backend");
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

/* ---- directives accepted with a warning or refused ---- */

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

static void test_negated_options_silent(void **state)
{
	(void)state;
	expect_clean(BASE "\tno option forwardfor\n\tno option httplog\n\tno log\n"
			  "\tno option ssl-hello-chk\n");
	expect_error(BASE "\tno balance\n", 6, "'no' only negates an option here");
	expect_error(BASE "\tno option sparkle\n", 6,
		     "unknown keyword 'no option sparkle' in 'backend' section");
}

static void test_mode(void **state)
{
	(void)state;
	expect_clean(BASE "\tmode tcp\n");
	expect_error(BASE "\tmode health\n", 6, "'mode health' is not supported");
	expect_error(BASE "\tmode udp\n", 6, "unknown mode 'udp' (expected tcp or http)");
	expect_error(BASE "\tmode\n", 6, "'mode' is missing an argument (usage: mode tcp|http)");
}

/* ---- rpilb section ---- */

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

/* ---- the API around the parser ---- */

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
	const struct CMUnitTest seed_tests[] = {
		cmocka_unit_test(test_seed_no_errors), cmocka_unit_test(test_seed_frontend),
		cmocka_unit_test(test_seed_backend),   cmocka_unit_test(test_seed_http_check),
		cmocka_unit_test(test_seed_stats),     cmocka_unit_test(test_seed_rpilb_defaults),
		cmocka_unit_test(test_seed_warnings),  cmocka_unit_test(test_seed_diag_format),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_stats_bind_form),
		cmocka_unit_test(test_example_file),
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
		cmocka_unit_test(test_defaults_inheritance),
		cmocka_unit_test(test_defaults_most_recent),
		cmocka_unit_test(test_named_defaults),
		cmocka_unit_test(test_defaults_warns_once),
		cmocka_unit_test(test_http_check_rules_replace_inherited),
		cmocka_unit_test(test_bind_forms),
		cmocka_unit_test(test_bind_ipv6),
		cmocka_unit_test(test_bind_errors),
		cmocka_unit_test(test_bind_duplicate),
		cmocka_unit_test(test_bind_options),
		cmocka_unit_test(test_bind_limits),
		cmocka_unit_test(test_content_switching_refused),
		cmocka_unit_test(test_server_params),
		cmocka_unit_test(test_server_host_name),
		cmocka_unit_test(test_server_errors),
		cmocka_unit_test(test_server_warnings),
		cmocka_unit_test(test_default_server),
		cmocka_unit_test(test_server_limit),
		cmocka_unit_test(test_backend_limit),
		cmocka_unit_test(test_weight_slots),
		cmocka_unit_test(test_balance),
		cmocka_unit_test(test_option_httpchk_forms),
		cmocka_unit_test(test_option_httpchk_errors),
		cmocka_unit_test(test_check_kind_toggles),
		cmocka_unit_test(test_http_check_send),
		cmocka_unit_test(test_http_check_send_errors),
		cmocka_unit_test(test_http_check_expect),
		cmocka_unit_test(test_http_check_expect_errors),
		cmocka_unit_test(test_http_check_without_httpchk),
		cmocka_unit_test(test_time_units),
		cmocka_unit_test(test_time_errors),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_timeouts_ignored),
		cmocka_unit_test(test_flow_idle),
		cmocka_unit_test(test_stats_settings),
		cmocka_unit_test(test_stats_in_frontend),
		cmocka_unit_test(test_stats_users),
		cmocka_unit_test(test_stats_errors),
		cmocka_unit_test(test_stats_ignored),
		cmocka_unit_test(test_ignored_directives),
		cmocka_unit_test(test_global_ignored),
		cmocka_unit_test(test_negated_options_silent),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_rpilb_section),
		cmocka_unit_test(test_rpilb_errors),
		cmocka_unit_test(test_nat_ports_vs_binds),
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
	int failed;

	failed =
		cmocka_run_group_tests_name("seed tutorial", seed_tests, seed_setup, seed_teardown);
	failed += cmocka_run_group_tests_name("config parser", tests, NULL, NULL);
	return failed ? 1 : 0;
}
