// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data path in the kernel, under BPF_PROG_TEST_RUN, as XDP and as tc:
 * the round robin (order, weights, no server), a flow's life (sticky,
 * replies, SYN retransmits, FIN and RST closes in every order), and which
 * server a retried or dropped SYN gets. Each case checks the verdict, the
 * output bytes against a packet built from scratch, the maps and the
 * counters.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "dpcase.h"

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

/* ---- registration ------------------------------------------------------------- */

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

int main(void)
{
	const struct CMUnitTest cases[] = {
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
	};

	return dpcase_run("datapath: round robin and flows", cases,
			  sizeof(cases) / sizeof(cases[0]), 0);
}
