// SPDX-License-Identifier: GPL-2.0-only
/*
 * The keyword families and the one way any row is looked up and run.
 *
 * A family is the list of tables one lookup searches, in order: the rows
 * the kw_*.c files implement next to their handlers, then the
 * compatibility rows of kw_compat_*.c. A row is found by its name (or a
 * prefix, for rows such as "tune."), so adding a keyword is adding a row;
 * adding a table is one entry below.
 */
#include <stdio.h>
#include <string.h>

#include "config/parser.h"

const char *const section_names[SEC_COUNT] = {
	[SEC_NONE] = "top-level",    [SEC_GLOBAL] = "global",	[SEC_DEFAULTS] = "defaults",
	[SEC_FRONTEND] = "frontend", [SEC_BACKEND] = "backend", [SEC_LISTEN] = "listen",
	[SEC_RPILB] = "rpilb",	     [SEC_IGNORED] = "ignored",
};

/* The lines parameters follow, by their IN_* bit above the sections'. */
static const char *const param_lines[] = { "server", "default-server", "bind" };

/* ---- the families ---- */

#define TABLES(...) ((const struct kw *const[]){ __VA_ARGS__, NULL })

const struct kw_family kwf_section = { "section", TABLES(section_kws, compat_section_kws) };
const struct kw_family kwf_global = {
	"global", TABLES(global_kws, env_kws, compat_removed_global_kws, compat_global_kws)
};
const struct kw_family kwf_global_stats = { "global stats", TABLES(compat_removed_global_stats_kws,
								   compat_global_stats_kws) };
const struct kw_family kwf_rpilb = { "rpilb", TABLES(rpilb_kws, compat_rpilb_kws) };
const struct kw_family kwf_proxy = { "proxy",
				     TABLES(proxy_kws, bind_proxy_kws, server_proxy_kws,
					    httpchk_proxy_kws, stats_proxy_kws, rules_proxy_kws,
					    compat_removed_proxy_kws, compat_proxy_kws) };
const struct kw_family kwf_option = {
	"option", TABLES(httpchk_option_kws, compat_removed_option_kws, compat_option_kws)
};
const struct kw_family kwf_timeout = { "timeout", TABLES(timeout_kws, compat_timeout_kws) };
/* The HTTP rule sets share the actions all three have, then add their own. */
const struct kw_family kwf_http_request = { "http-request",
					    TABLES(compat_http_rule_kws, compat_http_request_kws) };
const struct kw_family kwf_http_response = { "http-response", TABLES(compat_http_rule_kws,
								     compat_http_response_kws) };
const struct kw_family kwf_http_after_response = {
	"http-after-response", TABLES(compat_http_rule_kws, compat_http_after_response_kws)
};
/* tcp-request and tcp-response name a rule set, then its action. */
const struct kw_family kwf_tcp_request = { "tcp-request", TABLES(tcp_request_kws) };
const struct kw_family kwf_tcp_request_connection = { "tcp-request connection",
						      TABLES(compat_tcp_connection_kws) };
const struct kw_family kwf_tcp_request_session = { "tcp-request session",
						   TABLES(compat_tcp_session_kws) };
const struct kw_family kwf_tcp_request_content = { "tcp-request content",
						   TABLES(compat_tcp_content_kws) };
const struct kw_family kwf_tcp_response = { "tcp-response", TABLES(tcp_response_kws) };
const struct kw_family kwf_tcp_response_content = { "tcp-response content",
						    TABLES(compat_tcp_response_content_kws) };
const struct kw_family kwf_filter = { "filter", TABLES(compat_filter_kws) };
const struct kw_family kwf_http_check = { "http-check", TABLES(http_check_kws) };
const struct kw_family kwf_tcp_check = { "tcp-check", TABLES(tcp_check_kws) };
const struct kw_family kwf_stats = { "stats", TABLES(stats_kws, compat_stats_kws) };
const struct kw_family kwf_server = { "server", TABLES(server_kws, compat_server_kws) };
const struct kw_family kwf_bind = { "bind", TABLES(compat_removed_bind_kws, compat_bind_kws) };

