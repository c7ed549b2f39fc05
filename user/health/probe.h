/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One asynchronous health check of one server, run on the event loop: a
 * non-blocking connect and, for "option httpchk", one HTTP request whose
 * status line is judged by the backend's expect rule. A single timer
 * bounds the whole check, so a hanging server costs one socket and one
 * timer, never the loop's time.
 */
#ifndef RPILB_CHECK_H
#define RPILB_CHECK_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "config/config.h"
#include "lib/evloop.h"
#include "health/health.h"

struct check_spec {
	enum cfg_check_kind kind;
	struct sockaddr_in addr; /* check address:port */
	const struct cfg_http_check *http; /* HTTP kind only; must outlive the check */
	uint32_t timeout_ms; /* from the start to the verdict */
};

/*
 * The spec for a server at addr:port of backend be: the check port
 * replaces port if set, and the timeout is "timeout check" or else inter.
 */
void check_spec_from_cfg(struct check_spec *spec, const struct cfg_backend *be, struct in_addr addr,
			 uint16_t port, const struct cfg_server_opts *o);

/* 0, or -EINVAL with a reason in err (a bad rstatus regex, a request too long). */
int check_spec_validate(const struct check_spec *spec, char *err, size_t errlen);

#define CHECK_REQ_MAX 1024 /* fits cfg_http_check's fields at their maximum */
#define CHECK_RSP_MAX 256 /* the status line; the rest of the response is never read */

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
	regex_t re;
	bool have_re;
	char req[CHECK_REQ_MAX];
	size_t req_len, req_off;
	char rsp[CHECK_RSP_MAX];
	size_t rsp_len;
};

/*
 * Start a check; spec is copied (spec->http is not). done is called exactly
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

/* Building blocks, exposed for the unit tests. */

/* Returns the length, or -ENOSPC. */
int check_build_request(const struct cfg_http_check *http, char *buf, size_t len);

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

/* The expect rule; re is the compiled rstatus regex (NULL for other kinds). */
bool check_expect_match(const struct cfg_http_check *http, const regex_t *re, int code);

/*
 * The verdict on everything a server sent (len <= CHECK_RSP_MAX; the peer
 * closed or the buffer filled): L7OK or L7STS with *code set, or L7RSP
 * (*code 0) for no status line. detail gets the words the status page
 * shows, with anything unprintable from the server replaced.
 */
enum check_result check_judge_response(const struct cfg_http_check *http, const regex_t *re,
				       const char *rsp, size_t len, int *code, char *detail,
				       size_t detail_len);

#endif
