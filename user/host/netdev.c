// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include "host/netdev.h"

int netdev_ipv4(const char *name, struct in_addr *addr)
{
	struct ifaddrs *ifa, *i;
	int err = -EADDRNOTAVAIL;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, name))
			continue;
		*addr = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		err = 0;
		break;
	}
	freeifaddrs(ifa);
	return err;
}

bool netdev_addr_is_local(struct in_addr addr)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa))
		return false;
	for (i = ifa; i && !found; i = i->ifa_next)
		found = i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
			((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == addr.s_addr;
	freeifaddrs(ifa);
	return found;
}

static int ethtool_ioctl(const char *name, void *data)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = data;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

int netdev_driver(const char *name, char *driver, size_t len)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	int err = ethtool_ioctl(name, &info);

	if (!err)
		snprintf(driver, len, "%s", info.driver);
	return err;
}

int netdev_gro_get(const char *name, bool *on)
{
	struct ethtool_value v = { .cmd = ETHTOOL_GGRO };
	int err = ethtool_ioctl(name, &v);

	if (!err)
		*on = v.data;
	return err;
}

int netdev_gro_set(const char *name, bool on)
{
	struct ethtool_value v = { .cmd = ETHTOOL_SGRO, .data = on };

	return ethtool_ioctl(name, &v);
}

/* veth reports its peer's ifindex as the ethtool statistic "peer_ifindex". */
static int veth_peer_ifindex(const char *name, int *peer)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ethtool_gstrings *strings = NULL;
	struct ethtool_stats *stats = NULL;
	int err;

	err = ethtool_ioctl(name, &info);
	if (err)
		return err;
	if (!info.n_stats)
		return -ENOENT;
	strings = calloc(1, sizeof(*strings) + info.n_stats * ETH_GSTRING_LEN);
	stats = calloc(1, sizeof(*stats) + info.n_stats * sizeof(__u64));
	if (!strings || !stats) {
		err = -ENOMEM;
		goto out;
	}
	strings->cmd = ETHTOOL_GSTRINGS;
	strings->string_set = ETH_SS_STATS;
	strings->len = info.n_stats;
	stats->cmd = ETHTOOL_GSTATS;
	stats->n_stats = info.n_stats;
	err = ethtool_ioctl(name, strings);
	if (!err)
		err = ethtool_ioctl(name, stats);
	if (err)
		goto out;
	err = -ENOENT;
	for (__u32 i = 0; i < info.n_stats; i++) {
		if (!strncmp((char *)strings->data + i * ETH_GSTRING_LEN, "peer_ifindex",
			     ETH_GSTRING_LEN)) {
			*peer = (int)stats->data[i];
			err = 0;
			break;
		}
	}
out:
	free(strings);
	free(stats);
	return err;
}

/* One rtnetlink request, one reply, handled by fn. */
static int rtnl_talk(void *req, size_t len, int (*fn)(struct nlmsghdr *, void *), void *arg)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[16384];
	int fd, err = 0;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	{
		int one = 1;

		/* Errors come back as NLMSG_ERROR with extended info; we only need the code. */
		setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	}
	if (sendto(fd, req, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
	     nh = NLMSG_NEXT(nh, n)) {
		if (nh->nlmsg_type == NLMSG_ERROR) {
			err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			break;
		}
		if (fn) {
			err = fn(nh, arg);
			break;
		}
	}
out:
	close(fd);
	return err;
}

static void nl_put_attr(struct nlmsghdr *nh, unsigned short type, const void *data,
			unsigned short len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

struct link_info {
	int link_netnsid; /* -1: same netns */
	bool has_xdp;
};

static int parse_link(struct nlmsghdr *nh, void *arg)
{
	struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	struct link_info *li = arg;

	for (struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_LINK_NETNSID) {
			li->link_netnsid = *(int *)RTA_DATA(rta);
		} else if (rta->rta_type == IFLA_XDP) {
			int xlen = RTA_PAYLOAD(rta);

			for (struct rtattr *x = RTA_DATA(rta); RTA_OK(x, xlen);
			     x = RTA_NEXT(x, xlen))
				if (x->rta_type == IFLA_XDP_ATTACHED &&
				    *(__u8 *)RTA_DATA(x) != XDP_ATTACHED_NONE)
					li->has_xdp = true;
		}
	}
	return 0;
}

static int get_link(int ifindex, int target_nsid, struct link_info *li)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[64];
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_GETLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST,
		.ifi.ifi_family = AF_UNSPEC,
		.ifi.ifi_index = ifindex,
	};

	li->link_netnsid = -1;
	li->has_xdp = false;
	if (target_nsid >= 0)
		nl_put_attr(&req.nh, IFLA_TARGET_NETNSID, &target_nsid, sizeof(target_nsid));
	return rtnl_talk(&req, req.nh.nlmsg_len, parse_link, li);
}

int netdev_veth_peer_has_xdp(const char *name, bool *has)
{
	struct link_info self, peer;
	int ifindex = if_nametoindex(name), peer_index, err;

	if (!ifindex)
		return -ENODEV;
	err = veth_peer_ifindex(name, &peer_index);
	if (err)
		return err;
	err = get_link(ifindex, -1, &self);
	if (err)
		return err;
	/* The peer may live in another namespace: ask there by its id. */
	err = get_link(peer_index, self.link_netnsid, &peer);
	if (err)
		return err;
	*has = peer.has_xdp;
	return 0;
}

