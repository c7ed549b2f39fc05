// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the stats renderers (user/render_*.c, user/stats/snapshot.c):
 * hand-built snapshots like the seed's (one frontend, one backend, three
 * Pis) with hostile names, and exact text out: HTML escaping and colours,
 * HAProxy's CSV columns, JSON that parses, metrics that promtool accepts.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>

#include "rendertest.h"

#define EVIL_FE	 "fe<i>\"&'"
#define EVIL_BE	 "<b>evil&\"'"
#define EVIL_SRV "pi<03>&\"'\\"
#define VERSION	 "9.8.7-test"

/* --- fixtures --------------------------------------------------------------- */

static void set_server(struct snap_server *sv, const char *name, const char *addr,
		       const char *state, const char *result, int code)
{
	snprintf(sv->name, sizeof(sv->name), "%s", name);
	snprintf(sv->address, sizeof(sv->address), "%s", addr);
	sv->port = 8000;
	snprintf(sv->state, sizeof(sv->state), "%s", state);
	snprintf(sv->admin, sizeof(sv->admin), "ready");
	sv->up = !strncmp(state, "UP", 2);
	sv->in_rotation = sv->up;
	sv->checked = true;
	sv->weight = 1;
	snprintf(sv->check_result, sizeof(sv->check_result), "%s", result);
	sv->check_code = code;
}

/* The seed: frontend on :80, backend of three Pis; the names try to break every format. */
static struct snapshot *seed_snapshot(void)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	struct snap_server *sv;

	assert_non_null(s);
	snprintf(s->version, sizeof(s->version), VERSION);
	snprintf(s->hostname, sizeof(s->hostname), "lb<pi>");
	snprintf(s->interface, sizeof(s->interface), "eth0");
	snprintf(s->mode, sizeof(s->mode), "xdp");
	snprintf(s->mode_reason, sizeof(s->mode_reason), "driver supports native XDP");
	s->now_unix = 1700000000;
	s->uptime_ms = 3723000; /* 1h02m03s */
	s->pid = 4242;
	s->counters[RPILB_CNT_TX_NEW_FLOW] = 30;
	s->counters[RPILB_CNT_TX_TO_BACKEND] = 400;
	s->counters[RPILB_CNT_TX_TO_CLIENT] = 500;
	s->counters[RPILB_CNT_PASS_NOT_IPV4] = 10;
	s->counters[RPILB_CNT_PASS_NOSYN_MISS] = 7;
	s->counters[RPILB_CNT_DROP_NO_BACKEND] = 3;
	s->counters[RPILB_CNT_DROP_NAT_EXHAUSTED] = 2;
	s->counters[RPILB_CNT_PACKETS] = 952;
	s->counters[RPILB_CNT_EV_SYN_RETRANS] = 5;
	s->flows = 12;
	s->flow_capacity = 65536;
	s->halfopen = 1;
	s->expired_halfopen = 4;
	s->expired_idle = 5;
	s->expired_closed = 6;
	s->expired_orphan = 7;

	s->nfrontends = 1;
	s->frontends = calloc(1, sizeof(*s->frontends));
	assert_non_null(s->frontends);
	snprintf(s->frontends[0].name, SNAP_NAME_MAX, EVIL_FE);
	snprintf(s->frontends[0].backend, SNAP_NAME_MAX, EVIL_BE);
	s->frontends[0].nbinds = 1;
	snprintf(s->frontends[0].binds[0].address, 24, "0.0.0.0");
	s->frontends[0].binds[0].port = 80;
	s->frontends[0].binds[0].new_flows = 30;
	s->frontends[0].binds[0].no_backend = 3;
	s->frontends[0].binds[0].flow_rate = 2.5;

	s->nbackends = 1;
	s->backends = calloc(1, sizeof(*s->backends));
	assert_non_null(s->backends);
	snprintf(s->backends[0].name, SNAP_NAME_MAX, EVIL_BE);
	snprintf(s->backends[0].balance, 16, "roundrobin");
	s->backends[0].nservers = 3;
	s->backends[0].active_servers = 2;
	s->backends[0].servers = calloc(3, sizeof(struct snap_server));
	assert_non_null(s->backends[0].servers);

	sv = &s->backends[0].servers[0];
	set_server(sv, "raspberrypi01", "192.168.1.101", "UP", "L7OK", 200);
	snprintf(sv->check_desc, sizeof(sv->check_desc), "Layer7 check passed");
	snprintf(sv->check_detail, sizeof(sv->check_detail), "HTTP status 200");
	sv->active_flows = 2;
	sv->new_flows = 11;
	sv->flow_rate = 1.25;
	sv->packets_in = 100;
	sv->bytes_in = 123456;
	sv->packets_out = 200;
	sv->bytes_out = 7654321;
	sv->check_duration_ms = 3;
	sv->check_age_ms = 1500;
	sv->checks = 40;
	sv->check_failures = 1;
	sv->up_down = 1;
	sv->downtime_ms = 4500;
	sv->in_state_ms = 61000;

	sv = &s->backends[0].servers[1];
	set_server(sv, "raspberrypi02", "192.168.1.102", "UP 1/3", "L4CON", 0);
	snprintf(sv->check_desc, sizeof(sv->check_desc), "Layer4 connection problem");
	snprintf(sv->check_detail, sizeof(sv->check_detail), "Connection refused <x>");
	sv->new_flows = 10;
	sv->nat_fail = 1;
	sv->check_duration_ms = 1;
	sv->check_age_ms = 200;
	sv->check_failures = 1;
	sv->in_state_ms = 2000;

	sv = &s->backends[0].servers[2];
	set_server(sv, EVIL_SRV, "192.168.1.103", "DOWN", "L7STS", 500);
	snprintf(sv->check_desc, sizeof(sv->check_desc), "Layer7 wrong status");
	snprintf(sv->check_detail, sizeof(sv->check_detail), "HTTP status 500");
	sv->new_flows = 9;
	sv->check_duration_ms = 12;
	sv->check_age_ms = 900;
	sv->check_failures = 5;
	sv->up_down = 2;
	sv->downtime_ms = 125500;
	sv->in_state_ms = 30000;
	return s;
}

