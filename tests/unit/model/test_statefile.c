// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the runtime state file (user/model/statefile.c): the text format
 * (exact output, round trips of every entry kind, every parse error with
 * its line number) and the file handling (missing file, atomic replace,
 * failures that must leave the old file as it was).
 *
 * The read-only and disk-full cases need a file system that refuses the
 * write even to root: as root they run in a child process with a private
 * mount namespace (a read-only bind mount, a tiny tmpfs), so nothing is
 * mounted on the host. Without root the read-only case uses chmod 0555.
 * Files live in tests/unit/data (or $RPILB_TEST_DATA); run from the repo root.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutil.h"

#include "model/statefile.h"
#include "lib/util.h"

#define HEADER                                                                                     \
	"# rpilb runtime state: changes made with rpilbctl on top of the\n"                        \
	"# configuration file. Written by the daemon; edit only while it is down.\n"               \
	"rpilb-state 1\n"

#define NAME31 "abcdefghijklmnopqrstuvwxyzABCDE" /* the longest name: 31 characters */
#define NAME32 NAME31 "F"

static const char *data_path(const char *file, char *buf, size_t len)
{
	const char *dir = getenv("RPILB_TEST_DATA");

	snprintf(buf, len, "%s/%s", dir && *dir ? dir : "tests/unit/data", file);
	return buf;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	return buf;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* ---- building overrides ---- */

static struct lb_override *push(struct lb_overrides *ov)
{
	struct lb_override *items = realloc(ov->items, (ov->count + 1) * sizeof(*items));

	assert_non_null(items);
	ov->items = items;
	memset(&items[ov->count], 0, sizeof(items[0]));
	items[ov->count].id = -1;
	return &items[ov->count++];
}

static void add_server(struct lb_overrides *ov, const char *pool, const char *name, int id,
		       enum admin_state admin)
{
	struct lb_override *o = push(ov);

	snprintf(o->pool, sizeof(o->pool), "%s", pool);
	snprintf(o->server, sizeof(o->server), "%s", name);
	o->id = id;
	o->admin = admin;
}

static void add_deleted(struct lb_overrides *ov, const char *pool, const char *name)
{
	struct lb_override *o = push(ov);

	snprintf(o->pool, sizeof(o->pool), "%s", pool);
	snprintf(o->server, sizeof(o->server), "%s", name);
	o->deleted = true;
}

static void add_added(struct lb_overrides *ov, const char *pool, const char *name, const char *addr,
		      uint16_t port, unsigned weight, int id, enum admin_state admin)
{
	struct lb_override *o = push(ov);

	snprintf(o->pool, sizeof(o->pool), "%s", pool);
	snprintf(o->server, sizeof(o->server), "%s", name);
	assert_int_equal(inet_pton(AF_INET, addr, &o->addr), 1);
	o->port = port;
	o->weight = weight;
	o->id = id;
	o->admin = admin;
	o->added = true;
}

/* Print every difference; true when there is none. */
static bool same(const struct lb_overrides *a, const struct lb_overrides *b)
{
	if (a->count != b->count) {
		print_error("%zu entries, expected %zu\n", b->count, a->count);
		return false;
	}
	for (size_t i = 0; i < a->count; i++) {
		const struct lb_override *x = &a->items[i], *y = &b->items[i];

		if (strcmp(x->pool, y->pool) || strcmp(x->server, y->server) || x->id != y->id ||
		    x->admin != y->admin || x->added != y->added || x->deleted != y->deleted ||
		    x->addr.s_addr != y->addr.s_addr || x->port != y->port ||
		    x->weight != y->weight) {
			print_error("entry %zu differs: %s/%s vs %s/%s id %d/%d admin %d/%d "
				    "added %d/%d deleted %d/%d addr %08x/%08x port %u/%u "
				    "weight %u/%u\n",
				    i, x->pool, x->server, y->pool, y->server, x->id, y->id,
				    x->admin, y->admin, x->added, y->added, x->deleted, y->deleted,
				    x->addr.s_addr, y->addr.s_addr, x->port, y->port, x->weight,
				    y->weight);
			return false;
		}
	}
	return true;
}

static void expect_same(const struct lb_overrides *want, const struct lb_overrides *got)
{
	assert_true(same(want, got));
}

/* Compare, free both, then fail if they differed: a failure leaks nothing. */
static void expect_same_free(struct lb_overrides *want, struct lb_overrides *got)
{
	bool ok = same(want, got);

	overrides_free(want);
	overrides_free(got);
	assert_true(ok);
}

/*
 * format, parse, compare; and formatting the result again gives the same
 * text. Frees ov; fails only after everything is freed.
 */
static void round_trip_free(struct lb_overrides *ov)
{
	struct lb_overrides back = { 0 };
	char err[256] = "", *text = state_format(ov), *again = NULL;
	bool ok = text != NULL;

	if (ok && state_parse(text, &back, err, sizeof(err))) {
		print_error("state_format wrote what state_parse rejects: %s\n%s", err, text);
		ok = false;
	}
	if (ok)
		ok = same(ov, &back);
	if (ok) {
		again = state_format(&back);
		ok = again && !strcmp(again, text);
	}
	free(again);
	free(text);
	overrides_free(&back);
	overrides_free(ov);
	assert_true(ok);
}

/* ---- the text format ---- */

static void test_format_exact(void **state)
{
	struct lb_overrides ov = { 0 };
	char *text;

	(void)state;
	add_server(&ov, "nodes", "raspberrypi01", 0, ADMIN_READY);
	add_server(&ov, "nodes", "raspberrypi02", 1, ADMIN_DRAIN);
	add_deleted(&ov, "nodes", "raspberrypi03");
	add_added(&ov, "nodes", "raspberrypi04", "192.168.1.104", 8000, 2, 3, ADMIN_MAINT);
	add_server(&ov, "web", "w1", -1, ADMIN_MAINT);
	add_added(&ov, "web", "w2", "10.0.0.2", 80, 1, -1, ADMIN_READY);
	text = state_format(&ov);
	assert_string_equal(
		text,
		HEADER "server nodes raspberrypi01 id 0 admin ready\n"
		       "server nodes raspberrypi02 id 1 admin drain\n"
		       "deleted nodes raspberrypi03\n"
		       "added nodes raspberrypi04 192.168.1.104:8000 weight 2 id 3 admin maint\n"
		       "server web w1 admin maint\n"
		       "added web w2 10.0.0.2:80 weight 1 admin ready\n");
	free(text);
	overrides_free(&ov);
}

static void test_format_empty(void **state)
{
	struct lb_overrides ov = { 0 }, back;
	char err[128] = "", *text = state_format(&ov);

	(void)state;
	assert_string_equal(text, HEADER);
	assert_int_equal(state_parse(text, &back, err, sizeof(err)), 0);
	assert_int_equal(back.count, 0);
	assert_null(back.items);
	free(text);
}

/* A deleted entry is its names only: no id, no admin state. */
static void test_format_deleted_ignores_the_rest(void **state)
{
	struct lb_overrides ov = { 0 };
	char *text;

	(void)state;
	add_deleted(&ov, "b", "s");
	ov.items[0].id = 7;
	ov.items[0].admin = ADMIN_MAINT;
	text = state_format(&ov);
	assert_string_equal(text, HEADER "deleted b s\n");
	free(text);
	overrides_free(&ov);
}

static void test_round_trip_every_kind(void **state)
{
	static const enum admin_state admins[] = { ADMIN_READY, ADMIN_DRAIN, ADMIN_MAINT };
	static const int ids[] = { -1, 0, 1, 254, RPILB_MAX_BACKENDS - 1 };
	static const unsigned weights[] = { 0, 1, 2, 255, CFG_MAX_WEIGHT };
	static const char *const addrs[] = { "0.0.0.0", "10.0.0.1", "192.168.1.104",
					     "255.255.255.255" };
	static const uint16_t ports[] = { 1, 80, 8000, 65535 };
	struct lb_overrides ov = { 0 };
	char name[CFG_NAME_MAX];
	int n = 0;

	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(admins); a++) {
		for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
			snprintf(name, sizeof(name), "s%d", n++);
			add_server(&ov, "pool", name, ids[i], admins[a]);
			for (size_t w = 0; w < ARRAY_SIZE(weights); w++) {
				snprintf(name, sizeof(name), "a%d", n++);
				add_added(&ov, "pool", name, addrs[(a + i + w) % ARRAY_SIZE(addrs)],
					  ports[(i + w) % ARRAY_SIZE(ports)], weights[w], ids[i],
					  admins[a]);
			}
		}
	}
	add_deleted(&ov, "pool", "gone");
	add_deleted(&ov, "other", "gone");
	/* Names at the limit, with every character a name may have. */
	add_server(&ov, NAME31, NAME31, 5, ADMIN_DRAIN);
	add_server(&ov, "A-Z.a_z:0-9", "x.y_z:1-2", 6, ADMIN_READY);
	add_added(&ov, NAME31, "Zz9.-_:", "1.2.3.4", 5, 6, 7, ADMIN_MAINT);
	add_deleted(&ov, NAME31, NAME31);
	assert_int_equal(ov.count, 3 * 5 * 6 + 6);
	round_trip_free(&ov);
}

