// SPDX-License-Identifier: GPL-2.0-only
/* rpilbctl up: validate, then have the daemon load, attach and start; say where it runs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "config/load.h"
#include "daemon/ctl.h"
#include "daemon/daemon.h"
#include "lib/log.h"

static int parse_up_opts(int argc, char **argv, struct up_opts *o)
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
	int opt;

	while ((opt = getopt_long(argc, argv, "c:i:m:fL:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o->config = optarg;
			break;
		case 'i':
			if (strlen(optarg) >= IF_NAMESIZE)
				return cli_fail(EXIT_USAGE, "bad interface name '%s'", optarg);
			o->ifname = optarg;
			break;
		case 'm':
			if (cfg_attach_mode_parse(optarg, &o->mode))
				return cli_fail(EXIT_USAGE,
						"bad mode '%s': auto, xdp, xdpgeneric or tc",
						optarg);
			o->mode_given = true;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'L':
			o->log_file = optarg;
			break;
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

/* The file as up takes it: valid, and with something to forward. NULL after saying why. */
static struct rpilb_config *load_for_up(const char *path)
{
	struct rpilb_config *cfg = calloc(1, sizeof(*cfg));
	struct cfg_diags diags = {};
	int err;

	if (!cfg) {
		cli_fail(EXIT_FAIL, "out of memory");
		return NULL;
	}
	err = config_load(path, cfg, &diags);
	config_print_diags(&diags, stderr);
	cfg_diags_free(&diags);
	if (err) {
		free(cfg);
		cli_fail(EXIT_FAIL, "%s is not valid: nothing was changed", path);
		return NULL;
	}
	if (!cfg_has_listener(cfg)) {
		cfg_free(cfg);
		free(cfg);
		cli_fail(EXIT_FAIL,
			 "%s has no listener (no frontend or listen section forwards a port): "
			 "nothing to start",
			 path);
		return NULL;
	}
	return cfg;
}

/* A daemon answering on its socket: up has nothing to do. */
static bool already_running(const struct rpilb_config *cfg)
{
	struct rpilb_paths paths;
	char err[256], *body = NULL;

	paths_from_cfg(cfg, &paths);
	if (ctl_request(paths.socket, "show info", &body, err, sizeof(err)))
		return false;
	printf("rpilb is already running: %s", body);
	free(body);
	return true;
}

static void print_up(const char *summary)
{
	struct json_writer *jw;

	if (!cli.json) {
		printf("rpilb is up %s\n", summary);
		return;
	}
	jw = cli_json();
	json_begin_object(jw);
	json_kv_bool(jw, "up", true);
	json_kv_str(jw, "summary", summary);
	json_end_object(jw);
	json_free(jw);
	putchar('\n');
}

int do_up(int argc, char **argv)
{
	struct up_opts o = { .config = CFG_DEFAULT_CONFIG };
	struct rpilb_config *cfg;
	char summary[1024];
	int ret = parse_up_opts(argc, argv, &o);

	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	cfg = load_for_up(o.config);
	if (!cfg)
		return EXIT_FAIL;
	if (already_running(cfg)) {
		ret = EXIT_OK;
		goto out_cfg;
	}
	if (geteuid() != 0) {
		ret = cli_fail(EXIT_FAIL,
			       "rpilbctl up must run as root (try sudo): it loads BPF and changes "
			       "sysctls");
		goto out_cfg;
	}
	/* The daemon owns cfg from here, and frees it. */
	if (daemon_up(&o, cfg, summary, sizeof(summary)))
		return EXIT_FAIL;
	if (!o.foreground)
		print_up(summary);
	return EXIT_OK;
out_cfg:
	cfg_free(cfg);
	free(cfg);
	return ret;
}
