// SPDX-License-Identifier: GPL-2.0-only
/*
 * The check engine: the rules of one check, run on the event loop. A
 * connect opens a new non-blocking connection (closing the last one), a
 * send writes its bytes (after forgetting what came in, as HAProxy does),
 * an expect reads until judge.c finds what came in conclusive. Whoever
 * runs out of time first, the server or the rules, ends the check.
 */
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

/* A check without rules, or whose rules do not start with one, connects first. */
static const struct cfg_check_rule implicit_connect = {
	.kind = CFG_RULE_CONNECT,
	.min_recv = CFG_MIN_RECV_UNSET,
};

static bool needs_implicit_connect(const struct cfg_check *chk)
{
	return !chk || !chk->nrules || chk->rules[0].kind != CFG_RULE_CONNECT;
}

static size_t rule_count(const struct check_spec *spec)
{
	return (spec->chk ? spec->chk->nrules : 0) + needs_implicit_connect(spec->chk);
}

static const struct cfg_check_rule *rule_at(const struct check_spec *spec, size_t i)
{
	if (needs_implicit_connect(spec->chk)) {
		if (i == 0)
			return &implicit_connect;
		i--;
	}
	return &spec->chk->rules[i];
}

static enum cfg_check_kind spec_kind(const struct check_spec *spec)
{
	return spec->chk ? spec->chk->kind : CFG_CHECK_TCP;
}

void check_spec_from_cfg(struct check_spec *spec, const struct cfg_backend *be, struct in_addr addr,
			 uint16_t port, const struct cfg_server_opts *o)
{
	memset(spec, 0, sizeof(*spec));
	spec->chk = &be->check;
	spec->addr.sin_family = AF_INET;
	spec->addr.sin_addr = o->check_addr.s_addr ? o->check_addr : addr;
	spec->addr.sin_port = htons(o->check_port ? o->check_port : port);
	/* HAProxy: with "timeout check", connect within min(timeout connect, inter), then read within it. */
	if (be->timeout_check_ms) {
		spec->connect_ms = be->timeout_connect_ms && be->timeout_connect_ms < o->inter_ms
					   ? be->timeout_connect_ms
					   : o->inter_ms;
		spec->read_ms = be->timeout_check_ms;
	} else {
		spec->connect_ms = o->inter_ms;
	}
}

/* Where a connect rule connects: its own address and port, else the server's. */
static struct sockaddr_in connect_addr(const struct check_spec *spec,
				       const struct cfg_check_rule *r)
{
	struct sockaddr_in sa = spec->addr;

	if (r->addr.s_addr)
		sa.sin_addr = r->addr;
	if (r->port)
		sa.sin_port = htons(r->port);
	return sa;
}

static int validate_rule(const struct check_spec *spec, const struct cfg_check_rule *r, char *err,
			 size_t errlen)
{
	char req[CHECK_REQ_MAX];
	bool have;
	regex_t re;
	int ret;

	switch (r->kind) {
	case CFG_RULE_CONNECT:
		if (!connect_addr(spec, r).sin_port) {
			snprintf(err, errlen, "no port to check: give the server one, or 'port'");
			return -EINVAL;
		}
		return 0;
	case CFG_RULE_SEND:
		if (r->http &&
		    check_build_request_state(r->http, spec->state, req, sizeof(req)) < 0) {
			snprintf(err, errlen, "the HTTP check request is longer than %d bytes",
				 CHECK_REQ_MAX);
			return -EINVAL;
		}
		return 0;
	case CFG_RULE_EXPECT:
		ret = check_rule_regex(r, &re, &have, err, errlen);
		if (have)
			regfree(&re);
		return ret;
	}
	return 0;
}

int check_spec_validate(const struct check_spec *spec, char *err, size_t errlen)
{
	int ret = 0;

	if (spec->addr.sin_family != AF_INET) {
		snprintf(err, errlen, "no IPv4 address to check");
		return -EINVAL;
	}
	if (!spec->connect_ms) {
		snprintf(err, errlen, "a check needs a timeout");
		return -EINVAL;
	}
	for (size_t i = 0; !ret && i < rule_count(spec); i++)
		ret = validate_rule(spec, rule_at(spec, i), err, errlen);
	return ret;
}

