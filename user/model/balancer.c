// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/balancer.h"
#include "lib/evloop.h"
#include "lib/log.h"
#include "host/netdev.h"
#include "model/slots.h"
#include "lib/util.h"

static void errf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

bool server_eligible(const struct lb_server *s)
{
	return s->admin == ADMIN_READY && s->healthy && s->weight > 0;
}

/* Ids the kernel already has for (pool, name): an adopted balancer keeps them. */
static int kernel_id(const struct balancer *b, const struct lb_pool *pool, const char *name)
{
	struct rpilb_backend be;

	if (!b->maps)
		return -1;
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++) {
		if (maps_get_backend(b->maps, id, &be) || !(be.flags & RPILB_BACKEND_F_IN_USE))
			continue;
		if (be.pool == pool->id && !strncmp(be.name, name, sizeof(be.name)))
			return id;
	}
	return -1;
}

static bool id_free(const struct balancer *b, int id)
{
	return id >= 0 && id < RPILB_MAX_BACKENDS && !b->by_id[id] && !b->flows_by_id[id];
}

/* The lowest id that no server holds and no open flow still counts against. */
/*
 * The lowest id that no server holds, no open flow still counts against,
 * and no recorded server is about to take back (reserved may be NULL).
 */
static int alloc_id(const struct balancer *b, const bool *reserved)
{
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		if (id_free(b, id) && !(reserved && reserved[id]))
			return id;
	return -1;
}

