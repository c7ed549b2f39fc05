/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NAT source ports. Each new flow needs a (balancer port, server) pair no
 * live flow uses and that the server will accept a SYN on. The catch is
 * the server's TIME_WAIT: a server that closed first keeps the pair for 60
 * seconds, and a SYN on it gets through only if its timestamp (or sequence
 * number) is newer than what the server remembers (RFC 6191, as Linux
 * implements it). Closed pairs stay in flows_rev with exactly that memory,
 * so the chooser can decide as the server will, and where the timestamp
 * would lose, shift it (tstamp.h) so that it wins.
 */
#ifndef RPILB_BPF_NAT_H
#define RPILB_BPF_NAT_H

#include "ctx.h"
#include "maps.h"
#include "tstamp.h"

/* The server's port for a flow to the service port dport (both in network order). */
static __always_inline __be16 backend_port_for(const struct rpilb_backend *be, __be16 dport)
{
	if (!(be->flags & RPILB_BACKEND_F_PORT_MAP))
		return be->port;
	return bpf_htons((__u16)(bpf_ntohs(dport) + be->port_offset));
}

enum nat_reuse {
	NAT_BUSY,
	NAT_FREE, /* closed and rested */
	NAT_FREE_EARLY, /* in the server's TIME_WAIT, but it will accept this SYN */
	NAT_FREE_SHIFTED, /* in the server's TIME_WAIT: it will accept this SYN shifted */
};

static __always_inline enum nat_reuse nat_pair_reusable(__u32 flags, const struct rpilb_flow_rev *r,
							const struct rpilb_cfg *cfg, __u32 now,
							const struct tcp_seq_info *syn)
{
	__u32 age = now - r->closed;

	if (!(flags & RPILB_FLOW_CLOSED) || (flags & RPILB_FLOW_CLAIMED))
		return NAT_BUSY;
	if (!(flags & RPILB_FLOW_BACKEND_TW))
		return age >= cfg->close_grace_ticks ? NAT_FREE : NAT_BUSY;
	if (age >= cfg->tw_guard_ticks)
		return NAT_FREE;
	if (age < RPILB_NAT_REST_TICKS)
		return NAT_BUSY;
	/* With timestamps on both, PAWS decides: the SYN must be newer, or be made so. */
	if (syn->has_ts && (flags & RPILB_FLOW_TW_TS))
		return (__s32)(syn->tsval - r->tw_tsval) > 0 ? NAT_FREE_EARLY : NAT_FREE_SHIFTED;
	return (__s32)(syn->seq - r->tw_rcv_nxt) > 0 ? NAT_FREE_EARLY : NAT_BUSY;
}

struct nat_probe {
	struct lb_ctx *c;
	struct rpilb_flow_rev *tmpl;
	const struct tcp_seq_info *syn;
	struct rpilb_tuple *rk;
	__u32 now;
	__u32 range;
	__u32 start;
	__u32 why;
	bool found;
};

/* One candidate port; bpf_loop() lets the verifier check this body once. */
static long nat_probe_step(__u32 i, void *arg)
{
	struct nat_probe *np = arg;
	const struct rpilb_cfg *cfg = np->c->cfg;
	struct rpilb_tuple *rk = np->rk;
	struct rpilb_flow_rev *r;
	enum nat_reuse reuse;
	__u32 flags;
	long err;

	__u32 off = np->start + i;

	if (i >= np->range)
		return 1;
	/* start < range and i < range: one subtraction wraps, no division per probe. */
	if (off >= np->range)
		off -= np->range;
	rk->dport = bpf_htons(cfg->nat_port_lo + off);
	np->tmpl->flags = 0;
	np->tmpl->ts_offset = 0;
	err = bpf_map_update_elem(&flows_rev, rk, np->tmpl, BPF_NOEXIST);
	if (!err) {
		np->found = true;
		return 1;
	}
	if (err != -EEXIST)
		np->why = RPILB_CNT_DROP_FLOW_TABLE_FULL;
	r = bpf_map_lookup_elem(&flows_rev, rk);
	if (r) {
		flags = r->flags;
		reuse = nat_pair_reusable(flags, r, cfg, np->now, np->syn);
		/* Two CPUs may pick the same closed pair: one claim wins. */
		if (reuse != NAT_BUSY &&
		    __sync_val_compare_and_swap(&r->flags, flags, flags | RPILB_FLOW_CLAIMED) ==
			    flags) {
			if (reuse == NAT_FREE_SHIFTED) {
				np->tmpl->flags = RPILB_FLOW_TS_SHIFTED;
				np->tmpl->ts_offset = ts_offset_past(np->syn->tsval, r->tw_tsval);
			}
			if (bpf_map_update_elem(&flows_rev, rk, np->tmpl, BPF_EXIST))
				goto busy;
			if (reuse != NAT_FREE)
				counter_inc(np->c->cnt, RPILB_CNT_EV_TW_REUSE);
			if (reuse == NAT_FREE_SHIFTED)
				counter_inc(np->c->cnt, RPILB_CNT_EV_TS_SHIFT);
			np->found = true;
			return 1;
		}
	}
busy:
	counter_inc(np->c->cnt, RPILB_CNT_EV_NAT_RETRY);
	return 0;
}

/*
 * Claim a NAT port towards backend be for a new flow described by tmpl.
 * On success (0) rk is the reverse key, already inserted with tmpl, whose
 * flags and ts_offset say whether the flow's timestamps must be shifted;
 * else the counter saying why not: the table is full, or the ports are taken.
 */
static __always_inline __u32 nat_claim_port(struct lb_ctx *c, const struct rpilb_backend *be,
					    struct rpilb_flow_rev *tmpl,
					    const struct tcp_seq_info *syn, __u32 now,
					    struct rpilb_tuple *rk)
{
	const struct rpilb_cfg *cfg = c->cfg;
	struct nat_probe np = {
		.c = c,
		.tmpl = tmpl,
		.syn = syn,
		.rk = rk,
		.now = now,
		.why = RPILB_CNT_DROP_NAT_EXHAUSTED,
	};

	if (cfg->nat_port_hi < cfg->nat_port_lo)
		return RPILB_CNT_DROP_INTERNAL;
	np.range = (__u32)cfg->nat_port_hi - cfg->nat_port_lo + 1;
	rk->saddr = be->addr;
	rk->daddr = cfg->nat_addr;
	rk->sport = backend_port_for(be, c->tuple.dport);
	/*
	 * A random start spreads flows over the range; walking on from it
	 * (rather than drawing again) still finds the last free ports of a
	 * nearly full range, which independent draws keep missing.
	 */
	/* Scale a random 32-bit number into [0, range): a multiply, not a division. */
	np.start = ((__u64)bpf_get_prandom_u32() * np.range) >> 32;
	bpf_loop(RPILB_NAT_TRIES, nat_probe_step, &np, 0);
	return np.found ? 0 : np.why;
}

#endif
