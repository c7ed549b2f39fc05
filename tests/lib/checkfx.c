// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "checkfx.h"
#include "testutil.h"

/* ---- a scriptable server on the test's event loop ---- */

void srv_close_conn(struct tsrv *s)
{
	if (s->cio.fd >= 0) {
		ev_io_del(s->loop, &s->cio);
		close(s->cio.fd);
		s->cio.fd = -1;
	}
	ev_timer_cancel(s->loop, &s->pace);
}

void srv_write_next(struct tsrv *s)
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

void srv_pace(struct ev_timer *t)
{
	srv_write_next((struct tsrv *)((char *)t - offsetof(struct tsrv, pace)));
}

/* Say every step whose bytes have come; close after the last unless kept open. */
static void srv_script_run(struct tsrv *s)
{
	while (s->step < s->nsteps) {
		const struct srv_step *st = &s->script[s->step];
		size_t alen = st->await ? (st->await_len ? st->await_len : strlen(st->await)) : 0;
		size_t slen = st->say ? (st->say_len ? st->say_len : strlen(st->say)) : 0;

		if (st->await && !memmem(s->req, s->req_len, st->await, alen))
			return;
		if (slen && send(s->cio.fd, st->say, slen, MSG_NOSIGNAL) < 0)
			break;
		s->step++;
	}
	if (!s->keep_open)
		srv_close_conn(s);
}

void srv_conn_io(struct ev_io *io, uint32_t revents)
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
	if (s->mode == SRV_SCRIPT) {
		srv_script_run(s);
		return;
	}
	if (!s->answered && strstr(s->req, "\r\n\r\n")) {
		s->answered = true;
		if (s->mode == SRV_ANSWER)
			srv_write_next(s);
	}
}

void srv_accept(struct ev_io *io, uint32_t revents)
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
	s->step = 0;
	if (s->mode == SRV_SCRIPT)
		srv_script_run(s);
}

/* A socket bound to 127.0.0.1 on a port of the kernel's choice; *port in host order. */
int bound_socket(uint16_t *port)
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

void srv_open(struct tsrv *s, struct evloop *l, enum srv_mode mode, const char *const *chunks)
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

void srv_open_script(struct tsrv *s, struct evloop *l, const struct srv_step *script, size_t n)
{
	srv_open(s, l, SRV_SCRIPT, NULL);
	s->script = script;
	s->nsteps = n;
}

void srv_close(struct tsrv *s)
{
	if (!s->loop)
		return;
	srv_close_conn(s);
	ev_io_del(s->loop, &s->lio);
	close(s->lio.fd);
	s->loop = NULL;
}

/* ---- fixture ---- */

int count_fds(void)
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

void fx_guard(struct ev_timer *t)
{
	struct fx *f = (struct fx *)((char *)t - offsetof(struct fx, guard));

	f->guard_fired = true;
	ev_stop(f->loop);
}

void fx_stop(struct ev_timer *t)
{
	struct fx *f = (struct fx *)((char *)t - offsetof(struct fx, settle));

	ev_stop(f->loop);
}

void fx_probe(struct ev_timer *t)
{
	struct fx *f = (struct fx *)((char *)t - offsetof(struct fx, probe));

	f->done_calls_at_probe = f->done_calls;
}

void spec_update(struct fx *f)
{
	assert_int_equal(cfg_check_from_http(&f->chk, f->kind, &f->http), 0);
	f->spec.chk = &f->chk;
}

void spec_for(struct fx *f, enum cfg_check_kind kind, uint16_t port, uint32_t timeout_ms)
{
	memset(&f->spec, 0, sizeof(f->spec));
	f->kind = kind;
	f->spec.addr.sin_family = AF_INET;
	f->spec.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->spec.addr.sin_port = htons(port);
	f->spec.connect_ms = timeout_ms;
	spec_update(f);
}

int probe_fx_setup(void **state)
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

int probe_fx_teardown(void **state)
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
	cfg_check_free(&f->chk);
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

void on_done(struct check *c, void *arg)
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
void run_loop(struct fx *f)
{
	ev_timer_arm(f->loop, &f->guard, GUARD_MS);
	assert_int_equal(ev_run(f->loop), 0);
	ev_timer_cancel(f->loop, &f->guard);
	assert_false(f->guard_fired);
}

/* Start the check, run it to its verdict, then linger to see done only once. */
void run_check(struct fx *f)
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

void http_check(struct fx *f, const char *const *chunks)
{
	srv_open(&f->srv, f->loop, SRV_ANSWER, chunks);
	spec_for(f, CFG_CHECK_HTTP, f->srv.port, 2000);
	run_check(f);
	assert_int_equal(f->done_calls, 1);
}