/* cfg_keywords_foreach() walks them in this order. */
static const struct kw_family *const families[] = {
	&kwf_section,
	&kwf_global,
	&kwf_global_stats,
	&kwf_rpilb,
	&kwf_proxy,
	&kwf_option,
	&kwf_timeout,
	&kwf_http_request,
	&kwf_http_response,
	&kwf_http_after_response,
	&kwf_tcp_request,
	&kwf_tcp_request_connection,
	&kwf_tcp_request_session,
	&kwf_tcp_request_content,
	&kwf_tcp_response,
	&kwf_tcp_response_content,
	&kwf_filter,
	&kwf_http_check,
	&kwf_tcp_check,
	&kwf_stats,
	&kwf_server,
	&kwf_bind,
};

/* ---- lookup and dispatch ---- */

const struct kw *kw_find(const struct kw_family *f, const char *word)
{
	const struct kw *const *t;
	const struct kw *kw;

	for (t = f->tables; *t; t++) {
		for (kw = *t; kw->name; kw++) {
			if (kw->flags & KW_PREFIX ? !strncmp(word, kw->name, strlen(kw->name))
						  : !strcmp(word, kw->name))
				return kw;
		}
	}
	return NULL;
}

static const char *where_list(unsigned int where, char *buf, size_t len)
{
	size_t n = 0, i;
	int s;

	buf[0] = '\0';
	for (s = SEC_GLOBAL; s < SEC_IGNORED; s++) {
		if (n >= len)
			break;
		if (where & IN(s))
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? ", " : "",
					      section_names[s]);
	}
	for (i = 0; i < ARRAY_SIZE(param_lines) && n < len; i++) {
		if (where & IN(SEC_COUNT + i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
					      param_lines[i]);
	}
	return buf;
}

static void kw_misplaced(struct parser *p, const struct kw *kw, const struct kw_call *c,
			 const char *label)
{
	char where[128];
	size_t i;

	where_list(kw->where, where, sizeof(where));
	if (c->here & IN_PARAMS) {
		for (i = 0; i < ARRAY_SIZE(param_lines) && !(c->here & IN(SEC_COUNT + i)); i++)
			;
		perr(p, "%s is not allowed on a %s line (only on %s lines)", label,
		     i < ARRAY_SIZE(param_lines) ? param_lines[i] : "", where);
	} else if (kw->flags & KW_CAP_WARN) {
		pwarn(p, "%s ignored in a %s section: it applies to %s sections", label,
		      section_names[p->sec], where);
	} else {
		perr(p, "%s is not allowed in a %s section (only in %s)", label,
		     section_names[p->sec], where);
	}
}

void run_kw(struct parser *p, const struct kw *kw, const struct kw_call *c, int argc, char **argv)
{
	struct directive d = { .kw = kw, .argc = argc, .argv = argv, .negate = c->negate };
	char label[160];

	snprintf(d.name, sizeof(d.name), "%s%s%.64s", c->prefix ? c->prefix : "",
		 c->prefix ? " " : "", argv[0]);
	if ((kw->flags & KW_2WORDS) && argc > 1) {
		size_t n = strlen(d.name);

		snprintf(d.name + n, sizeof(d.name) - n, " %.40s", argv[1]);
	}
	/* "'option httpchk'", or with what a row is: "bind option 'ssl'". */
	snprintf(label, sizeof(label), "%s%s'%s'", c->what ? c->what : "", c->what ? " " : "",
		 d.name);
	if (!(kw->where & c->here)) {
		kw_misplaced(p, kw, c, label);
		return;
	}
	if (kw->flags & KW_FAIL) {
		/* Asking not to have what rpilb cannot do is already satisfied. */
		if (!c->negate)
			perr(p, "%s is not supported: %s", label, kw->why);
		return;
	}
	if (!kw->fn) {
		if (kw->why && !c->negate)
			pwarn(p, "%s ignored: %s", label, kw->why);
		return;
	}
	if (argc - 1 < kw->min_args) {
		perr(p, "%s is missing an argument (usage: %s)", label, kw->usage);
		return;
	}
	if (kw->max_args >= 0 && argc - 1 > kw->max_args) {
		perr(p, "%s has an unexpected argument '%.64s' (usage: %s)", label,
		     argv[kw->max_args + 1], kw->usage);
		return;
	}
	kw->fn(p, &d);
}

void kw_unknown_sub(struct parser *p, const char *prefix, const char *word)
{
	perr(p, "unknown keyword '%s %.64s' in '%s' section", prefix, word, section_names[p->sec]);
}

void run_sub(struct parser *p, const struct kw_family *f, const char *prefix, bool negate, int argc,
	     char **argv)
{
	const struct kw *kw = kw_find(f, argv[0]);
	const struct kw_call c = { .prefix = prefix, .here = IN(p->sec), .negate = negate };

	if (!kw) {
		kw_unknown_sub(p, prefix, argv[0]);
		return;
	}
	run_kw(p, kw, &c, argc, argv);
}

