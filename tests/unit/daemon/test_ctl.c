// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the control socket (user/daemon/ctl.c): splitting a request into
 * words, building a reply, and real round trips between ctl_server_open()
 * on an event loop and ctl_request() in a forked child (ctl_request blocks
 * until the answer, so it cannot share the server's process). The child
 * sends its results back through a pipe; the loop stops when the pipe
 * closes, so no test waits on a clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "testutil.h"

#include "cli/ctl_client.h"
#include "daemon/ctl.h"
#include "lib/evloop.h"
#include "lib/util.h"

#define NOT_RUNNING "rpilb is not running (nothing answers on %s): start it with 'rpilbctl up'"

/* ---- ctl_split ---- */

static void test_split_words(void **state)
{
	char line[128], *argv[CTL_MAX_ARGS];

	(void)state;
	snprintf(line, sizeof(line), "show status");
	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), 2);
	assert_string_equal(argv[0], "show");
	assert_string_equal(argv[1], "status");

	/* Runs of spaces and tabs separate; leading and trailing ones vanish. */
	snprintf(line, sizeof(line), "  drain\t\tpi1  \t backend   nodes\t");
	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), 4);
	assert_string_equal(argv[0], "drain");
	assert_string_equal(argv[1], "pi1");
	assert_string_equal(argv[2], "backend");
	assert_string_equal(argv[3], "nodes");

	/* A line ending from socat or a Windows telnet is not part of the last word. */
	snprintf(line, sizeof(line), "show status\r\n");
	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), 2);
	assert_string_equal(argv[1], "status");
	snprintf(line, sizeof(line), "maint\rpi2\n");
	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), 2);
	assert_string_equal(argv[0], "maint");
	assert_string_equal(argv[1], "pi2");
}

static void test_split_empty(void **state)
{
	char line[32], *argv[CTL_MAX_ARGS];

	(void)state;
	snprintf(line, sizeof(line), "%s", "");
	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), 0);
	snprintf(line, sizeof(line), " \t \r\n");
	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), 0);
}

static void test_split_too_many(void **state)
{
	char line[256], *argv[CTL_MAX_ARGS + 1];
	size_t len = 0;

	(void)state;
	for (int i = 0; i < CTL_MAX_ARGS; i++)
		len += snprintf(line + len, sizeof(line) - len, "w%d ", i);
	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), CTL_MAX_ARGS);
	assert_string_equal(argv[CTL_MAX_ARGS - 1], "w15");

	len = 0;
	for (int i = 0; i <= CTL_MAX_ARGS; i++)
		len += snprintf(line + len, sizeof(line) - len, "w%d ", i);
	assert_int_equal(ctl_split(line, argv, CTL_MAX_ARGS), -1);

	/* The limit is the caller's. */
	snprintf(line, sizeof(line), "a b c");
	assert_int_equal(ctl_split(line, argv, 2), -1);
	snprintf(line, sizeof(line), "a b");
	assert_int_equal(ctl_split(line, argv, 2), 2);
	snprintf(line, sizeof(line), "a");
	assert_int_equal(ctl_split(line, argv, 0), -1);
}

/* ---- building a reply ---- */

static void test_reply_printf(void **state)
{
	struct ctl_reply r = { 0 };

	(void)state;
	ctl_reply_printf(&r, "%s %d\n", "flows", 42);
	ctl_reply_printf(&r, "%s", "");
	ctl_reply_printf(&r, "next\n");
	assert_false(r.error);
	assert_int_equal(r.len, strlen("flows 42\nnext\n"));
	assert_string_equal(r.buf, "flows 42\nnext\n");
	free(r.buf);
}

static void test_reply_grows(void **state)
{
	struct ctl_reply r = { 0 };
	char line[101];

	(void)state;
	memset(line, 'x', 99);
	line[99] = '\n';
	line[100] = '\0';
	for (int i = 0; i < 1000; i++)
		ctl_reply_printf(&r, "%s", line);
	assert_int_equal(r.len, 100000);
	assert_true(r.cap > r.len);
	assert_int_equal(strlen(r.buf), 100000);
	for (size_t i = 0; i < r.len; i++)
		if (r.buf[i] != (i % 100 == 99 ? '\n' : 'x'))
			fail_msg("byte %zu is '%c'", i, r.buf[i]);
	free(r.buf);
}

