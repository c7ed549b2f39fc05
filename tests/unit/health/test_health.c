// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the health state machine (user/health/health.c): exact states,
 * labels and intervals after each result, as HAProxy would show them.
 */
#include <stdio.h>

#include "testutil.h"

#include "health/health.h"

#define OK  CHK_L7OK
#define BAD CHK_L4CON

static const struct health_params p23 = {
	.rise = 2,
	.fall = 3,
	.inter_ms = 2000,
	.fastinter_ms = 500,
	.downinter_ms = 5000,
	.timeout_ms = 1000,
};

static const char *label(const struct health *h)
{
	static char buf[32];

	health_label(h, buf, sizeof(buf));
	return buf;
}

static bool feed(struct health *h, enum check_result r, uint64_t now)
{
	return health_feed(h, r, 0, 1, NULL, now);
}

/* A server already UP (its first check passed) with rise 2, fall 3. */
static void up_server(struct health *h)
{
	health_init(h, &p23, 0);
	assert_true(feed(h, OK, 0));
	assert_int_equal(h->state, HEALTH_UP);
}

static void down_server(struct health *h)
{
	health_init(h, &p23, 0);
	assert_true(feed(h, BAD, 0));
	assert_int_equal(h->state, HEALTH_DOWN);
}

static void test_result_names(void **state)
{
	(void)state;
	assert_string_equal(check_result_name(CHK_NONE), "");
	assert_string_equal(check_result_name(CHK_L4OK), "L4OK");
	assert_string_equal(check_result_name(CHK_L4TOUT), "L4TOUT");
	assert_string_equal(check_result_name(CHK_L4CON), "L4CON");
	assert_string_equal(check_result_name(CHK_L7OK), "L7OK");
	assert_string_equal(check_result_name(CHK_L7STS), "L7STS");
	assert_string_equal(check_result_name(CHK_L7RSP), "L7RSP");
	assert_string_equal(check_result_name(CHK_L7TOUT), "L7TOUT");
	assert_string_equal(check_result_desc(CHK_L4OK), "Layer4 check passed");
	assert_string_equal(check_result_desc(CHK_L4TOUT), "Layer4 timeout");
	assert_string_equal(check_result_desc(CHK_L4CON), "Layer4 connection problem");
	assert_string_equal(check_result_desc(CHK_L7OK), "Layer7 check passed");
	assert_string_equal(check_result_desc(CHK_L7STS), "Layer7 wrong status");
	assert_string_equal(check_result_desc(CHK_L7RSP), "Layer7 invalid response");
	assert_string_equal(check_result_desc(CHK_L7TOUT), "Layer7 timeout");
	assert_string_equal(check_result_name((enum check_result)42), "");
}

static void test_result_ok(void **state)
{
	(void)state;
	assert_true(check_result_ok(CHK_L4OK));
	assert_true(check_result_ok(CHK_L7OK));
	assert_false(check_result_ok(CHK_NONE));
	assert_false(check_result_ok(CHK_L4TOUT));
	assert_false(check_result_ok(CHK_L4CON));
	assert_false(check_result_ok(CHK_L7STS));
	assert_false(check_result_ok(CHK_L7RSP));
	assert_false(check_result_ok(CHK_L7TOUT));
}

static void test_init_state(void **state)
{
	struct health h;

	(void)state;
	health_init(&h, &p23, 1234);
	assert_int_equal(h.state, HEALTH_INIT);
	assert_false(health_is_up(&h));
	assert_string_equal(label(&h), "INIT");
	assert_int_equal(health_next_interval(&h), 0);
	assert_int_equal(h.since_ms, 1234);
	assert_int_equal(h.checks, 0);
	assert_int_equal(h.last_result, CHK_NONE);
	assert_int_equal(health_downtime(&h, 99999), 0);
	assert_string_equal(health_state_name(h.state), "INIT");
}

