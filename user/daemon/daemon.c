// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/adopt.h"
#include "cli/cli.h"
#include "config/load.h"
#include "daemon/daemon.h"
#include "lib/log.h"
#include "host/ifpick.h"
#include "host/netdev.h"
#include "daemon/notify.h"
#include "host/precheck.h"
#include "health/srvhealth.h"
#include "stats/snapshot.h"
#include "model/statefile.h"
#include "kernel/timewait.h"
#include "stats/stats_http.h"
#include "lib/util.h"

#define SWEEP_INTERVAL_MS 1000
/* How long "up" waits for the first round of health checks at most. */
#define READY_MARGIN_MS 2000

/* ---- startup ------------------------------------------------------------ */

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[CFG_PATH_MAX];

	str_copy(buf, path, sizeof(buf));
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

static void dirname_of(const char *path, char *dir, size_t len)
{
	char *slash;

	str_copy(dir, path, len);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
}

/* One "up" at a time, and the running daemon holds the lock for its life. */
static int take_lock(struct daemon *d)
{
	char path[CFG_PATH_MAX + 8];

	snprintf(path, sizeof(path), "%s/lock", d->paths.state_dir);
	d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (d->lock_fd < 0) {
		pr_err("cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB)) {
		pr_err("another rpilb daemon or 'rpilbctl up' holds %s", path);
		return -EBUSY;
	}
	return 0;
}

static bool already_running(const struct rpilb_paths *p)
{
	char err[256], *body = NULL;
	int ret = ctl_request(p->socket, "show info", &body, err, sizeof(err));

	if (ret)
		return false;
	printf("rpilb is already running: %s", body);
	free(body);
	return true;
}

static int pick_interface(struct daemon *d, const struct up_opts *o, char *ifname)
{
	struct in_addr bind_addr = { INADDR_ANY };
	enum ifpick_how how;
	char err[256];

	d->iface_why[0] = '\0';
	if (o->ifname) {
		str_copy(ifname, o->ifname, IF_NAMESIZE);
	} else if (d->cfg->rpilb.interface[0]) {
		str_copy(ifname, d->cfg->rpilb.interface, IF_NAMESIZE);
	} else {
		if (d->cfg->nfrontends && d->cfg->frontends[0].nbinds)
			bind_addr = d->cfg->frontends[0].binds[0].addr;
		if (ifpick(bind_addr, ifname, &how, err, sizeof(err))) {
			pr_err("%s", err);
			return -ENODEV;
		}
		str_copy(d->iface_why, ifpick_how_text(how), sizeof(d->iface_why));
	}
	if (!if_nametoindex(ifname)) {
		pr_err("no interface '%s'", ifname);
		return -ENODEV;
	}
	return 0;
}

/*
 * An adopted balancer keeps its rotation until the first checks are in:
 * servers in the kernel's table now count as healthy, provisionally.
 */
static void adopt_rotation(struct daemon *d)
{
	struct rpilb_rr_table *t = calloc(1, sizeof(*t));

	if (!t)
		return;
	for (size_t p = 0; p < d->lb.npools; p++) {
		struct lb_pool *pool = &d->lb.pools[p];

		if (maps_get_rr_table(&d->maps, pool->id, t))
			continue;
		for (uint32_t i = 0; i < t->count && i < RPILB_MAX_SLOTS; i++) {
			struct lb_server *s =
				t->slot[i] < RPILB_MAX_BACKENDS ? d->lb.by_id[t->slot[i]] : NULL;

			if (s && s->pool == pool)
				s->healthy = true;
		}
	}
	free(t);
}

static int write_kernel_config(struct daemon *d)
{
	struct rpilb_cfg kc = {
		.abi_version = RPILB_ABI_VERSION,
		.nat_addr = d->lb.nat_addr.s_addr,
		.nat_port_lo = d->cfg->rpilb.nat_port_lo,
		.nat_port_hi = d->cfg->rpilb.nat_port_hi,
		.tw_guard_ticks = RPILB_NS_TO_TICKS(SWEEP_TW_GUARD_MS * 1000000ULL),
		.close_grace_ticks = RPILB_NS_TO_TICKS(SWEEP_CLOSE_GRACE_MS * 1000000ULL),
		/* A SYN flood may take a quarter of the table; the rest stays for real flows. */
		.halfopen_max = d->flow_capacity / 4,
	};
	int err = maps_set_config(&d->maps, &kc);

	if (err)
		pr_err("writing the data path's configuration failed: %s", strerror(-err));
	return err;
}

static int attach(struct daemon *d, bool fallback)
{
	int err;

	err = loader_attach(&d->ld, d->rec.ifindex, d->rec.mode);
	if (err == -EOPNOTSUPP && fallback) {
		pr_info("%s: no native XDP in this driver; using tc (generic XDP is slower)",
			d->rec.ifname);
		snprintf(d->mode_why, sizeof(d->mode_why),
			 "the driver has no native XDP; tc is faster than generic XDP");
		d->rec.mode = CFG_ATTACH_TC;
		err = loader_attach(&d->ld, d->rec.ifindex, d->rec.mode);
	}
	return err;
}

/* An earlier "up" this boot may have attached elsewhere or otherwise. */
static void reconcile_record(struct daemon *d, const char *ifname)
{
	struct host_record old;

	if (record_load(d->paths.state_dir, &old)) {
		memset(&d->rec, 0, sizeof(d->rec));
		return;
	}
	if (strcmp(old.ifname, ifname)) {
		loader_detach(old.ifindex, old.mode);
		host_restore(&old);
		memset(&d->rec, 0, sizeof(d->rec));
		return;
	}
	/* Same interface: keep the values recorded before rpilb changed them. */
	d->rec = old;
}

static int setup(struct daemon *d, const struct up_opts *o)
{
	uint32_t open_flows[RPILB_MAX_BACKENDS];
	struct lb_overrides ov = {};
	char ifname[IF_NAMESIZE], err_msg[256];
	enum cfg_attach_mode mode, attached_mode;
	struct in_addr nat_addr;
	uint32_t prog_id;
	bool fallback, adopted;
	int err;

	if (precheck_host(d->cfg->rpilb.flow_table_size))
		return -EINVAL;
	err = pick_interface(d, o, ifname);
	if (err)
		return err;
	err = netdev_ipv4(ifname, &nat_addr);
	if (err) {
		pr_err("interface %s has no IPv4 address: the balancer needs one to talk to the "
		       "servers",
		       ifname);
		return err;
	}
	err = host_pick_mode(ifname, o->mode_given ? o->mode : d->cfg->rpilb.mode, &mode,
				 &fallback, d->mode_why, sizeof(d->mode_why));
	if (err)
		return err;

	reconcile_record(d, ifname);
	if (d->rec.ifname[0] && d->rec.mode != mode && !fallback)
		loader_detach(d->rec.ifindex, d->rec.mode);
	str_copy(d->rec.ifname, ifname, sizeof(d->rec.ifname));
	d->rec.ifindex = if_nametoindex(ifname);
	d->rec.mode = mode;
	record_stamp(&d->rec);
	err = record_save(d->paths.state_dir, &d->rec);
	if (err) {
		pr_err("cannot write %s/%s: %s", d->paths.state_dir, RECORD_FILE, strerror(-err));
		return err;
	}

	err = state_load(d->paths.state_dir, &ov, err_msg, sizeof(err_msg));
	if (err) {
		pr_err("%s: fix or remove it (it holds the changes made with rpilbctl)", err_msg);
		return err;
	}
	/* Pins lost with a private bpffs: take the running program's maps, never replace them. */
	err = adopt_pin_attached(d->rec.ifindex, ifname, d->paths.pin_dir);
	if (err < 0)
		goto out;
	err = loader_open(&d->ld, d->paths.pin_dir, d->cfg->rpilb.flow_table_size);
	if (err)
		goto out;
	maps_from_skel(&d->maps, d->ld.skel);
	d->flow_capacity = maps_flow_capacity(&d->maps);
	if (d->flow_capacity != d->cfg->rpilb.flow_table_size)
		pr_warn("the pinned flow table holds %u flows, not %u: 'rpilbctl down' and 'up' to "
			"resize it (that drops open connections)",
			d->flow_capacity, d->cfg->rpilb.flow_table_size);

	/* An adopted table has open flows: their ids are not free for new servers. */
	daemon_count_open_flows(d, open_flows);
	err = balancer_build(&d->lb, d->cfg, &ov, nat_addr, &d->maps, open_flows, err_msg,
			     sizeof(err_msg));
	if (err) {
		pr_err("%s", err_msg);
		goto out;
	}
	adopted = !loader_query(d->rec.ifindex, &attached_mode, &prog_id);
	if (!adopted) {
		int n = timewait_restore(&d->maps, d->paths.state_dir, d->rec.boot_id);

		if (n > 0)
			pr_info("%d (NAT port, server) pairs are still in their server's TIME_WAIT "
				"from before: they rest until it ends",
				n);
	}
	if (adopted) {
		pr_info("adopting the running data path on %s (%s): open flows continue", ifname,
			cfg_attach_mode_name(attached_mode));
		adopt_rotation(d);
		/* Keep what runs: auto must not flip the mode under open flows. */
		if (!o->mode_given && d->cfg->rpilb.mode == CFG_ATTACH_AUTO) {
			d->rec.mode = attached_mode;
			fallback = false;
			snprintf(d->mode_why, sizeof(d->mode_why), "adopted as it was running");
		}
	}
	err = host_prepare(&d->rec, d->paths.state_dir, &d->lb, d->cfg->rpilb.nat_port_lo,
				    d->cfg->rpilb.nat_port_hi);
	if (!err)
		err = write_kernel_config(d);
	if (!err)
		err = balancer_sync(&d->lb);
	if (!err)
		err = attach(d, fallback);
	if (!err)
		err = host_prepare_offload(&d->rec, d->paths.state_dir);
	if (!err)
		err = record_save(d->paths.state_dir, &d->rec);
	/* The ids now in use become part of the state, so they survive a restart. */
	if (!err)
		err = daemon_save_state(d, err_msg, sizeof(err_msg));
	if (err == -EROFS || err == -ENOSPC)
		pr_err("%s", err_msg);
out:
	overrides_free(&ov);
	return err;
}

static int count_open(const struct rpilb_tuple *k, const struct rpilb_flow_fwd *f, void *arg)
{
	uint32_t *by_id = arg;

	(void)k;
	if (!(f->flags & RPILB_FLOW_CLOSED) && f->backend_id < RPILB_MAX_BACKENDS)
		by_id[f->backend_id]++;
	return 0;
}

int daemon_count_open_flows(struct daemon *d, uint32_t by_id[RPILB_MAX_BACKENDS])
{
	memset(by_id, 0, RPILB_MAX_BACKENDS * sizeof(by_id[0]));
	return maps_for_each_fwd(&d->maps, count_open, by_id);
}

/* ---- the running daemon ------------------------------------------------------ */

int daemon_save_state(struct daemon *d, char *err, size_t errlen)
{
	struct lb_overrides ov;
	int ret = balancer_overrides(&d->lb, &ov);

	if (!ret)
		ret = state_save(d->paths.state_dir, &ov, err, errlen);
	overrides_free(&ov);
	return ret;
}

static void sweep_timeouts(uint32_t vip, uint16_t port, struct sweep_timeouts *t, void *arg)
{
	struct daemon *d = arg;
	struct in_addr a = { .s_addr = vip };
	struct lb_service *svc = balancer_service_by_key(&d->lb, a, ntohs(port));

	if (!svc)
		return;
	t->idle_ms = svc->idle_ms;
	t->connect_ms = svc->pool->cfg->timeout_connect_ms;
}

static void sweep_tick(struct ev_timer *t)
{
	struct daemon *d = container_of(t, struct daemon, sweep_timer);
	int err = sweep_run(&d->maps, &d->sweep, sweep_timeouts, d, &d->swept);

	if (err)
		pr_warn("sweeping the flow table failed: %s", strerror(-err));
	memcpy(d->lb.flows_by_id, d->swept.active_by_id, sizeof(d->lb.flows_by_id));
	daemon_rate_sample(d);
	{
		uint64_t counters[RPILB_CNT_MAX];

		if (!maps_read_counters(&d->maps, counters))
			alarms_check(&d->alarms, counters, ev_now_ms(), d->flow_capacity);
	}
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		if (d->lb.by_id[id])
			d->lb.by_id[id]->active_flows = d->swept.active_by_id[id];
	ev_timer_arm(d->loop, &d->sweep_timer, SWEEP_INTERVAL_MS);
}

static size_t count_up(const struct daemon *d, size_t *total)
{
	size_t up = 0;

	*total = 0;
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++) {
		if (!d->lb.by_id[id])
			continue;
		(*total)++;
		up += server_eligible(d->lb.by_id[id]);
	}
	return up;
}

