/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Round robin: one cursor per pool, advanced atomically by whichever CPU
 * sees the SYN, so the rotation is exact across CPUs. Weights are already
 * in the table (rpilbctl writes each server weight/gcd times, in smooth
 * weighted order), so picking is one increment and one index.
 */
#ifndef RPILB_BPF_RR_H
#define RPILB_BPF_RR_H

#include "maps.h"

/* Returns 0 and the server, or the counter that says why there is none. */
static __always_inline int rr_pick(__u32 pool, __u32 *backend_id, struct rpilb_backend **out)
{
	struct rpilb_rr_cursor *cursor;
	struct rpilb_rr_table *table;
	struct rpilb_backend *be;
	__u32 n, id;
	__u64 pos;

	table = bpf_map_lookup_elem(&rr_tables, &pool);
	if (!table || table->count == 0)
		return RPILB_CNT_DROP_NO_BACKEND;
	cursor = bpf_map_lookup_elem(&rr_cursor, &pool);
	if (!cursor)
		return RPILB_CNT_DROP_INTERNAL;
	n = table->count;
	if (n > RPILB_MAX_SLOTS)
		return RPILB_CNT_DROP_INTERNAL;
	pos = __sync_fetch_and_add(&cursor->next, 1) % n;
	if (pos >= RPILB_MAX_SLOTS)
		return RPILB_CNT_DROP_INTERNAL;
	id = table->slot[pos];
	be = bpf_map_lookup_elem(&backends, &id);
	if (!be || !(be->flags & RPILB_BACKEND_F_IN_USE))
		return RPILB_CNT_DROP_INTERNAL;
	*backend_id = id;
	*out = be;
	return 0;
}

struct rr_find {
	const struct rpilb_rr_table *table;
	__u32 id;
	bool found;
};

static long rr_find_step(__u32 i, void *arg)
{
	struct rr_find *f = arg;

	if (i >= RPILB_MAX_SLOTS)
		return 1;
	f->found = f->table->slot[i] == f->id;
	return f->found;
}

/*
 * A retried SYN keeps server id if it is still in pool's rotation: 0 and
 * the server, without moving the cursor. Walks the table (bpf_loop: one
 * body to verify), which only retries pay.
 */
static __always_inline int rr_keep(__u32 pool, __u32 id, struct rpilb_backend **out)
{
	struct rr_find f = { .id = id };
	struct rpilb_backend *be;

	f.table = bpf_map_lookup_elem(&rr_tables, &pool);
	if (!f.table || f.table->count > RPILB_MAX_SLOTS)
		return -1;
	bpf_loop(f.table->count, rr_find_step, &f, 0);
	if (!f.found)
		return -1;
	be = bpf_map_lookup_elem(&backends, &id);
	if (!be || !(be->flags & RPILB_BACKEND_F_IN_USE) || be->pool != pool)
		return -1;
	*out = be;
	return 0;
}

#endif
