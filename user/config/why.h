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
#define WHY_IDLE       "a flow's idle timeout is the larger of 'timeout client' and 'timeout server'"
#define WHY_QUEUE      "rpilb never queues a connection: it goes to a server at once"
#define WHY_STATS_PAGE "rpilb's stats page does not offer it"
#define WHY_CHECKS     "rpilb schedules its health checks itself"
#define WHY_STOP                                                                                   \
	"rpilb keeps forwarding while its daemon stops, so there is no graceful stop to time"
#define WHY_SOURCE "rpilb connects to servers from the interface's own address"
#define WHY_CONTENT                                                                                \
	"choosing by request content needs layer 7; rpilb sends a frontend's connections to its default_backend"
#define WHY_OLD_TIMEOUT                                                                            \
	"removed from HAProxy 2.1: use 'timeout connect', 'timeout client' or 'timeout server'"
#define WHY_FILTER "rpilb cannot filter connections and would let through what HAProxy rejects"
#define WHY_CHECK_KIND                                                                             \
	"rpilb has no agent or external checks: write the check as tcp-check or http-check rules"
#define WHY_CHECK_STEPS "rpilb's check is a single request on one connection"
#define WHY_CHECK_VARS                                                                             \
	"rpilb's checks keep no variables: write the values into the rules themselves"
#define WHY_BIND_IFACE	 "set the interface with 'interface' in the rpilb section"
#define WHY_BACKUP	 "backup servers are not supported yet"
#define WHY_MAIL	 "rpilb sends no mail"
#define WHY_LUA		 "rpilb runs no Lua"
#define WHY_ENV		 "rpilb does not expand environment variables"
#define WHY_RESOLVE_ONCE "rpilb resolves server names once, when it starts"
#define WHY_SEND_PROXY	 "rpilb does not send PROXY protocol headers"
#define WHY_JUDGE	 "rpilb judges servers by health checks only"
#define WHY_CONNS_STAY	 "rpilb leaves established connections alone"

#endif
