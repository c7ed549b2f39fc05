// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/balancer.h"
#include "model/overrides.h"

static const char *const admin_names[] = {
	[ADMIN_READY] = "ready",
	[ADMIN_DRAIN] = "drain",
	[ADMIN_MAINT] = "maint",
};

const char *admin_state_name(enum admin_state a)
{
	return admin_names[a];
}

int admin_state_parse(const char *s, enum admin_state *a)
{
	for (size_t i = 0; i < sizeof(admin_names) / sizeof(admin_names[0]); i++) {
		if (!strcmp(s, admin_names[i])) {
			*a = i;
			return 0;
		}
	}
	return -EINVAL;
}

const struct lb_override *overrides_find(const struct lb_overrides *ov, const char *pool,
					 const char *server, enum ov_kind kind)
{
	for (size_t i = 0; ov && i < ov->count; i++) {
		const struct lb_override *o = &ov->items[i];
		enum ov_kind k = o->deleted ? OV_DELETED : o->added ? OV_ADDED : OV_STATE;

		if (k == kind && !strcmp(o->pool, pool) && !strcmp(o->server, server))
			return o;
	}
	return NULL;
}

struct lb_override *overrides_push(struct lb_overrides *ov)
{
	struct lb_override *o;

	if (VEC_RESERVE(ov->items, ov->count, ov->cap))
		return NULL;
	o = &ov->items[ov->count++];
	memset(o, 0, sizeof(*o));
	o->id = -1;
	return o;
}

int balancer_overrides(const struct balancer *b, struct lb_overrides *ov)
{
	memset(ov, 0, sizeof(*ov));
	for (size_t p = 0; p < b->npools; p++) {
		const struct lb_pool *pool = &b->pools[p];

		for (size_t i = 0; i < pool->nservers; i++) {
			const struct lb_server *s = pool->servers[i];
			struct lb_override *o = overrides_push(ov);

			if (!o)
				return -ENOMEM;
			snprintf(o->pool, sizeof(o->pool), "%s", pool->name);
			snprintf(o->server, sizeof(o->server), "%s", s->name);
			o->id = s->id;
			o->admin = s->admin;
			if (s->runtime) {
				o->added = true;
				o->addr = s->addr;
				o->port = s->port;
				o->weight = s->weight;
			}
		}
		/* Servers of the file that del-node removed stay removed. */
		for (size_t i = 0; i < pool->cfg->nservers; i++) {
			const char *name = pool->cfg->servers[i].name;
			bool present = false;
			struct lb_override *o;

			for (size_t j = 0; j < pool->nservers && !present; j++)
				present = !strcmp(pool->servers[j]->name, name) &&
					  !pool->servers[j]->runtime;
			if (present)
				continue;
			o = overrides_push(ov);
			if (!o)
				return -ENOMEM;
			snprintf(o->pool, sizeof(o->pool), "%s", pool->name);
			snprintf(o->server, sizeof(o->server), "%s", name);
			o->deleted = true;
		}
	}
	return 0;
}

void overrides_free(struct lb_overrides *ov)
{
	free(ov->items);
	ov->items = NULL;
	ov->count = 0;
}
