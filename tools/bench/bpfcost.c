// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpfcost: what the rpilb data path costs per packet, under
 * BPF_PROG_TEST_RUN, next to an empty program of the same type measured in
 * the same run; and what its maps cost in memory.
 *
 *   bpfcost cost [-r REPEAT] [-s SYN_REPEAT] [-b BATCHES] [-n SINGLES] [-c CPU]
 *                [-k CASE] [-P xdp|tc] [-N] [-L FILE]   (one case, one program: for perf)
 *   bpfcost mem CAPACITY...
 *   bpfcost lines PROG_ID     (JIT address -> source line, to place perf samples)
 *
 * The program is loaded unpinned (nothing in /sys/fs/bpf) inside a private
 * network namespace holding one veth with the balancer's address and
 * permanent neighbour entries, so bpf_fib_lookup() gets real answers; the
 * namespace and everything loaded vanish with the process.
 *
 * The catch of BPF_PROG_TEST_RUN is that repeat > 1 runs the program again
 * on the packet it has just rewritten. Every case is built so that the
 * rewritten packet is again an instance of the same case:
 *
 *   established  two forward flow entries that translate into each other
 *                (A -> B and B -> A), so every iteration is a flow-table hit
 *                on the client path with a full rewrite;
 *   reply        the same with two reverse entries;
 *   new flow     the frontend port and every server's port are services of
 *                one pool, so each rewritten SYN (balancer:nat-port ->
 *                server:8000) is a SYN for a 4-tuple never seen before:
 *                every iteration picks a server, resolves its MAC, claims a
 *                NAT port and inserts both entries;
 *   pass         a packet for no service is not rewritten at all.
 *
 * After each batch the counters must show exactly REPEAT packets of the
 * expected verdict, and the two-way cases must give back their input.
 * As a cross-check each case also runs as many single runs (repeat 1) of
 * a fresh, ordinary packet; those durations include the test-run timer
 * overhead, which the empty program's single runs show.
 *
 * Output: one "key=value ..." line per figure, for tools/bench/bench.sh.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel/loader.h"
#include "lib/log.h"
#include "kernel/maps.h"
#include "bench_probes.skel.h"
#include "rpilb.skel.h"

#define IFNAME	  "bc0"
#define LB_ADDR	  "10.1.0.2"
#define CL_ADDR	  "10.1.0.10"
#define NBACKENDS 3
#define VPORT	  80
#define BPORT	  8000
#define NAT_LO	  50000
#define NAT_HI	  59999
#define FRAME_MAX 256
#define NS_PER_S  1000000000ULL

#define TICKS(sec) ((__u32)(((__u64)(sec)*NS_PER_S) >> RPILB_TICK_SHIFT))

enum prog_kind {
	PK_XDP,
	PK_TC,
	PK_MAX,
};

static const char *const prog_names[PK_MAX] = { "xdp", "tc" };

struct opts {
	unsigned repeat; /* iterations per batch, fast cases */
	unsigned syn_repeat; /* iterations per batch, new flows */
	unsigned batches;
	unsigned singles;
	int cpu;
	int only_case; /* -1: all */
	int only_prog; /* -1: both */
	bool no_probes;
	const char *lines_file; /* write the JIT line table of the programs here */
};

struct bench {
	struct loader l;
	struct lb_maps m;
	int ifindex;
	int prog_fd[PK_MAX];
	int empty_fd[PK_MAX];
	const struct opts *o;
};

/* One case's result, in ns per packet. */
struct cost {
	double ns; /* median over batches of the kernel's duration (whole ns) of REPEAT runs */
	double single_ns; /* median duration of single runs */
	double single_p90_ns;
	double retries; /* NAT port probes that found the port busy, per SYN */
};

/* ------------------------------------------------------------------ */
/* packets */

struct frame {
	__u8 buf[FRAME_MAX];
	size_t len;
};

struct tcp_spec {
	__u8 smac[6], dmac[6];
	__u32 saddr, daddr; /* network order */
	__u16 sport, dport; /* host order */
	__u8 flags;
	__u32 seq, ack;
	bool syn_opts; /* MSS, SACK-permitted, timestamps, window scale: as Linux sends */
};

#define TH_SYN 0x02
#define TH_ACK 0x10

static __u32 addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static __u32 backend_addr(int n)
{
	return htonl(ntohl(addr(CL_ADDR)) + (__u32)n); /* 10.1.0.11 .. */
}

static void mac_of(__u32 a, __u8 mac[6])
{
	const __u8 m[6] = { 0x02, 0, 0, 0, 0, (__u8)(ntohl(a) & 0xff) };

	memcpy(mac, m, 6);
}

