// SPDX-License-Identifier: GPL-2.0-only
/*
 * A running data path meets a newer rpilbctl: the daemon that attached it
 * died (SIGKILL) while a download ran, and a build from later in this
 * repository's history runs "up".
 *
 * Across the regrouping of user/ by layer (the commits after BEFORE_LAYOUT
 * up to AFTER_LAYOUT), the maps, their pinned names and the control
 * protocol stayed the same: the newer up adopts the older data path, the
 * download arrives byte for byte, the rotation goes on where it stood and
 * the counters keep counting. Across a change of the data path's ABI (to
 * this tree), up refuses to adopt, says why, and leaves the older data
 * path forwarding, so no connection is cut; the older build's down then
 * removes it.
 *
 * The older builds are made from the repository's own history (git
 * archive), so the test needs a full clone. One lab (t11, three Pis).
 */
#include <stdio.h>
#include <stdlib.h>

#include "lab.h"
#include "testutil.h"

static struct lab L;

#define BEFORE_LAYOUT "6cc1b32" /* the last commit before user/ was grouped by layer */
#define AFTER_LAYOUT  "7f92a0d~1" /* the last one after it with the same data path ABI */

#define DOWNLOAD_BYTES 52428800L

static char before_bin[256], after_bin[256];

/* Build rpilbctl as it was at rev, into DIR/rev/; its path in bin. */
static int build_at(const char *rev, char *bin, size_t len)
{
	char cmd[2048], dir[200];
	int rc;

	snprintf(dir, sizeof(dir), "%s/src-%.8s", L.dir, rev);
	for (char *p = dir + strlen(L.dir); *p; p++)
		if (*p == '~')
			*p = '-';
	snprintf(
		cmd, sizeof(cmd),
		"git cat-file -e '%1$s^{commit}' 2>/dev/null || "
		"{ echo 'lab upgrade: commit %1$s is not in this clone: the test needs its history "
		"(a full clone)' >&2; exit 1; }; "
		"rm -rf %2$s && mkdir -p %2$s && git archive '%1$s' | tar -x -C %2$s && "
		"make -C %2$s -s -j2 build >%2$s.log 2>&1 || { tail -20 %2$s.log >&2; exit 1; }",
		rev, dir);
	rc = system(cmd);
	snprintf(bin, len, "%s/build/amd64/rpilbctl", dir);
	return rc;
}

/* rpilbctl from bin in the balancer's namespace, with the lab's socket. */
static int ctl(const char *bin, char *out, size_t len, const char *args)
{
	return lab_run(&L, "lb", out, len, "RPILB_SOCKET=%s %s %s 2>&1", L.socket, bin, args);
}

static void up_with(const char *bin)
{
	char args[512], out[4096];

	snprintf(args, sizeof(args), "up -c %s -m auto -L %s/rpilb.log", L.cfg, L.dir);
	if (ctl(bin, out, sizeof(out), args))
		fail_msg("%s up failed: %s", bin, out);
	L.rpilb_up = true;
}

static void kill9_daemon(void)
{
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0,
			/* "[ ]": the pattern must not match this shell's own command line. */
			"pkill -KILL -f '[ ]up -c %1$s' && for i in $(seq 50); do "
			"pgrep -f '[ ]up -c %1$s' >/dev/null || exit 0; sleep 0.1; done; exit 1",
			L.cfg),
		0);
}

/* A download through the balancer, in the background; its digest lands in DIR/sum.out. */
static void start_download(void)
{
	assert_int_equal(
		lab_run(&L, "c", NULL, 0,
			"rm -f %2$s/sum.out; curl -s --limit-rate 10M --max-time 60 "
			"http://%1$s/blob/%3$ld | sha256sum > %2$s/sum.out & echo $! > %2$s/sum.pid",
			LAB_VIP, L.dir, DOWNLOAD_BYTES),
		0);
	usleep(1000 * 1000);
}

