/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * systemd's readiness protocol (sd_notify), without libsystemd: a datagram
 * to $NOTIFY_SOCKET. A no-op when not started by systemd.
 */
#ifndef RPILB_NOTIFY_H
#define RPILB_NOTIFY_H

int notify_send(const char *state);
void notify_ready(void); /* READY=1: forwarding, first health checks done */
void notify_reloading(void); /* RELOADING=1 */
void notify_stopping(void); /* STOPPING=1 */

#endif
