// SPDX-License-Identifier: GPL-2.0-only
/*
 * Faults with nothing lost: Pis that hang, fail, stall, reset or flap under
 * their health checks; the daemon killed with SIGKILL in the middle of a
 * stream of runtime changes, again and again; a full or read-only state
 * directory; and who may change the balancer.
 */
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "lab.h"
#include "testutil.h"

static struct lab L;

static void control(int pi, const char *word)
{
	assert_int_equal(lab_run(&L, "lb", NULL, 0, "echo %s > %s/b%d.ctl", word, L.dir, pi), 0);
}

/* ---- health-check faults ------------------------------------------------------ */

static void test_check_faults(void **state)
{
	static const struct {
		const char *word; /* hellod's control file */
		const char *result; /* what the check says */
	} faults[] = {
		{ "hang", "L7TOUT" }, /* accepts, reads, never answers */
		{ "500", "L7STS" }, /* answers 500 */
		{ "slow", "L7TOUT" }, /* answers after 3 s; the check gives up after inter (1 s) */
		{ "reset", "L4CON" }, /* closes with a reset */
	};
	char before[32], after[32];

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, NULL);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		int downs = lab_count_in_log(&L, "server nodes/raspberrypi02 is DOWN");

		lab_server_field(&L, "raspberrypi01", "['check']['age_ms']", before,
				 sizeof(before));
		control(2, faults[i].word);
		/* fall 3 checks, each bounded by its own timer (inter), plus slack. */
		lab_wait_field(&L, "raspberrypi02", "['state']", "DOWN", 3 * 2000 + 1000);
		lab_server_field(&L, "raspberrypi02", "['check']['result']", after, sizeof(after));
		assert_string_equal(after, faults[i].result);
		/* One transition, one line, with the reason in HAProxy's words. */
		assert_int_equal(lab_count_in_log(&L, "server nodes/raspberrypi02 is DOWN"),
				 downs + 1);
		/* Meanwhile the others were checked on their own timers, not held up. */
		lab_server_field(&L, "raspberrypi01", "['check']['age_ms']", after, sizeof(after));
		assert_true(atol(after) < 1500);
		lab_server_field(&L, "raspberrypi01", "['state']", after, sizeof(after));
		assert_string_equal(after, "UP");
		control(2, "ok");
		lab_wait_field(&L, "raspberrypi02", "['state']", "UP", 2 * 2000 + 1000);
	}
	(void)before;
}

static void test_flapping_is_damped(void **state)
{
	int downs;

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, NULL);
	downs = lab_count_in_log(&L, "server nodes/raspberrypi02 is DOWN");
	/*
	 * Failing every other second, checked every second: never three failures
	 * in a row (fall 3), so the Pi never leaves the rotation.
	 */
	for (int i = 0; i < 10; i++) {
		control(2, i % 2 ? "ok" : "500");
		sleep(1);
	}
	control(2, "ok");
	assert_int_equal(lab_count_in_log(&L, "server nodes/raspberrypi02 is DOWN"), downs);
	{
		char st[32];

		lab_server_field(&L, "raspberrypi02", "['state']", st, sizeof(st));
		assert_true(!strncmp(st, "UP", 2));
	}
}

/* ---- SIGKILL in the middle of runtime changes ------------------------------------ */

