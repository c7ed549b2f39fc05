/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The parser's own vocabulary, shared by the files of user/config/ (and
 * one white-box test, test_config_keywords.c): the state of one parse, the
 * keyword row every table is made of, the macros that write rows, and the
 * diagnostics shorthands.
 *
 * How a line is read: parse.c splits it (lex.c) and looks its first word
 * up in the section keywords, then in the current section's family
 * (keywords.c). A family is a list of tables of struct kw rows: the rows
 * a kw_*.c file implements next to their handlers, then the compatibility
 * rows of kw_compat_*.c, which need no code. run_kw() checks a row's
 * place, its class (honoured, ignored, refused) and its argument count,
 * and calls its handler; a handler may hand its arguments on to another
 * family ("option", "timeout", server parameters).
 */
#ifndef RPILB_CONFIG_PARSER_H
#define RPILB_CONFIG_PARSER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "lib/util.h"

#define CFG_LINE_MAX 4096
#define CFG_MAX_ARGS 64
/* A line's words once "$VAR"s are expanded: variables may be longer than the line. */
#define CFG_WORDS_MAX (4 * CFG_LINE_MAX)
/*
 * Registries that are searched linearly stop growing here. Any file that
 * reaches this is already in error (too many services or pools), so the
 * missing duplicate checks cost nothing but keep the parser linear.
 */
#define CFG_MAX_TRACKED 1024

enum section {
	SEC_NONE,
	SEC_GLOBAL,
	SEC_DEFAULTS,
	SEC_FRONTEND,
	SEC_BACKEND,
	SEC_LISTEN,
	SEC_RPILB,
	SEC_IGNORED, /* a HAProxy section rpilb has no use for: skipped whole */
	SEC_COUNT,
};

extern const char *const section_names[SEC_COUNT];

/* Where a row may be written: a section, or the line a parameter follows. */
#define IN(sec)	  (1U << (sec))
#define IN_GLOBAL IN(SEC_GLOBAL)
#define IN_DEF	  IN(SEC_DEFAULTS)
#define IN_FE	  (IN(SEC_FRONTEND) | IN(SEC_LISTEN))
#define IN_BE	  (IN(SEC_BACKEND) | IN(SEC_LISTEN))
#define IN_PROXY  (IN_DEF | IN_FE | IN_BE)
#define IN_RPILB  IN(SEC_RPILB)
#define IN_ANY	  (IN(SEC_COUNT) - 1) /* every section: the section keywords */
#define IN_SERVER IN(SEC_COUNT)
#define IN_DEFSRV IN(SEC_COUNT + 1)
#define IN_BIND	  IN(SEC_COUNT + 2)
#define IN_SRV	  (IN_SERVER | IN_DEFSRV)
#define IN_PARAMS (IN_SRV | IN_BIND)

/* The HTTP check request as one directive wrote it; "" means "not set here". */
struct http_layer {
	char method[sizeof(((struct cfg_http_check *)0)->method)];
	char uri[sizeof(((struct cfg_http_check *)0)->uri)];
	char version[sizeof(((struct cfg_http_check *)0)->version)];
	char headers[sizeof(((struct cfg_http_check *)0)->headers)];
};

/* Which check a proxy runs: the option that chose it, as HAProxy's "option ..." do. */
enum check_mode {
	CHECK_PLAIN = 0, /* no option: a connect */
	CHECK_HTTP, /* option httpchk: the http-check rules */
	CHECK_TCP_RULES, /* option tcp-check: the tcp-check rules */
	CHECK_CANNED, /* option redis-check, mysql-check...: their own rules */
};

/*
 * Everything a defaults section passes on. The check request is kept in
 * two layers, "option httpchk" and each "http-check send", and merged when
 * a backend is committed: HAProxy lets either come first and the send rule
 * wins field by field. The rule lists are owned: settings_copy() and
 * settings_free() are the only ways to copy and drop them.
 */
