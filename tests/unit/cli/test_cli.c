// SPDX-License-Identifier: GPL-2.0-only
/*
 * rpilbctl's option tables (user/cli/opts.h) and command table
 * (user/cli/commands.c), walked row by row: every option of every command
 * parses in its short and long form, --help shows every option's line, -h
 * prints the help on stdout and exits 0, and a bad option is one line on
 * stderr with exit status 2 (a JSON object under -j). Nothing here reaches
 * a daemon: only the parser, and handlers that refuse their arguments.
 */
#include <stdio.h>

#include "testutil.h"

#include "cli/cli.h"
#include "lib/log.h"
#include "lib/util.h"

#define MAX_WORDS 8

/* An argument each option takes, by the name --help gives it. */
static const struct {
	const char *arg, *value;
} samples[] = {
	{ "FILE", "/tmp/rpilb-test.cfg" },
	{ "IF", "eth0" },
	{ "MODE", "xdpgeneric" },
	{ "N", "7" },
	{ "B", "nodes" },
	{ "S", "5" },
	{ "NAME", "pi01" },
	{ "IP", "10.0.0.9" },
	{ "SOCKET", "/tmp/rpilb-test.sock" },
};

static const char *sample(const char *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(samples); i++)
		if (!strcmp(samples[i].arg, arg))
			return samples[i].value;
	fail_msg("no sample value for an argument called %s: add one to samples[]", arg);
	return NULL;
}

/* What one call printed, and its result. */
struct captured {
	int ret;
	char out[8192];
	char err[2048];
	void *opts; /* the options struct it filled (commands: malloc'd) */
};

static void slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* The state a fresh rpilbctl starts with: no -j, no -p. */
static void fresh_globals(void)
{
	memset(&cli, 0, sizeof(cli));
	cli.socket = "/nonexistent/rpilb-test.sock";
	log_set_json(false);
}

/* Options struct for c at its first value, as cli_run() makes it. */
static void *fresh_opts(const struct cmd *c)
{
	const struct cli_optset *os = c->opts;
	void *opts;

	if (c == &cli_global)
		return &cli;
	if (!os->size)
		return NULL;
	opts = calloc(1, os->size);
	assert_non_null(opts);
	if (os->init)
		memcpy(opts, os->init, os->size);
	return opts;
}

/* Run words (words[0]: the command's name) through cli_parse(), or cli_run() when run. */
static void call(const struct cmd *c, const char *const *words, bool run, struct captured *r)
{
	FILE *o = tmpfile(), *e = tmpfile();
	char *argv[MAX_WORDS + 1] = { 0 };
	int argc = 0, so, se;

	assert_non_null(o);
	assert_non_null(e);
	for (; words[argc]; argc++)
		argv[argc] = (char *)words[argc];
	fresh_globals();
	r->opts = run ? NULL : fresh_opts(c);
	fflush(stdout);
	so = dup(1);
	se = dup(2);
	dup2(fileno(o), 1);
	dup2(fileno(e), 2);
	r->ret = run ? cli_run(c, argc, argv) : cli_parse(c, argc, argv, r->opts);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp(o, r->out, sizeof(r->out));
	slurp(e, r->err, sizeof(r->err));
}

static void done(const struct cmd *c, struct captured *r)
{
	if (c != &cli_global)
		free(r->opts);
	r->opts = NULL;
}

/* Every command, then rpilbctl's own options. */
static const struct cmd *table(size_t i)
{
	return i < cli_ncommands ? &cli_commands[i] : &cli_global;
}

static bool one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && nl[1] == '\0' && nl > s;
}

