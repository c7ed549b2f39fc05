// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every keyword of HAProxy's manual, 2.0 to 3.2, is known to rpilb: it is
 * honoured, ignored with a reason or refused with one, never "unknown".
 * tests/unit/data/haproxy-keywords.tsv lists them (family, keyword,
 * where HAProxy allows it). Each must be found by cfg_keyword_lookup(),
 * and, written in every place HAProxy allows it, parse without being
 * called unknown or out of place. The test fails once, after listing
 * every keyword that is missing, so one run says all that is left to do.
 */
#include "cfgtest.h"

/* How many keywords failed each way; each is printed as it is found. */
struct tally {
	size_t missing; /* not in the tables */
	size_t misread; /* found, yet misread where HAProxy allows them (misread_diag) */
};

/* One line of the inventory. */
struct entry {
	char family[64];
	char keyword[128];
	char where[64];
	unsigned int line;
};

static bool read_entry(FILE *f, struct entry *e, unsigned int *lineno)
{
	char buf[512];

	while (fgets(buf, sizeof(buf), f)) {
		char *fam, *kw, *where, *save = NULL;

		(*lineno)++;
		buf[strcspn(buf, "\r\n")] = '\0';
		if (!buf[0] || buf[0] == '#')
			continue;
		fam = strtok_r(buf, "\t", &save);
		kw = strtok_r(NULL, "\t", &save);
		where = strtok_r(NULL, "\t", &save);
		if (!fam || !kw || !where || strtok_r(NULL, "\t", &save))
			fail_msg("haproxy-keywords.tsv:%u: not three tab-separated columns",
				 *lineno);
		snprintf(e->family, sizeof(e->family), "%s", fam);
		snprintf(e->keyword, sizeof(e->keyword), "%s", kw);
		snprintf(e->where, sizeof(e->where), "%s", where);
		e->line = *lineno;
		return true;
	}
	return false;
}

/*
 * The keyword as a file writes it. HAProxy matches the actions that take
 * a parenthesised argument by prefix, and so do rpilb's rows
 * ("set-var("): those are written with the argument glued on.
 */
static bool written_form(const struct entry *e, char *word, size_t len, struct cfg_keyword *k)
{
	snprintf(word, len, "%s", e->keyword);
	if (!cfg_keyword_lookup(e->family, word, k))
		return true;
	if (!strchr(e->keyword, ' ')) {
		snprintf(word, len, "%s(1)", e->keyword);
		if (!cfg_keyword_lookup(e->family, word, k))
			return true;
	}
	snprintf(word, len, "%s", e->keyword);
	return false;
}

/* What a line of the family starts with, before the keyword. */
static const char *family_words(const char *family)
{
	static char buf[80];

	if (!strcmp(family, "section") || !strcmp(family, "global") || !strcmp(family, "proxy") ||
	    !strcmp(family, "server") || !strcmp(family, "bind"))
		return "";
	if (!strcmp(family, "global stats"))
		return "stats ";
	snprintf(buf, sizeof(buf), "%s ", family);
	return buf;
}

/* The file with line (the keyword and its words) at place c of where. */
static bool place_text(const struct entry *e, char c, const char *line, char *buf, size_t len)
{
	bool stats = !strcmp(e->family, "stats");

	switch (c) {
	case '-':
		snprintf(buf, len, BASE "%s s9\n", line);
		return true;
	case 'g':
		snprintf(buf, len, "global\n\t%s\n" BASE, line);
		return true;
	case 'd':
		snprintf(buf, len, "defaults\n\t%s\n" BASE, line);
		return true;
	case 'f':
		if (stats)
			snprintf(buf, len, BASE "frontend st\n\tbind :1936\n\t%s\n", line);
		else
			snprintf(buf, len, BASE_FE "\t%s\n" BASE_BE, line);
		return true;
	case 'b':
		snprintf(buf, len, BASE "\t%s\n", line);
		return true;
	case 'l':
		if (stats)
			snprintf(buf, len, BASE "listen st\n\tbind :1936\n\t%s\n", line);
		else
			snprintf(buf, len,
				 BASE "listen l\n\tbind :81\n\tserver x 10.0.0.2:80\n\t%s\n", line);
		return true;
	default:
		return false;
	}
}

/*
 * A diagnostic that misreads a keyword written where HAProxy allows it:
 * one that calls it unknown, or says it belongs elsewhere. Any other
 * (an ignored keyword's warning, a refusal, "1" as a bad value) is fine.
 */
static const struct cfg_diag *misread_diag(const struct cfg_diags *d)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		if (strstr(d->items[i].msg, "unknown") || strstr(d->items[i].msg, "not allowed") ||
		    strstr(d->items[i].msg, " section: it applies"))
			return &d->items[i];
	}
	return NULL;
}

static void parse_at(const struct entry *e, const char *where_name, const char *text,
		     struct tally *t)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_diag *u;

	if (parse(text, &cfg, &d) == 0)
		cfg_free(&cfg);
	u = misread_diag(&d);
	if (u) {
		print_message("  placed: %s\t%s\t(in %s: \"%s\")\n", e->family, e->keyword,
			      where_name, u->msg);
		t->misread++;
	}
	cfg_diags_free(&d);
}

