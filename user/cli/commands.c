// SPDX-License-Identifier: GPL-2.0-only
/*
 * rpilbctl's commands as a table: name, handler, options, synopsis, summary
 * and exit statuses. Each handler is a do_<verb> in its own cmd_*.c, next
 * to its option table. A unique prefix of a command name is accepted
 * ("stat" is ambiguous, "statu" is status). The table is here, not in
 * main.c, so that the unit tests can walk it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "lib/util.h"

static int do_help(const void *opts, int argc, char **argv);

/* status and reload: -j only. */
static const struct cli_opt json_table[] = {
	CLI_OPT_JSON,
	{},
};
static const struct cli_optset json_only = { .opt = json_table };

struct help_opts {
	bool options;
};

static const struct cli_opt help_table[] = {
	CLI_FLAG("options", struct help_opts, options, .hidden = true,
		 .help = "every option of every command, one a line (for the tests of the man page "
			 "and the completion)"),
	{},
};
static const struct cli_optset help_options = CLI_OPTSET(struct help_opts, help_table, NULL);

const struct cmd cli_commands[] = {
	{
		.name = "up",
		.fn = do_up,
		.opts = &up_options,
		.args = "[-c FILE] [-i IFACE] [-m auto|xdp|xdpgeneric|tc] [-f] [-L LOGFILE] [-j]",
		.help = "load and attach the balancer, start the daemon",
	},
	{
		.name = "down",
		.fn = do_down,
		.opts = &down_options,
		.args = "[-c FILE] [-j]",
		.help = "stop the daemon, detach, remove the pinned maps",
	},
	{
		.name = "status",
		.fn = do_status,
		.opts = &json_only,
		.args = "[-j]",
		.help = "servers, their state, weight and flows; attach mode",
	},
	{
		.name = "check",
		.fn = do_check,
		.opts = &check_options,
		.args = "[-c FILE] [-j]",
		.help = "validate a configuration file without touching the system",
		.exits =
			"0 valid, 1 errors, 2 valid but nothing to forward (no listener) or bad arguments",
	},
	{
		.name = "add-node",
		.fn = do_add_node,
		.opts = &add_node_options,
		.args = "NAME ADDR:PORT [--weight N] [--backend B] [-j]",
		.help = "add a server at run time; it joins once its checks pass",
	},
	{
		.name = "del-node",
		.fn = do_del_node,
		.opts = &node_options,
		.args = "NAME [--backend B] [-j]",
		.help = "remove a server at run time; its open flows finish",
	},
	{
		.name = "drain",
		.fn = do_drain,
		.opts = &drain_options,
		.args = "NAME [--backend B] [--wait [--timeout S]] [-j]",
		.help = "no new flows for a server; open ones finish",
	},
	{
		.name = "maint",
		.fn = do_maint,
		.opts = &node_options,
		.args = "NAME [--backend B] [-j]",
		.help = "maintenance: no new flows, no checks",
	},
	{
		.name = "enable",
		.fn = do_enable,
		.opts = &node_options,
		.args = "NAME [--backend B] [-j]",
		.help = "back into rotation (after drain or maint), once healthy",
	},
	{
		.name = "reload",
		.fn = do_reload,
		.opts = &json_only,
		.args = "[-j]",
		.help = "re-read the configuration file, keep runtime changes",
	},
	{
		.name = "stats",
		.fn = do_stats,
		.opts = &stats_options,
		.args = "[-a] [-j]",
		.help = "counters of the data path, frontends and servers",
	},
	{
		.name = "conns",
		.fn = do_conns,
		.opts = &conns_options,
		.args = "[--node NAME [--backend B]] [--client IP] [-j]",
		.help = "the live flows: which Pi serves which client",
	},
	{
		.name = "help",
		.fn = do_help,
		.opts = &help_options,
		.args = "[COMMAND]",
		.help = "this text, or one command's",
	},
};

const size_t cli_ncommands = ARRAY_SIZE(cli_commands);

/* -p: pretty JSON is JSON. */
static int set_pretty(const char *arg, void *field)
{
	(void)arg;
	cli_set_json();
	*(bool *)field = true;
	return 0;
}

