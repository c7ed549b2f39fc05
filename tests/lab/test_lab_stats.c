// SPDX-License-Identifier: GPL-2.0-only
/*
 * Observability in the lab: the stats page on the seed's *:1936 with its
 * auth, counters that match what the Pis' own kernels counted, a drop
 * caused on purpose shown under its reason, "conns" naming the Pi of an
 * open connection, /metrics passing promtool, and the page as headless
 * Chromium renders it.
 */
#include <stdio.h>

#include "lab.h"
#include "testutil.h"

static struct lab L;

#define STATS "http://10.99.0.2:1936"
#define AUTH  "-u someuser:password"
#define SCAPY "/usr/bin/python3" /* Debian's, with python3-scapy */

static void fresh(bool no_check, bool stats)
{
	struct lab_cfg c = { .no_check = no_check, .stats = stats };

	lab_fresh(&L, &c);
}

static int http_code(const char *curl_args)
{
	char out[32];

	lab_run(&L, "c", out, sizeof(out), "curl -s -o /dev/null -w '%%{http_code}' %s", curl_args);
	return atoi(out);
}

/*
 * What a Pi's kernel counted at the IP layer, from /proc/net/snmp ("Ip:")
 * or /proc/net/netstat ("IpExt:"): a header line of names, then values.
 */
static long long ip_counter(int pi, const char *table, const char *name)
{
	const char *file = strcmp(table, "Ip:") ? "/proc/net/netstat" : "/proc/net/snmp";
	char host[8], out[64];

	snprintf(host, sizeof(host), "b%d", pi);
	assert_int_equal(
		lab_run(&L, host, out, sizeof(out),
			"awk '$1 == \"%s\" && !h { for (i = 1; i <= NF; i++) k[i] = $i; h = 1; "
			"next } $1 == \"%s\" { for (i = 1; i <= NF; i++) if (k[i] == \"%s\") "
			"print $i }' %s",
			table, table, name, file),
		0);
	return atoll(out);
}

static void test_auth_and_routes(void **state)
{
	char out[8192];

	(void)state;
	REQUIRE_ROOT();
	fresh(false, true);
	assert_int_equal(http_code(STATS "/"), 401);
	assert_int_equal(http_code("-u someuser:wrong " STATS "/"), 401);
	assert_int_equal(http_code("-u nobody:password " STATS "/"), 401);
	assert_int_equal(http_code(AUTH " " STATS "/"), 200);
	assert_int_equal(http_code(AUTH " '" STATS "/;csv'"), 200);
	assert_int_equal(http_code(AUTH " '" STATS "/;json'"), 200);
	assert_int_equal(http_code(AUTH " " STATS "/metrics"), 200);
	assert_int_equal(http_code(AUTH " " STATS "/nope"), 404);
	assert_int_equal(http_code(AUTH " -X POST " STATS "/"), 405);
	assert_int_equal(lab_run(&L, "c", out, sizeof(out), "curl -s -D - -o /dev/null %s/", STATS),
			 0);
	assert_non_null(strstr(out, "WWW-Authenticate: Basic realm="));
	/* hide-version: no version in the Server header nor on the page. */
	assert_non_null(strstr(out, "Server: rpilb\r\n"));
	assert_int_equal(lab_run(&L, "c", out, sizeof(out), "curl -s %s %s/", AUTH, STATS), 0);
	assert_non_null(strstr(out, "raspberrypi01"));
	assert_null(strstr(out, RPILB_VERSION));
}

static void test_no_stats_section_nothing_listens(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	fresh(false, false);
	assert_int_equal(lab_run(&L, "c", NULL, 0, "curl -s --max-time 2 %s/ >/dev/null", STATS),
			 7); /* connection refused */
}

/* The same counters in the client's namespace ("c"). */
static long long client_ip_counter(const char *table, const char *name)
{
	const char *file = strcmp(table, "Ip:") ? "/proc/net/netstat" : "/proc/net/snmp";
	char out[64];

	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"awk '$1 == \"%s\" && !h { for (i = 1; i <= NF; i++) k[i] = $i; h = 1; "
			"next } $1 == \"%s\" { for (i = 1; i <= NF; i++) if (k[i] == \"%s\") "
			"print $i }' %s",
			table, table, name, file),
		0);
	return atoll(out);
}

/*
 * Every byte counted where it is received: towards a Pi by that Pi's
 * kernel, back towards the client by the client's. (A sender's IP counters
 * will not do: TCP hands its IP layer GSO super-packets, one header for
 * many segments on the wire.)
 */