static void close_conn(struct check *c)
{
	if (c->io.fd < 0)
		return;
	ev_io_del(c->loop, &c->io);
	/*
	 * Reset rather than FIN, as HAProxy does for checks: a check every
	 * few seconds must not pile up TIME_WAIT sockets on a small Pi.
	 */
	if (!(c->step < rule_count(&c->spec) && rule_at(&c->spec, c->step)->linger)) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(c->io.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(c->io.fd);
	c->io.fd = -1;
}

static void check_release(struct check *c)
{
	close_conn(c);
	ev_timer_cancel(c->loop, &c->timer);
	if (c->have_re) {
		regfree(&c->re);
		c->have_re = false;
	}
	free(c->in);
	c->in = NULL;
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

/* Every rule passed: the last one says what passed, as in HAProxy. */
static void check_passed(struct check *c)
{
	const struct cfg_check_rule *r = c->last;
	const struct cfg_check *chk = c->spec.chk;

	if (!r || r->kind == CFG_RULE_CONNECT) {
		check_verdict(c, CHK_L4OK, 0, "%s",
			      r && r != &implicit_connect ? "(tcp-check)" : "");
		return;
	}
	if (r->kind == CFG_RULE_EXPECT && chk && chk->disable_on_404 && c->code == 404 &&
	    !c->spec.down) {
		check_verdict(c, CHK_L7OKC, 404, "HTTP status 404 (disable-on-404)");
		return;
	}
	if (r->kind == CFG_RULE_EXPECT) {
		char detail[HEALTH_DETAIL_MAX];

		/* The verdict rewrites c->detail: the expect's own words go through a copy. */
		snprintf(detail, sizeof(detail), "%s", r->on_success ? r->on_success : c->detail);
		check_verdict(c, check_result_of_status(r->ok_status, CHK_L7OK), c->code, "%s",
			      detail);
		return;
	}
	check_verdict(c, CHK_L7OK, c->code, "(tcp-check)");
}

static void arm_phase_timer(struct check *c, uint32_t ms)
{
	/* Without "timeout check" one budget covers the whole check: never re-armed. */
	if (!c->spec.read_ms)
		return;
	ev_timer_cancel(c->loop, &c->timer);
	ev_timer_arm(c->loop, &c->timer, ms);
}

static int run_connect(struct check *c, const struct cfg_check_rule *r)
{
	struct sockaddr_in sa = connect_addr(&c->spec, r);
	int fd, ret;

	close_conn(c);
	arm_phase_timer(c, c->spec.connect_ms);
	c->phase = CHECK_CONNECTING;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		check_verdict(c, CHK_L4CON, 0, "socket: %s", strerror(errno));
		return -1;
	}
	c->io = (struct ev_io){ .fd = fd, .events = EPOLLOUT, .cb = c->io.cb };
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS) {
		check_verdict(c, CHK_L4CON, 0, "%s", strerror(errno));
		return -1;
	}
	/* Writable (or an error) once the handshake is over, even if connect() already was. */
	ret = ev_io_add(c->loop, &c->io);
	if (ret) {
		check_verdict(c, CHK_L4CON, 0, "epoll: %s", strerror(-ret));
		return -1;
	}
	return 0;
}

static void start_send(struct check *c, const struct cfg_check_rule *r)
{
	int n;

	/* What came in before a send is forgotten: each expect judges the answer to it. */
	c->in_len = 0;
	c->in[0] = '\0';
	c->in_closed = false;
	c->out_off = 0;
	if (r->http) {
		n = check_build_request_state(r->http, c->spec.state, c->req, sizeof(c->req));
		c->out = c->req;
		c->out_len = n > 0 ? (size_t)n : 0;
	} else {
		c->out = r->data;
		c->out_len = r->data ? r->len : 0;
	}
	c->phase = CHECK_SENDING;
}

