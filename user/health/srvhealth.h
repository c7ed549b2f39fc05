/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's view of server health: start and stop a server's checks,
 * and read what the status page and "rpilbctl status" show. The checks
 * themselves live in checker.c; this is the glue that turns their verdicts
 * into the balancer's rotation.
 */
#ifndef RPILB_SRVHEALTH_H
#define RPILB_SRVHEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "model/balancer.h"
#include "lib/evloop.h"

struct srvhealth_view {
	char label[24]; /* "UP", "UP 1/3", "DOWN", "DOWN 1/2", "INIT", "no check" */
	const char *result; /* "L7OK"...; "" before the first check */
	const char *desc; /* HAProxy's wording for the result */
	char detail[96]; /* "Connection refused", "HTTP status 500"... */
	int code; /* HTTP status of the last check; 0 if none */
	uint32_t duration_ms;
	uint64_t ago_ms; /* since the last check; UINT64_MAX if none */
	uint64_t checks;
	uint64_t failures;
	uint64_t up_down; /* transitions */
	uint64_t downtime_ms;
	bool checked; /* health checks are configured */
	bool up;
};

/* Called when a server's health verdict changes (or its first result is in). */
typedef void (*srvhealth_changed_fn)(struct lb_server *s, void *arg);

int srvhealth_start(struct evloop *l, struct lb_server *s, srvhealth_changed_fn fn, void *arg);
/* Stop checking (maintenance, or before a reload); the verdict stays for display. */
void srvhealth_stop(struct evloop *l, struct lb_server *s);
/* Free what start allocated; the server is about to go. */
void srvhealth_release(struct lb_server *s);
/* Keep the verdict and counters of old for s (a reload that keeps a server). */
void srvhealth_inherit(struct lb_server *s, const struct lb_server *old);
void srvhealth_view(const struct lb_server *s, uint64_t now_ms, struct srvhealth_view *v);

#endif
