// SPDX-License-Identifier: GPL-2.0-only
/*
 * Real TCP through the balancer, in each attach mode: exact round robin
 * over 300 sequential connections, a 100 MB transfer that arrives byte for
 * byte, and many parallel connections that all complete. Then the Pis'
 * TIME_WAIT against shifted timestamps, merged segments (GRO), and
 * HAProxy's port ranges, port-less servers, port offsets and check ports.
 */
#include <stdio.h>

#include "lab.h"
#include "testutil.h"

static struct lab L;

struct mode_case {
	const char *mode;
	bool peer_xdp; /* native XDP_TX on veth needs XDP on the other end */
};

static const struct mode_case modes[] = {
	{ "xdp", true },
	{ "xdpgeneric", false },
	{ "tc", false },
};

static void rpilb_up(const struct mode_case *m)
{
	char out[4096];
	int rc;

	if (m->peer_xdp) {
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "tools/lab.sh peer-xdp %s on build/bpf/xdp_pass.bpf.o",
			 L.id);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(lab_write_config(&L, NULL), 0);
	rc = lab_rpilb_up(&L, m->mode, out, sizeof(out));
	if (rc)
		fail_msg("rpilbctl up -m %s failed (%d): %s", m->mode, rc, out);
	/* up says which mode it attached in, and that all three servers are in rotation. */
	assert_non_null(strstr(out, m->mode));
	assert_non_null(strstr(out, "3 of 3 servers in rotation"));
}

static void rpilb_down(const struct mode_case *m)
{
	assert_int_equal(lab_rpilb_down(&L), 0);
	if (m->peer_xdp) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "tools/lab.sh peer-xdp %s off", L.id);
		assert_int_equal(system(cmd), 0);
	}
}

static void round_robin_300(void)
{
	static char out[300 * 64];
	int counts[4] = { 0 }, prev = 0, n = 0;
	char *line, *save = NULL;

	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"for i in $(seq 300); do curl -s --max-time 5 http://%s/ || echo FAIL; done",
			LAB_VIP),
		0);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int b = lab_hello_backend(line);

		if (b < 1 || b > 3)
			fail_msg("connection %d: unexpected answer '%s'", n + 1, line);
		/* Strict rotation: every answer is the next Pi after the previous one. */
		if (prev)
			assert_int_equal(b, prev % 3 + 1);
		prev = b;
		counts[b]++;
		n++;
	}
	assert_int_equal(n, 300);
	assert_int_equal(counts[1], 100);
	assert_int_equal(counts[2], 100);
	assert_int_equal(counts[3], 100);
}

/* A download of bytes through the balancer arrives byte for byte. */
static void transfer_intact(long bytes, int max_seconds)
{
	char got[256], want[256];

	assert_int_equal(lab_run(&L, "c", got, sizeof(got),
				 "curl -s --max-time %d http://%s/blob/%ld | sha256sum",
				 max_seconds, LAB_VIP, bytes),
			 0);
	assert_int_equal(lab_run(&L, "c", want, sizeof(want),
				 "%s/tools/hellod --blob %ld | sha256sum", lab_build_dir(), bytes),
			 0);
	assert_string_equal(got, want);
}

static void parallel_200(void)
{
	char out[64];

	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"seq 200 | xargs -P 50 -I{} curl -s -o /dev/null -w '%%{http_code}\\n' "
			"--max-time 20 http://%s/ | grep -c '^200$'",
			LAB_VIP),
		0);
	assert_int_equal(atoi(out), 200);
}

static void one_mode(const struct mode_case *m)
{
	char cmd[128];

	/* A failed earlier case may have left its balancer: start clean. */
	lab_rpilb_down(&L);
	snprintf(cmd, sizeof(cmd), "tools/lab.sh peer-xdp %s off >/dev/null 2>&1", L.id);
	(void)!system(cmd);
	rpilb_up(m);
	round_robin_300();
	transfer_intact(104857600, 120);
	parallel_200();
	rpilb_down(m);
}

static void test_xdp(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	one_mode(&modes[0]);
}

static void test_xdpgeneric(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	one_mode(&modes[1]);
}

static void test_tc(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	one_mode(&modes[2]);
}

/* The client's SYN retransmissions so far (its namespace's own counter). */
static long syn_retransmits(void)
{
	char out[64];

	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"nstat -saz TcpExtTCPSynRetrans | awk '/TcpExtTCPSynRetrans/ {print $2}'"),
		0);
	return atol(out);
}

