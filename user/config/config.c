// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HAProxy-syntax configuration parser.
 *
 * It reads a file the way "haproxy -c" does: each line is split with
 * HAProxy's quoting rules and looked up in the keyword table of its
 * section. A keyword is honoured, accepted with one warning saying why it
 * cannot apply to a layer-4 balancer, or refused with an error. Parsing goes
 * on after an error so that one run lists every problem with its line.
 *
 * Nothing here touches the network or the kernel: host names wait for
 * cfg_resolve(). All state lives in struct parser, allocated per call, so
 * the parser is re-entrant and can be fuzzed in a loop.
 *
 * Proxies inherit from the most recent defaults section (or the one named
 * with "from"), as in HAProxy: a section starts from a copy of those
 * settings and is committed to the model when the next section begins.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "config/config.h"
#include "config/names.h"
#include "lib/util.h"

#define CFG_LINE_MAX 4096
#define CFG_MAX_ARGS 64
/* A configuration is a few kilobytes; this only stops a runaway read. */
#define CFG_FILE_MAX (16 << 20)
/*
 * Past this many diagnostics the input is not a configuration any more
 * (a fuzzer, a binary file): keep counting errors, stop storing them.
 */
#define CFG_MAX_DIAGS 1000
/*
 * Registries that are searched linearly stop growing here. Any file that
 * reaches this is already in error (too many services or pools), so the
 * missing duplicate checks cost nothing but keep the parser linear.
 */
#define CFG_MAX_TRACKED 1024
/* HAProxy's ceiling for a time value: what a signed 32-bit count of ms holds. */
#define CFG_TIME_MAX_MS 2147483647ULL

#define CFG_DEFAULT_REALM     "rpilb Statistics"
#define CFG_DEFAULT_SOCK_MODE 0600
#define CFG_FLOW_TABLE_MIN    1024
#define CFG_FLOW_TABLE_MAX    16777216
#define CFG_NAT_PORT_MIN      1024
#define CFG_NAT_PORTS_MIN     1024

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

#define IN(sec)	  (1U << (sec))
#define IN_GLOBAL IN(SEC_GLOBAL)
#define IN_DEF	  IN(SEC_DEFAULTS)
#define IN_FE	  (IN(SEC_FRONTEND) | IN(SEC_LISTEN))
#define IN_BE	  (IN(SEC_BACKEND) | IN(SEC_LISTEN))
#define IN_PROXY  (IN_DEF | IN_FE | IN_BE)
#define IN_RPILB  IN(SEC_RPILB)
/* Server and bind parameters are placed by the line they follow. */
#define IN_SERVER IN(SEC_COUNT)
#define IN_DEFSRV IN(SEC_COUNT + 1)
#define IN_BIND	  IN(SEC_COUNT + 2)
#define IN_SRV	  (IN_SERVER | IN_DEFSRV)
#define IN_PARAMS (IN_SRV | IN_BIND)
#define IN_ANY	  (IN(SEC_COUNT) - 1) /* every section: the section keywords */

static const char *const section_names[SEC_COUNT] = {
	[SEC_NONE] = "top-level",    [SEC_GLOBAL] = "global",	[SEC_DEFAULTS] = "defaults",
	[SEC_FRONTEND] = "frontend", [SEC_BACKEND] = "backend", [SEC_LISTEN] = "listen",
	[SEC_RPILB] = "rpilb",	     [SEC_IGNORED] = "ignored",
};

/* The lines parameters follow, by their IN_* bit above the sections'. */
static const char *const param_lines[] = { "server", "default-server", "bind" };

/* The HTTP check request as one directive wrote it; "" means "not set here". */
struct http_layer {
	char method[sizeof(((struct cfg_http_check *)0)->method)];
	char uri[sizeof(((struct cfg_http_check *)0)->uri)];
	char version[sizeof(((struct cfg_http_check *)0)->version)];
	char headers[sizeof(((struct cfg_http_check *)0)->headers)];
};

/*
 * Everything a defaults section passes on. The check request is kept in
 * two layers, "option httpchk" and "http-check send", and merged when a
 * backend is committed: HAProxy lets either come first and the send rule
 * wins field by field.
 */
struct px_settings {
	enum cfg_balance balance;
	enum cfg_check_kind check_kind;
	struct http_layer hc_opt;
	struct http_layer hc_send;
	enum cfg_expect_kind expect;
	char expect_arg[CFG_HTTP_FIELD_MAX];
	uint32_t timeout_client_ms;
	uint32_t timeout_server_ms;
	uint32_t timeout_connect_ms;
	uint32_t timeout_check_ms;
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
	bool hc_rules_here; /* an http-check send/expect replaced the inherited rules */
	unsigned int hc_send_line;
	unsigned int hc_expect_line;
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
	char args[CFG_LINE_MAX + CFG_MAX_ARGS + 1]; /* unescaped arguments, NUL-separated */
	char *argv[CFG_MAX_ARGS + 1];
};

/* One directive as a handler sees it: argv[0] is its own keyword. */
struct directive {
	const struct kw *kw;
	int argc;
	char **argv;
	bool negate; /* "no option ..." */
	char name[96]; /* as messages name it: "option httpchk" */
};

typedef void (*kw_fn)(struct parser *p, const struct directive *d);

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
};

#define KW_PREFIX   (1U << 0) /* name is a prefix ("tune.") */
#define KW_FAIL	    (1U << 1) /* refused: an error giving why */
#define KW_2WORDS   (1U << 2) /* messages name it with its first argument */
#define KW_CAP_WARN (1U << 3) /* in the wrong kind of proxy: a warning, as HAProxy */

/*
 * Table rows. Positional macros keep one keyword per line, which is what
 * makes the tables readable; clang-format would spread the braces out.
 */
/* clang-format off */
#define KW(n, w, f, lo, hi, u, fl) \
	{ .name = n, .where = w, .fn = f, .min_args = lo, .max_args = hi, .usage = u, .flags = fl }
#define IGNORE(n, w, reason)	{ .name = n, .where = w, .why = reason }
#define IGNORE2(n, w, reason)	{ .name = n, .where = w, .why = reason, .flags = KW_2WORDS }
#define IGNORE_PREFIX(n, w, reason) { .name = n, .where = w, .why = reason, .flags = KW_PREFIX }
#define REFUSE(n, w, reason)	{ .name = n, .where = w, .why = reason, .flags = KW_FAIL }
#define PARAM(n, w, f, nargs)	{ .name = n, .where = w, .fn = f, .min_args = nargs, .max_args = nargs }
#define PARAM_ACCEPT(n, w, nargs) { .name = n, .where = w, .min_args = nargs, .max_args = nargs }
#define PARAM_IGNORE(n, w, nargs, reason) \
	{ .name = n, .where = w, .min_args = nargs, .max_args = nargs, .why = reason }
#define PARAM_REFUSE(n, w, nargs, reason) \
	{ .name = n, .where = w, .min_args = nargs, .max_args = nargs, .why = reason, .flags = KW_FAIL }
#define KW_END			{ 0 }
/* clang-format on */

/* Why a directive is ignored or refused. One string per reason keeps the messages consistent. */
#define WHY_L7 "rpilb forwards TCP at layer 4 and does not parse HTTP"
static const char why_l7[] = WHY_L7;
#define WHY_HTTP_REFUSE WHY_L7 ", and would let through requests HAProxy refuses"
static const char why_tls[] =
	"rpilb forwards TCP at layer 4 and does not terminate TLS; servers receive the TLS stream as sent";
static const char why_log[] =
	"rpilb logs no connections: the kernel forwards them without the daemon (see 'rpilbctl stats' and 'rpilbctl conns')";
static const char why_errorfile[] =
	"rpilb never answers a request itself; with no server up, new connections go unanswered";
static const char why_maxconn[] =
	"rpilb's only connection limit is its flow table ('flow-table-size' in the rpilb section)";
static const char why_threads[] = "the kernel forwards packets on whichever CPU receives them";
static const char why_root[] = "rpilbctl runs as root: loading BPF programs needs it";
static const char why_chroot[] =
	"rpilbctl needs /sys/fs/bpf and its state directory, so it does not chroot";
static const char why_daemon[] = "'rpilbctl up' decides whether to stay in the foreground (-f)";
static const char why_pidfile[] = "rpilbctl is found through its control socket, not a pid file";
static const char why_ctl[] = "rpilb's control socket is set with 'socket' in the rpilb section";
static const char why_state[] = "rpilb keeps server state in its own 'state-dir' (rpilb section)";
static const char why_tune[] = "rpilb holds no connection buffers: the kernel forwards packets";
static const char why_socket[] =
	"rpilb holds no socket for forwarded connections: the kernel rewrites their packets";
static const char why_retry[] =
	"rpilb picks a server once, at the SYN, and never moves a connection";
static const char why_sticky[] =
	"rpilb balances every connection by round robin and keeps no stickiness";
static const char why_hash[] = "rpilb balances by round robin only";
static const char why_idle[] =
	"a flow's idle timeout is the larger of 'timeout client' and 'timeout server'";
static const char why_queue[] = "rpilb never queues a connection: it goes to a server at once";
static const char why_stats_page[] = "rpilb's stats page does not offer it";
static const char why_checks[] = "rpilb schedules its health checks itself";
static const char why_stop[] =
	"rpilb keeps forwarding while its daemon stops, so there is no graceful stop to time";
static const char why_acl[] = "rpilb evaluates no ACLs: nothing at layer 4 could use them";
static const char why_body[] = "rpilb does not read or rewrite response bodies";
static const char why_source[] = "rpilb connects to servers from the interface's own address";
static const char why_filter[] =
	"rpilb cannot filter connections and would let through what HAProxy rejects";
static const char why_check_kind[] =
	"rpilb checks servers with a TCP connect, or with HTTP after 'option httpchk'";
static const char why_content[] =
	"choosing by request content needs layer 7; rpilb sends a frontend's connections to its default_backend";
static const char why_forwardfor[] =
	"rpilb forwards TCP at layer 4 and cannot add X-Forwarded-For; backends see the balancer's address";
static const char why_originalto[] = "rpilb forwards TCP at layer 4 and cannot add X-Original-To";
static const char why_old_timeout[] =
	"removed from HAProxy 2.1: use 'timeout connect', 'timeout client' or 'timeout server'";
static const char why_accept_proxy[] =
	"rpilb does not read PROXY protocol headers: servers receive them as sent";
static const char why_bind_iface[] = "set the interface with 'interface' in the rpilb section";

/* ---- diagnostics ---- */

static void diag_vadd(struct cfg_diags *d, enum cfg_severity sev, unsigned int line,
		      const char *fmt, va_list ap)
{
	struct cfg_diag *item;
	unsigned char *c;

	if (sev == CFG_ERROR)
		d->nerrors++;
	if (d->count >= CFG_MAX_DIAGS || VEC_RESERVE(d->items, d->count, d->cap))
		return;
	item = &d->items[d->count++];
	item->severity = sev;
	item->line = line;
	if (d->count == CFG_MAX_DIAGS) {
		/* The last slot says the list is cut, so nobody believes it complete. */
		item->severity = CFG_WARNING;
		item->line = 0;
		snprintf(item->msg, sizeof(item->msg),
			 "too many diagnostics: only the first %d are listed", CFG_MAX_DIAGS - 1);
		return;
	}
	vsnprintf(item->msg, sizeof(item->msg), fmt, ap);
	/* Messages quote the input, which may be any bytes: keep them printable. */
	for (c = (unsigned char *)item->msg; *c; c++) {
		if (*c < 0x20 || *c >= 0x7f)
			*c = '?';
	}
}

void cfg_diag_add(struct cfg_diags *d, enum cfg_severity sev, unsigned int line, const char *fmt,
		  ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, sev, line, fmt, ap);
	va_end(ap);
}

#define perr_at(p, line, ...)  cfg_diag_add((p)->diags, CFG_ERROR, (line), __VA_ARGS__)
#define pwarn_at(p, line, ...) cfg_diag_add((p)->diags, CFG_WARNING, (line), __VA_ARGS__)
#define perr(p, ...)	       perr_at((p), (p)->line, __VA_ARGS__)
#define pwarn(p, ...)	       pwarn_at((p), (p)->line, __VA_ARGS__)

/*
 * Checks at the end of a section report at earlier lines: sort by line,
 * keeping the order of equal lines, so the list reads like the file.
 */
