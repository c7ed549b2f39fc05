// SPDX-License-Identifier: GPL-2.0-only
/*
 * The health checks in the lab, against real servers speaking each
 * protocol: Redis (option redis-check, and a tcp-check sequence that wants
 * role:master, so the replica is DOWN there and UP in the other backend),
 * MQTT (mosquitto, tcp-check connect port / send-binary / expect binary),
 * HTTP (nginx, option httpchk with disable-on-404) and SMTP (option
 * smtpchk against a socat responder). For each: the exact state, check
 * result, code and detail rpilb reports as the server answers right, wrong
 * or not at all, the exact transitions its log records, and that the VIP
 * forwards to the servers in rotation only.
 *
 * One lab (t8, six Pis, no lab.sh server) and one rpilb for the whole
 * file; each test owns its servers and leaves them as it found them.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "lab.h"
#include "testutil.h"

static struct lab L;

/* The configuration's checks: "inter 300ms rise 2 fall 2", "timeout check 500ms". */
#define INTER_MS   300
#define TIMEOUT_MS 500
#define RISE	   2
#define FALL	   2
/* Long enough for rise or fall checks that each run into the timeout, with slack. */
#define TURN_MS	 ((RISE > FALL ? RISE : FALL) * (INTER_MS + TIMEOUT_MS) + 3000)
#define READY_MS 5000 /* a server listens within this */

/* What the tests run on the Pis, each started and stopped by the test itself. */
struct daemon {
	const char *name;
	const char *host; /* lab host: b1.. */
	int port;
	int pid;
};

enum { R1, R2, M1, M2, W1, W2, S1, S2, NDAEMONS };

static struct daemon D[NDAEMONS] = {
	[R1] = { "r1", "b1", 6379, 0 }, /* redis master */
	[R2] = { "r2", "b2", 6379, 0 }, /* redis replica of r1 */
	[M1] = { "m1", "b1", 1883, 0 }, /* mosquitto */
	[M2] = { "m2", "b2", 1883, 0 }, [W1] = { "w1", "b3", 8000, 0 }, /* nginx, /health a file */
	[W2] = { "w2", "b4", 8000, 0 }, [S1] = { "s1", "b5", 25, 0 }, /* socat speaking SMTP */
	[S2] = { "s2", "b6", 25, 0 },
};

static const char config[] =
	"# rpilb's checks against real servers (tests/lab/test_lab_checks.c)\n"
	"defaults\n"
	"    mode tcp\n"
	"    timeout connect 1s\n"
	"    timeout client 30s\n"
	"    timeout server 30s\n"
	"    timeout check 500ms\n"
	"    default-server check inter 300ms rise 2 fall 2\n"
	"\n"
	"frontend redis_any\n"
	"    bind *:6379\n"
	"    default_backend redis_any\n"
	"\n"
	"frontend redis_master\n"
	"    bind *:6380\n"
	"    default_backend redis_master\n"
	"\n"
	"frontend mqtt\n"
	"    bind *:1883\n"
	"    default_backend mqtt\n"
	"\n"
	"frontend web\n"
	"    bind *:80\n"
	"    default_backend web\n"
	"\n"
	"frontend smtp\n"
	"    bind *:25\n"
	"    default_backend smtp\n"
	"\n"
	"backend redis_any\n"
	"    option redis-check\n"
	"    server r1 10.99.0.11:6379\n"
	"    server r2 10.99.0.12:6379\n"
	"\n"
	"backend redis_master\n"
	"    option tcp-check\n"
	"    tcp-check send PING\\r\\n\n"
	"    tcp-check expect string +PONG\n"
	"    tcp-check send info\\ replication\\r\\n\n"
	"    tcp-check expect string role:master\n"
	"    server r1 10.99.0.11:6379\n"
	"    server r2 10.99.0.12:6379\n"
	"\n"
	"# MQTT 3.1.1: CONNECT (clean session, keep-alive 60, client id rpilb); CONNACK accepted\n"
	"backend mqtt\n"
	"    option tcp-check\n"
	"    tcp-check connect port 1883\n"
	"    tcp-check send-binary 101100044d5154540402003c00057270696c62\n"
	"    tcp-check expect binary 20020000\n"
	"    server m1 10.99.0.11\n"
	"    server m2 10.99.0.12\n"
	"\n"
	"backend web\n"
	"    option httpchk GET /health\n"
	"    http-check expect status 200\n"
	"    http-check disable-on-404\n"
	"    server w1 10.99.0.13:8000\n"
	"    server w2 10.99.0.14:8000\n"
	"\n"
	"backend smtp\n"
	"    option smtpchk HELO rpilb.lab\n"
	"    server s1 10.99.0.15:25\n"
	"    server s2 10.99.0.16:25\n";

