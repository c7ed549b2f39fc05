// SPDX-License-Identifier: GPL-2.0-only
/*
 * "rpilbctl status": the interface, the frontends, and every server with
 * its state, weight, open flows and last check, as a table or as JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "lib/json.h"
#include "stats/render.h"
#include "lib/util.h"

/* The first frontend that feeds backend b, for its heading; "-" if none. */
static const char *frontend_of(const struct snapshot *s, const struct snap_backend *b)
{
	for (uint32_t i = 0; i < s->nfrontends; i++)
		if (s->frontends[i].nbinds && !strcmp(s->frontends[i].backend, b->name))
			return s->frontends[i].name;
	return "-";
}

/* "L7OK 200 in 1ms, 420ms ago", "no check", "pending". */
static void check_summary(const struct snap_server *sv, char *buf, size_t len)
{
	char took[32], when[32], ago[40] = "-";

	if (!sv->checked) {
		snprintf(buf, len, "no check");
		return;
	}
	if (!sv->check_result[0]) {
		snprintf(buf, len, "pending");
		return;
	}
	snap_fmt_duration(took, sizeof(took), sv->check_duration_ms);
	if (sv->check_ago_ms >= 0) {
		snap_fmt_duration(when, sizeof(when), (uint64_t)sv->check_ago_ms);
		snprintf(ago, sizeof(ago), "%s ago", when);
	}
	if (sv->check_code)
		snprintf(buf, len, "%s %d in %s, %s", sv->check_result, sv->check_code, took, ago);
	else
		snprintf(buf, len, "%s in %s, %s", sv->check_result, took, ago);
}

static void text_backend(FILE *out, const struct snapshot *s, const struct snap_backend *b)
{
	char addr[48], check[128];

	fprintf(out, "\nbackend %s (%s, frontend %s)\n", b->name, b->balance, frontend_of(s, b));
	fprintf(out, "  %-16s %-21s %-12s %6s %6s  %s\n", "SERVER", "ADDRESS", "STATE", "WEIGHT",
		"FLOWS", "LAST CHECK");
	for (uint32_t i = 0; i < b->nservers; i++) {
		const struct snap_server *sv = &b->servers[i];

		snprintf(addr, sizeof(addr), "%s:%u", sv->address, sv->port);
		check_summary(sv, check, sizeof(check));
		fprintf(out, "  %-16s %-21s %-12s %6u %6u  %s\n", sv->name, addr, sv->state,
			sv->weight, sv->active_flows, check);
	}
}

int render_status_text(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	char up[32];

	(void)o;
	snap_fmt_duration(up, sizeof(up), s->uptime_ms);
	fprintf(out, "rpilb %s on %s (%s: %s), up %s, pid %d, flows %u/%u\n", s->version,
		s->interface, s->mode, s->mode_reason, up, s->pid, s->flows, s->flow_capacity);
	for (uint32_t i = 0; i < s->nfrontends; i++) {
		const struct snap_frontend *f = &s->frontends[i];

		for (uint32_t j = 0; j < f->nbinds && j < ARRAY_SIZE(f->binds); j++)
			fprintf(out, "frontend %s %s:%u -> backend %s\n", f->name,
				f->binds[j].address, f->binds[j].port, f->backend);
	}
	for (uint32_t i = 0; i < s->nbackends; i++)
		text_backend(out, s, &s->backends[i]);
	return ferror(out) ? -EIO : 0;
}

static void json_server(struct json_writer *jw, const struct snap_server *sv)
{
	json_begin_object(jw);
	json_kv_str(jw, "name", sv->name);
	json_kv_str(jw, "address", sv->address);
	json_kv_u64(jw, "port", sv->port);
	json_kv_str(jw, "state", sv->state);
	json_kv_str(jw, "health", sv->health);
	json_kv_str(jw, "admin", sv->admin);
	json_kv_bool(jw, "in_rotation", sv->in_rotation);
	json_kv_u64(jw, "weight", sv->weight);
	json_kv_u64(jw, "active_flows", sv->active_flows);
	json_kv_bool(jw, "runtime", sv->runtime);
	json_kv_u64(jw, "id", sv->id);
	json_key(jw, "check");
	json_begin_object(jw);
	json_kv_bool(jw, "enabled", sv->checked);
	json_kv_str(jw, "result", sv->check_result);
	json_kv_str(jw, "detail", sv->check_detail);
	json_kv_i64(jw, "code", sv->check_code);
	json_kv_u64(jw, "duration_ms", sv->check_duration_ms);
	json_key(jw, "ago_ms");
	if (sv->check_ago_ms < 0)
		json_null(jw);
	else
		json_i64(jw, sv->check_ago_ms);
	json_end_object(jw);
	json_end_object(jw);
}

static void json_frontends(struct json_writer *jw, const struct snapshot *s)
{
	json_key(jw, "frontends");
	json_begin_array(jw);
	for (uint32_t i = 0; i < s->nfrontends; i++) {
		const struct snap_frontend *f = &s->frontends[i];

		for (uint32_t j = 0; j < f->nbinds && j < ARRAY_SIZE(f->binds); j++) {
			json_begin_object(jw);
			json_kv_str(jw, "name", f->name);
			json_kv_str(jw, "address", f->binds[j].address);
			json_kv_u64(jw, "port", f->binds[j].port);
			json_kv_str(jw, "backend", f->backend);
			json_end_object(jw);
		}
	}
	json_end_array(jw);
}

int render_status_json(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	struct json_writer *jw = json_new(out, o && o->pretty);

	if (!jw)
		return -ENOMEM;
	json_begin_object(jw);
	json_kv_str(jw, "version", s->version);
	json_kv_str(jw, "interface", s->interface);
	json_kv_str(jw, "mode", s->mode);
	json_kv_str(jw, "mode_reason", s->mode_reason);
	json_kv_u64(jw, "uptime_s", s->uptime_ms / 1000);
	json_kv_i64(jw, "pid", s->pid);
	json_kv_u64(jw, "flows", s->flows);
	json_kv_u64(jw, "flow_capacity", s->flow_capacity);
	json_frontends(jw, s);
	json_key(jw, "backends");
	json_begin_array(jw);
	for (uint32_t i = 0; i < s->nbackends; i++) {
		const struct snap_backend *b = &s->backends[i];

		json_begin_object(jw);
		json_kv_str(jw, "name", b->name);
		json_kv_str(jw, "balance", b->balance);
		json_key(jw, "servers");
		json_begin_array(jw);
		for (uint32_t j = 0; j < b->nservers; j++)
			json_server(jw, &b->servers[j]);
		json_end_array(jw);
		json_end_object(jw);
	}
	json_end_array(jw);
	json_end_object(jw);
	json_free(jw);
	if (!o || !o->pretty)
		fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}
