// SPDX-License-Identifier: GPL-2.0-only
/*
 * Proxies: directives, timeouts, filters, the stats page, http-check. The
 * rule sets (tcp-request, http-request, ...) are in kw_compat_rules.c and
 * the keywords HAProxy removed in kw_compat_removed.c.
 *
 * Compatibility rows: keywords of HAProxy that rpilb reads without
 * implementing them. IGNORE rows are accepted with a warning giving their
 * reason, REFUSE rows are errors giving theirs, ACCEPT rows ask for what
 * rpilb does anyway and are silent. Adding a keyword is adding a row;
 * tests/unit/config/test_config_keywords.c runs every row through the
 * parser and the documentation lists them from these tables.
 */
#include "config/parser.h"
#include "config/why.h"

const struct kw compat_proxy_kws[] = {
	REFUSE("use_backend", IN_FE, WHY_CONTENT),
	REFUSE("use-server", IN_BE, WHY_CONTENT),
	REFUSE("server-template", IN_BE, "declare each server with a 'server' line"),
	REFUSE("dispatch", IN_BE, "declare the target with a 'server' line"),
	REFUSE("disabled", IN_PROXY, "comment the section out instead"),
	/* HAProxy answers these requests itself; a server would get them instead. */
	REFUSE("redirect", IN_FE | IN_BE, WHY_ANSWER),
	REFUSE("monitor-uri", IN_DEF | IN_FE, WHY_ANSWER),
	/* The servers speak FastCGI: HTTP forwarded as it is would fail on every request. */
	REFUSE("use-fcgi-app", IN_BE,
	       "HAProxy speaks FastCGI to these servers; rpilb forwards HTTP unchanged, which they cannot read"),
	ACCEPT("enabled", IN_PROXY),
	IGNORE("log", IN_PROXY, WHY_LOG),
	IGNORE("log-format", IN_PROXY, WHY_LOG),
	IGNORE("log-format-sd", IN_PROXY, WHY_LOG),
	IGNORE("error-log-format", IN_PROXY, WHY_LOG),
	IGNORE("log-tag", IN_PROXY, WHY_LOG),
	IGNORE("unique-id-format", IN_PROXY, WHY_LOG),
	IGNORE("unique-id-header", IN_PROXY, WHY_LOG),
	IGNORE2("capture", IN_PROXY, WHY_L7),
	IGNORE("errorfile", IN_PROXY, WHY_ERRORFILE),
	IGNORE("errorfiles", IN_PROXY, WHY_ERRORFILE),
	IGNORE("errorloc", IN_PROXY, WHY_ERRORFILE),
	IGNORE("errorloc302", IN_PROXY, WHY_ERRORFILE),
	IGNORE("errorloc303", IN_PROXY, WHY_ERRORFILE),
	IGNORE("http-error", IN_PROXY, WHY_ERRORFILE),
	IGNORE("compression", IN_PROXY, WHY_COMPRESSION),
	IGNORE("http-send-name-header", IN_PROXY, WHY_L7),
	IGNORE("max-keep-alive-queue", IN_PROXY, WHY_L7),
	IGNORE("max-session-srv-conns", IN_PROXY, WHY_L7),
	IGNORE("ssl-f-use", IN_PROXY, WHY_TLS),
	IGNORE2("declare", IN_PROXY, WHY_LOG),
	IGNORE("log-steps", IN_PROXY, WHY_LOG),
	/* Stickiness decides where a connection goes, never whether: round robin is safe. */
	IGNORE("cookie", IN_PROXY, WHY_STICKY),
	IGNORE("dynamic-cookie-key", IN_PROXY, WHY_STICKY),
	IGNORE("persist", IN_PROXY, WHY_STICKY),
	IGNORE("force-persist", IN_PROXY, WHY_STICKY),
	IGNORE("ignore-persist", IN_PROXY, WHY_STICKY),
	IGNORE("stick", IN_PROXY, WHY_STICKY),
	IGNORE("stick-table", IN_PROXY, WHY_STICKY),
	IGNORE("hash-type", IN_PROXY, WHY_HASH),
	IGNORE("hash-balance-factor", IN_PROXY, WHY_HASH),
	IGNORE("hash-preserve-affinity", IN_PROXY, WHY_HASH),
	IGNORE("http-reuse", IN_PROXY, WHY_L7),
	IGNORE("monitor", IN_PROXY, WHY_L7),
	SUB("filter", IN_FE | IN_BE, kw_sub, &kwf_filter, "filter NAME [args...]"),
	IGNORE("acl", IN_PROXY, "rpilb evaluates no ACLs: nothing at layer 4 could use them"),
	IGNORE("maxconn", IN_PROXY, WHY_MAXCONN),
	IGNORE("fullconn", IN_PROXY, WHY_MAXCONN),
	IGNORE("rate-limit", IN_PROXY, WHY_MAXCONN),
	IGNORE("backlog", IN_PROXY, WHY_SOCKET),
	IGNORE("clitcpka-cnt", IN_PROXY, WHY_SOCKET),
	IGNORE("clitcpka-idle", IN_PROXY, WHY_SOCKET),
	IGNORE("clitcpka-intvl", IN_PROXY, WHY_SOCKET),
	IGNORE("srvtcpka-cnt", IN_PROXY, WHY_SOCKET),
	IGNORE("srvtcpka-idle", IN_PROXY, WHY_SOCKET),
	IGNORE("srvtcpka-intvl", IN_PROXY, WHY_SOCKET),
	IGNORE("transparent", IN_PROXY, WHY_TRANSPARENT),
	IGNORE("retries", IN_PROXY, WHY_RETRY),
	IGNORE("retry-on", IN_PROXY, WHY_RETRY),
	IGNORE("source", IN_PROXY, WHY_SOURCE),
	IGNORE("description", IN_PROXY, WHY_STATS_PAGE),
	IGNORE("id", IN_PROXY, WHY_PX_ID),
	IGNORE("guid", IN_PROXY, WHY_PX_ID),
	IGNORE("email-alert", IN_PROXY, WHY_MAIL),
	IGNORE("load-server-state-from-file", IN_PROXY, WHY_STATE),
	IGNORE("server-state-file-name", IN_PROXY, WHY_STATE),
	KW_END,
};

