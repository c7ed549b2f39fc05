/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the control socket's two files share: control.c (the protocol's
 * table, the read-only "show" requests, reload, shutdown) and changes.c
 * (the runtime changes: add-node, del-node, drain, maint, enable).
 */
#ifndef RPILB_DAEMON_CONTROL_H
#define RPILB_DAEMON_CONTROL_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon/daemon.h"
#include "stats/render.h"

/* One request: its words after a leading "json", and where the answer goes. */
struct ctl_req {
	struct daemon *d;
	struct ctl_reply *r;
	int argc;
	char **argv;
	bool json;
};

/* "backend B" at or after word first; NULL if absent. */
const char *req_opt_backend(struct ctl_req *q, int first);
/* The server argv[1] names (with "backend B"), or NULL with the reply saying why. */
struct lb_server *req_find_server(struct ctl_req *q);

/* The answer is fn's rendering of snap; 0, or the reply says why not. */
int req_answer(struct ctl_req *q, render_fn fn, const struct snapshot *snap,
	       const struct render_opts *o);

/* changes.c */
void ctl_do_add(struct ctl_req *q);
void ctl_do_del(struct ctl_req *q);
void ctl_do_drain(struct ctl_req *q);
void ctl_do_maint(struct ctl_req *q);
void ctl_do_enable(struct ctl_req *q);

#endif