/*
 * An "added" entry may be written without a port (state_parse takes it as
 * port 0, which the balancer reads as "the frontend's port"); formatting
 * such an entry must give text that parses again.
 */
static void test_round_trip_added_without_port(void **state)
{
	struct lb_overrides ov = { 0 };
	char err[256] = "";

	(void)state;
	assert_int_equal(state_parse("rpilb-state 1\nadded b s 10.0.0.1 weight 3 id 4\n", &ov, err,
				     sizeof(err)),
			 0);
	assert_int_equal(ov.count, 1);
	assert_int_equal(ov.items[0].port, 0);
	assert_int_equal(ov.items[0].weight, 3);
	assert_int_equal(ov.items[0].id, 4);
	round_trip_free(&ov);
}

static void test_parse_defaults(void **state)
{
	struct lb_overrides ov;
	char err[128] = "";

	(void)state;
	assert_int_equal(state_parse("rpilb-state 1\n"
				     "server b s1\n"
				     "added b s2 10.0.0.2:81\n"
				     "deleted b s3\n",
				     &ov, err, sizeof(err)),
			 0);
	assert_int_equal(ov.count, 3);
	/* server: no id, ready */
	assert_int_equal(ov.items[0].id, -1);
	assert_int_equal(ov.items[0].admin, ADMIN_READY);
	assert_false(ov.items[0].added);
	assert_false(ov.items[0].deleted);
	assert_int_equal(ov.items[0].weight, 0);
	/* added: weight 1, no id, ready */
	assert_true(ov.items[1].added);
	assert_int_equal(ov.items[1].weight, 1);
	assert_int_equal(ov.items[1].id, -1);
	assert_int_equal(ov.items[1].admin, ADMIN_READY);
	assert_int_equal(ov.items[1].addr.s_addr, htonl(0x0a000002));
	assert_int_equal(ov.items[1].port, 81);
	/* deleted */
	assert_true(ov.items[2].deleted);
	assert_false(ov.items[2].added);
	assert_int_equal(ov.items[2].id, -1);
	assert_string_equal(ov.items[2].pool, "b");
	assert_string_equal(ov.items[2].server, "s3");
	overrides_free(&ov);
}

