// SPDX-License-Identifier: GPL-2.0-only
/*
 * Judging what a server sent against one expect rule (health/judge.c,
 * judge_proto.c), as HAProxy's tcp-check and http-check do: when to wait
 * for more, what passes, and the status and words of every failure. Pure:
 * a table of rules and replies, no sockets.
 */
#include <regex.h>
#include <stdio.h>

#include "health/probe.h"
#include "lib/util.h"
#include "testutil.h"

#define MIN_UNSET CFG_MIN_RECV_UNSET

struct judge_case {
	const char *what;
	enum cfg_check_kind kind;
	enum cfg_match match;
	enum cfg_proto_judge judge;
	const char *pattern; /* for binary: the decoded bytes */
	size_t pattern_len; /* 0: strlen(pattern) */
	bool negate;
	int min_recv; /* 0: unset */
	enum cfg_check_status error_status;
	const char *on_error;
	const char *reply; /* may hold NULs: reply_len says how long */
	size_t reply_len; /* 0: strlen(reply) */
	bool closed;
	enum expect_verdict want;
	enum check_result result; /* when it fails */
	int code;
	const char *detail; /* NULL: not checked */
};

#define TCP(m)	.kind = CFG_CHECK_TCP, .match = CFG_MATCH_##m
#define HTTP(m) .kind = CFG_CHECK_HTTP, .match = CFG_MATCH_##m
#define PROTO(j)                                                                                   \
	.kind = CFG_CHECK_TCP, .match = CFG_MATCH_PROTO, .judge = CFG_JUDGE_##j,                   \
	.min_recv = MIN_UNSET

