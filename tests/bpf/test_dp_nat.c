// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data path in the kernel, under BPF_PROG_TEST_RUN, as XDP and as tc:
 * servers without a port or with an offset, the NAT ports a flow takes,
 * the sweep's expiries, the Pis' TIME_WAIT against shifted timestamps, and
 * a full flow table (a 4-flow table of its own).
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "dpcase.h"
#include "kernel/sweep.h"

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

/* ---- registration ------------------------------------------------------------- */

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

int main(void)
{
	const struct CMUnitTest cases[] = {
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
	};
	const struct CMUnitTest tiny[] = {
		BOTH(nat_table_full),
	};
	int failed = dpcase_run("datapath: ports, NAT and TIME_WAIT", cases,
				sizeof(cases) / sizeof(cases[0]), 0);

	failed += dpcase_run("datapath: ports, NAT and TIME_WAIT (4-flow table)", tiny,
			     sizeof(tiny) / sizeof(tiny[0]), 4);
	return failed;
}
