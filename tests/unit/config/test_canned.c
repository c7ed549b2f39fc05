// SPDX-License-Identifier: GPL-2.0-only
/*
 * The canned checks' rule lists (config/checks_canned.c): the exact bytes
 * each sends and how its reply is judged, so that a MySQL, PostgreSQL or
 * LDAP server, or any TLS server, reads what its protocol says.
 */
#include <stdio.h>

#include "config/checks_canned.h"
#include "testutil.h"

static void assert_bytes(const struct cfg_check_rule *r, const void *want, size_t len)
{
	assert_int_equal(r->kind, CFG_RULE_SEND);
	assert_int_equal(r->len, len);
	assert_memory_equal(r->data, want, len);
}

static void assert_expect(const struct cfg_check_rule *r, enum cfg_match m, enum cfg_proto_judge j)
{
	assert_int_equal(r->kind, CFG_RULE_EXPECT);
	assert_int_equal(r->match, m);
	assert_int_equal(r->judge, j);
}

static void redis(void **state)
{
	struct cfg_check c = {};

	(void)state;
	assert_int_equal(cfg_check_canned(&c, CFG_CANNED_REDIS, NULL, NULL, false, 7), 0);
	assert_string_equal(c.what, "option redis-check");
	assert_int_equal(c.nrules, 2);
	assert_bytes(&c.rules[0], "PING\r\n", 6);
	assert_int_equal(c.rules[0].line, 7);
	assert_expect(&c.rules[1], CFG_MATCH_STRING, CFG_JUDGE_NONE);
	assert_string_equal(c.rules[1].data, "+PONG");
	cfg_check_free(&c);
	assert_int_equal(c.nrules, 0);
}

static void smtp(void **state)
{
	struct cfg_check c = {};

	(void)state;
	assert_int_equal(cfg_check_canned(&c, CFG_CANNED_SMTP, NULL, NULL, false, 1), 0);
	assert_int_equal(c.nrules, 4);
	assert_expect(&c.rules[0], CFG_MATCH_PROTO, CFG_JUDGE_SMTP);
	assert_bytes(&c.rules[1], "HELO localhost\r\n", 16);
	assert_expect(&c.rules[2], CFG_MATCH_PROTO, CFG_JUDGE_SMTP);
	assert_bytes(&c.rules[3], "QUIT\r\n", 6);
	assert_int_equal(cfg_check_canned(&c, CFG_CANNED_SMTP, "EHLO", "pi.lan", false, 1), 0);
	assert_bytes(&c.rules[1], "EHLO pi.lan\r\n", 13);
	cfg_check_free(&c);
}

static void mysql(void **state)
{
	/* HandshakeResponse41 for "haproxy", no password, sequence 1. */
	static const unsigned char login41[] = {
		0x29, 0x00, 0x00, 0x01, /* 41 bytes, sequence 1 */
		0x05, 0xa2, 0x00, 0x00, /* client flags */
		0x00, 0x00, 0x00, 0x01, /* max packet */
		0x21, /* charset */
		0,    0,    0,	  0,	0,   0,	  0,   0, 0, 0, 0, 0, /* filler, */
		0,    0,    0,	  0,	0,   0,	  0,   0, 0, 0, 0, /* 23 bytes */
		'h',  'a',  'p',  'r',	'o', 'x', 'y', 0, /* user */
		0, /* no password */
	};
	static const unsigned char login320[] = { 0x0e, 0x00, 0x00, 0x01, 0x05, 0x00,
						  0x00, 0x00, 0x01, 'h',  'a',	'p',
						  'r',	'o',  'x',  'y',  0,	0 };
	static const unsigned char quit[] = { 1, 0, 0, 0, 1 };
	struct cfg_check c = {};

	(void)state;
	assert_int_equal(cfg_check_canned(&c, CFG_CANNED_MYSQL, NULL, NULL, false, 1), 0);
	assert_int_equal(c.nrules, 1);
	assert_expect(&c.rules[0], CFG_MATCH_PROTO, CFG_JUDGE_MYSQL);
	assert_string_equal(c.rules[0].data, "greeting");

	assert_int_equal(cfg_check_canned(&c, CFG_CANNED_MYSQL, "haproxy", NULL, false, 1), 0);
	/* The login and COM_QUIT go in one send, as HAProxy's do. */
	assert_int_equal(c.nrules, 3);
	assert_int_equal(c.rules[1].len, sizeof(login41) + sizeof(quit));
	assert_memory_equal(c.rules[1].data, login41, sizeof(login41));
	assert_memory_equal(c.rules[1].data + sizeof(login41), quit, sizeof(quit));
	assert_expect(&c.rules[2], CFG_MATCH_PROTO, CFG_JUDGE_MYSQL);
	assert_string_equal(c.rules[2].data, "ok");

	assert_int_equal(cfg_check_canned(&c, CFG_CANNED_MYSQL, "haproxy", NULL, true, 1), 0);
	assert_int_equal(c.rules[1].len, sizeof(login320) + sizeof(quit));
	assert_memory_equal(c.rules[1].data, login320, sizeof(login320));
	cfg_check_free(&c);
}

