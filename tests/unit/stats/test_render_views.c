// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the renderers of the control socket's views
 * (user/stats/render_conns.c, render_status.c, render_reply.c): a
 * hand-built snapshot of the seed (one frontend on :80, a backend of three
 * Pis) and the exact text and JSON each view prints for it.
 */
#include <errno.h>
#include <stdio.h>

#include "rendertest.h"

#include "lib/util.h"

/* --- fixtures --------------------------------------------------------------- */

static void set_server(struct snap_server *sv, uint16_t id, const char *name, const char *addr,
		       const char *state, const char *health)
{
	snprintf(sv->name, sizeof(sv->name), "%s", name);
	sv->id = id;
	snprintf(sv->address, sizeof(sv->address), "%s", addr);
	sv->port = 8000;
	snprintf(sv->state, sizeof(sv->state), "%s", state);
	snprintf(sv->health, sizeof(sv->health), "%s", health);
	snprintf(sv->admin, sizeof(sv->admin), "ready");
	sv->up = !strncmp(health, "UP", 2);
	sv->in_rotation = sv->up;
	sv->checked = true;
	sv->weight = 1;
	sv->check_age_ms = -1;
}

static void set_conn(struct snap_conn *c, const char *client, uint16_t port, const char *server,
		     const char *state, uint64_t age_ms, uint64_t idle_ms)
{
	snprintf(c->client, sizeof(c->client), "%s", client);
	c->client_port = port;
	snprintf(c->vip, sizeof(c->vip), "10.0.0.2");
	c->vip_port = 80;
	snprintf(c->frontend, sizeof(c->frontend), "raspberrypinodes");
	snprintf(c->backend, sizeof(c->backend), "nodes");
	snprintf(c->server, sizeof(c->server), "%s", server);
	snprintf(c->server_address, sizeof(c->server_address), "192.168.1.101");
	c->server_port = 8000;
	c->nat_port = 61001;
	snprintf(c->state, sizeof(c->state), "%s", state);
	c->age_ms = age_ms;
	c->idle_ms = idle_ms;
}

/* The seed, as the daemon would fill it a minute and five seconds after "up". */
static struct snapshot *seed_snapshot(void)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	struct snap_server *sv;

	assert_non_null(s);
	snprintf(s->version, sizeof(s->version), "%s", RPILB_VERSION);
	snprintf(s->hostname, sizeof(s->hostname), "pi-lb");
	snprintf(s->interface, sizeof(s->interface), "eth0");
	snprintf(s->mode, sizeof(s->mode), "tc");
	snprintf(s->mode_reason, sizeof(s->mode_reason), "generic XDP only on eth0");
	s->now_unix = 1700000000;
	s->uptime_ms = 65400;
	s->pid = 4242;
	s->flows = 3;
	s->flow_capacity = 65536;

	s->nfrontends = 1;
	s->frontends = calloc(1, sizeof(*s->frontends));
	assert_non_null(s->frontends);
	snprintf(s->frontends[0].name, SNAP_NAME_MAX, "raspberrypinodes");
	snprintf(s->frontends[0].backend, SNAP_NAME_MAX, "nodes");
	s->frontends[0].nbinds = 1;
	snprintf(s->frontends[0].binds[0].address, 24, "10.0.0.2");
	s->frontends[0].binds[0].port = 80;

	s->nbackends = 1;
	s->backends = calloc(1, sizeof(*s->backends));
	assert_non_null(s->backends);
	snprintf(s->backends[0].name, SNAP_NAME_MAX, "nodes");
	snprintf(s->backends[0].balance, 16, "roundrobin");
	s->backends[0].nservers = 3;
	s->backends[0].active_servers = 1;
	s->backends[0].servers = calloc(3, sizeof(struct snap_server));
	assert_non_null(s->backends[0].servers);

	sv = &s->backends[0].servers[0];
	set_server(sv, 0, "raspberrypi01", "192.168.1.101", "UP", "UP");
	snprintf(sv->check_result, sizeof(sv->check_result), "L7OK");
	snprintf(sv->check_desc, sizeof(sv->check_desc), "Layer7 check passed");
	snprintf(sv->check_detail, sizeof(sv->check_detail), "HTTP status 200");
	sv->check_code = 200;
	sv->check_duration_ms = 1;
	sv->check_age_ms = 420;
	sv->active_flows = 2;

	sv = &s->backends[0].servers[1];
	set_server(sv, 1, "raspberrypi02", "192.168.1.102", "DRAIN (DOWN 1/2)", "DOWN 1/2");
	snprintf(sv->admin, sizeof(sv->admin), "drain");
	snprintf(sv->check_result, sizeof(sv->check_result), "L4CON");
	snprintf(sv->check_detail, sizeof(sv->check_detail), "Connection refused");
	sv->check_duration_ms = 0;
	sv->check_age_ms = 65000;
	sv->in_rotation = false;
	sv->active_flows = 1;
	sv->weight = 3;

	sv = &s->backends[0].servers[2];
	set_server(sv, 7, "raspberrypi04", "192.168.1.104", "UP", "UP");
	sv->checked = false;
	sv->runtime = true;
	sv->in_rotation = false;
	sv->weight = 0;

	s->nconns = 2;
	s->conns = calloc(2, sizeof(*s->conns));
	assert_non_null(s->conns);
	set_conn(&s->conns[0], "192.168.1.50", 40001, "raspberrypi01", "ESTABLISHED", 65000, 950);
	s->conns[0].packets_in = 10;
	s->conns[0].bytes_in = 1000;
	s->conns[0].packets_out = 8;
	s->conns[0].bytes_out = 24000;
	set_conn(&s->conns[1], "192.168.1.51", 40002, "", "FIN_WAIT", 1500, 0);
	s->conns[1].frontend[0] = '\0';
	return s;
}