static void test_tables_well_formed(void **state)
{
	(void)state;
	for (size_t i = 0; i <= cli_ncommands; i++) {
		const struct cmd *c = table(i);
		const struct cli_opt *opt = c->opts->opt;
		bool json = false;
		size_t n = 0;

		assert_non_null(c->name);
		assert_non_null(c->args);
		if (c != &cli_global) {
			assert_non_null(c->fn);
			assert_non_null(c->help);
			assert_ptr_equal(cli_find_command(c->name), c);
		}
		for (const struct cli_opt *r = opt; r->name; r++, n++) {
			assert_non_null(r->help);
			assert_false(r->letter == 'h' || !strcmp(r->name, "help"));
			json |= !strcmp(r->name, "json") && r->letter == 'j';
			if (r->kind == CLI_KIND_FLAG)
				assert_null(r->arg);
			if (r->kind == CLI_KIND_STR)
				assert_non_null(r->arg);
			/* Where a row without a setter writes, there is room. */
			if (r->kind == CLI_KIND_SET)
				assert_non_null(r->set);
			else if (r->kind == CLI_KIND_FLAG)
				assert_true(r->off + sizeof(bool) <= c->opts->size);
			else
				assert_true(r->off + sizeof(const char *) <= c->opts->size);
			for (const struct cli_opt *q = opt; q < r; q++) {
				if (!strcmp(q->name, r->name) ||
				    (r->letter && q->letter == r->letter))
					fail_msg("%s: -%c/--%s twice", c->name, r->letter, r->name);
			}
		}
		assert_true(n <= CLI_MAX_OPTS);
		/* -j everywhere a result is printed: every command but help. */
		if (strcmp(c->name, "help"))
			assert_true(json);
	}
}

/* Whether the call changed its options struct or rpilbctl's globals. */
static bool changed(const struct cmd *c, const struct captured *got, const struct cli *base)
{
	const struct cli_optset *os = c->opts;
	bool diff = memcmp(&cli, base, sizeof(cli)) != 0;
	void *zeros;

	if (c == &cli_global || !os->size)
		return diff;
	if (os->init)
		return diff || memcmp(got->opts, os->init, os->size);
	zeros = calloc(1, os->size);
	assert_non_null(zeros);
	diff = diff || memcmp(got->opts, zeros, os->size);
	free(zeros);
	return diff;
}

/* words: the command's name, the option as given, maybe its value, NULL. */
static void expect_parses(const struct cmd *c, const char *const *words)
{
	struct captured got;
	struct cli base;
	int nwords = 0;

	while (words[nwords])
		nwords++;
	fresh_globals();
	memcpy(&base, &cli, sizeof(cli));
	call(c, words, false, &got);
	if (got.ret != CLI_CONTINUE || got.out[0] || got.err[0])
		fail_msg("rpilbctl %s %s: returned %d, printed '%s' '%s'", c->name, words[1],
			 got.ret, got.out, got.err);
	assert_int_equal(optind, nwords);
	if (!changed(c, &got, &base))
		fail_msg("rpilbctl %s %s set nothing", c->name, words[1]);
	done(c, &got);
}

static void test_every_option_parses(void **state)
{
	(void)state;
	for (size_t i = 0; i <= cli_ncommands; i++) {
		const struct cmd *c = table(i);

		for (const struct cli_opt *r = c->opts->opt; r->name; r++) {
			const char *value = r->arg ? sample(r->arg) : NULL;
			char shrt[3] = { '-', r->letter, '\0' }, lng[64], joined[128];

			snprintf(lng, sizeof(lng), "--%s", r->name);
			snprintf(joined, sizeof(joined), "--%s=%s", r->name, value ? value : "");
			expect_parses(c, (const char *[]){ c->name, lng, value, NULL });
			if (value)
				expect_parses(c, (const char *[]){ c->name, joined, NULL });
			if (r->letter)
				expect_parses(c, (const char *[]){ c->name, shrt, value, NULL });
		}
	}
}

/* What cli_print_help() prints for c; malloc'd. */
static char *help_text(const struct cmd *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	cli_print_help(f, c);
	fclose(f);
	return text;
}