static void download_intact(void)
{
	char got[256], want[256];

	assert_int_equal(lab_run(&L, "c", NULL, 0,
				 "while kill -0 $(cat %s/sum.pid) 2>/dev/null; do sleep 0.2; done",
				 L.dir),
			 0);
	assert_int_equal(lab_run(&L, "c", got, sizeof(got), "cat %s/sum.out", L.dir), 0);
	assert_int_equal(lab_run(&L, "c", want, sizeof(want),
				 "%s/tools/hellod --blob %ld | sha256sum", lab_build_dir(),
				 DOWNLOAD_BYTES),
			 0);
	assert_string_equal(got, want);
}

/* n requests in strict rotation after the Pi that answered last (0: any start). */
static int rotation_after(int last, int n)
{
	int who[16];

	assert_true(n <= 16);
	lab_requests(&L, n, who);
	for (int i = 0; i < n; i++) {
		if (who[i] < 1 || who[i] > 3 || (last && who[i] != last % 3 + 1))
			fail_msg("request %d answered by Pi %d after Pi %d", i + 1, who[i], last);
		last = who[i];
	}
	return last;
}

static long long new_flows(const char *bin)
{
	char out[256];

	if (ctl(bin, out, sizeof(out),
		"-j stats | python3 -c \"import json,sys; print(json.load(sys.stdin)"
		"['counters']['tx_new_flow'])\""))
		fail_msg("stats from %s: %s", bin, out);
	return atoll(out);
}

/* Nothing running, no state or log from an earlier test: the seed's file. */
static void fresh_lab(void)
{
	lab_rpilb_down(&L);
	assert_int_equal(lab_run(&L, "lb", NULL, 0, "rm -rf %s/state %s/rpilb.log", L.dir, L.dir),
			 0);
	assert_int_equal(lab_write_config(&L, NULL), 0);
}

static void test_adopted_across_the_layout_change(void **state)
{
	char out[4096];
	int last;

	(void)state;
	REQUIRE_ROOT();
	fresh_lab();
	up_with(before_bin);
	last = rotation_after(0, 3);
	start_download();
	kill9_daemon();

	up_with(after_bin);
	download_intact();
	assert_int_equal(lab_count_in_log(&L, "adopting the running data path"), 1);
	/* The download took the Pi after the third request; the rotation goes on from there. */
	rotation_after(last % 3 + 1, 6);
	assert_int_equal(new_flows(after_bin), 3 + 1 + 6);
	assert_int_equal(ctl(after_bin, out, sizeof(out), "status"), 0);
	assert_non_null(strstr(out, "raspberrypi03"));
	assert_int_equal(
		lab_run(&L, "lb", out, sizeof(out), "%s down -c %s 2>&1", after_bin, L.cfg), 0);
	L.rpilb_up = false;
}

static void test_abi_change_refused_and_nothing_cut(void **state)
{
	char out[4096];
	int who[3];

	(void)state;
	REQUIRE_ROOT();
	fresh_lab();
	up_with(before_bin);
	rotation_after(0, 3);
	start_download();
	kill9_daemon();

	assert_int_not_equal(lab_rpilb_up(&L, "auto", out, sizeof(out)), 0);
	if (!strstr(out, "cannot be adopted") || !strstr(out, "not replacing it"))
		fail_msg("up said: %s", out);
	/* The older data path still forwards: the download and new connections. */
	download_intact();
	lab_requests(&L, 3, who);
	for (int i = 0; i < 3; i++)
		assert_in_range(who[i], 1, 3);
	assert_int_equal(
		lab_run(&L, "lb", out, sizeof(out), "%s down -c %s 2>&1", before_bin, L.cfg), 0);
	/* And this tree's up starts afresh on the freed interface. */
	lab_fresh(&L, NULL);
	rotation_after(0, 3);
	assert_int_equal(lab_rpilb_down(&L), 0);
}

static int group_setup(void **state)
{
	(void)state;
	if (geteuid())
		return 0;
	if (lab_up(&L, "t11", 3, "hellod"))
		return -1;
	if (build_at(BEFORE_LAYOUT, before_bin, sizeof(before_bin)) ||
	    build_at(AFTER_LAYOUT, after_bin, sizeof(after_bin)))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	lab_down(&L);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adopted_across_the_layout_change),
		cmocka_unit_test(test_abi_change_refused_and_nothing_cut),
	};

	return cmocka_run_group_tests_name("lab: a newer rpilbctl meets a running data path", tests,
					   group_setup, group_teardown);
}