/* Parameters: on a server, default-server or bind line, with their values. */
static void parse_params(const struct entry *e, const char *word, const struct cfg_keyword *k,
			 struct tally *t)
{
	char values[64] = "", text[1024];
	int i;

	for (i = 0; i < k->min_args && i < 8; i++)
		strcat(values, " 1");
	if (!strcmp(e->family, "bind")) {
		snprintf(text, sizeof(text), BASE_FE "\tbind :81 %s%s\n" BASE_BE, word, values);
		parse_at(e, "bind", text, t);
		return;
	}
	snprintf(text, sizeof(text), BASE "\tserver s2 10.0.0.2:8000 %s%s\n", word, values);
	parse_at(e, "server", text, t);
	if (strstr(e->where, "default-server")) {
		snprintf(text, sizeof(text), BASE "\tdefault-server %s%s\n", word, values);
		parse_at(e, "default-server", text, t);
	}
}

static void check_entry(const struct entry *e, struct tally *t)
{
	static const char *const names[] = {
		['-'] = "top level", ['g'] = "global",	['d'] = "defaults",
		['f'] = "frontend",  ['b'] = "backend", ['l'] = "listen"
	};
	char word[160], line[256], text[1024];
	struct cfg_keyword k;
	const char *c;

	if (!written_form(e, word, sizeof(word), &k)) {
		print_message("  missing: %s\t%s\n", e->family, e->keyword);
		t->missing++;
		return;
	}
	if (!strcmp(e->family, "server") || !strcmp(e->family, "bind")) {
		parse_params(e, word, &k, t);
		return;
	}
	snprintf(line, sizeof(line), "%s%s", family_words(e->family), word);
	for (c = e->where; *c; c++) {
		if (!place_text(e, *c, line, text, sizeof(text)))
			fail_msg("haproxy-keywords.tsv:%u: unknown place '%c'", e->line, *c);
		parse_at(e, names[(unsigned char)*c], text, t);
	}
}

static void test_every_haproxy_keyword_is_known(void **state)
{
	unsigned int lineno = 0, n = 0;
	struct tally t = { 0 };
	char path[512];
	struct entry e;
	FILE *f;

	(void)state;
	f = fopen(data_path("haproxy-keywords.tsv", path, sizeof(path)), "r");
	assert_non_null(f);
	while (read_entry(f, &e, &lineno)) {
		check_entry(&e, &t);
		n++;
	}
	fclose(f);
	print_message("  %u keywords\n", n);
	/* The inventory is HAProxy's whole manual: a short read is a broken file. */
	assert_true(n >= 1000);
	if (t.missing || t.misread)
		fail_msg("%zu keyword(s) missing from rpilb's tables, %zu misread where HAProxy "
			 "allows them (listed above)",
			 t.missing, t.misread);
}

struct lookup_case {
	const char *family, *words;
	const char *want_family, *want_name; /* NULL: not found */
};

static void test_lookup_follows_the_parser(void **state)
{
	static const struct lookup_case cases[] = {
		{ "proxy", "tcp-request content reject", "tcp-request content", "reject" },
		{ "tcp-request content", "reject", "tcp-request content", "reject" },
		{ "proxy", "option httpchk", "option", "httpchk" },
		{ "option", "httpchk", "option", "httpchk" },
		{ "global", "stats socket", "global stats", "socket" },
		{ "global", "tune.bufsize", "global", "tune." },
		{ "proxy", "capture cookie", "proxy", "capture" },
		{ "proxy", "http-request set-var(txn.x)", "http-request", "set-var(" },
		{ "server", "check", "server", "check" },
		{ "proxy", "option", "proxy", "option" },
		{ "proxy", "no-such-keyword", NULL, NULL },
		{ "proxy", "tcp-request no-such-rule-set", NULL, NULL },
		{ "tcp-request content", "no-such-action", NULL, NULL },
		{ "no-such-family", "check", NULL, NULL },
		{ "proxy", "", NULL, NULL },
	};
	struct cfg_keyword k;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct lookup_case *c = &cases[i];
		int rc = cfg_keyword_lookup(c->family, c->words, &k);

		if (!c->want_name) {
			if (rc != -1)
				fail_msg("%s '%s': found, expected unknown", c->family, c->words);
			continue;
		}
		if (rc)
			fail_msg("%s '%s': not found", c->family, c->words);
		assert_string_equal(k.family, c->want_family);
		assert_string_equal(k.name, c->want_name);
	}
	assert_int_equal(cfg_keyword_lookup("global", "tune.bufsize", &k), 0);
	assert_true(k.prefix);
	assert_int_equal(k.class, CFG_KW_IGNORED);
	assert_non_null(k.reason);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_follows_the_parser),
		cmocka_unit_test(test_every_haproxy_keyword_is_known),
	};

	return cmocka_run_group_tests_name("HAProxy keyword inventory", tests, NULL, NULL) ? 1 : 0;
}
