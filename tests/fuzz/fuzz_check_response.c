// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_check_response: what a server sends back to an HTTP health check
 * (user/health/probe.c). The reader keeps at most CHECK_RSP_MAX bytes, asks
 * check_parse_status() after every read whether the status line is
 * complete, and judges with check_judge_response() once it is, once the
 * server closes, or once the buffer is full; check_expect_match() applies
 * the backend's expect rule.
 *
 * Input: one byte choosing the expect rule, a status list up to the first
 * newline (used by "expect status"), then the response bytes.
 *   byte 0 % 3:  0 2xx/3xx (HAProxy's default), 1 status list, 2 rstatus
 *   byte 0 / 3:  which of a few fixed rstatus regexes (the regex comes from
 *                the operator's file, not from the server)
 *
 * Properties, for every split point of the response:
 *   - garbage stays garbage: once a prefix is INVALID, every longer one is;
 *   - a complete status line stays complete with the same code;
 *   - with complete=true the answer is never PARTIAL, and codes are 0..999;
 *   - the verdict does not depend on how the bytes were cut into reads;
 *   - the detail shown on the status page is printable text.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "health/probe.h"
#include "fuzz.h"

static const char *const regexes[] = {
	"^2", "^(200|204|301)$", "^[23][0-9][0-9]$", "^5", ".*", "^(1|4)0[0-9]$",
};
#define NREGEX (sizeof(regexes) / sizeof(regexes[0]))
static regex_t compiled[NREGEX];

/* The split loop is quadratic: past this the reader would have judged long ago. */
#define SPLIT_MAX (2 * CHECK_RSP_MAX)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	for (size_t i = 0; i < NREGEX; i++)
		if (regcomp(&compiled[i], regexes[i], REG_EXTENDED | REG_NOSUB))
			abort();
	return 0;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* The reader: the first cut bytes, then the rest, into a CHECK_RSP_MAX buffer. */
static enum check_result read_in_two(const struct cfg_http_check *http, const regex_t *re,
				     const char *rsp, size_t len, size_t cut, int *code)
{
	char detail[HEALTH_DETAIL_MAX];
	size_t have = cut < CHECK_RSP_MAX ? cut : CHECK_RSP_MAX;
	int c;

	if (len > CHECK_RSP_MAX)
		len = CHECK_RSP_MAX;
	if (have && check_parse_status(rsp, have, have == CHECK_RSP_MAX, &c) != STATUS_PARTIAL)
		return check_judge_response(http, re, rsp, have, code, detail, sizeof(detail));
	/* Then the rest arrives, and the server closes: judge what there is. */
	return check_judge_response(http, re, rsp, len, code, detail, sizeof(detail));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_http_check http = { 0 };
	const regex_t *re = NULL;
	const char *rsp, *nl;
	char detail[HEALTH_DETAIL_MAX];
	enum status_parse first_invalid_seen = STATUS_PARTIAL;
	int first_code = -1, code, want_code;
	enum check_result want;
	size_t len, list_len, split;

	if (size < 1)
		return 0;
	http.expect = (enum cfg_expect_kind)(data[0] % 3);
	if (http.expect == CFG_EXPECT_RSTATUS)
		re = &compiled[(data[0] / 3) % NREGEX];
	rsp = (const char *)data + 1;
	len = size - 1;
	nl = memchr(rsp, '\n', len);
	list_len = nl ? (size_t)(nl - rsp) : 0;
	if (list_len >= sizeof(http.expect_arg))
		list_len = sizeof(http.expect_arg) - 1;
	memcpy(http.expect_arg, rsp, list_len);
	http.expect_arg[list_len] = '\0'; /* a NUL inside ends it early, as a C string would */
	if (nl) {
		len -= (size_t)(nl - rsp) + 1;
		rsp = nl + 1;
	}

	/* Prefix properties at every split point. */
	split = len < SPLIT_MAX ? len : SPLIT_MAX;
	for (size_t k = 0; k <= split; k++) {
		enum status_parse open = check_parse_status(rsp, k, false, &code);
		enum status_parse closed;
		int c_open = code, c_closed;

		if (first_invalid_seen == STATUS_INVALID)
			FUZZ_CHECK(open == STATUS_INVALID, "prefix %zu valid again after garbage",
				   k);
		if (first_code >= 0)
			FUZZ_CHECK(open == STATUS_COMPLETE && c_open == first_code,
				   "prefix %zu: complete code %d changed (now %d, %d)", k,
				   first_code, open, c_open);
		if (open == STATUS_INVALID)
			first_invalid_seen = STATUS_INVALID;
		if (open == STATUS_COMPLETE) {
			FUZZ_CHECK(c_open >= 0 && c_open <= 999, "code %d", c_open);
			if (first_code < 0)
				first_code = c_open;
		}
		closed = check_parse_status(rsp, k, true, &code);
		c_closed = code;
		FUZZ_CHECK(closed != STATUS_PARTIAL, "partial at %zu with complete=true", k);
		if (open == STATUS_COMPLETE)
			FUZZ_CHECK(closed == STATUS_COMPLETE && c_closed == c_open,
				   "prefix %zu: complete differs once closed", k);
		if (open == STATUS_INVALID)
			FUZZ_CHECK(closed == STATUS_INVALID, "prefix %zu: invalid, then not", k);
		if (closed == STATUS_COMPLETE)
			FUZZ_CHECK(c_closed >= 0 && c_closed <= 999, "code %d", c_closed);
	}

	/* The verdict on the whole, then on every way of cutting it into two reads. */
	want = check_judge_response(&http, re, rsp, len < CHECK_RSP_MAX ? len : CHECK_RSP_MAX,
				    &want_code, detail, sizeof(detail));
	FUZZ_CHECK(memchr(detail, '\0', sizeof(detail)) && printable(detail), "detail '%s'",
		   detail);
	FUZZ_CHECK(want == CHK_L7OK || want == CHK_L7STS || want == CHK_L7RSP, "result %d", want);
	if (want == CHK_L7RSP)
		FUZZ_CHECK(want_code == 0, "no status line, yet code %d", want_code);
	else
		FUZZ_CHECK((want == CHK_L7OK) == check_expect_match(&http, re, want_code),
			   "verdict and expect rule disagree on %d", want_code);
	for (size_t k = 0; k <= split && k <= CHECK_RSP_MAX; k++) {
		int c;
		enum check_result r = read_in_two(&http, re, rsp, len, k, &c);

		FUZZ_CHECK(r == want && c == want_code, "read cut at %zu: %d/%d, whole: %d/%d", k,
			   r, c, want, want_code);
	}

	/* The expect rules on their own, around the code seen. */
	for (int c = want_code - 1; c <= want_code + 1; c++) {
		check_status_in_list(http.expect_arg, c);
		check_expect_match(&http, re, c);
	}
	return 0;
}
