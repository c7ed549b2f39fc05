// SPDX-License-Identifier: GPL-2.0-only
/* rpilbctl up: validate, load, attach, start the daemon, return once forwarding. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "daemon/daemon.h"
#include "lib/log.h"

int do_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "interface", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-file", required_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct up_opts o = { .config = CFG_DEFAULT_CONFIG };
	int opt;

	while ((opt = getopt_long(argc, argv, "c:i:m:fL:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.config = optarg;
			break;
		case 'i':
			if (strlen(optarg) >= IF_NAMESIZE)
				return cli_fail(EXIT_USAGE, "bad interface name '%s'", optarg);
			o.ifname = optarg;
			break;
		case 'm':
			if (cfg_attach_mode_parse(optarg, &o.mode))
				return cli_fail(EXIT_USAGE,
						"bad mode '%s': auto, xdp, xdpgeneric or tc",
						optarg);
			o.mode_given = true;
			break;
		case 'f':
			o.foreground = true;
			break;
		case 'L':
			o.log_file = optarg;
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
	return daemon_up(&o);
}
