// SPDX-License-Identifier: GPL-2.0-only
/*
 * A newcomer's first hour, in the lab: a LAN without a router (up finds
 * the one port itself, and says why when it cannot), a daemon whose pins
 * died with its private bpffs killed mid-download and adopted from the
 * kernel, and a file with nothing to forward.
 */
#include <stdio.h>

#include "lab.h"
#include "testutil.h"

static struct lab L;

/*
 * /slow/60: ten lines a second for a minute, far longer than the kill and
 * the adoption take on a busy machine, so the flow is open when its state
 * is read; the test stops the client once the lines have gone on after
 * the adoption.
 */
#define SLOW_S	    60
#define SLOW_LINES  600
#define LINES_AFTER 20 /* lines that must arrive after the adoption: 2 s of ticks */

static bool has(const char *text, const char *needle)
{
	if (strstr(text, needle))
		return true;
	print_message("missing '%s' in:\n%s\n", needle, text);
	return false;
}

static bool attached(void)
{
	char out[64];

	lab_run(&L, "lb", out, sizeof(out), "bpftool net show dev eth0 | grep -c rpilb_ || true");
	return atoi(out) > 0;
}

/* ---- a LAN without a router ------------------------------------------------------- */

static void test_no_router_one_port(void **state)
{
	struct lab_cfg c = { .no_interface = true };
	char out[4096];

	(void)state;
	REQUIRE_ROOT();
	lab_rpilb_down(&L);
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out), "ip -4 route show default"), 0);
	assert_string_equal(out, ""); /* the lab's switch has no router */
	assert_int_equal(lab_run(&L, "lb", NULL, 0, "rm -rf %s/state %s/rpilb.log", L.dir, L.dir),
			 0);
	assert_int_equal(lab_write_config(&L, &c), 0);
	assert_int_equal(lab_rpilb_up(&L, "auto", out, sizeof(out)), 0);
	assert_true(has(out, "rpilb is up on eth0 (tc: "));
	assert_true(has(out, "; chosen as the only interface up with an IPv4 address, no default "
			     "route), 1 frontend bind, 3 of 3 servers in rotation"));
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out), "curl -s --max-time 3 http://%s/", LAB_VIP), 0);
	assert_true(lab_hello_backend(out) >= 1);
	lab_rpilb_down(&L);
}

static void test_no_router_two_ports(void **state)
{
	struct lab_cfg c = { .no_interface = true };
	char out[4096];
	int rc;

	(void)state;
	REQUIRE_ROOT();
	lab_rpilb_down(&L);
	assert_int_equal(lab_write_config(&L, &c), 0);
	/* A second port with an address (a USB Ethernet dongle, say): no longer obvious. */
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0,
			"ip link add d0 type veth peer name d1 && ip addr add 10.98.0.2/24 "
			"dev d0 && ip link set d1 up && ip link set d0 up"),
		0);
	rc = lab_rpilb_up(&L, "auto", out, sizeof(out));
	lab_run(&L, "lb", NULL, 0, "ip link del d0");
	assert_int_equal(rc, 1);
	assert_true(has(out, "error: cannot tell which interface to balance on: no default route, "
			     "and 2 interfaces are up with an IPv4 address (eth0, d0): set "
			     "'interface' in the rpilb section or use -i"));
	/* Nothing was changed. */
	assert_false(attached());
	assert_int_not_equal(lab_rpilb(&L, NULL, 0, "status >/dev/null 2>&1"), 0);
}

/* ---- a crash without pins --------------------------------------------------------- */

/* rpilbctl in the balancer's netns with a private /sys (ip netns exec), as a newcomer may start it. */
static int up_netns_exec(char *out, size_t len)
{
	int rc = lab_run(&L, "lb", out, len,
			 "ip netns exec rpl-%s-lb %s up -c %s -L %s/rpilb.log 2>&1", L.id,
			 lab_rpilbctl(), L.cfg, L.dir);

	if (rc == 0)
		L.rpilb_up = true;
	return rc;
}

