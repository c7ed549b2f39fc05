// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for one health check (user/health/probe.c) and the engine that schedules
 * them (user/health/checker.c), against real sockets on 127.0.0.1: the servers are
 * written here and run on the same event loop as the checks, so every test
 * is one process and needs no root. No assertion is about speed: a check's
 * timeout is only ever asserted from below.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "testutil.h"

#include "health/probe.h"
#include "health/checker.h"
#include "lib/evloop.h"

#define SEED_REQUEST "HEAD / HTTP/1.1\r\nHost:localhost\r\nConnection: close\r\n\r\n"
#define GUARD_MS     20000 /* only a broken check takes this long: fail instead of hanging */
#define SETTLE_MS    30 /* a pause after done, to see that it does not come twice */
#define NEXTRA	     4

/* ---- a scriptable server on the test's event loop ---- */

enum srv_mode {
	SRV_ANSWER, /* read the request, write the chunks, close */
	SRV_HANG, /* read the request, never answer */
	SRV_ACCEPT, /* accept and wait (TCP checks) */
};

struct tsrv {
	struct evloop *loop;
	struct ev_io lio;
	struct ev_io cio; /* the current connection; one at a time */
	struct ev_timer pace; /* spaces out the chunks of a split answer */
	enum srv_mode mode;
	const char *const *chunks; /* NULL-terminated */
	size_t next;
	uint32_t pace_ms;
	size_t bulk; /* this many body bytes after the chunks */
	bool keep_open; /* leave the connection open after answering */
	bool answered;
	char req[2048];
	size_t req_len;
	unsigned int accepted;
	uint16_t port; /* host order */
};

static void srv_close_conn(struct tsrv *s)
{
	if (s->cio.fd >= 0) {
		ev_io_del(s->loop, &s->cio);
		close(s->cio.fd);
		s->cio.fd = -1;
	}
	ev_timer_cancel(s->loop, &s->pace);
}

static void srv_write_next(struct tsrv *s)
{
	static char body[4096];

	while (s->chunks && s->chunks[s->next]) {
		const char *ch = s->chunks[s->next++];

		if (send(s->cio.fd, ch, strlen(ch), MSG_NOSIGNAL) < 0)
			break;
		if (s->chunks[s->next] && s->pace_ms) {
			ev_timer_arm(s->loop, &s->pace, s->pace_ms);
			return;
		}
	}
	memset(body, 'x', sizeof(body));
	/* The check stops reading after the status line: the rest may never fit. */
	for (size_t sent = 0; sent < s->bulk; sent += sizeof(body))
		if (send(s->cio.fd, body, sizeof(body), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			break;
	if (!s->keep_open)
		srv_close_conn(s);
}

static void srv_pace(struct ev_timer *t)
{
	srv_write_next((struct tsrv *)((char *)t - offsetof(struct tsrv, pace)));
}

static void srv_conn_io(struct ev_io *io, uint32_t revents)
{
	struct tsrv *s = (struct tsrv *)((char *)io - offsetof(struct tsrv, cio));
	ssize_t n = recv(io->fd, s->req + s->req_len, sizeof(s->req) - 1 - s->req_len, 0);

	(void)revents;
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		srv_close_conn(s);
		return;
	}
	s->req_len += (size_t)n;
	s->req[s->req_len] = '\0';
	if (!s->answered && strstr(s->req, "\r\n\r\n")) {
		s->answered = true;
		if (s->mode == SRV_ANSWER)
			srv_write_next(s);
	}
}

static void srv_accept(struct ev_io *io, uint32_t revents)
{
	struct tsrv *s = (struct tsrv *)((char *)io - offsetof(struct tsrv, lio));
	int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)revents;
	if (fd < 0)
		return;
	srv_close_conn(s);
	s->accepted++;
	s->req_len = 0;
	s->req[0] = '\0';
	s->answered = false;
	s->next = 0;
	s->cio = (struct ev_io){ .fd = fd, .events = EPOLLIN, .cb = srv_conn_io };
	assert_int_equal(ev_io_add(s->loop, &s->cio), 0);
}

