// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stats page on the LAN: libmicrohttpd parses HTTP (no hand-written
 * parser on a port that faces the network), in its "external epoll" mode
 * so the daemon's one event loop drives it: MHD's epoll fd is an ev_io,
 * and MHD's next timeout an ev_timer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "config/config.h"
#include "lib/log.h"
#include "stats/stats_http.h"
#include "stats/render.h"
#include "lib/util.h"

/*
 * Limits for a port anyone on the LAN can reach. The page is one GET with
 * a few headers: 16 KiB of connection memory bounds a request's headers
 * (MHD answers 431 past it), 10 s idle closes slow clients, and 32
 * connections (8 per address) keep one client from starving the others
 * and the daemon of file descriptors.
 */
#define HTTP_MEMORY_LIMIT (16 * 1024)
#define HTTP_TIMEOUT_S	  10
#define HTTP_MAX_CONNS	  32
#define HTTP_MAX_PER_IP	  8

/* Credentials are compared over this many bytes whatever their length. */
#define CRED_MAX STATS_CRED_MAX

struct stats_http {
	struct MHD_Daemon *mhd;
	struct evloop *loop;
	struct ev_io io;
	struct ev_timer timer;
	uint16_t port;
	struct stats_access access; /* uri and users: what decides a request */
	char *www_auth; /* the WWW-Authenticate value */
	char server[48]; /* the Server header */
	bool hide_version;
	uint32_t refresh_s;
	int (*snapshot)(struct snapshot *out, void *arg);
	void *arg;
};

static const char csp[] = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
			  "form-action 'none'; frame-ancestors 'none'";

void stats_http_opts_from_cfg(struct stats_http_opts *o, struct stats_http_user *users,
			      const struct cfg_stats *c)
{
	memset(o, 0, sizeof(*o));
	o->addr = c->addr;
	o->port = c->port;
	o->uri = c->uri;
	o->realm = c->realm;
	for (size_t i = 0; i < c->nusers; i++) {
		users[i].user = c->users[i].user;
		users[i].password = c->users[i].password;
	}
	o->users = users;
	o->nusers = c->nusers;
	o->hide_version = c->hide_version;
	o->refresh_s = c->refresh_s;
}

uint16_t stats_http_port(const struct stats_http *h)
{
	return h->port;
}

/* --- authentication ------------------------------------------------------ */

/* 0 if equal, 1 otherwise, in time that depends only on n. */
static unsigned int ct_differs(const unsigned char *a, const unsigned char *b, size_t n)
{
	unsigned int d = 0;

	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return (d + 0xff) >> 8;
}

static unsigned int ct_len_differs(size_t a, size_t b)
{
	size_t x = a ^ b;

	return (unsigned int)((x | (0 - x)) >> (sizeof(size_t) * 8 - 1));
}

/*
 * Every configured user is compared in full, each over CRED_MAX bytes,
 * with no early exit: the time taken tells neither which user exists nor
 * how much of a password was right.
 */
static bool creds_match(const struct stats_access *a, const struct stats_cred *given)
{
	unsigned int match = 0;

	for (size_t i = 0; i < a->ncreds; i++) {
		const struct stats_cred *c = &a->creds[i];
		unsigned int d;

		d = ct_differs(given->user, c->user, CRED_MAX) |
		    ct_len_differs(given->user_len, c->user_len) |
		    ct_differs(given->pass, c->pass, CRED_MAX) |
		    ct_len_differs(given->pass_len, c->pass_len);
		match |= d ^ 1;
	}
	return match;
}

static int b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/*
 * RFC 7617: "Basic" (any case), blanks, then base64 (RFC 4648 section 4,
 * padded) of "user:password", split at the first colon. The decoded bytes
 * never go beyond out's buffers, whatever the header's length.
 */
