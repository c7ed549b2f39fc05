// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket's protocol: one table of requests (docs/control.md
 * is the contract; a leading "json" word asks for a JSON body) that
 * dispatches them and writes "help", and the requests that change nothing:
 * show, reload, shutdown. The runtime changes are in changes.c. Every
 * answer about servers is rendered from a snapshot (stats/render_*.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/control.h"
#include "lib/log.h"
#include "config/names.h"
#include "daemon/notify.h"
#include "lib/util.h"

const char *req_opt_backend(struct ctl_req *q, int first)
{
	for (int i = first; i + 1 < q->argc; i++)
		if (!strcmp(q->argv[i], "backend"))
			return q->argv[i + 1];
	return NULL;
}

struct lb_server *req_find_server(struct ctl_req *q)
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
	s = balancer_find(&q->d->lb, q->argv[1], req_opt_backend(q, 2), err, sizeof(err));
	if (!s)
		ctl_reply_error(q->r, "%s", err);
	return s;
}

int req_answer(struct ctl_req *q, render_fn fn, const struct snapshot *snap,
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
	req_answer(q, q->json ? json : text, &snap, o);
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
		rq.conns_server =
			balancer_find(&q->d->lb, node, req_opt_backend(q, 2), err, sizeof(err));
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
	s = req_find_server(q);
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

#define CMD(name, args, help, fn)                                                                  \
	{                                                                                          \
		name, args, help, fn, NULL                                                         \
	}

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
	    ctl_do_add),
	CMD("del-node", "NAME [backend B]", "out of rotation; its open flows finish", ctl_do_del),
	CMD("drain", "NAME [backend B]", "no new flows; open ones finish", ctl_do_drain),
	CMD("maint", "NAME [backend B]", "no new flows, no health checks", ctl_do_maint),
	CMD("enable", "NAME [backend B]", "ready again: in rotation once healthy", ctl_do_enable),
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
