// SPDX-License-Identifier: GPL-2.0-only
/* "rpilbctl stats": the stats page's numbers as a table for a terminal. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "stats/render.h"
#include "lib/util.h"

/*
 * Names come from the config and add-node: never let one carry a terminal
 * escape sequence onto the operator's screen. Pads to width like %-*s.
 */
static void put_clean(FILE *out, const char *s, int width)
{
	int n = 0;

	for (; s && *s; s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
	for (; n < width; n++)
		fputc(' ', out);
}

static void text_header(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	char up[32];

	snap_fmt_duration(up, sizeof(up), s->uptime_ms);
	fputs("rpilb ", out);
	if (!o->hide_version) {
		put_clean(out, s->version, 0);
		fputc(' ', out);
	}
	fputs("on ", out);
	put_clean(out, s->hostname, 0);
	fputs(", ", out);
	put_clean(out, s->interface, 0);
	fputs(" (", out);
	put_clean(out, s->mode, 0);
	if (s->mode_reason[0]) {
		fputs(": ", out);
		put_clean(out, s->mode_reason, 0);
	}
	fprintf(out, "), up %s, pid %d\n", up, s->pid);
	fprintf(out, "flows %u/%u", s->flows, s->flow_capacity);
	if (s->flow_capacity)
		fprintf(out, " (%.1f%%)", 100.0 * s->flows / s->flow_capacity);
	fprintf(out,
		", half-open %u; expired: half-open %" PRIu64 ", idle %" PRIu64 ", closed %" PRIu64
		", orphan %" PRIu64 "\n",
		s->halfopen, s->expired_halfopen, s->expired_idle, s->expired_closed,
		s->expired_orphan);
}

static void text_frontend(FILE *out, const struct snap_frontend *f)
{
	uint32_t n = f->nbinds < ARRAY_SIZE(f->binds) ? f->nbinds : ARRAY_SIZE(f->binds);
	char bind[48];

	fputs("\nfrontend ", out);
	put_clean(out, f->name, 0);
	fputs(" -> ", out);
	put_clean(out, f->backend, 0);
	fprintf(out, "\n  %-22s %12s %10s %8s\n", "BIND", "NEW FLOWS", "NO SERVER", "RATE/S");
	for (uint32_t i = 0; i < n; i++) {
		const struct snap_bind *b = &f->binds[i];

		snprintf(bind, sizeof(bind), "%s:%u", b->address, b->port);
		fputs("  ", out);
		put_clean(out, bind, 22);
		fprintf(out, " %12" PRIu64 " %10" PRIu64 " %8.1f\n", b->new_flows, b->no_backend,
			b->flow_rate);
	}
}

static void text_check(FILE *out, const struct snap_server *sv)
{
	char ago[32], took[32];

	if (!sv->checked) {
		fputs("no check", out);
		return;
	}
	if (!sv->check_result[0]) {
		fputs("not yet", out);
		return;
	}
	put_clean(out, sv->check_result, 0);
	if (sv->check_code)
		fprintf(out, " %d", sv->check_code);
	snap_fmt_duration(took, sizeof(took), sv->check_duration_ms);
	fprintf(out, " %s", took);
	if (sv->check_age_ms >= 0) {
		snap_fmt_duration(ago, sizeof(ago), (uint64_t)sv->check_age_ms);
		fprintf(out, ", %s ago", ago);
	}
	if (sv->check_detail[0] && strcmp(sv->check_result, "L7OK") &&
	    strcmp(sv->check_result, "L4OK")) {
		fputs(" (", out);
		put_clean(out, sv->check_detail, 0);
		fputc(')', out);
	}
}

static void text_backend(FILE *out, const struct snap_backend *b)
{
	char in[32], outb[32], st[32];

	fputs("\nbackend ", out);
	put_clean(out, b->name, 0);
	fputs(" (", out);
	put_clean(out, b->balance, 0);
	fprintf(out, ", %u/%u servers in rotation)\n", b->active_servers, b->nservers);
	fprintf(out, "  %-16s %-12s %6s %7s %10s %7s %10s %10s  %8s  %s\n", "SERVER", "STATE",
		"WEIGHT", "ACTIVE", "TOTAL", "RATE/S", "BYTES IN", "BYTES OUT", "IN STATE",
		"LAST CHECK");
	for (uint32_t i = 0; i < b->nservers; i++) {
		const struct snap_server *sv = &b->servers[i];

		snap_fmt_bytes(in, sizeof(in), sv->bytes_in);
		snap_fmt_bytes(outb, sizeof(outb), sv->bytes_out);
		snap_fmt_duration(st, sizeof(st), sv->in_state_ms);
		fputs("  ", out);
		put_clean(out, sv->name, 16);
		fputc(' ', out);
		put_clean(out,
			  sv->state[0] ? sv->state : snap_state_name(snap_server_state(sv, NULL)),
			  12);
		fprintf(out, " %6u %7u %10" PRIu64 " %7.1f %10s %10s  %8s  ", sv->weight,
			sv->active_flows, sv->new_flows, sv->flow_rate, in, outb, st);
		text_check(out, sv);
		fputc('\n', out);
	}
}

static void text_counters(FILE *out, const struct snapshot *s, bool all)
{
	fprintf(out, "\ndata path (%s)\n", all ? "all counters" : "non-zero counters");
	for (unsigned int i = 0; i < RPILB_CNT_MAX; i++) {
		if (!all && !s->counters[i])
			continue;
		fprintf(out, "  %-22s %14" PRIu64 "  %s\n", snap_counter_name(i), s->counters[i],
			snap_counter_help(i));
	}
}

int render_stats_text(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	static const struct render_opts defaults;

	if (!o)
		o = &defaults;
	text_header(out, s, o);
	for (uint32_t i = 0; i < s->nfrontends; i++)
		text_frontend(out, &s->frontends[i]);
	for (uint32_t i = 0; i < s->nbackends; i++)
		text_backend(out, &s->backends[i]);
	text_counters(out, s, o->all);
	return ferror(out) ? -EIO : 0;
}