static void test_parse_keys_in_any_order(void **state)
{
	struct lb_overrides ov;
	char err[128] = "";

	(void)state;
	assert_int_equal(state_parse("rpilb-state 1\n"
				     "added b s 10.0.0.2:81 admin drain id 9 weight 0\n"
				     "server b t admin maint id 3 admin ready\n",
				     &ov, err, sizeof(err)),
			 0);
	assert_int_equal(ov.count, 2);
	assert_int_equal(ov.items[0].admin, ADMIN_DRAIN);
	assert_int_equal(ov.items[0].id, 9);
	assert_int_equal(ov.items[0].weight, 0);
	/* The last word wins. */
	assert_int_equal(ov.items[1].admin, ADMIN_READY);
	assert_int_equal(ov.items[1].id, 3);
	overrides_free(&ov);
}

static void test_parse_comments_and_blank_lines(void **state)
{
	struct lb_overrides ov;
	char err[128] = "";

	(void)state;
	assert_int_equal(state_parse("# before the magic\n"
				     "\n"
				     "   \t\n"
				     "  rpilb-state 1\n"
				     "# a comment\n"
				     "\t# an indented comment\n"
				     "\n"
				     "\tserver\tb\ts1\tid\t2\n"
				     "   server  b   s2   admin   drain   \n"
				     "\n",
				     &ov, err, sizeof(err)),
			 0);
	assert_int_equal(ov.count, 2);
	assert_string_equal(ov.items[0].server, "s1");
	assert_int_equal(ov.items[0].id, 2);
	assert_string_equal(ov.items[1].server, "s2");
	assert_int_equal(ov.items[1].admin, ADMIN_DRAIN);
	overrides_free(&ov);

	/* A file with nothing but comments, or nothing at all, is an empty state. */
	assert_int_equal(state_parse("# nothing yet\n", &ov, err, sizeof(err)), 0);
	assert_int_equal(ov.count, 0);
	assert_int_equal(state_parse("", &ov, err, sizeof(err)), 0);
	assert_int_equal(ov.count, 0);
	/* No newline at the end of the last line. */
	assert_int_equal(state_parse("rpilb-state 1\nserver b s", &ov, err, sizeof(err)), 0);
	assert_int_equal(ov.count, 1);
	overrides_free(&ov);
}

/* ---- parse errors: each with its exact message and line ---- */

struct parse_error {
	const char *text;
	const char *err;
};

/* Every case is tried; the test fails once at the end, listing each mismatch. */
static void expect_errors(const struct parse_error *cases, size_t n)
{
	unsigned bad = 0;

	for (size_t i = 0; i < n; i++) {
		struct lb_overrides ov = { .count = 99 };
		char err[256] = "";
		int ret = state_parse(cases[i].text, &ov, err, sizeof(err));

		if (ret != -EINVAL) {
			print_error("case %zu: state_parse returned %d for:\n%s\n", i, ret,
				    cases[i].text);
			bad++;
		} else if (strcmp(err, cases[i].err)) {
			print_error("case %zu: got \"%s\"\n  expected \"%s\"\n", i, err,
				    cases[i].err);
			bad++;
		}
		/* Nothing half-parsed is handed back. */
		assert_int_equal(ov.count, 0);
		assert_null(ov.items);
	}
	if (bad)
		fail_msg("%u of %zu cases wrong", bad, n);
}

