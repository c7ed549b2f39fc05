// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kernel/maps.h"
#include "rpilb.skel.h"
#include "lib/util.h"

#define FLOW_BATCH 256

/* Every map by its pinned name and its place in struct lb_maps: one list for all uses. */
static const struct {
	const char *name;
	size_t off;
} map_fields[] = {
	{ "config", offsetof(struct lb_maps, config) },
	{ "services", offsetof(struct lb_maps, services) },
	{ "backends", offsetof(struct lb_maps, backends) },
	{ "rr_tables", offsetof(struct lb_maps, rr_tables) },
	{ "rr_cursor", offsetof(struct lb_maps, rr_cursor) },
	{ "flows_fwd", offsetof(struct lb_maps, flows_fwd) },
	{ "flows_rev", offsetof(struct lb_maps, flows_rev) },
	{ "counters", offsetof(struct lb_maps, counters) },
	{ "backend_stats", offsetof(struct lb_maps, backend_stats) },
	{ "svc_stats", offsetof(struct lb_maps, svc_stats) },
	{ "halfopen", offsetof(struct lb_maps, halfopen) },
	{ "retry_picks", offsetof(struct lb_maps, retry_picks) },
};

#define MAP_FD(m, i) ((int *)((char *)(m) + map_fields[i].off))

static int *map_slot(struct lb_maps *m, const char *name)
{
	for (size_t i = 0; i < sizeof(map_fields) / sizeof(map_fields[0]); i++)
		if (!strcmp(map_fields[i].name, name))
			return MAP_FD(m, i);
	return NULL;
}

static void maps_init(struct lb_maps *m)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < sizeof(map_fields) / sizeof(map_fields[0]); i++)
		*MAP_FD(m, i) = -1;
}

static int maps_map_halfopen(struct lb_maps *m)
{
	void *p = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED, m->halfopen,
		       0);

	if (p == MAP_FAILED)
		return -errno;
	m->halfopen_count = p;
	return 0;
}

static int maps_set_ncpus(struct lb_maps *m)
{
	m->ncpus = libbpf_num_possible_cpus();
	return m->ncpus > 0 ? 0 : -EINVAL;
}

int maps_from_skel(struct lb_maps *m, struct rpilb_bpf *skel)
{
	struct bpf_map *map;

	maps_init(m);
	bpf_object__for_each_map(map, skel->obj)
	{
		int *slot = map_slot(m, bpf_map__name(map));

		if (slot)
			*slot = bpf_map__fd(map);
	}
	return maps_set_ncpus(m) ?: maps_map_halfopen(m);
}

int maps_open_pinned(struct lb_maps *m, const char *dir)
{
	char path[PATH_MAX];
	int err;

	maps_init(m);
	m->owned = true;
	for (size_t i = 0; i < sizeof(map_fields) / sizeof(map_fields[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_fields[i].name);
		*MAP_FD(m, i) = bpf_obj_get(path);
		if (*MAP_FD(m, i) < 0) {
			err = -errno;
			maps_close(m);
			return err;
		}
	}
	return maps_set_ncpus(m) ?: maps_map_halfopen(m);
}

void maps_close(struct lb_maps *m)
{
	if (m->halfopen_count) {
		munmap(m->halfopen_count, sysconf(_SC_PAGESIZE));
		m->halfopen_count = NULL;
	}
	for (size_t i = 0; i < sizeof(map_fields) / sizeof(map_fields[0]); i++) {
		if (m->owned && *MAP_FD(m, i) >= 0)
			close(*MAP_FD(m, i));
		*MAP_FD(m, i) = -1;
	}
}

static int ret_errno(int ret)
{
	return ret < 0 ? -errno : 0;
}

int maps_set_config(const struct lb_maps *m, const struct rpilb_cfg *cfg)
{
	__u32 zero = 0;

	return ret_errno(bpf_map_update_elem(m->config, &zero, cfg, BPF_ANY));
}

int maps_get_config(const struct lb_maps *m, struct rpilb_cfg *cfg)
{
	__u32 zero = 0;

	return ret_errno(bpf_map_lookup_elem(m->config, &zero, cfg));
}

int maps_set_service(const struct lb_maps *m, const struct rpilb_svc_key *key,
		     const struct rpilb_svc *svc)
{
	return ret_errno(bpf_map_update_elem(m->services, key, svc, BPF_ANY));
}

int maps_del_service(const struct lb_maps *m, const struct rpilb_svc_key *key)
{
	int err = ret_errno(bpf_map_delete_elem(m->services, key));

	return err == -ENOENT ? 0 : err;
}

int maps_for_each_service(const struct lb_maps *m,
			  int (*fn)(const struct rpilb_svc_key *, const struct rpilb_svc *, void *),
			  void *arg)
{
	struct rpilb_svc_key key, next;
	struct rpilb_svc svc;
	void *prev = NULL;
	int ret;

	while (!bpf_map_get_next_key(m->services, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->services, &key, &svc))
			continue;
		ret = fn(&key, &svc, arg);
		if (ret)
			return ret;
	}
	return errno == ENOENT ? 0 : -errno;
}

