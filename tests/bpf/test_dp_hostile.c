// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data path in the kernel, under BPF_PROG_TEST_RUN, as XDP and as tc:
 * an unresolved next hop, ICMP errors about flows (and not), malformed and
 * foreign input (each drop counted by its reason), what must be forwarded
 * as it came even when it is wrong, and the half-open budget against SYN
 * floods.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "dpcase.h"

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

int main(void)
{
	const struct CMUnitTest cases[] = {
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

	return dpcase_run("datapath: next hop, ICMP, malformed input, floods", cases,
			  sizeof(cases) / sizeof(cases[0]), 0);
}