int stats_basic_auth_decode(const char *value, struct stats_cred *out)
{
	unsigned char dec[2 * CRED_MAX]; /* user, ':', password: anything longer is refused */
	size_t len, n = 0, i;
	const unsigned char *colon;
	const char *p;

	memset(out, 0, sizeof(*out));
	if (!value || strncasecmp(value, "Basic", 5) || (value[5] != ' ' && value[5] != '\t'))
		return -EINVAL;
	for (p = value + 5; *p == ' ' || *p == '\t'; p++)
		;
	len = strlen(p);
	/* MHD strips the value's trailing blanks; a caller that does not gets the same. */
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (!len || len % 4)
		return -EINVAL;
	for (i = 0; i < len; i += 4) {
		int v[4];
		uint32_t bits = 0;
		int pad = 0;

		for (int k = 0; k < 4; k++) {
			unsigned char ch = (unsigned char)p[i + k];

			/* '=' only at the very end: "xx==" or "xxx=". */
			if (ch == '=' && i + 4 == len && k >= 2 && (k == 3 || p[i + 3] == '=')) {
				v[k] = 0;
				pad++;
				continue;
			}
			v[k] = b64_value(ch);
			if (v[k] < 0)
				return -EINVAL;
		}
		for (int k = 0; k < 4; k++)
			bits = bits << 6 | (uint32_t)v[k];
		if (n + 3 - pad > sizeof(dec)) {
			explicit_bzero(dec, sizeof(dec));
			return -EINVAL;
		}
		dec[n++] = (unsigned char)(bits >> 16);
		if (pad < 2)
			dec[n++] = (unsigned char)(bits >> 8);
		if (pad < 1)
			dec[n++] = (unsigned char)bits;
	}
	colon = memchr(dec, ':', n);
	if (!colon || (size_t)(colon - dec) >= CRED_MAX ||
	    n - (size_t)(colon - dec) - 1 >= CRED_MAX) {
		explicit_bzero(dec, sizeof(dec));
		return -EINVAL;
	}
	out->user_len = (size_t)(colon - dec);
	memcpy(out->user, dec, out->user_len);
	out->pass_len = n - out->user_len - 1;
	memcpy(out->pass, colon + 1, out->pass_len);
	explicit_bzero(dec, sizeof(dec));
	return 0;
}

static bool authorized(const struct stats_access *a, const char *authorization)
{
	struct stats_cred given;
	bool ok;

	if (!a->ncreds)
		return true;
	ok = !stats_basic_auth_decode(authorization, &given) && creds_match(a, &given);
	explicit_bzero(&given, sizeof(given));
	return ok;
}

/* --- routing --------------------------------------------------------------- */

/* ";csv" or ";json" at s, alone or before more ";options" (HAProxy's ";norefresh"...). */
static enum stats_route export_suffix(const char *s)
{
	if (!strncmp(s, ";csv", 4) && (s[4] == '\0' || s[4] == ';'))
		return STATS_ROUTE_CSV;
	if (!strncmp(s, ";json", 5) && (s[5] == '\0' || s[5] == ';'))
		return STATS_ROUTE_JSON;
	return STATS_ROUTE_NONE;
}

/*
 * The query's argument names: the configured query ("stats" in
 * "/haproxy?stats", or "stats" for a uri without one) is the page, and
 * with ";csv" or ";json" after it an export (the first export wins).
 */
static enum stats_route query_route(const struct stats_access *a, const struct stats_request *rq)
{
	const char *base = a->uri_query ? a->uri_query : "stats";
	enum stats_route route = STATS_ROUTE_NONE, r;
	size_t n = strlen(base);

	for (size_t i = 0; i < rq->nargs; i++) {
		const char *key = rq->args[i];

		if (!key || strncmp(key, base, n))
			continue;
		if (key[n] == '\0') {
			if (route == STATS_ROUTE_NONE)
				route = STATS_ROUTE_HTML;
			continue;
		}
		r = export_suffix(key + n);
		if (r != STATS_ROUTE_NONE)
			return r;
	}
	return route;
}

static enum stats_route route_of(const struct stats_access *a, const struct stats_request *rq)
{
	const char *path = a->uri_path ? a->uri_path : "/";
	const char *url = rq->url ? rq->url : "";
	size_t n = strlen(path);

	if (!strncmp(url, path, n)) {
		if (url[n] != '\0') {
			enum stats_route r = export_suffix(url + n);

			if (r != STATS_ROUTE_NONE)
				return r;
		} else {
			enum stats_route r = query_route(a, rq);

			if (r != STATS_ROUTE_NONE)
				return r;
			/* The uri has a query: the page itself needs it too. */
			if (!a->uri_query)
				return STATS_ROUTE_HTML;
		}
	}
	if (!strcmp(url, "/metrics"))
		return STATS_ROUTE_METRICS;
	return STATS_ROUTE_NONE;
}