int maps_set_backend(const struct lb_maps *m, uint32_t id, const struct rpilb_backend *be)
{
	return ret_errno(bpf_map_update_elem(m->backends, &id, be, BPF_ANY));
}

int maps_get_backend(const struct lb_maps *m, uint32_t id, struct rpilb_backend *be)
{
	return ret_errno(bpf_map_lookup_elem(m->backends, &id, be));
}

int maps_set_rr_table(const struct lb_maps *m, uint32_t pool, const uint16_t *slots, uint32_t n)
{
	struct rpilb_rr_table *table;
	int err;

	if (n > RPILB_MAX_SLOTS)
		return -ERANGE;
	table = calloc(1, sizeof(*table));
	if (!table)
		return -ENOMEM;
	table->count = n;
	memcpy(table->slot, slots, n * sizeof(*slots));
	/* One update replaces the whole table: readers see old or new. */
	err = ret_errno(bpf_map_update_elem(m->rr_tables, &pool, table, BPF_ANY));
	free(table);
	return err;
}

int maps_get_rr_table(const struct lb_maps *m, uint32_t pool, struct rpilb_rr_table *table)
{
	return ret_errno(bpf_map_lookup_elem(m->rr_tables, &pool, table));
}

int maps_del_rr_table(const struct lb_maps *m, uint32_t pool)
{
	int err = ret_errno(bpf_map_delete_elem(m->rr_tables, &pool));

	return err == -ENOENT ? 0 : err;
}

/* Sum a per-CPU value of nwords u64 fields into sum. */
static int percpu_sum(const struct lb_maps *m, int fd, uint32_t key, uint64_t *sum, size_t nwords)
{
	size_t stride = nwords * sizeof(uint64_t);
	uint64_t *vals = calloc(m->ncpus, stride);
	int err;

	if (!vals)
		return -ENOMEM;
	err = ret_errno(bpf_map_lookup_elem(fd, &key, vals));
	if (!err) {
		memset(sum, 0, stride);
		for (int cpu = 0; cpu < m->ncpus; cpu++)
			for (size_t w = 0; w < nwords; w++)
				sum[w] += vals[cpu * nwords + w];
	}
	free(vals);
	return err;
}

static int percpu_zero(const struct lb_maps *m, int fd, uint32_t key, size_t nwords)
{
	uint64_t *vals = calloc(m->ncpus, nwords * sizeof(uint64_t));
	int err;

	if (!vals)
		return -ENOMEM;
	err = ret_errno(bpf_map_update_elem(fd, &key, vals, BPF_ANY));
	free(vals);
	return err;
}

#define NWORDS(type) (sizeof(type) / sizeof(uint64_t))

int maps_read_counters(const struct lb_maps *m, uint64_t out[RPILB_CNT_MAX])
{
	return percpu_sum(m, m->counters, 0, out, RPILB_CNT_MAX);
}