/* One success is enough out of INIT, whatever rise says. */
static void test_init_success_is_up(void **state)
{
	struct health h;

	(void)state;
	health_init(&h, &p23, 0);
	assert_true(feed(&h, CHK_L4OK, 10));
	assert_int_equal(h.state, HEALTH_UP);
	assert_string_equal(label(&h), "UP");
	assert_int_equal(h.since_ms, 10);
	assert_int_equal(h.up_down, 0);
	assert_int_equal(health_next_interval(&h), 2000);
}

/* One failure is enough out of INIT, whatever fall says. */
static void test_init_failure_is_down(void **state)
{
	struct health h;

	(void)state;
	health_init(&h, &p23, 0);
	assert_true(feed(&h, CHK_L4TOUT, 10));
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_string_equal(label(&h), "DOWN");
	assert_int_equal(h.up_down, 0);
	assert_int_equal(h.failures, 1);
	assert_int_equal(health_next_interval(&h), 5000);
}

static void test_fall_sequence(void **state)
{
	static const struct {
		enum check_result r;
		bool changed;
		const char *label;
	} steps[] = {
		{ BAD, false, "UP 1/3" }, { BAD, false, "UP 2/3" },	  { BAD, true, "DOWN" },
		{ BAD, false, "DOWN" },	  { OK, false, "DOWN 1/2" },	  { OK, true, "UP" },
		{ OK, false, "UP" },	  { CHK_L7STS, false, "UP 1/3" },
	};
	struct health h;

	(void)state;
	up_server(&h);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		bool changed = feed(&h, steps[i].r, 100 + i);

		if (changed != steps[i].changed || strcmp(label(&h), steps[i].label))
			fail_msg("step %zu: changed %d label '%s', expected %d '%s'", i, changed,
				 label(&h), steps[i].changed, steps[i].label);
	}
	assert_int_equal(h.up_down, 2);
}

static void test_success_resets_failures(void **state)
{
	struct health h;

	(void)state;
	up_server(&h);
	assert_false(feed(&h, BAD, 1));
	assert_false(feed(&h, BAD, 2));
	assert_string_equal(label(&h), "UP 2/3");
	assert_false(feed(&h, OK, 3));
	assert_string_equal(label(&h), "UP");
	assert_false(feed(&h, BAD, 4));
	assert_false(feed(&h, BAD, 5));
	assert_int_equal(h.state, HEALTH_UP);
	assert_true(feed(&h, BAD, 6));
	assert_int_equal(h.state, HEALTH_DOWN);
}

static void test_failure_resets_successes(void **state)
{
	struct health h;

	(void)state;
	down_server(&h);
	assert_false(feed(&h, OK, 1));
	assert_string_equal(label(&h), "DOWN 1/2");
	assert_false(feed(&h, CHK_L7RSP, 2));
	assert_string_equal(label(&h), "DOWN");
	assert_false(feed(&h, OK, 3));
	assert_true(feed(&h, OK, 4));
	assert_string_equal(label(&h), "UP");
}

/* Alternating results never add up to rise or fall when both exceed 1. */
static void test_flapping_never_transitions(void **state)
{
	struct health up, down;

	(void)state;
	up_server(&up);
	down_server(&down);
	for (int i = 0; i < 100; i++) {
		assert_false(feed(&up, i % 2 ? OK : BAD, i));
		assert_false(feed(&down, i % 2 ? BAD : OK, i));
	}
	assert_int_equal(up.state, HEALTH_UP);
	assert_int_equal(down.state, HEALTH_DOWN);
	assert_int_equal(up.up_down, 0);
	assert_int_equal(down.up_down, 0);
	assert_int_equal(up.failures, 50);
	assert_int_equal(down.failures, 51); /* the first verdict was a failure too */
}

/* With rise 1 and fall 1 every result is a verdict. */
static void test_rise_fall_one(void **state)
{
	struct health_params p = p23;
	struct health h;

	(void)state;
	p.rise = 1;
	p.fall = 1;
	health_init(&h, &p, 0);
	assert_true(feed(&h, OK, 1));
	assert_true(feed(&h, BAD, 2));
	assert_string_equal(label(&h), "DOWN");
	assert_true(feed(&h, OK, 3));
	assert_string_equal(label(&h), "UP");
	assert_false(feed(&h, OK, 4));
	assert_int_equal(h.up_down, 2);
}

