// SPDX-License-Identifier: GPL-2.0-only
/*
 * The front door under abuse, in the lab: every odd packet shape while a
 * transfer runs, a bounded SYN flood from spoofed sources, a full flow
 * table, NAT ports exhausted towards one Pi, every Pi down. Each has a
 * counter, a log line, and recovers by itself; nothing established is lost.
 */
#include <stdio.h>

#include "lab.h"
#include "testutil.h"

static struct lab L;

#define PY "/usr/bin/python3" /* Debian's, with python3-scapy */

/*
 * Every packet the program saw got exactly one verdict. Read in one
 * snapshot; a packet in flight on another CPU while the per-CPU values
 * are copied can make one read off by one, so a few reads are allowed.
 */
static void assert_verdicts_add_up(void)
{
	long long diff = -1;

	for (int i = 0; i < 5 && diff; i++)
		diff = lab_stat(&L, "sum(v for k, v in d[\"counters\"].items() if "
				    "k.startswith((\"tx_\", \"pass_\", \"drop_\"))) - "
				    "d[\"counters\"][\"packets\"]");
	assert_int_equal(diff, 0);
}

/* n requests after whatever came before: a strict rotation over the Pis in it. */
static void assert_rotation(int n, int pis)
{
	int who[64];

	assert_true(n <= 64);
	lab_requests(&L, n, who);
	for (int i = 0; i < n; i++) {
		if (who[i] < 1 || who[i] > pis)
			fail_msg("request %d went to no Pi of %d", i + 1, pis);
		if (i && who[i] != who[i - 1] % pis + 1) {
			char why[2048];

			lab_rpilb(&L, why, sizeof(why),
				  "stats | grep -E 'new_flow|drop_|ev_' || true");
			fail_msg("request %d went to Pi %d after Pi %d:\n%s", i + 1, who[i],
				 who[i - 1], why);
		}
	}
}

/* A 100 MB download at 25 MB/s in the background; its port is returned. */
static int start_transfer(void)
{
	char port[32];

	assert_int_equal(
		lab_run(&L, "c", NULL, 0,
			"curl -s --limit-rate 25M --max-time 60 http://%s/blob/104857600 | "
			"sha256sum > %s/sum.out & echo $! > %s/sum.pid",
			LAB_VIP, L.dir, L.dir),
		0);
	usleep(500 * 1000);
	assert_int_equal(
		lab_run(&L, "c", port, sizeof(port),
			"ss -Htn state established dst %s:80 | awk '{ split($3, a, \":\"); "
			"print a[2] }' | head -1",
			LAB_VIP),
		0);
	assert_true(atoi(port) > 0);
	return atoi(port);
}

static void assert_transfer_whole(void)
{
	char got[256], want[256];

	assert_int_equal(lab_run(&L, "c", NULL, 0,
				 "while kill -0 $(cat %s/sum.pid) 2>/dev/null; do sleep 0.2; done",
				 L.dir),
			 0);
	assert_int_equal(lab_run(&L, "c", got, sizeof(got), "cat %s/sum.out", L.dir), 0);
	assert_int_equal(lab_run(&L, "c", want, sizeof(want),
				 "%s/tools/hellod --blob 104857600 | sha256sum", lab_build_dir()),
			 0);
	assert_string_equal(got, want);
}

static void wait_all_up(int pis)
{
	for (int i = 0; i < 100; i++) {
		if (lab_stat(&L, "d[\"backends\"][0][\"active_servers\"]") == pis)
			return;
		usleep(100 * 1000);
	}
	fail_msg("not all %d Pis are back in rotation", pis);
}

/*
 * No server has changed state for 3 s: a server leaving and rejoining the
 * rotation in the middle of a check would shift it, and rightly so.
 */
static void wait_quiet(void)
{
	for (int i = 0; i < 20; i++) {
		int before = lab_count_in_log(&L, " is DOWN") + lab_count_in_log(&L, " is UP");

		sleep(3);
		if (lab_count_in_log(&L, " is DOWN") + lab_count_in_log(&L, " is UP") == before)
			return wait_all_up(3);
	}
	fail_msg("the servers' health did not settle");
}

static void test_hostile_packets_during_transfer(void **state)
{
	char out[256];
	int port;

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, NULL);
	port = start_transfer();
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out), PY " tests/lab/hostile.py %s %d", LAB_VIP, port),
		0);
	assert_true(atoi(out) >= 40);
	assert_transfer_whole();
	assert_verdicts_add_up();
	/* The odd shapes met their reasons: a few of them, checked by name. */
	assert_true(lab_counter(&L, "drop_ip_malformed") >= 6);
	assert_true(lab_counter(&L, "drop_tcp_malformed") >= 3);
	assert_true(lab_counter(&L, "drop_bad_flags") >= 3);
	assert_true(lab_counter(&L, "drop_fragment") >= 1);
	assert_true(lab_counter(&L, "pass_fragment") >= 3);
	assert_true(lab_counter(&L, "pass_rev_miss") >= 3);
	assert_true(lab_counter(&L, "pass_not_ipv4") >= 4);
	/* Still attached, the daemon answers, and the rotation is exact. */
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out),
				 "bpftool net show dev eth0 | "
				 "grep -c rpilb_"),
			 0);
	assert_int_equal(lab_rpilb(&L, NULL, 0, "status >/dev/null"), 0);
	assert_rotation(30, 3);
}

