// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control plane in the lab: health checks taking a dead Pi out and
 * bringing it back, drain (with an open connection that must finish whole),
 * drain --wait, nodes added and removed at run time, weights, the daemon
 * killed with SIGKILL mid-transfer and adopted by the next "up", and a
 * reload that changes the pool under open connections.
 */
#include <signal.h>
#include <stdio.h>

#include "lab.h"
#include "testutil.h"

static struct lab L;

#define INTER_MS 1000 /* the lab config's "inter 1s" */
#define RISE	 2
#define FALL	 3

/* A fresh balancer (tc: auto's choice on a veth without peer XDP), three Pis in the file. */
static void fresh_rpilb_cfg(const struct lab_cfg *c)
{
	struct lab_cfg three = { .nservers = 3 };

	lab_fresh(&L, c ? c : &three);
}

static void fresh_rpilb(void)
{
	fresh_rpilb_cfg(NULL);
}

/* A field of one server in "rpilbctl -j status". */
static void server_field(const char *server, const char *field, char *out, size_t len)
{
	char sub[64];

	snprintf(sub, sizeof(sub), "['%s']", field);
	lab_server_field(&L, server, sub, out, len);
}

/* Poll until server's state is want; give up after deadline_ms. */
static void wait_state(const char *server, const char *want, long deadline_ms)
{
	lab_wait_field(&L, server, "['state']", want, deadline_ms);
}

static void backend(int k, const char *what)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "tools/lab.sh backend %s %d %s >/dev/null", L.id, k, what);
	assert_int_equal(system(cmd), 0);
}

/* ---- health ---------------------------------------------------------------- */

static void test_dead_pi_taken_out_and_back(void **state)
{
	int who[30];

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	backend(2, "stop");
	/* fall checks one inter apart, plus a second of slack, as the issue asks. */
	wait_state("raspberrypi02", "DOWN", INTER_MS * FALL + 1000);
	assert_int_equal(lab_count_in_log(&L, "server nodes/raspberrypi02 is DOWN"), 1);

	/* After detection no client request fails: 1 and 3 take turns. */
	lab_requests(&L, 30, who);
	for (int i = 0; i < 30; i++) {
		assert_true(who[i] == 1 || who[i] == 3);
		if (i)
			assert_int_not_equal(who[i], who[i - 1]);
	}

	backend(2, "start");
	wait_state("raspberrypi02", "UP", INTER_MS * RISE + 1000);
	assert_int_equal(lab_count_in_log(&L, "server nodes/raspberrypi02 is UP"),
			 2); /* first check, return */
	lab_requests(&L, 30, who);
	for (int i = 1; i < 30; i++)
		assert_int_equal(who[i], who[i - 1] % 3 + 1);
}

/* ---- drain ----------------------------------------------------------------- */

/* Which Pi the next new connection will reach: the one after the last answer. */
static int next_pi(void)
{
	int who[1];

	lab_requests(&L, 1, who);
	assert_true(who[0] > 0);
	return who[0] % 3 + 1;
}

static void test_drain_with_open_connection(void **state)
{
	char out[4096], name[32], flows[32];
	int pi, who[30];

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	pi = next_pi();
	snprintf(name, sizeof(name), "raspberrypi%02d", pi);
	/* A 4 s stream to that Pi, in the background: one open flow on it. */
	assert_int_equal(
		lab_run(&L, "c", NULL, 0,
			"curl -s --max-time 20 http://%s/slow/4 > %s/slow.out 2>&1 & echo $! > "
			"%s/slow.pid",
			LAB_VIP, L.dir, L.dir),
		0);
	usleep(500 * 1000);
	server_field(name, "active_flows", flows, sizeof(flows));
	assert_string_equal(flows, "1");

	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "drain %s", name), 0);
	assert_non_null(strstr(out, "draining"));
	server_field(name, "state", out, sizeof(out));
	assert_string_equal(out, "DRAIN");
	/* New connections avoid it at once... */
	lab_requests(&L, 30, who);
	for (int i = 0; i < 30; i++)
		assert_true(who[i] > 0 && who[i] != pi);

	/* ...and drain --wait returns when the open one has finished. */
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "drain %s --wait --timeout 20", name), 0);
	assert_non_null(strstr(out, "is drained"));
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"while kill -0 $(cat %s/slow.pid) 2>/dev/null; do sleep 0.1; done; "
			"grep -c '^tick ' %s/slow.out",
			L.dir, L.dir),
		0);
	/* 4 s of a tick every 100 ms: all 40 lines arrived. */
	assert_int_equal(atoi(out), 40);

	/* Drained stays drained across a restart of the daemon. */
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "enable %s", name), 0);
	server_field(name, "state", out, sizeof(out));
	assert_string_equal(out, "UP");
}