#define MAGIC "rpilb-state 1\n"
#define USAGE "expected 'server|added|deleted BACKEND NAME ...'"

static void test_parse_errors(void **state)
{
	static const struct parse_error cases[] = {
		/* magic */
		{ "server b s\n", "line 1: not an rpilb state file (expected 'rpilb-state 1')" },
		{ "# comment\nrpilb-state 2\n",
		  "line 2: not an rpilb state file (expected 'rpilb-state 1')" },
		{ "rpilb-state 1 extra\n",
		  "line 1: not an rpilb state file (expected 'rpilb-state 1')" },
		{ "RPILB-STATE 1\n", "line 1: not an rpilb state file (expected 'rpilb-state 1')" },
		/* entries */
		{ MAGIC "servers b s\n", "line 2: unknown entry 'servers'" },
		{ MAGIC "server b s\nremoved b s\n", "line 3: unknown entry 'removed'" },
		{ MAGIC "rpilb-state 1\n", "line 2: " USAGE },
		{ MAGIC "server\n", "line 2: " USAGE },
		{ MAGIC "server b\n", "line 2: " USAGE },
		{ MAGIC "deleted b\n", "line 2: " USAGE },
		/* addresses */
		{ MAGIC "added b s\n", "line 2: bad or missing ADDR:PORT" },
		{ MAGIC "added b s 10.0.0.256:80\n", "line 2: bad or missing ADDR:PORT" },
		{ MAGIC "added b s pi4.local:80\n", "line 2: bad or missing ADDR:PORT" },
		{ MAGIC "added b s 10.0.0.1:0\n", "line 2: bad or missing ADDR:PORT" },
		{ MAGIC "added b s 10.0.0.1:65536\n", "line 2: bad or missing ADDR:PORT" },
		{ MAGIC "added b s 10.0.0.1:\n", "line 2: bad or missing ADDR:PORT" },
		{ MAGIC "added b s 10.0.0.1:80x\n", "line 2: bad or missing ADDR:PORT" },
		{ MAGIC "added b s :80\n", "line 2: bad or missing ADDR:PORT" },
		{ MAGIC "added b s weight 2\n", "line 2: bad or missing ADDR:PORT" },
		/* admin states */
		{ MAGIC "server b s admin up\n", "line 2: bad admin state 'up'" },
		{ MAGIC "server b s admin READY\n", "line 2: bad admin state 'READY'" },
		{ MAGIC "added b s 1.2.3.4:5 admin disabled\n",
		  "line 2: bad admin state 'disabled'" },
		{ MAGIC "server b s admin\n", "line 2: 'admin' needs a value" },
		/* numbers */
		{ MAGIC "server b s id\n", "line 2: 'id' needs a value" },
		{ MAGIC "server b s id x\n", "line 2: bad number 'x' for 'id'" },
		{ MAGIC "server b s id 1x\n", "line 2: bad number '1x' for 'id'" },
		{ MAGIC "server b s id 0x10\n", "line 2: bad number '0x10' for 'id'" },
		{ MAGIC "added b s 1.2.3.4:5 weight two\n",
		  "line 2: bad number 'two' for 'weight'" },
		{ MAGIC "added b s 1.2.3.4:5 weight\n", "line 2: 'weight' needs a value" },
		/* ranges */
		{ MAGIC "server b s id 256\n", "line 2: bad 'id 256'" },
		{ MAGIC "server b s id 99999999999999999999999\n",
		  "line 2: bad 'id 99999999999999999999999'" },
		{ MAGIC "server b s id -1\n", "line 2: bad 'id -1'" },
		{ MAGIC "added b s 1.2.3.4:5 weight 257\n", "line 2: bad 'weight 257'" },
		{ MAGIC "added b s 1.2.3.4:5 weight 1000\n", "line 2: bad 'weight 1000'" },
		/* a weight belongs to added servers only: the file's come from the file */
		{ MAGIC "server b s weight 2\n", "line 2: bad 'weight 2'" },
		{ MAGIC "server b s port 80\n", "line 2: unknown key 'port': admin, id or weight" },
		{ MAGIC "server b s color red\n",
		  "line 2: unknown key 'color': admin, id or weight" },
		/* deleted takes nothing after the names */
		{ MAGIC "deleted b s id 3\n", "line 2: trailing words" },
		{ MAGIC "deleted b s admin maint\n", "line 2: trailing words" },
		{ MAGIC "deleted b s 10.0.0.1:80\n", "line 2: trailing words" },
		/* names */
		{ MAGIC "server b " NAME32 "\n", "line 2: " USAGE },
		{ MAGIC "server " NAME32 " s\n", "line 2: " USAGE },
		{ MAGIC "deleted b " NAME32 "\n", "line 2: " USAGE },
		{ MAGIC "added " NAME32 " s 1.2.3.4:5\n", "line 2: " USAGE },
		{ MAGIC "server b s/1\n", "line 2: " USAGE },
		{ MAGIC "server b s$\n", "line 2: " USAGE },
		{ MAGIC "server b/c s\n", "line 2: " USAGE },
		{ MAGIC "added b s,t 1.2.3.4:5\n", "line 2: " USAGE },
		{ MAGIC "server b caf\xc3\xa9\n", "line 2: " USAGE },
		{ MAGIC "deleted b 's'\n", "line 2: " USAGE },
		/* the first error stops the parse, however many follow */
		{ MAGIC "server b s1\nserver b s2\n# fine so far\nserver b s3 admin x\nbogus\n",
		  "line 5: bad admin state 'x'" },
	};

	(void)state;
	expect_errors(cases, ARRAY_SIZE(cases));
}

