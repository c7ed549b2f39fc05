// SPDX-License-Identifier: GPL-2.0-only
/*
 * The real-shaped haproxy.cfg files of tests/unit/data/corpus, run in the
 * lab as rpilb reads them: only the server addresses are rewritten to the
 * lab's Pis, and the lab's rpilb section is appended. Each L4-servable file
 * meets the servers it was written for (hellod for the web and API ones,
 * Debian's nginx as Patroni's REST API, redis-server with a password and
 * replicas, mosquitto, openssl s_server as a TLS server), and the test
 * checks that it forwards and checks as the file says: which servers its
 * checks put in rotation, which answer each connection, and the per-server
 * flow counts to the unit.
 *
 * One lab (t10, four Pis, no lab.sh server) for the file; each test starts
 * its own servers and stops them, and lab_down() kills whatever a failed
 * test left.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lab.h"
#include "testutil.h"

static struct lab L;

#define CORPUS_DIR "tests/unit/data/corpus"
/* Longer than any file's fall count times its check interval and timeout, with slack. */
#define SETTLE_MS 20000

/* ---- the file, with the lab's addresses --------------------------------------------- */

/* The fixture's text with every occurrence of from replaced by to (one pair). */
static char *fixture(const char *name, const char *from, const char *to)
{
	char path[256], *text, *out, *o;
	size_t flen = strlen(from), tlen = strlen(to);
	long size;
	FILE *f;

	snprintf(path, sizeof(path), CORPUS_DIR "/%s.cfg", name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, size + 1);
	out = calloc(1, 2 * size + 1);
	assert_non_null(text);
	assert_non_null(out);
	assert_int_equal(fread(text, 1, size, f), size);
	fclose(f);
	/* The lab's addresses are never longer than the fixture's. */
	assert_true(tlen <= flen);
	o = out;
	for (const char *p = text; *p;) {
		if (!strncmp(p, from, flen)) {
			memcpy(o, to, tlen);
			o += tlen;
			p += flen;
		} else {
			*o++ = *p++;
		}
	}
	free(text);
	return out;
}

/* rpilb up with the fixture, its addresses prefix from rewritten to 10.99.0.1 (Pi k: .1k). */
static void up_with(const char *name, const char *from)
{
	char *text = fixture(name, from, "10.99.0.1");
	struct lab_cfg c = { .proxies = text };

	lab_fresh(&L, &c);
	free(text);
}

/* ---- the servers on the Pis --------------------------------------------------------- */

/* lab_spawn() into DIR/run, where stop_servers() finds it. */
#define spawn(host, tag, ...)                                                                      \
	do {                                                                                       \
		char run_[200];                                                                    \
                                                                                                   \
		snprintf(run_, sizeof(run_), "%s/run", L.dir);                                     \
		assert_int_equal(lab_spawn(&L, host, run_, tag, __VA_ARGS__), 0);                  \
	} while (0)

static void wait_listening(const char *host, int port)
{
	if (lab_wait_listening(&L, host, port, 5))
		fail_msg("nothing listens on %s:%d after 5 s", host, port);
}

/* A hellod on Pi k answering as node n on port; its control file is DIR/run/ctl-TAG. */
static void hellod(int k, int n, int port)
{
	char host[8], tag[32];

	snprintf(host, sizeof(host), "b%d", k);
	snprintf(tag, sizeof(tag), "hellod-%d-%d", k, port);
	assert_int_equal(lab_run(&L, "lb", NULL, 0, "echo ok > %s/run/ctl-%s", L.dir, tag), 0);
	spawn(host, tag, "%s/tools/hellod -q -n %d -p %d -c %s/run/ctl-%s", lab_build_dir(), n,
	      port, L.dir, tag);
	wait_listening(host, port);
}

/* Stop everything spawn() started, and wait until it is gone. */
static void stop_servers(void)
{
	lab_run(&L, "lb", NULL, 0,
		"for f in %1$s/run/*.pid; do [ -e \"$f\" ] && kill $(cat \"$f\") 2>/dev/null; done; "
		"for i in $(seq 50); do alive=0; for f in %1$s/run/*.pid; do "
		"[ -e \"$f\" ] && kill -0 $(cat \"$f\") 2>/dev/null && alive=1; done; "
		"[ $alive = 0 ] && break; sleep 0.1; done; rm -rf %1$s/run; mkdir -p %1$s/run",
		L.dir);
}

/* ---- what the client sees ----------------------------------------------------------- */

/* n connections to the VIP's port, each a shell command run on the client; one line each. */
static void client_lines(int n, char *out, size_t len, const char *each)
{
	assert_int_equal(
		lab_run(&L, "c", out, len, "for i in $(seq %d); do %s; echo; done", n, each), 0);
}