static int setup(void **state)
{
	*state = seed_snapshot();
	return 0;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0, l = strlen(needle);

	for (const char *p = strstr(hay, needle); p; p = strstr(p + l, needle))
		n++;
	return n;
}

#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		if (!strstr((hay), (needle)))                                                      \
			fail_msg("missing: %s", (needle));                                         \
	} while (0)

#define assert_not_contains(hay, needle)                                                           \
	do {                                                                                       \
		if (strstr((hay), (needle)))                                                       \
			fail_msg("unexpected: %s", (needle));                                      \
	} while (0)

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/rpilb-test-render.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* --- snapshot helpers ------------------------------------------------------- */

static void test_state_classes(void **state)
{
	static const struct {
		const char *label, *admin;
		enum snap_state st;
		enum snap_trend trend;
	} cases[] = {
		{ "UP", "ready", SNAP_ST_UP, SNAP_TREND_STEADY },
		{ "UP 1/3", "ready", SNAP_ST_UP, SNAP_TREND_GOING_DOWN },
		{ "DOWN", "ready", SNAP_ST_DOWN, SNAP_TREND_STEADY },
		{ "DOWN 1/2", "ready", SNAP_ST_DOWN, SNAP_TREND_GOING_UP },
		{ "INIT", "ready", SNAP_ST_INIT, SNAP_TREND_STEADY },
		{ "", "ready", SNAP_ST_INIT, SNAP_TREND_STEADY },
		{ "DRAIN", "drain", SNAP_ST_DRAIN, SNAP_TREND_STEADY },
		{ "DRAIN (DOWN 1/2)", "drain", SNAP_ST_DRAIN, SNAP_TREND_STEADY },
		{ "MAINT", "maint", SNAP_ST_MAINT, SNAP_TREND_STEADY },
		{ "UP", "maint", SNAP_ST_MAINT, SNAP_TREND_STEADY },
		{ "NOLB", "ready", SNAP_ST_DRAIN, SNAP_TREND_STEADY }, /* disable-on-404 */
		{ "NOLB 1/3", "ready", SNAP_ST_DRAIN, SNAP_TREND_STEADY },
	};
	struct snap_server sv = {};
	enum snap_trend trend;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(sv.state, sizeof(sv.state), "%s", cases[i].label);
		snprintf(sv.admin, sizeof(sv.admin), "%s", cases[i].admin);
		assert_int_equal(snap_server_state(&sv, &trend), cases[i].st);
		assert_int_equal(trend, cases[i].trend);
	}
	assert_string_equal(snap_state_name(SNAP_ST_DRAIN), "DRAIN");
}

static void test_counter_tables(void **state)
{
	(void)state;
	assert_string_equal(snap_counter_name(RPILB_CNT_PACKETS), "packets");
	assert_string_equal(snap_counter_name(RPILB_CNT_PASS_NOSYN_MISS), "pass_nosyn_miss");
	assert_string_equal(snap_counter_help(RPILB_CNT_DROP_FIB), "no route to the server");
	assert_int_equal(snap_counter_kind(RPILB_CNT_PACKETS), SNAP_CNT_TOTAL);
	assert_int_equal(snap_counter_kind(RPILB_CNT_TX_ICMP), SNAP_CNT_TX);
	assert_int_equal(snap_counter_kind(RPILB_CNT_PASS_FRAGMENT), SNAP_CNT_PASS);
	assert_int_equal(snap_counter_kind(RPILB_CNT_DROP_INTERNAL), SNAP_CNT_DROP);
	assert_int_equal(snap_counter_kind(RPILB_CNT_EV_NAT_RETRY), SNAP_CNT_EVENT);
	assert_string_equal(snap_counter_name(RPILB_CNT_MAX), "?");
}

static void test_formats(void **state)
{
	char b[32];

	(void)state;
	snap_fmt_bytes(b, sizeof(b), 512);
	assert_string_equal(b, "512 B");
	snap_fmt_bytes(b, sizeof(b), 1536);
	assert_string_equal(b, "1.5 KiB");
	snap_fmt_bytes(b, sizeof(b), 7654321);
	assert_string_equal(b, "7.3 MiB");
	snap_fmt_duration(b, sizeof(b), 0);
	assert_string_equal(b, "0ms");
	snap_fmt_duration(b, sizeof(b), 999);
	assert_string_equal(b, "999ms");
	snap_fmt_duration(b, sizeof(b), 1000);
	assert_string_equal(b, "1s");
	snap_fmt_duration(b, sizeof(b), 45999);
	assert_string_equal(b, "45s");
	snap_fmt_duration(b, sizeof(b), 187000);
	assert_string_equal(b, "3m07s");
	snap_fmt_duration(b, sizeof(b), 3723000);
	assert_string_equal(b, "1h02m");
	snap_fmt_duration(b, sizeof(b), 4 * 86400000ULL + 3 * 3600000);
	assert_string_equal(b, "4d03h");
}

