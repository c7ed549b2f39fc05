/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * "rpilbctl conns": the live flows, read from the flow tables, answering
 * "which Pi served this client?" without a log to grep.
 */
#ifndef RPILB_CONNS_H
#define RPILB_CONNS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include "model/balancer.h"
#include "kernel/maps.h"

struct conn_filter {
	const struct lb_server *node; /* NULL: every server */
	struct in_addr client;	      /* INADDR_ANY: every client */
	bool any_client;
};

struct conn {
	struct in_addr client;
	uint16_t client_port;
	struct in_addr vip;
	uint16_t vip_port;
	char frontend[CFG_NAME_MAX];
	char backend[CFG_NAME_MAX];
	char node[CFG_NAME_MAX]; /* "" if the server is gone (its flows finish) */
	struct in_addr node_addr;
	uint16_t node_port;
	uint16_t nat_port;
	const char *state; /* "SYN_SENT", "ESTABLISHED", "FIN_WAIT", "CLOSING", "CLOSED", "RESET" */
	uint64_t age_ms, idle_ms;
	uint64_t packets_in, bytes_in;	 /* client -> server */
	uint64_t packets_out, bytes_out; /* server -> client */
};

/* TCP state as far as the balancer sees it, from the flow's flags. */
const char *conn_state_name(uint32_t fwd_flags);

/*
 * Collect the flows matching f, oldest first. Returns the count (the array
 * is malloc'd into *out), or a negative errno.
 */
int conns_collect(const struct lb_maps *m, struct balancer *b, const struct conn_filter *f,
		  struct conn **out);

void render_conns_text(FILE *out, const struct conn *c, int n);
void render_conns_json(FILE *out, const struct conn *c, int n);

#endif