/*
 * n HTTP requests to the VIP's port are answered in strict turn by the
 * hellods answering as nodes[0..m-1], in that cyclic order, starting
 * wherever the rotation stands.
 */
static void assert_rotation(int port, const int *nodes, int m, int n)
{
	char out[4096], each[128], *line, *save = NULL;
	int i = 0, start = -1;

	snprintf(each, sizeof(each), "curl -s --max-time 3 http://%s:%d/ || echo FAIL", LAB_VIP,
		 port);
	client_lines(n, out, sizeof(out), each);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		int who = lab_hello_backend(line);

		for (int j = 0; start < 0 && j < m; j++)
			if (nodes[j] == who)
				start = j;
		if (start < 0 || who != nodes[(start + i) % m])
			fail_msg("port %d, connection %d: '%s' out of turn", port, i + 1, line);
	}
	assert_int_equal(i, n);
}

static void assert_pool(const char *backend, const char *expr, const char *want)
{
	char got[512];

	lab_pool(&L, backend, expr, got, sizeof(got));
	assert_string_equal(got, want);
}

static void finish(void)
{
	assert_int_equal(lab_rpilb_down(&L), 0);
	stop_servers();
}

/* ---- the files ---------------------------------------------------------------------- */

/*
 * Debian 12's stock file around a web pool: option httpchk GET /healthz at
 * HAProxy's default interval. A Pi answering 503 leaves, though it still
 * accepts connections.
 */
static void test_debian12(void **state)
{
	static const int all[] = { 1, 2, 3 }, two[] = { 1, 2 };

	(void)state;
	REQUIRE_ROOT();
	stop_servers();
	for (int k = 1; k <= 3; k++)
		hellod(k, k, 8000);
	up_with("debian12", "192.168.1.3");
	lab_wait_pool(&L, "pis", "s['state']", "pi-1=UP pi-2=UP pi-3=UP", SETTLE_MS);
	assert_rotation(80, all, 3, 6);

	assert_int_equal(lab_run(&L, "lb", NULL, 0, "echo 503 > %s/run/ctl-hellod-3-8000", L.dir),
			 0);
	lab_wait_pool(&L, "pis", "s['state'] + '/' + s['check']['result']",
		      "pi-1=UP/L7OK pi-2=UP/L7OK pi-3=DOWN/L7STS", SETTLE_MS);
	assert_rotation(80, two, 2, 4);
	assert_pool("pis", "s['new_flows']", "pi-1=4 pi-2=4 pi-3=2");
	finish();
}

/* RHEL 9's stock file: four apps, each on its own port, plain connect checks. */
static void test_rhel9(void **state)
{
	static const int all[] = { 1, 2, 3, 4 }, three[] = { 1, 2, 3 };

	(void)state;
	REQUIRE_ROOT();
	stop_servers();
	for (int k = 1; k <= 4; k++)
		hellod(k, k, 5000 + k);
	up_with("rhel9", "192.168.1.5");
	lab_wait_pool(&L, "app", "s['state']", "app1=UP app2=UP app3=UP app4=UP", SETTLE_MS);
	assert_rotation(5000, all, 4, 8);

	assert_int_equal(lab_run(&L, "lb", NULL, 0, "kill $(cat %s/run/hellod-4-5004.pid)", L.dir),
			 0);
	lab_wait_pool(&L, "app", "s['state'] + '/' + s['check']['result']",
		      "app1=UP/L4OK app2=UP/L4OK app3=UP/L4OK app4=DOWN/L4CON", SETTLE_MS);
	assert_rotation(5000, three, 3, 6);
	assert_pool("app", "s['new_flows']", "app1=4 app2=4 app3=4 app4=2");
	finish();
}

/*
 * Ubuntu 22.04's file in front of Gitea: ssh passed through, and HTTPS
 * with option ssl-hello-chk against OpenSSL's own server (TLS 1.3).
 * gitea-2's port 3000 speaks plain HTTP, not TLS: it accepts connections
 * but waits for a request end that a ClientHello never has (L6TOUT), so
 * HTTPS goes to gitea-1 alone while ssh still alternates.
 */