static __u32 csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (__u32)(p[len - 1] << 8);
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Ethernet, IPv4 (no options) and TCP with timestamps, checksums complete. */
static void build_tcp(struct frame *f, const struct tcp_spec *s)
{
	static const __u8 syn_opts[20] = { 2, 4, 0x05, 0xb4, /* MSS 1460 */
					   4, 2, 8,    10, /* SACK permitted, timestamps */
					   0, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 3, 3, 7 };
	static const __u8 ack_opts[12] = { 1, 1, 8, 10, 0, 0, 0x12, 0x35, 0, 0, 0x56, 0x78 };
	size_t optlen = s->syn_opts ? sizeof(syn_opts) : sizeof(ack_opts);
	size_t tcplen = 20 + optlen, iplen = 20 + tcplen;
	__u8 *eth = f->buf, *ip = eth + 14, *tcp = ip + 20, pseudo[12];
	__u32 sum;

	memset(f->buf, 0, sizeof(f->buf));
	memcpy(eth, s->dmac, 6);
	memcpy(eth + 6, s->smac, 6);
	put16(eth + 12, 0x0800);

	ip[0] = 0x45;
	put16(ip + 2, (__u16)iplen);
	put16(ip + 4, 4242);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, &s->saddr, 4);
	memcpy(ip + 16, &s->daddr, 4);
	memcpy(ip + 10, &(__u16){ csum_fold(csum_add(0, ip, 20)) }, 2);

	put16(tcp, s->sport);
	put16(tcp + 2, s->dport);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->ack);
	tcp[12] = (__u8)((tcplen / 4) << 4);
	tcp[13] = s->flags;
	put16(tcp + 14, 64240);
	memcpy(tcp + 20, s->syn_opts ? syn_opts : ack_opts, optlen);

	memcpy(pseudo, &s->saddr, 4);
	memcpy(pseudo + 4, &s->daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	put16(pseudo + 10, (__u16)tcplen);
	sum = csum_add(csum_add(0, pseudo, sizeof(pseudo)), tcp, tcplen);
	memcpy(tcp + 16, &(__u16){ csum_fold(sum) }, 2);
	f->len = 14 + iplen;
}

static void tcp_pkt(struct frame *f, __u32 saddr, __u16 sport, __u32 daddr, __u16 dport, __u8 flags)
{
	struct tcp_spec s = {
		.saddr = saddr,
		.daddr = daddr,
		.sport = sport,
		.dport = dport,
		.flags = flags,
		.seq = 1000000u + sport,
		.ack = flags & TH_ACK ? 7000000u : 0,
		.syn_opts = flags == TH_SYN,
	};

	mac_of(saddr, s.smac);
	mac_of(addr(LB_ADDR), s.dmac);
	build_tcp(f, &s);
}

/* ------------------------------------------------------------------ */
/* the private namespace and the programs */

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc)
		fprintf(stderr, "bpfcost: '%s' failed (%d)\n", cmd, rc);
	return rc ? -1 : 0;
}

static int private_netns(void)
{
	char cmd[160];

	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "bpfcost: unshare(CLONE_NEWNET): %s (run as root)\n",
			strerror(errno));
		return -1;
	}
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	if (sh("ip link add " IFNAME " address 02:00:00:00:00:02 type veth peer name bc1") ||
	    sh("ip addr add " LB_ADDR "/24 dev " IFNAME) || sh("ip link set " IFNAME " up") ||
	    sh("ip link set bc1 up") ||
	    sh("echo 1 > /proc/sys/net/ipv4/conf/" IFNAME "/forwarding"))
		return -1;
	for (int n = 0; n <= NBACKENDS; n++) {
		__u32 a = n ? backend_addr(n) : addr(CL_ADDR);
		char s[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &a, s, sizeof(s));
		snprintf(cmd, sizeof(cmd),
			 "ip neigh replace %s lladdr 02:00:00:00:00:%02x dev " IFNAME
			 " nud permanent",
			 s, ntohl(a) & 0xff);
		if (sh(cmd))
			return -1;
	}
	return 0;
}

/* r0 = verdict; exit: the floor any program of this type pays. */
static int load_empty(enum bpf_prog_type type, int verdict)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = verdict },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(type, "empty", "GPL", insns, 2, NULL);

	if (fd < 0)
		fprintf(stderr, "bpfcost: loading the empty program failed: %s\n", strerror(-fd));
	return fd;
}

struct run {
	__u32 retval;
	__u32 duration; /* the kernel's, ns per iteration */
	struct frame out;
};

