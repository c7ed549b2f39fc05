/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The configuration model: what rpilb takes from an HAProxy-syntax file.
 *
 * The parser fills this from text and knows nothing of the kernel; the
 * loader and the health engine read it. Everything a directive can set has
 * one field here, already defaulted the way HAProxy defaults it, so readers
 * never need to know whether a value came from the file or from a default.
 */
#ifndef RPILB_CONFIG_H
#define RPILB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <net/if.h>

#include "config/checks.h"
#include "rpilb_abi.h"

#define CFG_NAME_MAX	    32 /* proxy and server names, NUL included */
#define CFG_HOST_MAX	    256 /* server address as written (IPv4 literal or host name) */
#define CFG_PATH_MAX	    256
#define CFG_MAX_BINDS	    RPILB_MAX_SERVICES /* binds per frontend (each port of a range) */
#define CFG_MAX_STATS_USERS 8
#define CFG_HTTP_FIELD_MAX  256

/* HAProxy's defaults, in milliseconds where HAProxy counts in milliseconds. */
#define CFG_DEFAULT_INTER_MS	2000
#define CFG_DEFAULT_RISE	2
#define CFG_DEFAULT_FALL	3
#define CFG_DEFAULT_WEIGHT	1
#define CFG_MAX_WEIGHT		256
#define CFG_DEFAULT_CONNECT_MS	5000 /* also the half-open flow timeout */
#define CFG_DEFAULT_IDLE_MS	(300 * 1000) /* when neither timeout client nor server is set */
#define CFG_DEFAULT_FLOW_TABLE	65536
#define CFG_DEFAULT_NAT_PORT_LO 50000
#define CFG_DEFAULT_NAT_PORT_HI 59999
#define CFG_DEFAULT_STATE_DIR	"/var/lib/rpilb"
#define CFG_DEFAULT_SOCKET	"/run/rpilb/rpilb.sock"
#define CFG_DEFAULT_CONFIG	"/etc/rpilb/rpilb.cfg"

enum cfg_attach_mode {
	CFG_ATTACH_AUTO = 0,
	CFG_ATTACH_XDP, /* native (driver) XDP */
	CFG_ATTACH_XDP_GENERIC, /* skb-mode XDP */
	CFG_ATTACH_TC, /* sched_cls on the clsact ingress hook */
};

enum cfg_balance {
	CFG_BALANCE_ROUNDROBIN = 0,
	CFG_BALANCE_STATIC_RR,
};

enum cfg_expect_kind {
	CFG_EXPECT_2XX_3XX = 0, /* HAProxy's default for httpchk */
	CFG_EXPECT_STATUS, /* http-check expect status <code>[,<code>...] */
	CFG_EXPECT_RSTATUS, /* http-check expect rstatus <POSIX extended regex> */
};

struct cfg_http_check {
	char method[16]; /* "OPTIONS" unless set, as HAProxy */
	char uri[CFG_HTTP_FIELD_MAX]; /* "/" unless set */
	char version[16]; /* "HTTP/1.0" unless set, as HAProxy */
	char headers[CFG_HTTP_FIELD_MAX * 2]; /* extra header lines, each ending "\r\n" */
	char body[CFG_HTTP_FIELD_MAX * 2]; /* http-check send body: sent with its Content-Length */
	enum cfg_expect_kind expect;
	char expect_arg[CFG_HTTP_FIELD_MAX]; /* status list or regex, as written */
};

/* Per-server settings that "default-server" may also set. */
struct cfg_server_opts {
	bool check; /* "check": health-check this server */
	bool disabled; /* "disabled": starts in MAINT */
	unsigned int weight; /* 0..256; 0 takes no new flows */
	uint32_t inter_ms; /* between checks while UP */
	uint32_t fastinter_ms; /* while UP but failing (transitional) */
	uint32_t downinter_ms; /* while DOWN */
	unsigned int rise;
	unsigned int fall;
	uint16_t check_port; /* 0: the server's own port */
	struct in_addr check_addr; /* "addr": where checks go; 0: the server's address */
};

struct cfg_server {
	char name[CFG_NAME_MAX];
	char host[CFG_HOST_MAX]; /* as written, for messages */
	struct in_addr addr; /* resolved by cfg_resolve(); literals at parse time */
	uint16_t port; /* host order; 0 when port_map */
	/* No port, ":+N" or ":-N": the port the client connected to, plus offset (mod 65536). */
	bool port_map;
	uint16_t port_offset;
	struct cfg_server_opts opts;
	unsigned int line;
};

