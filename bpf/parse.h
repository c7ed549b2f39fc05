/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Packet parsing: Ethernet, IPv4, TCP and the ICMP errors that quote a TCP
 * header. Each header is bounds-checked right before it is used; a header
 * that does not fit gives a verdict counter, never a guess.
 */
#ifndef RPILB_BPF_PARSE_H
#define RPILB_BPF_PARSE_H

#include <stdbool.h> /* clang's own header, not libc's */
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "rpilb_abi.h"
#include "tunables.h"

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_ACK 0x10

#define IP_MF		  0x2000
#define IP_OFFSET	  0x1fff
#define TCPOPT_EOL	  0
#define TCPOPT_NOP	  1
#define TCPOPT_MSS	  2
#define TCPOLEN_MSS	  4
#define TCPOPT_SACK_PERM  4
#define TCPOLEN_SACK_PERM 2
#define TCPOPT_TS	  8
#define TCPOLEN_TS	  10

/* <linux/icmp.h> drags in libc headers; these are the few bits we use. */
struct icmp_err_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 unused; /* next-hop MTU for "fragmentation needed" */
};

#define ICMP_DEST_UNREACH  3
#define ICMP_TIME_EXCEEDED 11

/* What lb_process() knows about a packet after parsing. */
struct pkt {
	void *data;
	void *data_end; /* of the linear part: headers are always there, payload may not be */
	__u32 frame_len; /* the whole frame (an skb's payload can sit in fragments) */
	struct ethhdr *eth;
	struct iphdr *ip;
	void *l4; /* TCP or ICMP header */
	__u32 ip_len; /* IPv4 total length: what the counters count */
	__u32 l4_off; /* from data */
	__u32 tcp_payload; /* TCP payload bytes */
	__u8 tcp_flags;
	__u8 ip_options; /* IHL > 5 */
	__u8 first_fragment; /* MF set, offset 0 */
};

static __always_inline struct tcphdr *pkt_tcp(const struct pkt *p)
{
	return p->l4;
}

/*
 * Returns 0 when Ethernet and IPv4 headers are sound, else the counter to
 * bump. Later fragments are reported as PASS_FRAGMENT: without their first
 * fragment there is nothing to match them against.
 */
static __always_inline int parse_ipv4(struct pkt *p)
{
	struct ethhdr *eth = p->data;
	struct iphdr *ip;
	__u32 ihl_bytes, frame_len;
	__u16 frag;

	if ((void *)(eth + 1) > p->data_end)
		return RPILB_CNT_PASS_NOT_IPV4;
	p->eth = eth;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return RPILB_CNT_PASS_NOT_IPV4;

	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > p->data_end)
		return RPILB_CNT_DROP_IP_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return RPILB_CNT_DROP_IP_MALFORMED;
	ihl_bytes = ip->ihl * 4;
	frame_len = p->frame_len - sizeof(*eth);
	p->ip_len = bpf_ntohs(ip->tot_len);
	/* Shorter frames than tot_len are truncated; longer ones carry padding. */
	if (p->ip_len < ihl_bytes || p->ip_len > frame_len)
		return RPILB_CNT_DROP_IP_MALFORMED;
	p->ip = ip;
	p->ip_options = ip->ihl > 5;
	p->l4_off = sizeof(*eth) + ihl_bytes;

	frag = bpf_ntohs(ip->frag_off);
	if (frag & IP_OFFSET)
		return RPILB_CNT_PASS_FRAGMENT;
	p->first_fragment = !!(frag & IP_MF);
	return 0;
}

/* Returns 0 when a complete TCP header (options included) is present. */
static __always_inline int parse_tcp(struct pkt *p)
{
	struct tcphdr *tcp;
	__u32 seg_len, doff_bytes;

	if (p->l4_off > 14 + 60)
		return RPILB_CNT_DROP_IP_MALFORMED;
	tcp = p->data + p->l4_off;
	if ((void *)(tcp + 1) > p->data_end)
		return RPILB_CNT_DROP_TCP_MALFORMED;
	seg_len = p->ip_len - (p->l4_off - sizeof(struct ethhdr));
	doff_bytes = tcp->doff * 4;
	if (doff_bytes < sizeof(*tcp) || doff_bytes > seg_len)
		return RPILB_CNT_DROP_TCP_MALFORMED;
	if ((void *)tcp + doff_bytes > p->data_end)
		return RPILB_CNT_DROP_TCP_MALFORMED;
	p->l4 = tcp;
	p->tcp_payload = seg_len - doff_bytes;
	p->tcp_flags = ((__u8 *)tcp)[13];
	return 0;
}

static __always_inline bool tcp_is_syn(const struct pkt *p)
{
	return (p->tcp_flags & (TCPF_SYN | TCPF_ACK | TCPF_FIN | TCPF_RST)) == TCPF_SYN;
}

/* What the server's TIME_WAIT compares a new SYN against (RFC 6191). */
struct tcp_seq_info {
	__u32 seq; /* host order */
	__u32 tsval; /* host order */
	bool has_ts;
};

