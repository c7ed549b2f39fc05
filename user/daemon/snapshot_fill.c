// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fill a snapshot from the daemon: the model, the health checks, and the
 * kernel's counters summed over every CPU. Open flows are counted in the
 * flow table at this instant, like "drain --wait" does.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "stats/render_status.h"
#include "stats/snapshot.h"
#include "health/srvhealth.h"
#include "lib/util.h"

void daemon_rate_sample(struct daemon *d)
{
	struct rate_ring *rr = &d->rates;
	uint64_t now = ev_now_ms();
	int slot = rr->pos % RATE_WINDOW;

	rr->at_ms[slot] = now;
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++) {
		struct rpilb_backend_stats bs;

		rr->new_flows[slot][id] =
			d->lb.by_id[id] && !maps_read_backend_stats(&d->maps, id, &bs)
				? bs.new_flows
				: 0;
	}
	for (size_t i = 0; i < d->lb.nservices; i++) {
		struct rpilb_svc_stats ss;

		rr->svc_new_flows[slot][i] =
			!maps_read_svc_stats(&d->maps, d->lb.services[i].id, &ss) ? ss.new_flows
										  : 0;
	}
	rr->pos++;
}

/* Per second over the ring's span, from one row of samples. */
static double ring_rate(const struct rate_ring *rr, const uint64_t (*rows)[RPILB_MAX_BACKENDS],
			const uint64_t (*svc_rows)[RPILB_MAX_SERVICES], int idx)
{
	int newest, oldest;
	uint64_t dt, a, b;

	if (rr->pos < 2)
		return 0;
	newest = (rr->pos - 1) % RATE_WINDOW;
	oldest = rr->pos >= RATE_WINDOW ? rr->pos % RATE_WINDOW : 0;
	dt = rr->at_ms[newest] - rr->at_ms[oldest];
	a = rows ? rows[newest][idx] : svc_rows[newest][idx];
	b = rows ? rows[oldest][idx] : svc_rows[oldest][idx];
	if (!dt || a < b)
		return 0;
	return (double)(a - b) * 1000.0 / dt;
}

static double rate_of(const struct daemon *d, int id)
{
	return ring_rate(&d->rates, d->rates.new_flows, NULL, id);
}

static void fill_server(struct daemon *d, const struct lb_server *s, uint64_t now,
			const uint32_t *open, struct snap_server *o)
{
	struct rpilb_backend_stats bs = {};
	struct srvhealth_view v;

	srvhealth_view(s, now, &v);
	maps_read_backend_stats(&d->maps, s->id, &bs);
	str_copy(o->name, s->name, sizeof(o->name));
	inet_ntop(AF_INET, &s->addr, o->address, sizeof(o->address));
	o->port = s->port;
	server_state_label(s, now, o->state, sizeof(o->state));
	str_copy(o->admin, admin_state_name(s->admin), sizeof(o->admin));
	o->up = s->healthy;
	o->in_rotation = server_eligible(s);
	o->checked = s->opts.check;
	o->runtime = s->runtime;
	o->weight = s->weight;
	o->active_flows = open[s->id];
	o->new_flows = bs.new_flows;
	o->flow_rate = rate_of(d, s->id);
	o->packets_in = bs.packets_in;
	o->bytes_in = bs.bytes_in;
	o->packets_out = bs.packets_out;
	o->bytes_out = bs.bytes_out;
	o->nat_fail = bs.nat_fail;
	str_copy(o->check_result, v.result, sizeof(o->check_result));
	str_copy(o->check_desc, v.desc, sizeof(o->check_desc));
	str_copy(o->check_detail, v.detail, sizeof(o->check_detail));
	o->check_code = v.code;
	o->check_duration_ms = v.duration_ms;
	o->check_ago_ms = v.ago_ms == UINT64_MAX ? -1 : (int64_t)v.ago_ms;
	o->checks = v.checks;
	o->check_failures = v.failures;
	o->up_down = v.up_down;
	o->downtime_ms = v.downtime_ms;
	o->in_state_ms = now > s->state_since_ms ? now - s->state_since_ms : 0;
}

