// SPDX-License-Identifier: GPL-2.0-only
/*
 * The runtime changes: add-node, del-node, drain, maint, enable. A change
 * is acknowledged only once it is in the kernel and in the state file; if
 * the state file cannot be written, the model is put back, synced again,
 * and the reply says why. The answer is rendered from a snapshot taken
 * once the change is done (del-node: before the server goes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/names.h"
#include "daemon/control.h"
#include "health/srvhealth.h"
#include "lib/log.h"
#include "lib/util.h"
#include "model/statefile.h"

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
	req_answer(q, q->json ? render_change_json : render_change_text, &snap, &o);
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
	struct lb_server *s = req_find_server(q);
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
void ctl_do_add(struct ctl_req *q)
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
	pool = pick_pool(q, req_opt_backend(q, 3));
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
void ctl_do_del(struct ctl_req *q)
{
	static const struct snap_request rq = {};
	struct lb_server *s = req_find_server(q);
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
	req_answer(q, q->json ? render_deleted_json : render_deleted_text, &snap, &o);
out:
	snapshot_free(&snap);
}

void ctl_do_drain(struct ctl_req *q)
{
	cmd_admin(q, ADMIN_DRAIN);
}

void ctl_do_maint(struct ctl_req *q)
{
	cmd_admin(q, ADMIN_MAINT);
}

void ctl_do_enable(struct ctl_req *q)
{
	cmd_admin(q, ADMIN_READY);
}