static void test_counters_match_the_pis(void **state)
{
	long long in0[4], pin0[4], in1[4], pin1[4], conn0[4];
	long long cin0, cpin0, cin1, cpin1, sum = 0, bytes_out = 0, packets_out = 0;
	char out[256];

	(void)state;
	REQUIRE_ROOT();
	fresh(true, true);
	/* hellod's own count first: asking it is loopback traffic the IP counters see. */
	for (int pi = 1; pi <= 3; pi++) {
		snprintf(out, sizeof(out), "b%d", pi);
		lab_run(&L, out, out, sizeof(out), "curl -s http://127.0.0.1:8000/stats");
		conn0[pi] = atoll(strstr(out, "connections=") + 12);
	}
	for (int pi = 1; pi <= 3; pi++) {
		in0[pi] = ip_counter(pi, "IpExt:", "InOctets");
		pin0[pi] = ip_counter(pi, "Ip:", "InReceives");
	}
	cin0 = client_ip_counter("IpExt:", "InOctets");
	cpin0 = client_ip_counter("Ip:", "InReceives");
	/* 30 connections, some with a larger body, all closed before we look. */
	assert_int_equal(lab_run(&L, "c", NULL, 0,
				 "for i in $(seq 15); do curl -s http://%s/ >/dev/null; "
				 "curl -s http://%s/blob/%d >/dev/null; done",
				 LAB_VIP, LAB_VIP, 20000),
			 0);
	usleep(300 * 1000);
	for (int pi = 1; pi <= 3; pi++) {
		in1[pi] = ip_counter(pi, "IpExt:", "InOctets");
		pin1[pi] = ip_counter(pi, "Ip:", "InReceives");
	}
	cin1 = client_ip_counter("IpExt:", "InOctets");
	cpin1 = client_ip_counter("Ip:", "InReceives");

	assert_int_equal(lab_stat(&L, "d[\"frontends\"][0][\"new_flows\"]"), 30);
	for (int pi = 1; pi <= 3; pi++) {
		char expr[128], host[8];
		long long conns;

		snprintf(expr, sizeof(expr), "d[\"backends\"][0][\"servers\"][%d][\"new_flows\"]",
			 pi - 1);
		assert_int_equal(lab_stat(&L, expr), 10);
		sum += lab_stat(&L, expr);
		/* What the Pi's web server saw: the same number of connections. */
		snprintf(host, sizeof(host), "b%d", pi);
		lab_run(&L, host, out, sizeof(out), "curl -s http://127.0.0.1:8000/stats");
		conns = atoll(strstr(out, "connections=") + 12);
		assert_int_equal(conns - conn0[pi], 10);
		/* To the byte and the packet: what the Pi's kernel received. */
		snprintf(expr, sizeof(expr), "d[\"backends\"][0][\"servers\"][%d][\"bytes_in\"]",
			 pi - 1);
		assert_int_equal(lab_stat(&L, expr), in1[pi] - in0[pi]);
		snprintf(expr, sizeof(expr), "d[\"backends\"][0][\"servers\"][%d][\"packets_in\"]",
			 pi - 1);
		assert_int_equal(lab_stat(&L, expr), pin1[pi] - pin0[pi]);
		snprintf(expr, sizeof(expr), "d[\"backends\"][0][\"servers\"][%d][\"bytes_out\"]",
			 pi - 1);
		bytes_out += lab_stat(&L, expr);
		snprintf(expr, sizeof(expr), "d[\"backends\"][0][\"servers\"][%d][\"packets_out\"]",
			 pi - 1);
		packets_out += lab_stat(&L, expr);
	}
	assert_int_equal(sum, 30);
	/* And what the client's kernel received: every reply, from all three. */
	assert_int_equal(bytes_out, cin1 - cin0);
	assert_int_equal(packets_out, cpin1 - cpin0);
	/* The page's CSV says the same: stot of each server. */
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"curl -s %s '%s/;csv' | awk -F, '$1 == \"nodes\" && $2 ~ /^raspberrypi/ "
			"{ s += $8 } END { print s }'",
			AUTH, STATS),
		0);
	assert_int_equal(atoi(out), 30);
}

static void test_drop_on_purpose(void **state)
{
	char out[512];

	(void)state;
	REQUIRE_ROOT();
	fresh(false, true);
	/* Three SYN+FIN packets to the VIP: never valid, each dropped and counted. */
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			SCAPY " -c 'from scapy.all import *; conf.verb = 0; "
			      "[send(IP(dst=\"%s\")/TCP(sport=40000 + i, dport=80, flags=\"SF\")) "
			      "for i in range(3)]' 2>&1",
			LAB_VIP),
		0);
	assert_int_equal(lab_stat(&L, "d[\"counters\"][\"drop_bad_flags\"]"), 3);
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"curl -s %s %s/metrics | grep '^rpilb_datapath_drops_total{reason=\"bad_flags\"}'",
			AUTH, STATS),
		0);
	assert_string_equal(out, "rpilb_datapath_drops_total{reason=\"bad_flags\"} 3\n");
	assert_int_equal(lab_run(&L, "c", out, sizeof(out),
				 "curl -s %s %s/ | grep -c drop_bad_flags", AUTH, STATS),
			 0);
}