static void test_reply_error_replaces_body(void **state)
{
	struct ctl_reply r = { 0 };

	(void)state;
	ctl_reply_printf(&r, "a body that was started\nand more\n");
	ctl_reply_error(&r, "no server '%s'", "pi9");
	assert_true(r.error);
	assert_int_equal(r.len, strlen("no server 'pi9'"));
	assert_string_equal(r.buf, "no server 'pi9'");
	/* The last error wins. */
	ctl_reply_error(&r, "second");
	assert_string_equal(r.buf, "second");
	assert_true(r.error);
	free(r.buf);

	/* An error on an empty reply. */
	memset(&r, 0, sizeof(r));
	ctl_reply_error(&r, "%s", "x");
	assert_string_equal(r.buf, "x");
	assert_int_equal(r.len, 1);
	free(r.buf);
}

static void test_reply_stream(void **state)
{
	struct ctl_reply r = { 0 };
	FILE *f;

	(void)state;
	ctl_reply_printf(&r, "a");
	f = ctl_reply_stream(&r);
	assert_non_null(f);
	fprintf(f, "{\"servers\": %d}", 3);
	fputc('\n', f);
	assert_int_equal(fclose(f), 0);
	ctl_reply_printf(&r, "z");
	assert_string_equal(r.buf, "a{\"servers\": 3}\nz");
	assert_int_equal(r.len, strlen("a{\"servers\": 3}\nz"));
	assert_false(r.error);
	free(r.buf);

	/* Larger than stdio's buffer: flushed in pieces, in order. */
	memset(&r, 0, sizeof(r));
	f = ctl_reply_stream(&r);
	for (int i = 0; i < 20000; i++)
		fprintf(f, "%04d,", i % 10000);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(r.len, 100000);
	assert_int_equal(strncmp(r.buf, "0000,0001,0002,", 15), 0);
	assert_string_equal(r.buf + r.len - 10, "9998,9999,");
	free(r.buf);
}

/* ---- a server on an event loop, clients in a child ---- */

struct handled {
	int calls;
	char last[256]; /* the last request, words joined by '|' */
};

static void handler(int argc, char **argv, struct ctl_reply *r, void *arg)
{
	struct handled *h = arg;
	size_t used = 0;

	h->calls++;
	h->last[0] = '\0';
	for (int i = 0; i < argc; i++)
		used += snprintf(h->last + used,
				 used < sizeof(h->last) ? sizeof(h->last) - used : 0, "%s%.40s",
				 i ? "|" : "", argv[i]);

	if (!strcmp(argv[0], "echo")) {
		ctl_reply_printf(r, "argc=%d", argc);
		for (int i = 0; i < argc; i++)
			ctl_reply_printf(r, " [%s]", argv[i]);
		ctl_reply_printf(r, "\n");
	} else if (!strcmp(argv[0], "len")) {
		ctl_reply_printf(r, "%zu\n", strlen(argv[argc - 1]));
	} else if (!strcmp(argv[0], "fail")) {
		ctl_reply_printf(r, "partial body\n");
		ctl_reply_error(r, "first line\nsecond line\nthird");
	} else if (!strcmp(argv[0], "empty")) {
		/* an OK with no body */
	} else if (!strcmp(argv[0], "stream")) {
		FILE *f = ctl_reply_stream(r);

		fprintf(f, "{\"a\": %d}\n", 1);
		fclose(f);
	} else if (!strcmp(argv[0], "big") && argc == 2) {
		long n = strtol(argv[1], NULL, 10);

		for (long i = 0; i < n; i++)
			ctl_reply_printf(r, "%c", 'a' + (int)(i % 26));
	} else {
		ctl_reply_error(r, "unknown command '%s'", argv[0]);
	}
}

struct harness {
	char dir[64];
	char path[128];
	struct evloop *loop;
	struct ctl_server srv;
	struct handled handled;
	struct ev_io pipe_io;
	char *from_child;
	size_t len, cap;
	struct result {
		int ret;
		char *text;
	} res[16]; /* what the child reported, parsed */
	size_t nres;
};

static void harness_init(struct harness *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/rpilb-test-ctl.XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->path, sizeof(h->path), "%s/rpilb.sock", h->dir);
	h->loop = ev_new();
	assert_non_null(h->loop);
}

static void harness_open(struct harness *h, mode_t mode, gid_t gid)
{
	assert_int_equal(
		ctl_server_open(&h->srv, h->loop, h->path, mode, gid, handler, &h->handled), 0);
}

