// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ctl: the control socket's requests, as the daemon answers them.
 *
 * Each input holds up to MAX_LINES request lines (split at '\n'); each goes
 * through ctl_answer(), the server's own path from a received line to the
 * framed answer: ctl_split(), then daemon_ctl_handler() (user/daemon/control.c)
 * against a daemon with everything but the kernel:
 *
 *   - the balancer model built from a fixed configuration (two backends
 *     sharing a server name, checked and unchecked servers, one disabled,
 *     and a backend of 15 servers of distinct weights whose round-robin
 *     table is close to its 4096 slots);
 *   - maps whose descriptors are all -1, so every bpf() call fails with
 *     EBADF and the error paths of show, drain, add-node... run every time;
 *     then, when the process may create BPF maps (root, as `make check`
 *     runs), the same input again against fresh scratch maps of the data
 *     path's types and sizes, created for that input and closed after it
 *     (never pinned, never attached to anything), so that the paths past
 *     a successful kernel write run too: add-node that succeeds, the
 *     status, stats and conns renderers;
 *   - and a third time with the state directory unwritable (as on a full
 *     or read-only disk), on scratch maps when there are any: every change
 *     must then be refused and undone, in the model and in the kernel;
 *   - a real event loop (health checks are started and stopped on it, but
 *     it never runs, so no check connects anywhere);
 *   - a real state directory in a temporary directory (on /dev/shm when it
 *     exists: fsync there is cheap), written by every runtime change;
 *   - "reload" re-reads the same configuration file from that directory
 *     and then fails at the host settings (the interface does not exist),
 *     after the new model is built: the running one must come out whole.
 *
 * The model is rebuilt for every input, and the state file removed, so an
 * input means the same thing whatever ran before it: a crash reproduces
 * from its file alone, and a sequence such as add-node, drain, del-node
 * lives within one input.
 *
 * Properties after every request: the answer is framed ("OK\n" and a body,
 * or "ERR " and one line); the model is consistent (every server in its
 * pool and under its id); and the state file on disk says what the model
 * says (a change is acknowledged only once it is saved, and undone when it
 * cannot be).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "health/checker.h"
#include "cli/cli.h"
#include "daemon/ctl.h"
#include "daemon/daemon.h"
#include "fuzz.h"
#include "health/srvhealth.h"
#include "model/statefile.h"

#define MAX_LINES 8

static char dir[256], cfg_path[300], state_dir[300];
static char *cfg_text;
static size_t cfg_len;
static int ncpus;

static const char cfg_fmt[] = "defaults\n"
			      "    mode http\n"
			      "    timeout connect 5s\n"
			      "    timeout client 50s\n"
			      "    timeout server 50s\n"
			      "\n"
			      "frontend web\n"
			      "    bind 10.0.0.2:80\n"
			      "    default_backend nodes\n"
			      "\n"
			      "backend nodes\n"
			      "    balance roundrobin\n"
			      "    option httpchk HEAD / HTTP/1.1\\r\\nHost:localhost\n"
			      "    server pi1 127.0.0.1:8001 check\n"
			      "    server pi2 127.0.0.1:8002 check weight 2\n"
			      "    server pi3 127.0.0.1:8003\n"
			      "\n"
			      "frontend api\n"
			      "    bind 10.0.0.2:8080\n"
			      "    default_backend other\n"
			      "\n"
			      "backend other\n"
			      "    balance static-rr\n"
			      "    server pi1 127.0.0.1:9001\n"
			      "    server o2 127.0.0.1:9002 disabled\n"
			      "\n"
			      "frontend many\n"
			      "    bind 10.0.0.2:8081\n"
			      "    default_backend big\n"
			      "\n"
			      "backend big\n"
			      "    server b1 127.0.1.1:80 weight 240\n"
			      "    server b2 127.0.1.2:80 weight 241\n"
			      "    server b3 127.0.1.3:80 weight 242\n"
			      "    server b4 127.0.1.4:80 weight 243\n"
			      "    server b5 127.0.1.5:80 weight 244\n"
			      "    server b6 127.0.1.6:80 weight 245\n"
			      "    server b7 127.0.1.7:80 weight 246\n"
			      "    server b8 127.0.1.8:80 weight 247\n"
			      "    server b9 127.0.1.9:80 weight 248\n"
			      "    server b10 127.0.1.10:80 weight 249\n"
			      "    server b11 127.0.1.11:80 weight 250\n"
			      "    server b12 127.0.1.12:80 weight 251\n"
			      "    server b13 127.0.1.13:80 weight 252\n"
			      "    server b14 127.0.1.14:80 weight 253\n"
			      "    server b15 127.0.1.15:80 weight 254\n"
			      "\n"
			      "rpilb\n"
			      "    state-dir %s\n"
			      "    socket %s/sock\n"
			      "    pin-dir %s/pins\n";