static void diags_sort(struct cfg_diags *d)
{
	struct cfg_diag *tmp, *src, *dst, *t;
	size_t width, i;

	if (d->count < 2)
		return;
	tmp = malloc(d->count * sizeof(*tmp));
	if (!tmp)
		return;
	src = d->items;
	dst = tmp;
	for (width = 1; width < d->count; width *= 2) {
		for (i = 0; i < d->count; i += 2 * width) {
			size_t lo = i, mid = i + width, hi = i + 2 * width, a, b, k = i;

			if (mid > d->count)
				mid = d->count;
			if (hi > d->count)
				hi = d->count;
			for (a = lo, b = mid; a < mid || b < hi;) {
				if (b >= hi || (a < mid && src[a].line <= src[b].line))
					dst[k++] = src[a++];
				else
					dst[k++] = src[b++];
			}
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != d->items)
		memcpy(d->items, src, d->count * sizeof(*src));
	free(tmp);
}

static void diags_init(struct cfg_diags *diags, const char *name)
{
	memset(diags, 0, sizeof(*diags));
	snprintf(diags->file, sizeof(diags->file), "%s", name ? name : "<config>");
}

/* ---- small helpers ---- */

static bool copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* VEC_RESERVE for the parser's arrays: running out is reported once, by finish(). */
#define P_RESERVE(p, items, count, cap) (VEC_RESERVE(items, count, cap) ? ((p)->oom = true, -1) : 0)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal digits only: no sign, no blanks, no base prefix. */
static int parse_u64(const char *s, unsigned long long max, unsigned long long *v)
{
	unsigned long long n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (!is_digit(*s))
			return -1;
		if (n > (max - (unsigned int)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (unsigned int)(*s - '0');
	}
	*v = n;
	return 0;
}

static bool parse_uint_range(struct parser *p, const char *what, const char *s, unsigned long lo,
			     unsigned long hi, unsigned long *v)
{
	unsigned long long n;

	if (parse_u64(s, hi, &n) < 0 || n < lo) {
		perr(p, "'%s' expects an integer in %lu..%lu, not '%.64s'", what, lo, hi, s);
		return false;
	}
	*v = (unsigned long)n;
	return true;
}

/*
 * HAProxy time: a decimal number and an optional unit (us, ms, s, m, h, d).
 * default_us is the unit of a bare number. Microseconds round up to whole
 * milliseconds, as HAProxy's timers do.
 */
static bool parse_time_ms(struct parser *p, const char *what, const char *s,
			  unsigned long long default_us, uint32_t *ms)
{
	static const struct {
		const char *suffix;
		unsigned long long us;
	} units[] = {
		{ "us", 1ULL },	      { "ms", 1000ULL },      { "s", 1000000ULL },
		{ "m", 60000000ULL }, { "h", 3600000000ULL }, { "d", 86400000000ULL },
	};
	char num[24];
	const char *u = s;
	unsigned long long n, unit = default_us, total_ms;
	size_t i;

	while (is_digit(*u))
		u++;
	if (u == s || (size_t)(u - s) >= sizeof(num))
		goto bad;
	memcpy(num, s, (size_t)(u - s));
	num[u - s] = '\0';
	if (*u) {
		for (i = 0; i < ARRAY_SIZE(units); i++) {
			if (!strcmp(u, units[i].suffix))
				break;
		}
		if (i == ARRAY_SIZE(units))
			goto bad;
		unit = units[i].us;
	}
	if (parse_u64(num, ~0ULL, &n) < 0 || n > CFG_TIME_MAX_MS * 1000 / unit)
		goto big;
	total_ms = (n * unit + 999) / 1000;
	if (total_ms > CFG_TIME_MAX_MS)
		goto big;
	*ms = (uint32_t)total_ms;
	return true;
bad:
	perr(p,
	     "'%s' expects a time (a number with an optional unit us, ms, s, m, h or d), not '%.64s'",
	     what, s);
	return false;
big:
	perr(p, "'%s': time '%.64s' is too large (max %llu ms, about 24 days)", what, s,
	     CFG_TIME_MAX_MS);
	return false;
}

/* Proxy and server names, by the rule commands and the daemon share (names.c). */
static bool check_name(struct parser *p, const char *what, const char *s)
{
	if (name_valid(s))
		return true;
	if (!*s)
		perr(p, "%s name is empty", what);
	else if (s[strspn(s, NAME_CHARS)])
		perr(p, "%s name '%.64s' has a character outside [A-Za-z0-9._:-]", what, s);
	else
		perr(p, "%s name '%.64s' is too long (max %d characters)", what, s,
		     CFG_NAME_MAX - 1);
	return false;
}

/* RFC 9110 token characters: methods and header names. */
static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!is_alnum(*s) && !strchr("!#$%&'*+-.^_`|~", *s))
			return false;
	}
	return true;
}

/* Printable, no blanks: a URI or version that cannot break the request line. */
static bool is_visible(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return false;
	}
	return true;
}