/* ---- files the servers run with ------------------------------------------------ */

static int write_file(const char *path, mode_t mode, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int write_file(const char *path, mode_t mode, const char *fmt, ...)
{
	va_list ap;
	FILE *f = fopen(path, "w");
	int ret;

	if (!f) {
		fprintf(stderr, "lab checks: cannot write %s\n", path);
		return -1;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	ret = fclose(f) ? -1 : chmod(path, mode);
	return ret;
}

static int make_dir(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", L.dir, name);
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

static int mosquitto_conf(const struct daemon *d, bool anonymous)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/mosquitto.conf", L.dir, d->name);
	return write_file(path, 0644,
			  "listener %d 0.0.0.0\n"
			  "allow_anonymous %s\n"
			  "persistence false\n"
			  "log_dest stderr\n"
			  "log_type all\n",
			  d->port, anonymous ? "true" : "false");
}

/* /health is a file (gone: 404); the file "fail" makes it a 500. */
static int nginx_conf(const struct daemon *d, int pi)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/www", L.dir, d->name);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/%s/www/health", L.dir, d->name);
	if (write_file(path, 0644, "ok\n"))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/nginx.conf", L.dir, d->name);
	return write_file(
		path, 0644,
		"worker_processes 1;\n"
		"daemon off;\n"
		"pid %1$s/%2$s/nginx.pid;\n"
		"error_log %1$s/%2$s/error.log warn;\n"
		"events { worker_connections 64; }\n"
		"http {\n"
		"\taccess_log off;\n"
		"\tclient_body_temp_path %1$s/%2$s/tmp;\n"
		"\tproxy_temp_path %1$s/%2$s/tmp;\n"
		"\tfastcgi_temp_path %1$s/%2$s/tmp;\n"
		"\tuwsgi_temp_path %1$s/%2$s/tmp;\n"
		"\tscgi_temp_path %1$s/%2$s/tmp;\n"
		"\tserver {\n"
		"\t\tlisten 0.0.0.0:%3$d;\n"
		"\t\tdefault_type text/plain;\n"
		"\t\troot %1$s/%2$s/www;\n"
		"\t\tlocation = /health {\n"
		"\t\t\tif (-f %1$s/%2$s/fail) { return 500; }\n"
		"\t\t}\n"
		"\t\tlocation / {\n"
		"\t\t\treturn 200 \"Hello from raspberry pi #%4$d at 10.99.0.%5$d!\\n\";\n"
		"\t\t}\n"
		"\t}\n"
		"}\n",
		L.dir, d->name, d->port, pi, 10 + pi);
}

/*
 * One SMTP session, as socat runs it per connection. The file "mode" says
 * how it answers: ok (220, then 250 to HELO), refuse (554 at once) or
 * nohelo (220, then 550 to HELO).
 */