/* A socket bound to 127.0.0.1 on a port of the kernel's choice; *port in host order. */
static int bound_socket(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void srv_open(struct tsrv *s, struct evloop *l, enum srv_mode mode,
		     const char *const *chunks)
{
	memset(s, 0, sizeof(*s));
	s->loop = l;
	s->mode = mode;
	s->chunks = chunks;
	s->cio.fd = -1;
	s->pace.cb = srv_pace;
	s->lio =
		(struct ev_io){ .fd = bound_socket(&s->port), .events = EPOLLIN, .cb = srv_accept };
	assert_int_equal(listen(s->lio.fd, 16), 0);
	assert_int_equal(ev_io_add(l, &s->lio), 0);
}

static void srv_close(struct tsrv *s)
{
	if (!s->loop)
		return;
	srv_close_conn(s);
	ev_io_del(s->loop, &s->lio);
	close(s->lio.fd);
	s->loop = NULL;
}

/* ---- fixture ---- */

struct fx {
	int fds_before;
	struct evloop *loop;
	struct ev_timer guard, settle, probe;
	bool guard_fired;
	struct check c;
	int done_calls;
	int done_calls_at_probe;
	bool restart_in_done;
	struct tsrv srv;
	int extra_fd[NEXTRA]; /* sockets a test holds open; closed for it */
	struct cfg_http_check http;
	struct check_spec spec;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void fx_guard(struct ev_timer *t)
{
	struct fx *f = (struct fx *)((char *)t - offsetof(struct fx, guard));

	f->guard_fired = true;
	ev_stop(f->loop);
}

static void fx_stop(struct ev_timer *t)
{
	struct fx *f = (struct fx *)((char *)t - offsetof(struct fx, settle));

	ev_stop(f->loop);
}

static void fx_probe(struct ev_timer *t)
{
	struct fx *f = (struct fx *)((char *)t - offsetof(struct fx, probe));

	f->done_calls_at_probe = f->done_calls;
}

static void spec_for(struct fx *f, enum cfg_check_kind kind, uint16_t port, uint32_t timeout_ms)
{
	memset(&f->spec, 0, sizeof(f->spec));
	f->spec.kind = kind;
	f->spec.addr.sin_family = AF_INET;
	f->spec.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->spec.addr.sin_port = htons(port);
	f->spec.http = kind == CFG_CHECK_HTTP ? &f->http : NULL;
	f->spec.timeout_ms = timeout_ms;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->fds_before = count_fds();
	f->loop = ev_new();
	if (!f->loop) {
		free(f);
		return -1;
	}
	f->guard.cb = fx_guard;
	f->settle.cb = fx_stop;
	f->probe.cb = fx_probe;
	f->done_calls_at_probe = -1;
	for (size_t i = 0; i < NEXTRA; i++)
		f->extra_fd[i] = -1;
	/* The seed's "option httpchk HEAD / HTTP/1.1\r\nHost:localhost". */
	snprintf(f->http.method, sizeof(f->http.method), "HEAD");
	snprintf(f->http.uri, sizeof(f->http.uri), "/");
	snprintf(f->http.version, sizeof(f->http.version), "HTTP/1.1");
	snprintf(f->http.headers, sizeof(f->http.headers), "Host:localhost\r\n");
	f->http.expect = CFG_EXPECT_2XX_3XX;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	int fds;

	check_abort(&f->c);
	srv_close(&f->srv);
	for (size_t i = 0; i < NEXTRA; i++)
		if (f->extra_fd[i] >= 0)
			close(f->extra_fd[i]);
	ev_timer_cancel(f->loop, &f->guard);
	ev_timer_cancel(f->loop, &f->settle);
	ev_timer_cancel(f->loop, &f->probe);
	ev_free(f->loop);
	fds = count_fds();
	if (fds != f->fds_before) {
		print_error("fd leak: %d open before the test, %d after\n", f->fds_before, fds);
		free(f);
		return -1;
	}
	free(f);
	return 0;
}

static void on_done(struct check *c, void *arg)
{
	struct fx *f = arg;

	assert_ptr_equal(c, &f->c);
	f->done_calls++;
	if (f->restart_in_done) {
		f->restart_in_done = false;
		assert_int_equal(check_start(c, f->loop, &f->spec, on_done, f), 0);
		return;
	}
	ev_stop(f->loop);
}

/* Run until the loop stops, with a guard against a check that never ends. */
static void run_loop(struct fx *f)
{
	ev_timer_arm(f->loop, &f->guard, GUARD_MS);
	assert_int_equal(ev_run(f->loop), 0);
	ev_timer_cancel(f->loop, &f->guard);
	assert_false(f->guard_fired);
}

/* Start the check, run it to its verdict, then linger to see done only once. */
static void run_check(struct fx *f)
{
	int calls;

	assert_int_equal(check_start(&f->c, f->loop, &f->spec, on_done, f), 0);
	assert_true(check_running(&f->c));
	/* Never from inside check_start, whatever happened there. */
	assert_int_equal(f->done_calls, 0);
	run_loop(f);
	calls = f->done_calls;
	assert_true(calls >= 1);
	assert_false(check_running(&f->c));
	ev_timer_arm(f->loop, &f->settle, SETTLE_MS);
	run_loop(f);
	assert_int_equal(f->done_calls, calls);
}

static void http_check(struct fx *f, const char *const *chunks)
{
	srv_open(&f->srv, f->loop, SRV_ANSWER, chunks);
	spec_for(f, CFG_CHECK_HTTP, f->srv.port, 2000);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
}

/* ---- building blocks ---- */

static void test_parse_status(void **state)
{
	static const struct {
		const char *in;
		bool complete;
		enum status_parse want;
		int code;
	} cases[] = {
		{ "HTTP/1.1 200 OK\r\n", false, STATUS_COMPLETE, 200 },
		{ "HTTP/1.0 503 Service Unavailable\r\n", false, STATUS_COMPLETE, 503 },
		{ "HTTP/1.1 204\r\n", false, STATUS_COMPLETE, 204 },
		{ "HTTP/1.1 302 Found\n", false, STATUS_COMPLETE, 302 },
		{ "HTTP/1.1  200 OK\r\n", false, STATUS_COMPLETE, 200 },
		{ "", false, STATUS_PARTIAL, 0 },
		{ "HT", false, STATUS_PARTIAL, 0 },
		{ "HTTP/1.1 20", false, STATUS_PARTIAL, 0 },
		{ "HTTP/1.1 200 OK", false, STATUS_PARTIAL, 0 },
		{ "HTTP/1.1 200 OK", true, STATUS_COMPLETE, 200 },
		{ "HTTP/1.1 200", true, STATUS_COMPLETE, 200 },
		{ "HTTP/1.1 20", true, STATUS_INVALID, 0 },
		{ "", true, STATUS_INVALID, 0 },
		{ "hello", false, STATUS_INVALID, 0 },
		{ "h", false, STATUS_INVALID, 0 },
		{ "HTTP/x.1 200 OK\r\n", false, STATUS_INVALID, 0 },
		{ "HTTP/1.1 2x0 OK\r\n", false, STATUS_INVALID, 0 },
		{ "HTTP/1.1 2000 OK\r\n", false, STATUS_INVALID, 0 },
		{ "HTTP/1.1200 OK\r\n", false, STATUS_INVALID, 0 },
		{ "SSH-2.0-OpenSSH_9.2\r\n", false, STATUS_INVALID, 0 },
		{ "http/1.1 200 OK\r\n", false, STATUS_INVALID, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int code = 0;
		enum status_parse got = check_parse_status(cases[i].in, strlen(cases[i].in),
							   cases[i].complete, &code);

		if (got != cases[i].want || (got == STATUS_COMPLETE && code != cases[i].code))
			fail_msg("'%s' (complete %d): got %d code %d, want %d code %d", cases[i].in,
				 cases[i].complete, got, code, cases[i].want, cases[i].code);
	}
}

static void test_status_list(void **state)
{
	(void)state;
	assert_true(check_status_in_list("200", 200));
	assert_false(check_status_in_list("200", 201));
	assert_true(check_status_in_list("200,204", 204));
	assert_true(check_status_in_list("200-399", 302));
	assert_false(check_status_in_list("200-399", 400));
	assert_true(check_status_in_list("200,301-302,500", 500));
	assert_true(check_status_in_list("200,301-302,500", 301));
	assert_false(check_status_in_list("200,301-302,500", 303));
	assert_false(check_status_in_list("", 200));
	assert_false(check_status_in_list("abc", 200));
}

static void test_expect_match(void **state)
{
	struct cfg_http_check h = { .expect = CFG_EXPECT_2XX_3XX };
	regex_t re;

	(void)state;
	assert_true(check_expect_match(&h, NULL, 200));
	assert_true(check_expect_match(&h, NULL, 399));
	assert_false(check_expect_match(&h, NULL, 199));
	assert_false(check_expect_match(&h, NULL, 404));
	h.expect = CFG_EXPECT_STATUS;
	snprintf(h.expect_arg, sizeof(h.expect_arg), "500");
	assert_true(check_expect_match(&h, NULL, 500));
	assert_false(check_expect_match(&h, NULL, 200));
	h.expect = CFG_EXPECT_RSTATUS;
	assert_int_equal(regcomp(&re, "^2", REG_EXTENDED | REG_NOSUB), 0);
	assert_true(check_expect_match(&h, &re, 204));
	assert_false(check_expect_match(&h, &re, 302));
	assert_false(check_expect_match(&h, NULL, 204));
	regfree(&re);
}

static void test_build_request(void **state)
{
	struct cfg_http_check h = { .method = "HEAD", .uri = "/", .version = "HTTP/1.1" };
	char buf[CHECK_REQ_MAX];

	(void)state;
	snprintf(h.headers, sizeof(h.headers), "Host:localhost\r\n");
	assert_int_equal(check_build_request(&h, buf, sizeof(buf)), strlen(SEED_REQUEST));
	assert_string_equal(buf, SEED_REQUEST);

	/* HAProxy's defaults: OPTIONS / HTTP/1.0, no headers. */
	snprintf(h.method, sizeof(h.method), "OPTIONS");
	snprintf(h.version, sizeof(h.version), "HTTP/1.0");
	h.headers[0] = '\0';
	check_build_request(&h, buf, sizeof(buf));
	assert_string_equal(buf, "OPTIONS / HTTP/1.0\r\nConnection: close\r\n\r\n");

	/* A header block without its final CRLF still yields a valid request. */
	snprintf(h.headers, sizeof(h.headers), "Host: a\r\nX-Y: z");
	check_build_request(&h, buf, sizeof(buf));
	assert_string_equal(buf,
			    "OPTIONS / HTTP/1.0\r\nHost: a\r\nX-Y: z\r\nConnection: close\r\n\r\n");

	assert_int_equal(check_build_request(&h, buf, 20), -ENOSPC);
}

static void test_spec_validate(void **state)
{
	struct fx *f = *state;
	char err[256] = "";

	spec_for(f, CFG_CHECK_HTTP, 80, 1000);
	assert_int_equal(check_spec_validate(&f->spec, err, sizeof(err)), 0);

	f->http.expect = CFG_EXPECT_RSTATUS;
	snprintf(f->http.expect_arg, sizeof(f->http.expect_arg), "^(2");
	assert_int_equal(check_spec_validate(&f->spec, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "rstatus"));
	/* Refused up front, with nothing to report later. */
	assert_int_equal(check_start(&f->c, f->loop, &f->spec, on_done, f), -EINVAL);
	assert_false(check_running(&f->c));

	spec_for(f, CFG_CHECK_HTTP, 80, 1000);
	f->spec.http = NULL;
	assert_int_equal(check_spec_validate(&f->spec, err, sizeof(err)), -EINVAL);
	spec_for(f, CFG_CHECK_TCP, 0, 1000);
	assert_int_equal(check_spec_validate(&f->spec, err, sizeof(err)), -EINVAL);
	spec_for(f, CFG_CHECK_TCP, 80, 0);
	assert_int_equal(check_spec_validate(&f->spec, err, sizeof(err)), -EINVAL);
}

static void test_spec_from_cfg(void **state)
{
	struct cfg_backend be = { .check_kind = CFG_CHECK_HTTP };
	struct cfg_server_opts o = { .check = true, .inter_ms = 2000 };
	struct in_addr a = { .s_addr = htonl(0xc0a80165) };
	struct check_spec spec;

	(void)state;
	check_spec_from_cfg(&spec, &be, a, 8000, &o);
	assert_int_equal(spec.kind, CFG_CHECK_HTTP);
	assert_ptr_equal(spec.http, &be.http);
	assert_int_equal(ntohs(spec.addr.sin_port), 8000);
	assert_int_equal(spec.addr.sin_addr.s_addr, a.s_addr);
	assert_int_equal(spec.timeout_ms, 2000);

	be.check_kind = CFG_CHECK_TCP;
	be.timeout_check_ms = 300;
	o.check_port = 9000;
	check_spec_from_cfg(&spec, &be, a, 8000, &o);
	assert_null(spec.http);
	assert_int_equal(ntohs(spec.addr.sin_port), 9000);
	assert_int_equal(spec.timeout_ms, 300);
}

/* ---- one check against a real socket ---- */

static void test_http_refused(void **state)
{
	struct fx *f = *state;
	uint16_t port;

	/* Bound but not listening: the kernel answers the SYN with a reset. */
	f->extra_fd[0] = bound_socket(&port);
	spec_for(f, CFG_CHECK_HTTP, port, 2000);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->c.result, CHK_L4CON);
	assert_int_equal(f->c.code, 0);
	assert_string_equal(f->c.detail, "Connection refused");
}

/* connect() itself fails: the verdict is known at once, done still waits for the loop. */
static void test_immediate_failure_is_deferred(void **state)
{
	struct fx *f = *state;

	spec_for(f, CFG_CHECK_TCP, 80, 2000);
	f->spec.addr.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->c.result, CHK_L4CON);
	assert_true(f->c.detail[0] != '\0');
}

static void test_http_200(void **state)
{
	static const char *const answer[] = { "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
					      NULL };
	struct fx *f = *state;

	http_check(f, answer);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_int_equal(f->c.code, 200);
	assert_string_equal(f->c.detail, "HTTP status 200");
}

/* The seed's "option httpchk HEAD / HTTP/1.1\r\nHost:localhost", byte for byte. */
static void test_http_request_bytes(void **state)
{
	static const char *const answer[] = { "HTTP/1.1 200 OK\r\n\r\n", NULL };
	struct fx *f = *state;

	http_check(f, answer);
	assert_int_equal(f->srv.accepted, 1);
	assert_int_equal(f->srv.req_len, strlen(SEED_REQUEST));
	assert_memory_equal(f->srv.req, SEED_REQUEST, strlen(SEED_REQUEST));
}

static void test_http_500(void **state)
{
	static const char *const answer[] = { "HTTP/1.1 500 Internal Server Error\r\n\r\n", NULL };
	struct fx *f = *state;

	http_check(f, answer);
	assert_int_equal(f->c.result, CHK_L7STS);
	assert_int_equal(f->c.code, 500);
	assert_string_equal(f->c.detail, "HTTP status 500");
}

static void test_http_expect_status_500(void **state)
{
	static const char *const answer[] = { "HTTP/1.1 500 Internal Server Error\r\n\r\n", NULL };
	struct fx *f = *state;

	f->http.expect = CFG_EXPECT_STATUS;
	snprintf(f->http.expect_arg, sizeof(f->http.expect_arg), "500");
	http_check(f, answer);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_int_equal(f->c.code, 500);
}

static void test_http_rstatus(void **state)
{
	static const char *const answer[] = { "HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n", NULL };
	struct fx *f = *state;

	f->http.expect = CFG_EXPECT_RSTATUS;
	snprintf(f->http.expect_arg, sizeof(f->http.expect_arg), "^2");
	http_check(f, answer);
	assert_int_equal(f->c.result, CHK_L7STS);
	assert_int_equal(f->c.code, 302);

	/* The same check again, now accepting 3xx: the regex is compiled per check. */
	snprintf(f->http.expect_arg, sizeof(f->http.expect_arg), "^(2|3)");
	f->done_calls = 0;
	run_check(f);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_int_equal(f->c.code, 302);
}

/* Garbage fails at its first wrong byte, even on a connection left open. */
static void test_http_garbage(void **state)
{
	static const char *const answer[] = { "hello", NULL };
	struct fx *f = *state;

	srv_open(&f->srv, f->loop, SRV_ANSWER, answer);
	f->srv.keep_open = true;
	spec_for(f, CFG_CHECK_HTTP, f->srv.port, 10000);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->c.result, CHK_L7RSP);
	assert_int_equal(f->c.code, 0);
	assert_string_equal(f->c.detail, "not an HTTP status line: hello");
}

