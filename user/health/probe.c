// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "health/probe.h"
#include "lib/log.h"
#include "lib/util.h"

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

void check_spec_from_cfg(struct check_spec *spec, const struct cfg_backend *be, struct in_addr addr,
			 uint16_t port, const struct cfg_server_opts *o)
{
	memset(spec, 0, sizeof(*spec));
	spec->kind = be->check_kind;
	spec->addr.sin_family = AF_INET;
	spec->addr.sin_addr = addr;
	spec->addr.sin_port = htons(o->check_port ? o->check_port : port);
	spec->http = be->check_kind == CFG_CHECK_HTTP ? &be->http : NULL;
	spec->timeout_ms = be->timeout_check_ms ? be->timeout_check_ms : o->inter_ms;
}

int check_build_request(const struct cfg_http_check *http, char *buf, size_t len)
{
	size_t hl = strlen(http->headers);
	/* The header block must end in CRLF, or our own header would join its last line. */
	bool crlf = hl && (hl < 2 || strcmp(http->headers + hl - 2, "\r\n"));
	int n;

	n = snprintf(buf, len, "%s %s %s\r\n%s%sConnection: close\r\n\r\n", http->method, http->uri,
		     http->version, http->headers, crlf ? "\r\n" : "");
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

enum status_parse check_parse_status(const char *buf, size_t len, bool complete, int *code)
{
	static const char proto[] = "HTTP/#.# "; /* '#': any digit */
	const char *p = buf, *end = buf + len;
	enum status_parse ret = STATUS_INVALID;
	bool have_code = false;
	int v = 0;

	/* Judge byte by byte so garbage fails at once instead of waiting for a newline. */
	for (const char *pat = proto; *pat; pat++, p++) {
		if (p == end)
			goto short_line;
		if (*pat == '#' ? !is_digit(*p) : *p != *pat)
			goto out;
	}
	while (p < end && *p == ' ')
		p++;
	for (int i = 0; i < 3; i++, p++) {
		if (p == end)
			goto short_line;
		if (!is_digit(*p))
			goto out;
		v = v * 10 + (*p - '0');
	}
	have_code = true;
	if (p == end)
		goto short_line;
	if (*p != ' ' && *p != '\r' && *p != '\n')
		goto out;
	if (!memchr(p, '\n', end - p))
		goto short_line;
	*code = v;
	ret = STATUS_COMPLETE;
	goto out;

short_line:
	if (!complete)
		ret = STATUS_PARTIAL;
	else if (have_code) {
		*code = v;
		ret = STATUS_COMPLETE;
	}
out:
	return ret;
}

bool check_status_in_list(const char *list, int code)
{
	const char *s = list;

	while (*s) {
		char *e;
		long lo = strtol(s, &e, 10), hi = lo;

		if (e == s)
			break;
		s = e;
		if (*s == '-') {
			hi = strtol(s + 1, &e, 10);
			if (e == s + 1)
				break;
			s = e;
		}
		if (code >= lo && code <= hi)
			return true;
		if (*s != ',' && *s)
			break;
		if (*s)
			s++;
	}
	return false;
}

bool check_expect_match(const struct cfg_http_check *http, const regex_t *re, int code)
{
	char digits[8];

	switch (http->expect) {
	case CFG_EXPECT_2XX_3XX:
		return code >= 200 && code <= 399;
	case CFG_EXPECT_STATUS:
		return check_status_in_list(http->expect_arg, code);
	case CFG_EXPECT_RSTATUS:
		snprintf(digits, sizeof(digits), "%03d", code);
		return re && !regexec(re, digits, 0, NULL, 0);
	}
	return false;
}

/* Build the request and compile the regex that spec needs; *have_re says what to free. */
static int spec_prepare(const struct check_spec *spec, char *req, size_t *req_len, regex_t *re,
			bool *have_re, char *err, size_t errlen)
{
	int rc, n, ret = -EINVAL;

	*have_re = false;
	*req_len = 0;
	if (spec->addr.sin_family != AF_INET || !spec->addr.sin_port) {
		snprintf(err, errlen, "no IPv4 address and port to check");
		goto out;
	}
	if (!spec->timeout_ms) {
		snprintf(err, errlen, "a check needs a timeout");
		goto out;
	}
	ret = 0;
	if (spec->kind != CFG_CHECK_HTTP)
		goto out;
	ret = -EINVAL;
	if (!spec->http) {
		snprintf(err, errlen, "an HTTP check needs its request");
		goto out;
	}
	n = check_build_request(spec->http, req, CHECK_REQ_MAX);
	if (n < 0) {
		snprintf(err, errlen, "the HTTP check request is longer than %d bytes",
			 CHECK_REQ_MAX);
		goto out;
	}
	*req_len = (size_t)n;
	ret = 0;
	if (spec->http->expect != CFG_EXPECT_RSTATUS)
		goto out;
	/* Compiled per check: the config may be reloaded under us, and a compile is cheap. */
	rc = regcomp(re, spec->http->expect_arg, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char why[96];

		regerror(rc, re, why, sizeof(why));
		snprintf(err, errlen, "bad rstatus regex '%s': %s", spec->http->expect_arg, why);
		ret = -EINVAL;
		goto out;
	}
	*have_re = true;
out:
	return ret;
}

int check_spec_validate(const struct check_spec *spec, char *err, size_t errlen)
{
	char req[CHECK_REQ_MAX];
	size_t req_len;
	bool have_re;
	regex_t re;
	int ret;

	ret = spec_prepare(spec, req, &req_len, &re, &have_re, err, errlen);
	if (have_re)
		regfree(&re);
	return ret;
}

static struct check *check_of_io(struct ev_io *io)
{
	return container_of(io, struct check, io);
}

static struct check *check_of_timer(struct ev_timer *t)
{
	return container_of(t, struct check, timer);
}

static void check_release(struct check *c)
{
	if (c->io.fd >= 0) {
		/*
		 * Reset rather than FIN, as HAProxy does for checks: a check every
		 * few seconds must not pile up TIME_WAIT sockets on a small Pi.
		 */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		ev_io_del(c->loop, &c->io);
		setsockopt(c->io.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c->io.fd);
		c->io.fd = -1;
	}
	ev_timer_cancel(c->loop, &c->timer);
	if (c->have_re) {
		regfree(&c->re);
		c->have_re = false;
	}
}

/* Fix the verdict and free everything; done has yet to run. */
static void __attribute__((format(printf, 4, 5)))
check_verdict(struct check *c, enum check_result r, int code, const char *fmt, ...)
{
	va_list ap;

	check_release(c);
	c->result = r;
	c->code = code;
	c->duration_ms = (uint32_t)(ev_now_ms() - c->start_ms);
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	c->phase = CHECK_REPORTING;
}

/* Call done; c is the caller's again, and done may restart it. */
static void check_report(struct check *c)
{
	check_done_fn done = c->done;

	c->phase = CHECK_IDLE;
	done(c, c->arg);
}

/* A verdict reached inside check_start: done must still come from the loop. */
static void check_report_later(struct check *c)
{
	ev_timer_arm(c->loop, &c->timer, 0);
}

enum check_result check_judge_response(const struct cfg_http_check *http, const regex_t *re,
				       const char *rsp, size_t len, int *code, char *detail,
				       size_t detail_len)
{
	enum status_parse st;
	char shown[33];
	size_t n = 0;

	*code = 0;
	st = check_parse_status(rsp, len, true, code);
	if (st == STATUS_COMPLETE) {
		bool ok = check_expect_match(http, re, *code);

		snprintf(detail, detail_len, "HTTP status %d", *code);
		return ok ? CHK_L7OK : CHK_L7STS;
	}
	*code = 0;
	if (!len) {
		snprintf(detail, detail_len, "connection closed without a response");
		return CHK_L7RSP;
	}
	/* Quote the start of what came back, made printable, for the operator. */
	for (; n < len && n < sizeof(shown) - 1 && rsp[n] != '\r' && rsp[n] != '\n'; n++)
		shown[n] = rsp[n] >= 0x20 && rsp[n] < 0x7f ? rsp[n] : '.';
	shown[n] = '\0';
	snprintf(detail, detail_len, "not an HTTP status line: %s", shown);
	return CHK_L7RSP;
}

static void check_judge(struct check *c)
{
	char detail[HEALTH_DETAIL_MAX];
	enum check_result r;
	int code;

	r = check_judge_response(c->spec.http, c->have_re ? &c->re : NULL, c->rsp, c->rsp_len,
				 &code, detail, sizeof(detail));
	check_verdict(c, r, code, "%s", detail);
}

static void check_on_read(struct check *c)
{
	for (;;) {
		ssize_t n = recv(c->io.fd, c->rsp + c->rsp_len, sizeof(c->rsp) - c->rsp_len, 0);
		int code;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 && !c->rsp_len) {
			check_verdict(c, CHK_L4CON, 0, "%s", strerror(errno));
			break;
		}
		if (n > 0) {
			c->rsp_len += (size_t)n;
			/* Only the status line matters: a full buffer is as good as a close. */
			if (check_parse_status(c->rsp, c->rsp_len, c->rsp_len == sizeof(c->rsp),
					       &code) == STATUS_PARTIAL)
				continue;
		}
		/* A status line, garbage, or a close or reset after some bytes: judge them. */
		check_judge(c);
		break;
	}
	check_report(c);
}

