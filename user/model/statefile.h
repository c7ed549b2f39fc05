/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The runtime state file (state_dir/state): every change made with
 * add-node, del-node, drain, maint and enable, so that a restarted or
 * rebooted balancer comes back as it was left. It is replaced atomically
 * (write, fsync, rename, fsync the directory): after a crash at any moment
 * it holds either the old state or the new one, never a mix.
 */
#ifndef RPILB_STATE_H
#define RPILB_STATE_H

#include <stddef.h>

#include "model/balancer.h"

#define STATE_FILE "state"

/* A missing file is an empty state. Errors name the line. */
int state_load(const char *dir, struct lb_overrides *ov, char *err, size_t errlen);
int state_save(const char *dir, const struct lb_overrides *ov, char *err, size_t errlen);

/* The text form, for tests and the fuzzer. */
int state_parse(const char *text, struct lb_overrides *ov, char *err, size_t errlen);
char *state_format(const struct lb_overrides *ov);

#endif
