// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tcp-check rules "option tcp-check" runs: connect (to another port
 * or address if given), send, send-binary (hex), their -lf forms when the
 * text holds no log-format expression, expect, and comment. What the
 * bytes mean and when an expect is conclusive is the health layer's.
 */
#include <stdlib.h>
#include <string.h>

#include "config/parser.h"
#include "config/why.h"

static void parse_tc_connect(struct parser *p, const struct directive *d)
{
	parse_check_connect(p, d, &p->px.s.tc, &p->px.tc_rules_here);
}

static void parse_tc_expect(struct parser *p, const struct directive *d)
{
	parse_check_expect(p, d, &p->px.s.tc, &p->px.tc_rules_here, CFG_CHECK_TCP);
}

/* send, send-lf, send-binary, send-binary-lf: DATA [comment TEXT] */
static void parse_tc_send(struct parser *p, const struct directive *d)
{
	const char *k = d->argv[0];
	bool binary = strstr(k, "binary") != NULL, lf = strstr(k, "-lf") != NULL;
	struct cfg_check_rule *r;
	char *data = NULL;
	size_t len = 0;

	if (d->argc != 2 && !(d->argc == 4 && !strcmp(d->argv[2], "comment"))) {
		perr(p,
		     "'%s' takes the data and an optional 'comment TEXT' (quote data with spaces)",
		     d->name);
		return;
	}
	if (lf && !check_literal_fmt(p, d->name, d->argv[1]))
		return;
	if (binary) {
		if (!check_unhex(p, d->name, d->argv[1], &data, &len))
			return;
	} else {
		len = strlen(d->argv[1]);
		data = strdup(d->argv[1]);
		if (!data) {
			p->oom = true;
			return;
		}
	}
	r = check_rule_add(p, &p->px.s.tc, &p->px.tc_rules_here, CFG_RULE_SEND);
	if (!r) {
		free(data);
		return;
	}
	r->data = data;
	r->len = len;
	if (d->argc == 4) {
		free(r->comment);
		r->comment = strdup(d->argv[3]);
	}
}

const struct kw tcp_check_kws[] = {
	KW("connect", IN_DEF | IN_BE, parse_tc_connect, 0, -1,
	   "tcp-check connect [port N] [addr IP] [linger] [comment TEXT]", 0),
	KW("send", IN_DEF | IN_BE, parse_tc_send, 1, 3, "tcp-check send DATA [comment TEXT]", 0),
	KW("send-lf", IN_DEF | IN_BE, parse_tc_send, 1, 3, "tcp-check send-lf TEXT [comment TEXT]",
	   0),
	KW("send-binary", IN_DEF | IN_BE, parse_tc_send, 1, 3,
	   "tcp-check send-binary HEX [comment TEXT]", 0),
	KW("send-binary-lf", IN_DEF | IN_BE, parse_tc_send, 1, 3,
	   "tcp-check send-binary-lf HEX [comment TEXT]", 0),
	KW("expect", IN_DEF | IN_BE, parse_tc_expect, 1, -1,
	   "tcp-check expect [options] [!] string TEXT|rstring REGEX|binary HEX|rbinary REGEX", 0),
	KW("comment", IN_DEF | IN_BE, parse_check_comment, 1, 1, "tcp-check comment TEXT", 0),
	REFUSE_PREFIX("set-var(", IN_DEF | IN_BE, WHY_CHECK_VARS),
	REFUSE_PREFIX("set-var-fmt(", IN_DEF | IN_BE, WHY_CHECK_VARS),
	REFUSE_PREFIX("unset-var(", IN_DEF | IN_BE, WHY_CHECK_VARS),
	KW_END,
};