static void check_on_send(struct check *c)
{
	int ret;

	while (c->req_off < c->req_len) {
		ssize_t n =
			send(c->io.fd, c->req + c->req_off, c->req_len - c->req_off, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) {
			check_verdict(c, CHK_L4CON, 0, "%s", strerror(errno));
			check_report(c);
			return;
		}
		c->req_off += (size_t)n;
	}
	c->phase = CHECK_READING;
	ret = ev_io_mod(c->loop, &c->io, EPOLLIN);
	if (ret) {
		check_verdict(c, CHK_L4CON, 0, "epoll: %s", strerror(-ret));
		check_report(c);
	}
}

/* 0 once connected, EINPROGRESS while not yet, or the connection's error. */
static int connect_status(int fd)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err)
		goto out;
	/* A wakeup is no proof of a connection (a stale event of a batch): ask the kernel. */
	len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0)
		err = errno == ENOTCONN ? EINPROGRESS : errno;
out:
	return err;
}

static void check_on_connect(struct check *c)
{
	int err = connect_status(c->io.fd);

	if (err == EINPROGRESS)
		return;
	if (!err && c->spec.kind == CFG_CHECK_HTTP) {
		c->phase = CHECK_SENDING;
		check_on_send(c);
		return;
	}
	if (err)
		check_verdict(c, CHK_L4CON, 0, "%s", strerror(err));
	else
		check_verdict(c, CHK_L4OK, 0, "%s", "");
	check_report(c);
}