static struct lb_server *server_new(struct balancer *b, struct lb_pool *pool, const char *name,
				    int want_id, const bool *reserved, char *err, size_t errlen)
{
	struct lb_server *s;
	int id = want_id;

	if (pool->nservers >= RPILB_MAX_BACKENDS) {
		errf(err, errlen, "backend '%s' is full (%d servers)", pool->name,
		     RPILB_MAX_BACKENDS);
		return NULL;
	}
	if (!(id >= 0 && id < RPILB_MAX_BACKENDS && !b->by_id[id]))
		id = alloc_id(b, reserved);
	if (id < 0) {
		errf(err, errlen, "no free server slot: %d servers (or their open flows) at most",
		     RPILB_MAX_BACKENDS);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->pool = pool;
	s->id = id;
	s->admin = ADMIN_READY;
	s->state_since_ms = ev_now_ms();
	b->by_id[id] = s;
	pool->servers[pool->nservers++] = s;
	return s;
}

static void server_free(struct balancer *b, struct lb_server *s)
{
	struct lb_pool *pool = s->pool;

	for (size_t i = 0; i < pool->nservers; i++) {
		if (pool->servers[i] == s) {
			memmove(&pool->servers[i], &pool->servers[i + 1],
				(pool->nservers - i - 1) * sizeof(pool->servers[0]));
			pool->nservers--;
			break;
		}
	}
	if (b->by_id[s->id] == s) {
		b->by_id[s->id] = NULL;
		b->id_released[s->id] = 1 + s->pool->id;
	}
	free(s);
}

/*
 * Whether an override still describes a server: its backend exists, and a
 * runtime-added server has not been taken over by the file (a server of
 * the same name, not deleted at run time).
 */
static bool override_kept(struct balancer *b, const struct lb_overrides *ov,
			  const struct lb_override *o)
{
	struct lb_pool *pool = balancer_find_pool(b, o->pool);

	if (!pool || o->deleted)
		return false;
	if (o->added)
		return !cfg_find_server(pool->cfg, o->server) ||
		       overrides_find(ov, o->pool, o->server, OV_DELETED);
	return cfg_find_server(pool->cfg, o->server) &&
	       !overrides_find(ov, o->pool, o->server, OV_DELETED);
}

static void init_pools(struct balancer *b)
{
	struct rpilb_config *cfg = b->cfg;

	b->npools = cfg->nbackends;
	for (size_t p = 0; p < cfg->nbackends; p++) {
		struct lb_pool *pool = &b->pools[p];

		snprintf(pool->name, sizeof(pool->name), "%s", cfg->backends[p].name);
		pool->id = p;
		pool->cfg = &cfg->backends[p];
	}
}

/* A server added at run time is checked like its pool's servers, with its own weight. */
static void runtime_server_init(struct lb_server *s, struct in_addr addr, uint16_t port,
				unsigned weight)
{
	const struct cfg_backend *be = s->pool->cfg;

	s->addr = addr;
	s->port = port;
	/* A state file from before port maps wrote 0 for "the frontend's port". */
	s->port_map = !port;
	s->port_offset = 0;
	s->weight = weight;
	s->runtime = true;
	s->opts = be->nservers ? be->servers[0].opts : s->opts;
	s->opts.weight = weight;
	s->opts.disabled = false;
}

/* The file's servers, in the file's order: that is the rotation's order. */
static int add_file_servers(struct balancer *b, struct lb_pool *pool, const struct lb_overrides *ov,
			    const bool *reserved, char *err, size_t errlen)
{
	for (size_t i = 0; i < pool->cfg->nservers; i++) {
		const struct cfg_server *cs = &pool->cfg->servers[i];
		const struct lb_override *o = overrides_find(ov, pool->name, cs->name, OV_STATE);
		int id = o && o->id >= 0 ? o->id : kernel_id(b, pool, cs->name);
		struct lb_server *s;

		if (overrides_find(ov, pool->name, cs->name, OV_DELETED))
			continue;
		/* An adopted id another server has recorded is not this one's. */
		if (!(o && o->id >= 0) && id >= 0 && reserved[id])
			id = -1;
		s = server_new(b, pool, cs->name, id, reserved, err, errlen);
		if (!s)
			return -1;
		s->addr = cs->addr;
		s->port = cs->port;
		s->port_map = cs->port_map;
		s->port_offset = cs->port_offset;
		s->opts = cs->opts;
		s->weight = cs->opts.weight;
		s->admin = cs->opts.disabled ? ADMIN_MAINT : ADMIN_READY;
		if (o)
			s->admin = o->admin;
	}
	return 0;
}

/* Servers added at run time, in the order they were added. */
static int add_runtime_servers(struct balancer *b, const struct lb_overrides *ov,
			       const bool *reserved, char *err, size_t errlen)
{
	for (size_t i = 0; ov && i < ov->count; i++) {
		const struct lb_override *o = &ov->items[i];
		struct lb_pool *pool = balancer_find_pool(b, o->pool);
		struct lb_server *s;

		if (!o->added)
			continue;
		if (!override_kept(b, ov, o)) {
			if (!pool)
				pr_warn("runtime server %s/%s dropped: backend '%s' is no longer "
					"configured",
					o->pool, o->server, o->pool);
			else
				pr_info("runtime server %s/%s is now in the configuration file, which "
					"wins",
					o->pool, o->server);
			continue;
		}
		s = server_new(b, pool, o->server, o->id, reserved, err, errlen);
		if (!s)
			return -1;
		runtime_server_init(s, o->addr, o->port, o->weight);
		s->admin = o->admin;
	}
	return 0;
}

static int build_pools(struct balancer *b, const struct lb_overrides *ov, char *err, size_t errlen)
{
	bool reserved[RPILB_MAX_BACKENDS] = { false };

	init_pools(b);
	/*
	 * Every id the state file records is spoken for before any server is
	 * given a fresh one, so a server never takes another's id (and with it
	 * that server's statistics and health) just because it comes first.
	 */
	for (size_t i = 0; ov && i < ov->count; i++)
		if (override_kept(b, ov, &ov->items[i]) && ov->items[i].id >= 0)
			reserved[ov->items[i].id] = true;
	for (size_t p = 0; p < b->npools; p++)
		if (add_file_servers(b, &b->pools[p], ov, reserved, err, errlen))
			return -1;
	return add_runtime_servers(b, ov, reserved, err, errlen);
}

static int build_services(struct balancer *b, char *err, size_t errlen)
{
	struct rpilb_config *cfg = b->cfg;

	for (size_t f = 0; f < cfg->nfrontends; f++) {
		const struct cfg_frontend *fe = &cfg->frontends[f];

		for (size_t i = 0; i < fe->nbinds; i++) {
			struct lb_service *svc;

			if (fe->backend < 0)
				continue;
			if (b->nservices >= RPILB_MAX_SERVICES) {
				errf(err, errlen, "more than %d binds", RPILB_MAX_SERVICES);
				return -1;
			}
			svc = &b->services[b->nservices];
			svc->id = b->nservices;
			svc->fe = fe;
			svc->vip = fe->binds[i].addr.s_addr == INADDR_ANY ? b->nat_addr
									  : fe->binds[i].addr;
			svc->port = fe->binds[i].port;
			svc->pool = &b->pools[fe->backend];
			svc->idle_ms = cfg_flow_idle_ms(cfg, fe);
			svc->halfclosed_ms = cfg_flow_halfclosed_ms(cfg, fe);
			svc->dedicated_vip = fe->binds[i].addr.s_addr != INADDR_ANY &&
					     fe->binds[i].addr.s_addr != b->nat_addr.s_addr;
			for (size_t j = 0; j < b->nservices; j++) {
				if (b->services[j].vip.s_addr == svc->vip.s_addr &&
				    b->services[j].port == svc->port) {
					errf(err, errlen,
					     "frontends '%s' and '%s' both listen on port %u of the "
					     "interface's address",
					     b->services[j].fe->name, fe->name, svc->port);
					return -1;
				}
			}
			b->nservices++;
		}
	}
	return 0;
}

int balancer_build(struct balancer *b, struct rpilb_config *cfg, const struct lb_overrides *ov,
		   struct in_addr nat_addr, const struct lb_maps *maps, const uint32_t *open_flows,
		   char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	if (open_flows)
		memcpy(b->flows_by_id, open_flows, sizeof(b->flows_by_id));
	b->cfg = cfg;
	b->nat_addr = nat_addr;
	b->maps = maps;
	if (build_pools(b, ov, err, errlen) || build_services(b, err, errlen)) {
		balancer_free(b);
		return -1;
	}
	return 0;
}

void balancer_free(struct balancer *b)
{
	for (size_t p = 0; p < b->npools; p++) {
		struct lb_pool *pool = &b->pools[p];

		while (pool->nservers)
			server_free(b, pool->servers[pool->nservers - 1]);
	}
	b->npools = 0;
	b->nservices = 0;
}

bool balancer_same_server(const struct lb_server *a, const struct lb_server *b)
{
	return !strcmp(a->pool->name, b->pool->name) && !strcmp(a->name, b->name) &&
	       a->addr.s_addr == b->addr.s_addr && a->port == b->port;
}

void balancer_inherit(struct balancer *next, const struct balancer *old)
{
	struct lb_server *s;

	for_each_server(next, s)
	{
		const struct lb_server *o = old->by_id[s->id];

		if (!o || !balancer_same_server(s, o))
			continue;
		s->healthy = o->healthy;
		s->checked = o->checked;
		s->state_since_ms = o->state_since_ms;
	}
}

void balancer_move(struct balancer *dst, struct balancer *src)
{
	*dst = *src;
	/* Servers live on the heap, but point at their pool, which moved with the copy. */
	for (size_t p = 0; p < dst->npools; p++)
		for (size_t i = 0; i < dst->pools[p].nservers; i++)
			dst->pools[p].servers[i]->pool = &dst->pools[p];
	for (size_t i = 0; i < dst->nservices; i++)
		dst->services[i].pool = &dst->pools[src->services[i].pool - src->pools];
	memset(src, 0, sizeof(*src));
}

struct lb_pool *balancer_find_pool(struct balancer *b, const char *name)
{
	for (size_t p = 0; p < b->npools; p++)
		if (!strcmp(b->pools[p].name, name))
			return &b->pools[p];
	return NULL;
}

struct lb_server *balancer_find(struct balancer *b, const char *name, const char *pool_name,
				char *err, size_t errlen)
{
	struct lb_server *found = NULL;
	int matches = 0;

	if (pool_name && !balancer_find_pool(b, pool_name)) {
		errf(err, errlen, "no backend '%s'", pool_name);
		return NULL;
	}
	for (size_t p = 0; p < b->npools; p++) {
		struct lb_pool *pool = &b->pools[p];

		if (pool_name && strcmp(pool->name, pool_name))
			continue;
		for (size_t i = 0; i < pool->nservers; i++) {
			if (!strcmp(pool->servers[i]->name, name)) {
				found = pool->servers[i];
				matches++;
			}
		}
	}
	if (matches == 1)
		return found;
	if (matches == 0)
		errf(err, errlen, "no server '%s'%s%s", name, pool_name ? " in backend " : "",
		     pool_name ? pool_name : "");
	else
		errf(err, errlen, "server name '%s' is in %d backends: say which with --backend",
		     name, matches);
	return NULL;
}

static int write_backend(struct balancer *b, const struct lb_server *s)
{
	struct rpilb_backend be = {
		.addr = s->addr.s_addr,
		.port = htons(s->port),
		.pool = s->pool->id,
		.flags = RPILB_BACKEND_F_IN_USE | (s->port_map ? RPILB_BACKEND_F_PORT_MAP : 0),
		.port_offset = s->port_offset,
	};

	snprintf(be.name, sizeof(be.name), "%s", s->name);
	return maps_set_backend(b->maps, s->id, &be);
}

/* An id's entry: its server's, or an empty one where the model has none. */
static int sync_id(struct balancer *b, int id)
{
	struct rpilb_backend none = {};
	int err = b->by_id[id] ? write_backend(b, b->by_id[id])
			       : maps_set_backend(b->maps, id, &none);

	if (!err)
		b->id_released[id] = 0;
	return err;
}

static int sync_rotation(struct balancer *b, struct lb_pool *pool)
{
	struct slot_server servers[RPILB_MAX_BACKENDS];
	uint16_t *slots;
	size_t n = 0;
	int count, err;

	for (size_t i = 0; i < pool->nservers; i++) {
		struct lb_server *s = pool->servers[i];

		if (!server_eligible(s))
			continue;
		servers[n].id = s->id;
		servers[n].weight = s->weight;
		n++;
	}
	slots = calloc(RPILB_MAX_SLOTS, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	count = slots_build(servers, n, slots, RPILB_MAX_SLOTS);
	if (count < 0) {
		pr_err("backend '%s': weights need more than %d round-robin slots", pool->name,
		       RPILB_MAX_SLOTS);
		free(slots);
		return -ERANGE;
	}
	err = maps_set_rr_table(b->maps, pool->id, slots, count);
	free(slots);
	if (err)
		pr_err("updating the round robin of backend '%s': %s", pool->name, strerror(-err));
	return err;
}

int balancer_sync_pool(struct balancer *b, struct lb_pool *pool)
{
	int err = 0;

	if (!b->maps)
		return 0;
	/* Entries before the table, so no table ever names an id the kernel does not know. */
	for (size_t i = 0; !err && i < pool->nservers; i++)
		err = sync_id(b, pool->servers[i]->id);
	if (!err)
		err = sync_rotation(b, pool);
	/* Out of the rotation first; a released id's entry goes after. */
	for (int id = 0; !err && id < RPILB_MAX_BACKENDS; id++)
		if (b->id_released[id] == 1 + pool->id)
			err = sync_id(b, id);
	return err;
}

struct stale_services {
	const struct balancer *b;
	struct rpilb_svc_key keys[RPILB_MAX_SERVICES];
	size_t n;
};

static int collect_stale(const struct rpilb_svc_key *key, const struct rpilb_svc *val, void *arg)
{
	struct stale_services *st = arg;
	struct in_addr vip = { .s_addr = key->vip };

	(void)val;
	if (!balancer_service_by_key((struct balancer *)st->b, vip, ntohs(key->port)) &&
	    st->n < RPILB_MAX_SERVICES)
		st->keys[st->n++] = *key;
	return 0;
}

/*
 * Every write replaces one entry whole, and nothing that stays is ever
 * absent in between: a reload never lets a SYN fall through to the kernel.
 */
int balancer_sync(struct balancer *b)
{
	struct stale_services stale = { .b = b };
	int err;

	if (!b->maps)
		return 0;
	/* Servers first, so no table ever names an id the kernel does not know. */
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++) {
		if (b->by_id[id])
			continue;
		err = sync_id(b, id);
		if (err)
			return err;
	}
	for (size_t p = 0; p < b->npools; p++) {
		err = balancer_sync_pool(b, &b->pools[p]);
		if (err)
			return err;
	}
	for (size_t i = 0; i < b->nservices; i++) {
		const struct lb_service *svc = &b->services[i];
		struct rpilb_svc_key key = { .vip = svc->vip.s_addr, .port = htons(svc->port) };
		struct rpilb_svc val = { .id = svc->id, .pool = svc->pool->id };

		err = maps_set_service(b->maps, &key, &val);
		if (err)
			return err;
	}
	err = maps_for_each_service(b->maps, collect_stale, &stale);
	for (size_t i = 0; !err && i < stale.n; i++)
		err = maps_del_service(b->maps, &stale.keys[i]);
	for (size_t p = b->npools; !err && p < RPILB_MAX_POOLS; p++)
		err = maps_del_rr_table(b->maps, p);
	return err;
}

struct lb_server *balancer_add(struct balancer *b, struct lb_pool *pool, const char *name,
			       struct in_addr addr, uint16_t port, unsigned weight, char *err,
			       size_t errlen)
{
	struct lb_server *s;

	for (size_t i = 0; i < pool->nservers; i++) {
		if (!strcmp(pool->servers[i]->name, name)) {
			errf(err, errlen, "backend '%s' already has a server '%s'", pool->name,
			     name);
			return NULL;
		}
		/* Port 0 is the client's port, as a file server without one. */
		if (pool->servers[i]->addr.s_addr == addr.s_addr &&
		    pool->servers[i]->port == port && (port || !pool->servers[i]->port_offset)) {
			errf(err, errlen, "server '%s' of backend '%s' already has that address",
			     pool->servers[i]->name, pool->name);
			return NULL;
		}
	}
	s = server_new(b, pool, name, -1, NULL, err, errlen);
	if (!s)
		return NULL;
	runtime_server_init(s, addr, port, weight);
	if (!s->opts.check) {
		s->healthy = true;
		s->checked = true;
	}
	/* A server added after a delete of the same id takes the entry over. */
	b->id_released[s->id] = 0;
	return s;
}

/* The id rests until its last flow is gone: alloc_id() skips ids with open flows. */
int balancer_del(struct balancer *b, struct lb_server *s)
{
	server_free(b, s);
	return 0;
}

int balancer_set_admin(struct balancer *b, struct lb_server *s, enum admin_state admin)
{
	bool was = server_eligible(s);

	(void)b;
	s->admin = admin;
	if (server_eligible(s) != was)
		s->state_since_ms = ev_now_ms();
	return 0;
}

struct lb_service *balancer_service_by_key(struct balancer *b, struct in_addr vip, uint16_t port)
{
	for (size_t i = 0; i < b->nservices; i++)
		if (b->services[i].vip.s_addr == vip.s_addr && b->services[i].port == port)
			return &b->services[i];
	return NULL;
}