static void test_drain_wait_timeout(void **state)
{
	char out[4096], name[32];
	int pi, rc;

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	pi = next_pi();
	snprintf(name, sizeof(name), "raspberrypi%02d", pi);
	lab_run(&L, "c", NULL, 0, "curl -s --max-time 20 http://%s/slow/6 >/dev/null 2>&1 &",
		LAB_VIP);
	usleep(500 * 1000);
	rc = lab_rpilb(&L, out, sizeof(out), "drain %s --wait --timeout 1 2>&1", name);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "still has 1 open flow after 1 s"));
}

/* ---- runtime nodes, weights, bad input ------------------------------------------ */

static void test_add_and_del_node(void **state)
{
	char out[4096];
	int who[40], counts[5] = { 0 };

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "add-node raspberrypi04 10.99.0.14:8000"),
			 0);
	wait_state("raspberrypi04", "UP", INTER_MS * RISE + 1000);
	lab_requests(&L, 40, who);
	for (int i = 0; i < 40; i++)
		counts[who[i]]++;
	for (int k = 1; k <= 4; k++)
		assert_int_equal(counts[k], 10);
	/* Persisted before it was acknowledged. */
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out), "cat %s/state/state", L.dir), 0);
	assert_non_null(strstr(out, "added nodes raspberrypi04 10.99.0.14:8000 weight 1"));

	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "del-node raspberrypi04"), 0);
	lab_requests(&L, 30, who);
	for (int i = 0; i < 30; i++)
		assert_true(who[i] >= 1 && who[i] <= 3);
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out), "cat %s/state/state", L.dir), 0);
	assert_null(strstr(out, "raspberrypi04"));
}

static void test_bad_input_changes_nothing(void **state)
{
	static const struct {
		const char *args;
		const char *says;
		int rc;
	} cases[] = {
		{ "drain nosuchpi", "no server 'nosuchpi'", 1 },
		{ "add-node raspberrypi01 10.99.0.14:8000", "already has a server 'raspberrypi01'",
		  1 },
		{ "add-node pi05 10.99.0.300:8000", "bad address '10.99.0.300:8000'", 2 },
		{ "add-node pi05 10.99.0.15", "bad address '10.99.0.15'", 2 },
		{ "add-node pi05 10.99.0.15:8000 --weight 999", "bad weight '999'", 2 },
		{ "add-node abcdefghijabcdefghijabcdefghijabcdef 10.99.0.15:8000",
		  "bad server name", 2 },
		{ "add-node 'pi 5' 10.99.0.15:8000", "bad server name", 2 },
		{ "drain raspberrypi01 --backend nosuch", "no backend 'nosuch'", 1 },
		{ "frobnicate", "unknown command 'frobnicate'", 2 },
		{ "drain", "needs a server NAME", 2 },
		{ "enable raspberrypi01 extra", "unexpected argument 'extra'", 2 },
	};
	char before[4096], after[4096], out[4096];

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	assert_int_equal(lab_run(&L, "lb", before, sizeof(before), "cat %s/state/state", L.dir), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = lab_rpilb(&L, out, sizeof(out), "%s 2>&1", cases[i].args);

		if (rc != cases[i].rc || !strstr(out, cases[i].says))
			fail_msg("'%s': exit %d '%s', want exit %d with '%s'", cases[i].args, rc,
				 out, cases[i].rc, cases[i].says);
		/* One line, and it is an error. */
		assert_int_equal(strchr(out, '\n') - out + 1, (long)strlen(out));
		assert_non_null(strstr(out, "error: "));
	}
	assert_int_equal(lab_run(&L, "lb", after, sizeof(after), "cat %s/state/state", L.dir), 0);
	assert_string_equal(before, after);
}

