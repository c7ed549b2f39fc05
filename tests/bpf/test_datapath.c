// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data path in the kernel, under BPF_PROG_TEST_RUN: every case runs the
 * XDP and the tc program over the same input and checks the verdict, the
 * output bytes (against a packet built from scratch, so the incremental
 * checksums are checked by recomputation), the maps and the counters.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "../../bpf/tunables.h"
#include "dp.h"
#include "pkt.h"
#include "kernel/sweep.h"
#include "model/slots.h"
#include "testutil.h"

static struct dp g_dp;

#define TICKS(sec) ((uint32_t)(((uint64_t)(sec)*1000000000ULL) >> RPILB_TICK_SHIFT))
#define NAT_LO	   50000
#define NAT_HI	   59999
#define VPORT	   80
#define BPORT	   8000

static uint32_t backend_ip(int n)
{
	char s[32];

	snprintf(s, sizeof(s), "%s%d", DP_BACKEND, n);
	return ip4(s);
}

struct env {
	int nbackends;
	unsigned weights[4];
	int first_backend; /* backend n is 10.0.0.1n; .14 has no neighbour */
	uint16_t nat_lo, nat_hi;
	uint32_t tw_guard_ticks, close_grace_ticks;
	uint32_t halfopen_max;
};

static void env_apply(const struct env *e)
{
	struct rpilb_cfg cfg = {
		.abi_version = RPILB_ABI_VERSION,
		.nat_addr = ip4(DP_LB),
		.nat_port_lo = e->nat_lo ? e->nat_lo : NAT_LO,
		.nat_port_hi = e->nat_hi ? e->nat_hi : NAT_HI,
		.tw_guard_ticks = e->tw_guard_ticks ? e->tw_guard_ticks : TICKS(60),
		.close_grace_ticks = e->close_grace_ticks ? e->close_grace_ticks : TICKS(2),
		.halfopen_max = e->halfopen_max,
	};
	struct rpilb_svc_key sk = { .vip = ip4(DP_LB), .port = htons(VPORT) };
	struct rpilb_svc svc = { .id = 0, .pool = 0 };
	struct slot_server servers[4];
	uint16_t slots[RPILB_MAX_SLOTS];
	int n;

	dp_reset(&g_dp);
	g_dp.m.halfopen_count->count = 0;
	assert_int_equal(maps_set_config(&g_dp.m, &cfg), 0);
	assert_int_equal(maps_set_service(&g_dp.m, &sk, &svc), 0);
	for (int i = 0; i < e->nbackends; i++) {
		struct rpilb_backend be = {
			.addr = backend_ip((e->first_backend ? e->first_backend : 1) + i),
			.port = htons(BPORT),
			.pool = 0,
			.flags = RPILB_BACKEND_F_IN_USE,
		};

		snprintf(be.name, sizeof(be.name), "raspberrypi0%d", i + 1);
		assert_int_equal(maps_set_backend(&g_dp.m, i, &be), 0);
		servers[i].id = i;
		servers[i].weight = e->weights[i] ? e->weights[i] : 1;
	}
	n = slots_build(servers, e->nbackends, slots, RPILB_MAX_SLOTS);
	assert_true(n >= 0);
	assert_int_equal(maps_set_rr_table(&g_dp.m, 0, slots, n), 0);
}

static void env_std(int nbackends)
{
	struct env e = { .nbackends = nbackends };

	env_apply(&e);
}

static struct pkt_spec client_pkt(uint16_t cport, uint8_t flags)
{
	struct pkt_spec s = {
		.saddr = ip4(DP_CLIENT),
		.daddr = ip4(DP_LB),
		.sport = cport,
		.dport = VPORT,
		.flags = flags,
		.seq = 1000u + cport,
		.ts = true,
		.tsval = 5000,
		.ip_id = 77,
	};

	memcpy(s.src_mac, dp_client_mac, 6);
	memcpy(s.dst_mac, dp_lb_mac, 6);
	return s;
}

static struct rpilb_tuple client_tuple(uint16_t cport)
{
	struct rpilb_tuple t = {
		.saddr = ip4(DP_CLIENT),
		.daddr = ip4(DP_LB),
		.sport = htons(cport),
		.dport = htons(VPORT),
	};

	return t;
}

/* The client packet s as it must leave towards backend n with NAT port. */
static struct pkt_spec to_backend(struct pkt_spec s, int n, uint16_t nat_port)
{
	memcpy(s.src_mac, dp_lb_mac, 6);
	dp_backend_mac(n, s.dst_mac);
	s.saddr = ip4(DP_LB);
	s.daddr = backend_ip(n);
	s.sport = nat_port;
	s.dport = BPORT;
	return s;
}

/* The server's packet s as it must leave towards the client on cport. */
static struct pkt_spec to_client(struct pkt_spec s, uint16_t cport)
{
	memcpy(s.src_mac, dp_lb_mac, 6);
	memcpy(s.dst_mac, dp_client_mac, 6);
	s.saddr = ip4(DP_LB);
	s.daddr = ip4(DP_CLIENT);
	s.sport = VPORT;
	s.dport = cport;
	return s;
}

/* A packet from backend n to the balancer's NAT port. */
static struct pkt_spec backend_pkt(int n, uint16_t nat_port, uint8_t flags)
{
	struct pkt_spec s = {
		.saddr = backend_ip(n),
		.daddr = ip4(DP_LB),
		.sport = BPORT,
		.dport = nat_port,
		.flags = flags,
		.seq = 900000,
		.ack = 1,
		.ts = true,
		.tsval = 123456,
		.ip_id = 5,
	};

	dp_backend_mac(n, s.src_mac);
	memcpy(s.dst_mac, dp_lb_mac, 6);
	return s;
}

static void assert_frame(const uint8_t *want, size_t want_len, const uint8_t *got, size_t got_len)
{
	if (want_len != got_len || memcmp(want, got, want_len)) {
		pkt_diff(want, want_len, got, got_len);
		fail_msg("output frame differs from the expected one");
	}
}

/* Run s; assert the verdict; return the output in out. */
static size_t run_spec(enum dp_prog prog, const struct pkt_spec *s, enum dp_verdict want,
		       uint8_t *out)
{
	uint8_t in[PKT_MAX];
	size_t in_len = pkt_tcp(in, s), out_len = 0;
	enum dp_verdict v = dp_run(&g_dp, prog, in, in_len, out, &out_len);

	if (v != want)
		fail_msg("%s: verdict %s, want %s", dp_prog_name(prog), dp_verdict_name(v),
			 dp_verdict_name(want));
	return out_len;
}

static struct rpilb_flow_fwd get_fwd(uint16_t cport)
{
	struct rpilb_tuple t = client_tuple(cport);
	struct rpilb_flow_fwd f;

	assert_int_equal(maps_get_fwd(&g_dp.m, &t, &f), 0);
	return f;
}

static int backend_of(const struct rpilb_flow_fwd *f)
{
	for (int n = 1; n <= 4; n++)
		if (f->backend_addr == backend_ip(n))
			return n;
	return -1;
}

/* A SYN from cport, forwarded; returns the backend number and NAT port. */
static int open_flow(enum dp_prog prog, uint16_t cport, uint16_t *nat_port)
{
	struct pkt_spec syn = client_pkt(cport, TH_SYN), want;
	uint8_t out[PKT_MAX], exp[PKT_MAX];
	struct rpilb_flow_fwd f;
	size_t n = run_spec(prog, &syn, DP_TX, out);
	int b;

	f = get_fwd(cport);
	b = backend_of(&f);
	assert_true(b > 0);
	*nat_port = ntohs(f.nat_port);
	want = to_backend(syn, b, *nat_port);
	assert_frame(exp, pkt_tcp(exp, &want), out, n);
	assert_true(pkt_csums_ok(out, n));
	return b;
}

static uint64_t counter(int id)
{
	uint64_t c[RPILB_CNT_MAX];

	assert_int_equal(maps_read_counters(&g_dp.m, c), 0);
	return c[id];
}

/* Every packet gets exactly one verdict reason. */
static void assert_verdicts_add_up(void)
{
	uint64_t c[RPILB_CNT_MAX], sum = 0;

	assert_int_equal(maps_read_counters(&g_dp.m, c), 0);
	for (int i = RPILB_CNT_FIRST_VERDICT; i < RPILB_CNT_FIRST_EVENT; i++)
		sum += c[i];
	assert_int_equal(sum, c[RPILB_CNT_PACKETS]);
}

static struct rpilb_backend_stats bstats(int id)
{
	struct rpilb_backend_stats s;

	assert_int_equal(maps_read_backend_stats(&g_dp.m, id, &s), 0);
	return s;
}

static int count_fwd_cb(const struct rpilb_tuple *k, const struct rpilb_flow_fwd *v, void *arg)
{
	(void)k;
	(void)v;
	(*(int *)arg)++;
	return 0;
}

static int count_rev_cb(const struct rpilb_tuple *k, const struct rpilb_flow_rev *v, void *arg)
{
	(void)k;
	(void)v;
	(*(int *)arg)++;
	return 0;
}

static int count_fwd(void)
{
	int n = 0;

	assert_int_equal(maps_for_each_fwd(&g_dp.m, count_fwd_cb, &n), 0);
	return n;
}

static int count_rev(void)
{
	int n = 0;

	assert_int_equal(maps_for_each_rev(&g_dp.m, count_rev_cb, &n), 0);
	return n;
}

/* ---- round robin -------------------------------------------------------- */

