// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stats/conns.h"
#include "lib/json.h"
#include "kernel/sweep.h"
#include "lib/util.h"

const char *conn_state_name(uint32_t flags)
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

struct collect {
	const struct lb_maps *m;
	struct balancer *b;
	const struct conn_filter *f;
	struct rpilb_cfg cfg;
	uint32_t now;
	struct conn *v;
	int n;
	size_t cap;
};

static uint64_t ms_between(uint32_t now, uint32_t then)
{
	int32_t d = (int32_t)(now - then);

	return d > 0 ? ticks_to_ms(d) : 0;
}

static int collect_one(const struct rpilb_tuple *k, const struct rpilb_flow_fwd *f, void *arg)
{
	struct collect *c = arg;
	const struct lb_server *s = f->backend_id < RPILB_MAX_BACKENDS ? c->b->by_id[f->backend_id]
								      : NULL;
	struct rpilb_tuple rk = {
		.saddr = f->backend_addr,
		.daddr = c->cfg.nat_addr,
		.sport = f->backend_port,
		.dport = f->nat_port,
	};
	struct in_addr vip = { .s_addr = k->daddr };
	struct lb_service *svc;
	struct rpilb_flow_rev r;
	struct conn *out;

	/* A server that is gone may share an id with a new one: match the address too. */
	if (s && (s->addr.s_addr != f->backend_addr || htons(s->port) != f->backend_port))
		s = NULL;
	if (c->f->node && s != c->f->node)
		return 0;
	if (!c->f->any_client && k->saddr != c->f->client.s_addr)
		return 0;
	if (VEC_RESERVE(c->v, c->n, c->cap))
		return -ENOMEM;
	out = &c->v[c->n++];
	memset(out, 0, sizeof(*out));
	out->client.s_addr = k->saddr;
	out->client_port = ntohs(k->sport);
	out->vip = vip;
	out->vip_port = ntohs(k->dport);
	svc = balancer_service_by_key(c->b, vip, ntohs(k->dport));
	if (svc) {
		str_copy(out->frontend, svc->fe->name, sizeof(out->frontend));
		str_copy(out->backend, svc->pool->name, sizeof(out->backend));
	}
	if (s)
		str_copy(out->node, s->name, sizeof(out->node));
	out->node_addr.s_addr = f->backend_addr;
	out->node_port = ntohs(f->backend_port);
	out->nat_port = ntohs(f->nat_port);
	out->state = conn_state_name(f->flags);
	out->age_ms = ms_between(c->now, f->created);
	out->idle_ms = ms_between(c->now, f->last_seen);
	out->packets_in = f->packets;
	out->bytes_in = f->bytes;
	/* The reply side's counters live in the reverse entry, if it is still this flow's. */
	if (!maps_get_rev(c->m, &rk, &r) && r.client.saddr == k->saddr &&
	    r.client.sport == k->sport && r.client.daddr == k->daddr) {
		out->packets_out = r.packets;
		out->bytes_out = r.bytes;
	}
	return 0;
}

static int by_age(const void *a, const void *b)
{
	const struct conn *x = a, *y = b;

	return x->age_ms < y->age_ms ? 1 : x->age_ms > y->age_ms ? -1 : 0;
}

int conns_collect(const struct lb_maps *m, struct balancer *b, const struct conn_filter *f,
		  struct conn **out)
{
	struct collect c = { .m = m, .b = b, .f = f };
	int err;

	*out = NULL;
	err = maps_get_config(m, &c.cfg);
	if (err)
		return err;
	c.now = maps_now_ticks();
	err = maps_for_each_fwd(m, collect_one, &c);
	if (err) {
		free(c.v);
		return err;
	}
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), by_age);
	*out = c.v;
	return c.n;
}

static void fmt_ms(char *buf, size_t len, uint64_t ms)
{
	if (ms < 10000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (ms < 600000)
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "m", ms / 60000);
}

void render_conns_text(FILE *out, const struct conn *c, int n)
{
	fprintf(out, "%-21s %-18s %-16s %-12s %7s %7s %10s %10s\n", "CLIENT", "FRONTEND", "NODE",
		"STATE", "AGE", "IDLE", "BYTES IN", "BYTES OUT");
	for (int i = 0; i < n; i++) {
		char client[32], ip[INET_ADDRSTRLEN], age[32], idle[32];

		inet_ntop(AF_INET, &c[i].client, ip, sizeof(ip));
		snprintf(client, sizeof(client), "%s:%u", ip, c[i].client_port);
		fmt_ms(age, sizeof(age), c[i].age_ms);
		fmt_ms(idle, sizeof(idle), c[i].idle_ms);
		fprintf(out, "%-21s %-18s %-16s %-12s %7s %7s %10" PRIu64 " %10" PRIu64 "\n",
			client, c[i].frontend[0] ? c[i].frontend : "-",
			c[i].node[0] ? c[i].node : "(removed)", c[i].state, age, idle, c[i].bytes_in,
			c[i].bytes_out);
	}
	fprintf(out, "%d flow%s\n", n, n == 1 ? "" : "s");
}

void render_conns_json(FILE *out, const struct conn *c, int n)
{
	struct json_writer *jw = json_new(out, false);
	char ip[INET_ADDRSTRLEN];

	json_begin_object(jw);
	json_kv_u64(jw, "count", n);
	json_key(jw, "flows");
	json_begin_array(jw);
	for (int i = 0; i < n; i++) {
		json_begin_object(jw);
		json_kv_str(jw, "client", inet_ntop(AF_INET, &c[i].client, ip, sizeof(ip)));
		json_kv_u64(jw, "client_port", c[i].client_port);
		json_kv_str(jw, "vip", inet_ntop(AF_INET, &c[i].vip, ip, sizeof(ip)));
		json_kv_u64(jw, "vip_port", c[i].vip_port);
		json_kv_str(jw, "frontend", c[i].frontend);
		json_kv_str(jw, "backend", c[i].backend);
		json_kv_str(jw, "node", c[i].node);
		json_kv_str(jw, "node_address", inet_ntop(AF_INET, &c[i].node_addr, ip, sizeof(ip)));
		json_kv_u64(jw, "node_port", c[i].node_port);
		json_kv_u64(jw, "nat_port", c[i].nat_port);
		json_kv_str(jw, "state", c[i].state);
		json_kv_u64(jw, "age_ms", c[i].age_ms);
		json_kv_u64(jw, "idle_ms", c[i].idle_ms);
		json_kv_u64(jw, "packets_in", c[i].packets_in);
		json_kv_u64(jw, "bytes_in", c[i].bytes_in);
		json_kv_u64(jw, "packets_out", c[i].packets_out);
		json_kv_u64(jw, "bytes_out", c[i].bytes_out);
		json_end_object(jw);
	}
	json_end_array(jw);
	json_end_object(jw);
	json_free(jw);
	fputc('\n', out);
}
