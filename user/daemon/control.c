// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket's commands. A runtime change is acknowledged only once
 * it is in the kernel and in the state file; if the state file cannot be
 * written, the change is undone and the reply says why. Commands are in
 * docs/control.md; a leading "json" word asks for a JSON body.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "lib/json.h"
#include "lib/log.h"
#include "config/names.h"
#include "daemon/notify.h"
#include "health/srvhealth.h"
#include "stats/snapshot.h"
#include "model/statefile.h"
#include "stats/render.h"
#include "lib/util.h"

struct ctl_req {
	struct daemon *d;
	struct ctl_reply *r;
	int argc;
	char **argv;
	bool json;
};

/* "backend B" at the end of a request; NULL if absent. */
static const char *opt_backend(struct ctl_req *q, int first)
{
	for (int i = first; i + 1 < q->argc; i++)
		if (!strcmp(q->argv[i], "backend"))
			return q->argv[i + 1];
	return NULL;
}

static struct lb_server *find_server(struct ctl_req *q)
{
	char err[160];
	struct lb_server *s;

	if (q->argc < 2) {
		ctl_reply_error(q->r, "%s needs a server name", q->argv[0]);
		return NULL;
	}
	if (!name_valid(q->argv[1])) {
		ctl_reply_error(q->r, "bad server name '%s': %s", q->argv[1], NAME_RULE);
		return NULL;
	}
	s = balancer_find(&q->d->lb, q->argv[1], opt_backend(q, 2), err, sizeof(err));
	if (!s)
		ctl_reply_error(q->r, "%s", err);
	return s;
}

typedef int (*render_fn)(FILE *out, const struct snapshot *s, const struct render_opts *o);

/* Write the answer with fn; 0, or the reply says why not. */
static int reply_with(struct ctl_req *q, render_fn fn, const struct snapshot *snap,
		      const struct render_opts *o)
{
	FILE *out = ctl_reply_stream(q->r);
	int err;

	if (!out) {
		ctl_reply_error(q->r, "out of memory");
		return -ENOMEM;
	}
	err = fn(out, snap, o);
	if (fclose(out) && !err)
		err = -EIO;
	/* A body that could not grow is answered as such by the socket's framing. */
	if (err && !q->r->oom)
		ctl_reply_error(q->r, "writing the answer failed: %s", strerror(-err));
	return err;
}

/* A snapshot for rq, rendered as the answer: text, or JSON after "json". */
static void reply_snapshot(struct ctl_req *q, const struct snap_request *rq, render_fn text,
			   render_fn json, const struct render_opts *o, const char *reading)
{
	struct snapshot snap;
	int err = daemon_snapshot(q->d, rq, &snap);

	if (err) {
		ctl_reply_error(q->r, "reading %s failed: %s", reading, strerror(-err));
		return;
	}
	reply_with(q, q->json ? json : text, &snap, o);
	snapshot_free(&snap);
}

/* The answer to a runtime change of s: what it is now, from a snapshot taken now. */
static void reply_server(struct ctl_req *q, const struct lb_server *s, const char *what)
{
	static const struct snap_request rq = {};
	struct render_opts o = { .backend = s->pool->name, .server = s->name, .what = what };
	struct snapshot snap;
	int err = daemon_snapshot(q->d, &rq, &snap);

	if (err) {
		ctl_reply_error(q->r, "%s/%s %s, but reading its state failed: %s", s->pool->name,
				s->name, what, strerror(-err));
		return;
	}
	reply_with(q, q->json ? render_change_json : render_change_text, &snap, &o);
	snapshot_free(&snap);
}

static void reply_kernel_error(struct ctl_req *q, const struct lb_pool *pool, int err)
{
	if (err == -ERANGE)
		ctl_reply_error(q->r,
				"backend '%s': those weights need more than %d round-robin slots; "
				"nothing changed",
				pool->name, RPILB_MAX_SLOTS);
	else
		ctl_reply_error(q->r,
				"cannot update the round robin of backend '%s' in the kernel: %s; "
				"nothing changed",
				pool->name, strerror(-err));
}

/* A server's admin state as it was, to put back whole when a change cannot be completed. */
struct admin_mark {
	struct lb_server *s;
	enum admin_state admin;
	uint64_t since_ms;
};