static int lines_of(const char *file)
{
	char out[32];

	lab_run(&L, "c", out, sizeof(out), "wc -l < %s", file);
	return atoi(out);
}

/* The download went on after the adoption, every line in order: tick N is line N (the last may be cut). */
static void download_went_on(const char *slow, int before)
{
	char out[256];

	for (int i = 0; i < 100 && lines_of(slow) < before + LINES_AFTER; i++)
		usleep(100 * 1000);
	assert_int_equal(lab_run(&L, "c", NULL, 0, "kill $(cat %s/slow.pid)", L.dir), 0);
	assert_true(lines_of(slow) >= before + LINES_AFTER);
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"head -n -1 %s | awk '$0 != \"tick \" NR { print NR \": \" $0; exit 1 }'",
			slow),
		0);
}

static void test_kill9_without_pins(void **state)
{
	char out[4096], slow[160], port[32];
	int before;

	(void)state;
	REQUIRE_ROOT();
	lab_rpilb_down(&L);
	assert_int_equal(lab_run(&L, "lb", NULL, 0, "rm -rf %s/state %s/rpilb.log", L.dir, L.dir),
			 0);
	assert_int_equal(lab_write_config(&L, NULL), 0);
	assert_int_equal(up_netns_exec(out, sizeof(out)), 0);
	assert_int_equal(lab_count_in_log(&L, "bpffs was not mounted on /sys/fs/bpf: mounted it in "
					      "this private mount namespace"),
			 1);
	/* The pins are in the daemon's own bpffs, not the host's. */
	assert_int_not_equal(lab_run(&L, "lb", NULL, 0, "test -e /sys/fs/bpf/rpilb-%s", L.id), 0);

	snprintf(slow, sizeof(slow), "%s/slow.out", L.dir);
	assert_int_equal(lab_run(&L, "c", NULL, 0,
				 "curl -sN --max-time 90 http://%s/slow/%d > %s 2>&1 & echo $! > "
				 "%s/slow.pid",
				 LAB_VIP, SLOW_S, slow, L.dir),
			 0);
	for (int i = 0; i < 50 && lines_of(slow) < 5; i++)
		usleep(100 * 1000);
	if (lines_of(slow) < 5) {
		lab_run(&L, "c", out, sizeof(out), "cat %s; ss -tn", slow);
		fail_msg("the download has not started: %s", out);
	}
	assert_int_equal(
		lab_run(&L, "c", port, sizeof(port),
			"ss -Htn state established dst %s:80 | awk '{ split($3, a, \":\"); "
			"print a[2] }' | head -1",
			LAB_VIP),
		0);
	assert_true(atoi(port) > 0);

	/*
	 * Every process of the balancer: the daemon, and with its mount
	 * namespace its pins. (From the host: a shell in the namespace would
	 * be among them.)
	 */
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd),
			 "ip netns pids rpl-%s-lb | xargs -r kill -9; for i in $(seq 50); do "
			 "[ -z \"$(ip netns pids rpl-%s-lb)\" ] && exit 0; sleep 0.1; done; exit 1",
			 L.id, L.id);
		assert_int_equal(system(cmd), 0);
	}
	before = lines_of(slow);
	assert_true(before < SLOW_LINES);
	assert_true(attached()); /* the kernel keeps forwarding */

	assert_int_equal(up_netns_exec(out, sizeof(out)), 0);
	assert_int_equal(lab_count_in_log(&L, "maps were not pinned in /sys/fs/bpf/rpilb-t7"), 1);
	assert_int_equal(lab_count_in_log(&L, "pinned 12 of them again from the program attached"),
			 1);
	assert_int_equal(lab_count_in_log(&L, "adopting the running data path on eth0"), 1);
	/* The open flow is the daemon's again. */
	assert_int_equal(
		lab_rpilb(&L, out, sizeof(out),
			  "-j conns | python3 -c 'import json,sys; d=json.load(sys.stdin); "
			  "print(d[\"count\"], [f[\"client_port\"] for f in d[\"flows\"]][0], "
			  "d[\"flows\"][0][\"state\"])'"),
		0);
	{
		char want[96];

		snprintf(want, sizeof(want), "1 %d ESTABLISHED\n", atoi(port));
		assert_string_equal(out, want);
	}

	download_went_on(slow, before);

	assert_int_equal(lab_run(&L, "lb", out, sizeof(out),
				 "ip netns exec rpl-%s-lb %s down -c %s 2>&1", L.id, lab_rpilbctl(),
				 L.cfg),
			 0);
	L.rpilb_up = false;
	assert_false(attached());
}

