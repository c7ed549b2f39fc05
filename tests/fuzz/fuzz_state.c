// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_state: the runtime state file (user/model/statefile.c).
 *
 * The input, cut at its first NUL (the loader reads a file into a
 * NUL-terminated buffer the same way), goes to state_parse(). A file that
 * parses must survive a round trip: state_format() of what was read, parsed
 * again, gives the very same overrides, entry by entry and field by field.
 * A daemon that saves and restarts must come back as it was.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "config/names.h"
#include "model/statefile.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

static void same_override(const struct lb_override *a, const struct lb_override *b, size_t i)
{
	FUZZ_CHECK(!strcmp(a->pool, b->pool), "entry %zu: pool '%s' came back as '%s'", i, a->pool,
		   b->pool);
	FUZZ_CHECK(!strcmp(a->server, b->server), "entry %zu: server '%s' came back as '%s'", i,
		   a->server, b->server);
	FUZZ_CHECK(a->id == b->id, "entry %zu: id %d came back as %d", i, a->id, b->id);
	FUZZ_CHECK(a->admin == b->admin, "entry %zu: admin %d came back as %d", i, a->admin,
		   b->admin);
	FUZZ_CHECK(a->added == b->added && a->deleted == b->deleted, "entry %zu: kind changed", i);
	FUZZ_CHECK(a->addr.s_addr == b->addr.s_addr, "entry %zu: address changed", i);
	FUZZ_CHECK(a->port == b->port, "entry %zu: port %u came back as %u", i, a->port, b->port);
	FUZZ_CHECK(a->weight == b->weight, "entry %zu: weight %u came back as %u", i, a->weight,
		   b->weight);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lb_overrides ov, again;
	char err[256] = "", err2[256] = "";
	char *text = malloc(size + 1), *out;
	int ret;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ret = state_parse(text, &ov, err, sizeof(err));
	if (ret) {
		FUZZ_CHECK(ov.count == 0 && !ov.items, "a failed parse left entries");
		if (ret == -EINVAL)
			FUZZ_CHECK(err[0] && memchr(err, '\0', sizeof(err)), "no reason given");
		free(text);
		return 0;
	}
	for (size_t i = 0; i < ov.count; i++) {
		const struct lb_override *o = &ov.items[i];

		FUZZ_CHECK(name_valid(o->pool) && name_valid(o->server), "entry %zu: bad name", i);
		FUZZ_CHECK(o->id >= -1 && o->id < RPILB_MAX_BACKENDS, "entry %zu: id %d", i, o->id);
		FUZZ_CHECK(!(o->added && o->deleted), "entry %zu: added and deleted", i);
	}
	out = state_format(&ov);
	FUZZ_CHECK(out, "state_format: out of memory");
	FUZZ_CHECK(!state_parse(out, &again, err2, sizeof(err2)),
		   "state_format's own output does not parse: %s\n%s", err2, out);
	FUZZ_CHECK(again.count == ov.count, "%zu entries came back as %zu", ov.count, again.count);
	for (size_t i = 0; i < ov.count; i++)
		same_override(&ov.items[i], &again.items[i], i);
	/* And the second form is a fixed point. */
	{
		char *out2 = state_format(&again);

		FUZZ_CHECK(out2 && !strcmp(out, out2), "state_format is not stable");
		free(out2);
	}
	overrides_free(&again);
	overrides_free(&ov);
	free(out);
	free(text);
	return 0;
}