static void test_weights_2_1_1(void **state)
{
	struct lab_cfg c = { .nservers = 3, .server_opts = { [1] = "weight 2" } };
	static int who[400];
	int counts[4] = { 0 }, run = 0;

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb_cfg(&c);
	lab_requests(&L, 400, who);
	for (int i = 0; i < 400; i++) {
		assert_true(who[i] >= 1 && who[i] <= 3);
		counts[who[i]]++;
		/* Interleaved, not in bursts: never three in a row from one Pi. */
		run = i && who[i] == who[i - 1] ? run + 1 : 1;
		assert_true(run <= 2);
	}
	assert_int_equal(counts[1], 200);
	assert_int_equal(counts[2], 100);
	assert_int_equal(counts[3], 100);
}

/* ---- restart, kill -9, reload ---------------------------------------------------- */

static void test_up_when_running_is_a_noop(void **state)
{
	char out[4096];

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	assert_int_equal(lab_rpilb_up(&L, "auto", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "rpilb is already running"));
}

static void test_kill9_during_transfer(void **state)
{
	char out[4096], got[256], want[256], name[32];
	int pi;

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	pi = next_pi();
	snprintf(name, sizeof(name), "raspberrypi%02d", pi % 3 + 1);
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "drain %s", name), 0);
	/* 100 MB at 25 MB/s: about four seconds on the wire. */
	assert_int_equal(
		lab_run(&L, "c", NULL, 0,
			"curl -s --limit-rate 25M --max-time 60 http://%s/blob/104857600 | "
			"sha256sum > %s/sum.out & echo $! > %s/sum.pid",
			LAB_VIP, L.dir, L.dir),
		0);
	usleep(1000 * 1000);
	{
		char pid[32];

		snprintf(pid, sizeof(pid), "%d", lab_daemon_pid(&L));
		assert_true(atoi(pid) > 1);
		assert_int_equal(kill(atoi(pid), SIGKILL), 0);
	}
	usleep(300 * 1000);
	assert_int_equal(lab_rpilb_up(&L, "auto", out, sizeof(out)), 0);

	assert_int_equal(lab_run(&L, "c", NULL, 0,
				 "while kill -0 $(cat %s/sum.pid) 2>/dev/null; do sleep 0.2; done",
				 L.dir),
			 0);
	assert_int_equal(lab_run(&L, "c", got, sizeof(got), "cat %s/sum.out", L.dir), 0);
	assert_int_equal(lab_run(&L, "c", want, sizeof(want),
				 "%s/tools/hellod --blob 104857600 | sha256sum", lab_build_dir()),
			 0);
	assert_string_equal(got, want);
	assert_true(lab_count_in_log(&L, "adopting the running data path") >= 1);
	/* The runtime change made before the kill is still in force. */
	server_field(name, "state", out, sizeof(out));
	assert_string_equal(out, "DRAIN");
}

static void test_reload_changes_pool_under_open_connection(void **state)
{
	char out[4096];
	int who[30], counts[5] = { 0 };

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	/* Keep a stream open to whichever Pi comes next. */
	next_pi();
	lab_run(&L, "c", NULL, 0,
		"curl -s --max-time 20 http://%s/slow/4 > %s/slow.out 2>&1 & echo $! > %s/slow.pid",
		LAB_VIP, L.dir, L.dir);
	usleep(500 * 1000);

	/* Pi 3 leaves the file, Pi 4 joins it. */
	assert_int_equal(lab_run(&L, "lb", NULL, 0,
				 "sed -i 's/raspberrypi03 10.99.0.13/raspberrypi04 10.99.0.14/' %s",
				 L.cfg),
			 0);
	if (lab_rpilb(&L, out, sizeof(out), "reload 2>&1"))
		fail_msg("reload failed: %s", out);
	wait_state("raspberrypi04", "UP", INTER_MS * RISE + 1000);
	lab_requests(&L, 30, who);
	for (int i = 0; i < 30; i++)
		counts[who[i]]++;
	assert_int_equal(counts[0], 0);
	assert_int_equal(counts[3], 0);
	assert_int_equal(counts[1], 10);
	assert_int_equal(counts[2], 10);
	assert_int_equal(counts[4], 10);

	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"while kill -0 $(cat %s/slow.pid) 2>/dev/null; do sleep 0.1; done; "
			"grep -c '^tick ' %s/slow.out",
			L.dir, L.dir),
		0);
	assert_int_equal(atoi(out), 40);
}