static void results_free(struct harness *h)
{
	for (size_t i = 0; i < h->nres; i++)
		free(h->res[i].text);
	h->nres = 0;
}

static void harness_done(struct harness *h)
{
	ctl_server_close(&h->srv);
	ev_free(h->loop);
	free(h->from_child);
	h->from_child = NULL;
	results_free(h);
	rmdir(h->dir);
}

static void pipe_readable(struct ev_io *io, uint32_t revents)
{
	struct harness *h = (struct harness *)((char *)io - offsetof(struct harness, pipe_io));
	ssize_t n;

	(void)revents;
	if (h->cap - h->len < 65536) {
		h->cap = h->cap * 2 + 65536;
		h->from_child = realloc(h->from_child, h->cap);
		assert_non_null(h->from_child);
	}
	n = read(io->fd, h->from_child + h->len, h->cap - h->len);
	if (n > 0) {
		h->len += n;
		return;
	}
	if (n < 0 && errno == EINTR)
		return;
	/* The child is done: everything it will send is here. */
	ev_io_del(h->loop, io);
	ev_stop(h->loop);
}

/* One result the child reports: a return value and a text. */
struct rec_hdr {
	int ret;
	uint32_t len;
};

static void send_rec(int fd, int ret, const char *text, size_t len)
{
	struct rec_hdr hdr = { .ret = ret, .len = len };

	if (write(fd, &hdr, sizeof(hdr)) != sizeof(hdr))
		_exit(70);
	while (len) {
		ssize_t n = write(fd, text, len);

		if (n <= 0)
			_exit(71);
		text += n;
		len -= n;
	}
}

/* Split what the child sent into results. */
static void parse_results(struct harness *h)
{
	size_t off = 0;

	results_free(h);
	while (off + sizeof(struct rec_hdr) <= h->len) {
		struct rec_hdr hdr;

		memcpy(&hdr, h->from_child + off, sizeof(hdr));
		off += sizeof(hdr);
		assert_true(off + hdr.len <= h->len);
		assert_true(h->nres < ARRAY_SIZE(h->res));
		h->res[h->nres].ret = hdr.ret;
		h->res[h->nres].text = strndup(h->from_child + off, hdr.len);
		assert_non_null(h->res[h->nres].text);
		h->nres++;
		off += hdr.len;
	}
	assert_int_equal(off, h->len);
}

/* The index-th result: its return value, and its text in *text. */
static int rec(struct harness *h, size_t index, const char **text)
{
	if (index >= h->nres)
		fail_msg("the child sent %zu results, not %zu", h->nres, index + 1);
	*text = h->res[index].text;
	return h->res[index].ret;
}

typedef void (*client_fn)(struct harness *h, int fd, void *arg);

/* Run fn in a child while the server answers on the loop here. */
static void run_client(struct harness *h, client_fn fn, void *arg)
{
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		fn(h, fds[1], arg);
		_exit(0);
	}
	close(fds[1]);
	h->len = 0;
	h->pipe_io.fd = fds[0];
	h->pipe_io.events = EPOLLIN;
	h->pipe_io.cb = pipe_readable;
	assert_int_equal(ev_io_add(h->loop, &h->pipe_io), 0);
	assert_int_equal(ev_run(h->loop), 0);
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	parse_results(h);
}

/* The client: ctl_request for each line; a record of (ret, body or err) each. */
static void request_lines(struct harness *h, int fd, void *arg)
{
	const char *const *lines = arg;

	for (size_t i = 0; lines[i]; i++) {
		char err[512] = "", *body = NULL;
		int ret = ctl_request(h->path, lines[i], &body, err, sizeof(err));

		if (ret == 0)
			send_rec(fd, ret, body, strlen(body));
		else
			send_rec(fd, ret, err, strlen(err));
		free(body);
	}
}

struct exchange {
	const char *request;
	int ret;
	const char *answer; /* the body for OK, the reason for ERR */
};

