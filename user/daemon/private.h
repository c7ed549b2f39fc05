/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the daemon's own files share and nothing else sees: startup.c
 * (setup and adoption), reload.c, daemon.c (the running loop) and
 * control.c (the control socket's commands).
 */
#ifndef RPILB_DAEMON_PRIVATE_H
#define RPILB_DAEMON_PRIVATE_H

#include <sys/types.h>

#include "daemon/daemon.h"

#define SWEEP_INTERVAL_MS 1000
/* How long "up" waits for the first round of health checks at most. */
#define READY_MARGIN_MS 2000

/* mkdir -p; the last component gets mode. 0 or -errno. */
int daemon_mkdir_p(const char *path, mode_t mode);

/* startup.c: everything up does before the loop runs; logs what failed. */
int daemon_setup(struct daemon *d, const struct up_opts *o);

/* daemon.c: health checks and the stats page, started and stopped with the model. */
int daemon_start_health(struct daemon *d);
void daemon_stop_health(struct daemon *d, struct balancer *b);
void daemon_release_health(struct balancer *b);
int daemon_start_stats(struct daemon *d);
void daemon_stop_stats(struct daemon *d);

#endif
