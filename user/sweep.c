// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sweep.h"

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
	if (kv->n == kv->cap) {
		size_t cap = kv->cap ? kv->cap * 2 : 64;
		struct rpilb_tuple *v = realloc(kv->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		kv->v = v;
		kv->cap = cap;
	}
	kv->v[kv->n++] = *k;
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
	struct keyvec del_fwd; /* expire these forward entries */
	struct keyvec del_rev; /* and the pairs they still own */
	struct keyvec live_rev; /* pairs owned by a forward entry that stays */
	int64_t unestablished;	/* expired before their handshake completed */
};

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
	struct sweep_timeouts t = { .idle_ms = 300000, .connect_ms = 5000 };
	uint64_t idle = age_ms(fp->now, f->last_seen);
	struct rpilb_tuple rk;
	uint64_t *reason = NULL;

	fp->fn(k->daddr, k->dport, &t, fp->arg);
	rev_key_of(fp, f, &rk);
	if (f->flags & RPILB_FLOW_CLOSED) {
		/* Its pair stays behind as a tombstone: the server may hold TIME_WAIT. */
		if (idle > SWEEP_CLOSED_LINGER_MS) {
			fp->totals->expired_closed++;
			fp->unestablished += !(f->flags & RPILB_FLOW_ESTABLISHED);
			return keyvec_push(&fp->del_fwd, k);
		}
		fp->res->closed++;
		fp->res->fwd_entries++;
		return keyvec_push(&fp->live_rev, &rk);
	}
	if (!(f->flags & RPILB_FLOW_ESTABLISHED) && idle > t.connect_ms)
		reason = &fp->totals->expired_halfopen;
	else if (idle > t.idle_ms)
		reason = &fp->totals->expired_idle;
	if (reason) {
		(*reason)++;
		fp->unestablished += !(f->flags & RPILB_FLOW_ESTABLISHED);
		if (keyvec_push(&fp->del_fwd, k))
			return -ENOMEM;
		return keyvec_push(&fp->del_rev, &rk);
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
	struct keyvec del;
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
			return keyvec_push(&rp->del, k);
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
			return keyvec_push(&rp->del, k);
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
	int err;

	memset(res, 0, sizeof(*res));
	err = maps_get_config(m, &fp.cfg);
	if (err)
		return err;
	fp.now = maps_now_ticks();
	err = maps_for_each_fwd(m, fwd_visit, &fp);
	if (err)
		goto out;
	for (size_t i = 0; i < fp.del_fwd.n; i++)
		maps_del_fwd(m, &fp.del_fwd.v[i]);
	maps_halfopen_release(m, fp.unestablished);
	for (size_t i = 0; i < fp.del_rev.n; i++)
		maps_del_rev(m, &fp.del_rev.v[i]);

	if (fp.live_rev.n)
		qsort(fp.live_rev.v, fp.live_rev.n, sizeof(*fp.live_rev.v), tuple_cmp);
	rp.now = fp.now;
	rp.cfg = fp.cfg;
	rp.live = &fp.live_rev;
	err = maps_for_each_rev(m, rev_visit, &rp);
	if (err)
		goto out;
	for (size_t i = 0; i < rp.del.n; i++)
		maps_del_rev(m, &rp.del.v[i]);
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
