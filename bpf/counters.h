/* SPDX-License-Identifier: GPL-2.0-only */
/* Counter updates: every verdict and event, per CPU. */
#ifndef RPILB_BPF_COUNTERS_H
#define RPILB_BPF_COUNTERS_H

#include "maps.h"

static __always_inline void counter_inc(struct rpilb_counters *c, __u32 id)
{
	__u64 *slot = (__u64 *)c;

	if (id < RPILB_CNT_MAX)
		slot[id]++;
}

static __always_inline struct rpilb_backend_stats *backend_stats_get(__u32 backend_id)
{
	return bpf_map_lookup_elem(&backend_stats, &backend_id);
}

#endif
