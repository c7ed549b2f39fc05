// SPDX-License-Identifier: GPL-2.0-only
/*
 * HAProxy's ";csv" export, so scripts and dashboards written for the seed's
 * HAProxy read rpilb unchanged: HAProxy 2.6's columns in HAProxy's order up
 * to conn_tot, a trailing comma on every line as HAProxy writes it, and an
 * empty field wherever rpilb has no such number.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/render.h"
#include "lib/util.h"

#define CSV_COLUMNS(X)                                                                             \
	X(pxname)                                                                                  \
	X(svname)                                                                                  \
	X(qcur)                                                                                    \
	X(qmax)                                                                                    \
	X(scur)                                                                                    \
	X(smax)                                                                                    \
	X(slim)                                                                                    \
	X(stot)                                                                                    \
	X(bin)                                                                                     \
	X(bout)                                                                                    \
	X(dreq)                                                                                    \
	X(dresp)                                                                                   \
	X(ereq)                                                                                    \
	X(econ)                                                                                    \
	X(eresp)                                                                                   \
	X(wretr)                                                                                   \
	X(wredis)                                                                                  \
	X(status)                                                                                  \
	X(weight)                                                                                  \
	X(act)                                                                                     \
	X(bck)                                                                                     \
	X(chkfail)                                                                                 \
	X(chkdown)                                                                                 \
	X(lastchg)                                                                                 \
	X(downtime)                                                                                \
	X(qlimit)                                                                                  \
	X(pid)                                                                                     \
	X(iid)                                                                                     \
	X(sid)                                                                                     \
	X(throttle)                                                                                \
	X(lbtot)                                                                                   \
	X(tracked)                                                                                 \
	X(type)                                                                                    \
	X(rate)                                                                                    \
	X(rate_lim)                                                                                \
	X(rate_max)                                                                                \
	X(check_status)                                                                            \
	X(check_code)                                                                              \
	X(check_duration)                                                                          \
	X(hrsp_1xx)                                                                                \
	X(hrsp_2xx)                                                                                \
	X(hrsp_3xx)                                                                                \
	X(hrsp_4xx)                                                                                \
	X(hrsp_5xx)                                                                                \
	X(hrsp_other)                                                                              \
	X(hanafail)                                                                                \
	X(req_rate)                                                                                \
	X(req_rate_max)                                                                            \
	X(req_tot)                                                                                 \
	X(cli_abrt)                                                                                \
	X(srv_abrt)                                                                                \
	X(comp_in)                                                                                 \
	X(comp_out)                                                                                \
	X(comp_byp)                                                                                \
	X(comp_rsp)                                                                                \
	X(lastsess)                                                                                \
	X(last_chk)                                                                                \
	X(last_agt)                                                                                \
	X(qtime)                                                                                   \
	X(ctime)                                                                                   \
	X(rtime)                                                                                   \
	X(ttime)                                                                                   \
	X(agent_status)                                                                            \
	X(agent_code)                                                                              \
	X(agent_duration)                                                                          \
	X(check_desc)                                                                              \
	X(agent_desc)                                                                              \
	X(check_rise)                                                                              \
	X(check_fall)                                                                              \
	X(check_health)                                                                            \
	X(agent_rise)                                                                              \
	X(agent_fall)                                                                              \
	X(agent_health)                                                                            \
	X(addr)                                                                                    \
	X(cookie)                                                                                  \
	X(mode)                                                                                    \
	X(algo)                                                                                    \
	X(conn_rate)                                                                               \
	X(conn_rate_max)                                                                           \
	X(conn_tot)

enum csv_col {
#define X_ENUM(name) COL_##name,
	CSV_COLUMNS(X_ENUM)
#undef X_ENUM
		COL_MAX
};

#define X_HDR(name) #name ","
const char stats_csv_header[] = "# " CSV_COLUMNS(X_HDR);
#undef X_HDR

#define CSV_FIELD_MAX 128

/* One line's fields; unset ones print empty, as HAProxy's do. */
struct csv_row {
	char f[COL_MAX][CSV_FIELD_MAX];
};

static void set_str(struct csv_row *r, enum csv_col c, const char *s)
{
	str_copy(r->f[c], s ? s : "", CSV_FIELD_MAX);
}

static void set_u64(struct csv_row *r, enum csv_col c, uint64_t v)
{
	snprintf(r->f[c], CSV_FIELD_MAX, "%" PRIu64, v);
}

static void set_i64(struct csv_row *r, enum csv_col c, int64_t v)
{
	snprintf(r->f[c], CSV_FIELD_MAX, "%" PRId64, v);
}

/* HAProxy reports rates as whole sessions per second. */
static void set_rate(struct csv_row *r, enum csv_col c, double v)
{
	/* Rounded by hand: the Makefile does not link libm. */
	set_u64(r, c, v > 0 && isfinite(v) && v < 1e18 ? (uint64_t)(v + 0.5) : 0);
}

/* RFC 4180 quoting, only when a field needs it: HAProxy's names never do, ours may. */
static void put_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void put_row(FILE *out, const struct csv_row *r)
{
	for (int c = 0; c < COL_MAX; c++) {
		put_field(out, r->f[c]);
		fputc(',', out);
	}
	fputc('\n', out);
}

static void frontend_row(FILE *out, const struct snapshot *s, const struct snap_frontend *f,
			 uint32_t iid, struct csv_row *r)
{
	struct snap_frontend_totals t;

	snap_frontend_totals(f, &t);
	memset(r, 0, sizeof(*r));
	set_str(r, COL_pxname, f->name);
	set_str(r, COL_svname, "FRONTEND");
	set_u64(r, COL_stot, t.new_flows);
	set_str(r, COL_status, "OPEN");
	set_i64(r, COL_pid, s->pid);
	set_u64(r, COL_iid, iid);
	set_u64(r, COL_sid, 0);
	set_u64(r, COL_type, 0);
	set_rate(r, COL_rate, t.flow_rate);
	set_str(r, COL_mode, "tcp");
	set_rate(r, COL_conn_rate, t.flow_rate);
	set_u64(r, COL_conn_tot, t.new_flows);
	put_row(out, r);
}