static struct admin_mark admin_mark(struct lb_server *s)
{
	return (struct admin_mark){ .s = s, .admin = s->admin, .since_ms = s->state_since_ms };
}

/* Undo is the old model, synced again: the kernel follows wherever the change got to. */
static void resync(struct ctl_req *q, struct lb_pool *pool)
{
	if (balancer_sync_pool(&q->d->lb, pool))
		pr_err("backend '%s': could not put the kernel's round robin back", pool->name);
}

static void admin_restore(struct ctl_req *q, const struct admin_mark *m)
{
	m->s->admin = m->admin;
	m->s->state_since_ms = m->since_ms;
	resync(q, m->s->pool);
}

/* Model changed: into the kernel, then the state file. 0, or the reply says why. */
static int commit_change(struct ctl_req *q, struct lb_pool *pool)
{
	char err[256];
	int ret = balancer_sync_pool(&q->d->lb, pool);

	if (ret) {
		reply_kernel_error(q, pool, ret);
		return ret;
	}
	ret = daemon_save_state(q->d, err, sizeof(err));
	if (ret)
		ctl_reply_error(q->r, "%s; nothing changed", err);
	return ret;
}

static void cmd_admin(struct ctl_req *q, enum admin_state admin)
{
	struct lb_server *s = find_server(q);
	struct admin_mark mark;
	enum admin_state old;

	if (!s)
		return;
	mark = admin_mark(s);
	old = s->admin;
	if (old == admin) {
		reply_server(q, s, "unchanged");
		return;
	}
	balancer_set_admin(&q->d->lb, s, admin);
	if (commit_change(q, s->pool)) {
		admin_restore(q, &mark);
		return;
	}
	/* HAProxy stops checking a server in maintenance, and starts again on enable. */
	if (admin == ADMIN_MAINT)
		srvhealth_stop(q->d->loop, s);
	else if (old == ADMIN_MAINT)
		srvhealth_start(q->d->loop, s, daemon_health_changed, q->d);
	pr_info("server %s/%s: %s -> %s", s->pool->name, s->name, admin_state_name(old),
		admin_state_name(admin));
	reply_server(q, s,
		     admin == ADMIN_READY   ? "enabled"
		     : admin == ADMIN_DRAIN ? "draining"
					    : "in maintenance");
}

static struct lb_pool *pick_pool(struct ctl_req *q, const char *name)
{
	struct balancer *b = &q->d->lb;
	struct lb_pool *pool;

	if (name) {
		pool = balancer_find_pool(b, name);
		if (!pool)
			ctl_reply_error(q->r, "no backend '%s'", name);
		return pool;
	}
	if (b->npools == 1)
		return &b->pools[0];
	ctl_reply_error(q->r, "%zu backends: say which with --backend", b->npools);
	return NULL;
}

/* add-node NAME ADDR:PORT [weight N] [backend B] */
static void cmd_add(struct ctl_req *q)
{
	struct lb_pool *pool;
	struct lb_server *s;
	struct in_addr addr;
	unsigned long weight = 1;
	char err[256];
	uint16_t port;

	if (q->argc < 3) {
		ctl_reply_error(q->r, "usage: add-node NAME ADDR:PORT [weight N] [backend B]");
		return;
	}
	if (!name_valid(q->argv[1])) {
		ctl_reply_error(q->r, "bad server name '%s': %s", q->argv[1], NAME_RULE);
		return;
	}
	if (parse_ipv4_port(q->argv[2], &addr, &port) || !port) {
		ctl_reply_error(q->r, "bad address '%s': expected IPv4:PORT", q->argv[2]);
		return;
	}
	for (int i = 3; i + 1 < q->argc; i += 2) {
		char *end;

		if (!strcmp(q->argv[i], "weight")) {
			weight = strtoul(q->argv[i + 1], &end, 10);
			if (*end || end == q->argv[i + 1] || weight > CFG_MAX_WEIGHT) {
				ctl_reply_error(q->r, "bad weight '%s': 0 to %d", q->argv[i + 1],
						CFG_MAX_WEIGHT);
				return;
			}
		} else if (strcmp(q->argv[i], "backend")) {
			ctl_reply_error(q->r, "unknown option '%s'", q->argv[i]);
			return;
		}
	}
	if ((q->argc - 3) % 2) {
		ctl_reply_error(q->r, "'%s' needs a value", q->argv[q->argc - 1]);
		return;
	}
	pool = pick_pool(q, opt_backend(q, 3));
	if (!pool)
		return;
	s = balancer_add(&q->d->lb, pool, q->argv[1], addr, port, weight, err, sizeof(err));
	if (!s) {
		ctl_reply_error(q->r, "%s", err);
		return;
	}
	/* A server without checks joins the rotation now. */
	if (commit_change(q, pool)) {
		balancer_del(&q->d->lb, s);
		resync(q, pool);
		return;
	}
	srvhealth_start(q->d->loop, s, daemon_health_changed, q->d);
	pr_info("server %s/%s added (%s)", pool->name, s->name, q->argv[2]);
	reply_server(q, s, s->opts.check ? "added, joins once its checks pass" : "added");
}