static int smtp_script(const struct daemon *d)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/mode", L.dir, d->name);
	if (write_file(path, 0644, "ok\n"))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/smtp.sh", L.dir, d->name);
	return write_file(path, 0755,
			  "#!/bin/sh\n"
			  "mode=$(cat %1$s/%2$s/mode)\n"
			  "if [ \"$mode\" = refuse ]; then\n"
			  "\tprintf '554 5.3.2 %3$s.lab not accepting mail\\r\\n'\n"
			  "\texit 0\n"
			  "fi\n"
			  "printf '220 %3$s.lab ESMTP lab\\r\\n'\n"
			  "read -r line\n"
			  "case \"$mode:$line\" in\n"
			  "ok:HELO*) printf '250 %3$s.lab\\r\\n' ;;\n"
			  "*:HELO*) printf '550 5.7.1 %3$s.lab does not know you\\r\\n' ;;\n"
			  "*) printf '500 5.5.2 unrecognized command\\r\\n' ;;\n"
			  "esac\n"
			  "read -r line\n"
			  "printf '221 2.0.0 Bye\\r\\n'\n",
			  L.dir, d->name, d->host);
}

/*
 * The client's side: n connections in a row to the VIP's port, one line
 * out per connection. mqtt: CONNECT as lab-client, the CONNACK in hex;
 * banner: the server's first line.
 */
static int client_script(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/dial.py", L.dir);
	return write_file(
		path, 0755,
		"import socket, sys\n"
		"kind, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])\n"
		"connect = bytes.fromhex('101600044d5154540402003c000a6c61622d636c69656e74')\n"
		"for _ in range(n):\n"
		"    try:\n"
		"        s = socket.create_connection(('%s', port), timeout=3)\n"
		"        if kind == 'mqtt':\n"
		"            s.sendall(connect)\n"
		"            got = b''\n"
		"            while len(got) < 4:\n"
		"                b = s.recv(4 - len(got))\n"
		"                if not b:\n"
		"                    break\n"
		"                got += b\n"
		"            print(got.hex() or 'closed')\n"
		"            s.sendall(bytes.fromhex('e000'))\n"
		"        else:\n"
		"            got = s.makefile('rb').readline()\n"
		"            print(got.decode().strip() or 'closed')\n"
		"            s.sendall(b'QUIT\\r\\n')\n"
		"        s.close()\n"
		"    except OSError as e:\n"
		"        print('FAIL', e)\n"
		"    sys.stdout.flush()\n",
		LAB_VIP);
}

/* ---- starting and stopping them ------------------------------------------------ */

static void daemon_cmd(const struct daemon *d, char *cmd, size_t len)
{
	const char *dir = L.dir, *n = d->name;

	switch (d - D) {
	case R1:
	case R2:
		snprintf(cmd, len,
			 "redis-server --port %d --bind 0.0.0.0 --protected-mode no --save '' "
			 "--appendonly no --daemonize no --dir %s/%s%s",
			 d->port, dir, n, d == &D[R2] ? " --replicaof 10.99.0.11 6379" : "");
		break;
	case M1:
	case M2:
		snprintf(cmd, len, "mosquitto -c %s/%s/mosquitto.conf", dir, n);
		break;
	case W1:
	case W2:
		snprintf(cmd, len,
			 "nginx -c %1$s/%2$s/nginx.conf -p %1$s/%2$s/ -e %1$s/%2$s/error.log", dir,
			 n);
		break;
	default:
		snprintf(cmd, len, "socat TCP-LISTEN:%d,reuseaddr,fork EXEC:%s/%s/smtp.sh", d->port,
			 dir, n);
		break;
	}
}

static bool listening(const struct daemon *d)
{
	char out[512];

	lab_run(&L, d->host, out, sizeof(out), "ss -Hltn 'sport = :%d'", d->port);
	return out[0] != '\0';
}