static const struct judge_case cases[] = {
	/* ---- tcp-check expect string / rstring / binary / rbinary ---- */
	{ "redis +PONG", TCP(STRING), .pattern = "+PONG", .reply = "+PONG\r\n",
	  .want = EXPECT_PASS },
	{ "shorter than the pattern: wait", TCP(STRING), .pattern = "+PONG", .reply = "+PO",
	  .want = EXPECT_WAIT },
	{ "no match yet, no min-recv: wait", TCP(STRING), .pattern = "+PONG",
	  .reply = "-LOADING Redis is loading\r\n", .want = EXPECT_WAIT },
	{ "no match and closed: fail", TCP(STRING), .pattern = "+PONG",
	  .reply = "-LOADING Redis is loading\r\n", .closed = true, .want = EXPECT_FAIL,
	  .result = CHK_L7RSP, .detail = "did not match string '+PONG'" },
	{ "min-recv reached: a mismatch is conclusive", TCP(STRING), .pattern = "+PONG",
	  .min_recv = 5, .reply = "-ERR x\r\n", .want = EXPECT_FAIL, .result = CHK_L7RSP },
	{ "below min-recv: wait", TCP(STRING), .pattern = "OK", .min_recv = 10, .reply = "OK...",
	  .want = EXPECT_WAIT },
	{ "negated, matched: fail", TCP(STRING), .pattern = "-ERR", .negate = true,
	  .reply = "-ERR wrong\r\n", .want = EXPECT_FAIL, .result = CHK_L7RSP,
	  .detail = "matched unwanted string '-ERR'" },
	{ "negated, not matched, open: wait", TCP(STRING), .pattern = "-ERR", .negate = true,
	  .reply = "+OK\r\n", .want = EXPECT_WAIT },
	{ "negated, not matched, closed: pass", TCP(STRING), .pattern = "-ERR", .negate = true,
	  .reply = "+OK\r\n", .closed = true, .want = EXPECT_PASS },
	{ "error-status and on-error", TCP(STRING), .pattern = "+PONG",
	  .error_status = CFG_ST_L4CON, .on_error = "redis is not answering", .reply = "-ERR\r\n",
	  .closed = true, .want = EXPECT_FAIL, .result = CHK_L4CON,
	  .detail = "redis is not answering" },
	{ "SMTP banner regex", TCP(RSTRING), .pattern = "^220 ", .reply = "220 mx ESMTP\r\n",
	  .want = EXPECT_PASS },
	{ "a regex sees nothing after a NUL", TCP(RSTRING), .pattern = "cd", .reply = "ab\0cd\n",
	  .reply_len = 6, .closed = true, .want = EXPECT_FAIL, .result = CHK_L7RSP,
	  .detail = "did not match regex 'cd'" },
	{ "binary bytes", TCP(BINARY), .pattern = "\x02\x00", .pattern_len = 2,
	  .reply = "\x01\x02\x00\x03", .reply_len = 4, .want = EXPECT_PASS },
	{ "binary, failed: no pattern shown", TCP(BINARY), .pattern = "\x02\x00", .pattern_len = 2,
	  .reply = "\x01\x03", .reply_len = 2, .closed = true, .want = EXPECT_FAIL,
	  .result = CHK_L7RSP, .detail = "did not match binary" },
	{ "rbinary on the uppercase hex", TCP(RBINARY), .pattern = "^0A4142", .reply = "\nAB",
	  .want = EXPECT_PASS },

	/* ---- http-check expect ---- */
	{ "2xx/3xx by default", HTTP(HTTP_OK), .reply = "HTTP/1.1 204 No Content\r\n\r\n",
	  .want = EXPECT_PASS, .code = 204, .detail = "HTTP status 204" },
	{ "a status list", HTTP(STATUS), .pattern = "200,301-302",
	  .reply = "HTTP/1.1 302 Found\r\n\r\n", .want = EXPECT_PASS, .code = 302 },
	{ "a status not in the list", HTTP(STATUS), .pattern = "200",
	  .reply = "HTTP/1.1 503 Service Unavailable\r\n\r\n", .want = EXPECT_FAIL,
	  .result = CHK_L7STS, .code = 503, .detail = "HTTP status 503" },
	{ "rstatus", HTTP(RSTATUS), .pattern = "^5", .reply = "HTTP/1.0 503 x\r\n\r\n",
	  .want = EXPECT_PASS, .code = 503 },
	{ "! status", HTTP(STATUS), .pattern = "500", .negate = true,
	  .reply = "HTTP/1.1 500 x\r\n\r\n", .want = EXPECT_FAIL, .result = CHK_L7STS,
	  .code = 500 },
	{ "! status, another code", HTTP(STATUS), .pattern = "500", .negate = true,
	  .reply = "HTTP/1.1 200 OK\r\n\r\n", .want = EXPECT_PASS, .code = 200 },
	{ "status line not complete: wait", HTTP(HTTP_OK), .reply = "HTTP/1.1 20",
	  .want = EXPECT_WAIT },
	{ "not HTTP", HTTP(HTTP_OK), .reply = "hello", .want = EXPECT_FAIL, .result = CHK_L7RSP,
	  .detail = "not an HTTP status line: hello" },
	{ "body string: the whole body first", HTTP(BODY_STRING), .pattern = "\"status\":\"UP\"",
	  .reply = "HTTP/1.1 200 OK\r\n\r\n{\"status\":\"UP\"}", .want = EXPECT_WAIT },
	{ "body string, closed", HTTP(BODY_STRING), .pattern = "\"status\":\"UP\"",
	  .reply = "HTTP/1.1 200 OK\r\n\r\n{\"status\":\"UP\"}", .closed = true,
	  .want = EXPECT_PASS, .code = 200 },
	{ "body string, not there", HTTP(BODY_STRING), .pattern = "UP",
	  .reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nDOWN", .closed = true,
	  .want = EXPECT_FAIL, .result = CHK_L7RSP, .code = 200,
	  .detail = "did not match body string 'UP'" },
	{ "a header is not the body", HTTP(BODY_STRING), .pattern = "text/plain",
	  .reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nDOWN", .closed = true,
	  .want = EXPECT_FAIL, .result = CHK_L7RSP, .code = 200 },
	{ "body regex (Patroni's role)", HTTP(BODY_RSTRING), .pattern = "\"role\": *\"master\"",
	  .reply = "HTTP/1.1 200 OK\r\n\r\n{\"role\": \"master\"}", .closed = true,
	  .want = EXPECT_PASS, .code = 200 },

	/* ---- the canned checks' protocols ---- */
	{ "MySQL greeting", PROTO(MYSQL), .pattern = "greeting",
	  .reply = "\x0b\x00\x00\x00\x0a"
		   "8.0.36\0\x01\x02\x03",
	  .reply_len = 15, .want = EXPECT_PASS, .detail = "MySQL 8.0.36" },
	{ "MySQL greeting, cut short: wait", PROTO(MYSQL), .pattern = "greeting",
	  .reply = "\x0b\x00\x00\x00\x0a"
		   "8.0",
	  .reply_len = 8, .want = EXPECT_WAIT },
	{ "MySQL: host not allowed", PROTO(MYSQL), .pattern = "greeting",
	  .reply = "\x1d\x00\x00\x00\xff\x6a\x04#HY000Host 'pi' is blocked", .reply_len = 33,
	  .want = EXPECT_FAIL, .result = CHK_L7STS, .code = 1130,
	  .detail = "MySQL error 1130: Host 'pi' is blocked" },
	{ "MySQL OK after the login", PROTO(MYSQL), .pattern = "ok",
	  .reply = "\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00", .reply_len = 11,
	  .want = EXPECT_PASS },
	{ "MySQL: access denied at login", PROTO(MYSQL), .pattern = "ok",
	  .reply = "\x16\x00\x00\x02\xff\x15\x04#28000Access denied", .reply_len = 26,
	  .want = EXPECT_FAIL, .result = CHK_L7STS, .code = 1045,
	  .detail = "MySQL error 1045: Access denied" },
	{ "PostgreSQL asks for a password", PROTO(PGSQL),
	  .reply = "R\x00\x00\x00\x0c\x00\x00\x00\x05salt", .reply_len = 13, .want = EXPECT_PASS },
	{ "PostgreSQL refuses", PROTO(PGSQL),
	  .reply = "E\x00\x00\x00\x30SFATAL\0C28000\0Mno pg_hba.conf entry\0\0", .reply_len = 40,
	  .want = EXPECT_FAIL, .result = CHK_L7STS,
	  .detail = "PostgreSQL error: no pg_hba.conf entry" },
	{ "LDAP bind success", PROTO(LDAP),
	  .reply = "\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00", .reply_len = 14,
	  .want = EXPECT_PASS },
	{ "LDAP invalid credentials", PROTO(LDAP),
	  .reply = "\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x31\x04\x00\x04\x00", .reply_len = 14,
	  .want = EXPECT_FAIL, .result = CHK_L7STS, .code = 49,
	  .detail = "LDAP bind failed: resultCode 49" },
	{ "LDAP: cut short, wait", PROTO(LDAP), .reply = "\x30\x0c\x02\x01", .reply_len = 4,
	  .want = EXPECT_WAIT },
	{ "TLS ServerHello", PROTO(SSL_HELLO), .reply = "\x16\x03\x03\x00\x31\x02\x00\x00\x2d",
	  .reply_len = 9, .want = EXPECT_PASS },
	{ "TLS alert: a TLS server answered, as HAProxy counts it", PROTO(SSL_HELLO),
	  .reply = "\x15\x03\x01\x00\x02\x02\x28", .reply_len = 7, .want = EXPECT_PASS },
	{ "TLS record header cut short, wait", PROTO(SSL_HELLO), .reply = "\x16\x03\x03\x00",
	  .reply_len = 4, .want = EXPECT_WAIT },
	{ "HTTP instead of TLS", PROTO(SSL_HELLO), .reply = "HTTP/1.1 400 Bad Request\r\n",
	  .want = EXPECT_FAIL, .result = CHK_L6RSP, .detail = "not a TLS record" },
	{ "SMTP greeting", PROTO(SMTP), .reply = "220 mx.example ESMTP\r\n", .want = EXPECT_PASS,
	  .code = 220 },
	{ "SMTP refusal", PROTO(SMTP), .reply = "554 go away\r\n", .want = EXPECT_FAIL,
	  .result = CHK_L7STS, .code = 554, .detail = "SMTP 554 go away" },
	{ "SMTP multi-line, not finished: wait", PROTO(SMTP), .reply = "250-mx\r\n",
	  .want = EXPECT_WAIT },
	{ "SMTP multi-line EHLO answer", PROTO(SMTP), .reply = "250-mx\r\n250 HELP\r\n",
	  .want = EXPECT_PASS, .code = 250 },
	{ "not SMTP", PROTO(SMTP), .reply = "SSH-2.0-OpenSSH_9.2\r\n", .want = EXPECT_FAIL,
	  .result = CHK_L7RSP, .detail = "not an SMTP reply: SSH-2.0-OpenSSH_9.2" },
};

