// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fill a snapshot from the daemon: the model, the health checks, and what
 * the kernel counts. Everything a user sees is read here, so this is also
 * the one place that decides how open flows are counted: in the flow
 * table at this instant, in the same walk as the flow list when "conns"
 * asks for one. "drain --wait" needs that: a flow opened a moment ago must
 * not look gone until the next sweep. Only if the table cannot be read
 * does a server show the last sweep's count.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/daemon.h"
#include "stats/snapshot.h"
#include "health/srvhealth.h"
#include "lib/util.h"

_Static_assert(SNAP_NAME_MAX >= CFG_NAME_MAX, "a snapshot holds every name whole");

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

/* --- the flow table ------------------------------------------------------- */

/* TCP state as far as the balancer sees it, from the flow's flags. */
static const char *conn_state_name(uint32_t flags)
{
	if (flags & RPILB_FLOW_RST)
		return "RESET";
	if (flags & RPILB_FLOW_CLOSED)
		return "CLOSED";
	if ((flags & RPILB_FLOW_CLIENT_FIN) && (flags & RPILB_FLOW_BACKEND_FIN))
		return "CLOSING";
	if (flags & (RPILB_FLOW_CLIENT_FIN | RPILB_FLOW_BACKEND_FIN))
		return "FIN_WAIT";
	if (flags & RPILB_FLOW_ESTABLISHED)
		return "ESTABLISHED";
	return "SYN_SENT";
}

/* One walk of the forward table: open flows per id and, if asked, the flow list. */
struct flow_walk {
	struct daemon *d;
	const struct snap_request *rq; /* NULL: count only */
	struct rpilb_cfg cfg;
	uint32_t now;
	uint32_t *open; /* RPILB_MAX_BACKENDS of them */
	struct snap_conn *v;
	uint32_t n;
	size_t cap;
};

static uint64_t ms_between(uint32_t now, uint32_t then)
{
	int32_t d = (int32_t)(now - then);

	return d > 0 ? ticks_to_ms(d) : 0;
}

static bool conn_wanted(const struct snap_request *rq, const struct lb_server *s,
			const struct rpilb_tuple *k)
{
	if (rq->conns_server && s != rq->conns_server)
		return false;
	return !rq->conns_client || k->saddr == rq->conns_client->s_addr;
}

static void conn_fill(struct flow_walk *w, const struct lb_server *s, const struct rpilb_tuple *k,
		      const struct rpilb_flow_fwd *f, struct snap_conn *c)
{
	struct rpilb_tuple rk = {
		.saddr = f->backend_addr,
		.daddr = w->cfg.nat_addr,
		.sport = f->backend_port,
		.dport = f->nat_port,
	};
	struct in_addr vip = { .s_addr = k->daddr };
	struct in_addr a = { .s_addr = k->saddr };
	struct lb_service *svc = balancer_service_by_key(&w->d->lb, vip, ntohs(k->dport));
	struct rpilb_flow_rev r;

	memset(c, 0, sizeof(*c));
	inet_ntop(AF_INET, &a, c->client, sizeof(c->client));
	c->client_port = ntohs(k->sport);
	inet_ntop(AF_INET, &vip, c->vip, sizeof(c->vip));
	c->vip_port = ntohs(k->dport);
	if (svc) {
		str_copy(c->frontend, svc->fe->name, sizeof(c->frontend));
		str_copy(c->backend, svc->pool->name, sizeof(c->backend));
	}
	if (s)
		str_copy(c->server, s->name, sizeof(c->server));
	a.s_addr = f->backend_addr;
	inet_ntop(AF_INET, &a, c->server_address, sizeof(c->server_address));
	c->server_port = ntohs(f->backend_port);
	c->nat_port = ntohs(f->nat_port);
	str_copy(c->state, conn_state_name(f->flags), sizeof(c->state));
	c->age_ms = ms_between(w->now, f->created);
	c->idle_ms = ms_between(w->now, f->last_seen);
	c->packets_in = f->packets;
	c->bytes_in = f->bytes;
	/* The reply side's counters live in the reverse entry, if it is still this flow's. */
	if (!maps_get_rev(&w->d->maps, &rk, &r) && r.client.saddr == k->saddr &&
	    r.client.sport == k->sport && r.client.daddr == k->daddr) {
		c->packets_out = r.packets;
		c->bytes_out = r.bytes;
	}
}

static int walk_one(const struct rpilb_tuple *k, const struct rpilb_flow_fwd *f, void *arg)
{
	struct flow_walk *w = arg;
	const struct lb_server *s = NULL;

	if (!(f->flags & RPILB_FLOW_CLOSED) && f->backend_id < RPILB_MAX_BACKENDS)
		w->open[f->backend_id]++;
	if (!w->rq || !w->rq->conns)
		return 0;
	/* A server that is gone may share an id with a new one: match the address too. */
	if (f->backend_id < RPILB_MAX_BACKENDS)
		s = w->d->lb.by_id[f->backend_id];
	if (s && (s->addr.s_addr != f->backend_addr ||
		  (!s->port_map && htons(s->port) != f->backend_port)))
		s = NULL;
	if (!conn_wanted(w->rq, s, k))
		return 0;
	if (VEC_RESERVE(w->v, w->n, w->cap))
		return -ENOMEM;
	conn_fill(w, s, k, f, &w->v[w->n++]);
	return 0;
}