/* An entry that is too long for the reason buffer still gives a line number. */
static void test_parse_error_long_word(void **state)
{
	char text[2048], err[256] = "";
	struct lb_overrides ov;

	(void)state;
	snprintf(text, sizeof(text), MAGIC "server b s admin %01000d\n", 0);
	assert_int_equal(state_parse(text, &ov, err, sizeof(err)), -EINVAL);
	assert_int_equal(strncmp(err, "line 2: bad admin state '0000", 29), 0);
	assert_int_equal(ov.count, 0);
}

/*
 * The line numbers must be the file's: an operator opens the file at the
 * line the error names. Blank lines count like any other.
 */
static void test_parse_error_line_counts_blank_lines(void **state)
{
	static const struct parse_error cases[] = {
		{ "rpilb-state 1\n\nserver b s admin up\n", "line 3: bad admin state 'up'" },
		{ "\n\nrpilb-state 2\n",
		  "line 3: not an rpilb state file (expected 'rpilb-state 1')" },
		{ "rpilb-state 1\n\n\n\nserver b s1\n\nbogus b s2\n",
		  "line 7: unknown entry 'bogus'" },
		/* Lines of spaces were never the problem. */
		{ "rpilb-state 1\n  \n\t\nbogus b s\n", "line 4: unknown entry 'bogus'" },
	};

	(void)state;
	expect_errors(cases, ARRAY_SIZE(cases));
}

static void test_parse_data_file_hand_edited(void **state)
{
	struct lb_overrides ov, want = { 0 };
	char path[PATH_MAX], err[256] = "", *text;

	(void)state;
	text = read_text(data_path("state-hand-edited", path, sizeof(path)));
	assert_int_equal(state_parse(text, &ov, err, sizeof(err)), 0);
	free(text);
	add_server(&want, "nodes", "raspberrypi01", 0, ADMIN_READY);
	add_server(&want, "nodes", "raspberrypi02", 1, ADMIN_DRAIN);
	add_deleted(&want, "nodes", "raspberrypi03");
	add_added(&want, "nodes", "raspberrypi04", "192.168.1.104", 8000, 2, 3, ADMIN_MAINT);
	add_added(&want, "nodes", "pi-05.lab_b:2", "192.168.1.105", 8001, 1, -1, ADMIN_READY);
	add_server(&want, "web", "w1", -1, ADMIN_DRAIN);
	expect_same_free(&want, &ov);
}

/* The error is on the file's 7th line, after three blank ones. */
static void test_parse_data_file_bad_line_7(void **state)
{
	struct lb_overrides ov;
	char path[PATH_MAX], err[256] = "", *text;

	(void)state;
	text = read_text(data_path("state-bad-line-7", path, sizeof(path)));
	assert_int_equal(state_parse(text, &ov, err, sizeof(err)), -EINVAL);
	free(text);
	assert_string_equal(err, "line 7: bad admin state 'sleeping'");
}

/* ---- the file ---- */

struct tmpdir {
	char path[64];
};

static void tmpdir_make(struct tmpdir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/rpilb-test-state.XXXXXX");
	assert_non_null(mkdtemp(d->path));
}

static void tmpdir_remove(struct tmpdir *d)
{
	char cmd[128];

	chmod(d->path, 0700);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	assert_int_equal(system(cmd), 0);
}

/* The names in the directory, sorted, joined by spaces. */
static void dir_names(const char *dir, char *buf, size_t len)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	size_t used = 0;

	assert_true(n >= 0);
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, ".."))
			used += snprintf(buf + used, len - used, "%s%s", used ? " " : "",
					 list[i]->d_name);
		free(list[i]);
	}
	free(list);
}

