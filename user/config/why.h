/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Why a keyword is ignored or refused, for the reasons more than one row
 * gives. One string per reason keeps the messages consistent, and the
 * documentation groups keywords by these strings (tests/unit/config/
 * test_config_docs.c), so a reason said twice in different words would
 * show up as two. A reason only one row gives may stay in its row.
 *
 * Macros rather than arrays: rows in any file can use them, and the
 * linker keeps one copy of each string.
 */
#ifndef RPILB_CONFIG_WHY_H
#define RPILB_CONFIG_WHY_H

#define WHY_L7		"rpilb forwards TCP at layer 4 and does not parse HTTP"
#define WHY_HTTP_REFUSE WHY_L7 ", and would let through requests HAProxy refuses"
#define WHY_TLS                                                                                    \
	"rpilb forwards TCP at layer 4 and does not terminate TLS; servers receive the TLS stream as sent"
#define WHY_LOG                                                                                    \
	"rpilb logs no connections: the kernel forwards them without the daemon (see 'rpilbctl stats' and 'rpilbctl conns')"
#define WHY_ERRORFILE                                                                              \
	"rpilb never answers a request itself; with no server up, new connections go unanswered"
#define WHY_MAXCONN                                                                                \
	"rpilb's only connection limit is its flow table ('flow-table-size' in the rpilb section)"
#define WHY_THREADS "the kernel forwards packets on whichever CPU receives them"
#define WHY_ROOT    "rpilbctl runs as root: loading BPF programs needs it"
#define WHY_DAEMON  "'rpilbctl up' decides whether to stay in the foreground (-f)"
#define WHY_CTL	    "rpilb's control socket is set with 'socket' in the rpilb section"
#define WHY_STATE   "rpilb keeps server state in its own 'state-dir' (rpilb section)"
#define WHY_TUNE    "rpilb holds no connection buffers: the kernel forwards packets"
#define WHY_SOCKET                                                                                 \
	"rpilb holds no socket for forwarded connections: the kernel rewrites their packets"
#define WHY_RETRY      "rpilb picks a server once, at the SYN, and never moves a connection"
#define WHY_STICKY     "rpilb balances every connection by round robin and keeps no stickiness"
#define WHY_HASH       "rpilb balances by round robin only"
#define WHY_QUEUE      "rpilb never queues a connection: it goes to a server at once"
#define WHY_STATS_PAGE "rpilb's stats page does not offer it"
#define WHY_CHECKS     "rpilb schedules its health checks itself"
#define WHY_STOP                                                                                   \
	"rpilb keeps forwarding while its daemon stops, so there is no graceful stop to time"
#define WHY_SOURCE "rpilb connects to servers from the interface's own address"
#define WHY_CONTENT                                                                                \
	"choosing by request content needs layer 7; rpilb sends a frontend's connections to its default_backend"
#define WHY_FILTER "rpilb cannot filter connections and would let through what HAProxy rejects"
/*
 * The rule sets (kw_compat_rules.c). An action is refused when ignoring
 * it would pass on what HAProxy stops, answers itself or sends elsewhere;
 * the others only rewrite, count, log or tag, and are ignored.
 */
#define WHY_HTTP_RES_REFUSE WHY_L7 ", and would let through responses HAProxy refuses"
#define WHY_ANSWER	    "rpilb never answers itself: it would pass on what HAProxy answers here"
#define WHY_SET_DST                                                                                \
	"rpilb sends a connection to the server it picks and cannot change its destination"
#define WHY_PROXY_IN                                                                               \
	"rpilb does not read PROXY protocol or NetScaler headers: servers would receive them, and connections HAProxy drops for lacking one would pass"
