// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for one health check (user/health/probe.c): parsing, the request
 * it sends, and whole checks against real sockets on 127.0.0.1: the
 * servers (tests/lib/checkfx.c) run on the same event loop as the checks,
 * so every test is one process and needs no root. No assertion is about speed: a check's
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

#include "checkfx.h"
#include "config/checks_canned.h"

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
	spec_update(f);
	assert_int_equal(check_spec_validate(&f->spec, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad regex '^(2'"));
	/* Refused up front, with nothing to report later. */
	assert_int_equal(check_start(&f->c, f->loop, &f->spec, on_done, f), -EINVAL);
	assert_false(check_running(&f->c));

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
	assert_ptr_equal(spec.chk, &be.check);
	assert_int_equal(ntohs(spec.addr.sin_port), 8000);
	assert_int_equal(spec.addr.sin_addr.s_addr, a.s_addr);
	/* Without "timeout check", inter bounds the whole check. */
	assert_int_equal(spec.connect_ms, 2000);
	assert_int_equal(spec.read_ms, 0);

	/* With it, as HAProxy: connect within min(timeout connect, inter), then read within it. */
	be.timeout_check_ms = 300;
	o.check_port = 9000;
	check_spec_from_cfg(&spec, &be, a, 8000, &o);
	assert_int_equal(ntohs(spec.addr.sin_port), 9000);
	assert_int_equal(spec.connect_ms, 2000);
	assert_int_equal(spec.read_ms, 300);
	be.timeout_connect_ms = 500;
	check_spec_from_cfg(&spec, &be, a, 8000, &o);
	assert_int_equal(spec.connect_ms, 500);
	/* A check address of its own. */
	o.check_addr.s_addr = htonl(0xc0a80166);
	check_spec_from_cfg(&spec, &be, a, 8000, &o);
	assert_int_equal(spec.addr.sin_addr.s_addr, o.check_addr.s_addr);
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
	spec_update(f);
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

/* ---- rule sequences: tcp-check, the canned checks, http-check options ---- */

/* A TCP check of rules made by a canned builder, against a scripted server. */
static void canned_check(struct fx *f, enum cfg_canned which, const char *arg,
			 const struct srv_step *script, size_t nsteps)
{
	srv_open_script(&f->srv, f->loop, script, nsteps);
	spec_for(f, CFG_CHECK_TCP, f->srv.port, 2000);
	assert_int_equal(cfg_check_canned(&f->chk, which, arg, NULL, false, 1), 0);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
}

static void test_redis_pong(void **state)
{
	static const struct srv_step pong[] = { { .await = "PING\r\n", .say = "+PONG\r\n" } };
	struct fx *f = *state;

	canned_check(f, CFG_CANNED_REDIS, NULL, pong, 1);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_string_equal(f->srv.req, "PING\r\n");
}

static void test_redis_loading(void **state)
{
	static const struct srv_step loading[] = {
		{ .await = "PING\r\n", .say = "-LOADING Redis is loading the dataset\r\n" },
	};
	struct fx *f = *state;

	canned_check(f, CFG_CANNED_REDIS, NULL, loading, 1);
	assert_int_equal(f->c.result, CHK_L7RSP);
	assert_string_equal(f->c.detail, "did not match string '+PONG'");
}

/* The server speaks first; each answer is judged against what was said to it. */
static void test_smtp_dialogue(void **state)
{
	static const struct srv_step smtp[] = {
		{ .say = "220 mx.lan ESMTP\r\n" },
		{ .await = "HELO localhost\r\n", .say = "250 mx.lan\r\n" },
		{ .await = "QUIT\r\n", .say = "221 bye\r\n" },
	};
	struct fx *f = *state;

	canned_check(f, CFG_CANNED_SMTP, NULL, smtp, 3);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_int_equal(f->c.code, 250);
	assert_string_equal(f->srv.req, "HELO localhost\r\nQUIT\r\n");
}

static void test_smtp_refused(void **state)
{
	static const struct srv_step busy[] = { { .say = "421 too busy\r\n" } };
	struct fx *f = *state;

	canned_check(f, CFG_CANNED_SMTP, NULL, busy, 1);
	assert_int_equal(f->c.result, CHK_L7STS);
	assert_int_equal(f->c.code, 421);
	assert_string_equal(f->c.detail, "SMTP 421 too busy");
}

static void test_mysql_greeting(void **state)
{
	static const struct srv_step greet[] = {
		{ .say = "\x0b\x00\x00\x00\x0a"
			 "8.0.36\0\x01\x02\x03",
		  .say_len = 15 },
	};
	struct fx *f = *state;

	f->srv.keep_open = true;
	canned_check(f, CFG_CANNED_MYSQL, NULL, greet, 1);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_string_equal(f->c.detail, "MySQL 8.0.36");
}

/* A login: the OK packet passes, and the check still reports the greeting's version. */
static void test_mysql_login(void **state)
{
	static const struct srv_step login[] = {
		{ .say = "\x0b\x00\x00\x00\x0a"
			 "8.0.36\0\x01\x02\x03",
		  .say_len = 15 },
		{ .await = "rpilb\0",
		  .await_len = 6,
		  .say = "\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00",
		  .say_len = 11 },
	};
	struct fx *f = *state;

	f->srv.keep_open = true;
	canned_check(f, CFG_CANNED_MYSQL, "rpilb", login, 2);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_string_equal(f->c.detail, "MySQL 8.0.36");
}

static void test_ssl_hello(void **state)
{
	static const struct srv_step hello[] = {
		{ .await = "\x16\x03\x01",
		  .await_len = 3,
		  .say = "\x16\x03\x03\x00\x31\x02\x00\x00\x2d",
		  .say_len = 9 },
	};
	struct fx *f = *state;

	canned_check(f, CFG_CANNED_SSL_HELLO, NULL, hello, 1);
	assert_int_equal(f->c.result, CHK_L6OK);
}

/* tcp-check connect port N, twice: each connect replaces the last connection. */
static void test_tcpcheck_two_ports(void **state)
{
	static const struct srv_step a[] = { { .say = "A-ready\n" } };
	static const struct srv_step b[] = { { .say = "B-ready\n" } };
	struct fx *f = *state;
	struct tsrv second;
	struct cfg_check_rule *r;

	srv_open_script(&f->srv, f->loop, a, 1);
	srv_open_script(&second, f->loop, b, 1);
	f->srv.keep_open = second.keep_open = true;
	spec_for(f, CFG_CHECK_TCP, 0, 2000); /* no server port: every connect names one */
	r = cfg_check_add(&f->chk, CFG_RULE_CONNECT, 1);
	r->port = f->srv.port;
	r = cfg_check_add(&f->chk, CFG_RULE_EXPECT, 2);
	r->match = CFG_MATCH_STRING;
	r->data = strdup("A-ready");
	r->len = 7;
	r = cfg_check_add(&f->chk, CFG_RULE_CONNECT, 3);
	r->port = second.port;
	r = cfg_check_add(&f->chk, CFG_RULE_EXPECT, 4);
	r->match = CFG_MATCH_STRING;
	r->data = strdup("B-ready");
	r->len = 7;
	run_check(f);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_int_equal(f->srv.accepted, 1);
	assert_int_equal(second.accepted, 1);
	srv_close(&second);
}

/* With "timeout check", a silent server is cut off by it, not by inter. */
static void test_timeout_check_bounds_the_read(void **state)
{
	struct fx *f = *state;
	struct cfg_check_rule *r;

	srv_open(&f->srv, f->loop, SRV_ACCEPT, NULL);
	spec_for(f, CFG_CHECK_TCP, f->srv.port, 5000);
	f->spec.read_ms = 100;
	r = cfg_check_add(&f->chk, CFG_RULE_EXPECT, 1);
	r->match = CFG_MATCH_STRING;
	r->data = strdup("220");
	r->len = 3;
	run_check(f);
	assert_int_equal(f->c.result, CHK_L7TOUT);
	assert_string_equal(f->c.detail, "no conclusive answer within 100 ms");
	assert_true(f->c.duration_ms >= 100);
}

static void test_disable_on_404(void **state)
{
	static const char *const not_found[] = { "HTTP/1.1 404 Not Found\r\n\r\n", NULL };
	struct fx *f = *state;

	http_check(f, not_found);
	assert_int_equal(f->c.result, CHK_L7STS);

	f->chk.disable_on_404 = true;
	f->done_calls = 0;
	run_check(f);
	assert_int_equal(f->c.result, CHK_L7OKC);
	assert_int_equal(f->c.code, 404);

	/* A DOWN server's 404 is no reason to bring it back, not even conditionally. */
	f->spec.down = true;
	f->done_calls = 0;
	run_check(f);
	assert_int_equal(f->c.result, CHK_L7STS);
}

static void test_send_state_header(void **state)
{
	static const char *const ok[] = { "HTTP/1.1 200 OK\r\n\r\n", NULL };
	struct fx *f = *state;

	srv_open(&f->srv, f->loop, SRV_ANSWER, ok);
	spec_for(f, CFG_CHECK_HTTP, f->srv.port, 2000);
	snprintf(f->spec.state, sizeof(f->spec.state), "UP 2/3; name=nodes/raspberrypi01");
	run_check(f);
	assert_int_equal(f->c.result, CHK_L7OK);
	assert_non_null(strstr(f->srv.req, "\r\nX-Haproxy-Server-State: UP 2/3; "
					   "name=nodes/raspberrypi01\r\n"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, probe_fx_setup, probe_fx_teardown)
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
		T(test_redis_pong),
		T(test_redis_loading),
		T(test_smtp_dialogue),
		T(test_smtp_refused),
		T(test_mysql_greeting),
		T(test_mysql_login),
		T(test_ssl_hello),
		T(test_tcpcheck_two_ports),
		T(test_timeout_check_bounds_the_read),
		T(test_disable_on_404),
		T(test_send_state_header),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
