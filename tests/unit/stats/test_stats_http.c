// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stats page server (user/stats/stats_http.c) for real: libmicrohttpd on
 * 127.0.0.1, an ephemeral port, driven by an evloop in this process. The
 * server side stays single-threaded as in the daemon; only the test's
 * client runs in a thread, so the loop and the client can both block.
 * Checks auth (401/200, per user), routes, methods, HEAD, limits, headers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "testutil.h"

#include "lib/evloop.h"
#include "stats/stats_http.h"
#include "stats/render.h"
#include "lib/util.h"

#define LOOP_LIMIT_MS 20000 /* a wedged test fails instead of hanging */

/* --- the server side -------------------------------------------------------- */

struct fixture {
	struct evloop *loop;
	struct stats_http *http;
	struct stats_http_opts opts;
	int done[2]; /* the client thread writes a byte when it is finished */
	struct ev_io done_io;
	struct ev_timer limit;
	bool timed_out;
	int snapshots; /* how many requests took one */
	int snapshot_err; /* what the snapshot callback returns */
};

static struct fixture *fx_of_io(struct ev_io *io)
{
	return (struct fixture *)((char *)io - offsetof(struct fixture, done_io));
}

static struct fixture *fx_of_timer(struct ev_timer *t)
{
	return (struct fixture *)((char *)t - offsetof(struct fixture, limit));
}

static void on_done(struct ev_io *io, uint32_t revents)
{
	struct fixture *fx = fx_of_io(io);
	char c;

	(void)revents;
	if (read(io->fd, &c, 1) == 1)
		ev_stop(fx->loop);
}

static void on_limit(struct ev_timer *t)
{
	struct fixture *fx = fx_of_timer(t);

	fx->timed_out = true;
	ev_stop(fx->loop);
}

/* What the daemon's callback does, with fixed numbers: one Pi behind one frontend. */
static int take_snapshot(struct snapshot *s, void *arg)
{
	struct fixture *fx = arg;
	struct snap_server *sv;

	fx->snapshots++;
	if (fx->snapshot_err)
		return fx->snapshot_err;
	snprintf(s->version, sizeof(s->version), "%s", RPILB_VERSION);
	snprintf(s->hostname, sizeof(s->hostname), "testpi");
	snprintf(s->interface, sizeof(s->interface), "lo");
	snprintf(s->mode, sizeof(s->mode), "xdpgeneric");
	s->flow_capacity = 1024;
	s->counters[RPILB_CNT_PACKETS] = 3;
	s->counters[RPILB_CNT_TX_NEW_FLOW] = 3;
	s->frontends = calloc(1, sizeof(*s->frontends));
	s->backends = calloc(1, sizeof(*s->backends));
	if (!s->frontends || !s->backends)
		return -ENOMEM;
	s->nfrontends = 1;
	snprintf(s->frontends[0].name, SNAP_NAME_MAX, "raspberrypinodes");
	snprintf(s->frontends[0].backend, SNAP_NAME_MAX, "nodes");
	s->frontends[0].nbinds = 1;
	snprintf(s->frontends[0].binds[0].address, 24, "0.0.0.0");
	s->frontends[0].binds[0].port = 80;
	s->frontends[0].binds[0].new_flows = 3;
	s->nbackends = 1;
	snprintf(s->backends[0].name, SNAP_NAME_MAX, "nodes");
	snprintf(s->backends[0].balance, 16, "roundrobin");
	s->backends[0].servers = calloc(1, sizeof(*sv));
	if (!s->backends[0].servers)
		return -ENOMEM;
	s->backends[0].nservers = 1;
	s->backends[0].active_servers = 1;
	sv = &s->backends[0].servers[0];
	snprintf(sv->name, sizeof(sv->name), "raspberrypi01");
	snprintf(sv->address, sizeof(sv->address), "127.0.0.1");
	sv->port = 8000;
	snprintf(sv->state, sizeof(sv->state), "UP");
	snprintf(sv->admin, sizeof(sv->admin), "ready");
	sv->up = sv->in_rotation = sv->checked = true;
	sv->weight = 1;
	sv->new_flows = 3;
	snprintf(sv->check_result, sizeof(sv->check_result), "L7OK");
	sv->check_code = 200;
	return 0;
}