static void rr_order(enum dp_prog prog)
{
	int seen[4] = { 0 };
	uint16_t port;

	env_std(3);
	for (int i = 0; i < 300; i++) {
		int b = open_flow(prog, 10000 + i, &port);

		/* Strict rotation in configuration order: 1 2 3 1 2 3 ... */
		assert_int_equal(b, 1 + i % 3);
		assert_in_range(port, NAT_LO, NAT_HI);
		seen[b]++;
	}
	assert_int_equal(seen[1], 100);
	assert_int_equal(seen[2], 100);
	assert_int_equal(seen[3], 100);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(bstats(i).new_flows, 100);
		assert_int_equal(bstats(i).packets_in, 100);
	}
	assert_int_equal(counter(RPILB_CNT_TX_NEW_FLOW), 300);
	assert_int_equal(counter(RPILB_CNT_PACKETS), 300);
	assert_int_equal(count_fwd(), 300);
	assert_int_equal(count_rev(), 300);
	{
		struct rpilb_svc_stats ss;

		assert_int_equal(maps_read_svc_stats(&g_dp.m, 0, &ss), 0);
		assert_int_equal(ss.new_flows, 300);
	}
	assert_verdicts_add_up();
}

static void rr_weights(enum dp_prog prog)
{
	/* Weights 2:1:1, smooth: 1 2 3 1 | 1 2 3 1 | ... never three in a row. */
	static const int order[4] = { 1, 2, 3, 1 };
	struct env e = { .nbackends = 3, .weights = { 2, 1, 1 } };
	int seen[4] = { 0 }, run = 0, last = 0;
	uint16_t port;

	env_apply(&e);
	for (int i = 0; i < 400; i++) {
		int b = open_flow(prog, 20000 + i, &port);

		assert_int_equal(b, order[i % 4]);
		seen[b]++;
		run = b == last ? run + 1 : 1;
		last = b;
		assert_true(run <= 2);
	}
	assert_int_equal(seen[1], 200);
	assert_int_equal(seen[2], 100);
	assert_int_equal(seen[3], 100);
}

static void rr_no_backend(enum dp_prog prog)
{
	struct pkt_spec syn = client_pkt(30000, TH_SYN);
	uint8_t in[PKT_MAX], out[PKT_MAX];
	struct rpilb_svc_stats ss;
	size_t n;

	env_std(0);
	n = run_spec(prog, &syn, DP_DROP, out);
	assert_frame(in, pkt_tcp(in, &syn), out, n);
	assert_int_equal(counter(RPILB_CNT_DROP_NO_BACKEND), 1);
	assert_int_equal(maps_read_svc_stats(&g_dp.m, 0, &ss), 0);
	assert_int_equal(ss.no_backend, 1);
	assert_int_equal(count_fwd(), 0);
	assert_int_equal(count_rev(), 0);

	/* No table at all (pool never configured) is the same answer. */
	assert_int_equal(maps_del_rr_table(&g_dp.m, 0), 0);
	run_spec(prog, &syn, DP_DROP, out);
	assert_int_equal(counter(RPILB_CNT_DROP_NO_BACKEND), 2);
}

/* ---- flows --------------------------------------------------------------- */

static void flow_sticky(enum dp_prog prog)
{
	uint8_t out[PKT_MAX], exp[PKT_MAX];
	struct pkt_spec s, want;
	struct rpilb_flow_fwd f;
	uint16_t port;
	size_t n;
	int b;

	env_std(3);
	b = open_flow(prog, 40000, &port);
	assert_int_equal(get_fwd(40000).flags & RPILB_FLOW_ESTABLISHED, 0);

	s = client_pkt(40000, TH_ACK);
	n = run_spec(prog, &s, DP_TX, out);
	want = to_backend(s, b, port);
	assert_frame(exp, pkt_tcp(exp, &want), out, n);

	s = client_pkt(40000, TH_ACK | TH_PSH);
	s.payload_len = 100;
	n = run_spec(prog, &s, DP_TX, out);
	want = to_backend(s, b, port);
	assert_frame(exp, pkt_tcp(exp, &want), out, n);
	assert_true(pkt_csums_ok(out, n));

	f = get_fwd(40000);
	assert_int_equal(f.packets, 3);
	/* SYN and ACK: 20 IP + 32 TCP each; the data packet adds 100. */
	assert_int_equal(f.bytes, 52 + 52 + 152);
	assert_true(f.flags & RPILB_FLOW_ESTABLISHED);
	assert_int_equal(ntohs(f.nat_port), port);
	assert_int_equal(counter(RPILB_CNT_TX_TO_BACKEND), 2);
	assert_int_equal(bstats(b - 1).packets_in, 3);
	assert_int_equal(bstats(b - 1).bytes_in, 52 + 52 + 152);
	assert_int_equal(bstats(b - 1).new_flows, 1);
	assert_verdicts_add_up();
}

static void flow_reply(enum dp_prog prog)
{
	uint8_t out[PKT_MAX], exp[PKT_MAX];
	struct pkt_spec s, want;
	struct rpilb_tuple rk;
	struct rpilb_flow_rev r;
	uint16_t port;
	size_t n;
	int b;

	env_std(3);
	b = open_flow(prog, 40001, &port);

	s = backend_pkt(b, port, TH_SYN | TH_ACK);
	s.payload_len = 10;
	n = run_spec(prog, &s, DP_TX, out);
	/* Back to the client as VIP:80, towards the MAC its SYN came from. */
	want = s;
	memcpy(want.src_mac, dp_lb_mac, 6);
	memcpy(want.dst_mac, dp_client_mac, 6);
	want.saddr = ip4(DP_LB);
	want.daddr = ip4(DP_CLIENT);
	want.sport = VPORT;
	want.dport = 40001;
	assert_frame(exp, pkt_tcp(exp, &want), out, n);
	assert_true(pkt_csums_ok(out, n));

	rk = (struct rpilb_tuple){ backend_ip(b), ip4(DP_LB), htons(BPORT), htons(port) };
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_int_equal(r.packets, 1);
	assert_int_equal(r.bytes, 20 + 32 + 10);
	assert_int_equal(r.backend_id, b - 1);
	assert_int_equal(bstats(b - 1).packets_out, 1);
	assert_int_equal(bstats(b - 1).bytes_out, 62);
	assert_int_equal(counter(RPILB_CNT_TX_TO_CLIENT), 1);
	assert_verdicts_add_up();
}

static void flow_syn_retransmit(enum dp_prog prog)
{
	uint16_t port, port2;
	int b, b2;

	env_std(3);
	b = open_flow(prog, 40002, &port);
	b2 = open_flow(prog, 40002, &port2);
	assert_int_equal(b, b2);
	assert_int_equal(port, port2);
	assert_int_equal(counter(RPILB_CNT_EV_SYN_RETRANS), 1);
	assert_int_equal(bstats(b - 1).new_flows, 1);
	assert_int_equal(count_fwd(), 1);
	assert_int_equal(count_rev(), 1);
}

