// SPDX-License-Identifier: GPL-2.0-only
/*
 * What http-check and tcp-check rules share: adding a rule (a proxy's own
 * rules replace the inherited ones, as in HAProxy), "connect" with its
 * options, "expect" with its options, statuses and matchers, and
 * "comment", which names the rule that follows it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parser.h"

#define CHECK_RULES_MAX 256 /* per check: far past any real sequence */

/*
 * HAProxy's order for http-check rules: a request is a send then its
 * expects, and a second request needs a connect of its own before it.
 */
static bool http_step_fits(struct parser *p, const struct cfg_check *c, enum cfg_rule_kind kind)
{
	enum cfg_rule_kind last;
	const char *need;

	if (!c->nrules)
		return true;
	last = c->rules[c->nrules - 1].kind;
	if (kind == CFG_RULE_SEND && last != CFG_RULE_CONNECT)
		need = "a new request needs an 'http-check connect' before its send";
	else if (kind == CFG_RULE_EXPECT && last == CFG_RULE_CONNECT)
		need = "an expect after a connect needs an 'http-check send' between them";
	else if (kind == CFG_RULE_CONNECT && last != CFG_RULE_EXPECT)
		need = "a connect needs an 'http-check expect' for the request before it";
	else
		return true;
	perr(p, "http-check rule %zu is out of order: %s (HAProxy refuses this too)", c->nrules + 1,
	     need);
	return false;
}

struct cfg_check_rule *check_rule_add(struct parser *p, struct cfg_check *c, bool *here,
				      enum cfg_rule_kind kind)
{
	struct cfg_check_rule *r;

	if (!*here) {
		/* HAProxy: a proxy with rules of its own drops the inherited ones. */
		cfg_check_free(c);
		*here = true;
	}
	if (c == &p->px.s.hc && !http_step_fits(p, c, kind))
		return NULL;
	if (c->nrules >= CHECK_RULES_MAX) {
		perr(p, "too many check rules in one proxy (max %d)", CHECK_RULES_MAX);
		return NULL;
	}
	r = cfg_check_add(c, kind, p->line);
	if (!r) {
		p->oom = true;
		return NULL;
	}
	r->comment = p->px.pending_comment;
	p->px.pending_comment = NULL;
	return r;
}

void parse_check_comment(struct parser *p, const struct directive *d)
{
	if (d->argc != 2) {
		perr(p, "'%s' takes one argument, the comment (quote it)", d->name);
		return;
	}
	free(p->px.pending_comment);
	p->px.pending_comment = strdup(d->argv[1]);
	if (!p->px.pending_comment)
		p->oom = true;
}

/* A log-format string without a single '%' is plain text, which rpilb can send as it stands. */
bool check_literal_fmt(struct parser *p, const char *what, const char *fmt)
{
	if (!strchr(fmt, '%'))
		return true;
	perr(p,
	     "'%s' with a log-format expression ('%%') is not supported: rpilb sends and matches plain text; write the text itself",
	     what);
	return false;
}

static bool take_string(struct parser *p, char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	if (!*dst)
		p->oom = true;
	return *dst != NULL;
}

/* The options HAProxy offers on a connect rule that a plain TCP check cannot honour. */
static const char *const connect_refused[] = { "send-proxy", "via-socks4", "ssl",
					       "sni",	     "alpn",	   "proto" };

