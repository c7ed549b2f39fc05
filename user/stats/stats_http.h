/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The stats page server ("listen stats"): libmicrohttpd driven by the
 * daemon's event loop, no threads. Routes (docs/stats.md):
 *   <uri>                     HTML page
 *   <uri>;csv, <uri>?stats;csv HAProxy's CSV
 *   <uri>;json                JSON
 *   /metrics                  Prometheus text format 0.0.4
 * GET and HEAD only; HTTP Basic auth on every route when users are set.
 */
#ifndef RPILB_STATS_HTTP_H
#define RPILB_STATS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "lib/evloop.h"
#include "stats/snapshot.h"

struct cfg_stats;

struct stats_http_user {
	const char *user;
	const char *password;
};

struct stats_http_opts {
	struct in_addr addr;
	uint16_t port; /* host order; 0: any free port (tests), see stats_http_port() */
	const char *uri; /* NULL or "": "/" */
	const char *realm; /* NULL or "": "rpilb Statistics" */
	const struct stats_http_user *users;
	size_t nusers; /* 0: no authentication */
	bool hide_version;
	uint32_t refresh_s; /* the page's auto-refresh; 0: none */
	uint32_t timeout_s; /* idle connections close after this; 0: 10 s */
	/*
	 * Fill *out (zeroed on entry) for one request; 0 or a negative errno
	 * (the client gets a 503). The server snapshot_free()s it afterwards,
	 * so every array in it must come from malloc.
	 */
	int (*snapshot)(struct snapshot *out, void *arg);
	void *arg;
};

/*
 * Point o at c's settings; users must hold c->nusers entries and outlive
 * the call to stats_http_start() only: the server copies what it keeps.
 */
void stats_http_opts_from_cfg(struct stats_http_opts *o, struct stats_http_user *users,
			      const struct cfg_stats *c);

struct stats_http;

/* Listen and serve from loop l; 0, or a negative errno (logged). */
int stats_http_start(struct stats_http **out, struct evloop *l, const struct stats_http_opts *o);
void stats_http_stop(struct stats_http *h);

/* The port it listens on, host order: the one picked when o->port was 0. */
uint16_t stats_http_port(const struct stats_http *h);

/*
 * The decision on one request, apart from libmicrohttpd and any socket, so
 * that the fuzzer and the unit tests can drive it. MHD parses HTTP; what
 * rpilb decides from the parsed request (credentials, method, body, route)
 * is all here.
 */

#define STATS_CRED_MAX 128 /* a user name and a password are shorter than this */

enum stats_route {
	STATS_ROUTE_NONE,
	STATS_ROUTE_HTML,
	STATS_ROUTE_CSV,
	STATS_ROUTE_JSON,
	STATS_ROUTE_METRICS,
};

struct stats_cred {
	unsigned char user[STATS_CRED_MAX];
	size_t user_len;
	unsigned char pass[STATS_CRED_MAX];
	size_t pass_len;
};

/* The configured uri and users, copied; zeroed, it is "/" and no users. */
struct stats_access {
	char *uri; /* as configured: the page, and the base of the export links */
	char *uri_path; /* uri before '?' */
	char *uri_query; /* uri after '?', or NULL */
	struct stats_cred *creds;
	size_t ncreds;
};

/* 0, -ENOMEM, or -EINVAL (a user or password of STATS_CRED_MAX bytes or more). */
int stats_access_init(struct stats_access *a, const char *uri, const struct stats_http_user *users,
		      size_t nusers);
/* Wipes the credentials and frees; harmless on a zeroed or released one. */
void stats_access_release(struct stats_access *a);

/* A request as MHD hands it over. */
struct stats_request {
	const char *method;
	const char *url; /* the path: no query, %-escapes decoded */
	const char *const *args; /* the query's argument names, in order */
	size_t nargs;
	const char *authorization; /* the Authorization header's value, or NULL */
	bool has_body; /* a Content-Length other than 0, or a Transfer-Encoding */
};

/*
 * The status to answer with: 401 without the right credentials (asked
 * first, so that nothing else is told to a stranger), 405 for a method
 * other than GET and HEAD, 400 for a request with a body, 404 for no such
 * page, or 200 with *route set (else *route is STATS_ROUTE_NONE).
 */
unsigned int stats_http_decide(const struct stats_access *a, const struct stats_request *rq,
			       enum stats_route *route);

/*
 * Decode an Authorization value "Basic <base64 of user:password>" (the
 * scheme in any case, then blanks; the password may hold colons). 0, or
 * -EINVAL for anything else or a part too long for out.
 */
int stats_basic_auth_decode(const char *value, struct stats_cred *out);

#endif