int maps_read_backend_stats(const struct lb_maps *m, uint32_t id, struct rpilb_backend_stats *sum)
{
	return percpu_sum(m, m->backend_stats, id, (uint64_t *)sum,
			  NWORDS(struct rpilb_backend_stats));
}

int maps_read_svc_stats(const struct lb_maps *m, uint32_t id, struct rpilb_svc_stats *sum)
{
	return percpu_sum(m, m->svc_stats, id, (uint64_t *)sum, NWORDS(struct rpilb_svc_stats));
}

int maps_reset_backend_stats(const struct lb_maps *m, uint32_t id)
{
	return percpu_zero(m, m->backend_stats, id, NWORDS(struct rpilb_backend_stats));
}

int maps_reset_svc_stats(const struct lb_maps *m, uint32_t id)
{
	return percpu_zero(m, m->svc_stats, id, NWORDS(struct rpilb_svc_stats));
}

uint32_t maps_flow_capacity(const struct lb_maps *m)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(m->flows_fwd, &info, &len))
		return 0;
	return info.max_entries;
}

/*
 * Batched walk of a hash map. Batch lookup may refuse a batch smaller than
 * a bucket (ENOSPC); the batch then grows.
 */
static int for_each_flow(int fd, size_t vsize,
			 int (*fn)(const void *key, const void *val, void *arg), void *arg)
{
	size_t batch = FLOW_BATCH;
	struct rpilb_tuple *keys = NULL;
	char *vals = NULL;
	__u64 in = 0, out = 0;
	bool first = true;
	int err = 0, ret;

	for (;;) {
		__u32 count = batch;

		if (!keys) {
			keys = calloc(batch, sizeof(*keys));
			vals = calloc(batch, vsize);
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		ret = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &count, NULL);
		err = ret < 0 ? -errno : 0;
		if (err == -ENOSPC && count == 0) {
			free(keys);
			free(vals);
			keys = NULL;
			vals = NULL;
			batch *= 2;
			continue;
		}
		if (err && err != -ENOENT)
			break;
		for (__u32 i = 0; i < count; i++) {
			ret = fn(&keys[i], vals + i * vsize, arg);
			if (ret) {
				err = ret;
				goto out;
			}
		}
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		in = out;
		first = false;
	}
out:
	free(keys);
	free(vals);
	return err;
}

struct fwd_walk {
	int (*fn)(const struct rpilb_tuple *, const struct rpilb_flow_fwd *, void *);
	void *arg;
};

static int fwd_trampoline(const void *key, const void *val, void *arg)
{
	struct fwd_walk *w = arg;

	return w->fn(key, val, w->arg);
}

int maps_for_each_fwd(const struct lb_maps *m,
		      int (*fn)(const struct rpilb_tuple *, const struct rpilb_flow_fwd *, void *),
		      void *arg)
{
	struct fwd_walk w = { fn, arg };

	return for_each_flow(m->flows_fwd, sizeof(struct rpilb_flow_fwd), fwd_trampoline, &w);
}

struct rev_walk {
	int (*fn)(const struct rpilb_tuple *, const struct rpilb_flow_rev *, void *);
	void *arg;
};

static int rev_trampoline(const void *key, const void *val, void *arg)
{
	struct rev_walk *w = arg;

	return w->fn(key, val, w->arg);
}

int maps_for_each_rev(const struct lb_maps *m,
		      int (*fn)(const struct rpilb_tuple *, const struct rpilb_flow_rev *, void *),
		      void *arg)
{
	struct rev_walk w = { fn, arg };

	return for_each_flow(m->flows_rev, sizeof(struct rpilb_flow_rev), rev_trampoline, &w);
}

int maps_get_fwd(const struct lb_maps *m, const struct rpilb_tuple *key, struct rpilb_flow_fwd *val)
{
	return ret_errno(bpf_map_lookup_elem(m->flows_fwd, key, val));
}