unsigned int stats_http_decide(const struct stats_access *a, const struct stats_request *rq,
			       enum stats_route *route)
{
	*route = STATS_ROUTE_NONE;
	if (!authorized(a, rq->authorization))
		return MHD_HTTP_UNAUTHORIZED;
	if (!rq->method ||
	    (strcmp(rq->method, MHD_HTTP_METHOD_GET) && strcmp(rq->method, MHD_HTTP_METHOD_HEAD)))
		return MHD_HTTP_METHOD_NOT_ALLOWED;
	if (rq->has_body)
		return MHD_HTTP_BAD_REQUEST;
	*route = route_of(a, rq);
	return *route == STATS_ROUTE_NONE ? MHD_HTTP_NOT_FOUND : MHD_HTTP_OK;
}

/* --- responses ------------------------------------------------------------- */

static void add_common_headers(const struct stats_http *h, struct MHD_Response *r)
{
	MHD_add_response_header(r, "Server", h->server);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

/* Fixed bodies only: nothing from the request is ever echoed back. */
static enum MHD_Result reply_static(const struct stats_http *h, struct MHD_Connection *conn,
				    unsigned int status, const char *body, const char *hdr,
				    const char *value)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	add_common_headers(h, r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (hdr)
		MHD_add_response_header(r, hdr, value);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *content_type(enum stats_route route)
{
	switch (route) {
	case STATS_ROUTE_HTML:
		return "text/html; charset=utf-8";
	case STATS_ROUTE_JSON:
		return "application/json";
	case STATS_ROUTE_METRICS:
		return "text/plain; version=0.0.4; charset=utf-8";
	case STATS_ROUTE_CSV:
	case STATS_ROUTE_NONE:
		break;
	}
	return "text/plain; charset=utf-8";
}

/* A fresh snapshot, rendered into memory; NULL and *status set on failure. */
static char *render(const struct stats_http *h, enum stats_route route, size_t *len,
		    unsigned int *status)
{
	struct stats_render_opts ro = {
		.hide_version = h->hide_version,
		.refresh_s = h->refresh_s,
		.uri = h->access.uri,
	};
	struct snapshot snap = {};
	char *buf = NULL;
	FILE *f = NULL;
	int err;

	*status = MHD_HTTP_SERVICE_UNAVAILABLE;
	err = h->snapshot(&snap, h->arg);
	if (err) {
		pr_warn("stats: no snapshot for a request: %s", strerror(-err));
		goto out;
	}
	*status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	f = open_memstream(&buf, len);
	if (!f)
		goto out;
	switch (route) {
	case STATS_ROUTE_HTML:
		err = render_stats_html(f, &snap, &ro);
		break;
	case STATS_ROUTE_CSV:
		err = render_stats_csv(f, &snap, &ro);
		break;
	case STATS_ROUTE_JSON:
		err = render_stats_json(f, &snap, &ro);
		break;
	case STATS_ROUTE_METRICS:
		err = render_metrics(f, &snap, &ro);
		break;
	case STATS_ROUTE_NONE:
		err = -EINVAL;
		break;
	}
	if (fclose(f) || err) {
		free(buf);
		buf = NULL;
		goto out;
	}
	*status = MHD_HTTP_OK;
out:
	snapshot_free(&snap);
	return buf;
}

static enum MHD_Result reply_page(const struct stats_http *h, struct MHD_Connection *conn,
				  enum stats_route route)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	unsigned int status;
	size_t len = 0;
	char *body;

	if (route == STATS_ROUTE_NONE)
		return reply_static(h, conn, MHD_HTTP_NOT_FOUND, "404 Not Found\n", NULL, NULL);
	body = render(h, route, &len, &status);
	if (!body)
		return reply_static(h, conn, status,
				    status == MHD_HTTP_SERVICE_UNAVAILABLE
					    ? "503 Service Unavailable\n"
					    : "500 Internal Server Error\n",
				    NULL, NULL);
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	add_common_headers(h, r);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(route));
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static bool has_body(struct MHD_Connection *conn)
{
	const char *cl =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl && strcmp(cl, "0")) ||
	       MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

struct arg_names {
	const char **names;
	size_t n, cap;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct arg_names *a = cls;

	(void)kind;
	(void)value;
	if (a->n < a->cap)
		a->names[a->n++] = key;
	return MHD_YES;
}

/* MHD's parsed request, handed to stats_http_decide(). */
static unsigned int decide(const struct stats_http *h, struct MHD_Connection *conn, const char *url,
			   const char *method, enum stats_route *route)
{
	struct stats_request rq = {
		.method = method,
		.url = url,
		.authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_AUTHORIZATION),
		.has_body = has_body(conn),
	};
	struct arg_names a = {};
	int nargs = MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, NULL, NULL);
	unsigned int status;

	if (nargs > 0) {
		a.names = calloc((size_t)nargs, sizeof(*a.names));
		if (!a.names)
			return MHD_HTTP_SERVICE_UNAVAILABLE;
		a.cap = (size_t)nargs;
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
	}
	rq.args = a.names;
	rq.nargs = a.n;
	status = stats_http_decide(&h->access, &rq, route);
	free(a.names);
	return status;
}

