// SPDX-License-Identifier: GPL-2.0-only
/* rpilbctl check -c FILE: haproxy -c for rpilb. Touches nothing. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "config/config.h"
#include "config/load.h"
#include "lib/log.h"

static void print_diags_json(struct json_writer *jw, const struct cfg_diags *d,
			     enum cfg_severity sev)
{
	json_begin_array(jw);
	for (size_t i = 0; i < d->count; i++) {
		if (d->items[i].severity != sev)
			continue;
		json_begin_object(jw);
		json_kv_str(jw, "file", d->file);
		json_kv_u64(jw, "line", d->items[i].line);
		json_kv_str(jw, "message", d->items[i].msg);
		json_end_object(jw);
	}
	json_end_array(jw);
}

static size_t count_servers(const struct rpilb_config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nbackends; i++)
		n += cfg->backends[i].nservers;
	return n;
}

struct check_opts {
	const char *config;
};

static const struct check_opts check_defaults = { .config = CFG_DEFAULT_CONFIG };

static const struct cli_opt check_table[] = {
	CLI_STR("config", struct check_opts, config, .letter = 'c', .arg = "FILE",
		.help = "the file to check (default " CFG_DEFAULT_CONFIG ")"),
	CLI_OPT_JSON,
	{},
};
const struct cli_optset check_options = CLI_OPTSET(struct check_opts, check_table, &check_defaults);

int do_check(const void *opts, int argc, char **argv)
{
	const char *path = ((const struct check_opts *)opts)->config;
	struct rpilb_config cfg = {};
	struct cfg_diags diags = {};
	bool valid, listens;
	int ret = cli_no_args(argc, argv);

	if (ret)
		return ret;

	valid = config_load(path, &cfg, &diags) == 0;
	listens = valid && cfg_has_listener(&cfg);
	if (cli.json) {
		struct json_writer *jw = cli_json();

		json_begin_object(jw);
		json_kv_str(jw, "file", path);
		json_kv_bool(jw, "valid", valid);
		json_kv_bool(jw, "will_start", listens);
		json_key(jw, "errors");
		print_diags_json(jw, &diags, CFG_ERROR);
		json_key(jw, "warnings");
		print_diags_json(jw, &diags, CFG_WARNING);
		if (valid) {
			json_kv_u64(jw, "frontends", cfg.nfrontends);
			json_kv_u64(jw, "backends", cfg.nbackends);
			json_kv_u64(jw, "servers", count_servers(&cfg));
		}
		json_end_object(jw);
		json_free(jw);
		putchar('\n');
	} else {
		config_print_diags(&diags, stderr);
		if (valid && !listens)
			printf("Configuration file has no error but will not start (no listener): no "
			       "frontend or listen section forwards a port.\n");
		else if (valid)
			printf("Configuration file is valid: %zu frontend%s, %zu backend%s, %zu "
			       "server%s.\n",
			       cfg.nfrontends, cfg.nfrontends == 1 ? "" : "s", cfg.nbackends,
			       cfg.nbackends == 1 ? "" : "s", count_servers(&cfg),
			       count_servers(&cfg) == 1 ? "" : "s");
		else
			fprintf(stderr, "%s: %zu error%s: configuration not valid.\n", path,
				diags.nerrors, diags.nerrors == 1 ? "" : "s");
	}
	cfg_free(&cfg);
	cfg_diags_free(&diags);
	ret = !valid ? EXIT_FAIL : listens ? EXIT_OK : EXIT_NO_LISTENER;
	return ret;
}
