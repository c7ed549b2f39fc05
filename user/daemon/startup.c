// SPDX-License-Identifier: GPL-2.0-only
/*
 * "up" before the loop: check the host, choose the interface and mode,
 * find or load the data path (adopting a running one, pins or no pins),
 * build the model, prepare the host, write the kernel, attach. Each step
 * logs its own failure, so the orchestrator only decides what to undo.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/private.h"
#include "host/ifpick.h"
#include "host/netdev.h"
#include "host/precheck.h"
#include "kernel/adopt.h"
#include "kernel/timewait.h"
#include "lib/log.h"
#include "lib/util.h"
#include "model/statefile.h"

int daemon_mkdir_p(const char *path, mode_t mode)
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

/* The interface, its address and the attach mode, recorded before anything changes. */
static int choose_place(struct daemon *d, const struct up_opts *o, char *ifname,
			struct in_addr *nat_addr, bool *fallback)
{
	enum cfg_attach_mode mode;
	int err;

	if (precheck_host(d->cfg->rpilb.flow_table_size))
		return -EINVAL;
	err = pick_interface(d, o, ifname);
	if (err)
		return err;
	err = netdev_ipv4(ifname, nat_addr);
	if (err) {
		pr_err("interface %s has no IPv4 address: the balancer needs one to talk to the "
		       "servers",
		       ifname);
		return err;
	}
	err = host_pick_mode(ifname, o->mode_given ? o->mode : d->cfg->rpilb.mode, &mode, fallback,
			     d->mode_why, sizeof(d->mode_why));
	if (err)
		return err;
	reconcile_record(d, ifname);
	if (d->rec.ifname[0] && d->rec.mode != mode && !*fallback)
		loader_detach(d->rec.ifindex, d->rec.mode);
	str_copy(d->rec.ifname, ifname, sizeof(d->rec.ifname));
	d->rec.ifindex = if_nametoindex(ifname);
	d->rec.mode = mode;
	record_stamp(&d->rec);
	err = record_save(d->paths.state_dir, &d->rec);
	if (err)
		pr_err("cannot write %s/%s: %s", d->paths.state_dir, RECORD_FILE, strerror(-err));
	return err;
}

/* The running program's maps (pinned, or found through the program), or new ones. */
static int open_data_path(struct daemon *d, const char *ifname)
{
	/* Pins lost with a private bpffs: take the running program's maps, never replace them. */
	int err = adopt_pin_attached(d->rec.ifindex, ifname, d->paths.pin_dir);

	if (err < 0)
		return err;
	err = loader_open(&d->ld, d->paths.pin_dir, d->cfg->rpilb.flow_table_size);
	if (err)
		return err;
	maps_from_skel(&d->maps, d->ld.skel);
	d->flow_capacity = maps_flow_capacity(&d->maps);
	if (d->flow_capacity != d->cfg->rpilb.flow_table_size)
		pr_warn("the pinned flow table holds %u flows, not %u: 'rpilbctl down' and 'up' to "
			"resize it (that drops open connections)",
			d->flow_capacity, d->cfg->rpilb.flow_table_size);
	return 0;
}

static int build_model(struct daemon *d, const struct lb_overrides *ov, struct in_addr nat_addr)
{
	uint32_t open_flows[RPILB_MAX_BACKENDS];
	char err_msg[256];
	int err;

	/* An adopted table has open flows: their ids are not free for new servers. */
	daemon_count_open_flows(d, open_flows);
	err = balancer_build(&d->lb, d->cfg, ov, nat_addr, &d->maps, open_flows, err_msg,
			     sizeof(err_msg));
	if (err)
		pr_err("%s", err_msg);
	return err;
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

/* A program already attached goes on as it was; else the pairs resting in TIME_WAIT come back. */
static void adopt_or_restore(struct daemon *d, const struct up_opts *o, const char *ifname,
			     bool *fallback)
{
	enum cfg_attach_mode attached_mode;
	uint32_t prog_id;
	int n;

	if (loader_query(d->rec.ifindex, &attached_mode, &prog_id)) {
		n = timewait_restore(&d->maps, d->paths.state_dir, d->rec.boot_id);
		if (n > 0)
			pr_info("%d (NAT port, server) pairs are still in their server's TIME_WAIT "
				"from before: they rest until it ends",
				n);
		return;
	}
	pr_info("adopting the running data path on %s (%s): open flows continue", ifname,
		cfg_attach_mode_name(attached_mode));
	adopt_rotation(d);
	/* Keep what runs: auto must not flip the mode under open flows. */
	if (!o->mode_given && d->cfg->rpilb.mode == CFG_ATTACH_AUTO) {
		d->rec.mode = attached_mode;
		*fallback = false;
		snprintf(d->mode_why, sizeof(d->mode_why), "adopted as it was running");
	}
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

/* Host settings, the kernel's maps, the attach, and the state that makes it survive a restart. */
static int go_live(struct daemon *d, bool fallback)
{
	char err_msg[256];
	int err;

	err = host_prepare(&d->rec, d->paths.state_dir, &d->lb, d->cfg->rpilb.nat_port_lo,
			   d->cfg->rpilb.nat_port_hi);
	if (err)
		return err;
	err = write_kernel_config(d);
	if (err)
		return err;
	err = balancer_sync(&d->lb);
	if (err) {
		pr_err("writing servers and rotations to the kernel failed: %s", strerror(-err));
		return err;
	}
	err = attach(d, fallback);
	if (err)
		return err;
	err = host_prepare_offload(&d->rec, d->paths.state_dir);
	if (err)
		return err;
	err = record_save(d->paths.state_dir, &d->rec);
	if (err) {
		pr_err("cannot write %s/%s: %s", d->paths.state_dir, RECORD_FILE, strerror(-err));
		return err;
	}
	/* The ids now in use become part of the state, so they survive a restart. */
	err = daemon_save_state(d, err_msg, sizeof(err_msg));
	if (err)
		pr_err("%s", err_msg);
	return err;
}

int daemon_setup(struct daemon *d, const struct up_opts *o)
{
	struct lb_overrides ov = {};
	char ifname[IF_NAMESIZE], err_msg[256];
	struct in_addr nat_addr;
	bool fallback;
	int err;

	err = daemon_mkdir_p(d->paths.state_dir, 0755);
	if (err) {
		pr_err("cannot create %s: %s", d->paths.state_dir, strerror(-err));
		return err;
	}
	err = take_lock(d);
	if (err)
		return err;
	err = choose_place(d, o, ifname, &nat_addr, &fallback);
	if (err)
		return err;
	err = state_load(d->paths.state_dir, &ov, err_msg, sizeof(err_msg));
	if (err) {
		pr_err("%s: fix or remove it (it holds the changes made with rpilbctl)", err_msg);
		return err;
	}
	err = open_data_path(d, ifname);
	if (err)
		goto out_overrides;
	err = build_model(d, &ov, nat_addr);
	if (err)
		goto out_overrides;
	adopt_or_restore(d, o, ifname, &fallback);
	err = go_live(d, fallback);
out_overrides:
	overrides_free(&ov);
	return err;
}
