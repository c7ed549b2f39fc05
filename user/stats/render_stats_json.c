// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stats as one JSON object (the page's ";json" export and
 * "rpilbctl stats -j"): the daemon, the flow table, the data path's
 * counters, every frontend and every backend. docs/stats.md is its
 * reference; the objects are render_json.c's, shared with the other
 * documents.
 */
#include <errno.h>

#include "stats/render_json.h"

int render_stats_json(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	struct json_writer *jw = json_doc_begin(out, o);

	if (!jw)
		return -ENOMEM;
	json_daemon(jw, s, o);
	json_flow_table(jw, s);
	json_key(jw, "counters");
	json_begin_object(jw);
	for (unsigned int i = 0; i < RPILB_CNT_MAX; i++)
		json_kv_u64(jw, snap_counter_name(i), s->counters[i]);
	json_end_object(jw);
	json_frontends(jw, s);
	json_backends(jw, s);
	return json_doc_end(jw, out, o);
}
