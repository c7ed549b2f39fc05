// SPDX-License-Identifier: GPL-2.0-only
/*
 * For the other end of a veth when rpilb runs native XDP on it: veth
 * delivers XDP_TX frames only to a peer that runs an XDP program itself.
 * Kept apart from rpilb.bpf.c so that loading it creates no maps or pins.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
