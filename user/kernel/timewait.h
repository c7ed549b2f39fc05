/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Pis' TIME_WAIT across "down" and "up". The reverse flow table keeps
 * closed (NAT port, server) pairs for as long as a server may hold them in
 * TIME_WAIT; "down" removes the table, and a new one would hand those
 * pairs out blind, so the Pis would answer new SYNs on them with old ACKs
 * for up to a minute. "down" saves them (state_dir/timewait) and the next
 * "up" of the same boot puts them back.
 */
#ifndef RPILB_TIMEWAIT_H
#define RPILB_TIMEWAIT_H

#include "kernel/maps.h"

#define TIMEWAIT_FILE "timewait"

/* Save the pairs still in a server's TIME_WAIT; returns how many, or -errno. */
int timewait_save(const struct lb_maps *m, const char *state_dir, const char *boot_id);
/* Put saved pairs back into an empty table (same boot only); removes the file. */
int timewait_restore(const struct lb_maps *m, const char *state_dir, const char *boot_id);

#endif
