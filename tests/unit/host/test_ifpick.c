// SPDX-License-Identifier: GPL-2.0-only
/* Which interface "up" balances on when nothing names one. */
#include <arpa/inet.h>
#include <stdio.h>

#include "host/ifpick.h"
#include "testutil.h"
#include "lib/util.h"

struct host_case {
	const char *what;
	const char *addrs; /* "name ip/prefix up|down; ..." */
	const char *default_route;
	const char *bind; /* "*" or an address */
	int rc;
	const char *want; /* the interface, or the error */
	enum ifpick_how how; /* when chosen */
};

static const struct host_case cases[] = {
	{ "a Pi on a home LAN", "eth0 192.168.1.2/24 up; wlan0 192.168.1.9/24 up", "eth0", "*", 0,
	  "eth0", IFPICK_DEFAULT_ROUTE },
	{ "default route on Wi-Fi, VIP on the wire", "eth0 10.0.0.2/24 up; wlan0 192.168.1.9/24 up",
	  "wlan0", "10.0.0.100", 0, "eth0", IFPICK_BIND_ADDR },
	{ "the bind address itself wins over a covering subnet",
	  "eth0 10.0.0.2/16 up; eth1 10.0.5.5/24 up", "", "10.0.5.5", 0, "eth1", IFPICK_BIND_ADDR },
	{ "a VIP in no subnet: the default route's", "eth0 10.0.0.2/24 up", "eth0", "172.16.0.1", 0,
	  "eth0", IFPICK_DEFAULT_ROUTE },
	{ "an isolated switch: one port, no router", "eth0 10.99.0.2/24 up", "", "*", 0, "eth0",
	  IFPICK_ONLY_ONE },
	{ "one port with two addresses is still one", "eth0 10.99.0.2/24 up; eth0 10.99.0.3/24 up",
	  "", "*", 0, "eth0", IFPICK_ONLY_ONE },
	{ "a down interface is no candidate", "eth0 10.99.0.2/24 up; wlan0 192.168.4.1/24 down", "",
	  "*", 0, "eth0", IFPICK_ONLY_ONE },
	{ "two ports, no router", "eth0 10.99.0.2/24 up; eth1 10.98.0.2/24 up", "", "*", -1,
	  "cannot tell which interface to balance on: no default route, and 2 interfaces are up "
	  "with an IPv4 address (eth0, eth1): set 'interface' in the rpilb section or use -i",
	  IFPICK_BIND_ADDR },
	{ "a VIP nobody holds, two ports, no router", "eth0 10.99.0.2/24 up; eth1 10.98.0.2/24 up",
	  "", "172.16.0.1", -1,
	  "cannot tell which interface to balance on: no interface holds the bind address, no "
	  "default route, and 2 interfaces are up with an IPv4 address (eth0, eth1): set "
	  "'interface' in the rpilb section or use -i",
	  IFPICK_BIND_ADDR },
	{ "nothing up", "eth0 10.99.0.2/24 down", "", "*", -1,
	  "cannot tell which interface to balance on: no default route, and no interface but lo "
	  "is up with an IPv4 address",
	  IFPICK_BIND_ADDR },
	{ "no IPv4 at all", "", "", "*", -1,
	  "cannot tell which interface to balance on: no default route, and no interface but lo "
	  "is up with an IPv4 address",
	  IFPICK_BIND_ADDR },
};

/* "eth0 10.0.0.2/24 up; ..." into addrs; returns the count. */
static size_t parse_addrs(const char *spec, struct ifpick_addr *addrs, size_t max)
{
	char buf[256], *tok, *save = NULL;
	size_t n = 0;

	str_copy(buf, spec, sizeof(buf));
	for (tok = strtok_r(buf, ";", &save); tok && n < max; tok = strtok_r(NULL, ";", &save)) {
		char name[IF_NAMESIZE], ip[32], state[8];
		unsigned int prefix;

		assert_int_equal(sscanf(tok, " %15s %31[0-9.]/%u %7s", name, ip, &prefix, state),
				 4);
		str_copy(addrs[n].name, name, sizeof(addrs[n].name));
		assert_int_equal(inet_pton(AF_INET, ip, &addrs[n].addr), 1);
		addrs[n].mask.s_addr = prefix ? htonl(~0u << (32 - prefix)) : 0;
		addrs[n].up = !strcmp(state, "up");
		n++;
	}
	return n;
}

static void choices(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct host_case *c = &cases[i];
		struct ifpick_addr addrs[8] = {};
		struct ifpick_host h = { .addrs = addrs };
		struct in_addr bind = { INADDR_ANY };
		char name[IF_NAMESIZE] = "", err[256] = "";
		enum ifpick_how how = IFPICK_BIND_ADDR;
		int rc;

		print_message("  %s\n", c->what);
		h.naddrs = parse_addrs(c->addrs, addrs, ARRAY_SIZE(addrs));
		str_copy(h.default_route, c->default_route, sizeof(h.default_route));
		if (strcmp(c->bind, "*"))
			assert_int_equal(inet_pton(AF_INET, c->bind, &bind), 1);
		rc = ifpick_choose(&h, bind, name, &how, err, sizeof(err));
		assert_int_equal(rc, c->rc);
		if (rc) {
			assert_string_equal(err, c->want);
		} else {
			assert_string_equal(name, c->want);
			assert_int_equal(how, c->how);
		}
	}
}

static void up_line_text(void **state)
{
	(void)state;
	assert_string_equal(
		ifpick_how_text(IFPICK_ONLY_ONE),
		"chosen as the only interface up with an IPv4 address, no default route");
	assert_string_equal(ifpick_how_text(IFPICK_DEFAULT_ROUTE), "");
	assert_string_equal(ifpick_how_text(IFPICK_BIND_ADDR), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(choices),
		cmocka_unit_test(up_line_text),
	};

	return cmocka_run_group_tests_name("ifpick", tests, NULL, NULL);
}
