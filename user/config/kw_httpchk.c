// SPDX-License-Identifier: GPL-2.0-only
/*
 * Choosing a backend's check: "option httpchk" in each of HAProxy's forms
 * with its http-check rules (connect, send, expect, comment,
 * disable-on-404, send-state), "option tcp-check" (its rules are in
 * kw_tcpcheck.c), the canned options (redis-check, mysql-check, ...), and
 * commit_check(), which builds the rule list a backend's checks run when
 * the backend is committed: each send merged with option httpchk's
 * request, as HAProxy does.
 */
#include <stdio.h>
#include <string.h>

#include "config/checks_canned.h"
#include "config/parser.h"
#include "config/why.h"

static bool append_header(struct parser *p, char *buf, size_t size, const char *name, size_t nlen,
			  const char *sep, const char *value, size_t vlen)
{
	size_t used = strlen(buf), need = nlen + strlen(sep) + vlen + 2;

	if (used + need >= size) {
		perr(p, "HTTP check headers are too long (max %zu bytes)", size - 1);
		return false;
	}
	memcpy(buf + used, name, nlen);
	used += nlen;
	memcpy(buf + used, sep, strlen(sep));
	used += strlen(sep);
	memcpy(buf + used, value, vlen);
	used += vlen;
	memcpy(buf + used, "\r\n", 3);
	return true;
}

/*
 * The old "option httpchk METH URI VER\r\nHeader:value" form hides header
 * lines in the version argument: split them off, one header per line.
 */
static bool set_version_and_headers(struct parser *p, struct http_layer *h, const char *v)
{
	size_t vlen = strcspn(v, "\r\n");
	const char *line = v + vlen;
	char ver[sizeof(h->version)];

	if (!vlen) {
		perr(p, "bad HTTP version '%.64s' in the check request", v);
		return false;
	}
	if (vlen >= sizeof(ver)) {
		perr(p, "HTTP version '%.*s' is too long (max %zu bytes)",
		     (int)(vlen > 64 ? 64 : vlen), v, sizeof(ver) - 1);
		return false;
	}
	memcpy(ver, v, vlen);
	ver[vlen] = '\0';
	if (!set_field(p, "HTTP version", h->version, sizeof(h->version), ver, is_visible))
		return false;
	while (*line) {
		size_t len, nlen;
		const char *colon;

		line += strspn(line, "\r\n");
		len = strcspn(line, "\r\n");
		if (!len)
			break;
		colon = memchr(line, ':', len);
		nlen = colon ? (size_t)(colon - line) : 0;
		if (!colon || !nlen) {
			perr(p, "header line '%.*s' in the check request has no 'name:'",
			     (int)(len > 64 ? 64 : len), line);
			return false;
		}
		for (const char *c = line; c < line + len; c++) {
			if (((unsigned char)*c < 0x20 && *c != '\t') || (unsigned char)*c == 0x7f) {
				perr(p, "header line in the check request has a control character");
				return false;
			}
		}
		if (!append_header(p, h->headers, sizeof(h->headers), line, len, "", "", 0))
			return false;
		line += len;
	}
	return true;
}

/* ---- options ---- */

static void parse_opt_httpchk(struct parser *p, const struct directive *d)
{
	struct px *px = &p->px;
	struct http_layer h;
	int n = d->argc - 1;
	char *const *a = d->argv + 1;
	size_t e0 = p->diags->nerrors;

	if (d->negate) {
		if (px->s.check_mode == CHECK_HTTP)
			px->s.check_mode = CHECK_PLAIN;
		memset(&px->s.hc_opt, 0, sizeof(px->s.hc_opt));
		return;
	}
	/* HAProxy's defaults for each form: OPTIONS / HTTP/1.0. */
	memset(&h, 0, sizeof(h));
	strcpy(h.method, "OPTIONS");
	strcpy(h.uri, "/");
	strcpy(h.version, "HTTP/1.0");
	if (n == 1) {
		set_field(p, "check URI", h.uri, sizeof(h.uri), a[0], is_visible);
	} else if (n >= 2) {
		set_field(p, "check method", h.method, sizeof(h.method), a[0], is_token);
		set_field(p, "check URI", h.uri, sizeof(h.uri), a[1], is_visible);
	}
	if (n >= 3)
		set_version_and_headers(p, &h, a[2]);
	/* HAProxy 3.1: a fourth argument is the Host header. */
	if (n == 4) {
		if (!is_visible(a[3]))
			perr(p, "bad Host '%.64s' in 'option httpchk'", a[3]);
		else
			append_header(p, h.headers, sizeof(h.headers), "Host", 4, ": ", a[3],
				      strlen(a[3]));
	}
	if (p->diags->nerrors != e0)
		return;
	px->s.hc_opt = h;
	px->s.check_mode = CHECK_HTTP;
}