struct cfg_backend {
	char name[CFG_NAME_MAX];
	enum cfg_balance balance;
	enum cfg_check_kind check_kind;
	struct cfg_http_check http;
	struct cfg_check check; /* the rules the health checks run */
	uint32_t timeout_server_ms; /* 0: not set */
	uint32_t timeout_tunnel_ms; /* 0: not set */
	uint32_t timeout_server_fin_ms; /* 0: not set */
	uint32_t timeout_connect_ms; /* never 0 after parsing */
	uint32_t timeout_check_ms; /* 0: use inter, as HAProxy */
	struct cfg_server *servers;
	size_t nservers;
	unsigned int line;
};

struct cfg_bind {
	struct in_addr addr; /* INADDR_ANY for "*": the interface's own address */
	uint16_t port; /* host order */
	unsigned int line;
};

struct cfg_frontend {
	char name[CFG_NAME_MAX];
	struct cfg_bind binds[CFG_MAX_BINDS];
	size_t nbinds;
	char default_backend[CFG_NAME_MAX];
	int backend; /* index into rpilb_config.backends, -1 until resolved */
	uint32_t timeout_client_ms; /* 0: not set */
	uint32_t timeout_client_fin_ms; /* 0: not set */
	unsigned int line;
};

struct cfg_stats_user {
	char user[CFG_NAME_MAX];
	char password[CFG_NAME_MAX * 2];
};

/* The "listen stats" section: HAProxy's stats page. */
struct cfg_stats {
	bool enabled;
	struct in_addr addr;
	uint16_t port;
	char uri[CFG_HTTP_FIELD_MAX]; /* "/" unless set (HAProxy's default is /haproxy?stats) */
	char realm[CFG_NAME_MAX * 2];
	struct cfg_stats_user users[CFG_MAX_STATS_USERS];
	size_t nusers;
	bool hide_version;
	uint32_t refresh_s; /* 0: no auto-refresh */
	unsigned int line;
};

/* The "rpilb" section: settings HAProxy has no word for. */
struct cfg_rpilb {
	char interface[IF_NAMESIZE]; /* "": the interface that holds the bind address */
	enum cfg_attach_mode mode;
	uint32_t flow_table_size;
	uint16_t nat_port_lo, nat_port_hi; /* inclusive, host order */
	char state_dir[CFG_PATH_MAX];
	char socket_path[CFG_PATH_MAX];
	char pin_dir[CFG_PATH_MAX]; /* "": /sys/fs/bpf/rpilb (a second instance needs its own) */
	unsigned int socket_mode; /* 0600 unless set */
	char socket_group[CFG_NAME_MAX];
};

struct rpilb_config {
	struct cfg_frontend *frontends;
	size_t nfrontends;
	struct cfg_backend *backends;
	size_t nbackends;
	struct cfg_stats stats;
	struct cfg_rpilb rpilb;
};

enum cfg_severity {
	CFG_WARNING,
	CFG_ERROR,
};

struct cfg_diag {
	enum cfg_severity severity;
	unsigned int line; /* 0: about the file as a whole */
	char msg[256];
};

/* Diagnostics collected while parsing: every error, not only the first. */
struct cfg_diags {
	char file[CFG_PATH_MAX];
	struct cfg_diag *items;
	size_t count;
	size_t cap; /* items allocated */
	size_t nerrors;
};

/*
 * Parse text (name is used in messages only). Returns 0 when there are no
 * errors; warnings alone do not fail. On failure cfg is left freed.
 */
int cfg_parse_string(const char *name, const char *text, size_t len, struct rpilb_config *cfg,
		     struct cfg_diags *diags);
int cfg_parse_file(const char *path, struct rpilb_config *cfg, struct cfg_diags *diags);

/* Resolve server host names (getaddrinfo, IPv4); errors go to diags. */
int cfg_resolve(struct rpilb_config *cfg, struct cfg_diags *diags);

/*
 * HAProxy's "listener": a frontend bind rpilb forwards. A valid file
 * without one will not start (haproxy -c exits 2 for it): check says so,
 * and up and reload refuse it.
 */
static inline bool cfg_has_listener(const struct rpilb_config *cfg)
{
	return cfg->nfrontends > 0;
}

