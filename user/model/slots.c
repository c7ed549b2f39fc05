// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>

#include "model/slots.h"

static unsigned gcd(unsigned a, unsigned b)
{
	while (b) {
		unsigned t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static unsigned weights_gcd(const struct slot_server *servers, size_t n)
{
	unsigned g = 0;

	for (size_t i = 0; i < n; i++)
		g = gcd(g, servers[i].weight);
	return g;
}

unsigned long slots_needed(const struct slot_server *servers, size_t n)
{
	unsigned g = weights_gcd(servers, n);
	unsigned long total = 0;

	if (!g)
		return 0;
	for (size_t i = 0; i < n; i++)
		total += servers[i].weight / g;
	return total;
}

int slots_build(const struct slot_server *servers, size_t n, uint16_t *slots, size_t max)
{
	unsigned long total = slots_needed(servers, n);
	unsigned g = weights_gcd(servers, n);
	long *current;

	if (total == 0)
		return 0;
	if (total > max) {
		errno = ERANGE;
		return -1;
	}
	current = calloc(n, sizeof(*current));
	if (!current)
		return -1;

	/*
	 * nginx's smooth weighted round robin: everyone gains its weight, the
	 * richest is picked and pays the total. Ties go to the earlier server,
	 * so equal weights give plain rotation in configuration order.
	 */
	for (unsigned long s = 0; s < total; s++) {
		size_t best = n;

		for (size_t i = 0; i < n; i++) {
			if (!servers[i].weight)
				continue;
			current[i] += servers[i].weight / g;
			if (best == n || current[i] > current[best])
				best = i;
		}
		current[best] -= (long)total;
		slots[s] = servers[best].id;
	}
	free(current);
	return (int)total;
}
