// SPDX-License-Identifier: GPL-2.0-only
/*
 * The replies of the canned checks that a pattern cannot judge: MySQL's
 * and PostgreSQL's packets, an LDAP bind response, a TLS ServerHello, an
 * SMTP reply. Each waits for a whole message, then passes or says what
 * the server answered, as HAProxy's own protocol checks do.
 */
#include <stdio.h>
#include <string.h>

#include "health/probe.h"

static enum expect_verdict fail(struct expect_outcome *o, enum check_result r, const char *fmt,
				const char *arg)
{
	o->result = r;
	snprintf(o->detail, sizeof(o->detail), fmt, arg);
	return EXPECT_FAIL;
}

/* Printable copy of at most n bytes of s, for a message. */
static const char *shown(const unsigned char *s, size_t n, char *buf, size_t len)
{
	size_t i = 0;

	for (; i < n && i + 1 < len && s[i]; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? (char)s[i] : '.';
	buf[i] = '\0';
	return buf;
}

/*
 * MySQL: a packet is a 3-byte little-endian length, a sequence number and
 * the payload. A greeting starts with protocol version 10; an OK packet
 * with 0x00; an error packet with 0xff, a 2-byte code, then (protocol 4.1)
 * '#' and a 5-character SQL state before the message.
 */
static enum expect_verdict judge_mysql(const unsigned char *b, size_t len, bool last, bool greeting,
				       struct expect_outcome *o)
{
	size_t plen;
	char msg[64];

	if (len < 5)
		return last ? fail(o, CHK_L7RSP, "%s", "truncated MySQL packet") : EXPECT_WAIT;
	plen = b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16;
	if (len < plen + 4 && !last)
		return EXPECT_WAIT;
	if (b[4] == 0xff) {
		size_t off = 7 + (len > 7 && b[7] == '#' ? 6 : 0);

		o->code = len >= 7 ? b[5] | b[6] << 8 : 0;
		o->result = CHK_L7STS;
		snprintf(o->detail, sizeof(o->detail), "MySQL error %d: %s", o->code,
			 off < len ? shown(b + off, len - off, msg, sizeof(msg)) : "");
		return EXPECT_FAIL;
	}
	if (greeting && b[4] == 0x0a) {
		snprintf(o->detail, sizeof(o->detail), "MySQL %s",
			 shown(b + 5, len - 5, msg, sizeof(msg)));
		return EXPECT_PASS;
	}
	if (!greeting && b[4] == 0x00)
		return EXPECT_PASS;
	return fail(o, CHK_L7RSP, "%s",
		    greeting ? "not a MySQL greeting" : "not a MySQL OK packet");
}

/* PostgreSQL: 'R' (an authentication request) is a live server; 'E' says why not. */
static enum expect_verdict judge_pgsql(const unsigned char *b, size_t len, bool last,
				       struct expect_outcome *o)
{
	char msg[64];

	if (len < 5)
		return last ? fail(o, CHK_L7RSP, "%s", "truncated PostgreSQL message")
			    : EXPECT_WAIT;
	if (b[0] == 'R')
		return EXPECT_PASS;
	if (b[0] == 'E') {
		/* Fields: a type byte and a C string each; 'M' is the message. */
		for (size_t i = 5; i < len; i++) {
			if (b[i] == 'M' && (i == 5 || b[i - 1] == '\0'))
				return fail(o, CHK_L7STS, "PostgreSQL error: %s",
					    shown(b + i + 1, len - i - 1, msg, sizeof(msg)));
		}
		return fail(o, CHK_L7STS, "%s", "PostgreSQL error");
	}
	return fail(o, CHK_L7RSP, "%s", "not a PostgreSQL authentication request");
}

/* A BER length at b[*i]: short form, or long form of up to 4 bytes. -1 if cut short. */
static long ber_len(const unsigned char *b, size_t len, size_t *i)
{
	size_t n;
	long v = 0;

	if (*i >= len)
		return -1;
	if (!(b[*i] & 0x80))
		return b[(*i)++];
	n = b[(*i)++] & 0x7f;
	if (n == 0 || n > 4 || *i + n > len)
		return -1;
	while (n--)
		v = v << 8 | b[(*i)++];
	return v;
}

/*
 * LDAP: SEQUENCE { messageID INTEGER, bindResponse [APPLICATION 1] {
 * resultCode ENUMERATED, ... } }: success is resultCode 0.
 */
static enum expect_verdict judge_ldap(const unsigned char *b, size_t len, bool last,
				      struct expect_outcome *o)
{
	size_t i = 1;
	long l;

	if (len < 2)
		return last ? fail(o, CHK_L7RSP, "%s", "truncated LDAP message") : EXPECT_WAIT;
	if (b[0] != 0x30)
		return fail(o, CHK_L7RSP, "%s", "not an LDAP message");
	l = ber_len(b, len, &i);
	if (l < 0 || i + (size_t)l > len)
		return last ? fail(o, CHK_L7RSP, "%s", "truncated LDAP message") : EXPECT_WAIT;
	if (i + 2 >= len || b[i] != 0x02)
		return fail(o, CHK_L7RSP, "%s", "not an LDAP message");
	i += 2 + b[i + 1]; /* messageID */
	if (i >= len || b[i] != 0x61)
		return fail(o, CHK_L7RSP, "%s", "not an LDAP bind response");
	i++;
	if (ber_len(b, len, &i) < 0 || i + 3 > len || b[i] != 0x0a || b[i + 1] != 1)
		return fail(o, CHK_L7RSP, "%s", "not an LDAP bind response");
	o->code = b[i + 2];
	if (o->code) {
		o->result = CHK_L7STS;
		snprintf(o->detail, sizeof(o->detail), "LDAP bind failed: resultCode %d", o->code);
		return EXPECT_FAIL;
	}
	return EXPECT_PASS;
}

/* TLS/SSL: any record back, a handshake (22) or an alert (21): a TLS server answered. */
static enum expect_verdict judge_ssl_hello(const unsigned char *b, size_t len, bool last,
					   struct expect_outcome *o)
{
	/* HAProxy's rule: at least a record header (5 bytes), of a handshake (22) or an alert (21). */
	if (len < 5)
		return last ? fail(o, CHK_L6RSP, "%s", "no TLS record back") : EXPECT_WAIT;
	if (b[0] == 22 || b[0] == 21)
		return EXPECT_PASS;
	return fail(o, CHK_L6RSP, "%s", "not a TLS record");
}

/*
 * SMTP: a reply is lines of three digits then '-' (more follow) or ' '
 * (the last). 2xx is good; anything else fails with the server's words.
 */
static enum expect_verdict judge_smtp(const unsigned char *b, size_t len, bool last,
				      struct expect_outcome *o)
{
	const char *s = (const char *)b, *end = s + len, *nl;
	char msg[64];

	for (;;) {
		size_t ll;

		nl = memchr(s, '\n', end - s);
		if (!nl)
			break;
		ll = nl - s - (nl > s && nl[-1] == '\r'); /* the line without its CRLF */
		if (nl - s < 4 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
		    s[2] < '0' || s[2] > '9' || (s[3] != ' ' && s[3] != '-' && s[3] != '\r'))
			return fail(o, CHK_L7RSP, "not an SMTP reply: %s",
				    shown((const unsigned char *)s, ll, msg, sizeof(msg)));
		if (s[3] != '-') {
			o->code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
			if (s[0] == '2')
				return EXPECT_PASS;
			o->result = CHK_L7STS;
			snprintf(o->detail, sizeof(o->detail), "SMTP %s",
				 shown((const unsigned char *)s, ll, msg, sizeof(msg)));
			return EXPECT_FAIL;
		}
		s = nl + 1;
	}
	return last ? fail(o, CHK_L7RSP, "%s", "no complete SMTP reply") : EXPECT_WAIT;
}

enum expect_verdict check_judge_proto(const struct cfg_check_rule *r, const char *buf, size_t len,
				      bool last, struct expect_outcome *o)
{
	const unsigned char *b = (const unsigned char *)buf;

	switch (r->judge) {
	case CFG_JUDGE_MYSQL:
		/* The pattern says which packet: "greeting" or "ok". */
		return judge_mysql(b, len, last, !r->data || !strcmp(r->data, "greeting"), o);
	case CFG_JUDGE_PGSQL:
		return judge_pgsql(b, len, last, o);
	case CFG_JUDGE_LDAP:
		return judge_ldap(b, len, last, o);
	case CFG_JUDGE_SSL_HELLO:
		return judge_ssl_hello(b, len, last, o);
	case CFG_JUDGE_SMTP:
		return judge_smtp(b, len, last, o);
	case CFG_JUDGE_NONE:
		break;
	}
	return fail(o, CHK_L7RSP, "%s", "no judge for this reply");
}
