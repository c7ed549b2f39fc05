// SPDX-License-Identifier: GPL-2.0-only
/*
 * "rpilbctl status": the interface, the frontends, and every server with
 * its state, weight, open flows and last check, as a table; as JSON, the
 * same objects as the stats (render_json.c) without the data path's
 * counters.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "stats/render_json.h"
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
	if (sv->check_age_ms >= 0) {
		snap_fmt_duration(when, sizeof(when), (uint64_t)sv->check_age_ms);
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

		snap_server_endpoint(sv, addr, sizeof(addr));
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

int render_status_json(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	return json_state_doc(out, s, o, false);
}