/* ---- more of the contract ----------------------------------------------------------- */

static void test_dead_pi_at_start_gets_nothing(void **state)
{
	char out[4096];
	int who[30];

	(void)state;
	REQUIRE_ROOT();
	lab_rpilb_down(&L);
	backend(3, "stop");
	fresh_rpilb();
	/* Checked once before up returned: never given a flow. */
	server_field("raspberrypi03", "state", out, sizeof(out));
	assert_string_equal(out, "DOWN");
	lab_requests(&L, 30, who);
	for (int i = 0; i < 30; i++)
		assert_true(who[i] == 1 || who[i] == 2);
	backend(3, "start");
}

static void test_maint_and_enable(void **state)
{
	char out[4096], checks[32], later[32];
	int who[30];

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "maint raspberrypi02"), 0);
	server_field("raspberrypi02", "state", out, sizeof(out));
	assert_string_equal(out, "MAINT");
	lab_requests(&L, 30, who);
	for (int i = 0; i < 30; i++)
		assert_true(who[i] == 1 || who[i] == 3);
	/* In maintenance it is not checked either (HAProxy's rule). */
	assert_int_equal(
		lab_run(&L, "b2", checks, sizeof(checks), "curl -s http://127.0.0.1:8000/stats"),
		0);
	usleep(2500 * 1000);
	assert_int_equal(
		lab_run(&L, "b2", later, sizeof(later), "curl -s http://127.0.0.1:8000/stats"), 0);
	assert_string_equal(checks, later);

	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "enable raspberrypi02"), 0);
	wait_state("raspberrypi02", "UP", INTER_MS * RISE + 1000);
	lab_requests(&L, 30, who);
	for (int i = 1; i < 30; i++)
		assert_int_equal(who[i], who[i - 1] % 3 + 1);
}

static void test_reload_keeps_runtime_changes_and_sighup(void **state)
{
	char out[4096], pid[32];

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "drain raspberrypi01"), 0);
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "add-node raspberrypi04 10.99.0.14:8000"),
			 0);
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "reload"), 0);
	server_field("raspberrypi01", "state", out, sizeof(out));
	assert_string_equal(out, "DRAIN");
	server_field("raspberrypi04", "address", out, sizeof(out));
	assert_string_equal(out, "10.99.0.14");

	/* SIGHUP is a reload too: a weight changed in the file takes effect. */
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0,
			"sed -i 's/raspberrypi02 10.99.0.12:8000 check inter 1s/& weight 3/' %s",
			L.cfg),
		0);
	snprintf(pid, sizeof(pid), "%d", lab_daemon_pid(&L));
	assert_int_equal(kill(atoi(pid), SIGHUP), 0);
	for (int i = 0; i < 50; i++) {
		server_field("raspberrypi02", "weight", out, sizeof(out));
		if (!strcmp(out, "3"))
			break;
		usleep(100 * 1000);
	}
	assert_string_equal(out, "3");
	server_field("raspberrypi01", "state", out, sizeof(out));
	assert_string_equal(out, "DRAIN");
}