void cfg_free(struct rpilb_config *cfg);
void cfg_diags_free(struct cfg_diags *diags);

/*
 * Append a diagnostic (line 0: about the file as a whole). Every writer of
 * a list goes through here, so the list grows and is cut (after 1000, with
 * a note saying so) by one rule; errors are always counted.
 */
void cfg_diag_add(struct cfg_diags *diags, enum cfg_severity sev, unsigned int line,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "file:line: error: msg" / "file:line: warning: msg" */
int cfg_diag_format(const struct cfg_diags *diags, const struct cfg_diag *d, char *buf, size_t len);

/*
 * The keyword tables, row by row: what the tests and the documentation
 * are made from. Every row belongs to a family, the namespace one lookup
 * searches: "section" (the section keywords), "global", "global stats"
 * (the global "stats X"), "rpilb", "proxy" (the directives of defaults,
 * frontend, backend and listen), "option", "timeout", "http-request",
 * "http-response", "http-after-response", "http-check", "stats" (a
 * proxy's "stats X"), "server" (the parameters of server and
 * default-server lines) and "bind" (the parameters of bind lines).
 */
#define CFG_IN_TOP	      (1U << 0) /* before the first section */
#define CFG_IN_GLOBAL	      (1U << 1)
#define CFG_IN_DEFAULTS	      (1U << 2)
#define CFG_IN_FRONTEND	      (1U << 3)
#define CFG_IN_BACKEND	      (1U << 4)
#define CFG_IN_LISTEN	      (1U << 5)
#define CFG_IN_RPILB	      (1U << 6)
#define CFG_IN_SKIPPED	      (1U << 7) /* inside a section rpilb skips whole */
#define CFG_IN_SERVER	      (1U << 8) /* a parameter on a server line */
#define CFG_IN_DEFAULT_SERVER (1U << 9) /* a parameter on a default-server line */
#define CFG_IN_BIND	      (1U << 10) /* a parameter on a bind line */

enum cfg_kw_class {
	CFG_KW_HONOURED, /* rpilb does what HAProxy does, or already does what it asks */
	CFG_KW_IGNORED, /* accepted with a warning giving the reason */
	CFG_KW_REFUSED, /* an error giving the reason */
};

struct cfg_keyword {
	const char *family;
	const char *name; /* a prefix row's is the prefix: "tune.", or "" for any word */
	bool prefix; /* the row stands for every keyword that starts with name */
	const char *subfamily; /* set: the keyword only introduces one of that family's */
	unsigned int where; /* CFG_IN_*: where it may be written */
	int min_args; /* after the keyword; a parameter takes exactly min_args values */
	int max_args; /* -1: any number */
	enum cfg_kw_class class;
	const char *reason; /* why it is ignored or refused; NULL when honoured */
};

typedef int (*cfg_keyword_fn)(const struct cfg_keyword *kw, void *arg);

/*
 * fn for every row of every table, family by family, each in lookup
 * order. Returns fn's first non-zero return (and stops there), else 0.
 */
int cfg_keywords_foreach(cfg_keyword_fn fn, void *arg);

/*
 * The row a line starting with words is dispatched to, looked up in
 * family as the parser does: "tcp-request content reject" in "proxy",
 * or "reject" in "tcp-request content", both give the tcp-request
 * content row reject. Words after a row that takes arguments are its
 * arguments ("capture cookie" is the row capture). Returns 0 and fills
 * *kw, or -1 when no row takes the words (rpilb would call them an
 * unknown keyword) or there is no such family.
 */
int cfg_keyword_lookup(const char *family, const char *words, struct cfg_keyword *kw);

const char *cfg_attach_mode_name(enum cfg_attach_mode mode);
int cfg_attach_mode_parse(const char *s, enum cfg_attach_mode *mode);

/* Lookups by name; NULL when absent. */
struct cfg_backend *cfg_find_backend(const struct rpilb_config *cfg, const char *name);
struct cfg_server *cfg_find_server(const struct cfg_backend *be, const char *name);

/* Idle timeout of a frontend's flows: the larger of timeout client and server. */
uint32_t cfg_flow_idle_ms(const struct rpilb_config *cfg, const struct cfg_frontend *fe);
uint32_t cfg_flow_halfclosed_ms(const struct rpilb_config *cfg, const struct cfg_frontend *fe);

#endif