/* Messages name the keyword with every word before it: "tcp-request content reject". */
void kw_sub(struct parser *p, const struct directive *d)
{
	run_sub(p, d->kw->sub, d->name, false, d->argc - 1, d->argv + 1);
}

/*
 * The parameters after a server, default-server or bind line's own
 * arguments: each row takes exactly min_args values. An unknown word may
 * be a value, so it ends the line rather than have the rest misread.
 */
void run_params(struct parser *p, const struct kw_family *f, const char *what, unsigned int here,
		int argc, char **argv)
{
	const struct kw_call c = { .what = what, .here = here };
	int i;

	for (i = 0; i < argc;) {
		const struct kw *kw = kw_find(f, argv[i]);

		if (!kw) {
			perr(p, "unknown %s '%.64s'", what, argv[i]);
			return;
		}
		if (i + kw->min_args >= argc) {
			perr(p, "%s '%s' needs a value", what, kw->name);
			return;
		}
		run_kw(p, kw, &c, 1 + kw->min_args, argv + i);
		i += 1 + kw->min_args;
	}
}

/* ---- every row, for the tests and the documentation ---- */

/* The public CFG_IN_* bits are the parser's own IN_* bits. */
_Static_assert(IN(SEC_NONE) == CFG_IN_TOP && IN(SEC_GLOBAL) == CFG_IN_GLOBAL &&
		       IN(SEC_DEFAULTS) == CFG_IN_DEFAULTS && IN(SEC_FRONTEND) == CFG_IN_FRONTEND &&
		       IN(SEC_BACKEND) == CFG_IN_BACKEND && IN(SEC_LISTEN) == CFG_IN_LISTEN &&
		       IN(SEC_RPILB) == CFG_IN_RPILB && IN(SEC_IGNORED) == CFG_IN_SKIPPED,
	       "CFG_IN_* sections differ from IN()");
_Static_assert(IN_SERVER == CFG_IN_SERVER && IN_DEFSRV == CFG_IN_DEFAULT_SERVER &&
		       IN_BIND == CFG_IN_BIND,
	       "CFG_IN_* lines differ from IN_SERVER, IN_DEFSRV, IN_BIND");

static enum cfg_kw_class kw_class(const struct kw *kw)
{
	if (kw->flags & KW_FAIL)
		return CFG_KW_REFUSED;
	/* A row without a handler or a reason asks for what rpilb does anyway. */
	return !kw->fn && kw->why ? CFG_KW_IGNORED : CFG_KW_HONOURED;
}

/* The public view of a row of family f. */
static struct cfg_keyword kw_public(const struct kw_family *f, const struct kw *kw)
{
	struct cfg_keyword k = {
		.family = f->name,
		.name = kw->name,
		.prefix = kw->flags & KW_PREFIX,
		.subfamily = kw->sub ? kw->sub->name : NULL,
		.where = kw->where,
		.min_args = kw->min_args,
		.max_args = kw->max_args,
		.class = kw_class(kw),
	};

	k.reason = k.class == CFG_KW_HONOURED ? NULL : kw->why;
	return k;
}

int cfg_keywords_foreach(cfg_keyword_fn fn, void *arg)
{
	const struct kw *const *t;
	const struct kw *kw;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(families); i++) {
		for (t = families[i]->tables; *t; t++) {
			for (kw = *t; kw->name; kw++) {
				struct cfg_keyword k = kw_public(families[i], kw);

				rc = fn(&k, arg);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
}

/*
 * As the parser dispatches a line: the first word in the family, then,
 * while the row found only introduces another family, the next word in
 * that one. Words after a row that takes arguments are its arguments.
 */
int cfg_keyword_lookup(const char *family, const char *words, struct cfg_keyword *out)
{
	const struct kw_family *f = NULL;
	const struct kw *kw = NULL;
	char buf[256], *save = NULL, *w;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(families) && !f; i++) {
		if (!strcmp(families[i]->name, family))
			f = families[i];
	}
	if (!f || !copy_str(buf, sizeof(buf), words))
		return -1;
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (kw) {
			if (!kw->sub)
				break;
			f = kw->sub;
		}
		kw = kw_find(f, w);
		if (!kw)
			return -1;
	}
	if (!kw)
		return -1;
	*out = kw_public(f, kw);
	return 0;
}
