// SPDX-License-Identifier: GPL-2.0-only
/*
 * HTTP health checks: "option httpchk" in each of HAProxy's forms, the
 * "http-check send" and "http-check expect" rules, and the merge of the
 * two into the one request a backend's checks send (merge_http_check(),
 * when the backend is committed). "option tcp-check" is here too: it
 * turns the HTTP check back into a connect.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "config/parser.h"

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

static void hc_rules_begin(struct px *px)
{
	/* HAProxy: a proxy with http-check rules of its own drops the inherited ones. */
	if (px->hc_rules_here)
		return;
	px->hc_rules_here = true;
	memset(&px->s.hc_send, 0, sizeof(px->s.hc_send));
	px->s.expect = CFG_EXPECT_2XX_3XX;
	px->s.expect_arg[0] = '\0';
}

static int three_digits(const char *s)
{
	if (!is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]))
		return -1;
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* "200", "200,204", "200-399": what HAProxy's "expect status" takes. */
static bool valid_status_list(const char *s)
{
	while (*s) {
		int lo = three_digits(s), hi = lo;

		s += lo < 0 ? 0 : 3;
		if (lo >= 0 && *s == '-') {
			hi = three_digits(s + 1);
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

void merge_http_check(struct parser *p, struct cfg_http_check *out, const struct px_settings *s,
		      unsigned int line)
{
	const struct http_layer *o = &s->hc_opt, *n = &s->hc_send;
	size_t lo = strlen(o->headers), ln = strlen(n->headers);

	snprintf(out->method, sizeof(out->method), "%s",
		 n->method[0]	? n->method
		 : o->method[0] ? o->method
				: "OPTIONS");
	snprintf(out->uri, sizeof(out->uri), "%s", n->uri[0] ? n->uri : o->uri[0] ? o->uri : "/");
	snprintf(out->version, sizeof(out->version), "%s",
		 n->version[0]	 ? n->version
		 : o->version[0] ? o->version
				 : "HTTP/1.0");
	if (lo + ln >= sizeof(out->headers)) {
		perr_at(p, line, "HTTP check headers are too long (max %zu bytes)",
			sizeof(out->headers) - 1);
	} else {
		memcpy(out->headers, o->headers, lo);
		memcpy(out->headers + lo, n->headers, ln + 1);
	}
	out->expect = s->expect;
	snprintf(out->expect_arg, sizeof(out->expect_arg), "%s", s->expect_arg);
}

static void parse_opt_httpchk(struct parser *p, const struct directive *d)
{
	struct px *px = &p->px;
	struct http_layer h;
	int n = d->argc - 1;
	char *const *a = d->argv + 1;
	size_t e0 = p->diags->nerrors;

	if (d->negate) {
		px->s.check_kind = CFG_CHECK_TCP;
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
	px->s.check_kind = CFG_CHECK_HTTP;
}

static void parse_opt_tcp_check(struct parser *p, const struct directive *d)
{
	/* Without tcp-check rules HAProxy's tcp-check is a plain connect, as ours. */
	if (!d->negate)
		p->px.s.check_kind = CFG_CHECK_TCP;
}

const struct kw httpchk_option_kws[] = {
	KW("httpchk", IN_DEF | IN_BE, parse_opt_httpchk, 0, 4,
	   "option httpchk [[METHOD] URI [VERSION [HOST]]]", KW_CAP_WARN),
	KW("tcp-check", IN_DEF | IN_BE, parse_opt_tcp_check, 0, 0, "option tcp-check", KW_CAP_WARN),
	KW_END,
};

static void parse_hc_send(struct parser *p, const struct directive *d)
{
	struct px *px = &p->px;
	struct http_layer h;
	size_t e0 = p->diags->nerrors;
	int i;

	if (px->hc_send_line) {
		perr(p,
		     "only one 'http-check send' per backend is supported: rpilb checks with a single request (the first is at line %u)",
		     px->hc_send_line);
		return;
	}
	memset(&h, 0, sizeof(h));
	for (i = 1; i < d->argc; i += 2) {
		const char *k = d->argv[i], *v = i + 1 < d->argc ? d->argv[i + 1] : NULL;

		if (strcmp(k, "meth") && strcmp(k, "uri") && strcmp(k, "ver") && strcmp(k, "hdr") &&
		    strcmp(k, "comment")) {
			if (!strcmp(k, "body") || !strcmp(k, "body-lf") || !strcmp(k, "uri-lf") ||
			    !strcmp(k, "hdr-lf"))
				perr(p,
				     "'http-check send %s' is not supported: rpilb's check sends a plain request with fixed headers",
				     k);
			else
				perr(p,
				     "unknown 'http-check send' parameter '%.64s' (expected meth, uri, ver or hdr)",
				     k);
			return;
		}
		if (!v || (!strcmp(k, "hdr") && i + 2 >= d->argc)) {
			perr(p, "'http-check send %s' needs %s", k,
			     strcmp(k, "hdr") ? "a value" : "a name and a value");
			return;
		}
		if (!strcmp(k, "meth")) {
			set_field(p, "check method", h.method, sizeof(h.method), v, is_token);
		} else if (!strcmp(k, "uri")) {
			set_field(p, "check URI", h.uri, sizeof(h.uri), v, is_visible);
		} else if (!strcmp(k, "ver")) {
			set_field(p, "HTTP version", h.version, sizeof(h.version), v, is_visible);
		} else if (!strcmp(k, "hdr")) {
			const char *val = d->argv[i + 2];

			if (!is_token(v))
				perr(p, "bad header name '%.64s' in 'http-check send'", v);
			else if (!is_text(val))
				perr(p,
				     "header '%.64s' in 'http-check send' has a control character",
				     v);
			else
				append_header(p, h.headers, sizeof(h.headers), v, strlen(v), ": ",
					      val, strlen(val));
			i++;
		}
	}
	if (p->diags->nerrors != e0)
		return;
	hc_rules_begin(px);
	px->s.hc_send = h;
	px->hc_send_line = p->line;
}

static void parse_hc_expect(struct parser *p, const struct directive *d)
{
	struct px *px = &p->px;
	const char *kind = d->argv[1];
	enum cfg_expect_kind k;

	if (px->hc_expect_line) {
		perr(p,
		     "only one 'http-check expect' per backend is supported (the first is at line %u)",
		     px->hc_expect_line);
		return;
	}
	if (!strcmp(kind, "!")) {
		perr(p,
		     "negated 'http-check expect' is not supported: only 'status' and 'rstatus'");
		return;
	}
	if (strcmp(kind, "status") && strcmp(kind, "rstatus")) {
		perr(p, "'http-check expect %.64s' is not supported: only 'status' and 'rstatus'",
		     kind);
		return;
	}
	if (d->argc != 3) {
		if (d->argc < 3)
			perr(p, "'http-check expect %s' needs a value", kind);
		else
			perr(p, "'http-check expect %s' has an unexpected argument '%.64s'", kind,
			     d->argv[3]);
		return;
	}
	if (kind[0] == 's') {
		if (!valid_status_list(d->argv[2])) {
			perr(p,
			     "bad status list '%.64s' in 'http-check expect status' (expected codes 100..599 or ranges, separated by commas: 200,301-302)",
			     d->argv[2]);
			return;
		}
		k = CFG_EXPECT_STATUS;
	} else {
		regex_t re;
		int rc = regcomp(&re, d->argv[2], REG_EXTENDED | REG_NOSUB);

		if (rc) {
			char err[128];

			regerror(rc, &re, err, sizeof(err));
			perr(p, "bad regular expression '%.64s' in 'http-check expect rstatus': %s",
			     d->argv[2], err);
			return;
		}
		regfree(&re);
		k = CFG_EXPECT_RSTATUS;
	}
	if (strlen(d->argv[2]) >= sizeof(px->s.expect_arg)) {
		perr(p, "'http-check expect %s' value is too long (max %zu bytes)", kind,
		     sizeof(px->s.expect_arg) - 1);
		return;
	}
	hc_rules_begin(px);
	px->s.expect = k;
	strcpy(px->s.expect_arg, d->argv[2]);
	px->hc_expect_line = p->line;
}

const struct kw http_check_kws[] = {
	KW("send", IN_DEF | IN_BE, parse_hc_send, 0, -1,
	   "http-check send [meth M] [uri U] [ver V] [hdr NAME VALUE]...", 0),
	KW("expect", IN_DEF | IN_BE, parse_hc_expect, 1, -1,
	   "http-check expect status CODES | rstatus REGEX", 0),
	KW_END,
};

const struct kw httpchk_proxy_kws[] = {
	SUB("http-check", IN_DEF | IN_BE, kw_sub, &kwf_http_check, "http-check send|expect ..."),
	KW_END,
};
