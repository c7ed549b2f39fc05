// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_stats_request: the stats page's own decision on a request
 * (stats_access_decide() in user/stats/stats_access.c): Basic-auth decoding and the
 * credential comparison, the method and body rules, and the routing of the
 * URL and query against the configured "stats uri".
 *
 * libmicrohttpd parses HTTP itself (request line, headers, the query into
 * argument names, %-escapes): that is MHD's code, not fuzzed here. This
 * harness stands in for it with a loose split of the input, so that every
 * kind of method, path, argument and Authorization value reaches our code.
 *
 * Input: byte 0 picks the configuration (which uri; users or none), then a
 * request head: "METHOD TARGET ...\n" and "Name: value" lines.
 *
 * Properties: with users, the answer is 401 exactly when an independent
 * decoder and comparison here say the credentials are wrong, and without
 * users never; then 405 for any method but GET and HEAD, 400 for a body,
 * and 200 only with a route, for a path under the uri or /metrics.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "stats/stats_access.h"

static const char *const uris[] = { "/", "/haproxy?stats", "/stats", "/admin?x;y", "/haproxy?" };
#define NURIS (sizeof(uris) / sizeof(uris[0]))

static char long_pass[STATS_CRED_MAX];
static struct stats_http_user users[] = {
	{ "someuser", "password" },
	{ "admin", "s3cret:with-colon" },
	{ "guest", "" },
	{ "long", long_pass },
};
#define NUSERS (sizeof(users) / sizeof(users[0]))

static struct stats_access access_of[NURIS][2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	memset(long_pass, 'p', sizeof(long_pass) - 1); /* the longest a password may be */
	for (size_t i = 0; i < NURIS; i++) {
		if (stats_access_init(&access_of[i][0], uris[i], NULL, 0) ||
		    stats_access_init(&access_of[i][1], uris[i], users, NUSERS))
			abort();
	}
	return 0;
}

/* --- an independent Basic decoder, for the oracle ---------------------------------- */

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* "user:pass" bytes from the header value, or -1. */
static int oracle_decode(const char *v, unsigned char *out, size_t cap, size_t *n)
{
	size_t len, i;
	unsigned acc = 0;
	int bits = 0, pad = 0;

	*n = 0;
	if (!v || strncasecmp(v, "basic", 5) || (v[5] != ' ' && v[5] != '\t'))
		return -1;
	v += 5;
	while (*v == ' ' || *v == '\t')
		v++;
	len = strlen(v);
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (!len || len % 4)
		return -1;
	for (i = 0; i < len; i++) {
		const char *pos;

		if (v[i] == '=') {
			pad++;
			continue;
		}
		if (pad || !v[i] || !(pos = strchr(alphabet, v[i])))
			return -1; /* data after padding, or not base64 */
		acc = (acc << 6) | (unsigned)(pos - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (*n == cap)
				return -1;
			out[(*n)++] = (unsigned char)(acc >> bits);
		}
	}
	return pad > 2 ? -1 : 0;
}

static bool oracle_authorized(const char *value)
{
	unsigned char buf[4096];
	const unsigned char *colon;
	size_t n;

	if (oracle_decode(value, buf, sizeof(buf), &n))
		return false;
	colon = memchr(buf, ':', n);
	if (!colon)
		return false;
	for (size_t i = 0; i < NUSERS; i++) {
		size_t ul = strlen(users[i].user), pl = strlen(users[i].password);

		if ((size_t)(colon - buf) == ul && !memcmp(buf, users[i].user, ul) &&
		    n - ul - 1 == pl && !memcmp(colon + 1, users[i].password, pl))
			return true;
	}
	return false;
}