static void parse_opt_tcp_check(struct parser *p, const struct directive *d)
{
	if (d->negate) {
		if (p->px.s.check_mode == CHECK_TCP_RULES)
			p->px.s.check_mode = CHECK_PLAIN;
		return;
	}
	p->px.s.check_mode = CHECK_TCP_RULES;
}

/* option redis-check, smtpchk, mysql-check, pgsql-check, ldap-check, ssl-hello-chk. */
static void parse_opt_canned(struct parser *p, const struct directive *d)
{
	struct px_settings *s = &p->px.s;
	const char *arg1 = NULL, *arg2 = NULL;
	enum cfg_canned which = (enum cfg_canned)d->kw->arg;
	bool pre41 = false;
	int err;

	if (d->negate) {
		if (s->check_mode == CHECK_CANNED)
			s->check_mode = CHECK_PLAIN;
		return;
	}
	switch (which) {
	case CFG_CANNED_SMTP:
		if (d->argc == 2 ||
		    (d->argc == 3 && strcmp(d->argv[1], "HELO") && strcmp(d->argv[1], "EHLO"))) {
			perr(p, "'option smtpchk' takes HELO or EHLO and a domain (usage: %s)",
			     d->kw->usage);
			return;
		}
		if (d->argc == 3 && !is_token(d->argv[2])) {
			perr(p, "bad domain '%.64s' in 'option smtpchk'", d->argv[2]);
			return;
		}
		arg1 = d->argc == 3 ? d->argv[1] : NULL;
		arg2 = d->argc == 3 ? d->argv[2] : NULL;
		break;
	case CFG_CANNED_MYSQL:
	case CFG_CANNED_PGSQL:
		if (d->argc > 1 && (strcmp(d->argv[1], "user") || d->argc < 3)) {
			perr(p, "'%s' takes 'user NAME' (usage: %s)", d->name, d->kw->usage);
			return;
		}
		if (which == CFG_CANNED_PGSQL && d->argc < 3) {
			perr(p,
			     "'option pgsql-check' needs 'user NAME': PostgreSQL names the user at once");
			return;
		}
		if (d->argc > 4 || (d->argc == 4 && (which == CFG_CANNED_PGSQL ||
						     (strcmp(d->argv[3], "post-41") &&
						      strcmp(d->argv[3], "pre-41"))))) {
			perr(p, "'%s' has an unexpected argument '%.64s' (usage: %s)", d->name,
			     d->argv[d->argc == 4 ? 3 : 4], d->kw->usage);
			return;
		}
		if (d->argc >= 3 && (!is_token(d->argv[2]) || strlen(d->argv[2]) > 64)) {
			perr(p, "bad user name '%.64s' in '%s'", d->argv[2], d->name);
			return;
		}
		arg1 = d->argc >= 3 ? d->argv[2] : NULL;
		pre41 = d->argc == 4 && !strcmp(d->argv[3], "pre-41");
		if (which == CFG_CANNED_MYSQL && !arg1)
			pwarn(p,
			      "'option mysql-check' without a user only reads the greeting: a server may lock out the balancer after max_connect_errors of them (add 'user NAME' with a password-less user)");
		break;
	default:
		break;
	}
	err = cfg_check_canned(&s->canned, which, arg1, arg2, pre41, p->line);
	if (err == -ENOMEM)
		p->oom = true;
	else if (err)
		perr(p, "'%s': an argument is too long", d->name);
	else
		s->check_mode = CHECK_CANNED;
}

/* clang-format off */
#define CANNED(n, which, lo, hi, u) \
	{ .name = n, .where = IN_DEF | IN_BE, .fn = parse_opt_canned, .min_args = lo, \
	  .max_args = hi, .usage = u, .flags = KW_CAP_WARN, .arg = which }
/* clang-format on */