static void test_totals(void **state)
{
	struct snapshot *s = *state;
	struct snap_backend_totals bt;
	struct snap_frontend_totals ft;

	snap_backend_totals(&s->backends[0], &bt);
	assert_int_equal(bt.new_flows, 30);
	assert_int_equal(bt.active_flows, 2);
	assert_int_equal(bt.bytes_in, 123456);
	assert_int_equal(bt.nat_fail, 1);
	assert_int_equal(bt.weight, 2); /* the two servers in rotation */
	snap_frontend_totals(&s->frontends[0], &ft);
	assert_int_equal(ft.new_flows, 30);
	assert_int_equal(ft.no_backend, 3);
	assert_int_equal(snap_backend_no_server(s, &s->backends[0]), 3);
}

/* --- HTML ------------------------------------------------------------------- */

static void test_html_escapes_every_name(void **state)
{
	struct render_opts o = { .uri = "/" };
	char *html = render(render_stats_html, *state, &o);

	assert_not_contains(html, "<b>evil");
	assert_not_contains(html, "<i>");
	assert_not_contains(html, "<03>");
	assert_not_contains(html, "<pi>");
	assert_not_contains(html, "<x>");
	assert_contains(html, "&lt;b&gt;evil&amp;&quot;&#39;");
	assert_contains(html, "fe&lt;i&gt;&quot;&amp;&#39;");
	assert_contains(html, "pi&lt;03&gt;&amp;&quot;&#39;\\");
	assert_contains(html, "lb&lt;pi&gt;");
	assert_contains(html, "Connection refused &lt;x&gt;");
	assert_not_contains(html, "<script");
	assert_contains(html, "<!DOCTYPE html>");
	assert_contains(html, "</html>\n");
	free(html);
}

static void test_html_state_colours(void **state)
{
	static const struct {
		const char *label, *admin, *cell;
	} cases[] = {
		{ "UP", "ready", "<td class=\"st st-up\">UP</td>" },
		{ "UP 1/3", "ready", "<td class=\"st st-up-going-down\">UP 1/3</td>" },
		{ "DOWN", "ready", "<td class=\"st st-down\">DOWN</td>" },
		{ "DOWN 1/2", "ready", "<td class=\"st st-down-going-up\">DOWN 1/2</td>" },
		{ "DRAIN", "drain", "<td class=\"st st-drain\">DRAIN</td>" },
		{ "MAINT", "maint", "<td class=\"st st-maint\">MAINT</td>" },
		{ "INIT", "ready", "<td class=\"st st-init\">INIT</td>" },
	};
	struct snapshot *s = *state;
	struct snap_server *sv = &s->backends[0].servers[0];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *html;

		snprintf(sv->state, sizeof(sv->state), "%s", cases[i].label);
		snprintf(sv->admin, sizeof(sv->admin), "%s", cases[i].admin);
		html = render(render_stats_html, s, NULL);
		assert_contains(html, cases[i].cell);
		free(html);
	}
	/* Every state class has a colour rule in the stylesheet. */
	{
		char *html = render(render_stats_html, s, NULL);

		assert_contains(html, ".st-up{background:");
		assert_contains(html, ".st-up-going-down{background:linear-gradient(");
		assert_contains(html, ".st-down{background:");
		assert_contains(html, ".st-down-going-up{background:linear-gradient(");
		assert_contains(html, ".st-drain{background:");
		assert_contains(html, ".st-maint{background:");
		assert_contains(html, ".st-init{background:");
		free(html);
	}
}

static void test_html_refresh_and_version(void **state)
{
	struct render_opts o = { .refresh_s = 5 };
	char *html = render(render_stats_html, *state, &o);

	assert_int_equal(count(html, "<meta http-equiv=\"refresh\" content=\"5\">"), 1);
	assert_contains(html, VERSION);
	free(html);

	o.refresh_s = 0;
	o.hide_version = true;
	html = render(render_stats_html, *state, &o);
	assert_not_contains(html, "http-equiv=\"refresh\"");
	assert_not_contains(html, VERSION);
	free(html);
}

static void test_html_content(void **state)
{
	struct render_opts o = { .uri = "/haproxy?stats" };
	char *html = render(render_stats_html, *state, &o);

	assert_contains(html, "<a href=\"/haproxy?stats;csv\">CSV</a>");
	assert_contains(html, "<a href=\"/haproxy?stats;json\">JSON</a>");
	assert_contains(html, "<a href=\"/metrics\">Prometheus</a>");
	/* header: interface, mode and why, uptime, fill */
	assert_contains(html, "Interface <b>eth0</b>, attach mode <b>xdp</b> "
			      "(driver supports native XDP)");
	assert_contains(html, "up 1h02m");
	assert_contains(html, "Flow table <b>12 / 65536</b>");
	assert_contains(html, "Taken at 2023-11-14 22:13:20 UTC");
	/* frontend: bind, new flows, refused, rate */
	assert_contains(html, "<tr><td class=\"l\">0.0.0.0:80</td><td>30</td><td>3</td>"
			      "<td>2.5</td></tr>");
	/* a server row, cell by cell */
	assert_contains(html, "<tr><td class=\"l\">raspberrypi01</td>"
			      "<td class=\"l\">192.168.1.101:8000</td>"
			      "<td class=\"st st-up\">UP</td><td>1</td><td>2</td><td>11</td>"
			      "<td>1.2</td><td title=\"123456 bytes\">120.6 KiB</td>"
			      "<td title=\"7654321 bytes\">7.3 MiB</td>"
			      "<td class=\"l\" title=\"Layer7 check passed\">L7OK/200 in 3ms</td>"
			      "<td>1s ago</td><td>1m01s</td><td>4s</td><td>1</td>"
			      "<td>1</td><td class=\"zero\">0</td>"
			      "<td class=\"l\">HTTP status 200</td></tr>");
	assert_contains(html, "2 of 3 servers in rotation");
	/* data path */
	assert_contains(html, "<tr><td class=\"l\">tx_new_flow</td><td>30</td><td>3.2%</td>"
			      "<td class=\"help\">a SYN that opened a flow, sent to its backend"
			      "</td></tr>");
	assert_contains(html, "<h3>Packets by verdict: forwarded</h3>");
	assert_contains(html, "<h3>Packets by verdict: passed to the kernel</h3>");
	assert_contains(html, "<h3>Drops by reason</h3>");
	assert_contains(html, "<td class=\"l\">drop_no_backend</td><td>3</td>");
	assert_contains(html, "<h3>Events</h3>");
	assert_contains(html, "<td class=\"l\">ev_syn_retrans</td><td>5</td>");
	assert_contains(html, "Non-SYN misses (no flow: the kernel resets them)</td><td>7</td>");
	assert_contains(html, "NAT port failures (no free port)</td><td>2</td>");
	assert_contains(html, "Half-open (SYN seen, no ACK yet)</td><td>1</td>");
	assert_contains(html, "Expired: orphan</td><td>7</td>");
	assert_contains(html, "Flows (open and closing)</td><td>12 / 65536 (0.0%)</td>");
	assert_contains(html,
			"<td class=\"l\" title=\"Layer4 connection problem\">L4CON in 1ms</td>");
	free(html);
}