static void test_kill9_during_command_stream(void **state)
{
	char out[8192], expect_admin[16] = "ready", maybe_admin[16] = "ready";
	int acked_nodes = 0;

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, NULL);
	srand(42);
	for (int round = 0; round < 30; round++) {
		int pid = lab_daemon_pid(&L);
		char *line, *save = NULL;
		bool tried = false;

		/*
		 * A stream of changes; each acknowledged one is written down. The
		 * daemon dies somewhere in it.
		 */
		assert_int_equal(
			lab_run(&L, "lb", NULL, 0,
				"rm -f %s/acks; (for i in $(seq 1 40); do "
				"n=$((%d * 40 + i)); "
				"case $((i %% 3)) in "
				"0) RPILB_SOCKET=%s %s add-node p$n 10.99.0.11:$((9000 + n)) "
				">/dev/null 2>&1 && echo add p$n >> %s/acks ;; "
				"1) echo try drain >> %s/acks; RPILB_SOCKET=%s %s drain raspberrypi01 "
				">/dev/null 2>&1 && echo drain >> %s/acks ;; "
				"2) echo try ready >> %s/acks; RPILB_SOCKET=%s %s enable raspberrypi01 "
				">/dev/null 2>&1 && echo ready >> %s/acks ;; esac; done) "
				">/dev/null 2>&1 & echo $! > %s/stream.pid",
				L.dir, round, L.socket, lab_rpilbctl(), L.dir, L.dir, L.socket,
				lab_rpilbctl(), L.dir, L.dir, L.socket, lab_rpilbctl(), L.dir,
				L.dir),
			0);
		/*
		 * Kill once a random number of nodes is acknowledged, plus a random
		 * moment, so the kill lands inside the stream however fast this
		 * machine runs it (a fixed delay meant few changes on a busy one).
		 */
		assert_int_equal(
			lab_run(&L, "lb", NULL, 0,
				"for t in $(seq 200); do [ $(grep -c '^add ' %s/acks "
				"2>/dev/null) -ge %d ] && exit 0; sleep 0.05; done; exit 1",
				L.dir, 1 + rand() % 3),
			0);
		usleep((rand() % 50) * 1000);
		assert_int_equal(kill(pid, SIGKILL), 0);
		lab_run(&L, "lb", NULL, 0,
			"while kill -0 $(cat %s/stream.pid) 2>/dev/null; do sleep 0.05; done",
			L.dir);
		/* Up again: the state file loads... */
		if (lab_rpilb_up(&L, "auto", out, sizeof(out)))
			fail_msg("round %d: up after SIGKILL failed: %s", round, out);
		/* ...and holds every change that was acknowledged. */
		assert_int_equal(
			lab_run(&L, "lb", out, sizeof(out), "cat %s/acks 2>/dev/null; true", L.dir),
			0);
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char addr[32];

			if (!strncmp(line, "add ", 4)) {
				lab_server_field(&L, line + 4, "['server']", addr, sizeof(addr));
				assert_string_equal(addr, line + 4);
				acked_nodes++;
			} else if (!strcmp(line, "try drain") || !strcmp(line, "try ready")) {
				/*
				 * The first change after the last acknowledged one may have
				 * been in flight when it died: either outcome is allowed.
				 * Later ones found no daemon and changed nothing.
				 */
				if (!tried) {
					strcpy(maybe_admin, line + 4);
					tried = true;
				}
			} else {
				strcpy(expect_admin, line);
				strcpy(maybe_admin, line);
				tried = false;
			}
		}
		lab_server_field(&L, "raspberrypi01", "['admin']", out, sizeof(out));
		if (strcmp(out, expect_admin) && strcmp(out, maybe_admin))
			fail_msg("round %d: raspberrypi01 is %s; acknowledged %s (maybe %s)", round,
				 out, expect_admin, maybe_admin);
		/* The next round starts from what is in force now. */
		strcpy(expect_admin, out);
		strcpy(maybe_admin, out);
	}
	/* Enough changes were acknowledged for this to mean something. */
	assert_true(acked_nodes >= 30);
}

/* ---- disk full, read-only -------------------------------------------------------- */

/* Every server with its admin state and whether it was added at run time. */
static void servers(char *out, size_t len)
{
	assert_int_equal(
		lab_rpilb(&L, out, len,
			  "-j status | python3 -c \"import json,sys; d=json.load(sys.stdin); "
			  "print([(s['server'], s['admin'], s['runtime']) for b in d['backends'] "
			  "for s in b['servers']])\""),
		0);
}

static void test_state_dir_full_or_read_only(void **state)
{
	char out[4096], before[8192], after[8192];

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, NULL);
	servers(before, sizeof(before));
	/* A tiny filesystem over the state directory, with the state in it, filled up. */
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0,
			"cp -a %s/state %s/state.real && mount -t tmpfs -o size=16k tmpfs %s/state && "
			"cp -a %s/state.real/. %s/state/ && "
			"(dd if=/dev/zero of=%s/state/filler bs=1k count=64 2>/dev/null; true)",
			L.dir, L.dir, L.dir, L.dir, L.dir, L.dir),
		0);
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "add-node pi9 10.99.0.13:8001 2>&1"), 1);
	assert_non_null(strstr(out, "No space left on device; nothing changed"));
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "drain raspberrypi02 2>&1"), 1);
	assert_non_null(strstr(out, "nothing changed"));
	servers(after, sizeof(after));
	assert_string_equal(before, after);

	assert_int_equal(lab_run(&L, "lb", NULL, 0,
				 "rm -f %s/state/filler && mount -o remount,ro %s/state", L.dir,
				 L.dir),
			 0);
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "del-node raspberrypi03 2>&1"), 1);
	assert_non_null(strstr(out, "Read-only file system; nothing changed"));
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "maint raspberrypi01 2>&1"), 1);
	servers(after, sizeof(after));
	assert_string_equal(before, after);
	/* Writable again: changes go through. */
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0, "umount %s/state && rm -rf %s/state.real", L.dir, L.dir),
		0);
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "drain raspberrypi02"), 0);
}

