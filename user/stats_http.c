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

#include "config.h"
#include "log.h"
#include "stats_http.h"
#include "stats_render.h"
#include "util.h"

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
#define CRED_MAX 128

struct stats_cred {
	unsigned char user[CRED_MAX];
	size_t user_len;
	unsigned char pass[CRED_MAX];
	size_t pass_len;
};

struct stats_http {
	struct MHD_Daemon *mhd;
	struct evloop *loop;
	struct ev_io io;
	struct ev_timer timer;
	uint16_t port;
	char *uri; /* as configured: the page, and the base of the export links */
	char *uri_path; /* uri before '?' */
	char *uri_query; /* uri after '?', or NULL */
	char *www_auth; /* the WWW-Authenticate value */
	char server[48]; /* the Server header */
	struct stats_cred *creds;
	size_t ncreds;
	bool hide_version;
	uint32_t refresh_s;
	int (*snapshot)(struct snapshot *out, void *arg);
	void *arg;
};

enum route {
	ROUTE_NONE,
	ROUTE_HTML,
	ROUTE_CSV,
	ROUTE_JSON,
	ROUTE_METRICS,
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
static bool creds_match(const struct stats_http *h, const char *user, const char *pass)
{
	struct stats_cred given = {};
	unsigned int match = 0, too_long;
	size_t ulen = user ? strlen(user) : 0, plen = pass ? strlen(pass) : 0;

	too_long = (ulen >= CRED_MAX) | (plen >= CRED_MAX) | !user | !pass;
	given.user_len = ulen;
	given.pass_len = plen;
	memcpy(given.user, user ? user : "", ulen < CRED_MAX ? ulen : CRED_MAX);
	memcpy(given.pass, pass ? pass : "", plen < CRED_MAX ? plen : CRED_MAX);
	for (size_t i = 0; i < h->ncreds; i++) {
		const struct stats_cred *c = &h->creds[i];
		unsigned int d;

		d = ct_differs(given.user, c->user, CRED_MAX) |
		    ct_len_differs(given.user_len, c->user_len) |
		    ct_differs(given.pass, c->pass, CRED_MAX) |
		    ct_len_differs(given.pass_len, c->pass_len);
		match |= d ^ 1;
	}
	explicit_bzero(&given, sizeof(given));
	return match & (too_long ^ 1);
}

static bool authorized(const struct stats_http *h, struct MHD_Connection *conn)
{
	char *pass = NULL, *user;
	bool ok;

	if (!h->ncreds)
		return true;
	user = MHD_basic_auth_get_username_password(conn, &pass);
	ok = creds_match(h, user, pass);
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	return ok;
}

/* --- routing --------------------------------------------------------------- */

/* ";csv" or ";json" at s, alone or before more ";options" (HAProxy's ";norefresh"...). */
static enum route export_suffix(const char *s)
{
	if (!strncmp(s, ";csv", 4) && (s[4] == '\0' || s[4] == ';'))
		return ROUTE_CSV;
	if (!strncmp(s, ";json", 5) && (s[5] == '\0' || s[5] == ';'))
		return ROUTE_JSON;
	return ROUTE_NONE;
}

struct query_match {
	const char *base; /* the configured query ("stats" in "/haproxy?stats"), or "stats" */
	bool need_base; /* the uri has a query: the page itself needs it too */
	enum route route;
};

static enum MHD_Result query_key(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct query_match *m = cls;
	size_t n = strlen(m->base);
	enum route r;

	(void)kind;
	(void)value;
	if (!key || strncmp(key, m->base, n))
		return MHD_YES;
	if (key[n] == '\0') {
		if (m->route == ROUTE_NONE)
			m->route = ROUTE_HTML;
		return MHD_YES;
	}
	r = export_suffix(key + n);
	if (r != ROUTE_NONE) {
		m->route = r;
		return MHD_NO;
	}
	return MHD_YES;
}

static enum route route_of(const struct stats_http *h, struct MHD_Connection *conn, const char *url)
{
	size_t n = strlen(h->uri_path);