static void test_help_shows_every_option(void **state)
{
	(void)state;
	for (size_t i = 0; i <= cli_ncommands; i++) {
		const struct cmd *c = table(i);
		char *text = help_text(c);

		if (c != &cli_global) {
			char usage[256];

			snprintf(usage, sizeof(usage), "usage: rpilbctl %s %s\n", c->name, c->args);
			assert_non_null(strstr(text, usage));
			assert_non_null(strstr(text, c->help));
		}
		for (const struct cli_opt *r = c->opts->opt; r->name; r++) {
			char line[128];

			if (r->letter)
				snprintf(line, sizeof(line), "  -%c, --%s%s%s ", r->letter, r->name,
					 r->arg ? " " : "", r->arg ? r->arg : "");
			else
				snprintf(line, sizeof(line), "  --%s%s%s ", r->name,
					 r->arg ? " " : "", r->arg ? r->arg : "");
			if (r->hidden) {
				assert_null(strstr(text, line));
				continue;
			}
			if (!strstr(text, line) || !strstr(text, r->help))
				fail_msg("rpilbctl %s --help lacks '%s' %s:\n%s", c->name, line,
					 r->help, text);
		}
		free(text);
	}
}

/* word stands in s on its own: "-c" in "[-c FILE]", not in "[-cx]" nor "--config". */
static bool has_word(const char *s, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = s; (p = strstr(p, word)); p++)
		if ((p == s || strchr(" [|", p[-1])) &&
		    !strchr("abcdefghijklmnopqrstuvwxyz-", p[len]))
			return true;
	return false;
}

/* The synopsis in the command table is written by hand: it names every option. */
static void test_synopsis_names_every_option(void **state)
{
	(void)state;
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cmd *c = &cli_commands[i];

		for (const struct cli_opt *r = c->opts->opt; r->name; r++) {
			char shrt[3] = { '-', r->letter, '\0' }, lng[64];

			snprintf(lng, sizeof(lng), "--%s", r->name);
			if (!r->hidden && !has_word(c->args, lng) &&
			    !(r->letter && has_word(c->args, shrt)))
				fail_msg("'rpilbctl %s %s' does not name --%s", c->name, c->args,
					 r->name);
		}
	}
}

static void test_dash_h_is_help(void **state)
{
	static const char *const forms[] = { "-h", "--help", "--he" };

	(void)state;
	for (size_t i = 0; i <= cli_ncommands; i++) {
		const struct cmd *c = table(i);
		char *want = help_text(c);

		for (size_t k = 0; k < ARRAY_SIZE(forms); k++) {
			struct captured got;

			call(c, (const char *[]){ c->name, forms[k], NULL }, false, &got);
			assert_int_equal(got.ret, EXIT_OK);
			assert_string_equal(got.out, want);
			assert_string_equal(got.err, "");
			done(c, &got);
		}
		free(want);
	}
}

static void test_bad_option_is_one_line_exit_2(void **state)
{
	static const char *const bad[] = { "--no-such-option", "-Z", "--no-such=1" };

	(void)state;
	for (size_t i = 0; i <= cli_ncommands; i++) {
		const struct cmd *c = table(i);

		for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
			struct captured got;

			call(c, (const char *[]){ c->name, bad[k], NULL }, false, &got);
			assert_int_equal(got.ret, EXIT_USAGE);
			assert_string_equal(got.out, "");
			if (!one_line(got.err) || strncmp(got.err, "error: ", 7))
				fail_msg("rpilbctl %s %s: '%s'", c->name, bad[k], got.err);
			done(c, &got);
			if (!strcmp(c->name, "help"))
				continue;
			/* After -j, the error is a JSON object. */
			call(c, (const char *[]){ c->name, "-j", bad[k], NULL }, false, &got);
			assert_int_equal(got.ret, EXIT_USAGE);
			if (!one_line(got.err) || strncmp(got.err, "{\"error\":", 9))
				fail_msg("rpilbctl %s -j %s: '%s'", c->name, bad[k], got.err);
			done(c, &got);
		}
	}
}