/* The state file without s: a runtime server's entry goes, a file's is marked deleted. */
static int save_without(struct ctl_req *q, const struct lb_server *s, char *err, size_t errlen)
{
	struct lb_overrides ov;
	int ret = balancer_overrides(&q->d->lb, &ov);

	if (ret) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ov.count; i++) {
		struct lb_override *o = &ov.items[i];

		if (strcmp(o->pool, s->pool->name) || strcmp(o->server, s->name) || o->deleted)
			continue;
		if (s->runtime || !cfg_find_server(s->pool->cfg, s->name)) {
			memmove(o, o + 1, (ov.count - i - 1) * sizeof(*o));
			ov.count--;
		} else {
			memset(o, 0, sizeof(*o));
			str_copy(o->pool, s->pool->name, sizeof(o->pool));
			str_copy(o->server, s->name, sizeof(o->server));
			o->id = -1;
			o->deleted = true;
		}
		break;
	}
	ret = state_save(q->d->paths.state_dir, &ov, err, errlen);
out:
	overrides_free(&ov);
	return ret;
}

/* del-node NAME [backend B]: out of rotation now; its open flows finish. */
static void cmd_del(struct ctl_req *q)
{
	static const struct snap_request rq = {};
	struct lb_server *s = find_server(q);
	char err[256], name[CFG_NAME_MAX], pool[CFG_NAME_MAX];
	struct render_opts o = { .backend = pool, .server = name };
	const struct snap_server *gone;
	struct snapshot snap = {};
	struct lb_pool *from;
	struct admin_mark mark;
	int ret;

	if (!s)
		return;
	str_copy(name, s->name, sizeof(name));
	str_copy(pool, s->pool->name, sizeof(pool));
	/* The answer is about the server as it is now, before it goes. */
	ret = daemon_snapshot(q->d, &rq, &snap);
	if (ret) {
		ctl_reply_error(q->r, "reading its state failed: %s; nothing changed",
				strerror(-ret));
		return;
	}
	gone = snap_find_server(&snap, pool, name);
	/*
	 * Out of the kernel's rotation, then out of the state file, and only
	 * then out of the model: each of the first two can still be undone.
	 */
	mark = admin_mark(s);
	balancer_set_admin(&q->d->lb, s, ADMIN_MAINT);
	ret = balancer_sync_pool(&q->d->lb, s->pool);
	if (ret) {
		admin_restore(q, &mark);
		reply_kernel_error(q, s->pool, ret);
		goto out;
	}
	ret = save_without(q, s, err, sizeof(err));
	if (ret) {
		admin_restore(q, &mark);
		ctl_reply_error(q->r, "%s; nothing changed", err);
		goto out;
	}
	from = s->pool;
	srvhealth_release(s);
	balancer_del(&q->d->lb, s);
	/* Done, and on disk: a kernel entry left behind is out of every rotation anyway. */
	if (balancer_sync_pool(&q->d->lb, from))
		pr_warn("server %s/%s: its kernel entry stays until the next change", pool, name);
	pr_info("server %s/%s deleted; %u open flow%s finish on it", pool, name,
		gone ? gone->active_flows : 0, gone && gone->active_flows == 1 ? "" : "s");
	reply_with(q, q->json ? render_deleted_json : render_deleted_text, &snap, &o);
out:
	snapshot_free(&snap);
}

