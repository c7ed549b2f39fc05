// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kernel/loader.h"
#include "lib/log.h"
#include "rpilb.skel.h"

#define PROG_NAME_XDP "rpilb_xdp"
#define PROG_NAME_TC  "rpilb_tc"

static bool same_mount_ns_as_init(void)
{
	struct stat self, init;

	return !stat("/proc/self/ns/mnt", &self) && !stat("/proc/1/ns/mnt", &init) &&
	       self.st_ino == init.st_ino && self.st_dev == init.st_dev;
}

int loader_ensure_bpffs(void)
{
	struct statfs st;

	if (!statfs(RPILB_PIN_ROOT, &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", RPILB_PIN_ROOT, "bpf", 0, "mode=0700")) {
		int err = -errno;

		pr_err("bpffs is not mounted on %s and mounting it failed: %s", RPILB_PIN_ROOT,
		       strerror(errno));
		return err;
	}
	/*
	 * A mount made here lives as long as this mount namespace: under 'ip
	 * netns exec' or in a container that ends with the daemon, pins and
	 * all. The next 'up' then adopts the program from the interface.
	 */
	pr_warn("bpffs was not mounted on %s: mounted it %s; pins there vanish when the last "
		"process in that namespace exits. Mount it on the host (mount -t bpf bpf %s, or "
		"a bpffs line in /etc/fstab) so that they outlive a restart",
		RPILB_PIN_ROOT,
		same_mount_ns_as_init() ? "here" : "in this private mount namespace (not the host's)",
		RPILB_PIN_ROOT);
	return 0;
}

int loader_open(struct loader *l, const char *pin_dir, uint32_t flow_capacity)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_map *map;
	int err;

	memset(l, 0, sizeof(*l));
	if (pin_dir && *pin_dir) {
		err = loader_ensure_bpffs();
		if (err)
			return err;
		if (mkdir(pin_dir, 0700) && errno != EEXIST) {
			err = -errno;
			pr_err("cannot create %s: %s", pin_dir, strerror(errno));
			return err;
		}
		snprintf(l->pin_dir, sizeof(l->pin_dir), "%s", pin_dir);
		opts.pin_root_path = l->pin_dir;
	}

	l->skel = rpilb_bpf__open_opts(&opts);
	if (!l->skel) {
		err = -errno;
		pr_err("cannot open the embedded BPF object: %s", strerror(errno));
		return err;
	}
	bpf_object__for_each_map(map, l->skel->obj)
	{
		if (!l->pin_dir[0])
			bpf_map__set_pin_path(map, NULL);
	}
	if (flow_capacity) {
		bpf_map__set_max_entries(l->skel->maps.flows_fwd, flow_capacity);
		bpf_map__set_max_entries(l->skel->maps.flows_rev, flow_capacity);
	}

	err = rpilb_bpf__load(l->skel);
	if (err) {
		if (l->pin_dir[0] && (err == -EINVAL || err == -EEXIST))
			pr_err("the maps pinned in %s do not match this rpilbctl (another version, or a "
			       "different flow-table-size): run 'rpilbctl down' first",
			       l->pin_dir);
		else
			pr_err("loading the BPF program failed: %s (run with -v for the verifier log)",
			       strerror(-err));
		rpilb_bpf__destroy(l->skel);
		l->skel = NULL;
		return err;
	}
	return 0;
}

void loader_close(struct loader *l)
{
	rpilb_bpf__destroy(l->skel);
	l->skel = NULL;
}

static __u32 xdp_mode_flag(enum cfg_attach_mode mode)
{
	return mode == CFG_ATTACH_XDP ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
}

/* The program's name, or "" if it cannot be read. */
static void prog_name_by_id(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	name[0] = '\0';
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &info_len))
		snprintf(name, len, "%s", info.name);
	close(fd);
}

static int xdp_attached(int ifindex, enum cfg_attach_mode mode, __u32 *id)
{
	return bpf_xdp_query_id(ifindex, xdp_mode_flag(mode), id);
}

static int attach_xdp(struct loader *l, int ifindex, enum cfg_attach_mode mode)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	int prog_fd = bpf_program__fd(l->skel->progs.rpilb_xdp);
	__u32 flags = xdp_mode_flag(mode), old_id = 0;
	char name[BPF_OBJ_NAME_LEN];
	int old_fd = -1, err;

	err = xdp_attached(ifindex, mode, &old_id);
	if (err)
		return err;
	if (old_id) {
		prog_name_by_id(old_id, name, sizeof(name));
		if (strcmp(name, PROG_NAME_XDP)) {
			pr_err("the interface already has an XDP program (id %u, '%s') that is not "
			       "rpilb's; remove it first (ip link set dev IFACE xdp off)",
			       old_id, name);
			return -EBUSY;
		}
		old_fd = bpf_prog_get_fd_by_id(old_id);
		if (old_fd < 0)
			return -errno;
		opts.old_prog_fd = old_fd;
		flags |= XDP_FLAGS_REPLACE;
	} else {
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	}
	err = bpf_xdp_attach(ifindex, prog_fd, flags, &opts);
	if (old_fd >= 0)
		close(old_fd);
	if (err == -EOPNOTSUPP && mode == CFG_ATTACH_XDP)
		pr_err("attaching XDP in native mode is not supported by this interface's driver - "
		       "try xdpgeneric or tc mode");
	else if (err == -EBUSY || err == -EEXIST)
		pr_err("the interface has an XDP program in the other mode; detach it first");
	else if (err)
		pr_err("attaching XDP failed: %s", strerror(-err));
	return err;
}

