// SPDX-License-Identifier: GPL-2.0-only
/*
 * Judging what a server sent, rule by rule, with HAProxy's semantics: an
 * expect waits until it has enough bytes to be conclusive, matches, and
 * passes or fails with the rule's own statuses and messages. Pure: no
 * sockets, no clock; the engine (probe.c) and the tests call the same code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health/probe.h"
#include "lib/util.h"

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

int check_build_request_state(const struct cfg_http_check *http, const char *state, char *buf,
			      size_t len)
{
	size_t hl = strlen(http->headers);
	/* The header block must end in CRLF, or our own header would join its last line. */
	bool crlf = hl && (hl < 2 || strcmp(http->headers + hl - 2, "\r\n"));
	char clen[40] = "";
	int n;

	if (http->body[0])
		snprintf(clen, sizeof(clen), "Content-Length: %zu\r\n", strlen(http->body));
	n = snprintf(buf, len, "%s %s %s\r\n%s%s%s%s%s%sConnection: close\r\n\r\n%s", http->method,
		     http->uri, http->version, http->headers, crlf ? "\r\n" : "",
		     state && *state ? "X-Haproxy-Server-State: " : "", state ? state : "",
		     state && *state ? "\r\n" : "", clen, http->body);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int check_build_request(const struct cfg_http_check *http, char *buf, size_t len)
{
	return check_build_request_state(http, "", buf, len);
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

static bool rstatus_match(const regex_t *re, int code)
{
	char digits[8];

	snprintf(digits, sizeof(digits), "%03d", code);
	return re && !regexec(re, digits, 0, NULL, 0);
}

bool check_expect_match(const struct cfg_http_check *http, const regex_t *re, int code)
{
	switch (http->expect) {
	case CFG_EXPECT_2XX_3XX:
		return code >= 200 && code <= 399;
	case CFG_EXPECT_STATUS:
		return check_status_in_list(http->expect_arg, code);
	case CFG_EXPECT_RSTATUS:
		return rstatus_match(re, code);
	}
	return false;
}

/* The start of what a server sent, made printable, for the operator. */
static void quote_start(const char *rsp, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	for (; n < len && n + 1 < outlen && rsp[n] != '\r' && rsp[n] != '\n'; n++)
		out[n] = rsp[n] >= 0x20 && rsp[n] < 0x7f ? rsp[n] : '.';
	out[n] = '\0';
}

enum check_result check_judge_response(const struct cfg_http_check *http, const regex_t *re,
				       const char *rsp, size_t len, int *code, char *detail,
				       size_t detail_len)
{
	enum status_parse st;
	char shown[33];

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
	quote_start(rsp, len, shown, sizeof(shown));
	snprintf(detail, detail_len, "not an HTTP status line: %s", shown);
	return CHK_L7RSP;
}

static bool rule_has_regex(const struct cfg_check_rule *r)
{
	return r->kind == CFG_RULE_EXPECT &&
	       (r->match == CFG_MATCH_RSTRING || r->match == CFG_MATCH_RBINARY ||
		r->match == CFG_MATCH_RSTATUS || r->match == CFG_MATCH_BODY_RSTRING);
}

int check_rule_regex(const struct cfg_check_rule *r, regex_t *re, bool *have, char *err,
		     size_t errlen)
{
	/* RSTATUS sees three digits: anchoring is the regex's own business, as in HAProxy. */
	int flags = REG_EXTENDED | REG_NOSUB, rc;

	*have = false;
	if (!rule_has_regex(r))
		return 0;
	rc = regcomp(re, r->data ? r->data : "", flags);
	if (rc) {
		char why[96];

		regerror(rc, re, why, sizeof(why));
		snprintf(err, errlen, "bad regex '%.64s': %s", r->data ? r->data : "", why);
		return -EINVAL;
	}
	*have = true;
	return 0;
}

/* Uppercase hex of the bytes, as HAProxy's rbinary matches them. */
static char *hex_of(const char *buf, size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	char *hex = malloc(2 * len + 1);

	if (!hex)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[(unsigned char)buf[i] >> 4];
		hex[2 * i + 1] = digits[(unsigned char)buf[i] & 15];
	}
	hex[2 * len] = '\0';
	return hex;
}

/* The default words of a failed expect, HAProxy's: which rule, and what it wanted. */
static void expect_failed(const struct cfg_check_rule *r, bool matched, struct expect_outcome *o)
{
	static const char *const what[] = {
		[CFG_MATCH_STRING] = "string",		 [CFG_MATCH_RSTRING] = "regex",
		[CFG_MATCH_BINARY] = "binary",		 [CFG_MATCH_RBINARY] = "binary regex",
		[CFG_MATCH_STATUS] = "status",		 [CFG_MATCH_RSTATUS] = "status regex",
		[CFG_MATCH_HTTP_OK] = "status",		 [CFG_MATCH_BODY_STRING] = "body string",
		[CFG_MATCH_BODY_RSTRING] = "body regex", [CFG_MATCH_PROTO] = "reply",
	};
	const char *pat = r->match == CFG_MATCH_BINARY ? "" : r->data ? r->data : "";

	if (r->on_error)
		snprintf(o->detail, sizeof(o->detail), "%s", r->on_error);
	else if (r->comment)
		snprintf(o->detail, sizeof(o->detail), "%s", r->comment);
	else
		snprintf(o->detail, sizeof(o->detail), "%s %s%s%.40s%s",
			 matched ? "matched unwanted" : "did not match", what[r->match],
			 *pat ? " '" : "", pat, *pat ? "'" : "");
}

