/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Next-hop MAC addresses, from the kernel's FIB and neighbour table.
 * Towards a client the next hop is simply where its SYN came from; towards
 * a server it is resolved once per flow and kept in the flow entry.
 */
#ifndef RPILB_BPF_NEIGH_H
#define RPILB_BPF_NEIGH_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef AF_INET
#define AF_INET 2
#endif

enum neigh_result {
	NEIGH_OK,
	NEIGH_UNRESOLVED, /* route fine, no ARP entry yet: let the kernel resolve it */
	NEIGH_NO_ROUTE,
};

static __always_inline bool mac_is_zero(const __u8 *mac)
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

/*
 * The kernel's own answer for "where does a packet from src to dst go out".
 * Needs forwarding enabled on the ingress device (rpilbctl sets it). The
 * packet must leave by the port it came in: rpilb is one-armed.
 */
static __always_inline enum neigh_result neigh_resolve(void *ctx, __u32 ifindex, __be32 src,
						       __be32 dst, __u16 ip_len, __u8 *mac)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	fib.family = AF_INET;
	fib.l4_protocol = IPPROTO_TCP;
	fib.tot_len = ip_len;
	fib.ipv4_src = src;
	fib.ipv4_dst = dst;
	fib.ifindex = ifindex;

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
		return NEIGH_UNRESOLVED;
	if (rc != BPF_FIB_LKUP_RET_SUCCESS || fib.ifindex != ifindex)
		return NEIGH_NO_ROUTE;
	__builtin_memcpy(mac, fib.dmac, ETH_ALEN);
	return NEIGH_OK;
}

#endif
