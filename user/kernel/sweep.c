// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/sweep.h"
#include "lib/util.h"

uint64_t ticks_to_ms(uint32_t ticks)
{
	return (((uint64_t)ticks << RPILB_TICK_SHIFT) + 999999) / 1000000;
}

static uint64_t age_ms(uint32_t now, uint32_t then)
{
	int32_t d = (int32_t)(now - then);

	return d > 0 ? ticks_to_ms(d) : 0;
}

struct keyvec {
	struct rpilb_tuple *v;
	size_t n, cap;
};

static int keyvec_push(struct keyvec *kv, const struct rpilb_tuple *k)
{
	if (VEC_RESERVE(kv->v, kv->n, kv->cap))
		return -ENOMEM;
	kv->v[kv->n++] = *k;
	return 0;
}

/*
 * Entries to delete, each with what identifies the flow the sweep judged:
 * by the time it deletes, the data path may have given the key to a new flow.
 */
struct victims {
	struct victim {
		struct rpilb_tuple key;
		struct rpilb_flow_rev seen; /* reverse entries: its client and close time */
		uint32_t created; /* forward entries: its birth */
		bool unestablished; /* forward entries: it holds a half-open slot */
	} * v;
	size_t n, cap;
};

static int victim_add(struct victims *vs, const struct rpilb_tuple *k)
{
	if (VEC_RESERVE(vs->v, vs->n, vs->cap))
		return -ENOMEM;
	memset(&vs->v[vs->n], 0, sizeof(vs->v[0]));
	vs->v[vs->n++].key = *k;
	return 0;
}

static int victims_push_fwd(struct victims *vs, const struct rpilb_tuple *k,
			    const struct rpilb_flow_fwd *f)
{
	if (victim_add(vs, k))
		return -ENOMEM;
	vs->v[vs->n - 1].created = f->created;
	vs->v[vs->n - 1].unestablished = !(f->flags & RPILB_FLOW_ESTABLISHED);
	return 0;
}

static int victims_push_rev(struct victims *vs, const struct rpilb_tuple *k,
			    const struct rpilb_tuple *client, uint32_t closed)
{
	if (victim_add(vs, k))
		return -ENOMEM;
	vs->v[vs->n - 1].seen.client = *client;
	vs->v[vs->n - 1].seen.closed = closed;
	return 0;
}

static int tuple_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct rpilb_tuple));
}

static bool keyvec_has(const struct keyvec *kv, const struct rpilb_tuple *k)
{
	return kv->n && bsearch(k, kv->v, kv->n, sizeof(*k), tuple_cmp);
}

struct fwd_pass {
	const struct lb_maps *m;
	sweep_timeouts_fn fn;
	void *arg;
	uint32_t now;
	struct rpilb_cfg cfg;
	struct sweep_result *res;
	struct sweep_totals *totals;
	struct victims del_fwd; /* expire these forward entries */
	struct victims del_rev; /* and the pairs they still own */
	struct keyvec live_rev; /* pairs owned by a forward entry that stays */
};

#define HALF_CLOSED (RPILB_FLOW_CLIENT_FIN | RPILB_FLOW_BACKEND_FIN)

static void rev_key_of(const struct fwd_pass *fp, const struct rpilb_flow_fwd *f,
		       struct rpilb_tuple *rk)
{
	rk->saddr = f->backend_addr;
	rk->daddr = fp->cfg.nat_addr;
	rk->sport = f->backend_port;
	rk->dport = f->nat_port;
}

static int fwd_visit(const struct rpilb_tuple *k, const struct rpilb_flow_fwd *f, void *arg)
{
	struct fwd_pass *fp = arg;
	struct sweep_timeouts t = { .idle_ms = 300000,
				    .halfclosed_ms = 300000,
				    .connect_ms = 5000 };
	uint64_t idle = age_ms(fp->now, f->last_seen);
	struct rpilb_tuple rk;
	uint64_t *reason = NULL;

	fp->fn(k->daddr, k->dport, &t, fp->arg);
	rev_key_of(fp, f, &rk);
	if (f->flags & RPILB_FLOW_CLOSED) {
		/* Its pair stays behind as a tombstone: the server may hold TIME_WAIT. */
		if (idle > SWEEP_CLOSED_LINGER_MS) {
			fp->totals->expired_closed++;
			return victims_push_fwd(&fp->del_fwd, k, f);
		}
		fp->res->closed++;
		fp->res->fwd_entries++;
		return keyvec_push(&fp->live_rev, &rk);
	}
	if (!(f->flags & RPILB_FLOW_ESTABLISHED) && idle > t.connect_ms)
		reason = &fp->totals->expired_halfopen;
	else if (idle > (f->flags & HALF_CLOSED ? t.halfclosed_ms : t.idle_ms))
		reason = &fp->totals->expired_idle;
	if (reason) {
		(*reason)++;
		if (victims_push_fwd(&fp->del_fwd, k, f))
			return -ENOMEM;
		/* Its pair, unless a newer flow holds it by now. */
		return victims_push_rev(&fp->del_rev, &rk, k, 0);
	}
	fp->res->fwd_entries++;
	if (!(f->flags & RPILB_FLOW_ESTABLISHED))
		fp->res->halfopen++;
	if (f->backend_id < RPILB_MAX_BACKENDS)
		fp->res->active_by_id[f->backend_id]++;
	return keyvec_push(&fp->live_rev, &rk);
}

