/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Everything a user sees, copied out of the daemon at one instant: the
 * stats page, /metrics, the CSV and JSON exports, "rpilbctl stats",
 * "status" and "conns", and the answers to add-node, drain, maint, enable
 * and del-node. The renderers read only this, so they are pure functions
 * of it and can be tested without a kernel; the daemon fills it
 * (daemon_snapshot(), user/daemon/snapshot_fill.c).
 */
#ifndef RPILB_SNAPSHOT_H
#define RPILB_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "rpilb_abi.h"

#define SNAP_NAME_MAX 32

struct snap_server {
	char name[SNAP_NAME_MAX];
	uint16_t id; /* its entry in the kernel's backends map */
	char address[24]; /* "192.168.1.101" */
	uint16_t port; /* 0 when port_map */
	bool port_map; /* the client's port plus port_offset (mod 65536) */
	uint16_t port_offset;
	char state[24]; /* what the operator reads: "UP", "UP 1/3", "DOWN", "DOWN 1/2",
				 "INIT", "DRAIN", "MAINT" */
	char health[24]; /* the checks' verdict alone: "UP", "UP 1/3", "DOWN 1/2", "INIT" */
	char admin[8]; /* "ready", "drain", "maint" */
	bool up; /* health verdict */
	bool in_rotation; /* gets new flows */
	bool checked; /* health checks configured */
	bool runtime; /* added with add-node */
	uint32_t weight;
	uint32_t active_flows; /* open flows, counted in the flow table when filled */
	uint64_t new_flows; /* flows opened, total */
	double flow_rate; /* new flows per second over the last few seconds */
	uint64_t packets_in, bytes_in; /* client -> server */
	uint64_t packets_out, bytes_out; /* server -> client */
	uint64_t nat_fail;
	/* health */
	char check_result[8]; /* "L7OK"...; "" before the first check */
	char check_desc[48]; /* HAProxy's words for it */
	char check_detail[96];
	int check_code; /* HTTP status, 0 if none */
	uint32_t check_duration_ms;
	int64_t check_age_ms; /* -1: never checked */
	uint64_t checks, check_failures, up_down;
	uint64_t downtime_ms;
	uint64_t in_state_ms; /* time in the current state (in or out of rotation) */
};

struct snap_backend {
	char name[SNAP_NAME_MAX];
	char balance[16]; /* "roundrobin", "static-rr" */
	struct snap_server *servers;
	uint32_t nservers;
	uint32_t active_servers; /* in rotation */
};

struct snap_bind {
	char address[24];
	uint16_t port;
	uint64_t new_flows; /* flows opened through this bind */
	uint64_t no_backend; /* SYNs refused: no server in rotation */
	double flow_rate; /* new flows per second over the last few seconds */
};

struct snap_frontend {
	char name[SNAP_NAME_MAX];
	char backend[SNAP_NAME_MAX];
	struct snap_bind binds[8];
	uint32_t nbinds;
};

/* One flow of the flow table, as "rpilbctl conns" lists it. */
struct snap_conn {
	char client[16]; /* "192.168.1.50" */
	uint16_t client_port;
	char vip[16];
	uint16_t vip_port;
	char frontend[SNAP_NAME_MAX]; /* "" if no bind has that address any more */
	char backend[SNAP_NAME_MAX];
	char server[SNAP_NAME_MAX]; /* "" if the server is gone (its flows finish) */
	char server_address[16];
	uint16_t server_port;
	uint16_t nat_port;
	char state[12]; /* "SYN_SENT", "ESTABLISHED", "FIN_WAIT", "CLOSING", "CLOSED", "RESET" */
	uint64_t age_ms, idle_ms;
	uint64_t packets_in, bytes_in; /* client -> server */
	uint64_t packets_out, bytes_out; /* server -> client */
};

struct snapshot {
	char version[24];
	char hostname[64];
	char interface[16];
	char mode[16]; /* "xdp", "xdpgeneric", "tc" */
	char mode_reason[128];
	uint64_t now_unix; /* seconds since the epoch, for the page */
	uint64_t uptime_ms;
	int pid;
	uint64_t counters[RPILB_CNT_MAX]; /* summed over every CPU */
	uint32_t flows; /* forward entries (open and closing) */
	uint32_t flow_capacity;
	uint32_t halfopen;
	/* flow-table upkeep: why entries left the table */
	uint64_t expired_halfopen, expired_idle, expired_closed, expired_orphan;
	struct snap_frontend *frontends;
	uint32_t nfrontends;
	struct snap_backend *backends;
	uint32_t nbackends;
	/* Only when asked for (conns): the flows that matched, oldest first. */
	struct snap_conn *conns;
	uint32_t nconns;
};

void snapshot_free(struct snapshot *s);
/* "10.0.0.1:8000", or as HAProxy writes a port that follows the client's: "10.0.0.1", ":+1000". */
void snap_server_endpoint(const struct snap_server *sv, char *buf, size_t len);

#endif