/*
 * Pairs the Pi holds in TIME_WAIT take new SYNs whatever their timestamp.
 * Sequential connections to one Pi, each closed by the Pi first (HTTP/1.0,
 * read to the end), so later SYNs keep landing on pairs it still holds in
 * TIME_WAIT. Each client connection starts its timestamp clock at random,
 * so about half of those SYNs would be refused (PAWS) as they are: those
 * are shifted, and the real TIME_WAIT must take them and the real client
 * its own timestamps back, or SYNs would be retransmitted.
 */
static void test_time_wait_takes_shifted_syns(void **state)
{
	/* The smallest range rpilb takes, so that new SYNs often meet used pairs. */
	struct lab_cfg c = { .nservers = 1, .rpilb_extra = "    nat-ports 50000-51023\n" };
	long retrans;
	char out[64];

	(void)state;
	REQUIRE_ROOT();
	lab_fresh(&L, &c);
	retrans = syn_retransmits();
	assert_int_equal(lab_run(&L, "c", out, sizeof(out),
				 "timeout 120 bash -c 'n=0; for i in $(seq 300); do "
				 "exec 3<>/dev/tcp/%s/80 || continue; "
				 "printf \"GET / HTTP/1.0\\r\\n\\r\\n\" >&3; "
				 "r=$(cat <&3); exec 3<&-; "
				 "case $r in *\"Hello from\"*) n=$((n + 1)) ;; esac; "
				 "done; echo $n'",
				 LAB_VIP),
			 0);
	assert_int_equal(atoi(out), 300);
	assert_int_equal(lab_counter(&L, "tx_new_flow"), 300);
	assert_int_equal(lab_counter(&L, "drop_nat_exhausted"), 0);
	assert_int_equal(syn_retransmits(), retrans);
	/*
	 * 300 random starts in 1024 ports meet ~44 pairs in TIME_WAIT, half
	 * of them behind: none shifted is as likely as 22 coin tosses all won.
	 */
	if (lab_counter(&L, "ev_ts_shift") < 1 ||
	    lab_counter(&L, "ev_tw_reuse") < lab_counter(&L, "ev_ts_shift"))
		fail_msg("ev_ts_shift %lld, ev_tw_reuse %lld", lab_counter(&L, "ev_ts_shift"),
			 lab_counter(&L, "ev_tw_reuse"));
	assert_int_equal(lab_rpilb_down(&L), 0);
}

/* The balancer port's generic-receive-offload, as ethtool shows it: "on" or "off". */
static void lb_gro(char *out, size_t len)
{
	assert_int_equal(
		lab_run(&L, "lb", out, len,
			"ethtool -k eth0 | awk '/^generic-receive-offload:/ {printf \"%%s\", $2}'"),
		0);
}

static long client_csum_errors(void)
{
	char out[64];

	assert_int_equal(lab_run(&L, "c", out, sizeof(out),
				 "nstat -saz TcpInCsumErrors | awk '/TcpInCsumErrors/ {print $2}'"),
			 0);
	return atol(out);
}

/*
 * A real NIC merges bursts of segments (GRO) before tc and generic XDP see
 * them, and leaves the merged packet's TCP checksum for the way out to
 * finish. Rewritten as if it were complete, every merged reply reached the
 * client broken and a download stalled. The lab's veths merge only in NAPI
 * mode, which an XDP program on the balancer's own port turns on: that is
 * the NIC here. up must turn GRO off there, and down turn it back on.
 */
static void test_gro_merged_segments(void **state)
{
	char got[256];
	long csum_errors;

	(void)state;
	REQUIRE_ROOT();
	lab_rpilb_down(&L);
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0,
			"ip link set dev eth0 xdpdrv obj build/bpf/xdp_pass.bpf.o sec xdp && "
			"ethtool -K eth0 gro on"),
		0);
	assert_int_equal(lab_write_config(&L, NULL), 0);
	assert_int_equal(lab_rpilb_up(&L, "tc", got, sizeof(got)), 0);
	lb_gro(got, sizeof(got));
	assert_string_equal(got, "off");
	assert_int_equal(lab_count_in_log(&L, "eth0: GRO off while rpilb runs"), 1);

	csum_errors = client_csum_errors();
	transfer_intact(10485760, 60);
	assert_int_equal(client_csum_errors(), csum_errors);

	assert_int_equal(lab_rpilb_down(&L), 0);
	lb_gro(got, sizeof(got));
	assert_string_equal(got, "on");
	assert_int_equal(lab_run(&L, "lb", NULL, 0,
				 "ethtool -K eth0 gro off && ip link set dev eth0 xdpdrv off"),
			 0);
}

