// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stats as one JSON object (the page's ";json" export and
 * "rpilbctl stats -j"): the daemon, the flow table, the data path's
 * counters, every frontend and every backend. docs/stats.md is its
 * reference; the objects are render_json.c's, shared with the other
 * documents ("status -j" is this without the counters).
 */
#include "stats/render_json.h"

int render_stats_json(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	return json_state_doc(out, s, o, true);
}