static const char *server_status(const struct snap_server *sv)
{
	enum snap_state st = snap_server_state(sv, NULL);

	/* HAProxy's words: an unchecked server in rotation is "no check". */
	if (!sv->checked && st == SNAP_ST_UP)
		return "no check";
	if (st == SNAP_ST_UP || st == SNAP_ST_DOWN)
		return sv->state[0] ? sv->state : snap_state_name(st);
	return snap_state_name(st);
}

static void server_row(FILE *out, const struct snapshot *s, const struct snap_backend *b,
		       const struct snap_server *sv, uint32_t iid, uint32_t sid, struct csv_row *r)
{
	char addr[48];

	memset(r, 0, sizeof(*r));
	set_str(r, COL_pxname, b->name);
	set_str(r, COL_svname, sv->name);
	set_u64(r, COL_qcur, 0);
	set_u64(r, COL_scur, sv->active_flows);
	set_u64(r, COL_stot, sv->new_flows);
	set_u64(r, COL_bin, sv->bytes_in);
	set_u64(r, COL_bout, sv->bytes_out);
	set_u64(r, COL_econ, sv->nat_fail);
	set_str(r, COL_status, server_status(sv));
	set_u64(r, COL_weight, sv->weight);
	/* act/bck are roles, not health: rpilb has no backup servers. */
	set_u64(r, COL_act, 1);
	set_u64(r, COL_bck, 0);
	if (sv->checked) {
		set_u64(r, COL_chkfail, sv->check_failures);
		set_u64(r, COL_chkdown, sv->up_down);
		set_u64(r, COL_downtime, sv->downtime_ms / 1000);
	}
	set_u64(r, COL_lastchg, sv->in_state_ms / 1000);
	set_i64(r, COL_pid, s->pid);
	set_u64(r, COL_iid, iid);
	set_u64(r, COL_sid, sid);
	set_u64(r, COL_lbtot, sv->new_flows);
	set_u64(r, COL_type, 2);
	set_rate(r, COL_rate, sv->flow_rate);
	if (sv->checked) {
		set_str(r, COL_check_status, sv->check_result[0] ? sv->check_result : "INI");
		if (sv->check_code)
			set_i64(r, COL_check_code, sv->check_code);
		if (sv->check_result[0])
			set_u64(r, COL_check_duration, sv->check_duration_ms);
		set_str(r, COL_last_chk, sv->check_detail);
		set_str(r, COL_check_desc, sv->check_desc);
	}
	snap_server_endpoint(sv, addr, sizeof(addr));
	set_str(r, COL_addr, addr);
	set_str(r, COL_mode, "tcp");
	put_row(out, r);
}

static void backend_row(FILE *out, const struct snapshot *s, const struct snap_backend *b,
			uint32_t iid, struct csv_row *r)
{
	struct snap_backend_totals t;
	uint64_t chkdown = 0;
	bool up = b->active_servers > 0;

	/*
	 * downtime and lastchg stay empty: rpilb does not track the time the
	 * backend as a whole had no server, and a sum of server outages is not it.
	 */
	snap_backend_totals(b, &t);
	for (uint32_t i = 0; i < b->nservers; i++)
		chkdown += b->servers[i].up_down;
	memset(r, 0, sizeof(*r));
	set_str(r, COL_pxname, b->name);
	set_str(r, COL_svname, "BACKEND");
	set_u64(r, COL_qcur, 0);
	set_u64(r, COL_scur, t.active_flows);
	set_u64(r, COL_stot, t.new_flows);
	set_u64(r, COL_bin, t.bytes_in);
	set_u64(r, COL_bout, t.bytes_out);
	/* HAProxy counts "no server available" as the backend's own connection error. */
	set_u64(r, COL_econ, t.nat_fail + snap_backend_no_server(s, b));
	set_str(r, COL_status, up ? "UP" : "DOWN");
	set_u64(r, COL_weight, t.weight);
	set_u64(r, COL_act, b->active_servers);
	set_u64(r, COL_bck, 0);
	set_u64(r, COL_chkdown, chkdown);
	set_i64(r, COL_pid, s->pid);
	set_u64(r, COL_iid, iid);
	set_u64(r, COL_sid, 0);
	set_u64(r, COL_lbtot, t.new_flows);
	set_u64(r, COL_type, 1);
	set_rate(r, COL_rate, t.flow_rate);
	set_str(r, COL_mode, "tcp");
	set_str(r, COL_algo, b->balance);
	put_row(out, r);
}

int render_stats_csv(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	struct csv_row *r = calloc(1, sizeof(*r));
	uint32_t iid = 1;
	int ret = 0;

	(void)o;
	if (!r)
		return -ENOMEM;
	fprintf(out, "%s\n", stats_csv_header);
	/* iid numbers proxies as HAProxy does: frontends and backends share one sequence. */
	for (uint32_t i = 0; i < s->nfrontends; i++)
		frontend_row(out, s, &s->frontends[i], iid++, r);
	for (uint32_t i = 0; i < s->nbackends; i++, iid++) {
		const struct snap_backend *b = &s->backends[i];

		for (uint32_t j = 0; j < b->nservers; j++)
			server_row(out, s, b, &b->servers[j], iid, j + 1, r);
		backend_row(out, s, b, iid, r);
	}
	if (ferror(out))
		ret = -EIO;
	free(r);
	return ret;
}