static void test_ubuntu2204(void **state)
{
	static const int ssh[] = { 1, 2 };
	char out[1024];

	(void)state;
	REQUIRE_ROOT();
	stop_servers();
	hellod(1, 1, 22);
	hellod(2, 2, 22);
	hellod(2, 12, 3000);
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0,
			"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
			"-nodes -subj /CN=gitea -days 1 -keyout %1$s/run/key.pem "
			"-out %1$s/run/cert.pem 2>/dev/null",
			L.dir),
		0);
	spawn("b1", "tls",
	      "openssl s_server -quiet -www -accept 3000 -cert %1$s/run/cert.pem "
	      "-key %1$s/run/key.pem",
	      L.dir);
	wait_listening("b1", 3000);
	up_with("ubuntu2204", "192.168.1.4");
	lab_wait_pool(&L, "gitea-https", "s['state'] + '/' + s['check']['result']",
		      "gitea-1=UP/L6OK gitea-2=DOWN/L6TOUT", SETTLE_MS);
	lab_wait_pool(&L, "gitea-ssh", "s['state']", "gitea-1=UP gitea-2=UP", SETTLE_MS);
	assert_rotation(2222, ssh, 2, 4);
	client_lines(3, out, sizeof(out),
		     "curl -sk --max-time 3 -o /dev/null -w '%{http_code}' https://" LAB_VIP "/");
	assert_string_equal(out, "200\n200\n200\n");
	assert_pool("gitea-https", "s['new_flows']", "gitea-1=3 gitea-2=0");
	assert_pool("gitea-ssh", "s['new_flows']", "gitea-1=2 gitea-2=2");
	finish();
}

/* k3s's API servers on :6443 behind option tcp-check (a connect), slowstart ignored. */
static void test_k3s(void **state)
{
	static const int all[] = { 1, 2, 3 };

	(void)state;
	REQUIRE_ROOT();
	stop_servers();
	for (int k = 1; k <= 3; k++)
		hellod(k, k, 6443);
	up_with("k3s", "192.168.50.1");
	lab_wait_pool(&L, "k3s-servers", "s['state']", "k3s-1=UP k3s-2=UP k3s-3=UP", SETTLE_MS);
	assert_rotation(6443, all, 3, 6);
	assert_pool("k3s-servers", "s['weight']", "k3s-1=100 k3s-2=100 k3s-3=100");
	assert_pool("k3s-servers", "s['new_flows']", "k3s-1=2 k3s-2=2 k3s-3=2");
	finish();
}

/* MQTT CONNECT (client id "rpilb") and the CONNACK bytes, hex, from the VIP's :1883. */
#define MQTT_EXCHANGE                                                                              \
	"bash -c 'exec 3<>/dev/tcp/" LAB_VIP "/1883 && "                                           \
	"printf \"\\x10\\x11\\x00\\x04MQTT\\x04\\x02\\x00\\x3c\\x00\\x05rpilb\" >&3 && "           \
	"timeout 3 head -c 4 <&3 | od -An -tx1 | tr -d \" \\n\"'"

/* Mosquitto behind tcp-check connect port / send-binary CONNECT / expect binary CONNACK. */
static void test_mqtt(void **state)
{
	char out[256];

	(void)state;
	REQUIRE_ROOT();
	stop_servers();
	assert_int_equal(lab_run(&L, "lb", NULL, 0,
				 "printf 'listener 1883 0.0.0.0\\nallow_anonymous true\\n"
				 "persistence false\\n' > %s/run/mosquitto.conf",
				 L.dir),
			 0);
	for (int k = 1; k <= 2; k++) {
		char host[8], tag[16];

		snprintf(host, sizeof(host), "b%d", k);
		snprintf(tag, sizeof(tag), "mosquitto-%d", k);
		spawn(host, tag, "mosquitto -c %s/run/mosquitto.conf", L.dir);
		wait_listening(host, 1883);
	}
	up_with("mqtt", "10.0.42.1");
	lab_wait_pool(&L, "mosquitto", "s['state'] + '/' + s['check']['result']",
		      "broker-1=UP/L7OK broker-2=UP/L7OK", SETTLE_MS);
	client_lines(4, out, sizeof(out), MQTT_EXCHANGE);
	assert_string_equal(out, "20020000\n20020000\n20020000\n20020000\n");
	assert_pool("mosquitto", "s['new_flows']", "broker-1=2 broker-2=2");
	finish();
}

/*
 * Redis with a password, one master and two replicas: the check sequence
 * (AUTH, PING, info replication, QUIT) wants role:master, so every
 * connection reaches the master. A replica's "role:slave" never matches,
 * so, as in HAProxy, its check waits for more until it times out (L7TOUT).
 */