static void tc_hook_init(struct bpf_tc_hook *hook, int ifindex)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = BPF_TC_INGRESS;
}

static int tc_attached(int ifindex, __u32 *id)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = RPILB_TC_HANDLE, .priority = RPILB_TC_PRIO);
	struct bpf_tc_hook hook;
	int err;

	tc_hook_init(&hook, ifindex);
	*id = 0;
	err = bpf_tc_query(&hook, &opts);
	if (err == -ENOENT || err == -EINVAL)
		return 0;
	if (err)
		return err;
	*id = opts.prog_id;
	return 0;
}

static int attach_tc(struct loader *l, int ifindex)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = RPILB_TC_HANDLE, .priority = RPILB_TC_PRIO,
		    .flags = BPF_TC_F_REPLACE);
	struct bpf_tc_hook hook;
	char name[BPF_OBJ_NAME_LEN];
	__u32 old_id = 0;
	int err;

	tc_hook_init(&hook, ifindex);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_err("creating the clsact qdisc failed: %s", strerror(-err));
		return err;
	}
	err = tc_attached(ifindex, &old_id);
	if (err)
		return err;
	if (old_id) {
		prog_name_by_id(old_id, name, sizeof(name));
		if (strcmp(name, PROG_NAME_TC)) {
			pr_err("tc filter %#x prio %u on the interface is not rpilb's ('%s')",
			       RPILB_TC_HANDLE, RPILB_TC_PRIO, name);
			return -EBUSY;
		}
	}
	opts.prog_fd = bpf_program__fd(l->skel->progs.rpilb_tc);
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		pr_err("attaching the tc program failed: %s", strerror(-err));
	return err;
}

int loader_attach(struct loader *l, int ifindex, enum cfg_attach_mode mode)
{
	switch (mode) {
	case CFG_ATTACH_XDP:
	case CFG_ATTACH_XDP_GENERIC:
		return attach_xdp(l, ifindex, mode);
	case CFG_ATTACH_TC:
		return attach_tc(l, ifindex);
	default:
		return -EINVAL;
	}
}

int loader_detach(int ifindex, enum cfg_attach_mode mode)
{
	char name[BPF_OBJ_NAME_LEN];
	__u32 id = 0;
	int err;

	if (mode == CFG_ATTACH_TC) {
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = RPILB_TC_HANDLE,
			    .priority = RPILB_TC_PRIO);
		struct bpf_tc_hook hook;

		err = tc_attached(ifindex, &id);
		if (err || !id)
			return err;
		prog_name_by_id(id, name, sizeof(name));
		if (strcmp(name, PROG_NAME_TC))
			return 0;
		tc_hook_init(&hook, ifindex);
		return bpf_tc_detach(&hook, &opts);
	}

	err = xdp_attached(ifindex, mode, &id);
	if (err || !id)
		return err;
	prog_name_by_id(id, name, sizeof(name));
	if (strcmp(name, PROG_NAME_XDP))
		return 0;
	{
		LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			return -errno;
		opts.old_prog_fd = fd;
		err = bpf_xdp_detach(ifindex, xdp_mode_flag(mode) | XDP_FLAGS_REPLACE, &opts);
		close(fd);
	}
	return err;
}

int loader_query(int ifindex, enum cfg_attach_mode *mode, uint32_t *prog_id)
{
	static const enum cfg_attach_mode modes[] = { CFG_ATTACH_XDP, CFG_ATTACH_XDP_GENERIC };
	char name[BPF_OBJ_NAME_LEN];
	__u32 id;

	for (size_t i = 0; i < 2; i++) {
		if (xdp_attached(ifindex, modes[i], &id) || !id)
			continue;
		prog_name_by_id(id, name, sizeof(name));
		if (!strcmp(name, PROG_NAME_XDP)) {
			*mode = modes[i];
			*prog_id = id;
			return 0;
		}
	}
	if (!tc_attached(ifindex, &id) && id) {
		prog_name_by_id(id, name, sizeof(name));
		if (!strcmp(name, PROG_NAME_TC)) {
			*mode = CFG_ATTACH_TC;
			*prog_id = id;
			return 0;
		}
	}
	return -ENOENT;
}

int loader_unpin(const char *pin_dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir = opendir(pin_dir);
	int err = 0;

	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, de->d_name);
		if (unlink(path) && !err)
			err = -errno;
	}
	closedir(dir);
	if (rmdir(pin_dir) && !err && errno != ENOENT)
		err = -errno;
	return err;
}
