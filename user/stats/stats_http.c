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

/* stats_access.c answers in these codes without including MHD. */
_Static_assert(STATS_HTTP_OK == MHD_HTTP_OK && STATS_HTTP_BAD_REQUEST == MHD_HTTP_BAD_REQUEST &&
		       STATS_HTTP_UNAUTHORIZED == MHD_HTTP_UNAUTHORIZED &&
		       STATS_HTTP_NOT_FOUND == MHD_HTTP_NOT_FOUND &&
		       STATS_HTTP_METHOD_NOT_ALLOWED == MHD_HTTP_METHOD_NOT_ALLOWED,
	       "the access decision's status codes are HTTP's");

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
	struct render_opts ro = {
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

/* MHD's parsed request, handed to stats_access_decide(). */
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
	status = stats_access_decide(&h->access, &rq, route);
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
	struct stats_http *h = container_of(t, struct stats_http, timer);

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
