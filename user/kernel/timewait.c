// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/sweep.h"
#include "kernel/timewait.h"
#include "lib/util.h"

#define TIMEWAIT_MAGIC "rpilb-timewait 1"

struct tw_entry {
	struct rpilb_tuple key;
	struct rpilb_flow_rev val;
};

struct tw_collect {
	uint32_t now;
	struct tw_entry *v;
	size_t n, cap;
};

static int collect(const struct rpilb_tuple *k, const struct rpilb_flow_rev *r, void *arg)
{
	struct tw_collect *c = arg;
	int32_t age = (int32_t)(c->now - r->closed);

	if ((r->flags & (RPILB_FLOW_CLOSED | RPILB_FLOW_BACKEND_TW)) !=
		    (RPILB_FLOW_CLOSED | RPILB_FLOW_BACKEND_TW) ||
	    age < 0 || ticks_to_ms(age) >= SWEEP_TW_GUARD_MS)
		return 0;
	if (VEC_RESERVE(c->v, c->n, c->cap))
		return -ENOMEM;
	c->v[c->n].key = *k;
	c->v[c->n].val = *r;
	c->n++;
	return 0;
}

static void tw_path(const char *dir, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, TIMEWAIT_FILE);
}

int timewait_save(const struct lb_maps *m, const char *state_dir, const char *boot_id)
{
	struct tw_collect c = { .now = maps_now_ticks() };
	char path[PATH_MAX];
	FILE *f;
	int err;

	err = maps_for_each_rev(m, collect, &c);
	if (err || !c.n) {
		free(c.v);
		return err ? err : 0;
	}
	tw_path(state_dir, path, sizeof(path));
	f = fopen(path, "we");
	if (!f) {
		err = -errno;
		goto out;
	}
	fprintf(f, "%s\n%s\n%zu\n", TIMEWAIT_MAGIC, boot_id, c.n);
	if (fwrite(c.v, sizeof(*c.v), c.n, f) != c.n)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (err)
		unlink(path);
out:
	free(c.v);
	return err ? err : (int)c.n;
}

int timewait_restore(const struct lb_maps *m, const char *state_dir, const char *boot_id)
{
	char path[PATH_MAX], magic[32], boot[64], count[32];
	struct tw_entry e;
	size_t n, done = 0;
	FILE *f;

	tw_path(state_dir, path, sizeof(path));
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	/*
	 * The ticks are this boot's clock: from another boot they mean nothing.
	 * fgets, not fscanf("%zu\n"): that would also swallow the first
	 * record's leading bytes whenever they look like white space (10.x.x.x
	 * starts with '\n'), and every record after it would be read askew.
	 */
	if (!fgets(magic, sizeof(magic), f) || strcmp(magic, TIMEWAIT_MAGIC "\n") ||
	    !fgets(boot, sizeof(boot), f) || strncmp(boot, boot_id, strlen(boot_id)) ||
	    !fgets(count, sizeof(count), f) || sscanf(count, "%zu", &n) != 1)
		goto out;
	for (size_t i = 0; i < n && fread(&e, sizeof(e), 1, f) == 1; i++)
		done += maps_put_rev_new(m, &e.key, &e.val) == 0;
out:
	fclose(f);
	unlink(path);
	return done;
}
