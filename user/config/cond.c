// SPDX-License-Identifier: GPL-2.0-only
/*
 * The condition of a .if or .elif line, by HAProxy's grammar (its manual,
 * 2.4): terms joined by "&&" and "||" ("&&" binds tighter), each a number
 * (0 is false), a predicate "name(arg, ...)" or a parenthesised
 * expression, optionally negated with '!'. The words were expanded and
 * unquoted by tokenize(), then joined with single spaces.
 */
#include <stdlib.h>
#include <string.h>

#include "config/parser.h"

struct cond {
	struct parser *p;
	const char *directive;
	const char *s;
	unsigned int depth;
};

/*
 * What rpilb answers for feature(): a HAProxy 3.2 build without the
 * parts that carry traffic above layer 4. Files written for several
 * builds test feature(QUIC) or feature(OPENSSL) before writing "bind ...
 * ssl crt" or "quic4@" lines, which rpilb would refuse: answering false
 * sends them to their plain-TCP branch. The rest are what every Linux
 * build has and change nothing rpilb reads.
 */
static const char *const features_on[] = {
	"EPOLL", "POLL",   "GETADDRINFO", "LINUX_SPLICE", "LINUX_TPROXY", "NS",
	"PRCTL", "THREAD", "TFO",	  "CPU_AFFINITY", "ACCEPT4",	  "CLOSEFROM",
};

/* enabled(): the runtime options HAProxy can report, as a Linux build starts. */
static const char *const enabled_on[] = {
	"POLL", "EPOLL", "GETADDRINFO", "REUSEPORT", "FAST-FORWARD",
};

static bool in_list(const char *const *l, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(l[i], w))
			return true;
	}
	return false;
}

static int fail(struct cond *c, const char *what)
{
	perr(c->p, "%s in '%s' at '%.32s'", what, c->directive, c->s);
	return -1;
}

static void skip_blanks(struct cond *c)
{
	while (is_blank(*c->s))
		c->s++;
}

/* Compare dotted versions ("3.2", "3.1.4-dev"): <0, 0, >0 as strcmp. */
static int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		char *ea, *eb;
		long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);

		if (x != y)
			return x < y ? -1 : 1;
		a = *ea == '.' ? ea + 1 : (*ea ? "" : ea);
		b = *eb == '.' ? eb + 1 : (*eb ? "" : eb);
	}
	return 0;
}

/* Split "a, b)" into args; returns their count or -1. */
static int pred_args(struct cond *c, char args[2][256])
{
	int n = 0;

	for (;;) {
		size_t len;

		skip_blanks(c);
		len = strcspn(c->s, ",)");
		if (!c->s[len])
			return fail(c, "missing ')'");
		if (n == 2 || len >= 256)
			return fail(c, "too many or too long arguments");
		while (len && is_blank(c->s[len - 1]))
			len--;
		memcpy(args[n], c->s, len);
		args[n++][len] = '\0';
		c->s += strcspn(c->s, ",)");
		if (*c->s++ == ')')
			return n;
	}
}

static int eval_pred(struct cond *c, const char *name, size_t len)
{
	static const struct {
		const char *name;
		int nargs;
	} preds[] = {
		{ "defined", 1 },
		{ "feature", 1 },
		{ "streq", 2 },
		{ "strneq", 2 },
		{ "strstr", 2 },
		{ "version_atleast", 1 },
		{ "version_before", 1 },
		{ "openssl_version_atleast", 1 },
		{ "openssl_version_before", 1 },
		{ "ssllib_name_startswith", 1 },
		{ "enabled", 1 },
	};
	char a[2][256];
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(preds); i++) {
		if (strlen(preds[i].name) == len && !strncmp(preds[i].name, name, len))
			break;
	}
	if (i == ARRAY_SIZE(preds)) {
		perr(c->p, "unknown condition '%.*s' in '%s'", (int)len, name, c->directive);
		return -1;
	}
	n = pred_args(c, a);
	if (n < 0)
		return -1;
	if (n != preds[i].nargs) {
		perr(c->p, "'%s' takes %d argument%s in '%s'", preds[i].name, preds[i].nargs,
		     preds[i].nargs > 1 ? "s" : "", c->directive);
		return -1;
	}
	switch (i) {
	case 0:
		return env_get(&c->p->lex.env, a[0], strlen(a[0])) != NULL;
	case 1:
		return in_list(features_on, ARRAY_SIZE(features_on), a[0]);
	case 2:
		return !strcmp(a[0], a[1]);
	case 3:
		return !!strcmp(a[0], a[1]);
	case 4:
		return strstr(a[0], a[1]) != NULL;
	case 5:
		return version_cmp(CFG_HAPROXY_VERSION, a[0]) >= 0;
	case 6:
		return version_cmp(CFG_HAPROXY_VERSION, a[0]) < 0;
	case 10:
		return in_list(enabled_on, ARRAY_SIZE(enabled_on), a[0]);
	default:
		/*
		 * rpilb has no TLS library: no OpenSSL version is at least or
		 * before anything, so neither branch that needs one is taken.
		 */
		return 0;
	}
}

static int eval_or(struct cond *c);

static int eval_term(struct cond *c)
{
	const char *w;
	int v;

	skip_blanks(c);
	if (*c->s == '!') {
		c->s++;
		v = eval_term(c);
		return v < 0 ? v : !v;
	}
	if (*c->s == '(') {
		if (++c->depth > CFG_MAX_NESTED_IF)
			return fail(c, "too many parentheses");
		c->s++;
		v = eval_or(c);
		if (v < 0)
			return v;
		skip_blanks(c);
		if (*c->s != ')')
			return fail(c, "missing ')'");
		c->s++;
		c->depth--;
		return v;
	}
	if (*c->s == '-' || is_digit(*c->s)) {
		char *end;
		long n = strtol(c->s, &end, 0);

		if (end == c->s)
			return fail(c, "bad number");
		c->s = end;
		return n != 0;
	}
	w = c->s;
	while (is_alnum(*c->s) || *c->s == '_')
		c->s++;
	if (c->s == w)
		return fail(c, "expected a condition");
	if (*c->s != '(') {
		perr(c->p, "unknown condition '%.*s' in '%s'", (int)(c->s - w), w, c->directive);
		return -1;
	}
	c->s++;
	return eval_pred(c, w, (size_t)(c->s - 1 - w));
}

static int eval_and(struct cond *c)
{
	int v = eval_term(c), r;

	while (v >= 0) {
		skip_blanks(c);
		if (strncmp(c->s, "&&", 2))
			break;
		c->s += 2;
		r = eval_term(c);
		v = r < 0 ? r : (v && r);
	}
	return v;
}

static int eval_or(struct cond *c)
{
	int v = eval_and(c), r;

	while (v >= 0) {
		skip_blanks(c);
		if (strncmp(c->s, "||", 2))
			break;
		c->s += 2;
		r = eval_and(c);
		v = r < 0 ? r : (v || r);
	}
	return v;
}

int cond_eval(struct parser *p, const char *directive, const char *text)
{
	struct cond c = { p, directive, text, 0 };
	int v;

	skip_blanks(&c);
	/* HAProxy: an empty condition is false. */
	if (!*c.s)
		return 0;
	v = eval_or(&c);
	if (v < 0)
		return v;
	skip_blanks(&c);
	if (*c.s)
		return fail(&c, "unexpected text");
	return v;
}
