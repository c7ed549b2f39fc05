// SPDX-License-Identifier: GPL-2.0-only
/*
 * /metrics in the Prometheus text format 0.0.4. Names follow HAProxy's
 * exporter with rpilb_ for haproxy_, so a dashboard built for the seed's
 * HAProxy needs only its prefix changed; docs/stats.md has the mapping.
 * Every family gets its HELP and TYPE once, even when it has no series,
 * so the set of families does not depend on the configuration.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "stats/render.h"

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values escape backslash, double quote and newline: the format's only rules. */
static void label_value(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '"')
			fputs("\\\"", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void labels_proxy(FILE *out, const char *name, const char *proxy)
{
	fprintf(out, "%s{proxy=\"", name);
	label_value(out, proxy);
	fputs("\"", out);
}

static void labels_server(FILE *out, const char *name, const char *proxy, const char *server)
{
	labels_proxy(out, name, proxy);
	fputs(",server=\"", out);
	label_value(out, server);
	fputs("\"", out);
}

/* Milliseconds as exact decimal seconds: a double would print 0.1 as 0.10000000000000001. */
static void put_ms_as_s(FILE *out, uint64_t ms)
{
	fprintf(out, "%" PRIu64 ".%03u\n", ms / 1000, (unsigned int)(ms % 1000));
}

static void put_rate(FILE *out, double v)
{
	fprintf(out, "%.3f\n", isfinite(v) && v > 0 ? v : 0.0);
}

static void put_u64(FILE *out, uint64_t v)
{
	fprintf(out, "%" PRIu64 "\n", v);
}

/* --- server families: one table, so each is written the same way ------- */

enum srv_value {
	SV_CUR_SESSIONS,
	SV_SESSIONS,
	SV_RATE,
	SV_BYTES_IN,
	SV_BYTES_OUT,
	SV_CONN_ERRORS,
	SV_WEIGHT,
	SV_LAST_CHANGE,
	SV_CHECK_CODE,
	SV_CHECK_DURATION,
	SV_CHECK_FAILURES,
	SV_CHECK_UP_DOWN,
	SV_DOWNTIME,
};

enum srv_scope {
	SCOPE_ALL,
	SCOPE_CHECKED, /* servers with "check": HAProxy leaves these out for the others */
	SCOPE_CHECK_RESULT, /* and only once a check has completed */
};

struct srv_family {
	const char *name;
	const char *type;
	const char *help;
	enum srv_value value;
	enum srv_scope scope;
};

static const struct srv_family srv_families[] = {
	{ "rpilb_server_current_sessions", "gauge", "Current number of active flows.",
	  SV_CUR_SESSIONS, SCOPE_ALL },
	{ "rpilb_server_sessions_total", "counter", "Total number of flows opened.", SV_SESSIONS,
	  SCOPE_ALL },
	{ "rpilb_server_current_session_rate", "gauge",
	  "New flows per second over the last few seconds.", SV_RATE, SCOPE_ALL },
	{ "rpilb_server_bytes_in_total", "counter",
	  "Bytes from clients to this server (IPv4 packets, headers included).", SV_BYTES_IN,
	  SCOPE_ALL },
	{ "rpilb_server_bytes_out_total", "counter",
	  "Bytes from this server to clients (IPv4 packets, headers included).", SV_BYTES_OUT,
	  SCOPE_ALL },
	{ "rpilb_server_connection_errors_total", "counter",
	  "New flows lost for want of a free NAT port.", SV_CONN_ERRORS, SCOPE_ALL },
	{ "rpilb_server_weight", "gauge", "Server weight.", SV_WEIGHT, SCOPE_ALL },
	{ "rpilb_server_check_last_change_seconds", "gauge",
	  "How long ago the server entered its current state, in seconds.", SV_LAST_CHANGE,
	  SCOPE_ALL },
	{ "rpilb_server_check_code", "gauge",
	  "HTTP status of the last health check (0 if it got none).", SV_CHECK_CODE,
	  SCOPE_CHECK_RESULT },
	{ "rpilb_server_check_duration_seconds", "gauge",
	  "How long the last health check took, in seconds.", SV_CHECK_DURATION,
	  SCOPE_CHECK_RESULT },
	{ "rpilb_server_check_failures_total", "counter", "Total number of failed health checks.",
	  SV_CHECK_FAILURES, SCOPE_CHECKED },
	{ "rpilb_server_check_up_down_total", "counter",
	  "Total number of transitions from UP to DOWN.", SV_CHECK_UP_DOWN, SCOPE_CHECKED },
	{ "rpilb_server_downtime_seconds_total", "counter",
	  "Total time the server spent DOWN, in seconds.", SV_DOWNTIME, SCOPE_CHECKED },
};

static void put_srv_value(FILE *out, const struct snap_server *sv, enum srv_value v)
{
	switch (v) {
	case SV_CUR_SESSIONS:
		put_u64(out, sv->active_flows);
		break;
	case SV_SESSIONS:
		put_u64(out, sv->new_flows);
		break;
	case SV_RATE:
		put_rate(out, sv->flow_rate);
		break;
	case SV_BYTES_IN:
		put_u64(out, sv->bytes_in);
		break;
	case SV_BYTES_OUT:
		put_u64(out, sv->bytes_out);
		break;
	case SV_CONN_ERRORS:
		put_u64(out, sv->nat_fail);
		break;
	case SV_WEIGHT:
		put_u64(out, sv->weight);
		break;
	case SV_LAST_CHANGE:
		put_ms_as_s(out, sv->in_state_ms);
		break;
	case SV_CHECK_CODE:
		fprintf(out, "%d\n", sv->check_code);
		break;
	case SV_CHECK_DURATION:
		put_ms_as_s(out, sv->check_duration_ms);
		break;
	case SV_CHECK_FAILURES:
		put_u64(out, sv->check_failures);
		break;
	case SV_CHECK_UP_DOWN:
		put_u64(out, sv->up_down);
		break;
	case SV_DOWNTIME:
		put_ms_as_s(out, sv->downtime_ms);
		break;
	}
}

static bool in_scope(const struct snap_server *sv, enum srv_scope scope)
{
	switch (scope) {
	case SCOPE_ALL:
		return true;
	case SCOPE_CHECKED:
		return sv->checked;
	case SCOPE_CHECK_RESULT:
		return sv->checked && sv->check_result[0];
	}
	return false;
}

static void render_server_status(FILE *out, const struct snapshot *s)
{
	family(out, "rpilb_server_status", "gauge",
	       "Current state of the server: 1 for its state, 0 for the others "
	       "(UP 1/3 counts as UP, DOWN 1/2 as DOWN).");
	for (uint32_t i = 0; i < s->nbackends; i++) {
		const struct snap_backend *b = &s->backends[i];

		for (uint32_t j = 0; j < b->nservers; j++) {
			enum snap_state cur = snap_server_state(&b->servers[j], NULL);

			for (int st = 0; st < SNAP_ST_COUNT; st++) {
				labels_server(out, "rpilb_server_status", b->name,
					      b->servers[j].name);
				fprintf(out, ",state=\"%s\"} %d\n", snap_state_name(st),
					st == (int)cur);
			}
		}
	}
}

/* HAProxy's check status names that rpilb's checks can produce, plus INI and UNK. */
static const char *const check_states[] = {
	"UNK", "INI", "L4OK", "L4TOUT", "L4CON", "L7OK", "L7STS", "L7RSP", "L7TOUT",
};

#define N_CHECK_STATES (sizeof(check_states) / sizeof(check_states[0]))

static void render_check_status(FILE *out, const struct snapshot *s)
{
	family(out, "rpilb_server_check_status", "gauge",
	       "Result of the last health check: 1 for its result, 0 for the others.");
	for (uint32_t i = 0; i < s->nbackends; i++) {
		const struct snap_backend *b = &s->backends[i];

		for (uint32_t j = 0; j < b->nservers; j++) {
			const struct snap_server *sv = &b->servers[j];
			const char *cur = sv->check_result[0] ? sv->check_result : "INI";
			size_t k, found = 0;

			if (!sv->checked)
				continue;
			for (k = 1; k < N_CHECK_STATES; k++)
				if (!strcmp(cur, check_states[k]))
					found = k;
			for (k = 0; k < N_CHECK_STATES; k++) {
				labels_server(out, "rpilb_server_check_status", b->name, sv->name);
				fprintf(out, ",state=\"%s\"} %d\n", check_states[k], k == found);
			}
		}
	}
}

static void render_servers(FILE *out, const struct snapshot *s)
{
	render_server_status(out, s);
	for (size_t f = 0; f < sizeof(srv_families) / sizeof(srv_families[0]); f++) {
		const struct srv_family *fam = &srv_families[f];

		family(out, fam->name, fam->type, fam->help);
		for (uint32_t i = 0; i < s->nbackends; i++) {
			const struct snap_backend *b = &s->backends[i];

			for (uint32_t j = 0; j < b->nservers; j++) {
				if (!in_scope(&b->servers[j], fam->scope))
					continue;
				labels_server(out, fam->name, b->name, b->servers[j].name);
				fputs("} ", out);
				put_srv_value(out, &b->servers[j], fam->value);
			}
		}
	}
	render_check_status(out, s);
}

enum be_value {
	BE_ACTIVE_SERVERS,
	BE_CUR_SESSIONS,
	BE_SESSIONS,
	BE_BYTES_IN,
	BE_BYTES_OUT,
	BE_CONN_ERRORS,
	BE_WEIGHT,
};

static const struct be_family {
	const char *name;
	const char *type;
	const char *help;
	enum be_value value;
} be_families[] = {
	{ "rpilb_backend_active_servers", "gauge",
	  "Number of servers in rotation (getting new flows).", BE_ACTIVE_SERVERS },
	{ "rpilb_backend_current_sessions", "gauge", "Current number of active flows.",
	  BE_CUR_SESSIONS },
	{ "rpilb_backend_sessions_total", "counter", "Total number of flows opened.", BE_SESSIONS },
	{ "rpilb_backend_bytes_in_total", "counter", "Bytes from clients to the backend's servers.",
	  BE_BYTES_IN },
	{ "rpilb_backend_bytes_out_total", "counter",
	  "Bytes from the backend's servers to clients.", BE_BYTES_OUT },
	{ "rpilb_backend_connection_errors_total", "counter",
	  "New flows refused: no server in rotation, or no free NAT port.", BE_CONN_ERRORS },
	{ "rpilb_backend_weight", "gauge", "Total weight of the servers in rotation.", BE_WEIGHT },
};

static uint64_t be_value(const struct snapshot *s, const struct snap_backend *b, enum be_value v)
{
	struct snap_backend_totals t;

	snap_backend_totals(b, &t);
	switch (v) {
	case BE_ACTIVE_SERVERS:
		return b->active_servers;
	case BE_CUR_SESSIONS:
		return t.active_flows;
	case BE_SESSIONS:
		return t.new_flows;
	case BE_BYTES_IN:
		return t.bytes_in;
	case BE_BYTES_OUT:
		return t.bytes_out;
	case BE_CONN_ERRORS:
		return t.nat_fail + snap_backend_no_server(s, b);
	case BE_WEIGHT:
		return t.weight;
	}
	return 0;
}

static void render_backends(FILE *out, const struct snapshot *s)
{
	static const char *const states[] = { "UP", "DOWN" };

	family(out, "rpilb_backend_status", "gauge",
	       "Current state of the backend: UP while a server is in rotation.");
	for (uint32_t i = 0; i < s->nbackends; i++) {
		for (int k = 0; k < 2; k++) {
			labels_proxy(out, "rpilb_backend_status", s->backends[i].name);
			fprintf(out, ",state=\"%s\"} %d\n", states[k],
				(s->backends[i].active_servers > 0) == (k == 0));
		}
	}
	for (size_t f = 0; f < sizeof(be_families) / sizeof(be_families[0]); f++) {
		const struct be_family *fam = &be_families[f];

		family(out, fam->name, fam->type, fam->help);
		for (uint32_t i = 0; i < s->nbackends; i++) {
			labels_proxy(out, fam->name, s->backends[i].name);
			fputs("} ", out);
			put_u64(out, be_value(s, &s->backends[i], fam->value));
		}
	}
}

static void render_frontends(FILE *out, const struct snapshot *s)
{
	struct snap_frontend_totals t;

	family(out, "rpilb_frontend_sessions_total", "counter",
	       "Total number of flows opened through the frontend.");
	for (uint32_t i = 0; i < s->nfrontends; i++) {
		snap_frontend_totals(&s->frontends[i], &t);
		labels_proxy(out, "rpilb_frontend_sessions_total", s->frontends[i].name);
		fputs("} ", out);
		put_u64(out, t.new_flows);
	}
	family(out, "rpilb_frontend_no_server_total", "counter",
	       "SYNs refused because the backend had no server in rotation.");
	for (uint32_t i = 0; i < s->nfrontends; i++) {
		snap_frontend_totals(&s->frontends[i], &t);
		labels_proxy(out, "rpilb_frontend_no_server_total", s->frontends[i].name);
		fputs("} ", out);
		put_u64(out, t.no_backend);
	}
	family(out, "rpilb_frontend_current_session_rate", "gauge",
	       "New flows per second over the last few seconds.");
	for (uint32_t i = 0; i < s->nfrontends; i++) {
		snap_frontend_totals(&s->frontends[i], &t);
		labels_proxy(out, "rpilb_frontend_current_session_rate", s->frontends[i].name);
		fputs("} ", out);
		put_rate(out, t.flow_rate);
	}
}

/* Label value: the counter's name without the prefix that already names the family. */
static void counter_family(FILE *out, const struct snapshot *s, const char *name, const char *help,
			   const char *label, enum snap_counter_kind k1, enum snap_counter_kind k2,
			   size_t strip)
{
	family(out, name, "counter", help);
	for (unsigned int i = 0; i < RPILB_CNT_MAX; i++) {
		enum snap_counter_kind k = snap_counter_kind(i);

		if (k != k1 && k != k2)
			continue;
		fprintf(out, "%s{%s=\"%s\"} %" PRIu64 "\n", name, label,
			snap_counter_name(i) + strip, s->counters[i]);
	}
}

static void render_datapath(FILE *out, const struct snapshot *s)
{
	family(out, "rpilb_datapath_packets_seen_total", "counter",
	       "Every packet the eBPF program saw; the verdicts and drops add up to it.");
	fprintf(out, "rpilb_datapath_packets_seen_total %" PRIu64 "\n",
		s->counters[RPILB_CNT_PACKETS]);
	counter_family(
		out, s, "rpilb_datapath_packets_total",
		"Packets by verdict: tx_* forwarded by the program, pass_* left to the kernel.",
		"verdict", SNAP_CNT_TX, SNAP_CNT_PASS, 0);
	counter_family(out, s, "rpilb_datapath_drops_total", "Packets dropped, by reason.",
		       "reason", SNAP_CNT_DROP, SNAP_CNT_DROP, strlen("drop_"));
	counter_family(out, s, "rpilb_datapath_events_total",
		       "Data-path events that are not verdicts.", "event", SNAP_CNT_EVENT,
		       SNAP_CNT_EVENT, strlen("ev_"));

	family(out, "rpilb_flows", "gauge", "Entries in the flow table (open and closing flows).");
	fprintf(out, "rpilb_flows %u\n", s->flows);
	family(out, "rpilb_flows_capacity", "gauge", "Size of the flow table.");
	fprintf(out, "rpilb_flows_capacity %u\n", s->flow_capacity);
	family(out, "rpilb_flows_halfopen", "gauge", "Flows that saw a SYN but no ACK yet.");
	fprintf(out, "rpilb_flows_halfopen %u\n", s->halfopen);
	family(out, "rpilb_flows_expired_total", "counter",
	       "Flows removed from the table, by reason.");
	fprintf(out,
		"rpilb_flows_expired_total{reason=\"halfopen\"} %" PRIu64 "\n"
		"rpilb_flows_expired_total{reason=\"idle\"} %" PRIu64 "\n"
		"rpilb_flows_expired_total{reason=\"closed\"} %" PRIu64 "\n"
		"rpilb_flows_expired_total{reason=\"orphan\"} %" PRIu64 "\n",
		s->expired_halfopen, s->expired_idle, s->expired_closed, s->expired_orphan);
}

int render_metrics(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	static const struct render_opts defaults;

	if (!o)
		o = &defaults;
	family(out, "rpilb_build_info", "gauge", "Build information: always 1.");
	if (o->hide_version) {
		fputs("rpilb_build_info 1\n", out);
	} else {
		fputs("rpilb_build_info{version=\"", out);
		label_value(out, s->version);
		fputs("\"} 1\n", out);
	}
	family(out, "rpilb_uptime_seconds", "gauge", "How long the daemon has been running.");
	fputs("rpilb_uptime_seconds ", out);
	put_ms_as_s(out, s->uptime_ms);
	render_frontends(out, s);
	render_backends(out, s);
	render_servers(out, s);
	render_datapath(out, s);
	return ferror(out) ? -EIO : 0;
}