/* The first round of checks is in (or took too long): tell whoever waits. */
static void become_ready(struct daemon *d)
{
	char line[512];
	size_t total, up;

	if (d->ready)
		return;
	d->ready = true;
	ev_timer_cancel(d->loop, &d->ready_timer);
	up = count_up(d, &total);
	snprintf(line, sizeof(line),
		 "on %s (%s: %s%s%s), %zu frontend bind%s, %zu of %zu server%s in "
		 "rotation\n",
		 d->rec.ifname, cfg_attach_mode_name(d->rec.mode), d->mode_why,
		 d->iface_why[0] ? "; " : "", d->iface_why, d->lb.nservices,
		 d->lb.nservices == 1 ? "" : "s", up, total, total == 1 ? "" : "s");
	pr_info("rpilb is up %s", line);
	if (d->ready_fd >= 0) {
		if (write(d->ready_fd, line, strlen(line)) < 0)
			pr_debug("the waiting 'up' has gone");
		close(d->ready_fd);
		d->ready_fd = -1;
	}
	notify_ready();
}

static void ready_timeout(struct ev_timer *t)
{
	struct daemon *d = container_of(t, struct daemon, ready_timer);

	if (d->ready)
		return;
	pr_warn("not every server answered its first health check in time");
	become_ready(d);
}

