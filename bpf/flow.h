/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TCP state of a flow, as far as a balancer needs it: established or not,
 * who sent FIN first (that side holds TIME_WAIT), closed. The forward entry
 * sees the client's segments and the reverse entry the server's; a FIN or
 * RST is the only time one side touches the other's entry.
 */
#ifndef RPILB_BPF_FLOW_H
#define RPILB_BPF_FLOW_H

#include "ctx.h"
#include "maps.h"

static __always_inline void flow_rev_key(const struct rpilb_flow_fwd *f, __be32 nat_addr,
					 struct rpilb_tuple *k)
{
	k->saddr = f->backend_addr;
	k->daddr = nat_addr;
	k->sport = f->backend_port;
	k->dport = f->nat_port;
}

/* Does the forward entry f still own the reverse entry keyed by rk? */
static __always_inline bool flow_owns_rev(const struct rpilb_flow_fwd *f,
					  const struct rpilb_tuple *rk)
{
	return f->backend_addr == rk->saddr && f->backend_port == rk->sport &&
	       f->nat_port == rk->dport;
}

static __always_inline void flow_mark_reset(struct rpilb_flow_fwd *f, struct rpilb_flow_rev *r,
					    __u32 now, bool by_client)
{
	__u32 bits = RPILB_FLOW_RST | RPILB_FLOW_CLOSED | (by_client ? RPILB_FLOW_RST_CLIENT : 0);

	if (f)
		__sync_fetch_and_or(&f->flags, bits);
	if (r) {
		r->closed = now;
		/* A reset ends TIME_WAIT too (Linux's default, tcp_rfc1337=0). */
		__sync_fetch_and_and(&r->flags, ~RPILB_FLOW_BACKEND_TW);
		__sync_fetch_and_or(&r->flags, bits);
	}
}

/*
 * A reset the other end did not take: we forward resets without knowing
 * the sequence window, and a forged one (out of window) is ignored by its
 * receiver. If the side that "reset" the flow keeps sending, it was not
 * reset: open it again, or its NAT pair could be handed to a new flow.
 * (Packets from the other side can still be in flight after a real reset,
 * so only the resetting side's traffic counts.)
 */
static __always_inline void flow_unreset(struct rpilb_flow_fwd *f, struct rpilb_flow_rev *r)
{
	__u32 clear = RPILB_FLOW_RST | RPILB_FLOW_RST_CLIENT;

	if (f) {
		if ((f->flags & (RPILB_FLOW_CLIENT_FIN | RPILB_FLOW_BACKEND_FIN)) !=
		    (RPILB_FLOW_CLIENT_FIN | RPILB_FLOW_BACKEND_FIN))
			clear |= RPILB_FLOW_CLOSED;
		__sync_fetch_and_and(&f->flags, ~clear);
	}
	if (r) {
		if ((r->flags & (RPILB_FLOW_CLIENT_FIN | RPILB_FLOW_BACKEND_FIN)) !=
		    (RPILB_FLOW_CLIENT_FIN | RPILB_FLOW_BACKEND_FIN)) {
			clear |= RPILB_FLOW_CLOSED;
			r->closed = 0;
		}
		__sync_fetch_and_and(&r->flags, ~clear);
	}
}

/* Client traffic on a flow its side reset: undo the reset in both entries. */
static __always_inline void flow_client_alive(struct lb_ctx *c, struct rpilb_flow_fwd *f)
{
	struct rpilb_flow_rev *r;
	struct rpilb_tuple rk;

	flow_rev_key(f, c->cfg->nat_addr, &rk);
	r = bpf_map_lookup_elem(&flows_rev, &rk);
	if (r && !tuple_eq(&r->client, &c->tuple))
		r = NULL;
	flow_unreset(f, r);
}

/* Server traffic on a flow its side reset. */
static __always_inline void flow_backend_alive(struct lb_ctx *c, struct rpilb_flow_rev *r)
{
	struct rpilb_flow_fwd *f = bpf_map_lookup_elem(&flows_fwd, &r->client);

	if (f && !flow_owns_rev(f, &c->tuple))
		f = NULL;
	flow_unreset(f, r);
}