static int by_age(const void *a, const void *b)
{
	const struct snap_conn *x = a, *y = b;

	return x->age_ms < y->age_ms ? 1 : x->age_ms > y->age_ms ? -1 : 0;
}

/* 0 with w->open counted (and w->v filled, oldest first), or a negative errno. */
static int walk_flows(struct flow_walk *w)
{
	int err;

	memset(w->open, 0, RPILB_MAX_BACKENDS * sizeof(w->open[0]));
	if (w->rq && w->rq->conns) {
		err = maps_get_config(&w->d->maps, &w->cfg);
		if (err)
			return err;
		w->now = maps_now_ticks();
	}
	err = maps_for_each_fwd(&w->d->maps, walk_one, w);
	if (err)
		return err;
	if (w->n)
		qsort(w->v, w->n, sizeof(*w->v), by_age);
	return 0;
}

int daemon_count_open_flows(struct daemon *d, uint32_t by_id[RPILB_MAX_BACKENDS])
{
	struct flow_walk w = { .d = d, .open = by_id };

	return walk_flows(&w);
}

/* --- the model -------------------------------------------------------------- */

/* What the operator reads: "MAINT", "DRAIN", "DRAIN (DOWN 1/2)", or the health label. */
static void state_label(const struct lb_server *s, const struct srvhealth_view *v, char *buf,
			size_t len)
{
	if (s->admin == ADMIN_MAINT)
		snprintf(buf, len, "MAINT");
	else if (s->admin == ADMIN_DRAIN)
		snprintf(buf, len, v->up ? "DRAIN" : "DRAIN (%s)", v->label);
	else
		snprintf(buf, len, "%s", v->label);
}

static void fill_server(struct daemon *d, const struct lb_server *s, uint64_t now,
			const uint32_t *open, struct snap_server *o)
{
	struct rpilb_backend_stats bs = {};
	struct srvhealth_view v;

	srvhealth_view(s, now, &v);
	maps_read_backend_stats(&d->maps, s->id, &bs);
	str_copy(o->name, s->name, sizeof(o->name));
	o->id = s->id;
	inet_ntop(AF_INET, &s->addr, o->address, sizeof(o->address));
	o->port = s->port;
	o->port_map = s->port_map;
	o->port_offset = s->port_offset;
	state_label(s, &v, o->state, sizeof(o->state));
	str_copy(o->health, v.label, sizeof(o->health));
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
	o->check_age_ms = v.ago_ms == UINT64_MAX ? -1 : (int64_t)v.ago_ms;
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

static void fill_header(struct daemon *d, struct snapshot *s, uint64_t now)
{
	str_copy(s->version, RPILB_VERSION, sizeof(s->version));
	if (gethostname(s->hostname, sizeof(s->hostname)))
		str_copy(s->hostname, "?", sizeof(s->hostname));
	str_copy(s->interface, d->rec.ifname, sizeof(s->interface));
	str_copy(s->mode, cfg_attach_mode_name(d->rec.mode), sizeof(s->mode));
	str_copy(s->mode_reason, d->mode_why, sizeof(s->mode_reason));
	s->now_unix = time(NULL);
	s->uptime_ms = now - d->started_ms;
	s->pid = getpid();
	s->flows = d->swept.fwd_entries;
	s->flow_capacity = d->flow_capacity;
	s->halfopen = d->swept.halfopen;
	s->expired_halfopen = d->sweep.totals.expired_halfopen;
	s->expired_idle = d->sweep.totals.expired_idle;
	s->expired_closed = d->sweep.totals.expired_closed;
	s->expired_orphan = d->sweep.totals.expired_orphan;
}

int daemon_snapshot(struct daemon *d, const struct snap_request *rq, struct snapshot *s)
{
	uint32_t open[RPILB_MAX_BACKENDS];
	struct flow_walk w = { .d = d, .rq = rq, .open = open };
	uint64_t now = ev_now_ms();
	int err;

	memset(s, 0, sizeof(*s));
	fill_header(d, s, now);
	if (rq->counters) {
		err = maps_read_counters(&d->maps, s->counters);
		if (err)
			goto fail;
	}
	err = walk_flows(&w);
	s->conns = w.v;
	s->nconns = w.n;
	if (err && rq->conns)
		goto fail;
	if (err)
		memcpy(open, d->swept.active_by_id, sizeof(open));
	err = fill_frontends(d, s);
	if (err)
		goto fail;
	err = fill_backends(d, s, now, open);
	if (err)
		goto fail;
	return 0;
fail:
	snapshot_free(s);
	return err;
}