const struct kw compat_timeout_kws[] = {
	IGNORE("http-request", IN_PROXY, WHY_L7),
	IGNORE("http-keep-alive", IN_PROXY, WHY_L7),
	IGNORE("tarpit", IN_PROXY, WHY_L7),
	IGNORE("queue", IN_PROXY, WHY_QUEUE),
	/* A client's TLS handshake: rpilb terminates no TLS, so it never waits for one. */
	IGNORE("client-hs", IN_PROXY, WHY_TLS),
	/* HAProxy 2.0 read the old names after 'timeout' too, as it read them alone. */
	REFUSE("clitimeout", IN_PROXY, WHY_CLITIMEOUT),
	REFUSE("contimeout", IN_PROXY, WHY_CONTIMEOUT),
	REFUSE("srvtimeout", IN_PROXY, WHY_SRVTIMEOUT),
	KW_END,
};

const struct kw compat_stats_kws[] = {
	IGNORE("show-legends", IN_FE, WHY_STATS_PAGE),
	IGNORE("show-node", IN_FE, WHY_STATS_PAGE),
	IGNORE("show-desc", IN_FE, WHY_STATS_PAGE),
	IGNORE("show-modules", IN_FE, WHY_STATS_PAGE),
	IGNORE("scope", IN_FE, WHY_STATS_PAGE),
	IGNORE("admin", IN_FE,
	       "rpilb's stats page is read-only: use 'rpilbctl drain/maint/enable'"),
	/* HAProxy would turn away who these rules deny; rpilb's page would not. */
	REFUSE("http-request", IN_FE, WHY_STATS_ACCESS),
	KW_END,
};

/* filter NAME: stream filters, none of which stops a connection. */
const struct kw compat_filter_kws[] = {
	IGNORE("bwlim-in", IN_FE | IN_BE, WHY_BWLIM),
	IGNORE("bwlim-out", IN_FE | IN_BE, WHY_BWLIM),
	IGNORE("cache", IN_FE | IN_BE, WHY_L7),
	IGNORE("compression", IN_FE | IN_BE, WHY_COMPRESSION),
	IGNORE("fcgi-app", IN_FE | IN_BE, WHY_L7),
	IGNORE("opentracing", IN_FE | IN_BE, WHY_LOG),
	/* SPOE agents only set variables; the rules that act on them are refused or ignored. */
	IGNORE("spoe", IN_FE | IN_BE, WHY_SPOE),
	IGNORE("trace", IN_FE | IN_BE, WHY_PROC),
	KW_END,
};
