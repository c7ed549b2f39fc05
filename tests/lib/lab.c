// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "testutil.h"

static struct lab *open_labs[8];

const char *lab_build_dir(void)
{
	const char *b = getenv("RPILB_BUILD");

	return b && *b ? b : "build/amd64";
}

const char *lab_rpilbctl(void)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/rpilbctl", lab_build_dir());
	return path;
}

/* Run cmd, capture stdout (truncated to outlen) and return its exit status. */
static int run_capture(const char *cmd, char *out, size_t outlen)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0;
	char buf[4096];
	size_t n;
	int status;

	if (!p)
		return -errno;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		if (out && len + 1 < outlen) {
			size_t take = n < outlen - 1 - len ? n : outlen - 1 - len;

			memcpy(out + len, buf, take);
			len += take;
		}
	}
	if (out && outlen)
		out[len] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void lab_atexit(void)
{
	for (size_t i = 0; i < sizeof(open_labs) / sizeof(open_labs[0]); i++)
		if (open_labs[i])
			lab_down(open_labs[i]);
}

int lab_up(struct lab *l, const char *id, int nbackends, const char *server)
{
	static bool hooked;
	char cmd[512], out[4096];
	int rc;

	memset(l, 0, sizeof(*l));
	snprintf(l->id, sizeof(l->id), "%s", id);
	snprintf(l->dir, sizeof(l->dir), "/tmp/rpl-%s", id);
	l->nbackends = nbackends;
	if (!hooked) {
		atexit(lab_atexit);
		hooked = true;
	}
	for (size_t i = 0; i < sizeof(open_labs) / sizeof(open_labs[0]); i++) {
		if (!open_labs[i]) {
			open_labs[i] = l;
			break;
		}
	}
	snprintf(cmd, sizeof(cmd),
		 "tools/lab.sh up %s --backends %d --server %s --hellod %s/tools/hellod 2>&1", id,
		 nbackends, server, lab_build_dir());
	rc = run_capture(cmd, out, sizeof(out));
	if (rc)
		fprintf(stderr, "lab: '%s' failed (%d):\n%s\n", cmd, rc, out);
	return rc;
}

void lab_down(struct lab *l)
{
	char cmd[256];

	if (!l->id[0])
		return;
	if (l->rpilb_up)
		lab_rpilb_down(l);
	snprintf(cmd, sizeof(cmd), "tools/lab.sh down %s >/dev/null 2>&1", l->id);
	run_capture(cmd, NULL, 0);
	/* Pins a failed test left, or a data path this tree's down would not touch. */
	snprintf(cmd, sizeof(cmd), "rm -rf /sys/fs/bpf/rpilb-%s", l->id);
	run_capture(cmd, NULL, 0);
	for (size_t i = 0; i < sizeof(open_labs) / sizeof(open_labs[0]); i++)
		if (open_labs[i] == l)
			open_labs[i] = NULL;
	l->id[0] = '\0';
}

static int lab_vrun(struct lab *l, const char *host, char *out, size_t outlen, const char *fmt,
		    va_list ap)
{
	char inner[8192], cmd[9000];

	vsnprintf(inner, sizeof(inner), fmt, ap);
	/* Quote for sh -c: the inner command may use single quotes itself. */
	{
		char quoted[8500], *q = quoted;

		for (const char *p = inner; *p && q < quoted + sizeof(quoted) - 5; p++) {
			if (*p == '\'') {
				memcpy(q, "'\\''", 4);
				q += 4;
			} else {
				*q++ = *p;
			}
		}
		*q = '\0';
		snprintf(cmd, sizeof(cmd), "nsenter --net=/run/netns/rpl-%s-%s -- sh -c '%s'",
			 l->id, host, quoted);
	}
	return run_capture(cmd, out, outlen);
}