static void judge_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct judge_case *t = &cases[i];
		struct cfg_check_rule r = {
			.kind = CFG_RULE_EXPECT,
			.match = t->match,
			.judge = t->judge,
			.data = (char *)t->pattern,
			.len = t->pattern ? (t->pattern_len ? t->pattern_len : strlen(t->pattern))
					  : 0,
			.negate = t->negate,
			.min_recv = t->min_recv ? t->min_recv : MIN_UNSET,
			.error_status = t->error_status,
			.on_error = (char *)t->on_error,
		};
		size_t len = t->reply_len ? t->reply_len : strlen(t->reply);
		char buf[256], err[128];
		struct expect_outcome o;
		enum expect_verdict v;
		bool have;
		regex_t re;

		print_message("  %s\n", t->what);
		assert_true(len < sizeof(buf));
		memcpy(buf, t->reply, len);
		buf[len] = '\0'; /* as the engine keeps its buffer */
		assert_int_equal(check_rule_regex(&r, &re, &have, err, sizeof(err)), 0);
		v = check_expect(&r, t->kind, have ? &re : NULL, buf, len, t->closed, &o);
		if (have)
			regfree(&re);
		assert_int_equal(v, t->want);
		if (v == EXPECT_FAIL)
			assert_int_equal(o.result, t->result);
		if (v != EXPECT_WAIT)
			assert_int_equal(o.code, t->code);
		if (t->detail)
			assert_string_equal(o.detail, t->detail);
	}
}

static void bad_regex(void **state)
{
	struct cfg_check_rule r = { .kind = CFG_RULE_EXPECT,
				    .match = CFG_MATCH_RSTRING,
				    .data = "^(2" };
	char err[128];
	bool have;
	regex_t re;

	(void)state;
	assert_int_equal(check_rule_regex(&r, &re, &have, err, sizeof(err)), -EINVAL);
	assert_false(have);
	assert_non_null(strstr(err, "bad regex '^(2'"));
}

static void send_state_header(void **state)
{
	struct cfg_http_check http = {
		.method = "GET", .uri = "/health", .version = "HTTP/1.1", .headers = "Host: pi\r\n"
	};
	char buf[CHECK_REQ_MAX];
	int n;

	(void)state;
	n = check_build_request_state(&http, "UP 2/3; name=nodes/pi1", buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "GET /health HTTP/1.1\r\nHost: pi\r\n"
				 "X-Haproxy-Server-State: UP 2/3; name=nodes/pi1\r\n"
				 "Connection: close\r\n\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(judge_table),
		cmocka_unit_test(bad_regex),
		cmocka_unit_test(send_state_header),
	};

	return cmocka_run_group_tests_name("judge", tests, NULL, NULL);
}
