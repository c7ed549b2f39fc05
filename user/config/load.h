/* SPDX-License-Identifier: GPL-2.0-only */
/* Loading the configuration the way every command does: parse, then resolve names. */
#ifndef RPILB_CONFIGFILE_H
#define RPILB_CONFIGFILE_H

#include <stdio.h>

#include "config/config.h"

/* Parse and resolve; 0 when valid. Diagnostics (errors and warnings) in diags. */
int config_load(const char *path, struct rpilb_config *cfg, struct cfg_diags *diags);
/* "file:line: error: ..." lines, warnings included. */
void config_print_diags(const struct cfg_diags *diags, FILE *out);
/* Through the log (the daemon's reload). */
void config_log_diags(const struct cfg_diags *diags);

#endif
