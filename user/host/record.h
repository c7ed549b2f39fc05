/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What "rpilbctl up" changed on the host, written before it changes it:
 * the interface and attach mode, the sysctls it set and their old values,
 * the ports it reserved, the VIP addresses it added, GRO it turned off. "rpilbctl down" undoes
 * exactly that, whether or not a daemon is still running. A record from an
 * earlier boot is stale (the kernel forgot everything) and is ignored.
 */
#ifndef RPILB_RECORD_H
#define RPILB_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

#include "config/config.h"

#define RECORD_FILE	  "datapath"
#define RECORD_MAX_VIPS	  RPILB_MAX_SERVICES
#define RECORD_MAX_SYSCTL 8

struct record_sysctl {
	char path[128];
	int old; /* the value before rpilb set it */
};

struct host_record {
	char boot_id[40];
	char ifname[IF_NAMESIZE];
	int ifindex;
	enum cfg_attach_mode mode;
	uint16_t nat_lo, nat_hi;
	char reserved_prior[256]; /* ports of the range reserved before rpilb */
	bool ports_reserved;
	struct record_sysctl sysctls[RECORD_MAX_SYSCTL];
	int nsysctls;
	struct in_addr vips[RECORD_MAX_VIPS];
	int nvips;
	bool gro_off; /* rpilb turned the interface's GRO off (it was on) */
};

int record_load(const char *dir, struct host_record *rec);
int record_save(const char *dir, const struct host_record *rec);
int record_remove(const char *dir);
/* Sets boot_id to this boot's. */
int record_stamp(struct host_record *rec);

#endif
