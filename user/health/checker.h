/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The health engine: for each server, a timer that starts a check, and a
 * state machine that turns the results into UP and DOWN. Each server has
 * its own timer and socket, so a slow or hanging one delays no other.
 * Transitions are logged once, in HAProxy's words; other results are not.
 *
 * Usage:
 *	check_spec_from_cfg(&spec, be, addr, port, &opts);
 *	health_params_from_cfg(&hp, &opts, be->timeout_check_ms);
 *	checker_server_init(cs, be->name, name, opts.check, &spec, &hp, changed, arg);
 *	checker_server_start(cs, loop);
 *	...
 *	checker_server_stop(cs);
 *
 * The first round: changed() runs on every state change, a server's first
 * verdict (INIT -> UP or DOWN) included. A caller that must wait until
 * every server has been judged once (the daemon, before it reports ready)
 * asks checker_round_pending() from its changed() callback, and once after
 * starting (servers without "check" are settled from the start).
 */
#ifndef RPILB_CHECKER_H
#define RPILB_CHECKER_H

#include <stdbool.h>
#include <stddef.h>

#include "health/probe.h"
#include "config/config.h"
#include "lib/evloop.h"
#include "health/health.h"

struct checker_server;

typedef void (*checker_changed_fn)(struct checker_server *cs, void *arg);

struct checker_server {
	char name[2 * CFG_NAME_MAX]; /* "backend/server", as the log names it */
	bool enabled; /* "check" is set; otherwise UP for good */
	struct health health;
	struct check_spec spec;

	/* Private. */
	struct check check;
	struct ev_timer timer; /* the next check */
	struct evloop *loop; /* non-NULL while started */
	checker_changed_fn changed;
	void *arg;
};

/*
 * Prepare cs (any previous content is overwritten: stop it first). With
 * enabled false the server is UP at once and never checked. Returns 0, or
 * -EINVAL (logged) if the check could not run as specified.
 */
int checker_server_init(struct checker_server *cs, const char *backend, const char *server,
			bool enabled, const struct check_spec *spec, const struct health_params *hp,
			checker_changed_fn changed, void *arg);

/* Keep old's verdict and counters (a reload that keeps the server); before start. */
void checker_server_inherit(struct checker_server *cs, const struct checker_server *old);

/*
 * First check at once, then one every health_next_interval() after each
 * result. Does nothing for a server without "check" or already started.
 */
void checker_server_start(struct checker_server *cs, struct evloop *loop);

/* Cancel the timer and any check in flight; changed() is not called. */
void checker_server_stop(struct checker_server *cs);

/* Check again now (after an admin change, say) unless a check is in flight. */
void checker_server_check_now(struct checker_server *cs);

/* A server is settled once it has a verdict: its first result, or no "check". */
static inline bool checker_server_settled(const struct checker_server *cs)
{
	return !cs->enabled || cs->health.state != HEALTH_INIT;
}

/* How many of these servers still wait for their first verdict. */
size_t checker_round_pending(struct checker_server *const *servers, size_t n);

#endif
