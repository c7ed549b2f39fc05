// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the port-set helpers of user/host/netdev.c: the text form of
 * net.ipv4.ip_local_reserved_ports ("1-3,7,9-10", merged ranges, as the
 * kernel prints the bitmap) and the set operations. Nothing here touches
 * /proc: reserved_ports_add/del are exercised only through the same steps
 * done on port sets in memory.
 */
#include <errno.h>
#include <stdio.h>

#include "testutil.h"

#include "host/netdev.h"
#include "lib/util.h"

static struct port_set *set_new(void)
{
	struct port_set *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	return s;
}

static unsigned set_count(const struct port_set *s)
{
	unsigned n = 0;

	for (uint32_t p = 0; p < 65536; p++)
		n += port_set_has(s, p);
	return n;
}

/* Parse in, format, and expect out exactly. */
static void expect_canonical(const char *in, const char *out)
{
	struct port_set *s = set_new();
	char buf[512];

	if (port_set_parse(s, in))
		fail_msg("'%s' did not parse", in);
	assert_int_equal(port_set_format(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, out);
	free(s);
}

static void test_format_merges_ranges(void **state)
{
	struct port_set *s = set_new();
	char buf[128];

	(void)state;
	port_set_add(s, 1, 3);
	port_set_add(s, 7, 7);
	port_set_add(s, 9, 10);
	assert_int_equal(port_set_format(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-3,7,9-10");
	/* Adjacent and overlapping additions merge. */
	port_set_add(s, 4, 6);
	assert_int_equal(port_set_format(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-7,9-10");
	port_set_add(s, 8, 8);
	assert_int_equal(port_set_format(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-10");
	port_set_add(s, 5, 12);
	assert_int_equal(port_set_format(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-12");
	free(s);
}

static void test_empty(void **state)
{
	struct port_set *s = set_new();
	char buf[16] = "junk";

	(void)state;
	assert_int_equal(port_set_format(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* The kernel prints an empty list as a bare newline. */
	memset(s->bits, 0xff, sizeof(s->bits));
	assert_int_equal(port_set_parse(s, "\n"), 0);
	assert_int_equal(set_count(s), 0);
	memset(s->bits, 0xff, sizeof(s->bits));
	assert_int_equal(port_set_parse(s, ""), 0);
	assert_int_equal(set_count(s), 0);
	free(s);
}

static void test_parse(void **state)
{
	struct port_set *s = set_new();

	(void)state;
	assert_int_equal(port_set_parse(s, "1-3,7,9-10\n"), 0);
	assert_int_equal(set_count(s), 6);
	for (uint32_t p = 0; p < 65536; p++) {
		bool want = (p >= 1 && p <= 3) || p == 7 || p == 9 || p == 10;

		if (port_set_has(s, p) != want)
			fail_msg("port %u: has %d, expected %d", p, !want, want);
	}
	/* Parsing replaces the set, it does not add to it. */
	assert_int_equal(port_set_parse(s, "8080"), 0);
	assert_int_equal(set_count(s), 1);
	assert_true(port_set_has(s, 8080));
	free(s);
}

static void test_canonical_forms(void **state)
{
	(void)state;
	expect_canonical("1-3,7,9-10", "1-3,7,9-10");
	expect_canonical("1-3,7,9-10\n", "1-3,7,9-10");
	/* Unsorted, overlapping, adjacent, single-port ranges: one canonical form. */
	expect_canonical("9,10,7,3,2,1", "1-3,7,9-10");
	expect_canonical("5-10,1-6", "1-10");
	expect_canonical("5-5", "5");
	expect_canonical("100-200,201-300", "100-300");
	expect_canonical("1,,3", "1,3");
	expect_canonical(",1,3,", "1,3");
	expect_canonical("1, 3", "1,3");
}

static void test_edges(void **state)
{
	struct port_set *s = set_new();
	char *buf = malloc(1 << 20);

	(void)state;
	assert_non_null(buf);
	expect_canonical("0", "0");
	expect_canonical("65535", "65535");
	expect_canonical("0-65535", "0-65535");
	expect_canonical("0,65535", "0,65535");
	expect_canonical("0-1,65534-65535", "0-1,65534-65535");

	port_set_add(s, 65535, 65535);
	assert_true(port_set_has(s, 65535));
	assert_false(port_set_has(s, 65534));
	assert_false(port_set_has(s, 0));
	port_set_add(s, 0, 65535);
	assert_int_equal(set_count(s), 65536);
	port_set_del(s, 0, 0);
	port_set_del(s, 65535, 65535);
	assert_int_equal(port_set_format(s, buf, 1 << 20), 0);
	assert_string_equal(buf, "1-65534");
	port_set_del(s, 0, 65535);
	assert_int_equal(set_count(s), 0);

	/* Every other port: the longest list there is, each port on its own. */
	for (uint32_t p = 0; p < 65536; p += 2)
		port_set_add(s, p, p);
	assert_int_equal(port_set_format(s, buf, 1 << 20), 0);
	assert_int_equal(strncmp(buf, "0,2,4,6,8,10,", 13), 0);
	assert_string_equal(buf + strlen(buf) - 12, ",65532,65534");
	{
		struct port_set *back = set_new();

		assert_int_equal(port_set_parse(back, buf), 0);
		assert_memory_equal(back->bits, s->bits, sizeof(s->bits));
		free(back);
	}
	free(buf);
	free(s);
}

static void test_add_del_has(void **state)
{
	struct port_set *s = set_new();
	char buf[128];

	(void)state;
	port_set_add(s, 50000, 59999);
	assert_int_equal(set_count(s), 10000);
	assert_false(port_set_has(s, 49999));
	assert_true(port_set_has(s, 50000));
	assert_true(port_set_has(s, 59999));
	assert_false(port_set_has(s, 60000));
	/* Word boundaries of the bitmap: 63/64 and 127/128. */
	port_set_del(s, 50000, 59999);
	port_set_add(s, 63, 64);
	port_set_add(s, 127, 128);
	assert_int_equal(port_set_format(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "63-64,127-128");
	/* Deleting what is not there changes nothing; deleting a middle splits. */
	port_set_del(s, 1000, 2000);
	port_set_add(s, 10, 20);
	port_set_del(s, 15, 15);
	assert_int_equal(port_set_format(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10-14,16-20,63-64,127-128");
	/* Adding twice is adding once. */
	port_set_add(s, 10, 20);
	port_set_add(s, 10, 20);
	assert_int_equal(port_set_format(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10-20,63-64,127-128");
	free(s);
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"abc",	"1-3,x", "65536", "1-65536", "70000", "5-3",  "1-",
		"-5",	"1;2",	 "1.5",	  "1-3-5",   "1 2",   "1\t2", "99999999999999999999",
		"0x10", "1-3a",	 "1,a",
	};
	struct port_set *s = set_new();

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (port_set_parse(s, bad[i]) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	}
	free(s);
}

static void test_format_nospc(void **state)
{
	struct port_set *s = set_new();
	char buf[16];

	(void)state;
	port_set_add(s, 1, 3);
	port_set_add(s, 7, 7);
	/* "1-3,7" is 5 characters and needs 6 bytes. */
	assert_int_equal(port_set_format(s, buf, 6), 0);
	assert_string_equal(buf, "1-3,7");
	assert_int_equal(port_set_format(s, buf, 5), -ENOSPC);
	assert_int_equal(port_set_format(s, buf, 3), -ENOSPC);
	assert_int_equal(port_set_format(s, buf, 4), -ENOSPC);
	free(s);
}

/* Every pseudo-random set survives format and parse bit for bit. */
static void test_round_trip_random(void **state)
{
	struct port_set *s = set_new(), *back = set_new();
	char *buf = malloc(1 << 20);
	uint32_t r = 1;

	(void)state;
	assert_non_null(buf);
	for (int t = 0; t < 200; t++) {
		memset(s, 0, sizeof(*s));
		for (int k = 0; k < 1 + t % 50; k++) {
			uint32_t lo, len;

			r = r * 1103515245u + 12345u;
			lo = (r >> 8) % 65536;
			r = r * 1103515245u + 12345u;
			len = (r >> 8) % (t % 3 ? 8 : 3000);
			port_set_add(s, lo, lo + len > 65535 ? 65535 : lo + len);
		}
		assert_int_equal(port_set_format(s, buf, 1 << 20), 0);
		assert_int_equal(port_set_parse(back, buf), 0);
		assert_memory_equal(back->bits, s->bits, sizeof(s->bits));
	}
	free(buf);
	free(back);
	free(s);
}

/*
 * What reserved_ports_add and reserved_ports_del do with the kernel's
 * list, step by step on sets: rpilb reserves lo-hi, remembers which of
 * those ports somebody else had reserved already ("prior"), and on the
 * way out gives back exactly what it took.
 */
struct reserve_case {
	const char *kernel_before;
	uint16_t lo, hi;
	const char *prior; /* the ports of lo-hi that were reserved before */
	const char *kernel_during;
};

static void simulate(const struct reserve_case *c)
{
	struct port_set *kernel = set_new(), *mine = set_new(), *keep = set_new();
	char prior[256], during[256], after[256], before[256];

	assert_int_equal(port_set_parse(kernel, c->kernel_before), 0);
	assert_int_equal(port_set_format(kernel, before, sizeof(before)), 0);
	/* add */
	for (uint32_t p = c->lo; p <= c->hi; p++)
		if (port_set_has(kernel, p))
			port_set_add(mine, p, p);
	assert_int_equal(port_set_format(mine, prior, sizeof(prior)), 0);
	assert_string_equal(prior, c->prior);
	port_set_add(kernel, c->lo, c->hi);
	assert_int_equal(port_set_format(kernel, during, sizeof(during)), 0);
	assert_string_equal(during, c->kernel_during);
	/* del, from the text that was kept */
	assert_int_equal(port_set_parse(kernel, during), 0);
	assert_int_equal(port_set_parse(keep, prior), 0);
	port_set_del(kernel, c->lo, c->hi);
	for (uint32_t p = c->lo; p <= c->hi; p++)
		if (port_set_has(keep, p))
			port_set_add(kernel, p, p);
	assert_int_equal(port_set_format(kernel, after, sizeof(after)), 0);
	assert_string_equal(after, before);
	free(kernel);
	free(mine);
	free(keep);
}

static void test_reserve_with_prior(void **state)
{
	static const struct reserve_case cases[] = {
		{ "", 50000, 59999, "", "50000-59999" },
		{ "\n", 50000, 59999, "", "50000-59999" },
		{ "8080", 50000, 59999, "", "8080,50000-59999" },
		{ "50000-50010,60000", 50000, 59999, "50000-50010", "50000-60000" },
		{ "49990-50005", 50000, 59999, "50000-50005", "49990-59999" },
		{ "55555,59999-60001", 50000, 59999, "55555,59999", "50000-60001" },
		{ "50000-59999", 50000, 59999, "50000-59999", "50000-59999" },
		{ "0,65535", 0, 65535, "0,65535", "0-65535" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		simulate(&cases[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_merges_ranges),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_canonical_forms),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_add_del_has),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format_nospc),
		cmocka_unit_test(test_round_trip_random),
		cmocka_unit_test(test_reserve_with_prior),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