/*
 * MHD calls this once when the headers are in, then again when the request
 * is complete. The decision is made on the first call: refusals go out at
 * once, where MHD then skips any body and closes the connection; pages (and
 * a 404) on the second, so that a client (a Prometheus scraper, a browser)
 * may keep the connection alive. The route waits in *req_cls.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	static const enum stats_route routes[] = { STATS_ROUTE_NONE, STATS_ROUTE_HTML,
						   STATS_ROUTE_CSV, STATS_ROUTE_JSON,
						   STATS_ROUTE_METRICS };
	struct stats_http *h = cls;
	enum stats_route route;
	unsigned int status;

	(void)version;
	(void)upload_data;
	if (!*req_cls) {
		status = decide(h, conn, url, method, &route);
		switch (status) {
		case MHD_HTTP_OK:
		case MHD_HTTP_NOT_FOUND:
			*req_cls = (void *)&routes[route];
			return MHD_YES;
		case MHD_HTTP_UNAUTHORIZED:
			return reply_static(h, conn, status, "401 Unauthorized\n",
					    MHD_HTTP_HEADER_WWW_AUTHENTICATE, h->www_auth);
		case MHD_HTTP_METHOD_NOT_ALLOWED:
			return reply_static(h, conn, status, "405 Method Not Allowed\n",
					    MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		case MHD_HTTP_BAD_REQUEST:
			return reply_static(h, conn, status, "400 Bad Request\n", NULL, NULL);
		default:
			return reply_static(h, conn, MHD_HTTP_SERVICE_UNAVAILABLE,
					    "503 Service Unavailable\n", NULL, NULL);
		}
	}
	if (*upload_data_size) {
		/* Not reached (a body was refused above); drop it rather than stall. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	return reply_page(h, conn, *(const enum stats_route *)*req_cls);
}

/* --- event loop glue ------------------------------------------------------- */

/* MHD must run again by its timeout even without socket activity (connection timeouts). */
static void stats_http_rearm(struct stats_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES)
		ev_timer_arm(h->loop, &h->timer, ms);
	else
		ev_timer_cancel(h->loop, &h->timer);
}

static void stats_http_io(struct ev_io *io, uint32_t revents)
{
	struct stats_http *h = container_of(io, struct stats_http, io);

	(void)revents;
	MHD_run(h->mhd);
	stats_http_rearm(h);
}

static void stats_http_timer(struct ev_timer *t)
{
	struct stats_http *h =
		container_of(t, struct stats_http, timer);

	MHD_run(h->mhd);
	stats_http_rearm(h);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	/* MHD logs per-connection trouble a LAN client can cause: keep it out of the journal. */
	log_vmsg(LOG_LVL_DEBUG, fmt, ap);
}

/* --- start and stop -------------------------------------------------------- */

/* The realm as an RFC 7230 quoted-string: a config value must not break the header. */
static char *www_authenticate(const char *realm)
{
	size_t n = strlen(realm);
	char *v = malloc(n * 2 + sizeof("Basic realm=\"\", charset=\"UTF-8\""));
	char *p = v;

	if (!v)
		return NULL;
	p += sprintf(p, "Basic realm=\"");
	for (const char *s = realm; *s; s++) {
		if (*s == '"' || *s == '\\')
			*p++ = '\\';
		*p++ = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	}
	strcpy(p, "\", charset=\"UTF-8\"");
	return v;
}

