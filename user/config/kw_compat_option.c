// SPDX-License-Identifier: GPL-2.0-only
/*
 * option (and "no option"): HAProxy's options of proxies. The options
 * HAProxy removed are in kw_compat_removed.c.
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

const struct kw compat_option_kws[] = {
	IGNORE("forwardfor", IN_PROXY,
	       "rpilb forwards TCP at layer 4 and cannot add X-Forwarded-For; backends see the balancer's address"),
	IGNORE("originalto", IN_PROXY,
	       "rpilb forwards TCP at layer 4 and cannot add X-Original-To"),
	IGNORE("forwarded", IN_PROXY, WHY_FORWARDED),
	IGNORE("httplog", IN_PROXY, WHY_LOG),
	IGNORE("httpslog", IN_PROXY, WHY_LOG),
	IGNORE("tcplog", IN_PROXY, WHY_LOG),
	IGNORE("dontlognull", IN_PROXY, WHY_LOG),
	IGNORE("dontlog-normal", IN_PROXY, WHY_LOG),
	IGNORE("log-separate-errors", IN_PROXY, WHY_LOG),
	IGNORE("logasap", IN_PROXY, WHY_LOG),
	IGNORE("log-health-checks", IN_PROXY, WHY_LOG),
	IGNORE("http-server-close", IN_PROXY, WHY_L7),
	IGNORE("httpclose", IN_PROXY, WHY_L7),
	IGNORE("http-keep-alive", IN_PROXY, WHY_L7),
	IGNORE("http-pretend-keepalive", IN_PROXY, WHY_L7),
	IGNORE("http-no-delay", IN_PROXY, WHY_L7),
	IGNORE("http-buffer-request", IN_PROXY, WHY_L7),
	IGNORE("http-ignore-probes", IN_PROXY, WHY_L7),
	IGNORE("http-use-proxy-header", IN_PROXY, WHY_L7),
	IGNORE("http-restrict-req-hdr-names", IN_PROXY, WHY_L7),
	IGNORE("http-drop-request-trailers", IN_PROXY, WHY_L7),
	IGNORE("http-drop-response-trailers", IN_PROXY, WHY_L7),
	IGNORE("accept-invalid-http-request", IN_PROXY, WHY_L7),
	IGNORE("accept-invalid-http-response", IN_PROXY, WHY_L7),
	IGNORE("accept-unsafe-violations-in-http-request", IN_PROXY, WHY_L7),
	IGNORE("accept-unsafe-violations-in-http-response", IN_PROXY, WHY_L7),
	IGNORE("h1-case-adjust-bogus-client", IN_PROXY, WHY_L7),
	IGNORE("h1-case-adjust-bogus-server", IN_PROXY, WHY_L7),
	IGNORE("checkcache", IN_PROXY, WHY_L7),
	IGNORE("disable-h2-upgrade", IN_PROXY, WHY_L7),
	IGNORE("idle-close-on-response", IN_PROXY, WHY_L7),
	IGNORE("abortonclose", IN_PROXY, WHY_L7),
	IGNORE("prefer-last-server", IN_PROXY, WHY_L7),
	IGNORE("redispatch", IN_PROXY, WHY_RETRY),
	IGNORE("persist", IN_PROXY, WHY_STICKY),
	IGNORE("allbackups", IN_PROXY, WHY_BACKUP),
	IGNORE("splice-auto", IN_PROXY, WHY_SOCKET),
	IGNORE("splice-request", IN_PROXY, WHY_SOCKET),
	IGNORE("splice-response", IN_PROXY, WHY_SOCKET),
	IGNORE("tcp-smart-accept", IN_PROXY, WHY_SOCKET),
	IGNORE("tcp-smart-connect", IN_PROXY, WHY_SOCKET),
	IGNORE("tcpka", IN_PROXY, WHY_SOCKET),
	IGNORE("clitcpka", IN_PROXY, WHY_SOCKET),
	IGNORE("srvtcpka", IN_PROXY, WHY_SOCKET),
	IGNORE("nolinger", IN_PROXY, WHY_SOCKET),
	IGNORE("socket-stats", IN_PROXY, WHY_SOCKET),
	IGNORE("contstats", IN_PROXY, WHY_SOCKET),
	IGNORE("independent-streams", IN_PROXY, WHY_SOCKET),
	IGNORE("transparent", IN_PROXY, WHY_TRANSPARENT),
	KW_END,
};
