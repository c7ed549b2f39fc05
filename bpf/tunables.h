/* SPDX-License-Identifier: GPL-2.0-only */
/* Compile-time knobs of the data path. Each can be overridden with -D. */
#ifndef RPILB_BPF_TUNABLES_H
#define RPILB_BPF_TUNABLES_H

#ifndef RPILB_NAT_TRIES
/*
 * NAT source ports probed (from a random start, in order) before a SYN is
 * dropped. Each probe is one hash insert, so the bound keeps a SYN cheap.
 * A pair in a server's TIME_WAIT takes any SYN once it has rested (see
 * tstamp.h), so probes only step over pairs in use or resting: a range
 * must be nearly full before 32 in a row are.
 */
#define RPILB_NAT_TRIES 32
#endif

#ifndef RPILB_NAT_REST_TICKS
/*
 * A pair the server holds in TIME_WAIT may take a new SYN at once, but not
 * before the old connection's last segments have passed: the server's ACK
 * of the client's FIN is still on its way when the FIN has gone through,
 * and handed to a new flow on the same pair it reaches the wrong client,
 * whose reset then lands on the server. 128 ticks (about 134 ms) is many
 * LAN round trips.
 */
#define RPILB_NAT_REST_TICKS 128
#endif

#ifndef RPILB_TS_LEAD
/*
 * How far past the TIME_WAIT's TSval a shifted flow starts. It covers
 * segments the old client sent after the FIN whose TSval we recorded (a
 * retransmission, an ACK of a repeated FIN) for the whole 60 s TIME_WAIT
 * at a 1 kHz timestamp clock; PAWS only ever refuses older values.
 */
#define RPILB_TS_LEAD (1U << 16)
#endif

#ifndef RPILB_RETRY_PICKS
/*
 * Dropped SYNs remembered for their retransmission. An LRU: under a flood
 * the oldest are forgotten, which costs only what every drop cost before.
 */
#define RPILB_RETRY_PICKS 4096
#endif

#ifndef RPILB_RETRY_KEEP_TICKS
/*
 * How long a retry keeps the server its first try was given: a client
 * retransmits its SYN after 1 s and 3 s. Later retries take a fresh turn,
 * so that a server that keeps failing cannot hold a client forever.
 */
#define RPILB_RETRY_KEEP_TICKS 3900 /* ~4.1 s */
#endif

#ifndef RPILB_FLOWS_DEFAULT
/* Overridden at load time from the configuration (flow-table-size). */
#define RPILB_FLOWS_DEFAULT 65536
#endif

#ifndef RPILB_TCP_OPT_MAX
/* TCP options occupy at most 40 bytes (data offset 15 words minus 5). */
#define RPILB_TCP_OPT_MAX 40
#endif

#endif