static void test_intervals(void **state)
{
	struct health h;

	(void)state;
	up_server(&h);
	assert_int_equal(health_next_interval(&h), 2000); /* UP steady: inter */
	feed(&h, BAD, 1);
	assert_int_equal(health_next_interval(&h), 500); /* going down: fastinter */
	feed(&h, BAD, 2);
	assert_int_equal(health_next_interval(&h), 500);
	feed(&h, BAD, 3);
	assert_int_equal(health_next_interval(&h), 5000); /* DOWN steady: downinter */
	feed(&h, OK, 4);
	assert_int_equal(health_next_interval(&h), 500); /* coming up: fastinter */
	feed(&h, OK, 5);
	assert_int_equal(health_next_interval(&h), 2000);
}

static void test_interval_defaults(void **state)
{
	struct health_params p = { 0 };
	struct health h;

	(void)state;
	health_init(&h, &p, 0);
	assert_int_equal(h.p.rise, 2);
	assert_int_equal(h.p.fall, 3);
	assert_int_equal(h.p.inter_ms, 2000);
	assert_int_equal(h.p.fastinter_ms, 2000);
	assert_int_equal(h.p.downinter_ms, 2000);
	assert_int_equal(h.p.timeout_ms, 2000);

	p.inter_ms = 700;
	health_init(&h, &p, 0);
	assert_int_equal(h.p.fastinter_ms, 700);
	assert_int_equal(h.p.downinter_ms, 700);
	assert_int_equal(h.p.timeout_ms, 700);
	feed(&h, BAD, 1);
	assert_int_equal(health_next_interval(&h), 700);
	feed(&h, OK, 2);
	assert_int_equal(health_next_interval(&h), 700);
}

/* The check timeout is "timeout check" if set, else inter. */
static void test_params_from_cfg(void **state)
{
	struct cfg_server_opts o = {
		.check = true,
		.inter_ms = 3000,
		.fastinter_ms = 1000,
		.downinter_ms = 10000,
		.rise = 4,
		.fall = 5,
	};
	struct health_params p;
	struct health h;

	(void)state;
	health_params_from_cfg(&p, &o, 0);
	health_init(&h, &p, 0);
	assert_int_equal(h.p.timeout_ms, 3000);
	assert_int_equal(h.p.rise, 4);
	assert_int_equal(h.p.fall, 5);
	assert_int_equal(h.p.fastinter_ms, 1000);
	assert_int_equal(h.p.downinter_ms, 10000);

	health_params_from_cfg(&p, &o, 250);
	health_init(&h, &p, 0);
	assert_int_equal(h.p.timeout_ms, 250);
	assert_int_equal(h.p.inter_ms, 3000);
}

static void test_downtime(void **state)
{
	struct health h;

	(void)state;
	health_init(&h, &p23, 0);
	/* Time in INIT is not downtime. */
	feed(&h, BAD, 1000);
	assert_int_equal(health_downtime(&h, 1000), 0);
	assert_int_equal(health_downtime(&h, 3500), 2500); /* the open DOWN period counts */
	feed(&h, OK, 4000);
	feed(&h, OK, 5000); /* UP again at 5000: 4000 ms down */
	assert_int_equal(h.state, HEALTH_UP);
	assert_int_equal(health_downtime(&h, 9000), 4000);
	feed(&h, BAD, 10000);
	feed(&h, BAD, 11000);
	feed(&h, BAD, 12000); /* DOWN from 12000 */
	assert_int_equal(h.state, HEALTH_DOWN);
	assert_int_equal(h.since_ms, 12000);
	assert_int_equal(health_downtime(&h, 12000), 4000);
	assert_int_equal(health_downtime(&h, 15000), 7000);
	/* A clock read before the period began adds nothing. */
	assert_int_equal(health_downtime(&h, 11000), 4000);
}