const struct kw httpchk_option_kws[] = {
	KW("httpchk", IN_DEF | IN_BE, parse_opt_httpchk, 0, 4,
	   "option httpchk [[METHOD] URI [VERSION [HOST]]]", KW_CAP_WARN),
	KW("tcp-check", IN_DEF | IN_BE, parse_opt_tcp_check, 0, 0, "option tcp-check", KW_CAP_WARN),
	CANNED("redis-check", CFG_CANNED_REDIS, 0, 0, "option redis-check"),
	CANNED("smtpchk", CFG_CANNED_SMTP, 0, 2, "option smtpchk [HELO|EHLO DOMAIN]"),
	CANNED("mysql-check", CFG_CANNED_MYSQL, 0, 3,
	       "option mysql-check [user NAME [post-41|pre-41]]"),
	CANNED("pgsql-check", CFG_CANNED_PGSQL, 0, 2, "option pgsql-check user NAME"),
	CANNED("ldap-check", CFG_CANNED_LDAP, 0, 0, "option ldap-check"),
	CANNED("ssl-hello-chk", CFG_CANNED_SSL_HELLO, 0, 0, "option ssl-hello-chk"),
	REFUSE("external-check", IN_PROXY,
	       "rpilb runs no commands to check servers: write the check as tcp-check or http-check rules"),
	REFUSE("spop-check", IN_PROXY, "SPOE agents are HAProxy's: rpilb has none to check"),
	KW_END,
};

/* ---- http-check rules ---- */

static void parse_hc_connect(struct parser *p, const struct directive *d)
{
	parse_check_connect(p, d, &p->px.s.hc, &p->px.hc_rules_here);
}

static void parse_hc_expect(struct parser *p, const struct directive *d)
{
	parse_check_expect(p, d, &p->px.s.hc, &p->px.hc_rules_here, CFG_CHECK_HTTP);
}

/* One "http-check send": its fields into a layer of its own; "" is "as option httpchk says". */
static bool parse_send_fields(struct parser *p, const struct directive *d, struct cfg_http_check *h)
{
	for (int i = 1; i < d->argc; i += 2) {
		const char *k = d->argv[i], *v = i + 1 < d->argc ? d->argv[i + 1] : NULL;
		bool lf = !strcmp(k, "uri-lf") || !strcmp(k, "body-lf") || !strcmp(k, "hdr-lf");

		if (strcmp(k, "meth") && strcmp(k, "uri") && strcmp(k, "ver") && strcmp(k, "hdr") &&
		    strcmp(k, "body") && strcmp(k, "comment") && !lf) {
			perr(p,
			     "unknown 'http-check send' parameter '%.64s' (expected meth, uri, ver, hdr, body or comment)",
			     k);
			return false;
		}
		if (!v || (!strcmp(k, "hdr") && i + 2 >= d->argc)) {
			perr(p, "'http-check send %s' needs %s", k,
			     strcmp(k, "hdr") ? "a value" : "a name and a value");
			return false;
		}
		if (lf && !check_literal_fmt(p, "http-check send", v))
			return false;
		if (!strcmp(k, "meth")) {
			if (!set_field(p, "check method", h->method, sizeof(h->method), v,
				       is_token))
				return false;
		} else if (!strcmp(k, "uri") || !strcmp(k, "uri-lf")) {
			if (!set_field(p, "check URI", h->uri, sizeof(h->uri), v, is_visible))
				return false;
		} else if (!strcmp(k, "ver")) {
			if (!set_field(p, "HTTP version", h->version, sizeof(h->version), v,
				       is_visible))
				return false;
		} else if (!strcmp(k, "body") || !strcmp(k, "body-lf")) {
			if (!copy_str(h->body, sizeof(h->body), v)) {
				perr(p, "'http-check send body' is too long (max %zu bytes)",
				     sizeof(h->body) - 1);
				return false;
			}
		} else if (!strcmp(k, "hdr")) {
			const char *val = d->argv[i + 1 + 1];

			if (!is_token(v)) {
				perr(p, "bad header name '%.64s' in 'http-check send'", v);
				return false;
			}
			if (!is_text(val)) {
				perr(p,
				     "header '%.64s' in 'http-check send' has a control character",
				     v);
				return false;
			}
			if (!append_header(p, h->headers, sizeof(h->headers), v, strlen(v), ": ",
					   val, strlen(val)))
				return false;
			i++;
		}
	}
	return true;
}

static void parse_hc_send(struct parser *p, const struct directive *d)
{
	struct cfg_http_check h;
	struct cfg_check_rule *r;

	memset(&h, 0, sizeof(h));
	if (!parse_send_fields(p, d, &h))
		return;
	r = check_rule_add(p, &p->px.s.hc, &p->px.hc_rules_here, CFG_RULE_SEND);
	if (!r)
		return;
	r->http = malloc(sizeof(*r->http));
	if (!r->http) {
		p->oom = true;
		return;
	}
	*r->http = h;
	for (int i = 1; i + 1 < d->argc; i += 2) {
		if (!strcmp(d->argv[i], "hdr")) {
			i++;
		} else if (!strcmp(d->argv[i], "comment")) {
			free(r->comment);
			r->comment = strdup(d->argv[i + 1]);
		}
	}
}