struct px_settings {
	enum cfg_balance balance;
	enum check_mode check_mode;
	struct http_layer hc_opt;
	struct cfg_check hc; /* http-check rules as written (sends hold their own layer) */
	struct cfg_check tc; /* tcp-check rules */
	struct cfg_check canned; /* the canned option's rules */
	uint32_t timeout_client_ms;
	uint32_t timeout_server_ms;
	uint32_t timeout_connect_ms;
	uint32_t timeout_check_ms;
	uint32_t timeout_tunnel_ms;
	uint32_t timeout_client_fin_ms;
	uint32_t timeout_server_fin_ms;
	struct cfg_server_opts srv; /* default-server; fastinter/downinter 0: follow inter */
	char default_backend[CFG_NAME_MAX];
	unsigned int default_backend_line;
};

/* The proxy (or defaults) section being read. */
struct px {
	enum section sec;
	char name[CFG_NAME_MAX];
	unsigned int line;
	bool untracked; /* past CFG_MAX_TRACKED proxies: parsed for errors, not kept */
	struct px_settings s;
	bool default_backend_here;
	bool hc_rules_here; /* http-check rules of its own replaced the inherited ones */
	bool tc_rules_here; /* tcp-check rules of its own replaced the inherited ones */
	unsigned int hc_rules_line; /* the first http-check rule here, for messages */
	unsigned int tc_rules_line;
	char *pending_comment; /* "tcp-check comment": for the next rule */
	unsigned int mode_http_line; /* a frontend's warning waits: stats pages use HTTP */
	struct cfg_bind binds[CFG_MAX_BINDS];
	size_t nbinds;
	bool bind_failed; /* suppresses "no bind" after a bind line already failed */
	unsigned int server_lines; /* suppresses "no servers" after a server line failed */
	struct cfg_server *servers;
	size_t nservers;
	size_t servers_cap;
	bool stats; /* has stats page directives: this section is the stats page */
	struct cfg_stats st;
};

struct named_defaults {
	char name[CFG_NAME_MAX];
	struct px_settings s;
};

struct proxy_name {
	char name[CFG_NAME_MAX];
	enum section sec;
	unsigned int line;
};

struct bind_ref {
	struct in_addr addr;
	uint16_t port;
	unsigned int line;
};

/*
 * The version and branch of HAProxy whose syntax rpilb reads: what
 * version_atleast() and version_before() compare with, and what
 * HAPROXY_STARTUP_VERSION and HAPROXY_BRANCH hold. The newest release
 * whose keywords the tables classify; claiming a newer one would let a
 * file take branches written for keywords rpilb has never seen.
 */
#define CFG_HAPROXY_VERSION "3.2.0"
#define CFG_HAPROXY_BRANCH  "3.2"
/* HAProxy's own limit on nested .if blocks (MAXNESTEDCONDS - 1). */
#define CFG_MAX_NESTED_IF 99

/* The environment "$NAME" expands from: a private copy (env.c). */
struct cfg_env {
	char **vars; /* "NAME=VALUE", each allocated */
	size_t n, cap;
};

/* One level of .if/.elif/.else/.endif (preproc.c). */
struct cond_level {
	unsigned int line; /* of its .if */
	bool active; /* the lines of the current branch are read */
	bool done; /* a branch was taken (or cannot be): later ones are skipped */
	bool seen_else;
};

/* What the lexical layer keeps from line to line. */
struct lexer {
	struct cfg_env env;
	struct cond_level conds[CFG_MAX_NESTED_IF];
	unsigned int depth; /* open .if blocks */
	bool stopped; /* ".alert" or a limit: the rest of the file is not read */
	int empty_at; /* the line's first empty word, or -1 */
	char *section; /* ${.SECTION}: the current section's name or keyword */
};

/* One parse: allocated per call, so the parser is re-entrant. */
struct parser {
	struct rpilb_config *cfg;
	struct cfg_diags *diags;
	unsigned int line;
	enum section sec;
	struct px px;
	struct px_settings defaults; /* the most recent defaults section */
	struct named_defaults *named;
	size_t nnamed, named_cap;
	struct proxy_name *names;
	size_t nnames, names_cap;
	struct bind_ref *binds; /* every bind so far, stats page included */
	size_t nbinds, binds_cap;
	unsigned int *fe_lines; /* per frontend: the line of its default_backend */
	size_t fe_lines_cap, fe_cap, be_cap;
	size_t nservices; /* frontend binds committed */
	size_t nservers; /* servers over all backends */
	bool services_full, servers_full, pools_full, proxies_full;
	unsigned int stats_line, stats_bind_line;
	struct cfg_server_opts
		*srv; /* what server parameters set: a server's or default-server's */
	bool oom;
	struct lexer lex;
	char args[CFG_WORDS_MAX]; /* unescaped arguments, NUL-separated */
	char *argv[CFG_MAX_ARGS + 1];
};