/* daemon.o's start-up path (daemon_up) uses main.c's CLI state; never reached here. */
struct cli cli;

int cli_fail(int code, const char *fmt, ...)
{
	(void)fmt;
	return code;
}

struct json_writer *cli_json(void)
{
	return NULL;
}

static void cleanup(void)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", state_dir, STATE_FILE);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.%s.tmp", state_dir, STATE_FILE);
	unlink(path);
	rmdir(state_dir);
	unlink(cfg_path);
	rmdir(dir);
}

/* A run that crashed never reached cleanup(): remove what dead runs left. */
static void remove_stale(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[512], saved[300];
		int pid;

		if (sscanf(e->d_name, "rpilb-fuzz-ctl.%d.", &pid) != 1 || !kill(pid, 0) ||
		    errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s/state/%s", base, e->d_name, STATE_FILE);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s/state/.%s.tmp", base, e->d_name, STATE_FILE);
		unlink(path);
		snprintf(saved, sizeof(saved), "%s/%s/state", base, e->d_name);
		rmdir(saved);
		snprintf(path, sizeof(path), "%s/%s/rpilb.cfg", base, e->d_name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		rmdir(path);
	}
	closedir(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = access("/dev/shm", W_OK) ? (getenv("TMPDIR") ?: "/tmp") : "/dev/shm";
	FILE *f;

	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	remove_stale(base);
	snprintf(dir, sizeof(dir), "%s/rpilb-fuzz-ctl.%d.XXXXXX", base, (int)getpid());
	if (!mkdtemp(dir))
		abort();
	snprintf(cfg_path, sizeof(cfg_path), "%s/rpilb.cfg", dir);
	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	if (mkdir(state_dir, 0700))
		abort();
	atexit(cleanup);
	if (asprintf(&cfg_text, cfg_fmt, state_dir, dir, dir) < 0)
		abort();
	cfg_len = strlen(cfg_text);
	f = fopen(cfg_path, "w");
	if (!f || fputs(cfg_text, f) < 0 || fclose(f))
		abort();
	ncpus = libbpf_num_possible_cpus();
	if (ncpus < 1)
		ncpus = 1;
	return 0;
}

/* Every map descriptor -1: bpf() fails with EBADF, as on a broken pin. */
static void maps_none(struct lb_maps *m)
{
	memset(m, 0, sizeof(*m));
	m->config = m->services = m->backends = m->rr_tables = m->rr_cursor = -1;
	m->flows_fwd = m->flows_rev = m->counters = m->backend_stats = m->svc_stats = -1;
	m->halfopen = -1;
	m->ncpus = ncpus;
}

static int map_new(enum bpf_map_type type, size_t key, size_t value, unsigned int n,
		   unsigned int flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpf_map_create(type, NULL, (unsigned int)key, (unsigned int)value, n, &o);
}

/* Fresh, empty maps of the data path's types (bpf/maps.h); false if bpf() is not allowed. */
static bool maps_scratch(struct lb_maps *m)
{
	void *p;

	maps_none(m);
	m->owned = true;
	m->config = map_new(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rpilb_cfg), 1, 0);
	m->services = map_new(BPF_MAP_TYPE_HASH, sizeof(struct rpilb_svc_key),
			      sizeof(struct rpilb_svc), RPILB_MAX_SERVICES, 0);
	m->backends =
		map_new(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rpilb_backend), RPILB_MAX_BACKENDS, 0);
	m->rr_tables =
		map_new(BPF_MAP_TYPE_HASH, 4, sizeof(struct rpilb_rr_table), RPILB_MAX_POOLS, 0);
	m->rr_cursor =
		map_new(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rpilb_rr_cursor), RPILB_MAX_POOLS, 0);
	m->flows_fwd = map_new(BPF_MAP_TYPE_HASH, sizeof(struct rpilb_tuple),
			       sizeof(struct rpilb_flow_fwd), 1024, 0);
	m->flows_rev = map_new(BPF_MAP_TYPE_HASH, sizeof(struct rpilb_tuple),
			       sizeof(struct rpilb_flow_rev), 1024, 0);
	m->counters = map_new(BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct rpilb_counters), 1, 0);
	m->backend_stats = map_new(BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct rpilb_backend_stats),
				   RPILB_MAX_BACKENDS, 0);
	m->svc_stats = map_new(BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct rpilb_svc_stats),
			       RPILB_MAX_SERVICES, 0);
	m->halfopen =
		map_new(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct rpilb_halfopen), 1, BPF_F_MMAPABLE);
	if (m->config < 0 || m->services < 0 || m->backends < 0 || m->rr_tables < 0 ||
	    m->rr_cursor < 0 || m->flows_fwd < 0 || m->flows_rev < 0 || m->counters < 0 ||
	    m->backend_stats < 0 || m->svc_stats < 0 || m->halfopen < 0)
		return false;
	p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED,
		 m->halfopen, 0);
	if (p == MAP_FAILED)
		return false;
	m->halfopen_count = p;
	return true;
}