static void judge_now(struct check *c);
static void check_on_send(struct check *c);

/* Run rules from c->step until one has to wait for the server, or the verdict is in. */
static void run_rules(struct check *c)
{
	char err[160];

	while (c->phase != CHECK_REPORTING && c->step < rule_count(&c->spec)) {
		const struct cfg_check_rule *r = rule_at(&c->spec, c->step);

		switch (r->kind) {
		case CFG_RULE_CONNECT:
			run_connect(c, r);
			return;
		case CFG_RULE_SEND:
			start_send(c, r);
			if (ev_io_mod(c->loop, &c->io, EPOLLOUT))
				check_verdict(c, CHK_L4CON, 0, "%s", "epoll failed");
			else
				check_on_send(c);
			return;
		case CFG_RULE_EXPECT:
			if (c->have_re) {
				regfree(&c->re);
				c->have_re = false;
			}
			if (check_rule_regex(r, &c->re, &c->have_re, err, sizeof(err))) {
				check_verdict(c, CHK_L7RSP, 0, "%s", err);
				return;
			}
			c->phase = CHECK_READING;
			judge_now(c);
			if (c->phase == CHECK_READING) {
				if (ev_io_mod(c->loop, &c->io, EPOLLIN))
					check_verdict(c, CHK_L4CON, 0, "%s", "epoll failed");
				return;
			}
			break;
		}
	}
	if (c->phase != CHECK_REPORTING)
		check_passed(c);
}

/* The current expect on what came in: on to the next rule, a verdict, or read on. */
static void judge_now(struct check *c)
{
	const struct cfg_check_rule *r = rule_at(&c->spec, c->step);
	struct expect_outcome o;

	enum expect_verdict v = check_expect(r, spec_kind(&c->spec), c->have_re ? &c->re : NULL,
					     c->in, c->in_len, c->in_closed, &o);
	const struct cfg_check *chk = c->spec.chk;

	/* disable-on-404 comes before any expect: a 404 from a live server drains it. */
	if (v == EXPECT_FAIL && o.code == 404 && chk && chk->disable_on_404 && !c->spec.down &&
	    spec_kind(&c->spec) == CFG_CHECK_HTTP)
		v = EXPECT_PASS;
	switch (v) {
	case EXPECT_WAIT:
		if (c->in_closed)
			check_verdict(c, CHK_L7RSP, 0, "%s", "connection closed early");
		return;
	case EXPECT_PASS:
		c->code = o.code;
		/* An expect that passes with no words keeps an earlier one's (MySQL's version). */
		if (o.detail[0])
			snprintf(c->detail, sizeof(c->detail), "%s", o.detail);
		c->last = r;
		c->step++;
		c->phase = CHECK_SENDING; /* anything but READING: the caller runs on */
		return;
	case EXPECT_FAIL:
		check_verdict(c, o.result, o.code, "%s", o.detail);
		return;
	}
}

static void check_on_read(struct check *c)
{
	/* A full buffer is as conclusive as a close (judge.c sees to that): read no more. */
	while (c->in_len < CHECK_BUF_MAX && !c->in_closed) {
		ssize_t n = recv(c->io.fd, c->in + c->in_len, CHECK_BUF_MAX - c->in_len, 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 && !c->in_len) {
			check_verdict(c, CHK_L4CON, 0, "%s", strerror(errno));
			return;
		}
		if (n > 0) {
			c->in_len += (size_t)n;
			c->in[c->in_len] = '\0';
		} else {
			/* A close, or a reset after some bytes: what came is all there is. */
			c->in_closed = true;
		}
		judge_now(c);
		if (c->phase != CHECK_READING)
			break;
	}
	if (c->phase == CHECK_READING)
		return;
	if (c->phase != CHECK_REPORTING)
		run_rules(c);
}

