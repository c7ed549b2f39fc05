/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract between the data path (bpf/) and rpilbctl (user/): map
 * keys, values, limits and counter indices. Both sides include this file
 * and nothing else defines these layouts. Byte order is in the type
 * (__be32/__be16 travel as on the wire, plain integers are host order).
 *
 * Changing a layout here changes pinned maps: a running balancer must be
 * taken down (rpilbctl down) before a binary with a new layout is started.
 * RPILB_ABI_VERSION makes that mismatch visible instead of silent.
 *
 * Glossary: one word for one thing, here and in user/.
 *   service   a frontend bind, (VIP, port): what clients connect to
 *   pool      a HAProxy backend: the servers one service balances over
 *   server    a HAProxy server (struct lb_server in user space). In the
 *             kernel its entry is a "backend" (struct rpilb_backend, the
 *             backends map, backend_id), the word the maps and bpftool
 *             already use; the CLI calls it a node (add-node NAME).
 *   flow      one TCP connection through the balancer, both directions
 *   data path the BPF program and its maps; the host (user/host/) is the
 *             interface and the sysctls it needs
 *   check     one health probe (user/health/probe.c); health is the
 *             rise/fall verdict over many (health.c); checker schedules
 *             them (checker.c); srvhealth ties a verdict to a server
 */
#ifndef RPILB_ABI_H
#define RPILB_ABI_H

#include <linux/types.h>

#define RPILB_ABI_VERSION 4 /* 4: rpilb_backend.port_offset (a port-less server, ":+N") */

#define RPILB_MAX_SERVICES 64 /* (VIP, port) pairs: HAProxy frontend binds */
#define RPILB_MAX_POOLS	   64 /* HAProxy backends: one round robin each */
#define RPILB_MAX_BACKENDS 256 /* HAProxy servers, over all pools */
/*
 * A pool's round-robin table holds each eligible server weight/gcd times,
 * in smooth weighted order. 4096 slots fit 256 servers of distinct weights
 * up to 16, or any number of servers of equal weight.
 */
#define RPILB_MAX_SLOTS 4096
#define RPILB_NAME_LEN	32

#define RPILB_BACKEND_NONE 0xffff

/* services: hash, (VIP, port) -> service */
struct rpilb_svc_key {
	__be32 vip;
	__be16 port;
	__u16 pad;
};

struct rpilb_svc {
	__u16 id; /* index in svc_stats: the frontend bind */
	__u16 pool; /* key of the round-robin table */
	__u32 flags;
};

/* backends: array indexed by backend id */
struct rpilb_backend {
	__be32 addr;
	__be16 port; /* without RPILB_BACKEND_F_PORT_MAP */
	__u16 pool;
	__u32 flags; /* RPILB_BACKEND_F_* */
	__u16 port_offset; /* RPILB_BACKEND_F_PORT_MAP: added to the client's port (mod 65536) */
	__u16 pad;
	char name[RPILB_NAME_LEN];
};

#define RPILB_BACKEND_F_IN_USE (1U << 0)
/*
 * HAProxy's "server s 10.0.0.5" (no port) and ":+1000" / ":-1000": the
 * port the client connected to, shifted by port_offset (0: the same).
 */
#define RPILB_BACKEND_F_PORT_MAP (1U << 1)

/* rr_tables: hash, pool id -> the order new flows walk */
struct rpilb_rr_table {
	__u32 count; /* valid entries in slot[]; 0: no eligible server */
	__u32 pad;
	__u16 slot[RPILB_MAX_SLOTS]; /* backend ids */
};

/*
 * retry_picks: LRU hash, client -> VIP 4-tuple -> the server the rotation
 * gave a SYN that was then dropped (no NAT port, a full table, no route).
 * Its retransmission goes there instead of taking the next turn, so a
 * drop neither advances the rotation nor costs that server its share.
 */
struct rpilb_retry_pick {
	__u16 backend_id;
	__u16 pool;
	__u32 at; /* ticks, when the SYN was dropped */
};

/* rr_cursor: array indexed by pool id; one rotation shared by all CPUs */
struct rpilb_rr_cursor {
	__u64 next;
};

/*
 * A TCP 4-tuple as it appears on the wire in one direction. flows_fwd is
 * keyed by client -> VIP, flows_rev by backend -> balancer (the reply), so
 * each packet finds its flow with one lookup.
 */
struct rpilb_tuple {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
};

/*
 * Flow timestamps are "ticks": CLOCK_MONOTONIC_COARSE nanoseconds >> 20
 * (about 1.05 ms), in 32 bits. Timeouts are seconds long, so the
 * resolution is plenty, and halving the timestamps keeps a tracked
 * connection (both directions, map overhead included) within 256 bytes.
 * Compare ticks as (__s32)(a - b): they wrap after 52 days.
 */
