// SPDX-License-Identifier: GPL-2.0-only
/* rpilbctl up: validate, then have the daemon load, attach and start; say where it runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/ctl_client.h"
#include "config/config.h"
#include "config/load.h"
#include "daemon/daemon.h"
#include "lib/log.h"
#include "lib/util.h"

static int set_ifname(const char *arg, void *field)
{
	if (strlen(arg) >= IF_NAMESIZE)
		return cli_fail(EXIT_USAGE, "bad interface name '%s'", arg);
	*(const char **)field = arg;
	return 0;
}

static int set_mode(const char *arg, void *field)
{
	struct up_opts *o = container_of(field, struct up_opts, mode);

	if (cfg_attach_mode_parse(arg, &o->mode))
		return cli_fail(EXIT_USAGE, "bad mode '%s': auto, xdp, xdpgeneric or tc", arg);
	/* Given, even as auto: it then overrides 'attach' in the file. */
	o->mode_given = true;
	return 0;
}

static const struct up_opts up_defaults = { .config = CFG_DEFAULT_CONFIG };

static const struct cli_opt up_table[] = {
	CLI_STR("config", struct up_opts, config, .letter = 'c', .arg = "FILE",
		.help = "configuration (default " CFG_DEFAULT_CONFIG ")"),
	CLI_SET("interface", const char *, struct up_opts, ifname, set_ifname, .letter = 'i',
		.arg = "IF", .help = "interface (default: the one holding the bind address)"),
	CLI_SET("mode", enum cfg_attach_mode, struct up_opts, mode, set_mode, .letter = 'm',
		.arg = "MODE", .help = "auto (default), xdp, xdpgeneric or tc"),
	CLI_FLAG("foreground", struct up_opts, foreground, .letter = 'f',
		 .help = "stay in the foreground (systemd, Type=notify)"),
	CLI_STR("log-file", struct up_opts, log_file, .letter = 'L', .arg = "FILE",
		.help = "log there instead of syslog once detached"),
	CLI_OPT_JSON,
	{},
};
const struct cli_optset up_options = CLI_OPTSET(struct up_opts, up_table, &up_defaults);

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

int do_up(const void *opts, int argc, char **argv)
{
	const struct up_opts *o = opts;
	struct rpilb_config *cfg;
	char summary[1024];
	int ret = cli_no_args(argc, argv);

	if (ret)
		return ret;
	cfg = load_for_up(o->config);
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
	if (daemon_up(o, cfg, summary, sizeof(summary)))
		return EXIT_FAIL;
	if (!o->foreground)
		print_up(summary);
	return EXIT_OK;
out_cfg:
	cfg_free(cfg);
	free(cfg);
	return ret;
}
