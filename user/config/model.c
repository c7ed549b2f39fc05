// SPDX-License-Identifier: GPL-2.0-only
/*
 * Small helpers for the readers of the configuration model: freeing it,
 * lookups by name, the attach mode names, a frontend's flow idle timeout.
 */
#include <string.h>

#include "config/config.h"
#include "lib/util.h"

void cfg_free(struct rpilb_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nbackends; i++) {
		free(cfg->backends[i].servers);
		cfg_check_free(&cfg->backends[i].check);
	}
	free(cfg->backends);
	free(cfg->frontends);
	memset(cfg, 0, sizeof(*cfg));
}

static const char *const attach_names[] = {
	[CFG_ATTACH_AUTO] = "auto",
	[CFG_ATTACH_XDP] = "xdp",
	[CFG_ATTACH_XDP_GENERIC] = "xdpgeneric",
	[CFG_ATTACH_TC] = "tc",
};

const char *cfg_attach_mode_name(enum cfg_attach_mode mode)
{
	if ((unsigned int)mode >= ARRAY_SIZE(attach_names))
		return "unknown";
	return attach_names[mode];
}

int cfg_attach_mode_parse(const char *s, enum cfg_attach_mode *mode)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attach_names); i++) {
		if (!strcmp(s, attach_names[i])) {
			*mode = (enum cfg_attach_mode)i;
			return 0;
		}
	}
	return -1;
}

struct cfg_backend *cfg_find_backend(const struct rpilb_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; cfg && name && i < cfg->nbackends; i++) {
		if (!strcmp(cfg->backends[i].name, name))
			return &cfg->backends[i];
	}
	return NULL;
}

struct cfg_server *cfg_find_server(const struct cfg_backend *be, const char *name)
{
	size_t i;

	for (i = 0; be && name && i < be->nservers; i++) {
		if (!strcmp(be->servers[i].name, name))
			return &be->servers[i];
	}
	return NULL;
}

static const struct cfg_backend *fe_backend(const struct rpilb_config *cfg,
					    const struct cfg_frontend *fe)
{
	if (fe->backend >= 0 && (size_t)fe->backend < cfg->nbackends)
		return &cfg->backends[fe->backend];
	return NULL;
}

/*
 * One last_seen serves both directions of a flow, so the idle limit is
 * the larger of the client's and the server's. In TCP mode HAProxy lets
 * 'timeout tunnel' supersede both once the connection is established,
 * which every flow rpilb forwards is.
 */
uint32_t cfg_flow_idle_ms(const struct rpilb_config *cfg, const struct cfg_frontend *fe)
{
	const struct cfg_backend *be = fe_backend(cfg, fe);
	uint32_t idle = fe->timeout_client_ms;

	if (be && be->timeout_tunnel_ms)
		return be->timeout_tunnel_ms;
	if (be && be->timeout_server_ms > idle)
		idle = be->timeout_server_ms;
	return idle ? idle : CFG_DEFAULT_IDLE_MS;
}

/*
 * A flow one side has shut: 'timeout client-fin' and 'server-fin' exist to
 * cut such flows shorter, so the smaller one that is set wins; with
 * neither, the established limit goes on.
 */
uint32_t cfg_flow_halfclosed_ms(const struct rpilb_config *cfg, const struct cfg_frontend *fe)
{
	const struct cfg_backend *be = fe_backend(cfg, fe);
	uint32_t fin = fe->timeout_client_fin_ms;

	if (be && be->timeout_server_fin_ms && (!fin || be->timeout_server_fin_ms < fin))
		fin = be->timeout_server_fin_ms;
	return fin ? fin : cfg_flow_idle_ms(cfg, fe);
}