/* VEC_RESERVE for the parser's arrays: running out is reported once, by finish(). */
#define P_RESERVE(p, items, count, cap) (VEC_RESERVE(items, count, cap) ? ((p)->oom = true, -1) : 0)

#define perr_at(p, line, ...)  cfg_diag_add((p)->diags, CFG_ERROR, (line), __VA_ARGS__)
#define pwarn_at(p, line, ...) cfg_diag_add((p)->diags, CFG_WARNING, (line), __VA_ARGS__)
#define perr(p, ...)	       perr_at((p), (p)->line, __VA_ARGS__)
#define pwarn(p, ...)	       pwarn_at((p), (p)->line, __VA_ARGS__)

/* ---- keyword rows ---- */

/* One directive as a handler sees it: argv[0] is its own keyword. */
struct directive {
	const struct kw *kw;
	int argc;
	char **argv;
	bool negate; /* "no option ..." */
	char name[96]; /* as messages name it: "option httpchk" */
};

typedef void (*kw_fn)(struct parser *p, const struct directive *d);

/* A family: the tables one lookup searches, in order. */
struct kw_family {
	const char *name; /* as cfg_keywords_foreach() and the documentation name it */
	const struct kw *const *tables; /* NULL-terminated */
};

/*
 * One keyword, honoured (fn), ignored (no fn; with why a warning, else
 * silently accepted) or refused (KW_FAIL). Every family's tables hold
 * these rows and nothing else.
 */
struct kw {
	const char *name;
	unsigned int where; /* IN_* sections (or, for parameters, lines) that accept it */
	kw_fn fn; /* NULL: accepted with a warning (why) or silently */
	int min_args; /* arguments after the keyword; a parameter's values */
	int max_args; /* -1: any number; a parameter has exactly min_args */
	const char *usage;
	const char *why; /* reason it is ignored, or refused with KW_FAIL */
	unsigned int flags;
	size_t arg; /* for a generic handler: the field it sets (an offsetof), the section it opens */
	const struct kw_family *sub; /* it only introduces a keyword of this family ("option") */
};

#define KW_PREFIX   (1U << 0) /* name is a prefix ("tune.") */
#define KW_FAIL	    (1U << 1) /* refused: an error giving why */
#define KW_2WORDS   (1U << 2) /* messages name it with its first argument */
#define KW_CAP_WARN (1U << 3) /* in the wrong kind of proxy: a warning, as HAProxy */

/*
 * Table rows. Positional macros keep one keyword per line, which is what
 * makes the tables readable; clang-format would spread the braces out.
 * PARAM rows are server and bind parameters: exactly nargs values follow.
 */
/* clang-format off */
#define KW(n, w, f, lo, hi, u, fl) \
	{ .name = n, .where = w, .fn = f, .min_args = lo, .max_args = hi, .usage = u, .flags = fl }
#define SUB(n, w, f, family, u) \
	{ .name = n, .where = w, .fn = f, .min_args = 1, .max_args = -1, .usage = u, .sub = family }
#define ACCEPT(n, w)		{ .name = n, .where = w, .max_args = -1 }
#define IGNORE(n, w, reason)	{ .name = n, .where = w, .max_args = -1, .why = reason }
#define IGNORE2(n, w, reason)	{ .name = n, .where = w, .max_args = -1, .why = reason, .flags = KW_2WORDS }
#define IGNORE_PREFIX(n, w, reason) \
	{ .name = n, .where = w, .max_args = -1, .why = reason, .flags = KW_PREFIX }
#define REFUSE(n, w, reason)	{ .name = n, .where = w, .max_args = -1, .why = reason, .flags = KW_FAIL }
#define REFUSE_PREFIX(n, w, reason) \
	{ .name = n, .where = w, .max_args = -1, .why = reason, .flags = KW_FAIL | KW_PREFIX }
