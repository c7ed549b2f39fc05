// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/snapshot.h"
#include "stats/render.h"
#include "lib/util.h"

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; s->backends && i < s->nbackends; i++)
		free(s->backends[i].servers);
	free(s->backends);
	free(s->frontends);
	free(s->conns);
	s->conns = NULL;
	s->nconns = 0;
	s->backends = NULL;
	s->nbackends = 0;
	s->frontends = NULL;
	s->nfrontends = 0;
}

static const char *const counter_names[RPILB_CNT_MAX] = {
#define X_NAME(kind, id, field, help) [RPILB_CNT_##id] = #field,
	RPILB_COUNTERS(X_NAME)
#undef X_NAME
};

static const char *const counter_helps[RPILB_CNT_MAX] = {
#define X_HELP(kind, id, field, help) [RPILB_CNT_##id] = help,
	RPILB_COUNTERS(X_HELP)
#undef X_HELP
};

const char *snap_counter_name(unsigned int idx)
{
	return idx < RPILB_CNT_MAX ? counter_names[idx] : "?";
}

const char *snap_counter_help(unsigned int idx)
{
	return idx < RPILB_CNT_MAX ? counter_helps[idx] : "";
}

/* The ABI's kind column, as the data path itself reads it. */
enum snap_counter_kind snap_counter_kind(unsigned int idx)
{
	static const enum snap_counter_kind kinds[] = {
		[RPILB_KIND_TOTAL] = SNAP_CNT_TOTAL, [RPILB_KIND_TX] = SNAP_CNT_TX,
		[RPILB_KIND_PASS] = SNAP_CNT_PASS,   [RPILB_KIND_DROP] = SNAP_CNT_DROP,
		[RPILB_KIND_EVENT] = SNAP_CNT_EVENT,
	};

	return kinds[rpilb_counter_kind_of(idx)];
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

enum snap_state snap_server_state(const struct snap_server *sv, enum snap_trend *trend)
{
	enum snap_trend t = SNAP_TREND_STEADY;
	enum snap_state st;

	/* Admin states win: "DRAIN (DOWN 1/2)" is still a drained server. */
	if (!strcmp(sv->admin, "maint") || has_prefix(sv->state, "MAINT")) {
		st = SNAP_ST_MAINT;
	} else if (!strcmp(sv->admin, "drain") || has_prefix(sv->state, "DRAIN")) {
		st = SNAP_ST_DRAIN;
	} else if (has_prefix(sv->state, "NOLB")) {
		/* disable-on-404: up, but no new flows, as a drained server. */
		st = SNAP_ST_DRAIN;
	} else if (has_prefix(sv->state, "UP")) {
		st = SNAP_ST_UP;
		if (sv->state[2] == ' ')
			t = SNAP_TREND_GOING_DOWN;
	} else if (has_prefix(sv->state, "DOWN")) {
		st = SNAP_ST_DOWN;
		if (sv->state[4] == ' ')
			t = SNAP_TREND_GOING_UP;
	} else if (!sv->state[0] || has_prefix(sv->state, "INIT")) {
		st = SNAP_ST_INIT;
	} else {
		/* A label this file does not know yet: trust the health verdict. */
		st = sv->up ? SNAP_ST_UP : SNAP_ST_DOWN;
	}
	if (trend)
		*trend = t;
	return st;
}

const char *snap_state_name(enum snap_state st)
{
	static const char *const names[SNAP_ST_COUNT] = {
		[SNAP_ST_INIT] = "INIT",   [SNAP_ST_UP] = "UP",	      [SNAP_ST_DOWN] = "DOWN",
		[SNAP_ST_DRAIN] = "DRAIN", [SNAP_ST_MAINT] = "MAINT",
	};

	return (unsigned int)st < SNAP_ST_COUNT ? names[st] : "?";
}

void snap_backend_totals(const struct snap_backend *b, struct snap_backend_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (uint32_t i = 0; i < b->nservers; i++) {
		const struct snap_server *sv = &b->servers[i];

		t->active_flows += sv->active_flows;
		t->new_flows += sv->new_flows;
		t->bytes_in += sv->bytes_in;
		t->bytes_out += sv->bytes_out;
		t->packets_in += sv->packets_in;
		t->packets_out += sv->packets_out;
		t->nat_fail += sv->nat_fail;
		t->flow_rate += sv->flow_rate;
		if (sv->in_rotation)
			t->weight += sv->weight;
	}
}

void snap_frontend_totals(const struct snap_frontend *f, struct snap_frontend_totals *t)
{
	uint32_t n = f->nbinds < ARRAY_SIZE(f->binds) ? f->nbinds : ARRAY_SIZE(f->binds);

	memset(t, 0, sizeof(*t));
	for (uint32_t i = 0; i < n; i++) {
		t->new_flows += f->binds[i].new_flows;
		t->no_backend += f->binds[i].no_backend;
		t->flow_rate += f->binds[i].flow_rate;
	}
}

const struct snap_server *snap_find_server(const struct snapshot *s, const char *backend,
					   const char *name)
{
	for (uint32_t i = 0; i < s->nbackends; i++) {
		const struct snap_backend *b = &s->backends[i];

		if (strcmp(b->name, backend))
			continue;
		for (uint32_t j = 0; j < b->nservers; j++)
			if (!strcmp(b->servers[j].name, name))
				return &b->servers[j];
	}
	return NULL;
}

uint64_t snap_backend_no_server(const struct snapshot *s, const struct snap_backend *b)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < s->nfrontends; i++) {
		struct snap_frontend_totals t;

		if (strcmp(s->frontends[i].backend, b->name))
			continue;
		snap_frontend_totals(&s->frontends[i], &t);
		n += t.no_backend;
	}
	return n;
}

void snap_fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

void snap_fmt_duration(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s / 3600 % 24);
}

void snap_server_endpoint(const struct snap_server *sv, char *buf, size_t len)
{
	if (!sv->port_map)
		snprintf(buf, len, "%s:%u", sv->address, sv->port);
	else if (!sv->port_offset)
		snprintf(buf, len, "%s", sv->address);
	else if (sv->port_offset < 32768)
		snprintf(buf, len, "%s:+%u", sv->address, sv->port_offset);
	else
		snprintf(buf, len, "%s:-%u", sv->address, 65536U - sv->port_offset);
}