static const struct cli_opt global_table[] = {
	CLI_OPT_JSON,
	CLI_SET("pretty", bool, struct cli, pretty, set_pretty, .letter = 'p',
		.help = "indented JSON (implies -j)"),
	CLI_FLAG("verbose", struct cli, verbose, .letter = 'v',
		 .help = "more detail, including libbpf's"),
	CLI_STR("socket", struct cli, socket, .letter = 'S', .arg = "SOCKET",
		.help = "control socket (default " CFG_DEFAULT_SOCKET ", or $RPILB_SOCKET)"),
	CLI_FLAG("version", struct cli, version, .letter = 'V',
		 .help = "print the version and exit"),
	{},
};
static const struct cli_optset global_options = CLI_OPTSET(struct cli, global_table, NULL);

const struct cmd cli_global = {
	.name = "rpilbctl",
	.opts = &global_options,
	.args = "[-j] [-p] [-v] [-S SOCKET] COMMAND [ARGS]",
};

const struct cmd *cli_find_command(const char *name)
{
	const struct cmd *match = NULL;
	size_t len = strlen(name);
	int n = 0;

	for (size_t i = 0; i < cli_ncommands; i++) {
		if (!strcmp(cli_commands[i].name, name))
			return &cli_commands[i];
		if (!strncmp(cli_commands[i].name, name, len)) {
			match = &cli_commands[i];
			n++;
		}
	}
	return n == 1 ? match : NULL;
}

static bool any_visible(const struct cli_opt *table)
{
	for (const struct cli_opt *r = table; r->name; r++)
		if (!r->hidden)
			return true;
	return false;
}

static void print_usage(FILE *out)
{
	fprintf(out,
		"usage: rpilbctl %s\n"
		"       rpilbctl --version\n\n"
		"rpilb balances TCP connections across Raspberry Pis in the kernel (XDP/tc),\n"
		"configured with the haproxy.cfg you already have.\n\n"
		"Commands:\n",
		cli_global.args);
	for (size_t i = 0; i < cli_ncommands; i++)
		fprintf(out, "  %-9s %s\n", cli_commands[i].name, cli_commands[i].help);
	fprintf(out, "\nOptions:\n");
	cli_print_options(out, global_table);
	fprintf(out,
		"\n'rpilbctl help COMMAND' or 'rpilbctl COMMAND --help' describes one command.\n");
}

void cli_print_help(FILE *out, const struct cmd *c)
{
	if (c == &cli_global) {
		print_usage(out);
		return;
	}
	fprintf(out, "usage: rpilbctl %s %s\n\n%s.\n", c->name, c->args, c->help);
	if (any_visible(c->opts->opt)) {
		fprintf(out, "\noptions:\n");
		cli_print_options(out, c->opts->opt);
	}
	fprintf(out, "\nExit status: %s.\n",
		c->exits ? c->exits : "0 done, 1 failed (nothing changed), 2 bad arguments");
}

int cli_run(const struct cmd *c, int argc, char **argv)
{
	const struct cli_optset *os = c->opts;
	void *opts = NULL;
	int ret;

	if (os->size) {
		opts = calloc(1, os->size);
		if (!opts)
			return cli_fail(EXIT_FAIL, "out of memory");
		if (os->init)
			memcpy(opts, os->init, os->size);
	}
	ret = cli_parse(c, argc, argv, opts);
	if (ret == CLI_CONTINUE)
		ret = c->fn(opts, argc - optind, argv + optind);
	free(opts);
	return ret;
}

/* help --options: what tests/pkg checks rpilbctl(8) and the completion against. */
static void list_options(FILE *out)
{
	cli_list_options(out, cli_global.name, global_table);
	for (size_t i = 0; i < cli_ncommands; i++)
		cli_list_options(out, cli_commands[i].name, cli_commands[i].opts->opt);
}

static int do_help(const void *opts, int argc, char **argv)
{
	const struct help_opts *o = opts;
	const struct cmd *c;

	if (o->options && argc)
		return cli_no_args(argc, argv);
	if (o->options) {
		list_options(stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_no_args(argc - 1, argv + 1);
	if (!argc) {
		print_usage(stdout);
		return EXIT_OK;
	}
	c = cli_find_command(argv[0]);
	if (!c)
		return cli_fail(EXIT_USAGE, "unknown command '%s': see 'rpilbctl help'", argv[0]);
	cli_print_help(stdout, c);
	return EXIT_OK;
}