/* Poll (bounded) until the port is open (want) or closed. */
static bool wait_listening(const struct daemon *d, bool want)
{
	for (int waited = 0; waited <= READY_MS; waited += 50) {
		if (listening(d) == want)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

/* Start d in its namespace, as its own session; 0 once it listens. */
static int daemon_start(struct daemon *d)
{
	char cmd[512], out[64];

	daemon_cmd(d, cmd, sizeof(cmd));
	if (lab_run(&L, d->host, out, sizeof(out),
		    "cd %s/%s && setsid %s </dev/null >>%s/%s.log 2>&1 & echo $!", L.dir, d->name,
		    cmd, L.dir, d->name)) {
		fprintf(stderr, "lab checks: cannot start %s: %s\n", d->name, cmd);
		return -1;
	}
	d->pid = atoi(out);
	if (d->pid <= 1 || !wait_listening(d, true)) {
		fprintf(stderr, "lab checks: %s (pid %d) does not listen on %s:%d; its log:\n",
			d->name, d->pid, d->host, d->port);
		lab_run(&L, d->host, NULL, 0, "tail -5 %s/%s.log >&2", L.dir, d->name);
		return -1;
	}
	return 0;
}

static void start(struct daemon *d)
{
	if (daemon_start(d))
		fail_msg("%s did not start", d->name);
}

/* SIGTERM to the pid the test started, then wait until the port is closed. */
static void stop(struct daemon *d)
{
	assert_true(d->pid > 1);
	assert_int_equal(kill(d->pid, SIGTERM), 0);
	if (!wait_listening(d, false))
		fail_msg("%s (pid %d) still listens on :%d", d->name, d->pid, d->port);
	d->pid = 0;
}

static void on_host(const struct daemon *d, const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	if (lab_run(&L, d->host, NULL, 0, "%s", cmd))
		fail_msg("on %s: '%s' failed", d->host, cmd);
}

/* ---- what rpilb says ------------------------------------------------------------- */

/*
 * One server as "rpilbctl -j status" shows it, in one line:
 * "STATE|RESULT|CODE|DETAIL|CHECKS".
 */
static void server_line(const char *backend, const char *server, char *out, size_t len)
{
	if (lab_rpilb(&L, out, len,
		      "-j status | python3 -c \"import json,sys; d=json.load(sys.stdin); "
		      "print(*[(s['state'], s['check']['result'], s['check']['code'], "
		      "s['check']['detail'], s['check']['checks']) for b in d['backends'] "
		      "if b['backend']=='%s' for s in b['servers'] if s['server']=='%s'][0], "
		      "sep='|')\"",
		      backend, server))
		fail_msg("no status of %s/%s: %s", backend, server, out);
	out[strcspn(out, "\n")] = '\0';
}

/* The line without its check count: what the tests compare. */
static void server_state(const char *backend, const char *server, char *out, size_t len)
{
	server_line(backend, server, out, len);
	if (strrchr(out, '|'))
		*strrchr(out, '|') = '\0';
}

/* Poll until the server reads "STATE|RESULT|CODE|DETAIL" exactly; fail after TURN_MS. */
static void wait_server(const char *backend, const char *server, const char *want)
{
	char got[256] = "";

	for (int waited = 0; waited <= TURN_MS; waited += 100) {
		server_state(backend, server, got, sizeof(got));
		if (!strcmp(got, want))
			return;
		usleep(100 * 1000);
	}
	fail_msg("%s/%s is '%s', not '%s', after %d ms", backend, server, got, want, TURN_MS);
}

static long checks_of(const char *backend, const char *server)
{
	char line[256];

	server_line(backend, server, line, sizeof(line));
	return strrchr(line, '|') ? atol(strrchr(line, '|') + 1) : -1;
}

/* The server stays as it is for n more checks (each one seen). */
static void stays(const char *backend, const char *server, const char *want, int n)
{
	long first = checks_of(backend, server);
	char got[256];

	for (int waited = 0; waited <= TURN_MS + n * (INTER_MS + TIMEOUT_MS); waited += 100) {
		server_state(backend, server, got, sizeof(got));
		if (strcmp(got, want))
			fail_msg("%s/%s became '%s' while it should stay '%s'", backend, server,
				 got, want);
		if (checks_of(backend, server) >= first + n)
			return;
		usleep(100 * 1000);
	}
	fail_msg("%s/%s: fewer than %d checks in %d ms", backend, server, n,
		 TURN_MS + n * (INTER_MS + TIMEOUT_MS));
}

/*
 * Every transition the daemon logged for backend/server, oldest first:
 * "UP L7OK,DOWN L4CON,...". A drain (NOLB) is logged as UP with L7OKC.
 */
static void transitions(const char *backend, const char *server, char *out, size_t len)
{
	assert_int_equal(lab_run(&L, "lb", out, len,
				 "sed -n 's/.*server %s\\/%s is \\([A-Z]*\\), reason: [^(]*"
				 "(\\([A-Z0-9]*\\)).*/\\1 \\2/p' %s/rpilb.log | paste -sd, -",
				 backend, server, L.dir),
			 0);
	out[strcspn(out, "\n")] = '\0';
}

static void assert_transitions(const char *backend, const char *server, const char *want)
{
	char got[1024];

	transitions(backend, server, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("%s/%s went '%s', not '%s'", backend, server, got, want);
}

/* ---- what the client gets through the VIP -------------------------------------------- */

#define MAXN 16

/* n answers, one per new connection from the client; lines in a static buffer. */
static int client_lines(const char *cmd, int n, char *line[MAXN])
{
	static char out[MAXN * 256];
	char *save = NULL, *p;
	int i = 0;

	assert_true(n <= MAXN);
	if (lab_run(&L, "c", out, sizeof(out), "%s", cmd))
		fail_msg("the client's '%s' did not run", cmd);
	for (p = strtok_r(out, "\n", &save); p && i < n; p = strtok_r(NULL, "\n", &save))
		line[i++] = p;
	if (i != n)
		fail_msg("%d answers to %d connections of '%s'", i, n, cmd);
	return i;
}

/* Which redis answered: its "config get dir" names it ("r1", "r2"). */
static void redis_via_vip(int port, int n, char who[MAXN][4])
{
	char cmd[256], *line[MAXN];

	snprintf(cmd, sizeof(cmd),
		 "for i in $(seq %d); do redis-cli -h %s -p %d config get dir | tail -1 || "
		 "echo FAIL; done",
		 n, LAB_VIP, port);
	client_lines(cmd, n, line);
	for (int i = 0; i < n; i++) {
		const char *slash = strrchr(line[i], '/');

		snprintf(who[i], 4, "%s", slash ? slash + 1 : line[i]);
	}
}

/* Both servers, taking turns: a, b, a, b... or b, a, b, a... */
static void assert_alternate(char who[MAXN][4], int n, const char *a, const char *b)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(who[i], a) && strcmp(who[i], b))
			fail_msg("connection %d went to '%s', not %s or %s", i, who[i], a, b);
		if (i && !strcmp(who[i], who[i - 1]))
			fail_msg("connections %d and %d both went to %s", i - 1, i, who[i]);
	}
}