static void check_first_round(struct daemon *d)
{
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++) {
		struct lb_server *s = d->lb.by_id[id];

		if (s && !s->checked && s->admin != ADMIN_MAINT)
			return;
	}
	become_ready(d);
}

void daemon_health_changed(struct lb_server *s, void *arg)
{
	struct daemon *d = arg;

	balancer_sync_pool(&d->lb, s->pool);
	if (!d->ready)
		check_first_round(d);
}

static int start_health(struct daemon *d)
{
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++) {
		struct lb_server *s = d->lb.by_id[id];
		int err;

		if (!s)
			continue;
		err = srvhealth_start(d->loop, s, daemon_health_changed, d);
		if (err)
			return err;
	}
	return 0;
}

static void stop_health(struct daemon *d, struct balancer *b)
{
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		if (b->by_id[id])
			srvhealth_stop(d->loop, b->by_id[id]);
}

static void release_health(struct balancer *b)
{
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		if (b->by_id[id])
			srvhealth_release(b->by_id[id]);
}

static bool same_server(const struct lb_server *a, const struct lb_server *b)
{
	return !strcmp(a->pool->name, b->pool->name) && !strcmp(a->name, b->name) &&
	       a->addr.s_addr == b->addr.s_addr && a->port == b->port;
}

static int stats_snapshot(struct snapshot *s, void *arg)
{
	return daemon_snapshot(arg, s);
}