/* A FIN or RST from the client on flow f. */
static __always_inline void flow_client_close(struct lb_ctx *c, struct rpilb_flow_fwd *f, __u32 now)
{
	struct rpilb_flow_rev *r;
	struct rpilb_tuple rk;
	struct tcp_seq_info si;
	__u32 old;

	flow_rev_key(f, c->cfg->nat_addr, &rk);
	r = bpf_map_lookup_elem(&flows_rev, &rk);
	/* The pair may already serve a newer flow. */
	if (r && !tuple_eq(&r->client, &c->tuple))
		r = NULL;

	if (c->p.tcp_flags & TCPF_RST) {
		/*
		 * A TIME_WAIT takes a reset only at exactly its rcv_nxt; any
		 * other (a stray from a client's earlier connection on the same
		 * port) leaves it, and the pair must go on resting.
		 */
		if (r &&
		    (r->flags & (RPILB_FLOW_CLOSED | RPILB_FLOW_BACKEND_TW)) ==
			    (RPILB_FLOW_CLOSED | RPILB_FLOW_BACKEND_TW) &&
		    bpf_ntohl(pkt_tcp(&c->p)->seq) != r->tw_rcv_nxt)
			return;
		flow_mark_reset(f, r, now, true);
		return;
	}
	__sync_fetch_and_or(&f->flags, RPILB_FLOW_CLIENT_FIN);
	if (!r)
		return;

	/* If the server closed first, this FIN is what its TIME_WAIT remembers. */
	tcp_seq_info(&c->p, &si);
	r->tw_rcv_nxt = si.seq + c->p.tcp_payload + 1;
	if (si.has_ts) {
		/*
		 * The word held the TSecr offset until now: switch the server's
		 * side over to flows_fwd's copy before overwriting it.
		 */
		__sync_fetch_and_or(&r->flags, RPILB_FLOW_TW_TS);
		r->tw_tsval = si.tsval + (f->flags & RPILB_FLOW_TS_SHIFTED ? f->ts_offset : 0);
	}
	old = __sync_fetch_and_or(&r->flags, RPILB_FLOW_CLIENT_FIN);
	if (old & RPILB_FLOW_BACKEND_FIN) {
		/* Retransmitted FINs restart the server's TIME_WAIT, and ours. */
		r->closed = now;
		__sync_fetch_and_or(&r->flags, RPILB_FLOW_CLOSED);
		__sync_fetch_and_or(&f->flags, RPILB_FLOW_CLOSED);
	}
}

/* A FIN or RST from the server on the flow whose reverse entry is r. */
static __always_inline void flow_backend_close(struct lb_ctx *c, struct rpilb_flow_rev *r,
					       __u32 now)
{
	struct rpilb_flow_fwd *f;
	__u32 old;

	f = bpf_map_lookup_elem(&flows_fwd, &r->client);
	if (f && !flow_owns_rev(f, &c->tuple))
		f = NULL;

	if (c->p.tcp_flags & TCPF_RST) {
		flow_mark_reset(f, r, now, false);
		return;
	}
	old = __sync_fetch_and_or(&r->flags, RPILB_FLOW_BACKEND_FIN);
	if (f)
		__sync_fetch_and_or(&f->flags, RPILB_FLOW_BACKEND_FIN);
	if (!(old & RPILB_FLOW_CLIENT_FIN)) {
		__sync_fetch_and_or(&r->flags, RPILB_FLOW_BACKEND_TW);
		return;
	}
	r->closed = now;
	/*
	 * A FIN that does not ack the client's crossed it on the wire: a
	 * simultaneous close, and the server ends in TIME_WAIT as well.
	 */
	if ((__s32)(bpf_ntohl(pkt_tcp(&c->p)->ack_seq) - r->tw_rcv_nxt) < 0)
		__sync_fetch_and_or(&r->flags, RPILB_FLOW_BACKEND_TW);
	__sync_fetch_and_or(&r->flags, RPILB_FLOW_CLOSED);
	if (f)
		__sync_fetch_and_or(&f->flags, RPILB_FLOW_CLOSED);
}

#endif
