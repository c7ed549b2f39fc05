/* SPDX-License-Identifier: GPL-2.0-only */
/* What every rpilbctl command shares: options, paths, exit codes. */
#ifndef RPILB_CLI_H
#define RPILB_CLI_H

#include <stdbool.h>

#include "lib/json.h"

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAIL = 1, /* the command could not do what was asked */
	EXIT_USAGE = 2, /* bad arguments: nothing was changed */
	/* check: the file is valid but has nothing to forward (haproxy -c's 2) */
	EXIT_NO_LISTENER = 2,
};

struct cli {
	bool json;
	bool pretty;
	bool verbose;
	const char *socket; /* -S, $RPILB_SOCKET, or the default */
};

extern struct cli cli;

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
	const char *opts; /* one line per option, for "CMD --help" */
	const char *exits; /* the exit statuses, if not the usual three */
};

/* "usage: rpilbctl NAME ARGS" on stderr; returns EXIT_USAGE (bad arguments). */
int cli_usage(const char *name);
/* The command's full help on stdout; returns EXIT_OK (asked with --help). */
int cli_help(const char *name);
/* A one-line error (JSON in -j mode); returns code. */
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

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

int do_up(int argc, char **argv);
int do_down(int argc, char **argv);
int do_status(int argc, char **argv);
int do_check(int argc, char **argv);
int do_add_node(int argc, char **argv);
int do_del_node(int argc, char **argv);
int do_drain(int argc, char **argv);
int do_maint(int argc, char **argv);
int do_enable(int argc, char **argv);
int do_reload(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_conns(int argc, char **argv);

#endif
