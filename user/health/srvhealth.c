// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "health/checker.h"
#include "health/srvhealth.h"
#include "lib/util.h"

/* What a server's health needs beyond the checker: who to tell, and a reload's carry-over. */
struct srvhealth {
	struct checker_server cs; /* first: the checker's callback gets this pointer */
	struct lb_server *s;
	srvhealth_changed_fn fn;
	void *arg;
	bool inited;
	bool have_inherited;
	struct health inherited;
};

static struct srvhealth *sh_of(const struct lb_server *s)
{
	return (struct srvhealth *)s->check;
}

static void on_changed(struct checker_server *cs, void *arg)
{
	struct srvhealth *sh = (struct srvhealth *)cs;
	struct lb_server *s = sh->s;
	bool was = server_eligible(s);

	(void)arg;
	s->healthy = health_takes_flows(&cs->health); /* NOLB: up, but no new flows */
	s->checked = true;
	if (server_eligible(s) != was)
		s->state_since_ms = ev_now_ms();
	if (sh->fn)
		sh->fn(s, sh->arg);
}

static struct srvhealth *sh_get(struct lb_server *s)
{
	if (!s->check) {
		s->check = calloc(1, sizeof(struct srvhealth));
		if (s->check)
			sh_of(s)->s = s;
	}
	return sh_of(s);
}

int srvhealth_start(struct evloop *l, struct lb_server *s, srvhealth_changed_fn fn, void *arg)
{
	struct srvhealth *sh = sh_get(s);
	struct health_params hp;
	struct check_spec spec;
	int err;

	if (!sh)
		return -ENOMEM;
	sh->fn = fn;
	sh->arg = arg;
	if (!sh->inited) {
		check_spec_from_cfg(&spec, s->pool->cfg, s->addr, s->port, &s->opts);
		health_params_from_cfg(&hp, &s->opts, s->pool->cfg->timeout_check_ms);
		err = checker_server_init(&sh->cs, s->pool->name, s->name, s->opts.check, &spec,
					  &hp, on_changed, NULL);
		if (err)
			return err;
		sh->inited = true;
		if (sh->have_inherited) {
			struct checker_server old = { .health = sh->inherited, .enabled = true };

			checker_server_inherit(&sh->cs, &old);
			sh->have_inherited = false;
		}
	}
	if (!s->opts.check || sh->cs.health.state != HEALTH_INIT) {
		/* Unchecked (UP for good), or a verdict carried over: say it now. */
		on_changed(&sh->cs, NULL);
	}
	/* HAProxy does not check a server in maintenance. */
	if (s->admin != ADMIN_MAINT)
		checker_server_start(&sh->cs, l);
	return 0;
}

void srvhealth_stop(struct evloop *l, struct lb_server *s)
{
	(void)l;
	if (s->check && sh_of(s)->inited)
		checker_server_stop(&sh_of(s)->cs);
}

void srvhealth_release(struct lb_server *s)
{
	if (!s->check)
		return;
	if (sh_of(s)->inited)
		checker_server_stop(&sh_of(s)->cs);
	free(s->check);
	s->check = NULL;
}

void srvhealth_inherit(struct lb_server *s, const struct lb_server *old)
{
	struct srvhealth *sh;

	if (!old->check || !sh_of(old)->inited || !old->opts.check || !s->opts.check)
		return;
	sh = sh_get(s);
	if (!sh)
		return;
	sh->inherited = sh_of(old)->cs.health;
	sh->have_inherited = true;
}

void srvhealth_view(const struct lb_server *s, uint64_t now_ms, struct srvhealth_view *v)
{
	const struct srvhealth *sh = s->check ? sh_of(s) : NULL;
	const struct health *h = sh && sh->inited ? &sh->cs.health : NULL;

	memset(v, 0, sizeof(*v));
	v->checked = s->opts.check;
	v->up = s->healthy;
	v->ago_ms = UINT64_MAX;
	v->result = "";
	v->desc = "";
	if (!h) {
		str_copy(v->label, s->opts.check ? "INIT" : "UP", sizeof(v->label));
		return;
	}
	health_label(h, v->label, sizeof(v->label));
	v->result = check_result_name(h->last_result);
	v->desc = check_result_desc(h->last_result);
	str_copy(v->detail, h->last_detail, sizeof(v->detail));
	v->code = h->last_code;
	v->duration_ms = h->last_duration_ms;
	if (h->checks)
		v->ago_ms = now_ms > h->last_check_ms ? now_ms - h->last_check_ms : 0;
	v->checks = h->checks;
	v->failures = h->failures;
	v->up_down = h->up_down;
	v->downtime_ms = health_downtime(h, now_ms);
}
