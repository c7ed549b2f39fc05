/* SPDX-License-Identifier: GPL-2.0-only */
/* What every rpilbctl command shares: the command table, options, exit codes. */
#ifndef RPILB_CLI_H
#define RPILB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/opts.h"
#include "lib/json.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAIL = 1, /* the command could not do what was asked */
	EXIT_USAGE = 2, /* bad arguments: nothing was changed */
	/* check: the file is valid but has nothing to forward (haproxy -c's 2) */
	EXIT_NO_LISTENER = 2,
};

/* The global options, set before the command name. */
struct cli {
	bool json;
	bool pretty;
	bool verbose;
	bool version; /* -V: print the version and exit */
	const char *socket; /* -S, $RPILB_SOCKET, or the default */
};

extern struct cli cli;

/*
 * A row of the command table (commands.c). fn gets the options struct its
 * table filled (NULL when the table sets no field) and the positional
 * arguments only: argv[0] is the first of them.
 */
struct cmd {
	const char *name;
	int (*fn)(const void *opts, int argc, char **argv);
	const struct cli_optset *opts;
	const char *args; /* the synopsis after the name */
	const char *help; /* one line, in "rpilbctl help" */
	const char *exits; /* the exit statuses, if not the usual three */
};

extern const struct cmd cli_commands[];
extern const size_t cli_ncommands;
/* rpilbctl itself: the global options, which come before the command name. */
extern const struct cmd cli_global;

/* The command called name, or the only one name is a prefix of; else NULL. */
const struct cmd *cli_find_command(const char *name);

/* cli_parse()'s "go on": the options are fine, optind is at the first argument. */
#define CLI_CONTINUE (-1)

/*
 * Parse argv's options by c's table into opts (a struct at its first
 * value). Returns CLI_CONTINUE, EXIT_OK after printing the help (-h), or
 * EXIT_USAGE after a one-line error (JSON once -j has been seen).
 */
int cli_parse(const struct cmd *c, int argc, char **argv, void *opts);

/* Parse c's options, then run it; argv[0] is the command's name. The exit status. */
int cli_run(const struct cmd *c, int argc, char **argv);

/* "rpilbctl CMD --help", or for &cli_global, "rpilbctl --help". */
void cli_print_help(FILE *out, const struct cmd *c);

/* A one-line error (JSON in -j mode); returns code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* EXIT_OK when no positional argument is left; else EXIT_USAGE after saying so. */
int cli_no_args(int argc, char **argv);

/* -j: JSON output, and JSON errors and log lines. */
void cli_set_json(void);

/* A JSON writer on stdout honouring -p. */
struct json_writer *cli_json(void);

/* Send one request to the daemon; prints the error itself. */
int cli_request(const char *line, char **body);
/*
 * Send the request fmt says (as JSON under -j), print the answer's body and
 * free it. EXIT_OK, or EXIT_FAIL after the one-line error.
 */
int cli_request_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Setters for option tables: a backend or server name, checked, into a const char *. */
int cli_set_backend(const char *arg, void *field);
int cli_set_server(const char *arg, void *field);

/* Each command's options (in its cmd_*.c) and handler. */
extern const struct cli_optset up_options, down_options, check_options, stats_options,
	conns_options, add_node_options, node_options, drain_options;

int do_up(const void *opts, int argc, char **argv);
int do_down(const void *opts, int argc, char **argv);
int do_status(const void *opts, int argc, char **argv);
int do_check(const void *opts, int argc, char **argv);
int do_add_node(const void *opts, int argc, char **argv);
int do_del_node(const void *opts, int argc, char **argv);
int do_drain(const void *opts, int argc, char **argv);
int do_maint(const void *opts, int argc, char **argv);
int do_enable(const void *opts, int argc, char **argv);
int do_reload(const void *opts, int argc, char **argv);
int do_stats(const void *opts, int argc, char **argv);
int do_conns(const void *opts, int argc, char **argv);

#endif