static void check_on_send(struct check *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n =
			send(c->io.fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) {
			check_verdict(c, CHK_L4CON, 0, "%s", strerror(errno));
			return;
		}
		c->out_off += (size_t)n;
	}
	c->last = rule_at(&c->spec, c->step);
	c->step++;
	run_rules(c);
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
	if (err) {
		check_verdict(c, CHK_L4CON, 0, "%s", strerror(err));
		return;
	}
	c->connected = true;
	c->in_len = 0;
	c->in[0] = '\0';
	c->in_closed = false;
	arm_phase_timer(c, c->spec.read_ms);
	c->last = rule_at(&c->spec, c->step);
	c->step++;
	run_rules(c);
}

static void check_io(struct ev_io *io, uint32_t revents)
{
	struct check *c = container_of(io, struct check, io);

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
		return;
	}
	if (c->phase == CHECK_REPORTING)
		check_report(c);
}

/* Out of time: the rule it stopped at says how HAProxy names that. */
static void check_timed_out(struct check *c)
{
	const struct cfg_check_rule *r = rule_at(&c->spec, c->step);
	uint32_t ms = c->connected && c->spec.read_ms ? c->spec.read_ms : c->spec.connect_ms;

	if (c->phase == CHECK_CONNECTING) {
		check_verdict(c, CHK_L4TOUT, 0, "no connection within %u ms", ms);
		return;
	}
	if (r->kind == CFG_RULE_EXPECT && r->tout_status) {
		check_verdict(c, check_result_of_status(r->tout_status, CHK_L7TOUT), 0,
			      "no answer within %u ms", ms);
		return;
	}
	if (r->kind == CFG_RULE_EXPECT && r->match == CFG_MATCH_PROTO &&
	    r->judge == CFG_JUDGE_SSL_HELLO) {
		check_verdict(c, CHK_L6TOUT, 0, "no TLS handshake reply within %u ms", ms);
		return;
	}
	if (spec_kind(&c->spec) == CFG_CHECK_HTTP)
		check_verdict(c, CHK_L7TOUT, 0, "no HTTP status line within %u ms", ms);
	else
		check_verdict(c, CHK_L7TOUT, 0, "no conclusive answer within %u ms", ms);
}

static void check_timer(struct ev_timer *t)
{
	struct check *c = container_of(t, struct check, timer);

	switch (c->phase) {
	case CHECK_IDLE:
		return;
	case CHECK_REPORTING:
		break;
	case CHECK_CONNECTING:
	case CHECK_SENDING:
	case CHECK_READING:
		check_timed_out(c);
		break;
	}
	check_report(c);
}

int check_start(struct check *c, struct evloop *l, const struct check_spec *spec,
		check_done_fn done, void *arg)
{
	char err[192];
	int ret;

	if (c->phase != CHECK_IDLE)
		return -EBUSY;
	/* Idle means no timer is armed and no fd is open: safe to reset. */
	memset(c, 0, offsetof(struct check, phase));
	c->loop = l;
	c->spec = *spec;
	c->done = done;
	c->arg = arg;
	c->io = (struct ev_io){ .fd = -1, .events = EPOLLOUT, .cb = check_io };
	c->timer = (struct ev_timer){ .cb = check_timer };
	c->step = 0;
	c->last = NULL;
	c->connected = false;
	c->have_re = false;
	ret = check_spec_validate(spec, err, sizeof(err));
	if (ret) {
		pr_debug("check of %s:%u not started: %s", inet_ntoa(spec->addr.sin_addr),
			 ntohs(spec->addr.sin_port), err);
		return ret;
	}
	c->in = malloc(CHECK_BUF_MAX + 1);
	if (!c->in)
		return -ENOMEM;
	c->in[0] = '\0';
	c->in_len = 0;
	c->in_closed = false;
	c->start_ms = ev_now_ms();
	c->phase = CHECK_CONNECTING;
	ev_timer_arm(l, &c->timer, spec->connect_ms);
	run_rules(c);
	/* A verdict reached inside check_start: done must still come from the loop. */
	if (c->phase == CHECK_REPORTING)
		ev_timer_arm(l, &c->timer, 0);
	return 0;
}

void check_abort(struct check *c)
{
	if (c->phase == CHECK_IDLE)
		return;
	check_release(c);
	c->phase = CHECK_IDLE;
}
