// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/ctl.h"
#include "lib/log.h"
#include "lib/util.h"

struct ctl_conn {
	struct ctl_server *srv;
	struct ev_io io;
	struct ev_timer timeout;
	char in[CTL_LINE_MAX + 1];
	size_t in_len;
	struct ctl_reply reply;
	size_t out_off;
	char *out; /* "OK\n" or "ERR ...\n" followed by the body */
	bool draining; /* answered; reading what the client still sends until it closes */
	size_t out_len;
	int slot;
};

/* Room for need more bytes and a NUL; a reply that cannot grow is refused whole. */
static int reply_grow(struct ctl_reply *r, size_t need)
{
	if (!vec_grow(&r->buf, &r->cap, r->len + need + 1, 1))
		return 0;
	r->oom = true;
	return -ENOMEM;
}

static void reply_vprintf(struct ctl_reply *r, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	if (reply_grow(r, n))
		return;
	vsnprintf(r->buf + r->len, n + 1, fmt, ap);
	r->len += n;
}

void ctl_reply_printf(struct ctl_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_vprintf(r, fmt, ap);
	va_end(ap);
}

void ctl_reply_error(struct ctl_reply *r, const char *fmt, ...)
{
	va_list ap;

	/* An error replaces whatever body was started. */
	r->len = 0;
	r->error = true;
	va_start(ap, fmt);
	reply_vprintf(r, fmt, ap);
	va_end(ap);
}

static ssize_t reply_stream_write(void *cookie, const char *buf, size_t size)
{
	struct ctl_reply *r = cookie;

	if (reply_grow(r, size))
		return -1;
	memcpy(r->buf + r->len, buf, size);
	r->len += size;
	r->buf[r->len] = '\0';
	return size;
}

FILE *ctl_reply_stream(struct ctl_reply *r)
{
	cookie_io_functions_t io = { .write = reply_stream_write };

	return fopencookie(r, "w", io);
}

int ctl_split(char *line, char **argv, int max)
{
	char *save = NULL, *tok;
	int argc = 0;

	for (tok = strtok_r(line, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == max)
			return -1;
		argv[argc++] = tok;
	}
	return argc;
}

static void conn_free(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;

	ev_timer_cancel(s->loop, &c->timeout);
	ev_io_del(s->loop, &c->io);
	close(c->io.fd);
	s->conns[c->slot] = NULL;
	free(c->reply.buf);
	free(c->out);
	free(c);
}

static struct ctl_conn *conn_of_io(struct ev_io *io)
{
	return container_of(io, struct ctl_conn, io);
}

static struct ctl_conn *conn_of_timer(struct ev_timer *t)
{
	return container_of(t, struct ctl_conn, timeout);
}

static void conn_timeout(struct ev_timer *t)
{
	conn_free(conn_of_timer(t));
}

static void conn_flush(struct ctl_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n =
			send(c->io.fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN)
				return;
			conn_free(c);
			return;
		}
		c->out_off += n;
	}
	/*
	 * Closing with unread input would reset the connection under the
	 * client before it reads the answer (an overlong request): say we are
	 * done, and wait for its end (the timeout still bounds this).
	 */
	shutdown(c->io.fd, SHUT_WR);
	c->draining = true;
	ev_io_mod(c->srv->loop, &c->io, EPOLLIN);
}

static void conn_drain(struct ctl_conn *c)
{
	char sink[1024];
	ssize_t n;

	while ((n = recv(c->io.fd, sink, sizeof(sink), 0)) > 0)
		;
	if (n == 0 || errno != EAGAIN)
		conn_free(c);
}

char *ctl_answer(char *line, struct ctl_reply *r, ctl_handler handler, void *arg)
{
	char *argv[CTL_MAX_ARGS], *out = NULL;
	int argc;

	argc = ctl_split(line, argv, CTL_MAX_ARGS);
	if (r->error)
		; /* refused before parsing (too long): keep that reason */
	else if (argc < 0)
		ctl_reply_error(r, "too many words in the request");
	else if (argc == 0)
		ctl_reply_error(r, "empty request: try 'help'");
	else
		handler(argc, argv, r, arg);
	if (r->oom) {
		/* Never a truncated body: the whole answer becomes the refusal. */
		r->len = 0;
		r->error = true;
	}

	if (r->error) {
		/* The reason is one line. */
		for (size_t i = 0; i < r->len; i++)
			if (r->buf[i] == '\n')
				r->buf[i] = ' ';
		if (asprintf(&out, "ERR %.*s\n", (int)r->len,
			     r->oom   ? "out of memory"
			     : r->buf ? r->buf
				      : "") < 0)
			out = NULL;
	} else if (asprintf(&out, "OK\n%.*s", (int)r->len, r->buf ? r->buf : "") < 0) {
		out = NULL;
	}
	return out;
}

static void conn_answer(struct ctl_conn *c)
{
	struct ctl_server *s = c->srv;

	c->in[c->in_len] = '\0';
	c->out = ctl_answer(c->in, &c->reply, s->handler, s->arg);
	if (!c->out) {
		conn_free(c);
		return;
	}
	c->out_len = strlen(c->out);
	ev_io_mod(s->loop, &c->io, EPOLLOUT);
	conn_flush(c);
}