int stats_access_init(struct stats_access *a, const char *uri, const struct stats_http_user *users,
		      size_t nusers)
{
	char *q;

	memset(a, 0, sizeof(*a));
	a->uri = strdup(uri && *uri ? uri : "/");
	a->uri_path = strdup(a->uri ? a->uri : "");
	if (!a->uri || !a->uri_path)
		goto nomem;
	q = strchr(a->uri_path, '?');
	if (q) {
		*q = '\0';
		a->uri_query = q + 1;
	}
	if (!nusers)
		return 0;
	a->creds = calloc(nusers, sizeof(*a->creds));
	if (!a->creds)
		goto nomem;
	/* Set now so that stats_access_release() wipes a partial copy too. */
	a->ncreds = nusers;
	for (size_t i = 0; i < nusers; i++) {
		struct stats_cred *c = &a->creds[i];
		const char *u = users[i].user ? users[i].user : "";
		const char *p = users[i].password ? users[i].password : "";

		c->user_len = strlen(u);
		c->pass_len = strlen(p);
		if (c->user_len >= CRED_MAX || c->pass_len >= CRED_MAX) {
			pr_err("stats: user or password of user %zu longer than %d bytes", i + 1,
			       CRED_MAX - 1);
			stats_access_release(a);
			return -EINVAL;
		}
		memcpy(c->user, u, c->user_len);
		memcpy(c->pass, p, c->pass_len);
	}
	return 0;
nomem:
	stats_access_release(a);
	return -ENOMEM;
}

void stats_access_release(struct stats_access *a)
{
	if (a->creds)
		explicit_bzero(a->creds, a->ncreds * sizeof(*a->creds));
	free(a->creds);
	free(a->uri_path);
	free(a->uri);
	memset(a, 0, sizeof(*a));
}

/* Our own socket: bind errors reach the operator as errno, not as "MHD failed". */
static int listen_socket(const struct stats_http_opts *o, uint16_t *port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr = o->addr,
		.sin_port = htons(o->port),
	};
	socklen_t salen = sizeof(sa);
	char ip[INET_ADDRSTRLEN];
	int fd, one = 1, err;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A restarted daemon must not wait out the old sockets' TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto err;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64))
		goto err;
	if (getsockname(fd, (struct sockaddr *)&sa, &salen))
		goto err;
	*port = ntohs(sa.sin_port);
	return fd;
err:
	err = -errno;
	inet_ntop(AF_INET, &o->addr, ip, sizeof(ip));
	pr_err("stats: cannot listen on %s:%u: %s", ip, o->port, strerror(-err));
	close(fd);
	return err;
}

int stats_http_start(struct stats_http **out, struct evloop *l, const struct stats_http_opts *o)
{
	const union MHD_DaemonInfo *info;
	struct stats_http *h;
	int err, fd = -1;

	*out = NULL;
	if (!o->snapshot)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->loop = l;
	h->hide_version = o->hide_version;
	h->refresh_s = o->refresh_s;
	h->snapshot = o->snapshot;
	h->arg = o->arg;
	snprintf(h->server, sizeof(h->server), o->hide_version ? "rpilb" : "rpilb/%s",
		 RPILB_VERSION);
	err = stats_access_init(&h->access, o->uri, o->users, o->nusers);
	if (err)
		goto err_free;
	h->www_auth = www_authenticate(o->realm && *o->realm ? o->realm : "rpilb Statistics");
	if (!h->www_auth) {
		err = -ENOMEM;
		goto err_free;
	}

	fd = listen_socket(o, &h->port);
	if (fd < 0) {
		err = fd;
		goto err_free;
	}
	/* From here MHD owns fd and closes it in MHD_stop_daemon(). */
	h->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNS,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_PER_IP,
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)(o->timeout_s ? o->timeout_s : HTTP_TIMEOUT_S),
				  MHD_OPTION_STRICT_FOR_CLIENT, (int)1, MHD_OPTION_END);
	if (!h->mhd) {
		pr_err("stats: libmicrohttpd would not start on port %u", h->port);
		close(fd);
		err = -EIO;
		goto err_free;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || info->epoll_fd < 0) {
		pr_err("stats: libmicrohttpd has no epoll descriptor (built without epoll?)");
		err = -ENOTSUP;
		goto err_stop;
	}
	h->io.fd = info->epoll_fd;
	h->io.events = EPOLLIN;
	h->io.cb = stats_http_io;
	h->timer.cb = stats_http_timer;
	err = ev_io_add(l, &h->io);
	if (err) {
		pr_err("stats: epoll: %s", strerror(-err));
		goto err_stop;
	}
	stats_http_rearm(h);
	*out = h;
	return 0;

err_stop:
	MHD_stop_daemon(h->mhd);
	h->mhd = NULL;
err_free:
	stats_http_stop(h);
	return err;
}

void stats_http_stop(struct stats_http *h)
{
	if (!h)
		return;
	if (h->mhd) {
		ev_io_del(h->loop, &h->io);
		ev_timer_cancel(h->loop, &h->timer);
		MHD_stop_daemon(h->mhd);
	}
	stats_access_release(&h->access);
	free(h->www_auth);
	free(h);
}