static void sample(struct lb_overrides *ov)
{
	memset(ov, 0, sizeof(*ov));
	add_server(ov, "nodes", "raspberrypi01", 0, ADMIN_READY);
	add_server(ov, "nodes", "raspberrypi02", 1, ADMIN_DRAIN);
	add_deleted(ov, "nodes", "raspberrypi03");
	add_added(ov, "nodes", "raspberrypi04", "192.168.1.104", 8000, 2, 3, ADMIN_MAINT);
}

static void test_load_missing_is_empty(void **state)
{
	struct tmpdir d;
	struct lb_overrides ov = { .count = 5 };
	char err[256] = "untouched";

	(void)state;
	tmpdir_make(&d);
	assert_int_equal(state_load(d.path, &ov, err, sizeof(err)), 0);
	assert_int_equal(ov.count, 0);
	assert_null(ov.items);
	assert_string_equal(err, "untouched");
	/* A state directory that does not exist yet is the same. */
	assert_int_equal(state_load("/nonexistent/rpilb/state-dir", &ov, err, sizeof(err)), 0);
	assert_int_equal(ov.count, 0);
	tmpdir_remove(&d);
}

static void test_save_then_load(void **state)
{
	struct tmpdir d;
	struct lb_overrides ov, back;
	char path[PATH_MAX], names[256], err[256] = "", *text, *want;
	struct stat st;

	(void)state;
	tmpdir_make(&d);
	sample(&ov);
	assert_int_equal(state_save(d.path, &ov, err, sizeof(err)), 0);
	assert_int_equal(state_load(d.path, &back, err, sizeof(err)), 0);
	expect_same(&ov, &back);
	overrides_free(&back);

	/* The file is exactly the formatted text, root-only, and nothing else is left behind. */
	snprintf(path, sizeof(path), "%s/state", d.path);
	text = read_text(path);
	want = state_format(&ov);
	assert_string_equal(text, want);
	free(text);
	free(want);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	dir_names(d.path, names, sizeof(names));
	assert_string_equal(names, "state");

	/* A second save replaces the first whole. */
	overrides_free(&ov);
	add_server(&ov, "web", "w1", 9, ADMIN_MAINT);
	assert_int_equal(state_save(d.path, &ov, err, sizeof(err)), 0);
	assert_int_equal(state_load(d.path, &back, err, sizeof(err)), 0);
	expect_same(&ov, &back);
	overrides_free(&back);
	text = read_text(path);
	assert_string_equal(text, HEADER "server web w1 id 9 admin maint\n");
	free(text);
	dir_names(d.path, names, sizeof(names));
	assert_string_equal(names, "state");

	/* Saving nothing leaves a valid, empty state (not a missing or empty file). */
	overrides_free(&ov);
	assert_int_equal(state_save(d.path, &ov, err, sizeof(err)), 0);
	text = read_text(path);
	assert_string_equal(text, HEADER);
	free(text);
	assert_int_equal(state_load(d.path, &back, err, sizeof(err)), 0);
	assert_int_equal(back.count, 0);
	tmpdir_remove(&d);
}