void parse_check_connect(struct parser *p, const struct directive *d, struct cfg_check *c,
			 bool *here)
{
	struct cfg_check_rule *r;
	unsigned long port;
	char *comment = NULL;
	int i;

	for (i = 1; i < d->argc; i++) {
		const char *k = d->argv[i];

		for (size_t j = 0; j < ARRAY_SIZE(connect_refused); j++) {
			if (!strcmp(k, connect_refused[j])) {
				perr(p,
				     "'%s %s' is not supported: rpilb's checks are plain TCP (no TLS, PROXY or SOCKS on the check connection)",
				     d->name, k);
				goto out;
			}
		}
		if (!strcmp(k, "default") || !strcmp(k, "linger"))
			continue;
		if (strcmp(k, "port") && strcmp(k, "addr") && strcmp(k, "comment")) {
			perr(p,
			     "unknown '%s' option '%.64s' (expected port, addr, linger, default or comment)",
			     d->name, k);
			goto out;
		}
		if (i + 1 >= d->argc) {
			perr(p, "'%s %s' needs a value", d->name, k);
			goto out;
		}
		i++;
	}
	r = check_rule_add(p, c, here, CFG_RULE_CONNECT);
	if (!r)
		goto out;
	for (i = 1; i < d->argc; i++) {
		const char *k = d->argv[i], *v = d->argv[i + 1];

		if (!strcmp(k, "linger")) {
			r->linger = true;
		} else if (!strcmp(k, "port")) {
			if (parse_uint_range(p, "tcp-check connect port", v, 1, 65535, &port))
				r->port = port;
			i++;
		} else if (!strcmp(k, "addr")) {
			if (inet_pton(AF_INET, v, &r->addr) != 1)
				perr(p, "'%s addr' needs an IPv4 address, not '%.64s'", d->name, v);
			i++;
		} else if (!strcmp(k, "comment")) {
			take_string(p, &comment, v);
			i++;
		}
	}
	if (comment) {
		free(r->comment);
		r->comment = comment;
		comment = NULL;
	}
out:
	free(comment);
}

static const struct {
	const char *name;
	enum cfg_check_status st;
} statuses[] = {
	{ "L4OK", CFG_ST_L4OK },   { "L4TOUT", CFG_ST_L4TOUT }, { "L4CON", CFG_ST_L4CON },
	{ "L6OK", CFG_ST_L6OK },   { "L6TOUT", CFG_ST_L6TOUT }, { "L6RSP", CFG_ST_L6RSP },
	{ "L7OK", CFG_ST_L7OK },   { "L7OKC", CFG_ST_L7OKC },	{ "L7RSP", CFG_ST_L7RSP },
	{ "L7STS", CFG_ST_L7STS }, { "L7TOUT", CFG_ST_L7TOUT },
};

/* A status among those HAProxy allows for that option ("L7OK L7OKC L6OK L4OK"...). */
static bool parse_status(struct parser *p, const char *opt, const char *allowed, const char *v,
			 enum cfg_check_status *st)
{
	char word[16];

	snprintf(word, sizeof(word), " %s ", v);
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++) {
		char spaced[24];

		snprintf(spaced, sizeof(spaced), " %s ", allowed);
		if (strcmp(statuses[i].name, v))
			continue;
		if (!strstr(spaced, word))
			break;
		*st = statuses[i].st;
		return true;
	}
	perr(p, "'expect %s' takes one of %s, not '%.16s'", opt, allowed, v);
	return false;
}

static const struct {
	const char *name;
	enum cfg_match match;
	unsigned int kinds; /* 1: tcp-check, 2: http-check */
	bool hex; /* the pattern is written in hex */
	bool lf; /* log-format: plain text only */
} matchers[] = {
	{ "string", CFG_MATCH_STRING, 1, false, false },
	{ "rstring", CFG_MATCH_RSTRING, 1, false, false },
	{ "binary", CFG_MATCH_BINARY, 1, true, false },
	{ "rbinary", CFG_MATCH_RBINARY, 1, false, false },
	{ "string-lf", CFG_MATCH_STRING, 1, false, true },
	{ "binary-lf", CFG_MATCH_BINARY, 1, true, true },
	{ "status", CFG_MATCH_STATUS, 2, false, false },
	{ "rstatus", CFG_MATCH_RSTATUS, 2, false, false },
	{ "http string", CFG_MATCH_BODY_STRING, 2, false, false },
	{ "http rstring", CFG_MATCH_BODY_RSTRING, 2, false, false },
	{ "http string-lf", CFG_MATCH_BODY_STRING, 2, false, true },
};

