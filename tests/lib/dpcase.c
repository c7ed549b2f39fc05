// SPDX-License-Identifier: GPL-2.0-only
/* The data-path cases' fixture and helpers: see dpcase.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dpcase.h"
#include "model/slots.h"

/* The data path every case runs: opened once per group, reset by env_apply(). */
struct dp g_dp;

uint32_t backend_ip(int n)
{
	char s[32];

	snprintf(s, sizeof(s), "%s%d", DP_BACKEND, n);
	return ip4(s);
}

void env_apply(const struct env *e)
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

void env_std(int nbackends)
{
	struct env e = { .nbackends = nbackends };

	env_apply(&e);
}

struct pkt_spec client_pkt(uint16_t cport, uint8_t flags)
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

struct rpilb_tuple client_tuple(uint16_t cport)
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
struct pkt_spec to_backend(struct pkt_spec s, int n, uint16_t nat_port)
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
struct pkt_spec to_client(struct pkt_spec s, uint16_t cport)
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
struct pkt_spec backend_pkt(int n, uint16_t nat_port, uint8_t flags)
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

void assert_frame(const uint8_t *want, size_t want_len, const uint8_t *got, size_t got_len)
{
	if (want_len != got_len || memcmp(want, got, want_len)) {
		pkt_diff(want, want_len, got, got_len);
		fail_msg("output frame differs from the expected one");
	}
}

/* Run s; assert the verdict; return the output in out. */
size_t run_spec(enum dp_prog prog, const struct pkt_spec *s, enum dp_verdict want, uint8_t *out)
{
	uint8_t in[PKT_MAX];
	size_t in_len = pkt_tcp(in, s), out_len = 0;
	enum dp_verdict v = dp_run(&g_dp, prog, in, in_len, out, &out_len);

	if (v != want)
		fail_msg("%s: verdict %s, want %s", dp_prog_name(prog), dp_verdict_name(v),
			 dp_verdict_name(want));
	return out_len;
}

struct rpilb_flow_fwd get_fwd(uint16_t cport)
{
	struct rpilb_tuple t = client_tuple(cport);
	struct rpilb_flow_fwd f;

	assert_int_equal(maps_get_fwd(&g_dp.m, &t, &f), 0);
	return f;
}

int backend_of(const struct rpilb_flow_fwd *f)
{
	for (int n = 1; n <= 4; n++)
		if (f->backend_addr == backend_ip(n))
			return n;
	return -1;
}

/* A SYN from cport, forwarded; returns the backend number and NAT port. */
int open_flow(enum dp_prog prog, uint16_t cport, uint16_t *nat_port)
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

uint64_t counter(int id)
{
	uint64_t c[RPILB_CNT_MAX];

	assert_int_equal(maps_read_counters(&g_dp.m, c), 0);
	return c[id];
}

/* Every packet gets exactly one verdict reason. */
void assert_verdicts_add_up(void)
{
	uint64_t c[RPILB_CNT_MAX], sum = 0;

	assert_int_equal(maps_read_counters(&g_dp.m, c), 0);
	for (int i = RPILB_CNT_FIRST_VERDICT; i < RPILB_CNT_FIRST_EVENT; i++)
		sum += c[i];
	assert_int_equal(sum, c[RPILB_CNT_PACKETS]);
}

struct rpilb_backend_stats bstats(int id)
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

int count_fwd(void)
{
	int n = 0;

	assert_int_equal(maps_for_each_fwd(&g_dp.m, count_fwd_cb, &n), 0);
	return n;
}

int count_rev(void)
{
	int n = 0;

	assert_int_equal(maps_for_each_rev(&g_dp.m, count_rev_cb, &n), 0);
	return n;
}

/*
 * Let the coarse clock the program reads move on by more than n ticks. It
 * advances a jiffy at a time, and a busy machine can hold a jiffy back: a
 * fixed sleep is not enough.
 */
void wait_ticks(uint32_t n)
{
	uint32_t start = maps_now_ticks();

	while (maps_now_ticks() - start <= n)
		usleep(1000);
}

static uint32_t group_capacity;

static int group_open(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	return dp_open(&g_dp, group_capacity);
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

int dpcase_run(const char *name, const struct CMUnitTest *cases, size_t n, uint32_t capacity)
{
	struct CMUnitTest t[n];

	for (size_t i = 0; i < n; i++) {
		t[i] = cases[i];
		t[i].setup_func = require_root_setup;
	}
	group_capacity = capacity;
	return _cmocka_run_group_tests(name, t, n, group_open, group_close);
}