static void test_counters_and_last(void **state)
{
	struct health h;

	(void)state;
	health_init(&h, &p23, 0);
	health_feed(&h, CHK_L7OK, 200, 3, "HTTP status 200", 100);
	assert_int_equal(h.checks, 1);
	assert_int_equal(h.failures, 0);
	assert_int_equal(h.last_result, CHK_L7OK);
	assert_int_equal(h.last_code, 200);
	assert_int_equal(h.last_duration_ms, 3);
	assert_int_equal(h.last_check_ms, 100);
	assert_string_equal(h.last_detail, "HTTP status 200");

	health_feed(&h, CHK_L4CON, 0, 0, "Connection refused", 200);
	assert_int_equal(h.checks, 2);
	assert_int_equal(h.failures, 1);
	assert_int_equal(h.last_result, CHK_L4CON);
	assert_int_equal(h.last_code, 0);
	assert_int_equal(h.last_duration_ms, 0);
	assert_int_equal(h.last_check_ms, 200);
	assert_string_equal(h.last_detail, "Connection refused");

	health_feed(&h, CHK_L7STS, 500, 7, NULL, 300);
	assert_string_equal(h.last_detail, "");
	health_feed(&h, CHK_L7STS, 500, 7, NULL, 400); /* third failure: DOWN */
	health_feed(&h, CHK_L7OK, 200, 1, NULL, 500);
	health_feed(&h, CHK_L7OK, 200, 1, NULL, 600); /* UP */
	assert_int_equal(h.checks, 6);
	assert_int_equal(h.failures, 3);
	assert_int_equal(h.up_down, 2);
}

static void test_none_is_ignored(void **state)
{
	struct health h;

	(void)state;
	health_init(&h, &p23, 0);
	assert_false(health_feed(&h, CHK_NONE, 0, 0, "x", 10));
	assert_int_equal(h.state, HEALTH_INIT);
	assert_int_equal(h.checks, 0);
	assert_string_equal(h.last_detail, "");
}

static void test_unchecked_is_up(void **state)
{
	struct health h;

	(void)state;
	health_init_unchecked(&h, &p23, 50);
	assert_true(health_is_up(&h));
	assert_string_equal(label(&h), "UP");
	assert_int_equal(h.since_ms, 50);
	assert_int_equal(h.up_down, 0);
	assert_int_equal(health_downtime(&h, 1000), 0);
}

static void test_label_truncates(void **state)
{
	struct health h;
	char buf[4];

	(void)state;
	up_server(&h);
	feed(&h, BAD, 1);
	assert_int_equal(health_label(&h, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "UP ");
}

static void test_inherit(void **state)
{
	struct health_params p = p23;
	struct health old, h;

	(void)state;
	up_server(&old);
	feed(&old, BAD, 1);
	feed(&old, BAD, 2); /* UP 2/3 */
	p.fall = 2;
	p.inter_ms = 100;
	health_init(&h, &p, 5);
	health_inherit(&h, &old);
	assert_int_equal(h.state, HEALTH_UP);
	assert_int_equal(h.checks, 3);
	assert_int_equal(h.p.inter_ms, 100);
	/* Clamped below the new fall: the next failure decides, not this reload. */
	assert_string_equal(label(&h), "UP 1/2");
	assert_true(feed(&h, BAD, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_result_ok),
		cmocka_unit_test(test_init_state),
		cmocka_unit_test(test_init_success_is_up),
		cmocka_unit_test(test_init_failure_is_down),
		cmocka_unit_test(test_fall_sequence),
		cmocka_unit_test(test_success_resets_failures),
		cmocka_unit_test(test_failure_resets_successes),
		cmocka_unit_test(test_flapping_never_transitions),
		cmocka_unit_test(test_rise_fall_one),
		cmocka_unit_test(test_intervals),
		cmocka_unit_test(test_interval_defaults),
		cmocka_unit_test(test_params_from_cfg),
		cmocka_unit_test(test_downtime),
		cmocka_unit_test(test_counters_and_last),
		cmocka_unit_test(test_none_is_ignored),
		cmocka_unit_test(test_unchecked_is_up),
		cmocka_unit_test(test_label_truncates),
		cmocka_unit_test(test_inherit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