int maps_get_rev(const struct lb_maps *m, const struct rpilb_tuple *key, struct rpilb_flow_rev *val)
{
	return ret_errno(bpf_map_lookup_elem(m->flows_rev, key, val));
}

int maps_del_fwd_if(const struct lb_maps *m, const struct rpilb_tuple *key, uint32_t created)
{
	struct rpilb_flow_fwd now;
	int err = maps_get_fwd(m, key, &now);

	if (!err && now.created != created)
		return 0;
	if (!err)
		err = ret_errno(bpf_map_delete_elem(m->flows_fwd, key));
	return err == -ENOENT ? 0 : err ? err : 1;
}

int maps_put_rev_new(const struct lb_maps *m, const struct rpilb_tuple *key,
		     const struct rpilb_flow_rev *val)
{
	return ret_errno(bpf_map_update_elem(m->flows_rev, key, val, BPF_NOEXIST));
}

int maps_del_rev_if(const struct lb_maps *m, const struct rpilb_tuple *key,
		    const struct rpilb_flow_rev *seen)
{
	struct rpilb_flow_rev now;
	int err = maps_get_rev(m, key, &now);

	if (!err &&
	    (now.closed != seen->closed || memcmp(&now.client, &seen->client, sizeof(now.client))))
		return 0;
	if (!err)
		err = ret_errno(bpf_map_delete_elem(m->flows_rev, key));
	return err == -ENOENT ? 0 : err ? err : 1;
}

uint32_t maps_now_ticks(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return RPILB_NS_TO_TICKS((uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec);
}

/*
 * Delete every key of a map, for a clean start. Keys are collected first:
 * deleting while walking would restart the walk at every delete.
 */
static int map_clear(int fd, size_t key_size)
{
	char *keys = NULL, cur[64];
	size_t n = 0, cap = 0;
	int err = 0;

	if (key_size > sizeof(cur))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, n ? keys + (n - 1) * key_size : NULL, cur)) {
		if (vec_grow(&keys, &cap, n + 1, key_size)) {
			free(keys);
			return -ENOMEM;
		}
		memcpy(keys + n++ * key_size, cur, key_size);
	}
	if (errno != ENOENT)
		err = -errno;
	for (size_t i = 0; !err && i < n; i++)
		if (bpf_map_delete_elem(fd, keys + i * key_size) && errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

int maps_clear_flows(const struct lb_maps *m)
{
	int err = map_clear(m->flows_fwd, sizeof(struct rpilb_tuple));

	if (!err)
		err = map_clear(m->flows_rev, sizeof(struct rpilb_tuple));
	return err ? err : map_clear(m->retry_picks, sizeof(struct rpilb_tuple));
}

int maps_clear_services(const struct lb_maps *m)
{
	int err = map_clear(m->services, sizeof(struct rpilb_svc_key));

	return err ? err : map_clear(m->rr_tables, sizeof(__u32));
}

int maps_reset_counters(const struct lb_maps *m)
{
	return percpu_zero(m, m->counters, 0, RPILB_CNT_MAX);
}

int maps_set_rr_cursor(const struct lb_maps *m, uint32_t pool, uint64_t next)
{
	struct rpilb_rr_cursor cur = { .next = next };

	return ret_errno(bpf_map_update_elem(m->rr_cursor, &pool, &cur, BPF_ANY));
}

void maps_halfopen_release(const struct lb_maps *m, int64_t n)
{
	int64_t old;

	if (!m->halfopen_count || n <= 0)
		return;
	old = __atomic_fetch_sub(&m->halfopen_count->count, n, __ATOMIC_SEQ_CST);
	/*
	 * A flow expired here while its handshake completed in the kernel is
	 * given back twice; never let that drift below zero.
	 */
	if (old - n < 0)
		__atomic_fetch_add(&m->halfopen_count->count, -(old - n), __ATOMIC_SEQ_CST);
}

int64_t maps_halfopen_count(const struct lb_maps *m)
{
	return m->halfopen_count ? __atomic_load_n(&m->halfopen_count->count, __ATOMIC_SEQ_CST) : 0;
}