static int test_run(struct bench *b, enum prog_kind pk, int fd, const struct frame *in,
		    __u32 repeat, struct run *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct xdp_md xdp = { .data_end = (__u32)in->len, .ingress_ifindex = (__u32)b->ifindex };
	struct __sk_buff skb = { .ifindex = (__u32)b->ifindex };
	int err;

	opts.data_in = in->buf;
	opts.data_size_in = (__u32)in->len;
	opts.data_out = r->out.buf;
	opts.data_size_out = sizeof(r->out.buf); /* written back: reset every run */
	opts.repeat = repeat;
	if (pk == PK_XDP) {
		opts.ctx_in = &xdp;
		opts.ctx_size_in = sizeof(xdp);
	} else {
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	}
	err = bpf_prog_test_run_opts(fd, &opts);
	if (err) {
		fprintf(stderr, "bpfcost: test run failed: %s\n", strerror(-err));
		return -1;
	}
	r->retval = opts.retval;
	r->duration = opts.duration;
	r->out.len = opts.data_size_out;
	return 0;
}

static int verdict_tx(enum prog_kind pk)
{
	return pk == PK_XDP ? XDP_TX : TC_ACT_REDIRECT;
}

static int verdict_pass(enum prog_kind pk)
{
	return pk == PK_XDP ? XDP_PASS : TC_ACT_OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(double *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

/* ------------------------------------------------------------------ */
/* map contents */

static int setup_config(struct bench *b)
{
	struct rpilb_cfg cfg = {
		.abi_version = RPILB_ABI_VERSION,
		.nat_addr = addr(LB_ADDR),
		.nat_port_lo = NAT_LO,
		.nat_port_hi = NAT_HI,
		.tw_guard_ticks = TICKS(60),
		.close_grace_ticks = TICKS(2),
	};
	uint16_t slots[NBACKENDS];

	if (maps_set_config(&b->m, &cfg))
		return -1;
	for (int i = 0; i < NBACKENDS; i++) {
		struct rpilb_backend be = {
			.addr = backend_addr(i + 1),
			.port = htons(BPORT),
			.pool = 0,
			.flags = RPILB_BACKEND_F_IN_USE,
		};

		snprintf(be.name, sizeof(be.name), "raspberrypi%02d", i + 1);
		if (maps_set_backend(&b->m, (uint32_t)i, &be))
			return -1;
		slots[i] = (uint16_t)i;
	}
	if (maps_set_rr_table(&b->m, 0, slots, NBACKENDS) || maps_set_rr_cursor(&b->m, 0, 0))
		return -1;
	return 0;
}

/* The frontend only; with chain set, every server's port too (same pool). */
static int setup_services(struct bench *b, bool chain)
{
	struct rpilb_svc_key k = { .vip = addr(LB_ADDR), .port = htons(VPORT) };
	struct rpilb_svc s = { .id = 0, .pool = 0 };

	if (maps_clear_services(&b->m) || maps_set_service(&b->m, &k, &s))
		return -1;
	for (int i = 0; chain && i < NBACKENDS; i++) {
		k.vip = backend_addr(i + 1);
		k.port = htons(BPORT);
		s.id = (__u16)(i + 1);
		if (maps_set_service(&b->m, &k, &s))
			return -1;
	}
	return setup_config(b);
}

/*
 * Empty a flow table: collect every key in one walk, then delete them.
 * (Deleting while walking restarts the walk from the first bucket each
 * time, which with 65536 buckets and thousands of flows dominates a run.)
 */
static int flows_clear(int fd)
{
	size_t n = 0, cap = 4096;
	struct rpilb_tuple *keys = malloc(cap * sizeof(*keys)), *prev = NULL;
	int err = 0;

	if (!keys)
		return -1;
	while (!bpf_map_get_next_key(fd, prev, &keys[n])) {
		prev = &keys[n++];
		if (n == cap) {
			struct rpilb_tuple *k = realloc(keys, 2 * cap * sizeof(*keys));

			if (!k) {
				err = -1;
				goto out;
			}
			keys = k;
			cap *= 2;
			prev = &keys[n - 1];
		}
	}
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, &keys[i]) && errno != ENOENT)
			err = -1;
out:
	free(keys);
	return err;
}

static int reset_state(struct bench *b)
{
	if (flows_clear(b->m.flows_fwd) || flows_clear(b->m.flows_rev) ||
	    maps_reset_counters(&b->m))
		return -1;
	return 0;
}