/* A byte-stream matcher: string, binary, their regexes. found says if it matched. */
static int match_bytes(const struct cfg_check_rule *r, const regex_t *re, const char *buf,
		       size_t len, bool *found)
{
	char *hex;

	switch (r->match) {
	case CFG_MATCH_STRING:
	case CFG_MATCH_BINARY:
		*found = r->len && memmem(buf, len, r->data, r->len);
		return 0;
	case CFG_MATCH_RSTRING:
		/* The buffer is NUL-terminated: a regex sees up to the first NUL, as HAProxy's. */
		*found = re && !regexec(re, buf, 0, NULL, 0);
		return 0;
	case CFG_MATCH_RBINARY:
		hex = hex_of(buf, len);
		if (!hex)
			return -ENOMEM;
		*found = re && !regexec(re, hex, 0, NULL, 0);
		free(hex);
		return 0;
	default:
		return -EINVAL;
	}
}

static enum expect_verdict expect_tcp(const struct cfg_check_rule *r, const regex_t *re,
				      const char *buf, size_t len, bool last,
				      struct expect_outcome *o)
{
	bool found = false;

	if (r->match == CFG_MATCH_PROTO)
		return check_judge_proto(r, buf, len, last, o);
	if (!last) {
		if ((r->match == CFG_MATCH_STRING || r->match == CFG_MATCH_BINARY) && len < r->len)
			return EXPECT_WAIT;
		if (r->min_recv > 0 && len < (size_t)r->min_recv)
			return EXPECT_WAIT;
	}
	if (match_bytes(r, re, buf, len, &found)) {
		o->result = CHK_L7RSP;
		snprintf(o->detail, sizeof(o->detail), "out of memory");
		return EXPECT_FAIL;
	}
	/* Without min-recv, a mismatch may still become a match: read on while we can. */
	if (!found && !last && r->min_recv == CFG_MIN_RECV_UNSET)
		return EXPECT_WAIT;
	if (found != r->negate)
		return EXPECT_PASS;
	o->result = check_result_of_status(r->error_status, CHK_L7RSP);
	expect_failed(r, found, o);
	return EXPECT_FAIL;
}

/* Where the body starts, past the header block; NULL if the headers are not all in. */
static const char *http_body(const char *buf, size_t len)
{
	const char *p = memmem(buf, len, "\r\n\r\n", 4);

	return p ? p + 4 : NULL;
}

static enum expect_verdict expect_http(const struct cfg_check_rule *r, const regex_t *re,
				       const char *buf, size_t len, bool last,
				       struct expect_outcome *o)
{
	enum status_parse st = check_parse_status(buf, len, last, &o->code);
	const char *body;
	bool found = false;

	if (st == STATUS_PARTIAL)
		return EXPECT_WAIT;
	if (st == STATUS_INVALID) {
		char shown[33];

		o->code = 0;
		o->result = CHK_L7RSP;
		if (!len) {
			snprintf(o->detail, sizeof(o->detail),
				 "connection closed without a response");
		} else {
			quote_start(buf, len, shown, sizeof(shown));
			snprintf(o->detail, sizeof(o->detail), "not an HTTP status line: %s",
				 shown);
		}
		return EXPECT_FAIL;
	}
	switch (r->match) {
	case CFG_MATCH_HTTP_OK:
		found = o->code >= 200 && o->code <= 399;
		break;
	case CFG_MATCH_STATUS:
		found = check_status_in_list(r->data ? r->data : "", o->code);
		break;
	case CFG_MATCH_RSTATUS:
		found = rstatus_match(re, o->code);
		break;
	case CFG_MATCH_BODY_STRING:
	case CFG_MATCH_BODY_RSTRING:
		/* The body is judged whole: until the server closes, or the buffer is full. */
		body = http_body(buf, len);
		if (!last)
			return EXPECT_WAIT;
		if (!body)
			body = buf + len;
		found = r->match == CFG_MATCH_BODY_STRING
				? r->len && memmem(body, buf + len - body, r->data, r->len)
				: re && !regexec(re, body, 0, NULL, 0);
		break;
	default:
		return expect_tcp(r, re, buf, len, last, o);
	}
	if (found != r->negate) {
		snprintf(o->detail, sizeof(o->detail), "HTTP status %d", o->code);
		return EXPECT_PASS;
	}
	o->result = check_result_of_status(r->error_status,
					   r->match == CFG_MATCH_BODY_STRING ||
							   r->match == CFG_MATCH_BODY_RSTRING
						   ? CHK_L7RSP
						   : CHK_L7STS);
	if (r->on_error || r->comment || r->match >= CFG_MATCH_BODY_STRING)
		expect_failed(r, found, o);
	else
		snprintf(o->detail, sizeof(o->detail), "HTTP status %d", o->code);
	return EXPECT_FAIL;
}

enum expect_verdict check_expect(const struct cfg_check_rule *r, enum cfg_check_kind kind,
				 const regex_t *re, const char *buf, size_t len, bool closed,
				 struct expect_outcome *o)
{
	bool last = closed || len >= CHECK_BUF_MAX;

	o->result = CHK_NONE;
	o->code = 0;
	o->detail[0] = '\0';
	if (kind == CFG_CHECK_HTTP)
		return expect_http(r, re, buf, len, last, o);
	return expect_tcp(r, re, buf, len, last, o);
}