static void expect_exchanges(struct harness *h, const struct exchange *x, size_t n)
{
	const char **lines = calloc(n + 1, sizeof(*lines));
	unsigned bad = 0;

	assert_non_null(lines);
	for (size_t i = 0; i < n; i++)
		lines[i] = x[i].request;
	run_client(h, request_lines, lines);
	free(lines);
	for (size_t i = 0; i < n; i++) {
		const char *text;
		int ret = rec(h, i, &text);

		if (ret != x[i].ret || strcmp(text, x[i].answer)) {
			print_error("request \"%.60s\": %d \"%s\"\n      expected %d \"%s\"\n",
				    x[i].request, ret, text, x[i].ret, x[i].answer);
			bad++;
		}
	}
	if (bad)
		fail_msg("%u of %zu exchanges wrong", bad, n);
}

static void test_round_trip(void **state)
{
	static const struct exchange x[] = {
		{ "echo a b c", 0, "argc=4 [echo] [a] [b] [c]\n" },
		{ "  echo\tx\t ", 0, "argc=2 [echo] [x]\n" },
		{ "echo y\r", 0, "argc=2 [echo] [y]\n" },
		{ "empty", 0, "" },
		{ "stream", 0, "{\"a\": 1}\n" },
		/* an error is one line, whatever the handler wrote */
		{ "fail", 1, "first line second line third" },
		{ "nope", 1, "unknown command 'nope'" },
		{ "echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15", 0,
		  "argc=16 [echo] [1] [2] [3] [4] [5] [6] [7] [8] [9] [10] [11] [12] [13] [14] [15]\n" },
	};
	struct harness h;

	(void)state;
	harness_init(&h);
	harness_open(&h, 0600, (gid_t)-1);
	expect_exchanges(&h, x, ARRAY_SIZE(x));
	assert_int_equal(h.handled.calls, ARRAY_SIZE(x));
	assert_string_equal(h.handled.last, "echo|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15");
	harness_done(&h);
}

/* Requests the server refuses itself: the handler never sees them. */
static void test_refused_requests(void **state)
{
	static const struct exchange x[] = {
		{ "", 1, "empty request: try 'help'" },
		{ " \t ", 1, "empty request: try 'help'" },
		{ "echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", 1,
		  "too many words in the request" },
	};
	struct harness h;

	(void)state;
	harness_init(&h);
	harness_open(&h, 0600, (gid_t)-1);
	expect_exchanges(&h, x, ARRAY_SIZE(x));
	assert_int_equal(h.handled.calls, 0);
	harness_done(&h);
}

/*
 * A request line holds at most CTL_LINE_MAX - 1 bytes before its newline
 * (the buffer must see the newline within CTL_LINE_MAX bytes); anything
 * longer is answered with ERR, not cut short and not a dropped connection.
 */
static void test_request_length_limit(void **state)
{
	char *fits = malloc(CTL_LINE_MAX), *over = malloc(CTL_LINE_MAX + 1),
	     *far_over = malloc(5001);
	const char *lines[] = { fits, over, far_over, NULL };
	static const struct exchange want[] = {
		{ "CTL_LINE_MAX - 1 bytes", 0, "4091\n" },
		{ "CTL_LINE_MAX bytes", 1, "request longer than 4096 bytes" },
		{ "5000 bytes", 1, "request longer than 4096 bytes" },
	};
	struct harness h;
	unsigned bad = 0;

	(void)state;
	memcpy(fits, "len ", 4);
	memset(fits + 4, 'a', CTL_LINE_MAX - 5);
	fits[CTL_LINE_MAX - 1] = '\0';
	memcpy(over, "len ", 4);
	memset(over + 4, 'a', CTL_LINE_MAX - 4);
	over[CTL_LINE_MAX] = '\0';
	memcpy(far_over, "len ", 4);
	memset(far_over + 4, 'b', 4996);
	far_over[5000] = '\0';

	harness_init(&h);
	harness_open(&h, 0600, (gid_t)-1);
	run_client(&h, request_lines, lines);
	free(fits);
	free(over);
	free(far_over);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const char *text;
		int ret = rec(&h, i, &text);

		if (ret != want[i].ret || strcmp(text, want[i].answer)) {
			print_error("request of %s: %d \"%s\"\n      expected %d \"%s\"\n",
				    want[i].request, ret, text, want[i].ret, want[i].answer);
			bad++;
		}
	}
	assert_int_equal(h.handled.calls, 1);
	harness_done(&h);
	assert_int_equal(bad, 0);
}

