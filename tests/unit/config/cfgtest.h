/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the configuration tests share: the minimal valid file they append
 * to, and the helpers that make each test one line of specification.
 * expect_error() wants exactly one error, at its line, so a cascade of
 * follow-up errors fails a test as surely as a missing one.
 *
 * Files live in tests/unit/data (or $RPILB_TEST_DATA); run from the repo
 * root. The helpers are static inline so that each test file takes only
 * those it uses.
 */
#ifndef RPILB_TEST_CFGTEST_H
#define RPILB_TEST_CFGTEST_H

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
#include "lib/util.h"

/* A minimal valid configuration, lines 1-5; tests append to it. */
#define BASE_FE "frontend f\n\tbind *:80\n\tdefault_backend b\n"
#define BASE_BE "backend b\n\tserver s1 10.0.0.1:8000\n"
#define BASE	BASE_FE BASE_BE

static inline const char *data_path(const char *file, char *buf, size_t len)
{
	const char *dir = getenv("RPILB_TEST_DATA");

	snprintf(buf, len, "%s/%s", dir && *dir ? dir : "tests/unit/data", file);
	return buf;
}

static inline void dump_diags(const struct cfg_diags *d)
{
	char buf[512];
	size_t i;

	for (i = 0; i < d->count; i++) {
		cfg_diag_format(d, &d->items[i], buf, sizeof(buf));
		print_message("  %s\n", buf);
	}
}

static inline size_t count_sev(const struct cfg_diags *d, enum cfg_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < d->count; i++)
		n += d->items[i].severity == sev;
	return n;
}

static inline const struct cfg_diag *find_diag(const struct cfg_diags *d, enum cfg_severity sev,
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

static inline void check_diag(const struct cfg_diags *d, enum cfg_severity sev, unsigned int line,
			      const char *sub)
{
	if (!find_diag(d, sev, line, sub)) {
		dump_diags(d);
		fail_msg("no %s at line %u containing \"%s\"",
			 sev == CFG_ERROR ? "error" : "warning", line, sub);
	}
}

static inline int parse(const char *text, struct rpilb_config *cfg, struct cfg_diags *d)
{
	return cfg_parse_string("test.cfg", text, strlen(text), cfg, d);
}

/* Parse text that must succeed; the caller frees. */
static inline void parse_ok(const char *text, struct rpilb_config *cfg, struct cfg_diags *d)
{
	if (parse(text, cfg, d) != 0 || d->nerrors) {
		dump_diags(d);
		fail_msg("parse failed");
	}
}

/* Exactly one error, at line, containing sub; the model is left freed. */
static inline void expect_error(const char *text, unsigned int line, const char *sub)
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
static inline void expect_warning(const char *text, unsigned int line, const char *sub)
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
static inline void expect_clean(const char *text)
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

static inline void assert_addr(struct in_addr a, const char *dotted)
{
	char buf[INET_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET, &a, buf, sizeof(buf)));
	assert_string_equal(buf, dotted);
}

/* Every row of the keyword tables, copied: cfg_keywords_foreach() with collect_rows. */
#define MAX_ROWS 2048

struct rows {
	struct cfg_keyword k[MAX_ROWS];
	size_t n;
};

static inline int collect_rows(const struct cfg_keyword *k, void *arg)
{
	struct rows *r = arg;

	assert_true(r->n < MAX_ROWS);
	r->k[r->n++] = *k;
	return 0;
}

#endif
