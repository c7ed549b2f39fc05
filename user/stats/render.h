/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The renderers: one struct snapshot in, one document out (the stats
 * page, HAProxy's CSV, JSON, Prometheus text, the terminal tables of
 * stats, status and conns, the answers to runtime changes). Each is a pure
 * function of the snapshot and the options, with one signature, so tests
 * build snapshots by hand and compare text. docs/stats.md and
 * docs/control.md describe every field.
 */
#ifndef RPILB_STATS_RENDER_H
#define RPILB_STATS_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "stats/snapshot.h"

struct render_opts {
	bool hide_version; /* "stats hide-version": leave the version out */
	uint32_t refresh_s; /* HTML: auto-refresh period; 0: none */
	const char *uri; /* HTML: the page's own "stats uri", for export links; NULL: "/" */
	bool pretty; /* JSON: indented */
	bool all; /* text: every data-path counter, zeros included */
	/* The answer to a runtime change: which server, and what happened to it. */
	const char *backend;
	const char *server;
	const char *what; /* "draining", "added"... */
};

/*
 * The "format" member of every JSON document (stats, status, conns, the
 * answers to runtime changes): they share one vocabulary, so one number
 * versions them all. Bumped when a member is renamed, changes meaning or
 * goes away, never for additions; docs/stats.md lists each change.
 * 2: one key per quantity ("server", "backend", "frontend", "age_ms"...).
 */
#define RENDER_JSON_FORMAT 2

/* Every renderer has this shape. */
typedef int (*render_fn)(FILE *out, const struct snapshot *s, const struct render_opts *o);

/*
 * Each returns 0, or -EIO if writing to out failed (a full memstream, a
 * closed pipe); the JSON ones -ENOMEM if the writer cannot be allocated.
 * o may be NULL for the defaults.
 */
int render_stats_html(FILE *out, const struct snapshot *s, const struct render_opts *o);
int render_stats_csv(FILE *out, const struct snapshot *s, const struct render_opts *o);
int render_stats_json(FILE *out, const struct snapshot *s, const struct render_opts *o);
int render_metrics(FILE *out, const struct snapshot *s, const struct render_opts *o);
int render_stats_text(FILE *out, const struct snapshot *s, const struct render_opts *o);

/* "rpilbctl status": the interface, the frontends, every server and its last check. */
int render_status_text(FILE *out, const struct snapshot *s, const struct render_opts *o);
int render_status_json(FILE *out, const struct snapshot *s, const struct render_opts *o);

/* "rpilbctl conns": s->conns, the flows the daemon put in the snapshot. */
int render_conns_text(FILE *out, const struct snapshot *s, const struct render_opts *o);
int render_conns_json(FILE *out, const struct snapshot *s, const struct render_opts *o);

/*
 * The answers about one server, o->server of backend o->backend: to a
 * runtime change (add-node, drain, maint, enable: o->what says which), to
 * del-node (the snapshot taken before it went), and to "show flows NAME".
 * These also return -ENOENT, writing nothing, if s has no such server.
 */
int render_change_text(FILE *out, const struct snapshot *s, const struct render_opts *o);
int render_change_json(FILE *out, const struct snapshot *s, const struct render_opts *o);
int render_deleted_text(FILE *out, const struct snapshot *s, const struct render_opts *o);
int render_deleted_json(FILE *out, const struct snapshot *s, const struct render_opts *o);
int render_open_flows(FILE *out, const struct snapshot *s, const struct render_opts *o);

/* The CSV header line, without its newline: tests and docs hold it to this. */
extern const char stats_csv_header[];

/* --- shared by the renderers (snapshot.c) ------------------------------- */

/* A server's state reduced to the five the page colours and /metrics count. */
enum snap_state {
	SNAP_ST_INIT,
	SNAP_ST_UP,
	SNAP_ST_DOWN,
	SNAP_ST_DRAIN,
	SNAP_ST_MAINT,
	SNAP_ST_COUNT,
};

/*
 * Where "UP 1/3" (failing, still up) and "DOWN 1/2" (recovering, still
 * down) stand: HAProxy shades these so a flapping server stands out.
 */
enum snap_trend {
	SNAP_TREND_STEADY,
	SNAP_TREND_GOING_DOWN,
	SNAP_TREND_GOING_UP,
};

enum snap_state snap_server_state(const struct snap_server *sv, enum snap_trend *trend);
const char *snap_state_name(enum snap_state st); /* "UP", "DOWN", "DRAIN", "MAINT", "INIT" */

/* Data-path counter names ("tx_new_flow") and help text, from RPILB_COUNTERS. */
const char *snap_counter_name(unsigned int idx);
const char *snap_counter_help(unsigned int idx);

enum snap_counter_kind {
	SNAP_CNT_TOTAL, /* PACKETS */
	SNAP_CNT_TX,
	SNAP_CNT_PASS,
	SNAP_CNT_DROP,
	SNAP_CNT_EVENT,
};

enum snap_counter_kind snap_counter_kind(unsigned int idx);

struct snap_backend_totals {
	uint64_t active_flows;
	uint64_t new_flows;
	uint64_t bytes_in, bytes_out;
	uint64_t packets_in, packets_out;
	uint64_t nat_fail;
	uint64_t weight; /* of the servers in rotation, as HAProxy's backend weight */
	double flow_rate;
};

void snap_backend_totals(const struct snap_backend *b, struct snap_backend_totals *t);

struct snap_frontend_totals {
	uint64_t new_flows;
	uint64_t no_backend;
	double flow_rate;
};

void snap_frontend_totals(const struct snap_frontend *f, struct snap_frontend_totals *t);

/* Server name of backend, or NULL. */
const struct snap_server *snap_find_server(const struct snapshot *s, const char *backend,
					   const char *name);

/* SYNs refused for want of a server, over the frontends that feed backend b. */
uint64_t snap_backend_no_server(const struct snapshot *s, const struct snap_backend *b);

/* "1.5 KiB", "512 B". */
void snap_fmt_bytes(char *buf, size_t len, uint64_t bytes);
/*
 * The one way a duration is shown as text, in every renderer: "950ms",
 * "45s", "3m07s", "2h05m", "4d03h" (two units at most, the second
 * truncated). JSON, CSV and /metrics keep exact numbers.
 */
void snap_fmt_duration(char *buf, size_t len, uint64_t ms);

#endif
