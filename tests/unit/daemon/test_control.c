// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the control protocol's command tables (user/daemon/
 * control.c): requests that need no daemon state (help, unknown and
 * incomplete ones) through the server's own path, ctl_answer(); and the
 * "help" reply held to docs/control.md, the protocol's contract, so that
 * neither can list a request the other does not.
 */
#include <stdio.h>

#include "testutil.h"

#include "daemon/ctl.h"
#include "daemon/daemon.h"

/* The framed answer to one request line, malloc'd. */
static char *answer(const char *request)
{
	static struct daemon d; /* none of these requests reads it */
	struct ctl_reply r = {};
	char line[CTL_LINE_MAX + 1];
	char *out;

	snprintf(line, sizeof(line), "%s", request);
	out = ctl_answer(line, &r, daemon_ctl_handler, &d);
	free(r.buf);
	assert_non_null(out);
	return out;
}

static void assert_answer(const char *request, const char *want)
{
	char *got = answer(request);

	assert_string_equal(got, want);
	free(got);
}

static void test_refusals(void **state)
{
	(void)state;
	assert_answer("frobnicate", "ERR unknown command 'frobnicate': try 'help'\n");
	assert_answer("json", "ERR empty request: try 'help'\n");
	assert_answer("show", "ERR show what? info, status, stats, flows, conns\n");
	assert_answer("json show", "ERR show what? info, status, stats, flows, conns\n");
	assert_answer("show nosuch",
		      "ERR unknown 'show nosuch': try info, status, stats, flows, conns\n");
	assert_answer("show flows", "ERR flows needs a server name\n");
	assert_answer("drain", "ERR drain needs a server name\n");
	assert_answer("add-node pi5",
		      "ERR usage: add-node NAME ADDR:PORT [weight N] [backend B]\n");
}

/*
 * A request's own words: the lower-case ones at the start of line, up to
 * its first argument (NAME, [all]...), a double blank or a backquote.
 */
static void request_words(const char *line, char out[64])
{
	size_t len = 0;

	for (;;) {
		size_t w = 0;

		while (line[len + w] == '-' || (line[len + w] >= 'a' && line[len + w] <= 'z'))
			w++;
		if (!w || (line[len + w] != ' ' && line[len + w] != '`' && line[len + w] != '\0'))
			break;
		len += w;
		if (line[len] != ' ' || line[len + 1] == ' ')
			break;
		len++;
	}
	while (len && line[len - 1] == ' ')
		len--;
	assert_true(len > 0 && len < 64);
	memcpy(out, line, len);
	out[len] = '\0';
}

/* The requests "help" lists, one a line. */
static size_t help_requests(char reqs[][64], size_t max)
{
	char *out = answer("help"), *save = NULL, *line;
	size_t n = 0;

	assert_memory_equal(out, "OK\n", 3);
	for (line = strtok_r(out + 3, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '(') /* the closing note on "json" */
			continue;
		assert_true(n < max);
		request_words(line, reqs[n++]);
	}
	free(out);
	return n;
}

static void test_help_lists_every_request(void **state)
{
	static const char *const want[] = {
		"show info", "show status", "show stats", "show flows", "show conns",
		"add-node",  "del-node",    "drain",	  "maint",	"enable",
		"reload",    "shutdown",    "help",
	};
	char reqs[32][64];
	size_t n = help_requests(reqs, 32);

	(void)state;
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(reqs[i], want[i]);
}

/* Every request of docs/control.md's table is in "help", and every one of "help" there. */
static void test_help_matches_the_contract(void **state)
{
	char reqs[32][64], line[512], doc[32][64];
	size_t n = help_requests(reqs, 32), ndoc = 0;
	FILE *f = fopen("docs/control.md", "r");

	(void)state;
	if (!f)
		skip(); /* run from the top of the tree, as make check does */
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "| `", 3))
			continue;
		assert_true(ndoc < 32);
		request_words(line + 3, doc[ndoc++]);
	}
	fclose(f);
	assert_int_equal(ndoc, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(doc[i], reqs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_help_lists_every_request),
		cmocka_unit_test(test_help_matches_the_contract),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