struct rev_pass {
	uint32_t now;
	struct rpilb_cfg cfg;
	const struct keyvec *live;
	const struct sweep_state *st;
	struct victims del;
	struct keyvec orphans;
	struct sweep_result *res;
	struct sweep_totals *totals;
};

static bool was_orphan(const struct sweep_state *st, const struct rpilb_tuple *k)
{
	return st->norphans && bsearch(k, st->orphans, st->norphans, sizeof(*k), tuple_cmp);
}

static int rev_visit(const struct rpilb_tuple *k, const struct rpilb_flow_rev *r, void *arg)
{
	struct rev_pass *rp = arg;

	if (r->flags & RPILB_FLOW_CLOSED) {
		uint64_t rest = (r->flags & RPILB_FLOW_BACKEND_TW) ? SWEEP_TW_GUARD_MS
								   : SWEEP_CLOSE_GRACE_MS;

		if (age_ms(rp->now, r->closed) > rest) {
			rp->totals->tombstones_freed++;
			return victims_push_rev(&rp->del, k, &r->client, r->closed);
		}
		rp->res->rev_entries++;
		return 0;
	}
	if (!keyvec_has(rp->live, k)) {
		/*
		 * No forward entry owns it: either a flow born after the forward
		 * walk, or one whose forward entry is gone. Only the second is
		 * still an orphan one sweep later.
		 */
		if (was_orphan(rp->st, k)) {
			rp->totals->expired_orphan++;
			return victims_push_rev(&rp->del, k, &r->client, r->closed);
		}
		if (keyvec_push(&rp->orphans, k))
			return -ENOMEM;
	}
	rp->res->rev_entries++;
	return 0;
}

int sweep_run(const struct lb_maps *m, struct sweep_state *st, sweep_timeouts_fn fn, void *arg,
	      struct sweep_result *res)
{
	struct fwd_pass fp = { .m = m, .fn = fn, .arg = arg, .res = res, .totals = &st->totals };
	struct rev_pass rp = { .res = res, .totals = &st->totals, .st = st };
	int64_t unestablished = 0; /* deleted before their handshake completed */
	int err;

	memset(res, 0, sizeof(*res));
	err = maps_get_config(m, &fp.cfg);
	if (err)
		return err;
	fp.now = maps_now_ticks();
	err = maps_for_each_fwd(m, fwd_visit, &fp);
	if (err)
		goto out;
	for (size_t i = 0; i < fp.del_fwd.n; i++) {
		const struct victim *v = &fp.del_fwd.v[i];

		/* A flow that took the entry over took its half-open slot too. */
		if (maps_del_fwd_if(m, &v->key, v->created) == 1 && v->unestablished)
			unestablished++;
	}
	maps_halfopen_release(m, unestablished);
	for (size_t i = 0; i < fp.del_rev.n; i++)
		maps_del_rev_if(m, &fp.del_rev.v[i].key, &fp.del_rev.v[i].seen);

	if (fp.live_rev.n)
		qsort(fp.live_rev.v, fp.live_rev.n, sizeof(*fp.live_rev.v), tuple_cmp);
	rp.now = fp.now;
	rp.cfg = fp.cfg;
	rp.live = &fp.live_rev;
	err = maps_for_each_rev(m, rev_visit, &rp);
	if (err)
		goto out;
	for (size_t i = 0; i < rp.del.n; i++)
		maps_del_rev_if(m, &rp.del.v[i].key, &rp.del.v[i].seen);
	if (rp.orphans.n)
		qsort(rp.orphans.v, rp.orphans.n, sizeof(*rp.orphans.v), tuple_cmp);
	free(st->orphans);
	st->orphans = rp.orphans.v;
	st->norphans = rp.orphans.n;
	rp.orphans.v = NULL;
out:
	free(fp.del_fwd.v);
	free(fp.del_rev.v);
	free(fp.live_rev.v);
	free(rp.del.v);
	free(rp.orphans.v);
	return err;
}

void sweep_state_free(struct sweep_state *st)
{
	free(st->orphans);
	st->orphans = NULL;
	st->norphans = 0;
}
