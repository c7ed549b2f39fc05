// SPDX-License-Identifier: GPL-2.0-only
/* Refusal alarms: logged once per interval, with the count since. */
#include "stats/alarms.h"
#include "testutil.h"

static void primes_then_rate_limits(void **state)
{
	uint64_t c[RPILB_CNT_MAX] = { 0 };
	struct alarms a = { 0 };

	(void)state;
	c[RPILB_CNT_DROP_FLOW_TABLE_FULL] = 50; /* drops from before this daemon */
	assert_int_equal(alarms_check(&a, c, 1000, 1024), 0);
	assert_int_equal(alarms_check(&a, c, 2000, 1024), 0);
	c[RPILB_CNT_DROP_FLOW_TABLE_FULL] = 53;
	assert_int_equal(alarms_check(&a, c, 3000, 1024), 1);
	/* More within the interval: counted, not logged. */
	c[RPILB_CNT_DROP_FLOW_TABLE_FULL] = 60;
	assert_int_equal(alarms_check(&a, c, 4000, 1024), 0);
	assert_int_equal(a.pending[RPILB_CNT_DROP_FLOW_TABLE_FULL], 7);
	assert_int_equal(alarms_check(&a, c, 12999, 1024), 0);
	/* The interval is over: one line for the 7 since. */
	assert_int_equal(alarms_check(&a, c, 13000, 1024), 1);
	assert_int_equal(a.pending[RPILB_CNT_DROP_FLOW_TABLE_FULL], 0);
	/* Each reason on its own clock. */
	c[RPILB_CNT_DROP_NO_BACKEND] = 1;
	c[RPILB_CNT_DROP_HALFOPEN_LIMIT] = 9;
	assert_int_equal(alarms_check(&a, c, 13500, 1024), 2);
	/* Other counters never alarm. */
	c[RPILB_CNT_DROP_BAD_FLAGS] = 1000;
	assert_int_equal(alarms_check(&a, c, 60000, 1024), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(primes_then_rate_limits),
	};

	return cmocka_run_group_tests_name("alarms", tests, NULL, NULL);
}
