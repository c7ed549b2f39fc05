// SPDX-License-Identifier: GPL-2.0-only
/*
 * tcp-check rules (user/config/kw_tcpcheck.c, kw_checkrule.c) and the
 * canned check options as the parser reads them: the rule lists they make,
 * HAProxy's grammar and order, and each refusal.
 */
#include "cfgtest.h"

static const struct cfg_check *check_of(const char *lines, struct rpilb_config *cfg,
					struct cfg_diags *d)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", BASE, lines);
	parse_ok(text, cfg, d);
	assert_int_equal(d->count, 0);
	return &cfg->backends[0].check;
}

static void done(struct rpilb_config *cfg, struct cfg_diags *d)
{
	cfg_free(cfg);
	cfg_diags_free(d);
}

/* MQTT in the shape homelab files use: CONNECT in hex, CONNACK "accepted" back. */
static void test_mqtt_sequence(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_check *c;

	(void)state;
	c = check_of("\toption tcp-check\n\ttcp-check connect port 1883\n"
		     "\ttcp-check send-binary 101000044d5154540402003c0000\n"
		     "\ttcp-check expect binary 20020000\n",
		     &cfg, &d);
	assert_int_equal(c->kind, CFG_CHECK_TCP);
	assert_int_equal(c->nrules, 3);
	assert_int_equal(c->rules[0].kind, CFG_RULE_CONNECT);
	assert_int_equal(c->rules[0].port, 1883);
	assert_int_equal(c->rules[0].line, 7);
	assert_int_equal(c->rules[1].kind, CFG_RULE_SEND);
	assert_int_equal(c->rules[1].len, 14);
	assert_memory_equal(c->rules[1].data, "\x10\x10\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", 14);
	assert_int_equal(c->rules[2].kind, CFG_RULE_EXPECT);
	assert_int_equal(c->rules[2].match, CFG_MATCH_BINARY);
	assert_int_equal(c->rules[2].len, 4);
	assert_memory_equal(c->rules[2].data, "\x20\x02\x00\x00", 4);
	done(&cfg, &d);
}

/* Redis master detection: two exchanges on one connection, an implied connect first. */
static void test_redis_sequence(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_check *c;

	(void)state;
	c = check_of("\toption tcp-check\n\ttcp-check send PING\\r\\n\n"
		     "\ttcp-check expect string +PONG\n"
		     "\ttcp-check send \"info replication\\r\\n\"\n"
		     "\ttcp-check expect rstring role:master\n"
		     "\ttcp-check send QUIT\\r\\n comment bye\n",
		     &cfg, &d);
	assert_int_equal(c->nrules, 5);
	assert_int_equal(c->rules[0].kind, CFG_RULE_SEND);
	assert_string_equal(c->rules[0].data, "PING\r\n");
	assert_int_equal(c->rules[0].len, 6);
	assert_string_equal(c->rules[1].data, "+PONG");
	assert_int_equal(c->rules[1].match, CFG_MATCH_STRING);
	assert_string_equal(c->rules[2].data, "info replication\r\n");
	assert_int_equal(c->rules[3].match, CFG_MATCH_RSTRING);
	assert_string_equal(c->rules[3].data, "role:master");
	assert_string_equal(c->rules[4].comment, "bye");
	done(&cfg, &d);
}

/* Options may stand before or after the pattern; "!" alone or glued, and it toggles. */
static void test_expect_grammar(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_check *c;

	(void)state;
	c = check_of("\toption tcp-check\n"
		     "\ttcp-check expect min-recv 4 string 220 on-success \"banner ok\" "
		     "on-error down comment banner error-status L7RSP\n"
		     "\ttcp-check expect !rstring ^5\n"
		     "\ttcp-check expect ! !string OK\n"
		     "\ttcp-check comment \"second reply\"\n"
		     "\ttcp-check expect rbinary ^2002\n",
		     &cfg, &d);
	assert_int_equal(c->nrules, 4);
	assert_int_equal(c->rules[0].min_recv, 4);
	assert_string_equal(c->rules[0].data, "220");
	assert_string_equal(c->rules[0].on_success, "banner ok");
	assert_string_equal(c->rules[0].on_error, "down");
	assert_string_equal(c->rules[0].comment, "banner");
	assert_int_equal(c->rules[0].error_status, CFG_ST_L7RSP);
	assert_false(c->rules[0].negate);
	assert_true(c->rules[1].negate);
	assert_int_equal(c->rules[1].match, CFG_MATCH_RSTRING);
	assert_int_equal(c->rules[1].min_recv, CFG_MIN_RECV_UNSET);
	assert_false(c->rules[2].negate);
	/* A comment line names the rule after it. */
	assert_string_equal(c->rules[3].comment, "second reply");
	assert_int_equal(c->rules[3].match, CFG_MATCH_RBINARY);
	done(&cfg, &d);
}