static void test_big_answer(void **state)
{
	static const char *const lines[] = { "big 1000000", "echo after", NULL };
	struct harness h;
	const char *text;

	(void)state;
	harness_init(&h);
	harness_open(&h, 0600, (gid_t)-1);
	/* Far more than a socket buffer: the server writes it in pieces as the client reads. */
	run_client(&h, request_lines, (void *)lines);
	assert_int_equal(rec(&h, 0, &text), 0);
	assert_int_equal(strlen(text), 1000000);
	for (size_t i = 0; i < 1000000; i++)
		if (text[i] != 'a' + (int)(i % 26))
			fail_msg("byte %zu is '%c'", i, text[i]);
	assert_int_equal(rec(&h, 1, &text), 0);
	assert_string_equal(text, "argc=2 [echo] [after]\n");
	harness_done(&h);
}

/* ---- raw clients: the protocol as socat speaks it ---- */

struct raw {
	const char *send; /* written as is (no newline added) */
	bool shut_wr; /* shutdown(SHUT_WR) after sending */
};

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return fd;
}

/* Each raw exchange: send, maybe shut down, read until the server closes. */
static void raw_clients(struct harness *h, int out, void *arg)
{
	const struct raw *r = arg;

	for (; r->send; r++) {
		char buf[4096];
		size_t len = 0;
		int fd = raw_connect(h->path);

		if (fd < 0)
			_exit(80);
		if (send(fd, r->send, strlen(r->send), MSG_NOSIGNAL) != (ssize_t)strlen(r->send))
			_exit(81);
		if (r->shut_wr && shutdown(fd, SHUT_WR))
			_exit(82);
		for (;;) {
			ssize_t n = recv(fd, buf + len, sizeof(buf) - len, 0);

			if (n < 0) {
				send_rec(out, -errno, buf, len);
				break;
			}
			if (n == 0) {
				send_rec(out, 0, buf, len);
				break;
			}
			len += n;
		}
		close(fd);
	}
}

static void test_raw_protocol(void **state)
{
	static const struct raw raw[] = {
		{ "echo x\n", false },
		/* socat's "echo -n ... |": no newline, then end of input */
		{ "echo no newline", true },
		{ "fail\n", false },
		{ "empty\n", false },
		{ "\n", false },
		/* everything after the first newline is ignored */
		{ "echo first\necho second\n", true },
		/* a connection that says nothing is closed without an answer */
		{ "", true },
		{ NULL, false },
	};
	static const char *const want[] = {
		"OK\nargc=2 [echo] [x]\n",
		"OK\nargc=3 [echo] [no] [newline]\n",
		"ERR first line second line third\n",
		"OK\n",
		"ERR empty request: try 'help'\n",
		"OK\nargc=2 [echo] [first]\n",
		"",
	};
	struct harness h;
	unsigned bad = 0;

	(void)state;
	harness_init(&h);
	harness_open(&h, 0600, (gid_t)-1);
	run_client(&h, raw_clients, (void *)raw);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const char *text;
		int ret = rec(&h, i, &text);

		if (ret || strcmp(text, want[i])) {
			print_error("raw \"%s\": %d \"%s\", expected \"%s\"\n", raw[i].send, ret,
				    text, want[i]);
			bad++;
		}
	}
	assert_int_equal(h.handled.calls, 5);
	harness_done(&h);
	assert_int_equal(bad, 0);
}

/*
 * The same overlong request as socat would send it: the ERR line, then a
 * clean end of stream. (The reason must reach the client whole; a reset
 * instead of the end of stream makes ctl_request drop the answer.)
 */
static void test_raw_overlong_request(void **state)
{
	char *line = malloc(5002);
	const struct raw raw[] = { { line, false }, { NULL, false } };
	struct harness h;
	const char *text;
	int ret;

	(void)state;
	memset(line, 'c', 5000);
	line[5000] = '\n';
	line[5001] = '\0';
	harness_init(&h);
	harness_open(&h, 0600, (gid_t)-1);
	run_client(&h, raw_clients, (void *)raw);
	free(line);
	ret = rec(&h, 0, &text);
	if (ret || strcmp(text, "ERR request longer than 4096 bytes\n"))
		print_error("got %d (%s) after \"%s\"\n", ret,
			    ret ? strerror(-ret) : "end of stream", text);
	assert_int_equal(h.handled.calls, 0);
	harness_done(&h);
	assert_int_equal(ret, 0);
}

/* ---- when there is no daemon ---- */

/* A socket file nobody listens on: what a daemon killed with -9 leaves. */
static void stale_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
}

