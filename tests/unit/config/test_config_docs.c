// SPDX-License-Identifier: GPL-2.0-only
/*
 * docs/config.md and rpilb.cfg(5) list the keywords of each class from
 * the parser's own tables, so they cannot drift from them: between the
 * marker lines
 *
 *   <!-- keywords:CLASS -->  ...  <!-- /keywords -->     (docs/config.md)
 *   ; keywords:CLASS         ...  ; /keywords            (rpilb.cfg.5.scd)
 *
 * each file must hold exactly what render() makes of cfg_keywords_foreach()
 * for CLASS (honoured, ignored, refused). After a table changes,
 * "make keywords-doc" runs this test with RPILB_UPDATE_DOCS=1, which
 * rewrites the blocks instead of comparing them.
 *
 * Keywords are grouped by where they may be written and, for ignored and
 * refused ones, by their reason: the reasons are the tables' own strings,
 * so the documentation says what the parser says. The words that only
 * introduce another family's keyword ("option", "timeout") are not listed
 * themselves; their family's keywords are, with those words in front.
 *
 * The fuzzer's dictionary (tests/fuzz/fuzz_config.dict) must offer every
 * keyword too, or fuzz_config would rarely reach the rows it lacks; make
 * keywords-doc appends the missing ones. So adding a keyword stays one
 * row, and one command for what is written down about it.
 *
 * Run from the repository root ($RPILB_SRC_DIR otherwise).
 */
#include "cfgtest.h"

#define MAX_GROUPS 256

enum format { MD, SCD };

static const char *const class_names[] = {
	[CFG_KW_HONOURED] = "honoured",
	[CFG_KW_IGNORED] = "ignored",
	[CFG_KW_REFUSED] = "refused",
};

/*
 * What is written before a family's keywords: the word of the row that
 * introduces it, after the words of that row's own family ("tcp-request
 * content" for the actions of tcp-request content). "" for none.
 */
static void family_words(const struct rows *r, const char *family, char *buf, size_t len)
{
	size_t i, n;

	buf[0] = '\0';
	for (i = 0; i < r->n; i++) {
		if (r->k[i].subfamily && !strcmp(r->k[i].subfamily, family))
			break;
	}
	if (i == r->n)
		return;
	family_words(r, r->k[i].family, buf, len);
	n = strlen(buf);
	snprintf(buf + n, len - n, "%s%s", n ? " " : "", r->k[i].name);
}

#define CFG_IN_PROXIES (CFG_IN_DEFAULTS | CFG_IN_FRONTEND | CFG_IN_BACKEND | CFG_IN_LISTEN)
#define CFG_IN_PARAMS  (CFG_IN_SERVER | CFG_IN_DEFAULT_SERVER | CFG_IN_BIND)

static const struct {
	unsigned int in;
	const char *name;
} place_names[] = {
	{ CFG_IN_GLOBAL, "global" },
	{ CFG_IN_PROXIES, "proxies" },
	{ CFG_IN_DEFAULTS, "defaults" },
	{ CFG_IN_FRONTEND, "frontend" },
	{ CFG_IN_BACKEND, "backend" },
	{ CFG_IN_LISTEN, "listen" },
	{ CFG_IN_RPILB, "rpilb" },
	{ CFG_IN_SERVER, "server" },
	{ CFG_IN_DEFAULT_SERVER, "default-server" },
	{ CFG_IN_BIND, "bind" },
};

/* "defaults, backend, listen", "proxies" (all four), "server, default-server lines". */
static void where_label(const struct cfg_keyword *k, char *buf, size_t len)
{
	unsigned int left = k->where;
	size_t i, n = 0;

	buf[0] = '\0';
	if (!strcmp(k->family, "section")) {
		snprintf(buf, len, "starts a section");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(place_names) && n < len; i++) {
		if ((left & place_names[i].in) != place_names[i].in)
			continue;
		left &= ~place_names[i].in;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", place_names[i].name);
	}
	if (!(k->where & ~CFG_IN_PARAMS) && n < len)
		snprintf(buf + n, len - n, " lines");
}

