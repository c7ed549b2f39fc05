/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The decision on one request to the stats page, apart from libmicrohttpd
 * and any socket, so that the fuzzer and the unit tests can drive it. MHD
 * parses HTTP; what rpilb decides from the parsed request (credentials,
 * method, body, route) is all here. stats_http.c is the MHD glue around it.
 */
#ifndef RPILB_STATS_ACCESS_H
#define RPILB_STATS_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

/* One "stats auth USER:PASS" line. */
struct stats_http_user {
	const char *user;
	const char *password;
};

#define STATS_CRED_MAX 128 /* a user name and a password are shorter than this */

/* The HTTP status codes a decision answers with (RFC 9110; MHD's have the same values). */
enum stats_status {
	STATS_HTTP_OK = 200,
	STATS_HTTP_BAD_REQUEST = 400,
	STATS_HTTP_UNAUTHORIZED = 401,
	STATS_HTTP_NOT_FOUND = 404,
	STATS_HTTP_METHOD_NOT_ALLOWED = 405,
};

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
unsigned int stats_access_decide(const struct stats_access *a, const struct stats_request *rq,
				 enum stats_route *route);

/*
 * Decode an Authorization value "Basic <base64 of user:password>" (the
 * scheme in any case, then blanks; the password may hold colons). 0, or
 * -EINVAL for anything else or a part too long for out.
 */
int stats_basic_auth_decode(const char *value, struct stats_cred *out);

#endif