static int addr_msg(int ifindex, struct in_addr addr, int type, int flags)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[64];
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)),
		.nh.nlmsg_type = type,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags,
		.ifa.ifa_family = AF_INET,
		.ifa.ifa_prefixlen = 32,
		.ifa.ifa_index = ifindex,
	};

	nl_put_attr(&req.nh, IFA_LOCAL, &addr, sizeof(addr));
	nl_put_attr(&req.nh, IFA_ADDRESS, &addr, sizeof(addr));
	return rtnl_talk(&req, req.nh.nlmsg_len, NULL, NULL);
}

int netdev_addr_add(int ifindex, struct in_addr addr)
{
	return addr_msg(ifindex, addr, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
}

int netdev_addr_del(int ifindex, struct in_addr addr)
{
	int err = addr_msg(ifindex, addr, RTM_DELADDR, 0);

	return err == -EADDRNOTAVAIL ? 0 : err;
}

int sysctl_read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int sysctl_write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

int sysctl_read_int(const char *path, int *val)
{
	char buf[32];
	int err = sysctl_read_str(path, buf, sizeof(buf));

	if (!err)
		*val = atoi(buf);
	return err;
}

int sysctl_write_int(const char *path, int val)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", val);
	return sysctl_write_str(path, buf);
}

#define RESERVED_PORTS "/proc/sys/net/ipv4/ip_local_reserved_ports"

int port_set_parse(struct port_set *set, const char *list)
{
	const char *p = list;

	memset(set, 0, sizeof(*set));
	while (*p) {
		char *end;
		unsigned long lo, hi;

		while (*p == ',' || *p == ' ' || *p == '\n')
			p++;
		if (!*p)
			break;
		lo = strtoul(p, &end, 10);
		if (end == p || lo > 65535)
			return -EINVAL;
		hi = lo;
		p = end;
		if (*p == '-') {
			hi = strtoul(p + 1, &end, 10);
			if (end == p + 1 || hi > 65535 || hi < lo)
				return -EINVAL;
			p = end;
		}
		if (*p && *p != ',' && *p != '\n')
			return -EINVAL;
		for (unsigned long port = lo; port <= hi; port++)
			port_set_add(set, port, port);
	}
	return 0;
}

void port_set_add(struct port_set *set, uint16_t lo, uint16_t hi)
{
	for (uint32_t p = lo; p <= hi; p++)
		set->bits[p / 64] |= 1ULL << (p % 64);
}

void port_set_del(struct port_set *set, uint16_t lo, uint16_t hi)
{
	for (uint32_t p = lo; p <= hi; p++)
		set->bits[p / 64] &= ~(1ULL << (p % 64));
}

bool port_set_has(const struct port_set *set, uint16_t port)
{
	return set->bits[port / 64] & (1ULL << (port % 64));
}

/* Merged ranges, as the kernel prints the sysctl: "1-3,7,9-10". */
int port_set_format(const struct port_set *set, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (uint32_t p = 0; p < 65536; p++) {
		uint32_t lo = p;
		int n;

		if (!port_set_has(set, p))
			continue;
		while (p + 1 < 65536 && port_set_has(set, p + 1))
			p++;
		if (lo == p)
			n = snprintf(buf + used, len - used, "%s%u", used ? "," : "", lo);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u", used ? "," : "", lo, p);
		if (n < 0 || (size_t)n >= len - used)
			return -ENOSPC;
		used += n;
	}
	return 0;
}

static int reserved_ports_read(struct port_set *set)
{
	char list[8192];
	int err = sysctl_read_str(RESERVED_PORTS, list, sizeof(list));

	return err ? err : port_set_parse(set, list);
}

static int reserved_ports_write(const struct port_set *set)
{
	char list[8192];
	int err = port_set_format(set, list, sizeof(list));

	/* An empty write is rejected; a newline clears the list. */
	return err ? err : sysctl_write_str(RESERVED_PORTS, *list ? list : "\n");
}

int reserved_ports_add(uint16_t lo, uint16_t hi, char *prior, size_t len)
{
	struct port_set *set = malloc(sizeof(*set)), *mine = calloc(1, sizeof(*mine));
	int err = -ENOMEM;

	if (!set || !mine)
		goto out;
	err = reserved_ports_read(set);
	if (err)
		goto out;
	for (uint32_t p = lo; p <= hi; p++)
		if (port_set_has(set, p))
			port_set_add(mine, p, p);
	err = port_set_format(mine, prior, len);
	if (err)
		goto out;
	port_set_add(set, lo, hi);
	err = reserved_ports_write(set);
out:
	free(set);
	free(mine);
	return err;
}

int reserved_ports_del(uint16_t lo, uint16_t hi, const char *prior)
{
	struct port_set *set = malloc(sizeof(*set)), *keep = malloc(sizeof(*keep));
	int err = -ENOMEM;

	if (!set || !keep)
		goto out;
	err = reserved_ports_read(set);
	if (!err)
		err = port_set_parse(keep, prior ? prior : "");
	if (err)
		goto out;
	port_set_del(set, lo, hi);
	for (uint32_t p = lo; p <= hi; p++)
		if (port_set_has(keep, p))
			port_set_add(set, p, p);
	err = reserved_ports_write(set);
out:
	free(set);
	free(keep);
	return err;
}
