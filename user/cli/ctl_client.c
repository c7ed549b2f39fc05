// SPDX-License-Identifier: GPL-2.0-only
/*
 * The client side of the control socket: what rpilbctl sends the daemon.
 * The server, and the protocol it speaks, is user/daemon/ctl.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/ctl_client.h"
#include "lib/util.h"
#include "lib/io.h"

/* The daemon has 5 s per request; this only bounds a daemon that hangs. */
#define ANSWER_TIMEOUT_MS 30000

/* A connected socket, or a negative errno with a sentence saying what to do. */
static int connect_daemon(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ret;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open a socket: %s", strerror(-ret));
		return ret;
	}
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	ret = -errno;
	if (ret == -ENOENT || ret == -ECONNREFUSED)
		snprintf(err, errlen,
			 "rpilb is not running (nothing answers on %s): start it with "
			 "'rpilbctl up'",
			 path);
	else if (ret == -EACCES || ret == -EPERM)
		snprintf(err, errlen,
			 "permission denied on %s: the control socket is root-only (use sudo, or "
			 "set socket-group in the rpilb section)",
			 path);
	else
		snprintf(err, errlen, "cannot reach the daemon on %s: %s", path, strerror(-ret));
	close(fd);
	return ret;
}

/* Everything the daemon sends until it closes, NUL-terminated in *out. */
static int read_answer(int fd, char **out, char *err, size_t errlen)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	int ret = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (!buf || vec_grow(&buf, &cap, len + 1024, 1)) {
			ret = -ENOMEM;
			snprintf(err, errlen, "out of memory reading the answer");
			break;
		}
		if (poll(&pfd, 1, ANSWER_TIMEOUT_MS) <= 0) {
			ret = -ETIMEDOUT;
			snprintf(err, errlen, "the daemon did not answer within %d s",
				 ANSWER_TIMEOUT_MS / 1000);
			break;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			snprintf(err, errlen, "reading the answer failed: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		len += n;
	}
	if (ret) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* "OK\n<body>" keeps buf as the body; "ERR <reason>\n" frees it. */
static int unframe(char *buf, char **body, char *err, size_t errlen)
{
	size_t len = strlen(buf);
	char *nl = strchr(buf, '\n');

	if (!strncmp(buf, "OK", 2) && (buf[2] == '\n' || buf[2] == '\0')) {
		size_t off = nl ? (size_t)(nl - buf) + 1 : len;

		memmove(buf, buf + off, len - off + 1);
		*body = buf;
		return 0;
	}
	if (!strncmp(buf, "ERR ", 4)) {
		if (nl)
			*nl = '\0';
		snprintf(err, errlen, "%s", buf + 4);
		free(buf);
		return 1;
	}
	snprintf(err, errlen, "the daemon's answer makes no sense: '%.40s'", buf);
	free(buf);
	return -EPROTO;
}

int ctl_request(const char *path, const char *line, char **body, char *err, size_t errlen)
{
	char *buf = NULL;
	int fd, ret;

	*body = NULL;
	fd = connect_daemon(path, err, errlen);
	if (fd < 0)
		return fd;
	ret = io_write_all(fd, line, strlen(line));
	if (!ret)
		ret = io_write_all(fd, "\n", 1);
	if (ret) {
		snprintf(err, errlen, "sending to the daemon failed: %s", strerror(-ret));
		goto out_close;
	}
	ret = read_answer(fd, &buf, err, errlen);
out_close:
	close(fd);
	return ret ? ret : unframe(buf, body, err, errlen);
}
