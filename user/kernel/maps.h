/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The only code that calls bpf_map_*: it writes what the data path reads
 * (config, services, backends, round-robin tables) and reads what it
 * counts (counters, per-server and per-service stats, the flow tables).
 * Per-CPU values are summed over every possible CPU here.
 */
#ifndef RPILB_MAPS_H
#define RPILB_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpilb_abi.h"

struct lb_maps {
	int config;
	int services;
	int backends;
	int rr_tables;
	int rr_cursor;
	int flows_fwd;
	int flows_rev;
	int counters;
	int backend_stats;
	int svc_stats;
	int halfopen;
	int retry_picks;
	/* The half-open count, mapped: the sweep gives back what it expires. */
	struct rpilb_halfopen *halfopen_count;
	int ncpus;
	bool owned; /* fds opened from pins, closed by maps_close() */
};

struct rpilb_bpf;

/* Borrow the skeleton's maps (not closed by maps_close). */
int maps_from_skel(struct lb_maps *m, struct rpilb_bpf *skel);
/* Open the maps pinned in dir, for a reader without the daemon. */
int maps_open_pinned(struct lb_maps *m, const char *dir);
void maps_close(struct lb_maps *m);

int maps_set_config(const struct lb_maps *m, const struct rpilb_cfg *cfg);
int maps_get_config(const struct lb_maps *m, struct rpilb_cfg *cfg);

int maps_set_service(const struct lb_maps *m, const struct rpilb_svc_key *key,
		     const struct rpilb_svc *svc);
int maps_del_service(const struct lb_maps *m, const struct rpilb_svc_key *key);
/* Calls fn for every service; stops at a non-zero return and returns it. */
int maps_for_each_service(const struct lb_maps *m,
			  int (*fn)(const struct rpilb_svc_key *, const struct rpilb_svc *, void *),
			  void *arg);

int maps_set_backend(const struct lb_maps *m, uint32_t id, const struct rpilb_backend *be);
int maps_get_backend(const struct lb_maps *m, uint32_t id, struct rpilb_backend *be);

int maps_set_rr_table(const struct lb_maps *m, uint32_t pool, const uint16_t *slots, uint32_t n);
int maps_get_rr_table(const struct lb_maps *m, uint32_t pool, struct rpilb_rr_table *table);
int maps_del_rr_table(const struct lb_maps *m, uint32_t pool);

int maps_read_counters(const struct lb_maps *m, uint64_t out[RPILB_CNT_MAX]);
int maps_read_backend_stats(const struct lb_maps *m, uint32_t id, struct rpilb_backend_stats *sum);
int maps_read_svc_stats(const struct lb_maps *m, uint32_t id, struct rpilb_svc_stats *sum);
/* Zero a stats slot before its id is given to a new server or service. */
int maps_reset_backend_stats(const struct lb_maps *m, uint32_t id);
int maps_reset_svc_stats(const struct lb_maps *m, uint32_t id);

uint32_t maps_flow_capacity(const struct lb_maps *m);

/*
 * Walk a flow table in batches. fn sees each key and value; returning
 * non-zero stops the walk. Entries changing underneath are fine: a flow is
 * seen once or not at all.
 */
int maps_for_each_fwd(const struct lb_maps *m,
		      int (*fn)(const struct rpilb_tuple *, const struct rpilb_flow_fwd *, void *),
		      void *arg);
int maps_for_each_rev(const struct lb_maps *m,
		      int (*fn)(const struct rpilb_tuple *, const struct rpilb_flow_rev *, void *),
		      void *arg);
int maps_get_fwd(const struct lb_maps *m, const struct rpilb_tuple *key,
		 struct rpilb_flow_fwd *val);
int maps_get_rev(const struct lb_maps *m, const struct rpilb_tuple *key,
		 struct rpilb_flow_rev *val);
/*
 * Delete a flow entry the sweep judged from an earlier read, but only if it
 * is still that entry: the data path replaces closed entries in place (a
 * client reusing its port, a new flow taking a rested NAT pair), and the
 * newer flow must not go with the old one. A forward entry is the same
 * while its birth time is; a reverse entry while its client and close
 * time are. Returns 1 when it deleted it; 0 when it was gone or is a
 * newer flow now; a negative errno.
 */
int maps_del_fwd_if(const struct lb_maps *m, const struct rpilb_tuple *key, uint32_t created);
int maps_del_rev_if(const struct lb_maps *m, const struct rpilb_tuple *key,
		    const struct rpilb_flow_rev *seen);
/* Insert a reverse entry only where none is (restoring saved TIME_WAIT pairs). */
int maps_put_rev_new(const struct lb_maps *m, const struct rpilb_tuple *key,
		     const struct rpilb_flow_rev *val);

/* Start over: no flows, no services, counters at zero (tests). */
int maps_clear_flows(const struct lb_maps *m);
int maps_clear_services(const struct lb_maps *m);
int maps_reset_counters(const struct lb_maps *m);
int maps_set_rr_cursor(const struct lb_maps *m, uint32_t pool, uint64_t next);

/* Give back n unestablished flows' half-open budget (never below zero). */
void maps_halfopen_release(const struct lb_maps *m, int64_t n);
int64_t maps_halfopen_count(const struct lb_maps *m);

/* The clock the data path stamps flows with, in ticks. */
uint32_t maps_now_ticks(void);

#endif
