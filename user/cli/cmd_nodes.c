// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runtime changes: add-node, del-node, drain, maint, enable, reload. The
 * arguments are checked here first, so a typo never reaches the daemon;
 * the daemon checks again (socat users talk to it directly).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "lib/log.h"
#include "config/names.h"

struct node_args {
	const char *name;
	const char *addr;
	const char *backend;
	long weight;
	bool wait;
	long timeout_s;
};

enum {
	OPT_WEIGHT = 256,
	OPT_BACKEND,
	OPT_WAIT,
	OPT_TIMEOUT,
};

/* Parse NAME [ADDR:PORT] and the options; returns EXIT_OK or a failure code. */
static int parse_node_args(int argc, char **argv, bool want_addr, bool allow_wait,
			   struct node_args *a)
{
	static const struct option opts[] = {
		{ "weight", required_argument, NULL, OPT_WEIGHT },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char *end;
	int opt;

	memset(a, 0, sizeof(*a));
	a->weight = -1;
	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_WEIGHT:
			if (!want_addr)
				return cli_fail(EXIT_USAGE, "--weight only applies to add-node");
			a->weight = strtol(optarg, &end, 10);
			if (*end || end == optarg || a->weight < 0 || a->weight > CFG_MAX_WEIGHT)
				return cli_fail(EXIT_USAGE, "bad weight '%s': 0 to %d", optarg,
						CFG_MAX_WEIGHT);
			break;
		case OPT_BACKEND:
			if (!name_valid(optarg))
				return cli_fail(EXIT_USAGE, "bad backend name '%s': %s", optarg,
						NAME_RULE);
			a->backend = optarg;
			break;
		case OPT_WAIT:
			if (!allow_wait)
				return cli_fail(EXIT_USAGE, "--wait only applies to drain");
			a->wait = true;
			break;
		case OPT_TIMEOUT:
			a->timeout_s = strtol(optarg, &end, 10);
			if (!allow_wait || *end || end == optarg || a->timeout_s <= 0)
				return cli_fail(EXIT_USAGE,
						"bad --timeout '%s': seconds, with --wait", optarg);
			break;
		case 'j':
			cli_set_json();
			break;
		case 'h':
			return -1;
		default:
			return cli_usage(argv[0]);
		}
	}
	if (a->timeout_s && !a->wait)
		return cli_fail(EXIT_USAGE, "--timeout needs --wait");
	if (optind >= argc)
		return cli_fail(EXIT_USAGE, "%s needs a server NAME: see 'rpilbctl %s --help'",
				argv[0], argv[0]);
	a->name = argv[optind++];
	if (!name_valid(a->name))
		return cli_fail(EXIT_USAGE, "bad server name '%s': %s", a->name, NAME_RULE);
	if (want_addr) {
		struct in_addr addr;
		uint16_t port;

		if (optind >= argc)
			return cli_fail(EXIT_USAGE, "add-node needs ADDR:PORT after the name");
		a->addr = argv[optind++];
		if (parse_ipv4_port(a->addr, &addr, &port) || !port)
			return cli_fail(EXIT_USAGE,
					"bad address '%s': expected an IPv4 address and port, "
					"like 192.168.1.104:8000",
					a->addr);
	}
	if (optind < argc)
		return cli_fail(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

static int help(const char *name, int ret)
{
	if (ret != -1)
		return ret;
	return cli_help(name);
}

/* Send "VERB NAME [...] [backend B]" and print the daemon's answer. */
static int node_request(const char *verb, const struct node_args *a, const char *extra)
{
	return cli_request_print("%s %s%s%s%s%s", verb, a->name, extra ? " " : "", extra ? extra : "",
				 a->backend ? " backend " : "", a->backend ? a->backend : "");
}

int do_add_node(int argc, char **argv)
{
	struct node_args a;
	char extra[128];
	int ret = parse_node_args(argc, argv, true, false, &a);

	if (ret)
		return help(argv[0], ret);
	snprintf(extra, sizeof(extra), "%s weight %ld", a.addr, a.weight < 0 ? 1 : a.weight);
	return node_request("add-node", &a, extra);
}

int do_del_node(int argc, char **argv)
{
	struct node_args a;
	int ret = parse_node_args(argc, argv, false, false, &a);

	return ret ? help(argv[0], ret) : node_request("del-node", &a, NULL);
}

int do_maint(int argc, char **argv)
{
	struct node_args a;
	int ret = parse_node_args(argc, argv, false, false, &a);

	return ret ? help(argv[0], ret) : node_request("maint", &a, NULL);
}

int do_enable(int argc, char **argv)
{
	struct node_args a;
	int ret = parse_node_args(argc, argv, false, false, &a);

	return ret ? help(argv[0], ret) : node_request("enable", &a, NULL);
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

int do_drain(int argc, char **argv)
{
	struct node_args a;
	struct timespec start, now;
	long left, last = -1;
	int ret = parse_node_args(argc, argv, false, true, &a);

	if (ret)
		return help(argv[0], ret);
	ret = node_request("drain", &a, NULL);
	if (ret || !a.wait)
		return ret;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		left = flows_left(&a);
		if (left < 0)
			return EXIT_FAIL;
		if (left != last && !cli.json)
			printf("%s: %ld flow%s open\n", a.name, left, left == 1 ? "" : "s");
		fflush(stdout);
		last = left;
		if (left == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (a.timeout_s && now.tv_sec - start.tv_sec >= a.timeout_s)
			return cli_fail(EXIT_FAIL, "%s still has %ld open flow%s after %ld s",
					a.name, left, left == 1 ? "" : "s", a.timeout_s);
		/* The daemon sweeps the flow table once a second. */
		usleep(500 * 1000);
	}
	if (!cli.json)
		printf("%s is drained\n", a.name);
	return EXIT_OK;
}

int do_reload(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			cli_set_json();
			break;
		case 'h':
			return cli_help(argv[0]);
		default:
			return cli_usage(argv[0]);
		}
	}
	if (optind < argc)
		return cli_fail(EXIT_USAGE, "reload takes no arguments");
	return cli_request_print("reload");
}