static void test_html_unchecked_server(void **state)
{
	struct snapshot *s = *state;
	struct snap_server *sv = &s->backends[0].servers[0];
	char *html;

	sv->checked = false;
	sv->check_result[0] = '\0';
	html = render(render_stats_html, s, NULL);
	assert_contains(html, "<td class=\"l muted\" colspan=\"2\">no check</td>");
	free(html);
}

/* --- CSV -------------------------------------------------------------------- */

#define CSV_HEADER                                                                                 \
	"# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr," \
	"wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,"        \
	"throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,"              \
	"check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,"         \
	"req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,"      \
	"lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,"              \
	"agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,"      \
	"agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,"

#define NCOLS 80

/* Split one CSV line (RFC 4180 quoting) into at most max fields; returns the count. */
static int csv_split(const char *line, char fields[][128], int max)
{
	int n = 0;
	const char *p = line;

	while (*p && *p != '\n' && n < max) {
		char *o = fields[n];
		size_t k = 0;

		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"' && p[1] == '"')
					p++;
				else if (*p == '"')
					break;
				if (k < 127)
					o[k++] = *p;
			}
			p++;
		} else {
			for (; *p && *p != ',' && *p != '\n'; p++)
				if (k < 127)
					o[k++] = *p;
		}
		o[k] = '\0';
		n++;
		if (*p != ',')
			break;
		p++;
	}
	return n;
}

