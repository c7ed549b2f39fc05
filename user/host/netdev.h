/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What rpilb needs to know about, and set on, the interface it balances
 * on: its index, address and driver, whether a veth peer runs XDP, the
 * sysctls the data path depends on, and the dedicated VIP addresses.
 */
#ifndef RPILB_NETDEV_H
#define RPILB_NETDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

/* The interface's primary IPv4 address. */
int netdev_ipv4(const char *name, struct in_addr *addr);
/* True if addr is assigned to any local interface. */
bool netdev_addr_is_local(struct in_addr addr);
/* Kernel driver name (ethtool), e.g. "veth", "bcmgenet", "macb". */
int netdev_driver(const char *name, char *driver, size_t len);
/* Generic receive offload on the interface (ethtool -k's generic-receive-offload). */
int netdev_gro_get(const char *name, bool *on);
int netdev_gro_set(const char *name, bool on);
/* For a veth: does the other end have an XDP program (in whatever netns)? */
int netdev_veth_peer_has_xdp(const char *name, bool *has);

/* Add or remove addr/32 on the interface (a dedicated VIP the kernel answers ARP for). */
int netdev_addr_add(int ifindex, struct in_addr addr);
int netdev_addr_del(int ifindex, struct in_addr addr);

/* sysctl by path under /proc/sys; values are small integers. */
int sysctl_read_int(const char *path, int *val);
int sysctl_write_int(const char *path, int val);
int sysctl_read_str(const char *path, char *buf, size_t len);
int sysctl_write_str(const char *path, const char *val);

/* A set of TCP ports, as the ip_local_reserved_ports bitmap holds them. */
struct port_set {
	uint64_t bits[65536 / 64];
};

int port_set_parse(struct port_set *set, const char *list);
int port_set_format(const struct port_set *set, char *buf, size_t len);
void port_set_add(struct port_set *set, uint16_t lo, uint16_t hi);
void port_set_del(struct port_set *set, uint16_t lo, uint16_t hi);
bool port_set_has(const struct port_set *set, uint16_t port);

/*
 * Reserve lo-hi from the kernel's ephemeral ports. prior receives the
 * ports of lo-hi that were reserved already (by someone else), so that
 * reserved_ports_del() gives back exactly what rpilb took.
 */
int reserved_ports_add(uint16_t lo, uint16_t hi, char *prior, size_t len);
int reserved_ports_del(uint16_t lo, uint16_t hi, const char *prior);

#endif