bool check_unhex(struct parser *p, const char *what, const char *hex, char **out, size_t *len)
{
	size_t n = strlen(hex);

	if (!n || n % 2 || strspn(hex, "0123456789abcdefABCDEF") != n) {
		perr(p, "'%s' needs an even number of hex digits, not '%.64s'", what, hex);
		return false;
	}
	*out = malloc(n / 2 + 1);
	if (!*out) {
		p->oom = true;
		return false;
	}
	for (size_t i = 0; i < n / 2; i++) {
		char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };

		(*out)[i] = (char)strtoul(byte, NULL, 16);
	}
	(*out)[n / 2] = '\0';
	*len = n / 2;
	return true;
}

static bool regex_ok(struct parser *p, const char *what, const char *re_text)
{
	regex_t re;
	int rc = regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB);
	char err[128];

	if (!rc) {
		regfree(&re);
		return true;
	}
	regerror(rc, &re, err, sizeof(err));
	perr(p, "bad regular expression '%.64s' in '%s': %s", re_text, what, err);
	return false;
}

static bool valid_status_list(const char *s)
{
	while (*s) {
		int lo = -1, hi;

		if (is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]))
			lo = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
		s += lo < 0 ? 0 : 3;
		hi = lo;
		if (lo >= 0 && *s == '-') {
			hi = is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3])
				     ? (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0')
				     : -1;
			s += hi < 0 ? 0 : 4;
		}
		if (lo < 100 || hi > 599 || lo > hi)
			return false;
		if (*s == ',' && s[1])
			s++;
		else if (*s)
			return false;
	}
	return true;
}

/* The pattern of a matcher into r: decoded, checked, compiled once to see it is valid. */
static bool set_pattern(struct parser *p, const char *what, struct cfg_check_rule *r, size_t m,
			const char *v)
{
	if (matchers[m].lf && !check_literal_fmt(p, what, v))
		return false;
	if (matchers[m].hex) {
		return check_unhex(p, what, v, &r->data, &r->len);
	}
	if (r->match == CFG_MATCH_STATUS && !valid_status_list(v)) {
		perr(p,
		     "bad status list '%.64s' in '%s' (expected codes 100..599 or ranges, separated by commas: 200,301-302)",
		     v, what);
		return false;
	}
	if ((r->match == CFG_MATCH_RSTRING || r->match == CFG_MATCH_RBINARY ||
	     r->match == CFG_MATCH_RSTATUS || r->match == CFG_MATCH_BODY_RSTRING) &&
	    !regex_ok(p, what, v))
		return false;
	r->len = strlen(v);
	return take_string(p, &r->data, v);
}

/* One of the expect rule's options, with its value; false after an error. */
static bool parse_expect_option(struct parser *p, const struct directive *d, int *i,
				struct cfg_check_rule *r)
{
	const char *k = d->argv[*i], *v = *i + 1 < d->argc ? d->argv[*i + 1] : NULL;
	unsigned long n;

	if (!v) {
		perr(p, "'%s %s' needs a value", d->name, k);
		return false;
	}
	(*i)++;
	if (!strcmp(k, "min-recv")) {
		if (!strcmp(v, "-1"))
			return true;
		if (!parse_uint_range(p, "expect min-recv", v, 0, CFG_LINE_MAX * 4, &n))
			return false;
		r->min_recv = (int)n;
		return true;
	}
	if (!strcmp(k, "ok-status"))
		return parse_status(p, k, "L7OK L7OKC L6OK L4OK", v, &r->ok_status);
	if (!strcmp(k, "error-status"))
		return parse_status(p, k, "L7OKC L7RSP L7STS L6RSP L4CON", v, &r->error_status);
	if (!strcmp(k, "tout-status"))
		return parse_status(p, k, "L7TOUT L6TOUT L4TOUT", v, &r->tout_status);
	if (!strcmp(k, "comment")) {
		free(r->comment);
		r->comment = NULL;
		return take_string(p, &r->comment, v);
	}
	if (!strcmp(k, "on-success") || !strcmp(k, "on-error")) {
		if (!check_literal_fmt(p, "expect on-success/on-error", v))
			return false;
		return take_string(p, k[3] == 's' ? &r->on_success : &r->on_error, v);
	}
	perr(p, "'%s %s' is not supported: rpilb reports the status and words of its own", d->name,
	     k);
	return false;
}