static void test_not_running(void **state)
{
	char dir[] = "/tmp/rpilb-test-ctl.XXXXXX", path[128], want[512], err[512], *body;

	(void)state;
	assert_non_null(mkdtemp(dir));

	/* No socket file at all. */
	snprintf(path, sizeof(path), "%s/rpilb.sock", dir);
	body = (char *)1;
	assert_int_equal(ctl_request(path, "show status", &body, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), NOT_RUNNING, path);
	assert_string_equal(err, want);
	assert_null(body);

	/* A socket file left by a daemon that died: nobody listens. */
	stale_socket(path);
	assert_int_equal(ctl_request(path, "show status", &body, err, sizeof(err)), -ECONNREFUSED);
	assert_string_equal(err, want);
	assert_null(body);
	unlink(path);

	/* The directory itself is missing (no /run/rpilb after a reboot). */
	snprintf(path, sizeof(path), "%s/gone/rpilb.sock", dir);
	assert_int_equal(ctl_request(path, "show status", &body, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), NOT_RUNNING, path);
	assert_string_equal(err, want);
	assert_int_equal(rmdir(dir), 0);
}

/* ---- the socket file ---- */

static void expect_socket(const char *path, mode_t mode, gid_t gid)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, mode);
	assert_int_equal(st.st_uid, geteuid());
	if (gid != (gid_t)-1)
		assert_int_equal(st.st_gid, gid);
}

static void test_socket_mode_0600(void **state)
{
	static const struct exchange x[] = { { "echo ok", 0, "argc=2 [echo] [ok]\n" } };
	struct harness h;
	struct stat st;
	mode_t before;

	(void)state;
	harness_init(&h);
	before = umask(022);
	harness_open(&h, 0600, (gid_t)-1);
	/* The umask is the caller's again. */
	assert_int_equal(umask(before), 022);
	expect_socket(h.path, 0600, (gid_t)-1);
	expect_exchanges(&h, x, ARRAY_SIZE(x));
	ctl_server_close(&h.srv);
	assert_int_equal(lstat(h.path, &st), -1);
	assert_int_equal(errno, ENOENT);
	/* Closing twice is harmless. */
	ctl_server_close(&h.srv);
	harness_done(&h);
}

static void test_socket_mode_0660(void **state)
{
	static const struct exchange x[] = { { "echo ok", 0, "argc=2 [echo] [ok]\n" } };
	struct harness h;
	struct stat st;

	(void)state;
	harness_init(&h);
	harness_open(&h, 0660, (gid_t)-1);
	expect_socket(h.path, 0660, getegid());
	expect_exchanges(&h, x, ARRAY_SIZE(x));
	ctl_server_close(&h.srv);
	assert_int_equal(lstat(h.path, &st), -1);
	assert_int_equal(errno, ENOENT);
	harness_done(&h);
}

/* socket-group: root hands the socket to a group (a gid no one else uses here). */
static void test_socket_group(void **state)
{
	struct harness h;
	struct stat st;

	(void)state;
	REQUIRE_ROOT();
	harness_init(&h);
	harness_open(&h, 0660, 54321);
	expect_socket(h.path, 0660, 54321);
	assert_int_equal(lstat(h.path, &st), 0);
	assert_int_equal(st.st_uid, 0);
	ctl_server_close(&h.srv);
	assert_int_equal(lstat(h.path, &st), -1);
	harness_done(&h);
}

/* A stale socket from a crashed daemon is replaced. */
static void test_replaces_stale_socket(void **state)
{
	static const struct exchange x[] = { { "echo fresh", 0, "argc=2 [echo] [fresh]\n" } };
	struct harness h;

	(void)state;
	harness_init(&h);
	stale_socket(h.path);
	harness_open(&h, 0600, (gid_t)-1);
	expect_socket(h.path, 0600, (gid_t)-1);
	expect_exchanges(&h, x, ARRAY_SIZE(x));
	harness_done(&h);
}

static void test_path_too_long(void **state)
{
	struct ctl_server srv;
	struct evloop *loop = ev_new();
	char path[200];

	(void)state;
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(ctl_server_open(&srv, loop, path, 0600, (gid_t)-1, handler, NULL),
			 -ENAMETOOLONG);
	/* Not open: closing does nothing. */
	ctl_server_close(&srv);
	ev_free(loop);
}