#define WHY_LUA_RULE	"rpilb runs no Lua, and a Lua action may stop what rpilb would forward"
#define WHY_ACCEPT	"rpilb lets every connection through, which is all an accept rule can do"
#define WHY_INSPECT	"rpilb picks a server at the SYN, before any data, so it waits for none"
#define WHY_COUNTERS	"rpilb tracks no stick-table counters"
#define WHY_VARS	"rpilb evaluates no rules that could read variables"
#define WHY_SPOE	"rpilb sends nothing to SPOE agents"
#define WHY_BWLIM	"rpilb does not limit bandwidth"
#define WHY_MARK	"rpilb sets no packet mark or TOS on the connections it forwards"
#define WHY_PRIORITY	"the kernel forwards every connection alike: there is no priority to set"
#define WHY_CLIENT_ADDR "servers see the balancer's address (full NAT), whatever the client's"
#define WHY_REVERSE	"rpilb cannot turn a client's connection into one to a server (reverse HTTP)"
/* Process settings of HAProxy's own (kw_compat_global.c). */
#define WHY_PROC "it tunes or debugs HAProxy's own process; rpilb's daemon has no such knob"
#define WHY_FDS	 "rpilb needs no file descriptor per connection: the kernel forwards them"
#define WHY_RELOAD                                                                                 \
	"'rpilbctl reload' rereads the file in the running daemon: no old process is left to manage"
#define WHY_GATE	"rpilb reads experimental and deprecated keywords without being asked to"
#define WHY_HTTPCLIENT	"rpilb has no internal HTTP client (HAProxy's serves Lua, ACME and OCSP)"
#define WHY_ADDON	"rpilb has no device-detection add-on: it does not parse HTTP"
#define WHY_QUIC	"rpilb forwards TCP only, not QUIC"
#define WHY_PATHS	"rpilb opens no file HAProxy's settings name (certificates, maps, error pages)"
#define WHY_COMPRESSION "rpilb does not read or rewrite response bodies"
#define WHY_IPV4	"rpilb resolves server names to IPv4 only"
/* Proxies and servers (kw_compat_proxy.c, kw_compat_option.c, kw_compat_server.c). */
#define WHY_FORWARDED                                                                              \
	"rpilb forwards TCP at layer 4 and cannot add a Forwarded header; backends see the balancer's address"
#define WHY_TRANSPARENT                                                                            \
	"rpilb sends connections to the listed servers, not to the client's original destination"
#define WHY_PX_ID      "rpilb numbers services and pools itself"
#define WHY_SRV_ID     "rpilb numbers servers itself"
#define WHY_SOCKS      "rpilb connects to servers directly, never through a SOCKS4 proxy"
#define WHY_CHECK_CONN "rpilb opens a new connection for every health check"
#define WHY_STATS_ACCESS                                                                           \
	"rpilb's stats page has no access rules: use 'stats auth', or bind the page to a private address"
#define WHY_CHECK_KIND                                                                             \
	"rpilb has no agent or external checks: write the check as tcp-check or http-check rules"
#define WHY_CHECK_VARS                                                                             \
	"rpilb's checks keep no variables: write the values into the rules themselves"
#define WHY_BIND_IFACE	 "set the interface with 'interface' in the rpilb section"
#define WHY_BACKUP	 "backup servers are not supported yet"
#define WHY_MAIL	 "rpilb sends no mail"
#define WHY_LUA		 "rpilb runs no Lua"
#define WHY_RESOLVE_ONCE "rpilb resolves server names once, when it starts"
#define WHY_SEND_PROXY	 "rpilb does not send PROXY protocol headers"
#define WHY_JUDGE	 "rpilb judges servers by health checks only"
#define WHY_CONNS_STAY	 "rpilb leaves established connections alone"
/* The pre-1.3 timeout names, alone or after 'timeout' (kw_compat_removed.c, kw_compat_proxy.c). */
#define WHY_CLITIMEOUT "removed in HAProxy 2.1: use 'timeout client'"
#define WHY_CONTIMEOUT "removed in HAProxy 2.1: use 'timeout connect'"
#define WHY_SRVTIMEOUT "removed in HAProxy 2.1: use 'timeout server'"

#endif
