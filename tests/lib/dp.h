/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data path under BPF_PROG_TEST_RUN. dp_open() moves the test process
 * into a private network namespace with a veth pair, so the program's FIB
 * and neighbour lookups ask a real kernel about addresses the test
 * controls; the namespace disappears with the process, whatever happens.
 */
#ifndef RPILB_TEST_DP_H
#define RPILB_TEST_DP_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/loader.h"
#include "kernel/maps.h"

/* The fixture's LAN: the balancer is 10.0.0.2 on "rpt0". */
#define DP_LB	   "10.0.0.2"
#define DP_CLIENT  "10.0.0.10"
#define DP_BACKEND "10.0.0.1" /* + "1".."4": .11 .. .14; .14 has no neighbour entry */
extern const uint8_t dp_lb_mac[6];
extern const uint8_t dp_client_mac[6];
/* MAC of backend 10.0.0.1N */
void dp_backend_mac(int n, uint8_t mac[6]);

enum dp_prog {
	DP_XDP,
	DP_TC,
};

enum dp_verdict {
	DP_PASS,
	DP_TX,
	DP_DROP,
	DP_OTHER,
};

struct dp {
	struct loader l;
	struct lb_maps m;
	int ifindex;
};

int dp_open(struct dp *dp, uint32_t flow_capacity);
void dp_close(struct dp *dp);
/* Clear flows, services, tables, counters and stats. */
void dp_reset(struct dp *dp);

/* Run one packet; out gets the (possibly rewritten) packet. */
enum dp_verdict dp_run(struct dp *dp, enum dp_prog prog, const uint8_t *in, size_t in_len,
		       uint8_t *out, size_t *out_len);

const char *dp_prog_name(enum dp_prog prog);
const char *dp_verdict_name(enum dp_verdict v);

#endif
