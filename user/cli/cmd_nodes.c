// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runtime changes: add-node, del-node, drain, maint, enable, reload. The
 * arguments are checked here first, so a typo never reaches the daemon;
 * the daemon checks again (socat users talk to it directly).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "config/names.h"

/* The options of the node commands, then NAME [ADDR:PORT]. */
struct node_args {
	const char *backend;
	long weight;
	bool wait;
	long timeout_s;
	const char *name;
	const char *addr;
};

static const struct node_args node_defaults = { .weight = 1 };

static int set_weight(const char *arg, void *field)
{
	char *end;
	long w = strtol(arg, &end, 10);

	if (*end || end == arg || w < 0 || w > CFG_MAX_WEIGHT)
		return cli_fail(EXIT_USAGE, "bad weight '%s': 0 to %d", arg, CFG_MAX_WEIGHT);
	*(long *)field = w;
	return 0;
}

static int set_timeout(const char *arg, void *field)
{
	char *end;
	long s = strtol(arg, &end, 10);

	if (*end || end == arg || s <= 0)
		return cli_fail(EXIT_USAGE, "bad --timeout '%s': seconds, with --wait", arg);
	*(long *)field = s;
	return 0;
}

#define BACKEND_OPT                                                                                \
	CLI_SET("backend", const char *, struct node_args, backend, cli_set_backend, .arg = "B",   \
		.help = "the backend, when several have a server of that name")

static const struct cli_opt add_node_table[] = {
	CLI_SET("weight", long, struct node_args, weight, set_weight, .arg = "N",
		.help = "0 to 256 (default 1)"),
	BACKEND_OPT,
	CLI_OPT_JSON,
	{},
};

static const struct cli_opt node_table[] = {
	BACKEND_OPT,
	CLI_OPT_JSON,
	{},
};

static const struct cli_opt drain_table[] = {
	CLI_FLAG("wait", struct node_args, wait,
		 .help = "return when its last open flow has closed"),
	CLI_SET("timeout", long, struct node_args, timeout_s, set_timeout, .arg = "S",
		.help = "with --wait: give up (exit 1) after S seconds"),
	BACKEND_OPT,
	CLI_OPT_JSON,
	{},
};

const struct cli_optset add_node_options =
	CLI_OPTSET(struct node_args, add_node_table, &node_defaults);
const struct cli_optset node_options = CLI_OPTSET(struct node_args, node_table, &node_defaults);
const struct cli_optset drain_options = CLI_OPTSET(struct node_args, drain_table, &node_defaults);

/* NAME [ADDR:PORT] after the options, into a; EXIT_OK or EXIT_USAGE after saying why. */
static int take_args(const char *verb, int argc, char **argv, bool want_addr, struct node_args *a)
{
	struct in_addr addr;
	uint16_t port;

	if (a->timeout_s && !a->wait)
		return cli_fail(EXIT_USAGE, "--timeout needs --wait");
	if (argc < 1)
		return cli_fail(EXIT_USAGE, "%s needs a server NAME: see 'rpilbctl %s --help'",
				verb, verb);
	if (cli_set_server(argv[0], &a->name))
		return EXIT_USAGE;
	if (!want_addr)
		return cli_no_args(argc - 1, argv + 1);
	if (argc < 2)
		return cli_fail(EXIT_USAGE, "add-node needs ADDR:PORT after the name");
	a->addr = argv[1];
	if (parse_ipv4_port(a->addr, &addr, &port) || !port)
		return cli_fail(EXIT_USAGE,
				"bad address '%s': expected an IPv4 address and port, "
				"like 192.168.1.104:8000",
				a->addr);
	return cli_no_args(argc - 2, argv + 2);
}

/* Send "VERB NAME [...] [backend B]" and print the daemon's answer. */
static int node_request(const char *verb, const struct node_args *a, const char *extra)
{
	return cli_request_print("%s %s%s%s%s%s", verb, a->name, extra ? " " : "",
				 extra ? extra : "", a->backend ? " backend " : "",
				 a->backend ? a->backend : "");
}

/* del-node, maint, enable: NAME and the request. */
static int node_verb(const char *verb, const void *opts, int argc, char **argv)
{
	struct node_args a = *(const struct node_args *)opts;

	return take_args(verb, argc, argv, false, &a) ?: node_request(verb, &a, NULL);
}

int do_add_node(const void *opts, int argc, char **argv)
{
	struct node_args a = *(const struct node_args *)opts;
	char extra[128];
	int ret = take_args("add-node", argc, argv, true, &a);

	if (ret)
		return ret;
	snprintf(extra, sizeof(extra), "%s weight %ld", a.addr, a.weight);
	return node_request("add-node", &a, extra);
}

int do_del_node(const void *opts, int argc, char **argv)
{
	return node_verb("del-node", opts, argc, argv);
}

int do_maint(const void *opts, int argc, char **argv)
{
	return node_verb("maint", opts, argc, argv);
}

int do_enable(const void *opts, int argc, char **argv)
{
	return node_verb("enable", opts, argc, argv);
}

/* The open flows of one server, from the daemon's last sweep of the flow table. */
static long flows_left(const struct node_args *a)
{
	char line[256], *body = NULL;
	long n;

	snprintf(line, sizeof(line), "show flows %s%s%s", a->name, a->backend ? " backend " : "",
		 a->backend ? a->backend : "");
	if (cli_request(line, &body))
		return -1;
	n = strtol(body, NULL, 10);
	free(body);
	return n;
}

/* drain --wait: say how many flows are left each time it changes, until none. */
static int wait_drained(const struct node_args *a)
{
	struct timespec start, now;
	long left, last = -1;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		left = flows_left(a);
		if (left < 0)
			return EXIT_FAIL;
		if (left != last && !cli.json)
			printf("%s: %ld flow%s open\n", a->name, left, left == 1 ? "" : "s");
		fflush(stdout);
		last = left;
		if (left == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (a->timeout_s && now.tv_sec - start.tv_sec >= a->timeout_s)
			return cli_fail(EXIT_FAIL, "%s still has %ld open flow%s after %ld s",
					a->name, left, left == 1 ? "" : "s", a->timeout_s);
		/* The daemon sweeps the flow table once a second. */
		usleep(500 * 1000);
	}
	if (!cli.json)
		printf("%s is drained\n", a->name);
	return EXIT_OK;
}

int do_drain(const void *opts, int argc, char **argv)
{
	struct node_args a = *(const struct node_args *)opts;
	int ret = take_args("drain", argc, argv, false, &a);

	if (ret)
		return ret;
	ret = node_request("drain", &a, NULL);
	if (ret || !a.wait)
		return ret;
	return wait_drained(&a);
}

int do_reload(const void *opts, int argc, char **argv)
{
	(void)opts;
	(void)argv;
	if (argc)
		return cli_fail(EXIT_USAGE, "reload takes no arguments");
	return cli_request_print("reload");
}
