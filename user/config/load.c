// SPDX-License-Identifier: GPL-2.0-only
#include <sys/stat.h>

#include "config/load.h"
#include "lib/log.h"

/* Passwords for the stats page in a file anyone may read: say so. */
static void check_secrets(const char *path, const struct rpilb_config *cfg, struct cfg_diags *diags)
{
	struct stat st;

	if (!cfg->stats.nusers || stat(path, &st))
		return;
	if (st.st_mode & S_IROTH)
		cfg_diag_add(
			diags, CFG_WARNING, 0,
			"this file holds 'stats auth' passwords and is readable by every user: "
			"chmod o-r it");
}

int config_load(const char *path, struct rpilb_config *cfg, struct cfg_diags *diags)
{
	if (cfg_parse_file(path, cfg, diags))
		return -1;
	if (cfg_resolve(cfg, diags)) {
		cfg_free(cfg);
		return -1;
	}
	check_secrets(path, cfg, diags);
	return 0;
}

void config_print_diags(const struct cfg_diags *diags, FILE *out)
{
	char line[512];

	for (size_t i = 0; i < diags->count; i++) {
		cfg_diag_format(diags, &diags->items[i], line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
}

void config_log_diags(const struct cfg_diags *diags)
{
	char line[512];

	for (size_t i = 0; i < diags->count; i++) {
		cfg_diag_format(diags, &diags->items[i], line, sizeof(line));
		log_plain(diags->items[i].severity == CFG_ERROR ? LOG_LVL_ERR : LOG_LVL_WARN, "%s",
			  line);
	}
}