static void maps_scratch_free(struct lb_maps *m)
{
	if (m->halfopen_count)
		munmap(m->halfopen_count, (size_t)sysconf(_SC_PAGESIZE));
	if (m->halfopen >= 0)
		close(m->halfopen);
	maps_close(m); /* the other ten */
	maps_none(m);
}

static int scratch_ok = -1; /* may this process create BPF maps? */

static void daemon_setup(struct daemon *d, bool scratch)
{
	struct lb_overrides none = { 0 };
	struct cfg_diags diags;
	char err[256], path[400];

	snprintf(path, sizeof(path), "%s/%s", state_dir, STATE_FILE);
	unlink(path);
	memset(d, 0, sizeof(*d));
	d->ready_fd = -1;
	d->lock_fd = -1;
	d->cfg_path = cfg_path;
	d->cfg = calloc(1, sizeof(*d->cfg));
	FUZZ_CHECK(d->cfg, "out of memory");
	FUZZ_CHECK(!cfg_parse_string(cfg_path, cfg_text, cfg_len, d->cfg, &diags),
		   "the fixed configuration does not parse");
	cfg_diags_free(&diags);
	paths_from_cfg(d->cfg, &d->paths);
	if (scratch)
		FUZZ_CHECK(maps_scratch(&d->maps), "scratch maps failed once they had worked");
	else
		maps_none(&d->maps);
	snprintf(d->rec.ifname, sizeof(d->rec.ifname), "rpilbfuzz0");
	snprintf(d->mode_why, sizeof(d->mode_why), "a fuzzer's daemon");
	d->loop = ev_new();
	FUZZ_CHECK(d->loop, "ev_new failed");
	FUZZ_CHECK(!balancer_build(&d->lb, d->cfg, &none, (struct in_addr){ htonl(0x0a000002) },
				   &d->maps, NULL, err, sizeof(err)),
		   "the model does not build: %s", err);
	d->started_ms = ev_now_ms();
	/* Past start-up: the first round of checks is not what is fuzzed. */
	d->ready = true;
	/*
	 * Checks started as run() starts them, but without a rotation update per
	 * server (the 15-server backend's table is costly to build): one
	 * balancer_sync() afterwards leaves the kernel as "up" and run() do.
	 * Later srvhealth_start() calls (enable, add-node) pass the daemon's
	 * own callback again.
	 */
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		if (d->lb.by_id[id])
			srvhealth_start(d->loop, d->lb.by_id[id], NULL, NULL);
	if (scratch)
		FUZZ_CHECK(!balancer_sync(&d->lb), "balancer_sync on scratch maps failed");
	else
		balancer_sync(&d->lb);
	/* As "up" does: the ids in use are saved before the first request. */
	FUZZ_CHECK(!daemon_save_state(d, err, sizeof(err)), "first save: %s", err);
}

static void daemon_teardown(struct daemon *d)
{
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		if (d->lb.by_id[id])
			srvhealth_release(d->lb.by_id[id]);
	balancer_free(&d->lb);
	cfg_free(d->cfg);
	free(d->cfg);
	ev_free(d->loop);
	if (d->maps.owned)
		maps_scratch_free(&d->maps);
}

