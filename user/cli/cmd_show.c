// SPDX-License-Identifier: GPL-2.0-only
/* status, stats, conns: what the daemon knows, as text or JSON. */
#include <stdio.h>

#include <arpa/inet.h>

#include "cli/cli.h"

int do_status(const void *opts, int argc, char **argv)
{
	(void)opts;
	return cli_no_args(argc, argv) ?: cli_request_print("show status");
}

struct stats_opts {
	bool all;
};

static const struct cli_opt stats_table[] = {
	CLI_FLAG("all", struct stats_opts, all, .letter = 'a',
		 .help = "every data-path counter, zeros too"),
	CLI_OPT_JSON,
	{},
};
const struct cli_optset stats_options = CLI_OPTSET(struct stats_opts, stats_table, NULL);

int do_stats(const void *opts, int argc, char **argv)
{
	const struct stats_opts *o = opts;

	return cli_no_args(argc, argv) ?: cli_request_print("show stats%s", o->all ? " all" : "");
}

struct conns_opts {
	const char *node, *backend, *client;
};

static int set_client(const char *arg, void *field)
{
	struct in_addr addr;

	if (inet_pton(AF_INET, arg, &addr) != 1)
		return cli_fail(EXIT_USAGE, "bad client address '%s': an IPv4 address", arg);
	*(const char **)field = arg;
	return 0;
}

static const struct cli_opt conns_table[] = {
	CLI_SET("node", const char *, struct conns_opts, node, cli_set_server, .arg = "NAME",
		.help = "only this server's flows"),
	CLI_SET("client", const char *, struct conns_opts, client, set_client, .arg = "IP",
		.help = "only this client's flows"),
	CLI_SET("backend", const char *, struct conns_opts, backend, cli_set_backend, .arg = "B",
		.help = "the backend, when several have a server of that name"),
	CLI_OPT_JSON,
	{},
};
const struct cli_optset conns_options = CLI_OPTSET(struct conns_opts, conns_table, NULL);

/* "show conns [node N] [backend B] [client IP]": the daemon takes them in any order. */
int do_conns(const void *opts, int argc, char **argv)
{
	const struct conns_opts *o = opts;

	if (argc)
		return cli_no_args(argc, argv);
	return cli_request_print("show conns%s%s%s%s%s%s", o->node ? " node " : "",
				 o->node ? o->node : "", o->backend ? " backend " : "",
				 o->backend ? o->backend : "", o->client ? " client " : "",
				 o->client ? o->client : "");
}
