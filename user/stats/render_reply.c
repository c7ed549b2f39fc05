// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket's answers about one server: what a runtime change
 * (add-node, drain, maint, enable) left it as, that del-node removed it
 * and how many flows still finish on it, and "show flows NAME", which
 * "drain --wait" polls.
 */
#include <errno.h>

#include "stats/render_json.h"

static const struct snap_server *server_of(const struct snapshot *s, const struct render_opts *o)
{
	return o && o->backend && o->server ? snap_find_server(s, o->backend, o->server) : NULL;
}

static const char *plural(uint32_t n)
{
	return n == 1 ? "" : "s";
}

int render_change_text(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	const struct snap_server *sv = server_of(s, o);

	if (!sv)
		return -ENOENT;
	fprintf(out, "%s/%s %s: %s, %u open flow%s\n", o->backend, sv->name, o->what, sv->state,
		sv->active_flows, plural(sv->active_flows));
	return ferror(out) ? -EIO : 0;
}

/* A server's answer as a JSON document: "format", then what members writes. */
static int server_doc(FILE *out, const struct snapshot *s, const struct render_opts *o,
		      void (*members)(struct json_writer *jw, const struct snap_server *sv,
				      const char *backend))
{
	const struct snap_server *sv = server_of(s, o);
	struct json_writer *jw;

	if (!sv)
		return -ENOENT;
	jw = json_doc_begin(out, o);
	if (!jw)
		return -ENOMEM;
	members(jw, sv, o->backend);
	return json_doc_end(jw, out, o);
}

/* The whole server object, as in "status", with its backend beside its name. */
int render_change_json(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	return server_doc(out, s, o, json_server_members);
}

int render_deleted_text(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	const struct snap_server *sv = server_of(s, o);

	if (!sv)
		return -ENOENT;
	fprintf(out, "%s/%s deleted: no new flows; %u open flow%s finish on it\n", o->backend,
		sv->name, sv->active_flows, plural(sv->active_flows));
	return ferror(out) ? -EIO : 0;
}

static void deleted_members(struct json_writer *jw, const struct snap_server *sv,
			    const char *backend)
{
	json_kv_str(jw, "server", sv->name);
	json_kv_str(jw, "backend", backend);
	json_kv_bool(jw, "deleted", true);
	json_kv_u64(jw, "active_flows", sv->active_flows);
}

int render_deleted_json(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	return server_doc(out, s, o, deleted_members);
}

/* Just the number: "drain --wait" reads it twice a second. */
int render_open_flows(FILE *out, const struct snapshot *s, const struct render_opts *o)
{
	const struct snap_server *sv = server_of(s, o);

	if (!sv)
		return -ENOENT;
	fprintf(out, "%u\n", sv->active_flows);
	return ferror(out) ? -EIO : 0;
}
