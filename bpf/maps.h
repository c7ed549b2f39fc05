/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every map of the data path. All are pinned by name under the pin root
 * (/sys/fs/bpf/rpilb), so a restarted rpilbctl adopts them and bpftool can
 * print them with field names. Layouts live in include/rpilb_abi.h.
 */
#ifndef RPILB_BPF_MAPS_H
#define RPILB_BPF_MAPS_H

#include "rpilb_abi.h"
#include "tunables.h"

/* The single rpilb_cfg: NAT address and port range, TIME_WAIT guard. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rpilb_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} config SEC(".maps");

/* (VIP, port) of each frontend bind -> its service id and pool. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RPILB_MAX_SERVICES);
	__type(key, struct rpilb_svc_key);
	__type(value, struct rpilb_svc);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} services SEC(".maps");

/* Every server by id: address, port, pool and name (for bpftool readers). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RPILB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct rpilb_backend);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} backends SEC(".maps");

/*
 * Pool id -> the smooth weighted round-robin order over its eligible
 * servers. A hash, not an array, because a hash update swaps the whole
 * element at once: a CPU picking a server never sees half a new table.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RPILB_MAX_POOLS);
	__type(key, __u32);
	__type(value, struct rpilb_rr_table);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rr_tables SEC(".maps");

/* Pool id -> position in its order, shared by all CPUs (exact rotation). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RPILB_MAX_POOLS);
	__type(key, __u32);
	__type(value, struct rpilb_rr_cursor);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rr_cursor SEC(".maps");

/*
 * Client -> VIP 4-tuple -> the flow's server and NAT port. Global, not
 * per-CPU: round robin cannot re-derive a lost entry, and a flow's packets
 * may arrive on any CPU. Sized at load time (flow-table-size).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RPILB_FLOWS_DEFAULT);
	__type(key, struct rpilb_tuple);
	__type(value, struct rpilb_flow_fwd);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flows_fwd SEC(".maps");

/*
 * Server -> NAT address:port 4-tuple -> the client to translate back to.
 * Closed entries stay as tombstones while the server may hold TIME_WAIT,
 * so the port chooser can tell when the pair is safe to use again.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RPILB_FLOWS_DEFAULT);
	__type(key, struct rpilb_tuple);
	__type(value, struct rpilb_flow_rev);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flows_rev SEC(".maps");

/* A dropped SYN's server, for its retransmission (rpilb_retry_pick). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RPILB_RETRY_PICKS);
	__type(key, struct rpilb_tuple);
	__type(value, struct rpilb_retry_pick);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} retry_picks SEC(".maps");

/* Flows whose handshake is not complete, against cfg.halfopen_max. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct rpilb_halfopen);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} halfopen SEC(".maps");

/* Verdict, drop-reason and event counters, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rpilb_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} counters SEC(".maps");

/* Per-server traffic and new flows, per CPU, indexed by backend id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RPILB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct rpilb_backend_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} backend_stats SEC(".maps");

/* Per-frontend-bind new flows and refusals, per CPU, by service id. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RPILB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct rpilb_svc_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} svc_stats SEC(".maps");

#endif