/* show conns [node NAME] [backend B] [client IP] */
static void show_conns(struct ctl_req *q)
{
	struct snap_request rq = { .conns = true };
	const char *node = NULL;
	struct in_addr client;
	char err[160];

	for (int i = 2; i < q->argc; i += 2) {
		if (i + 1 >= q->argc) {
			ctl_reply_error(q->r, "'%s' needs a value", q->argv[i]);
			return;
		}
		if (!strcmp(q->argv[i], "node")) {
			node = q->argv[i + 1];
		} else if (!strcmp(q->argv[i], "client")) {
			if (inet_pton(AF_INET, q->argv[i + 1], &client) != 1) {
				ctl_reply_error(q->r, "bad client address '%s'", q->argv[i + 1]);
				return;
			}
			rq.conns_client = &client;
		} else if (strcmp(q->argv[i], "backend")) {
			ctl_reply_error(q->r, "unknown option '%s': node, backend, client",
					q->argv[i]);
			return;
		}
	}
	if (node) {
		rq.conns_server = balancer_find(&q->d->lb, node, opt_backend(q, 2), err, sizeof(err));
		if (!rq.conns_server) {
			ctl_reply_error(q->r, "%s", err);
			return;
		}
	}
	reply_snapshot(q, &rq, render_conns_text, render_conns_json, NULL, "the flow table");
}

/* show stats [all]: what the stats page shows, for a terminal or a script. */
static void show_stats(struct ctl_req *q)
{
	static const struct snap_request rq = { .counters = true };
	struct render_opts o = { .pretty = true, .all = q->argc > 2 && !strcmp(q->argv[2], "all") };

	reply_snapshot(q, &rq, render_stats_text, render_stats_json, &o, "the counters");
}

static void show_info(struct ctl_req *q)
{
	struct daemon *d = q->d;

	ctl_reply_printf(q->r, "on %s (%s: %s), pid %d, socket %s\n", d->rec.ifname,
			 cfg_attach_mode_name(d->rec.mode), d->mode_why, getpid(), d->paths.socket);
}

static void show_status(struct ctl_req *q)
{
	static const struct snap_request rq = {};

	reply_snapshot(q, &rq, render_status_text, render_status_json, NULL, "the status");
}

/* show flows NAME [backend B]: what "drain --wait" polls. */
static void show_flows(struct ctl_req *q)
{
	static const struct snap_request rq = {};
	struct render_opts o = {};
	struct lb_server *s;

	q->argc--;
	q->argv++;
	s = find_server(q);
	if (!s)
		return;
	o.backend = s->pool->name;
	o.server = s->name;
	reply_snapshot(q, &rq, render_open_flows, render_open_flows, &o, "the flow table");
}

static void cmd_reload(struct ctl_req *q)
{
	char err[256] = "";

	if (daemon_reload(q->d, err, sizeof(err))) {
		ctl_reply_error(q->r, "%s", err);
		return;
	}
	if (q->json)
		ctl_reply_printf(q->r, "{\"reloaded\":true,\"binds\":%zu,\"backends\":%zu}\n",
				 q->d->lb.nservices, q->d->lb.npools);
	else
		ctl_reply_printf(q->r, "reloaded: %zu frontend bind%s, %zu backend%s\n",
				 q->d->lb.nservices, q->d->lb.nservices == 1 ? "" : "s",
				 q->d->lb.npools, q->d->lb.npools == 1 ? "" : "s");
}

static void cmd_shutdown(struct ctl_req *q)
{
	ctl_reply_printf(q->r, "stopping; the data path stays attached\n");
	pr_info("stopping on request; the data path stays attached");
	notify_stopping();
	ev_stop(q->d->loop);
}

static void cmd_drain(struct ctl_req *q)
{
	cmd_admin(q, ADMIN_DRAIN);
}

static void cmd_maint(struct ctl_req *q)
{
	cmd_admin(q, ADMIN_MAINT);
}

static void cmd_enable(struct ctl_req *q)
{
	cmd_admin(q, ADMIN_READY);
}

static void cmd_help(struct ctl_req *q);

