/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Incremental Internet checksum updates (RFC 1624, eqn. 3). A rewrite
 * collects the old and new value of every changed 16-bit word into one
 * accumulator and applies it once per checksum field. Because the update
 * is incremental, a packet that arrived with a bad checksum leaves with a
 * bad checksum: the receiver still discards it, as it would have.
 */
#ifndef RPILB_BPF_CSUM_H
#define RPILB_BPF_CSUM_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* A sum of (~old + new) over the changed words, folded when applied. */
struct csum_delta {
	__u32 sum;
};

static __always_inline void csum_delta_add16(struct csum_delta *d, __u16 from, __u16 to)
{
	d->sum += (__u16)~from + (__u32)to;
}

static __always_inline void csum_delta_add32(struct csum_delta *d, __u32 from, __u32 to)
{
	csum_delta_add16(d, (__u16)from, (__u16)to);
	csum_delta_add16(d, (__u16)(from >> 16), (__u16)(to >> 16));
}

static __always_inline void csum_delta_merge(struct csum_delta *d, const struct csum_delta *o)
{
	d->sum += o->sum;
}

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* HC' = ~(~HC + sum(~m + m')) */
static __always_inline __u16 csum_apply(__u16 check, const struct csum_delta *d)
{
	return (__u16)~csum_fold((__u64)(__u16)~check + d->sum);
}

/*
 * A change that starts at an odd byte offset straddles the 16-bit words:
 * its contribution is the aligned one with its bytes swapped (RFC 1071,
 * 2(B)). Fold first, so no carry is lost in the swap.
 */
static __always_inline void csum_delta_byteswap(struct csum_delta *d)
{
	__u16 folded = csum_fold(d->sum);

	d->sum = (__u16)((folded << 8) | (folded >> 8));
}

/* The 16-bit words of a checksum field as they change, for enclosing sums. */
static __always_inline void csum_delta_field(struct csum_delta *d, __u16 old_check, __u16 new_check)
{
	csum_delta_add16(d, old_check, new_check);
}

#endif