/* The "listen stats" page, on its own bind; nothing listens without one. */
static int start_stats(struct daemon *d)
{
	struct stats_http_user users[CFG_MAX_STATS_USERS];
	struct stats_http_opts o;
	int err;

	if (!d->cfg->stats.enabled)
		return 0;
	stats_http_opts_from_cfg(&o, users, &d->cfg->stats);
	o.snapshot = stats_snapshot;
	o.arg = d;
	err = stats_http_start(&d->stats, d->loop, &o);
	if (err)
		pr_err("the stats page could not listen on port %u: %s", d->cfg->stats.port,
		       strerror(-err));
	return err;
}

static void stop_stats(struct daemon *d)
{
	if (d->stats)
		stats_http_stop(d->stats);
	d->stats = NULL;
}

/* Settings that only "down" and "up" can change, because open flows depend on them. */
static void warn_fixed_settings(const struct cfg_rpilb *old, const struct cfg_rpilb *new)
{
	if (strcmp(old->interface, new->interface) || old->mode != new->mode)
		pr_warn("reload: interface and attach mode keep their running values until "
			"'rpilbctl down' and 'up'");
	if (old->flow_table_size != new->flow_table_size || old->nat_port_lo != new->nat_port_lo ||
	    old->nat_port_hi != new->nat_port_hi)
		pr_warn("reload: flow-table-size and nat-ports keep their running values until "
			"'rpilbctl down' and 'up'");
	if (strcmp(old->state_dir, new->state_dir) || strcmp(old->socket_path, new->socket_path) ||
	    strcmp(old->pin_dir, new->pin_dir))
		pr_warn("reload: state-dir, socket and pin-dir keep their running values");
}

int daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct rpilb_config *cfg = calloc(1, sizeof(*cfg));
	struct cfg_diags diags = {};
	struct lb_overrides ov = {};
	struct balancer next;
	int ret;

	notify_reloading();
	if (!cfg) {
		ret = -ENOMEM;
		goto out;
	}
	ret = config_load(d->cfg_path, cfg, &diags);
	config_log_diags(&diags);
	if (ret) {
		snprintf(err, errlen, "%s has %zu error%s; the running configuration stays",
			 d->cfg_path, diags.nerrors, diags.nerrors == 1 ? "" : "s");
		free(cfg);
		cfg = NULL;
		ret = -EINVAL;
		goto out;
	}
	if (!cfg_has_listener(cfg)) {
		snprintf(err, errlen,
			 "%s has no listener (no frontend or listen section forwards a port); the "
			 "running configuration stays",
			 d->cfg_path);
		cfg_free(cfg);
		free(cfg);
		cfg = NULL;
		ret = -EINVAL;
		goto out;
	}
	warn_fixed_settings(&d->cfg->rpilb, &cfg->rpilb);
	cfg->rpilb = d->cfg->rpilb;

	/* Runtime changes carry over, and so do the ids that open flows count against. */
	ret = balancer_overrides(&d->lb, &ov);
	daemon_count_open_flows(d, d->lb.flows_by_id);
	if (!ret)
		ret = balancer_build(&next, cfg, &ov, d->lb.nat_addr, &d->maps, d->lb.flows_by_id,
				     err, errlen);
	if (ret) {
		cfg_free(cfg);
		free(cfg);
		cfg = NULL;
		goto out;
	}
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++) {
		struct lb_server *s = next.by_id[id], *old = d->lb.by_id[id];

		if (s && old && same_server(s, old)) {
			s->healthy = old->healthy;
			s->checked = old->checked;
			s->state_since_ms = old->state_since_ms;
			s->active_flows = old->active_flows;
		}
	}
	/*
	 * What can fail runs before the swap, so that a failed reload leaves
	 * the running balancer as it was: its model, its kernel maps, its checks.
	 */
	ret = host_prepare(&d->rec, d->paths.state_dir, &next, cfg->rpilb.nat_port_lo,
				    cfg->rpilb.nat_port_hi);
	if (!ret) {
		ret = balancer_sync(&next);
		if (ret && balancer_sync(&d->lb))
			pr_err("reload: could not put the running configuration back in the kernel");
	}
	if (ret) {
		snprintf(err, errlen,
			 "applying the new configuration failed: %s; the running "
			 "configuration stays",
			 strerror(-ret));
		balancer_free(&next);
		cfg_free(cfg);
		free(cfg);
		cfg = NULL;
		goto out;
	}
	stop_health(d, &d->lb);
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		if (next.by_id[id] && d->lb.by_id[id] &&
		    same_server(next.by_id[id], d->lb.by_id[id]))
			srvhealth_inherit(next.by_id[id], d->lb.by_id[id]);
	release_health(&d->lb);
	balancer_free(&d->lb);
	cfg_free(d->cfg);
	free(d->cfg);
	d->cfg = cfg;
	d->lb = next;
	/* Server pointers moved with the copy: the pools must point into d->lb. */
	for (size_t p = 0; p < d->lb.npools; p++)
		for (size_t i = 0; i < d->lb.pools[p].nservers; i++)
			d->lb.pools[p].servers[i]->pool = &d->lb.pools[p];
	for (size_t i = 0; i < d->lb.nservices; i++)
		d->lb.services[i].pool = &d->lb.pools[d->lb.services[i].pool - next.pools];

	ret = start_health(d);
	if (!ret) {
		/* The stats section may have changed: listen anew. */
		stop_stats(d);
		if (start_stats(d))
			pr_warn("reload: the stats page is off until the next reload");
	}
	if (!ret)
		ret = daemon_save_state(d, err, errlen);
	if (ret && !*err)
		snprintf(err, errlen, "applying the new configuration failed: %s", strerror(-ret));
	if (!ret)
		pr_info("reloaded %s: %zu frontend bind%s, %zu backend%s", d->cfg_path,
			d->lb.nservices, d->lb.nservices == 1 ? "" : "s", d->lb.npools,
			d->lb.npools == 1 ? "" : "s");
