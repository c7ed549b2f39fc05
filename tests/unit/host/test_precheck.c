// SPDX-License-Identifier: GPL-2.0-only
/* The pure parts of the checks "up" makes before touching the kernel. */
#include "host/precheck.h"
#include "testutil.h"

static void kernel_release(void **state)
{
	static const struct {
		const char *release;
		int rc, major, minor;
	} cases[] = {
		{ "6.1.0-rpi7-rpi-v8", 0, 6, 1 },
		{ "6.6.51+rpt-rpi-2712", 0, 6, 6 },
		{ "5.17.0", 0, 5, 17 },
		{ "5.4", 0, 5, 4 },
		{ "6.18.44-fc-v669", 0, 6, 18 },
		{ "", -1, 0, 0 },
		{ "linux", -1, 0, 0 },
		{ "6", -1, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int major = 0, minor = 0;

		assert_int_equal(precheck_parse_release(cases[i].release, &major, &minor),
				 cases[i].rc);
		if (!cases[i].rc) {
			assert_int_equal(major, cases[i].major);
			assert_int_equal(minor, cases[i].minor);
		}
	}
}

static void memory(void **state)
{
	(void)state;
	assert_int_equal(precheck_mem_available("MemTotal:  949000 kB\nMemFree: 10 kB\n"
						"MemAvailable:    612345 kB\nBuffers: 1 kB\n"),
			 612345ULL * 1024);
	assert_int_equal(precheck_mem_available("MemTotal: 1 kB\n"), 0);
	/* The default table on a 1 GB Pi: 16 MB, well under a quarter of what is free. */
	assert_int_equal(precheck_flow_table_bytes(65536), 16 * 1024 * 1024);
	assert_int_equal(precheck_flow_table_bytes(0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kernel_release),
		cmocka_unit_test(memory),
	};

	return cmocka_run_group_tests_name("precheck", tests, NULL, NULL);
}
