/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the renderer tests share (test_render.c, test_render_views.c): a
 * hand-built snapshot per test, freed after it, and a renderer's output
 * as a string to compare.
 */
#ifndef RPILB_RENDERTEST_H
#define RPILB_RENDERTEST_H

#include <stdio.h>

#include "testutil.h"

#include "stats/render.h"

/* cmocka teardown for a test whose *state is a calloc'd snapshot. */
static int teardown(void **state)
{
	snapshot_free(*state);
	free(*state);
	return 0;
}

/* Render into a malloc'd string, asserting that it worked; the caller frees it. */
static char *render(render_fn fn, const struct snapshot *s, const struct render_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fn(f, s, o), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	return buf;
}

/* /dev/full, unbuffered: every write to it fails at once. Skips the test without it. */
static FILE *dev_full(void)
{
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	return f;
}

#endif
