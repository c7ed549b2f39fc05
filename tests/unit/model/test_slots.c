// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the weighted round-robin slot table (user/model/slots.c): the
 * exact order for small weight sets, and properties that must hold for any
 * weights, checked over many pseudo-random sets from a fixed seed.
 */
#include <errno.h>
#include <stdio.h>

#include "testutil.h"

#include "model/slots.h"
#include "lib/util.h"

#define MAXN  16
#define GUARD 0xbeef /* never a valid id in these tests: marks untouched slots */

/* Build from weights; ids are 10, 11, 12... so an index is never mistaken for an id. */
static int build(const unsigned *weights, size_t n, uint16_t *slots, size_t max)
{
	struct slot_server servers[MAXN];

	assert_true(n <= MAXN);
	for (size_t i = 0; i < n; i++) {
		servers[i].id = 10 + i;
		servers[i].weight = weights[i];
	}
	for (size_t i = 0; i < max; i++)
		slots[i] = GUARD;
	return slots_build(servers, n, slots, max);
}

/* Expect exactly this order (as server indexes) and nothing written past it. */
static void expect_order(const unsigned *weights, size_t n, const int *order, size_t len)
{
	uint16_t slots[64];
	struct slot_server servers[MAXN];
	int got = build(weights, n, slots, ARRAY_SIZE(slots));

	assert_int_equal(got, len);
	for (size_t i = 0; i < len; i++) {
		if (slots[i] != 10 + order[i])
			fail_msg("slot %zu: id %u, expected %d", i, slots[i], 10 + order[i]);
	}
	for (size_t i = len; i < ARRAY_SIZE(slots); i++)
		assert_int_equal(slots[i], GUARD);
	for (size_t i = 0; i < n; i++) {
		servers[i].id = 10 + i;
		servers[i].weight = weights[i];
	}
	assert_int_equal(slots_needed(servers, n), len);
}

static void test_equal_weights_rotate_in_order(void **state)
{
	(void)state;
	expect_order((unsigned[]){ 1, 1, 1 }, 3, (int[]){ 0, 1, 2 }, 3);
	expect_order((unsigned[]){ 1 }, 1, (int[]){ 0 }, 1);
	expect_order((unsigned[]){ 1, 1, 1, 1, 1 }, 5, (int[]){ 0, 1, 2, 3, 4 }, 5);
}

static void test_2_1_1(void **state)
{
	(void)state;
	/* The lab test: 400 connections give exactly 200/100/100. */
	expect_order((unsigned[]){ 2, 1, 1 }, 3, (int[]){ 0, 1, 2, 0 }, 4);
	/* Where the heavy server is written does not change its spacing. */
	expect_order((unsigned[]){ 1, 2, 1 }, 3, (int[]){ 1, 0, 2, 1 }, 4);
	expect_order((unsigned[]){ 1, 1, 2 }, 3, (int[]){ 2, 0, 1, 2 }, 4);
}

static void test_5_1_1(void **state)
{
	(void)state;
	/* Smooth: the light servers are spread out, never "a a a a a b c". */
	expect_order((unsigned[]){ 5, 1, 1 }, 3, (int[]){ 0, 0, 1, 0, 2, 0, 0 }, 7);
}

static void test_3_2(void **state)
{
	(void)state;
	expect_order((unsigned[]){ 3, 2 }, 2, (int[]){ 0, 1, 0, 1, 0 }, 5);
	expect_order((unsigned[]){ 2, 3 }, 2, (int[]){ 1, 0, 1, 0, 1 }, 5);
}

static void test_common_divisor_is_reduced(void **state)
{
	(void)state;
	expect_order((unsigned[]){ 2, 2, 2 }, 3, (int[]){ 0, 1, 2 }, 3);
	expect_order((unsigned[]){ 256, 256 }, 2, (int[]){ 0, 1 }, 2);
	expect_order((unsigned[]){ 4, 2, 2 }, 3, (int[]){ 0, 1, 2, 0 }, 4);
	expect_order((unsigned[]){ 10, 15 }, 2, (int[]){ 1, 0, 1, 0, 1 }, 5);
	/* A single server of any weight is one slot. */
	expect_order((unsigned[]){ 7 }, 1, (int[]){ 0 }, 1);
}