/* --- standing in for MHD's request parsing ------------------------------------------ */

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* %XX decoded in place, as MHD does for the path and the argument names. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '%' && hexval((unsigned char)s[1]) >= 0 &&
		    hexval((unsigned char)s[2]) >= 0 &&
		    (hexval((unsigned char)s[1]) | hexval((unsigned char)s[2])) != 0) {
			*w++ = (char)(hexval((unsigned char)s[1]) * 16 +
				      hexval((unsigned char)s[2]));
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct stats_access *a;
	struct stats_request rq = { 0 };
	const char *args[MAX_ARGS];
	char *mem, *buf, *line, *save = NULL, *target = NULL, *q;
	enum stats_route route;
	unsigned int status;
	bool with_users;

	if (size < 1 || size > 16384) /* MHD refuses heads past its 16 KiB */
		return 0;
	with_users = data[0] & 1;
	a = &access_of[(data[0] >> 1) % NURIS][with_users];
	mem = buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';

	/* The request line. */
	line = strsep(&buf, "\n");
	save = line;
	rq.method = strsep(&save, " ");
	target = strsep(&save, " ");
	if (!target)
		target = "";
	target = strdup(target);
	q = strchr(target, '?');
	if (q) {
		char *arg;

		*q++ = '\0';
		while ((arg = strsep(&q, "&")) && rq.nargs < MAX_ARGS) {
			char *eq = strchr(arg, '=');

			if (eq)
				*eq = '\0';
			unescape(arg);
			args[rq.nargs++] = arg;
		}
	}
	unescape(target);
	rq.url = target;
	rq.args = args;

	/* Header lines. */
	while ((line = strsep(&buf, "\n"))) {
		char *colon = strchr(line, ':'), *v;
		size_t n;

		if (!colon)
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		n = strlen(v);
		if (n && v[n - 1] == '\r')
			v[--n] = '\0';
		if (!strcasecmp(line, "Authorization") && !rq.authorization)
			rq.authorization = v;
		else if (!strcasecmp(line, "Content-Length") && strcmp(v, "0"))
			rq.has_body = true;
		else if (!strcasecmp(line, "Transfer-Encoding"))
			rq.has_body = true;
	}

	status = stats_access_decide(a, &rq, &route);
	if (with_users && !oracle_authorized(rq.authorization)) {
		FUZZ_CHECK(status == 401, "wrong credentials got %u (Authorization: %s)", status,
			   rq.authorization ? rq.authorization : "(none)");
	} else {
		FUZZ_CHECK(status != 401, "right credentials got 401 (Authorization: %s)",
			   rq.authorization ? rq.authorization : "(none)");
		if (strcmp(rq.method, "GET") && strcmp(rq.method, "HEAD"))
			FUZZ_CHECK(status == 405, "method '%s' got %u", rq.method, status);
		else if (rq.has_body)
			FUZZ_CHECK(status == 400, "a body got %u", status);
		else
			FUZZ_CHECK(status == 200 || status == 404, "got %u", status);
	}
	FUZZ_CHECK((status == 200) == (route != STATS_ROUTE_NONE), "status %u with route %d",
		   status, route);
	if (route == STATS_ROUTE_METRICS)
		FUZZ_CHECK(!strcmp(rq.url, "/metrics"), "metrics at '%s'", rq.url);
	if (route != STATS_ROUTE_NONE && strcmp(rq.url, "/metrics"))
		FUZZ_CHECK(!strncmp(rq.url, a->uri_path, strlen(a->uri_path)),
			   "route %d for '%s' outside '%s'", route, rq.url, a->uri_path);

	/* The decoder alone agrees with the oracle's decoding. */
	if (rq.authorization) {
		struct stats_cred c;
		unsigned char ob[4096];
		size_t on;

		if (!stats_basic_auth_decode(rq.authorization, &c)) {
			FUZZ_CHECK(!oracle_decode(rq.authorization, ob, sizeof(ob), &on),
				   "decoded what the oracle refuses: %s", rq.authorization);
			FUZZ_CHECK(on == c.user_len + 1 + c.pass_len &&
					   !memcmp(ob, c.user, c.user_len) &&
					   ob[c.user_len] == ':' &&
					   !memcmp(ob + c.user_len + 1, c.pass, c.pass_len),
				   "decoded differently: %s", rq.authorization);
		}
	}
	free(target);
	free(mem);
	return 0;
}
