/* SPDX-License-Identifier: GPL-2.0-only */
/* The full-NAT rewrite of a TCP packet, with incremental checksums. */
#ifndef RPILB_BPF_REWRITE_H
#define RPILB_BPF_REWRITE_H

#include "csum.h"
#include "parse.h"

struct nat_target {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	const __u8 *dmac; /* next hop, or NULL to leave the Ethernet header to the kernel */
};

static __always_inline void rewrite_eth(struct ethhdr *eth, const __u8 *dmac)
{
	/* Our own MAC is the destination the frame arrived with. */
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
}

static __always_inline void rewrite_tcp(struct pkt *p, const struct nat_target *t)
{
	struct tcphdr *tcp = pkt_tcp(p);
	struct iphdr *ip = p->ip;
	struct csum_delta addrs = {}, l4 = {};

	csum_delta_add32(&addrs, ip->saddr, t->saddr);
	csum_delta_add32(&addrs, ip->daddr, t->daddr);
	/* The TCP checksum covers the addresses through the pseudo-header. */
	csum_delta_merge(&l4, &addrs);
	csum_delta_add16(&l4, tcp->source, t->sport);
	csum_delta_add16(&l4, tcp->dest, t->dport);

	ip->check = csum_apply(ip->check, &addrs);
	ip->saddr = t->saddr;
	ip->daddr = t->daddr;
	tcp->check = csum_apply(tcp->check, &l4);
	tcp->source = t->sport;
	tcp->dest = t->dport;
	if (t->dmac)
		rewrite_eth(p->eth, t->dmac);
}

#endif