static void parse_hc_flag(struct parser *p, const struct directive *d)
{
	if (!strcmp(d->argv[0], "disable-on-404"))
		p->px.s.hc.disable_on_404 = true;
	else
		p->px.s.hc.send_state = true;
}

const struct kw http_check_kws[] = {
	KW("connect", IN_DEF | IN_BE, parse_hc_connect, 0, -1,
	   "http-check connect [port N] [addr IP] [linger] [comment TEXT]", 0),
	KW("send", IN_DEF | IN_BE, parse_hc_send, 0, -1,
	   "http-check send [meth M] [uri U] [ver V] [hdr NAME VALUE]... [body TEXT] [comment TEXT]",
	   0),
	KW("expect", IN_DEF | IN_BE, parse_hc_expect, 1, -1,
	   "http-check expect [options] [!] status CODES|rstatus REGEX|string TEXT|rstring REGEX",
	   0),
	KW("comment", IN_DEF | IN_BE, parse_check_comment, 1, 1, "http-check comment TEXT", 0),
	KW("disable-on-404", IN_DEF | IN_BE, parse_hc_flag, 0, 0, "http-check disable-on-404", 0),
	KW("send-state", IN_DEF | IN_BE, parse_hc_flag, 0, 0, "http-check send-state", 0),
	REFUSE_PREFIX("set-var(", IN_DEF | IN_BE, WHY_CHECK_VARS),
	REFUSE_PREFIX("set-var-fmt(", IN_DEF | IN_BE, WHY_CHECK_VARS),
	REFUSE_PREFIX("unset-var(", IN_DEF | IN_BE, WHY_CHECK_VARS),
	KW_END,
};

const struct kw httpchk_proxy_kws[] = {
	SUB("http-check", IN_DEF | IN_BE, kw_sub, &kwf_http_check, "http-check RULE ..."),
	SUB("tcp-check", IN_DEF | IN_BE, kw_sub, &kwf_tcp_check, "tcp-check RULE ..."),
	REFUSE("external-check", IN_DEF | IN_BE,
	       "rpilb runs no commands to check servers: write the check as tcp-check or http-check rules"),
	KW_END,
};

/* ---- the rules a backend runs ---- */

/* A send's request: its own fields, else option httpchk's, else HAProxy's defaults. */
static void merge_send(struct parser *p, struct cfg_http_check *out, const struct http_layer *o,
		       unsigned int line)
{
	struct cfg_http_check own = *out;
	size_t lo = strlen(o->headers), ln = strlen(own.headers);

	snprintf(out->method, sizeof(out->method), "%s",
		 own.method[0]	? own.method
		 : o->method[0] ? o->method
				: "OPTIONS");
	snprintf(out->uri, sizeof(out->uri), "%s", own.uri[0] ? own.uri : o->uri[0] ? o->uri : "/");
	snprintf(out->version, sizeof(out->version), "%s",
		 own.version[0]	 ? own.version
		 : o->version[0] ? o->version
				 : "HTTP/1.0");
	if (lo + ln >= sizeof(out->headers)) {
		perr_at(p, line, "HTTP check headers are too long (max %zu bytes)",
			sizeof(out->headers) - 1);
		return;
	}
	memcpy(out->headers, o->headers, lo);
	memcpy(out->headers + lo, own.headers, ln + 1);
}

/* HAProxy's implicit rules: a send when there is none, a 2xx/3xx expect after the last send. */
static void complete_http_rules(struct parser *p, struct cfg_check *c)
{
	size_t last_send = c->nrules, i;
	struct cfg_check_rule *r;

	for (i = 0; i < c->nrules; i++)
		if (c->rules[i].kind == CFG_RULE_SEND)
			last_send = i;
	if (last_send == c->nrules) {
		size_t at = 0;

		while (at < c->nrules && c->rules[at].kind == CFG_RULE_CONNECT)
			at++;
		r = cfg_check_add(c, CFG_RULE_SEND, 0);
		if (!r || !(r->http = calloc(1, sizeof(*r->http)))) {
			p->oom = true;
			return;
		}
		/* Move the new send to its place, after the leading connects. */
		{
			struct cfg_check_rule send = *r;

			memmove(&c->rules[at + 1], &c->rules[at],
				(c->nrules - 1 - at) * sizeof(*r));
			c->rules[at] = send;
		}
		last_send = at;
	}
	for (i = last_send + 1; i < c->nrules && c->rules[i].kind != CFG_RULE_EXPECT; i++)
		;
	if (i == c->nrules) {
		r = cfg_check_add(c, CFG_RULE_EXPECT, 0);
		if (!r)
			p->oom = true;
		else
			r->match = CFG_MATCH_HTTP_OK;
	}
}

