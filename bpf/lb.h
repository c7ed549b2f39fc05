/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The decision for one packet, shared by the XDP and tc entry points:
 * parse, classify (reply to a NAT port, known flow, new flow to a service,
 * or not ours), then update state, rewrite and count.
 */
#ifndef RPILB_BPF_LB_H
#define RPILB_BPF_LB_H

#include "ctx.h"
#include "flow.h"
#include "icmp.h"
#include "nat.h"
#include "neigh.h"
#include "rewrite.h"
#include "rr.h"
#include "tstamp.h"

static __always_inline bool tcp_flags_bad(const struct pkt *p)
{
	return (p->tcp_flags & TCPF_SYN) && (p->tcp_flags & (TCPF_FIN | TCPF_RST));
}

/* Reasons a packet that is ours cannot be translated as it stands. */
static __always_inline __u32 lb_check_ours(const struct pkt *p)
{
	if (p->ip_options)
		return RPILB_CNT_DROP_IP_OPTIONS;
	if (p->first_fragment)
		return RPILB_CNT_DROP_FRAGMENT;
	if (tcp_flags_bad(p))
		return RPILB_CNT_DROP_BAD_FLAGS;
	return 0;
}

static __always_inline void lb_account_in(__u32 backend_id, __u32 bytes, bool new_flow)
{
	struct rpilb_backend_stats *bs = backend_stats_get(backend_id);

	if (!bs)
		return;
	bs->packets_in++;
	bs->bytes_in += bytes;
	if (new_flow)
		bs->new_flows++;
}

/*
 * Take a shifted flow's offset off the TSecr the server echoes. Until the
 * client's FIN the reverse entry holds the offset; after it, that word is
 * the TIME_WAIT's TSval and the forward entry has the offset.
 */
static __always_inline void lb_unshift_tsecr(struct lb_ctx *c, const struct rpilb_flow_rev *r)
{
	struct rpilb_flow_fwd *f;

	if (!(r->flags & RPILB_FLOW_TW_TS)) {
		lb_shift_ts(c, TCP_TS_ECR, -r->ts_offset);
		return;
	}
	f = bpf_map_lookup_elem(&flows_fwd, &r->client);
	if (f && flow_owns_rev(f, &c->tuple) && (f->flags & RPILB_FLOW_TS_SHIFTED))
		lb_shift_ts(c, TCP_TS_ECR, -f->ts_offset);
}

/* Server -> client: translate back to VIP:port -> client:port. */
static __always_inline enum lb_verdict lb_to_client(struct lb_ctx *c, struct rpilb_flow_rev *r)
{
	struct rpilb_backend_stats *bs;
	struct nat_target t;
	__u32 now = lb_now();

	/*
	 * Plain adds: a flow's direction is handled by one CPU at a time, and
	 * a rare lost increment costs a per-flow statistic, where a locked add
	 * on every packet costs more than the lookup. Per-server totals, which
	 * must be exact, are per CPU.
	 */
	r->packets++;
	r->bytes += c->p.ip_len;
	if (c->p.tcp_flags & (TCPF_FIN | TCPF_RST))
		flow_backend_close(c, r, now);
	else if ((r->flags & (RPILB_FLOW_RST | RPILB_FLOW_RST_CLIENT)) == RPILB_FLOW_RST)
		flow_backend_alive(c, r);

	if (r->flags & RPILB_FLOW_TS_SHIFTED)
		lb_unshift_tsecr(c, r);

	t.saddr = r->client.daddr;
	t.daddr = r->client.saddr;
	t.sport = r->client.dport;
	t.dport = r->client.sport;
	t.dmac = r->client_mac;
	rewrite_tcp(&c->p, &t);

	bs = backend_stats_get(r->backend_id);
	if (bs) {
		bs->packets_out++;
		bs->bytes_out += c->p.ip_len;
	}
	return lb_verdict(c, RPILB_CNT_TX_TO_CLIENT);
}

/*
 * Rewrite towards the server. With its MAC unknown the kernel gets the
 * rewritten packet with the Ethernet header untouched: it forwards it and
 * resolves the neighbour on the way, so the flow loses nothing.
 */
static __always_inline enum lb_verdict lb_send_to_backend(struct lb_ctx *c, struct nat_target *t,
							  bool resolved, __u32 reason)
{
	if (!resolved) {
		t->dmac = 0;
		rewrite_tcp(&c->p, t);
		return lb_verdict(c, RPILB_CNT_PASS_NO_NEIGH);
	}
	rewrite_tcp(&c->p, t);
	return lb_verdict(c, reason);
}