static __u64 counter(struct bench *b, enum rpilb_counter id)
{
	uint64_t c[RPILB_CNT_MAX];

	if (maps_read_counters(&b->m, c))
		return ~0ULL;
	return c[id];
}

/*
 * Two forward entries keyed by balancer:pa -> server a:8000 and
 * balancer:pb -> server b:8000, each translating into the other's key.
 */
static int put_fwd_pair(struct bench *b, struct frame *in)
{
	__u32 lb = addr(LB_ADDR), now = maps_now_ticks();
	__u32 srv[2] = { backend_addr(1), backend_addr(2) };
	__u16 port[2] = { 50001, 50002 };

	for (int i = 0; i < 2; i++) {
		struct rpilb_tuple k = { lb, srv[i], htons(port[i]), htons(BPORT) };
		struct rpilb_flow_fwd f = {
			.created = now,
			.last_seen = now,
			.backend_addr = srv[!i],
			.backend_port = htons(BPORT),
			.nat_port = htons(port[!i]),
			.backend_id = (__u16)!i,
			.flags = RPILB_FLOW_ESTABLISHED,
		};

		mac_of(srv[!i], f.backend_mac);
		if (bpf_map_update_elem(b->m.flows_fwd, &k, &f, BPF_NOEXIST)) {
			fprintf(stderr, "bpfcost: flows_fwd update: %s\n", strerror(errno));
			return -1;
		}
	}
	tcp_pkt(in, lb, port[0], srv[0], BPORT, TH_ACK);
	return 0;
}

/* Two reverse entries: server a:8000 -> balancer:pa answers "client" balancer:pb -> b:8000. */
static int put_rev_pair(struct bench *b, struct frame *in)
{
	__u32 lb = addr(LB_ADDR);
	__u32 srv[2] = { backend_addr(1), backend_addr(2) };
	__u16 port[2] = { 50011, 50012 };

	for (int i = 0; i < 2; i++) {
		struct rpilb_tuple k = { srv[i], lb, htons(BPORT), htons(port[i]) };
		struct rpilb_flow_rev r = {
			.client = { lb, srv[!i], htons(port[!i]), htons(BPORT) },
			.backend_id = (__u16)i,
		};

		mac_of(srv[!i], r.client_mac);
		if (bpf_map_update_elem(b->m.flows_rev, &k, &r, BPF_NOEXIST)) {
			fprintf(stderr, "bpfcost: flows_rev update: %s\n", strerror(errno));
			return -1;
		}
	}
	tcp_pkt(in, srv[0], BPORT, lb, port[0], TH_ACK);
	return 0;
}

/* ------------------------------------------------------------------ */
/* the cases */

enum bcase {
	C_EMPTY,
	C_SYN,
	C_EST,
	C_REPLY,
	C_PASS,
	C_MAX,
};

static const char *const case_names[C_MAX] = { "empty", "syn", "established", "reply", "pass" };

static const enum rpilb_counter case_counter[C_MAX] = {
	[C_SYN] = RPILB_CNT_TX_NEW_FLOW,
	[C_EST] = RPILB_CNT_TX_TO_BACKEND,
	[C_REPLY] = RPILB_CNT_TX_TO_CLIENT,
	[C_PASS] = RPILB_CNT_PASS_NOT_SERVICE,
};

static int case_verdict(enum bcase c, enum prog_kind pk)
{
	return c == C_EMPTY || c == C_PASS ? verdict_pass(pk) : verdict_tx(pk);
}

/* Prepare the maps for one repeat batch of case c; the input in in. */
static int prepare_repeat(struct bench *b, enum bcase c, unsigned batch, struct frame *in)
{
	if (reset_state(b) || setup_services(b, c == C_SYN))
		return -1;
	switch (c) {
	case C_EMPTY:
	case C_PASS:
		tcp_pkt(in, addr(CL_ADDR), 40000, addr(LB_ADDR), 22, TH_SYN);
		return 0;
	case C_SYN:
		/* A fresh client port per batch; the rest of the chain is new anyway. */
		tcp_pkt(in, addr(CL_ADDR), (__u16)(20000 + batch), addr(LB_ADDR), VPORT, TH_SYN);
		return 0;
	case C_EST:
		return put_fwd_pair(b, in);
	case C_REPLY:
		return put_rev_pair(b, in);
	default:
		return -1;
	}
}