static void test_load_errors_name_the_file(void **state)
{
	struct tmpdir d;
	struct lb_overrides ov;
	char path[PATH_MAX], want[PATH_MAX + 128], err[512] = "";
	int fd;

	(void)state;
	tmpdir_make(&d);
	snprintf(path, sizeof(path), "%s/state", d.path);
	write_text(path, "rpilb-state 1\nserver b s admin on\n");
	assert_int_equal(state_load(d.path, &ov, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: line 2: bad admin state 'on'", path);
	assert_string_equal(err, want);
	assert_int_equal(ov.count, 0);

	/* A leftover temporary file from a crash is not read. */
	write_text(path, HEADER "server b s id 1\n");
	snprintf(want, sizeof(want), "%s/.state.tmp", d.path);
	write_text(want, "garbage from a crash in the middle of a sa");
	assert_int_equal(state_load(d.path, &ov, err, sizeof(err)), 0);
	assert_int_equal(ov.count, 1);
	assert_int_equal(ov.items[0].id, 1);
	overrides_free(&ov);

	/* Larger than a state file can be: refused before reading. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (1 << 20) + 1), 0);
	close(fd);
	assert_int_equal(state_load(d.path, &ov, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: unreadable or too large", path);
	assert_string_equal(err, want);
	assert_int_equal(ov.count, 0);
	tmpdir_remove(&d);
}

/* The data file, loaded as a state directory's file. */
static void test_load_hand_edited_file(void **state)
{
	struct tmpdir d;
	struct lb_overrides ov;
	char path[PATH_MAX], err[256] = "", *text;

	(void)state;
	tmpdir_make(&d);
	text = read_text(data_path("state-hand-edited", path, sizeof(path)));
	snprintf(path, sizeof(path), "%s/state", d.path);
	write_text(path, text);
	free(text);
	assert_int_equal(state_load(d.path, &ov, err, sizeof(err)), 0);
	assert_int_equal(ov.count, 6);
	/* What the daemon writes back is the canonical form. */
	assert_int_equal(state_save(d.path, &ov, err, sizeof(err)), 0);
	text = read_text(path);
	assert_string_equal(
		text,
		HEADER "server nodes raspberrypi01 id 0 admin ready\n"
		       "server nodes raspberrypi02 id 1 admin drain\n"
		       "deleted nodes raspberrypi03\n"
		       "added nodes raspberrypi04 192.168.1.104:8000 weight 2 id 3 admin maint\n"
		       "added nodes pi-05.lab_b:2 192.168.1.105:8001 weight 1 admin ready\n"
		       "server web w1 admin drain\n");
	free(text);
	overrides_free(&ov);
	tmpdir_remove(&d);
}

/* A stale temporary file (a save killed half-way) does not stop the next save. */
static void test_save_over_stale_temp(void **state)
{
	struct tmpdir d;
	struct lb_overrides ov, back;
	char path[PATH_MAX], names[256], err[256] = "";

	(void)state;
	tmpdir_make(&d);
	snprintf(path, sizeof(path), "%s/.state.tmp", d.path);
	write_text(path, "rpilb-state 1\nserver half written");
	sample(&ov);
	assert_int_equal(state_save(d.path, &ov, err, sizeof(err)), 0);
	assert_int_equal(state_load(d.path, &back, err, sizeof(err)), 0);
	expect_same(&ov, &back);
	dir_names(d.path, names, sizeof(names));
	assert_string_equal(names, "state");
	overrides_free(&ov);
	overrides_free(&back);
	tmpdir_remove(&d);
}

/* The temporary file's name is taken by a directory: the save fails, the old file stays. */
static void test_failed_save_keeps_old_file(void **state)
{
	struct tmpdir d;
	struct lb_overrides ov, next = { 0 }, back;
	char path[PATH_MAX], want[PATH_MAX + 128], names[256], err[512] = "", *before, *after;

	(void)state;
	tmpdir_make(&d);
	sample(&ov);
	assert_int_equal(state_save(d.path, &ov, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/state", d.path);
	before = read_text(path);
	snprintf(want, sizeof(want), "%s/.state.tmp", d.path);
	assert_int_equal(mkdir(want, 0700), 0);

	add_server(&next, "nodes", "raspberrypi01", 0, ADMIN_MAINT);
	assert_int_equal(state_save(d.path, &next, err, sizeof(err)), -EISDIR);
	snprintf(want, sizeof(want), "cannot write the state file in %s: %s", d.path,
		 strerror(EISDIR));
	assert_string_equal(err, want);
	after = read_text(path);
	assert_string_equal(after, before);
	assert_int_equal(state_load(d.path, &back, err, sizeof(err)), 0);
	expect_same(&ov, &back);
	dir_names(d.path, names, sizeof(names));
	assert_string_equal(names, ".state.tmp state");
	free(before);
	free(after);
	overrides_free(&ov);
	overrides_free(&next);
	overrides_free(&back);
	tmpdir_remove(&d);
}

/* ---- saves the file system refuses ---- */

struct save_result {
	int ret;
	char err[512];
	char names[256];
	char text[4096]; /* the state file as it is after the save */
};

enum refusal {
	REFUSE_READ_ONLY, /* a read-only bind mount of the directory */
	REFUSE_FULL, /* a tmpfs too small for the new file */
};

static void save_refused(const char *dir, enum refusal how, const struct lb_overrides *next,
			 struct save_result *res)
{
	char path[PATH_MAX];
	FILE *f;

	res->ret = state_save(dir, next, res->err, sizeof(res->err));
	dir_names(dir, res->names, sizeof(res->names));
	snprintf(path, sizeof(path), "%s/state", dir);
	f = fopen(path, "r");
	if (f) {
		size_t n = fread(res->text, 1, sizeof(res->text) - 1, f);

		res->text[n] = '\0';
		fclose(f);
	}
	(void)how;
}

/*
 * As root: in a child with its own mount namespace (private, so nothing
 * propagates to the host), make dir refuse the save, try it, and report.
 * The mounts name "none" where the kernel ignores the argument: valgrind
 * checks every string argument of mount(2) and flags a NULL one.
 */
static void save_in_namespace(const char *dir, enum refusal how, const struct lb_overrides *old,
			      const struct lb_overrides *next, struct save_result *res)
{
	int fds[2];
	pid_t pid;
	int status;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct save_result r = { .ret = 1000 };
		char err[256];
		int code = 0;

		close(fds[0]);
		if (unshare(CLONE_NEWNS) || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL)) {
			code = 10;
		} else if (how == REFUSE_READ_ONLY) {
			if (state_save(dir, old, err, sizeof(err)) ||
			    mount(dir, dir, "none", MS_BIND, NULL) ||
			    mount("none", dir, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL))
				code = 11;
		} else {
			/* Two pages: the old file takes one, the new one needs more. */
			if (mount("rpilb-test", dir, "tmpfs", 0, "size=8k,mode=0700") ||
			    state_save(dir, old, err, sizeof(err)))
				code = 12;
		}
		if (!code)
			save_refused(dir, how, next, &r);
		if (write(fds[1], &r, sizeof(r)) != sizeof(r))
			code = 13;
		_exit(code);
	}
	close(fds[1]);
	memset(res, 0, sizeof(*res));
	assert_int_equal(read(fds[0], res, sizeof(*res)), sizeof(*res));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status))
		fail_msg("setting up the refusing file system failed (step %d): needs "
			 "unshare(CLONE_NEWNS) and mount",
			 WEXITSTATUS(status));
}

static void test_save_read_only_dir(void **state)
{
	struct tmpdir d;
	struct lb_overrides old, next = { 0 }, back;
	struct save_result res;
	char want[PATH_MAX + 128], err[256], *text, path[PATH_MAX];

	(void)state;
	tmpdir_make(&d);
	sample(&old);
	add_server(&next, "nodes", "raspberrypi01", 0, ADMIN_MAINT);
	text = state_format(&old);
	if (geteuid() == 0) {
		save_in_namespace(d.path, REFUSE_READ_ONLY, &old, &next, &res);
		assert_int_equal(res.ret, -EROFS);
		snprintf(want, sizeof(want), "cannot write the state file in %s: %s", d.path,
			 strerror(EROFS));
	} else {
		assert_int_equal(state_save(d.path, &old, err, sizeof(err)), 0);
		assert_int_equal(chmod(d.path, 0555), 0);
		save_refused(d.path, REFUSE_READ_ONLY, &next, &res);
		assert_int_equal(res.ret, -EACCES);
		snprintf(want, sizeof(want), "cannot write the state file in %s: %s", d.path,
			 strerror(EACCES));
	}
	assert_string_equal(res.err, want);
	/* The old file, whole, and no temporary file, as seen through the refusing mount... */
	assert_string_equal(res.text, text);
	assert_string_equal(res.names, "state");
	/* ...and after it is gone. */
	if (geteuid() == 0) {
		snprintf(path, sizeof(path), "%s/state", d.path);
		free(read_text(path));
		assert_int_equal(state_load(d.path, &back, err, sizeof(err)), 0);
		expect_same(&old, &back);
		overrides_free(&back);
	}
	free(text);
	overrides_free(&old);
	overrides_free(&next);
	tmpdir_remove(&d);
}

static void test_save_disk_full(void **state)
{
	struct tmpdir d;
	struct lb_overrides old = { 0 }, next = { 0 };
	struct save_result res;
	char want[PATH_MAX + 128], name[CFG_NAME_MAX], *text;

	(void)state;
	REQUIRE_ROOT();
	tmpdir_make(&d);
	add_server(&old, "nodes", "raspberrypi01", 0, ADMIN_READY);
	/* About 100 KiB of entries: far more than the 8 KiB file system holds. */
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "node-%04d", i);
		add_added(&next, "nodes", name, "192.168.100.200", 10000 + i, 256, i % 256,
			  ADMIN_DRAIN);
	}
	text = state_format(&old);
	save_in_namespace(d.path, REFUSE_FULL, &old, &next, &res);
	assert_int_equal(res.ret, -ENOSPC);
	snprintf(want, sizeof(want), "cannot write the state file in %s: %s", d.path,
		 strerror(ENOSPC));
	assert_string_equal(res.err, want);
	assert_string_equal(res.text, text);
	assert_string_equal(res.names, "state");
	free(text);
	overrides_free(&old);
	overrides_free(&next);
	tmpdir_remove(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_exact),
		cmocka_unit_test(test_format_empty),
		cmocka_unit_test(test_format_deleted_ignores_the_rest),
		cmocka_unit_test(test_round_trip_every_kind),
		cmocka_unit_test(test_round_trip_added_without_port),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_keys_in_any_order),
		cmocka_unit_test(test_parse_comments_and_blank_lines),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_error_long_word),
		cmocka_unit_test(test_parse_error_line_counts_blank_lines),
		cmocka_unit_test(test_parse_data_file_hand_edited),
		cmocka_unit_test(test_parse_data_file_bad_line_7),
		cmocka_unit_test(test_load_missing_is_empty),
		cmocka_unit_test(test_save_then_load),
		cmocka_unit_test(test_load_errors_name_the_file),
		cmocka_unit_test(test_load_hand_edited_file),
		cmocka_unit_test(test_save_over_stale_temp),
		cmocka_unit_test(test_failed_save_keeps_old_file),
		cmocka_unit_test(test_save_read_only_dir),
		cmocka_unit_test(test_save_disk_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
