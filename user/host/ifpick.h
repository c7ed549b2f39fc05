/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which interface to balance on, when neither -i nor 'interface' says:
 * the one holding the bind address; else the default route's; else, on a
 * LAN without a router, the only interface besides lo that is up with an
 * IPv4 address. The choice is a pure function of what the host has, so
 * every case is testable without a host.
 */
#ifndef RPILB_IFPICK_H
#define RPILB_IFPICK_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <netinet/in.h>

enum ifpick_how {
	IFPICK_BIND_ADDR, /* holds the bind address, or its subnet */
	IFPICK_DEFAULT_ROUTE,
	IFPICK_ONLY_ONE, /* no default route, one interface up with IPv4 */
};

/* One IPv4 address of an interface other than lo. */
struct ifpick_addr {
	char name[IF_NAMESIZE];
	struct in_addr addr, mask;
	bool up;
};

struct ifpick_host {
	const struct ifpick_addr *addrs;
	size_t naddrs;
	char default_route[IF_NAMESIZE]; /* "" without one */
};

/*
 * Choose for bind (INADDR_ANY for "*"). 0 and the name, or -1 with a
 * one-line reason in err that lists the candidates and how to choose.
 */
int ifpick_choose(const struct ifpick_host *h, struct in_addr bind, char name[IF_NAMESIZE],
		  enum ifpick_how *how, char *err, size_t errlen);

/* ifpick_choose() over this host's interfaces and routes. */
int ifpick(struct in_addr bind, char name[IF_NAMESIZE], enum ifpick_how *how, char *err,
	   size_t errlen);

/* What the up line says about a choice ("" where it goes without saying). */
const char *ifpick_how_text(enum ifpick_how how);

#endif
