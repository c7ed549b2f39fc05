/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data-path cases' common ground (tests/bpf/test_dp_*.c): the
 * fixture's one service, VIP DP_LB:80, its backends 10.0.0.1N:8000, the
 * packets each side sends and must receive, and the maps and counters the
 * cases read. Each case runs under the XDP and the tc program alike
 * (DP_CASE, BOTH), in a group dpcase_run() opens as root.
 */
#ifndef RPILB_TEST_DPCASE_H
#define RPILB_TEST_DPCASE_H

#include <stddef.h>
#include <stdint.h>

#include "../../bpf/tunables.h"
#include "dp.h"
#include "pkt.h"
#include "testutil.h"

extern struct dp g_dp;

#define TICKS(sec) ((uint32_t)(((uint64_t)(sec)*1000000000ULL) >> RPILB_TICK_SHIFT))
#define NAT_LO	   50000
#define NAT_HI	   59999
#define VPORT	   80
#define BPORT	   8000
struct env {
	int nbackends;
	unsigned weights[4];
	int first_backend; /* backend n is 10.0.0.1n; .14 has no neighbour */
	uint16_t nat_lo, nat_hi;
	uint32_t tw_guard_ticks, close_grace_ticks;
	uint32_t halfopen_max;
};

uint32_t backend_ip(int n);
void env_apply(const struct env *e);
void env_std(int nbackends);
struct pkt_spec client_pkt(uint16_t cport, uint8_t flags);
struct rpilb_tuple client_tuple(uint16_t cport);
struct pkt_spec to_backend(struct pkt_spec s, int n, uint16_t nat_port);
struct pkt_spec to_client(struct pkt_spec s, uint16_t cport);
struct pkt_spec backend_pkt(int n, uint16_t nat_port, uint8_t flags);
void assert_frame(const uint8_t *want, size_t want_len, const uint8_t *got, size_t got_len);
size_t run_spec(enum dp_prog prog, const struct pkt_spec *s, enum dp_verdict want, uint8_t *out);
struct rpilb_flow_fwd get_fwd(uint16_t cport);
int backend_of(const struct rpilb_flow_fwd *f);
int open_flow(enum dp_prog prog, uint16_t cport, uint16_t *nat_port);
uint64_t counter(int id);
void assert_verdicts_add_up(void);
struct rpilb_backend_stats bstats(int id);
int count_fwd(void);
int count_rev(void);
void wait_ticks(uint32_t n);

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

#define BOTH(fn) cmocka_unit_test(fn##_xdp), cmocka_unit_test(fn##_tc)

/*
 * Run the cases as one group over a data path whose flow table holds
 * capacity flows (0: the default). Every case needs root: without it each
 * one skips, or under CI fails, clearly.
 */
int dpcase_run(const char *name, const struct CMUnitTest *cases, size_t n, uint32_t capacity);

#endif