/* The old one-request view of the check, which status pages and tests read. */
static void summarise_http(struct cfg_backend *be)
{
	memset(&be->http, 0, sizeof(be->http));
	be->http.expect = CFG_EXPECT_2XX_3XX;
	for (size_t i = 0; i < be->check.nrules; i++) {
		const struct cfg_check_rule *r = &be->check.rules[i];

		if (r->kind == CFG_RULE_SEND && r->http && !be->http.method[0]) {
			enum cfg_expect_kind expect = be->http.expect;
			char arg[sizeof(be->http.expect_arg)];

			memcpy(arg, be->http.expect_arg, sizeof(arg));
			be->http = *r->http;
			be->http.expect = expect;
			memcpy(be->http.expect_arg, arg, sizeof(arg));
		}
		if (r->kind == CFG_RULE_EXPECT &&
		    (r->match == CFG_MATCH_STATUS || r->match == CFG_MATCH_RSTATUS) && !r->negate &&
		    be->http.expect == CFG_EXPECT_2XX_3XX && r->data) {
			be->http.expect = r->match == CFG_MATCH_STATUS ? CFG_EXPECT_STATUS
								       : CFG_EXPECT_RSTATUS;
			copy_str(be->http.expect_arg, sizeof(be->http.expect_arg), r->data);
		}
	}
}

/* A tcp-check list that has a connect must start with one (HAProxy's rule). */
static void check_first_connect(struct parser *p, const struct cfg_check *c, const char *what)
{
	bool any = false;

	for (size_t i = 0; i < c->nrules; i++)
		any |= c->rules[i].kind == CFG_RULE_CONNECT;
	if (any && c->rules[0].kind != CFG_RULE_CONNECT)
		perr_at(p, c->rules[0].line,
			"the first '%s' rule must be a 'connect' when there is one (HAProxy's rule): move the connect up",
			what);
}

static void warn_unused_rules(struct parser *p, const struct px *px)
{
	if (px->s.check_mode != CHECK_HTTP && px->s.hc.nrules)
		pwarn_at(p, px->s.hc.rules[0].line,
			 "'http-check' rules have no effect without 'option httpchk'");
	if (px->s.check_mode != CHECK_HTTP && (px->s.hc.disable_on_404 || px->s.hc.send_state))
		pwarn_at(
			p, px->line,
			"'http-check disable-on-404' and 'send-state' have no effect without 'option httpchk'");
	if (px->s.check_mode != CHECK_TCP_RULES && px->s.tc.nrules)
		pwarn_at(p, px->s.tc.rules[0].line,
			 "'tcp-check' rules have no effect without 'option tcp-check'");
}

void commit_check(struct parser *p, struct cfg_backend *be)
{
	static const struct http_layer no_layer;
	const struct px_settings *s = &p->px.s;
	const struct cfg_check *from = NULL;

	warn_unused_rules(p, &p->px);
	cfg_check_free(&be->check);
	be->check_kind = s->check_mode == CHECK_HTTP ? CFG_CHECK_HTTP : CFG_CHECK_TCP;
	if (s->check_mode == CHECK_HTTP)
		from = &s->hc;
	else if (s->check_mode == CHECK_TCP_RULES)
		from = &s->tc;
	else if (s->check_mode == CHECK_CANNED)
		from = &s->canned;
	if (from && cfg_check_copy(&be->check, from)) {
		p->oom = true;
		return;
	}
	be->check.kind = be->check_kind;
	if (s->check_mode == CHECK_TCP_RULES && be->check.nrules)
		check_first_connect(p, &be->check, "tcp-check");
	if (s->check_mode == CHECK_HTTP) {
		be->check.what = "option httpchk";
		check_first_connect(p, &be->check, "http-check");
		complete_http_rules(p, &be->check);
		/* Option httpchk's request fills in the first send only, as in HAProxy. */
		for (size_t i = 0, first = 1; i < be->check.nrules; i++) {
			struct cfg_check_rule *r = &be->check.rules[i];

			if (r->kind != CFG_RULE_SEND || !r->http)
				continue;
			merge_send(p, r->http, first ? &s->hc_opt : &no_layer,
				   r->line ? r->line : p->px.line);
			first = 0;
		}
	}
	summarise_http(be);
}