/* The matcher named by word, or -1; in http-check, string and rstring match the body. */
static int find_matcher(const char *word, enum cfg_check_kind kind)
{
	char mname[24];

	snprintf(mname, sizeof(mname), "%s%s",
		 kind == CFG_CHECK_HTTP && strcmp(word, "status") && strcmp(word, "rstatus")
			 ? "http "
			 : "",
		 word);
	for (size_t m = 0; m < ARRAY_SIZE(matchers); m++)
		if (!strcmp(matchers[m].name, mname) &&
		    (matchers[m].kinds & (kind == CFG_CHECK_HTTP ? 2 : 1)))
			return (int)m;
	return -1;
}

static void bad_matcher(struct parser *p, const struct directive *d, const char *word,
			enum cfg_check_kind kind)
{
	if (!strcmp(word, "hdr") || !strcmp(word, "fhdr"))
		perr(p,
		     "'%s %s' is not supported: rpilb matches the status and the body, not headers",
		     d->name, word);
	else
		perr(p, "unknown '%s' matcher '%.64s' (expected %s)", d->name, word,
		     kind == CFG_CHECK_HTTP ? "status, rstatus, string or rstring"
					    : "string, rstring, binary or rbinary");
}

static bool is_expect_option(const char *word)
{
	static const char *const opts[] = { "min-recv",	   "ok-status",	 "error-status",
					    "tout-status", "on-success", "on-error",
					    "comment",	   "status-code" };

	for (size_t o = 0; o < ARRAY_SIZE(opts); o++)
		if (!strcmp(word, opts[o]))
			return true;
	return false;
}

/*
 * HAProxy's grammar: options, "!" (alone or glued to the matcher, and
 * toggling) and exactly one "matcher pattern" pair, in any order.
 */
void parse_check_expect(struct parser *p, const struct directive *d, struct cfg_check *c,
			bool *here, enum cfg_check_kind kind)
{
	struct cfg_check_rule r = { .kind = CFG_RULE_EXPECT, .min_recv = CFG_MIN_RECV_UNSET };
	struct cfg_check_rule *slot;
	const char *pattern = NULL;
	int m = -1, i;

	for (i = 1; i < d->argc; i++) {
		const char *word = d->argv[i];

		if (is_expect_option(word)) {
			if (!parse_expect_option(p, d, &i, &r))
				goto fail;
			continue;
		}
		while (*word == '!') {
			r.negate = !r.negate;
			word++;
		}
		if (!*word)
			continue;
		if (m >= 0) {
			perr(p,
			     "'%s' takes one matcher and one pattern: '%.64s' is one too many (quote a pattern with spaces)",
			     d->name, word);
			goto fail;
		}
		m = find_matcher(word, kind);
		if (m < 0) {
			bad_matcher(p, d, word, kind);
			goto fail;
		}
		if (i + 1 >= d->argc) {
			perr(p, "'%s %s' needs a pattern", d->name, word);
			goto fail;
		}
		pattern = d->argv[++i];
	}
	if (m < 0) {
		perr(p, "'%s' needs a matcher and a pattern", d->name);
		goto fail;
	}
	r.match = matchers[m].match;
	if (!set_pattern(p, d->name, &r, (size_t)m, pattern))
		goto fail;
	slot = check_rule_add(p, c, here, CFG_RULE_EXPECT);
	if (!slot)
		goto fail;
	/* The rule's own comment wins over a pending one. */
	if (r.comment) {
		free(slot->comment);
		slot->comment = NULL;
	} else {
		r.comment = slot->comment;
	}
	r.line = slot->line;
	*slot = r;
	return;
fail:
	free(r.comment);
	free(r.data);
	free(r.on_success);
	free(r.on_error);
}