out:
	overrides_free(&ov);
	cfg_diags_free(&diags);
	notify_ready();
	return ret;
}

static void on_signal(int signo, void *arg)
{
	struct daemon *d = arg;
	char err[256] = "";

	switch (signo) {
	case SIGHUP:
		if (daemon_reload(d, err, sizeof(err)))
			pr_err("reload: %s", err);
		break;
	case SIGTERM:
	case SIGINT:
		pr_info("stopping on signal %d; the data path stays attached ('rpilbctl down' "
			"removes it)",
			signo);
		notify_stopping();
		ev_stop(d->loop);
		break;
	}
}

static int run(struct daemon *d)
{
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
	mode_t mode = d->cfg->rpilb.socket_mode ? d->cfg->rpilb.socket_mode : 0600;
	gid_t gid = (gid_t)-1;
	char dir[CFG_PATH_MAX];
	uint32_t longest = 0;
	int err;

	d->loop = ev_new();
	if (!d->loop)
		return -ENOMEM;
	err = ev_signals(d->loop, signals, ARRAY_SIZE(signals), on_signal, d);
	if (err)
		return err;
	if (d->cfg->rpilb.socket_group[0]) {
		struct group *g = getgrnam(d->cfg->rpilb.socket_group);

		if (g)
			gid = g->gr_gid;
		else
			pr_warn("no group '%s': the control socket stays root-only",
				d->cfg->rpilb.socket_group);
	}
	dirname_of(d->paths.socket, dir, sizeof(dir));
	mkdir_p(dir, 0755);
	err = ctl_server_open(&d->ctl, d->loop, d->paths.socket, mode, gid, daemon_ctl_handler, d);
	if (err) {
		pr_err("cannot listen on %s: %s", d->paths.socket, strerror(-err));
		return err;
	}
	d->sweep_timer.cb = sweep_tick;
	ev_timer_arm(d->loop, &d->sweep_timer, 0);
	err = start_health(d);
	if (!err)
		err = start_stats(d);
	if (err)
		return err;
	for (size_t p = 0; p < d->lb.npools; p++) {
		const struct cfg_backend *be = d->lb.pools[p].cfg;

		for (size_t i = 0; i < be->nservers; i++) {
			uint32_t t = be->timeout_check_ms ? be->timeout_check_ms
							  : be->servers[i].opts.inter_ms;

			longest = t > longest ? t : longest;
		}
	}
	/* Servers without checks are settled at once: ready may already be true. */
	d->ready_timer.cb = ready_timeout;
	if (!d->ready)
		ev_timer_arm(d->loop, &d->ready_timer, longest + READY_MARGIN_MS);
	check_first_round(d);

	err = ev_run(d->loop);
	stop_stats(d);
	stop_health(d, &d->lb);
	ctl_server_close(&d->ctl);
	return err;
}

/* Once started, -L's file is the only place messages go: stderr becomes it. */
static void log_to_file_only(struct daemon *d)
{
	if (!d->log)
		return;
	log_tee(NULL);
	fflush(stderr);
	if (dup2(fileno(d->log), STDERR_FILENO) < 0)
		log_tee(d->log);
	setvbuf(stderr, NULL, _IOLBF, 0);
}

