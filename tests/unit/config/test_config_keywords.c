// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every row of every keyword table (cfg_keywords_foreach()), through the
 * parser: each ignored row, written in each place it is allowed, gives
 * exactly one warning carrying its reason and no error; each refused row
 * gives exactly one error, with the file and line; and a negated option
 * that rpilb does not have is silent. A row added to a table is tested
 * here without a line of test code, as long as its family has a place
 * below (a family without one fails the test).
 *
 * The tables themselves are checked too: no row hides another, reasons
 * go with the ignored and refused rows only, parameters take a fixed
 * number of values.
 */
#include "cfgtest.h"
/* Only for test_parameter_on_the_wrong_line: a rule no row uses yet. */
#include "config/parser.h"

/* Places that are the parameters of a line: each row takes its values. */
#define CFG_IN_PARAMS (CFG_IN_SERVER | CFG_IN_DEFAULT_SERVER | CFG_IN_BIND)

/* A line in its context: head, the keyword's words, the keyword, tail. */
struct place {
	const char *family;
	unsigned int in; /* the CFG_IN_* bit this place stands for */
	const char *head; /* the text before the keyword, up to its words */
	const char *words; /* what introduces the keyword, and names it in messages */
	const char *tail; /* the rest of the file */
	unsigned int line; /* of the keyword */
	const char *what; /* what messages call the row, before its quoted name */
};

/* A proxy family's keyword in each kind of proxy section. */
/* clang-format off */
#define IN_PROXIES(f, w) \
	{ f, CFG_IN_DEFAULTS, "defaults\n\t", w, "\n" BASE, 2, NULL }, \
	{ f, CFG_IN_FRONTEND, BASE_FE "\t", w, "\n" BASE_BE, 4, NULL }, \
	{ f, CFG_IN_BACKEND, BASE "\t", w, "\n", 6, NULL }, \
	{ f, CFG_IN_LISTEN, BASE "listen l\n\tbind :81\n\tserver x 10.0.0.2\n\t", w, "\n", 9, NULL }
/* clang-format on */

static const struct place places[] = {
	{ "section", CFG_IN_TOP, "", "", "\n" BASE, 1, "section" },
	{ "section", CFG_IN_BACKEND, BASE, "", "\n", 6, "section" },
	{ "global", CFG_IN_GLOBAL, "global\n\t", "", "\n" BASE, 2, NULL },
	{ "global stats", CFG_IN_GLOBAL, "global\n\t", "stats ", "\n" BASE, 2, NULL },
	{ "rpilb", CFG_IN_RPILB, BASE "rpilb\n\t", "", "\n", 7, NULL },
	IN_PROXIES("proxy", ""),
	IN_PROXIES("option", "option "),
	IN_PROXIES("timeout", "timeout "),
	IN_PROXIES("http-request", "http-request "),
	IN_PROXIES("http-response", "http-response "),
	IN_PROXIES("http-after-response", "http-after-response "),
	IN_PROXIES("http-check", "http-check "),
	IN_PROXIES("tcp-check", "tcp-check "),
	IN_PROXIES("tcp-request", "tcp-request "),
	IN_PROXIES("tcp-request connection", "tcp-request connection "),
	IN_PROXIES("tcp-request session", "tcp-request session "),
	IN_PROXIES("tcp-request content", "tcp-request content "),
	IN_PROXIES("tcp-response", "tcp-response "),
	IN_PROXIES("tcp-response content", "tcp-response content "),
	IN_PROXIES("filter", "filter "),
	/* Any stats directive makes its section the stats page, which needs its own address. */
	{ "stats", CFG_IN_FRONTEND, BASE "frontend st\n\tbind :1936\n\t", "stats ", "\n", 8, NULL },
	{ "stats", CFG_IN_LISTEN, BASE "listen st\n\tbind :1936\n\t", "stats ", "\n", 8, NULL },
	{ "server", CFG_IN_SERVER, BASE "\tserver s2 10.0.0.2 ", "", "\n", 6, "server parameter" },
	{ "server", CFG_IN_DEFAULT_SERVER, BASE "\tdefault-server ", "", "\n", 6,
	  "default-server parameter" },
	{ "bind", CFG_IN_BIND, BASE_FE "\tbind :81 ", "", "\n" BASE_BE, 4, "bind option" },
};

/* What a prefix row stands for, written out: "tune." as "tune.x". */
static void keyword_word(const struct cfg_keyword *k, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", k->name, k->prefix ? "x" : "");
}

