// SPDX-License-Identifier: GPL-2.0-only
/*
 * Proxies: directives, timeouts, HTTP rules, the stats page, http-check.
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
	REFUSE("tcp-request", IN_PROXY, WHY_FILTER),
	REFUSE("tcp-response", IN_PROXY, WHY_FILTER),
	REFUSE("block", IN_PROXY, WHY_FILTER),
	REFUSE("contimeout", IN_PROXY, WHY_OLD_TIMEOUT),
	REFUSE("clitimeout", IN_PROXY, WHY_OLD_TIMEOUT),
	REFUSE("srvtimeout", IN_PROXY, WHY_OLD_TIMEOUT),
	REFUSE("disabled", IN_PROXY, "comment the section out instead"),
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
	IGNORE("compression", IN_PROXY, "rpilb does not read or rewrite response bodies"),
	IGNORE("cookie", IN_PROXY, WHY_STICKY),
	IGNORE("dynamic-cookie-key", IN_PROXY, WHY_STICKY),
	IGNORE("persist", IN_PROXY, WHY_STICKY),
	IGNORE("force-persist", IN_PROXY, WHY_STICKY),
	IGNORE("ignore-persist", IN_PROXY, WHY_STICKY),
	IGNORE("stick", IN_PROXY, WHY_STICKY),
	IGNORE("stick-table", IN_PROXY, WHY_STICKY),
	IGNORE("hash-type", IN_PROXY, WHY_HASH),
	IGNORE("hash-balance-factor", IN_PROXY, WHY_HASH),
	IGNORE("http-reuse", IN_PROXY, WHY_L7),
	IGNORE("monitor-uri", IN_PROXY, WHY_L7),
	IGNORE("monitor", IN_PROXY, WHY_L7),
	IGNORE("redirect", IN_PROXY, WHY_L7),
	IGNORE("filter", IN_PROXY, WHY_L7),
	IGNORE("acl", IN_PROXY, "rpilb evaluates no ACLs: nothing at layer 4 could use them"),
	IGNORE("maxconn", IN_PROXY, WHY_MAXCONN),
	IGNORE("fullconn", IN_PROXY, WHY_MAXCONN),
	IGNORE("rate-limit", IN_PROXY, WHY_MAXCONN),
	IGNORE("backlog", IN_PROXY, WHY_SOCKET),
	IGNORE("retries", IN_PROXY, WHY_RETRY),
	IGNORE("retry-on", IN_PROXY, WHY_RETRY),
	IGNORE("source", IN_PROXY, WHY_SOURCE),
	IGNORE("description", IN_PROXY, WHY_STATS_PAGE),
	IGNORE("id", IN_PROXY, "rpilb numbers services and pools itself"),
	IGNORE("email-alert", IN_PROXY, WHY_MAIL),
	IGNORE("bind-process", IN_PROXY, WHY_THREADS),
	IGNORE("grace", IN_PROXY, WHY_STOP),
	IGNORE("load-server-state-from-file", IN_PROXY, WHY_STATE),
	IGNORE("server-state-file-name", IN_PROXY, WHY_STATE),
	KW_END,
};

const struct kw compat_timeout_kws[] = {
	IGNORE("http-request", IN_PROXY, WHY_L7), IGNORE("http-keep-alive", IN_PROXY, WHY_L7),
	IGNORE("tarpit", IN_PROXY, WHY_L7),	  IGNORE("queue", IN_PROXY, WHY_QUEUE),
	IGNORE("tunnel", IN_PROXY, WHY_IDLE),	  IGNORE("client-fin", IN_PROXY, WHY_IDLE),
	IGNORE("server-fin", IN_PROXY, WHY_IDLE), KW_END,
};

/* The actions of http-request, http-response and http-after-response. */
const struct kw compat_http_rule_kws[] = {
	REFUSE("deny", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("reject", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("tarpit", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("auth", IN_PROXY, WHY_HTTP_REFUSE),
	REFUSE("silent-drop", IN_PROXY, WHY_HTTP_REFUSE),
	IGNORE_PREFIX("", IN_PROXY, WHY_L7), /* every other action */
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
	IGNORE("http-request", IN_FE, WHY_L7),
	IGNORE("bind-process", IN_FE, WHY_THREADS),
	KW_END,
};