static void test_conns_names_the_pi(void **state)
{
	char out[4096], port[32];
	int who[1], pi;

	(void)state;
	REQUIRE_ROOT();
	fresh(false, true);
	lab_run(&L, "c", out, sizeof(out), "curl -s http://%s/", LAB_VIP);
	who[0] = lab_hello_backend(out);
	pi = who[0] % 3 + 1;
	lab_run(&L, "c", NULL, 0, "curl -s --max-time 20 http://%s/slow/3 >/dev/null 2>&1 &",
		LAB_VIP);
	usleep(500 * 1000);
	/* The client's own view of its port, to compare with the balancer's. */
	assert_int_equal(
		lab_run(&L, "c", port, sizeof(port),
			"ss -Htn state established dst %s:80 | awk '{ split($3, a, \":\"); "
			"print a[2] }'",
			LAB_VIP),
		0);
	assert_int_equal(
		lab_rpilb(
			&L, out, sizeof(out),
			"-j conns --client %s | python3 -c 'import json,sys; d=json.load(sys.stdin); "
			"f=[x for x in d[\"flows\"] if x[\"state\"] == \"ESTABLISHED\"]; "
			"print(len(f), f[0][\"server\"], f[0][\"client_port\"], f[0][\"frontend\"])'",
			LAB_CLIENT),
		0);
	{
		char want[128];

		snprintf(want, sizeof(want), "1 raspberrypi%02d %d raspberrypinodes\n", pi,
			 atoi(port));
		assert_string_equal(out, want);
	}
	/* --node filters, and another Pi has none of it. */
	assert_int_equal(
		lab_rpilb(&L, out, sizeof(out), "conns --node raspberrypi%02d", pi % 3 + 1), 0);
	assert_null(strstr(out, "ESTABLISHED"));
}

static void test_promtool(void **state)
{
	char out[4096];
	int rc;

	(void)state;
	REQUIRE_ROOT();
	fresh(false, true);
	lab_run(&L, "c", NULL, 0, "for i in 1 2 3; do curl -s http://%s/ >/dev/null; done",
		LAB_VIP);
	assert_int_equal(lab_run(&L, "c", NULL, 0, "curl -s %s %s/metrics > %s/metrics.txt", AUTH,
				 STATS, L.dir),
			 0);
	rc = lab_run(&L, "c", out, sizeof(out), "promtool check metrics < %s/metrics.txt 2>&1",
		     L.dir);
	if (rc)
		fail_msg("promtool check metrics: %s", out);
	assert_int_equal(lab_run(&L, "c", out, sizeof(out),
				 "grep -c '^rpilb_server_sessions_total{' %s/metrics.txt", L.dir),
			 0);
	assert_int_equal(atoi(out), 3);
}

static void test_page_in_chromium(void **state)
{
	char out[16384], png[256];

	(void)state;
	REQUIRE_ROOT();
	fresh(false, true);
	/* A page with every colour worth seeing: a DOWN Pi and a draining one. */
	lab_run(&L, "c", NULL, 0, "for i in $(seq 9); do curl -s http://%s/ >/dev/null; done",
		LAB_VIP);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "tools/lab.sh backend %s 3 stop >/dev/null", L.id);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(lab_rpilb(&L, out, sizeof(out), "drain raspberrypi02"), 0);
	usleep(3500 * 1000);
	snprintf(png, sizeof(png), "%s/test-logs/stats-page.png", lab_build_dir());
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"d=$(mktemp -d); timeout 60 chromium --headless --no-sandbox --disable-gpu "
			"--disable-quic --no-first-run --disable-background-networking "
			"--disable-component-update --disable-sync --user-data-dir=$d "
			"--window-size=1280,1400 --hide-scrollbars --screenshot=%s "
			"http://someuser:password@10.99.0.2:1936/ >/dev/null 2>&1; "
			"timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic "
			"--no-first-run --disable-background-networking --disable-component-update "
			"--disable-sync --user-data-dir=$d --dump-dom "
			"http://someuser:password@10.99.0.2:1936/ 2>/dev/null; rm -rf $d",
			png),
		0);
	/* The DOM Chromium built: every Pi, each in its state. */
	assert_non_null(strstr(out, "raspberrypi01"));
	assert_non_null(strstr(out, "DRAIN"));
	assert_non_null(strstr(out, "DOWN"));
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out), "head -c 8 %s | od -An -c | tr -d ' '", png), 0);
	assert_string_equal(out, "211PNG\\r\\n032\\n\n");
	assert_int_equal(lab_run(&L, "c", out, sizeof(out), "stat -c %%s %s", png), 0);
	assert_true(atoi(out) > 20000);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "tools/lab.sh backend %s 3 start >/dev/null", L.id);
		assert_int_equal(system(cmd), 0);
	}
}

LAB_GROUP_FIXTURE(L, "t4", 3, "hellod")

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_and_routes),
		cmocka_unit_test(test_no_stats_section_nothing_listens),
		cmocka_unit_test(test_counters_match_the_pis),
		cmocka_unit_test(test_drop_on_purpose),
		cmocka_unit_test(test_conns_names_the_pi),
		cmocka_unit_test(test_promtool),
		cmocka_unit_test(test_page_in_chromium),
	};

	return cmocka_run_group_tests_name("lab: stats, metrics, conns", tests, lab_group_setup,
					   lab_group_teardown);
}
