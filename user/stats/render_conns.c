// SPDX-License-Identifier: GPL-2.0-only
/*
 * "rpilbctl conns": the flows the snapshot holds (the daemon filtered them
 * by server and client when it filled it), as a table or as JSON. It
 * answers "which Pi served this client?" without a log to grep.
 */
#include <errno.h>
#include <inttypes.h>

#include "stats/render_json.h"

int render_conns_text(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	(void)o;
	fprintf(out, "%-21s %-18s %-16s %-12s %7s %7s %10s %10s\n", "CLIENT", "FRONTEND", "NODE",
		"STATE", "AGE", "IDLE", "BYTES IN", "BYTES OUT");
	for (uint32_t i = 0; i < s->nconns; i++) {
		const struct snap_conn *c = &s->conns[i];
		char client[32], age[32], idle[32];

		snprintf(client, sizeof(client), "%s:%u", c->client, c->client_port);
		snap_fmt_duration(age, sizeof(age), c->age_ms);
		snap_fmt_duration(idle, sizeof(idle), c->idle_ms);
		fprintf(out, "%-21s %-18s %-16s %-12s %7s %7s %10" PRIu64 " %10" PRIu64 "\n",
			client, c->frontend[0] ? c->frontend : "-",
			c->server[0] ? c->server : "(removed)", c->state, age, idle, c->bytes_in,
			c->bytes_out);
	}
	fprintf(out, "%u flow%s\n", s->nconns, s->nconns == 1 ? "" : "s");
	return ferror(out) ? -EIO : 0;
}

int render_conns_json(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	struct json_writer *jw = json_doc_begin(out, o);

	if (!jw)
		return -ENOMEM;
	json_kv_u64(jw, "count", s->nconns);
	json_key(jw, "flows");
	json_begin_array(jw);
	for (uint32_t i = 0; i < s->nconns; i++) {
		const struct snap_conn *c = &s->conns[i];

		json_begin_object(jw);
		json_kv_str(jw, "client", c->client);
		json_kv_u64(jw, "client_port", c->client_port);
		json_kv_str(jw, "vip", c->vip);
		json_kv_u64(jw, "vip_port", c->vip_port);
		json_kv_str(jw, "frontend", c->frontend);
		json_kv_str(jw, "backend", c->backend);
		json_kv_str(jw, "server", c->server);
		json_kv_str(jw, "server_address", c->server_address);
		json_kv_u64(jw, "server_port", c->server_port);
		json_kv_u64(jw, "nat_port", c->nat_port);
		json_kv_str(jw, "state", c->state);
		json_kv_u64(jw, "age_ms", c->age_ms);
		json_kv_u64(jw, "idle_ms", c->idle_ms);
		json_kv_u64(jw, "packets_in", c->packets_in);
		json_kv_u64(jw, "bytes_in", c->bytes_in);
		json_kv_u64(jw, "packets_out", c->packets_out);
		json_kv_u64(jw, "bytes_out", c->bytes_out);
		json_end_object(jw);
	}
	json_end_array(jw);
	return json_doc_end(jw, out, o);
}
