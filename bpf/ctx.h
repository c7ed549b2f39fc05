/* SPDX-License-Identifier: GPL-2.0-only */
/* The per-packet state every stage of the data path shares. */
#ifndef RPILB_BPF_CTX_H
#define RPILB_BPF_CTX_H

#include "counters.h"
#include "parse.h"

#ifndef EEXIST
#define EEXIST 17 /* <errno.h> is libc's; map updates return -EEXIST */
#endif

enum lb_verdict {
	LB_PASS,
	LB_TX, /* out the port it came in: XDP_TX, or tc redirect to the same device */
	LB_DROP,
};

struct lb_ctx {
	void *ctx; /* struct xdp_md or struct __sk_buff, for helpers */
	struct pkt p;
	struct rpilb_tuple tuple; /* the packet's 4-tuple as on the wire */
	const struct rpilb_cfg *cfg;
	struct rpilb_counters *cnt;
	struct rpilb_halfopen *halfopen;
	__u32 ifindex; /* ingress, which is also egress */
	/*
	 * A timestamp field to shift once the packet is decided (TCP_TS_VAL or
	 * TCP_TS_ECR; 0: none), and by how much. Shifting in one place, after
	 * the decision, keeps the verifier from walking the option scan once
	 * per path that forwards a packet.
	 */
	__u32 ts_field;
	__u32 ts_delta;
};

static __always_inline void lb_shift_ts(struct lb_ctx *c, __u32 field, __u32 delta)
{
	c->ts_field = field;
	c->ts_delta = delta;
}

static __always_inline __u32 lb_now(void)
{
	return RPILB_NS_TO_TICKS(bpf_ktime_get_coarse_ns());
}

/* Count the reason and turn it into what the entry point returns. */
static __always_inline enum lb_verdict lb_verdict(struct lb_ctx *c, __u32 reason)
{
	counter_inc(c->cnt, reason);
	/* The blocks of the counters' kind column (rpilb_abi.h). */
	if (reason >= RPILB_CNT_FIRST_TX && reason < RPILB_CNT_FIRST_PASS)
		return LB_TX;
	if (reason >= RPILB_CNT_FIRST_PASS && reason < RPILB_CNT_FIRST_DROP)
		return LB_PASS;
	return LB_DROP;
}

static __always_inline bool nat_port_in_range(const struct rpilb_cfg *cfg, __be16 port)
{
	__u16 p = bpf_ntohs(port);

	return p >= cfg->nat_port_lo && p <= cfg->nat_port_hi;
}

static __always_inline bool tuple_eq(const struct rpilb_tuple *a, const struct rpilb_tuple *b)
{
	return a->saddr == b->saddr && a->daddr == b->daddr && a->sport == b->sport &&
	       a->dport == b->dport;
}

#endif