/* Client -> server on a known flow. */
static __always_inline enum lb_verdict lb_to_backend(struct lb_ctx *c, struct rpilb_flow_fwd *f)
{
	struct nat_target t;
	__u32 now = lb_now();
	bool resolved = true;

	if (f->last_seen != now)
		f->last_seen = now;
	f->packets++; /* plain adds, as in lb_to_client() */
	f->bytes += c->p.ip_len;
	if (!(f->flags & RPILB_FLOW_ESTABLISHED) &&
	    (c->p.tcp_flags & (TCPF_ACK | TCPF_SYN | TCPF_RST)) == TCPF_ACK &&
	    !(__sync_fetch_and_or(&f->flags, RPILB_FLOW_ESTABLISHED) & RPILB_FLOW_ESTABLISHED))
		/* Only the CPU that completed the handshake gives the budget back. */
		__sync_fetch_and_add(&c->halfopen->count, -1);
	if (c->p.tcp_flags & (TCPF_FIN | TCPF_RST))
		flow_client_close(c, f, now);
	else if ((f->flags & (RPILB_FLOW_RST | RPILB_FLOW_RST_CLIENT)) ==
		 (RPILB_FLOW_RST | RPILB_FLOW_RST_CLIENT))
		flow_client_alive(c, f);

	if (mac_is_zero(f->backend_mac)) {
		__u8 mac[ETH_ALEN];

		switch (neigh_resolve(c->ctx, c->ifindex, c->cfg->nat_addr, f->backend_addr,
				      c->p.ip_len, mac)) {
		case NEIGH_OK:
			__builtin_memcpy(f->backend_mac, mac, ETH_ALEN);
			break;
		case NEIGH_UNRESOLVED:
			resolved = false;
			break;
		default:
			return lb_verdict(c, RPILB_CNT_DROP_FIB);
		}
	}

	if (f->flags & RPILB_FLOW_TS_SHIFTED)
		lb_shift_ts(c, TCP_TS_VAL, f->ts_offset);

	t.saddr = c->cfg->nat_addr;
	t.daddr = f->backend_addr;
	t.sport = f->nat_port;
	t.dport = f->backend_port;
	t.dmac = f->backend_mac;
	lb_account_in(f->backend_id, c->p.ip_len, false);
	return lb_send_to_backend(c, &t, resolved, RPILB_CNT_TX_TO_BACKEND);
}

/* A SYN dropped after its turn was taken: its retransmission gets that server. */
static __always_inline void lb_remember_pick(struct lb_ctx *c, __u32 pool, __u32 backend_id,
					     __u32 now)
{
	struct rpilb_retry_pick rp = { .backend_id = backend_id, .pool = pool, .at = now };

	bpf_map_update_elem(&retry_picks, &c->tuple, &rp, BPF_ANY);
}

/*
 * The server this SYN's first try was given, if it is a retry still within
 * RPILB_RETRY_KEEP_TICKS, or RPILB_BACKEND_NONE. The memo is used once.
 */
static __always_inline __u32 lb_remembered_pick(struct lb_ctx *c, __u32 pool, __u32 now)
{
	struct rpilb_retry_pick *rp = bpf_map_lookup_elem(&retry_picks, &c->tuple);
	__u32 id = RPILB_BACKEND_NONE;

	if (!rp)
		return id;
	if (rp->pool == pool && (__s32)(now - rp->at) < RPILB_RETRY_KEEP_TICKS)
		id = rp->backend_id;
	bpf_map_delete_elem(&retry_picks, &c->tuple);
	return id;
}

/*
 * A SYN to a service: take the next server (or keep_id, the server a
 * retried SYN's first try was given, if it is still in rotation), claim
 * a NAT port, record both directions. old is a closed forward entry with
 * the same 4-tuple that this flow replaces (already claimed by us), or
 * NULL.
 */
static __always_inline enum lb_verdict lb_new_flow(struct lb_ctx *c, const struct rpilb_svc *svc,
						   struct rpilb_flow_fwd *old, __u32 keep_id)
{
	struct rpilb_flow_fwd fwd = {};
	struct rpilb_flow_rev rev = {};
	struct rpilb_svc_stats *ss;
	struct rpilb_backend *be;
	struct tcp_seq_info syn;
	struct rpilb_tuple rk;
	struct nat_target t;
	__u32 svc_id = svc->id, now = lb_now(), backend_id;
	bool resolved = true, picked = false;
	int reason, err;