/* A hellod answering as Pi #node on host:port, until the test kills it by its pid file. */
static void extra_hellod(const char *host, int node, int port)
{
	assert_int_equal(
		lab_run(&L, host, NULL, 0,
			"rm -f %1$s/hellod-%2$d.pid; "
			"setsid %3$s/tools/hellod -q -n %2$d -p %4$d -P %1$s/hellod-%2$d.pid "
			"</dev/null >/dev/null 2>&1 & "
			"for i in $(seq 50); do [ -s %1$s/hellod-%2$d.pid ] && exit 0; "
			"sleep 0.1; done; exit 1",
			L.dir, node, lab_build_dir(), port),
		0);
}

static void stop_hellod(int node)
{
	lab_run(&L, "lb", NULL, 0,
		"kill $(cat %1$s/hellod-%2$d.pid) 2>/dev/null; "
		"for i in $(seq 50); do [ -e %1$s/hellod-%2$d.pid ] || exit 0; sleep 0.1; done",
		L.dir, node);
}

/* Which Pi answered each of n requests to the VIP's port, in order. */
static void requests_to_port(int port, int n, int *who)
{
	char out[64 * 16], *line, *save = NULL;
	int i = 0;

	assert_true(n <= 16);
	assert_int_equal(lab_run(&L, "c", out, sizeof(out),
				 "for i in $(seq %d); do curl -s --max-time 3 http://%s:%d/ || "
				 "echo FAIL; echo; done",
				 n, LAB_VIP, port),
			 0);
	for (line = strtok_r(out, "\n", &save); line && i < n; line = strtok_r(NULL, "\n", &save))
		who[i++] = lab_hello_backend(line);
	assert_int_equal(i, n);
}

/*
 * Four requests to the VIP's port alternate between pi1 (answering as
 * node a there) and pi2 (as node b), whichever of them the rotation's turn
 * gives the first.
 */
static void alternates(int port, int a, int b)
{
	int who[4];

	requests_to_port(port, 4, who);
	if (!((who[0] == a && who[1] == b) || (who[0] == b && who[1] == a)) || who[2] != who[0] ||
	    who[3] != who[1])
		fail_msg("port %d: answers #%d #%d #%d #%d, want #%d and #%d in turn", port, who[0],
			 who[1], who[2], who[3], a, b);
}

static const char port_map_config[] =
	"defaults\n"
	"    mode tcp\n"
	"    timeout connect 5s\n"
	"    timeout client 50s\n"
	"    timeout server 50s\n"
	"\n"
	"frontend ports\n"
	"    bind *:8000-8001\n"
	"    default_backend ports\n"
	"\n"
	"backend ports\n"
	"    server pi1 10.99.0.11 check port 8000 inter 300ms fall 2 rise 2\n"
	"    server pi2 10.99.0.12:+1000 check port 9000 inter 300ms fall 2 rise 2\n";

/*
 * HAProxy's L4 addressing: a bind port range is one service per port, a
 * server without a port gets the port the client connected to, ":+1000"
 * that port shifted, and "check port" is where its health is asked. pi1
 * answers as #1 on 8000 and #11 on 8001; pi2 as #20 on 9000 and #21 on
 * 9001. With pi2's check port silent, pi2 leaves the rotation although
 * its 8000 (the lab's hellod) still answers: the check went to 9000.
 */
static void test_port_map(void **state)
{
	struct lab_cfg c = { .proxies = port_map_config };
	int who[4];

	(void)state;
	REQUIRE_ROOT();
	extra_hellod("b1", 11, 8001);
	extra_hellod("b2", 20, 9000);
	extra_hellod("b2", 21, 9001);
	lab_fresh(&L, &c);
	lab_wait_field(&L, "pi1", "['state']", "UP", 5000);
	lab_wait_field(&L, "pi2", "['state']", "UP", 5000);

	alternates(8000, 1, 20);
	alternates(8001, 11, 21);

	stop_hellod(20);
	lab_wait_field(&L, "pi2", "['state']", "DOWN", 5000);
	requests_to_port(8000, 2, who);
	assert_int_equal(who[0], 1);
	assert_int_equal(who[1], 1);
	requests_to_port(8001, 2, who);
	assert_int_equal(who[0], 11);
	assert_int_equal(who[1], 11);

	stop_hellod(11);
	stop_hellod(21);
	assert_int_equal(lab_rpilb_down(&L), 0);
}

LAB_GROUP_FIXTURE(L, "t2", 3, "hellod")

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xdp),
		cmocka_unit_test(test_xdpgeneric),
		cmocka_unit_test(test_tc),
		cmocka_unit_test(test_time_wait_takes_shifted_syns),
		cmocka_unit_test(test_gro_merged_segments),
		cmocka_unit_test(test_port_map),
	};

	return cmocka_run_group_tests_name("lab: data path in each attach mode", tests,
					   lab_group_setup, lab_group_teardown);
}