static void test_syn_flood(void **state)
{
	struct lab_cfg c = { .rpilb_extra = "    flow-table-size 4096\n" };
	char out[256];

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, &c);
	start_transfer();
	/* Twenty thousand SYNs from made-up sources; a quarter of the table may be half-open. */
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out), PY " tests/lab/flood.py %s 20000", LAB_VIP), 0);
	assert_true(lab_counter(&L, "drop_halfopen_limit") > 0);
	assert_true(lab_stat(&L, "d[\"flows\"][\"halfopen\"]") <= 1024);
	/* Logged, rate-limited: one line per 10 s of flood at most. */
	assert_true(lab_count_in_log(&L, "refused: too many half-open connections") >= 1);
	/* What was established went on untouched. */
	assert_transfer_whole();
	assert_verdicts_add_up();
	/* The flood's half-open flows expire (timeout connect, 5 s); then all is as before. */
	for (int i = 0; i < 100 && lab_stat(&L, "d[\"flows\"][\"halfopen\"]") > 0; i++)
		usleep(100 * 1000);
	assert_int_equal(lab_stat(&L, "d[\"flows\"][\"halfopen\"]"), 0);
	/*
	 * The flood (forwarded, a quarter of the table at a time) can slow the
	 * Pis' health checks on this small VM: once all are back, all is as before.
	 */
	wait_all_up(3);
	wait_quiet();
	assert_rotation(30, 3);
}

static void test_flow_table_full(void **state)
{
	struct lab_cfg c = { .rpilb_extra = "    flow-table-size 1024\n" };
	char out[4096];

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, &c);
	/* Hold 1030 connections: the table takes 1024, the rest are refused. */
	assert_int_equal(lab_run(&L, "c", out, sizeof(out),
				 PY " tests/lab/hold.py %s 80 1030 2 | head -1", LAB_VIP),
			 0);
	/*
	 * The table takes exactly its 1024 flows and refuses the rest. (How many
	 * the client saw connect depends on its deadlines on a busy machine.)
	 */
	assert_true(atoi(out) >= 1000 && atoi(out) <= 1024);
	assert_int_equal(lab_counter(&L, "tx_new_flow"), 1024);
	if (lab_counter(&L, "drop_flow_table_full") < 1)
		fail_msg(
			"drop_flow_table_full %lld; counters: %s",
			lab_counter(&L, "drop_flow_table_full"),
			(lab_rpilb(&L, out, sizeof(out), "stats | grep -E 'drop|tx_|flows'"), out));
	assert_int_equal(
		lab_count_in_log(&L, "refused: the flow table is full (flow-table-size 1024)"), 1);
	/* hold.py has closed them: they linger 2 s, are swept, and room is back. */
	usleep(3500 * 1000);
	assert_rotation(30, 3);
	assert_verdicts_add_up();
}

static void test_nat_ports_exhausted(void **state)
{
	struct lab_cfg c = {
		.nservers = 1,
		.rpilb_extra = "    flow-table-size 4096\n    nat-ports 50000-51023\n",
	};
	char out[4096];
	int ok;

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, &c);
	assert_int_equal(lab_run(&L, "c", out, sizeof(out),
				 PY " tests/lab/hold.py %s 80 1030 2 | head -1", LAB_VIP),
			 0);
	ok = atoi(out);
	if (!(ok >= 800 && ok <= 1024))
		fail_msg("%d connected; %s", ok,
			 (lab_rpilb(&L, out, sizeof(out), "stats | grep -E 'drop|tx_|flows|nat'"),
			  out));
	/*
	 * 1024 ports towards the one Pi. Probing is bounded (32 ports from a
	 * random start), so a nearly full range refuses before it is quite full.
	 */
	assert_true(ok >= 800 && ok <= 1024);
	assert_true(lab_counter(&L, "drop_nat_exhausted") >= 1030 - ok);
	assert_true(lab_stat(&L, "d[\"backends\"][0][\"servers\"][0][\"nat_fail\"]") >= 1030 - ok);
	assert_int_equal(lab_count_in_log(&L, "refused: no free NAT port towards a server"), 1);
	/* Closed by the client first, the pairs rest 2 s and are free again. */
	usleep(3500 * 1000);
	assert_rotation(10, 1);
}

static void test_all_pis_down(void **state)
{
	char cmd[128], out[64];

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, NULL);
	for (int k = 1; k <= 3; k++) {
		snprintf(cmd, sizeof(cmd), "tools/lab.sh backend %s %d stop >/dev/null", L.id, k);
		assert_int_equal(system(cmd), 0);
	}
	for (int i = 0; i < 60; i++) {
		if (lab_stat(&L, "d[\"backends\"][0][\"active_servers\"]") == 0)
			break;
		usleep(100 * 1000);
	}
	assert_int_equal(lab_stat(&L, "d[\"backends\"][0][\"active_servers\"]"), 0);
	/* A SYN with nowhere to go is dropped (the client retries, as TCP does). */
	assert_int_not_equal(lab_run(&L, "c", out, sizeof(out),
				     "curl -s --max-time 1 http://%s/ >/dev/null", LAB_VIP),
			     0);
	assert_true(lab_counter(&L, "drop_no_backend") >= 1);
	usleep(1200 * 1000);
	assert_int_equal(lab_count_in_log(&L, "refused: no server is in rotation"), 1);
	for (int k = 1; k <= 3; k++) {
		snprintf(cmd, sizeof(cmd), "tools/lab.sh backend %s %d start >/dev/null", L.id, k);
		assert_int_equal(system(cmd), 0);
	}
	wait_all_up(3);
	assert_rotation(30, 3);
}

LAB_GROUP_FIXTURE(L, "t5", 3, "hellod")

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_packets_during_transfer),
		cmocka_unit_test(test_syn_flood),
		cmocka_unit_test(test_flow_table_full),
		cmocka_unit_test(test_nat_ports_exhausted),
		cmocka_unit_test(test_all_pis_down),
	};

	return cmocka_run_group_tests_name("lab: hostile packets, floods, exhaustion", tests,
					   lab_group_setup, lab_group_teardown);
}
