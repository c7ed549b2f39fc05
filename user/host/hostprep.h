/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host side of the data path: where things live (state, socket, pins),
 * which attach mode really forwards on an interface, and the host settings
 * the program depends on, set by "up" and given back by "down".
 */
#ifndef RPILB_HOSTPREP_H
#define RPILB_HOSTPREP_H

#include <limits.h>
#include <stddef.h>

#include "model/balancer.h"
#include "config/config.h"
#include "host/record.h"

struct rpilb_paths {
	char state_dir[CFG_PATH_MAX];
	char socket[CFG_PATH_MAX];
	char pin_dir[CFG_PATH_MAX];
};

void paths_from_cfg(const struct rpilb_config *cfg, struct rpilb_paths *p);
/* From a config file if it parses (else the defaults): for down, which must always work. */
void paths_from_config(const char *path, struct rpilb_paths *p);

/*
 * Resolve AUTO for ifname, or check an explicit choice. On veth, native
 * XDP_TX only delivers if the peer runs XDP too, so auto takes xdp only
 * then and tc otherwise. Elsewhere auto means "native XDP, or tc if the
 * driver has none" (*fallback set): the attach itself decides.
 */
int host_pick_mode(const char *ifname, enum cfg_attach_mode want, enum cfg_attach_mode *mode,
		   bool *fallback, char *why, size_t len);

/*
 * Set what the data path needs (forwarding for bpf_fib_lookup, no ICMP
 * redirects, local source accepted for packets handed to the kernel),
 * reserve the NAT ports and add dedicated VIPs. Each change is recorded
 * before it is made.
 */
int host_prepare(struct host_record *rec, const char *state_dir, const struct balancer *b,
		 uint16_t nat_lo, uint16_t nat_hi);
/*
 * After the attach, when the mode is final: GRO merges a burst of segments
 * into one packet whose TCP checksum is left for the way out to finish
 * (CHECKSUM_PARTIAL), and tc and generic XDP run after GRO; rewriting such
 * a packet as if its checksum were complete breaks it on the wire. Native
 * XDP sees the frames before GRO. So for tc and generic XDP GRO goes off,
 * recorded, and down turns it back on.
 */
int host_prepare_offload(struct host_record *rec, const char *state_dir);
void host_restore(const struct host_record *rec);

#endif