/* The configuration with k at place pl, its values (for parameters) included. */
static void place_text(const struct place *pl, const struct cfg_keyword *k, char *buf, size_t len)
{
	char word[128];
	size_t n;
	int i;

	keyword_word(k, word, sizeof(word));
	n = (size_t)snprintf(buf, len, "%s%s%s", pl->head, pl->words, word);
	for (i = 0; (pl->in & CFG_IN_PARAMS) && i < k->min_args && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, " 1");
	if (n < len)
		snprintf(buf + n, len - n, "%s", pl->tail);
}

/* The message the parser must give for k at pl: "'option forwardfor' ignored: why". */
static void expected_message(const struct place *pl, const struct cfg_keyword *k, char *buf,
			     size_t len)
{
	char word[128];

	keyword_word(k, word, sizeof(word));
	snprintf(buf, len, "%s%s'%s%s' %s: %s", pl->what ? pl->what : "", pl->what ? " " : "",
		 pl->words, word, k->class == CFG_KW_IGNORED ? "ignored" : "is not supported",
		 k->reason);
}

static void fail_row(const struct cfg_keyword *k, const struct cfg_diags *d, const char *text,
		     const char *why)
{
	dump_diags(d);
	fail_msg("%s row '%s': %s\n--- input:\n%s", k->family, k->name, why, text);
}

/* One ignored or refused row at one place: exactly its one diagnostic. */
static void check_row_at(const struct place *pl, const struct cfg_keyword *k)
{
	char text[1024], want[512], got[512], prefix[64];
	struct rpilb_config cfg;
	struct cfg_diags d;
	int rc;

	place_text(pl, k, text, sizeof(text));
	expected_message(pl, k, want, sizeof(want));
	/* A message that does not fit would be cut short: keep reasons shorter. */
	assert_true(strlen(want) < sizeof(d.items[0].msg));
	rc = parse(text, &cfg, &d);
	if (d.count != 1)
		fail_row(k, &d, text, "not exactly one diagnostic");
	if (strcmp(d.items[0].msg, want))
		fail_row(k, &d, text, want);
	if (k->class == CFG_KW_IGNORED) {
		if (rc || d.nerrors || d.items[0].severity != CFG_WARNING)
			fail_row(k, &d, text, "not a warning alone");
		cfg_free(&cfg);
	} else {
		if (rc != -1 || d.nerrors != 1)
			fail_row(k, &d, text, "not an error");
		cfg_diag_format(&d, &d.items[0], got, sizeof(got));
		snprintf(prefix, sizeof(prefix), "test.cfg:%u: error: ", pl->line);
		if (strncmp(got, prefix, strlen(prefix)))
			fail_row(k, &d, text, prefix);
	}
	cfg_diags_free(&d);
}

struct tally {
	enum cfg_kw_class class;
	size_t rows; /* of the class */
	size_t runs; /* parses */
};

static int check_row(const struct cfg_keyword *k, void *arg)
{
	struct tally *t = arg;
	size_t i, runs = 0;

	if (k->class != t->class)
		return 0;
	for (i = 0; i < ARRAY_SIZE(places); i++) {
		if (strcmp(places[i].family, k->family) || !(places[i].in & k->where))
			continue;
		check_row_at(&places[i], k);
		runs++;
	}
	if (!runs)
		fail_msg("%s row '%s': no place to test it (add one for its family)", k->family,
			 k->name);
	t->rows++;
	t->runs += runs;
	return 0;
}

/* Every row of the class, in every place it may stand; at least min rows. */
static void check_class(enum cfg_kw_class class, size_t min)
{
	struct tally t = { .class = class };

	cfg_keywords_foreach(check_row, &t);
	print_message("  %zu rows, %zu parses\n", t.rows, t.runs);
	assert_true(t.rows >= min);
}

static void test_every_ignored_row_warns(void **state)
{
	(void)state;
	check_class(CFG_KW_IGNORED, 250);
}

static void test_every_refused_row_errs(void **state)
{
	(void)state;
	check_class(CFG_KW_REFUSED, 30);
}

/* Asking not to have an option rpilb does not have is already satisfied. */
static int check_negated(const struct cfg_keyword *k, void *arg)
{
	char text[1024], word[128];
	size_t i;

	(void)arg;
	if (strcmp(k->family, "option") || k->class == CFG_KW_HONOURED)
		return 0;
	keyword_word(k, word, sizeof(word));
	for (i = 0; i < ARRAY_SIZE(places); i++) {
		const struct place *pl = &places[i];

		if (strcmp(pl->family, "option") || !(pl->in & k->where))
			continue;
		snprintf(text, sizeof(text), "%sno option %s%s", pl->head, word, pl->tail);
		expect_clean(text);
	}
	return 0;
}