static int setup(void **state)
{
	*state = seed_snapshot();
	return 0;
}

static void assert_renders(render_fn fn, const struct snapshot *s, const struct render_opts *o,
			   const char *want)
{
	char *got = render(fn, s, o);

	assert_string_equal(got, want);
	free(got);
}

/* --- conns ------------------------------------------------------------------ */

static void test_conns_text(void **state)
{
	assert_renders(
		render_conns_text, *state, NULL,
		"CLIENT                FRONTEND           NODE             STATE            AGE"
		"    IDLE   BYTES IN  BYTES OUT\n"
		"192.168.1.50:40001    raspberrypinodes   raspberrypi01    ESTABLISHED    1m05s"
		"   950ms       1000      24000\n"
		"192.168.1.51:40002    -                  (removed)        FIN_WAIT          1s"
		"     0ms          0          0\n"
		"2 flows\n");
}

static void test_conns_text_empty(void **state)
{
	struct snapshot *s = *state;

	s->nconns = 0;
	assert_renders(
		render_conns_text, s, NULL,
		"CLIENT                FRONTEND           NODE             STATE            AGE"
		"    IDLE   BYTES IN  BYTES OUT\n"
		"0 flows\n");
	s->nconns = 1;
	assert_renders(
		render_conns_text, s, NULL,
		"CLIENT                FRONTEND           NODE             STATE            AGE"
		"    IDLE   BYTES IN  BYTES OUT\n"
		"192.168.1.50:40001    raspberrypinodes   raspberrypi01    ESTABLISHED    1m05s"
		"   950ms       1000      24000\n"
		"1 flow\n");
}

static void test_conns_json(void **state)
{
	assert_renders(
		render_conns_json, *state, NULL,
		"{\"format\":2,\"count\":2,\"flows\":[{\"client\":\"192.168.1.50\","
		"\"client_port\":40001,\"vip\":\"10.0.0.2\",\"vip_port\":80,"
		"\"frontend\":\"raspberrypinodes\",\"backend\":\"nodes\","
		"\"server\":\"raspberrypi01\",\"server_address\":\"192.168.1.101\","
		"\"server_port\":8000,\"nat_port\":61001,\"state\":\"ESTABLISHED\","
		"\"age_ms\":65000,\"idle_ms\":950,\"packets_in\":10,\"bytes_in\":1000,"
		"\"packets_out\":8,\"bytes_out\":24000},{\"client\":\"192.168.1.51\","
		"\"client_port\":40002,\"vip\":\"10.0.0.2\",\"vip_port\":80,\"frontend\":\"\","
		"\"backend\":\"nodes\",\"server\":\"\",\"server_address\":\"192.168.1.101\","
		"\"server_port\":8000,\"nat_port\":61001,\"state\":\"FIN_WAIT\",\"age_ms\":1500,"
		"\"idle_ms\":0,\"packets_in\":0,\"bytes_in\":0,\"packets_out\":0,"
		"\"bytes_out\":0}]}\n");
}

/* --- status ----------------------------------------------------------------- */

static void test_status_text(void **state)
{
	assert_renders(
		render_status_text, *state, NULL,
		"rpilb " RPILB_VERSION " on eth0 (tc: generic XDP only on eth0), up 1m05s,"
		" pid 4242, flows 3/65536\n"
		"frontend raspberrypinodes 10.0.0.2:80 -> backend nodes\n"
		"\n"
		"backend nodes (roundrobin, frontend raspberrypinodes)\n"
		"  SERVER           ADDRESS               STATE        WEIGHT  FLOWS  LAST CHECK\n"
		"  raspberrypi01    192.168.1.101:8000    UP                1      2  "
		"L7OK 200 in 1ms, 420ms ago\n"
		"  raspberrypi02    192.168.1.102:8000    DRAIN (DOWN 1/2)      3      1  "
		"L4CON in 0ms, 1m05s ago\n"
		"  raspberrypi04    192.168.1.104:8000    UP                0      0  no check\n");
}

