/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Options as data. Each command has one table of the options it takes, and
 * all there is to know about an option is in its row: long name, letter,
 * argument, help line, and the field it sets. From the table come
 * getopt_long()'s array and optstring, the options block of "rpilbctl CMD
 * --help", the one-line error for a bad option, and the list "rpilbctl
 * help --options" prints, which the man page and the bash completion are
 * tested against. -h/--help belongs to every table: the parser adds it.
 *
 *	static const struct cli_opt stats_table[] = {
 *		CLI_FLAG("all", struct stats_opts, all, .letter = 'a',
 *			 .help = "every data-path counter, zeros too"),
 *		CLI_OPT_JSON,
 *		{}
 *	};
 *	const struct cli_optset stats_options =
 *		CLI_OPTSET(struct stats_opts, stats_table, NULL);
 */
#ifndef RPILB_CLI_OPTS_H
#define RPILB_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The rows a table may have at the most (the parser adds -h). */
#define CLI_MAX_OPTS 15

/* What a row does with its option. */
enum cli_opt_kind {
	CLI_KIND_FLAG, /* sets a bool true */
	CLI_KIND_STR, /* keeps the argument in a const char * */
	CLI_KIND_SET, /* set() checks it and stores it */
};

struct cli_opt {
	const char *name; /* --name; NULL ends the table */
	char letter; /* -l, or 0 for a long option only */
	const char *arg; /* its argument, as --help names it ("FILE"); NULL: none */
	const char *help; /* its line in --help */
	enum cli_opt_kind kind;
	size_t off; /* the field it sets, in the command's options struct */
	/* CLI_KIND_SET: 0, or EXIT_USAGE after the one-line error. */
	int (*set)(const char *arg, void *field);
	bool hidden; /* for tests and tools: not in --help nor in --options */
};

/* A command's options: the table, the struct they fill, its first value (NULL: zeros). */
struct cli_optset {
	const struct cli_opt *opt;
	size_t size;
	const void *init;
};

/* offsetof(T, f), refusing to build unless T.f is of type FT. */
#define CLI_FIELD(FT, T, f) (offsetof(T, f) + 0 * sizeof((FT *)0 == &((T *)0)->f))

/* A flag that sets bool T.f. */
#define CLI_FLAG(NAME, T, f, ...)                                                                  \
	{                                                                                          \
		.name = NAME, .kind = CLI_KIND_FLAG, .off = CLI_FIELD(bool, T, f), __VA_ARGS__     \
	}
/* An argument kept as given, in const char *T.f. */
#define CLI_STR(NAME, T, f, ...)                                                                   \
	{                                                                                          \
		.name = NAME, .kind = CLI_KIND_STR, .off = CLI_FIELD(const char *, T, f),          \
		__VA_ARGS__                                                                        \
	}
/* An argument (or a flag) that fn checks and stores in T.f, of type FT. */
#define CLI_SET(NAME, FT, T, f, fn, ...)                                                           \
	{                                                                                          \
		.name = NAME, .kind = CLI_KIND_SET, .off = CLI_FIELD(FT, T, f), .set = (fn),       \
		__VA_ARGS__                                                                        \
	}

/* -j, --json: every command's (but help's), and a global option too. */
int cli_opt_json(const char *arg, void *field);
#define CLI_OPT_JSON                                                                               \
	{                                                                                          \
		.name = "json", .letter = 'j',                                                     \
		.help = "JSON output (and JSON errors), for scripts", .kind = CLI_KIND_SET,        \
		.set = cli_opt_json,                                                               \
	}

#define CLI_OPTSET(T, table, first)                                                                \
	{                                                                                          \
		.opt = (table), .size = sizeof(T), .init = (1 ? (first) : (const T *)NULL)         \
	}

/* The options block of --help: "  -c, --config FILE    help", one a line. */
void cli_print_options(FILE *out, const struct cli_opt *table);

/* The rows of "help --options": "CMD -c --config FILE", '-' where there is none. */
void cli_list_options(FILE *out, const char *cmd, const struct cli_opt *table);

/* -h, --help: the row the parser adds to every table. */
extern const struct cli_opt cli_opt_help;

#endif
