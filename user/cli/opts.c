// SPDX-License-Identifier: GPL-2.0-only
/*
 * The parser behind every option table (opts.h): one getopt_long() loop
 * for rpilbctl's global options and for each command's, so -h, -j and the
 * errors for a bad option are the same everywhere.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"

/* A table's rows and -h. */
#define MAX_ROWS (CLI_MAX_OPTS + 1)
/* getopt_long's value for row i of a long-only option (above any letter). */
#define LONG_ONLY 256

const struct cli_opt cli_opt_help = {
	.name = "help",
	.letter = 'h',
	.help = "this text",
};

/* One command's table as getopt_long() takes it; row[i] answers lo[i]. */
struct parser {
	const struct cli_opt *row[MAX_ROWS];
	struct option lo[MAX_ROWS + 1];
	char optstring[3 + 2 * MAX_ROWS + 1];
	int n;
};

int cli_opt_json(const char *arg, void *field)
{
	(void)arg;
	(void)field;
	cli_set_json();
	return 0;
}

static int row_value(const struct cli_opt *r, int i)
{
	return r->letter ? r->letter : LONG_ONLY + i;
}

/* The table plus -h; '+' stops at the command name (the global options). */
static int parser_init(struct parser *p, const struct cli_opt *table, bool in_order)
{
	char *s = p->optstring;

	memset(p, 0, sizeof(*p));
	if (in_order)
		*s++ = '+';
	*s++ = ':'; /* a missing argument is ':', not '?' */
	for (const struct cli_opt *r = table; r->name; r++) {
		if (p->n == CLI_MAX_OPTS)
			return -1;
		p->row[p->n++] = r;
	}
	p->row[p->n++] = &cli_opt_help;
	for (int i = 0; i < p->n; i++) {
		const struct cli_opt *r = p->row[i];

		p->lo[i] = (struct option){ r->name, r->arg ? required_argument : no_argument, NULL,
					    row_value(r, i) };
		if (r->letter) {
			*s++ = r->letter;
			if (r->arg)
				*s++ = ':';
		}
	}
	return 0;
}

static const struct cli_opt *parser_row(const struct parser *p, int value)
{
	for (int i = 0; i < p->n; i++)
		if (row_value(p->row[i], i) == value)
			return p->row[i];
	return NULL;
}

static int apply(const struct cli_opt *r, void *opts, const char *arg)
{
	void *field = opts ? (char *)opts + r->off : NULL;

	if (r->kind == CLI_KIND_SET)
		return r->set(arg, field);
	if (!field)
		return cli_fail(EXIT_FAIL, "internal: --%s has nowhere to go", r->name);
	if (r->kind == CLI_KIND_FLAG)
		*(bool *)field = true;
	else
		*(const char **)field = arg;
	return 0;
}

static bool table_has(const struct cli_opt *table, const char *name, char letter)
{
	for (const struct cli_opt *r = table; r->name; r++)
		if (!r->hidden && (name ? !strcmp(r->name, name) : r->letter == letter))
			return true;
	return false;
}

/* The tables a hint may point to: every command's, then the global ones. */
static const struct cmd *table_owner(size_t i)
{
	return i < cli_ncommands ? &cli_commands[i] : &cli_global;
}

/*
 * The long option "--PREFIX" names in the other tables: an exact match
 * first, else the one name it abbreviates. NULL when none or several.
 */
static const char *name_elsewhere(const struct cmd *c, const char *prefix, size_t len)
{
	const char *found = NULL;

	for (size_t i = 0; i <= cli_ncommands; i++) {
		const struct cmd *o = table_owner(i);

		if (o == c)
			continue;
		for (const struct cli_opt *r = o->opts->opt; r->name; r++) {
			if (r->hidden || strncmp(r->name, prefix, len))
				continue;
			if (!r->name[len])
				return r->name;
			if (found && strcmp(found, r->name))
				return NULL;
			found = r->name;
		}
	}
	return found;
}

/*
 * "--wait only applies to drain", from the tables: the help a user needs
 * who put an option on the wrong command. 0 when no other table has it.
 */
static int hint_elsewhere(const struct cmd *c, const char *name, char letter)
{
	char shown[40], cmds[256] = "";
	size_t used = 0;

	if (name)
		snprintf(shown, sizeof(shown), "--%s", name);
	else
		snprintf(shown, sizeof(shown), "-%c", letter);
	if (c != &cli_global && table_has(cli_global.opts->opt, name, letter))
		return cli_fail(EXIT_USAGE, "%s is a global option: put it before the command",
				shown);
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cmd *o = &cli_commands[i];

		if (o != c && table_has(o->opts->opt, name, letter) && used < sizeof(cmds))
			used += snprintf(cmds + used, sizeof(cmds) - used, "%s%s", used ? ", " : "",
					 o->name);
	}
	if (!used)
		return 0;
	return cli_fail(EXIT_USAGE, "%s only applies to %s", shown, cmds);
}

