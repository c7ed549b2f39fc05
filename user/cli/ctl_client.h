/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Asking the daemon: one request line over the control socket, the whole
 * answer back (the protocol is in daemon/ctl.h). Only rpilbctl's commands
 * are clients; the daemon serves and never asks.
 */
#ifndef RPILB_CTL_CLIENT_H
#define RPILB_CTL_CLIENT_H

#include <stddef.h>

/*
 * Send one request and read the whole answer. Returns 0 for OK (body in
 * *body, malloc'd), 1 for ERR (reason in err), or a negative errno when
 * the daemon cannot be reached (with a sentence in err).
 */
int ctl_request(const char *path, const char *line, char **body, char *err, size_t errlen);

#endif