static void test_http_timeout(void **state)
{
	struct fx *f = *state;
	const uint32_t timeout = 300;

	srv_open(&f->srv, f->loop, SRV_HANG, NULL);
	spec_for(f, CFG_CHECK_HTTP, f->srv.port, timeout);
	/* Halfway through, the verdict must still be pending. */
	ev_timer_arm(f->loop, &f->probe, timeout / 2);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->done_calls_at_probe, 0);
	assert_int_equal(f->c.result, CHK_L7TOUT);
	assert_true(f->c.duration_ms >= timeout);
	/* It was connected and had sent its request: a layer-7 timeout. */
	assert_string_equal(f->srv.req, SEED_REQUEST);
}

static void test_http_split_answer(void **state)
{
	static const char *const answer[] = { "HT",	"TP/1.",  "1 2", "04 No Con",
					      "tent\r", "\n\r\n", NULL };
	struct fx *f = *state;

	srv_open(&f->srv, f->loop, SRV_ANSWER, answer);
	f->srv.pace_ms = 15;
	spec_for(f, CFG_CHECK_HTTP, f->srv.port, 5000);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_int_equal(f->c.code, 204);
}

/* Only the status line is read: a big body neither blocks nor fails the check. */
static void test_http_large_answer(void **state)
{
	static const char *const answer[] = { "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n",
					      NULL };
	struct fx *f = *state;

	srv_open(&f->srv, f->loop, SRV_ANSWER, answer);
	f->srv.bulk = 1 << 20;
	spec_for(f, CFG_CHECK_HTTP, f->srv.port, 5000);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_int_equal(f->c.code, 200);
}