static void check_model(struct daemon *d)
{
	size_t in_pools = 0, by_id = 0;

	for (size_t p = 0; p < d->lb.npools; p++) {
		struct lb_pool *pool = &d->lb.pools[p];

		for (size_t i = 0; i < pool->nservers; i++) {
			struct lb_server *s = pool->servers[i];

			FUZZ_CHECK(s && s->pool == pool, "server %zu of pool %zu lost its pool", i,
				   p);
			FUZZ_CHECK(s->id < RPILB_MAX_BACKENDS && d->lb.by_id[s->id] == s,
				   "%s/%s is not under its id %u", pool->name, s->name, s->id);
			for (size_t j = 0; j < i; j++)
				FUZZ_CHECK(strcmp(pool->servers[j]->name, s->name),
					   "two servers '%s' in %s", s->name, pool->name);
			in_pools++;
		}
	}
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		by_id += d->lb.by_id[id] != NULL;
	FUZZ_CHECK(in_pools == by_id, "%zu servers in pools, %zu by id", in_pools, by_id);
}

static int by_name(const void *a, const void *b)
{
	const struct lb_override *x = a, *y = b;
	int c = strcmp(x->pool, y->pool);

	return c ? c : strcmp(x->server, y->server);
}

/* What the state file says is what the model says (in any order). */
/* The overrides as text, in name order. */
static char *overrides_text(struct lb_overrides *ov)
{
	if (ov->count)
		qsort(ov->items, ov->count, sizeof(*ov->items), by_name);
	return state_format(ov);
}

static char *model_text(struct daemon *d)
{
	struct lb_overrides mem;
	char *t;

	FUZZ_CHECK(!balancer_overrides(&d->lb, &mem), "balancer_overrides failed");
	t = overrides_text(&mem);
	overrides_free(&mem);
	FUZZ_CHECK(t, "out of memory");
	return t;
}

static bool unwritable; /* this pass: the state directory cannot be written */
static char *initial; /* the model at setup, as text */

/*
 * What the state file says is what the model says (in any order). When the
 * state cannot be written, every change must be undone: the model stays
 * as it was set up.
 */
static void check_saved(struct daemon *d, const char *request)
{
	struct lb_overrides disk;
	char *a, *b, err[256];

	b = model_text(d);
	if (unwritable) {
		FUZZ_CHECK(!strcmp(initial, b),
			   "after '%s' with no writable state, the model changed from\n%s\nto\n%s",
			   request, initial, b);
		free(b);
		return;
	}
	FUZZ_CHECK(!state_load(state_dir, &disk, err, sizeof(err)), "state_load: %s", err);
	a = overrides_text(&disk);
	FUZZ_CHECK(a && !strcmp(a, b), "after '%s' the state file says\n%s\nbut the model\n%s",
		   request, a, b);
	free(a);
	free(b);
	overrides_free(&disk);
}

/* The kernel's rotation of every pool holds exactly the model's eligible servers. */
static void check_kernel(struct daemon *d, const char *request, bool acknowledged)
{
	static struct rpilb_rr_table t;
	char why[256] = "";

	for (size_t p = 0; p < d->lb.npools && !why[0]; p++) {
		struct lb_pool *pool = &d->lb.pools[p];
		bool want[RPILB_MAX_BACKENDS] = { false }, have[RPILB_MAX_BACKENDS] = { false };
		size_t nwant = 0;

		for (size_t i = 0; i < pool->nservers; i++) {
			if (server_eligible(pool->servers[i])) {
				want[pool->servers[i]->id] = true;
				nwant++;
			}
		}
		memset(&t, 0, sizeof(t));
		if (maps_get_rr_table(&d->maps, pool->id, &t)) {
			if (nwant)
				snprintf(why, sizeof(why),
					 "backend %s has %zu eligible servers but no rotation in the "
					 "kernel",
					 pool->name, nwant);
			continue;
		}
		FUZZ_CHECK(t.count <= RPILB_MAX_SLOTS, "rotation of %u slots", t.count);
		for (uint32_t i = 0; i < t.count && !why[0]; i++) {
			if (t.slot[i] >= RPILB_MAX_BACKENDS || !want[t.slot[i]])
				snprintf(why, sizeof(why),
					 "the kernel sends backend %s's new flows to id %u, which the "
					 "model does not have in rotation",
					 pool->name, t.slot[i]);
			else
				have[t.slot[i]] = true;
		}
		for (int id = 0; id < RPILB_MAX_BACKENDS && !why[0]; id++)
			if (want[id] && !have[id])
				snprintf(why, sizeof(why),
					 "server id %d of backend %s is in rotation in the model but "
					 "not in the kernel",
					 id, pool->name);
	}
	if (!why[0])
		return;
	FUZZ_CHECK(false, "after '%s' (%s): %s", request, acknowledged ? "acknowledged" : "refused",
		   why);
}

