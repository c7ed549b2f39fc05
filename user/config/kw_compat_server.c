// SPDX-License-Identifier: GPL-2.0-only
/*
 * Server parameters, for server and default-server lines.
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

/* clang-format off */
#define PARAM_IGNORE_PREFIX(n, w, nargs, reason) \
	{ .name = n, .where = w, .min_args = nargs, .max_args = nargs, .why = reason, \
	  .flags = KW_PREFIX }
/* clang-format on */

const struct kw compat_server_kws[] = {
	PARAM_ACCEPT("no-backup", IN_SRV, 0),
	PARAM_REFUSE("backup", IN_SRV, 0, WHY_BACKUP),
	PARAM_REFUSE("send-proxy", IN_SRV, 0, WHY_SEND_PROXY),
	PARAM_REFUSE("send-proxy-v2", IN_SRV, 0, WHY_SEND_PROXY),
	PARAM_REFUSE("send-proxy-v2-ssl", IN_SRV, 0, WHY_SEND_PROXY),
	PARAM_REFUSE("send-proxy-v2-ssl-cn", IN_SRV, 0, WHY_SEND_PROXY),
	PARAM_ACCEPT("no-send-proxy", IN_SRV, 0),
	PARAM_ACCEPT("no-send-proxy-v2", IN_SRV, 0),
	PARAM_ACCEPT("no-send-proxy-v2-ssl", IN_SRV, 0),
	PARAM_ACCEPT("no-send-proxy-v2-ssl-cn", IN_SRV, 0),
	PARAM_IGNORE("proxy-v2-options", IN_SRV, 1, WHY_SEND_PROXY),
	/* set-proxy-v2-tlv-fmt(ID) FMT: the TLV's id is part of the keyword. */
	PARAM_IGNORE_PREFIX("set-proxy-v2-tlv-fmt(", IN_SRV, 1, WHY_SEND_PROXY),
	/* The server is reached through the proxy; going straight to it is another path. */
	PARAM_REFUSE("socks4", IN_SRV, 1, WHY_SOCKS),
	PARAM_IGNORE("check-via-socks4", IN_SRV, 0, WHY_SOCKS),
	PARAM_REFUSE("track", IN_SRV, 1, "each server is checked on its own"),
	PARAM_REFUSE("agent-check", IN_SRV, 0, WHY_CHECK_KIND),
	PARAM_IGNORE("maxconn", IN_SRV, 1, WHY_MAXCONN),
	PARAM_IGNORE("maxqueue", IN_SRV, 1, WHY_QUEUE),
	PARAM_IGNORE("minconn", IN_SRV, 1, WHY_MAXCONN),
	PARAM_IGNORE("strict-maxconn", IN_SRV, 0, WHY_MAXCONN),
	PARAM_IGNORE("slowstart", IN_SRV, 1,
		     "rpilb gives a server its full weight as soon as it is up"),
	PARAM_IGNORE("observe", IN_SRV, 1, WHY_JUDGE),
	PARAM_IGNORE("on-error", IN_SRV, 1, WHY_JUDGE),
	PARAM_IGNORE("on-marked-down", IN_SRV, 1, WHY_CONNS_STAY),
	PARAM_IGNORE("on-marked-up", IN_SRV, 1, WHY_CONNS_STAY),
	PARAM_IGNORE("error-limit", IN_SRV, 1, WHY_JUDGE),
	PARAM_IGNORE("agent-port", IN_SRV, 1, WHY_CHECK_KIND),
	PARAM_IGNORE("agent-inter", IN_SRV, 1, WHY_CHECK_KIND),
	PARAM_IGNORE("agent-addr", IN_SRV, 1, WHY_CHECK_KIND),
	PARAM_IGNORE("agent-send", IN_SRV, 1, WHY_CHECK_KIND),
	PARAM_ACCEPT("no-agent-check", IN_SRV, 0),
	PARAM_IGNORE("resolvers", IN_SRV, 1, WHY_RESOLVE_ONCE),
	PARAM_IGNORE("resolve-prefer", IN_SRV, 1, WHY_IPV4),
	PARAM_IGNORE("resolve-opts", IN_SRV, 1, WHY_RESOLVE_ONCE),
	PARAM_IGNORE("resolve-net", IN_SRV, 1, WHY_RESOLVE_ONCE),
	PARAM_IGNORE("init-addr", IN_SRV, 1, WHY_RESOLVE_ONCE),
	PARAM_IGNORE("id", IN_SRV, 1, "rpilb numbers servers itself"),
	PARAM_IGNORE("guid", IN_SERVER, 1, WHY_SRV_ID),
	PARAM_IGNORE("cookie", IN_SRV, 1, WHY_STICKY),
	PARAM_IGNORE("non-stick", IN_SRV, 0, WHY_STICKY),
	PARAM_ACCEPT("stick", IN_SRV, 0),
	PARAM_IGNORE("shard", IN_SRV, 1, WHY_STICKY),
	PARAM_IGNORE("hash-key", IN_SRV, 1, WHY_HASH),
	/* rpilb's own rule: a checked server starts in INIT, out of the rotation. */
	PARAM_IGNORE(
		"init-state", IN_SRV, 1,
		"a checked server takes no traffic until its first check passes, whatever this says"),
	PARAM_IGNORE("check-pool-conn-name", IN_SRV, 1, WHY_CHECK_CONN),
	PARAM_IGNORE("check-reuse-pool", IN_SRV, 0, WHY_CHECK_CONN),
	PARAM_ACCEPT("no-check-reuse-pool", IN_SRV, 0),
	PARAM_ACCEPT("no-check-send-proxy", IN_SRV, 0),
	PARAM_IGNORE("log-proto", IN_SRV, 1, WHY_LOG),
	PARAM_IGNORE("log-bufsize", IN_SRV, 1, WHY_LOG),
	PARAM_IGNORE("redir", IN_SRV, 1, WHY_L7),
	PARAM_IGNORE("source", IN_SRV, 1, WHY_SOURCE),
	PARAM_IGNORE("usesrc", IN_SRV, 1, WHY_SOURCE),
	PARAM_IGNORE("interface", IN_SRV, 1, WHY_BIND_IFACE),
	PARAM_IGNORE("namespace", IN_SRV, 1, WHY_SOCKET),
	PARAM_IGNORE("tfo", IN_SRV, 0, WHY_SOCKET),
	PARAM_ACCEPT("no-tfo", IN_SRV, 0),
	PARAM_IGNORE("tcp-ut", IN_SRV, 1, WHY_SOCKET),
	PARAM_IGNORE("pool-conn-name", IN_SRV, 1, WHY_SOCKET),
	PARAM_IGNORE("pool-max-conn", IN_SRV, 1, WHY_SOCKET),
	PARAM_IGNORE("pool-low-conn", IN_SRV, 1, WHY_SOCKET),
	PARAM_IGNORE("pool-purge-delay", IN_SRV, 1, WHY_SOCKET),
	PARAM_IGNORE("max-reuse", IN_SRV, 1, WHY_SOCKET),
	PARAM_IGNORE("proto", IN_SRV, 1, WHY_L7),
	PARAM_IGNORE("check-proto", IN_SRV, 1, WHY_L7),
	PARAM_IGNORE("ws", IN_SRV, 1, WHY_L7),
	PARAM_IGNORE("idle-ping", IN_SRV, 1, WHY_L7),
	PARAM_REFUSE(
		"check-send-proxy", IN_SRV, 0,
		"rpilb does not speak the PROXY protocol: checks would reach the server without the header it expects"),
	PARAM_IGNORE("check-ssl", IN_SRV, 0, WHY_TLS),
	PARAM_ACCEPT("no-check-ssl", IN_SRV, 0),
	PARAM_IGNORE("check-sni", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("check-alpn", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("ssl", IN_SRV, 0, WHY_TLS),
	PARAM_ACCEPT("no-ssl", IN_SRV, 0),
	PARAM_IGNORE("verify", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("verifyhost", IN_SRV, 1, WHY_TLS),
	PARAM_ACCEPT("no-verifyhost", IN_SRV, 0),
	PARAM_IGNORE("sni", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("alpn", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("npn", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("ca-file", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("crl-file", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("crt", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("ciphers", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("ciphersuites", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("curves", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("sigalgs", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("client-sigalgs", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("ssl-min-ver", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("ssl-max-ver", IN_SRV, 1, WHY_TLS),
	PARAM_IGNORE("ssl-reuse", IN_SRV, 0, WHY_TLS),
	PARAM_IGNORE("no-ssl-reuse", IN_SRV, 0, WHY_TLS),
	PARAM_IGNORE("tls-tickets", IN_SRV, 0, WHY_TLS),
	PARAM_IGNORE("no-tls-tickets", IN_SRV, 0, WHY_TLS),
	/* HAProxy takes these on server lines only, not on default-server. */
	PARAM_IGNORE("no-sslv3", IN_SERVER, 0, WHY_TLS),
	PARAM_IGNORE("no-tlsv10", IN_SERVER, 0, WHY_TLS),
	PARAM_IGNORE("no-tlsv11", IN_SERVER, 0, WHY_TLS),
	PARAM_IGNORE("no-tlsv12", IN_SERVER, 0, WHY_TLS),
	PARAM_IGNORE("no-tlsv13", IN_SERVER, 0, WHY_TLS),
	PARAM_IGNORE("force-sslv3", IN_SRV, 0, WHY_TLS),
	PARAM_IGNORE("force-tlsv10", IN_SRV, 0, WHY_TLS),
	PARAM_IGNORE("force-tlsv11", IN_SRV, 0, WHY_TLS),
	PARAM_IGNORE("force-tlsv12", IN_SRV, 0, WHY_TLS),
	PARAM_IGNORE("force-tlsv13", IN_SRV, 0, WHY_TLS),
	PARAM_IGNORE("allow-0rtt", IN_SRV, 0, WHY_TLS),
	KW_END,
};
