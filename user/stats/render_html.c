// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stats page: what HAProxy's page on :1936 shows a Pi owner, readable
 * at a glance. Plain HTML and inline CSS: the page is served with a CSP
 * that forbids scripts, and must work in any browser on the LAN.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "stats/render.h"
#include "lib/util.h"

/* Every string from the config or the runtime goes through here: names are operator input. */
static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static const char css[] =
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:1em 1.5em;"
	"color:#222;background:#f7f7f5}\n"
	"h1{font-size:1.5em;margin:0 0 .2em}\n"
	"h1 small{font-size:.6em;color:#666;font-weight:normal}\n"
	"h2{font-size:1.1em;margin:1.4em 0 .3em}h2 small{font-weight:normal;color:#555}\n"
	"h3{font-size:1em;margin:1em 0 .3em}\n"
	"p{margin:.2em 0}a{color:#1d4e89}\n"
	"table{border-collapse:collapse;background:#fff;margin:.2em 0 .6em;font-size:13px}\n"
	"th,td{border:1px solid #c8c8c8;padding:2px 6px;text-align:right;white-space:nowrap}\n"
	".dp{display:flex;flex-wrap:wrap;gap:0 1.5em;align-items:flex-start}\n"
	"th{background:#36597d;color:#fff;font-weight:600}\n"
	"th.l,td.l{text-align:left}td.help{text-align:left;white-space:normal;color:#555}\n"
	"tr.total td{font-weight:bold;background:#e8edf3}\n"
	".muted{color:#888}.zero{color:#aaa}\n"
	".st{text-align:center;font-weight:600}\n"
	".st-up{background:#7ccf7c}\n"
	".st-up-going-down{background:linear-gradient(90deg,#c3eaa8,#f5ad5b)}\n"
	".st-down{background:#ea6b6b}\n"
	".st-down-going-up{background:linear-gradient(90deg,#f4a5a5,#f3e07a)}\n"
	".st-drain{background:#85aef0}\n"
	".st-maint{background:#b59a7a}\n"
	".st-init{background:#cfcfcf}\n"
	".legend span{display:inline-block;padding:1px 8px;margin-right:4px;"
	"border:1px solid #bbb}\n"
	"footer{margin-top:1.5em;color:#666;font-size:.9em}\n";

static const char *state_class(enum snap_state st, enum snap_trend trend)
{
	switch (st) {
	case SNAP_ST_UP:
		return trend == SNAP_TREND_GOING_DOWN ? "st-up-going-down" : "st-up";
	case SNAP_ST_DOWN:
		return trend == SNAP_TREND_GOING_UP ? "st-down-going-up" : "st-down";
	case SNAP_ST_DRAIN:
		return "st-drain";
	case SNAP_ST_MAINT:
		return "st-maint";
	case SNAP_ST_INIT:
	case SNAP_ST_COUNT:
		break;
	}
	return "st-init";
}

static void td_u64(FILE *out, uint64_t v)
{
	fprintf(out, v ? "<td>%" PRIu64 "</td>" : "<td class=\"zero\">%" PRIu64 "</td>", v);
}

static void td_rate(FILE *out, double r)
{
	fprintf(out, r > 0 ? "<td>%.1f</td>" : "<td class=\"zero\">%.1f</td>", r);
}

static void td_bytes(FILE *out, uint64_t v)
{
	char b[32];

	snap_fmt_bytes(b, sizeof(b), v);
	fprintf(out, "<td title=\"%" PRIu64 " bytes\">%s</td>", v, b);
}

static void td_duration(FILE *out, uint64_t ms)
{
	char b[32];

	snap_fmt_duration(b, sizeof(b), ms);
	fprintf(out, "<td>%s</td>", b);
}