static void check_io(struct ev_io *io, uint32_t revents)
{
	struct check *c = check_of_io(io);

	(void)revents;
	/* Later events of an epoll batch may find the check already finished. */
	switch (c->phase) {
	case CHECK_CONNECTING:
		check_on_connect(c);
		break;
	case CHECK_SENDING:
		check_on_send(c);
		break;
	case CHECK_READING:
		check_on_read(c);
		break;
	case CHECK_IDLE:
	case CHECK_REPORTING:
		break;
	}
}

static void check_timer(struct ev_timer *t)
{
	struct check *c = check_of_timer(t);

	switch (c->phase) {
	case CHECK_IDLE:
		return;
	case CHECK_REPORTING:
		break;
	case CHECK_CONNECTING:
		check_verdict(c, CHK_L4TOUT, 0, "no connection within %u ms", c->spec.timeout_ms);
		break;
	case CHECK_SENDING:
	case CHECK_READING:
		check_verdict(c, CHK_L7TOUT, 0, "no HTTP status line within %u ms",
			      c->spec.timeout_ms);
		break;
	}
	check_report(c);
}

int check_start(struct check *c, struct evloop *l, const struct check_spec *spec,
		check_done_fn done, void *arg)
{
	char err[192];
	int fd, ret;

	if (c->phase != CHECK_IDLE)
		return -EBUSY;
	/* Idle means no timer is armed and no fd is open: safe to reset. */
	c->result = CHK_NONE;
	c->code = 0;
	c->duration_ms = 0;
	c->detail[0] = '\0';
	c->loop = l;
	c->spec = *spec;
	c->done = done;
	c->arg = arg;
	c->io = (struct ev_io){ .fd = -1, .events = EPOLLOUT, .cb = check_io };
	c->timer = (struct ev_timer){ .cb = check_timer };
	c->req_off = 0;
	c->rsp_len = 0;
	ret = spec_prepare(spec, c->req, &c->req_len, &c->re, &c->have_re, err, sizeof(err));
	if (ret) {
		pr_debug("check of %s:%u not started: %s", inet_ntoa(spec->addr.sin_addr),
			 ntohs(spec->addr.sin_port), err);
		goto out;
	}
	c->start_ms = ev_now_ms();
	c->phase = CHECK_CONNECTING;
	ev_timer_arm(l, &c->timer, spec->timeout_ms);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		check_verdict(c, CHK_L4CON, 0, "socket: %s", strerror(errno));
		goto report_later;
	}
	c->io.fd = fd;
	if (connect(fd, (const struct sockaddr *)&spec->addr, sizeof(spec->addr)) &&
	    errno != EINPROGRESS) {
		check_verdict(c, CHK_L4CON, 0, "%s", strerror(errno));
		goto report_later;
	}
	/* Writable (or an error) once the handshake is over, even if connect() already was. */
	ret = ev_io_add(l, &c->io);
	if (ret) {
		check_verdict(c, CHK_L4CON, 0, "epoll: %s", strerror(-ret));
		ret = 0;
		goto report_later;
	}
	goto out;

report_later:
	check_report_later(c);
out:
	return ret;
}

void check_abort(struct check *c)
{
	if (c->phase == CHECK_IDLE)
		return;
	check_release(c);
	c->phase = CHECK_IDLE;
}