static const struct stats_http_user two_users[] = {
	{ "someuser", "password" },
	{ "admin", "s3cret:with-colon" },
};

static int fx_start(struct fixture *fx)
{
	int err;

	fx->loop = ev_new();
	assert_non_null(fx->loop);
	assert_int_equal(pipe2(fx->done, O_CLOEXEC | O_NONBLOCK), 0);
	fx->done_io.fd = fx->done[0];
	fx->done_io.events = EPOLLIN;
	fx->done_io.cb = on_done;
	assert_int_equal(ev_io_add(fx->loop, &fx->done_io), 0);
	fx->limit.cb = on_limit;
	fx->opts.addr.s_addr = htonl(INADDR_LOOPBACK);
	fx->opts.port = 0;
	fx->opts.snapshot = take_snapshot;
	fx->opts.arg = fx;
	err = stats_http_start(&fx->http, fx->loop, &fx->opts);
	if (!err)
		assert_true(stats_http_port(fx->http) > 0);
	return err;
}

static void fx_stop(struct fixture *fx)
{
	stats_http_stop(fx->http);
	ev_io_del(fx->loop, &fx->done_io);
	ev_timer_cancel(fx->loop, &fx->limit);
	close(fx->done[0]);
	close(fx->done[1]);
	ev_free(fx->loop);
	free(fx);
}

static struct fixture *fx_new(void)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	return fx;
}

static int setup_noauth(void **state)
{
	struct fixture *fx = fx_new();

	fx->opts.uri = "/";
	*state = fx;
	return fx_start(fx);
}

static int setup_auth(void **state)
{
	struct fixture *fx = fx_new();

	fx->opts.uri = "/";
	fx->opts.realm = "Pi \"stats\"";
	fx->opts.users = two_users;
	fx->opts.nusers = 2;
	*state = fx;
	return fx_start(fx);
}

static int setup_short_timeout(void **state)
{
	struct fixture *fx = fx_new();

	fx->opts.timeout_s = 1;
	*state = fx;
	return fx_start(fx);
}

static int setup_hidden(void **state)
{
	struct fixture *fx = fx_new();

	fx->opts.uri = "/haproxy?stats";
	fx->opts.hide_version = true;
	fx->opts.refresh_s = 7;
	*state = fx;
	return fx_start(fx);
}

static int teardown(void **state)
{
	fx_stop(*state);
	return 0;
}

/* --- the client side ---------------------------------------------------------- */

struct response {
	int status; /* 0: the connection closed without a status line */
	char head[8192]; /* status line and headers */
	size_t body_len;
	char *body;
};

struct request {
	char *raw;
	struct response resp;
};

struct client {
	uint16_t port;
	struct request *reqs;
	size_t nreqs;
	void (*custom)(struct client *c); /* instead of reqs */
	int done_fd;
	int custom_result;
};

