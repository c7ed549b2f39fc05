/* SPDX-License-Identifier: GPL-2.0-only */
/* Compile-time knobs of the data path. Each can be overridden with -D. */
#ifndef RPILB_BPF_TUNABLES_H
#define RPILB_BPF_TUNABLES_H

#ifndef RPILB_NAT_TRIES
/*
 * NAT source ports probed (from a random start, in order) before a SYN is
 * dropped. Each probe is one hash insert, so the bound keeps a SYN cheap;
 * with half the ports towards one server busy, 16 in a row are all busy
 * about once in 65536 flows.
 */
#define RPILB_NAT_TRIES 16
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
