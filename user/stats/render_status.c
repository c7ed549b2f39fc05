// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "lib/json.h"
#include "stats/render_status.h"
#include "health/srvhealth.h"

void server_state_label(const struct lb_server *s, uint64_t now_ms, char *buf, size_t len)
{
	struct srvhealth_view v;

	if (s->admin == ADMIN_MAINT) {
		snprintf(buf, len, "MAINT");
		return;
	}
	srvhealth_view(s, now_ms, &v);
	if (s->admin == ADMIN_DRAIN)
		snprintf(buf, len, v.up ? "DRAIN" : "DRAIN (%s)", v.label);
	else
		snprintf(buf, len, "%s", v.label);
}

static void fmt_ago(char *buf, size_t len, uint64_t ms)
{
	if (ms == UINT64_MAX)
		snprintf(buf, len, "-");
	else if (ms < 60000)
		snprintf(buf, len, "%" PRIu64 "s ago", ms / 1000);
	else if (ms < 3600000)
		snprintf(buf, len, "%" PRIu64 "m%" PRIu64 "s ago", ms / 60000, ms / 1000 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "h%" PRIu64 "m ago", ms / 3600000, ms / 60000 % 60);
}

static const char *frontend_of(const struct balancer *b, const struct lb_pool *pool)
{
	for (size_t i = 0; i < b->nservices; i++)
		if (b->services[i].pool == pool)
			return b->services[i].fe->name;
	return "-";
}

void render_status_text(FILE *out, const struct balancer *b, const struct status_info *si,
			uint64_t now_ms)
{
	char addr[INET_ADDRSTRLEN + 8], state[32], check[96], ago[32];

	fprintf(out, "rpilb %s on %s (%s: %s), up %" PRIu64 "s, pid %d, flows %u/%u\n",
		RPILB_VERSION, si->ifname, si->mode, si->mode_why, si->uptime_ms / 1000, si->pid,
		si->flows, si->capacity);
	for (size_t i = 0; i < b->nservices; i++) {
		const struct lb_service *svc = &b->services[i];

		inet_ntop(AF_INET, &svc->vip, addr, sizeof(addr));
		fprintf(out, "frontend %s %s:%u -> backend %s\n", svc->fe->name, addr, svc->port,
			svc->pool->name);
	}
	for (size_t p = 0; p < b->npools; p++) {
		const struct lb_pool *pool = &b->pools[p];

		fprintf(out, "\nbackend %s (%s, frontend %s)\n", pool->name,
			pool->cfg->balance == CFG_BALANCE_STATIC_RR ? "static-rr" : "roundrobin",
			frontend_of(b, pool));
		fprintf(out, "  %-16s %-21s %-12s %6s %6s  %s\n", "SERVER", "ADDRESS", "STATE",
			"WEIGHT", "FLOWS", "LAST CHECK");
		for (size_t i = 0; i < pool->nservers; i++) {
			const struct lb_server *s = pool->servers[i];
			struct srvhealth_view v;
			char ip[INET_ADDRSTRLEN];

			srvhealth_view(s, now_ms, &v);
			server_state_label(s, now_ms, state, sizeof(state));
			inet_ntop(AF_INET, &s->addr, ip, sizeof(ip));
			snprintf(addr, sizeof(addr), "%s:%u", ip, s->port);
			fmt_ago(ago, sizeof(ago), v.ago_ms);
			if (!v.checked)
				snprintf(check, sizeof(check), "no check");
			else if (!*v.result)
				snprintf(check, sizeof(check), "pending");
			else if (v.code)
				snprintf(check, sizeof(check), "%s %d in %ums, %s", v.result,
					 v.code, v.duration_ms, ago);
			else
				snprintf(check, sizeof(check), "%s in %ums, %s", v.result,
					 v.duration_ms, ago);
			fprintf(out, "  %-16s %-21s %-12s %6u %6u  %s\n", s->name, addr, state,
				s->weight, s->active_flows, check);
		}
	}
}

void render_status_json(FILE *out, bool pretty, const struct balancer *b,
			const struct status_info *si, uint64_t now_ms)
{
	struct json_writer *jw = json_new(out, pretty);
	char addr[INET_ADDRSTRLEN], state[32];

	json_begin_object(jw);
	json_kv_str(jw, "version", RPILB_VERSION);
	json_kv_str(jw, "interface", si->ifname);
	json_kv_str(jw, "mode", si->mode);
	json_kv_str(jw, "mode_reason", si->mode_why);
	json_kv_u64(jw, "uptime_s", si->uptime_ms / 1000);
	json_kv_i64(jw, "pid", si->pid);
	json_kv_u64(jw, "flows", si->flows);
	json_kv_u64(jw, "flow_capacity", si->capacity);
	json_key(jw, "frontends");
	json_begin_array(jw);
	for (size_t i = 0; i < b->nservices; i++) {
		const struct lb_service *svc = &b->services[i];

		json_begin_object(jw);
		json_kv_str(jw, "name", svc->fe->name);
		json_kv_str(jw, "address", inet_ntop(AF_INET, &svc->vip, addr, sizeof(addr)));
		json_kv_u64(jw, "port", svc->port);
		json_kv_str(jw, "backend", svc->pool->name);
		json_end_object(jw);
	}
	json_end_array(jw);
	json_key(jw, "backends");
	json_begin_array(jw);
	for (size_t p = 0; p < b->npools; p++) {
		const struct lb_pool *pool = &b->pools[p];

		json_begin_object(jw);
		json_kv_str(jw, "name", pool->name);
		json_kv_str(jw, "balance",
			    pool->cfg->balance == CFG_BALANCE_STATIC_RR ? "static-rr"
									: "roundrobin");
		json_key(jw, "servers");
		json_begin_array(jw);
		for (size_t i = 0; i < pool->nservers; i++) {
			const struct lb_server *s = pool->servers[i];
			struct srvhealth_view v;

			srvhealth_view(s, now_ms, &v);
			server_state_label(s, now_ms, state, sizeof(state));
			json_begin_object(jw);
			json_kv_str(jw, "name", s->name);
			json_kv_str(jw, "address",
				    inet_ntop(AF_INET, &s->addr, addr, sizeof(addr)));
			json_kv_u64(jw, "port", s->port);
			json_kv_str(jw, "state", state);
			json_kv_str(jw, "health", v.label);
			json_kv_str(jw, "admin", admin_state_name(s->admin));
			json_kv_bool(jw, "in_rotation", server_eligible(s));
			json_kv_u64(jw, "weight", s->weight);
			json_kv_u64(jw, "active_flows", s->active_flows);
			json_kv_bool(jw, "runtime", s->runtime);
			json_kv_u64(jw, "id", s->id);
			json_key(jw, "check");
			json_begin_object(jw);
			json_kv_bool(jw, "enabled", v.checked);
			json_kv_str(jw, "result", v.result);
			json_kv_str(jw, "detail", v.detail);
			json_kv_i64(jw, "code", v.code);
			json_kv_u64(jw, "duration_ms", v.duration_ms);
			if (v.ago_ms == UINT64_MAX) {
				json_key(jw, "ago_ms");
				json_null(jw);
			} else {
				json_kv_u64(jw, "ago_ms", v.ago_ms);
			}
			json_end_object(jw);
			json_end_object(jw);
		}
		json_end_array(jw);
		json_end_object(jw);
	}
	json_end_array(jw);
	json_end_object(jw);
	json_free(jw);
	fputc('\n', out);
}
