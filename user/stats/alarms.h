/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log lines for refusals that need an operator: SYNs dropped because the
 * flow table is full, the NAT ports towards a server are taken, no server
 * is in rotation, or a SYN flood spent the half-open budget. Counted in the
 * kernel always; logged here at most once per reason per interval, with how
 * many were refused since, so a flood cannot flood the journal too.
 */
#ifndef RPILB_ALARMS_H
#define RPILB_ALARMS_H

#include <stdint.h>

#include "rpilb_abi.h"

#define ALARM_INTERVAL_MS 10000

struct alarms {
	uint64_t seen[RPILB_CNT_MAX]; /* counter values at the last look */
	uint64_t logged_ms[RPILB_CNT_MAX]; /* when each reason was last logged */
	uint64_t pending[RPILB_CNT_MAX]; /* refused since, not logged yet */
	int primed;
};

/*
 * Compare with the last look; returns how many lines were logged. The
 * first call only learns the counters (an adopted balancer's old drops
 * are not news).
 */
int alarms_check(struct alarms *a, const uint64_t counters[RPILB_CNT_MAX], uint64_t now_ms,
		 uint32_t flow_capacity);

#endif