#define RPILB_TICK_SHIFT      20
#define RPILB_NS_TO_TICKS(ns) ((__u32)((ns) >> RPILB_TICK_SHIFT))

/* Flow state bits, kept in both directions' entries where noted. */
#define RPILB_FLOW_ESTABLISHED (1U << 0) /* fwd: client ACKed without SYN */
#define RPILB_FLOW_CLIENT_FIN  (1U << 1) /* fwd+rev */
#define RPILB_FLOW_BACKEND_FIN (1U << 2) /* fwd+rev */
#define RPILB_FLOW_RST	       (1U << 3) /* fwd+rev */
#define RPILB_FLOW_CLOSED      (1U << 4) /* fwd+rev: both FINs, or a RST */
#define RPILB_FLOW_CLAIMED     (1U << 5) /* fwd+rev: a CPU is replacing this closed entry */
#define RPILB_FLOW_BACKEND_TW  (1U << 6) /* rev: backend closed first, so it holds TIME_WAIT */
#define RPILB_FLOW_TW_TS       (1U << 7) /* rev: tw_tsval is valid (client FIN had a TSval) */
#define RPILB_FLOW_RST_CLIENT  (1U << 8) /* fwd+rev: the reset came from the client's side */
#define RPILB_FLOW_TS_SHIFTED  (1U << 9) /* fwd+rev: client timestamps shifted by ts_offset */

/* flows_fwd value: everything the client->backend rewrite needs */
struct rpilb_flow_fwd {
	__u64 bytes; /* client -> backend, L3 bytes */
	__u32 packets;
	__u32 created; /* ticks */
	__u32 last_seen; /* ticks, last client packet */
	__be32 backend_addr;
	__be16 backend_port;
	__be16 nat_port;
	__u8 backend_mac[6]; /* next hop towards the backend; zero until resolved */
	__u16 backend_id;
	__u32 flags; /* RPILB_FLOW_*; 32 bits so it can be compare-and-swapped */
	__u32 ts_offset; /* added to the client's TSval towards the server (TS_SHIFTED) */
};

/* flows_rev value: everything the backend->client rewrite needs */
struct rpilb_flow_rev {
	struct rpilb_tuple client; /* the flows_fwd key: client -> VIP */
	__u32 flags; /* RPILB_FLOW_* */
	__u8 client_mac[6]; /* next hop towards the client, learnt from its SYN */
	__u16 backend_id;
	__u64 bytes; /* backend -> client, L3 bytes */
	__u32 packets;
	__u32 closed; /* ticks when the flow closed (last client FIN in TIME_WAIT) */
	/*
	 * One word, two lives, told apart by RPILB_FLOW_TW_TS: until the
	 * client's FIN, what to take off the server's TSecr (TS_SHIFTED);
	 * from then on, the client's last TSval as the server saw it (shifted),
	 * which is what its TIME_WAIT remembers. The few server segments after
	 * that FIN find the offset in flows_fwd. Sharing the word keeps a
	 * connection within 256 bytes.
	 */
	union {
		__u32 ts_offset;
		__u32 tw_tsval;
	};
	__u32 tw_rcv_nxt; /* the backend's rcv_nxt after the client's FIN */
};

/* config: array of one; set by rpilbctl, read on every packet */
struct rpilb_cfg {
	__u32 abi_version;
	__be32 nat_addr; /* the balancer's own address, source of backend-side packets */
	__u16 nat_port_lo; /* reserved NAT source ports, host order, inclusive */
	__u16 nat_port_hi;
	__u32 tw_guard_ticks; /* how long a backend keeps TIME_WAIT (Linux: 60 s) */
	__u32 close_grace_ticks; /* how long a closed (port, backend) pair rests otherwise */
	__u32 halfopen_max; /* half-open flows allowed at once; 0: no limit */
};

/*
 * halfopen: array of one, mmap-able. Flows not (yet) established: +1 when
 * a SYN opens one; -1 when its handshake completes (kernel) or when the
 * sweep removes it unestablished (rpilbctl). A SYN flood can fill only
 * this budget of the table; nothing established is ever pushed out.
 */
struct rpilb_halfopen {
	__s64 count;
};

/* backend_stats: per-CPU array indexed by backend id */
struct rpilb_backend_stats {
	__u64 new_flows;
	__u64 packets_in; /* client -> backend */
	__u64 bytes_in;
	__u64 packets_out; /* backend -> client */
	__u64 bytes_out;
	__u64 nat_fail; /* new flows lost for want of a free NAT port */
};

