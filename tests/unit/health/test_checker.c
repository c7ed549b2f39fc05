// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests for the engine that schedules health checks (user/health/checker.c):
 * rise and fall over real checks against the scriptable server of
 * tests/lib/checkfx.c, transitions logged once, a hung server never
 * delaying another. No assertion is about speed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkfx.h"
#include "testutil.h"

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
	spec_update(f);
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

/*
 * disable-on-404: a 404 drains a server that is up, but never brings back
 * one that is DOWN (HAProxy's rule). The engine must tell each check the
 * server's state: a DOWN server answering 404 stays DOWN with L7STS.
 */
static void test_checker_404_never_revives_a_down_server(void **state)
{
	static const char *const ok[] = { "HTTP/1.1 200 OK\r\n\r\n", NULL };
	static const char *const err[] = { "HTTP/1.1 500 Internal Server Error\r\n\r\n", NULL };
	static const char *const gone[] = { "HTTP/1.1 404 Not Found\r\n\r\n", NULL };
	const struct health_params hp = { .rise = 2, .fall = 2, .inter_ms = 10 };
	struct fx *f = *state;
	struct cfx *x = &cfx;
	const struct health *h = &x->cs[0].health;

	cfx_init(x, f);
	srv_open(&x->srv[0], f->loop, SRV_ANSWER, err);
	x->next_answer[0][1] = gone; /* once DOWN, answer 404 */
	cfx_server(x, 0, x->srv[0].port, 2000, &hp);
	f->chk.disable_on_404 = true;
	x->stop_after = 1;
	checker_server_start(&x->cs[0], f->loop);
	run_loop(f);
	assert_int_equal(h->state, HEALTH_DOWN);

	/* A dozen 404s later it is still DOWN, each one a wrong status. */
	ev_timer_arm(f->loop, &f->settle, 300);
	run_loop(f);
	assert_true(x->srv[0].accepted >= 10);
	assert_int_equal(x->changes[0], 1);
	assert_int_equal(h->state, HEALTH_DOWN);
	assert_false(h->nolb);
	assert_int_equal(h->last_result, CHK_L7STS);
	assert_int_equal(h->last_code, 404);
	assert_string_equal(h->last_detail, "HTTP status 404");

	/* 200s bring it UP; a 404 then drains it (NOLB), UP all the same. */
	x->srv[0].chunks = ok;
	x->next_answer[0][2] = gone;
	x->stop_after = 3;
	run_loop(f);
	assert_int_equal(x->changes[0], 3);
	assert_int_equal(h->state, HEALTH_UP);
	assert_true(h->nolb);
	assert_int_equal(h->last_result, CHK_L7OKC);
	assert_string_equal(h->last_detail, "HTTP status 404 (disable-on-404)");
	cfx_fini(x);
}

/* http-check send-state: each request carries the server's state and name. */
static void test_checker_send_state(void **state)
{
	static const char *const err[] = { "HTTP/1.1 500 Internal Server Error\r\n\r\n", NULL };
	const struct health_params hp = { .rise = 2, .fall = 2, .inter_ms = 10 };
	struct fx *f = *state;
	struct cfx *x = &cfx;

	cfx_init(x, f);
	srv_open(&x->srv[0], f->loop, SRV_ANSWER, err);
	cfx_server(x, 0, x->srv[0].port, 2000, &hp);
	f->chk.send_state = true;
	x->stop_after = 1;
	checker_server_start(&x->cs[0], f->loop);
	run_loop(f);
	/* The first request went out in INIT; wait for the next, made while DOWN. */
	ev_timer_arm(f->loop, &f->settle, 100);
	run_loop(f);
	assert_true(x->srv[0].accepted >= 2);
	assert_non_null(strstr(x->srv[0].req,
			       "\r\nX-Haproxy-Server-State: DOWN; name=nodes/raspberrypi01\r\n"));
	cfx_fini(x);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, probe_fx_setup, probe_fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_checker_hung_server),
		T(test_checker_round_completes),
		T(test_checker_transitions),
		T(test_checker_unchecked),
		T(test_checker_bad_spec),
		T(test_checker_check_now_and_stop),
		T(test_checker_404_never_revives_a_down_server),
		T(test_checker_send_state),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