static int check_batch(struct bench *b, enum bcase c, enum prog_kind pk, const struct frame *in,
		       const struct run *r, __u32 repeat)
{
	__u64 got;

	if ((int)r->retval != case_verdict(c, pk)) {
		fprintf(stderr, "bpfcost: %s/%s: verdict %u, want %d\n", prog_names[pk],
			case_names[c], r->retval, case_verdict(c, pk));
		return -1;
	}
	if (c == C_EMPTY)
		return 0;
	got = counter(b, case_counter[c]);
	if (got != repeat || counter(b, RPILB_CNT_PACKETS) != repeat) {
		fprintf(stderr, "bpfcost: %s/%s: %llu of %u iterations took the expected path\n",
			prog_names[pk], case_names[c], (unsigned long long)got, repeat);
		return -1;
	}
	/* An even number of two-way translations gives back the input (Ethernet aside). */
	if ((c == C_EST || c == C_REPLY || c == C_PASS) && !(repeat & 1) &&
	    (r->out.len != in->len || memcmp(r->out.buf + 14, in->buf + 14, in->len - 14))) {
		fprintf(stderr, "bpfcost: %s/%s: the packet did not come back to itself\n",
			prog_names[pk], case_names[c]);
		return -1;
	}
	return 0;
}

static int measure_repeat(struct bench *b, enum bcase c, enum prog_kind pk, struct cost *out)
{
	unsigned n = b->o->batches;
	__u32 repeat = c == C_SYN ? b->o->syn_repeat : b->o->repeat;
	double *kern = calloc(n, sizeof(double));
	__u64 retries = 0;
	int fd = c == C_EMPTY ? b->empty_fd[pk] : b->prog_fd[pk], err = -1;
	struct frame in;
	struct run r;

	if (!kern)
		goto out;
	for (unsigned i = 0; i < n; i++) {
		if (prepare_repeat(b, c, i, &in) || test_run(b, pk, fd, &in, repeat, &r) ||
		    check_batch(b, c, pk, &in, &r, repeat))
			goto out;
		kern[i] = r.duration;
		if (c == C_SYN)
			retries += counter(b, RPILB_CNT_EV_NAT_RETRY);
	}
	out->ns = quantile(kern, n, 0.5);
	out->retries = (double)retries / ((double)repeat * n);
	err = 0;
out:
	free(kern);
	return err;
}

/* Single runs of ordinary packets: a real client's SYNs, ACKs and the server's replies. */
static int measure_single(struct bench *b, enum bcase c, enum prog_kind pk, struct cost *out)
{
	unsigned n = b->o->singles;
	double *d = calloc(n, sizeof(double));
	int fd = c == C_EMPTY ? b->empty_fd[pk] : b->prog_fd[pk], err = -1;
	struct rpilb_tuple t = { addr(CL_ADDR), addr(LB_ADDR), htons(40000), htons(VPORT) };
	struct rpilb_flow_fwd f;
	struct frame in;
	struct run r;

	if (!d || reset_state(b) || setup_services(b, false))
		goto out;
	tcp_pkt(&in, addr(CL_ADDR), 40000, addr(LB_ADDR), c == C_EMPTY || c == C_PASS ? 22 : VPORT,
		TH_SYN);
	if (c == C_EST || c == C_REPLY) {
		/* Open one flow first, then time its packets. */
		if (test_run(b, pk, b->prog_fd[pk], &in, 1, &r) ||
		    (int)r.retval != verdict_tx(pk) || maps_get_fwd(&b->m, &t, &f)) {
			fprintf(stderr, "bpfcost: %s: could not open a flow\n", prog_names[pk]);
			goto out;
		}
		if (c == C_EST)
			tcp_pkt(&in, addr(CL_ADDR), 40000, addr(LB_ADDR), VPORT, TH_ACK);
		else
			tcp_pkt(&in, f.backend_addr, BPORT, addr(LB_ADDR), ntohs(f.nat_port),
				TH_ACK);
	}
	for (unsigned i = 0; i < n; i++) {
		if (c == C_SYN) {
			/* Keep the table nearly empty, as in the repeat batches. */
			if (i % 1000 == 0 && i && reset_state(b))
				goto out;
			tcp_pkt(&in, addr(CL_ADDR), (__u16)(10000 + i % 1000), addr(LB_ADDR), VPORT,
				TH_SYN);
		}
		if (test_run(b, pk, fd, &in, 1, &r))
			goto out;
		if ((int)r.retval != case_verdict(c, pk)) {
			fprintf(stderr, "bpfcost: %s/%s single: verdict %u\n", prog_names[pk],
				case_names[c], r.retval);
			goto out;
		}
		d[i] = r.duration;
	}
	out->single_ns = quantile(d, n, 0.5);
	out->single_p90_ns = quantile(d, n, 0.9);
	err = 0;
out:
	free(d);
	return err;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "bpfcost: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
		return -1;
	}
	return 0;
}

