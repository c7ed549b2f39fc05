/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Health checks under test: a scriptable server on the test's own event
 * loop (answer with chunks, hang, or only accept), and the fixture that
 * runs one check against it to its verdict. Shared by the probe and the
 * engine tests; everything is on 127.0.0.1, in one process, without root.
 */
#ifndef RPILB_TEST_CHECKFX_H
#define RPILB_TEST_CHECKFX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health/checker.h"
#include "health/probe.h"
#include "lib/evloop.h"

#define SEED_REQUEST "HEAD / HTTP/1.1\r\nHost:localhost\r\nConnection: close\r\n\r\n"
#define GUARD_MS     20000 /* only a broken check takes this long: fail instead of hanging */
#define SETTLE_MS    30 /* a pause after done, to see that it does not come twice */
#define NEXTRA	     4

enum srv_mode {
	SRV_ANSWER, /* read the request, write the chunks, close */
	SRV_HANG, /* read the request, never answer */
	SRV_ACCEPT, /* accept and wait (TCP checks) */
	SRV_SCRIPT, /* a dialogue: each step waits for some bytes, then says its own */
};

/* One step of a dialogue; a NULL await speaks at once (a banner). */
struct srv_step {
	const char *await; /* bytes the request must contain by now */
	size_t await_len; /* 0: strlen(await) */
	const char *say;
	size_t say_len; /* 0: strlen(say) */
};

struct tsrv {
	struct evloop *loop;
	struct ev_io lio;
	struct ev_io cio; /* the current connection; one at a time */
	struct ev_timer pace; /* spaces out the chunks of a split answer */
	enum srv_mode mode;
	const char *const *chunks; /* NULL-terminated */
	const struct srv_step *script; /* SRV_SCRIPT: nsteps steps */
	size_t nsteps, step;
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
	enum cfg_check_kind kind;
	struct cfg_check chk; /* the rules, from kind and http (spec_for, spec_update) */
	struct check_spec spec;
};

void srv_close_conn(struct tsrv *s);
void srv_write_next(struct tsrv *s);
void srv_pace(struct ev_timer *t);
void srv_conn_io(struct ev_io *io, uint32_t revents);
void srv_accept(struct ev_io *io, uint32_t revents);
int bound_socket(uint16_t *port);
void srv_open(struct tsrv *s, struct evloop *l, enum srv_mode mode, const char *const *chunks);
void srv_open_script(struct tsrv *s, struct evloop *l, const struct srv_step *script, size_t n);
void srv_close(struct tsrv *s);
int count_fds(void);
void fx_guard(struct ev_timer *t);
void fx_stop(struct ev_timer *t);
void fx_probe(struct ev_timer *t);
void spec_for(struct fx *f, enum cfg_check_kind kind, uint16_t port, uint32_t timeout_ms);
/* The rules again, after a test changed f->http. */
void spec_update(struct fx *f);
int probe_fx_setup(void **state);
int probe_fx_teardown(void **state);
void on_done(struct check *c, void *arg);
void run_loop(struct fx *f);
void run_check(struct fx *f);
void http_check(struct fx *f, const char *const *chunks);

#endif
