// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "stats/alarms.h"
#include "lib/log.h"
#include "lib/util.h"

static const struct {
	int counter;
	const char *what;
} watched[] = {
	{ RPILB_CNT_DROP_FLOW_TABLE_FULL, "the flow table is full (flow-table-size %u)" },
	{ RPILB_CNT_DROP_NAT_EXHAUSTED, "no free NAT port towards a server (see rpilbctl stats)" },
	{ RPILB_CNT_DROP_NO_BACKEND, "no server is in rotation" },
	{ RPILB_CNT_DROP_HALFOPEN_LIMIT, "too many half-open connections: a SYN flood?" },
};

int alarms_check(struct alarms *a, const uint64_t counters[RPILB_CNT_MAX], uint64_t now_ms,
		 uint32_t flow_capacity)
{
	int lines = 0;

	if (!a->primed) {
		memcpy(a->seen, counters, sizeof(a->seen));
		a->primed = 1;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(watched); i++) {
		int c = watched[i].counter;
		char what[128];

		if (counters[c] > a->seen[c])
			a->pending[c] += counters[c] - a->seen[c];
		a->seen[c] = counters[c];
		if (!a->pending[c] ||
		    (a->logged_ms[c] && now_ms - a->logged_ms[c] < ALARM_INTERVAL_MS))
			continue;
		snprintf(what, sizeof(what), watched[i].what, flow_capacity);
		pr_warn("%" PRIu64 " new connection%s refused: %s", a->pending[c],
			a->pending[c] == 1 ? "" : "s", what);
		a->pending[c] = 0;
		a->logged_ms[c] = now_ms;
		lines++;
	}
	return lines;
}