/* ---- a file with nothing to forward ----------------------------------------------- */

static void test_nothing_to_forward(void **state)
{
	char out[4096], empty[160];

	(void)state;
	REQUIRE_ROOT();
	lab_rpilb_down(&L);
	assert_int_equal(lab_write_config(&L, NULL), 0);
	snprintf(empty, sizeof(empty), "%s/global-only.cfg", L.dir);
	/* Only process settings, and rpilb's own paths: still nothing to forward. */
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0,
			"printf 'global\\n    maxconn 256\\n\\nrpilb\\n    state-dir %s/state\\n"
			"    socket %s\\n    pin-dir /sys/fs/bpf/rpilb-%s\\n' > %s",
			L.dir, L.socket, L.id, empty),
		0);
	/* haproxy -c's verdict: no error, and will not start. */
	assert_int_equal(
		lab_run(&L, "lb", out, sizeof(out), "%s check -c /dev/null 2>&1", lab_rpilbctl()),
		2);
	assert_string_equal(out, "Configuration file has no error but will not start (no "
				 "listener): no frontend or listen section forwards a port.\n");
	assert_int_equal(
		lab_run(&L, "lb", out, sizeof(out),
			"%s check -j -c %s | python3 -c 'import json,sys; d=json.load(sys.stdin);"
			" print(d[\"valid\"], d[\"will_start\"])'",
			lab_rpilbctl(), empty),
		0);
	assert_string_equal(out, "True False\n");
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0, "%s check -c %s >/dev/null 2>&1", lab_rpilbctl(), empty),
		2);

	/* up refuses, and changes nothing. */
	assert_int_equal(lab_run(&L, "lb", NULL, 0, "rm -rf %s/state", L.dir), 0);
	assert_int_equal(
		lab_run(&L, "lb", out, sizeof(out), "%s up -c %s 2>&1", lab_rpilbctl(), empty), 1);
	assert_true(has(out, "global-only.cfg has no listener (no frontend or listen section "
			     "forwards a port): nothing to start"));
	assert_false(attached());

	/* A reload to such a file keeps what runs. */
	assert_int_equal(lab_rpilb_up(&L, "auto", out, sizeof(out)), 0);
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0, "cp %s %s.good && cp %s %s", L.cfg, L.cfg, empty, L.cfg),
		0);
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "reload 2>&1"), 1);
	assert_true(has(out, "has no listener (no frontend or listen section forwards a port); the "
			     "running configuration stays"));
	assert_int_equal(lab_run(&L, "lb", NULL, 0, "cp %s.good %s", L.cfg, L.cfg), 0);
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out), "curl -s --max-time 3 http://%s/", LAB_VIP), 0);
	assert_true(lab_hello_backend(out) >= 1);
	lab_rpilb_down(&L);
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	return lab_up(&L, "t7", 3, "hellod");
}

static int teardown(void **state)
{
	(void)state;
	if (L.id[0])
		lab_run(&L, "lb", NULL, 0, "ip link del d0 2>/dev/null");
	lab_down(&L);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_router_one_port),
		cmocka_unit_test(test_no_router_two_ports),
		cmocka_unit_test(test_kill9_without_pins),
		cmocka_unit_test(test_nothing_to_forward),
	};

	return cmocka_run_group_tests_name("lab: first contact", tests, setup, teardown);
}