/* A backend no frontend feeds, a check not yet answered, a frontend without a backend. */
static void test_status_text_corners(void **state)
{
	struct snapshot *s = *state;
	struct snap_server *sv = &s->backends[0].servers[0];

	snprintf(s->frontends[0].backend, SNAP_NAME_MAX, "other");
	s->frontends[0].nbinds = 0;
	sv->check_result[0] = '\0';
	snprintf(sv->state, sizeof(sv->state), "INIT");
	s->backends[0].nservers = 1;
	s->uptime_ms = 3723000;
	assert_renders(
		render_status_text, s, NULL,
		"rpilb " RPILB_VERSION " on eth0 (tc: generic XDP only on eth0), up 1h02m,"
		" pid 4242, flows 3/65536\n"
		"\n"
		"backend nodes (roundrobin, frontend -)\n"
		"  SERVER           ADDRESS               STATE        WEIGHT  FLOWS  LAST CHECK\n"
		"  raspberrypi01    192.168.1.101:8000    INIT              1      2  pending\n");
}

/* The same objects as the stats JSON, without the counters: keys as docs/stats.md lists them. */
static void test_status_json(void **state)
{
	assert_renders(
		render_status_json, *state, NULL,
		"{\"format\":2,\"version\":\"" RPILB_VERSION
		"\",\"hostname\":\"pi-lb\",\"pid\":4242,\"now_unix\":1700000000,"
		"\"uptime_ms\":65400,\"interface\":\"eth0\",\"mode\":\"tc\","
		"\"mode_reason\":\"generic XDP only on eth0\",\"flows\":{\"current\":3,"
		"\"capacity\":65536,\"halfopen\":0,\"expired\":{\"halfopen\":0,\"idle\":0,"
		"\"closed\":0,\"orphan\":0}},\"frontends\":[{\"frontend\":\"raspberrypinodes\","
		"\"backend\":\"nodes\",\"new_flows\":0,\"no_backend\":0,\"flow_rate\":0,"
		"\"binds\":[{\"address\":\"10.0.0.2\",\"port\":80,\"new_flows\":0,"
		"\"no_backend\":0,\"flow_rate\":0}]}],\"backends\":[{\"backend\":\"nodes\","
		"\"balance\":\"roundrobin\",\"status\":\"UP\",\"active_servers\":1,"
		"\"total_servers\":3,\"weight\":1,\"active_flows\":3,\"new_flows\":0,"
		"\"flow_rate\":0,\"packets_in\":0,\"bytes_in\":0,\"packets_out\":0,"
		"\"bytes_out\":0,\"nat_fail\":0,\"no_server\":0,"
		"\"servers\":[{\"server\":\"raspberrypi01\",\"id\":0,"
		"\"address\":\"192.168.1.101\",\"port\":8000,\"state\":\"UP\",\"status\":\"UP\","
		"\"health\":\"UP\",\"admin\":\"ready\",\"up\":true,\"in_rotation\":true,"
		"\"checked\":true,\"runtime\":false,\"weight\":1,\"active_flows\":2,"
		"\"new_flows\":0,\"flow_rate\":0,\"packets_in\":0,\"bytes_in\":0,"
		"\"packets_out\":0,\"bytes_out\":0,\"nat_fail\":0,\"in_state_ms\":0,"
		"\"downtime_ms\":0,\"up_down\":0,\"check\":{\"result\":\"L7OK\","
		"\"desc\":\"Layer7 check passed\",\"detail\":\"HTTP status 200\",\"code\":200,"
		"\"duration_ms\":1,\"age_ms\":420,\"checks\":0,\"failures\":0}},"
		"{\"server\":\"raspberrypi02\",\"id\":1,\"address\":\"192.168.1.102\","
		"\"port\":8000,\"state\":\"DRAIN (DOWN 1/2)\",\"status\":\"DRAIN\","
		"\"health\":\"DOWN 1/2\",\"admin\":\"drain\",\"up\":false,\"in_rotation\":false,"
		"\"checked\":true,\"runtime\":false,\"weight\":3,\"active_flows\":1,"
		"\"new_flows\":0,\"flow_rate\":0,\"packets_in\":0,\"bytes_in\":0,"
		"\"packets_out\":0,\"bytes_out\":0,\"nat_fail\":0,\"in_state_ms\":0,"
		"\"downtime_ms\":0,\"up_down\":0,\"check\":{\"result\":\"L4CON\",\"desc\":\"\","
		"\"detail\":\"Connection refused\",\"code\":0,\"duration_ms\":0,\"age_ms\":65000,"
		"\"checks\":0,\"failures\":0}},{\"server\":\"raspberrypi04\",\"id\":7,"
		"\"address\":\"192.168.1.104\",\"port\":8000,\"state\":\"UP\",\"status\":\"UP\","
		"\"health\":\"UP\",\"admin\":\"ready\",\"up\":true,\"in_rotation\":false,"
		"\"checked\":false,\"runtime\":true,\"weight\":0,\"active_flows\":0,"
		"\"new_flows\":0,\"flow_rate\":0,\"packets_in\":0,\"bytes_in\":0,"
		"\"packets_out\":0,\"bytes_out\":0,\"nat_fail\":0,\"in_state_ms\":0,"
		"\"downtime_ms\":0,\"up_down\":0,\"check\":{\"result\":null,\"desc\":\"\","
		"\"detail\":\"\",\"code\":0,\"duration_ms\":0,\"age_ms\":null,\"checks\":0,"
		"\"failures\":0}}]}]}\n");
}