static void test_negated_options_are_silent(void **state)
{
	(void)state;
	cfg_keywords_foreach(check_negated, NULL);
}

static int stop(const struct cfg_keyword *k, void *arg)
{
	(void)k;
	(void)arg;
	return 7;
}

static bool matches(const struct cfg_keyword *row, const char *word)
{
	return row->prefix ? !strncmp(word, row->name, strlen(row->name))
			   : !strcmp(word, row->name);
}

static bool is_family(const struct rows *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (!strcmp(r->k[i].family, name))
			return true;
	}
	return false;
}

/* Rows come in lookup order: one that an earlier row of its family matches is never reached. */
static void check_reachable(const struct rows *r, size_t i)
{
	const struct cfg_keyword *k = &r->k[i];
	char word[128];
	size_t j;

	keyword_word(k, word, sizeof(word));
	for (j = 0; j < i; j++) {
		if (!strcmp(r->k[j].family, k->family) && matches(&r->k[j], word))
			fail_msg("%s row '%s' is hidden by the earlier row '%s'", k->family,
				 k->name, r->k[j].name);
	}
}

static void test_tables_are_consistent(void **state)
{
	struct rows *r = calloc(1, sizeof(*r));
	size_t i;

	(void)state;
	assert_non_null(r);
	assert_int_equal(cfg_keywords_foreach(collect_rows, r), 0);
	for (i = 0; i < r->n; i++) {
		const struct cfg_keyword *k = &r->k[i];

		check_reachable(r, i);
		if (!k->prefix && !k->name[0])
			fail_msg("%s: a row without a name", k->family);
		if ((k->class == CFG_KW_HONOURED) != !k->reason)
			fail_msg("%s row '%s': a reason goes with ignored and refused rows only",
				 k->family, k->name);
		if (k->reason && !k->reason[0])
			fail_msg("%s row '%s': an empty reason", k->family, k->name);
		if (!k->where)
			fail_msg("%s row '%s' is allowed nowhere", k->family, k->name);
		if ((k->where & CFG_IN_PARAMS) && k->min_args != k->max_args)
			fail_msg("%s row '%s': a parameter takes a fixed number of values",
				 k->family, k->name);
		if (k->subfamily && !is_family(r, k->subfamily))
			fail_msg("%s row '%s' introduces '%s', which has no rows", k->family,
				 k->name, k->subfamily);
	}
	/* The iterator stops at the callback's first non-zero return. */
	assert_int_equal(cfg_keywords_foreach(stop, NULL), 7);
	free(r);
}

/*
 * A parameter whose where leaves out the line it is on. Every server
 * parameter is allowed on both server and default-server lines today
 * (HAProxy has server-only ones, such as id), so a table of the test's
 * own stands in for the row that will need it.
 */
static void test_parameter_on_the_wrong_line(void **state)
{
	static const struct kw rows[] = {
		PARAM_ACCEPT("only-here", IN_SERVER, 0),
		KW_END,
	};
	static const struct kw *const tables[] = { rows, NULL };
	const struct kw_family f = { "test", tables };
	struct parser *p = calloc(1, sizeof(*p));
	char *argv[] = { "only-here", NULL };
	struct cfg_diags d;

	(void)state;
	assert_non_null(p);
	diags_init(&d, "test.cfg");
	p->diags = &d;
	p->line = 3;
	run_params(p, &f, "server parameter", IN_SERVER, 1, argv);
	assert_int_equal(d.count, 0);
	run_params(p, &f, "default-server parameter", IN_DEFSRV, 1, argv);
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(d.items[0].line, 3);
	assert_string_equal(
		d.items[0].msg,
		"default-server parameter 'only-here' is not allowed on a default-server line (only on server lines)");
	cfg_diags_free(&d);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_are_consistent),
		cmocka_unit_test(test_every_ignored_row_warns),
		cmocka_unit_test(test_every_refused_row_errs),
		cmocka_unit_test(test_negated_options_are_silent),
		cmocka_unit_test(test_parameter_on_the_wrong_line),
	};

	return cmocka_run_group_tests_name("keyword tables", tests, NULL, NULL) ? 1 : 0;
}
