/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The stats page server ("listen stats"): libmicrohttpd driven by the
 * daemon's event loop, no threads. Routes (docs/stats.md):
 *   <uri>                     HTML page
 *   <uri>;csv, <uri>?stats;csv HAProxy's CSV
 *   <uri>;json                JSON
 *   /metrics                  Prometheus text format 0.0.4
 * GET and HEAD only; HTTP Basic auth on every route when users are set.
 */
#ifndef RPILB_STATS_HTTP_H
#define RPILB_STATS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "lib/evloop.h"
#include "stats/snapshot.h"
#include "stats/stats_access.h"

struct cfg_stats;

struct stats_http_opts {
	struct in_addr addr;
	uint16_t port; /* host order; 0: any free port (tests), see stats_http_port() */
	const char *uri; /* NULL or "": "/" */
	const char *realm; /* NULL or "": "rpilb Statistics" */
	const struct stats_http_user *users;
	size_t nusers; /* 0: no authentication */
	bool hide_version;
	uint32_t refresh_s; /* the page's auto-refresh; 0: none */
	uint32_t timeout_s; /* idle connections close after this; 0: 10 s */
	/*
	 * Fill *out (zeroed on entry) for one request; 0 or a negative errno
	 * (the client gets a 503). The server snapshot_free()s it afterwards,
	 * so every array in it must come from malloc.
	 */
	int (*snapshot)(struct snapshot *out, void *arg);
	void *arg;
};

/*
 * Point o at c's settings; users must hold c->nusers entries and outlive
 * the call to stats_http_start() only: the server copies what it keeps.
 */
void stats_http_opts_from_cfg(struct stats_http_opts *o, struct stats_http_user *users,
			      const struct cfg_stats *c);

struct stats_http;

/* Listen and serve from loop l; 0, or a negative errno (logged). */
int stats_http_start(struct stats_http **out, struct evloop *l, const struct stats_http_opts *o);
void stats_http_stop(struct stats_http *h);

/* The port it listens on, host order: the one picked when o->port was 0. */
uint16_t stats_http_port(const struct stats_http *h);

#endif
