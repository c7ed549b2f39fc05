/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The JSON objects the documents share (stats, status, conns and the
 * control socket's answers): one writer per object, so that a key means
 * the same thing and is spelt the same way in every document. A named
 * thing is keyed by its kind everywhere: "frontend", "backend", "server".
 * docs/stats.md lists every key; RENDER_JSON_FORMAT in render.h versions
 * them all at once.
 */
#ifndef RPILB_RENDER_JSON_H
#define RPILB_RENDER_JSON_H

#include "lib/json.h"
#include "stats/render.h"

/* "format", "version" (null with hide_version), then who runs where and for how long. */
void json_daemon(struct json_writer *jw, const struct snapshot *s, const struct render_opts *o);
/* "flows": the flow table's fill and why entries left it. */
void json_flow_table(struct json_writer *jw, const struct snapshot *s);
/* "frontends": [...] and "backends": [...], every server in its backend. */
void json_frontends(struct json_writer *jw, const struct snapshot *s);
void json_backends(struct json_writer *jw, const struct snapshot *s);
/*
 * One server's members, inside an object the caller opened: backend names
 * its backend where the server stands alone (a reply), else NULL.
 */
void json_server_members(struct json_writer *jw, const struct snap_server *sv, const char *backend);

/*
 * The daemon's whole state as one document: the stats JSON, and without
 * the data path's counters that of "status".
 */
int json_state_doc(FILE *out, const struct snapshot *s, const struct render_opts *o, bool counters);

/* Open a document's writer; finish it: the newline, and 0, -EIO or -ENOMEM. */
struct json_writer *json_doc_begin(FILE *out, const struct render_opts *o);
int json_doc_end(struct json_writer *jw, FILE *out, const struct render_opts *o);

#endif
