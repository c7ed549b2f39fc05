// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/names.h"

bool name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CFG_NAME_MAX)
		return false;
	return strspn(s, NAME_CHARS) == n;
}

int parse_ipv4_port(const char *s, struct in_addr *addr, uint16_t *port)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	size_t hlen = colon ? (size_t)(colon - s) : strlen(s);
	unsigned long p = 0;
	char *end;

	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, addr) != 1)
		return -1;
	if (colon) {
		p = strtoul(colon + 1, &end, 10);
		if (*end || end == colon + 1 || p == 0 || p > 65535)
			return -1;
	}
	*port = p;
	return 0;
}