/* svc_stats: per-CPU array indexed by service id */
struct rpilb_svc_stats {
	__u64 new_flows;
	__u64 no_backend; /* SYNs dropped because no server was eligible */
};

/*
 * counters: one per-CPU struct rpilb_counters, indexed by enum rpilb_counter
 * when treated as __u64[RPILB_CNT_MAX]. Every packet the
 * program sees increments exactly one of the verdict reasons below, so the
 * reasons sum to RPILB_CNT_PACKETS. The enum and user space's name and
 * help tables are generated from this one list, so they cannot drift.
 */
#define RPILB_COUNTERS(X)                                                                          \
	X(TOTAL, PACKETS, packets, "every packet the program saw")                                 \
	/* forwarded (XDP_TX / tc redirect) */                                                     \
	X(TX, TX_NEW_FLOW, tx_new_flow, "a SYN that opened a flow, sent to its backend")           \
	X(TX, TX_TO_BACKEND, tx_to_backend, "client packet of a known flow, sent to its backend")  \
	X(TX, TX_TO_CLIENT, tx_to_client, "backend reply, sent to its client")                     \
	X(TX, TX_ICMP, tx_icmp, "ICMP error about a flow, translated and sent on")                 \
	/* passed to the kernel */                                                                 \
	X(PASS, PASS_NOT_IPV4, pass_not_ipv4, "not IPv4 (ARP, IPv6, VLAN-tagged...)")              \
	X(PASS, PASS_NOT_TCP, pass_not_tcp, "IPv4 but not TCP, or ICMP not about a flow")          \
	X(PASS, PASS_NOT_SERVICE, pass_not_service,                                                \
	  "TCP not to a service: the balancer's own traffic")                                      \
	X(PASS, PASS_FRAGMENT, pass_fragment,                                                      \
	  "a later IPv4 fragment: only the kernel can reassemble")                                 \
	X(PASS, PASS_NOSYN_MISS, pass_nosyn_miss,                                                  \
	  "non-SYN to a service with no flow: the kernel resets it")                               \
	X(PASS, PASS_REV_MISS, pass_rev_miss, "to a NAT port with no flow")                        \
	X(PASS, PASS_NO_NEIGH, pass_no_neigh,                                                      \
	  "rewritten, next hop unresolved: the kernel resolves and forwards")                      \
	/* dropped */                                                                              \
	X(DROP, DROP_IP_MALFORMED, drop_ip_malformed, "IPv4 header truncated or inconsistent")     \
	X(DROP, DROP_IP_OPTIONS, drop_ip_options,                                                  \
	  "IPv4 options on a packet for a service or flow")                                        \
	X(DROP, DROP_FRAGMENT, drop_fragment, "first fragment of a TCP packet for a service")      \
	X(DROP, DROP_TCP_MALFORMED, drop_tcp_malformed,                                            \
	  "TCP header truncated or data offset invalid")                                           \
	X(DROP, DROP_BAD_FLAGS, drop_bad_flags, "SYN with FIN or RST for a service")               \
	X(DROP, DROP_NO_BACKEND, drop_no_backend, "SYN for a service with no eligible server")     \
	X(DROP, DROP_NAT_EXHAUSTED, drop_nat_exhausted, "no free NAT port for the chosen server")  \
	X(DROP, DROP_FLOW_TABLE_FULL, drop_flow_table_full, "the flow table is full")              \
	X(DROP, DROP_HALFOPEN_LIMIT, drop_halfopen_limit,                                          \
	  "too many half-open flows: a SYN flood?")                                                \
	X(DROP, DROP_FIB, drop_fib, "no route to the server")                                      \
	X(DROP, DROP_INTERNAL, drop_internal, "a map the program needs is missing: a bug")         \
	/* events, not verdicts: they do not add up to PACKETS */                                  \
	X(EVENT, EV_FLOW_REUSED, ev_flow_reused,                                                   \
	  "a SYN replaced a closed flow with the same 4-tuple")                                    \
	X(EVENT, EV_TW_REUSE, ev_tw_reuse,                                                         \
	  "a NAT port reused early because the backend will accept it")                            \
	X(EVENT, EV_TS_SHIFT, ev_ts_shift,                                                         \
	  "a new flow's timestamps shifted past what the server's TIME_WAIT remembers")            \
	X(EVENT, EV_NAT_RETRY, ev_nat_retry, "a NAT port probe that found the port busy")          \
	X(EVENT, EV_SYN_RETRANS, ev_syn_retrans,                                                   \
	  "a SYN for a flow already open: sent to the same server")                                \
	X(EVENT, EV_RETRY_KEPT, ev_retry_kept,                                                     \
	  "a SYN retried after a drop or its own reset: the server its first try was given")