static void assert_all(char who[MAXN][4], int n, const char *a)
{
	for (int i = 0; i < n; i++)
		if (strcmp(who[i], a))
			fail_msg("connection %d went to '%s', not %s", i, who[i], a);
}

/* ---- the lab ----------------------------------------------------------------------- */

static int group_setup(void **state)
{
	char out[4096];

	(void)state;
	if (geteuid())
		return 0;
	if (lab_up(&L, "t8", 6, "none"))
		return -1;
	for (int i = 0; i < NDAEMONS; i++)
		if (make_dir(D[i].name))
			return -1;
	if (mosquitto_conf(&D[M1], true) || mosquitto_conf(&D[M2], true) || nginx_conf(&D[W1], 3) ||
	    nginx_conf(&D[W2], 4) || smtp_script(&D[S1]) || smtp_script(&D[S2]) || client_script())
		return -1;
	for (int i = 0; i < NDAEMONS; i++)
		if (daemon_start(&D[i]))
			return -1;
	snprintf(L.cfg, sizeof(L.cfg), "%s/rpilb.cfg", L.dir);
	snprintf(L.socket, sizeof(L.socket), "%s/rpilb.sock", L.dir);
	if (write_file(L.cfg, 0644,
		       "%s\nrpilb\n    interface eth0\n    state-dir %s/state\n    socket %s\n"
		       "    pin-dir /sys/fs/bpf/rpilb-%s\n",
		       config, L.dir, L.socket, L.id))
		return -1;
	if (lab_rpilb_up(&L, "auto", out, sizeof(out))) {
		fprintf(stderr, "lab checks: rpilbctl up failed:\n%s\n", out);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	/* lab.sh down stops every process in the lab's namespaces: the servers too. */
	lab_down(&L);
	return 0;
}

/* ---- Redis ------------------------------------------------------------------------- */

#define R_UP	  "UP|L7OK|0|"
#define R_TOUT	  "DOWN|L7TOUT|0|no conclusive answer within 500 ms"
#define R_REFUSED "DOWN|L4CON|0|Connection refused"

static void test_redis(void **state)
{
	char who[MAXN][4];

	(void)state;
	REQUIRE_ROOT();
	/* Checked before up returned: the replica answers PING, but is no master. */
	wait_server("redis_any", "r1", R_UP);
	wait_server("redis_any", "r2", R_UP);
	wait_server("redis_master", "r1", R_UP);
	wait_server("redis_master", "r2", R_TOUT);
	redis_via_vip(6379, 6, who);
	assert_alternate(who, 6, "r1", "r2");
	redis_via_vip(6380, 4, who);
	assert_all(who, 4, "r1");

	/* The master answers wrong (-NOAUTH, and keeps the connection): out of both. */
	on_host(&D[R1], "redis-cli config set requirepass %s >/dev/null", "sekret");
	wait_server("redis_any", "r1", R_TOUT);
	wait_server("redis_master", "r1", R_TOUT);
	redis_via_vip(6379, 4, who);
	assert_all(who, 4, "r2");
	on_host(&D[R1],
		"redis-cli -a sekret --no-auth-warning config set requirepass %s >/dev/null", "''");
	wait_server("redis_any", "r1", R_UP);
	wait_server("redis_master", "r1", R_UP);

	/* The replica promoted is a master: in; a replica again: out. */
	on_host(&D[R2], "redis-cli replicaof no one >/dev/null%s", "");
	wait_server("redis_master", "r2", R_UP);
	redis_via_vip(6380, 4, who);
	assert_alternate(who, 4, "r1", "r2");
	on_host(&D[R2], "redis-cli replicaof 10.99.0.11 6379 >/dev/null%s", "");
	wait_server("redis_master", "r2", R_TOUT);
	redis_via_vip(6380, 4, who);
	assert_all(who, 4, "r1");

	/* The master stopped, then back. */
	stop(&D[R1]);
	wait_server("redis_any", "r1", R_REFUSED);
	wait_server("redis_master", "r1", R_REFUSED);
	redis_via_vip(6379, 4, who);
	assert_all(who, 4, "r2");
	start(&D[R1]);
	wait_server("redis_any", "r1", R_UP);
	wait_server("redis_master", "r1", R_UP);
	redis_via_vip(6379, 4, who);
	assert_alternate(who, 4, "r1", "r2");
	/* The replica never wavered under redis-check. */
	assert_transitions("redis_any", "r1", "UP L7OK,DOWN L7TOUT,UP L7OK,DOWN L4CON,UP L7OK");
	assert_transitions("redis_any", "r2", "UP L7OK");
	assert_transitions("redis_master", "r1", "UP L7OK,DOWN L7TOUT,UP L7OK,DOWN L4CON,UP L7OK");
	assert_transitions("redis_master", "r2", "DOWN L7TOUT,UP L7OK,DOWN L7TOUT");
}

/* ---- MQTT -------------------------------------------------------------------------- */

#define M_UP "UP|L7OK|0|"

/* How many times the client (not a check: those say "as rpilb") connected to d. */
static int mqtt_clients(const struct daemon *d)
{
	char out[32];

	lab_run(&L, d->host, out, sizeof(out), "grep -c ' as lab-client ' %s/%s.log || true", L.dir,
		d->name);
	return atoi(out);
}

/* n CONNECTs through the VIP, each accepted; returns how many reached m1 and m2. */
static void mqtt_via_vip(int n, int *to_m1, int *to_m2)
{
	int before1 = mqtt_clients(&D[M1]), before2 = mqtt_clients(&D[M2]);
	char cmd[256], *line[MAXN];

	snprintf(cmd, sizeof(cmd), "python3 %s/dial.py mqtt 1883 %d", L.dir, n);
	client_lines(cmd, n, line);
	for (int i = 0; i < n; i++)
		assert_string_equal(line[i], "20020000");
	/* The broker logs the connection as the CONNACK goes out: poll for the lines. */
	for (int waited = 0; waited <= READY_MS; waited += 50) {
		*to_m1 = mqtt_clients(&D[M1]) - before1;
		*to_m2 = mqtt_clients(&D[M2]) - before2;
		if (*to_m1 + *to_m2 >= n)
			break;
		usleep(50 * 1000);
	}
}

static void mosquitto_reload(struct daemon *d, bool anonymous)
{
	assert_int_equal(mosquitto_conf(d, anonymous), 0);
	assert_int_equal(kill(d->pid, SIGHUP), 0);
}

static void test_mqtt(void **state)
{
	int to1, to2;

	(void)state;
	REQUIRE_ROOT();
	wait_server("mqtt", "m1", M_UP);
	wait_server("mqtt", "m2", M_UP);
	/* The server lines have no port: the check's connect port is 1883, so is the VIP's. */
	mqtt_via_vip(6, &to1, &to2);
	assert_int_equal(to1, 3);
	assert_int_equal(to2, 3);

	/* m2 refuses anonymous clients: CONNACK 20020005, then it closes. */
	mosquitto_reload(&D[M2], false);
	wait_server("mqtt", "m2", "DOWN|L7RSP|0|did not match binary");
	mqtt_via_vip(4, &to1, &to2);
	assert_int_equal(to1, 4);
	assert_int_equal(to2, 0);
	mosquitto_reload(&D[M2], true);
	wait_server("mqtt", "m2", M_UP);

	stop(&D[M2]);
	wait_server("mqtt", "m2", "DOWN|L4CON|0|Connection refused");
	mqtt_via_vip(4, &to1, &to2);
	assert_int_equal(to1, 4);
	assert_int_equal(to2, 0);
	start(&D[M2]);
	wait_server("mqtt", "m2", M_UP);
	mqtt_via_vip(4, &to1, &to2);
	assert_int_equal(to1, 2);
	assert_int_equal(to2, 2);
	assert_transitions("mqtt", "m1", "UP L7OK");
	assert_transitions("mqtt", "m2", "UP L7OK,DOWN L7RSP,UP L7OK,DOWN L4CON,UP L7OK");
}

/* ---- HTTP -------------------------------------------------------------------------- */

#define H_UP "UP|L7OK|200|HTTP status 200"

/* Which Pi answered each of n requests to the VIP: "3", "4". */
static void web_via_vip(int n, char who[MAXN][4])
{
	int k[MAXN];

	lab_requests(&L, n, k);
	for (int i = 0; i < n; i++)
		snprintf(who[i], 4, "%d", k[i]);
}

static void test_http(void **state)
{
	char who[MAXN][4], health[256], fail[256];

	(void)state;
	REQUIRE_ROOT();
	snprintf(health, sizeof(health), "%s/w1/www/health", L.dir);
	snprintf(fail, sizeof(fail), "%s/w1/fail", L.dir);
	wait_server("web", "w1", H_UP);
	wait_server("web", "w2", H_UP);
	web_via_vip(6, who);
	assert_alternate(who, 6, "3", "4");

	/* /health gone: a 404 drains w1 (NOLB), as HAProxy does. */
	assert_int_equal(unlink(health), 0);
	wait_server("web", "w1", "NOLB|L7OKC|404|HTTP status 404 (disable-on-404)");
	web_via_vip(6, who);
	assert_all(who, 6, "4");

	/* A 500 takes it DOWN; a 404 then keeps it DOWN, check after check. */
	assert_int_equal(write_file(fail, 0644, "500\n"), 0);
	wait_server("web", "w1", "DOWN|L7STS|500|HTTP status 500");
	assert_int_equal(unlink(fail), 0);
	wait_server("web", "w1", "DOWN|L7STS|404|HTTP status 404");
	stays("web", "w1", "DOWN|L7STS|404|HTTP status 404", RISE + 2);
	web_via_vip(4, who);
	assert_all(who, 4, "4");

	/* Serving 200 again brings it back. */
	assert_int_equal(write_file(health, 0644, "ok\n"), 0);
	wait_server("web", "w1", H_UP);
	web_via_vip(6, who);
	assert_alternate(who, 6, "3", "4");

	stop(&D[W2]);
	wait_server("web", "w2", "DOWN|L4CON|0|Connection refused");
	web_via_vip(4, who);
	assert_all(who, 4, "3");
	start(&D[W2]);
	wait_server("web", "w2", H_UP);
	web_via_vip(4, who);
	assert_alternate(who, 4, "3", "4");
	assert_transitions("web", "w1", "UP L7OK,UP L7OKC,DOWN L7STS,UP L7OK");
	assert_transitions("web", "w2", "UP L7OK,DOWN L4CON,UP L7OK");
}

/* ---- SMTP -------------------------------------------------------------------------- */

#define S_UP "UP|L7OK|250|(tcp-check)"

/* Whose banner each of n connections to the VIP's :25 got: "b5", "b6". */
static void smtp_via_vip(int n, char who[MAXN][4])
{
	char cmd[256], *line[MAXN];

	snprintf(cmd, sizeof(cmd), "python3 %s/dial.py banner 25 %d", L.dir, n);
	client_lines(cmd, n, line);
	for (int i = 0; i < n; i++) {
		char host[4] = "";

		if (sscanf(line[i], "220 %3[b0-9].lab ESMTP lab", host) != 1)
			fail_msg("connection %d: banner '%s'", i, line[i]);
		snprintf(who[i], 4, "%s", host);
	}
}

static void smtp_mode(const struct daemon *d, const char *mode)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/mode", L.dir, d->name);
	assert_int_equal(write_file(path, 0644, "%s\n", mode), 0);
}

