// SPDX-License-Identifier: GPL-2.0-only
/*
 * Probes for tools/bench/bpfcost: each XDP program here does one of the
 * things the rpilb data path does per packet (a map lookup, a helper call,
 * an atomic), on maps of the same type, key, value and size as rpilb's, so
 * that its cost minus the empty program's is what that one step costs.
 * They explain the per-packet figures; they are not part of rpilb.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "rpilb_abi.h"

#ifndef AF_INET
#define AF_INET 2
#endif

/* Keys the probes look up; bpfcost inserts the hit keys before it runs them. */
#define PROBE_HIT_SADDR	 0x0a01000aU /* any fixed values: the maps are the probes' own */
#define PROBE_MISS_SADDR 0x0a0100ffU

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rpilb_cfg);
} p_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rpilb_counters);
} p_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct rpilb_tuple);
	__type(value, struct rpilb_flow_fwd);
} p_flows_fwd SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct rpilb_tuple);
	__type(value, struct rpilb_flow_rev);
} p_flows_rev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RPILB_MAX_SERVICES);
	__type(key, struct rpilb_svc_key);
	__type(value, struct rpilb_svc);
} p_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RPILB_MAX_POOLS);
	__type(key, __u32);
	__type(value, struct rpilb_rr_table);
} p_rr_tables SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RPILB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct rpilb_backend_stats);
} p_backend_stats SEC(".maps");

/* Set by bpfcost: the balancer's and a server's address in its namespace. */
const volatile __be32 fib_src;
const volatile __be32 fib_dst;

static __always_inline void hit_key(struct rpilb_tuple *k)
{
	k->saddr = bpf_htonl(PROBE_HIT_SADDR);
	k->daddr = bpf_htonl(0x0a010002U);
	k->sport = bpf_htons(40000);
	k->dport = bpf_htons(80);
}

SEC("xdp")
int probe_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* config: an array of one, looked up on every packet (the verifier inlines it). */
SEC("xdp")
int probe_array_lookup(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct rpilb_cfg *c = bpf_map_lookup_elem(&p_config, &zero);

	return c && c->nat_addr == 1 ? XDP_DROP : XDP_PASS;
}

/* counters: per-CPU array lookup and one increment, on every packet. */
SEC("xdp")
int probe_percpu_inc(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct rpilb_counters *c = bpf_map_lookup_elem(&p_counters, &zero);

	if (c)
		c->packets++;
	return XDP_PASS;
}

/* flows_fwd: a hit, what every packet of a known flow pays. */
SEC("xdp")
int probe_hash_hit(struct xdp_md *ctx)
{
	struct rpilb_tuple k;
	struct rpilb_flow_fwd *f;

	hit_key(&k);
	f = bpf_map_lookup_elem(&p_flows_fwd, &k);
	return f ? XDP_PASS : XDP_DROP;
}

/* flows_fwd: a miss (a SYN, or the balancer's own traffic). */
SEC("xdp")
int probe_hash_miss(struct xdp_md *ctx)
{
	struct rpilb_tuple k;
	struct rpilb_flow_fwd *f;

	hit_key(&k);
	k.saddr = bpf_htonl(PROBE_MISS_SADDR);
	f = bpf_map_lookup_elem(&p_flows_fwd, &k);
	return f ? XDP_DROP : XDP_PASS;
}

/* services: a hit on the 8-byte key of a frontend bind. */
SEC("xdp")
int probe_svc_hit(struct xdp_md *ctx)
{
	struct rpilb_svc_key k = { .vip = bpf_htonl(0x0a010002U), .port = bpf_htons(80) };
	struct rpilb_svc *s = bpf_map_lookup_elem(&p_services, &k);

	return s ? XDP_PASS : XDP_DROP;
}

/* rr_tables: a hit on a pool (an 8 KB value, found by a 4-byte key). */
SEC("xdp")
int probe_rr_hit(struct xdp_md *ctx)
{
	__u32 pool = 0;
	struct rpilb_rr_table *t = bpf_map_lookup_elem(&p_rr_tables, &pool);

	return t ? XDP_PASS : XDP_DROP;
}

/* A hit plus the two atomic adds every forwarded packet does on its entry. */
SEC("xdp")
int probe_hash_hit_atomics(struct xdp_md *ctx)
{
	struct rpilb_tuple k;
	struct rpilb_flow_fwd *f;

	hit_key(&k);
	f = bpf_map_lookup_elem(&p_flows_fwd, &k);
	if (!f)
		return XDP_DROP;
	__sync_fetch_and_add(&f->packets, 1);
	__sync_fetch_and_add(&f->bytes, 60);
	return XDP_PASS;
}

/* backend_stats: per-CPU array lookup by server id and three adds. */
SEC("xdp")
int probe_backend_stats(struct xdp_md *ctx)
{
	__u32 id = 1;
	struct rpilb_backend_stats *bs = bpf_map_lookup_elem(&p_backend_stats, &id);

	if (!bs)
		return XDP_DROP;
	bs->packets_in++;
	bs->bytes_in += 60;
	bs->new_flows++;
	return XDP_PASS;
}

SEC("xdp")
int probe_ktime_coarse(struct xdp_md *ctx)
{
	return bpf_ktime_get_coarse_ns() == 1 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int probe_prandom(struct xdp_md *ctx)
{
	return bpf_get_prandom_u32() == 1 ? XDP_DROP : XDP_PASS;
}

/* The server's next hop, as a new flow asks for it once. */
SEC("xdp")
int probe_fib_lookup(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	fib.family = AF_INET;
	fib.l4_protocol = IPPROTO_TCP;
	fib.tot_len = 60;
	fib.ipv4_src = fib_src;
	fib.ipv4_dst = fib_dst;
	fib.ifindex = ctx->ingress_ifindex;
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	return rc == BPF_FIB_LKUP_RET_SUCCESS ? XDP_PASS : XDP_DROP;
}

/* A NAT port claim that succeeds (insert with BPF_NOEXIST), then its removal. */
SEC("xdp")
int probe_insert_delete(struct xdp_md *ctx)
{
	struct rpilb_flow_rev v = {};
	struct rpilb_tuple k;

	hit_key(&k);
	k.saddr = bpf_htonl(PROBE_MISS_SADDR);
	v.backend_id = 1;
	if (bpf_map_update_elem(&p_flows_rev, &k, &v, BPF_NOEXIST))
		return XDP_DROP;
	bpf_map_delete_elem(&p_flows_rev, &k);
	return XDP_PASS;
}

/* An insert that fails because the key exists: a busy NAT port. */
SEC("xdp")
int probe_insert_exists(struct xdp_md *ctx)
{
	struct rpilb_flow_rev v = {};
	struct rpilb_tuple k;

	hit_key(&k);
	return bpf_map_update_elem(&p_flows_rev, &k, &v, BPF_NOEXIST) ? XDP_PASS : XDP_DROP;
}

static long loop_step(__u32 i, void *arg)
{
	return 1;
}

/* bpf_loop() with one callback: how the NAT port probes are driven. */
SEC("xdp")
int probe_bpf_loop(struct xdp_md *ctx)
{
	return bpf_loop(1, loop_step, NULL, 0) == 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
