/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A backend's health check as HAProxy runs it: a list of rules, run in
 * order, each a connect, a send or an expect. "option tcp-check" with its
 * tcp-check lines, "option httpchk" with its http-check lines, and the
 * canned checks (redis-check, mysql-check, smtpchk, ...) all become such a
 * list, so one engine (health/probe.c) runs every kind. Without any option
 * the list is one implicit connect: HAProxy's plain layer-4 check.
 *
 * The config layer builds it; the health layer runs it. Pure data.
 */
#ifndef RPILB_CONFIG_CHECKS_H
#define RPILB_CONFIG_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

enum cfg_check_kind {
	CFG_CHECK_TCP = 0, /* bytes: tcp-check rules, or a plain connect */
	CFG_CHECK_HTTP, /* "option httpchk": expects read an HTTP response */
};

enum cfg_rule_kind {
	CFG_RULE_CONNECT,
	CFG_RULE_SEND,
	CFG_RULE_EXPECT,
};

enum cfg_match {
	CFG_MATCH_STRING, /* the bytes received contain the pattern */
	CFG_MATCH_RSTRING, /* a POSIX extended regex matches them (up to a NUL) */
	CFG_MATCH_BINARY, /* they contain the pattern, given in hex */
	CFG_MATCH_RBINARY, /* a regex matches their hex encoding (uppercase) */
	CFG_MATCH_STATUS, /* HTTP: the status code is in a list ("200,301-302") */
	CFG_MATCH_RSTATUS, /* HTTP: a regex matches the three digits */
	CFG_MATCH_HTTP_OK, /* HTTP: 2xx or 3xx, httpchk's default */
	CFG_MATCH_BODY_STRING, /* HTTP: the body contains the pattern */
	CFG_MATCH_BODY_RSTRING, /* HTTP: a regex matches the body */
	CFG_MATCH_PROTO, /* a canned check's own judge of a binary protocol reply */
};

/* The canned checks whose replies need a parser, not a pattern. */
enum cfg_proto_judge {
	CFG_JUDGE_NONE = 0,
	CFG_JUDGE_MYSQL, /* a greeting or an OK packet, not an error packet */
	CFG_JUDGE_PGSQL, /* an authentication request, not an error response */
	CFG_JUDGE_LDAP, /* a bind response with resultCode success */
	CFG_JUDGE_SSL_HELLO, /* a TLS/SSL ServerHello (handshake record) */
	CFG_JUDGE_SMTP, /* a 2xx greeting, then a 2xx answer to HELO/EHLO */
};

/*
 * Status a rule reports, as HAProxy's ok-status/error-status/tout-status
 * name them. 0 (CFG_ST_DEFAULT): the engine's own choice.
 */
enum cfg_check_status {
	CFG_ST_DEFAULT = 0,
	CFG_ST_L4OK,
	CFG_ST_L4TOUT,
	CFG_ST_L4CON,
	CFG_ST_L6OK,
	CFG_ST_L6TOUT,
	CFG_ST_L6RSP,
	CFG_ST_L7OK,
	CFG_ST_L7OKC,
	CFG_ST_L7RSP,
	CFG_ST_L7STS,
	CFG_ST_L7TOUT,
};

#define CFG_MIN_RECV_UNSET (-1)

struct cfg_http_check;

struct cfg_check_rule {
	enum cfg_rule_kind kind;
	unsigned int line; /* in the configuration, for messages; 0: implied */
	char *comment; /* "comment" text, shown when the rule fails */

	/* connect */
	uint16_t port; /* host order; 0: the server's check port */
	struct in_addr addr; /* 0: the server's check address */
	bool linger; /* close with FIN rather than RST */

	/* send: the bytes; expect: the pattern (decoded for binary, NUL-terminated) */
	char *data;
	size_t len;
	/* send, HTTP checks: the request to build (owned); data is then unused */
	struct cfg_http_check *http;

	/* expect */
	enum cfg_match match;
	enum cfg_proto_judge judge; /* CFG_MATCH_PROTO */
	bool negate; /* "!": the rule fails if the pattern matches */
	int min_recv; /* bytes to read before judging; CFG_MIN_RECV_UNSET: as HAProxy */
	enum cfg_check_status ok_status, error_status, tout_status;
	char *on_success, *on_error; /* text shown as the check's detail */
};

struct cfg_check {
	enum cfg_check_kind kind;
	struct cfg_check_rule *rules;
	size_t nrules, cap;
	bool disable_on_404; /* http-check disable-on-404: a 404 drains the server */
	bool send_state; /* http-check send-state: X-Haproxy-Server-State header */
	const char *what; /* "option redis-check", "option httpchk"...: for messages */
};

/* Free the rules' strings and the list; the check is empty (a plain connect) again. */
void cfg_check_free(struct cfg_check *c);
/* A deep copy (defaults inherited by a backend); 0 or -ENOMEM. */
int cfg_check_copy(struct cfg_check *dst, const struct cfg_check *src);
/*
 * The rules of a check given the old way: a plain connect, or (HTTP) one
 * request and one expect as cfg_http_check holds them. 0 or -ENOMEM.
 */
int cfg_check_from_http(struct cfg_check *c, enum cfg_check_kind kind,
			const struct cfg_http_check *http);
/* A new zeroed rule of kind at the end; NULL when out of memory. */
struct cfg_check_rule *cfg_check_add(struct cfg_check *c, enum cfg_rule_kind kind,
				     unsigned int line);

#endif