enum rpilb_counter {
#define RPILB_X_ENUM(kind, id, field, help) RPILB_CNT_##id,
	RPILB_COUNTERS(RPILB_X_ENUM)
#undef RPILB_X_ENUM
		RPILB_CNT_MAX
};

/* counters: per-CPU array of one; named fields so bpftool prints names */
struct rpilb_counters {
#define RPILB_X_FIELD(kind, id, field, help) __u64 field;
	RPILB_COUNTERS(RPILB_X_FIELD)
#undef RPILB_X_FIELD
};

/*
 * What a counter counts, from its kind column: the whole (packets), a
 * verdict (forwarded, passed to the kernel, dropped; each packet gets
 * exactly one) or an event. The kernel's verdict and user space's grouping
 * both derive from this column, so a new counter cannot be one thing to
 * the data path and another to the stats.
 */
enum rpilb_counter_kind {
	RPILB_KIND_TOTAL,
	RPILB_KIND_TX,
	RPILB_KIND_PASS,
	RPILB_KIND_DROP,
	RPILB_KIND_EVENT,
};

/* Each kind is one block, in the order above: its first index is the count of those before. */
#define RPILB_X_BEFORE_TX(kind, id, field, help)    +(RPILB_KIND_##kind < RPILB_KIND_TX)
#define RPILB_X_BEFORE_PASS(kind, id, field, help)  +(RPILB_KIND_##kind < RPILB_KIND_PASS)
#define RPILB_X_BEFORE_DROP(kind, id, field, help)  +(RPILB_KIND_##kind < RPILB_KIND_DROP)
#define RPILB_X_BEFORE_EVENT(kind, id, field, help) +(RPILB_KIND_##kind < RPILB_KIND_EVENT)
/* Enum constants, not macros: the check below expands them inside RPILB_COUNTERS. */
enum {
	RPILB_CNT_FIRST_TX = 0 RPILB_COUNTERS(RPILB_X_BEFORE_TX),
	RPILB_CNT_FIRST_PASS = 0 RPILB_COUNTERS(RPILB_X_BEFORE_PASS),
	RPILB_CNT_FIRST_DROP = 0 RPILB_COUNTERS(RPILB_X_BEFORE_DROP),
	RPILB_CNT_FIRST_EVENT = 0 RPILB_COUNTERS(RPILB_X_BEFORE_EVENT),
	RPILB_CNT_FIRST_VERDICT = RPILB_CNT_FIRST_TX,
};
#undef RPILB_X_BEFORE_TX
#undef RPILB_X_BEFORE_PASS
#undef RPILB_X_BEFORE_DROP
#undef RPILB_X_BEFORE_EVENT

/* Every counter sits in its kind's block: a counter listed out of place does not build. */
#define RPILB_X_IN_BLOCK(kind, id, field, help)                                                    \
	_Static_assert(                                                                            \
		RPILB_KIND_##kind == RPILB_KIND_TOTAL ? (int)RPILB_CNT_##id < RPILB_CNT_FIRST_TX   \
		: RPILB_KIND_##kind == RPILB_KIND_TX  ? (int)RPILB_CNT_##id < RPILB_CNT_FIRST_PASS \
		: RPILB_KIND_##kind == RPILB_KIND_PASS                                             \
			? (int)RPILB_CNT_##id < RPILB_CNT_FIRST_DROP                               \
		: RPILB_KIND_##kind == RPILB_KIND_DROP                                             \
			? (int)RPILB_CNT_##id < RPILB_CNT_FIRST_EVENT                              \
			: (int)RPILB_CNT_##id >= RPILB_CNT_FIRST_EVENT,                            \
		#id " is listed outside the block of its kind");
RPILB_COUNTERS(RPILB_X_IN_BLOCK)
#undef RPILB_X_IN_BLOCK
/* "No reason" is 0 in the data path's parsers: it must be the total, never a verdict. */
_Static_assert(RPILB_CNT_PACKETS == 0, "counter 0 must be packets");

static inline enum rpilb_counter_kind rpilb_counter_kind_of(unsigned int idx)
{
	return idx < (unsigned int)RPILB_CNT_FIRST_TX	   ? RPILB_KIND_TOTAL
	       : idx < (unsigned int)RPILB_CNT_FIRST_PASS  ? RPILB_KIND_TX
	       : idx < (unsigned int)RPILB_CNT_FIRST_DROP  ? RPILB_KIND_PASS
	       : idx < (unsigned int)RPILB_CNT_FIRST_EVENT ? RPILB_KIND_DROP
							   : RPILB_KIND_EVENT;
}

#endif
