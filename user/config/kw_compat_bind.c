// SPDX-License-Identifier: GPL-2.0-only
/*
 * bind parameters: rpilb listens on no socket, so none can apply. The
 * ones that would let through what HAProxy drops are refused; 'process',
 * which HAProxy removed, is in kw_compat_removed.c.
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

const struct kw compat_bind_kws[] = {
	PARAM_IGNORE("ssl", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("crt", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("crt-list", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("ca-file", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("crl-file", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("ca-sign-file", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("ca-sign-pass", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("ca-verify-file", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("ca-ignore-err", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("crt-ignore-err", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("ciphers", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("ciphersuites", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("curves", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("ecdhe", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("sigalgs", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("client-sigalgs", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("alpn", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("no-alpn", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("default-crt", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("no-strict-sni", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("tls-tickets", IN_BIND, 0, WHY_TLS),
	/* HAProxy takes it in a crt-list or crt-store only, and says so on a bind line. */
	PARAM_REFUSE("ocsp-update", IN_BIND, 1,
		     "'ocsp-update' belongs to a crt-list or crt-store line, not to bind"),
	PARAM_IGNORE("npn", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("ssl-min-ver", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("ssl-max-ver", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("verify", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("tls-ticket-keys", IN_BIND, 1, WHY_TLS),
	PARAM_IGNORE("no-sslv3", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("no-tlsv10", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("no-tlsv11", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("no-tlsv12", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("no-tlsv13", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("force-sslv3", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("force-tlsv10", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("force-tlsv11", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("force-tlsv12", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("force-tlsv13", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("no-tls-tickets", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("strict-sni", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("prefer-client-ciphers", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("allow-0rtt", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("generate-certificates", IN_BIND, 0, WHY_TLS),
	PARAM_IGNORE("no-ca-names", IN_BIND, 0, WHY_TLS),
	/* HAProxy drops a connection without the header: ignoring it would let that pass. */
	PARAM_REFUSE("accept-proxy", IN_BIND, 0, WHY_PROXY_IN),
	PARAM_REFUSE("accept-netscaler-cip", IN_BIND, 1, WHY_PROXY_IN),
	PARAM_IGNORE("quic-cc-algo", IN_BIND, 1, WHY_QUIC),
	PARAM_IGNORE("quic-force-retry", IN_BIND, 0, WHY_QUIC),
	PARAM_IGNORE("quic-socket", IN_BIND, 1, WHY_QUIC),
	PARAM_IGNORE("idle-ping", IN_BIND, 1, WHY_L7),
	PARAM_IGNORE("nbconn", IN_BIND, 1, WHY_L7),
	PARAM_IGNORE("interface", IN_BIND, 1, WHY_BIND_IFACE),
	PARAM_IGNORE("name", IN_BIND, 1, WHY_STATS_PAGE),
	PARAM_IGNORE("id", IN_BIND, 1, WHY_STATS_PAGE),
	PARAM_IGNORE("label", IN_BIND, 1, WHY_STATS_PAGE),
	PARAM_IGNORE("guid-prefix", IN_BIND, 1, WHY_STATS_PAGE),
	PARAM_IGNORE("maxconn", IN_BIND, 1, WHY_MAXCONN),
	PARAM_IGNORE("backlog", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("nice", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("mss", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("tcp-ut", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("defer-accept", IN_BIND, 0, WHY_SOCKET),
	PARAM_IGNORE("tfo", IN_BIND, 0, WHY_SOCKET),
	PARAM_IGNORE("shards", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("transparent", IN_BIND, 0, WHY_SOCKET),
	PARAM_IGNORE("v4v6", IN_BIND, 0, WHY_SOCKET),
	PARAM_IGNORE("v6only", IN_BIND, 0, WHY_SOCKET),
	PARAM_IGNORE("namespace", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("thread", IN_BIND, 1, WHY_THREADS),
	PARAM_IGNORE("proto", IN_BIND, 1, WHY_L7),
	PARAM_IGNORE("user", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("group", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("uid", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("gid", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("mode", IN_BIND, 1, WHY_SOCKET),
	PARAM_IGNORE("level", IN_BIND, 1, WHY_CTL),
	PARAM_IGNORE("severity-output", IN_BIND, 1, WHY_CTL),
	PARAM_IGNORE("expose-fd", IN_BIND, 1, WHY_CTL),
	KW_END,
};