/* As another user, a root-only socket says so, with what to do about it. */
static void as_nobody(struct harness *h, int fd, void *arg)
{
	char err[512] = "", *body = NULL;
	int ret;

	(void)arg;
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		_exit(90);
	ret = ctl_request(h->path, "echo hi", &body, err, sizeof(err));
	send_rec(fd, ret, ret ? err : body, strlen(ret ? err : body));
	free(body);
}

static void test_permission_denied(void **state)
{
	struct harness h;
	char want[512];
	const char *text;

	(void)state;
	REQUIRE_ROOT();
	harness_init(&h);
	/* The directory is open to all: only the socket's own mode keeps nobody out. */
	assert_int_equal(chmod(h.dir, 0755), 0);
	harness_open(&h, 0600, (gid_t)-1);
	run_client(&h, as_nobody, NULL);
	assert_int_equal(rec(&h, 0, &text), -EACCES);
	snprintf(want, sizeof(want),
		 "permission denied on %s: the control socket is root-only (use sudo, or set "
		 "socket-group in the rpilb section)",
		 h.path);
	assert_string_equal(text, want);
	ctl_server_close(&h.srv);

	/* Opened to everyone, the same user gets in. */
	harness_open(&h, 0666, (gid_t)-1);
	run_client(&h, as_nobody, NULL);
	assert_int_equal(rec(&h, 0, &text), 0);
	assert_string_equal(text, "argc=2 [echo] [hi]\n");
	assert_int_equal(h.handled.calls, 1);
	harness_done(&h);
}

/*
 * Closing the server drops connections still mid-request (their clients
 * see the end of the stream, no answer) and removes the socket file. All
 * in one process: the clients are non-blocking sockets of the test, and a
 * "stop" request makes the loop return.
 */
static void stop_handler(int argc, char **argv, struct ctl_reply *r, void *arg)
{
	struct harness *h = arg;

	(void)argc;
	h->handled.calls++;
	if (!strcmp(argv[0], "stop")) {
		ev_stop(h->loop);
		ctl_reply_printf(r, "stopping\n");
	}
}

static void test_close_drops_pending(void **state)
{
	struct harness h;
	char buf[64];
	int pending, stopper;
	struct stat st;
	ssize_t n;

	(void)state;
	harness_init(&h);
	assert_int_equal(ctl_server_open(&h.srv, h.loop, h.path, 0600, (gid_t)-1, stop_handler, &h),
			 0);
	pending = raw_connect(h.path);
	assert_true(pending >= 0);
	assert_int_equal(send(pending, "echo half a requ", 16, 0), 16);
	stopper = raw_connect(h.path);
	assert_true(stopper >= 0);
	assert_int_equal(send(stopper, "stop\n", 5, 0), 5);
	assert_int_equal(ev_run(h.loop), 0);
	assert_int_equal(h.handled.calls, 1);
	/* The stopper got its whole answer before the loop returned. */
	n = recv(stopper, buf, sizeof(buf), 0);
	assert_int_equal(n, strlen("OK\nstopping\n"));
	assert_memory_equal(buf, "OK\nstopping\n", n);
	assert_int_equal(recv(stopper, buf, sizeof(buf), 0), 0);

	ctl_server_close(&h.srv);
	assert_int_equal(recv(pending, buf, sizeof(buf), 0), 0);
	assert_int_equal(lstat(h.path, &st), -1);
	close(pending);
	close(stopper);
	harness_done(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_split_empty),
		cmocka_unit_test(test_split_too_many),
		cmocka_unit_test(test_reply_printf),
		cmocka_unit_test(test_reply_grows),
		cmocka_unit_test(test_reply_error_replaces_body),
		cmocka_unit_test(test_reply_stream),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused_requests),
		cmocka_unit_test(test_request_length_limit),
		cmocka_unit_test(test_big_answer),
		cmocka_unit_test(test_raw_protocol),
		cmocka_unit_test(test_raw_overlong_request),
		cmocka_unit_test(test_not_running),
		cmocka_unit_test(test_socket_mode_0600),
		cmocka_unit_test(test_socket_mode_0660),
		cmocka_unit_test(test_socket_group),
		cmocka_unit_test(test_replaces_stale_socket),
		cmocka_unit_test(test_path_too_long),
		cmocka_unit_test(test_permission_denied),
		cmocka_unit_test(test_close_drops_pending),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