/* A status line longer than the buffer: judged on what fits. */
static void test_http_long_status_line(void **state)
{
	static char line[CHECK_RSP_MAX * 4];
	static const char *answer[] = { line, NULL };
	struct fx *f = *state;

	memset(line, 'r', sizeof(line) - 3);
	memcpy(line, "HTTP/1.1 503 ", 13);
	memcpy(line + sizeof(line) - 3, "\r\n", 3);
	http_check(f, answer);
	assert_int_equal(f->c.result, CHK_L7STS);
	assert_int_equal(f->c.code, 503);
}

static void test_http_closed_early(void **state)
{
	static const char *const nothing[] = { NULL };
	struct fx *f = *state;

	http_check(f, nothing);
	assert_int_equal(f->c.result, CHK_L7RSP);
	assert_string_equal(f->c.detail, "connection closed without a response");
}

static void test_http_cut_short(void **state)
{
	static const char *const cut[] = { "HTTP/1.1 2", NULL };
	static const char *const no_crlf[] = { "HTTP/1.0 204", NULL };
	struct fx *f = *state;

	http_check(f, cut);
	assert_int_equal(f->c.result, CHK_L7RSP);

	/* A status line ended by the close rather than CRLF still counts. */
	srv_close(&f->srv);
	f->done_calls = 0;
	http_check(f, no_crlf);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_int_equal(f->c.code, 204);
}