int lab_run(struct lab *l, const char *host, char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lab_vrun(l, host, out, outlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* The seed tutorial's frontend and backend, with the lab's servers; stats if asked. */
static void write_seed(FILE *f, const struct lab_cfg *c, int n)
{
	fprintf(f, "# the seed tutorial's haproxy.cfg, as rpilb runs it in the lab\n"
		   "defaults\n"
		   "    mode http\n"
		   "    timeout connect 5000\n"
		   "    timeout client  50000\n"
		   "    timeout server  50000\n\n"
		   "frontend raspberrypinodes\n"
		   "    bind *:80\n"
		   "    mode http\n"
		   "    default_backend nodes\n\n"
		   "backend nodes\n"
		   "    mode http\n"
		   "    balance roundrobin\n"
		   "    option httpchk HEAD / HTTP/1.1\\r\\nHost:localhost\n");
	for (int i = 1; i <= n; i++)
		fprintf(f, "    server raspberrypi%02d 10.99.0.%d:8000 %s %s\n", i, 10 + i,
			c->no_check ? "" : "check inter 1s",
			i < 9 && c->server_opts[i] ? c->server_opts[i] : "");

	fprintf(f, "%s\n", c->backend_extra ? c->backend_extra : "");
	if (c->stats)
		fprintf(f, "\nlisten stats *:1936\n"
			   "    stats enable\n"
			   "    stats uri /\n"
			   "    stats hide-version\n"
			   "    stats auth someuser:password\n");
}

int lab_write_config(struct lab *l, const struct lab_cfg *c)
{
	static const struct lab_cfg none;
	int n;
	FILE *f;

	if (!c)
		c = &none;
	n = c->nservers ? c->nservers : l->nbackends;
	snprintf(l->cfg, sizeof(l->cfg), "%s/rpilb.cfg", l->dir);
	snprintf(l->socket, sizeof(l->socket), "%s/rpilb.sock", l->dir);
	f = fopen(l->cfg, "w");
	if (!f)
		return -errno;
	if (c->proxies)
		fputs(c->proxies, f);
	else
		write_seed(f, c, n);
	fprintf(f,
		"\n\nrpilb\n"
		"%s"
		"    state-dir %s/state\n"
		"    socket %s\n"
		"    pin-dir /sys/fs/bpf/rpilb-%s\n"
		"%s\n",
		c->no_interface ? "" : "    interface eth0\n", l->dir, l->socket, l->id,
		c->rpilb_extra ? c->rpilb_extra : "");
	return fclose(f) ? -errno : 0;
}

int lab_rpilb_up(struct lab *l, const char *mode, char *out, size_t outlen)
{
	int rc;

	if (!l->cfg[0] && lab_write_config(l, NULL))
		return -1;
	rc = lab_run(l, "lb", out, outlen, "%s up -c %s -m %s -L %s/rpilb.log 2>&1", lab_rpilbctl(),
		     l->cfg, mode, l->dir);
	if (rc == 0)
		l->rpilb_up = true;
	return rc;
}

int lab_rpilb(struct lab *l, char *out, size_t outlen, const char *fmt, ...)
{
	char args[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return lab_run(l, "lb", out, outlen, "RPILB_SOCKET=%s %s %s", l->socket, lab_rpilbctl(),
		       args);
}

int lab_rpilb_down(struct lab *l)
{
	int rc = lab_run(l, "lb", NULL, 0, "%s down -c %s >/dev/null 2>&1", lab_rpilbctl(), l->cfg);

	l->rpilb_up = false;
	return rc;
}

int lab_spawn(struct lab *l, const char *host, const char *dir, const char *tag, const char *fmt,
	      ...)
{
	char cmd[1024], path[256];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s.sh", dir, tag);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "echo $$ > %s/%s.pid\nexec %s\n", dir, tag, cmd);
	if (fclose(f))
		return -errno;
	return lab_run(l, host, NULL, 0, "setsid sh %1$s/%2$s.sh </dev/null >%1$s/%2$s.log 2>&1 &",
		       dir, tag);
}

int lab_wait_listening(struct lab *l, const char *host, int port, int seconds)
{
	return lab_run(l, host, NULL, 0,
		       "timeout %d bash -c 'until exec 3<>/dev/tcp/127.0.0.1/%d; do sleep 0.05; "
		       "done' 2>/dev/null",
		       seconds, port);
}

int lab_hello_backend(const char *body)
{
	const char *p = strstr(body, "Hello from raspberry pi #");
	int n;

	if (!p || sscanf(p, "Hello from raspberry pi #%d", &n) != 1)
		return -1;
	return n;
}

void lab_fresh(struct lab *l, const struct lab_cfg *c)
{
	char out[4096];
	int rc;

	lab_rpilb_down(l);
	if (lab_run(l, "lb", NULL, 0, "rm -rf %s/state %s/rpilb.log", l->dir, l->dir))
		fail_msg("cannot clear %s", l->dir);
	if (lab_write_config(l, c))
		fail_msg("cannot write the configuration");
	rc = lab_rpilb_up(l, "auto", out, sizeof(out));
	if (rc)
		fail_msg("rpilbctl up failed (%d): %s", rc, out);
}

int lab_count_in_log(struct lab *l, const char *needle)
{
	char out[64];

	lab_run(l, "lb", out, sizeof(out), "grep -c -F '%s' %s/rpilb.log || true", needle, l->dir);
	return atoi(out);
}

long long lab_stat(struct lab *l, const char *expr)
{
	char out[256];

	if (lab_rpilb(l, out, sizeof(out),
		      "-j stats | python3 -c 'import json,sys; d=json.load(sys.stdin); print(%s)'",
		      expr))
		fail_msg("stats: %s: %s", expr, out);
	return atoll(out);
}

void lab_server_field(struct lab *l, const char *server, const char *field, char *out, size_t len)
{
	if (lab_rpilb(
		    l, out, len,
		    "-j status | python3 -c \"import json,sys; d=json.load(sys.stdin); "
		    "print([s%s for b in d['backends'] for s in b['servers'] if s['server']=='%s'][0])\"",
		    field, server))
		fail_msg("status of %s: %s", server, out);
	out[strcspn(out, "\n")] = '\0';
}

void lab_wait_field(struct lab *l, const char *server, const char *field, const char *want,
		    long deadline_ms)
{
	char got[128] = "";

	for (long waited = 0; waited <= deadline_ms; waited += 100) {
		lab_server_field(l, server, field, got, sizeof(got));
		if (!strcmp(got, want))
			return;
		usleep(100 * 1000);
	}
	fail_msg("%s%s is '%s', not '%s', after %ld ms", server, field, got, want, deadline_ms);
}

void lab_pool(struct lab *l, const char *backend, const char *expr, char *out, size_t len)
{
	if (lab_rpilb(l, out, len,
		      "-j status | python3 -c \"import json,sys; d=json.load(sys.stdin); "
		      "print(' '.join(s['server'] + '=' + str(%s) for b in d['backends'] "
		      "if b['backend']=='%s' for s in b['servers']))\"",
		      expr, backend))
		fail_msg("status of backend %s: %s", backend, out);
	out[strcspn(out, "\n")] = '\0';
}

void lab_wait_pool(struct lab *l, const char *backend, const char *expr, const char *want,
		   long deadline_ms)
{
	char got[512] = "";

	for (long waited = 0; waited <= deadline_ms; waited += 100) {
		lab_pool(l, backend, expr, got, sizeof(got));
		if (!strcmp(got, want))
			return;
		usleep(100 * 1000);
	}
	fail_msg("backend %s: %s reads '%s', not '%s', after %ld ms", backend, expr, got, want,
		 deadline_ms);
}

int lab_daemon_pid(struct lab *l)
{
	char pid[32];

	lab_rpilb(l, pid, sizeof(pid),
		  "-j status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"pid\"])'");
	return atoi(pid);
}

long long lab_counter(struct lab *l, const char *name)
{
	char expr[128];

	snprintf(expr, sizeof(expr), "d[\"counters\"][\"%s\"]", name);
	return lab_stat(l, expr);
}

void lab_requests(struct lab *l, int n, int *who)
{
	static char out[512 * 64];
	char *line, *save = NULL;
	int i = 0;

	if (lab_run(l, "c", out, sizeof(out),
		    "for i in $(seq %d); do curl -s --max-time 3 http://%s/ || echo FAIL; echo; done",
		    n, LAB_VIP))
		fail_msg("the client's requests did not run");
	for (line = strtok_r(out, "\n", &save); line && i < n; line = strtok_r(NULL, "\n", &save))
		who[i++] = lab_hello_backend(line) < 0 ? 0 : lab_hello_backend(line);
	if (i != n)
		fail_msg("%d answers to %d requests", i, n);
}
