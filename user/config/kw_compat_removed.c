// SPDX-License-Identifier: GPL-2.0-only
/*
 * Keywords HAProxy removed: each is refused with HAProxy's own advice,
 * in rpilb's words. They are errors in HAProxy since the version named,
 * so a file that holds one would not load there either, and "unknown
 * keyword" would hide what replaced it. Keywords removed before 2.0
 * that HAProxy 2.0 already calls unknown (reqsetbe, say) stay unknown.
 *
 * Each family looks these rows up before its other compatibility rows,
 * so a removed keyword is found before a prefix row that would take it
 * ("tune.chksize" before "tune.").
 */
#include "config/parser.h"
#include "config/why.h"

#define REMOVED(version, advice) "removed in HAProxy " version ": " advice

/* Advice that more than one row gives (the case-insensitive twins). */
#define USE_REQ_DEL    REMOVED("2.1", "use 'http-request del-header'")
#define USE_REQ_DENY   REMOVED("2.1", "use 'http-request deny'")
#define USE_REQ_ALLOW  REMOVED("2.1", "use 'http-request allow'")
#define USE_REQ_TARPIT REMOVED("2.1", "use 'http-request tarpit'")
#define USE_REQ_PASS   REMOVED("2.1", "delete the line, nothing replaces it")
#define USE_REQ_REWRITE                                                                            \
	REMOVED("2.1", "use 'http-request replace-path', 'replace-uri' or 'replace-header'")
#define USE_RSP_REPLACE REMOVED("2.1", "use 'http-response replace-header'")
#define USE_RSP_DEL	REMOVED("2.1", "use 'http-response del-header'")
#define USE_RSP_DENY	REMOVED("2.1", "use 'http-response deny'")
#define USE_REDISPATCH	REMOVED("2.1", "use 'option redispatch'")

const struct kw compat_removed_global_kws[] = {
	REFUSE("nbproc", IN_GLOBAL, REMOVED("2.5", "HAProxy runs threads instead ('nbthread')")),
	REFUSE("debug", IN_GLOBAL, REMOVED("2.3", "use HAProxy's '-d' command-line option")),
	REFUSE("tune.chksize", IN_GLOBAL, REMOVED("2.5", "checks use 'tune.bufsize'")),
	REFUSE("trace", IN_GLOBAL, "moved to a 'traces' section in HAProxy 3.1"),
	KW_END,
};

const struct kw compat_removed_global_stats_kws[] = {
	REFUSE("bind-process", IN_GLOBAL, REMOVED("2.7", "delete it, threads replaced processes")),
	KW_END,
};

const struct kw compat_removed_proxy_kws[] = {
	REFUSE("appsession", IN_PROXY, REMOVED("1.6", "use 'cookie' persistence or a stick table")),
	REFUSE("block", IN_PROXY,
	       REMOVED("2.1", "use 'http-request deny' with the same condition")),
	REFUSE("reqadd", IN_PROXY, REMOVED("2.1", "use 'http-request add-header'")),
	REFUSE("reqrep", IN_PROXY, USE_REQ_REWRITE),
	REFUSE("cliexp", IN_PROXY, USE_REQ_REWRITE),
	REFUSE("reqirep", IN_PROXY, REMOVED("2.1", "use 'http-request replace-header'")),
	REFUSE("reqdel", IN_PROXY, USE_REQ_DEL),
	REFUSE("reqidel", IN_PROXY, USE_REQ_DEL),
	REFUSE("reqdeny", IN_PROXY, USE_REQ_DENY),
	REFUSE("reqideny", IN_PROXY, USE_REQ_DENY),
	REFUSE("reqallow", IN_PROXY, USE_REQ_ALLOW),
	REFUSE("reqiallow", IN_PROXY, USE_REQ_ALLOW),
	REFUSE("reqtarpit", IN_PROXY, USE_REQ_TARPIT),
	REFUSE("reqitarpit", IN_PROXY, USE_REQ_TARPIT),
	REFUSE("reqpass", IN_PROXY, USE_REQ_PASS),
	REFUSE("reqipass", IN_PROXY, USE_REQ_PASS),
	REFUSE("rspadd", IN_PROXY, REMOVED("2.1", "use 'http-response add-header'")),
	REFUSE("rsprep", IN_PROXY, USE_RSP_REPLACE),
	REFUSE("rspirep", IN_PROXY, USE_RSP_REPLACE),
	REFUSE("srvexp", IN_PROXY, USE_RSP_REPLACE),
	REFUSE("rspdel", IN_PROXY, USE_RSP_DEL),
	REFUSE("rspidel", IN_PROXY, USE_RSP_DEL),
	REFUSE("rspdeny", IN_PROXY, USE_RSP_DENY),
	REFUSE("rspideny", IN_PROXY, USE_RSP_DENY),
	REFUSE("redispatch", IN_PROXY, USE_REDISPATCH),
	REFUSE("redisp", IN_PROXY, USE_REDISPATCH),
	REFUSE("contimeout", IN_PROXY, WHY_CONTIMEOUT),
	REFUSE("clitimeout", IN_PROXY, WHY_CLITIMEOUT),
	REFUSE("srvtimeout", IN_PROXY, WHY_SRVTIMEOUT),
	REFUSE("monitor-net", IN_PROXY,
	       REMOVED("2.3", "use 'http-request return status 200 if { src NET }'")),
	REFUSE("grace", IN_PROXY, "removed from proxies in HAProxy 2.5: set 'grace' in global"),
	REFUSE("bind-process", IN_PROXY, REMOVED("2.7", "use 'thread' on bind lines")),
	KW_END,
};

const struct kw compat_removed_option_kws[] = {
	REFUSE("forceclose", IN_PROXY, REMOVED("2.5", "delete it, or use 'option httpclose'")),
	REFUSE("http-tunnel", IN_PROXY, REMOVED("2.5", "delete it, it is not needed")),
	REFUSE("http-use-htx", IN_PROXY,
	       REMOVED("2.5", "delete it, HTX is HAProxy's only HTTP engine since 2.1")),
	REFUSE("http_proxy", IN_PROXY,
	       REMOVED("2.5", "use 'http-request set-dst' and 'http-request set-uri'")),
	REFUSE("independant-streams", IN_PROXY,
	       REMOVED("2.1", "it misspelt 'option independent-streams'")),
	KW_END,
};

const struct kw compat_removed_bind_kws[] = {
	PARAM_REFUSE("process", IN_BIND, 1, REMOVED("2.7", "use 'thread'")),
	KW_END,
};