#define PARAM(n, w, f, nargs)	{ .name = n, .where = w, .fn = f, .min_args = nargs, .max_args = nargs }
#define PARAM_ACCEPT(n, w, nargs) { .name = n, .where = w, .min_args = nargs, .max_args = nargs }
#define PARAM_IGNORE(n, w, nargs, reason) \
	{ .name = n, .where = w, .min_args = nargs, .max_args = nargs, .why = reason }
#define PARAM_REFUSE(n, w, nargs, reason) \
	{ .name = n, .where = w, .min_args = nargs, .max_args = nargs, .why = reason, .flags = KW_FAIL }
#define KW_END			{ 0 }
/* clang-format on */

/* The families (keywords.c), and the tables they are made of. */
extern const struct kw_family kwf_section, kwf_global, kwf_global_stats, kwf_rpilb, kwf_proxy,
	kwf_option, kwf_timeout, kwf_http_request, kwf_http_response, kwf_http_after_response,
	kwf_http_check, kwf_tcp_check, kwf_stats, kwf_server, kwf_bind;
/* The rule sets and filters (kw_compat_rules.c, kw_compat_proxy.c). */
extern const struct kw_family kwf_tcp_request, kwf_tcp_request_connection, kwf_tcp_request_session,
	kwf_tcp_request_content, kwf_tcp_response, kwf_tcp_response_content, kwf_filter;
extern const struct kw section_kws[], global_kws[], rpilb_kws[], proxy_kws[], timeout_kws[],
	bind_proxy_kws[], server_proxy_kws[], server_kws[], httpchk_proxy_kws[],
	httpchk_option_kws[], http_check_kws[], tcp_check_kws[], stats_proxy_kws[], stats_kws[];
extern const struct kw compat_section_kws[], compat_global_kws[], compat_global_stats_kws[],
	compat_rpilb_kws[], compat_proxy_kws[], compat_option_kws[], compat_timeout_kws[],
	compat_http_rule_kws[], compat_stats_kws[], compat_server_kws[], compat_bind_kws[];
/* Keywords HAProxy removed, with its advice (kw_compat_removed.c). */
extern const struct kw compat_removed_global_kws[], compat_removed_global_stats_kws[],
	compat_removed_proxy_kws[], compat_removed_option_kws[], compat_removed_bind_kws[];
/* The rule sets (kw_compat_rules.c) and filters (kw_compat_proxy.c). */
extern const struct kw rules_proxy_kws[], tcp_request_kws[], tcp_response_kws[],
	compat_tcp_connection_kws[], compat_tcp_session_kws[], compat_tcp_content_kws[],
	compat_tcp_response_content_kws[], compat_http_request_kws[], compat_http_response_kws[],
	compat_http_after_response_kws[], compat_filter_kws[];

/* How run_kw names a row in messages and checks where it is. */
struct kw_call {
	const char *prefix; /* the words before the keyword: "option", "no option" */
	const char *what; /* what a row is, before its quoted name: "bind option" */
	unsigned int here; /* the IN_* bit of where it is written */
	bool negate; /* "no option ..." */
};

/* keywords.c: lookup and dispatch */
const struct kw *kw_find(const struct kw_family *f, const char *word);
void run_kw(struct parser *p, const struct kw *kw, const struct kw_call *c, int argc, char **argv);
void run_sub(struct parser *p, const struct kw_family *f, const char *prefix, bool negate, int argc,
	     char **argv);
void run_params(struct parser *p, const struct kw_family *f, const char *what, unsigned int here,
		int argc, char **argv);
void kw_unknown_sub(struct parser *p, const char *prefix, const char *word);
/* A SUB row's handler: its arguments are a keyword of d->kw->sub and what follows. */
void kw_sub(struct parser *p, const struct directive *d);

/* diag.c */
void diags_init(struct cfg_diags *diags, const char *name);
void diags_sort(struct cfg_diags *d);
void diag_vadd(struct cfg_diags *d, enum cfg_severity sev, unsigned int line, const char *fmt,
	       va_list ap);

/*
 * ---- the lexical layer: lines into words, with HAProxy's quoting,
 * variables and conditional blocks ----
 */