static int read_int_file(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* ------------------------------------------------------------------ */
/* source lines of the JIT image, for perf samples */

/*
 * One line per BTF line-info record of the loaded program: the kernel
 * address its JITed code starts at, file:line, and the source text. A perf
 * sample's address falls in the code of the last record at or below it;
 * tools/bench/bench.sh joins the two (perf here cannot disassemble BPF).
 */
static int dump_lines(int prog_fd, FILE *out)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), nl, njl, nf;
	struct bpf_line_info *li = NULL;
	__u32 *flen = NULL;
	struct btf *btf = NULL;
	__u64 *jl = NULL, *fsym = NULL;
	int err = -1;

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		goto out;
	nl = info.nr_line_info;
	njl = info.nr_jited_line_info;
	nf = info.nr_jited_ksyms;
	if (!nl || nl != njl || !info.btf_id || !nf || nf != info.nr_jited_func_lens) {
		fprintf(stderr, "bpfcost: the program has no line info to map samples to\n");
		goto out;
	}
	li = calloc(nl, sizeof(*li));
	jl = calloc(njl, sizeof(*jl));
	fsym = calloc(nf, sizeof(*fsym));
	flen = calloc(nf, sizeof(*flen));
	if (!li || !jl || !fsym || !flen)
		goto out;
	memset(&info, 0, sizeof(info));
	info.nr_line_info = nl;
	info.line_info_rec_size = sizeof(*li);
	info.line_info = (__u64)(unsigned long)li;
	info.nr_jited_line_info = njl;
	info.jited_line_info_rec_size = sizeof(*jl);
	info.jited_line_info = (__u64)(unsigned long)jl;
	info.nr_jited_ksyms = nf;
	info.jited_ksyms = (__u64)(unsigned long)fsym;
	info.nr_jited_func_lens = nf;
	info.jited_func_lens = (__u64)(unsigned long)flen;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		goto out;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		goto out;
	/* Fixed-width hex, so that awk can compare addresses as strings. */
	for (__u32 i = 0; i < nf; i++)
		fprintf(out, "range\t%016llx\t%016llx\n", (unsigned long long)fsym[i],
			(unsigned long long)(fsym[i] + flen[i]));
	for (__u32 i = 0; i < nl; i++) {
		const char *file = btf__name_by_offset(btf, li[i].file_name_off);
		const char *src = btf__name_by_offset(btf, li[i].line_off);
		const char *base = file ? strrchr(file, '/') : NULL;

		if (!file)
			file = "?";
		fprintf(out, "line\t%016llx\t%s:%u\t%s\n", (unsigned long long)jl[i],
			base ? base + 1 : file, BPF_LINE_INFO_LINE_NUM(li[i].line_col),
			src ? src : "");
	}
	err = 0;
out:
	if (err)
		fprintf(stderr, "bpfcost: reading the program's line info failed\n");
	btf__free(btf);
	free(li);
	free(jl);
	free(fsym);
	free(flen);
	return err;
}

