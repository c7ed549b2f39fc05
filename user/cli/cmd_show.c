// SPDX-License-Identifier: GPL-2.0-only
/* status, stats, conns: what the daemon knows, as text or JSON. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "cli/cli.h"
#include "config/names.h"
#include "lib/log.h"

/* Only -j and --help: the commands that take no other options. */
static int simple_opts(int argc, char **argv)
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
			cli_help(argv[0]);
			return -1;
		default:
			return cli_usage(argv[0]);
		}
	}
	if (optind < argc)
		return cli_fail(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

int do_status(int argc, char **argv)
{
	int ret = simple_opts(argc, argv);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	return cli_request_print("show status");
}

int do_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool all = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "ajh", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			all = true;
			break;
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
		return cli_fail(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	return cli_request_print("show stats%s", all ? " all" : "");
}

int do_conns(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "backend", required_argument, NULL, 'b' },
		{ "client", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char line[256] = "conns";
	struct in_addr addr;
	int opt;

	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		size_t used = strlen(line);

		switch (opt) {
		case 'n':
			if (!name_valid(optarg))
				return cli_fail(EXIT_USAGE, "bad server name '%s': %s", optarg,
						NAME_RULE);
			snprintf(line + used, sizeof(line) - used, " node %s", optarg);
			break;
		case 'b':
			if (!name_valid(optarg))
				return cli_fail(EXIT_USAGE, "bad backend name '%s': %s", optarg,
						NAME_RULE);
			snprintf(line + used, sizeof(line) - used, " backend %s", optarg);
			break;
		case 'c':
			if (inet_pton(AF_INET, optarg, &addr) != 1)
				return cli_fail(EXIT_USAGE, "bad client address '%s': an IPv4 address",
						optarg);
			snprintf(line + used, sizeof(line) - used, " client %s", optarg);
			break;
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
		return cli_fail(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	return cli_request_print("show %s", line);
}
