/* SPDX-License-Identifier: GPL-2.0-only */
/* "rpilbctl status": the servers, their state and flows, as text or JSON. */
#ifndef RPILB_RENDER_STATUS_H
#define RPILB_RENDER_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model/balancer.h"

struct status_info {
	const char *ifname;
	const char *mode;
	const char *mode_why;
	uint64_t uptime_ms;
	uint32_t flows;
	uint32_t capacity;
	int pid;
};

/* "MAINT", "DRAIN", or the health label ("UP 1/3"...). */
void server_state_label(const struct lb_server *s, uint64_t now_ms, char *buf, size_t len);

void render_status_text(FILE *out, const struct balancer *b, const struct status_info *si,
			uint64_t now_ms);
void render_status_json(FILE *out, bool pretty, const struct balancer *b,
			const struct status_info *si, uint64_t now_ms);

#endif
