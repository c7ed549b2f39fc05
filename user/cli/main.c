// SPDX-License-Identifier: GPL-2.0-only
/*
 * rpilbctl: the command line of rpilb. The global options and the commands
 * are tables (cli/commands.c); this reads the first, picks a row of the
 * second, and runs it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "cli/cli.h"
#include "config/config.h"
#include "lib/log.h"

static void print_version(void)
{
	if (cli.json) {
		struct json_writer *jw = cli_json();

		json_begin_object(jw);
		json_kv_str(jw, "version", RPILB_VERSION);
		json_kv_str(jw, "libbpf", libbpf_version_string());
		json_kv_u64(jw, "abi", RPILB_ABI_VERSION);
		json_end_object(jw);
		json_free(jw);
		putchar('\n');
		return;
	}
	printf("rpilbctl %s (libbpf %s, data path ABI %d)\n", RPILB_VERSION,
	       libbpf_version_string(), RPILB_ABI_VERSION);
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int ret, first;

	cli.socket = getenv("RPILB_SOCKET") ? getenv("RPILB_SOCKET") : CFG_DEFAULT_SOCKET;
	ret = cli_parse(&cli_global, argc, argv, &cli);
	if (ret != CLI_CONTINUE)
		return ret;
	log_set_json(cli.json);
	log_set_level(cli.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	log_libbpf_init(cli.verbose);
	if (cli.version) {
		print_version();
		return EXIT_OK;
	}
	if (optind >= argc) {
		cli_print_help(stderr, &cli_global);
		return EXIT_USAGE;
	}
	first = optind;
	c = cli_find_command(argv[first]);
	if (!c)
		return cli_fail(EXIT_USAGE, "unknown command '%s': see 'rpilbctl help'",
				argv[first]);
	/* The command sees its name as argv[0], and only what follows it. */
	return cli_run(c, argc - first, argv + first);
}