static void test_tcp_check_errors(void **state)
{
	(void)state;
	expect_error(BASE "\toption tcp-check\n\ttcp-check send-binary 10zz\n", 7,
		     "'tcp-check send-binary' needs an even number of hex digits, not '10zz'");
	expect_error(BASE "\toption tcp-check\n\ttcp-check expect\n", 7,
		     "'tcp-check expect' is missing an argument");
	expect_error(BASE "\toption tcp-check\n\ttcp-check expect min-recv 4\n", 7,
		     "'tcp-check expect' needs a matcher and a pattern");
	expect_error(BASE "\toption tcp-check\n\ttcp-check expect string\n", 7,
		     "'tcp-check expect string' needs a pattern");
	expect_error(
		BASE "\toption tcp-check\n\ttcp-check expect string OK bogus\n", 7,
		"'tcp-check expect' takes one matcher and one pattern: 'bogus' is one too many");
	expect_error(
		BASE "\toption tcp-check\n\ttcp-check expect status 200\n", 7,
		"unknown 'tcp-check expect' matcher 'status' (expected string, rstring, binary or rbinary)");
	expect_error(BASE "\toption tcp-check\n\ttcp-check expect rstring ^(\n", 7,
		     "bad regular expression '^(' in 'tcp-check expect'");
	expect_error(BASE "\toption tcp-check\n\ttcp-check connect port 99999\n", 7,
		     "'tcp-check connect port' expects an integer in 1..65535, not '99999'");
	expect_error(BASE "\toption tcp-check\n\ttcp-check connect ssl\n", 7,
		     "'tcp-check connect ssl' is not supported: rpilb's checks are plain TCP");
	expect_error(BASE "\toption tcp-check\n\ttcp-check send a b\n", 7,
		     "'tcp-check send' takes the data and an optional 'comment TEXT'");
	expect_error(
		BASE "\toption tcp-check\n\ttcp-check set-var(check.x) int(1)\n", 7,
		"'tcp-check set-var(check.x)' is not supported: rpilb's checks keep no variables");
	/* HAProxy: a connect anywhere means the first rule must be one. */
	expect_error(BASE "\toption tcp-check\n\ttcp-check expect string ERR\n"
			  "\ttcp-check connect port 6379\n",
		     7, "the first 'tcp-check' rule must be a 'connect' when there is one");
}

static void test_tcp_check_without_option(void **state)
{
	(void)state;
	expect_warning(BASE "\ttcp-check send PING\n", 6,
		       "'tcp-check' rules have no effect without 'option tcp-check'");
}

/* A backend with rules of its own drops the ones defaults had (HAProxy). */
static void test_tcp_check_rules_inherit(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;

	(void)state;
	parse_ok("defaults\n\toption tcp-check\n\ttcp-check send PING\\r\\n\n"
		 "\ttcp-check expect string +PONG\n" BASE "\ttcp-check connect port 26379\n"
		 "backend c\n\tserver s 10.0.0.2:6379\n",
		 &cfg, &d);
	assert_int_equal(cfg.backends[0].check.nrules, 1);
	assert_int_equal(cfg.backends[0].check.rules[0].port, 26379);
	assert_int_equal(cfg.backends[1].check.nrules, 2);
	assert_string_equal(cfg.backends[1].check.rules[1].data, "+PONG");
	done(&cfg, &d);
}

/* The canned options as written in the files that use them. */
static void test_canned_options(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d;
	const struct cfg_check *c;

	(void)state;
	c = check_of("\toption redis-check\n", &cfg, &d);
	assert_string_equal(c->what, "option redis-check");
	assert_int_equal(c->nrules, 2);
	assert_string_equal(c->rules[0].data, "PING\r\n");
	done(&cfg, &d);

	c = check_of("\toption smtpchk EHLO pi.local\n", &cfg, &d);
	assert_int_equal(c->nrules, 4);
	assert_string_equal(c->rules[1].data, "EHLO pi.local\r\n");
	done(&cfg, &d);

	c = check_of("\toption mysql-check user haproxy post-41\n", &cfg, &d);
	assert_string_equal(c->what, "option mysql-check");
	/* greeting, the login with a QUIT behind it, its OK */
	assert_int_equal(c->nrules, 3);
	assert_int_equal(c->rules[1].kind, CFG_RULE_SEND);
	assert_int_equal(c->rules[2].judge, CFG_JUDGE_MYSQL);
	done(&cfg, &d);

	c = check_of("\toption pgsql-check user patroni\n", &cfg, &d);
	assert_int_equal(c->rules[c->nrules - 1].judge, CFG_JUDGE_PGSQL);
	done(&cfg, &d);

	c = check_of("\toption ldap-check\n", &cfg, &d);
	assert_int_equal(c->rules[c->nrules - 1].judge, CFG_JUDGE_LDAP);
	done(&cfg, &d);

	c = check_of("\toption ssl-hello-chk\n", &cfg, &d);
	assert_int_equal(c->rules[c->nrules - 1].judge, CFG_JUDGE_SSL_HELLO);
	done(&cfg, &d);

	/* The last check option wins, as in HAProxy. */
	c = check_of("\toption redis-check\n\toption ldap-check\n", &cfg, &d);
	assert_string_equal(c->what, "option ldap-check");
	done(&cfg, &d);
}

static void test_canned_option_errors(void **state)
{
	(void)state;
	expect_error(BASE "\toption pgsql-check\n", 6,
		     "'option pgsql-check' needs 'user NAME': PostgreSQL names the user at once");
	expect_error(
		BASE "\toption external-check\n", 6,
		"'option external-check' is not supported: rpilb runs no commands to check servers");
	expect_warning(BASE "\toption mysql-check\n", 6,
		       "'option mysql-check' without a user only reads the greeting");
}

int main(void)
{
	const struct CMUnitTest g0[] = {
		cmocka_unit_test(test_mqtt_sequence),
		cmocka_unit_test(test_redis_sequence),
		cmocka_unit_test(test_expect_grammar),
		cmocka_unit_test(test_tcp_check_errors),
		cmocka_unit_test(test_tcp_check_without_option),
		cmocka_unit_test(test_tcp_check_rules_inherit),
		cmocka_unit_test(test_canned_options),
		cmocka_unit_test(test_canned_option_errors),
	};

	return cmocka_run_group_tests_name("tcp-check and canned checks", g0, NULL, NULL) ? 1 : 0;
}
