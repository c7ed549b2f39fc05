/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ICMP errors about a NATed flow ("fragmentation needed", "port
 * unreachable", "time exceeded") quote the packet as the sender saw it, on
 * its side of the NAT. Translate the quote and the outer destination to the
 * other side so path-MTU discovery and error reporting work end to end.
 * The outer source (the router or host that complained) is kept.
 */
#ifndef RPILB_BPF_ICMP_H
#define RPILB_BPF_ICMP_H

#include "ctx.h"
#include "neigh.h"
#include "rewrite.h"

/* The first 8 bytes of the quoted TCP header are all ICMP promises. */
struct quoted_tcp {
	__be16 source;
	__be16 dest;
	__be32 seq;
};

#define QUOTED_TCP_CSUM_END 18 /* bytes of TCP header up to and including the checksum */

struct icmp_xlate {
	struct rpilb_tuple inner; /* the quoted packet after translation */
	__be32 outer_daddr;
	__u8 dmac[ETH_ALEN];
};

static __always_inline enum lb_verdict lb_icmp(struct lb_ctx *c)
{
	struct pkt *p = &c->p;
	struct icmp_err_hdr *icmp;
	struct quoted_tcp *qtcp;
	struct iphdr *inner;
	struct icmp_xlate x;
	struct csum_delta inner_ip = {}, quoted = {}, outer = {};
	__u16 new_inner_check;

	if (p->ip_options || p->first_fragment)
		return lb_verdict(c, RPILB_CNT_PASS_NOT_TCP);
	if (p->l4_off > 14 + 20)
		return lb_verdict(c, RPILB_CNT_PASS_NOT_TCP);
	icmp = p->data + p->l4_off;
	if ((void *)(icmp + 1) > p->data_end)
		return lb_verdict(c, RPILB_CNT_PASS_NOT_TCP);
	if (icmp->type != ICMP_DEST_UNREACH && icmp->type != ICMP_TIME_EXCEEDED)
		return lb_verdict(c, RPILB_CNT_PASS_NOT_TCP);
	inner = (void *)(icmp + 1);
	qtcp = (void *)(inner + 1);
	if ((void *)(qtcp + 1) > p->data_end ||
	    p->ip_len < sizeof(struct iphdr) + sizeof(*icmp) + sizeof(*inner) + sizeof(*qtcp))
		return lb_verdict(c, RPILB_CNT_PASS_NOT_TCP);
	if (inner->version != 4 || inner->ihl != 5 || inner->protocol != IPPROTO_TCP)
		return lb_verdict(c, RPILB_CNT_PASS_NOT_TCP);

	if (inner->saddr == c->cfg->nat_addr && nat_port_in_range(c->cfg, qtcp->source)) {
		/* About a packet we sent to a server: tell the client. */
		struct rpilb_tuple rk = {
			.saddr = inner->daddr,
			.daddr = inner->saddr,
			.sport = qtcp->dest,
			.dport = qtcp->source,
		};
		struct rpilb_flow_rev *r = bpf_map_lookup_elem(&flows_rev, &rk);

		if (!r)
			return lb_verdict(c, RPILB_CNT_PASS_NOT_TCP);
		x.inner = r->client;
		x.outer_daddr = r->client.saddr;
		__builtin_memcpy(x.dmac, r->client_mac, ETH_ALEN);
	} else {
		/* About a packet we sent to a client: tell the server. */
		struct rpilb_tuple fk = {
			.saddr = inner->daddr,
			.daddr = inner->saddr,
			.sport = qtcp->dest,
			.dport = qtcp->source,
		};
		struct rpilb_flow_fwd *f = bpf_map_lookup_elem(&flows_fwd, &fk);

		if (!f)
			return lb_verdict(c, RPILB_CNT_PASS_NOT_TCP);
		x.inner.saddr = f->backend_addr;
		x.inner.daddr = c->cfg->nat_addr;
		x.inner.sport = f->backend_port;
		x.inner.dport = f->nat_port;
		x.outer_daddr = f->backend_addr;
		__builtin_memcpy(x.dmac, f->backend_mac, ETH_ALEN);
		if (mac_is_zero(x.dmac) &&
		    neigh_resolve(c->ctx, c->ifindex, c->cfg->nat_addr, f->backend_addr, p->ip_len,
				  x.dmac) != NEIGH_OK)
			return lb_verdict(c, RPILB_CNT_PASS_NOT_TCP);
	}

	/* The quoted IP header's own checksum, then everything ICMP's covers. */
	csum_delta_add32(&inner_ip, inner->saddr, x.inner.saddr);
	csum_delta_add32(&inner_ip, inner->daddr, x.inner.daddr);
	new_inner_check = csum_apply(inner->check, &inner_ip);
	csum_delta_merge(&quoted, &inner_ip);
	csum_delta_field(&quoted, inner->check, new_inner_check);
	csum_delta_add16(&quoted, qtcp->source, x.inner.sport);
	csum_delta_add16(&quoted, qtcp->dest, x.inner.dport);

	/* Quotes long enough to hold the TCP checksum get it updated too. */
	if ((void *)qtcp + QUOTED_TCP_CSUM_END <= p->data_end &&
	    p->ip_len >=
		    sizeof(struct iphdr) + sizeof(*icmp) + sizeof(*inner) + QUOTED_TCP_CSUM_END) {
		__u16 *tcp_check = (void *)qtcp + QUOTED_TCP_CSUM_END - 2;
		struct csum_delta tcp = {};
		__u16 new_tcp_check;

		csum_delta_merge(&tcp, &inner_ip);
		csum_delta_add16(&tcp, qtcp->source, x.inner.sport);
		csum_delta_add16(&tcp, qtcp->dest, x.inner.dport);
		new_tcp_check = csum_apply(*tcp_check, &tcp);
		csum_delta_field(&quoted, *tcp_check, new_tcp_check);
		*tcp_check = new_tcp_check;
	}

	inner->check = new_inner_check;
	inner->saddr = x.inner.saddr;
	inner->daddr = x.inner.daddr;
	qtcp->source = x.inner.sport;
	qtcp->dest = x.inner.dport;
	icmp->checksum = csum_apply(icmp->checksum, &quoted);

	csum_delta_add32(&outer, p->ip->daddr, x.outer_daddr);
	p->ip->check = csum_apply(p->ip->check, &outer);
	p->ip->daddr = x.outer_daddr;
	rewrite_eth(p->eth, x.dmac);
	return lb_verdict(c, RPILB_CNT_TX_ICMP);
}

#endif
