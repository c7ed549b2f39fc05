// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shared JSON objects (render_json.h). Every document is an object
 * whose first member is "format"; members are added without notice, and
 * "format" changes when one is renamed, changes meaning or goes away
 * (docs/stats.md lists each change).
 */
#include <errno.h>

#include "stats/render_json.h"
#include "lib/util.h"

struct json_writer *json_doc_begin(FILE *out, const struct render_opts *o)
{
	struct json_writer *jw = json_new(out, o && o->pretty);

	if (!jw)
		return NULL;
	json_begin_object(jw);
	json_kv_u64(jw, "format", RENDER_JSON_FORMAT);
	return jw;
}

int json_doc_end(struct json_writer *jw, FILE *out, const struct render_opts *o)
{
	json_end_object(jw);
	json_free(jw); /* indented output ends with its newline */
	if (!o || !o->pretty)
		fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

void json_daemon(struct json_writer *jw, const struct snapshot *s, const struct render_opts *o)
{
	json_key(jw, "version");
	if (o && o->hide_version)
		json_null(jw);
	else
		json_str(jw, s->version);
	json_kv_str(jw, "hostname", s->hostname);
	json_kv_i64(jw, "pid", s->pid);
	json_kv_u64(jw, "now_unix", s->now_unix);
	json_kv_u64(jw, "uptime_ms", s->uptime_ms);
	json_kv_str(jw, "interface", s->interface);
	json_kv_str(jw, "mode", s->mode);
	json_kv_str(jw, "mode_reason", s->mode_reason);
}

void json_flow_table(struct json_writer *jw, const struct snapshot *s)
{
	json_key(jw, "flows");
	json_begin_object(jw);
	json_kv_u64(jw, "current", s->flows);
	json_kv_u64(jw, "capacity", s->flow_capacity);
	json_kv_u64(jw, "halfopen", s->halfopen);
	json_key(jw, "expired");
	json_begin_object(jw);
	json_kv_u64(jw, "halfopen", s->expired_halfopen);
	json_kv_u64(jw, "idle", s->expired_idle);
	json_kv_u64(jw, "closed", s->expired_closed);
	json_kv_u64(jw, "orphan", s->expired_orphan);
	json_end_object(jw);
	json_end_object(jw);
}

static void json_frontend(struct json_writer *jw, const struct snap_frontend *f)
{
	uint32_t n = f->nbinds < ARRAY_SIZE(f->binds) ? f->nbinds : ARRAY_SIZE(f->binds);
	struct snap_frontend_totals t;

	snap_frontend_totals(f, &t);
	json_begin_object(jw);
	json_kv_str(jw, "frontend", f->name);
	json_kv_str(jw, "backend", f->backend);
	json_kv_u64(jw, "new_flows", t.new_flows);
	json_kv_u64(jw, "no_backend", t.no_backend);
	json_kv_double(jw, "flow_rate", t.flow_rate);
	json_key(jw, "binds");
	json_begin_array(jw);
	for (uint32_t i = 0; i < n; i++) {
		const struct snap_bind *b = &f->binds[i];

		json_begin_object(jw);
		json_kv_str(jw, "address", b->address);
		json_kv_u64(jw, "port", b->port);
		json_kv_u64(jw, "new_flows", b->new_flows);
		json_kv_u64(jw, "no_backend", b->no_backend);
		json_kv_double(jw, "flow_rate", b->flow_rate);
		json_end_object(jw);
	}
	json_end_array(jw);
	json_end_object(jw);
}

void json_frontends(struct json_writer *jw, const struct snapshot *s)
{
	json_key(jw, "frontends");
	json_begin_array(jw);
	for (uint32_t i = 0; i < s->nfrontends; i++)
		json_frontend(jw, &s->frontends[i]);
	json_end_array(jw);
}

static void json_check(struct json_writer *jw, const struct snap_server *sv)
{
	json_key(jw, "check");
	json_begin_object(jw);
	json_key(jw, "result");
	if (sv->check_result[0])
		json_str(jw, sv->check_result);
	else
		json_null(jw);
	json_kv_str(jw, "desc", sv->check_desc);
	json_kv_str(jw, "detail", sv->check_detail);
	json_kv_i64(jw, "code", sv->check_code);
	json_kv_u64(jw, "duration_ms", sv->check_duration_ms);
	json_key(jw, "age_ms");
	if (sv->check_age_ms < 0)
		json_null(jw);
	else
		json_i64(jw, sv->check_age_ms);
	json_kv_u64(jw, "checks", sv->checks);
	json_kv_u64(jw, "failures", sv->check_failures);
	json_end_object(jw);
}

void json_server_members(struct json_writer *jw, const struct snap_server *sv, const char *backend)
{
	json_kv_str(jw, "server", sv->name);
	if (backend)
		json_kv_str(jw, "backend", backend);
	json_kv_u64(jw, "id", sv->id);
	json_kv_str(jw, "address", sv->address);
	json_kv_u64(jw, "port", sv->port);
	if (sv->port_map)
		json_kv_i64(jw, "port_offset",
			    sv->port_offset < 32768 ? sv->port_offset
						    : (int)sv->port_offset - 65536);
	json_kv_str(jw, "state", sv->state);
	json_kv_str(jw, "status", snap_state_name(snap_server_state(sv, NULL)));
	json_kv_str(jw, "health", sv->health);
	json_kv_str(jw, "admin", sv->admin);
	json_kv_bool(jw, "up", sv->up);
	json_kv_bool(jw, "in_rotation", sv->in_rotation);
	json_kv_bool(jw, "checked", sv->checked);
	json_kv_bool(jw, "runtime", sv->runtime);
	json_kv_u64(jw, "weight", sv->weight);
	json_kv_u64(jw, "active_flows", sv->active_flows);
	json_kv_u64(jw, "new_flows", sv->new_flows);
	json_kv_double(jw, "flow_rate", sv->flow_rate);
	json_kv_u64(jw, "packets_in", sv->packets_in);
	json_kv_u64(jw, "bytes_in", sv->bytes_in);
	json_kv_u64(jw, "packets_out", sv->packets_out);
	json_kv_u64(jw, "bytes_out", sv->bytes_out);
	json_kv_u64(jw, "nat_fail", sv->nat_fail);
	json_kv_u64(jw, "in_state_ms", sv->in_state_ms);
	json_kv_u64(jw, "downtime_ms", sv->downtime_ms);
	json_kv_u64(jw, "up_down", sv->up_down);
	json_check(jw, sv);
}

static void json_backend(struct json_writer *jw, const struct snapshot *s,
			 const struct snap_backend *b)
{
	struct snap_backend_totals t;

	snap_backend_totals(b, &t);
	json_begin_object(jw);
	json_kv_str(jw, "backend", b->name);
	json_kv_str(jw, "balance", b->balance);
	json_kv_str(jw, "status", b->active_servers ? "UP" : "DOWN");
	json_kv_u64(jw, "active_servers", b->active_servers);
	json_kv_u64(jw, "total_servers", b->nservers);
	json_kv_u64(jw, "weight", t.weight);
	json_kv_u64(jw, "active_flows", t.active_flows);
	json_kv_u64(jw, "new_flows", t.new_flows);
	json_kv_double(jw, "flow_rate", t.flow_rate);
	json_kv_u64(jw, "packets_in", t.packets_in);
	json_kv_u64(jw, "bytes_in", t.bytes_in);
	json_kv_u64(jw, "packets_out", t.packets_out);
	json_kv_u64(jw, "bytes_out", t.bytes_out);
	json_kv_u64(jw, "nat_fail", t.nat_fail);
	json_kv_u64(jw, "no_server", snap_backend_no_server(s, b));
	json_key(jw, "servers");
	json_begin_array(jw);
	for (uint32_t i = 0; i < b->nservers; i++) {
		json_begin_object(jw);
		json_server_members(jw, &b->servers[i], NULL);
		json_end_object(jw);
	}
	json_end_array(jw);
	json_end_object(jw);
}

void json_backends(struct json_writer *jw, const struct snapshot *s)
{
	json_key(jw, "backends");
	json_begin_array(jw);
	for (uint32_t i = 0; i < s->nbackends; i++)
		json_backend(jw, s, &s->backends[i]);
	json_end_array(jw);
}

int json_state_doc(FILE *out, const struct snapshot *s, const struct render_opts *o, bool counters)
{
	struct json_writer *jw = json_doc_begin(out, o);

	if (!jw)
		return -ENOMEM;
	json_daemon(jw, s, o);
	json_flow_table(jw, s);
	if (counters) {
		json_key(jw, "counters");
		json_begin_object(jw);
		for (unsigned int i = 0; i < RPILB_CNT_MAX; i++)
			json_kv_u64(jw, snap_counter_name(i), s->counters[i]);
		json_end_object(jw);
	}
	json_frontends(jw, s);
	json_backends(jw, s);
	return json_doc_end(jw, out, o);
}
