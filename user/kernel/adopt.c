// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kernel/adopt.h"
#include "kernel/loader.h"
#include "lib/log.h"
#include "kernel/maps.h"
#include "rpilb.skel.h"

/* More than the data path has; a program with more maps is not ours anyway. */
#define ADOPT_MAX_MAPS 32

struct prog_map {
	int fd;
	struct bpf_map_info info;
};

/* The maps the attached program uses, by the kernel's own account. */
static int attached_maps(uint32_t prog_id, struct prog_map *maps, size_t *n)
{
	__u32 ids[ADOPT_MAX_MAPS], len;
	struct bpf_prog_info info = {};
	int prog_fd, err = 0;

	*n = 0;
	prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (prog_fd < 0)
		return -errno;
	info.nr_map_ids = ADOPT_MAX_MAPS;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	for (__u32 i = 0; i < info.nr_map_ids && i < ADOPT_MAX_MAPS; i++) {
		struct prog_map *m = &maps[*n];

		m->fd = bpf_map_get_fd_by_id(ids[i]);
		if (m->fd < 0) {
			err = -errno;
			goto out;
		}
		len = sizeof(m->info);
		memset(&m->info, 0, sizeof(m->info));
		if (bpf_obj_get_info_by_fd(m->fd, &m->info, &len)) {
			err = -errno;
			close(m->fd);
			goto out;
		}
		(*n)++;
	}
out:
	close(prog_fd);
	return err;
}

/* The attached program's map of that name, if its shape is what we would create. */
static const struct prog_map *matching(const struct prog_map *maps, size_t n,
				       const struct bpf_map *want, char *why, size_t len)
{
	const char *name = bpf_map__name(want);

	for (size_t i = 0; i < n; i++) {
		const struct bpf_map_info *mi = &maps[i].info;

		if (strncmp(mi->name, name, sizeof(mi->name) - 1))
			continue;
		if (mi->type != bpf_map__type(want) || mi->key_size != bpf_map__key_size(want) ||
		    mi->value_size != bpf_map__value_size(want)) {
			snprintf(why, len, "its map '%s' has another layout", name);
			return NULL;
		}
		return &maps[i];
	}
	snprintf(why, len, "it has no map '%s'", name);
	return NULL;
}

static uint32_t pinned_id(const char *path)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.id = 0;
	close(fd);
	return info.id;
}

/* Pin m at pin_dir/NAME unless that pin already is m. 1 if pinned, 0 if it was, or -errno. */
static int pin_one(const struct prog_map *m, const char *pin_dir, const char *name)
{
	char path[PATH_MAX];
	uint32_t id;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, name);
	id = pinned_id(path);
	if (id == m->info.id)
		return 0;
	if (id) {
		pr_warn("%s holds another map than the running program's: replacing the pin", path);
		if (unlink(path))
			return -errno;
	}
	if (bpf_obj_pin(m->fd, path))
		return -errno;
	return 1;
}

static int check_abi(const struct prog_map *config, char *why, size_t len)
{
	struct lb_maps m = { .config = config->fd };
	struct rpilb_cfg kc;
	int err = maps_get_config(&m, &kc);

	if (err) {
		snprintf(why, len, "its configuration cannot be read (%s)", strerror(-err));
		return err;
	}
	if (kc.abi_version != RPILB_ABI_VERSION) {
		snprintf(why, len, "it is from a version of rpilb with data path ABI %u, not %u",
			 kc.abi_version, RPILB_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}

int adopt_pin_attached(int ifindex, const char *ifname, const char *pin_dir)
{
	struct prog_map maps[ADOPT_MAX_MAPS];
	const struct prog_map *found[ADOPT_MAX_MAPS];
	enum cfg_attach_mode mode;
	struct rpilb_bpf *skel = NULL;
	struct bpf_map *want;
	char why[160] = "";
	uint32_t prog_id;
	size_t n = 0, nwant = 0;
	int err, pinned = 0;

	if (loader_query(ifindex, &mode, &prog_id))
		return 0;
	err = attached_maps(prog_id, maps, &n);
	if (err) {
		snprintf(why, sizeof(why), "its maps cannot be read (%s)", strerror(-err));
		goto refuse;
	}
	skel = rpilb_bpf__open();
	if (!skel) {
		err = -errno;
		snprintf(why, sizeof(why), "the embedded object does not open (%s)",
			 strerror(-err));
		goto refuse;
	}
	bpf_object__for_each_map(want, skel->obj)
	{
		if (nwant == ADOPT_MAX_MAPS ||
		    !(found[nwant] = matching(maps, n, want, why, sizeof(why)))) {
			err = -EPROTO;
			goto refuse;
		}
		if (want == skel->maps.config) {
			err = check_abi(found[nwant], why, sizeof(why));
			if (err)
				goto refuse;
		}
		nwant++;
	}
	err = loader_ensure_bpffs();
	if (!err && mkdir(pin_dir, 0700) && errno != EEXIST)
		err = -errno;
	nwant = 0;
	bpf_object__for_each_map(want, skel->obj)
	{
		int r = err ? err : pin_one(found[nwant++], pin_dir, bpf_map__name(want));

		if (r < 0) {
			err = r;
			snprintf(why, sizeof(why), "pinning its maps in %s failed (%s)", pin_dir,
				 strerror(-err));
			goto refuse;
		}
		pinned += r;
	}
	if (pinned)
		pr_info("%s: the running data path's maps were not pinned in %s: pinned %d of them "
			"again from the program attached (%s, id %u)",
			ifname, pin_dir, pinned, cfg_attach_mode_name(mode), prog_id);
	goto out;
refuse:
	pr_err("rpilb's program is attached to %s (%s, id %u) but cannot be adopted: %s; not "
	       "replacing it, which would cut its connections ('rpilbctl down' with the version "
	       "that attached it removes it)",
	       ifname, cfg_attach_mode_name(mode), prog_id, why);
	pinned = err ? err : -EPROTO;
out:
	rpilb_bpf__destroy(skel);
	for (size_t i = 0; i < n; i++)
		close(maps[i].fd);
	return pinned;
}