/* ---- who may change it ----------------------------------------------------------- */

static void test_socket_root_only(void **state)
{
	char out[4096];

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, NULL);
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out), "stat -c %%a %s", L.socket), 0);
	assert_string_equal(out, "600\n");
	assert_int_equal(
		lab_run(&L, "lb", out, sizeof(out),
			"RPILB_SOCKET=%s setpriv --reuid=65534 --regid=65534 --clear-groups "
			"%s drain raspberrypi01 2>&1",
			L.socket, lab_rpilbctl()),
		1);
	assert_non_null(strstr(out, "permission denied"));
	lab_server_field(&L, "raspberrypi01", "['admin']", out, sizeof(out));
	assert_string_equal(out, "ready");
}

static void test_socket_group(void **state)
{
	struct lab_cfg c = { .rpilb_extra = "    socket-group nogroup\n    socket-mode 0660\n" };
	char out[4096];

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, &c);
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out), "stat -c '%%a %%G' %s", L.socket), 0);
	assert_string_equal(out, "660 nogroup\n");
	/* A member of the group may; anyone else may not. */
	assert_int_equal(
		lab_run(&L, "lb", out, sizeof(out),
			"RPILB_SOCKET=%s setpriv --reuid=65534 --regid=65534 --groups=65534 "
			"%s drain raspberrypi01",
			L.socket, lab_rpilbctl()),
		0);
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out),
				 "RPILB_SOCKET=%s setpriv --reuid=65534 --regid=1 --clear-groups "
				 "%s enable raspberrypi01 2>&1",
				 L.socket, lab_rpilbctl()),
			 1);
	assert_non_null(strstr(out, "permission denied"));
}

static void test_nothing_from_the_network_changes_it(void **state)
{
	struct lab_cfg c = { .stats = true };
	char out[4096];

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, &c);
	/* The daemon listens on TCP for the stats page only, and it only reads. */
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out),
				 "ss -Htlnp | grep -F 'pid=%d,' | awk '{ print $4 }'",
				 lab_daemon_pid(&L)),
			 0);
	assert_string_equal(out, "0.0.0.0:1936\n");
	for (size_t i = 0; i < 3; i++) {
		static const char *const methods[] = { "POST", "PUT", "DELETE" };

		assert_int_equal(
			lab_run(&L, "c", out, sizeof(out),
				"curl -s -o /dev/null -w '%%{http_code}' -u someuser:password "
				"-X %s -d 'drain raspberrypi01' http://%s:1936/",
				methods[i], LAB_VIP),
			0);
		assert_true(!strcmp(out, "405") || !strcmp(out, "400"));
	}
	lab_server_field(&L, "raspberrypi01", "['admin']", out, sizeof(out));
	assert_string_equal(out, "ready");
}

static void test_readable_secrets_warned(void **state)
{
	struct lab_cfg c = { .stats = true };
	char out[4096];

	(void)state;
	REQUIRE_ROOT();
	assert_int_equal(lab_write_config(&L, &c), 0);
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out), "chmod 644 %s && %s check -c %s 2>&1",
				 L.cfg, lab_rpilbctl(), L.cfg),
			 0);
	assert_non_null(strstr(out, "holds 'stats auth' passwords and is readable by every user"));
	assert_int_equal(lab_run(&L, "lb", out, sizeof(out), "chmod 600 %s && %s check -c %s 2>&1",
				 L.cfg, lab_rpilbctl(), L.cfg),
			 0);
	assert_null(strstr(out, "readable by every user"));
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	return lab_up(&L, "t6", 3, "hellod");
}

static int teardown(void **state)
{
	(void)state;
	/* A failed case may have left its small filesystem over the state directory. */
	if (L.id[0])
		lab_run(&L, "lb", NULL, 0, "umount %s/state 2>/dev/null; true", L.dir);
	lab_down(&L);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_faults),
		cmocka_unit_test(test_flapping_is_damped),
		cmocka_unit_test(test_kill9_during_command_stream),
		cmocka_unit_test(test_state_dir_full_or_read_only),
		cmocka_unit_test(test_socket_root_only),
		cmocka_unit_test(test_socket_group),
		cmocka_unit_test(test_nothing_from_the_network_changes_it),
		cmocka_unit_test(test_readable_secrets_warned),
	};

	return cmocka_run_group_tests_name("lab: faults, crashes, permissions", tests, setup,
					   teardown);
}