static void test_zero_weights_excluded(void **state)
{
	(void)state;
	expect_order((unsigned[]){ 0, 1, 0, 1 }, 4, (int[]){ 1, 3 }, 2);
	expect_order((unsigned[]){ 2, 0, 1, 1 }, 4, (int[]){ 0, 2, 3, 0 }, 4);
	/* A zero does not spoil the divisor of the others. */
	expect_order((unsigned[]){ 0, 4, 2 }, 3, (int[]){ 1, 2, 1 }, 3);
}

static void test_all_zero_is_empty(void **state)
{
	uint16_t slots[8];

	(void)state;
	assert_int_equal(build((unsigned[]){ 0, 0, 0 }, 3, slots, ARRAY_SIZE(slots)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		assert_int_equal(slots[i], GUARD);
	assert_int_equal(slots_needed((struct slot_server[]){ { 1, 0 }, { 2, 0 } }, 2), 0);
	/* No servers at all. */
	assert_int_equal(build(NULL, 0, slots, ARRAY_SIZE(slots)), 0);
	assert_int_equal(slots_needed(NULL, 0), 0);
}

static void test_erange(void **state)
{
	uint16_t slots[8];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		slots[i] = GUARD;
	/* 3 + 4 = 7 slots. */
	errno = 0;
	assert_int_equal(build((unsigned[]){ 3, 4 }, 2, slots, 6), -1);
	assert_int_equal(errno, ERANGE);
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		assert_int_equal(slots[i], GUARD);
	/* Exactly full is fine. */
	assert_int_equal(build((unsigned[]){ 3, 4 }, 2, slots, 7), 7);
	assert_int_equal(slots[7], GUARD);
	/* Reduced weights count, not the written ones: 300:400 needs 7 too. */
	assert_int_equal(build((unsigned[]){ 300, 400 }, 2, slots, 7), 7);
	/* Zero room and something to place. */
	errno = 0;
	assert_int_equal(build((unsigned[]){ 1 }, 1, slots, 0), -1);
	assert_int_equal(errno, ERANGE);
}

static void test_max_table(void **state)
{
	struct slot_server servers[RPILB_MAX_BACKENDS];
	uint16_t *slots = calloc(RPILB_MAX_SLOTS, sizeof(*slots));
	unsigned count[RPILB_MAX_BACKENDS] = { 0 };

	(void)state;
	assert_non_null(slots);
	/* 16 servers of weights 1..256 coprime-ish: the total must fit the kernel's table. */
	for (int i = 0; i < 16; i++) {
		servers[i].id = i;
		servers[i].weight = 256 - i;
	}
	assert_int_equal(slots_needed(servers, 16), 3976);
	assert_int_equal(slots_build(servers, 16, slots, RPILB_MAX_SLOTS), 3976);
	for (int s = 0; s < 3976; s++)
		count[slots[s]]++;
	for (int i = 0; i < 16; i++)
		assert_int_equal(count[i], 256 - i);
	/* One more server of weight 200 is too many: 4176 > 4096. */
	servers[16].id = 16;
	servers[16].weight = 200;
	errno = 0;
	assert_int_equal(slots_build(servers, 17, slots, RPILB_MAX_SLOTS), -1);
	assert_int_equal(errno, ERANGE);
	free(slots);
}

/* ---- properties over random weight sets ---- */

static unsigned gcd(unsigned a, unsigned b)
{
	while (b) {
		unsigned t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* A small LCG with a fixed seed: the same sets on every run. */
static uint32_t rnd_state = 12345;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

static unsigned ceil_div(unsigned long a, unsigned long b)
{
	return (a + b - 1) / b;
}

/*
 * For n servers of reduced weights w_i (weight / gcd, zeros left out) and
 * W = sum w_i, the table must:
 *
 * 1. have exactly W slots, w_i of them for server i, and only ids of
 *    servers with a non-zero weight;
 *
 * 2. never put a server ahead of its share: in every prefix of length k,
 *    server i appears at most ceil(k * w_i / W) times. This is a theorem of
 *    smooth weighted round robin, not an observation. Let x_i(k) be the
 *    "current" value of i after k picks. Each pick adds w_i to every x_i
 *    and takes W from the one picked, so x_i(k) = k * w_i - W * c_i(k) with
 *    c_i(k) the count so far, and sum_i x_i(k) = 0. Before a pick the
 *    candidates x_i + w_i add up to W > 0, so the largest is positive and
 *    the one picked ends above -W; servers not picked only grow. Hence
 *    x_i(k) > -W for all k, that is c_i(k) < k * w_i / W + 1;
 *
 * 3. by 1 and 2 together, give every suffix of length m at least
 *    floor(m * w_i / W) slots of server i (the suffix holds w_i minus what
 *    the prefix of length W - m holds): no server waits too long at the end
 *    of the table before the walk wraps around.
 *
 * A bound on arbitrary windows (say ceil(L * w_i / W) + 1) is not asserted:
 * it would need an upper bound on x_i below W, and x_i can exceed W (with
 * weights 1 9 11 11 1 20 20 20, W = 93, some x_i reaches 96), so such a
 * bound would be a guess that happens to hold, not a property of the
 * algorithm.
 */
static void check_properties(const unsigned *weights, size_t n, const uint16_t *slots, int len)
{
	unsigned g = 0, w[MAXN], W = 0, count[MAXN] = { 0 };

	for (size_t i = 0; i < n; i++)
		g = gcd(g, weights[i]);
	for (size_t i = 0; i < n; i++) {
		w[i] = g ? weights[i] / g : 0;
		W += w[i];
	}
	assert_int_equal(len, W);
	for (int k = 1; k <= len; k++) {
		unsigned id = slots[k - 1];

		if (id < 10 || id >= 10 + n || !w[id - 10])
			fail_msg("slot %d holds id %u, not a server with a weight", k - 1, id);
		count[id - 10]++;
		for (size_t i = 0; i < n; i++) {
			if (count[i] > ceil_div((unsigned long)k * w[i], W))
				fail_msg(
					"server %zu (weight %u of %u) appears %u times in the first %d slots",
					i, w[i], W, count[i], k);
			/* The suffix after this prefix: m = W - k slots. */
			if (w[i] - count[i] < (unsigned long)(W - k) * w[i] / W)
				fail_msg(
					"server %zu (weight %u of %u) appears %u times in the last %d slots",
					i, w[i], W, w[i] - count[i], W - k);
		}
	}
	for (size_t i = 0; i < n; i++)
		assert_int_equal(count[i], w[i]);
}

static void test_random_weight_sets(void **state)
{
	uint16_t *slots = malloc(RPILB_MAX_SLOTS * sizeof(*slots));

	(void)state;
	assert_non_null(slots);
	for (int t = 0; t < 3000; t++) {
		unsigned weights[MAXN];
		size_t n = 1 + rnd(MAXN);
		unsigned scale = 1 + rnd(4);
		int len;

		for (size_t i = 0; i < n; i++) {
			/* Small weights, some zeros, sometimes a common factor. */
			weights[i] = rnd(5) ? rnd(256 / scale + 1) * scale : 0;
		}
		len = build(weights, n, slots, RPILB_MAX_SLOTS);
		if (len < 0) {
			struct slot_server servers[MAXN];

			assert_int_equal(errno, ERANGE);
			for (size_t i = 0; i < n; i++) {
				servers[i].id = 10 + i;
				servers[i].weight = weights[i];
			}
			assert_true(slots_needed(servers, n) > RPILB_MAX_SLOTS);
			continue;
		}
		check_properties(weights, n, slots, len);
	}
	free(slots);
}

/* The worst case for the prefix bound: one heavy server among light ones. */
static void test_skewed_sets(void **state)
{
	uint16_t slots[512];

	(void)state;
	for (unsigned heavy = 1; heavy <= 40; heavy++) {
		for (size_t light = 1; light < MAXN; light++) {
			unsigned weights[MAXN];
			int len;

			weights[0] = heavy;
			for (size_t i = 1; i <= light; i++)
				weights[i] = 1;
			len = build(weights, light + 1, slots, ARRAY_SIZE(slots));
			check_properties(weights, light + 1, slots, len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_weights_rotate_in_order),
		cmocka_unit_test(test_2_1_1),
		cmocka_unit_test(test_5_1_1),
		cmocka_unit_test(test_3_2),
		cmocka_unit_test(test_common_divisor_is_reduced),
		cmocka_unit_test(test_zero_weights_excluded),
		cmocka_unit_test(test_all_zero_is_empty),
		cmocka_unit_test(test_erange),
		cmocka_unit_test(test_max_table),
		cmocka_unit_test(test_random_weight_sets),
		cmocka_unit_test(test_skewed_sets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
