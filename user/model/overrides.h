/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Runtime changes as the state file keeps them: a server's id and admin
 * state, a server added with add-node, a server of the file removed with
 * del-node. The balancer is built from the file plus these; the state
 * file (statefile.c) stores them.
 */
#ifndef RPILB_OVERRIDES_H
#define RPILB_OVERRIDES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "config/config.h"

enum admin_state {
	ADMIN_READY,
	ADMIN_DRAIN, /* no new flows; established ones go on until they close */
	ADMIN_MAINT, /* no new flows, no health checks */
};

const char *admin_state_name(enum admin_state a);
int admin_state_parse(const char *s, enum admin_state *a);

/* One runtime change, as the state file keeps it. */
struct lb_override {
	char pool[CFG_NAME_MAX];
	char server[CFG_NAME_MAX];
	int id; /* -1: none recorded */
	enum admin_state admin;
	bool added; /* add-node: addr, port, weight below are the server */
	bool deleted; /* del-node of a server from the file */
	struct in_addr addr;
	uint16_t port;
	unsigned weight;
};

struct lb_overrides {
	struct lb_override *items;
	size_t count, cap;
};

enum ov_kind {
	OV_STATE, /* id and admin state of a server of the file */
	OV_DELETED, /* a server of the file that del-node removed */
	OV_ADDED, /* a server add-node created */
};

/* The override of that kind for (pool, server), or NULL. */
const struct lb_override *overrides_find(const struct lb_overrides *ov, const char *pool,
					 const char *server, enum ov_kind kind);
/* A new, empty override (id -1) at the end of ov; NULL when out of memory. */
struct lb_override *overrides_push(struct lb_overrides *ov);
void overrides_free(struct lb_overrides *ov);

#endif