static void render_head(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	const char *uri = o->uri && *o->uri ? o->uri : "/";
	char up[32], when[40] = "";
	time_t now = (time_t)s->now_unix;
	struct tm tm;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", out);
	fputs("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n", out);
	if (o->refresh_s)
		fprintf(out, "<meta http-equiv=\"refresh\" content=\"%u\">\n", o->refresh_s);
	fputs("<title>rpilb stats: ", out);
	esc(out, s->hostname);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>rpilb", css);
	if (!o->hide_version) {
		fputs(" <small>", out);
		esc(out, s->version);
		fputs("</small>", out);
	}
	fputs("</h1>\n<p>Host <b>", out);
	esc(out, s->hostname);
	snap_fmt_duration(up, sizeof(up), s->uptime_ms);
	fprintf(out, "</b>, pid %d, up %s.\n", s->pid, up);
	fputs("Interface <b>", out);
	esc(out, s->interface);
	fputs("</b>, attach mode <b>", out);
	esc(out, s->mode);
	fputs("</b>", out);
	if (s->mode_reason[0]) {
		fputs(" (", out);
		esc(out, s->mode_reason);
		fputs(")", out);
	}
	fprintf(out, ". Flow table <b>%u / %u</b>", s->flows, s->flow_capacity);
	if (s->flow_capacity)
		fprintf(out, " (%.1f%%)", 100.0 * s->flows / s->flow_capacity);
	fputs(".</p>\n<p>Export: <a href=\"", out);
	esc(out, uri);
	fputs(";csv\">CSV</a> &middot; <a href=\"", out);
	esc(out, uri);
	fputs(";json\">JSON</a> &middot; <a href=\"/metrics\">Prometheus</a>.", out);
	if (o->refresh_s)
		fprintf(out, " Refreshes every %u s.", o->refresh_s);
	if (gmtime_r(&now, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(out, " Taken at %s.</p>\n</header>\n", when);
}

static void render_frontend(FILE *out, const struct snap_frontend *f)
{
	uint32_t n = f->nbinds < ARRAY_SIZE(f->binds) ? f->nbinds : ARRAY_SIZE(f->binds);
	struct snap_frontend_totals t;

	fputs("<h2>Frontend ", out);
	esc(out, f->name);
	fputs(" <small>&rarr; backend ", out);
	esc(out, f->backend);
	fputs("</small></h2>\n<table>\n<tr><th class=\"l\">Bind</th><th>New flows</th>"
	      "<th title=\"SYNs refused because no server was in rotation\">Refused: no server</th>"
	      "<th>Rate/s</th></tr>\n",
	      out);
	for (uint32_t i = 0; i < n; i++) {
		const struct snap_bind *b = &f->binds[i];

		fputs("<tr><td class=\"l\">", out);
		esc(out, b->address);
		fprintf(out, ":%u</td>", b->port);
		td_u64(out, b->new_flows);
		td_u64(out, b->no_backend);
		td_rate(out, b->flow_rate);
		fputs("</tr>\n", out);
	}
	snap_frontend_totals(f, &t);
	fputs("<tr class=\"total\"><td class=\"l\">Total</td>", out);
	td_u64(out, t.new_flows);
	td_u64(out, t.no_backend);
	td_rate(out, t.flow_rate);
	fputs("</tr>\n</table>\n", out);
}

static void render_check_cells(FILE *out, const struct snap_server *sv)
{
	char ago[32], took[32];

	if (!sv->checked) {
		fputs("<td class=\"l muted\" colspan=\"2\">no check</td>", out);
		return;
	}
	if (!sv->check_result[0]) {
		fputs("<td class=\"l muted\">", out);
		esc(out, sv->check_desc[0] ? sv->check_desc : "Initializing");
		fputs("</td>", out);
	} else {
		/* HAProxy's "L7OK/200 in 3ms", with its words for the result on hover. */
		fputs("<td class=\"l\" title=\"", out);
		esc(out, sv->check_desc);
		fputs("\">", out);
		esc(out, sv->check_result);
		if (sv->check_code)
			fprintf(out, "/%d", sv->check_code);
		snap_fmt_duration(took, sizeof(took), sv->check_duration_ms);
		fprintf(out, " in %s</td>", took);
	}
	if (sv->check_age_ms < 0) {
		fputs("<td class=\"muted\">never</td>", out);
	} else {
		snap_fmt_duration(ago, sizeof(ago), (uint64_t)sv->check_age_ms);
		fprintf(out, "<td>%s ago</td>", ago);
	}
}

static void render_server(FILE *out, const struct snap_server *sv)
{
	enum snap_trend trend;
	enum snap_state st = snap_server_state(sv, &trend);
	char addr[48];

	fputs("<tr><td class=\"l\">", out);
	esc(out, sv->name);
	if (sv->runtime)
		fputs(" <span class=\"muted\" title=\"added with add-node\">*</span>", out);
	fputs("</td><td class=\"l\">", out);
	snap_server_endpoint(sv, addr, sizeof(addr));
	esc(out, addr);
	fputs("</td>", out);
	fprintf(out, "<td class=\"st %s\">", state_class(st, trend));
	esc(out, sv->state[0] ? sv->state : snap_state_name(st));
	fputs("</td>", out);
	fprintf(out, "<td>%u</td>", sv->weight);
	td_u64(out, sv->active_flows);
	td_u64(out, sv->new_flows);
	td_rate(out, sv->flow_rate);
	td_bytes(out, sv->bytes_in);
	td_bytes(out, sv->bytes_out);
	render_check_cells(out, sv);
	td_duration(out, sv->in_state_ms);
	if (sv->checked) {
		td_duration(out, sv->downtime_ms);
		td_u64(out, sv->check_failures);
		td_u64(out, sv->up_down);
	} else {
		fputs("<td></td><td></td><td></td>", out);
	}
	td_u64(out, sv->nat_fail);
	fputs("<td class=\"l\">", out);
	esc(out, sv->check_detail);
	fputs("</td></tr>\n", out);
}

static void render_backend(FILE *out, const struct snapshot *s, const struct snap_backend *b)
{
	struct snap_backend_totals t;
	bool up = b->active_servers > 0;

	fputs("<h2>Backend ", out);
	esc(out, b->name);
	fputs(" <small>", out);
	esc(out, b->balance);
	fprintf(out, ", %u of %u servers in rotation</small></h2>\n", b->active_servers,
		b->nservers);
	fputs("<table>\n<tr><th class=\"l\">Server</th><th class=\"l\">Address</th>"
	      "<th>State</th><th>Weight</th>"
	      "<th title=\"open flows now\">Active</th><th title=\"flows opened\">Total</th>"
	      "<th title=\"new flows per second\">Rate/s</th>"
	      "<th title=\"client to server\">Bytes in</th>"
	      "<th title=\"server to client\">Bytes out</th>"
	      "<th class=\"l\">Last check</th><th>Checked</th>"
	      "<th title=\"time in the current state\">In state</th><th>Downtime</th>"
	      "<th title=\"failed checks\">Fails</th>"
	      "<th title=\"transitions from UP to DOWN\">Downs</th>"
	      "<th title=\"new flows lost for want of a free NAT port\">NAT fail</th>"
	      "<th class=\"l\">Check detail</th></tr>\n",
	      out);
	for (uint32_t i = 0; i < b->nservers; i++)
		render_server(out, &b->servers[i]);
	snap_backend_totals(b, &t);
	fprintf(out,
		"<tr class=\"total\"><td class=\"l\">Backend</td><td></td>"
		"<td class=\"st %s\">%s</td><td>%" PRIu64 "</td>",
		up ? "st-up" : "st-down", up ? "UP" : "DOWN", t.weight);
	td_u64(out, t.active_flows);
	td_u64(out, t.new_flows);
	td_rate(out, t.flow_rate);
	td_bytes(out, t.bytes_in);
	td_bytes(out, t.bytes_out);
	fputs("<td colspan=\"6\"></td>", out);
	td_u64(out, t.nat_fail);
	fprintf(out, "<td class=\"l\">%" PRIu64 " refused: no server</td></tr>\n</table>\n",
		snap_backend_no_server(s, b));
}

static void counter_table(FILE *out, const struct snapshot *s, const char *title,
			  enum snap_counter_kind k1, enum snap_counter_kind k2, bool share)
{
	uint64_t total = s->counters[RPILB_CNT_PACKETS];

	fprintf(out,
		"<section>\n<h3>%s</h3>\n<table>\n<tr><th class=\"l\">Counter</th><th>Count</th>%s"
		"<th class=\"l\">Meaning</th></tr>\n",
		title, share ? "<th>Share</th>" : "");
	for (unsigned int i = 0; i < RPILB_CNT_MAX; i++) {
		enum snap_counter_kind k = snap_counter_kind(i);
		uint64_t v = s->counters[i];

		if (k != k1 && k != k2)
			continue;
		fprintf(out, "<tr><td class=\"l\">%s</td>", snap_counter_name(i));
		td_u64(out, v);
		if (share)
			fprintf(out, "<td>%.1f%%</td>", total ? 100.0 * v / total : 0.0);
		fputs("<td class=\"help\">", out);
		esc(out, snap_counter_help(i));
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n</section>\n", out);
}

static void flow_row(FILE *out, const char *what, uint64_t v)
{
	fprintf(out, "<tr><td class=\"l\">%s</td>", what);
	td_u64(out, v);
	fputs("</tr>\n", out);
}

static void render_datapath(FILE *out, const struct snapshot *s)
{
	fputs("<h2>Data path <small>(eBPF program, summed over every CPU)</small></h2>\n"
	      "<div class=\"dp\">\n<section>\n<h3>Flow table</h3>\n<table>\n",
	      out);
	fprintf(out,
		"<tr><td class=\"l\">Flows (open and closing)</td><td>%u / %u (%.1f%%)</td>"
		"</tr>\n",
		s->flows, s->flow_capacity,
		s->flow_capacity ? 100.0 * s->flows / s->flow_capacity : 0.0);
	flow_row(out, "Half-open (SYN seen, no ACK yet)", s->halfopen);
	flow_row(out, "Non-SYN misses (no flow: the kernel resets them)",
		 s->counters[RPILB_CNT_PASS_NOSYN_MISS]);
	flow_row(out, "NAT port failures (no free port)",
		 s->counters[RPILB_CNT_DROP_NAT_EXHAUSTED]);
	flow_row(out, "Expired: half-open", s->expired_halfopen);
	flow_row(out, "Expired: idle", s->expired_idle);
	flow_row(out, "Expired: closed", s->expired_closed);
	flow_row(out, "Expired: orphan", s->expired_orphan);
	fputs("</table>\n</section>\n", out);
	counter_table(out, s, "Packets by verdict: forwarded", SNAP_CNT_TOTAL, SNAP_CNT_TX, true);
	counter_table(out, s, "Packets by verdict: passed to the kernel", SNAP_CNT_PASS,
		      SNAP_CNT_PASS, true);
	counter_table(out, s, "Drops by reason", SNAP_CNT_DROP, SNAP_CNT_DROP, true);
	counter_table(out, s, "Events", SNAP_CNT_EVENT, SNAP_CNT_EVENT, false);
	fputs("</div>\n", out);
}

static void render_legend(FILE *out)
{
	fputs("<footer>\n<p class=\"legend\">"
	      "<span class=\"st-up\">UP</span>"
	      "<span class=\"st-up-going-down\">UP, going down</span>"
	      "<span class=\"st-down-going-up\">DOWN, going up</span>"
	      "<span class=\"st-down\">DOWN</span>"
	      "<span class=\"st-drain\">DRAIN</span>"
	      "<span class=\"st-maint\">MAINT</span>"
	      "<span class=\"st-init\">INIT (not checked yet)</span></p>\n"
	      "<p>Flows are TCP connections, balanced one by one in the kernel; "
	      "* marks a server added with add-node.</p>\n</footer>\n",
	      out);
}

int render_stats_html(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	static const struct render_opts defaults;

	if (!o)
		o = &defaults;
	render_head(out, s, o);
	fputs("<main>\n", out);
	for (uint32_t i = 0; i < s->nfrontends; i++)
		render_frontend(out, &s->frontends[i]);
	for (uint32_t i = 0; i < s->nbackends; i++)
		render_backend(out, s, &s->backends[i]);
	render_datapath(out, s);
	fputs("</main>\n", out);
	render_legend(out);
	fputs("</body>\n</html>\n", out);
	return ferror(out) ? -EIO : 0;
}