static void flow_close_fin(enum dp_prog prog)
{
	struct pkt_spec s;
	struct rpilb_tuple rk;
	struct rpilb_flow_rev r;
	uint8_t out[PKT_MAX];
	uint16_t port;
	int b;

	env_std(3);
	b = open_flow(prog, 40003, &port);
	rk = (struct rpilb_tuple){ backend_ip(b), ip4(DP_LB), htons(BPORT), htons(port) };

	/* The server closes first: it will hold TIME_WAIT. */
	s = backend_pkt(b, port, TH_FIN | TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_int_equal(r.flags & (RPILB_FLOW_BACKEND_FIN | RPILB_FLOW_BACKEND_TW),
			 RPILB_FLOW_BACKEND_FIN | RPILB_FLOW_BACKEND_TW);
	assert_int_equal(r.flags & RPILB_FLOW_CLOSED, 0);
	assert_true(get_fwd(40003).flags & RPILB_FLOW_BACKEND_FIN);

	s = client_pkt(40003, TH_FIN | TH_ACK);
	s.seq = 777777;
	s.tsval = 6001;
	s.payload_len = 5;
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_true(r.flags & RPILB_FLOW_CLOSED);
	assert_true(r.flags & RPILB_FLOW_TW_TS);
	assert_int_equal(r.tw_tsval, 6001);
	/* The server's rcv_nxt after the FIN: seq + payload + 1. */
	assert_int_equal(r.tw_rcv_nxt, 777777 + 5 + 1);
	assert_true(get_fwd(40003).flags & RPILB_FLOW_CLOSED);
}

/*
 * The client's FIN first (seq 1000 + cport, as client_pkt() sends), then
 * the server's, which acks up to client FIN + fin_ack_delta; the reverse
 * entry afterwards.
 */
static struct rpilb_flow_rev client_fin_then_backend_fin(enum dp_prog prog, uint16_t cport,
							 int fin_ack_delta)
{
	struct pkt_spec s;
	struct rpilb_tuple rk;
	struct rpilb_flow_rev r;
	uint8_t out[PKT_MAX];
	uint16_t port;
	int b;

	env_std(3);
	b = open_flow(prog, cport, &port);
	rk = (struct rpilb_tuple){ backend_ip(b), ip4(DP_LB), htons(BPORT), htons(port) };
	s = client_pkt(cport, TH_FIN | TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	s = backend_pkt(b, port, TH_FIN | TH_ACK);
	s.ack = 1000u + cport + fin_ack_delta;
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_true(r.flags & RPILB_FLOW_CLOSED);
	assert_true(get_fwd(cport).flags & RPILB_FLOW_CLOSED);
	return r;
}

static void flow_close_client_first(enum dp_prog prog)
{
	/* The server's FIN acks the client's: it had seen it first. */
	struct rpilb_flow_rev r = client_fin_then_backend_fin(prog, 40004, 1);

	/* The client holds TIME_WAIT, not the server. */
	assert_int_equal(r.flags & RPILB_FLOW_BACKEND_TW, 0);
}

static void flow_close_simultaneous(enum dp_prog prog)
{
	/*
	 * The server's FIN left before the client's arrived (its ack stops one
	 * short of the client's FIN): both ends close at once, both hold
	 * TIME_WAIT, and the pair must rest like a server-first close.
	 */
	struct rpilb_flow_rev r = client_fin_then_backend_fin(prog, 40014, 0);

	assert_true(r.flags & RPILB_FLOW_BACKEND_TW);
	assert_int_equal(r.tw_rcv_nxt, 1000u + 40014 + 1);
}

static void flow_close_rst(enum dp_prog prog)
{
	struct pkt_spec s;
	struct rpilb_tuple rk;
	struct rpilb_flow_rev r;
	uint8_t out[PKT_MAX];
	uint16_t port;
	int b;

	env_std(3);
	b = open_flow(prog, 40005, &port);
	rk = (struct rpilb_tuple){ backend_ip(b), ip4(DP_LB), htons(BPORT), htons(port) };
	s = backend_pkt(b, port, TH_FIN | TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	s = backend_pkt(b, port, TH_RST);
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_true(r.flags & RPILB_FLOW_RST);
	assert_true(r.flags & RPILB_FLOW_CLOSED);
	/* A reset ends the server's TIME_WAIT. */
	assert_int_equal(r.flags & RPILB_FLOW_BACKEND_TW, 0);
	assert_true(get_fwd(40005).flags & (RPILB_FLOW_RST | RPILB_FLOW_CLOSED));
}

static void flow_stray_rst_keeps_time_wait(enum dp_prog prog)
{
	struct pkt_spec s;
	struct rpilb_tuple rk;
	struct rpilb_flow_rev r;
	uint8_t out[PKT_MAX];
	uint16_t port;
	int b;

	env_std(3);
	b = open_flow(prog, 40006, &port);
	rk = (struct rpilb_tuple){ backend_ip(b), ip4(DP_LB), htons(BPORT), htons(port) };
	s = backend_pkt(b, port, TH_FIN | TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	s = client_pkt(40006, TH_FIN | TH_ACK);
	s.seq = 500000;
	run_spec(prog, &s, DP_TX, out);
	/* A reset the server's TIME_WAIT ignores (not at its rcv_nxt 500001). */
	s = client_pkt(40006, TH_RST);
	s.seq = 123456;
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_int_equal(r.flags & (RPILB_FLOW_BACKEND_TW | RPILB_FLOW_RST), RPILB_FLOW_BACKEND_TW);
	/* At exactly rcv_nxt it ends the TIME_WAIT (tcp_rfc1337 = 0). */
	s.seq = 500001;
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_int_equal(r.flags & (RPILB_FLOW_BACKEND_TW | RPILB_FLOW_RST), RPILB_FLOW_RST);
}

static void flow_syn_reuses_closed_tuple(enum dp_prog prog)
{
	struct pkt_spec s;
	uint8_t out[PKT_MAX];
	uint16_t port, port2;
	int b, b2;

	env_std(3);
	b = open_flow(prog, 40006, &port);
	s = client_pkt(40006, TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	s = client_pkt(40006, TH_RST);
	run_spec(prog, &s, DP_TX, out);
	assert_true(get_fwd(40006).flags & RPILB_FLOW_CLOSED);

	/* Same client port after an established connection: a new one, so the next server. */
	b2 = open_flow(prog, 40006, &port2);
	assert_int_equal(b2, b % 3 + 1);
	assert_int_equal(counter(RPILB_CNT_EV_FLOW_REUSED), 1);
	assert_int_equal(get_fwd(40006).flags & (RPILB_FLOW_CLOSED | RPILB_FLOW_CLAIMED), 0);
	assert_int_equal(bstats(b2 - 1).new_flows, 1);
}

/*
 * Let the coarse clock the program reads move on by more than n ticks. It
 * advances a jiffy at a time, and a busy machine can hold a jiffy back: a
 * fixed sleep is not enough.
 */
static void wait_ticks(uint32_t n)
{
	uint32_t start = maps_now_ticks();

	while (maps_now_ticks() - start <= n)
		usleep(1000);
}

/*
 * A client resets its own attempt before the handshake (a server still
 * holding an old half-open connection on the NAT pair sent a stale
 * SYN-ACK): its retried SYN keeps the server, and the rotation stands.
 */
static void rr_retry_after_client_reset(enum dp_prog prog)
{
	struct pkt_spec s;
	uint8_t out[PKT_MAX];
	uint16_t port, port2;
	int b, b2;

	env_std(3);
	b = open_flow(prog, 40020, &port);
	s = client_pkt(40020, TH_RST);
	run_spec(prog, &s, DP_TX, out);
	b2 = open_flow(prog, 40020, &port2);
	assert_int_equal(b2, b);
	assert_int_equal(counter(RPILB_CNT_EV_RETRY_KEPT), 1);
	assert_int_equal(counter(RPILB_CNT_EV_FLOW_REUSED), 1);
	/* The retry took no turn: the next client gets the next server. */
	assert_int_equal(open_flow(prog, 40021, &port), b % 3 + 1);
	assert_int_equal(open_flow(prog, 40022, &port), (b + 1) % 3 + 1);
	assert_int_equal(counter(RPILB_CNT_EV_RETRY_KEPT), 1);
	assert_verdicts_add_up();
}

/* A server resets the attempt (refused): the retry is not kept there. */
static void rr_no_retry_after_server_reset(enum dp_prog prog)
{
	struct pkt_spec s;
	uint8_t out[PKT_MAX];
	uint16_t port;
	int b;

	env_std(3);
	b = open_flow(prog, 40030, &port);
	s = backend_pkt(b, port, TH_RST | TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(open_flow(prog, 40030, &port), b % 3 + 1);
	assert_int_equal(counter(RPILB_CNT_EV_RETRY_KEPT), 0);
}

/* Server n resets its flow on the one NAT port: the pair is free once it has rested. */
static void free_pair(enum dp_prog prog, int n, uint16_t port)
{
	struct pkt_spec s = backend_pkt(n, port, TH_RST | TH_ACK);
	uint8_t out[PKT_MAX];

	run_spec(prog, &s, DP_TX, out);
}

/*
 * A SYN dropped after its turn was taken (here: no free NAT port towards
 * its server) does not move the rotation on: its retransmission gets that
 * server, once, and the clients after it get the servers after it.
 */
static void rr_retry_after_drop(enum dp_prog prog)
{
	struct env e = { .nbackends = 3, .nat_lo = 50000, .nat_hi = 50000, .close_grace_ticks = 1 };
	struct pkt_spec syn = client_pkt(41103, TH_SYN);
	uint8_t out[PKT_MAX];
	uint16_t port;

	env_apply(&e);
	for (int i = 0; i < 3; i++)
		assert_int_equal(open_flow(prog, 41100 + i, &port), i + 1);
	/* Server 1's only pair is taken: the SYN that was given server 1 is dropped. */
	run_spec(prog, &syn, DP_DROP, out);
	assert_int_equal(counter(RPILB_CNT_DROP_NAT_EXHAUSTED), 1);
	for (int n = 1; n <= 3; n++)
		free_pair(prog, n, 50000);
	wait_ticks(2);
	/* Its retransmission goes where the rotation said; the rotation goes on after it. */
	assert_int_equal(open_flow(prog, 41103, &port), 1);
	assert_int_equal(counter(RPILB_CNT_EV_RETRY_KEPT), 1);
	assert_int_equal(open_flow(prog, 41104, &port), 2);
	assert_int_equal(open_flow(prog, 41105, &port), 3);

	/* Kept once only: a retry that fails again lets the next try take a fresh turn. */
	syn = client_pkt(41106, TH_SYN);
	run_spec(prog, &syn, DP_DROP, out); /* given server 1, whose pair 41103 holds */
	run_spec(prog, &syn, DP_DROP, out); /* kept on server 1: still busy */
	assert_int_equal(counter(RPILB_CNT_EV_RETRY_KEPT), 2);
	run_spec(prog, &syn, DP_DROP, out); /* a fresh turn: server 2, busy too */
	assert_int_equal(counter(RPILB_CNT_EV_RETRY_KEPT), 2);
	assert_int_equal(counter(RPILB_CNT_DROP_NAT_EXHAUSTED), 4);
	assert_int_equal(bstats(0).nat_fail, 3);
	assert_int_equal(bstats(1).nat_fail, 1);
	assert_verdicts_add_up();
}

/* ---- servers without a port, or with a port offset ---------------------- */

/* A SYN from cport to VIP:vport; the server's port it was sent to. */
static uint16_t syn_to_port(enum dp_prog prog, uint16_t cport, uint16_t vport)
{
	struct pkt_spec syn = client_pkt(cport, TH_SYN), want;
	uint8_t out[PKT_MAX], exp[PKT_MAX];
	struct rpilb_flow_fwd f;
	size_t n;

	syn.dport = vport;
	n = run_spec(prog, &syn, DP_TX, out);
	{
		struct rpilb_tuple t = client_tuple(cport);

		t.dport = htons(vport);
		assert_int_equal(maps_get_fwd(&g_dp.m, &t, &f), 0);
	}
	want = to_backend(syn, 1, ntohs(f.nat_port));
	want.dport = ntohs(f.backend_port);
	assert_frame(exp, pkt_tcp(exp, &want), out, n);
	return ntohs(f.backend_port);
}

static void port_from_client(enum dp_prog prog)
{
	struct rpilb_svc_key sk = { .vip = ip4(DP_LB), .port = htons(8080) };
	struct rpilb_svc svc = { .id = 1, .pool = 0 };
	struct rpilb_backend be;

	env_std(1);
	assert_int_equal(maps_set_service(&g_dp.m, &sk, &svc), 0);
	assert_int_equal(maps_get_backend(&g_dp.m, 0, &be), 0);
	/* "server pi1 10.0.0.11": the port the client connected to. */
	be.flags |= RPILB_BACKEND_F_PORT_MAP;
	be.port = 0;
	be.port_offset = 0;
	assert_int_equal(maps_set_backend(&g_dp.m, 0, &be), 0);
	assert_int_equal(syn_to_port(prog, 45000, VPORT), VPORT);
	assert_int_equal(syn_to_port(prog, 45001, 8080), 8080);
	/* ":+1000" and ":-1000" (an offset wraps as a 16-bit port does). */
	be.port_offset = 1000;
	assert_int_equal(maps_set_backend(&g_dp.m, 0, &be), 0);
	assert_int_equal(syn_to_port(prog, 45002, 8080), 9080);
	be.port_offset = (uint16_t)-1000;
	assert_int_equal(maps_set_backend(&g_dp.m, 0, &be), 0);
	assert_int_equal(syn_to_port(prog, 45003, 8080), 7080);
	assert_int_equal(counter(RPILB_CNT_TX_NEW_FLOW), 4);
}

/* ---- NAT ports ------------------------------------------------------------ */

static void nat_ports_distinct(enum dp_prog prog)
{
	struct env e = { .nbackends = 1, .nat_lo = 50000, .nat_hi = 50009 };
	struct pkt_spec syn = client_pkt(41010, TH_SYN);
	uint8_t out[PKT_MAX];
	bool used[10] = { false };
	uint64_t retries;
	uint16_t port;

	env_apply(&e);
	for (int i = 0; i < 10; i++) {
		open_flow(prog, 41000 + i, &port);
		assert_in_range(port, 50000, 50009);
		assert_false(used[port - 50000]);
		used[port - 50000] = true;
	}
	/* The range is full: each of the 11th SYN's probes finds a busy port. */
	retries = counter(RPILB_CNT_EV_NAT_RETRY);
	run_spec(prog, &syn, DP_DROP, out);
	assert_int_equal(counter(RPILB_CNT_DROP_NAT_EXHAUSTED), 1);
	assert_int_equal(counter(RPILB_CNT_EV_NAT_RETRY) - retries, 10);
	assert_int_equal(bstats(0).nat_fail, 1);
	assert_int_equal(count_fwd(), 10);
	assert_int_equal(count_rev(), 10);
}

/* One NAT port; close a flow the way that leaves the server in TIME_WAIT. */

/*
 * One pair (port 50000 towards the one server), closed by the server first:
 * it holds TIME_WAIT, remembering the client's FIN (seq 100000, tsval
 * 7000). Returns once the pair has rested, so that only the server's
 * TIME_WAIT decides what a new SYN may do.
 */
static uint16_t tw_setup(enum dp_prog prog, struct env *e)
{
	struct pkt_spec s;
	uint8_t out[PKT_MAX];
	uint16_t port;

	e->nbackends = 1;
	e->nat_lo = e->nat_hi = 50000;
	env_apply(e);
	open_flow(prog, 42000, &port);
	assert_int_equal(port, 50000);
	s = backend_pkt(1, port, TH_FIN | TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	s = client_pkt(42000, TH_FIN | TH_ACK);
	s.seq = 100000;
	s.tsval = 7000;
	run_spec(prog, &s, DP_TX, out);
	wait_ticks(RPILB_NAT_REST_TICKS);
	return port;
}

/*
 * The sweep judges entries from one read and deletes them later; by then
 * the data path may have handed the key to a new flow. It must survive.
 */
static void sweep_spares_a_newer_flow(enum dp_prog prog)
{
	struct rpilb_tuple fk = client_tuple(42020), rk;
	struct rpilb_flow_fwd f;
	struct rpilb_flow_rev r, seen;
	uint16_t port;
	int b;

	env_std(3);
	b = open_flow(prog, 42020, &port);
	f = get_fwd(42020);
	rk = (struct rpilb_tuple){ backend_ip(b), ip4(DP_LB), htons(BPORT), htons(port) };
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);

	/* Judged when another flow, born earlier, had the key: kept. */
	assert_int_equal(maps_del_fwd_if(&g_dp.m, &fk, f.created - 1), 0);
	assert_int_equal(count_fwd(), 1);
	seen = r;
	seen.closed = r.closed + 1;
	assert_int_equal(maps_del_rev_if(&g_dp.m, &rk, &seen), 0);
	seen = r;
	seen.client.sport = htons(42021);
	assert_int_equal(maps_del_rev_if(&g_dp.m, &rk, &seen), 0);
	assert_int_equal(count_rev(), 1);

	/* Still the entries it judged: deleted. */
	assert_int_equal(maps_del_fwd_if(&g_dp.m, &fk, f.created), 1);
	assert_int_equal(maps_del_rev_if(&g_dp.m, &rk, &r), 1);
	assert_int_equal(count_fwd(), 0);
	assert_int_equal(count_rev(), 0);
	/* Gone already: nothing to do, no error. */
	assert_int_equal(maps_del_fwd_if(&g_dp.m, &fk, f.created), 0);
	assert_int_equal(maps_del_rev_if(&g_dp.m, &rk, &r), 0);
}

/* Timeouts for every service: established flows never expire, half-closed ones at once. */
static void sweep_cut_halfclosed(uint32_t vip, uint16_t port, struct sweep_timeouts *t, void *arg)
{
	(void)vip;
	(void)port;
	t->idle_ms = 600000;
	t->connect_ms = 600000;
	t->halfclosed_ms = *(uint32_t *)arg;
}

/* 'timeout client-fin'/'server-fin': a flow one side has shut gets its own limit. */
static void sweep_expires_halfclosed(enum dp_prog prog)
{
	struct sweep_state st = { 0 };
	struct sweep_result res;
	uint8_t out[PKT_MAX];
	struct pkt_spec s;
	uint32_t fin_ms = 600000;
	uint16_t port;
	int b = 0;

	env_std(3);
	for (uint16_t cport = 42030; cport <= 42032; cport++) {
		b = open_flow(prog, cport, &port);
		s = client_pkt(cport, TH_ACK);
		run_spec(prog, &s, DP_TX, out);
	}
	s = client_pkt(42031, TH_FIN | TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	s = backend_pkt(b, port, TH_FIN | TH_ACK); /* 42032's, the last opened */
	run_spec(prog, &s, DP_TX, out);
	wait_ticks(1);

	/* A long FIN timeout keeps all three. */
	assert_int_equal(sweep_run(&g_dp.m, &st, sweep_cut_halfclosed, &fin_ms, &res), 0);
	assert_int_equal(count_fwd(), 3);
	assert_int_equal(st.totals.expired_idle, 0);

	/* A zero one cuts the two half-closed flows, whichever side shut, not the open one. */
	fin_ms = 0;
	assert_int_equal(sweep_run(&g_dp.m, &st, sweep_cut_halfclosed, &fin_ms, &res), 0);
	assert_int_equal(st.totals.expired_idle, 2);
	assert_int_equal(count_fwd(), 1);
	assert_true(get_fwd(42030).flags & RPILB_FLOW_ESTABLISHED);
	sweep_state_free(&st);
}

static void nat_tw_just_closed_rests(enum dp_prog prog)
{
	struct env e = { .nbackends = 1, .nat_lo = 50000, .nat_hi = 50000 };
	struct pkt_spec s;
	uint8_t out[PKT_MAX];
	uint16_t port;

	env_apply(&e);
	open_flow(prog, 42010, &port);
	s = backend_pkt(1, port, TH_FIN | TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	s = client_pkt(42010, TH_FIN | TH_ACK);
	s.tsval = 7000;
	run_spec(prog, &s, DP_TX, out);
	/*
	 * The server would take this SYN (newer timestamp), but its ACK of the
	 * FIN may still be on the way to the old client: the pair rests first.
	 */
	s = client_pkt(42011, TH_SYN);
	s.tsval = 7001;
	run_spec(prog, &s, DP_DROP, out);
	assert_int_equal(counter(RPILB_CNT_DROP_NAT_EXHAUSTED), 1);
	assert_int_equal(counter(RPILB_CNT_EV_TW_REUSE), 0);
	wait_ticks(RPILB_NAT_REST_TICKS);
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(ntohs(get_fwd(42011).nat_port), 50000);
	assert_int_equal(counter(RPILB_CNT_EV_TW_REUSE), 1);
}

/* Run s, which must come out as want, byte for byte, with valid checksums. */
static void run_expect(enum dp_prog prog, const struct pkt_spec *s, const struct pkt_spec *want)
{
	uint8_t out[PKT_MAX], exp[PKT_MAX];
	size_t n = run_spec(prog, s, DP_TX, out);

	assert_frame(exp, pkt_tcp(exp, want), out, n);
	assert_true(pkt_csums_ok(out, n));
}

/*
 * One flow through a pair in the server's TIME_WAIT (tsval 7000), with
 * the client's timestamps in layout; its SYN carries syn_tsval. Every
 * TSval must reach the server plus shift, every TSecr the client minus it.
 */
static void tw_flow_shifted(enum dp_prog prog, uint16_t cport, uint8_t layout, uint32_t syn_tsval,
			    uint32_t shift)
{
	struct env e = {};
	struct pkt_spec s, want;
	struct rpilb_tuple rk;
	struct rpilb_flow_rev r;
	uint16_t port = tw_setup(prog, &e);

	rk = (struct rpilb_tuple){ backend_ip(1), ip4(DP_LB), htons(BPORT), htons(port) };
	s = client_pkt(cport, TH_SYN);
	s.ts_layout = layout;
	s.tsval = syn_tsval;
	s.seq = 50; /* not after the server's rcv_nxt: only the timestamp can let it in */
	want = to_backend(s, 1, port);
	want.tsval = syn_tsval + shift;
	run_expect(prog, &s, &want);
	assert_int_equal(counter(RPILB_CNT_EV_TW_REUSE), 1);
	assert_int_equal(counter(RPILB_CNT_EV_TS_SHIFT), shift ? 1 : 0);
	assert_int_equal(counter(RPILB_CNT_DROP_NAT_EXHAUSTED), 0);
	assert_int_equal(!!(get_fwd(cport).flags & RPILB_FLOW_TS_SHIFTED), !!shift);
	assert_int_equal(get_fwd(cport).ts_offset, shift);

	/* The SYN-ACK echoes the shifted TSval: the client gets its own back. */
	s = backend_pkt(1, port, TH_SYN | TH_ACK);
	s.ts_layout = layout;
	s.tsecr = syn_tsval + shift;
	want = to_client(s, cport);
	want.tsecr = syn_tsval;
	run_expect(prog, &s, &want);

	s = client_pkt(cport, TH_ACK | TH_PSH);
	s.ts_layout = layout;
	s.tsval = syn_tsval + 10;
	s.tsecr = 123456;
	s.payload_len = 10;
	want = to_backend(s, 1, port);
	want.tsval = syn_tsval + 10 + shift;
	run_expect(prog, &s, &want);

	/* The client's FIN: its TSval as the server saw it is what TIME_WAIT keeps. */
	s = client_pkt(cport, TH_FIN | TH_ACK);
	s.ts_layout = layout;
	s.tsval = syn_tsval + 20;
	want = to_backend(s, 1, port);
	want.tsval = syn_tsval + 20 + shift;
	run_expect(prog, &s, &want);
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_true(r.flags & RPILB_FLOW_TW_TS);
	assert_int_equal(r.tw_tsval, syn_tsval + 20 + shift);

	/* The server's segments after that FIN still lose the shift. */
	s = backend_pkt(1, port, TH_FIN | TH_ACK);
	s.ts_layout = layout;
	s.tsecr = syn_tsval + 20 + shift;
	want = to_client(s, cport);
	want.tsecr = syn_tsval + 20;
	run_expect(prog, &s, &want);
	assert_verdicts_add_up();
}

/*
 * A SYN whose timestamp the server's TIME_WAIT would refuse (PAWS) takes
 * the pair all the same, shifted to start RPILB_TS_LEAD past it.
 */
static void nat_tw_older_ts_shifted(enum dp_prog prog)
{
	tw_flow_shifted(prog, 42001, 0, 6999, 7000 + RPILB_TS_LEAD - 6999);
}

/* Equal is not newer: shifted too. */
static void nat_tw_equal_ts_shifted(enum dp_prog prog)
{
	tw_flow_shifted(prog, 42005, 0, 7000, RPILB_TS_LEAD);
}

/* A client far behind (the toss lost by half the clock): the offset wraps, as TCP's clock does. */
static void nat_tw_wrapping_shift(enum dp_prog prog)
{
	tw_flow_shifted(prog, 42006, 0, 7000u + 0x80000000u, 0x80000000u + RPILB_TS_LEAD);
}

/* A SYN the server would take as it is goes through untouched. */
static void nat_tw_newer_ts_unshifted(enum dp_prog prog)
{
	tw_flow_shifted(prog, 42007, 0, 7001, 0);
}

static void nat_tw_no_ts_uses_seq(enum dp_prog prog)
{
	struct env e = {};
	struct pkt_spec syn;
	uint8_t out[PKT_MAX];

	tw_setup(prog, &e);
	syn = client_pkt(42003, TH_SYN);
	syn.ts = false;
	syn.seq = 100000; /* not after the server's rcv_nxt (100001) */
	run_spec(prog, &syn, DP_DROP, out);
	syn.seq = 100002;
	run_spec(prog, &syn, DP_TX, out);
	assert_int_equal(counter(RPILB_CNT_EV_TW_REUSE), 1);
}

/*
 * The timestamp is found where Linux puts it in a SYN, and by scanning
 * elsewhere: after an MSS whose value looks like a timestamp option's
 * start, and where it straddles 16-bit words (the checksum update must
 * then swap bytes).
 */
static void nat_tw_option_layouts(enum dp_prog prog)
{
	for (uint8_t layout = 1; layout <= 4; layout++) {
		tw_flow_shifted(prog, 42010 + layout, layout, 6999, 7000 + RPILB_TS_LEAD - 6999);
		tw_flow_shifted(prog, 42020 + layout, layout, 7001, 0);
	}
}

static void nat_tw_guard_expired(enum dp_prog prog)
{
	struct env e = { .tw_guard_ticks = 1 };
	struct pkt_spec syn;
	uint8_t out[PKT_MAX];

	tw_setup(prog, &e);
	wait_ticks(1); /* the server's TIME_WAIT is over */
	syn = client_pkt(42004, TH_SYN);
	syn.tsval = 1; /* older, and it no longer matters */
	run_spec(prog, &syn, DP_TX, out);
	assert_int_equal(counter(RPILB_CNT_EV_TW_REUSE), 0);
}

static void nat_client_closed_first_rests(enum dp_prog prog)
{
	struct env e = { .nbackends = 1, .nat_lo = 50000, .nat_hi = 50000 };
	struct pkt_spec s;
	uint8_t out[PKT_MAX];
	uint16_t port;

	env_apply(&e);
	open_flow(prog, 43000, &port);
	s = client_pkt(43000, TH_FIN | TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	s = backend_pkt(1, port, TH_FIN | TH_ACK);
	s.ack = 1000u + 43000 + 1;
	run_spec(prog, &s, DP_TX, out);
	/* Closed a moment ago: the server may still retransmit its FIN. */
	s = client_pkt(43001, TH_SYN);
	run_spec(prog, &s, DP_DROP, out);

	e.close_grace_ticks = 1;
	{
		struct rpilb_cfg cfg;

		assert_int_equal(maps_get_config(&g_dp.m, &cfg), 0);
		cfg.close_grace_ticks = 1;
		assert_int_equal(maps_set_config(&g_dp.m, &cfg), 0);
	}
	wait_ticks(1);
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(ntohs(get_fwd(43001).nat_port), 50000);
}

static void nat_table_full(enum dp_prog prog)
{
	/* This case has its own fixture with a 4-flow table: see main(). */
	struct pkt_spec syn = client_pkt(44004, TH_SYN);
	uint8_t out[PKT_MAX];
	uint16_t port;

	env_std(3);
	for (int i = 0; i < 4; i++)
		open_flow(prog, 44000 + i, &port);
	run_spec(prog, &syn, DP_DROP, out);
	assert_int_equal(counter(RPILB_CNT_DROP_FLOW_TABLE_FULL), 1);
	assert_int_equal(count_fwd(), 4);
	assert_int_equal(count_rev(), 4);
}

/* ---- next hop ------------------------------------------------------------- */

static void neigh_unresolved(enum dp_prog prog)
{
	struct env e = { .nbackends = 1, .first_backend = 4 };
	struct pkt_spec syn = client_pkt(45000, TH_SYN), want, s;
	uint8_t out[PKT_MAX], exp[PKT_MAX];
	struct rpilb_flow_fwd f;
	size_t n;

	env_apply(&e);
	assert_int_equal(system("ip neigh del 10.0.0.14 dev rpt0 2>/dev/null; true"), 0);
	n = run_spec(prog, &syn, DP_PASS, out);
	f = get_fwd(45000);
	/* L3/L4 rewritten for the kernel to forward; Ethernet left as it came. */
	want = to_backend(syn, 4, ntohs(f.nat_port));
	memcpy(want.src_mac, dp_client_mac, 6);
	memcpy(want.dst_mac, dp_lb_mac, 6);
	assert_frame(exp, pkt_tcp(exp, &want), out, n);
	assert_int_equal(counter(RPILB_CNT_PASS_NO_NEIGH), 1);
	assert_int_equal(f.backend_mac[0] | f.backend_mac[5], 0);

	/* Once the kernel knows the neighbour, the flow goes out directly. */
	assert_int_equal(
		system("ip neigh replace 10.0.0.14 lladdr 02:00:00:00:00:14 dev rpt0 nud permanent"),
		0);
	s = client_pkt(45000, TH_ACK);
	n = run_spec(prog, &s, DP_TX, out);
	want = to_backend(s, 4, ntohs(f.nat_port));
	assert_frame(exp, pkt_tcp(exp, &want), out, n);
	f = get_fwd(45000);
	assert_int_equal(f.backend_mac[5], 0x14);
	assert_int_equal(system("ip neigh del 10.0.0.14 dev rpt0"), 0);
}

/* ---- ICMP ----------------------------------------------------------------- */

static void icmp_from_server_side(enum dp_prog prog)
{
	struct pkt_spec data = client_pkt(46000, TH_ACK | TH_PSH), fwd_spec;
	uint8_t client_frame[PKT_MAX], sent[PKT_MAX], in[PKT_MAX], out[PKT_MAX], exp[PKT_MAX];
	uint8_t router_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	size_t client_len, in_len, out_len, n;
	uint16_t port;
	int b;

	env_std(3);
	b = open_flow(prog, 46000, &port);
	data.payload_len = 1400;
	client_len = pkt_tcp(client_frame, &data);
	fwd_spec = to_backend(data, b, port);
	pkt_tcp(sent, &fwd_spec);

	/* A router on the server's side: fragmentation needed, MTU 1280. */
	for (size_t quote = 28; quote <= 48; quote += 20) {
		in_len = pkt_icmp_error(in, router_mac, dp_lb_mac, ip4("10.0.0.1"), ip4(DP_LB), 3,
					4, 1280, sent + 14, quote);
		if (dp_run(&g_dp, prog, in, in_len, out, &out_len) != DP_TX)
			fail_msg("%s: ICMP error not forwarded", dp_prog_name(prog));
		/* The quote becomes the client's own packet; the error goes to the client. */
		n = pkt_icmp_error(exp, dp_lb_mac, dp_client_mac, ip4("10.0.0.1"), ip4(DP_CLIENT),
				   3, 4, 1280, client_frame + 14, quote);
		assert_frame(exp, n, out, out_len);
		assert_true(pkt_csums_ok(out, out_len));
	}
	assert_int_equal(counter(RPILB_CNT_TX_ICMP), 2);
	(void)client_len;
}

static void icmp_from_client_side(enum dp_prog prog)
{
	uint8_t reply_frame[PKT_MAX], sent[PKT_MAX], in[PKT_MAX], out[PKT_MAX], exp[PKT_MAX];
	struct pkt_spec reply, to_client;
	size_t in_len, out_len, n;
	uint8_t bmac[6];
	uint16_t port;
	int b;

	env_std(3);
	b = open_flow(prog, 46001, &port);
	reply = backend_pkt(b, port, TH_ACK | TH_PSH);
	reply.payload_len = 1400;
	pkt_tcp(reply_frame, &reply);
	to_client = reply;
	to_client.saddr = ip4(DP_LB);
	to_client.daddr = ip4(DP_CLIENT);
	to_client.sport = VPORT;
	to_client.dport = 46001;
	pkt_tcp(sent, &to_client);

	/* The client says: port unreachable, quoting what we sent it. */
	in_len = pkt_icmp_error(in, dp_client_mac, dp_lb_mac, ip4(DP_CLIENT), ip4(DP_LB), 3, 3, 0,
				sent + 14, 48);
	if (dp_run(&g_dp, prog, in, in_len, out, &out_len) != DP_TX)
		fail_msg("%s: ICMP error not forwarded", dp_prog_name(prog));
	dp_backend_mac(b, bmac);
	n = pkt_icmp_error(exp, dp_lb_mac, bmac, ip4(DP_CLIENT), backend_ip(b), 3, 3, 0,
			   reply_frame + 14, 48);
	assert_frame(exp, n, out, out_len);
	assert_true(pkt_csums_ok(out, out_len));
}

static void icmp_not_ours(enum dp_prog prog)
{
	uint8_t quoted[PKT_MAX], in[PKT_MAX], out[PKT_MAX];
	struct pkt_spec other = client_pkt(46002, TH_ACK);
	size_t in_len, out_len;

	env_std(3);
	pkt_tcp(quoted, &other);
	in_len = pkt_icmp_error(in, dp_client_mac, dp_lb_mac, ip4(DP_CLIENT), ip4(DP_LB), 3, 3, 0,
				quoted + 14, 28);
	assert_int_equal(dp_run(&g_dp, prog, in, in_len, out, &out_len), DP_PASS);
	assert_frame(in, in_len, out, out_len);
	assert_int_equal(counter(RPILB_CNT_PASS_NOT_TCP), 1);
}

/* ---- malformed and foreign input ---------------------------------------------- */

enum mutation {
	M_NONE,
	M_ARP,
	M_IPV6,
	M_VLAN,
	M_IP_VERSION,
	M_IHL_SMALL,
	M_TOTLEN_LONG,
	M_TOTLEN_SHORT,
	M_IP_TRUNCATED,
	M_LATER_FRAGMENT,
	M_FIRST_FRAGMENT,
	M_TCP_TRUNCATED,
	M_DOFF_SMALL,
	M_DOFF_LARGE,
	M_IP_OPTIONS,
	M_UDP,
	M_ICMP_ECHO,
	M_PADDED,
	M_LAST_FRAGMENT,
	M_IHL_BEYOND,
	M_LLDP,
	M_QINQ,
};

struct malformed_case {
	const char *name;
	enum mutation m;
	uint8_t flags;
	uint16_t dport; /* 0: the service port */
	bool to_nat_port; /* addressed to an unused NAT port */
	enum dp_verdict verdict;
	int counter;
	/* BPF_PROG_TEST_RUN for skbs refuses an IPv4 frame without an IP header. */
	bool xdp_only;
};

#define MC(n, mut, fl, dp, nat, v, cnt)                                                            \
	{                                                                                          \
		.name = n, .m = mut, .flags = fl, .dport = dp, .to_nat_port = nat, .verdict = v,   \
		.counter = cnt                                                                     \
	}
#define MCX(n, mut, fl, dp, nat, v, cnt)                                                           \
	{                                                                                          \
		.name = n, .m = mut, .flags = fl, .dport = dp, .to_nat_port = nat, .verdict = v,   \
		.counter = cnt, .xdp_only = true                                                   \
	}

static const struct malformed_case malformed_cases[] = {
	MC("ARP", M_ARP, TH_SYN, 0, false, DP_PASS, RPILB_CNT_PASS_NOT_IPV4),
	MC("IPv6 ethertype", M_IPV6, TH_SYN, 0, false, DP_PASS, RPILB_CNT_PASS_NOT_IPV4),
	MC("VLAN tagged", M_VLAN, TH_SYN, 0, false, DP_PASS, RPILB_CNT_PASS_NOT_IPV4),
	MC("IP version 6 in IPv4", M_IP_VERSION, TH_SYN, 0, false, DP_DROP,
	   RPILB_CNT_DROP_IP_MALFORMED),
	MC("IHL 4", M_IHL_SMALL, TH_SYN, 0, false, DP_DROP, RPILB_CNT_DROP_IP_MALFORMED),
	MC("total length beyond frame", M_TOTLEN_LONG, TH_SYN, 0, false, DP_DROP,
	   RPILB_CNT_DROP_IP_MALFORMED),
	MC("total length below IHL", M_TOTLEN_SHORT, TH_SYN, 0, false, DP_DROP,
	   RPILB_CNT_DROP_IP_MALFORMED),
	MCX("IP header truncated", M_IP_TRUNCATED, TH_SYN, 0, false, DP_DROP,
	    RPILB_CNT_DROP_IP_MALFORMED),
	MC("later fragment", M_LATER_FRAGMENT, TH_SYN, 0, false, DP_PASS, RPILB_CNT_PASS_FRAGMENT),
	MC("first fragment to service", M_FIRST_FRAGMENT, TH_SYN, 0, false, DP_DROP,
	   RPILB_CNT_DROP_FRAGMENT),
	MC("first fragment elsewhere", M_FIRST_FRAGMENT, TH_SYN, 22, false, DP_PASS,
	   RPILB_CNT_PASS_NOT_SERVICE),
	MC("TCP header truncated", M_TCP_TRUNCATED, TH_SYN, 0, false, DP_DROP,
	   RPILB_CNT_DROP_TCP_MALFORMED),
	MC("TCP data offset 4", M_DOFF_SMALL, TH_SYN, 0, false, DP_DROP,
	   RPILB_CNT_DROP_TCP_MALFORMED),
	MC("TCP data offset past segment", M_DOFF_LARGE, TH_SYN, 0, false, DP_DROP,
	   RPILB_CNT_DROP_TCP_MALFORMED),
	MC("IP options to service", M_IP_OPTIONS, TH_SYN, 0, false, DP_DROP,
	   RPILB_CNT_DROP_IP_OPTIONS),
	MC("IP options elsewhere", M_IP_OPTIONS, TH_SYN, 22, false, DP_PASS,
	   RPILB_CNT_PASS_NOT_SERVICE),
	MC("SYN+FIN", M_NONE, TH_SYN | TH_FIN, 0, false, DP_DROP, RPILB_CNT_DROP_BAD_FLAGS),
	MC("SYN+RST", M_NONE, TH_SYN | TH_RST, 0, false, DP_DROP, RPILB_CNT_DROP_BAD_FLAGS),
	MC("no flags", M_NONE, 0, 0, false, DP_PASS, RPILB_CNT_PASS_NOSYN_MISS),
	MC("ACK without flow", M_NONE, TH_ACK, 0, false, DP_PASS, RPILB_CNT_PASS_NOSYN_MISS),
	MC("RST without flow", M_NONE, TH_RST, 0, false, DP_PASS, RPILB_CNT_PASS_NOSYN_MISS),
	MC("FIN without flow", M_NONE, TH_FIN | TH_ACK, 0, false, DP_PASS,
	   RPILB_CNT_PASS_NOSYN_MISS),
	MC("SYN+ACK to service", M_NONE, TH_SYN | TH_ACK, 0, false, DP_PASS,
	   RPILB_CNT_PASS_NOSYN_MISS),
	MC("all flags", M_NONE, 0xff, 0, false, DP_DROP, RPILB_CNT_DROP_BAD_FLAGS),
	MC("other port", M_NONE, TH_SYN, 22, false, DP_PASS, RPILB_CNT_PASS_NOT_SERVICE),
	MC("UDP to service port", M_UDP, 0, 0, false, DP_PASS, RPILB_CNT_PASS_NOT_TCP),
	MC("ICMP echo", M_ICMP_ECHO, 0, 0, false, DP_PASS, RPILB_CNT_PASS_NOT_TCP),
	MC("unused NAT port", M_NONE, TH_ACK, 0, true, DP_PASS, RPILB_CNT_PASS_REV_MISS),
	MC("Ethernet padding", M_PADDED, TH_SYN, 0, false, DP_TX, RPILB_CNT_TX_NEW_FLOW),
	MC("last fragment", M_LAST_FRAGMENT, TH_SYN, 0, false, DP_PASS, RPILB_CNT_PASS_FRAGMENT),
	MC("IHL beyond the packet", M_IHL_BEYOND, TH_SYN, 0, false, DP_DROP,
	   RPILB_CNT_DROP_IP_MALFORMED),
	MC("LLDP ethertype", M_LLDP, TH_SYN, 0, false, DP_PASS, RPILB_CNT_PASS_NOT_IPV4),
	MC("802.1ad double tag", M_QINQ, TH_SYN, 0, false, DP_PASS, RPILB_CNT_PASS_NOT_IPV4),
	MC("FIN+PSH+URG without flow", M_NONE, TH_FIN | TH_PSH | 0x20, 0, false, DP_PASS,
	   RPILB_CNT_PASS_NOSYN_MISS),
	MC("ECE+CWR without flow", M_NONE, 0xc0, 0, false, DP_PASS, RPILB_CNT_PASS_NOSYN_MISS),
	MC("SYN+ECE+CWR (ECN setup)", M_NONE, TH_SYN | 0xc0, 0, false, DP_TX,
	   RPILB_CNT_TX_NEW_FLOW),
};

static size_t mutate(uint8_t *f, size_t len, enum mutation m)
{
	uint8_t *ip = f + 14;

	switch (m) {
	case M_NONE:
		break;
	case M_ARP:
		f[12] = 0x08;
		f[13] = 0x06;
		break;
	case M_IPV6:
		f[12] = 0x86;
		f[13] = 0xdd;
		break;
	case M_VLAN:
		memmove(f + 16, f + 12, len - 12);
		f[12] = 0x81;
		f[13] = 0x00;
		f[14] = 0x00;
		f[15] = 0x05;
		return len + 4;
	case M_IP_VERSION:
		ip[0] = 0x65;
		break;
	case M_IHL_SMALL:
		ip[0] = 0x44;
		break;
	case M_TOTLEN_LONG:
		ip[2] = 0x05;
		ip[3] = 0xdc;
		break;
	case M_TOTLEN_SHORT:
		ip[2] = 0;
		ip[3] = 19;
		break;
	case M_IP_TRUNCATED:
		return 14 + 12;
	case M_LATER_FRAGMENT:
		ip[6] = 0x00;
		ip[7] = 0x10;
		break;
	case M_FIRST_FRAGMENT:
		ip[6] = 0x20;
		ip[7] = 0x00;
		break;
	case M_TCP_TRUNCATED:
		ip[2] = 0;
		ip[3] = 30;
		return 14 + 30;
	case M_DOFF_SMALL:
		ip[20 + 12] = 4 << 4;
		break;
	case M_DOFF_LARGE:
		ip[20 + 12] = 15 << 4;
		break;
	case M_IP_OPTIONS: {
		size_t tot = (ip[2] << 8 | ip[3]) + 4;

		/* Four bytes of NOP options between the IP and TCP headers. */
		memmove(ip + 24, ip + 20, len - 34);
		memset(ip + 20, 1, 4);
		ip[0] = 0x46;
		ip[2] = tot >> 8;
		ip[3] = tot & 0xff;
		return len + 4;
	}
	case M_UDP:
		ip[9] = 17;
		break;
	case M_ICMP_ECHO:
		ip[9] = 1;
		ip[20] = 8;
		break;
	case M_LAST_FRAGMENT:
		ip[6] = 0x00;
		ip[7] = 0xb9;
		break;
	case M_IHL_BEYOND:
		ip[0] = 0x4f; /* 60 bytes of header in a 52-byte packet */
		break;
	case M_LLDP:
		f[12] = 0x88;
		f[13] = 0xcc;
		break;
	case M_QINQ:
		memmove(f + 16, f + 12, len - 12);
		f[12] = 0x88;
		f[13] = 0xa8;
		f[14] = 0x00;
		f[15] = 0x07;
		return len + 4;
	case M_PADDED:
		memset(f + len, 0, 10);
		return len + 10;
	}
	return len;
}

static void malformed(enum dp_prog prog)
{
	for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++) {
		const struct malformed_case *mc = &malformed_cases[i];
		struct pkt_spec s = client_pkt(47000 + i, mc->flags);
		uint8_t in[PKT_MAX], out[PKT_MAX];
		size_t len, out_len;
		enum dp_verdict v;

		if (mc->xdp_only && prog != DP_XDP)
			continue;
		env_std(3);
		if (mc->dport)
			s.dport = mc->dport;
		if (mc->to_nat_port)
			s.dport = 55555;
		len = mutate(in, pkt_tcp(in, &s), mc->m);
		v = dp_run(&g_dp, prog, in, len, out, &out_len);
		if (v != mc->verdict)
			fail_msg("%s: %s: verdict %s, want %s", dp_prog_name(prog), mc->name,
				 dp_verdict_name(v), dp_verdict_name(mc->verdict));
		if (counter(mc->counter) != 1)
			fail_msg("%s: %s: counter %d is %llu, want 1", dp_prog_name(prog), mc->name,
				 mc->counter, (unsigned long long)counter(mc->counter));
		assert_int_equal(counter(RPILB_CNT_PACKETS), 1);
		assert_verdicts_add_up();
		/* Whatever is not forwarded leaves exactly as it came. */
		if (v != DP_TX)
			assert_frame(in, len, out, out_len);
	}
}

/* ---- what is forwarded must be forwarded faithfully, even when it is wrong ---- */

/* Zero both checksum fields of an IPv4/TCP frame (to compare the rest). */
static void blank_csums(uint8_t *f)
{
	f[14 + 10] = f[14 + 11] = 0;
	f[14 + 20 + 16] = f[14 + 20 + 17] = 0;
}

static void bad_checksums_stay_bad(enum dp_prog prog)
{
	uint8_t in[PKT_MAX], out[PKT_MAX], exp[PKT_MAX];
	struct pkt_spec syn, want;
	struct rpilb_flow_fwd f;
	size_t n, out_len;

	for (int which = 0; which < 2; which++) {
		env_std(3);
		syn = client_pkt(49000 + which, TH_SYN);
		n = pkt_tcp(in, &syn);
		/* Corrupt the IP header's checksum, then the TCP one. */
		in[14 + (which ? 36 : 10)] ^= 0x5a;
		assert_int_equal(dp_run(&g_dp, prog, in, n, out, &out_len), DP_TX);
		f = get_fwd(49000 + which);
		want = to_backend(syn, backend_of(&f), ntohs(f.nat_port));
		assert_int_equal(pkt_tcp(exp, &want), out_len);
		/* The receiver still sees a bad checksum and discards it, as it would have... */
		assert_false(pkt_csums_ok(out, out_len));
		/* ...and everything else is the rewrite a good packet gets. */
		blank_csums(out);
		blank_csums(exp);
		assert_frame(exp, out_len, out, out_len);
	}
}

static void forged_reset_undone(enum dp_prog prog)
{
	struct rpilb_tuple rk;
	struct rpilb_flow_rev r;
	struct pkt_spec s;
	uint8_t out[PKT_MAX];
	uint16_t port;
	int b;

	env_std(3);
	b = open_flow(prog, 49300, &port);
	rk = (struct rpilb_tuple){ backend_ip(b), ip4(DP_LB), htons(BPORT), htons(port) };
	/* A reset "from the client", then the client goes on talking: it was forged. */
	s = client_pkt(49300, TH_RST);
	run_spec(prog, &s, DP_TX, out);
	assert_true(get_fwd(49300).flags & RPILB_FLOW_CLOSED);
	s = client_pkt(49300, TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(get_fwd(49300).flags & (RPILB_FLOW_CLOSED | RPILB_FLOW_RST), 0);
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_int_equal(r.flags & (RPILB_FLOW_CLOSED | RPILB_FLOW_RST), 0);

	/* A real one: only the server's data still in flight follows. It stays closed. */
	s = client_pkt(49300, TH_RST);
	run_spec(prog, &s, DP_TX, out);
	s = backend_pkt(b, port, TH_ACK | TH_PSH);
	run_spec(prog, &s, DP_TX, out);
	assert_true(get_fwd(49300).flags & RPILB_FLOW_CLOSED);
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_true(r.flags & RPILB_FLOW_CLOSED);

	/* Same from the server's side: its own traffic after its reset undoes it. */
	b = open_flow(prog, 49301, &port);
	rk = (struct rpilb_tuple){ backend_ip(b), ip4(DP_LB), htons(BPORT), htons(port) };
	s = backend_pkt(b, port, TH_RST);
	run_spec(prog, &s, DP_TX, out);
	s = backend_pkt(b, port, TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(get_fwd(49301).flags & RPILB_FLOW_CLOSED, 0);
	assert_int_equal(maps_get_rev(&g_dp.m, &rk, &r), 0);
	assert_int_equal(r.flags & RPILB_FLOW_CLOSED, 0);
}

static void bad_flags_on_open_flow(enum dp_prog prog)
{
	struct pkt_spec s;
	uint8_t in[PKT_MAX], out[PKT_MAX];
	uint16_t port;
	size_t n;

	env_std(3);
	open_flow(prog, 49100, &port);
	s = client_pkt(49100, TH_SYN | TH_FIN);
	n = run_spec(prog, &s, DP_DROP, out);
	assert_frame(in, pkt_tcp(in, &s), out, n);
	assert_int_equal(counter(RPILB_CNT_DROP_BAD_FLAGS), 1);
	/* The flow is untouched by it. */
	assert_int_equal(get_fwd(49100).flags & RPILB_FLOW_CLOSED, 0);
}

static void icmp_odd_quotes(enum dp_prog prog)
{
	uint8_t quoted[PKT_MAX], in[PKT_MAX], out[PKT_MAX];
	struct pkt_spec reply;
	size_t in_len, out_len;
	uint16_t port;
	int b;

	env_std(3);
	b = open_flow(prog, 49200, &port);
	reply = backend_pkt(b, port, TH_ACK);
	reply.saddr = ip4(DP_LB);
	reply.daddr = ip4(DP_CLIENT);
	reply.sport = VPORT;
	reply.dport = 49200;
	pkt_tcp(quoted, &reply);

	/* Quote too short for the ports: nothing to match, the kernel decides. */
	in_len = pkt_icmp_error(in, dp_client_mac, dp_lb_mac, ip4(DP_CLIENT), ip4(DP_LB), 3, 3, 0,
				quoted + 14, 24);
	assert_int_equal(dp_run(&g_dp, prog, in, in_len, out, &out_len), DP_PASS);
	assert_frame(in, in_len, out, out_len);
	/* A quoted header claiming options, or not TCP, or an ICMP type that is no error. */
	quoted[14] = 0x46;
	in_len = pkt_icmp_error(in, dp_client_mac, dp_lb_mac, ip4(DP_CLIENT), ip4(DP_LB), 3, 3, 0,
				quoted + 14, 48);
	assert_int_equal(dp_run(&g_dp, prog, in, in_len, out, &out_len), DP_PASS);
	assert_frame(in, in_len, out, out_len);
	quoted[14] = 0x45;
	quoted[14 + 9] = 17;
	in_len = pkt_icmp_error(in, dp_client_mac, dp_lb_mac, ip4(DP_CLIENT), ip4(DP_LB), 3, 3, 0,
				quoted + 14, 48);
	assert_int_equal(dp_run(&g_dp, prog, in, in_len, out, &out_len), DP_PASS);
	quoted[14 + 9] = 6;
	in_len = pkt_icmp_error(in, dp_client_mac, dp_lb_mac, ip4(DP_CLIENT), ip4(DP_LB), 0, 0, 0,
				quoted + 14, 48);
	assert_int_equal(dp_run(&g_dp, prog, in, in_len, out, &out_len), DP_PASS);
	assert_int_equal(counter(RPILB_CNT_PASS_NOT_TCP), 4);
	assert_int_equal(counter(RPILB_CNT_TX_ICMP), 0);
}

/* ---- SYN floods ------------------------------------------------------------ */

static void halfopen_budget(enum dp_prog prog)
{
	struct env e = { .nbackends = 3, .halfopen_max = 2 };
	struct pkt_spec s = client_pkt(48002, TH_SYN);
	uint8_t out[PKT_MAX];
	uint16_t port;

	env_apply(&e);
	open_flow(prog, 48000, &port);
	open_flow(prog, 48001, &port);
	assert_int_equal(maps_halfopen_count(&g_dp.m), 2);
	/* The budget is spent: a third half-open flow is refused, and counted. */
	run_spec(prog, &s, DP_DROP, out);
	assert_int_equal(counter(RPILB_CNT_DROP_HALFOPEN_LIMIT), 1);
	assert_int_equal(count_fwd(), 2);

	/* A completed handshake gives its place back, once, however many ACKs follow. */
	s = client_pkt(48000, TH_ACK);
	run_spec(prog, &s, DP_TX, out);
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(maps_halfopen_count(&g_dp.m), 1);
	s = client_pkt(48002, TH_SYN);
	run_spec(prog, &s, DP_TX, out);
	assert_int_equal(maps_halfopen_count(&g_dp.m), 2);

	/* The sweep expiring an unestablished flow gives its place back too. */
	maps_halfopen_release(&g_dp.m, 1);
	assert_int_equal(maps_halfopen_count(&g_dp.m), 1);
	maps_halfopen_release(&g_dp.m, 5);
	assert_int_equal(maps_halfopen_count(&g_dp.m), 0);
}

/* ---- registration ------------------------------------------------------------- */

#define DP_CASE(fn)                                                                                \
	static void fn##_xdp(void **state)                                                         \
	{                                                                                          \
		(void)state;                                                                       \
		fn(DP_XDP);                                                                        \
	}                                                                                          \
	static void fn##_tc(void **state)                                                          \
	{                                                                                          \
		(void)state;                                                                       \
		fn(DP_TC);                                                                         \
	}

DP_CASE(rr_order)
DP_CASE(rr_weights)
DP_CASE(rr_no_backend)
DP_CASE(flow_sticky)
DP_CASE(flow_reply)
DP_CASE(flow_syn_retransmit)
DP_CASE(flow_close_fin)
DP_CASE(flow_close_client_first)
DP_CASE(flow_close_simultaneous)
DP_CASE(flow_close_rst)
DP_CASE(flow_stray_rst_keeps_time_wait)
DP_CASE(flow_syn_reuses_closed_tuple)
DP_CASE(rr_retry_after_client_reset)
DP_CASE(rr_no_retry_after_server_reset)
DP_CASE(rr_retry_after_drop)
DP_CASE(port_from_client)
DP_CASE(nat_ports_distinct)
DP_CASE(nat_tw_older_ts_shifted)
DP_CASE(nat_tw_equal_ts_shifted)
DP_CASE(nat_tw_wrapping_shift)
DP_CASE(nat_tw_newer_ts_unshifted)
DP_CASE(nat_tw_just_closed_rests)
DP_CASE(sweep_spares_a_newer_flow)
DP_CASE(sweep_expires_halfclosed)
DP_CASE(nat_tw_no_ts_uses_seq)
DP_CASE(nat_tw_guard_expired)
DP_CASE(nat_tw_option_layouts)
DP_CASE(nat_client_closed_first_rests)
DP_CASE(nat_table_full)
DP_CASE(neigh_unresolved)
DP_CASE(icmp_from_server_side)
DP_CASE(icmp_from_client_side)
DP_CASE(icmp_not_ours)
DP_CASE(malformed)
DP_CASE(halfopen_budget)
DP_CASE(bad_checksums_stay_bad)
DP_CASE(bad_flags_on_open_flow)
DP_CASE(icmp_odd_quotes)
DP_CASE(forged_reset_undone)

#define BOTH(fn) cmocka_unit_test(fn##_xdp), cmocka_unit_test(fn##_tc)

static int group_open(void **state, uint32_t capacity)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	return dp_open(&g_dp, capacity);
}

static int group_open_default(void **state)
{
	return group_open(state, 0);
}

static int group_open_tiny(void **state)
{
	return group_open(state, 4);
}

static int group_close(void **state)
{
	(void)state;
	if (geteuid() == 0)
		dp_close(&g_dp);
	return 0;
}

static int require_root_setup(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(rr_order),
		BOTH(rr_weights),
		BOTH(rr_no_backend),
		BOTH(flow_sticky),
		BOTH(flow_reply),
		BOTH(flow_syn_retransmit),
		BOTH(flow_close_fin),
		BOTH(flow_close_client_first),
		BOTH(flow_close_simultaneous),
		BOTH(flow_close_rst),
		BOTH(flow_stray_rst_keeps_time_wait),
		BOTH(flow_syn_reuses_closed_tuple),
		BOTH(rr_retry_after_client_reset),
		BOTH(rr_no_retry_after_server_reset),
		BOTH(rr_retry_after_drop),
		BOTH(port_from_client),
		BOTH(nat_ports_distinct),
		BOTH(nat_tw_older_ts_shifted),
		BOTH(nat_tw_equal_ts_shifted),
		BOTH(nat_tw_wrapping_shift),
		BOTH(nat_tw_newer_ts_unshifted),
		BOTH(nat_tw_just_closed_rests),
		BOTH(sweep_spares_a_newer_flow),
		BOTH(sweep_expires_halfclosed),
		BOTH(nat_tw_no_ts_uses_seq),
		BOTH(nat_tw_guard_expired),
		BOTH(nat_tw_option_layouts),
		BOTH(nat_client_closed_first_rests),
		BOTH(neigh_unresolved),
		BOTH(icmp_from_server_side),
		BOTH(icmp_from_client_side),
		BOTH(icmp_not_ours),
		BOTH(malformed),
		BOTH(halfopen_budget),
		BOTH(bad_checksums_stay_bad),
		BOTH(bad_flags_on_open_flow),
		BOTH(icmp_odd_quotes),
		BOTH(forged_reset_undone),
	};
	const struct CMUnitTest tiny[] = {
		BOTH(nat_table_full),
	};
	struct CMUnitTest t[sizeof(tests) / sizeof(tests[0])];
	struct CMUnitTest tt[sizeof(tiny) / sizeof(tiny[0])];
	int failed;

	/* Every case needs root: skip (or, under CI, fail) each one clearly. */
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		t[i] = tests[i];
		t[i].setup_func = require_root_setup;
	}
	for (size_t i = 0; i < sizeof(tiny) / sizeof(tiny[0]); i++) {
		tt[i] = tiny[i];
		tt[i].setup_func = require_root_setup;
	}
	failed = cmocka_run_group_tests_name("datapath", t, group_open_default, group_close);
	failed += cmocka_run_group_tests_name("datapath (4-flow table)", tt, group_open_tiny,
					      group_close);
	return failed;
}
