// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/ifpick.h"
#include "lib/util.h"

#define HOW_TO_CHOOSE "set 'interface' in the rpilb section or use -i"

static bool holds(const struct ifpick_addr *a, struct in_addr addr)
{
	return a->addr.s_addr == addr.s_addr;
}

/* A VIP not added yet belongs to the interface whose subnet it is in. */
static bool covers(const struct ifpick_addr *a, struct in_addr addr)
{
	return ((a->addr.s_addr ^ addr.s_addr) & a->mask.s_addr) == 0;
}

static const struct ifpick_addr *by_bind_addr(const struct ifpick_host *h, struct in_addr bind)
{
	const struct ifpick_addr *subnet = NULL;

	for (size_t i = 0; i < h->naddrs; i++) {
		if (holds(&h->addrs[i], bind))
			return &h->addrs[i];
		if (!subnet && covers(&h->addrs[i], bind))
			subnet = &h->addrs[i];
	}
	return subnet;
}

/* The names of the interfaces up with an IPv4 address, each once; their count. */
static size_t up_names(const struct ifpick_host *h, char *list, size_t len, const char **first)
{
	size_t n = 0, used = 0;

	*first = NULL;
	if (len)
		list[0] = '\0';
	for (size_t i = 0; i < h->naddrs; i++) {
		const struct ifpick_addr *a = &h->addrs[i];
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = h->addrs[j].up && !strcmp(h->addrs[j].name, a->name);
		if (!a->up || seen)
			continue;
		if (!n++)
			*first = a->name;
		if (used < len)
			used += snprintf(list + used, len - used, "%s%s", n > 1 ? ", " : "",
					 a->name);
	}
	return n;
}

int ifpick_choose(const struct ifpick_host *h, struct in_addr bind, char name[IF_NAMESIZE],
		  enum ifpick_how *how, char *err, size_t errlen)
{
	const struct ifpick_addr *a = NULL;
	const char *only;
	char list[128];
	size_t n;

	if (bind.s_addr != INADDR_ANY)
		a = by_bind_addr(h, bind);
	if (a) {
		str_copy(name, a->name, IF_NAMESIZE);
		*how = IFPICK_BIND_ADDR;
		return 0;
	}
	if (h->default_route[0]) {
		str_copy(name, h->default_route, IF_NAMESIZE);
		*how = IFPICK_DEFAULT_ROUTE;
		return 0;
	}
	n = up_names(h, list, sizeof(list), &only);
	if (n == 1) {
		str_copy(name, only, IF_NAMESIZE);
		*how = IFPICK_ONLY_ONE;
		return 0;
	}
	if (n == 0)
		snprintf(err, errlen,
			 "cannot tell which interface to balance on: %sno default route, and no "
			 "interface but lo is up with an IPv4 address",
			 bind.s_addr != INADDR_ANY ? "no interface holds the bind address, " : "");
	else
		snprintf(err, errlen,
			 "cannot tell which interface to balance on: %sno default route, and %zu "
			 "interfaces are up with an IPv4 address (%s): " HOW_TO_CHOOSE,
			 bind.s_addr != INADDR_ANY ? "no interface holds the bind address, " : "",
			 n, list);
	return -1;
}

/* /proc/net/route (this network namespace's): the interface of the default route. */
static void read_default_route(char name[IF_NAMESIZE])
{
	char line[256], ifname[IF_NAMESIZE];
	unsigned long dest, mask;
	FILE *f = fopen("/proc/net/route", "re");

	name[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%15s %lx %*x %*x %*d %*d %*d %lx", ifname, &dest, &mask) == 3 &&
		    dest == 0 && mask == 0) {
			str_copy(name, ifname, IF_NAMESIZE);
			break;
		}
	}
	fclose(f);
}

int ifpick(struct in_addr bind, char name[IF_NAMESIZE], enum ifpick_how *how, char *err,
	   size_t errlen)
{
	struct ifpick_host h = {};
	struct ifpick_addr *addrs = NULL;
	struct ifaddrs *ifa, *i;
	size_t n = 0;
	int ret = -1;

	if (getifaddrs(&ifa)) {
		snprintf(err, errlen, "cannot list the interfaces: %s", strerror(errno));
		return -1;
	}
	for (i = ifa; i; i = i->ifa_next)
		n += i->ifa_addr && i->ifa_addr->sa_family == AF_INET;
	addrs = calloc(n ? n : 1, sizeof(*addrs));
	if (!addrs) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = ifa; i; i = i->ifa_next) {
		struct ifpick_addr *a = &addrs[h.naddrs];

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask ||
		    (i->ifa_flags & IFF_LOOPBACK))
			continue;
		str_copy(a->name, i->ifa_name, sizeof(a->name));
		a->addr = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		a->mask = ((struct sockaddr_in *)i->ifa_netmask)->sin_addr;
		a->up = i->ifa_flags & IFF_UP;
		h.naddrs++;
	}
	h.addrs = addrs;
	read_default_route(h.default_route);
	ret = ifpick_choose(&h, bind, name, how, err, errlen);
out:
	free(addrs);
	freeifaddrs(ifa);
	return ret;
}

const char *ifpick_how_text(enum ifpick_how how)
{
	switch (how) {
	case IFPICK_ONLY_ONE:
		return "chosen as the only interface up with an IPv4 address, no default route";
	case IFPICK_BIND_ADDR:
	case IFPICK_DEFAULT_ROUTE:
		break;
	}
	return "";
}
