/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The round-robin order the data path walks: each server appears
 * weight/gcd times, spread out by smooth weighted round robin so a server
 * of weight 2 gets every other flow rather than two in a row.
 */
#ifndef RPILB_SLOTS_H
#define RPILB_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "rpilb_abi.h"

struct slot_server {
	uint16_t id; /* backend id, written into the slots */
	unsigned weight; /* 0: not in the order */
};

/*
 * Fill slots[] (room for max) and return how many were written, or -1 with
 * errno ERANGE if the reduced weights add up to more than max.
 */
int slots_build(const struct slot_server *servers, size_t n, uint16_t *slots, size_t max);

/* The number of slots slots_build() would need. */
unsigned long slots_needed(const struct slot_server *servers, size_t n);

#endif