/* Markup: md cells escape '|'; scdoc escapes its own markup characters. */
static void put_text(FILE *f, enum format fmt, const char *s)
{
	for (; *s; s++) {
		if ((fmt == MD && *s == '|') || (fmt == SCD && strchr("\\*_", *s)))
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void put_keyword(FILE *f, enum format fmt, const struct rows *r, const struct cfg_keyword *k)
{
	char words[96], text[160];

	family_words(r, k->family, words, sizeof(words));
	/* A prefix row stands for every keyword it starts; "" for any word. */
	snprintf(text, sizeof(text), "%s%s%s%s", words, words[0] ? " " : "", k->name,
		 k->prefix ? "*" : "");
	if (fmt == MD) {
		fprintf(f, "`%s`", text);
	} else {
		fputc('*', f);
		put_text(f, fmt, text);
		fputc('*', f);
	}
}

struct group {
	const char *reason;
	char where[128];
	size_t first; /* rows of the group: those with its reason and place, from first on */
};

/* Listed at all: of the class, and not a word that only introduces others. */
static bool listed(const struct cfg_keyword *k, enum cfg_kw_class class)
{
	return k->class == class && !(class == CFG_KW_HONOURED && k->subfamily);
}

static bool in_group(const struct group *g, const struct cfg_keyword *k, enum cfg_kw_class class)
{
	char where[128];

	if (!listed(k, class))
		return false;
	where_label(k, where, sizeof(where));
	return !strcmp(where, g->where) &&
	       (g->reason == k->reason ||
		(g->reason && k->reason && !strcmp(g->reason, k->reason)));
}

/* Groups in the order their first row comes in the tables. */
static size_t make_groups(const struct rows *r, enum cfg_kw_class class, struct group *groups)
{
	size_t i, j, n = 0;

	for (i = 0; i < r->n; i++) {
		const struct cfg_keyword *k = &r->k[i];
		struct group g = { .reason = k->reason, .first = i };

		if (!listed(k, class))
			continue;
		where_label(k, g.where, sizeof(g.where));
		for (j = 0; j < n && !in_group(&groups[j], k, class); j++)
			;
		if (j == n) {
			assert_true(n < MAX_GROUPS);
			groups[n++] = g;
		}
	}
	return n;
}

static void put_group(FILE *f, enum format fmt, const struct rows *r, const struct group *g,
		      enum cfg_kw_class class)
{
	size_t i, count = 0;

	if (fmt == MD)
		fputs("| ", f);
	for (i = g->first; i < r->n; i++) {
		if (!in_group(g, &r->k[i], class))
			continue;
		fputs(count++ ? ", " : "", f);
		put_keyword(f, fmt, r, &r->k[i]);
	}
	if (fmt == MD) {
		fprintf(f, " | %s |", g->where);
		if (g->reason) {
			fputc(' ', f);
			put_text(f, fmt, g->reason);
			fputs(" |", f);
		}
		fputc('\n', f);
		return;
	}
	fprintf(f, " (%s)\n", g->where);
	if (g->reason) {
		fputc('\t', f);
		put_text(f, fmt, g->reason);
		fputs(".\n", f);
	}
}

/* The block for class in fmt, as the documentation must hold it. */
static char *render(const struct rows *r, enum cfg_kw_class class, enum format fmt)
{
	struct group *groups = calloc(MAX_GROUPS, sizeof(*groups));
	char *buf = NULL;
	size_t len = 0, n, i;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(groups);
	assert_non_null(f);
	n = make_groups(r, class, groups);
	if (fmt == MD)
		fputs(class == CFG_KW_HONOURED ? "| Directive(s) | Where |\n|---|---|\n"
					       : "| Directive(s) | Where | Why |\n|---|---|---|\n",
		      f);
	for (i = 0; i < n; i++) {
		if (fmt == SCD && i)
			fputc('\n', f);
		put_group(f, fmt, r, &groups[i], class);
	}
	fclose(f);
	free(groups);
	return buf;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *m;

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

static void write_all(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void path_of(const char *rel, char *buf, size_t len)
{
	const char *dir = getenv("RPILB_SRC_DIR");

	snprintf(buf, len, "%s/%s", dir && *dir ? dir : ".", rel);
}

/* The line where two texts first differ, for the failure message. */
static unsigned int first_difference(const char *a, const char *b)
{
	unsigned int line = 1;

	for (; *a && *a == *b; a++, b++)
		line += *a == '\n';
	return line;
}

/* text with [start, end) replaced by with: a new string; text is freed. */
static char *splice(char *text, const char *start, const char *end, const char *with)
{
	size_t head = (size_t)(start - text), wlen = strlen(with), tail = strlen(end);
	char *out = malloc(head + wlen + tail + 1);

	assert_non_null(out);
	memcpy(out, text, head);
	memcpy(out + head, with, wlen);
	memcpy(out + head + wlen, end, tail + 1);
	free(text);
	return out;
}

/*
 * Compare (or, with RPILB_UPDATE_DOCS=1, rewrite) each class's block of
 * the file at rel; open_fmt and close are the marker lines around it.
 */
static void check_file(const char *rel, enum format fmt, const char *open_fmt, const char *close)
{
	const char *update = getenv("RPILB_UPDATE_DOCS");
	struct rows *r = calloc(1, sizeof(*r));
	char path[512], open[64];
	bool rewrite = update && !strcmp(update, "1"), changed = false;
	char *text;
	size_t c;

	assert_non_null(r);
	cfg_keywords_foreach(collect_rows, r);
	path_of(rel, path, sizeof(path));
	text = read_all(path);
	for (c = 0; c < ARRAY_SIZE(class_names); c++) {
		char *want = render(r, (enum cfg_kw_class)c, fmt), *start, *end;

		snprintf(open, sizeof(open), open_fmt, class_names[c]);
		start = strstr(text, open);
		if (!start)
			fail_msg("%s has no line '%.*s'", rel, (int)strlen(open) - 1, open);
		start += strlen(open);
		end = strstr(start, close);
		if (!end)
			fail_msg("%s: '%.*s' is not closed by '%.*s'", rel, (int)strlen(open) - 1,
				 open, (int)strlen(close) - 1, close);
		if ((size_t)(end - start) != strlen(want) || memcmp(start, want, strlen(want))) {
			if (!rewrite)
				fail_msg(
					"%s: the %s keywords differ from the parser's tables, from "
					"line %u of the block on (make keywords-doc rewrites them); "
					"they are:\n%s",
					rel, class_names[c], first_difference(start, want), want);
			text = splice(text, start, end, want);
			changed = true;
			print_message("  rewrote the %s keywords of %s\n", class_names[c], rel);
		}
		free(want);
	}
	if (changed)
		write_all(path, text);
	free(text);
	free(r);
}

static void test_config_md_lists_the_tables(void **state)
{
	(void)state;
	check_file("docs/config.md", MD, "<!-- keywords:%s -->\n", "<!-- /keywords -->\n");
}

static void test_man_page_lists_the_tables(void **state)
{
	(void)state;
	check_file("tools/dist/rpilb.cfg.5.scd", SCD, "; keywords:%s\n", "; /keywords\n");
}

/*
 * The fuzzer's dictionary offers it every keyword, so that it reaches
 * every row; with RPILB_UPDATE_DOCS=1 the missing ones are appended.
 */
static void test_fuzz_dictionary_has_every_keyword(void **state)
{
	const char *update = getenv("RPILB_UPDATE_DOCS");
	struct rows *r = calloc(1, sizeof(*r));
	char path[512], entry[160];
	FILE *append = NULL;
	char *dict;
	size_t i;

	(void)state;
	assert_non_null(r);
	cfg_keywords_foreach(collect_rows, r);
	path_of("tests/fuzz/fuzz_config.dict", path, sizeof(path));
	dict = read_all(path);
	for (i = 0; i < r->n; i++) {
		if (!r->k[i].name[0])
			continue;
		snprintf(entry, sizeof(entry), "\n\"%s\"\n", r->k[i].name);
		if (strstr(dict, entry))
			continue;
		if (!update || strcmp(update, "1"))
			fail_msg("tests/fuzz/fuzz_config.dict lacks the %s keyword \"%s\" "
				 "(make keywords-doc adds it)",
				 r->k[i].family, r->k[i].name);
		if (!append)
			append = fopen(path, "a");
		assert_non_null(append);
		fprintf(append, "\"%s\"\n", r->k[i].name);
		print_message("  added \"%s\" to %s\n", r->k[i].name, path);
		/* Families may share rows: add each word once. */
		dict = splice(dict, dict + strlen(dict), "", entry + 1);
	}
	if (append)
		assert_int_equal(fclose(append), 0);
	free(dict);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_md_lists_the_tables),
		cmocka_unit_test(test_man_page_lists_the_tables),
		cmocka_unit_test(test_fuzz_dictionary_has_every_keyword),
	};

	return cmocka_run_group_tests_name("keyword documentation", tests, NULL, NULL) ? 1 : 0;
}