/* The errors as users read them; stderr exactly. */
static void test_error_texts(void **state)
{
	static const struct {
		const char *words[MAX_WORDS];
		const char *err;
	} cases[] = {
		{ { "del-node", "pi1", "--weight", "3" },
		  "error: --weight only applies to add-node\n" },
		{ { "maint", "--wait" }, "error: --wait only applies to drain\n" },
		{ { "add-node", "--timeo", "3" }, "error: --timeout only applies to drain\n" },
		{ { "status", "--all" }, "error: --all only applies to stats\n" },
		{ { "stats", "-c", "x" }, "error: -c only applies to up, down, check\n" },
		{ { "status", "-S", "x" },
		  "error: -S is a global option: put it before the command\n" },
		{ { "status", "--socket=x" },
		  "error: --socket is a global option: put it before the command\n" },
		{ { "rpilbctl", "--config", "x" },
		  "error: --config only applies to up, down, check\n" },
		{ { "up", "--config" }, "error: option '--config' needs an argument: FILE\n" },
		{ { "up", "-fc" }, "error: option '-c' needs an argument: FILE\n" },
		{ { "status", "--json=1" }, "error: option '--json' takes no argument\n" },
		{ { "rpilbctl", "--v" },
		  "error: option '--v' is ambiguous: --verbose, --version\n" },
		{ { "status", "--js", "-xj" },
		  "{\"error\":\"unknown option '-x': see 'rpilbctl status --help'\"}\n" },
		{ { "conns", "--bogus=3" },
		  "error: unknown option '--bogus': see 'rpilbctl conns --help'\n" },
		{ { "rpilbctl", "-x" }, "error: unknown option '-x': see 'rpilbctl --help'\n" },
		{ { "up", "-m", "fast" }, "error: bad mode 'fast': auto, xdp, xdpgeneric or tc\n" },
		{ { "up", "-i", "an-interface-name-too-long" },
		  "error: bad interface name 'an-interface-name-too-long'\n" },
		{ { "add-node", "--weight", "257" }, "error: bad weight '257': 0 to 256\n" },
		{ { "drain", "--wait", "--timeout", "0" },
		  "error: bad --timeout '0': seconds, with --wait\n" },
		{ { "conns", "--client", "10.0.0" },
		  "error: bad client address '10.0.0': an IPv4 address\n" },
		{ { "conns", "--node", "a/b" },
		  "error: bad server name 'a/b': 1 to 31 characters from A-Z a-z 0-9 . _ : -\n" },
		{ { "drain", "--backend", "a b" },
		  "error: bad backend name 'a b': 1 to 31 characters from A-Z a-z 0-9 . _ : -\n" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *name = cases[i].words[0];
		const struct cmd *c =
			strcmp(name, "rpilbctl") ? cli_find_command(name) : &cli_global;
		struct captured got;

		assert_non_null(c);
		call(c, cases[i].words, false, &got);
		if (got.ret != EXIT_USAGE || strcmp(got.err, cases[i].err) || got.out[0])
			fail_msg("case %zu (%s %s): exit %d, '%s', want '%s'", i, name,
				 cases[i].words[1], got.ret, got.err, cases[i].err);
		done(c, &got);
	}
}

/* A unique prefix of an option is the option, as getopt_long() has it. */
static void test_option_prefixes(void **state)
{
	struct captured got;
	const struct cmd *drain = cli_find_command("drain");

	(void)state;
	call(drain, (const char *[]){ "drain", "--w", "--t", "3", "--back=nodes", NULL }, false,
	     &got);
	assert_int_equal(got.ret, CLI_CONTINUE);
	done(drain, &got);
}

static void test_find_command(void **state)
{
	(void)state;
	assert_string_equal(cli_find_command("status")->name, "status");
	assert_string_equal(cli_find_command("statu")->name, "status");
	assert_string_equal(cli_find_command("dr")->name, "drain");
	assert_string_equal(cli_find_command("a")->name, "add-node");
	assert_null(cli_find_command("stat"));
	assert_null(cli_find_command("d"));
	assert_null(cli_find_command(""));
	assert_null(cli_find_command("statusx"));
}

/* Handlers that refuse their positional arguments before asking anyone. */
static void test_arguments(void **state)
{
	static const struct {
		const char *words[MAX_WORDS];
		int ret;
		const char *err;
	} cases[] = {
		{ { "status", "extra" }, EXIT_USAGE, "error: unexpected argument 'extra'\n" },
		{ { "stats", "-a", "x" }, EXIT_USAGE, "error: unexpected argument 'x'\n" },
		{ { "reload", "now" }, EXIT_USAGE, "error: reload takes no arguments\n" },
		{ { "drain" },
		  EXIT_USAGE,
		  "error: drain needs a server NAME: see 'rpilbctl drain --help'\n" },
		{ { "drain", "pi1", "--timeout", "3" },
		  EXIT_USAGE,
		  "error: --timeout needs --wait\n" },
		{ { "add-node", "pi5" },
		  EXIT_USAGE,
		  "error: add-node needs ADDR:PORT after the name\n" },
		{ { "add-node", "pi5", "10.0.0.5" },
		  EXIT_USAGE,
		  "error: bad address '10.0.0.5': expected an IPv4 address and port, like "
		  "192.168.1.104:8000\n" },
		{ { "enable", "pi1", "extra" },
		  EXIT_USAGE,
		  "error: unexpected argument 'extra'\n" },
		{ { "help", "nosuch" },
		  EXIT_USAGE,
		  "error: unknown command 'nosuch': see 'rpilbctl help'\n" },
		{ { "help", "status", "extra" },
		  EXIT_USAGE,
		  "error: unexpected argument 'extra'\n" },
		{ { "help", "--options", "x" }, EXIT_USAGE, "error: unexpected argument 'x'\n" },
		{ { "check", "-c", "/nonexistent/rpilb.cfg", "x" },
		  EXIT_USAGE,
		  "error: unexpected argument 'x'\n" },
		{ { "down", "extra" }, EXIT_USAGE, "error: unexpected argument 'extra'\n" },
		{ { "up", "extra" }, EXIT_USAGE, "error: unexpected argument 'extra'\n" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct cmd *c = cli_find_command(cases[i].words[0]);
		struct captured got;

		call(c, cases[i].words, true, &got);
		if (got.ret != cases[i].ret || strcmp(got.err, cases[i].err))
			fail_msg("case %zu (%s): exit %d, '%s', want '%s'", i, cases[i].words[0],
				 got.ret, got.err, cases[i].err);
	}
}

/* help --options: a row per option, "CMD -l --long ARG", -h included, hidden ones not. */
static void test_option_list(void **state)
{
	struct captured got;
	size_t want = 0, lines = 0;

	(void)state;
	for (size_t i = 0; i <= cli_ncommands; i++) {
		want++; /* -h */
		for (const struct cli_opt *r = table(i)->opts->opt; r->name; r++)
			want += !r->hidden;
	}
	call(cli_find_command("help"), (const char *[]){ "help", "--options", NULL }, true, &got);
	assert_int_equal(got.ret, EXIT_OK);
	assert_string_equal(got.err, "");
	for (const char *p = got.out; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, want);
	assert_non_null(strstr(got.out, "\nup -c --config FILE\n"));
	assert_non_null(strstr(got.out, "\ndrain - --wait -\n"));
	assert_non_null(strstr(got.out, "rpilbctl -S --socket SOCKET\n"));
	assert_non_null(strstr(got.out, "\nhelp -h --help -\n"));
	assert_null(strstr(got.out, "--options"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_well_formed),
		cmocka_unit_test(test_every_option_parses),
		cmocka_unit_test(test_help_shows_every_option),
		cmocka_unit_test(test_synopsis_names_every_option),
		cmocka_unit_test(test_dash_h_is_help),
		cmocka_unit_test(test_bad_option_is_one_line_exit_2),
		cmocka_unit_test(test_error_texts),
		cmocka_unit_test(test_option_prefixes),
		cmocka_unit_test(test_find_command),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_option_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
