/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The rpilb daemon: one process, one event loop. It owns the balancer
 * model, keeps the kernel's maps in step with health checks and runtime
 * changes, sweeps the flow tables, and answers the control socket. It is
 * not in the packet path: if it dies, forwarding goes on, and the next
 * "up" adopts the pinned maps and the attached program.
 */
#ifndef RPILB_DAEMON_H
#define RPILB_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "stats/alarms.h"
#include "model/balancer.h"
#include "config/config.h"
#include "daemon/ctl.h"
#include "host/hostprep.h"
#include "lib/evloop.h"
#include "kernel/loader.h"
#include "kernel/maps.h"
#include "host/record.h"
#include "kernel/sweep.h"

struct up_opts {
	const char *config;
	const char *ifname; /* -i; NULL: from the file, else from the bind address */
	enum cfg_attach_mode mode; /* -m; AUTO unless given */
	bool mode_given;
	bool foreground; /* -f: stay attached to the terminal (systemd) */
	const char *log_file; /* -L: log here instead of syslog once detached */
};

/* New flows per server over the last few sweeps, for the flow rate. */
#define RATE_WINDOW 6
struct rate_ring {
	uint64_t at_ms[RATE_WINDOW];
	uint64_t new_flows[RATE_WINDOW][RPILB_MAX_BACKENDS];
	uint64_t svc_new_flows[RATE_WINDOW][RPILB_MAX_SERVICES];
	int pos;
};

struct snapshot;
struct stats_http;

struct daemon {
	struct evloop *loop;
	const char *cfg_path;
	struct rpilb_config *cfg;
	struct balancer lb;
	struct loader ld;
	struct lb_maps maps;
	struct rpilb_paths paths;
	struct host_record rec;
	char mode_why[128];
	char iface_why[96]; /* how the interface was chosen, where the up line says so */
	FILE *log; /* -L: beside the terminal while starting, then instead of it */
	struct ctl_server ctl;
	struct sweep_state sweep;
	struct sweep_result swept;
	struct ev_timer sweep_timer;
	struct ev_timer ready_timer;
	int ready_fd; /* the waiting "rpilbctl up", until the first round of checks is in */
	bool ready;
	bool stopping;
	uint64_t started_ms;
	uint32_t flow_capacity;
	int lock_fd;
	struct rate_ring rates;
	struct stats_http *stats; /* the "listen stats" page, if configured */
	struct alarms alarms;
};

/*
 * Set up and run the balancer for cfg (valid, with a listener; the daemon
 * owns and frees it). Without o->foreground it returns once the detached
 * daemon is ready, with its one-line summary ("on eth0 (tc: ...), ...");
 * with it, when the loop ends. 0, or a negative errno after logging why.
 * The CLI prints; the daemon only logs.
 */
int daemon_up(const struct up_opts *o, struct rpilb_config *cfg, char *summary, size_t len);

/* Re-read the configuration; on failure the running one stays (reason in err). */
int daemon_reload(struct daemon *d, char *err, size_t errlen);
/* Persist the runtime state; on failure say why in err. */
int daemon_save_state(struct daemon *d, char *err, size_t errlen);
/* The server's health verdict changed: update its pool's rotation. */
void daemon_health_changed(struct lb_server *s, void *arg);

void daemon_ctl_handler(int argc, char **argv, struct ctl_reply *r, void *arg);

/*
 * What one reader of the snapshot needs beyond the model, the servers'
 * numbers and their open flows, which every snapshot has.
 */
struct snap_request {
	bool counters; /* the data path's counters (the stats views): fail if unreadable */
	bool conns; /* the flow list ("conns"), filtered by: */
	const struct lb_server *conns_server; /* NULL: every server's flows */
	const struct in_addr *conns_client; /* NULL: every client's */
};

/*
 * Everything a user sees, at this instant (snapshot_fill.c); snapshot_free()
 * it. 0, or a negative errno: -ENOMEM, or a map rq needs could not be read.
 */
int daemon_snapshot(struct daemon *d, const struct snap_request *rq, struct snapshot *s);
/* Record each server's new-flow count for the rate (once per sweep). */
void daemon_rate_sample(struct daemon *d);

/*
 * Open (not closed) flows per backend id, counted in the flow table now:
 * the one count, for the snapshot and for the ids a new model may not reuse.
 */
int daemon_count_open_flows(struct daemon *d, uint32_t by_id[RPILB_MAX_BACKENDS]);

#endif