/* The long options of this table that start with prefix, as "--a, --b"; how many. */
static int matches(const struct parser *p, const char *prefix, size_t len, char *buf, size_t size)
{
	size_t used = 0;
	int n = 0;

	buf[0] = '\0';
	for (int i = 0; i < p->n; i++) {
		if (strncmp(p->row[i]->name, prefix, len))
			continue;
		if (used < size)
			used += snprintf(buf + used, size - used, "%s--%s", n ? ", " : "",
					 p->row[i]->name);
		n++;
	}
	return n;
}

/* An unknown "--word" or "--word=value", or one that abbreviates several. */
static int bad_long(const struct cmd *c, const struct parser *p, const char *word)
{
	const char *see = c == &cli_global ? "" : c->name, *other;
	size_t len = strcspn(word + 2, "=");
	char names[256];
	int ret;

	if (matches(p, word + 2, len, names, sizeof(names)) > 1)
		return cli_fail(EXIT_USAGE, "option '%.*s' is ambiguous: %s", (int)len + 2, word,
				names);
	other = name_elsewhere(c, word + 2, len);
	ret = other ? hint_elsewhere(c, other, 0) : 0;
	if (ret)
		return ret;
	return cli_fail(EXIT_USAGE, "unknown option '%.*s': see 'rpilbctl %s%s--help'",
			(int)len + 2, word, see, *see ? " " : "");
}

/*
 * The one-line error for what getopt_long() refused; EXIT_USAGE. word is
 * argv[optind - 1]: the option itself when it was long or came last in its
 * word; within "-xj" it is not, so a short option is named by optopt.
 */
static int bad_option(const struct cmd *c, const struct parser *p, int ch, const char *word)
{
	const struct cli_opt *r = optopt ? parser_row(p, optopt) : NULL;
	const char *see = c == &cli_global ? "" : c->name;
	int ret;

	if (ch == ':' && !strncmp(word, "--", 2))
		return cli_fail(EXIT_USAGE, "option '--%s' needs an argument: %s", r->name, r->arg);
	if (ch == ':')
		return cli_fail(EXIT_USAGE, "option '-%c' needs an argument: %s", r->letter,
				r->arg);
	if (r) /* only a long option can be given a value it does not take */
		return cli_fail(EXIT_USAGE, "option '--%s' takes no argument", r->name);
	if (!optopt)
		return bad_long(c, p, word);
	ret = hint_elsewhere(c, NULL, optopt);
	if (ret)
		return ret;
	return cli_fail(EXIT_USAGE, "unknown option '-%c': see 'rpilbctl %s%s--help'", optopt, see,
			*see ? " " : "");
}

int cli_parse(const struct cmd *c, int argc, char **argv, void *opts)
{
	bool global = c == &cli_global;
	struct parser p;
	int ch, ret;

	if (parser_init(&p, c->opts->opt, global))
		return cli_fail(EXIT_FAIL, "internal: more than %d options", CLI_MAX_OPTS);
	opterr = 0;
	optind = 0; /* 0, not 1: glibc starts afresh, permutation state and all */
	while ((ch = getopt_long(argc, argv, p.optstring, p.lo, NULL)) != -1) {
		const struct cli_opt *r = ch == '?' || ch == ':' ? NULL : parser_row(&p, ch);

		if (!r)
			return bad_option(c, &p, ch, argv[optind - 1]);
		if (r == &cli_opt_help) {
			cli_print_help(stdout, c);
			return EXIT_OK;
		}
		ret = apply(r, opts, optarg);
		if (ret)
			return ret;
	}
	return CLI_CONTINUE;
}

/* "-c, --config FILE" or "--weight N", for --help. */
static int spec(char *buf, size_t len, const struct cli_opt *r)
{
	char letter[8] = "";

	if (r->letter)
		snprintf(letter, sizeof(letter), "-%c, ", r->letter);
	return snprintf(buf, len, "%s--%s%s%s", letter, r->name, r->arg ? " " : "",
			r->arg ? r->arg : "");
}

void cli_print_options(FILE *out, const struct cli_opt *table)
{
	int width = 19; /* where the help lines have always started, minus the margins */
	char buf[64];

	for (const struct cli_opt *r = table; r->name; r++)
		if (!r->hidden && spec(buf, sizeof(buf), r) > width)
			width = spec(buf, sizeof(buf), r);
	for (const struct cli_opt *r = table; r->name; r++) {
		if (r->hidden)
			continue;
		spec(buf, sizeof(buf), r);
		fprintf(out, "  %-*s  %s\n", width, buf, r->help);
	}
}

void cli_list_options(FILE *out, const char *cmd, const struct cli_opt *table)
{
	for (const struct cli_opt *r = table; r->name; r++) {
		if (r->hidden)
			continue;
		if (r->letter)
			fprintf(out, "%s -%c --%s %s\n", cmd, r->letter, r->name,
				r->arg ? r->arg : "-");
		else
			fprintf(out, "%s - --%s %s\n", cmd, r->name, r->arg ? r->arg : "-");
	}
	fprintf(out, "%s -%c --%s -\n", cmd, cli_opt_help.letter, cli_opt_help.name);
}