/* Detach from the terminal; the parent waits on the pipe until we are ready. */
static int daemonize(struct daemon *d, const struct up_opts *o, int *parent_fd)
{
	int pipefd[2], devnull;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(pipefd[1]);
		*parent_fd = pipefd[0];
		return 1;
	}
	close(pipefd[0]);
	d->ready_fd = pipefd[1];
	setsid();
	if (chdir("/"))
		pr_debug("chdir /: %s", strerror(errno));
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		if (!o->log_file)
			dup2(devnull, STDERR_FILENO);
		close(devnull);
	}
	if (o->log_file)
		log_to_file_only(d);
	else
		log_to_syslog("rpilb");
	return 0;
}

/* The waiting parent: print what the daemon says, or its error. */
static int wait_ready(int fd)
{
	char buf[1024];
	ssize_t n, len = 0;

	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	if (!len) {
		pr_err("the daemon exited during start-up (see its log: journalctl -t rpilb, or -L)");
		return EXIT_FAIL;
	}
	if (cli.json) {
		struct json_writer *jw = cli_json();

		json_begin_object(jw);
		json_kv_bool(jw, "up", true);
		buf[strcspn(buf, "\n")] = '\0';
		json_kv_str(jw, "summary", buf);
		json_end_object(jw);
		json_free(jw);
		putchar('\n');
	} else {
		printf("rpilb is up %s", buf);
	}
	return EXIT_OK;
}

static void teardown(struct daemon *d)
{
	release_health(&d->lb);
	balancer_free(&d->lb);
	sweep_state_free(&d->sweep);
	maps_close(&d->maps);
	loader_close(&d->ld);
	if (d->cfg) {
		cfg_free(d->cfg);
		free(d->cfg);
	}
	ev_free(d->loop);
	if (d->ready_fd >= 0)
		close(d->ready_fd);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	if (d->log) {
		log_tee(NULL);
		fclose(d->log);
	}
}

int daemon_up(const struct up_opts *o)
{
	struct daemon d = { .ready_fd = -1, .lock_fd = -1, .cfg_path = o->config };
	struct cfg_diags diags = {};
	int parent_fd = -1, err, ret = EXIT_FAIL;

	d.cfg = calloc(1, sizeof(*d.cfg));
	if (!d.cfg)
		return EXIT_FAIL;
	err = config_load(o->config, d.cfg, &diags);
	config_print_diags(&diags, stderr);
	cfg_diags_free(&diags);
	if (err) {
		free(d.cfg);
		d.cfg = NULL;
		return cli_fail(EXIT_FAIL, "%s is not valid: nothing was changed", o->config);
	}
	if (!cfg_has_listener(d.cfg)) {
		cli_fail(EXIT_FAIL,
			 "%s has no listener (no frontend or listen section forwards a port): "
			 "nothing to start",
			 o->config);
		goto out;
	}
	paths_from_cfg(d.cfg, &d.paths);
	if (already_running(&d.paths)) {
		ret = EXIT_OK;
		goto out;
	}
	if (geteuid() != 0) {
		pr_err("rpilbctl up must run as root (try sudo): it loads BPF and changes sysctls");
		goto out;
	}
	if (o->log_file) {
		d.log = fopen(o->log_file, "ae");
		if (!d.log) {
			pr_err("cannot open the log file %s: %s", o->log_file, strerror(errno));
			goto out;
		}
		setvbuf(d.log, NULL, _IOLBF, 0);
		log_tee(d.log);
	}
	err = mkdir_p(d.paths.state_dir, 0755);
	if (err) {
		pr_err("cannot create %s: %s", d.paths.state_dir, strerror(-err));
		goto out;
	}
	if (take_lock(&d) || setup(&d, o))
		goto out;

	d.started_ms = ev_now_ms();
	if (o->foreground)
		log_to_file_only(&d);
	if (!o->foreground) {
		err = daemonize(&d, o, &parent_fd);
		if (err > 0) {
			/* The child owns everything now; the parent only reports. */
			ret = wait_ready(parent_fd);
			goto out_parent;
		}
		if (err < 0) {
			pr_err("cannot start the daemon: %s", strerror(-err));
			goto out;
		}
	}
	err = run(&d);
	ret = err ? EXIT_FAIL : EXIT_OK;
out:
	teardown(&d);
	return ret;
out_parent:
	/* Close without touching what the child shares (maps, pins, the lock). */
	return ret;
}