static int connect_port(uint16_t port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send raw, read to EOF (requests say Connection: close), split head and body. */
static void http_exchange(uint16_t port, const char *raw, struct response *r)
{
	size_t len = strlen(raw), off = 0, cap = 1 << 16, got = 0;
	char *buf = malloc(cap + 1);
	char *sep;
	int fd = connect_port(port);

	memset(r, 0, sizeof(*r));
	if (fd < 0 || !buf)
		goto out;
	while (off < len) {
		ssize_t n = send(fd, raw + off, len - off, MSG_NOSIGNAL);

		if (n <= 0)
			break; /* the server may hang up on a request it refuses */
		off += n;
	}
	for (;;) {
		ssize_t n;

		if (got == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = recv(fd, buf + got, cap - got, 0);
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1)
		r->status = 0;
	sep = strstr(buf, "\r\n\r\n");
	if (sep) {
		size_t hl = sep - buf + 2;

		if (hl >= sizeof(r->head))
			hl = sizeof(r->head) - 1;
		memcpy(r->head, buf, hl);
		r->body_len = got - (sep + 4 - buf);
		r->body = strndup(sep + 4, r->body_len);
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void *client_main(void *arg)
{
	struct client *c = arg;

	if (c->custom)
		c->custom(c);
	for (size_t i = 0; i < c->nreqs; i++)
		http_exchange(c->port, c->reqs[i].raw, &c->reqs[i].resp);
	if (write(c->done_fd, "x", 1) != 1)
		abort();
	return NULL;
}

/* Run the loop until the client thread is done. */
static void serve(struct fixture *fx, struct client *c)
{
	pthread_t t;

	c->port = stats_http_port(fx->http);
	c->done_fd = fx->done[1];
	ev_timer_arm(fx->loop, &fx->limit, LOOP_LIMIT_MS);
	assert_int_equal(pthread_create(&t, NULL, client_main, c), 0);
	assert_int_equal(ev_run(fx->loop), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	ev_timer_cancel(fx->loop, &fx->limit);
	assert_false(fx->timed_out);
}

static char *b64(const char *s)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), o = 0;
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	assert_non_null(out);
	for (size_t i = 0; i < n; i += 3) {
		unsigned int v = (unsigned char)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		out[o++] = tbl[v >> 18 & 63];
		out[o++] = tbl[v >> 12 & 63];
		out[o++] = i + 1 < n ? tbl[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* A request; userpass "user:pass" adds Basic auth. */
static char *req(const char *method, const char *path, const char *userpass)
{
	char *auth = NULL, *raw = NULL;

	if (userpass) {
		char *enc = b64(userpass);

		assert_true(asprintf(&auth, "Authorization: Basic %s\r\n", enc) > 0);
		free(enc);
	}
	assert_true(asprintf(&raw,
			     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: close\r\n\r\n",
			     method, path, auth ? auth : "") > 0);
	free(auth);
	return raw;
}

static void free_reqs(struct request *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].raw);
		free(r[i].resp.body);
	}
}

static bool has_header(const struct response *r, const char *line)
{
	char needle[512];

	snprintf(needle, sizeof(needle), "\r\n%s\r\n", line);
	return strstr(r->head, needle) != NULL;
}

#define assert_header(r, line)                                                                     \
	do {                                                                                       \
		if (!has_header((r), (line)))                                                      \
			fail_msg("no header \"%s\" in:\n%s", (line), (r)->head);                   \
	} while (0)

/* --- tests ---------------------------------------------------------------------- */

static void test_no_auth_serves_page(void **state)
{
	struct fixture *fx = *state;
	struct request r[] = { { .raw = req("GET", "/", NULL) } };
	struct client c = { .reqs = r, .nreqs = ARRAY_SIZE(r) };

	serve(fx, &c);
	assert_int_equal(r[0].resp.status, 200);
	assert_header(&r[0].resp, "Content-Type: text/html; charset=utf-8");
	assert_header(&r[0].resp, "Cache-Control: no-store");
	assert_header(&r[0].resp, "X-Content-Type-Options: nosniff");
	assert_header(&r[0].resp,
		      "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
		      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
	assert_header(&r[0].resp, "Server: rpilb/" RPILB_VERSION);
	assert_null(strstr(r[0].resp.head, "WWW-Authenticate"));
	assert_non_null(strstr(r[0].resp.body, "<td class=\"st st-up\">UP</td>"));
	assert_non_null(strstr(r[0].resp.body, "<small>" RPILB_VERSION "</small>"));
	assert_null(strstr(r[0].resp.body, "http-equiv=\"refresh\""));
	assert_int_equal(fx->snapshots, 1);
	free_reqs(r, ARRAY_SIZE(r));
}

static void test_auth(void **state)
{
	struct fixture *fx = *state;
	struct request r[] = {
		{ .raw = req("GET", "/", NULL) },
		{ .raw = req("GET", "/", "someuser:wrong") },
		{ .raw = req("GET", "/", "someuser:password") },
		{ .raw = req("GET", "/", "admin:s3cret:with-colon") },
		{ .raw = req("GET", "/", "admin:password") }, /* another user's password */
		{ .raw = req("GET", "/", "someuser:passwor") }, /* a prefix */
		{ .raw = req("GET", "/", "someuser:password2") }, /* longer */
		{ .raw = req("GET", "/", "nobody:password") },
		{ .raw = req("GET", "/metrics", NULL) }, /* every route is protected */
		{ .raw = req("GET", "/;csv", NULL) },
		{ .raw = req("GET", "/nope", NULL) }, /* even a 404 does not tell */
		{ .raw = req("POST", "/", NULL) },
	};
	struct client c = { .reqs = r, .nreqs = ARRAY_SIZE(r) };
	static const int want[] = { 401, 401, 200, 200, 401, 401, 401, 401, 401, 401, 401, 401 };

	serve(fx, &c);
	for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
		if (r[i].resp.status != want[i])
			fail_msg("request %zu: %d, want %d", i, r[i].resp.status, want[i]);
		if (want[i] == 401) {
			assert_header(&r[i].resp,
				      "WWW-Authenticate: Basic realm=\"Pi \\\"stats\\\"\", "
				      "charset=\"UTF-8\"");
			assert_header(&r[i].resp, "Cache-Control: no-store");
			assert_string_equal(r[i].resp.body, "401 Unauthorized\n");
		}
	}
	/* Only the two authorized requests took a snapshot. */
	assert_int_equal(fx->snapshots, 2);
	free_reqs(r, ARRAY_SIZE(r));
}

static void test_routes(void **state)
{
	struct fixture *fx = *state;
	struct request r[] = {
		{ .raw = req("GET", "/", NULL) },
		{ .raw = req("GET", "/;csv", NULL) },
		{ .raw = req("GET", "/?stats;csv", NULL) },
		{ .raw = req("GET", "/;json", NULL) },
		{ .raw = req("GET", "/metrics", NULL) },
		{ .raw = req("GET", "/nope", NULL) },
		{ .raw = req("GET", "/metricsx", NULL) },
		{ .raw = req("POST", "/", NULL) },
		{ .raw = req("PUT", "/metrics", NULL) },
		{ .raw = req("HEAD", "/", NULL) },
		{ .raw = req("GET", "/<script>alert(1)</script>", NULL) },
		{ .raw = req("GET", "/;csv;norefresh", NULL) },
		{ .raw = strdup("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
				"Connection: close\r\n\r\nhello") },
		/* keep-alive: two requests on one connection */
		{ .raw = strdup(
			  "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
			  "GET /;json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n") },
		/* a GET that carries a body is refused, the body unread */
		{ .raw = strdup("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n"
				"Connection: close\r\n\r\nabc") },
	};
	struct client c = { .reqs = r, .nreqs = ARRAY_SIZE(r) };

	serve(fx, &c);
	assert_int_equal(r[0].resp.status, 200);
	assert_non_null(strstr(r[0].resp.body, "<!DOCTYPE html>"));

	assert_int_equal(r[1].resp.status, 200);
	assert_header(&r[1].resp, "Content-Type: text/plain; charset=utf-8");
	assert_memory_equal(r[1].resp.body, stats_csv_header, strlen(stats_csv_header));
	assert_int_equal(r[2].resp.status, 200);
	assert_string_equal(r[2].resp.body, r[1].resp.body);
	assert_int_equal(r[11].resp.status, 200);
	assert_string_equal(r[11].resp.body, r[1].resp.body);

	assert_int_equal(r[3].resp.status, 200);
	assert_header(&r[3].resp, "Content-Type: application/json");
	assert_memory_equal(r[3].resp.body, "{\"format\":2,", 12);

	assert_int_equal(r[4].resp.status, 200);
	assert_header(&r[4].resp, "Content-Type: text/plain; version=0.0.4; charset=utf-8");
	assert_non_null(strstr(r[4].resp.body, "\nrpilb_server_sessions_total{proxy=\"nodes\","
					       "server=\"raspberrypi01\"} 3\n"));

	assert_int_equal(r[5].resp.status, 404);
	assert_int_equal(r[6].resp.status, 404);
	assert_int_equal(r[7].resp.status, 405);
	assert_header(&r[7].resp, "Allow: GET, HEAD");
	assert_int_equal(r[8].resp.status, 405);

	/* HEAD: the page's headers, no body */
	assert_int_equal(r[9].resp.status, 200);
	assert_header(&r[9].resp, "Content-Type: text/html; charset=utf-8");
	assert_int_equal(r[9].resp.body_len, 0);

	/* a 404 never echoes the request */
	assert_int_equal(r[10].resp.status, 404);
	assert_string_equal(r[10].resp.body, "404 Not Found\n");
	assert_header(&r[10].resp, "X-Content-Type-Options: nosniff");

	assert_int_equal(r[12].resp.status, 405);
	assert_int_equal(r[13].resp.status, 200);
	assert_non_null(strstr(r[13].resp.body, "rpilb_build_info"));
	assert_null(strstr(r[13].resp.head, "Connection: close"));
	assert_non_null(strstr(r[13].resp.body, "\r\n\r\n{\"format\":2,"));
	assert_int_equal(r[14].resp.status, 400);
	free_reqs(r, ARRAY_SIZE(r));
}

static void test_hidden_version_and_query_uri(void **state)
{
	struct fixture *fx = *state;
	struct request r[] = {
		{ .raw = req("GET", "/haproxy?stats", NULL) },
		{ .raw = req("GET", "/haproxy?stats;csv", NULL) },
		{ .raw = req("GET", "/haproxy?stats;json", NULL) },
		{ .raw = req("GET", "/haproxy;csv", NULL) },
		{ .raw = req("GET", "/haproxy", NULL) }, /* the page needs its query */
		{ .raw = req("GET", "/", NULL) },
		{ .raw = req("GET", "/metrics", NULL) },
	};
	struct client c = { .reqs = r, .nreqs = ARRAY_SIZE(r) };

	serve(fx, &c);
	assert_int_equal(r[0].resp.status, 200);
	assert_header(&r[0].resp, "Server: rpilb");
	assert_null(strstr(r[0].resp.head, RPILB_VERSION));
	assert_null(strstr(r[0].resp.body, RPILB_VERSION));
	assert_non_null(strstr(r[0].resp.body, "<meta http-equiv=\"refresh\" content=\"7\">"));
	assert_non_null(strstr(r[0].resp.body, "<a href=\"/haproxy?stats;csv\">CSV</a>"));
	assert_int_equal(r[1].resp.status, 200);
	assert_memory_equal(r[1].resp.body, stats_csv_header, strlen(stats_csv_header));
	assert_int_equal(r[2].resp.status, 200);
	assert_non_null(strstr(r[2].resp.body, "\"version\":null"));
	assert_int_equal(r[3].resp.status, 200);
	assert_memory_equal(r[3].resp.body, stats_csv_header, strlen(stats_csv_header));
	assert_int_equal(r[4].resp.status, 404);
	assert_int_equal(r[5].resp.status, 404);
	assert_int_equal(r[6].resp.status, 200);
	assert_null(strstr(r[6].resp.body, RPILB_VERSION));
	assert_non_null(strstr(r[6].resp.body, "\nrpilb_build_info 1\n"));
	free_reqs(r, ARRAY_SIZE(r));
}

static void test_oversized_request(void **state)
{
	struct fixture *fx = *state;
	size_t big = 64 * 1024;
	char *raw = malloc(big + 256);
	struct request r[2] = {};
	struct client c = { .reqs = r, .nreqs = ARRAY_SIZE(r) };
	int n;

	assert_non_null(raw);
	n = sprintf(raw, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ");
	memset(raw + n, 'A', big);
	strcpy(raw + n + big, "\r\nConnection: close\r\n\r\n");
	r[0].raw = raw;
	r[1].raw = req("GET", "/", NULL);
	serve(fx, &c);
	/* Refused (431/413) or cut off, never served; and the server lives on. */
	if (r[0].resp.status != 0 && r[0].resp.status != 431 && r[0].resp.status != 413)
		fail_msg("oversized request got %d", r[0].resp.status);
	assert_int_equal(r[1].resp.status, 200);
	assert_int_equal(fx->snapshots, 1);
	free_reqs(r, ARRAY_SIZE(r));
}

/* Eight idle connections from one address fill its quota; a ninth is refused. */
static void per_ip_client(struct client *c)
{
	struct response resp;
	int fds[8];
	char *raw = req("GET", "/", NULL);

	c->custom_result = 0;
	for (int i = 0; i < 8; i++)
		fds[i] = connect_port(c->port);
	http_exchange(c->port, raw, &resp);
	free(resp.body);
	if (resp.status != 0)
		c->custom_result = 1;
	for (int i = 0; i < 8; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	/* The server sees the closes on its own time: retry for a while. */
	for (int tries = 0; tries < 50; tries++) {
		http_exchange(c->port, raw, &resp);
		free(resp.body);
		if (resp.status == 200)
			break;
		usleep(20000);
	}
	if (resp.status != 200)
		c->custom_result = 2;
	free(raw);
}

static void test_per_ip_limit(void **state)
{
	struct fixture *fx = *state;
	struct client c = { .custom = per_ip_client };

	serve(fx, &c);
	assert_int_equal(c.custom_result, 0);
}

/* An idle client is dropped by MHD's timeout, which only the loop's ev_timer drives. */
static void idle_client(struct client *c)
{
	struct timespec t0, t1;
	int fd = connect_port(c->port);
	char b;

	c->custom_result = 1;
	if (fd < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (recv(fd, &b, 1, 0) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* closed by the server, after about a second, before the client's 5 s */
		c->custom_result =
			(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	} else {
		c->custom_result = -1;
	}
	close(fd);
}

static void test_idle_timeout(void **state)
{
	struct fixture *fx = *state;
	struct client c = { .custom = idle_client };

	serve(fx, &c);
	if (c.custom_result < 900 || c.custom_result > 3500)
		fail_msg("idle connection closed after %d ms, want about 1000", c.custom_result);
}

static void test_snapshot_failure_is_503(void **state)
{
	struct fixture *fx = *state;
	struct request r[] = { { .raw = req("GET", "/metrics", NULL) } };
	struct client c = { .reqs = r, .nreqs = ARRAY_SIZE(r) };

	fx->snapshot_err = -EIO;
	serve(fx, &c);
	assert_int_equal(r[0].resp.status, 503);
	assert_string_equal(r[0].resp.body, "503 Service Unavailable\n");
	free_reqs(r, ARRAY_SIZE(r));
}

static void test_port_in_use(void **state)
{
	struct fixture *fx = *state;
	struct stats_http *second = NULL;
	struct stats_http_opts o = fx->opts;

	o.port = stats_http_port(fx->http);
	assert_int_equal(stats_http_start(&second, fx->loop, &o), -EADDRINUSE);
	assert_null(second);
}

static void test_bad_opts(void **state)
{
	struct fixture *fx = *state;
	struct stats_http *h = NULL;
	struct stats_http_opts o = fx->opts;
	char longpw[200];
	struct stats_http_user u = { "u", longpw };

	o.snapshot = NULL;
	assert_int_equal(stats_http_start(&h, fx->loop, &o), -EINVAL);
	memset(longpw, 'p', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	o = fx->opts;
	o.users = &u;
	o.nusers = 1;
	assert_int_equal(stats_http_start(&h, fx->loop, &o), -EINVAL);
	assert_null(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_auth_serves_page, setup_noauth, teardown),
		cmocka_unit_test_setup_teardown(test_auth, setup_auth, teardown),
		cmocka_unit_test_setup_teardown(test_routes, setup_noauth, teardown),
		cmocka_unit_test_setup_teardown(test_hidden_version_and_query_uri, setup_hidden,
						teardown),
		cmocka_unit_test_setup_teardown(test_oversized_request, setup_noauth, teardown),
		cmocka_unit_test_setup_teardown(test_per_ip_limit, setup_noauth, teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup_short_timeout, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_failure_is_503, setup_noauth,
						teardown),
		cmocka_unit_test_setup_teardown(test_port_in_use, setup_noauth, teardown),
		cmocka_unit_test_setup_teardown(test_bad_opts, setup_noauth, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