/*
 * The protocol as data: each request's words, what it takes and answers
 * (docs/control.md is the contract), and who answers it. A table of
 * sub-commands stands in for a handler ("show"). "help" is generated from
 * these tables, so the list and the commands cannot drift apart.
 */
struct ctl_cmd {
	const char *name;
	const char *args; /* as "help" shows them; "" for none */
	const char *help;
	void (*fn)(struct ctl_req *q); /* called with argv[0] the first word */
	const struct ctl_cmd *sub; /* instead of fn: the next word picks one; ends at {} */
};

#define CMD(name, args, help, fn) { name, args, help, fn, NULL }

static const struct ctl_cmd show_cmds[] = {
	CMD("info", "", "interface, attach mode and why, pid, socket", show_info),
	CMD("status", "", "every server: state, weight, open flows, last check", show_status),
	CMD("stats", "[all]", "the stats page's numbers ('all': zero counters too)", show_stats),
	CMD("flows", "NAME [backend B]", "the server's open flows, counted now", show_flows),
	CMD("conns", "[node NAME] [backend B] [client IP]", "the live flows", show_conns),
	{},
};

static const struct ctl_cmd ctl_commands[] = {
	{ "show", "", "", NULL, show_cmds },
	CMD("add-node", "NAME ADDR:PORT [weight N] [backend B]", "a new server, in once healthy",
	    cmd_add),
	CMD("del-node", "NAME [backend B]", "out of rotation; its open flows finish", cmd_del),
	CMD("drain", "NAME [backend B]", "no new flows; open ones finish", cmd_drain),
	CMD("maint", "NAME [backend B]", "no new flows, no health checks", cmd_maint),
	CMD("enable", "NAME [backend B]", "ready again: in rotation once healthy", cmd_enable),
	CMD("reload", "", "re-read the configuration file (like SIGHUP)", cmd_reload),
	CMD("shutdown", "", "the daemon exits; the data path stays attached", cmd_shutdown),
	CMD("help", "", "this list", cmd_help),
	{},
};

static void help_lines(struct ctl_req *q, const struct ctl_cmd *t, const char *prefix)
{
	char req[96];

	for (; t->name; t++) {
		if (t->sub) {
			help_lines(q, t->sub, t->name);
			continue;
		}
		snprintf(req, sizeof(req), "%s%s%s%s%s", prefix, *prefix ? " " : "", t->name,
			 *t->args ? " " : "", t->args);
		ctl_reply_printf(q->r, "%-48s %s\n", req, t->help);
	}
}

static void cmd_help(struct ctl_req *q)
{
	help_lines(q, ctl_commands, "");
	ctl_reply_printf(q->r, "(a leading 'json' asks for JSON)\n");
}

/* "info, status, ...": the words table t accepts. */
static void table_words(const struct ctl_cmd *t, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; t->name && used < len; t++)
		used += snprintf(buf + used, len - used, "%s%s", used ? ", " : "", t->name);
}

/* Word `at` of the request picks an entry of t; a sub-table picks with the next word. */
static void dispatch(struct ctl_req *q, const struct ctl_cmd *t, int at)
{
	char words[128];

	for (const struct ctl_cmd *c = t; at < q->argc && c->name; c++) {
		if (strcmp(q->argv[at], c->name))
			continue;
		if (c->sub)
			dispatch(q, c->sub, at + 1);
		else
			c->fn(q);
		return;
	}
	if (!at) {
		ctl_reply_error(q->r, "unknown command '%s': try 'help'", q->argv[0]);
		return;
	}
	table_words(t, words, sizeof(words));
	if (at >= q->argc)
		ctl_reply_error(q->r, "%s what? %s", q->argv[at - 1], words);
	else
		ctl_reply_error(q->r, "unknown '%s %s': try %s", q->argv[at - 1], q->argv[at],
				words);
}

void daemon_ctl_handler(int argc, char **argv, struct ctl_reply *r, void *arg)
{
	struct ctl_req q = { .d = arg, .r = r, .argc = argc, .argv = argv };

	if (argc && !strcmp(argv[0], "json")) {
		q.json = true;
		q.argc--;
		q.argv++;
	}
	if (!q.argc) {
		ctl_reply_error(r, "empty request: try 'help'");
		return;
	}
	dispatch(&q, ctl_commands, 0);
}