/* Which servers the model has in rotation, by id. */
static void rotation_of(struct daemon *d, bool in[RPILB_MAX_BACKENDS])
{
	memset(in, 0, RPILB_MAX_BACKENDS * sizeof(in[0]));
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		if (d->lb.by_id[id] && server_eligible(d->lb.by_id[id]))
			in[id] = true;
}

/*
 * With every map descriptor -1 no rotation can reach the kernel: a request
 * that changed the rotation must not be acknowledged.
 */
static void check_no_kernel(const bool before[RPILB_MAX_BACKENDS], struct daemon *d,
			    const char *request, bool acknowledged)
{
	bool after[RPILB_MAX_BACKENDS];

	if (!acknowledged)
		return;
	rotation_of(d, after);
	FUZZ_CHECK(!memcmp(before, after, sizeof(after)),
		   "'%s' changed the rotation and was acknowledged, but no map write can succeed",
		   request);
}

/* Every server with "check" that is not in maintenance is being checked. */
static void check_health_running(struct daemon *d, const char *request)
{
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++) {
		struct lb_server *s = d->lb.by_id[id];
		/* srvhealth.c's struct srvhealth begins with its struct checker_server. */
		struct checker_server *cs = s ? (struct checker_server *)s->check : NULL;

		if (!s || !s->opts.check || s->admin == ADMIN_MAINT)
			continue;
		FUZZ_CHECK(cs && cs->loop, "after '%s': %s/%s is no longer health-checked", request,
			   s->pool->name, s->name);
	}
}

static void answer(struct daemon *d, const char *req, size_t len)
{
	char line[CTL_LINE_MAX + 1], shown[64];
	bool before[RPILB_MAX_BACKENDS];
	struct ctl_reply r = { 0 };
	char *out, *nl;

	rotation_of(d, before);
	/* As conn_event() reads it: a line that fills the buffer is refused unread. */
	if (len >= CTL_LINE_MAX) {
		ctl_reply_error(&r, "request longer than %d bytes", CTL_LINE_MAX);
		len = 0;
	}
	memcpy(line, req, len);
	line[len] = '\0';
	snprintf(shown, sizeof(shown), "%s", line);
	out = ctl_answer(line, &r, daemon_ctl_handler, d);
	FUZZ_CHECK(out, "no answer (out of memory?)");
	if (getenv("RPILB_FUZZ_LOG"))
		fprintf(stderr, "[%s maps] %s\n-> %.200s\n", d->maps.owned ? "scratch" : "no", shown,
			out);
	if (!strncmp(out, "ERR ", 4)) {
		nl = strchr(out, '\n');
		FUZZ_CHECK(nl && nl[1] == '\0', "an ERR answer of more than one line: %s", out);
	} else {
		FUZZ_CHECK(!strncmp(out, "OK\n", 3), "unframed answer: %.60s", out);
	}
	check_model(d);
	check_saved(d, shown);
	check_health_running(d, shown);
	if (d->maps.owned)
		check_kernel(d, shown, !strncmp(out, "OK\n", 3));
	else
		check_no_kernel(before, d, shown, !strncmp(out, "OK\n", 3));
	free(out);
	free(r.buf);
}

static void run_input(const uint8_t *data, size_t size, bool scratch, bool no_state)
{
	static struct daemon d;
	const char *p = (const char *)data, *end = p + size;

	daemon_setup(&d, scratch);
	unwritable = no_state;
	if (unwritable) {
		/* Under a regular file: every state write fails (ENOTDIR), even as root. */
		snprintf(d.paths.state_dir, sizeof(d.paths.state_dir), "%s/state", cfg_path);
		initial = model_text(&d);
	}
	for (int n = 0; n < MAX_LINES && p < end; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		answer(&d, p, len);
		p += len + (nl ? 1 : 0);
	}
	daemon_teardown(&d);
	free(initial);
	initial = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run_input(data, size, false, false);
	if (scratch_ok < 0) {
		struct lb_maps m;

		scratch_ok = maps_scratch(&m);
		maps_scratch_free(&m);
	}
	if (scratch_ok)
		run_input(data, size, true, false);
	/* A full or read-only disk: nothing may change, in the model or the kernel. */
	run_input(data, size, scratch_ok, true);
	return 0;
}