static void test_sigterm_keeps_forwarding(void **state)
{
	char out[4096], pid[32];
	int who[6];

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	snprintf(pid, sizeof(pid), "%d", lab_daemon_pid(&L));
	assert_int_equal(kill(atoi(pid), SIGTERM), 0);
	for (int i = 0; i < 50 && kill(atoi(pid), 0) == 0; i++)
		usleep(100 * 1000);
	assert_int_not_equal(kill(atoi(pid), 0), 0);
	/* No daemon, and the Pis are still served in rotation. */
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "status 2>&1"), 1);
	assert_non_null(strstr(out, "rpilb is not running"));
	lab_requests(&L, 6, who);
	for (int i = 1; i < 6; i++)
		assert_int_equal(who[i], who[i - 1] % 3 + 1);
	assert_int_equal(lab_rpilb_up(&L, "auto", out, sizeof(out)), 0);
}

static void test_dedicated_vip(void **state)
{
	struct lab_cfg c = {
		.nservers = 3,
		.rpilb_extra = "",
		.backend_extra =
			"\nfrontend vip\n    bind 10.99.0.100:8080\n    default_backend nodes\n",
	};
	char out[4096];
	int who[3];

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb_cfg(&c);
	/* up added the VIP to eth0, so the kernel answers ARP for it. */
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out), "ip -4 -o addr show dev eth0"), 0);
	assert_non_null(strstr(out, "10.99.0.100/32"));
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"for i in 1 2 3; do curl -s --max-time 3 http://10.99.0.100:8080/; done"),
		0);
	{
		char *save = NULL, *line = strtok_r(out, "\n", &save);

		for (int i = 0; i < 3; i++, line = strtok_r(NULL, "\n", &save)) {
			assert_non_null(line);
			who[i] = lab_hello_backend(line);
		}
	}
	assert_int_equal(who[1], who[0] % 3 + 1);
	assert_int_equal(who[2], who[1] % 3 + 1);
	/* down gives the address back. */
	assert_int_equal(lab_rpilb_down(&L), 0);
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out), "ip -4 -o addr show dev eth0"), 0);
	assert_null(strstr(out, "10.99.0.100"));
}

static void test_auto_picks_xdp_with_peer_program(void **state)
{
	char out[4096], cmd[256];

	(void)state;
	REQUIRE_ROOT();
	lab_rpilb_down(&L);
	snprintf(cmd, sizeof(cmd), "tools/lab.sh peer-xdp %s on build/bpf/xdp_pass.bpf.o", L.id);
	assert_int_equal(system(cmd), 0);
	fresh_rpilb();
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "-j status"), 0);
	assert_non_null(strstr(out, "\"mode\":\"xdp\""));
	lab_rpilb_down(&L);
	snprintf(cmd, sizeof(cmd), "tools/lab.sh peer-xdp %s off", L.id);
	assert_int_equal(system(cmd), 0);
}

static void test_unresolved_neighbour_loses_nothing(void **state)
{
	int who[3];

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	/*
	 * With its neighbour table empty the balancer cannot put a MAC on the
	 * first packet: the kernel gets it rewritten, resolves and forwards.
	 */
	char out[64];

	assert_int_equal(lab_run(&L, "lb", NULL, 0, "ip neigh flush dev eth0"), 0);
	lab_requests(&L, 3, who);
	assert_int_equal(who[1], who[0] % 3 + 1);
	assert_int_equal(who[2], who[1] % 3 + 1);
	/* And it really went through the kernel: bpftool reads the counter by name. */
	assert_int_equal(
		lab_run(&L, "lb", out, sizeof(out),
			"bpftool -j map dump pinned /sys/fs/bpf/rpilb-%s/counters | python3 -c "
			"'import json,sys; print(sum(v[\"value\"][\"pass_no_neigh\"] for v in "
			"json.load(sys.stdin)[0][\"formatted\"][\"values\"]))'",
			L.id),
		0);
	assert_true(atoi(out) >= 1);
}

/* The Pis' TIME_WAIT sockets towards the balancer's NAT ports, into file. */
static void pis_time_wait(const char *file)
{
	char host[8];

	assert_int_equal(lab_run(&L, "lb", NULL, 0, "rm -f %s/%s", L.dir, file), 0);
	for (int b = 1; b <= 3; b++) {
		snprintf(host, sizeof(host), "b%d", b);
		assert_int_equal(lab_run(&L, host, NULL, 0,
					 "ss -Htan state time-wait '( sport = :8000 and dport >= "
					 ":50000 and dport <= :59999 )' | sed 's/^/%s /' >>%s/%s",
					 host, L.dir, file),
				 0);
	}
}

