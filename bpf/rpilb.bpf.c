// SPDX-License-Identifier: GPL-2.0-only
/*
 * rpilb data path: per-connection round robin of TCP flows with one-arm
 * full NAT. The same decision code runs as XDP (native or generic) and as
 * a tc ingress classifier; only the entry points and verdicts differ.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "lb.h"

SEC("xdp")
int rpilb_xdp(struct xdp_md *xdp)
{
	struct lb_ctx c = {
		.ctx = xdp,
		.p.data = (void *)(long)xdp->data,
		.p.data_end = (void *)(long)xdp->data_end,
		.p.frame_len = xdp->data_end - xdp->data,
		.ifindex = xdp->ingress_ifindex,
	};

	switch (lb_run(&c)) {
	case LB_TX:
		return XDP_TX;
	case LB_DROP:
		return XDP_DROP;
	default:
		return XDP_PASS;
	}
}

/* Enough linear bytes for Ethernet, IPv4 and TCP with options, or an ICMP quote. */
#define TC_PULL_LEN (14 + 60 + 60)

SEC("tc")
int rpilb_tc(struct __sk_buff *skb)
{
	__u32 want = skb->len < TC_PULL_LEN ? skb->len : TC_PULL_LEN;
	struct lb_ctx c = {
		.ctx = skb,
		.ifindex = skb->ifindex,
	};

	if ((void *)(long)skb->data + want > (void *)(long)skb->data_end)
		bpf_skb_pull_data(skb, want);
	c.p.data = (void *)(long)skb->data;
	c.p.data_end = (void *)(long)skb->data_end;
	c.p.frame_len = skb->len;

	switch (lb_run(&c)) {
	case LB_TX:
		return bpf_redirect(skb->ifindex, 0);
	case LB_DROP:
		return TC_ACT_SHOT;
	default:
		return TC_ACT_OK;
	}
}

char LICENSE[] SEC("license") = "GPL";