static void test_redis(void **state)
{
	char out[256];

	(void)state;
	REQUIRE_ROOT();
	stop_servers();
	for (int k = 1; k <= 3; k++) {
		char host[8], tag[16];

		snprintf(host, sizeof(host), "b%d", k);
		snprintf(tag, sizeof(tag), "redis-%d", k);
		spawn(host, tag,
		      "redis-server --port 6379 --bind 0.0.0.0 --protected-mode no --save '' "
		      "--appendonly no --dir %s/run --dbfilename %s.rdb "
		      "--requirepass not-a-real-secret --masterauth not-a-real-secret%s",
		      L.dir, tag, k == 1 ? "" : " --replicaof 10.99.0.11 6379");
		wait_listening(host, 6379);
	}
	up_with("redis", "10.0.43.1");
	lab_wait_pool(&L, "redis-master", "s['state'] + '/' + s['check']['result']",
		      "redis-1=UP/L7OK redis-2=DOWN/L7TOUT redis-3=DOWN/L7TOUT", SETTLE_MS);
	client_lines(3, out, sizeof(out),
		     "redis-cli -h " LAB_VIP " -a not-a-real-secret --no-auth-warning "
		     "info replication | tr -d '\\r' | grep '^role:'");
	assert_string_equal(out, "role:master\n\nrole:master\n\nrole:master\n\n");
	assert_pool("redis-master", "s['new_flows']", "redis-1=3 redis-2=0 redis-3=0");
	finish();
}

/* Patroni's REST API as nginx: /primary and /replica answer 200 on the role they name. */
static void patroni_api(int k, bool primary)
{
	char host[8], tag[16];

	snprintf(host, sizeof(host), "b%d", k);
	snprintf(tag, sizeof(tag), "patroni-%d", k);
	assert_int_equal(
		lab_run(&L, "lb", NULL, 0,
			"mkdir -p %1$s/run/%2$s && cat > %1$s/run/%2$s/nginx.conf <<EOF\n"
			"worker_processes 1; daemon off; pid %1$s/run/%2$s/nginx.pid;\n"
			"error_log %1$s/run/%2$s/error.log warn;\n"
			"events { worker_connections 64; }\n"
			"http { access_log off; client_body_temp_path %1$s/run/%2$s;\n"
			" proxy_temp_path %1$s/run/%2$s; fastcgi_temp_path %1$s/run/%2$s;\n"
			" uwsgi_temp_path %1$s/run/%2$s; scgi_temp_path %1$s/run/%2$s;\n"
			" server { listen 0.0.0.0:8008;\n"
			"  location = /primary { return %3$d; }\n"
			"  location = /replica { return %4$d; } } }\n"
			"EOF",
			L.dir, tag, primary ? 200 : 503, primary ? 503 : 200),
		0);
	spawn(host, tag, "nginx -c %s/run/%s/nginx.conf", L.dir, tag);
	wait_listening(host, 8008);
}

/*
 * Patroni: PostgreSQL on :5432, its REST API on :8008 asked with
 * OPTIONS /primary or /replica through check port 8008. pg-1 is the
 * primary: :5000 reaches it alone, :5001 the two replicas in turn. The
 * file's stats listen on :7000 serves the page.
 */
static void test_patroni(void **state)
{
	static const int replicas[] = { 2, 3 };
	static const int primary[] = { 1 };
	char out[64];

	(void)state;
	REQUIRE_ROOT();
	stop_servers();
	for (int k = 1; k <= 3; k++) {
		hellod(k, k, 5432);
		patroni_api(k, k == 1);
	}
	up_with("patroni", "10.0.40.1");
	lab_wait_pool(&L, "primary", "s['state'] + '/' + s['check']['result']",
		      "pg-1=UP/L7OK pg-2=DOWN/L7STS pg-3=DOWN/L7STS", SETTLE_MS);
	lab_wait_pool(&L, "replicas", "s['state'] + '/' + s['check']['result']",
		      "pg-1=DOWN/L7STS pg-2=UP/L7OK pg-3=UP/L7OK", SETTLE_MS);
	assert_rotation(5000, primary, 1, 3);
	assert_rotation(5001, replicas, 2, 4);
	assert_pool("primary", "s['new_flows']", "pg-1=3 pg-2=0 pg-3=0");
	assert_pool("replicas", "s['new_flows']", "pg-1=0 pg-2=2 pg-3=2");
	assert_int_equal(
		lab_run(&L, "c", out, sizeof(out),
			"curl -s --max-time 3 -o /dev/null -w '%%{http_code}' http://%s:7000/",
			LAB_VIP),
		0);
	assert_string_equal(out, "200");
	finish();
}

static int group_setup(void **state)
{
	(void)state;
	if (geteuid())
		return 0;
	if (lab_up(&L, "t10", 4, "none"))
		return -1;
	return lab_run(&L, "lb", NULL, 0, "mkdir -p %s/run", L.dir);
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
		cmocka_unit_test(test_debian12),   cmocka_unit_test(test_rhel9),
		cmocka_unit_test(test_ubuntu2204), cmocka_unit_test(test_k3s),
		cmocka_unit_test(test_mqtt),	   cmocka_unit_test(test_redis),
		cmocka_unit_test(test_patroni),
	};

	return cmocka_run_group_tests_name("lab: the haproxy.cfg corpus, run", tests, group_setup,
					   group_teardown);
}