static void test_down_up_keeps_time_wait(void **state)
{
	char out[4096];
	int who[30], held, kept;

	(void)state;
	REQUIRE_ROOT();
	fresh_rpilb();
	/* Earlier tests' pairs, which a fresh state directory forgot. */
	pis_time_wait("tw-before");
	/* With Connection: close the Pi closes first and holds TIME_WAIT on the pair. */
	assert_int_equal(lab_run(&L, "c", NULL, 0,
				 "for i in $(seq 30); do curl -s -H 'Connection: close' http://%s/ "
				 ">/dev/null; done; sleep 0.5",
				 LAB_VIP),
			 0);
	/*
	 * Which end holds TIME_WAIT depends on who closed first, or on both
	 * when the FINs cross: the Pis' own sockets are the truth.
	 */
	pis_time_wait("tw-after");
	assert_int_equal(
		lab_run(&L, "lb", out, sizeof(out),
			"cd %s && sort tw-before >tw-b && sort tw-after | comm -13 tw-b - | "
			"awk '{split($(NF-1), s, \":\"); split($NF, d, \":\"); "
			"print s[1], d[2]}' | sort >tw-held && wc -l <tw-held",
			L.dir),
		0);
	held = atoi(out);
	assert_true(held >= 1 && held <= 30);
	assert_int_equal(lab_rpilb_down(&L), 0);
	assert_int_equal(lab_rpilb_up(&L, "auto", out, sizeof(out)), 0);
	/* The new table knows exactly the pairs the Pis still hold. */
	assert_int_equal(
		lab_run(&L, "lb", out, sizeof(out),
			"sed -n 's/^\\([0-9]*\\) (NAT port, server) pairs are still in.*/\\1/p' "
			"%s/rpilb.log",
			L.dir),
		0);
	kept = atoi(out);
	assert_int_equal(kept, held);
	/* And they are the same pairs, read back intact. */
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out),
				 "bpftool -j map dump pinned /sys/fs/bpf/rpilb-%s/flows_rev | "
				 "python3 -c 'import json,socket,struct,sys\n"
				 "for e in json.load(sys.stdin):\n"
				 "  k = e[\"formatted\"][\"key\"]\n"
				 "  print(socket.inet_ntoa(struct.pack(\"<I\", k[\"saddr\"])), "
				 "socket.ntohs(k[\"dport\"]))' | sort | diff - %s/tw-held",
				 L.id, L.dir),
			 0);
	lab_requests(&L, 30, who);
	for (int i = 1; i < 30; i++)
		assert_int_equal(who[i], who[i - 1] % 3 + 1);
}

LAB_GROUP_FIXTURE(L, "t3", 4, "hellod")

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dead_pi_taken_out_and_back),
		cmocka_unit_test(test_drain_with_open_connection),
		cmocka_unit_test(test_drain_wait_timeout),
		cmocka_unit_test(test_add_and_del_node),
		cmocka_unit_test(test_bad_input_changes_nothing),
		cmocka_unit_test(test_weights_2_1_1),
		cmocka_unit_test(test_up_when_running_is_a_noop),
		cmocka_unit_test(test_kill9_during_transfer),
		cmocka_unit_test(test_reload_changes_pool_under_open_connection),
		cmocka_unit_test(test_dead_pi_at_start_gets_nothing),
		cmocka_unit_test(test_maint_and_enable),
		cmocka_unit_test(test_reload_keeps_runtime_changes_and_sighup),
		cmocka_unit_test(test_sigterm_keeps_forwarding),
		cmocka_unit_test(test_dedicated_vip),
		cmocka_unit_test(test_auto_picks_xdp_with_peer_program),
		cmocka_unit_test(test_unresolved_neighbour_loses_nothing),
		cmocka_unit_test(test_down_up_keeps_time_wait),
	};

	return cmocka_run_group_tests_name("lab: control plane", tests, lab_group_setup,
					   lab_group_teardown);
}