/* Options can sit at any byte: read and write their words bytewise. */
static __always_inline __u32 get_be32(const __u8 *b)
{
	return ((__u32)b[0] << 24) | ((__u32)b[1] << 16) | ((__u32)b[2] << 8) | b[3];
}

static __always_inline void put_be32(__u8 *b, __u32 v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

struct tcp_opt_scan {
	__u8 opts[RPILB_TCP_OPT_MAX];
	__u32 len;
	__u32 pos;
	__u32 tsval;
	bool found;
};

/* One option per call; bpf_loop() lets the verifier check this body once. */
static long tcp_opt_scan_step(__u32 n, void *arg)
{
	struct tcp_opt_scan *s = arg;
	__u32 i = s->pos;
	__u8 kind, olen;

	if (i >= s->len || i >= RPILB_TCP_OPT_MAX - 1)
		return 1;
	kind = s->opts[i];
	if (kind == TCPOPT_EOL)
		return 1;
	if (kind == TCPOPT_NOP) {
		s->pos = i + 1;
		return 0;
	}
	olen = s->opts[i + 1];
	if (olen < 2 || i + olen > s->len)
		return 1;
	if (kind == TCPOPT_TS) {
		if (olen != TCPOLEN_TS || i > RPILB_TCP_OPT_MAX - TCPOLEN_TS)
			return 1;
		s->tsval = get_be32(&s->opts[i + 2]);
		s->found = true;
		return 1;
	}
	s->pos = i + olen;
	return 0;
}

/*
 * Where the timestamp option starts in the TCP options, or -1; its TSval
 * in *tsval. Only SYNs, FINs and flows with shifted timestamps need it, so
 * copying the options out of the packet stays off the common path. The
 * TSval is read at a constant offset or from the copy, never through a
 * variable packet offset, which would multiply the verifier's work at
 * every SYN and FIN.
 */
static __always_inline int tcp_ts_find(const struct pkt *p, __u32 *tsval)
{
	struct tcphdr *tcp = pkt_tcp(p);
	__u8 *opt = (void *)(tcp + 1);
	struct tcp_opt_scan scan = {};

	scan.len = tcp->doff * 4 - sizeof(*tcp);
	if (scan.len == 0 || scan.len > RPILB_TCP_OPT_MAX)
		return -1;
	/*
	 * Linux's own layouts need no scan: NOP NOP TS on an established flow,
	 * MSS SACK-permitted TS in a SYN. The options before the timestamp are
	 * matched too, or an MSS of 2058 (08 0a) would pass for one.
	 */
	if (scan.len >= 2 + TCPOLEN_TS && (void *)(opt + 2 + TCPOLEN_TS) <= p->data_end &&
	    opt[0] == TCPOPT_NOP && opt[1] == TCPOPT_NOP && opt[2] == TCPOPT_TS &&
	    opt[3] == TCPOLEN_TS) {
		*tsval = get_be32(opt + 4);
		return 2;
	}
	if (scan.len >= 6 + TCPOLEN_TS && (void *)(opt + 6 + TCPOLEN_TS) <= p->data_end &&
	    opt[0] == TCPOPT_MSS && opt[1] == TCPOLEN_MSS && opt[4] == TCPOPT_SACK_PERM &&
	    opt[5] == TCPOLEN_SACK_PERM && opt[6] == TCPOPT_TS && opt[7] == TCPOLEN_TS) {
		*tsval = get_be32(opt + 8);
		return 6;
	}
	for (int i = 0; i < RPILB_TCP_OPT_MAX; i++) {
		if (i >= scan.len || (void *)(opt + i + 1) > p->data_end)
			break;
		scan.opts[i] = opt[i];
	}
	bpf_loop(RPILB_TCP_OPT_MAX, tcp_opt_scan_step, &scan, 0);
	*tsval = scan.tsval;
	return scan.found ? (int)scan.pos : -1;
}

/* The timestamp option's field at field_off (TCP_TS_VAL or TCP_TS_ECR), or NULL. */
#define TCP_TS_VAL 2
#define TCP_TS_ECR 6

static __always_inline __u8 *tcp_ts_field(const struct pkt *p, int ts_off, __u32 field_off)
{
	__u8 *v;

	if (ts_off < 0 || ts_off > RPILB_TCP_OPT_MAX - TCPOLEN_TS || field_off > TCP_TS_ECR)
		return NULL;
	v = (__u8 *)(pkt_tcp(p) + 1) + ts_off + field_off;
	if ((void *)(v + 4) > p->data_end)
		return NULL;
	return v;
}

/* Sequence number and timestamp: what a SYN or FIN means to a TIME_WAIT. */
static __always_inline void tcp_seq_info(const struct pkt *p, struct tcp_seq_info *si)
{
	si->seq = bpf_ntohl(pkt_tcp(p)->seq);
	si->tsval = 0;
	si->has_ts = tcp_ts_find(p, &si->tsval) >= 0;
}

#endif
