// SPDX-License-Identifier: GPL-2.0-only
/*
 * hellod: the seed tutorial's node web server, in C, for the lab.
 *
 * Each backend Pi of the seed runs a few lines of node that answer
 * "Hello from raspberry pi #N at IP!". The lab needs that exact answer, but
 * also things node's one-liner cannot give a test: byte-exact bulk transfers
 * (/blob/SIZE), long-lived responses for drain and restart tests
 * (/slow/SECONDS), counters a test can read without disturbing them (/stats)
 * and faults a health checker must notice (the control file). It is one
 * process, one thread and one epoll loop, so its behaviour under hundreds of
 * connections is easy to reason about and it never forks behind a test's back.
 *
 * Timers (the /slow ticks, the "slow" control mode, lingering closes) are
 * deadlines on a list of connections; epoll_wait sleeps until the nearest.
 *
 * hellod --blob SIZE prints the bytes /blob/SIZE serves, so a test compares
 * digests instead of trusting a second implementation of the generator.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_ADDR "0.0.0.0"
#define DEFAULT_PORT 8000
#define BACKLOG	     1024
#define NODE_MAX     999999

/* A request head larger than this is refused with 431, as the brief asks. */
#define HDR_MAX 8192
/* Status line, headers and the short bodies; /blob bodies bypass it. */
#define WBUF_SIZE 512
/* Blob bytes are generated and sent in chunks of this size. */
#define CHUNK_SIZE 65536
#define MAX_EVENTS 256
/* Accepts per wakeup, so a connect storm cannot starve established peers. */
#define ACCEPT_BURST 64

#define TICK_MS	    100
#define CTL_SLOW_MS 3000
/*
 * After answering with "Connection: close" we wait this long for the
 * peer's FIN before closing: closing with unread input would send an RST
 * that can destroy the tail of the response still in flight.
 */
#define LINGER_MS 2000
/* Pause accepting this long when out of file descriptors, then retry. */
#define ACCEPT_PAUSE_MS 100

/* Bounds that keep Content-Length arithmetic far from overflow. */
#define BLOB_MAX   (1ULL << 40)
#define SLOW_MAX_S 86400

/* Any constant works; it only has to stay the same forever. */
#define BLOB_SEED 0x7270696c62ULL /* "rpilb" */

enum route {
	R_HELLO,
	R_STATS,
	R_BLOB, /* arg: size in bytes */
	R_SLOW, /* arg: seconds */
	R_STATUS, /* arg: status code chosen by the control file */
	R_BAD,
	R_METHOD,
	R_TOO_BIG,
};

struct request {
	enum route route;
	uint64_t arg;
	bool head;
	bool keep_alive;
};

enum conn_state {
	CS_READ, /* waiting for (the rest of) a request head */
	CS_WRITE, /* response bytes pending */
	CS_DELAY, /* control file said "slow": answer when the timer fires */
	CS_TICK, /* /slow: next line due when the timer fires */
	CS_HANG, /* control file said "hang": swallow input until EOF */
	CS_LINGER, /* response sent, write side shut: wait for the peer's FIN */
};

enum body_kind {
	BODY_NONE, /* everything is in wbuf */
	BODY_BLOB,
	BODY_SLOW,
};

struct conn {
	int fd;
	enum conn_state state;
	uint32_t events; /* current epoll interest, to skip no-op EPOLL_CTL_MODs */
	bool remote; /* peer is not loopback: counted in /stats */
	bool peer_eof;
	char local_ip[INET_ADDRSTRLEN];

	struct conn *prev, *next; /* every connection, so shutdown can free them */
	struct conn *tprev, *tnext; /* connections with a pending deadline */
	bool timed;
	uint64_t deadline;

	struct request req;

	size_t rlen;
	char rbuf[HDR_MAX];

	size_t wpos, wlen;
	char wbuf[WBUF_SIZE];

	enum body_kind body;
	uint64_t blob_off, blob_len;
	uint64_t t0; /* when the /slow response started */
	uint32_t tick, ticks; /* /slow lines sent and due */
};

