/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Adopting a running data path whose pins are gone. Pins live in a bpffs
 * mount; where that mount was private to the daemon ('ip netns exec'
 * mounts a fresh /sys, a container has its own, someone unmounted
 * /sys/fs/bpf), they die with it, while the program stays attached and
 * keeps forwarding. The attached program is the truth: its maps are found
 * through it, checked against what this rpilbctl expects, and pinned
 * again, so that loading reuses them and every open flow goes on.
 */
#ifndef RPILB_ADOPT_H
#define RPILB_ADOPT_H

/*
 * If rpilb's program is attached to ifindex, make pin_dir hold its maps
 * (pinning those missing, replacing pins of other maps). Returns how many
 * pins were made (0: nothing attached, or nothing to do), or a negative
 * error, logged, after which the attached program must not be replaced.
 */
int adopt_pin_attached(int ifindex, const char *ifname, const char *pin_dir);

#endif
