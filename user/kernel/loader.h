/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Getting the data path into the kernel and onto an interface: open the
 * embedded object, reuse or create the pinned maps, load, attach as XDP
 * (native or generic) or tc, and take it all down again. The attachment
 * belongs to the kernel, not to the process: rpilbctl may exit or crash and
 * packets keep flowing.
 */
#ifndef RPILB_LOADER_H
#define RPILB_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

#define RPILB_PIN_ROOT	"/sys/fs/bpf"
#define RPILB_PIN_DIR	RPILB_PIN_ROOT "/rpilb"
#define RPILB_TC_HANDLE 0x7270 /* "rp" */
#define RPILB_TC_PRIO	1

struct rpilb_bpf;

struct loader {
	struct rpilb_bpf *skel;
	char pin_dir[256]; /* "" when nothing is pinned (tests) */
};

/*
 * Open and load. With pin_dir set, maps already pinned there are reused
 * (their flows survive) and new ones are pinned. flow_capacity sizes the
 * flow tables of a fresh load; a reuse keeps the pinned size.
 */
int loader_open(struct loader *l, const char *pin_dir, uint32_t flow_capacity);
void loader_close(struct loader *l);

/*
 * Attach to ifindex in mode (not AUTO), atomically replacing an rpilb
 * program already there. Another program on the hook is an error: rpilb
 * never removes what is not its own.
 */
int loader_attach(struct loader *l, int ifindex, enum cfg_attach_mode mode);

/* Remove rpilb's program from ifindex in mode; absent is not an error. */
int loader_detach(int ifindex, enum cfg_attach_mode mode);

/* Which rpilb program (if any) is attached to ifindex, and how. */
int loader_query(int ifindex, enum cfg_attach_mode *mode, uint32_t *prog_id);

/* Remove every pin under pin_dir and the directory itself. */
int loader_unpin(const char *pin_dir);

/* Mount bpffs on /sys/fs/bpf if nothing is mounted there. */
int loader_ensure_bpffs(void);

#endif