static int fill_frontends(struct daemon *d, struct snapshot *s)
{
	const struct rpilb_config *cfg = d->cfg;

	s->frontends = calloc(cfg->nfrontends ? cfg->nfrontends : 1, sizeof(*s->frontends));
	if (!s->frontends)
		return -ENOMEM;
	for (size_t f = 0; f < cfg->nfrontends; f++) {
		const struct cfg_frontend *fe = &cfg->frontends[f];
		struct snap_frontend *o = &s->frontends[s->nfrontends++];

		str_copy(o->name, fe->name, sizeof(o->name));
		if (fe->backend >= 0)
			str_copy(o->backend, cfg->backends[fe->backend].name, sizeof(o->backend));
		for (size_t i = 0; i < d->lb.nservices && o->nbinds < ARRAY_SIZE(o->binds); i++) {
			const struct lb_service *svc = &d->lb.services[i];
			struct snap_bind *b = &o->binds[o->nbinds];
			struct rpilb_svc_stats ss = {};

			if (svc->fe != fe)
				continue;
			maps_read_svc_stats(&d->maps, svc->id, &ss);
			inet_ntop(AF_INET, &svc->vip, b->address, sizeof(b->address));
			b->port = svc->port;
			b->new_flows = ss.new_flows;
			b->no_backend = ss.no_backend;
			b->flow_rate = ring_rate(&d->rates, NULL, d->rates.svc_new_flows, i);
			o->nbinds++;
		}
	}
	return 0;
}

static int fill_backends(struct daemon *d, struct snapshot *s, uint64_t now, const uint32_t *open)
{
	s->backends = calloc(d->lb.npools ? d->lb.npools : 1, sizeof(*s->backends));
	if (!s->backends)
		return -ENOMEM;
	for (size_t p = 0; p < d->lb.npools; p++) {
		const struct lb_pool *pool = &d->lb.pools[p];
		struct snap_backend *o = &s->backends[s->nbackends++];

		str_copy(o->name, pool->name, sizeof(o->name));
		str_copy(o->balance,
			 pool->cfg->balance == CFG_BALANCE_STATIC_RR ? "static-rr" : "roundrobin",
			 sizeof(o->balance));
		o->servers = calloc(pool->nservers ? pool->nservers : 1, sizeof(*o->servers));
		if (!o->servers)
			return -ENOMEM;
		for (size_t i = 0; i < pool->nservers; i++) {
			fill_server(d, pool->servers[i], now, open, &o->servers[o->nservers++]);
			o->active_servers += server_eligible(pool->servers[i]);
		}
	}
	return 0;
}

int daemon_snapshot(struct daemon *d, struct snapshot *s)
{
	uint32_t open[RPILB_MAX_BACKENDS];
	uint64_t now = ev_now_ms();
	int err;

	memset(s, 0, sizeof(*s));
	str_copy(s->version, RPILB_VERSION, sizeof(s->version));
	if (gethostname(s->hostname, sizeof(s->hostname)))
		str_copy(s->hostname, "?", sizeof(s->hostname));
	str_copy(s->interface, d->rec.ifname, sizeof(s->interface));
	str_copy(s->mode, cfg_attach_mode_name(d->rec.mode), sizeof(s->mode));
	str_copy(s->mode_reason, d->mode_why, sizeof(s->mode_reason));
	s->now_unix = time(NULL);
	s->uptime_ms = now - d->started_ms;
	s->pid = getpid();
	err = maps_read_counters(&d->maps, s->counters);
	if (err)
		return err;
	s->flows = d->swept.fwd_entries;
	s->flow_capacity = d->flow_capacity;
	s->halfopen = d->swept.halfopen;
	s->expired_halfopen = d->sweep.totals.expired_halfopen;
	s->expired_idle = d->sweep.totals.expired_idle;
	s->expired_closed = d->sweep.totals.expired_closed;
	s->expired_orphan = d->sweep.totals.expired_orphan;
	err = daemon_count_open_flows(d, open);
	if (!err)
		err = fill_frontends(d, s);
	if (!err)
		err = fill_backends(d, s, now, open);
	if (err)
		snapshot_free(s);
	return err;
}
