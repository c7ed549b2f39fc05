/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The balancer as the daemon runs it: the configuration plus runtime
 * changes, with every server holding a stable backend id, an admin state
 * (ready, drain, maint) and a health verdict.
 *
 * The model decides; the kernel follows. Runtime changes (add, del,
 * admin state) and health verdicts change only the model; balancer_sync()
 * and balancer_sync_pool() then make the kernel's maps say the same, and
 * are the only writers. Undoing a change is restoring the model and
 * syncing again. A pool's round-robin table holds exactly its servers that
 * are ready, healthy and of non-zero weight.
 *
 * Words: a HAProxy backend is a pool; a HAProxy server is an lb_server,
 * whose id names its entry in the kernel's "backends" map (see the
 * glossary in include/rpilb_abi.h).
 */
#ifndef RPILB_BALANCER_H
#define RPILB_BALANCER_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "config/config.h"
#include "model/overrides.h"
#include "kernel/maps.h"
#include "rpilb_abi.h"

struct lb_pool;
struct checker_server;

struct lb_server {
	char name[CFG_NAME_MAX];
	struct lb_pool *pool;
	uint16_t id; /* index in the backends and backend_stats maps */
	struct in_addr addr;
	uint16_t port; /* 0 when port_map */
	bool port_map; /* the client's port plus port_offset, as HAProxy's ":+N" */
	uint16_t port_offset;
	unsigned weight;
	enum admin_state admin;
	bool runtime; /* added with add-node rather than from the file */
	bool healthy; /* the health checker's verdict (always true without "check") */
	bool checked; /* a first check result is in (or no check is configured) */
	struct cfg_server_opts opts;
	struct checker_server *check; /* owned by the daemon's health glue */
	uint64_t state_since_ms; /* when it last entered or left the rotation */
};

struct lb_pool {
	char name[CFG_NAME_MAX];
	uint16_t id;
	const struct cfg_backend *cfg;
	struct lb_server *servers[RPILB_MAX_BACKENDS];
	size_t nservers;
};

struct lb_service {
	uint16_t id;
	const struct cfg_frontend *fe;
	struct in_addr vip; /* the resolved address ("*" becomes the interface's) */
	uint16_t port;
	struct lb_pool *pool;
	uint32_t idle_ms;
	uint32_t halfclosed_ms; /* one side has sent its FIN */
	bool dedicated_vip; /* "bind ADDR:PORT" with an address not on the host */
};

struct balancer {
	struct rpilb_config *cfg;
	struct lb_pool pools[RPILB_MAX_POOLS];
	size_t npools;
	struct lb_service services[RPILB_MAX_SERVICES];
	size_t nservices;
	struct lb_server *by_id[RPILB_MAX_BACKENDS];
	/* open flows per id, including ids whose server is gone but whose flows are not */
	uint32_t flows_by_id[RPILB_MAX_BACKENDS];
	struct in_addr nat_addr;
	const struct lb_maps *maps; /* NULL: a model only (tests, check) */
	/* 1 + the pool of an id freed in the model whose kernel entry is still there; 0: none */
	uint8_t id_released[RPILB_MAX_BACKENDS];
};
_Static_assert(RPILB_MAX_POOLS < 255, "id_released holds 1 + a pool id in a byte");

/* Every server of b, by id: for_each_server(b, s) { ... } */
#define for_each_server(b, s)                                                                      \
	for (size_t for_each_id_ = 0; for_each_id_ < RPILB_MAX_BACKENDS; for_each_id_++)           \
		if (!((s) = (b)->by_id[for_each_id_])) {                                           \
		} else

/*
 * Build from a parsed configuration and the runtime overrides. nat_addr is
 * the interface's address (binds on "*" use it). Ids come from the
 * overrides, else from the kernel's backends map (an adopted balancer),
 * else the lowest id no open flow still uses: open_flows (may be NULL)
 * counts them per id, so a new server never inherits a gone one's flows
 * and statistics. Errors are written to err.
 */
int balancer_build(struct balancer *b, struct rpilb_config *cfg, const struct lb_overrides *ov,
		   struct in_addr nat_addr, const struct lb_maps *maps, const uint32_t *open_flows,
		   char *err, size_t errlen);
void balancer_free(struct balancer *b);

/* The same server in two builds: same pool, name, address and port. */
bool balancer_same_server(const struct lb_server *a, const struct lb_server *b);
/* A rebuilt balancer keeps what the running one knows of each same server: its health. */
void balancer_inherit(struct balancer *next, const struct balancer *old);
/* Move src into dst (dst's own contents must be freed first), fixing the inner pointers. */
void balancer_move(struct balancer *dst, struct balancer *src);

/* Make the kernel say what the model says: services, backends, every rotation. */
int balancer_sync(struct balancer *b);
/*
 * The same for one pool after a change to it (admin state, health, a
 * server added or deleted): its servers' entries, the ids it released,
 * its rotation. -ERANGE if its weights need more slots than a table has.
 */
int balancer_sync_pool(struct balancer *b, struct lb_pool *pool);

bool server_eligible(const struct lb_server *s);

/*
 * Find a server by name; pool may be NULL when the name is unique.
 * Returns NULL and a message in err otherwise.
 */
struct lb_server *balancer_find(struct balancer *b, const char *name, const char *pool, char *err,
				size_t errlen);
struct lb_pool *balancer_find_pool(struct balancer *b, const char *name);

/* Runtime changes, in the model only (then sync); add says why it refuses in err. */
struct lb_server *balancer_add(struct balancer *b, struct lb_pool *pool, const char *name,
			       struct in_addr addr, uint16_t port, unsigned weight, char *err,
			       size_t errlen);
int balancer_del(struct balancer *b, struct lb_server *s);
int balancer_set_admin(struct balancer *b, struct lb_server *s, enum admin_state admin);

/* The overrides that reproduce the current runtime state from the file (overrides.c). */
int balancer_overrides(const struct balancer *b, struct lb_overrides *ov);

struct lb_service *balancer_service_by_key(struct balancer *b, struct in_addr vip, uint16_t port);

#endif
