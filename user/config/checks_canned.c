// SPDX-License-Identifier: GPL-2.0-only
/*
 * The canned checks HAProxy ships, as rule lists: what each sends and how
 * its reply is judged. redis-check and smtpchk are plain text; mysql-check,
 * pgsql-check, ldap-check and ssl-hello-chk speak their protocol's first
 * message, built here byte by byte, and leave the reply to a protocol
 * judge (health/judge_proto.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/checks.h"
#include "config/checks_canned.h"

/* A growing byte string for the binary messages. */
struct bytes {
	unsigned char b[512];
	size_t n;
	bool full;
};

static void put(struct bytes *m, const void *p, size_t n)
{
	if (m->n + n > sizeof(m->b)) {
		m->full = true;
		return;
	}
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put8(struct bytes *m, unsigned int v)
{
	unsigned char c = v;

	put(m, &c, 1);
}

static void put16be(struct bytes *m, unsigned int v)
{
	put8(m, v >> 8);
	put8(m, v);
}

static void put_le(struct bytes *m, unsigned long v, int n)
{
	while (n--) {
		put8(m, v & 0xff);
		v >>= 8;
	}
}

/* Write a big-endian length of width bytes at off, now that what follows is known. */
static void patch_be(struct bytes *m, size_t off, int width, size_t len)
{
	for (int i = width - 1; i >= 0; i--, len >>= 8)
		if (off + i < m->n)
			m->b[off + i] = len & 0xff;
}

static struct cfg_check_rule *add_send(struct cfg_check *c, unsigned int line, const void *data,
				       size_t len)
{
	struct cfg_check_rule *r = cfg_check_add(c, CFG_RULE_SEND, line);

	if (!r)
		return NULL;
	r->data = malloc(len + 1);
	if (!r->data)
		return NULL;
	memcpy(r->data, data, len);
	r->data[len] = '\0';
	r->len = len;
	return r;
}

static struct cfg_check_rule *add_expect(struct cfg_check *c, unsigned int line,
					 enum cfg_match match, enum cfg_proto_judge judge,
					 const char *pattern)
{
	struct cfg_check_rule *r = cfg_check_add(c, CFG_RULE_EXPECT, line);

	if (!r)
		return NULL;
	r->match = match;
	r->judge = judge;
	if (pattern) {
		r->data = strdup(pattern);
		if (!r->data)
			return NULL;
		r->len = strlen(pattern);
	}
	return r;
}

/* HAProxy's redis-check: PING, and +PONG back. */
static int canned_redis(struct cfg_check *c, unsigned int line)
{
	return add_send(c, line, "PING\r\n", 6) &&
			       add_expect(c, line, CFG_MATCH_STRING, CFG_JUDGE_NONE, "+PONG")
		       ? 0
		       : -ENOMEM;
}

/* smtpchk [HELO|EHLO domain]: the greeting, the hello's answer, both 2xx; then QUIT. */
static int canned_smtp(struct cfg_check *c, unsigned int line, const char *verb, const char *domain)
{
	char hello[300];
	int n = snprintf(hello, sizeof(hello), "%s %s\r\n", verb ? verb : "HELO",
			 domain ? domain : "localhost");

	if (n < 0 || (size_t)n >= sizeof(hello))
		return -EINVAL;
	return add_expect(c, line, CFG_MATCH_PROTO, CFG_JUDGE_SMTP, NULL) &&
			       add_send(c, line, hello, n) &&
			       add_expect(c, line, CFG_MATCH_PROTO, CFG_JUDGE_SMTP, NULL) &&
			       add_send(c, line, "QUIT\r\n", 6)
		       ? 0
		       : -ENOMEM;
}

/*
 * mysql-check [user U [post-41|pre-41]]. Without a user: the greeting only.
 * With one: a login without a password (the user must exist and need
 * none, as HAProxy requires) sent with COM_QUIT behind it, as HAProxy
 * sends them, then its OK packet. The check reports the greeting's server
 * version either way, as HAProxy's does.
 */
static int canned_mysql(struct cfg_check *c, unsigned int line, const char *user, bool pre41)
{
	static const unsigned char quit[] = { 1, 0, 0, 0, 1 };
	struct bytes m = {};
	size_t ulen;

	if (!add_expect(c, line, CFG_MATCH_PROTO, CFG_JUDGE_MYSQL, "greeting"))
		return -ENOMEM;
	if (!user)
		return 0;
	ulen = strlen(user);
	put(&m, "\0\0\0\1", 4); /* length, patched below; sequence 1 answers the greeting */
	if (pre41) {
		put_le(&m, 0x0005, 2); /* LONG_PASSWORD | LONG_FLAG */
		put_le(&m, 0x010000, 3); /* max packet */
		put(&m, user, ulen + 1);
		put8(&m, 0); /* an empty password */
	} else {
		/* LONG_PASSWORD | LONG_FLAG | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION */
		put_le(&m, 0xa205, 4);
		put_le(&m, 0x01000000, 4); /* max packet */
		put8(&m, 0x21); /* utf8_general_ci */
		for (int i = 0; i < 23; i++)
			put8(&m, 0);
		put(&m, user, ulen + 1);
		put8(&m, 0); /* an empty auth response */
	}
	m.b[0] = (m.n - 4) & 0xff;
	m.b[1] = (m.n - 4) >> 8 & 0xff;
	m.b[2] = (m.n - 4) >> 16 & 0xff;
	put(&m, quit, sizeof(quit));
	if (m.full)
		return -EINVAL;
	return add_send(c, line, m.b, m.n) &&
			       add_expect(c, line, CFG_MATCH_PROTO, CFG_JUDGE_MYSQL, "ok")
		       ? 0
		       : -ENOMEM;
}

/* pgsql-check user U: a protocol 3.0 StartupMessage; an authentication request means alive. */
static int canned_pgsql(struct cfg_check *c, unsigned int line, const char *user)
{
	struct bytes m = {};

	put(&m, "\0\0\0\0", 4);
	put16be(&m, 3);
	put16be(&m, 0);
	put(&m, "user", 5);
	put(&m, user, strlen(user) + 1);
	put8(&m, 0);
	if (m.full)
		return -EINVAL;
	patch_be(&m, 0, 4, m.n);
	return add_send(c, line, m.b, m.n) &&
			       add_expect(c, line, CFG_MATCH_PROTO, CFG_JUDGE_PGSQL, NULL)
		       ? 0
		       : -ENOMEM;
}

/* ldap-check: an anonymous LDAPv3 simple bind, messageID 1. */
static int canned_ldap(struct cfg_check *c, unsigned int line)
{
	static const unsigned char bind[] = { 0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07,
					      0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00 };

	return add_send(c, line, bind, sizeof(bind)) &&
			       add_expect(c, line, CFG_MATCH_PROTO, CFG_JUDGE_LDAP, NULL)
		       ? 0
		       : -ENOMEM;
}

/*
 * ssl-hello-chk: a TLS ClientHello (TLS 1.2, offering 1.3 too) with the
 * suites and groups any current server takes. Its key_share is empty, as
 * RFC 8446 allows, so a TLS 1.3 server answers with a HelloRetryRequest
 * (a ServerHello) instead of a missing_extension alert. As HAProxy's, the
 * check passes on any TLS record back, handshake or alert: either way a
 * TLS server answered.
 */
static void client_hello(struct bytes *m)
{
	static const unsigned int suites[] = { 0x1301, 0x1302, 0xc02b, 0xc02f, 0xc02c,
					       0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
					       0x009c, 0x009d, 0x002f, 0x0035 };
	static const unsigned int sigalgs[] = { 0x0403, 0x0503, 0x0804, 0x0805,
						0x0401, 0x0501, 0x0601, 0x0201 };
	size_t rec, hs, ext;

	put8(m, 22); /* handshake record */
	put16be(m, 0x0301);
	rec = m->n;
	put16be(m, 0);
	put8(m, 1); /* ClientHello */
	hs = m->n;
	put(m, "\0\0\0", 3);
	put16be(m, 0x0303);
	for (int i = 0; i < 32; i++)
		put8(m, 0x52 + i); /* the random: any bytes do for a probe */
	put8(m, 0); /* no session id */
	put16be(m, 2 * (sizeof(suites) / sizeof(suites[0])));
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		put16be(m, suites[i]);
	put(m, "\1\0", 2); /* compression: null only */
	ext = m->n;
	put16be(m, 0);
	put(m, "\x00\x0a\x00\x08\x00\x06\x00\x1d\x00\x17\x00\x18", 12); /* groups */
	put(m, "\x00\x0b\x00\x02\x01\x00", 6); /* point formats: uncompressed */
	put16be(m, 0x000d);
	put16be(m, 2 + 2 * (sizeof(sigalgs) / sizeof(sigalgs[0])));
	put16be(m, 2 * (sizeof(sigalgs) / sizeof(sigalgs[0])));
	for (size_t i = 0; i < sizeof(sigalgs) / sizeof(sigalgs[0]); i++)
		put16be(m, sigalgs[i]);
	put(m, "\x00\x2b\x00\x05\x04\x03\x04\x03\x03", 9); /* versions: 1.3, 1.2 */
	put(m, "\x00\x33\x00\x02\x00\x00", 6); /* key_share: none yet */
	put(m, "\xff\x01\x00\x01\x00", 5); /* renegotiation_info, empty */
	patch_be(m, ext, 2, m->n - ext - 2);
	patch_be(m, hs, 3, m->n - hs - 3);
	patch_be(m, rec, 2, m->n - rec - 2);
}

static int canned_ssl_hello(struct cfg_check *c, unsigned int line)
{
	struct bytes m = {};
	struct cfg_check_rule *r;

	client_hello(&m);
	if (m.full)
		return -EINVAL;
	if (!add_send(c, line, m.b, m.n))
		return -ENOMEM;
	r = add_expect(c, line, CFG_MATCH_PROTO, CFG_JUDGE_SSL_HELLO, NULL);
	if (!r)
		return -ENOMEM;
	r->ok_status = CFG_ST_L6OK;
	return 0;
}

int cfg_check_canned(struct cfg_check *c, enum cfg_canned which, const char *arg1, const char *arg2,
		     bool flag, unsigned int line)
{
	static const char *const names[] = {
		[CFG_CANNED_REDIS] = "option redis-check",
		[CFG_CANNED_SMTP] = "option smtpchk",
		[CFG_CANNED_MYSQL] = "option mysql-check",
		[CFG_CANNED_PGSQL] = "option pgsql-check",
		[CFG_CANNED_LDAP] = "option ldap-check",
		[CFG_CANNED_SSL_HELLO] = "option ssl-hello-chk",
	};
	int err;

	cfg_check_free(c);
	c->kind = CFG_CHECK_TCP;
	c->what = names[which];
	switch (which) {
	case CFG_CANNED_REDIS:
		err = canned_redis(c, line);
		break;
	case CFG_CANNED_SMTP:
		err = canned_smtp(c, line, arg1, arg2);
		break;
	case CFG_CANNED_MYSQL:
		err = canned_mysql(c, line, arg1, flag);
		break;
	case CFG_CANNED_PGSQL:
		err = canned_pgsql(c, line, arg1 ? arg1 : "");
		break;
	case CFG_CANNED_LDAP:
		err = canned_ldap(c, line);
		break;
	case CFG_CANNED_SSL_HELLO:
		err = canned_ssl_hello(c, line);
		break;
	default:
		err = -EINVAL;
	}
	if (err)
		cfg_check_free(c);
	return err;
}