static void conn_event(struct ev_io *io, uint32_t revents)
{
	struct ctl_conn *c = conn_of_io(io);

	if (c->draining) {
		conn_drain(c);
		return;
	}
	if (c->out) {
		conn_flush(c);
		return;
	}
	if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (;;) {
		ssize_t n = recv(io->fd, c->in + c->in_len, CTL_LINE_MAX - c->in_len, 0);
		char *nl;

		if (n < 0) {
			if (errno == EAGAIN)
				return;
			conn_free(c);
			return;
		}
		if (n == 0) {
			/* A request without a newline, ended by shutdown(SHUT_WR). */
			if (c->in_len)
				conn_answer(c);
			else
				conn_free(c);
			return;
		}
		c->in_len += n;
		nl = memchr(c->in, '\n', c->in_len);
		if (nl) {
			c->in_len = nl - c->in;
			conn_answer(c);
			return;
		}
		if (c->in_len == CTL_LINE_MAX) {
			ctl_reply_error(&c->reply, "request longer than %d bytes", CTL_LINE_MAX);
			c->in_len = 0;
			conn_answer(c);
			return;
		}
	}
}

static void server_accept(struct ev_io *io, uint32_t revents)
{
	struct ctl_server *s = container_of(io, struct ctl_server, listen_io);
	struct ctl_conn *c;
	int fd, slot;

	(void)revents;
	while ((fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (slot = 0; slot < CTL_MAX_CONNS && s->conns[slot]; slot++)
			;
		c = slot < CTL_MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			/* Busy: a client retries; the daemon never queues unbounded work. */
			close(fd);
			continue;
		}
		c->srv = s;
		c->slot = slot;
		c->io.fd = fd;
		c->io.events = EPOLLIN;
		c->io.cb = conn_event;
		c->timeout.cb = conn_timeout;
		if (ev_io_add(s->loop, &c->io)) {
			close(fd);
			free(c);
			continue;
		}
		s->conns[slot] = c;
		ev_timer_arm(s->loop, &c->timeout, CTL_TIMEOUT_MS);
	}
}

int ctl_server_open(struct ctl_server *s, struct evloop *l, const char *path, mode_t mode,
		    gid_t gid, ctl_handler handler, void *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	memset(s, 0, sizeof(*s));
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	snprintf(s->path, sizeof(s->path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	{
		struct stat st;

		/* Replace a stale socket, never a file someone put there. */
		if (!lstat(path, &st) && !S_ISSOCK(st.st_mode)) {
			close(fd);
			return -EEXIST;
		}
	}
	unlink(path);
	/* Bind with no permissions, then open up: never a moment world-writable. */
	{
		mode_t old = umask(0777);

		err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
		umask(old);
	}
	if (!err && gid != (gid_t)-1 && chown(path, 0, gid))
		err = -errno;
	if (!err && chmod(path, mode))
		err = -errno;
	if (!err && listen(fd, CTL_MAX_CONNS))
		err = -errno;
	if (err) {
		close(fd);
		unlink(path);
		return err;
	}
	s->loop = l;
	s->handler = handler;
	s->arg = arg;
	s->listen_io.fd = fd;
	s->listen_io.events = EPOLLIN;
	s->listen_io.cb = server_accept;
	err = ev_io_add(l, &s->listen_io);
	if (err) {
		close(fd);
		unlink(path);
	}
	return err;
}

void ctl_server_close(struct ctl_server *s)
{
	if (!s->loop)
		return;
	for (int i = 0; i < CTL_MAX_CONNS; i++)
		if (s->conns[i])
			conn_free(s->conns[i]);
	ev_io_del(s->loop, &s->listen_io);
	close(s->listen_io.fd);
	unlink(s->path);
	s->loop = NULL;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

int ctl_request(const char *path, const char *line, char **body, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 4096;
	char *buf = NULL, *nl;
	int fd, ret;

	*body = NULL;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		if (ret == -ENOENT || ret == -ECONNREFUSED)
			snprintf(err, errlen,
				 "rpilb is not running (nothing answers on %s): start it with "
				 "'rpilbctl up'",
				 path);
		else if (ret == -EACCES || ret == -EPERM)
			snprintf(
				err, errlen,
				"permission denied on %s: the control socket is root-only (use sudo, "
				"or set socket-group in the rpilb section)",
				path);
		else
			snprintf(err, errlen, "cannot reach the daemon on %s: %s", path,
				 strerror(-ret));
		close(fd);
		return ret;
	}
	ret = write_all(fd, line, strlen(line));
	if (!ret)
		ret = write_all(fd, "\n", 1);
	if (ret) {
		snprintf(err, errlen, "sending to the daemon failed: %s", strerror(-ret));
		close(fd);
		return ret;
	}
	buf = malloc(cap);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (!buf) {
			ret = -ENOMEM;
			break;
		}
		if (vec_grow(&buf, &cap, len + 1024, 1)) {
			ret = -ENOMEM;
			break;
		}
		if (poll(&pfd, 1, 30000) <= 0) {
			ret = -ETIMEDOUT;
			snprintf(err, errlen, "the daemon did not answer within 30 s");
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
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	nl = strchr(buf, '\n');
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
