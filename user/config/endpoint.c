// SPDX-License-Identifier: GPL-2.0-only
/*
 * Addresses: the IPv4 ADDR[:PORT] of bind and server lines, with a
 * message naming each form HAProxy knows and rpilb does not take, and
 * cfg_resolve(), which turns server host names into addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config/parser.h"

/* The "ipv4@" prefix goes; any other "family@" is named in the error. */
static bool strip_family(struct parser *p, const char *what, const char **sp)
{
	const char *s = *sp, *at = strchr(s, '@');

	if (!at)
		return true;
	if ((size_t)(at - s) == 4 && !strncmp(s, "ipv4", 4)) {
		*sp = at + 1;
		return true;
	}
	if ((size_t)(at - s) == 4 && !strncmp(s, "ipv6", 4))
		perr(p, "%s '%.64s': IPv6 is not supported yet", what, s);
	else
		perr(p,
		     "%s '%.64s': '%.*s@' addresses are not supported: rpilb balances TCP over IPv4",
		     what, s, (int)(at - s > 16 ? 16 : at - s), s);
	return false;
}

/* HOST[:PORT] into host and *port_part (NULL without a colon). */
static bool split_host_port(struct parser *p, const char *what, const char *s, char *host,
			    size_t hostlen, const char **port_part)
{
	const char *colon;
	size_t hl;

	if (s[0] == '/') {
		perr(p, "%s '%.64s': UNIX sockets are not supported: rpilb balances TCP over IPv4",
		     what, s);
		return false;
	}
	colon = strchr(s, ':');
	if (s[0] == '[' || (colon && strchr(colon + 1, ':'))) {
		perr(p, "%s '%.64s': IPv6 is not supported yet", what, s);
		return false;
	}
	hl = colon ? (size_t)(colon - s) : strlen(s);
	if (hl >= hostlen) {
		perr(p, "%s address '%.64s...' is too long (max %zu characters)", what, s,
		     hostlen - 1);
		return false;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	*port_part = colon ? colon + 1 : NULL;
	return true;
}

static bool parse_port_number(struct parser *p, const char *what, const char *s, const char *num,
			      uint16_t *port)
{
	unsigned long long v;

	if (parse_u64(num, 65535, &v) < 0 || !v) {
		perr(p, "%s '%.64s': bad port '%.16s' (expected 1..65535)", what, s, num);
		return false;
	}
	*port = (uint16_t)v;
	return true;
}

/* A server's "+N"/"-N", or no port at all: HAProxy's port of the client's connection. */
static bool parse_port_map(struct parser *p, const char *what, const char *s, const char *part,
			   struct ep_port *out)
{
	unsigned long long v;

	out->map = true;
	if (!part || !*part)
		return true;
	if (parse_u64(part + 1, 65535, &v) < 0) {
		perr(p, "%s '%.64s': bad port offset '%.16s' (expected +N or -N, N up to 65535)",
		     what, s, part);
		return false;
	}
	/* The data path adds modulo 65536, so -N is 65536 - N. */
	out->offset = (uint16_t)(part[0] == '-' ? 65536 - v : v);
	return true;
}

static bool parse_port(struct parser *p, const char *what, const char *s, const char *port_part,
		       unsigned int flags, struct ep_port *out)
{
	const char *dash;
	char lo[8];

	*out = (struct ep_port){ 0 };
	if ((flags & EP_MAP) &&
	    (!port_part || !*port_part || port_part[0] == '+' || port_part[0] == '-'))
		return parse_port_map(p, what, s, port_part, out);
	if (!port_part) {
		if (flags & EP_PORT) {
			perr(p,
			     "%s '%.64s' has no port (write ADDR:PORT, or *:PORT for every address)",
			     what, s);
			return false;
		}
		return true;
	}
	if (port_part[0] == '+' || port_part[0] == '-') {
		perr(p, "%s '%.64s': a port offset (+N/-N) is for servers only", what, s);
		return false;
	}
	dash = strchr(port_part, '-');
	if (!dash)
		return parse_port_number(p, what, s, port_part, &out->port) &&
		       (out->last = out->port, true);
	if (!(flags & EP_RANGE) || (size_t)(dash - port_part) >= sizeof(lo)) {
		perr(p, "%s '%.64s': a port range is for bind lines only", what, s);
		return false;
	}
	memcpy(lo, port_part, (size_t)(dash - port_part));
	lo[dash - port_part] = '\0';
	if (!parse_port_number(p, what, s, lo, &out->port) ||
	    !parse_port_number(p, what, s, dash + 1, &out->last))
		return false;
	if (out->last < out->port) {
		perr(p, "%s '%.64s': the range ends before it starts", what, s);
		return false;
	}
	return true;
}

/* A host that is not an IPv4 literal: a name, where the caller allows one. */
static bool parse_host_name(struct parser *p, const char *what, const char *s, const char *host,
			    unsigned int flags)
{
	const char *c;

	if (host[strspn(host, "0123456789.")] == '\0') {
		perr(p, "%s '%.64s': bad IPv4 address '%.64s'", what, s, host);
		return false;
	}
	if (!(flags & EP_HOST)) {
		perr(p,
		     "%s '%.64s': '%.64s' is not an IPv4 address (write the address, or * for every address)",
		     what, s, host);
		return false;
	}
	for (c = host; *c; c++) {
		if (!is_alnum(*c) && *c != '.' && *c != '-' && *c != '_') {
			perr(p, "%s '%.64s': bad host name '%.64s'", what, s, host);
			return false;
		}
	}
	return true;
}

static bool parse_host(struct parser *p, const char *what, const char *s, const char *host,
		       unsigned int flags, struct in_addr *addr)
{
	if (!host[0] || !strcmp(host, "*")) {
		if (!(flags & EP_ANY)) {
			perr(p, "%s '%.64s' has no address", what, s);
			return false;
		}
		addr->s_addr = htonl(INADDR_ANY);
		return true;
	}
	if (inet_pton(AF_INET, host, addr) == 1) {
		/* 0.0.0.0 is how an unresolved server is told apart: never a real one. */
		if (!(flags & EP_ANY) && addr->s_addr == htonl(INADDR_ANY)) {
			perr(p, "%s address 0.0.0.0 cannot be connected to", what);
			return false;
		}
		return true;
	}
	if (!parse_host_name(p, what, s, host, flags))
		return false;
	addr->s_addr = 0;
	return true;
}

/*
 * ADDR[:PORT] as HAProxy writes IPv4 endpoints, with its "ipv4@" prefix.
 * Everything else HAProxy can listen on or connect to is named in the
 * error, so the user knows it is understood, just not supported.
 */
bool parse_endpoint(struct parser *p, const char *what, const char *s, unsigned int flags,
		    struct in_addr *addr, struct ep_port *port, char *host, size_t hostlen)
{
	char hostpart[CFG_HOST_MAX];
	const char *port_part;

	if (!strip_family(p, what, &s) ||
	    !split_host_port(p, what, s, hostpart, sizeof(hostpart), &port_part) ||
	    !parse_port(p, what, s, port_part, flags, port) ||
	    !parse_host(p, what, s, hostpart, flags, addr))
		return false;
	if (host && !copy_str(host, hostlen, hostpart))
		return false;
	return true;
}

int cfg_resolve(struct rpilb_config *cfg, struct cfg_diags *diags)
{
	size_t nerrors = diags->nerrors, i, j;

	for (i = 0; i < cfg->nbackends; i++) {
		for (j = 0; j < cfg->backends[i].nservers; j++) {
			struct cfg_server *s = &cfg->backends[i].servers[j];
			struct addrinfo hints = { .ai_family = AF_INET,
						  .ai_socktype = SOCK_STREAM };
			struct addrinfo *res = NULL;
			int rc;

			if (s->addr.s_addr)
				continue;
			rc = getaddrinfo(s->host, NULL, &hints, &res);
			if (rc) {
				cfg_diag_add(diags, CFG_ERROR, s->line,
					     "server '%s': cannot resolve '%s': %s", s->name,
					     s->host,
					     rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
				continue;
			}
			s->addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
			freeaddrinfo(res);
			if (!s->addr.s_addr)
				cfg_diag_add(diags, CFG_ERROR, s->line,
					     "server '%s': '%s' resolves to 0.0.0.0", s->name,
					     s->host);
		}
	}
	return diags->nerrors != nerrors ? -1 : 0;
}