static int do_lines(const char *id_s)
{
	char *end;
	unsigned long id = strtoul(id_s, &end, 10);
	int fd, err;

	if (!*id_s || *end || !id || id > 0xffffffffUL) {
		fprintf(stderr, "bpfcost: bad program id '%s'\n", id_s);
		return 2;
	}
	fd = bpf_prog_get_fd_by_id((__u32)id);
	if (fd < 0) {
		fprintf(stderr, "bpfcost: no program with id %lu: %s\n", id, strerror(-fd));
		return 1;
	}
	err = dump_lines(fd, stdout);
	close(fd);
	return err ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* the probes */

/*
 * The probes: one step of the data path each, on maps shaped like rpilb's.
 * Their cost minus the empty probe's says what that step costs.
 */
static int run_probes(struct bench *b)
{
	struct rpilb_tuple k = { htonl(0x0a01000aU), htonl(0x0a010002U), htons(40000), htons(80) };
	struct rpilb_svc_key sk = { .vip = htonl(0x0a010002U), .port = htons(80) };
	struct rpilb_svc sv = {};
	struct rpilb_flow_fwd f = {};
	struct rpilb_flow_rev r = {};
	struct rpilb_rr_table *t = calloc(1, sizeof(*t));
	struct bench_probes_bpf *p = NULL;
	struct bpf_program *prog;
	double empty = -1, *d = NULL;
	__u32 pool = 0, zero = 0;
	unsigned n = b->o->batches;
	struct frame in;
	int err = -1;

	d = calloc(n, sizeof(double));
	p = bench_probes_bpf__open();
	if (!t || !d || !p)
		goto out;
	p->rodata->fib_src = addr(LB_ADDR);
	p->rodata->fib_dst = backend_addr(1);
	if (bench_probes_bpf__load(p)) {
		fprintf(stderr, "bpfcost: loading the probes failed\n");
		goto out;
	}
	t->count = NBACKENDS;
	if (bpf_map_update_elem(bpf_map__fd(p->maps.p_flows_fwd), &k, &f, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(p->maps.p_flows_rev), &k, &r, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(p->maps.p_services), &sk, &sv, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(p->maps.p_rr_tables), &pool, t, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(p->maps.p_config), &zero,
				&(struct rpilb_cfg){ .nat_addr = 2 }, BPF_ANY)) {
		fprintf(stderr, "bpfcost: filling the probes' maps: %s\n", strerror(errno));
		goto out;
	}
	tcp_pkt(&in, addr(CL_ADDR), 40000, addr(LB_ADDR), 22, TH_SYN);
	bpf_object__for_each_program(prog, p->obj)
	{
		const char *name = bpf_program__name(prog);
		struct run run;
		double ns;

		for (unsigned i = 0; i < n; i++) {
			if (test_run(b, PK_XDP, bpf_program__fd(prog), &in, b->o->repeat, &run))
				goto out;
			if (run.retval != XDP_PASS) {
				fprintf(stderr, "bpfcost: probe %s: verdict %u, want XDP_PASS\n",
					name, run.retval);
				goto out;
			}
			d[i] = run.duration;
		}
		ns = quantile(d, n, 0.5);
		if (!strcmp(name, "probe_empty"))
			empty = ns;
		printf("probe name=%s ns=%.0f net_ns=%.0f\n", name + strlen("probe_"), ns,
		       empty >= 0 ? ns - empty : 0.0);
	}
	err = 0;
out:
	bench_probes_bpf__destroy(p);
	free(t);
	free(d);
	return err;
}

static int do_cost(const struct opts *o)
{
	struct bench b = { .o = o, .prog_fd = { -1, -1 }, .empty_fd = { -1, -1 } };
	struct cost cost[PK_MAX][C_MAX] = {};
	int err = 1;

	if (read_int_file("/proc/sys/kernel/bpf_stats_enabled") > 0)
		fprintf(stderr, "bpfcost: warning: kernel.bpf_stats_enabled is on; every run "
				"pays for its own accounting\n");
	if (pin_cpu(o->cpu) || private_netns())
		return 1;
	b.ifindex = (int)if_nametoindex(IFNAME);
	if (!b.ifindex || loader_open(&b.l, NULL, 65536))
		return 1;
	if (maps_from_skel(&b.m, b.l.skel))
		goto cleanup;
	b.prog_fd[PK_XDP] = bpf_program__fd(b.l.skel->progs.rpilb_xdp);
	b.prog_fd[PK_TC] = bpf_program__fd(b.l.skel->progs.rpilb_tc);
	b.empty_fd[PK_XDP] = load_empty(BPF_PROG_TYPE_XDP, XDP_PASS);
	b.empty_fd[PK_TC] = load_empty(BPF_PROG_TYPE_SCHED_CLS, TC_ACT_OK);
	if (b.empty_fd[PK_XDP] < 0 || b.empty_fd[PK_TC] < 0)
		goto cleanup;
	if (o->lines_file) {
		FILE *f = fopen(o->lines_file, "w");

		if (!f || dump_lines(b.prog_fd[PK_XDP], f) || dump_lines(b.prog_fd[PK_TC], f)) {
			if (f)
				fclose(f);
			goto cleanup;
		}
		if (fclose(f))
			goto cleanup;
	}

	printf("info cpu=%d repeat=%u syn_repeat=%u batches=%u singles=%u\n", o->cpu, o->repeat,
	       o->syn_repeat, o->batches, o->singles);
	for (int pk = 0; pk < PK_MAX; pk++) {
		if (o->only_prog >= 0 && pk != o->only_prog)
			continue;
		for (int c = 0; c < C_MAX; c++) {
			struct cost *k = &cost[pk][c];

			if (o->only_case >= 0 && c != o->only_case)
				continue;
			if (measure_repeat(&b, c, pk, k) || measure_single(&b, c, pk, k))
				goto cleanup;
			printf("cost prog=%s case=%s ns=%.0f single_ns=%.0f single_p90_ns=%.0f "
			       "single_net_ns=%.0f retries=%.3f\n",
			       prog_names[pk], case_names[c], k->ns, k->single_ns, k->single_p90_ns,
			       k->single_ns - cost[pk][C_EMPTY].single_ns, k->retries);
			fflush(stdout);
		}
	}
	if (!o->no_probes && run_probes(&b))
		goto cleanup;
	err = 0;
cleanup:
	for (int pk = 0; pk < PK_MAX; pk++)
		if (b.empty_fd[pk] >= 0)
			close(b.empty_fd[pk]);
	loader_close(&b.l);
	return err;
}

/* ------------------------------------------------------------------ */
/* memory */

/* "memlock:" from the fd's fdinfo: what the kernel charges for the map. */
static long long fd_memlock(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int do_mem(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		char *end;
		unsigned long cap = strtoul(argv[i], &end, 10);
		long long total = 0, fwd, rev;
		struct bpf_map *map;
		struct loader l;

		if (*end || !cap || cap > (1UL << 24)) {
			fprintf(stderr, "bpfcost: bad capacity '%s'\n", argv[i]);
			return 2;
		}
		if (loader_open(&l, NULL, (uint32_t)cap))
			return 1;
		fwd = fd_memlock(bpf_map__fd(l.skel->maps.flows_fwd));
		rev = fd_memlock(bpf_map__fd(l.skel->maps.flows_rev));
		bpf_object__for_each_map(map, l.skel->obj)
		{
			long long v = fd_memlock(bpf_map__fd(map));

			if (v > 0 && strcmp(bpf_map__name(map), ".rodata") &&
			    strcmp(bpf_map__name(map), ".bss"))
				total += v;
		}
		printf("mem capacity=%lu flows_fwd=%lld flows_rev=%lld per_flow=%.1f all_maps=%lld\n",
		       cap, fwd, rev, (double)(fwd + rev) / (double)cap, total);
		loader_close(&l);
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bpfcost cost [-r REPEAT] [-s SYN_REPEAT] [-b BATCHES] [-n SINGLES] "
		   "[-c CPU] [-k CASE] [-P xdp|tc] [-N] [-L FILE]\n"
		   "       bpfcost mem CAPACITY...\n"
		   "       bpfcost lines PROG_ID\n"
		   "  CASE: empty, syn, established, reply, pass; -N: no probes;\n"
		   "  -L: write the programs' JIT address -> source line table to FILE\n");
}

static int name_index(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int parse_uint(const char *s, unsigned max, unsigned *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);

	if (!*s || *end || x == 0 || x > max)
		return -1;
	*v = (unsigned)x;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.repeat = 1000000,
		.syn_repeat = 2000,
		.batches = 11,
		.singles = 20000,
		.cpu = -1,
		.only_case = -1,
		.only_prog = -1,
	};
	unsigned cpu;
	int ch;

	log_set_level(LOG_LVL_WARN);
	log_libbpf_init(false);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "mem"))
		return do_mem(argc - 2, argv + 2);
	if (!strcmp(argv[1], "lines") && argc == 3)
		return do_lines(argv[2]);
	if (strcmp(argv[1], "cost")) {
		usage(stderr);
		return 2;
	}
	optind = 2;
	while ((ch = getopt(argc, argv, "r:s:b:n:c:k:P:NL:h")) != -1) {
		switch (ch) {
		case 'L':
			o.lines_file = optarg;
			break;
		case 'k':
			o.only_case = name_index(optarg, case_names, C_MAX);
			if (o.only_case < 0)
				goto bad;
			break;
		case 'P':
			o.only_prog = name_index(optarg, prog_names, PK_MAX);
			if (o.only_prog < 0)
				goto bad;
			break;
		case 'N':
			o.no_probes = true;
			break;
		case 'r':
			if (parse_uint(optarg, 100000000, &o.repeat))
				goto bad;
			o.repeat += o.repeat & 1; /* even: two-way cases come back */
			break;
		case 's':
			/* A batch must fit the NAT ports (3 servers x 10000) with room to spare. */
			if (parse_uint(optarg, 10000, &o.syn_repeat))
				goto bad;
			break;
		case 'b':
			if (parse_uint(optarg, 1000, &o.batches))
				goto bad;
			break;
		case 'n':
			if (parse_uint(optarg, 10000000, &o.singles))
				goto bad;
			break;
		case 'c':
			if (!strcmp(optarg, "0"))
				cpu = 0;
			else if (parse_uint(optarg, 4096, &cpu))
				goto bad;
			o.cpu = (int)cpu;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;
	return do_cost(&o);
bad:
	usage(stderr);
	return 2;
}
