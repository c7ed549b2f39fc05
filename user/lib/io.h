/* SPDX-License-Identifier: GPL-2.0-only */
/* Writing it all: the control socket's requests and the state file both need it. */
#ifndef RPILB_IO_H
#define RPILB_IO_H

#include <stddef.h>

/*
 * Write len bytes to fd, through short writes and EINTR. A socket whose
 * peer has gone gives -EPIPE, never SIGPIPE. 0 or a negative errno.
 */
int io_write_all(int fd, const void *buf, size_t len);

#endif