static void test_tcp_ok(void **state)
{
	struct fx *f = *state;

	srv_open(&f->srv, f->loop, SRV_ACCEPT, NULL);
	spec_for(f, CFG_CHECK_TCP, f->srv.port, 2000);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->c.result, CHK_L4OK);
	assert_int_equal(f->c.code, 0);
	assert_string_equal(f->c.detail, "");
}

static void test_tcp_refused(void **state)
{
	struct fx *f = *state;
	uint16_t port;

	f->extra_fd[0] = bound_socket(&port);
	spec_for(f, CFG_CHECK_TCP, port, 2000);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->c.result, CHK_L4CON);
	assert_string_equal(f->c.detail, "Connection refused");
}

/*
 * L4TOUT without root or an unroutable address: a listener whose accept
 * queue is full drops new SYNs, so the check's connect never completes.
 */
static void test_tcp_timeout_full_backlog(void **state)
{
	struct fx *f = *state;
	struct sockaddr_in a = { .sin_family = AF_INET };
	const uint32_t timeout = 300;
	uint16_t port;

	f->extra_fd[0] = bound_socket(&port);
	/* Backlog 0 holds one connection; the filler takes it and nobody accepts. */
	assert_int_equal(listen(f->extra_fd[0], 0), 0);
	f->extra_fd[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	assert_int_equal(connect(f->extra_fd[1], (struct sockaddr *)&a, sizeof(a)), 0);
	/* Let the filler's final ACK land in the queue before the check's SYN. */
	usleep(50 * 1000);

	spec_for(f, CFG_CHECK_TCP, port, timeout);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
	assert_int_equal(f->c.result, CHK_L4TOUT);
	assert_true(f->c.duration_ms >= timeout);
}

static void test_abort(void **state)
{
	struct fx *f = *state;

	srv_open(&f->srv, f->loop, SRV_HANG, NULL);
	spec_for(f, CFG_CHECK_HTTP, f->srv.port, 100);
	assert_int_equal(check_start(&f->c, f->loop, &f->spec, on_done, f), 0);
	assert_int_equal(check_start(&f->c, f->loop, &f->spec, on_done, f), -EBUSY);
	check_abort(&f->c);
	assert_false(check_running(&f->c));
	check_abort(&f->c);

	/* An aborted immediate failure must not report either. */
	spec_for(f, CFG_CHECK_TCP, 80, 100);
	f->spec.addr.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	assert_int_equal(check_start(&f->c, f->loop, &f->spec, on_done, f), 0);
	check_abort(&f->c);

	/* Well past both timeouts: nothing may come. */
	ev_timer_arm(f->loop, &f->settle, 300);
	run_loop(f);
	assert_int_equal(f->done_calls, 0);
}

/* done may start the next check on the same struct: each start gets one done. */
static void test_restart_from_done(void **state)
{
	static const char *const answer[] = { "HTTP/1.1 200 OK\r\n\r\n", NULL };
	struct fx *f = *state;

	f->restart_in_done = true;
	srv_open(&f->srv, f->loop, SRV_ANSWER, answer);
	spec_for(f, CFG_CHECK_HTTP, f->srv.port, 2000);
	run_check(f);
	assert_int_equal(f->done_calls, 2);
	assert_int_equal(f->srv.accepted, 2);
	assert_int_equal(f->c.result, CHK_L7OK);
}

/* ---- the engine ---- */

#define NSRV 3

struct cfx {
	struct fx *f;
	struct checker_server cs[NSRV];
	struct checker_server *v[NSRV];
	struct tsrv srv[NSRV];
	int changes[NSRV];
	int changes_total;
	int stop_after; /* stop the loop after this many changes */
	const char *const *next_answer[NSRV][4]; /* by change count: what to answer next */
	int saved_stderr, log_fd;
};

static struct cfx cfx;

static void on_changed(struct checker_server *cs, void *arg)
{
	struct cfx *x = arg;
	int i = (int)(cs - x->cs);

	assert_true(i >= 0 && i < NSRV);
	x->changes[i]++;
	x->changes_total++;
	if (x->changes[i] < 4 && x->next_answer[i][x->changes[i]])
		x->srv[i].chunks = x->next_answer[i][x->changes[i]];
	if (x->changes_total == x->stop_after)
		ev_stop(x->f->loop);
}

/* Send the log to a file the test can read back. */
static void capture_log(struct cfx *x)
{
	char path[] = "/tmp/test_check_log_XXXXXX";

	x->log_fd = mkstemp(path);
	assert_true(x->log_fd >= 0);
	unlink(path);
	fflush(stderr);
	x->saved_stderr = dup(STDERR_FILENO);
	dup2(x->log_fd, STDERR_FILENO);
}

static char *read_log(struct cfx *x)
{
	static char buf[8192];
	ssize_t n;

	fflush(stderr);
	dup2(x->saved_stderr, STDERR_FILENO);
	close(x->saved_stderr);
	n = pread(x->log_fd, buf, sizeof(buf) - 1, 0);
	close(x->log_fd);
	buf[n > 0 ? n : 0] = '\0';
	print_message("%s", buf);
	return buf;
}

static size_t count_lines_with(const char *log, const char *needle)
{
	size_t n = 0;

	for (const char *p = log; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void cfx_init(struct cfx *x, struct fx *f)
{
	memset(x, 0, sizeof(*x));
	x->f = f;
	for (int i = 0; i < NSRV; i++)
		x->v[i] = &x->cs[i];
}

static void cfx_server(struct cfx *x, int i, uint16_t port, uint32_t timeout_ms,
		       const struct health_params *hp)
{
	char name[16];

	snprintf(name, sizeof(name), "raspberrypi%02d", i + 1);
	spec_for(x->f, CFG_CHECK_HTTP, port, timeout_ms);
	assert_int_equal(
		checker_server_init(&x->cs[i], "nodes", name, true, &x->f->spec, hp, on_changed, x),
		0);
}

static void cfx_fini(struct cfx *x)
{
	for (int i = 0; i < NSRV; i++) {
		checker_server_stop(&x->cs[i]);
		srv_close(&x->srv[i]);
	}
}

/* One server hangs: the other two are judged without waiting for it. */
static void test_checker_hung_server(void **state)
{
	static const char *const ok[] = { "HTTP/1.1 200 OK\r\n\r\n", NULL };
	const struct health_params hp = { .rise = 2, .fall = 3, .inter_ms = 60000 };
	struct fx *f = *state;
	struct cfx *x = &cfx;
	uint16_t refused;
	char *log;

	cfx_init(x, f);
	srv_open(&x->srv[0], f->loop, SRV_ANSWER, ok);
	srv_open(&x->srv[1], f->loop, SRV_HANG, NULL);
	f->extra_fd[0] = bound_socket(&refused);
	cfx_server(x, 0, x->srv[0].port, 60000, &hp);
	cfx_server(x, 1, x->srv[1].port, 60000, &hp);
	cfx_server(x, 2, refused, 60000, &hp);
	assert_int_equal(checker_round_pending(x->v, NSRV), 3);

	capture_log(x);
	x->stop_after = 2;
	for (int i = 0; i < NSRV; i++)
		checker_server_start(&x->cs[i], f->loop);
	run_loop(f);
	log = read_log(x);

	assert_int_equal(x->changes[0], 1);
	assert_int_equal(x->changes[1], 0);
	assert_int_equal(x->changes[2], 1);
	assert_int_equal(x->cs[0].health.state, HEALTH_UP);
	assert_int_equal(x->cs[2].health.state, HEALTH_DOWN);
	assert_int_equal(x->cs[1].health.state, HEALTH_INIT);
	assert_true(check_running(&x->cs[1].check));
	assert_int_equal(checker_round_pending(x->v, NSRV), 1);
	assert_false(checker_server_settled(&x->cs[1]));

	assert_int_equal(count_lines_with(log, "\n"), 2);
	assert_non_null(strstr(log, "server nodes/raspberrypi01 is UP, reason: Layer7 check passed "
				    "(L7OK), code: 200, check duration: "));
	assert_non_null(strstr(log,
			       "server nodes/raspberrypi03 is DOWN, reason: Layer4 connection "
			       "problem (L4CON), info: \"Connection refused\", check duration: "));
	cfx_fini(x);
}

/* The hung server's own timeout ends the first round. */
static void test_checker_round_completes(void **state)
{
	static const char *const ok[] = { "HTTP/1.1 200 OK\r\n\r\n", NULL };
	const struct health_params hp = { .rise = 2, .fall = 3, .inter_ms = 60000 };
	struct fx *f = *state;
	struct cfx *x = &cfx;
	char *log;

	cfx_init(x, f);
	srv_open(&x->srv[0], f->loop, SRV_ANSWER, ok);
	srv_open(&x->srv[1], f->loop, SRV_HANG, NULL);
	srv_open(&x->srv[2], f->loop, SRV_ANSWER, ok);
	cfx_server(x, 0, x->srv[0].port, 60000, &hp);
	cfx_server(x, 1, x->srv[1].port, 200, &hp);
	cfx_server(x, 2, x->srv[2].port, 60000, &hp);
	capture_log(x);
	x->stop_after = 3;
	for (int i = 0; i < NSRV; i++)
		checker_server_start(&x->cs[i], f->loop);
	run_loop(f);
	log = read_log(x);

	assert_int_equal(checker_round_pending(x->v, NSRV), 0);
	assert_int_equal(x->cs[1].health.state, HEALTH_DOWN);
	assert_int_equal(x->cs[1].health.last_result, CHK_L7TOUT);
	assert_true(x->cs[1].health.last_duration_ms >= 200);
	assert_non_null(strstr(log, "server nodes/raspberrypi02 is DOWN, reason: Layer7 timeout "
				    "(L7TOUT), info: \"no HTTP status line within 200 ms\""));
	cfx_fini(x);
}

/* UP, then fall failures to DOWN, then rise successes back: each transition logged once. */
static void test_checker_transitions(void **state)
{
	static const char *const ok[] = { "HTTP/1.1 200 OK\r\n\r\n", NULL };
	static const char *const err[] = { "HTTP/1.1 500 Internal Server Error\r\n\r\n", NULL };
	const struct health_params hp = { .rise = 2, .fall = 2, .inter_ms = 10 };
	struct fx *f = *state;
	struct cfx *x = &cfx;
	const struct health *h = &x->cs[0].health;
	char *log;

	cfx_init(x, f);
	srv_open(&x->srv[0], f->loop, SRV_ANSWER, ok);
	x->next_answer[0][1] = err; /* once UP, start failing */
	x->next_answer[0][2] = ok; /* once DOWN, recover */
	cfx_server(x, 0, x->srv[0].port, 2000, &hp);
	capture_log(x);
	x->stop_after = 3;
	checker_server_start(&x->cs[0], f->loop);
	checker_server_start(&x->cs[0], f->loop); /* a second start changes nothing */
	run_loop(f);
	log = read_log(x);

	assert_int_equal(x->changes[0], 3);
	assert_int_equal(h->state, HEALTH_UP);
	assert_int_equal(h->checks, 5); /* 1 to come up, 2 to fall, 2 to rise */
	assert_int_equal(h->failures, 2);
	assert_int_equal(h->up_down, 2);
	assert_int_equal(x->srv[0].accepted, 5);
	assert_int_equal(count_lines_with(log, "\n"), 3);
	assert_int_equal(count_lines_with(log, "server nodes/raspberrypi01 is UP, reason: Layer7 "
					       "check passed (L7OK), code: 200, check duration: "),
			 2);
	assert_int_equal(count_lines_with(log, "warning: server nodes/raspberrypi01 is DOWN, "
					       "reason: Layer7 wrong status (L7STS), code: 500, "
					       "check duration: "),
			 1);
	cfx_fini(x);
}

static void test_checker_unchecked(void **state)
{
	const struct health_params hp = { 0 };
	struct fx *f = *state;
	struct cfx *x = &cfx;

	cfx_init(x, f);
	spec_for(f, CFG_CHECK_HTTP, 8000, 2000);
	assert_int_equal(checker_server_init(&x->cs[0], "nodes", "raspberrypi01", false, &f->spec,
					     &hp, on_changed, x),
			 0);
	assert_true(health_is_up(&x->cs[0].health));
	assert_true(checker_server_settled(&x->cs[0]));
	checker_server_start(&x->cs[0], f->loop);
	checker_server_check_now(&x->cs[0]);
	assert_false(check_running(&x->cs[0].check));
	assert_int_equal(checker_round_pending(x->v, 1), 0);

	/* Nothing was scheduled: the loop only sees our own timer. */
	ev_timer_arm(f->loop, &f->settle, 50);
	run_loop(f);
	assert_int_equal(x->changes[0], 0);
	checker_server_stop(&x->cs[0]);
}

static void test_checker_bad_spec(void **state)
{
	const struct health_params hp = { 0 };
	struct fx *f = *state;
	struct cfx *x = &cfx;

	cfx_init(x, f);
	spec_for(f, CFG_CHECK_HTTP, 8000, 2000);
	f->http.expect = CFG_EXPECT_RSTATUS;
	snprintf(f->http.expect_arg, sizeof(f->http.expect_arg), "[");
	assert_int_equal(checker_server_init(&x->cs[0], "nodes", "raspberrypi01", true, &f->spec,
					     &hp, on_changed, x),
			 -EINVAL);
}

/* check_now brings the next check forward; stop inside changed() sticks. */
static void test_checker_check_now_and_stop(void **state)
{
	static const char *const ok[] = { "HTTP/1.1 200 OK\r\n\r\n", NULL };
	const struct health_params hp = { .rise = 1, .fall = 1, .inter_ms = 60000 };
	struct fx *f = *state;
	struct cfx *x = &cfx;

	cfx_init(x, f);
	srv_open(&x->srv[0], f->loop, SRV_ANSWER, ok);
	cfx_server(x, 0, x->srv[0].port, 2000, &hp);
	x->stop_after = 1;
	checker_server_start(&x->cs[0], f->loop);
	run_loop(f);
	assert_int_equal(x->cs[0].health.checks, 1);

	/* The next check is a minute away; check_now runs it at once. */
	checker_server_check_now(&x->cs[0]);
	x->srv[0].mode = SRV_HANG;
	ev_timer_arm(f->loop, &f->settle, 100);
	run_loop(f);
	assert_int_equal(x->srv[0].accepted, 2);
	assert_true(check_running(&x->cs[0].check));
	checker_server_stop(&x->cs[0]);
	assert_false(check_running(&x->cs[0].check));
	checker_server_stop(&x->cs[0]);
	cfx_fini(x);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_parse_status),
		T(test_status_list),
		T(test_expect_match),
		T(test_build_request),
		T(test_spec_validate),
		T(test_spec_from_cfg),
		T(test_http_refused),
		T(test_immediate_failure_is_deferred),
		T(test_http_200),
		T(test_http_request_bytes),
		T(test_http_500),
		T(test_http_expect_status_500),
		T(test_http_rstatus),
		T(test_http_garbage),
		T(test_http_timeout),
		T(test_http_split_answer),
		T(test_http_large_answer),
		T(test_http_long_status_line),
		T(test_http_closed_early),
		T(test_http_cut_short),
		T(test_tcp_ok),
		T(test_tcp_refused),
		T(test_tcp_timeout_full_backlog),
		T(test_abort),
		T(test_restart_from_done),
		T(test_checker_hung_server),
		T(test_checker_round_completes),
		T(test_checker_transitions),
		T(test_checker_unchecked),
		T(test_checker_bad_spec),
		T(test_checker_check_now_and_stop),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
