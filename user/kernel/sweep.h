/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow tables' upkeep, run by the daemon once a second: expire
 * half-open, idle and closed flows, drop the reverse entries of pairs the
 * servers no longer hold in TIME_WAIT, and count what is open per server.
 * The kernel never deletes a live flow by itself, so what is counted here
 * is the truth: a flow is either in the table or was expired, with a reason.
 * If the daemon is down nothing expires and nothing breaks; the table fills
 * more slowly than it would take systemd to restart it.
 */
#ifndef RPILB_SWEEP_H
#define RPILB_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/maps.h"

/*
 * A closed flow's forward entry outlives its last client packet by this
 * much, so the client's last ACK and a retransmitted FIN still get through.
 */
#define SWEEP_CLOSED_LINGER_MS 2000
/* Linux keeps TIME_WAIT for 60 s (TCP_TIMEWAIT_LEN); a margin for clock skew. */
#define SWEEP_TW_GUARD_MS 65000
/* A pair closed by the client first rests this long (the server's LAST_ACK). */
#define SWEEP_CLOSE_GRACE_MS 2000

struct sweep_timeouts {
	uint32_t idle_ms; /* established flows */
	uint32_t halfclosed_ms; /* established, one FIN seen */
	uint32_t connect_ms; /* half-open flows */
};

/* Timeouts of the service a flow belongs to (vip and port in network order). */
typedef void (*sweep_timeouts_fn)(uint32_t vip, uint16_t port, struct sweep_timeouts *t, void *arg);

struct sweep_totals {
	uint64_t expired_halfopen;
	uint64_t expired_idle;
	uint64_t expired_closed;
	uint64_t expired_orphan;
	uint64_t tombstones_freed;
};

struct sweep_state {
	struct sweep_totals totals;
	/* reverse keys with no forward entry at the last sweep: deleted if still so */
	struct rpilb_tuple *orphans;
	size_t norphans;
};

struct sweep_result {
	uint32_t active_by_id[RPILB_MAX_BACKENDS]; /* open (not closed) flows */
	uint32_t fwd_entries; /* the forward table's fill */
	uint32_t rev_entries; /* live and resting pairs */
	uint32_t halfopen;
	uint32_t closed;
};

int sweep_run(const struct lb_maps *m, struct sweep_state *st, sweep_timeouts_fn fn, void *arg,
	      struct sweep_result *res);
void sweep_state_free(struct sweep_state *st);

/* Milliseconds between two tick stamps (now after then). */
uint64_t ticks_to_ms(uint32_t ticks);

#endif
