// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stats page's decision on one request, apart from libmicrohttpd and
 * any socket: who may see it (HTTP Basic, compared in constant time) and
 * which page a path names. stats_http.c hands it what MHD parsed; the
 * fuzzer (tests/fuzz/fuzz_stats_request.c) and the unit tests drive it
 * directly.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "stats/stats_access.h"

/* Credentials are compared over this many bytes whatever their length. */
#define CRED_MAX STATS_CRED_MAX

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

unsigned int stats_access_decide(const struct stats_access *a, const struct stats_request *rq,
				 enum stats_route *route)
{
	*route = STATS_ROUTE_NONE;
	if (!authorized(a, rq->authorization))
		return STATS_HTTP_UNAUTHORIZED;
	if (!rq->method || (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")))
		return STATS_HTTP_METHOD_NOT_ALLOWED;
	if (rq->has_body)
		return STATS_HTTP_BAD_REQUEST;
	*route = route_of(a, rq);
	return *route == STATS_ROUTE_NONE ? STATS_HTTP_NOT_FOUND : STATS_HTTP_OK;
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