static void pgsql(void **state)
{
	static const unsigned char startup[] = { 0,   0,   0,	0x17, 0,   3,	0,   0,
						 'u', 's', 'e', 'r',  0,   'p', 'o', 's',
						 't', 'g', 'r', 'e',  's', 0,	0 };
	struct cfg_check c = {};

	(void)state;
	assert_int_equal(cfg_check_canned(&c, CFG_CANNED_PGSQL, "postgres", NULL, false, 1), 0);
	assert_int_equal(c.nrules, 2);
	assert_bytes(&c.rules[0], startup, sizeof(startup));
	assert_expect(&c.rules[1], CFG_MATCH_PROTO, CFG_JUDGE_PGSQL);
	cfg_check_free(&c);
}

static void ldap(void **state)
{
	static const unsigned char bind[] = { 0x30, 0x0c, 0x02, 0x01, 0x01, 0x60, 0x07,
					      0x02, 0x01, 0x03, 0x04, 0x00, 0x80, 0x00 };
	struct cfg_check c = {};

	(void)state;
	assert_int_equal(cfg_check_canned(&c, CFG_CANNED_LDAP, NULL, NULL, false, 1), 0);
	assert_bytes(&c.rules[0], bind, sizeof(bind));
	assert_expect(&c.rules[1], CFG_MATCH_PROTO, CFG_JUDGE_LDAP);
	cfg_check_free(&c);
}

/* The ClientHello's nested lengths agree with each other and with its size. */
static void ssl_hello(void **state)
{
	struct cfg_check c = {};
	const unsigned char *b;
	size_t n, ext, off;

	(void)state;
	assert_int_equal(cfg_check_canned(&c, CFG_CANNED_SSL_HELLO, NULL, NULL, false, 1), 0);
	assert_int_equal(c.nrules, 2);
	assert_int_equal(c.rules[1].ok_status, CFG_ST_L6OK);
	assert_expect(&c.rules[1], CFG_MATCH_PROTO, CFG_JUDGE_SSL_HELLO);
	b = (const unsigned char *)c.rules[0].data;
	n = c.rules[0].len;
	assert_true(n > 9);
	assert_int_equal(b[0], 22);
	assert_int_equal(b[1] << 8 | b[2], 0x0301);
	assert_int_equal((size_t)(b[3] << 8 | b[4]), n - 5);
	assert_int_equal(b[5], 1);
	assert_int_equal((size_t)(b[6] << 16 | b[7] << 8 | b[8]), n - 9);
	assert_int_equal(b[9] << 8 | b[10], 0x0303);
	off = 11 + 32;
	off += 1 + b[off]; /* session id */
	off += 2 + (b[off] << 8 | b[off + 1]); /* suites */
	off += 1 + b[off]; /* compression */
	ext = b[off] << 8 | b[off + 1];
	assert_int_equal(off + 2 + ext, n);
	/* The extensions in turn; key_share (51) is there and empty (RFC 8446 4.2.8). */
	for (off += 2; off + 4 <= n; off += 4 + (b[off + 2] << 8 | b[off + 3]))
		if ((b[off] << 8 | b[off + 1]) == 51)
			break;
	assert_true(off + 6 <= n);
	assert_int_equal(b[off + 2] << 8 | b[off + 3], 2);
	assert_int_equal(b[off + 4] << 8 | b[off + 5], 0);
	cfg_check_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(redis), cmocka_unit_test(smtp), cmocka_unit_test(mysql),
		cmocka_unit_test(pgsql), cmocka_unit_test(ldap), cmocka_unit_test(ssl_hello),
	};

	return cmocka_run_group_tests_name("canned checks", tests, NULL, NULL);
}
