// SPDX-License-Identifier: GPL-2.0-only
/*
 * reload (SIGHUP, systemctl reload, the control socket): a new model from
 * the file plus the runtime changes, written to the kernel before the
 * swap, so that a reload that fails anywhere leaves the running balancer
 * as it was: its model, its kernel maps, its checks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/load.h"
#include "daemon/notify.h"
#include "daemon/private.h"
#include "health/srvhealth.h"
#include "lib/log.h"

/* Settings that only "down" and "up" can change, because open flows depend on them. */
static void warn_fixed_settings(const struct cfg_rpilb *old, const struct cfg_rpilb *new)
{
	if (strcmp(old->interface, new->interface) || old->mode != new->mode)
		pr_warn("reload: interface and attach mode keep their running values until "
			"'rpilbctl down' and 'up'");
	if (old->flow_table_size != new->flow_table_size || old->nat_port_lo != new->nat_port_lo ||
	    old->nat_port_hi != new->nat_port_hi)
		pr_warn("reload: flow-table-size and nat-ports keep their running values until "
			"'rpilbctl down' and 'up'");
	if (strcmp(old->state_dir, new->state_dir) || strcmp(old->socket_path, new->socket_path) ||
	    strcmp(old->pin_dir, new->pin_dir))
		pr_warn("reload: state-dir, socket and pin-dir keep their running values");
}

/* The file, valid and with something to forward; its fixed settings are the running ones. */
static struct rpilb_config *reload_read(struct daemon *d, char *err, size_t errlen)
{
	struct rpilb_config *cfg = calloc(1, sizeof(*cfg));
	struct cfg_diags diags = {};

	if (!cfg) {
		snprintf(err, errlen, "out of memory; the running configuration stays");
		return NULL;
	}
	if (config_load(d->cfg_path, cfg, &diags)) {
		snprintf(err, errlen, "%s has %zu error%s; the running configuration stays",
			 d->cfg_path, diags.nerrors, diags.nerrors == 1 ? "" : "s");
		goto fail;
	}
	if (!cfg_has_listener(cfg)) {
		snprintf(err, errlen,
			 "%s has no listener (no frontend or listen section forwards a port); the "
			 "running configuration stays",
			 d->cfg_path);
		cfg_free(cfg);
		goto fail;
	}
	config_log_diags(&diags);
	cfg_diags_free(&diags);
	warn_fixed_settings(&d->cfg->rpilb, &cfg->rpilb);
	cfg->rpilb = d->cfg->rpilb;
	return cfg;
fail:
	config_log_diags(&diags);
	cfg_diags_free(&diags);
	free(cfg);
	return NULL;
}

/* Everything that can fail, on the new model only. */
static int reload_build(struct daemon *d, struct rpilb_config *cfg, struct balancer *next,
			char *err, size_t errlen)
{
	struct lb_overrides ov = {};
	int ret;

	/* Runtime changes carry over, and so do the ids that open flows count against. */
	ret = balancer_overrides(&d->lb, &ov);
	daemon_count_open_flows(d, d->lb.flows_by_id);
	if (ret)
		snprintf(err, errlen, "out of memory; the running configuration stays");
	else
		ret = balancer_build(next, cfg, &ov, d->lb.nat_addr, &d->maps, d->lb.flows_by_id,
				     err, errlen);
	overrides_free(&ov);
	if (ret)
		return ret;
	balancer_inherit(next, &d->lb);
	ret = host_prepare(&d->rec, d->paths.state_dir, next, cfg->rpilb.nat_port_lo,
			   cfg->rpilb.nat_port_hi);
	if (!ret) {
		ret = balancer_sync(next);
		if (ret && balancer_sync(&d->lb))
			pr_err("reload: could not put the running configuration back in the kernel");
	}
	if (ret) {
		snprintf(err, errlen,
			 "applying the new configuration failed: %s; the running configuration "
			 "stays",
			 strerror(-ret));
		balancer_free(next);
	}
	return ret;
}

/* The swap: checks move to the new servers, the old model goes. Nothing here fails. */
static void reload_swap(struct daemon *d, struct rpilb_config *cfg, struct balancer *next)
{
	struct lb_server *s;

	daemon_stop_health(d, &d->lb);
	for_each_server(next,
			s) if (d->lb.by_id[s->id] && balancer_same_server(s, d->lb.by_id[s->id]))
		srvhealth_inherit(s, d->lb.by_id[s->id]);
	daemon_release_health(&d->lb);
	balancer_free(&d->lb);
	cfg_free(d->cfg);
	free(d->cfg);
	d->cfg = cfg;
	balancer_move(&d->lb, next);
}

int daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct rpilb_config *cfg;
	struct balancer next;
	int ret;

	notify_reloading();
	cfg = reload_read(d, err, errlen);
	if (!cfg) {
		ret = -EINVAL;
		goto out;
	}
	ret = reload_build(d, cfg, &next, err, errlen);
	if (ret) {
		cfg_free(cfg);
		free(cfg);
		goto out;
	}
	reload_swap(d, cfg, &next);
	ret = daemon_start_health(d);
	if (ret) {
		snprintf(err, errlen, "starting the health checks failed: %s", strerror(-ret));
		goto out;
	}
	/* The stats section may have changed: listen anew. */
	daemon_stop_stats(d);
	if (daemon_start_stats(d))
		pr_warn("reload: the stats page is off until the next reload");
	ret = daemon_save_state(d, err, errlen);
	if (ret)
		goto out;
	pr_info("reloaded %s: %zu frontend bind%s, %zu backend%s", d->cfg_path, d->lb.nservices,
		d->lb.nservices == 1 ? "" : "s", d->lb.npools, d->lb.npools == 1 ? "" : "s");
out:
	notify_ready();
	return ret;
}