static void test_smtp(void **state)
{
	char who[MAXN][4];

	(void)state;
	REQUIRE_ROOT();
	wait_server("smtp", "s1", S_UP);
	wait_server("smtp", "s2", S_UP);
	smtp_via_vip(6, who);
	assert_alternate(who, 6, "b5", "b6");

	/* A 554 greeting, then a 550 to HELO: DOWN with the server's own words. */
	smtp_mode(&D[S2], "refuse");
	wait_server("smtp", "s2", "DOWN|L7STS|554|SMTP 554 5.3.2 b6.lab not accepting mail");
	smtp_via_vip(4, who);
	assert_all(who, 4, "b5");
	smtp_mode(&D[S2], "nohelo");
	wait_server("smtp", "s2", "DOWN|L7STS|550|SMTP 550 5.7.1 b6.lab does not know you");
	smtp_mode(&D[S2], "ok");
	wait_server("smtp", "s2", S_UP);
	smtp_via_vip(4, who);
	assert_alternate(who, 4, "b5", "b6");

	stop(&D[S1]);
	wait_server("smtp", "s1", "DOWN|L4CON|0|Connection refused");
	smtp_via_vip(4, who);
	assert_all(who, 4, "b6");
	start(&D[S1]);
	wait_server("smtp", "s1", S_UP);
	assert_transitions("smtp", "s1", "UP L7OK,DOWN L4CON,UP L7OK");
	assert_transitions("smtp", "s2", "UP L7OK,DOWN L7STS,UP L7OK");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redis),
		cmocka_unit_test(test_mqtt),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_smtp),
	};

	return cmocka_run_group_tests_name("lab: health checks against real servers", tests,
					   group_setup, group_teardown);
}