	if (!strncmp(url, h->uri_path, n)) {
		struct query_match m = {
			.base = h->uri_query ? h->uri_query : "stats",
			.need_base = h->uri_query != NULL,
		};

		if (url[n] != '\0') {
			enum route r = export_suffix(url + n);

			if (r != ROUTE_NONE)
				return r;
		} else {
			MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_key, &m);
			if (m.route != ROUTE_NONE)
				return m.route;
			if (!m.need_base)
				return ROUTE_HTML;
		}
	}
	if (!strcmp(url, "/metrics"))
		return ROUTE_METRICS;
	return ROUTE_NONE;
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

static const char *content_type(enum route route)
{
	switch (route) {
	case ROUTE_HTML:
		return "text/html; charset=utf-8";
	case ROUTE_JSON:
		return "application/json";
	case ROUTE_METRICS:
		return "text/plain; version=0.0.4; charset=utf-8";
	case ROUTE_CSV:
	case ROUTE_NONE:
		break;
	}
	return "text/plain; charset=utf-8";
}

/* A fresh snapshot, rendered into memory; NULL and *status set on failure. */
static char *render(const struct stats_http *h, enum route route, size_t *len, unsigned int *status)
{
	struct stats_render_opts ro = {
		.hide_version = h->hide_version,
		.refresh_s = h->refresh_s,
		.uri = h->uri,
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
	case ROUTE_HTML:
		err = render_stats_html(f, &snap, &ro);
		break;
	case ROUTE_CSV:
		err = render_stats_csv(f, &snap, &ro);
		break;
	case ROUTE_JSON:
		err = render_stats_json(f, &snap, &ro);
		break;
	case ROUTE_METRICS:
		err = render_metrics(f, &snap, &ro);
		break;
	case ROUTE_NONE:
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
				  const char *url)
{
	enum route route = route_of(h, conn, url);
	struct MHD_Response *r;
	enum MHD_Result ret;
	unsigned int status;
	size_t len = 0;
	char *body;

	if (route == ROUTE_NONE)
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

/*
 * MHD calls this once when the headers are in, then again when the request
 * is complete. Refusals go out on the first call, where MHD then skips any
 * body and closes the connection; pages on the second, so that a client
 * (a Prometheus scraper, a browser) may keep the connection alive.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	static int headers_checked;
	struct stats_http *h = cls;

	(void)version;
	(void)upload_data;
	if (!*req_cls) {
		*req_cls = &headers_checked;
		if (!authorized(h, conn))
			return reply_static(h, conn, MHD_HTTP_UNAUTHORIZED, "401 Unauthorized\n",
					    MHD_HTTP_HEADER_WWW_AUTHENTICATE, h->www_auth);
		if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
			return reply_static(h, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
					    "405 Method Not Allowed\n", MHD_HTTP_HEADER_ALLOW,
					    "GET, HEAD");
		if (has_body(conn))
			return reply_static(h, conn, MHD_HTTP_BAD_REQUEST, "400 Bad Request\n",
					    NULL, NULL);
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* Not reached (a body was refused above); drop it rather than stall. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	return reply_page(h, conn, url);
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
	struct stats_http *h = (struct stats_http *)((char *)io - offsetof(struct stats_http, io));

	(void)revents;
	MHD_run(h->mhd);
	stats_http_rearm(h);
}

static void stats_http_timer(struct ev_timer *t)
{
	struct stats_http *h =
		(struct stats_http *)((char *)t - offsetof(struct stats_http, timer));

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

static int copy_creds(struct stats_http *h, const struct stats_http_opts *o)
{
	if (!o->nusers)
		return 0;
	h->creds = calloc(o->nusers, sizeof(*h->creds));
	if (!h->creds)
		return -ENOMEM;
	/* Set now so that stats_http_stop() wipes a partial copy too. */
	h->ncreds = o->nusers;
	for (size_t i = 0; i < o->nusers; i++) {
		struct stats_cred *c = &h->creds[i];
		const char *u = o->users[i].user ? o->users[i].user : "";
		const char *p = o->users[i].password ? o->users[i].password : "";

		c->user_len = strlen(u);
		c->pass_len = strlen(p);
		if (c->user_len >= CRED_MAX || c->pass_len >= CRED_MAX) {
			pr_err("stats: user or password of user %zu longer than %d bytes", i + 1,
			       CRED_MAX - 1);
			return -EINVAL;
		}
		memcpy(c->user, u, c->user_len);
		memcpy(c->pass, p, c->pass_len);
	}
	return 0;
}

static int split_uri(struct stats_http *h, const char *uri)
{
	char *q;

	h->uri = strdup(uri && *uri ? uri : "/");
	h->uri_path = strdup(h->uri ? h->uri : "");
	if (!h->uri || !h->uri_path)
		return -ENOMEM;
	q = strchr(h->uri_path, '?');
	if (q) {
		*q = '\0';
		h->uri_query = q + 1;
	}
	return 0;
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
	err = split_uri(h, o->uri);
	if (err)
		goto err_free;
	h->www_auth = www_authenticate(o->realm && *o->realm ? o->realm : "rpilb Statistics");
	if (!h->www_auth) {
		err = -ENOMEM;
		goto err_free;
	}
	err = copy_creds(h, o);
	if (err)
		goto err_free;

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
	if (h->creds)
		explicit_bzero(h->creds, h->ncreds * sizeof(*h->creds));
	free(h->creds);
	free(h->www_auth);
	free(h->uri_path);
	free(h->uri);
	free(h);
}