/* --- answers about one server ---------------------------------------------------- */

static void test_change_replies(void **state)
{
	struct render_opts o = { .backend = "nodes",
				 .server = "raspberrypi02",
				 .what = "draining" };

	assert_renders(render_change_text, *state, &o,
		       "nodes/raspberrypi02 draining: DRAIN (DOWN 1/2), 1 open flow\n");
	assert_renders(
		render_change_json, *state, &o,
		"{\"format\":2,\"server\":\"raspberrypi02\",\"backend\":\"nodes\",\"id\":1,"
		"\"address\":\"192.168.1.102\",\"port\":8000,\"state\":\"DRAIN (DOWN 1/2)\","
		"\"status\":\"DRAIN\",\"health\":\"DOWN 1/2\",\"admin\":\"drain\",\"up\":false,"
		"\"in_rotation\":false,\"checked\":true,\"runtime\":false,\"weight\":3,"
		"\"active_flows\":1,\"new_flows\":0,\"flow_rate\":0,\"packets_in\":0,"
		"\"bytes_in\":0,\"packets_out\":0,\"bytes_out\":0,\"nat_fail\":0,"
		"\"in_state_ms\":0,\"downtime_ms\":0,\"up_down\":0,"
		"\"check\":{\"result\":\"L4CON\",\"desc\":\"\",\"detail\":\"Connection refused\","
		"\"code\":0,\"duration_ms\":0,\"age_ms\":65000,\"checks\":0,\"failures\":0}}\n");
	o.server = "raspberrypi01";
	o.what = "unchanged";
	assert_renders(render_change_text, *state, &o,
		       "nodes/raspberrypi01 unchanged: UP, 2 open flows\n");
}

static void test_deleted_replies(void **state)
{
	struct render_opts o = { .backend = "nodes", .server = "raspberrypi04" };

	assert_renders(render_deleted_text, *state, &o,
		       "nodes/raspberrypi04 deleted: no new flows; 0 open flows finish on it\n");
	assert_renders(render_deleted_json, *state, &o,
		       "{\"format\":2,\"server\":\"raspberrypi04\",\"backend\":\"nodes\","
		       "\"deleted\":true,\"active_flows\":0}\n");
	o.server = "raspberrypi02";
	assert_renders(render_deleted_text, *state, &o,
		       "nodes/raspberrypi02 deleted: no new flows; 1 open flow finish on it\n");
}

static void test_open_flows(void **state)
{
	struct render_opts o = { .backend = "nodes", .server = "raspberrypi01" };

	assert_renders(render_open_flows, *state, &o, "2\n");
}

/* Asked about a server the snapshot does not have: nothing written, -ENOENT. */
static void test_reply_unknown_server(void **state)
{
	static const render_fn fns[] = { render_change_text, render_change_json,
					 render_deleted_text, render_deleted_json,
					 render_open_flows };
	struct render_opts o = { .backend = "nodes", .server = "nosuch", .what = "added" };
	struct render_opts other = { .backend = "other", .server = "raspberrypi01" };
	char buf[64] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	for (size_t i = 0; i < ARRAY_SIZE(fns); i++) {
		assert_int_equal(fns[i](f, *state, &o), -ENOENT);
		assert_int_equal(fns[i](f, *state, &other), -ENOENT);
		assert_int_equal(fns[i](f, *state, NULL), -ENOENT);
	}
	fclose(f);
	assert_string_equal(buf, "");
}

/* --- write errors --------------------------------------------------------------- */

static void test_write_error(void **state)
{
	FILE *f = dev_full();

	assert_int_equal(render_conns_text(f, *state, NULL), -EIO);
	assert_int_equal(render_conns_json(f, *state, NULL), -EIO);
	assert_int_equal(render_status_text(f, *state, NULL), -EIO);
	assert_int_equal(render_status_json(f, *state, NULL), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conns_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conns_text_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conns_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_text_corners, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_unknown_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