	/* A flow replacing a closed, never established one keeps its place. */
	if (c->cfg->halfopen_max && c->halfopen->count >= c->cfg->halfopen_max &&
	    !(old && !(old->flags & RPILB_FLOW_ESTABLISHED))) {
		reason = RPILB_CNT_DROP_HALFOPEN_LIMIT;
		goto fail;
	}
	if (keep_id != RPILB_BACKEND_NONE && !rr_keep(svc->pool, keep_id, &be)) {
		backend_id = keep_id;
		counter_inc(c->cnt, RPILB_CNT_EV_RETRY_KEPT);
		reason = 0;
	} else {
		reason = rr_pick(svc->pool, &backend_id, &be);
		/* Only a fresh turn is remembered: a kept retry failing again lets go. */
		picked = !reason;
	}
	if (reason) {
		if (reason == RPILB_CNT_DROP_NO_BACKEND) {
			ss = bpf_map_lookup_elem(&svc_stats, &svc_id);
			if (ss)
				ss->no_backend++;
		}
		goto fail;
	}

	switch (neigh_resolve(c->ctx, c->ifindex, c->cfg->nat_addr, be->addr, c->p.ip_len,
			      fwd.backend_mac)) {
	case NEIGH_OK:
		break;
	case NEIGH_UNRESOLVED:
		resolved = false;
		break;
	default:
		reason = RPILB_CNT_DROP_FIB;
		goto fail;
	}

	rev.client = c->tuple;
	rev.backend_id = backend_id;
	__builtin_memcpy(rev.client_mac, c->p.eth->h_source, ETH_ALEN);
	tcp_seq_info(&c->p, &syn);
	reason = nat_claim_port(c, be, &rev, &syn, now, &rk);
	if (reason) {
		struct rpilb_backend_stats *bs = backend_stats_get(backend_id);

		if (bs && reason == RPILB_CNT_DROP_NAT_EXHAUSTED)
			bs->nat_fail++;
		goto fail;
	}

	fwd.bytes = c->p.ip_len;
	fwd.packets = 1;
	fwd.created = now;
	fwd.last_seen = now;
	fwd.backend_addr = be->addr;
	fwd.backend_port = backend_port_for(be, c->tuple.dport);
	fwd.nat_port = rk.dport;
	fwd.backend_id = backend_id;
	if (rev.flags & RPILB_FLOW_TS_SHIFTED) {
		fwd.flags = RPILB_FLOW_TS_SHIFTED;
		fwd.ts_offset = rev.ts_offset;
	}
	err = bpf_map_update_elem(&flows_fwd, &c->tuple, &fwd, old ? BPF_ANY : BPF_NOEXIST);
	if (err) {
		struct rpilb_flow_fwd *won;

		bpf_map_delete_elem(&flows_rev, &rk);
		/* Another CPU opened this very flow a moment ago: follow it. */
		won = err == -EEXIST ? bpf_map_lookup_elem(&flows_fwd, &c->tuple) : 0;
		if (won)
			return lb_to_backend(c, won);
		reason = RPILB_CNT_DROP_FLOW_TABLE_FULL;
		goto fail;
	}
	if (old)
		counter_inc(c->cnt, RPILB_CNT_EV_FLOW_REUSED);
	if (!old || (old->flags & RPILB_FLOW_ESTABLISHED))
		__sync_fetch_and_add(&c->halfopen->count, 1);

	ss = bpf_map_lookup_elem(&svc_stats, &svc_id);
	if (ss)
		ss->new_flows++;
	lb_account_in(backend_id, c->p.ip_len, true);
	if (fwd.flags & RPILB_FLOW_TS_SHIFTED)
		lb_shift_ts(c, TCP_TS_VAL, fwd.ts_offset);

	t.saddr = c->cfg->nat_addr;
	t.daddr = be->addr;
	t.sport = rk.dport;
	t.dport = fwd.backend_port;
	t.dmac = fwd.backend_mac;
	return lb_send_to_backend(c, &t, resolved, RPILB_CNT_TX_NEW_FLOW);

fail:
	if (old)
		__sync_fetch_and_and(&old->flags, ~RPILB_FLOW_CLAIMED);
	if (picked)
		lb_remember_pick(c, svc->pool, backend_id, now);
	return lb_verdict(c, reason);
}