enum ctl_mode {
	CTL_OK,
	CTL_STATUS,
	CTL_HANG,
	CTL_SLOW,
	CTL_RESET,
};

enum parse_result {
	P_MORE,
	P_DONE,
	P_TOO_BIG,
};

enum flush_result {
	F_DONE,
	F_BLOCKED,
	F_ERROR,
};

static struct {
	int epfd;
	int lfd;
	int sfd;
	unsigned int node;
	const char *ctl_path;
	bool quiet;
	bool stop;
	uint64_t accept_resume; /* nonzero while accepting is paused */
	uint64_t conns; /* accepted from non-loopback peers */
	uint64_t requests; /* request heads read from those */
	struct conn *conns_head;
	struct conn *timers;
} srv = { .epfd = -1, .lfd = -1, .sfd = -1 };

/* epoll data.ptr of the two non-connection fds; connections use their own. */
static char listen_tag, signal_tag;

/* One blob chunk, shared: blob bytes depend on the offset alone. */
static unsigned char chunk[CHUNK_SIZE];
static uint64_t chunk_idx = UINT64_MAX;

__attribute__((format(printf, 1, 2))) static void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("hellod: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

__attribute__((format(printf, 1, 2))) static void pr_info(const char *fmt, ...)
{
	va_list ap;

	if (srv.quiet)
		return;
	va_start(ap, fmt);
	fputs("hellod: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * SplitMix64 of the word index: unlike a running xorshift state, any offset
 * can be produced directly, so every connection (and --blob) shares one
 * chunk cache and a partial send never has to remember generator state.
 */
static uint64_t blob_word(uint64_t idx)
{
	uint64_t z = BLOB_SEED + idx * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Little-endian words, so the stream is the same on any host. */
static const unsigned char *blob_chunk(uint64_t idx)
{
	uint64_t base = idx * (CHUNK_SIZE / 8);
	size_t i;

	if (idx == chunk_idx)
		return chunk;
	for (i = 0; i < CHUNK_SIZE / 8; i++) {
		uint64_t le = htole64(blob_word(base + i));

		memcpy(chunk + i * 8, &le, 8);
	}
	chunk_idx = idx;
	return chunk;
}

/* Digits only: strtoull would accept signs, spaces and hex. */
static bool parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int blob_to_stdout(const char *arg)
{
	uint64_t size, off;
	size_t len;

	if (!parse_u64(arg, strlen(arg), BLOB_MAX, &size)) {
		pr_err("--blob %s: SIZE must be a decimal byte count up to %llu", arg, BLOB_MAX);
		return 2;
	}
	for (off = 0; off < size; off += len) {
		len = size - off < CHUNK_SIZE ? (size_t)(size - off) : CHUNK_SIZE;
		if (write_all(STDOUT_FILENO, blob_chunk(off / CHUNK_SIZE), len) < 0) {
			pr_err("--blob: write: %s", strerror(errno));
			return 1;
		}
	}
	return 0;
}

static void set_events(struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (c->events == events)
		return;
	if (epoll_ctl(srv.epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
		pr_err("epoll_ctl(MOD): %s", strerror(errno));
	c->events = events;
}

static void timer_cancel(struct conn *c)
{
	if (!c->timed)
		return;
	if (c->tprev)
		c->tprev->tnext = c->tnext;
	else
		srv.timers = c->tnext;
	if (c->tnext)
		c->tnext->tprev = c->tprev;
	c->tprev = c->tnext = NULL;
	c->timed = false;
}

static void timer_arm(struct conn *c, uint64_t deadline)
{
	c->deadline = deadline;
	if (c->timed)
		return;
	c->tprev = NULL;
	c->tnext = srv.timers;
	if (srv.timers)
		srv.timers->tprev = c;
	srv.timers = c;
	c->timed = true;
}

static void conn_free(struct conn *c, bool reset)
{
	if (reset) {
		/* Linger 0 makes close() send an RST instead of a FIN. */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	timer_cancel(c);
	if (c->prev)
		c->prev->next = c->next;
	else
		srv.conns_head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	/* close() also removes the fd from the epoll set. */
	close(c->fd);
	free(c);
}

static void conn_open(int fd, const struct sockaddr_in *peer)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sockaddr_in local;
	socklen_t llen = sizeof(local);
	struct conn *c;
	int one = 1;

	c = calloc(1, sizeof(*c));
	if (!c) {
		pr_err("out of memory for a connection");
		goto err_close;
	}
	if (getsockname(fd, (struct sockaddr *)&local, &llen) < 0 ||
	    !inet_ntop(AF_INET, &local.sin_addr, c->local_ip, sizeof(c->local_ip))) {
		pr_err("getsockname: %s", strerror(errno));
		goto err_free;
	}
	/* /slow lines are tiny; Nagle would hold each until the previous is acked. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	c->fd = fd;
	c->state = CS_READ;
	c->events = EPOLLIN;
	c->remote = (ntohl(peer->sin_addr.s_addr) >> 24) != 127;
	ev.data.ptr = c;
	if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		pr_err("epoll_ctl(ADD): %s", strerror(errno));
		goto err_free;
	}
	c->next = srv.conns_head;
	if (srv.conns_head)
		srv.conns_head->prev = c;
	srv.conns_head = c;
	if (c->remote)
		srv.conns++;
	return;

err_free:
	free(c);
err_close:
	close(fd);
}

static bool token_in_list(const char *v, size_t len, const char *tok)
{
	size_t tlen = strlen(tok), i = 0;

	while (i < len) {
		size_t start, end;

		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < len && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end - start == tlen && !strncasecmp(v + start, tok, tlen))
			return true;
	}
	return false;
}

static enum route route_of(const char *t, size_t len, uint64_t *arg)
{
	const char *q = memchr(t, '?', len);

	if (q)
		len = (size_t)(q - t);
	if (len == 6 && !memcmp(t, "/stats", 6))
		return R_STATS;
	if (len > 6 && !memcmp(t, "/blob/", 6))
		return parse_u64(t + 6, len - 6, BLOB_MAX, arg) ? R_BLOB : R_BAD;
	if (len > 6 && !memcmp(t, "/slow/", 6))
		return parse_u64(t + 6, len - 6, SLOW_MAX_S, arg) ? R_SLOW : R_BAD;
	return R_HELLO;
}

/*
 * Parse the head at the start of rbuf into c->req and drop it from rbuf,
 * leaving any pipelined bytes behind it for the next round.
 */
static enum parse_result parse_request(struct conn *c)
{
	struct request *r = &c->req;
	const char *p, *end, *eol, *sp1, *sp2;
	size_t head_len, vlen;
	bool http10, has_body = false, ka_token = false, close_token = false;

	/* RFC 9112 2.2: ignore empty lines before a request line. */
	for (head_len = 0; head_len + 1 < c->rlen; head_len += 2)
		if (c->rbuf[head_len] != '\r' || c->rbuf[head_len + 1] != '\n')
			break;
	if (head_len) {
		memmove(c->rbuf, c->rbuf + head_len, c->rlen - head_len);
		c->rlen -= head_len;
	}
	end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
	if (!end)
		return c->rlen >= HDR_MAX ? P_TOO_BIG : P_MORE;
	head_len = (size_t)(end - c->rbuf) + 4;

	memset(r, 0, sizeof(*r));
	p = c->rbuf;
	eol = memmem(p, head_len, "\r\n", 2);
	sp1 = memchr(p, ' ', (size_t)(eol - p));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	if (!sp1 || !sp2 || sp2 == sp1 + 1) {
		r->route = R_BAD;
		goto consume;
	}
	vlen = (size_t)(eol - sp2 - 1);
	if (vlen != 8 || memcmp(sp2 + 1, "HTTP/1.", 7)) {
		r->route = R_BAD;
		goto consume;
	}
	http10 = sp2[8] == '0';
	r->route = route_of(sp1 + 1, (size_t)(sp2 - sp1 - 1), &r->arg);
	if ((size_t)(sp1 - p) == 4 && !memcmp(p, "HEAD", 4))
		r->head = true;
	else if ((size_t)(sp1 - p) != 3 || memcmp(p, "GET", 3))
		r->route = R_METHOD;

	for (p = eol + 2; p < end + 2; p = eol + 2) {
		const char *colon, *v;
		size_t nlen;

		eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon) {
			r->route = R_BAD;
			goto consume;
		}
		nlen = (size_t)(colon - p);
		v = colon + 1;
		vlen = (size_t)(eol - v);
		if (nlen == 10 && !strncasecmp(p, "connection", 10)) {
			ka_token |= token_in_list(v, vlen, "keep-alive");
			close_token |= token_in_list(v, vlen, "close");
		} else if (nlen == 14 && !strncasecmp(p, "content-length", 14)) {
			uint64_t cl;

			while (vlen && (*v == ' ' || *v == '\t')) {
				v++;
				vlen--;
			}
			while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (!parse_u64(v, vlen, UINT64_MAX, &cl)) {
				r->route = R_BAD;
				goto consume;
			}
			has_body |= cl != 0;
		} else if (nlen == 17 && !strncasecmp(p, "transfer-encoding", 17)) {
			has_body = true;
		}
	}
	r->keep_alive = http10 ? ka_token && !close_token : !close_token;
	/* Bodies are not read, so their bytes would be parsed as the next request. */
	if (has_body)
		r->route = R_BAD;

consume:
	if (r->route == R_BAD)
		r->keep_alive = false;
	memmove(c->rbuf, c->rbuf + head_len, c->rlen - head_len);
	c->rlen -= head_len;
	return P_DONE;
}

static enum ctl_mode ctl_read(int *code)
{
	static char warned[16];
	char buf[64], *w, *e;
	ssize_t n;
	int fd;

	if (!srv.ctl_path)
		return CTL_OK;
	fd = open(srv.ctl_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			pr_err("control file %s: %s", srv.ctl_path, strerror(errno));
		return CTL_OK;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return CTL_OK;
	buf[n] = '\0';
	for (w = buf; *w == ' ' || *w == '\t' || *w == '\n' || *w == '\r'; w++)
		;
	for (e = w; *e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r'; e++)
		;
	*e = '\0';
	if (!*w || !strcmp(w, "ok"))
		return CTL_OK;
	if (!strcmp(w, "hang"))
		return CTL_HANG;
	if (!strcmp(w, "slow"))
		return CTL_SLOW;
	if (!strcmp(w, "reset"))
		return CTL_RESET;
	if (strlen(w) == 3 && w[0] >= '1' && w[0] <= '9' && w[1] >= '0' && w[1] <= '9' &&
	    w[2] >= '0' && w[2] <= '9') {
		*code = atoi(w);
		return CTL_STATUS;
	}
	/* Once per new word: a typo should be visible but not flood the log. */
	if (strncmp(warned, w, sizeof(warned) - 1)) {
		pr_err("control file %s: unknown mode '%.15s', answering normally", srv.ctl_path,
		       w);
		snprintf(warned, sizeof(warned), "%.15s", w);
	}
	return CTL_OK;
}

static const char *reason(int code)
{
	switch (code) {
	case 200:
		return "OK";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Status";
	}
}

static uint64_t slow_body_len(uint32_t ticks)
{
	uint64_t len = 0, pow = 10;
	uint32_t k, digits = 1;

	for (k = 1; k <= ticks; k++) {
		if (k == pow) {
			digits++;
			pow *= 10;
		}
		len += 6 + digits; /* "tick " K "\n" */
	}
	return len;
}

__attribute__((format(printf, 2, 3))) static void wbuf_add(struct conn *c, const char *fmt, ...)
{
	size_t room = sizeof(c->wbuf) - c->wlen;
	va_list ap;
	int n;

	if (!room)
		return;
	va_start(ap, fmt);
	n = vsnprintf(c->wbuf + c->wlen, room, fmt, ap);
	va_end(ap);
	/* A full buffer marks truncation: no legitimate text reaches it (NUL). */
	c->wlen = n < 0 || (size_t)n >= room ? sizeof(c->wbuf) : c->wlen + (size_t)n;
}

/*
 * Status line, headers and a short body into wbuf. With body NULL the
 * caller streams stream_len bytes after the head itself.
 */
static void put_response(struct conn *c, int code, const char *extra, const char *body,
			 uint64_t stream_len)
{
	bool bodiless = code < 200 || code == 204 || code == 304;

	/* 1xx as a final answer leaves the client's framing undefined; end it. */
	if (code < 200)
		c->req.keep_alive = false;
	c->wlen = 0;
	c->wpos = 0;
	c->body = BODY_NONE;
	wbuf_add(c, "HTTP/1.1 %d %s\r\nServer: hellod\r\nContent-Type: text/plain\r\n%s", code,
		 reason(code), extra);
	if (!bodiless)
		wbuf_add(c, "Content-Length: %" PRIu64 "\r\n", body ? strlen(body) : stream_len);
	wbuf_add(c, "Connection: %s\r\n\r\n", c->req.keep_alive ? "keep-alive" : "close");
	if (body && !bodiless && !c->req.head)
		wbuf_add(c, "%s", body);
	if (c->wlen == sizeof(c->wbuf)) {
		pr_err("internal: response for status %d does not fit", code);
		c->wlen = 0;
		c->req.keep_alive = false;
	}
}

static void respond(struct conn *c)
{
	struct request *r = &c->req;
	char body[128];

	switch (r->route) {
	case R_HELLO:
		snprintf(body, sizeof(body), "Hello from raspberry pi #%u at %s!\n", srv.node,
			 c->local_ip);
		put_response(c, 200, "", body, 0);
		break;
	case R_STATS:
		snprintf(body, sizeof(body), "connections=%" PRIu64 " requests=%" PRIu64 "\n",
			 srv.conns, srv.requests);
		put_response(c, 200, "", body, 0);
		break;
	case R_BLOB:
		put_response(c, 200, "", NULL, r->arg);
		if (!r->head && r->arg) {
			c->body = BODY_BLOB;
			c->blob_off = 0;
			c->blob_len = r->arg;
		}
		break;
	case R_SLOW:
		c->ticks = (uint32_t)(r->arg * 1000 / TICK_MS);
		c->tick = 0;
		put_response(c, 200, "", NULL, slow_body_len(c->ticks));
		if (!r->head && c->ticks) {
			c->body = BODY_SLOW;
			c->t0 = now_ms();
		}
		break;
	case R_STATUS:
		snprintf(body, sizeof(body), "status %d\n", (int)r->arg);
		put_response(c, (int)r->arg, "", body, 0);
		break;
	case R_METHOD:
		put_response(c, 405, "Allow: GET, HEAD\r\n", "method not allowed\n", 0);
		break;
	case R_TOO_BIG:
		r->keep_alive = false;
		put_response(c, 431, "", "request header too large\n", 0);
		break;
	case R_BAD:
	default:
		r->keep_alive = false;
		put_response(c, 400, "", "bad request\n", 0);
		break;
	}
	c->state = CS_WRITE;
}

/* Returns false when the connection is gone. */
static bool dispatch(struct conn *c)
{
	bool counted = c->remote;
	enum ctl_mode mode = CTL_OK;
	int code = 0;

	/* /stats must never change what it reports, and must answer when faulted. */
	if (c->req.route != R_STATS && c->req.route != R_BAD && c->req.route != R_METHOD)
		mode = ctl_read(&code);

	switch (mode) {
	case CTL_OK:
		respond(c);
		break;
	case CTL_STATUS:
		c->req.route = R_STATUS;
		c->req.arg = (uint64_t)code;
		respond(c);
		break;
	case CTL_HANG:
		c->state = CS_HANG;
		break;
	case CTL_SLOW:
		c->state = CS_DELAY;
		timer_arm(c, now_ms() + CTL_SLOW_MS);
		break;
	case CTL_RESET:
		conn_free(c, true);
		break;
	}
	/* After respond(), so /stats reports the counts before its own request. */
	if (counted)
		srv.requests++;
	return mode != CTL_RESET;
}

static enum flush_result flush(struct conn *c)
{
	ssize_t n;

	while (c->wpos < c->wlen) {
		int more = c->body == BODY_BLOB && c->blob_len ? MSG_MORE : 0;

		n = send(c->fd, c->wbuf + c->wpos, c->wlen - c->wpos, MSG_NOSIGNAL | more);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? F_BLOCKED : F_ERROR;
		}
		c->wpos += (size_t)n;
	}
	while (c->body == BODY_BLOB && c->blob_off < c->blob_len) {
		const unsigned char *p = blob_chunk(c->blob_off / CHUNK_SIZE);
		size_t in = (size_t)(c->blob_off % CHUNK_SIZE);
		size_t len = CHUNK_SIZE - in;

		if (c->blob_len - c->blob_off < len)
			len = (size_t)(c->blob_len - c->blob_off);
		n = send(c->fd, p + in, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? F_BLOCKED : F_ERROR;
		}
		c->blob_off += (uint64_t)n;
	}
	return F_DONE;
}

static void start_linger(struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->state = CS_LINGER;
	c->rlen = 0;
	timer_arm(c, now_ms() + LINGER_MS);
}

/* Move a connection along until it has to wait for the peer or a timer. */
static void conn_run(struct conn *c)
{
	for (;;) {
		switch (c->state) {
		case CS_READ:
			switch (parse_request(c)) {
			case P_MORE:
				if (c->peer_eof) {
					conn_free(c, false);
					return;
				}
				set_events(c, EPOLLIN);
				return;
			case P_TOO_BIG:
				c->rlen = 0;
				c->req.route = R_TOO_BIG;
				c->req.head = false;
				respond(c);
				break;
			case P_DONE:
				if (!dispatch(c))
					return;
				break;
			}
			break;
		case CS_WRITE:
			switch (flush(c)) {
			case F_BLOCKED:
				set_events(c, EPOLLOUT);
				return;
			case F_ERROR:
				conn_free(c, false);
				return;
			case F_DONE:
				break;
			}
			if (c->body == BODY_SLOW && c->tick < c->ticks) {
				c->state = CS_TICK;
				timer_arm(c, c->t0 + (uint64_t)(c->tick + 1) * TICK_MS);
				break;
			}
			c->body = BODY_NONE;
			if (!c->req.keep_alive) {
				start_linger(c);
				break;
			}
			c->state = CS_READ;
			break;
		case CS_HANG:
		case CS_LINGER:
			set_events(c, EPOLLIN);
			return;
		case CS_DELAY:
		case CS_TICK:
			/* Nothing to read or write until the timer; errors still wake us. */
			set_events(c, 0);
			return;
		}
	}
}

static void conn_timer(struct conn *c)
{
	switch (c->state) {
	case CS_DELAY:
		respond(c);
		break;
	case CS_TICK:
		c->tick++;
		c->wpos = 0;
		c->wlen = 0;
		wbuf_add(c, "tick %" PRIu32 "\n", c->tick);
		c->state = CS_WRITE;
		break;
	case CS_LINGER:
		conn_free(c, false);
		return;
	default:
		return;
	}
	conn_run(c);
}

static void conn_event(struct conn *c, uint32_t events)
{
	ssize_t n;

	switch (c->state) {
	case CS_READ:
		n = read(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen);
		if (n > 0) {
			c->rlen += (size_t)n;
		} else if (n == 0) {
			c->peer_eof = true;
		} else if (errno != EAGAIN && errno != EINTR) {
			conn_free(c, false);
			return;
		}
		break;
	case CS_HANG:
	case CS_LINGER:
		/* Input is discarded; only the peer's FIN (or an error) matters. */
		n = read(c->fd, c->rbuf, sizeof(c->rbuf));
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_free(c, false);
			return;
		}
		return;
	case CS_WRITE:
	case CS_DELAY:
	case CS_TICK:
		if (events & (EPOLLERR | EPOLLHUP)) {
			conn_free(c, false);
			return;
		}
		break;
	}
	conn_run(c);
}

static void listener_events(uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &listen_tag };

	if (epoll_ctl(srv.epfd, EPOLL_CTL_MOD, srv.lfd, &ev) < 0)
		pr_err("epoll_ctl(listener): %s", strerror(errno));
}

static void on_accept(void)
{
	int i;

	for (i = 0; i < ACCEPT_BURST; i++) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		int fd;

		fd = accept4(srv.lfd, (struct sockaddr *)&peer, &plen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			conn_open(fd, &peer);
			continue;
		}
		switch (errno) {
		case EAGAIN:
			return;
		case EINTR:
		case ECONNABORTED:
		case EPROTO:
			continue;
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			/* Level-triggered: without a pause the loop would spin on this. */
			pr_err("accept: %s; pausing for %d ms", strerror(errno), ACCEPT_PAUSE_MS);
			listener_events(0);
			srv.accept_resume = now_ms() + ACCEPT_PAUSE_MS;
			return;
		default:
			pr_err("accept: %s", strerror(errno));
			return;
		}
	}
}

static int next_timeout(void)
{
	uint64_t next = srv.accept_resume ? srv.accept_resume : UINT64_MAX;
	uint64_t now;
	struct conn *c;

	for (c = srv.timers; c; c = c->tnext)
		if (c->deadline < next)
			next = c->deadline;
	if (next == UINT64_MAX)
		return -1;
	now = now_ms();
	if (next <= now)
		return 0;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

static void run_timers(void)
{
	uint64_t now = now_ms();
	struct conn *c, *next;

	if (srv.accept_resume && now >= srv.accept_resume) {
		srv.accept_resume = 0;
		listener_events(EPOLLIN);
	}
	/* A firing timer may re-arm (at the head) or free only its own conn. */
	for (c = srv.timers; c; c = next) {
		next = c->tnext;
		if (c->deadline > now)
			continue;
		timer_cancel(c);
		conn_timer(c);
	}
}

static int open_listener(const char *addr, unsigned int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		pr_err("-a %s: not an IPv4 address", addr);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pr_err("socket: %s", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		pr_err("SO_REUSEADDR: %s", strerror(errno));
		goto err;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		pr_err("bind %s:%u: %s", addr, port, strerror(errno));
		goto err;
	}
	if (listen(fd, BACKLOG) < 0) {
		pr_err("listen: %s", strerror(errno));
		goto err;
	}
	return fd;

err:
	close(fd);
	return -1;
}

/* Written whole under a temporary name, so a poller never reads it half-done. */
static int write_pidfile(const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		pr_err("-P %s: path too long", path);
		return -1;
	}
	f = fopen(tmp, "we");
	if (!f) {
		pr_err("%s: %s", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0) {
		pr_err("%s: %s", tmp, strerror(errno));
		goto err_unlink;
	}
	if (rename(tmp, path) < 0) {
		pr_err("%s: %s", path, strerror(errno));
		goto err_unlink;
	}
	return 0;

err_unlink:
	unlink(tmp);
	return -1;
}

/*
 * Signals arrive through a signalfd so they are just another event. Their
 * dispositions are reset first: a shell starts background jobs with SIGINT
 * ignored, and an ignored signal is discarded even while blocked.
 */
static int open_signalfd(void)
{
	sigset_t mask;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		pr_err("sigprocmask: %s", strerror(errno));
		return -1;
	}
	return signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* Hundreds of lab connections need more than the common soft limit of 1024. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void serve(void)
{
	struct epoll_event evs[MAX_EVENTS];
	int i, n;

	while (!srv.stop) {
		n = epoll_wait(srv.epfd, evs, MAX_EVENTS, next_timeout());
		if (n < 0) {
			if (errno == EINTR)
				continue;
			pr_err("epoll_wait: %s", strerror(errno));
			return;
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &listen_tag) {
				on_accept();
			} else if (p == &signal_tag) {
				struct signalfd_siginfo si;

				if (read(srv.sfd, &si, sizeof(si)) == sizeof(si))
					pr_info("signal %u, exiting", si.ssi_signo);
				srv.stop = true;
			} else {
				conn_event(p, evs[i].events);
			}
		}
		run_timers();
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hellod -n N [-a ADDR] [-p PORT] [-c CONTROL_FILE] [-P PIDFILE] [-q]\n"
		"       hellod --blob SIZE\n"
		"\n"
		"  -n N     node number in the answer \"Hello from raspberry pi #N at IP!\"\n"
		"  -a ADDR  IPv4 address to listen on (default %s)\n"
		"  -p PORT  TCP port (default %d)\n"
		"  -c FILE  control file, read per request: ok | hang | slow | reset | CODE\n"
		"  -P FILE  write the pid here once listening (removed on exit)\n"
		"  -q       quiet: log errors only\n"
		"  --blob SIZE  write the SIZE bytes GET /blob/SIZE serves to stdout and exit\n"
		"\n"
		"paths: / (and any other) hello line, /blob/SIZE, /slow/SECONDS, /stats\n",
		DEFAULT_ADDR, DEFAULT_PORT);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "blob", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct epoll_event ev = { .events = EPOLLIN };
	const char *addr = DEFAULT_ADDR, *pidfile = NULL;
	uint64_t port = DEFAULT_PORT, node;
	bool have_node = false, pid_written = false;
	struct conn *c;
	int opt, ret = 1;

	while ((opt = getopt_long(argc, argv, "n:a:p:c:P:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'B':
			return blob_to_stdout(optarg);
		case 'n':
			if (!parse_u64(optarg, strlen(optarg), NODE_MAX, &node)) {
				pr_err("-n %s: node number must be 0..%d", optarg, NODE_MAX);
				return 2;
			}
			srv.node = (unsigned int)node;
			have_node = true;
			break;
		case 'a':
			addr = optarg;
			break;
		case 'p':
			if (!parse_u64(optarg, strlen(optarg), 65535, &port) || port == 0) {
				pr_err("-p %s: port must be 1..65535", optarg);
				return 2;
			}
			break;
		case 'c':
			srv.ctl_path = optarg;
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 'q':
			srv.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		pr_err("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!have_node) {
		pr_err("-n N is required");
		usage(stderr);
		return 2;
	}

	raise_nofile();
	srv.sfd = open_signalfd();
	if (srv.sfd < 0) {
		pr_err("signalfd: %s", strerror(errno));
		goto out;
	}
	srv.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv.epfd < 0) {
		pr_err("epoll_create1: %s", strerror(errno));
		goto out_sfd;
	}
	ev.data.ptr = &signal_tag;
	if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.sfd, &ev) < 0) {
		pr_err("epoll_ctl(signalfd): %s", strerror(errno));
		goto out_epfd;
	}
	srv.lfd = open_listener(addr, (unsigned int)port);
	if (srv.lfd < 0)
		goto out_epfd;
	ev.data.ptr = &listen_tag;
	if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.lfd, &ev) < 0) {
		pr_err("epoll_ctl(listener): %s", strerror(errno));
		goto out_lfd;
	}
	if (pidfile) {
		if (write_pidfile(pidfile) < 0)
			goto out_lfd;
		pid_written = true;
	}
	pr_info("raspberry pi #%u listening on %s:%u", srv.node, addr, (unsigned int)port);

	serve();
	ret = srv.stop ? 0 : 1;

	while ((c = srv.conns_head))
		conn_free(c, false);
	if (pid_written)
		unlink(pidfile);
out_lfd:
	close(srv.lfd);
out_epfd:
	close(srv.epfd);
out_sfd:
	close(srv.sfd);
out:
	return ret;
}
