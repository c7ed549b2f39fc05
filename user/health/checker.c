// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "health/checker.h"
#include "lib/log.h"
#include "lib/util.h"

static struct checker_server *server_of_timer(struct ev_timer *t)
{
	return container_of(t, struct checker_server, timer);
}

static struct checker_server *server_of_check(struct check *c)
{
	return container_of(c, struct checker_server, check);
}

int checker_server_init(struct checker_server *cs, const char *backend, const char *server,
			bool enabled, const struct check_spec *spec, const struct health_params *hp,
			checker_changed_fn changed, void *arg)
{
	uint64_t now = ev_now_ms();
	char err[192];
	int ret = 0;

	memset(cs, 0, sizeof(*cs));
	snprintf(cs->name, sizeof(cs->name), "%s/%s", backend, server);
	cs->enabled = enabled;
	cs->spec = *spec;
	cs->changed = changed;
	cs->arg = arg;
	if (!enabled) {
		health_init_unchecked(&cs->health, hp, now);
		goto out;
	}
	health_init(&cs->health, hp, now);
	/* Refuse now: a check that cannot start would leave the server in INIT for good. */
	ret = check_spec_validate(spec, err, sizeof(err));
	if (ret)
		pr_err("server %s: cannot check it: %s", cs->name, err);
out:
	return ret;
}

void checker_server_inherit(struct checker_server *cs, const struct checker_server *old)
{
	if (cs->enabled && old->enabled)
		health_inherit(&cs->health, &old->health);
}

static void log_transition(const struct checker_server *cs)
{
	const struct health *h = &cs->health;
	char extra[HEALTH_DETAIL_MAX + 16] = "";

	/* The code says it all for HTTP results; otherwise the detail explains. */
	if (h->last_code)
		snprintf(extra, sizeof(extra), ", code: %d", h->last_code);
	else if (h->last_detail[0])
		snprintf(extra, sizeof(extra), ", info: \"%s\"", h->last_detail);
	if (health_is_up(h))
		pr_info("server %s is UP, reason: %s (%s)%s, check duration: %ums", cs->name,
			check_result_desc(h->last_result), check_result_name(h->last_result), extra,
			h->last_duration_ms);
	else
		pr_warn("server %s is DOWN, reason: %s (%s)%s, check duration: %ums", cs->name,
			check_result_desc(h->last_result), check_result_name(h->last_result), extra,
			h->last_duration_ms);
}

static void checker_done(struct check *c, void *arg)
{
	struct checker_server *cs = server_of_check(c);
	bool changed;

	(void)arg;
	changed = health_feed(&cs->health, c->result, c->code, c->duration_ms, c->detail,
			      ev_now_ms());
	if (changed)
		log_transition(cs);
	/* Arm before telling anyone: changed() may stop this server, and that must stick. */
	ev_timer_arm(cs->loop, &cs->timer, health_next_interval(&cs->health));
	if (changed && cs->changed)
		cs->changed(cs, cs->arg);
}

static void checker_tick(struct ev_timer *t)
{
	struct checker_server *cs = server_of_timer(t);
	int ret;

	if (check_running(&cs->check))
		return;
	/*
	 * What a check must know of the server's health, fresh for each one:
	 * disable-on-404 takes a 404 as a conditional pass only from a server
	 * that is not DOWN (HAProxy's rule: a 404 never brings one back), and
	 * send-state tells the server its state and name.
	 */
	cs->spec.down = cs->health.state == HEALTH_DOWN;
	if (cs->spec.chk && cs->spec.chk->send_state) {
		char label[32];

		health_label(&cs->health, label, sizeof(label));
		snprintf(cs->spec.state, sizeof(cs->spec.state), "%s; name=%s", label, cs->name);
	}
	ret = check_start(&cs->check, cs->loop, &cs->spec, checker_done, NULL);
	if (ret) {
		/* Validated at init, so this is unexpected: keep trying at the normal pace. */
		pr_err("server %s: health check not started: %s", cs->name, strerror(-ret));
		ev_timer_arm(cs->loop, &cs->timer, cs->health.p.inter_ms);
	}
}

void checker_server_start(struct checker_server *cs, struct evloop *loop)
{
	if (!cs->enabled || cs->loop)
		return;
	cs->loop = loop;
	cs->timer = (struct ev_timer){ .cb = checker_tick };
	ev_timer_arm(loop, &cs->timer, 0);
}

void checker_server_stop(struct checker_server *cs)
{
	if (!cs->loop)
		return;
	ev_timer_cancel(cs->loop, &cs->timer);
	check_abort(&cs->check);
	cs->loop = NULL;
}

void checker_server_check_now(struct checker_server *cs)
{
	if (!cs->loop || check_running(&cs->check))
		return;
	ev_timer_arm(cs->loop, &cs->timer, 0);
}

size_t checker_round_pending(struct checker_server *const *servers, size_t n)
{
	size_t pending = 0;

	for (size_t i = 0; i < n; i++)
		pending += !checker_server_settled(servers[i]);
	return pending;
}