/* A header value or similar: anything but control characters (tab allowed). */
static bool is_text(const char *s)
{
	for (; *s; s++) {
		if (((unsigned char)*s < 0x20 && *s != '\t') || (unsigned char)*s == 0x7f)
			return false;
	}
	return true;
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

/* ---- addresses ---- */

#define EP_ANY	(1U << 0) /* "*" or an empty host means INADDR_ANY (bind) */
#define EP_PORT (1U << 1) /* a port is required (bind) */
#define EP_HOST (1U << 2) /* a host name may stand for the address (server) */

/* The "ipv4@" prefix goes; any other "family@" is named in the error. */
static bool strip_family(struct parser *p, const char *what, const char **sp)
{
	const char *s = *sp, *at = strchr(s, '@');

	if (!at)
		return true;
	if ((size_t)(at - s) == 4 && !strncmp(s, "ipv4", 4)) {
		*sp = at + 1;
		return true;
	}
	if ((size_t)(at - s) == 4 && !strncmp(s, "ipv6", 4))
		perr(p, "%s '%.64s': IPv6 is not supported yet", what, s);
	else
		perr(p,
		     "%s '%.64s': '%.*s@' addresses are not supported: rpilb balances TCP over IPv4",
		     what, s, (int)(at - s > 16 ? 16 : at - s), s);
	return false;
}

/* HOST[:PORT] into host and *port_part (NULL without a colon). */
static bool split_host_port(struct parser *p, const char *what, const char *s, char *host,
			    size_t hostlen, const char **port_part)
{
	const char *colon;
	size_t hl;

	if (s[0] == '/') {
		perr(p, "%s '%.64s': UNIX sockets are not supported: rpilb balances TCP over IPv4",
		     what, s);
		return false;
	}
	colon = strchr(s, ':');
	if (s[0] == '[' || (colon && strchr(colon + 1, ':'))) {
		perr(p, "%s '%.64s': IPv6 is not supported yet", what, s);
		return false;
	}
	hl = colon ? (size_t)(colon - s) : strlen(s);
	if (hl >= hostlen) {
		perr(p, "%s address '%.64s...' is too long (max %zu characters)", what, s,
		     hostlen - 1);
		return false;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	*port_part = colon ? colon + 1 : NULL;
	return true;
}

static bool parse_port(struct parser *p, const char *what, const char *s, const char *port_part,
		       unsigned int flags, uint16_t *port)
{
	unsigned long long v;

	if (!port_part) {
		if (flags & EP_PORT) {
			perr(p,
			     "%s '%.64s' has no port (write ADDR:PORT, or *:PORT for every address)",
			     what, s);
			return false;
		}
		*port = 0;
		return true;
	}
	if (port_part[0] == '+' || port_part[0] == '-') {
		perr(p, "%s '%.64s': port offsets (+N/-N) are not supported", what, s);
		return false;
	}
	if (is_digit(port_part[0]) && strchr(port_part, '-')) {
		perr(p, "%s '%.64s': port ranges are not supported", what, s);
		return false;
	}
	if (parse_u64(port_part, 65535, &v) < 0 || !v) {
		perr(p, "%s '%.64s': bad port '%.16s' (expected 1..65535)", what, s, port_part);
		return false;
	}
	*port = (uint16_t)v;
	return true;
}

/* A host that is not an IPv4 literal: a name, where the caller allows one. */
static bool parse_host_name(struct parser *p, const char *what, const char *s, const char *host,
			    unsigned int flags)
{
	const char *c;

	if (host[strspn(host, "0123456789.")] == '\0') {
		perr(p, "%s '%.64s': bad IPv4 address '%.64s'", what, s, host);
		return false;
	}
	if (!(flags & EP_HOST)) {
		perr(p,
		     "%s '%.64s': '%.64s' is not an IPv4 address (write the address, or * for every address)",
		     what, s, host);
		return false;
	}
	for (c = host; *c; c++) {
		if (!is_alnum(*c) && *c != '.' && *c != '-' && *c != '_') {
			perr(p, "%s '%.64s': bad host name '%.64s'", what, s, host);
			return false;
		}
	}
	return true;
}

static bool parse_host(struct parser *p, const char *what, const char *s, const char *host,
		       unsigned int flags, struct in_addr *addr)
{
	if (!host[0] || !strcmp(host, "*")) {
		if (!(flags & EP_ANY)) {
			perr(p, "%s '%.64s' has no address", what, s);
			return false;
		}
		addr->s_addr = htonl(INADDR_ANY);
		return true;
	}
	if (inet_pton(AF_INET, host, addr) == 1) {
		/* 0.0.0.0 is how an unresolved server is told apart: never a real one. */
		if (!(flags & EP_ANY) && addr->s_addr == htonl(INADDR_ANY)) {
			perr(p, "%s address 0.0.0.0 cannot be connected to", what);
			return false;
		}
		return true;
	}
	if (!parse_host_name(p, what, s, host, flags))
		return false;
	addr->s_addr = 0;
	return true;
}

/*
 * ADDR[:PORT] as HAProxy writes IPv4 endpoints, with its "ipv4@" prefix.
 * Everything else HAProxy can listen on or connect to is named in the
 * error, so the user knows it is understood, just not supported.
 */
static bool parse_endpoint(struct parser *p, const char *what, const char *s, unsigned int flags,
			   struct in_addr *addr, uint16_t *port, char *host, size_t hostlen)
{
	char hostpart[CFG_HOST_MAX];
	const char *port_part;

	if (!strip_family(p, what, &s) ||
	    !split_host_port(p, what, s, hostpart, sizeof(hostpart), &port_part) ||
	    !parse_port(p, what, s, port_part, flags, port) ||
	    !parse_host(p, what, s, hostpart, flags, addr))
		return false;
	if (host && !copy_str(host, hostlen, hostpart))
		return false;
	return true;
}

/* ---- the HTTP check request ---- */

static bool set_field(struct parser *p, const char *what, char *dst, size_t size, const char *v,
		      bool (*valid)(const char *))
{
	if (!valid(v)) {
		perr(p, "bad %s '%.64s'", what, v);
		return false;
	}
	if (!copy_str(dst, size, v)) {
		perr(p, "%s '%.64s' is too long (max %zu bytes)", what, v, size - 1);
		return false;
	}
	return true;
}

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

static void merge_http_check(struct parser *p, struct cfg_http_check *out,
			     const struct px_settings *s, unsigned int line)
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

/* ---- keyword tables and dispatch ---- */

static const struct kw *kw_find(const struct kw *t, const char *word)
{
	for (; t->name; t++) {
		if (t->flags & KW_PREFIX ? !strncmp(word, t->name, strlen(t->name))
					 : !strcmp(word, t->name))
			return t;
	}
	return NULL;
}

/* How run_kw names a row in messages and checks where it is. */
struct kw_call {
	const char *prefix; /* the words before the keyword: "option", "no option" */
	const char *what; /* what a row is, before its quoted name: "bind option" */
	unsigned int here; /* the IN_* bit of where it is written */
	bool negate; /* "no option ..." */
};

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

static void run_kw(struct parser *p, const struct kw *kw, const struct kw_call *c, int argc,
		   char **argv)
{
	struct directive d = { .kw = kw, .argc = argc, .argv = argv, .negate = c->negate };
	char label[160];

	snprintf(d.name, sizeof(d.name), "%s%s%.40s", c->prefix ? c->prefix : "",
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

static void run_sub(struct parser *p, const struct kw *table, const char *prefix, bool negate,
		    int argc, char **argv)
{
	const struct kw *kw = kw_find(table, argv[0]);
	const struct kw_call c = { .prefix = prefix, .here = IN(p->sec), .negate = negate };

	if (!kw) {
		perr(p, "unknown keyword '%s %.64s' in '%s' section", prefix, argv[0],
		     section_names[p->sec]);
		return;
	}
	run_kw(p, kw, &c, argc, argv);
}

/*
 * The parameters after a server, default-server or bind line's own
 * arguments: each row takes exactly min_args values. An unknown word may
 * be a value, so it ends the line rather than have the rest misread.
 */
static void run_params(struct parser *p, const struct kw *table, const char *what,
		       unsigned int here, int argc, char **argv)
{
	const struct kw_call c = { .what = what, .here = here };
	int i;

	for (i = 0; i < argc;) {
		const struct kw *kw = kw_find(table, argv[i]);

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

/* ---- global ---- */

static const struct kw global_stats_kws[] = {
	IGNORE("socket", IN_GLOBAL, why_ctl),
	IGNORE("timeout", IN_GLOBAL, why_ctl),
	IGNORE("maxconn", IN_GLOBAL, why_ctl),
	IGNORE("bind-process", IN_GLOBAL, why_ctl),
	KW_END,
};

static void parse_global_stats(struct parser *p, const struct directive *d)
{
	run_sub(p, global_stats_kws, "stats", false, d->argc - 1, d->argv + 1);
}

static const struct kw global_kws[] = {
	KW("stats", IN_GLOBAL, parse_global_stats, 1, -1, "stats socket|timeout|maxconn ...", 0),
	IGNORE("log", IN_GLOBAL, why_log),
	IGNORE("log-tag", IN_GLOBAL, why_log),
	IGNORE("log-send-hostname", IN_GLOBAL, why_log),
	IGNORE("chroot", IN_GLOBAL, why_chroot),
	IGNORE("user", IN_GLOBAL, why_root),
	IGNORE("group", IN_GLOBAL, why_root),
	IGNORE("uid", IN_GLOBAL, why_root),
	IGNORE("gid", IN_GLOBAL, why_root),
	IGNORE("daemon", IN_GLOBAL, why_daemon),
	IGNORE("master-worker", IN_GLOBAL, why_daemon),
	IGNORE("pidfile", IN_GLOBAL, why_pidfile),
	IGNORE("maxconn", IN_GLOBAL, why_maxconn),
	IGNORE("maxconnrate", IN_GLOBAL, why_maxconn),
	IGNORE("maxsessrate", IN_GLOBAL, why_maxconn),
	IGNORE("maxsslconn", IN_GLOBAL, why_tls),
	IGNORE("maxpipes", IN_GLOBAL, why_tune),
	IGNORE("nbthread", IN_GLOBAL, why_threads),
	IGNORE("nbproc", IN_GLOBAL, why_threads),
	IGNORE("thread-groups", IN_GLOBAL, why_threads),
	IGNORE("cpu-map", IN_GLOBAL, why_threads),
	IGNORE("ca-base", IN_GLOBAL, why_tls),
	IGNORE("crt-base", IN_GLOBAL, why_tls),
	IGNORE_PREFIX("ssl-", IN_GLOBAL, why_tls),
	IGNORE_PREFIX("tune.", IN_GLOBAL, why_tune),
	IGNORE("spread-checks", IN_GLOBAL, why_checks),
	IGNORE("max-spread-checks", IN_GLOBAL, why_checks),
	IGNORE("hard-stop-after", IN_GLOBAL, why_stop),
	IGNORE("grace", IN_GLOBAL, why_stop),
	IGNORE("description", IN_GLOBAL, why_stats_page),
	IGNORE("node", IN_GLOBAL, why_stats_page),
	IGNORE("server-state-file", IN_GLOBAL, why_state),
	IGNORE("server-state-base", IN_GLOBAL, why_state),
	IGNORE("h1-case-adjust", IN_GLOBAL, why_l7),
	IGNORE("h1-case-adjust-file", IN_GLOBAL, why_l7),
	IGNORE("lua-load", IN_GLOBAL, "rpilb runs no Lua"),
	IGNORE("lua-prepend-path", IN_GLOBAL, "rpilb runs no Lua"),
	IGNORE("setenv", IN_GLOBAL, "rpilb does not expand environment variables"),
	IGNORE("presetenv", IN_GLOBAL, "rpilb does not expand environment variables"),
	IGNORE("resetenv", IN_GLOBAL, "rpilb does not expand environment variables"),
	IGNORE("unsetenv", IN_GLOBAL, "rpilb does not expand environment variables"),
	IGNORE("external-check", IN_GLOBAL, why_check_kind),
	IGNORE("insecure-fork-wanted", IN_GLOBAL, why_check_kind),
	KW_END,
};

/* ---- proxies: sections ---- */

static void settings_init(struct px_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->balance = CFG_BALANCE_ROUNDROBIN;
	s->check_kind = CFG_CHECK_TCP;
	s->expect = CFG_EXPECT_2XX_3XX;
	s->srv.weight = CFG_DEFAULT_WEIGHT;
	s->srv.inter_ms = CFG_DEFAULT_INTER_MS;
	s->srv.rise = CFG_DEFAULT_RISE;
	s->srv.fall = CFG_DEFAULT_FALL;
}

static void stats_init(struct cfg_stats *st)
{
	memset(st, 0, sizeof(*st));
	strcpy(st->uri, "/");
	strcpy(st->realm, CFG_DEFAULT_REALM);
}

static const char *proxy_kind(enum section sec)
{
	return sec == SEC_FRONTEND ? "frontend" : sec == SEC_BACKEND ? "backend" : "listen";
}

/* HAProxy lets a frontend and a backend share a name; a listen is both. */
static unsigned int proxy_caps(enum section sec)
{
	return sec == SEC_FRONTEND ? 1U : sec == SEC_BACKEND ? 2U : 3U;
}

static void register_proxy(struct parser *p, const char *name, enum section sec)
{
	struct proxy_name *e;
	size_t i;

	for (i = 0; i < p->nnames; i++) {
		e = &p->names[i];
		if (!strcmp(e->name, name) && (proxy_caps(e->sec) & proxy_caps(sec))) {
			perr(p, "duplicate proxy name '%s': already used by the %s at line %u",
			     name, proxy_kind(e->sec), e->line);
			return;
		}
	}
	if (p->nnames >= CFG_MAX_TRACKED)
		return;
	if (P_RESERVE(p, p->names, p->nnames, p->names_cap) < 0)
		return;
	e = &p->names[p->nnames++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->sec = sec;
	e->line = p->line;
}

static void add_bind(struct parser *p, const char *s)
{
	struct px *px = &p->px;
	struct cfg_bind b = { .line = p->line };
	size_t i;

	if (!parse_endpoint(p, "bind", s, EP_ANY | EP_PORT, &b.addr, &b.port, NULL, 0)) {
		px->bind_failed = true;
		return;
	}
	for (i = 0; i < p->nbinds; i++) {
		if (p->binds[i].addr.s_addr == b.addr.s_addr && p->binds[i].port == b.port) {
			char a[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &b.addr, a, sizeof(a));
			perr(p, "%s:%u is already bound at line %u", a, b.port, p->binds[i].line);
			px->bind_failed = true;
			return;
		}
	}
	if (px->nbinds == CFG_MAX_BINDS) {
		perr(p, "too many bind addresses in %s '%s' (max %d)", proxy_kind(px->sec),
		     px->name, CFG_MAX_BINDS);
		px->bind_failed = true;
		return;
	}
	px->binds[px->nbinds++] = b;
	if (p->nbinds < CFG_MAX_TRACKED && P_RESERVE(p, p->binds, p->nbinds, p->binds_cap) == 0)
		p->binds[p->nbinds++] =
			(struct bind_ref){ .addr = b.addr, .port = b.port, .line = b.line };
}

static void px_open(struct parser *p, enum section sec, int argc, char **argv)
{
	struct px *px = &p->px;
	const char *name = NULL, *addr = NULL, *from = NULL;
	int i = 1;

	memset(px, 0, sizeof(*px));
	px->sec = sec;
	px->line = p->line;
	stats_init(&px->st);

	if (sec != SEC_DEFAULTS) {
		if (argc < 2)
			perr(p, "'%s' needs a name", argv[0]);
		else
			name = argv[i++];
	} else if (argc > 1 && strcmp(argv[1], "from")) {
		name = argv[i++];
	}
	if ((sec == SEC_FRONTEND || sec == SEC_LISTEN) && i < argc && strcmp(argv[i], "from"))
		addr = argv[i++];
	if (i < argc && !strcmp(argv[i], "from")) {
		if (i + 1 >= argc)
			perr(p, "'from' needs the name of a defaults section");
		else
			from = argv[i + 1];
		i += 2;
	}
	if (i < argc)
		perr(p, "'%s' has an unexpected argument '%.64s'", argv[0], argv[i]);

	/* A defaults section starts from HAProxy's built-in values, a proxy from the last defaults. */
	if (sec == SEC_DEFAULTS)
		settings_init(&px->s);
	else
		px->s = p->defaults;
	if (from) {
		size_t k;

		for (k = 0; k < p->nnamed && strcmp(p->named[k].name, from); k++)
			;
		if (k < p->nnamed)
			px->s = p->named[k].s;
		else
			perr(p, "no defaults section named '%.64s' before this line", from);
	}
	if (name && check_name(p, sec == SEC_DEFAULTS ? "defaults" : proxy_kind(sec), name)) {
		snprintf(px->name, sizeof(px->name), "%s", name);
		if (sec != SEC_DEFAULTS) {
			if (p->nnames >= CFG_MAX_TRACKED && !p->proxies_full) {
				p->proxies_full = true;
				perr(p, "too many proxy sections (max %d)", CFG_MAX_TRACKED);
			}
			px->untracked = p->proxies_full;
			register_proxy(p, px->name, sec);
		}
	}
	if (addr) {
		pwarn(p,
		      "an address on the '%s' line is HAProxy 1.x syntax that HAProxy 2.x rejects; rpilb accepts it, but 'bind %.64s' inside the section works with both",
		      argv[0], addr);
		add_bind(p, addr);
	}
}

static void commit_stats(struct parser *p)
{
	struct px *px = &p->px;
	size_t e0 = p->diags->nerrors;

	if (p->stats_line) {
		perr_at(p, px->line,
			"only one stats page is supported (the first is the section at line %u)",
			p->stats_line);
		return;
	}
	if (px->nservers)
		perr_at(p, px->line,
			"stats page '%s' cannot also have servers: move them to their own backend or listen section",
			px->name);
	if (px->default_backend_here)
		perr_at(p, px->s.default_backend_line,
			"stats page '%s' cannot also forward to a default_backend: give the stats page its own listen section",
			px->name);
	if (!px->nbinds && !px->bind_failed)
		perr_at(p, px->line, "stats page '%s' has no address: add 'bind *:1936' to it",
			px->name);
	if (px->nbinds > 1)
		perr_at(p, px->binds[1].line,
			"stats page '%s' has %zu addresses; rpilb serves it on one", px->name,
			px->nbinds);
	if (p->diags->nerrors != e0 || !px->nbinds)
		return;
	p->cfg->stats = px->st;
	p->cfg->stats.enabled = true;
	p->cfg->stats.addr = px->binds[0].addr;
	p->cfg->stats.port = px->binds[0].port;
	p->cfg->stats.line = px->line;
	p->stats_line = px->line;
	p->stats_bind_line = px->binds[0].line;
}

static unsigned int gcd(unsigned int a, unsigned int b)
{
	while (b) {
		unsigned int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static void commit_backend(struct parser *p)
{
	struct px *px = &p->px;
	struct rpilb_config *cfg = p->cfg;
	struct cfg_backend *be;
	unsigned long slots = 0;
	unsigned int g = 0;
	size_t i;

	if (!px->server_lines)
		pwarn_at(
			p, px->line,
			"%s '%s' has no servers: it takes no connections until 'rpilbctl add-node' adds one",
			proxy_kind(px->sec), px->name);
	for (i = 0; i < px->nservers; i++)
		g = gcd(g, px->servers[i].opts.weight);
	for (i = 0; g && i < px->nservers; i++)
		slots += px->servers[i].opts.weight / g;
	if (slots > RPILB_MAX_SLOTS)
		perr_at(p, px->line,
			"%s '%s' needs %lu round-robin slots (the sum of its weights divided by their gcd); the limit is %d",
			proxy_kind(px->sec), px->name, slots, RPILB_MAX_SLOTS);
	if (px->s.check_kind == CFG_CHECK_TCP && (px->hc_send_line || px->hc_expect_line))
		pwarn_at(p, px->hc_send_line ? px->hc_send_line : px->hc_expect_line,
			 "'http-check' rules have no effect without 'option httpchk'");

	if (px->untracked)
		return;
	if (cfg->nbackends >= RPILB_MAX_POOLS) {
		if (!p->pools_full)
			perr_at(p, px->line, "too many backends: rpilb supports %d",
				RPILB_MAX_POOLS);
		p->pools_full = true;
		return;
	}
	if (P_RESERVE(p, cfg->backends, cfg->nbackends, p->be_cap) < 0)
		return;
	be = &cfg->backends[cfg->nbackends++];
	memset(be, 0, sizeof(*be));
	snprintf(be->name, sizeof(be->name), "%s", px->name);
	be->balance = px->s.balance;
	be->check_kind = px->s.check_kind;
	merge_http_check(p, &be->http, &px->s, px->hc_send_line ? px->hc_send_line : px->line);
	be->timeout_server_ms = px->s.timeout_server_ms;
	be->timeout_connect_ms =
		px->s.timeout_connect_ms ? px->s.timeout_connect_ms : CFG_DEFAULT_CONNECT_MS;
	be->timeout_check_ms = px->s.timeout_check_ms;
	for (i = 0; i < px->nservers; i++) {
		struct cfg_server_opts *o = &px->servers[i].opts;

		/* HAProxy: fastinter and downinter follow inter unless set. */
		if (!o->fastinter_ms)
			o->fastinter_ms = o->inter_ms;
		if (!o->downinter_ms)
			o->downinter_ms = o->inter_ms;
	}
	be->servers = px->servers;
	be->nservers = px->nservers;
	be->line = px->line;
	px->servers = NULL;
	px->nservers = 0;
}

static void commit_frontend(struct parser *p, const char *default_backend,
			    unsigned int default_backend_line)
{
	struct px *px = &p->px;
	struct rpilb_config *cfg = p->cfg;
	struct cfg_frontend *fe;

	if (px->mode_http_line)
		pwarn_at(
			p, px->mode_http_line,
			"'mode http' ignored: rpilb forwards TCP at layer 4; HTTP passes through unchanged");
	if (!px->nbinds) {
		if (!px->bind_failed)
			perr_at(p, px->line, "%s '%s' has no bind address (add 'bind *:PORT')",
				proxy_kind(px->sec), px->name);
		return;
	}
	if (!default_backend[0]) {
		perr_at(p, px->line,
			"frontend '%s' has no default_backend: rpilb has nowhere to send its connections",
			px->name);
		return;
	}
	if (p->nservices + px->nbinds > RPILB_MAX_SERVICES) {
		if (!p->services_full)
			perr_at(p, px->binds[RPILB_MAX_SERVICES - p->nservices].line,
				"too many bind addresses: rpilb supports %d over all frontends",
				RPILB_MAX_SERVICES);
		p->services_full = true;
		return;
	}
	if (px->untracked)
		return;
	if (P_RESERVE(p, cfg->frontends, cfg->nfrontends, p->fe_cap) < 0 ||
	    P_RESERVE(p, p->fe_lines, cfg->nfrontends, p->fe_lines_cap) < 0)
		return;
	p->fe_lines[cfg->nfrontends] = default_backend_line;
	fe = &cfg->frontends[cfg->nfrontends++];
	memset(fe, 0, sizeof(*fe));
	snprintf(fe->name, sizeof(fe->name), "%s", px->name);
	memcpy(fe->binds, px->binds, sizeof(fe->binds));
	fe->nbinds = px->nbinds;
	snprintf(fe->default_backend, sizeof(fe->default_backend), "%s", default_backend);
	fe->backend = -1;
	fe->timeout_client_ms = px->s.timeout_client_ms;
	fe->line = px->line;
	p->nservices += px->nbinds;
}

static void section_close(struct parser *p)
{
	struct px *px = &p->px;
	size_t k;

	switch (p->sec) {
	case SEC_DEFAULTS:
		p->defaults = px->s;
		if (!px->name[0])
			break;
		for (k = 0; k < p->nnamed && strcmp(p->named[k].name, px->name); k++)
			;
		if (k == p->nnamed) {
			if (p->nnamed >= CFG_MAX_TRACKED ||
			    P_RESERVE(p, p->named, p->nnamed, p->named_cap) < 0)
				break;
			p->nnamed++;
		}
		snprintf(p->named[k].name, sizeof(p->named[k].name), "%s", px->name);
		p->named[k].s = px->s;
		break;
	case SEC_FRONTEND:
		if (px->stats) {
			commit_stats(p);
			break;
		}
		commit_frontend(p, px->s.default_backend, px->s.default_backend_line);
		break;
	case SEC_BACKEND:
		commit_backend(p);
		break;
	case SEC_LISTEN:
		if (px->stats) {
			commit_stats(p);
			break;
		}
		if (px->default_backend_here) {
			if (px->nservers)
				perr_at(p, px->s.default_backend_line,
					"listen '%s' has servers and a default_backend: use one or the other",
					px->name);
			commit_frontend(p, px->s.default_backend, px->s.default_backend_line);
			break;
		}
		commit_backend(p);
		commit_frontend(p, px->name, px->line);
		break;
	default:
		break;
	}
	free(px->servers);
	px->servers = NULL;
	px->nservers = 0;
	px->servers_cap = 0;
	p->sec = SEC_NONE;
}

/* ---- proxies: directives ---- */

static const struct kw bind_param_kws[] = {
	PARAM_IGNORE("ssl", IN_BIND, 0, why_tls),
	PARAM_IGNORE("crt", IN_BIND, 1, why_tls),
	PARAM_IGNORE("crt-list", IN_BIND, 1, why_tls),
	PARAM_IGNORE("ca-file", IN_BIND, 1, why_tls),
	PARAM_IGNORE("crl-file", IN_BIND, 1, why_tls),
	PARAM_IGNORE("ca-sign-file", IN_BIND, 1, why_tls),
	PARAM_IGNORE("ca-sign-pass", IN_BIND, 1, why_tls),
	PARAM_IGNORE("ca-verify-file", IN_BIND, 1, why_tls),
	PARAM_IGNORE("ca-ignore-err", IN_BIND, 1, why_tls),
	PARAM_IGNORE("crt-ignore-err", IN_BIND, 1, why_tls),
	PARAM_IGNORE("ciphers", IN_BIND, 1, why_tls),
	PARAM_IGNORE("ciphersuites", IN_BIND, 1, why_tls),
	PARAM_IGNORE("curves", IN_BIND, 1, why_tls),
	PARAM_IGNORE("ecdhe", IN_BIND, 1, why_tls),
	PARAM_IGNORE("sigalgs", IN_BIND, 1, why_tls),
	PARAM_IGNORE("client-sigalgs", IN_BIND, 1, why_tls),
	PARAM_IGNORE("alpn", IN_BIND, 1, why_tls),
	PARAM_IGNORE("npn", IN_BIND, 1, why_tls),
	PARAM_IGNORE("ssl-min-ver", IN_BIND, 1, why_tls),
	PARAM_IGNORE("ssl-max-ver", IN_BIND, 1, why_tls),
	PARAM_IGNORE("verify", IN_BIND, 1, why_tls),
	PARAM_IGNORE("tls-ticket-keys", IN_BIND, 1, why_tls),
	PARAM_IGNORE("no-sslv3", IN_BIND, 0, why_tls),
	PARAM_IGNORE("no-tlsv10", IN_BIND, 0, why_tls),
	PARAM_IGNORE("no-tlsv11", IN_BIND, 0, why_tls),
	PARAM_IGNORE("no-tlsv12", IN_BIND, 0, why_tls),
	PARAM_IGNORE("no-tlsv13", IN_BIND, 0, why_tls),
	PARAM_IGNORE("force-sslv3", IN_BIND, 0, why_tls),
	PARAM_IGNORE("force-tlsv10", IN_BIND, 0, why_tls),
	PARAM_IGNORE("force-tlsv11", IN_BIND, 0, why_tls),
	PARAM_IGNORE("force-tlsv12", IN_BIND, 0, why_tls),
	PARAM_IGNORE("force-tlsv13", IN_BIND, 0, why_tls),
	PARAM_IGNORE("no-tls-tickets", IN_BIND, 0, why_tls),
	PARAM_IGNORE("strict-sni", IN_BIND, 0, why_tls),
	PARAM_IGNORE("prefer-client-ciphers", IN_BIND, 0, why_tls),
	PARAM_IGNORE("allow-0rtt", IN_BIND, 0, why_tls),
	PARAM_IGNORE("generate-certificates", IN_BIND, 0, why_tls),
	PARAM_IGNORE("no-ca-names", IN_BIND, 0, why_tls),
	PARAM_IGNORE("accept-proxy", IN_BIND, 0, why_accept_proxy),
	PARAM_IGNORE("interface", IN_BIND, 1, why_bind_iface),
	PARAM_IGNORE("name", IN_BIND, 1, why_stats_page),
	PARAM_IGNORE("id", IN_BIND, 1, why_stats_page),
	PARAM_IGNORE("maxconn", IN_BIND, 1, why_maxconn),
	PARAM_IGNORE("backlog", IN_BIND, 1, why_socket),
	PARAM_IGNORE("nice", IN_BIND, 1, why_socket),
	PARAM_IGNORE("mss", IN_BIND, 1, why_socket),
	PARAM_IGNORE("tcp-ut", IN_BIND, 1, why_socket),
	PARAM_IGNORE("defer-accept", IN_BIND, 0, why_socket),
	PARAM_IGNORE("tfo", IN_BIND, 0, why_socket),
	PARAM_IGNORE("transparent", IN_BIND, 0, why_socket),
	PARAM_IGNORE("v4v6", IN_BIND, 0, why_socket),
	PARAM_IGNORE("v6only", IN_BIND, 0, why_socket),
	PARAM_IGNORE("namespace", IN_BIND, 1, why_socket),
	PARAM_IGNORE("process", IN_BIND, 1, why_threads),
	PARAM_IGNORE("thread", IN_BIND, 1, why_threads),
	PARAM_IGNORE("proto", IN_BIND, 1, why_l7),
	PARAM_IGNORE("user", IN_BIND, 1, why_socket),
	PARAM_IGNORE("group", IN_BIND, 1, why_socket),
	PARAM_IGNORE("uid", IN_BIND, 1, why_socket),
	PARAM_IGNORE("gid", IN_BIND, 1, why_socket),
	PARAM_IGNORE("mode", IN_BIND, 1, why_socket),
	PARAM_IGNORE("level", IN_BIND, 1, why_ctl),
	PARAM_IGNORE("severity-output", IN_BIND, 1, why_ctl),
	PARAM_IGNORE("expose-fd", IN_BIND, 1, why_ctl),
	KW_END,
};

static void parse_bind(struct parser *p, const struct directive *d)
{
	char *addr = d->argv[1], *comma;

	/* "bind :80,:8080" is HAProxy's shorthand for several binds. */
	for (;;) {
		comma = strchr(addr, ',');
		if (comma)
			*comma = '\0';
		add_bind(p, addr);
		if (!comma)
			break;
		addr = comma + 1;
	}
	run_params(p, bind_param_kws, "bind option", IN_BIND, d->argc - 2, d->argv + 2);
}

static void parse_default_backend(struct parser *p, const struct directive *d)
{
	struct px *px = &p->px;

	if (!check_name(p, "backend", d->argv[1]))
		return;
	snprintf(px->s.default_backend, sizeof(px->s.default_backend), "%s", d->argv[1]);
	px->s.default_backend_line = p->line;
	px->default_backend_here = true;
}

static void parse_mode(struct parser *p, const struct directive *d)
{
	const char *m = d->argv[1];

	if (!strcmp(m, "tcp"))
		return;
	if (!strcmp(m, "http")) {
		/* A frontend or listen may turn out to be the stats page, which is HTTP. */
		if (p->sec == SEC_FRONTEND || p->sec == SEC_LISTEN)
			p->px.mode_http_line = p->line;
		else
			pwarn(p,
			      "'mode http' ignored: rpilb forwards TCP at layer 4; HTTP passes through unchanged");
		return;
	}
	if (!strcmp(m, "health"))
		perr(p, "'mode health' is not supported");
	else
		perr(p, "unknown mode '%.64s' (expected tcp or http)", m);
}

static void parse_balance(struct parser *p, const struct directive *d)
{
	const char *a = d->argv[1];

	if (!strcmp(a, "roundrobin") || !strcmp(a, "static-rr")) {
		if (d->argc > 2) {
			perr(p, "'balance %s' has an unexpected argument '%.64s'", a, d->argv[2]);
			return;
		}
		p->px.s.balance = a[0] == 'r' ? CFG_BALANCE_ROUNDROBIN : CFG_BALANCE_STATIC_RR;
		return;
	}
	perr(p, "'balance %.64s' is not supported: rpilb balances with roundrobin or static-rr", a);
}

/* ---- server parameters ---- */

static void srv_check(struct parser *p, const struct directive *d)
{
	p->srv->check = strcmp(d->argv[0], "no-check") != 0;
}

static void srv_state(struct parser *p, const struct directive *d)
{
	p->srv->disabled = !strcmp(d->argv[0], "disabled");
}

/* inter, fastinter, downinter: the field is the row's. */
static void srv_inter(struct parser *p, const struct directive *d)
{
	uint32_t *field = (uint32_t *)((char *)p->srv + d->kw->arg);
	uint32_t ms;

	if (!parse_time_ms(p, d->argv[0], d->argv[1], 1000, &ms))
		return;
	if (!ms) {
		perr(p, "'%s' must be greater than 0", d->argv[0]);
		return;
	}
	*field = ms;
}

/* rise, fall: the field is the row's. */
static void srv_count(struct parser *p, const struct directive *d)
{
	unsigned int *field = (unsigned int *)((char *)p->srv + d->kw->arg);
	unsigned long v;

	if (parse_uint_range(p, d->argv[0], d->argv[1], 1, 65535, &v))
		*field = (unsigned int)v;
}

static void srv_weight(struct parser *p, const struct directive *d)
{
	unsigned long v;

	if (parse_uint_range(p, d->argv[0], d->argv[1], 0, CFG_MAX_WEIGHT, &v))
		p->srv->weight = (unsigned int)v;
}

static void srv_port(struct parser *p, const struct directive *d)
{
	unsigned long v;

	if (parse_uint_range(p, d->argv[0], d->argv[1], 1, 65535, &v))
		p->srv->check_port = (uint16_t)v;
}

/* clang-format off */
#define SRV_FIELD(n, f, field) \
	{ .name = n, .where = IN_SRV, .fn = f, .min_args = 1, .max_args = 1, \
	  .arg = offsetof(struct cfg_server_opts, field) }
/* clang-format on */

static const struct kw server_param_kws[] = {
	PARAM("check", IN_SRV, srv_check, 0),
	PARAM("no-check", IN_SRV, srv_check, 0),
	SRV_FIELD("inter", srv_inter, inter_ms),
	SRV_FIELD("fastinter", srv_inter, fastinter_ms),
	SRV_FIELD("downinter", srv_inter, downinter_ms),
	SRV_FIELD("rise", srv_count, rise),
	SRV_FIELD("fall", srv_count, fall),
	PARAM("weight", IN_SRV, srv_weight, 1),
	PARAM("port", IN_SRV, srv_port, 1),
	PARAM("disabled", IN_SRV, srv_state, 0),
	PARAM("enabled", IN_SRV, srv_state, 0),
	PARAM_ACCEPT("no-backup", IN_SRV, 0),
	PARAM_REFUSE("backup", IN_SRV, 0, "backup servers are not supported yet"),
	PARAM_REFUSE("send-proxy", IN_SRV, 0, "rpilb does not send PROXY protocol headers"),
	PARAM_REFUSE("send-proxy-v2", IN_SRV, 0, "rpilb does not send PROXY protocol headers"),
	PARAM_REFUSE("send-proxy-v2-ssl", IN_SRV, 0, "rpilb does not send PROXY protocol headers"),
	PARAM_REFUSE("send-proxy-v2-ssl-cn", IN_SRV, 0,
		     "rpilb does not send PROXY protocol headers"),
	PARAM_REFUSE("track", IN_SRV, 1, "each server is checked on its own"),
	PARAM_REFUSE("addr", IN_SRV, 1, "health checks go to the server's own address"),
	PARAM_REFUSE("agent-check", IN_SRV, 0, why_check_kind),
	PARAM_IGNORE("maxconn", IN_SRV, 1, why_maxconn),
	PARAM_IGNORE("maxqueue", IN_SRV, 1, why_queue),
	PARAM_IGNORE("minconn", IN_SRV, 1, why_maxconn),
	PARAM_IGNORE("slowstart", IN_SRV, 1,
		     "rpilb gives a server its full weight as soon as it is up"),
	PARAM_IGNORE("observe", IN_SRV, 1, "rpilb judges servers by health checks only"),
	PARAM_IGNORE("on-error", IN_SRV, 1, "rpilb judges servers by health checks only"),
	PARAM_IGNORE("on-marked-down", IN_SRV, 1, "rpilb leaves established connections alone"),
	PARAM_IGNORE("on-marked-up", IN_SRV, 1, "rpilb leaves established connections alone"),
	PARAM_IGNORE("error-limit", IN_SRV, 1, "rpilb judges servers by health checks only"),
	PARAM_IGNORE("agent-port", IN_SRV, 1, why_check_kind),
	PARAM_IGNORE("agent-inter", IN_SRV, 1, why_check_kind),
	PARAM_IGNORE("agent-addr", IN_SRV, 1, why_check_kind),
	PARAM_IGNORE("agent-send", IN_SRV, 1, why_check_kind),
	PARAM_ACCEPT("no-agent-check", IN_SRV, 0),
	PARAM_IGNORE("resolvers", IN_SRV, 1, "rpilb resolves server names once, when it starts"),
	PARAM_IGNORE("resolve-prefer", IN_SRV, 1, "rpilb resolves server names to IPv4 only"),
	PARAM_IGNORE("resolve-opts", IN_SRV, 1, "rpilb resolves server names once, when it starts"),
	PARAM_IGNORE("resolve-net", IN_SRV, 1, "rpilb resolves server names once, when it starts"),
	PARAM_IGNORE("init-addr", IN_SRV, 1, "rpilb resolves server names once, when it starts"),
	PARAM_IGNORE("id", IN_SRV, 1, "rpilb numbers servers itself"),
	PARAM_IGNORE("cookie", IN_SRV, 1, why_sticky),
	PARAM_IGNORE("redir", IN_SRV, 1, why_l7),
	PARAM_IGNORE("source", IN_SRV, 1, why_source),
	PARAM_IGNORE("usesrc", IN_SRV, 1, why_source),
	PARAM_IGNORE("interface", IN_SRV, 1, why_bind_iface),
	PARAM_IGNORE("namespace", IN_SRV, 1, why_socket),
	PARAM_IGNORE("tfo", IN_SRV, 0, why_socket),
	PARAM_IGNORE("pool-max-conn", IN_SRV, 1, why_socket),
	PARAM_IGNORE("pool-low-conn", IN_SRV, 1, why_socket),
	PARAM_IGNORE("pool-purge-delay", IN_SRV, 1, why_socket),
	PARAM_IGNORE("max-reuse", IN_SRV, 1, why_socket),
	PARAM_IGNORE("proto", IN_SRV, 1, why_l7),
	PARAM_IGNORE("check-proto", IN_SRV, 1, why_l7),
	PARAM_IGNORE("ws", IN_SRV, 1, why_l7),
	PARAM_IGNORE("check-send-proxy", IN_SRV, 0, why_check_kind),
	PARAM_IGNORE("check-ssl", IN_SRV, 0, why_tls),
	PARAM_ACCEPT("no-check-ssl", IN_SRV, 0),
	PARAM_IGNORE("check-sni", IN_SRV, 1, why_tls),
	PARAM_IGNORE("check-alpn", IN_SRV, 1, why_tls),
	PARAM_IGNORE("ssl", IN_SRV, 0, why_tls),
	PARAM_ACCEPT("no-ssl", IN_SRV, 0),
	PARAM_IGNORE("verify", IN_SRV, 1, why_tls),
	PARAM_IGNORE("verifyhost", IN_SRV, 1, why_tls),
	PARAM_IGNORE("sni", IN_SRV, 1, why_tls),
	PARAM_IGNORE("alpn", IN_SRV, 1, why_tls),
	PARAM_IGNORE("npn", IN_SRV, 1, why_tls),
	PARAM_IGNORE("ca-file", IN_SRV, 1, why_tls),
	PARAM_IGNORE("crl-file", IN_SRV, 1, why_tls),
	PARAM_IGNORE("crt", IN_SRV, 1, why_tls),
	PARAM_IGNORE("ciphers", IN_SRV, 1, why_tls),
	PARAM_IGNORE("ciphersuites", IN_SRV, 1, why_tls),
	PARAM_IGNORE("ssl-min-ver", IN_SRV, 1, why_tls),
	PARAM_IGNORE("ssl-max-ver", IN_SRV, 1, why_tls),
	PARAM_IGNORE("ssl-reuse", IN_SRV, 0, why_tls),
	PARAM_IGNORE("no-ssl-reuse", IN_SRV, 0, why_tls),
	PARAM_IGNORE("tls-tickets", IN_SRV, 0, why_tls),
	PARAM_IGNORE("no-tls-tickets", IN_SRV, 0, why_tls),
	PARAM_IGNORE("no-sslv3", IN_SRV, 0, why_tls),
	PARAM_IGNORE("no-tlsv10", IN_SRV, 0, why_tls),
	PARAM_IGNORE("no-tlsv11", IN_SRV, 0, why_tls),
	PARAM_IGNORE("no-tlsv12", IN_SRV, 0, why_tls),
	PARAM_IGNORE("no-tlsv13", IN_SRV, 0, why_tls),
	PARAM_IGNORE("force-sslv3", IN_SRV, 0, why_tls),
	PARAM_IGNORE("force-tlsv10", IN_SRV, 0, why_tls),
	PARAM_IGNORE("force-tlsv11", IN_SRV, 0, why_tls),
	PARAM_IGNORE("force-tlsv12", IN_SRV, 0, why_tls),
	PARAM_IGNORE("force-tlsv13", IN_SRV, 0, why_tls),
	PARAM_IGNORE("allow-0rtt", IN_SRV, 0, why_tls),
	KW_END,
};

static void parse_server_params(struct parser *p, struct cfg_server_opts *o, const char *what,
				unsigned int here, int argc, char **argv)
{
	p->srv = o;
	run_params(p, server_param_kws, what, here, argc, argv);
	p->srv = NULL;
}

static void parse_default_server(struct parser *p, const struct directive *d)
{
	parse_server_params(p, &p->px.s.srv, "default-server parameter", IN_DEFSRV, d->argc - 1,
			    d->argv + 1);
}

static void parse_server(struct parser *p, const struct directive *d)
{
	struct px *px = &p->px;
	struct cfg_server srv;
	size_t i;

	px->server_lines++;
	memset(&srv, 0, sizeof(srv));
	srv.line = p->line;
	srv.opts = px->s.srv;
	if (!check_name(p, "server", d->argv[1]))
		return;
	snprintf(srv.name, sizeof(srv.name), "%s", d->argv[1]);
	for (i = 0; i < px->nservers; i++) {
		if (!strcmp(px->servers[i].name, srv.name)) {
			perr(p, "duplicate server name '%s' in %s '%s' (first at line %u)",
			     srv.name, proxy_kind(px->sec), px->name, px->servers[i].line);
			return;
		}
	}
	/* "server pi01 check": the address was left out, not a host called "check". */
	if (kw_find(server_param_kws, d->argv[2])) {
		perr(p, "server '%s' has no address before '%.64s'", srv.name, d->argv[2]);
		return;
	}
	/* A server with a bad address is still kept, so later duplicates of its name show. */
	if (parse_endpoint(p, "server", d->argv[2], EP_HOST, &srv.addr, &srv.port, srv.host,
			   sizeof(srv.host)) &&
	    (ntohl(srv.addr.s_addr) >> 24) == 127)
		pwarn(p,
		      "server '%s' has the loopback address %s: rpilb forwards through the network interface and cannot reach it",
		      srv.name, srv.host);
	parse_server_params(p, &srv.opts, "server parameter", IN_SERVER, d->argc - 3, d->argv + 3);
	if (p->nservers >= RPILB_MAX_BACKENDS) {
		if (!p->servers_full)
			perr(p, "too many servers: rpilb supports %d over all backends",
			     RPILB_MAX_BACKENDS);
		p->servers_full = true;
		return;
	}
	if (P_RESERVE(p, px->servers, px->nservers, px->servers_cap) < 0)
		return;
	px->servers[px->nservers++] = srv;
	p->nservers++;
}

/* ---- option ---- */

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

static const struct kw option_kws[] = {
	KW("httpchk", IN_DEF | IN_BE, parse_opt_httpchk, 0, 4,
	   "option httpchk [[METHOD] URI [VERSION [HOST]]]", KW_CAP_WARN),
	KW("tcp-check", IN_DEF | IN_BE, parse_opt_tcp_check, 0, 0, "option tcp-check", KW_CAP_WARN),
	REFUSE("ssl-hello-chk", IN_PROXY, why_check_kind),
	REFUSE("mysql-check", IN_PROXY, why_check_kind),
	REFUSE("pgsql-check", IN_PROXY, why_check_kind),
	REFUSE("redis-check", IN_PROXY, why_check_kind),
	REFUSE("smtpchk", IN_PROXY, why_check_kind),
	REFUSE("ldap-check", IN_PROXY, why_check_kind),
	REFUSE("spop-check", IN_PROXY, why_check_kind),
	REFUSE("external-check", IN_PROXY, why_check_kind),
	IGNORE("forwardfor", IN_PROXY, why_forwardfor),
	IGNORE("originalto", IN_PROXY, why_originalto),
	IGNORE("httplog", IN_PROXY, why_log),
	IGNORE("httpslog", IN_PROXY, why_log),
	IGNORE("tcplog", IN_PROXY, why_log),
	IGNORE("dontlognull", IN_PROXY, why_log),
	IGNORE("dontlog-normal", IN_PROXY, why_log),
	IGNORE("log-separate-errors", IN_PROXY, why_log),
	IGNORE("logasap", IN_PROXY, why_log),
	IGNORE("log-health-checks", IN_PROXY, why_log),
	IGNORE("http-server-close", IN_PROXY, why_l7),
	IGNORE("httpclose", IN_PROXY, why_l7),
	IGNORE("forceclose", IN_PROXY, why_l7),
	IGNORE("http-keep-alive", IN_PROXY, why_l7),
	IGNORE("http-pretend-keepalive", IN_PROXY, why_l7),
	IGNORE("http-no-delay", IN_PROXY, why_l7),
	IGNORE("http-buffer-request", IN_PROXY, why_l7),
	IGNORE("http-ignore-probes", IN_PROXY, why_l7),
	IGNORE("http-use-proxy-header", IN_PROXY, why_l7),
	IGNORE("http-use-htx", IN_PROXY, why_l7),
	IGNORE("http-restrict-req-hdr-names", IN_PROXY, why_l7),
	IGNORE("http-drop-request-trailers", IN_PROXY, why_l7),
	IGNORE("http-drop-response-trailers", IN_PROXY, why_l7),
	IGNORE("http_proxy", IN_PROXY, why_l7),
	IGNORE("accept-invalid-http-request", IN_PROXY, why_l7),
	IGNORE("accept-invalid-http-response", IN_PROXY, why_l7),
	IGNORE("h1-case-adjust-bogus-client", IN_PROXY, why_l7),
	IGNORE("h1-case-adjust-bogus-server", IN_PROXY, why_l7),
	IGNORE("checkcache", IN_PROXY, why_l7),
	IGNORE("disable-h2-upgrade", IN_PROXY, why_l7),
	IGNORE("idle-close-on-response", IN_PROXY, why_l7),
	IGNORE("abortonclose", IN_PROXY, why_l7),
	IGNORE("prefer-last-server", IN_PROXY, why_l7),
	IGNORE("redispatch", IN_PROXY, why_retry),
	IGNORE("persist", IN_PROXY, why_sticky),
	IGNORE("allbackups", IN_PROXY, "backup servers are not supported yet"),
	IGNORE("splice-auto", IN_PROXY, why_socket),
	IGNORE("splice-request", IN_PROXY, why_socket),
	IGNORE("splice-response", IN_PROXY, why_socket),
	IGNORE("tcp-smart-accept", IN_PROXY, why_socket),
	IGNORE("tcp-smart-connect", IN_PROXY, why_socket),
	IGNORE("tcpka", IN_PROXY, why_socket),
	IGNORE("clitcpka", IN_PROXY, why_socket),
	IGNORE("srvtcpka", IN_PROXY, why_socket),
	IGNORE("nolinger", IN_PROXY, why_socket),
	IGNORE("socket-stats", IN_PROXY, why_socket),
	IGNORE("contstats", IN_PROXY, why_socket),
	IGNORE("independent-streams", IN_PROXY, why_socket),
	IGNORE("transparent", IN_PROXY, why_socket),
	KW_END,
};

static void parse_option(struct parser *p, const struct directive *d)
{
	run_sub(p, option_kws, "option", false, d->argc - 1, d->argv + 1);
}

static void parse_no(struct parser *p, const struct directive *d)
{
	if (!strcmp(d->argv[1], "log"))
		return;
	if (strcmp(d->argv[1], "option") || d->argc < 3) {
		perr(p, "'no' only negates an option here (usage: no option NAME)");
		return;
	}
	run_sub(p, option_kws, "no option", true, d->argc - 2, d->argv + 2);
}

/* ---- timeout ---- */

static void parse_timeout_value(struct parser *p, const struct directive *d)
{
	uint32_t *field = (uint32_t *)((char *)&p->px.s + d->kw->arg);
	uint32_t ms;

	if (parse_time_ms(p, d->name, d->argv[1], 1000, &ms))
		*field = ms;
}

/* clang-format off */
#define TIMEOUT(n, w, field) \
	{ .name = n, .where = w, .fn = parse_timeout_value, .min_args = 1, .max_args = 1, \
	  .usage = "timeout " n " TIME", .flags = KW_CAP_WARN, \
	  .arg = offsetof(struct px_settings, field) }
/* clang-format on */

static const struct kw timeout_kws[] = {
	TIMEOUT("client", IN_DEF | IN_FE, timeout_client_ms),
	TIMEOUT("server", IN_DEF | IN_BE, timeout_server_ms),
	TIMEOUT("connect", IN_DEF | IN_BE, timeout_connect_ms),
	TIMEOUT("check", IN_DEF | IN_BE, timeout_check_ms),
	IGNORE("http-request", IN_PROXY, why_l7),
	IGNORE("http-keep-alive", IN_PROXY, why_l7),
	IGNORE("tarpit", IN_PROXY, why_l7),
	IGNORE("queue", IN_PROXY, why_queue),
	IGNORE("tunnel", IN_PROXY, why_idle),
	IGNORE("client-fin", IN_PROXY, why_idle),
	IGNORE("server-fin", IN_PROXY, why_idle),
	KW_END,
};

static void parse_timeout(struct parser *p, const struct directive *d)
{
	run_sub(p, timeout_kws, "timeout", false, d->argc - 1, d->argv + 1);
}

/* ---- http-check ---- */

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

static const struct kw http_check_kws[] = {
	KW("send", IN_DEF | IN_BE, parse_hc_send, 0, -1,
	   "http-check send [meth M] [uri U] [ver V] [hdr NAME VALUE]...", 0),
	KW("expect", IN_DEF | IN_BE, parse_hc_expect, 1, -1,
	   "http-check expect status CODES | rstatus REGEX", 0),
	IGNORE("disable-on-404", IN_DEF | IN_BE,
	       "rpilb has no soft-stop state: use 'rpilbctl drain'"),
	IGNORE("send-state", IN_DEF | IN_BE, "rpilb's check request carries no state header"),
	IGNORE("comment", IN_DEF | IN_BE, "rpilb reports check failures without comments"),
	REFUSE("connect", IN_DEF | IN_BE, "rpilb's check is a single request on one connection"),
	REFUSE("set-var", IN_DEF | IN_BE, "rpilb's check is a single request on one connection"),
	REFUSE("unset-var", IN_DEF | IN_BE, "rpilb's check is a single request on one connection"),
	KW_END,
};

static void parse_http_check(struct parser *p, const struct directive *d)
{
	run_sub(p, http_check_kws, "http-check", false, d->argc - 1, d->argv + 1);
}

/* ---- http-request / http-response ---- */

static const struct kw http_rule_kws[] = {
	REFUSE("deny", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("reject", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("tarpit", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("auth", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("silent-drop", IN_PROXY, WHY_HTTP_REFUSE),
	IGNORE_PREFIX("", IN_PROXY, why_l7), /* every other action */
	KW_END,
};

/* http-request, http-response and http-after-response: the action is the keyword. */
static void parse_http_rule(struct parser *p, const struct directive *d)
{
	if (d->argc < 2) {
		pwarn(p, "'%s' ignored: %s", d->name, why_l7);
		return;
	}
	run_sub(p, http_rule_kws, d->argv[0], false, d->argc - 1, d->argv + 1);
}

/* ---- stats ---- */

static void parse_stats_uri(struct parser *p, const struct directive *d)
{
	const char *u = d->argv[1];

	if (u[0] != '/') {
		perr(p, "'stats uri' must start with '/', not '%.64s'", u);
		return;
	}
	set_field(p, "stats URI", p->px.st.uri, sizeof(p->px.st.uri), u, is_visible);
}

static void parse_stats_realm(struct parser *p, const struct directive *d)
{
	const char *r = d->argv[1];

	/* It ends up inside a quoted WWW-Authenticate parameter. */
	if (strchr(r, '"') || strchr(r, '\\') || !is_text(r) || !*r) {
		perr(p, "bad stats realm '%.64s'", r);
		return;
	}
	if (!copy_str(p->px.st.realm, sizeof(p->px.st.realm), r))
		perr(p, "stats realm '%.64s' is too long (max %zu bytes)", r,
		     sizeof(p->px.st.realm) - 1);
}

static void parse_stats_auth(struct parser *p, const struct directive *d)
{
	struct cfg_stats *st = &p->px.st;
	const char *a = d->argv[1], *colon = strchr(a, ':');
	struct cfg_stats_user *u;
	size_t ulen;

	if (!colon || colon == a) {
		perr(p, "'stats auth' expects USER:PASSWORD, not '%.64s'", a);
		return;
	}
	if (!is_text(a)) {
		perr(p, "'stats auth' has a control character");
		return;
	}
	ulen = (size_t)(colon - a);
	if (ulen >= sizeof(u->user)) {
		perr(p, "stats user '%.*s' is too long (max %zu characters)", (int)ulen, a,
		     sizeof(u->user) - 1);
		return;
	}
	if (strlen(colon + 1) >= sizeof(u->password)) {
		perr(p, "stats password is too long (max %zu characters)", sizeof(u->password) - 1);
		return;
	}
	if (st->nusers == CFG_MAX_STATS_USERS) {
		perr(p, "too many 'stats auth' users (max %d)", CFG_MAX_STATS_USERS);
		return;
	}
	u = &st->users[st->nusers++];
	memcpy(u->user, a, ulen);
	u->user[ulen] = '\0';
	strcpy(u->password, colon + 1);
}

static void parse_stats_hide_version(struct parser *p, const struct directive *d)
{
	(void)d;
	p->px.st.hide_version = true;
}

static void parse_stats_enable(struct parser *p, const struct directive *d)
{
	(void)d;
	p->px.st.enabled = true;
}

static void parse_stats_refresh(struct parser *p, const struct directive *d)
{
	uint32_t ms;

	/* A bare number is seconds here, as in HAProxy. */
	if (parse_time_ms(p, "stats refresh", d->argv[1], 1000000, &ms))
		p->px.st.refresh_s = (ms + 999) / 1000;
}

static const struct kw stats_kws[] = {
	KW("enable", IN_FE, parse_stats_enable, 0, 0, "stats enable", 0),
	KW("uri", IN_FE, parse_stats_uri, 1, 1, "stats uri PATH", 0),
	KW("realm", IN_FE, parse_stats_realm, 1, 1, "stats realm REALM", 0),
	KW("auth", IN_FE, parse_stats_auth, 1, 1, "stats auth USER:PASSWORD", 0),
	KW("hide-version", IN_FE, parse_stats_hide_version, 0, 0, "stats hide-version", 0),
	KW("refresh", IN_FE, parse_stats_refresh, 1, 1, "stats refresh TIME", 0),
	IGNORE("show-legends", IN_FE, why_stats_page),
	IGNORE("show-node", IN_FE, why_stats_page),
	IGNORE("show-desc", IN_FE, why_stats_page),
	IGNORE("show-modules", IN_FE, why_stats_page),
	IGNORE("scope", IN_FE, why_stats_page),
	IGNORE("admin", IN_FE,
	       "rpilb's stats page is read-only: use 'rpilbctl drain/maint/enable'"),
	IGNORE("http-request", IN_FE, why_l7),
	IGNORE("bind-process", IN_FE, why_threads),
	KW_END,
};

static void parse_stats(struct parser *p, const struct directive *d)
{
	const struct kw *kw;

	if (p->sec == SEC_DEFAULTS) {
		perr(p,
		     "'stats %.64s' in defaults would put a stats page on every proxy: put it in one listen section",
		     d->argv[1]);
		return;
	}
	if (p->sec == SEC_BACKEND) {
		perr(p,
		     "'stats %.64s' in a backend needs use_backend to be reached (layer 7): put the stats page in a listen section",
		     d->argv[1]);
		return;
	}
	kw = kw_find(stats_kws, d->argv[1]);
	if (!kw) {
		perr(p, "unknown keyword 'stats %.64s' in '%s' section", d->argv[1],
		     section_names[p->sec]);
		return;
	}
	/* Any stats directive makes this section the stats page, as in HAProxy. */
	p->px.stats = true;
	p->px.st.enabled = true;
	run_kw(p, kw, &(const struct kw_call){ .prefix = "stats", .here = IN(p->sec) }, d->argc - 1,
	       d->argv + 1);
}

static const struct kw proxy_kws[] = {
	KW("bind", IN_FE, parse_bind, 1, -1, "bind ADDR:PORT [option...]", 0),
	KW("default_backend", IN_DEF | IN_FE, parse_default_backend, 1, 1, "default_backend NAME",
	   0),
	KW("mode", IN_PROXY, parse_mode, 1, 1, "mode tcp|http", 0),
	KW("balance", IN_DEF | IN_BE, parse_balance, 1, -1, "balance roundrobin|static-rr", 0),
	KW("server", IN_BE, parse_server, 2, -1, "server NAME ADDR[:PORT] [param...]", 0),
	KW("default-server", IN_DEF | IN_BE, parse_default_server, 0, -1,
	   "default-server [param...]", 0),
	KW("option", IN_PROXY, parse_option, 1, -1, "option NAME [args...]", 0),
	KW("no", IN_PROXY, parse_no, 1, -1, "no option NAME", 0),
	KW("timeout", IN_PROXY, parse_timeout, 1, -1, "timeout NAME TIME", 0),
	KW("http-check", IN_DEF | IN_BE, parse_http_check, 1, -1, "http-check send|expect ...", 0),
	KW("stats", IN_PROXY, parse_stats, 1, -1,
	   "stats enable|uri|realm|auth|hide-version|refresh ...", 0),
	KW("http-request", IN_PROXY, parse_http_rule, 0, -1, NULL, 0),
	KW("http-response", IN_PROXY, parse_http_rule, 0, -1, NULL, 0),
	KW("http-after-response", IN_PROXY, parse_http_rule, 0, -1, NULL, 0),
	REFUSE("use_backend", IN_FE, why_content),
	REFUSE("use-server", IN_BE, why_content),
	REFUSE("server-template", IN_BE, "declare each server with a 'server' line"),
	REFUSE("dispatch", IN_BE, "declare the target with a 'server' line"),
	REFUSE("tcp-request", IN_PROXY, why_filter),
	REFUSE("tcp-response", IN_PROXY, why_filter),
	REFUSE("block", IN_PROXY, why_filter),
	REFUSE("tcp-check", IN_DEF | IN_BE,
	       "rpilb's TCP check only connects; send/expect sequences are not supported"),
	REFUSE("external-check", IN_DEF | IN_BE, why_check_kind),
	REFUSE("contimeout", IN_PROXY, why_old_timeout),
	REFUSE("clitimeout", IN_PROXY, why_old_timeout),
	REFUSE("srvtimeout", IN_PROXY, why_old_timeout),
	REFUSE("disabled", IN_PROXY, "comment the section out instead"),
	KW("enabled", IN_PROXY, NULL, 0, 0, NULL, 0),
	IGNORE("log", IN_PROXY, why_log),
	IGNORE("log-format", IN_PROXY, why_log),
	IGNORE("log-format-sd", IN_PROXY, why_log),
	IGNORE("error-log-format", IN_PROXY, why_log),
	IGNORE("log-tag", IN_PROXY, why_log),
	IGNORE("unique-id-format", IN_PROXY, why_log),
	IGNORE("unique-id-header", IN_PROXY, why_log),
	IGNORE2("capture", IN_PROXY, why_l7),
	IGNORE("errorfile", IN_PROXY, why_errorfile),
	IGNORE("errorfiles", IN_PROXY, why_errorfile),
	IGNORE("errorloc", IN_PROXY, why_errorfile),
	IGNORE("errorloc302", IN_PROXY, why_errorfile),
	IGNORE("errorloc303", IN_PROXY, why_errorfile),
	IGNORE("http-error", IN_PROXY, why_errorfile),
	IGNORE("compression", IN_PROXY, why_body),
	IGNORE("cookie", IN_PROXY, why_sticky),
	IGNORE("dynamic-cookie-key", IN_PROXY, why_sticky),
	IGNORE("persist", IN_PROXY, why_sticky),
	IGNORE("force-persist", IN_PROXY, why_sticky),
	IGNORE("ignore-persist", IN_PROXY, why_sticky),
	IGNORE("stick", IN_PROXY, why_sticky),
	IGNORE("stick-table", IN_PROXY, why_sticky),
	IGNORE("hash-type", IN_PROXY, why_hash),
	IGNORE("hash-balance-factor", IN_PROXY, why_hash),
	IGNORE("http-reuse", IN_PROXY, why_l7),
	IGNORE("monitor-uri", IN_PROXY, why_l7),
	IGNORE("monitor", IN_PROXY, why_l7),
	IGNORE("redirect", IN_PROXY, why_l7),
	IGNORE("filter", IN_PROXY, why_l7),
	IGNORE("acl", IN_PROXY, why_acl),
	IGNORE("maxconn", IN_PROXY, why_maxconn),
	IGNORE("fullconn", IN_PROXY, why_maxconn),
	IGNORE("rate-limit", IN_PROXY, why_maxconn),
	IGNORE("backlog", IN_PROXY, why_socket),
	IGNORE("retries", IN_PROXY, why_retry),
	IGNORE("retry-on", IN_PROXY, why_retry),
	IGNORE("source", IN_PROXY, why_source),
	IGNORE("description", IN_PROXY, why_stats_page),
	IGNORE("id", IN_PROXY, "rpilb numbers services and pools itself"),
	IGNORE("email-alert", IN_PROXY, "rpilb sends no mail"),
	IGNORE("bind-process", IN_PROXY, why_threads),
	IGNORE("grace", IN_PROXY, why_stop),
	IGNORE("load-server-state-from-file", IN_PROXY, why_state),
	IGNORE("server-state-file-name", IN_PROXY, why_state),
	KW_END,
};

/* ---- rpilb ---- */

static void parse_interface(struct parser *p, const struct directive *d)
{
	const char *s = d->argv[1], *c;
	struct cfg_rpilb *r = &p->cfg->rpilb;

	/* The kernel's own rule for device names (dev_valid_name). */
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..")) {
		perr(p, "bad interface name '%.64s'", s);
		return;
	}
	for (c = s; *c; c++) {
		if (*c == '/' || *c == ':' || (unsigned char)*c <= 0x20 ||
		    (unsigned char)*c >= 0x7f) {
			perr(p, "bad interface name '%.64s'", s);
			return;
		}
	}
	if (!copy_str(r->interface, sizeof(r->interface), s))
		perr(p, "interface name '%.64s' is too long (max %d characters)", s,
		     IF_NAMESIZE - 1);
}

static void parse_attach(struct parser *p, const struct directive *d)
{
	if (cfg_attach_mode_parse(d->argv[1], &p->cfg->rpilb.mode) < 0)
		perr(p, "unknown attach mode '%.64s' (expected auto, xdp, xdpgeneric or tc)",
		     d->argv[1]);
}

static void parse_flow_table_size(struct parser *p, const struct directive *d)
{
	unsigned long v;

	if (parse_uint_range(p, "flow-table-size", d->argv[1], CFG_FLOW_TABLE_MIN,
			     CFG_FLOW_TABLE_MAX, &v))
		p->cfg->rpilb.flow_table_size = (uint32_t)v;
}

static void parse_nat_ports(struct parser *p, const struct directive *d)
{
	char buf[16];
	const char *s = d->argv[1], *dash = strchr(s, '-');
	unsigned long long lo, hi;

	if (!dash || (size_t)(dash - s) >= sizeof(buf))
		goto bad;
	memcpy(buf, s, (size_t)(dash - s));
	buf[dash - s] = '\0';
	if (parse_u64(buf, 65535, &lo) < 0 || parse_u64(dash + 1, 65535, &hi) < 0)
		goto bad;
	if (lo < CFG_NAT_PORT_MIN || lo > hi) {
		perr(p, "'nat-ports %.64s': the range must lie in %d-65535, low end first", s,
		     CFG_NAT_PORT_MIN);
		return;
	}
	if (hi - lo + 1 < CFG_NAT_PORTS_MIN) {
		perr(p, "'nat-ports %.64s' holds %llu ports; rpilb needs at least %d", s,
		     hi - lo + 1, CFG_NAT_PORTS_MIN);
		return;
	}
	p->cfg->rpilb.nat_port_lo = (uint16_t)lo;
	p->cfg->rpilb.nat_port_hi = (uint16_t)hi;
	return;
bad:
	perr(p, "'nat-ports' expects a range LOW-HIGH such as 50000-59999, not '%.64s'", s);
}

static bool set_path(struct parser *p, const char *what, char *dst, size_t size, const char *s)
{
	if (s[0] != '/' || !is_text(s)) {
		perr(p, "'%s' needs an absolute path, not '%.64s'", what, s);
		return false;
	}
	if (!copy_str(dst, size, s)) {
		perr(p, "'%s' path '%.64s' is too long (max %zu bytes)", what, s, size - 1);
		return false;
	}
	return true;
}

static void parse_state_dir(struct parser *p, const struct directive *d)
{
	set_path(p, "state-dir", p->cfg->rpilb.state_dir, sizeof(p->cfg->rpilb.state_dir),
		 d->argv[1]);
}

static void parse_pin_dir(struct parser *p, const struct directive *d)
{
	set_path(p, "pin-dir", p->cfg->rpilb.pin_dir, sizeof(p->cfg->rpilb.pin_dir), d->argv[1]);
}

static void parse_socket(struct parser *p, const struct directive *d)
{
	/* A UNIX socket path must fit sockaddr_un, which is shorter than CFG_PATH_MAX. */
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);

	set_path(p, "socket", p->cfg->rpilb.socket_path,
		 max < sizeof(p->cfg->rpilb.socket_path) ? max : sizeof(p->cfg->rpilb.socket_path),
		 d->argv[1]);
}

static void parse_socket_mode(struct parser *p, const struct directive *d)
{
	const char *s = d->argv[1], *c;
	unsigned int mode = 0;

	for (c = s; *c && *c >= '0' && *c <= '7' && c - s < 4; c++)
		mode = mode * 8 + (unsigned int)(*c - '0');
	if (!*s || *c || mode > 0777) {
		perr(p, "'socket-mode' expects an octal mode such as 0660, not '%.64s'", s);
		return;
	}
	p->cfg->rpilb.socket_mode = mode;
}

static void parse_socket_group(struct parser *p, const struct directive *d)
{
	const char *s = d->argv[1], *c;

	for (c = s; *c; c++) {
		if (!is_alnum(*c) && *c != '_' && *c != '-' && *c != '.')
			break;
	}
	if (!*s || *c || s[0] == '-') {
		perr(p, "bad group name '%.64s'", s);
		return;
	}
	if (!copy_str(p->cfg->rpilb.socket_group, sizeof(p->cfg->rpilb.socket_group), s))
		perr(p, "group name '%.64s' is too long (max %d characters)", s, CFG_NAME_MAX - 1);
}

#define RPILB_KW(n, f, u) KW(n, IN_RPILB, f, 1, 1, u, 0)

static const struct kw rpilb_kws[] = {
	RPILB_KW("interface", parse_interface, "interface IFNAME"),
	RPILB_KW("attach", parse_attach, "attach auto|xdp|xdpgeneric|tc"),
	RPILB_KW("flow-table-size", parse_flow_table_size, "flow-table-size N"),
	RPILB_KW("nat-ports", parse_nat_ports, "nat-ports LOW-HIGH"),
	RPILB_KW("state-dir", parse_state_dir, "state-dir PATH"),
	RPILB_KW("pin-dir", parse_pin_dir, "pin-dir PATH"),
	RPILB_KW("socket", parse_socket, "socket PATH"),
	RPILB_KW("socket-mode", parse_socket_mode, "socket-mode OCTAL"),
	RPILB_KW("socket-group", parse_socket_group, "socket-group GROUP"),
	REFUSE("mode", IN_RPILB,
	       "the rpilb section sets how the program attaches with 'attach auto|xdp|xdpgeneric|tc'"),
	KW_END,
};

/* ---- sections and lines ---- */

static void open_section(struct parser *p, const struct directive *d)
{
	p->sec = (enum section)d->kw->arg;
	switch (p->sec) {
	case SEC_GLOBAL:
	case SEC_RPILB:
		if (d->argc > 1)
			perr(p, "'%s' has an unexpected argument '%.64s'", d->argv[0], d->argv[1]);
		break;
	default:
		px_open(p, p->sec, d->argc, d->argv);
		break;
	}
}

/* clang-format off */
#define SECTION(n, sec) \
	{ .name = n, .where = IN_ANY, .fn = open_section, .max_args = -1, .arg = sec }
/* clang-format on */

/* A row without a handler is a HAProxy section rpilb skips whole. */
static const struct kw section_kws[] = {
	SECTION("global", SEC_GLOBAL),
	SECTION("defaults", SEC_DEFAULTS),
	SECTION("frontend", SEC_FRONTEND),
	SECTION("backend", SEC_BACKEND),
	SECTION("listen", SEC_LISTEN),
	SECTION("rpilb", SEC_RPILB),
	IGNORE("userlist", IN_ANY, "rpilb's stats page uses 'stats auth' users only"),
	IGNORE("peers", IN_ANY, why_sticky),
	IGNORE("resolvers", IN_ANY, "rpilb resolves server names once, when it starts"),
	IGNORE("mailers", IN_ANY, "rpilb sends no mail"),
	IGNORE("program", IN_ANY, "rpilb starts no programs"),
	IGNORE("http-errors", IN_ANY, why_errorfile),
	IGNORE("ring", IN_ANY, why_log),
	IGNORE("log-forward", IN_ANY, why_log),
	IGNORE("cache", IN_ANY, why_l7),
	IGNORE("fcgi-app", IN_ANY, why_l7),
	IGNORE("crt-store", IN_ANY, why_tls),
	IGNORE("traces", IN_ANY, why_log),
	KW_END,
};

static void parse_line(struct parser *p, int argc, char **argv)
{
	const struct kw *table, *kw = kw_find(section_kws, argv[0]);

	if (kw) {
		/* Whatever the new section is, the one before it ends here. */
		section_close(p);
		run_kw(p, kw, &(const struct kw_call){ .what = "section", .here = IN(p->sec) },
		       argc, argv);
		if (!kw->fn)
			p->sec = SEC_IGNORED;
		return;
	}
	switch (p->sec) {
	case SEC_NONE:
		perr(p,
		     "'%.64s' outside any section (start one with global, defaults, frontend, backend, listen or rpilb)",
		     argv[0]);
		return;
	case SEC_IGNORED:
		return;
	case SEC_GLOBAL:
		table = global_kws;
		break;
	case SEC_RPILB:
		table = rpilb_kws;
		break;
	default:
		table = proxy_kws;
		break;
	}
	kw = kw_find(table, argv[0]);
	if (!kw) {
		perr(p, "unknown keyword '%.64s' in '%s' section", argv[0], section_names[p->sec]);
		return;
	}
	run_kw(p, kw, &(const struct kw_call){ .here = IN(p->sec) }, argc, argv);
}

/*
 * The backslash escape at s[i] (s[i + 1] exists): its byte goes to *out.
 * Returns the input bytes it takes, 0 when it is no escape (the backslash
 * stays, as in HAProxy), or -1 after an error.
 */
static int unescape_one(struct parser *p, const char *s, size_t len, size_t i, char *out)
{
	int hi, lo;

	switch (s[i + 1]) {
	case ' ':
	case '\\':
	case '#':
	case '\'':
	case '"':
		*out = s[i + 1];
		return 2;
	case 'r':
		*out = '\r';
		return 2;
	case 'n':
		*out = '\n';
		return 2;
	case 't':
		*out = '\t';
		return 2;
	case 'x':
		hi = i + 2 < len ? hexval(s[i + 2]) : -1;
		lo = i + 3 < len ? hexval(s[i + 3]) : -1;
		if (hi < 0 || lo < 0) {
			perr(p, "bad '\\x' escape: two hex digits must follow");
			return -1;
		}
		if (!hi && !lo) {
			perr(p, "'\\x00' is not allowed: arguments cannot hold a NUL byte");
			return -1;
		}
		*out = (char)(hi * 16 + lo);
		return 4;
	default:
		return 0;
	}
}

/*
 * Split a line into arguments with HAProxy's rules: blanks separate them,
 * '#' outside quotes starts a comment, single quotes keep everything
 * literally, and outside them a backslash escapes a blank, '#', a quote or
 * itself and writes \r, \n, \t and \xHH. Any other backslash stays, as in
 * HAProxy. Returns the argument count, or -1 after an error.
 */
static int tokenize(struct parser *p, const char *s, size_t len)
{
	char *out = p->args;
	size_t i = 0;
	int argc = 0;

	for (;;) {
		bool squote = false, dquote = false;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len || s[i] == '#')
			break;
		if (argc == CFG_MAX_ARGS) {
			perr(p, "too many arguments on one line (max %d)", CFG_MAX_ARGS);
			return -1;
		}
		p->argv[argc++] = out;
		while (i < len) {
			char c = s[i];
			int n;

			if (!squote && !dquote && (c == ' ' || c == '\t' || c == '#'))
				break;
			if (c == '\'' && !dquote) {
				squote = !squote;
				i++;
				continue;
			}
			if (c == '"' && !squote) {
				dquote = !dquote;
				i++;
				continue;
			}
			n = c == '\\' && !squote && i + 1 < len ? unescape_one(p, s, len, i, out)
								: 0;
			if (n < 0)
				return -1;
			if (n > 0) {
				out++;
				i += (size_t)n;
				continue;
			}
			*out++ = c;
			i++;
		}
		if (squote || dquote) {
			perr(p, "unmatched %s quote", squote ? "single" : "double");
			return -1;
		}
		*out++ = '\0';
	}
	p->argv[argc] = NULL;
	return argc;
}

static void finish(struct parser *p)
{
	struct rpilb_config *cfg = p->cfg;
	const struct cfg_rpilb *r = &cfg->rpilb;
	size_t i, j;

	section_close(p);
	for (i = 0; i < cfg->nfrontends; i++) {
		struct cfg_frontend *fe = &cfg->frontends[i];

		for (j = 0; j < cfg->nbackends; j++) {
			if (!strcmp(cfg->backends[j].name, fe->default_backend))
				break;
		}
		if (j < cfg->nbackends)
			fe->backend = (int)j;
		else
			perr_at(p, p->fe_lines[i],
				"frontend '%s': default_backend '%s' names no backend", fe->name,
				fe->default_backend);
	}
	/* Replies from servers come back to NAT ports: a service there would swallow them. */
	for (i = 0; i < cfg->nfrontends; i++) {
		for (j = 0; j < cfg->frontends[i].nbinds; j++) {
			const struct cfg_bind *b = &cfg->frontends[i].binds[j];

			if (b->port >= r->nat_port_lo && b->port <= r->nat_port_hi)
				perr_at(p, b->line,
					"bind port %u is inside nat-ports %u-%u, which rpilb keeps for its connections to servers",
					b->port, r->nat_port_lo, r->nat_port_hi);
		}
	}
	if (cfg->stats.enabled && cfg->stats.port >= r->nat_port_lo &&
	    cfg->stats.port <= r->nat_port_hi)
		perr_at(p, p->stats_bind_line,
			"stats port %u is inside nat-ports %u-%u, which rpilb keeps for its connections to servers",
			cfg->stats.port, r->nat_port_lo, r->nat_port_hi);
	if (p->oom)
		perr_at(p, 0, "out of memory");
	diags_sort(p->diags);
}

static void cfg_init(struct rpilb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	stats_init(&cfg->stats);
	cfg->rpilb.mode = CFG_ATTACH_AUTO;
	cfg->rpilb.flow_table_size = CFG_DEFAULT_FLOW_TABLE;
	cfg->rpilb.nat_port_lo = CFG_DEFAULT_NAT_PORT_LO;
	cfg->rpilb.nat_port_hi = CFG_DEFAULT_NAT_PORT_HI;
	strcpy(cfg->rpilb.state_dir, CFG_DEFAULT_STATE_DIR);
	strcpy(cfg->rpilb.socket_path, CFG_DEFAULT_SOCKET);
	cfg->rpilb.socket_mode = CFG_DEFAULT_SOCK_MODE;
}

int cfg_parse_string(const char *name, const char *text, size_t len, struct rpilb_config *cfg,
		     struct cfg_diags *diags)
{
	struct parser *p;
	size_t pos = 0;
	int ret = -1;

	diags_init(diags, name);
	cfg_init(cfg);
	p = calloc(1, sizeof(*p));
	if (!p) {
		cfg_diag_add(diags, CFG_ERROR, 0, "out of memory");
		goto out;
	}
	p->cfg = cfg;
	p->diags = diags;
	settings_init(&p->defaults);

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		int argc;

		pos += n + (nl ? 1 : 0);
		p->line++;
		/* Files edited on Windows end lines with CRLF. */
		if (n && line[n - 1] == '\r')
			n--;
		if (n > CFG_LINE_MAX) {
			perr(p, "line too long (%zu bytes, max %d)", n, CFG_LINE_MAX);
			continue;
		}
		if (memchr(line, '\0', n)) {
			perr(p, "NUL byte in line");
			continue;
		}
		argc = tokenize(p, line, n);
		if (argc > 0)
			parse_line(p, argc, p->argv);
	}
	finish(p);
	ret = diags->nerrors ? -1 : 0;
out:
	if (p) {
		free(p->px.servers);
		free(p->named);
		free(p->names);
		free(p->binds);
		free(p->fe_lines);
		free(p);
	}
	if (ret)
		cfg_free(cfg);
	return ret;
}

/* A diagnostic about the file as a whole, before any line was read. */
static void __attribute__((format(printf, 4, 5)))
file_error(const char *path, struct rpilb_config *cfg, struct cfg_diags *diags, const char *fmt,
	   ...)
{
	va_list ap;

	diags_init(diags, path);
	cfg_init(cfg);
	va_start(ap, fmt);
	diag_vadd(diags, CFG_ERROR, 0, fmt, ap);
	va_end(ap);
}

int cfg_parse_file(const char *path, struct rpilb_config *cfg, struct cfg_diags *diags)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int ret = -1;

	f = fopen(path, "r");
	if (!f) {
		file_error(path, cfg, diags, "cannot open: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			if (cap >= CFG_FILE_MAX) {
				file_error(path, cfg, diags, "file is larger than %d bytes",
					   CFG_FILE_MAX);
				goto out;
			}
			/* 16 KiB first, then doubling: a file is read in a few calls. */
			if (vec_grow(&buf, &cap, cap ? cap * 2 : 16384, 1)) {
				file_error(path, cfg, diags, "out of memory");
				goto out;
			}
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		file_error(path, cfg, diags, "cannot read: %s", strerror(errno));
		goto out;
	}
	ret = cfg_parse_string(path, buf, len, cfg, diags);
out:
	free(buf);
	fclose(f);
	return ret;
}

int cfg_resolve(struct rpilb_config *cfg, struct cfg_diags *diags)
{
	size_t nerrors = diags->nerrors, i, j;

	for (i = 0; i < cfg->nbackends; i++) {
		for (j = 0; j < cfg->backends[i].nservers; j++) {
			struct cfg_server *s = &cfg->backends[i].servers[j];
			struct addrinfo hints = { .ai_family = AF_INET,
						  .ai_socktype = SOCK_STREAM };
			struct addrinfo *res = NULL;
			int rc;

			if (s->addr.s_addr)
				continue;
			rc = getaddrinfo(s->host, NULL, &hints, &res);
			if (rc) {
				cfg_diag_add(diags, CFG_ERROR, s->line,
					     "server '%s': cannot resolve '%s': %s", s->name,
					     s->host,
					     rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
				continue;
			}
			s->addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
			freeaddrinfo(res);
			if (!s->addr.s_addr)
				cfg_diag_add(diags, CFG_ERROR, s->line,
					     "server '%s': '%s' resolves to 0.0.0.0", s->name,
					     s->host);
		}
	}
	return diags->nerrors != nerrors ? -1 : 0;
}

void cfg_free(struct rpilb_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nbackends; i++)
		free(cfg->backends[i].servers);
	free(cfg->backends);
	free(cfg->frontends);
	memset(cfg, 0, sizeof(*cfg));
}

void cfg_diags_free(struct cfg_diags *diags)
{
	if (!diags)
		return;
	free(diags->items);
	diags->items = NULL;
	diags->count = 0;
	diags->cap = 0;
	diags->nerrors = 0;
}

int cfg_diag_format(const struct cfg_diags *diags, const struct cfg_diag *d, char *buf, size_t len)
{
	const char *file = diags && diags->file[0] ? diags->file : "<config>";
	const char *sev = d->severity == CFG_ERROR ? "error" : "warning";

	if (d->line)
		return snprintf(buf, len, "%s:%u: %s: %s", file, d->line, sev, d->msg);
	return snprintf(buf, len, "%s: %s: %s", file, sev, d->msg);
}

static const char *const attach_names[] = {
	[CFG_ATTACH_AUTO] = "auto",
	[CFG_ATTACH_XDP] = "xdp",
	[CFG_ATTACH_XDP_GENERIC] = "xdpgeneric",
	[CFG_ATTACH_TC] = "tc",
};

const char *cfg_attach_mode_name(enum cfg_attach_mode mode)
{
	if ((unsigned int)mode >= ARRAY_SIZE(attach_names))
		return "unknown";
	return attach_names[mode];
}

int cfg_attach_mode_parse(const char *s, enum cfg_attach_mode *mode)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attach_names); i++) {
		if (!strcmp(s, attach_names[i])) {
			*mode = (enum cfg_attach_mode)i;
			return 0;
		}
	}
	return -1;
}

struct cfg_backend *cfg_find_backend(const struct rpilb_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; cfg && name && i < cfg->nbackends; i++) {
		if (!strcmp(cfg->backends[i].name, name))
			return &cfg->backends[i];
	}
	return NULL;
}

struct cfg_server *cfg_find_server(const struct cfg_backend *be, const char *name)
{
	size_t i;

	for (i = 0; be && name && i < be->nservers; i++) {
		if (!strcmp(be->servers[i].name, name))
			return &be->servers[i];
	}
	return NULL;
}

uint32_t cfg_flow_idle_ms(const struct rpilb_config *cfg, const struct cfg_frontend *fe)
{
	uint32_t idle = fe->timeout_client_ms;

	if (fe->backend >= 0 && (size_t)fe->backend < cfg->nbackends &&
	    cfg->backends[fe->backend].timeout_server_ms > idle)
		idle = cfg->backends[fe->backend].timeout_server_ms;
	return idle ? idle : CFG_DEFAULT_IDLE_MS;
}