/* A SYN on a known 4-tuple: a retransmission, or a new connection reusing a closed one's ports. */
static __always_inline enum lb_verdict lb_syn_on_flow(struct lb_ctx *c, struct rpilb_flow_fwd *f)
{
	struct rpilb_svc_key sk = { .vip = c->tuple.daddr, .port = c->tuple.dport };
	__u32 flags = f->flags;
	struct rpilb_svc *svc;

	if (!(flags & RPILB_FLOW_CLOSED) || (flags & RPILB_FLOW_CLAIMED) ||
	    __sync_val_compare_and_swap(&f->flags, flags, flags | RPILB_FLOW_CLAIMED) != flags) {
		counter_inc(c->cnt, RPILB_CNT_EV_SYN_RETRANS);
		return lb_to_backend(c, f);
	}
	svc = bpf_map_lookup_elem(&services, &sk);
	if (!svc) {
		/* The service is gone; so is the reason to keep its closed flow. */
		if (!(flags & RPILB_FLOW_ESTABLISHED))
			__sync_fetch_and_add(&c->halfopen->count, -1);
		bpf_map_delete_elem(&flows_fwd, &c->tuple);
		return lb_verdict(c, RPILB_CNT_PASS_NOT_SERVICE);
	}
	/*
	 * The client reset its own attempt before the handshake completed (a
	 * server that still held an old half-open connection on the NAT pair
	 * answered with a stale SYN-ACK): its retry is the same connection to
	 * the user, and keeps the server the rotation gave it.
	 */
	if ((flags & (RPILB_FLOW_ESTABLISHED | RPILB_FLOW_RST_CLIENT | RPILB_FLOW_CLIENT_FIN |
		      RPILB_FLOW_BACKEND_FIN)) == RPILB_FLOW_RST_CLIENT &&
	    (__s32)(lb_now() - f->last_seen) < RPILB_RETRY_KEEP_TICKS)
		return lb_new_flow(c, svc, f, f->backend_id);
	return lb_new_flow(c, svc, f, RPILB_BACKEND_NONE);
}

/* A sound TCP segment: a reply to a NAT port, a known flow, a new flow to a service, or not ours. */
static __always_inline enum lb_verdict lb_tcp(struct lb_ctx *c)
{
	struct pkt *p = &c->p;
	struct rpilb_svc_key sk = {};
	struct rpilb_flow_fwd *f;
	struct rpilb_flow_rev *r;
	struct rpilb_svc *svc;
	struct tcphdr *tcp;
	__u32 reason;

	tcp = pkt_tcp(p);
	c->tuple.saddr = p->ip->saddr;
	c->tuple.daddr = p->ip->daddr;
	c->tuple.sport = tcp->source;
	c->tuple.dport = tcp->dest;

	if (c->tuple.daddr == c->cfg->nat_addr && nat_port_in_range(c->cfg, c->tuple.dport)) {
		r = bpf_map_lookup_elem(&flows_rev, &c->tuple);
		if (!r)
			return lb_verdict(c, RPILB_CNT_PASS_REV_MISS);
		reason = lb_check_ours(p);
		if (reason)
			return lb_verdict(c, reason);
		return lb_to_client(c, r);
	}

	f = bpf_map_lookup_elem(&flows_fwd, &c->tuple);
	if (f) {
		reason = lb_check_ours(p);
		if (reason)
			return lb_verdict(c, reason);
		if (tcp_is_syn(p))
			return lb_syn_on_flow(c, f);
		return lb_to_backend(c, f);
	}

	sk.vip = c->tuple.daddr;
	sk.port = c->tuple.dport;
	svc = bpf_map_lookup_elem(&services, &sk);
	if (!svc)
		return lb_verdict(c, RPILB_CNT_PASS_NOT_SERVICE);
	reason = lb_check_ours(p);
	if (reason)
		return lb_verdict(c, reason);
	if (tcp_is_syn(p))
		return lb_new_flow(c, svc, 0, lb_remembered_pick(c, svc->pool, lb_now()));
	return lb_verdict(c, RPILB_CNT_PASS_NOSYN_MISS);
}

static __always_inline enum lb_verdict lb_process(struct lb_ctx *c)
{
	enum lb_verdict v;
	__u32 reason;

	counter_inc(c->cnt, RPILB_CNT_PACKETS);
	reason = parse_ipv4(&c->p);
	if (reason)
		return lb_verdict(c, reason);
	if (c->p.ip->protocol == IPPROTO_ICMP)
		return lb_icmp(c);
	if (c->p.ip->protocol != IPPROTO_TCP)
		return lb_verdict(c, RPILB_CNT_PASS_NOT_TCP);
	reason = parse_tcp(&c->p);
	if (reason)
		return lb_verdict(c, reason);
	v = lb_tcp(c);
	if (c->ts_field)
		tcp_ts_shift(&c->p, c->ts_field, c->ts_delta);
	return v;
}

/* Set up the shared state; NULL maps mean a broken load, so pass everything. */
static __always_inline enum lb_verdict lb_run(struct lb_ctx *c)
{
	__u32 zero = 0;

	c->cfg = bpf_map_lookup_elem(&config, &zero);
	c->cnt = bpf_map_lookup_elem(&counters, &zero);
	c->halfopen = bpf_map_lookup_elem(&halfopen, &zero);
	if (!c->cfg || !c->cnt || !c->halfopen)
		return LB_PASS;
	return lb_process(c);
}

#endif
