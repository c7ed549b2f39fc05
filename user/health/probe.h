/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One asynchronous health check of one server, run on the event loop: the
 * backend's check rules (config/checks.h) in order, each a non-blocking
 * connect, a send or an expect on what the server sent. HAProxy's plain
 * connect, tcp-check sequences, httpchk and the canned checks are all
 * such rules. Timers bound every phase, so a hanging server costs one
 * socket and one timer, never the loop's time.
 */
#ifndef RPILB_CHECK_H
#define RPILB_CHECK_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "config/config.h"
#include "health/health.h"
#include "lib/evloop.h"

struct check_spec {
	const struct cfg_check *chk; /* the rules; must outlive the check. NULL: a plain connect */
	struct sockaddr_in addr; /* the server's check address:port, the default of every connect */
	/*
	 * Without "timeout check" (read_ms 0), connect_ms bounds the whole
	 * check (HAProxy's inter). With it, connect_ms bounds each connect
	 * (min(timeout connect, inter)) and read_ms what follows each one.
	 */
	uint32_t connect_ms;
	uint32_t read_ms;
	/* Set by the caller before each start: */
	bool down; /* the server is DOWN: a 404 is no conditional pass (disable-on-404) */
	char state[160]; /* http-check send-state: the X-Haproxy-Server-State value */
};

/*
 * The spec for a server at addr:port of backend be: the check port and
 * address replace the server's if set; timeouts as HAProxy derives them.
 */
void check_spec_from_cfg(struct check_spec *spec, const struct cfg_backend *be, struct in_addr addr,
			 uint16_t port, const struct cfg_server_opts *o);

/* 0, or -EINVAL with a reason in err (a bad regex, a request too long, no port). */
int check_spec_validate(const struct check_spec *spec, char *err, size_t errlen);

#define CHECK_REQ_MAX 2048 /* fits cfg_http_check's fields at their maximum */
#define CHECK_RSP_MAX 256 /* an HTTP status line; longer lines are cut there */
#define CHECK_BUF_MAX 16384 /* what an expect sees, as HAProxy's tune.bufsize */

struct check;

typedef void (*check_done_fn)(struct check *c, void *arg);

enum check_phase {
	CHECK_IDLE = 0,
	CHECK_CONNECTING,
	CHECK_SENDING,
	CHECK_READING,
	CHECK_REPORTING, /* the verdict is in; done runs from the loop's next timer pass */
};

struct check {
	/* The verdict, for done to read. */
	enum check_result result;
	int code; /* HTTP status, 0 if none */
	uint32_t duration_ms; /* from check_start to the verdict */
	char detail[HEALTH_DETAIL_MAX];

	/* Private. A zeroed struct check is idle. */
	enum check_phase phase;
	struct evloop *loop;
	struct check_spec spec;
	struct ev_io io;
	struct ev_timer timer;
	uint64_t start_ms;
	check_done_fn done;
	void *arg;
	size_t step; /* the rule being run */
	const struct cfg_check_rule *last; /* the last rule that completed */
	bool connected; /* a connection of this check came up (L4 passed) */
	regex_t re; /* the current expect's regex */
	bool have_re;
	char req[CHECK_REQ_MAX]; /* an HTTP request, built when its send rule runs */
	const char *out; /* what the send rule sends */
	size_t out_len, out_off;
	char *in; /* CHECK_BUF_MAX bytes, while the check runs */
	size_t in_len;
	bool in_closed; /* the server closed (or reset) its side */
};

/*
 * Start a check; spec is copied (spec->chk is not). done is called exactly
 * once, always from the loop, never from inside check_start, unless
 * check_abort() comes first. done may start the same check again. Returns
 * 0, -EBUSY if c is already running, or -EINVAL if the spec is invalid
 * (then done is never called).
 */
int check_start(struct check *c, struct evloop *l, const struct check_spec *spec,
		check_done_fn done, void *arg);

/* Cancel a check in flight without calling done; harmless on an idle check. */
void check_abort(struct check *c);

static inline bool check_running(const struct check *c)
{
	return c->phase != CHECK_IDLE;
}

/* ---- building blocks (judge.c), exposed for the unit tests and the fuzzer ---- */

/* The HTTP request of a send rule; state (may be "") adds send-state's header. Length or -ENOSPC. */
int check_build_request(const struct cfg_http_check *http, char *buf, size_t len);
int check_build_request_state(const struct cfg_http_check *http, const char *state, char *buf,
			      size_t len);

enum status_parse {
	STATUS_INVALID = -1, /* not an HTTP status line */
	STATUS_PARTIAL = 0, /* a valid beginning: read on */
	STATUS_COMPLETE = 1, /* *code is set */
};

/*
 * Judge the response's first bytes. complete says no more will come (the
 * peer closed, or the buffer is full): then a status line cut short after
 * its code still counts.
 */
enum status_parse check_parse_status(const char *buf, size_t len, bool complete, int *code);

/* "200", "200,204", "200-399" (as the config parser accepts them). */
bool check_status_in_list(const char *list, int code);

/* The old single expect rule of cfg_http_check; re is its compiled rstatus regex. */
bool check_expect_match(const struct cfg_http_check *http, const regex_t *re, int code);

/*
 * The verdict on an HTTP response (len <= CHECK_RSP_MAX; the peer closed
 * or the buffer filled) under the old single expect rule: L7OK or L7STS
 * with *code set, or L7RSP (*code 0) for no status line. detail gets the
 * words the status page shows, anything unprintable replaced.
 */
enum check_result check_judge_response(const struct cfg_http_check *http, const regex_t *re,
				       const char *rsp, size_t len, int *code, char *detail,
				       size_t detail_len);

/* How an expect rule judges what has come in so far. */
enum expect_verdict {
	EXPECT_WAIT, /* not conclusive yet: read on */
	EXPECT_PASS,
	EXPECT_FAIL, /* result, code and detail say why */
};

struct expect_outcome {
	enum check_result result;
	int code; /* HTTP status, if any */
	char detail[HEALTH_DETAIL_MAX];
};

/*
 * Judge buf (len bytes; closed: no more will come) against rule r, whose
 * regex (if it has one) is re. Pure: the engine and the tests call it alike.
 */
enum expect_verdict check_expect(const struct cfg_check_rule *r, enum cfg_check_kind kind,
				 const regex_t *re, const char *buf, size_t len, bool closed,
				 struct expect_outcome *out);

/* A canned check's protocol reply (judge_proto.c), for check_expect(). */
enum expect_verdict check_judge_proto(const struct cfg_check_rule *r, const char *buf, size_t len,
				      bool last, struct expect_outcome *o);

/* Compile r's regex, if it has one: 0 (*have set), or -EINVAL with the reason in err. */
int check_rule_regex(const struct cfg_check_rule *r, regex_t *re, bool *have, char *err,
		     size_t errlen);

#endif