/* lex.c: lines into arguments, and the values arguments hold */
int tokenize(struct parser *p, const char *s, size_t len);
int words_until_empty(struct parser *p, int argc);
bool is_blank(char c);
bool is_digit(char c);
bool is_alnum(char c);
bool is_token(const char *s);
bool is_visible(const char *s);
bool is_text(const char *s);
bool copy_str(char *dst, size_t size, const char *src);
int parse_u64(const char *s, unsigned long long max, unsigned long long *v);
bool parse_uint_range(struct parser *p, const char *what, const char *s, unsigned long lo,
		      unsigned long hi, unsigned long *v);
bool parse_time_ms(struct parser *p, const char *what, const char *s, unsigned long long default_us,
		   uint32_t *ms);
bool check_name(struct parser *p, const char *what, const char *s);
bool set_field(struct parser *p, const char *what, char *dst, size_t size, const char *v,
	       bool (*valid)(const char *));

/* env.c: the parse's own environment */
int env_init(struct cfg_env *e, char *const *from);
void env_free(struct cfg_env *e);
const char *env_get(const struct cfg_env *e, const char *name, size_t len);
int env_set(struct cfg_env *e, const char *name, const char *value, bool overwrite);
void env_unset(struct cfg_env *e, const char *name);
void env_keep_only(struct cfg_env *e, char *const *names, int n);

/* kw_env.c: setenv, presetenv, unsetenv, resetenv (in the global family) */
extern const struct kw env_kws[];

/* cond.c: the condition of a .if or .elif line; 1, 0, or -1 after an error */
int cond_eval(struct parser *p, const char *directive, const char *text);

/* preproc.c: conditional blocks, message directives and scope lines */
int lex_init(struct parser *p);
void lex_free(struct parser *p);
bool lex_active(const struct parser *p);
bool preproc_line(struct parser *p, int argc, char **argv);
void preproc_skipped(struct parser *p, const char *s, size_t len);
void preproc_finish(struct parser *p);
void preproc_section(struct parser *p, int argc, char **argv);

/* endpoint.c */
#define EP_ANY	 (1U << 0) /* "*" or an empty host means INADDR_ANY (bind) */
#define EP_PORT	 (1U << 1) /* a port is required (bind) */
#define EP_HOST	 (1U << 2) /* a host name may stand for the address (server) */
#define EP_RANGE (1U << 3) /* "LO-HI": a range of ports (bind) */
#define EP_MAP	 (1U << 4) /* no port, "+N" or "-N": from the client's port (server) */

/* The port part of an endpoint. */
struct ep_port {
	uint16_t port, last; /* host order; last == port unless a range; 0 when none */
	bool map; /* EP_MAP: the client's port plus offset (mod 65536) */
	uint16_t offset;
};
bool parse_endpoint(struct parser *p, const char *what, const char *s, unsigned int flags,
		    struct in_addr *addr, struct ep_port *port, char *host, size_t hostlen);

/* section.c: sections, and what they commit to the model */
void settings_init(struct px_settings *s);
/* dst (initialised) becomes a deep copy of src; on running out of memory p->oom. */
void settings_copy(struct parser *p, struct px_settings *dst, const struct px_settings *src);
void settings_free(struct px_settings *s);
void stats_init(struct cfg_stats *st);
const char *proxy_kind(enum section sec);
void section_close(struct parser *p);

/* kw_bind.c: also the address on a 1.x "listen NAME ADDR:PORT" line */
void add_bind(struct parser *p, const char *s);

/* kw_httpchk.c: a backend's check, built when it is committed */
void commit_check(struct parser *p, struct cfg_backend *be);

/* kw_checkrule.c: what http-check and tcp-check rules share */
struct cfg_check_rule *check_rule_add(struct parser *p, struct cfg_check *c, bool *here,
				      enum cfg_rule_kind kind);
void parse_check_connect(struct parser *p, const struct directive *d, struct cfg_check *c,
			 bool *here);
void parse_check_expect(struct parser *p, const struct directive *d, struct cfg_check *c,
			bool *here, enum cfg_check_kind kind);
void parse_check_comment(struct parser *p, const struct directive *d);
bool check_literal_fmt(struct parser *p, const char *what, const char *fmt);
/* Even-length hex into bytes (*out NUL-terminated); false after saying why. */
bool check_unhex(struct parser *p, const char *what, const char *hex, char **out, size_t *len);

#endif
