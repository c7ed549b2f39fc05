// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/io.h"

int io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	bool socket_fd = true;

	while (len) {
		/* send() for MSG_NOSIGNAL; a file is no socket, and takes write(). */
		ssize_t n = socket_fd ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);

		if (n < 0 && errno == ENOTSOCK && socket_fd) {
			socket_fd = false;
			continue;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
