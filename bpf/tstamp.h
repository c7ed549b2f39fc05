/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shifted TCP timestamps. A server holding a (NAT port, server) pair in
 * TIME_WAIT takes a new SYN on it only if the SYN's TSval is newer than the
 * last one it saw (RFC 6191). Clients draw a random timestamp offset per
 * connection, so a new client's TSval is newer only half the time. A flow
 * that would lose that toss gets a constant added to every TSval it sends
 * the server, and the same constant taken off every TSecr the server
 * echoes back: the server sees one clock that starts past its TIME_WAIT's,
 * the client sees its own, and every resting pair takes the next SYN.
 */
#ifndef RPILB_BPF_TSTAMP_H
#define RPILB_BPF_TSTAMP_H

#include "csum.h"
#include "parse.h"
#include "tunables.h"

/* The offset that puts a SYN with this TSval just past what the TIME_WAIT remembers. */
static __always_inline __u32 ts_offset_past(__u32 syn_tsval, __u32 tw_tsval)
{
	return tw_tsval + RPILB_TS_LEAD - syn_tsval;
}

/*
 * Add delta to the timestamp field at field_off (TCP_TS_VAL, TCP_TS_ECR)
 * and fix the TCP checksum. A segment without the option has nothing to
 * shift: Linux sends timestamps on every segment of a flow that agreed to
 * them, so that is only ever a reset.
 */
static __always_inline void tcp_ts_shift(struct pkt *p, __u32 field_off, __u32 delta)
{
	__u32 tsval;
	int ts_off = tcp_ts_find(p, &tsval);
	__u8 *v = tcp_ts_field(p, ts_off, field_off);
	struct tcphdr *tcp = pkt_tcp(p);
	struct csum_delta d = {};
	__u32 old, new;

	if (!v)
		return;
	old = get_be32(v);
	new = old + delta;
	put_be32(v, new);
	csum_delta_add32(&d, bpf_htonl(old), bpf_htonl(new));
	/* Options start on a word boundary; TSval and TSecr are even within the option. */
	if (ts_off & 1)
		csum_delta_byteswap(&d);
	tcp->check = csum_apply(tcp->check, &d);
}

#endif