static const char *csv_line(const char *csv, int idx)
{
	const char *p = csv;

	for (int i = 0; i < idx && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return p;
}

static int col(const char *name)
{
	static char hdr[NCOLS + 1][128];
	int n = csv_split(&CSV_HEADER[2], hdr, NCOLS + 1);

	for (int i = 0; i < n; i++)
		if (!strcmp(hdr[i], name))
			return i;
	fail_msg("no column %s", name);
	return -1;
}

static void test_csv_header_and_rows(void **state)
{
	char *csv = render(render_stats_csv, *state, NULL);
	char f[NCOLS + 2][128];
	size_t hlen = strlen(CSV_HEADER);

	assert_string_equal(stats_csv_header, CSV_HEADER);
	assert_memory_equal(csv, CSV_HEADER "\n", hlen + 1);
	/* header, FRONTEND, three servers, BACKEND */
	assert_int_equal(count(csv, "\n"), 6);
	assert_int_equal(csv[strlen(csv) - 1], '\n');
	/* Every row has every column, and ends with HAProxy's trailing comma. */
	for (int i = 1; i < 6; i++) {
		const char *end = strchr(csv_line(csv, i), '\n');

		assert_int_equal(csv_split(csv_line(csv, i), f, NCOLS + 2), NCOLS);
		assert_int_equal(end[-1], ',');
	}
	free(csv);
}

static void test_csv_fields(void **state)
{
	char *csv = render(render_stats_csv, *state, NULL);
	char f[NCOLS + 2][128];

	/* FRONTEND */
	csv_split(csv_line(csv, 1), f, NCOLS + 2);
	assert_string_equal(f[col("pxname")], EVIL_FE);
	assert_string_equal(f[col("svname")], "FRONTEND");
	assert_string_equal(f[col("stot")], "30");
	assert_string_equal(f[col("status")], "OPEN");
	assert_string_equal(f[col("type")], "0");
	assert_string_equal(f[col("iid")], "1");
	assert_string_equal(f[col("pid")], "4242");
	assert_string_equal(f[col("rate")], "3"); /* 2.5 rounds away from zero */
	assert_string_equal(f[col("scur")], "");
	assert_string_equal(f[col("mode")], "tcp");

	/* first server: every mapped field */
	csv_split(csv_line(csv, 2), f, NCOLS + 2);
	assert_string_equal(f[col("pxname")], EVIL_BE);
	assert_string_equal(f[col("svname")], "raspberrypi01");
	assert_string_equal(f[col("qcur")], "0");
	assert_string_equal(f[col("scur")], "2");
	assert_string_equal(f[col("smax")], "");
	assert_string_equal(f[col("stot")], "11");
	assert_string_equal(f[col("bin")], "123456");
	assert_string_equal(f[col("bout")], "7654321");
	assert_string_equal(f[col("econ")], "0");
	assert_string_equal(f[col("status")], "UP");
	assert_string_equal(f[col("weight")], "1");
	assert_string_equal(f[col("act")], "1");
	assert_string_equal(f[col("bck")], "0");
	assert_string_equal(f[col("chkfail")], "1");
	assert_string_equal(f[col("chkdown")], "1");
	assert_string_equal(f[col("lastchg")], "61");
	assert_string_equal(f[col("downtime")], "4");
	assert_string_equal(f[col("iid")], "2");
	assert_string_equal(f[col("sid")], "1");
	assert_string_equal(f[col("lbtot")], "11");
	assert_string_equal(f[col("type")], "2");
	assert_string_equal(f[col("rate")], "1");
	assert_string_equal(f[col("check_status")], "L7OK");
	assert_string_equal(f[col("check_code")], "200");
	assert_string_equal(f[col("check_duration")], "3");
	assert_string_equal(f[col("last_chk")], "HTTP status 200");
	assert_string_equal(f[col("check_desc")], "Layer7 check passed");
	assert_string_equal(f[col("addr")], "192.168.1.101:8000");

	/* second: going down, no HTTP code */
	csv_split(csv_line(csv, 3), f, NCOLS + 2);
	assert_string_equal(f[col("status")], "UP 1/3");
	assert_string_equal(f[col("check_status")], "L4CON");
	assert_string_equal(f[col("check_code")], "");
	assert_string_equal(f[col("econ")], "1");

	/* third: quoted name survives the round trip */
	csv_split(csv_line(csv, 4), f, NCOLS + 2);
	assert_string_equal(f[col("svname")], EVIL_SRV);
	assert_string_equal(f[col("status")], "DOWN");
	assert_string_equal(f[col("downtime")], "125");
	assert_string_equal(f[col("check_code")], "500");

	/* BACKEND */
	csv_split(csv_line(csv, 5), f, NCOLS + 2);
	assert_string_equal(f[col("svname")], "BACKEND");
	assert_string_equal(f[col("status")], "UP");
	assert_string_equal(f[col("act")], "2");
	assert_string_equal(f[col("weight")], "2");
	assert_string_equal(f[col("stot")], "30");
	assert_string_equal(f[col("scur")], "2");
	assert_string_equal(f[col("econ")], "4"); /* 1 NAT failure + 3 refused */
	assert_string_equal(f[col("chkdown")], "3");
	assert_string_equal(f[col("type")], "1");
	assert_string_equal(f[col("algo")], "roundrobin");
	free(csv);
}

static void test_csv_quotes(void **state)
{
	char *csv = render(render_stats_csv, *state, NULL);

	/* HAProxy never quotes; a name with a quote must be, with the quote doubled. */
	assert_contains(csv, "\n\"<b>evil&\"\"'\",raspberrypi01,");
	free(csv);
}

static void test_csv_unchecked_and_admin(void **state)
{
	struct snapshot *s = *state;
	struct snap_server *sv = s->backends[0].servers;
	char f[NCOLS + 2][128];
	char *csv;

	sv[0].checked = false;
	sv[1].state[0] = '\0';
	snprintf(sv[1].admin, sizeof(sv[1].admin), "maint");
	snprintf(sv[2].state, sizeof(sv[2].state), "DRAIN");
	snprintf(sv[2].admin, sizeof(sv[2].admin), "drain");
	csv = render(render_stats_csv, s, NULL);
	csv_split(csv_line(csv, 2), f, NCOLS + 2);
	assert_string_equal(f[col("status")], "no check");
	assert_string_equal(f[col("check_status")], "");
	assert_string_equal(f[col("chkfail")], "");
	assert_string_equal(f[col("downtime")], "");
	csv_split(csv_line(csv, 3), f, NCOLS + 2);
	assert_string_equal(f[col("status")], "MAINT");
	csv_split(csv_line(csv, 4), f, NCOLS + 2);
	assert_string_equal(f[col("status")], "DRAIN");
	free(csv);
}

/* --- JSON ------------------------------------------------------------------- */

/* Run a python3 script on a file; its exit status (python3 is on every test machine). */
static int python_check(const char *file, const char *script)
{
	char cmd[256];
	char *spath = strdup(write_tmp(script));
	int rc;

	snprintf(cmd, sizeof(cmd), "python3 %s %s", spath, file);
	rc = system(cmd);
	unlink(spath);
	free(spath);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Every counter appears by name in the JSON: as many as the X-macro lists. */
#define COUNT_ONE(kind, id, field, help) +1
#define RPILB_CNT_MAX_LITERAL (0 RPILB_COUNTERS(COUNT_ONE))
#define STR2(x) #x
#define STR(x) STR2(x)

static const char json_script[] =
	"import json, sys\n"
	"d = json.load(open(sys.argv[1]))\n"
	"assert d['format'] == 2, d['format']\n"
	"assert d['version'] == '" VERSION "'\n"
	"assert d['hostname'] == 'lb<pi>'\n"
	"assert d['pid'] == 4242 and d['uptime_ms'] == 3723000 and d['now_unix'] == 1700000000\n"
	"assert d['interface'] == 'eth0' and d['mode'] == 'xdp'\n"
	"assert d['flows'] == {'current': 12, 'capacity': 65536, 'halfopen': 1,\n"
	"    'expired': {'halfopen': 4, 'idle': 5, 'closed': 6, 'orphan': 7}}, d['flows']\n"
	"c = d['counters']\n"
	"assert c['packets'] == 952 and c['tx_new_flow'] == 30 and c['drop_fib'] == 0\n"
	"assert c['pass_nosyn_miss'] == 7 and c['ev_syn_retrans'] == 5\n"
	"assert len(c) == " STR(RPILB_CNT_MAX_LITERAL) ", len(c)\n"
	"fe = d['frontends'][0]\n"
	"assert fe['frontend'] == 'fe<i>\"&\\'' and fe['backend'] == '<b>evil&\"\\''\n"
	"assert fe['new_flows'] == 30 and fe['no_backend'] == 3 and fe['flow_rate'] == 2.5\n"
	"assert fe['binds'] == [{'address': '0.0.0.0', 'port': 80, 'new_flows': 30,\n"
	"    'no_backend': 3, 'flow_rate': 2.5}]\n"
	"be = d['backends'][0]\n"
	"assert be['backend'] == '<b>evil&\"\\'' and be['balance'] == 'roundrobin'\n"
	"assert be['status'] == 'UP' and be['active_servers'] == 2 and be['total_servers'] == 3\n"
	"assert be['new_flows'] == 30 and be['no_server'] == 3 and be['nat_fail'] == 1\n"
	"s = be['servers']\n"
	"assert [x['server'] for x in s] == [\n"
	"    'raspberrypi01', 'raspberrypi02', 'pi<03>&\"\\'\\\\']\n"
	"assert [x['status'] for x in s] == ['UP', 'UP', 'DOWN']\n"
	"assert [x['state'] for x in s] == ['UP', 'UP 1/3', 'DOWN']\n"
	"a = s[0]\n"
	"assert a['address'] == '192.168.1.101' and a['port'] == 8000 and a['weight'] == 1\n"
	"assert a['active_flows'] == 2 and a['new_flows'] == 11 and a['flow_rate'] == 1.25\n"
	"assert a['bytes_in'] == 123456 and a['bytes_out'] == 7654321\n"
	"assert a['packets_in'] == 100 and a['packets_out'] == 200\n"
	"assert a['in_state_ms'] == 61000 and a['downtime_ms'] == 4500 and a['up_down'] == 1\n"
	"assert a['up'] is True and a['in_rotation'] is True and a['checked'] is True\n"
	"assert a['check'] == {'result': 'L7OK', 'desc': 'Layer7 check passed',\n"
	"    'detail': 'HTTP status 200', 'code': 200, 'duration_ms': 3, 'age_ms': 1500,\n"
	"    'checks': 40, 'failures': 1}, a['check']\n";

static void test_json_parses_and_has_fields(void **state)
{
	struct render_opts o = { .pretty = false };
	char *json = render(render_stats_json, *state, &o);
	char *path = strdup(write_tmp(json));

	assert_int_equal(python_check(path, json_script), 0);
	unlink(path);
	free(path);
	free(json);

	o.pretty = true;
	json = render(render_stats_json, *state, &o);
	path = strdup(write_tmp(json));
	assert_int_equal(python_check(path, json_script), 0);
	unlink(path);
	free(path);
	free(json);
}

static void test_json_hidden_version_and_unchecked(void **state)
{
	struct render_opts o = { .hide_version = true };
	struct snapshot *s = *state;
	char *json, *path;

	s->backends[0].servers[0].check_result[0] = '\0';
	s->backends[0].servers[0].check_age_ms = -1;
	json = render(render_stats_json, s, &o);
	assert_not_contains(json, VERSION);
	path = strdup(write_tmp(json));
	assert_int_equal(python_check(path, "import json, sys\n"
					    "d = json.load(open(sys.argv[1]))\n"
					    "assert d['version'] is None\n"
					    "c = d['backends'][0]['servers'][0]['check']\n"
					    "assert c['result'] is None and c['age_ms'] is None\n"),
			 0);
	unlink(path);
	free(path);
	free(json);
}

/* --- metrics ---------------------------------------------------------------- */

static const struct {
	const char *name, *type;
} families[] = {
	{ "rpilb_build_info", "gauge" },
	{ "rpilb_uptime_seconds", "gauge" },
	{ "rpilb_frontend_sessions_total", "counter" },
	{ "rpilb_frontend_no_server_total", "counter" },
	{ "rpilb_frontend_current_session_rate", "gauge" },
	{ "rpilb_backend_status", "gauge" },
	{ "rpilb_backend_active_servers", "gauge" },
	{ "rpilb_backend_current_sessions", "gauge" },
	{ "rpilb_backend_sessions_total", "counter" },
	{ "rpilb_backend_bytes_in_total", "counter" },
	{ "rpilb_backend_bytes_out_total", "counter" },
	{ "rpilb_backend_connection_errors_total", "counter" },
	{ "rpilb_backend_weight", "gauge" },
	{ "rpilb_server_status", "gauge" },
	{ "rpilb_server_current_sessions", "gauge" },
	{ "rpilb_server_sessions_total", "counter" },
	{ "rpilb_server_current_session_rate", "gauge" },
	{ "rpilb_server_bytes_in_total", "counter" },
	{ "rpilb_server_bytes_out_total", "counter" },
	{ "rpilb_server_connection_errors_total", "counter" },
	{ "rpilb_server_weight", "gauge" },
	{ "rpilb_server_check_last_change_seconds", "gauge" },
	{ "rpilb_server_check_code", "gauge" },
	{ "rpilb_server_check_duration_seconds", "gauge" },
	{ "rpilb_server_check_failures_total", "counter" },
	{ "rpilb_server_check_up_down_total", "counter" },
	{ "rpilb_server_downtime_seconds_total", "counter" },
	{ "rpilb_server_check_status", "gauge" },
	{ "rpilb_datapath_packets_seen_total", "counter" },
	{ "rpilb_datapath_packets_total", "counter" },
	{ "rpilb_datapath_drops_total", "counter" },
	{ "rpilb_datapath_events_total", "counter" },
	{ "rpilb_flows", "gauge" },
	{ "rpilb_flows_capacity", "gauge" },
	{ "rpilb_flows_halfopen", "gauge" },
	{ "rpilb_flows_expired_total", "counter" },
};

static void test_metrics_families(void **state)
{
	char *m = render(render_metrics, *state, NULL);
	char needle[160];

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		snprintf(needle, sizeof(needle), "# HELP %s ", families[i].name);
		if (count(m, needle) != 1)
			fail_msg("HELP for %s: %zu times", families[i].name, count(m, needle));
		snprintf(needle, sizeof(needle), "# TYPE %s %s\n", families[i].name,
			 families[i].type);
		if (count(m, needle) != 1)
			fail_msg("TYPE %s %s: %zu times", families[i].name, families[i].type,
				 count(m, needle));
	}
	/* No family the list above does not know. */
	assert_int_equal(count(m, "# TYPE "), sizeof(families) / sizeof(families[0]));
	assert_int_equal(count(m, "# HELP "), sizeof(families) / sizeof(families[0]));
	free(m);
}

#define PX "proxy=\"<b>evil&\\\"'\""

static void test_metrics_values(void **state)
{
	char *m = render(render_metrics, *state, NULL);

	assert_contains(m, "\nrpilb_build_info{version=\"" VERSION "\"} 1\n");
	assert_contains(m, "\nrpilb_uptime_seconds 3723.000\n");
	assert_contains(m, "\nrpilb_frontend_sessions_total{proxy=\"fe<i>\\\"&'\"} 30\n");
	assert_contains(m, "\nrpilb_frontend_no_server_total{proxy=\"fe<i>\\\"&'\"} 3\n");
	assert_contains(m, "\nrpilb_frontend_current_session_rate{proxy=\"fe<i>\\\"&'\"} 2.500\n");
	assert_contains(m, "\nrpilb_backend_active_servers{" PX "} 2\n");
	assert_contains(m, "\nrpilb_backend_status{" PX ",state=\"UP\"} 1\n");
	assert_contains(m, "\nrpilb_backend_status{" PX ",state=\"DOWN\"} 0\n");
	assert_contains(m, "\nrpilb_backend_sessions_total{" PX "} 30\n");
	assert_contains(m, "\nrpilb_backend_connection_errors_total{" PX "} 4\n");
	/* "UP 1/3" counts as UP; one series per state */
	assert_contains(m,
			"\nrpilb_server_status{" PX ",server=\"raspberrypi02\",state=\"UP\"} 1\n");
	assert_contains(m, "\nrpilb_server_status{" PX
			   ",server=\"raspberrypi02\",state=\"DOWN\"} 0\n");
	assert_int_equal(count(m, "\nrpilb_server_status{"), 3 * 5);
	/* label escaping: backslash, quote */
	assert_contains(m, "\nrpilb_server_status{" PX
			   ",server=\"pi<03>&\\\"'\\\\\",state=\"DOWN\"} 1\n");
	assert_contains(m, "\nrpilb_server_current_sessions{" PX ",server=\"raspberrypi01\"} 2\n");
	assert_contains(m, "\nrpilb_server_sessions_total{" PX ",server=\"raspberrypi01\"} 11\n");
	assert_contains(m,
			"\nrpilb_server_bytes_in_total{" PX ",server=\"raspberrypi01\"} 123456\n");
	assert_contains(m, "\nrpilb_server_bytes_out_total{" PX
			   ",server=\"raspberrypi01\"} 7654321\n");
	assert_contains(m, "\nrpilb_server_current_session_rate{" PX
			   ",server=\"raspberrypi01\"} 1.250\n");
	assert_contains(m, "\nrpilb_server_weight{" PX ",server=\"raspberrypi01\"} 1\n");
	assert_contains(m, "\nrpilb_server_check_status{" PX
			   ",server=\"raspberrypi01\",state=\"L7OK\"} 1\n");
	assert_contains(m, "\nrpilb_server_check_status{" PX
			   ",server=\"raspberrypi01\",state=\"L4CON\"} 0\n");
	assert_contains(m, "\nrpilb_server_check_status{" PX
			   ",server=\"raspberrypi02\",state=\"L4CON\"} 1\n");
	assert_int_equal(count(m, "\nrpilb_server_check_status{"), 3 * 9);
	assert_contains(m, "\nrpilb_server_check_duration_seconds{" PX
			   ",server=\"raspberrypi01\"} 0.003\n");
	assert_contains(m, "\nrpilb_server_check_code{" PX ",server=\"raspberrypi01\"} 200\n");
	assert_contains(m,
			"\nrpilb_server_check_failures_total{" PX ",server=\"raspberrypi01\"} 1\n");
	assert_contains(m,
			"\nrpilb_server_check_up_down_total{" PX ",server=\"raspberrypi01\"} 1\n");
	assert_contains(m, "\nrpilb_server_downtime_seconds_total{" PX
			   ",server=\"raspberrypi01\"} 4.500\n");
	assert_contains(m, "\nrpilb_server_check_last_change_seconds{" PX
			   ",server=\"raspberrypi01\"} 61.000\n");
	assert_contains(m, "\nrpilb_server_connection_errors_total{" PX
			   ",server=\"raspberrypi02\"} 1\n");
	/* data path */
	assert_contains(m, "\nrpilb_datapath_packets_seen_total 952\n");
	assert_contains(m, "\nrpilb_datapath_packets_total{verdict=\"tx_new_flow\"} 30\n");
	assert_contains(m, "\nrpilb_datapath_packets_total{verdict=\"pass_nosyn_miss\"} 7\n");
	assert_contains(m, "\nrpilb_datapath_drops_total{reason=\"no_backend\"} 3\n");
	assert_contains(m, "\nrpilb_datapath_drops_total{reason=\"nat_exhausted\"} 2\n");
	assert_contains(m, "\nrpilb_datapath_events_total{event=\"syn_retrans\"} 5\n");
	assert_int_equal(count(m, "\nrpilb_datapath_packets_total{"), 4 + 7);
	/* One series per drop reason: however many the data path has. */
	assert_int_equal(count(m, "\nrpilb_datapath_drops_total{"),
			 RPILB_CNT_FIRST_EVENT - RPILB_CNT_DROP_IP_MALFORMED);
	assert_int_equal(count(m, "\nrpilb_datapath_events_total{"),
			 RPILB_CNT_MAX - RPILB_CNT_FIRST_EVENT);
	assert_contains(m, "\nrpilb_flows 12\n");
	assert_contains(m, "\nrpilb_flows_capacity 65536\n");
	assert_contains(m, "\nrpilb_flows_halfopen 1\n");
	assert_contains(m, "\nrpilb_flows_expired_total{reason=\"idle\"} 5\n");
	free(m);
}

static void test_metrics_scopes_and_hidden_version(void **state)
{
	struct render_opts o = { .hide_version = true };
	struct snapshot *s = *state;
	char *m;

	/* unchecked: no check series at all; checked but not yet: INI, no duration */
	s->backends[0].servers[0].checked = false;
	s->backends[0].servers[1].check_result[0] = '\0';
	m = render(render_metrics, s, &o);
	assert_contains(m, "\nrpilb_build_info 1\n");
	assert_not_contains(m, VERSION);
	assert_not_contains(m, "rpilb_server_check_status{" PX ",server=\"raspberrypi01\"");
	assert_not_contains(m, "rpilb_server_check_failures_total{" PX ",server=\"raspberrypi01\"");
	assert_contains(m, "\nrpilb_server_current_sessions{" PX ",server=\"raspberrypi01\"} 2\n");
	assert_contains(m, "\nrpilb_server_check_status{" PX
			   ",server=\"raspberrypi02\",state=\"INI\"} 1\n");
	assert_not_contains(m,
			    "rpilb_server_check_duration_seconds{" PX ",server=\"raspberrypi02\"");
	free(m);
}

static bool have_promtool(void)
{
	return system("command -v promtool >/dev/null 2>&1") == 0;
}

static void promtool_ok(const char *text)
{
	char cmd[160];
	char *path = strdup(write_tmp(text));
	int rc;

	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	rc = system(cmd);
	unlink(path);
	free(path);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
}

static void test_metrics_promtool(void **state)
{
	struct render_opts o = { .hide_version = true };
	struct snapshot empty = {};
	char *m;

	if (!have_promtool()) {
		if (test_in_ci())
			fail_msg("CI=true but promtool is missing: apt-get install prometheus");
		print_message("[  SKIP    ] promtool not found: apt-get install prometheus\n");
		skip();
	}
	m = render(render_metrics, *state, NULL);
	promtool_ok(m);
	free(m);
	m = render(render_metrics, *state, &o);
	promtool_ok(m);
	free(m);
	/* No frontend, no backend: families without series must still be valid. */
	m = render(render_metrics, &empty, NULL);
	promtool_ok(m);
	free(m);
}

/* --- terminal text -------------------------------------------------------------- */

static void test_text(void **state)
{
	struct render_opts o = {};
	struct snapshot *s = *state;
	char *t;

	snprintf(s->backends[0].servers[1].name, SNAP_NAME_MAX, "esc\x1b[31mred");
	t = render(render_stats_text, s, &o);
	assert_contains(t, "rpilb " VERSION " on lb<pi>, eth0 (xdp: driver supports native XDP),"
			   " up 1h02m, pid 4242\n");
	assert_contains(t, "flows 12/65536 (0.0%), half-open 1; expired: half-open 4, idle 5,"
			   " closed 6, orphan 7\n");
	assert_contains(t, "\nfrontend fe<i>\"&' -> <b>evil&\"'\n");
	assert_contains(t, "  0.0.0.0:80                       30          3      2.5\n");
	assert_contains(t, "\nbackend <b>evil&\"' (roundrobin, 2/3 servers in rotation)\n");
	assert_contains(t, "  raspberrypi01    UP                1       2         11     1.2"
			   "  120.6 KiB    7.3 MiB     1m01s  L7OK 200 3ms, 1s ago\n");
	assert_contains(t, "L4CON 1ms, 200ms ago (Connection refused <x>)\n");
	/* no terminal escapes from a name */
	assert_not_contains(t, "\x1b");
	assert_contains(t, "esc?[31mred");
	/* non-zero counters only, with their help */
	assert_contains(t, "  tx_new_flow                        30  a SYN that opened a flow,");
	assert_not_contains(t, "drop_fib");
	free(t);

	o.all = true;
	o.hide_version = true;
	t = render(render_stats_text, s, &o);
	assert_contains(t, "  drop_fib                            0  no route to the server\n");
	assert_not_contains(t, VERSION);
	free(t);
}

/* --- snapshot_free ----------------------------------------------------------- */

static void test_snapshot_free(void **state)
{
	struct snapshot *s = seed_snapshot();
	struct snapshot empty = {};

	(void)state;
	snapshot_free(s);
	assert_null(s->backends);
	assert_null(s->frontends);
	assert_int_equal(s->nbackends, 0);
	snapshot_free(s); /* twice is harmless */
	free(s);
	snapshot_free(&empty);
	snapshot_free(NULL);
}

static void test_write_error(void **state)
{
	FILE *f = dev_full();

	assert_int_equal(render_stats_html(f, *state, NULL), -EIO);
	assert_int_equal(render_metrics(f, *state, NULL), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_classes),
		cmocka_unit_test(test_counter_tables),
		cmocka_unit_test(test_formats),
		cmocka_unit_test_setup_teardown(test_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html_escapes_every_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html_state_colours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html_refresh_and_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html_unchecked_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_header_and_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_quotes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_unchecked_and_admin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_parses_and_has_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_hidden_version_and_unchecked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_scopes_and_hidden_version, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics_promtool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test(test_snapshot_free),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
