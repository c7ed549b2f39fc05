// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the balancer model (user/model/balancer.c) without a kernel
 * (maps == NULL): building from a configuration and the runtime overrides
 * of the state file, the precedence between the two, runtime changes, and
 * the overrides that reproduce them. Configurations are written inline;
 * the seed's haproxy.cfg comes from tests/unit/data (or $RPILB_TEST_DATA).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "testutil.h"

#include "model/balancer.h"
#include "config/config.h"
#include "model/statefile.h"
#include "lib/util.h"

#define NAT_ADDR "192.168.1.10" /* the balancer's own address, for binds on "*" */

/* Two backends, one frontend each. Line numbers do not matter here. */
#define TWO_POOLS                                                                                  \
	"frontend web\n"                                                                           \
	"\tbind *:80\n"                                                                            \
	"\tdefault_backend nodes\n"                                                                \
	"frontend api\n"                                                                           \
	"\tbind *:8080\n"                                                                          \
	"\tdefault_backend apis\n"                                                                 \
	"backend nodes\n"                                                                          \
	"\tserver pi1 10.0.0.1:8000\n"                                                             \
	"\tserver pi2 10.0.0.2:8000\n"                                                             \
	"\tserver pi3 10.0.0.3:8000\n"                                                             \
	"backend apis\n"                                                                           \
	"\tserver a1 10.0.1.1:9000\n"                                                              \
	"\tserver a2 10.0.1.2:9000\n"

static struct in_addr addr_of(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static const char *data_path(const char *file, char *buf, size_t len)
{
	const char *dir = getenv("RPILB_TEST_DATA");

	snprintf(buf, len, "%s/%s", dir && *dir ? dir : "tests/unit/data", file);
	return buf;
}

static void parse_cfg(const char *text, struct rpilb_config *cfg)
{
	struct cfg_diags d = { 0 };

	if (cfg_parse_string("test.cfg", text, strlen(text), cfg, &d) || d.nerrors) {
		for (size_t i = 0; i < d.count; i++) {
			char buf[512];

			cfg_diag_format(&d, &d.items[i], buf, sizeof(buf));
			print_error("  %s\n", buf);
		}
		cfg_diags_free(&d);
		fail_msg("the test's configuration does not parse");
	}
	cfg_diags_free(&d);
}

/* Parse text and build with ov (may be NULL); the build must succeed. */
static void build(struct balancer *b, struct rpilb_config *cfg, const char *text,
		  const struct lb_overrides *ov)
{
	char err[256] = "";

	parse_cfg(text, cfg);
	if (balancer_build(b, cfg, ov, addr_of(NAT_ADDR), NULL, NULL, err, sizeof(err)))
		fail_msg("balancer_build: %s", err);
}

static void done(struct balancer *b, struct rpilb_config *cfg)
{
	balancer_free(b);
	cfg_free(cfg);
}

static struct lb_server *find(struct balancer *b, const char *name, const char *pool)
{
	char err[256] = "";
	struct lb_server *s = balancer_find(b, name, pool, err, sizeof(err));

	if (!s)
		fail_msg("no server %s/%s: %s", pool ? pool : "*", name, err);
	return s;
}

/* The names of a pool's servers in its order, each "name=id". */
static const char *pool_list(struct balancer *b, const char *pool_name)
{
	static char buf[1024];
	struct lb_pool *pool = balancer_find_pool(b, pool_name);
	size_t used = 0;

	assert_non_null(pool);
	buf[0] = '\0';
	for (size_t i = 0; i < pool->nservers; i++)
		used += snprintf(buf + used, sizeof(buf) - used, "%s%s=%u", i ? " " : "",
				 pool->servers[i]->name, pool->servers[i]->id);
	return buf;
}

/* by_id agrees with the pools: every server is at its id, nothing else is. */
static void check_by_id(const struct balancer *b)
{
	size_t count = 0;

	for (size_t p = 0; p < b->npools; p++) {
		const struct lb_pool *pool = &b->pools[p];

		for (size_t i = 0; i < pool->nservers; i++) {
			assert_ptr_equal(b->by_id[pool->servers[i]->id], pool->servers[i]);
			assert_ptr_equal(pool->servers[i]->pool, pool);
			count++;
		}
	}
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		count -= b->by_id[id] != NULL;
	assert_int_equal(count, 0);
}

/* ---- overrides, as the state file holds them ---- */

static struct lb_override *ov_push(struct lb_overrides *ov, const char *pool, const char *server)
{
	struct lb_override *items = realloc(ov->items, (ov->count + 1) * sizeof(*items));
	struct lb_override *o;

	assert_non_null(items);
	ov->items = items;
	o = &items[ov->count++];
	memset(o, 0, sizeof(*o));
	o->id = -1;
	snprintf(o->pool, sizeof(o->pool), "%s", pool);
	snprintf(o->server, sizeof(o->server), "%s", server);
	return o;
}

static void ov_state(struct lb_overrides *ov, const char *pool, const char *server, int id,
		     enum admin_state admin)
{
	struct lb_override *o = ov_push(ov, pool, server);

	o->id = id;
	o->admin = admin;
}

static void ov_deleted(struct lb_overrides *ov, const char *pool, const char *server)
{
	ov_push(ov, pool, server)->deleted = true;
}

static void ov_added(struct lb_overrides *ov, const char *pool, const char *server,
		     const char *addr, uint16_t port, unsigned weight, int id,
		     enum admin_state admin)
{
	struct lb_override *o = ov_push(ov, pool, server);

	o->added = true;
	o->addr = addr_of(addr);
	o->port = port;
	o->weight = weight;
	o->id = id;
	o->admin = admin;
}

/* The overrides as state-file text, without the header: easy to compare whole. */
static char *ov_text(const struct lb_overrides *ov)
{
	char *text = state_format(ov), *body, *copy;

	assert_non_null(text);
	body = strstr(text, "rpilb-state 1\n");
	assert_non_null(body);
	copy = strdup(body + strlen("rpilb-state 1\n"));
	free(text);
	return copy;
}

static void expect_overrides(const struct balancer *b, const char *want)
{
	struct lb_overrides ov;
	char *text;

	assert_int_equal(balancer_overrides(b, &ov), 0);
	text = ov_text(&ov);
	overrides_free(&ov);
	if (strcmp(text, want)) {
		print_error("overrides:\n%s\nexpected:\n%s\n", text, want);
		free(text);
		fail();
	}
	free(text);
}

/* ---- building from the file ---- */

static void test_seed_config(void **state)
{
	struct rpilb_config cfg;
	struct cfg_diags d = { 0 };
	struct balancer b;
	char path[PATH_MAX], err[256] = "";
	const struct lb_service *svc;

	(void)state;
	assert_int_equal(
		cfg_parse_file(data_path("seed-haproxy.cfg", path, sizeof(path)), &cfg, &d), 0);
	cfg_diags_free(&d);
	assert_int_equal(
		balancer_build(&b, &cfg, NULL, addr_of(NAT_ADDR), NULL, NULL, err, sizeof(err)), 0);
	assert_ptr_equal(b.cfg, &cfg);
	assert_null(b.maps);
	assert_int_equal(b.npools, 1);
	assert_string_equal(b.pools[0].name, "nodes");
	assert_int_equal(b.pools[0].id, 0);
	assert_string_equal(pool_list(&b, "nodes"),
			    "raspberrypi01=0 raspberrypi02=1 raspberrypi03=2");
	for (int i = 0; i < 3; i++) {
		const struct lb_server *s = b.pools[0].servers[i];
		char want[16];

		snprintf(want, sizeof(want), "192.168.1.10%d", i + 1);
		assert_int_equal(s->addr.s_addr, addr_of(want).s_addr);
		assert_int_equal(s->port, 8000);
		assert_int_equal(s->weight, 1);
		assert_int_equal(s->admin, ADMIN_READY);
		assert_false(s->runtime);
		assert_true(s->opts.check);
		/* Not in rotation until the health checker says so. */
		assert_false(s->healthy);
		assert_false(s->checked);
		assert_false(server_eligible(s));
	}
	check_by_id(&b);

	/* One service: *:80 on the interface's address; the stats page is not forwarded. */
	assert_int_equal(b.nservices, 1);
	svc = &b.services[0];
	assert_int_equal(svc->id, 0);
	assert_int_equal(svc->vip.s_addr, addr_of(NAT_ADDR).s_addr);
	assert_int_equal(svc->port, 80);
	assert_ptr_equal(svc->pool, &b.pools[0]);
	assert_false(svc->dedicated_vip);
	assert_int_equal(svc->idle_ms, 50000);
	assert_string_equal(svc->fe->name, "raspberrypinodes");
	done(&b, &cfg);
}

static void test_ids_in_order(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;

	(void)state;
	build(&b, &cfg, TWO_POOLS, NULL);
	assert_int_equal(b.npools, 2);
	assert_string_equal(pool_list(&b, "nodes"), "pi1=0 pi2=1 pi3=2");
	assert_string_equal(pool_list(&b, "apis"), "a1=3 a2=4");
	assert_int_equal(balancer_find_pool(&b, "nodes")->id, 0);
	assert_int_equal(balancer_find_pool(&b, "apis")->id, 1);
	assert_null(balancer_find_pool(&b, "web"));
	check_by_id(&b);
	/* Without overrides there is nothing to record but the ids now in use. */
	expect_overrides(&b, "server nodes pi1 id 0 admin ready\n"
			     "server nodes pi2 id 1 admin ready\n"
			     "server nodes pi3 id 2 admin ready\n"
			     "server apis a1 id 3 admin ready\n"
			     "server apis a2 id 4 admin ready\n");
	done(&b, &cfg);
}

/* Ids that open flows still count against are not handed out. */
static void test_ids_skip_open_flows(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	uint32_t flows[RPILB_MAX_BACKENDS] = { 0 };
	char err[256] = "";
	struct lb_server *s;

	(void)state;
	flows[0] = 3;
	flows[2] = 1;
	parse_cfg(TWO_POOLS, &cfg);
	assert_int_equal(
		balancer_build(&b, &cfg, NULL, addr_of(NAT_ADDR), NULL, flows, err, sizeof(err)),
		0);
	assert_string_equal(pool_list(&b, "nodes"), "pi1=1 pi2=3 pi3=4");
	assert_string_equal(pool_list(&b, "apis"), "a1=5 a2=6");
	assert_int_equal(b.flows_by_id[0], 3);
	s = balancer_add(&b, balancer_find_pool(&b, "nodes"), "pi4", addr_of("10.0.0.4"), 8000, 1,
			 err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(s->id, 7);
	done(&b, &cfg);
}

static void test_server_settings(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_server *s;

	(void)state;
	build(&b, &cfg,
	      "frontend web\n\tbind *:80\n\tbind *:81\n\tdefault_backend nodes\n"
	      "frontend alt\n\tbind *:82\n\tdefault_backend nodes\n"
	      "frontend other\n\tbind *:83\n\tdefault_backend spare\n"
	      "backend nodes\n"
	      "\tserver p1 10.0.0.1\n"
	      "\tserver p2 10.0.0.2:8000 weight 3 check inter 5s\n"
	      "\tserver p3 10.0.0.3:8000 disabled\n"
	      "\tserver p4 10.0.0.4:8000 weight 0\n"
	      "backend spare\n\tserver s1 10.0.2.1\n"
	      "backend lonely\n\tserver l1 10.0.3.1\n"
	      "\tserver o1 10.0.3.2:+1000\n\tserver o2 10.0.3.3:-1000\n",
	      NULL);
	/* No port: the port each client connected to (HAProxy), whatever the frontend. */
	s = find(&b, "p1", NULL);
	assert_int_equal(s->port, 0);
	assert_true(s->port_map);
	assert_int_equal(s->port_offset, 0);
	assert_int_equal(s->weight, 1);
	assert_false(s->opts.check);
	assert_true(find(&b, "s1", NULL)->port_map);
	assert_true(find(&b, "l1", NULL)->port_map);
	s = find(&b, "o1", NULL);
	assert_true(s->port_map);
	assert_int_equal(s->port_offset, 1000);
	assert_int_equal(find(&b, "o2", NULL)->port_offset, 65536 - 1000);
	assert_false(find(&b, "p2", NULL)->port_map);
	s = find(&b, "p2", NULL);
	assert_int_equal(s->port, 8000);
	assert_int_equal(s->weight, 3);
	assert_true(s->opts.check);
	assert_int_equal(s->opts.inter_ms, 5000);
	/* "disabled" starts in maintenance. */
	assert_int_equal(find(&b, "p3", NULL)->admin, ADMIN_MAINT);
	assert_int_equal(find(&b, "p4", NULL)->weight, 0);
	assert_int_equal(b.nservices, 4);
	done(&b, &cfg);
}

/* ---- services ---- */

static void test_services(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	const struct lb_service *svc;

	(void)state;
	build(&b, &cfg,
	      "frontend web\n\tbind *:80\n\tbind 10.0.0.50:80\n\tbind " NAT_ADDR ":81\n"
	      "\ttimeout client 30s\n\tdefault_backend nodes\n"
	      "frontend api\n\tbind 10.0.0.51:8080\n\tdefault_backend apis\n"
	      "backend nodes\n\ttimeout server 45s\n\tserver p1 10.0.0.1:8000\n"
	      "backend apis\n\tserver a1 10.0.1.1:9000\n",
	      NULL);
	assert_int_equal(b.nservices, 4);
	for (size_t i = 0; i < b.nservices; i++)
		assert_int_equal(b.services[i].id, i);

	svc = &b.services[0];
	assert_int_equal(svc->vip.s_addr, addr_of(NAT_ADDR).s_addr);
	assert_int_equal(svc->port, 80);
	assert_false(svc->dedicated_vip);
	assert_string_equal(svc->pool->name, "nodes");
	/* The larger of timeout client and timeout server. */
	assert_int_equal(svc->idle_ms, 45000);

	/* An address of its own: the balancer answers ARP for it. */
	svc = &b.services[1];
	assert_int_equal(svc->vip.s_addr, addr_of("10.0.0.50").s_addr);
	assert_int_equal(svc->port, 80);
	assert_true(svc->dedicated_vip);

	/* The interface's address written out is the same as "*". */
	svc = &b.services[2];
	assert_int_equal(svc->vip.s_addr, addr_of(NAT_ADDR).s_addr);
	assert_int_equal(svc->port, 81);
	assert_false(svc->dedicated_vip);

	svc = &b.services[3];
	assert_int_equal(svc->vip.s_addr, addr_of("10.0.0.51").s_addr);
	assert_int_equal(svc->port, 8080);
	assert_true(svc->dedicated_vip);
	assert_string_equal(svc->pool->name, "apis");
	assert_int_equal(svc->idle_ms, CFG_DEFAULT_IDLE_MS);

	assert_ptr_equal(balancer_service_by_key(&b, addr_of("10.0.0.50"), 80), &b.services[1]);
	assert_ptr_equal(balancer_service_by_key(&b, addr_of(NAT_ADDR), 81), &b.services[2]);
	assert_null(balancer_service_by_key(&b, addr_of("10.0.0.50"), 81));
	assert_null(balancer_service_by_key(&b, addr_of("0.0.0.0"), 80));
	done(&b, &cfg);
}

/* "*:80" and the interface's own address on :80 are the same service: an error. */
static void test_services_conflict(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	char err[256] = "";

	(void)state;
	parse_cfg("frontend a\n\tbind *:80\n\tdefault_backend nodes\n"
		  "frontend b\n\tbind " NAT_ADDR ":80\n\tdefault_backend nodes\n"
		  "backend nodes\n\tserver p1 10.0.0.1:8000\n",
		  &cfg);
	assert_int_equal(
		balancer_build(&b, &cfg, NULL, addr_of(NAT_ADDR), NULL, NULL, err, sizeof(err)),
		-1);
	assert_string_equal(
		err, "frontends 'a' and 'b' both listen on port 80 of the interface's address");
	/* Nothing is left built. */
	assert_int_equal(b.npools, 0);
	assert_int_equal(b.nservices, 0);
	for (int id = 0; id < RPILB_MAX_BACKENDS; id++)
		assert_null(b.by_id[id]);
	cfg_free(&cfg);

	/* The same ports on another interface address are no conflict. */
	parse_cfg("frontend a\n\tbind *:80\n\tdefault_backend nodes\n"
		  "frontend b\n\tbind " NAT_ADDR ":80\n\tdefault_backend nodes\n"
		  "backend nodes\n\tserver p1 10.0.0.1:8000\n",
		  &cfg);
	assert_int_equal(balancer_build(&b, &cfg, NULL, addr_of("192.168.1.11"), NULL, NULL, err,
					sizeof(err)),
			 0);
	assert_int_equal(b.nservices, 2);
	assert_true(b.services[1].dedicated_vip);
	done(&b, &cfg);
}

/* ---- precedence of the overrides ---- */

/* Recorded ids are kept, and fresh ids never take them. */
static void test_state_ids_first(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_overrides ov = { 0 };

	(void)state;
	ov_state(&ov, "nodes", "pi3", 0, ADMIN_READY);
	ov_state(&ov, "apis", "a1", 1, ADMIN_READY);
	build(&b, &cfg, TWO_POOLS, &ov);
	assert_int_equal(find(&b, "pi3", NULL)->id, 0);
	assert_int_equal(find(&b, "a1", NULL)->id, 1);
	assert_int_equal(find(&b, "pi1", NULL)->id, 2);
	assert_int_equal(find(&b, "pi2", NULL)->id, 3);
	assert_int_equal(find(&b, "a2", NULL)->id, 4);
	check_by_id(&b);
	overrides_free(&ov);
	done(&b, &cfg);
}

/*
 * The rotation and the status list follow the configuration's order, as in
 * HAProxy, whichever servers happen to have a recorded id.
 */
static void test_pool_order_is_the_files(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_overrides ov = { 0 };
	const char *list;

	(void)state;
	ov_state(&ov, "nodes", "pi2", 7, ADMIN_DRAIN);
	build(&b, &cfg, TWO_POOLS, &ov);
	assert_int_equal(find(&b, "pi2", NULL)->id, 7);
	assert_int_equal(find(&b, "pi2", NULL)->admin, ADMIN_DRAIN);
	list = pool_list(&b, "nodes");
	overrides_free(&ov);
	done(&b, &cfg);
	assert_string_equal(list, "pi1=0 pi2=7 pi3=1");
}

/* Two entries claiming one id: the first keeps it, the second gets a free one. */
static void test_state_id_clash(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_overrides ov = { 0 };

	(void)state;
	ov_state(&ov, "nodes", "pi1", 5, ADMIN_READY);
	ov_state(&ov, "nodes", "pi2", 5, ADMIN_READY);
	ov_state(&ov, "nodes", "pi3", 6, ADMIN_READY);
	build(&b, &cfg, TWO_POOLS, &ov);
	assert_int_equal(find(&b, "pi1", NULL)->id, 5);
	assert_int_equal(find(&b, "pi2", NULL)->id, 0);
	assert_int_equal(find(&b, "pi3", NULL)->id, 6);
	check_by_id(&b);
	overrides_free(&ov);
	done(&b, &cfg);
}

static void test_state_admin_wins(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_overrides ov = { 0 };

	(void)state;
	ov_state(&ov, "nodes", "p1", -1, ADMIN_DRAIN);
	/* enable of a server the file says is disabled */
	ov_state(&ov, "nodes", "p2", -1, ADMIN_READY);
	ov_state(&ov, "nodes", "p3", -1, ADMIN_MAINT);
	/* an entry for a server the file no longer has is ignored */
	ov_state(&ov, "nodes", "gone", 9, ADMIN_MAINT);
	build(&b, &cfg,
	      "frontend web\n\tbind *:80\n\tdefault_backend nodes\n"
	      "backend nodes\n\tserver p1 10.0.0.1:80\n\tserver p2 10.0.0.2:80 disabled\n"
	      "\tserver p3 10.0.0.3:80\n\tserver p4 10.0.0.4:80 disabled\n",
	      &ov);
	assert_int_equal(find(&b, "p1", NULL)->admin, ADMIN_DRAIN);
	assert_int_equal(find(&b, "p2", NULL)->admin, ADMIN_READY);
	assert_int_equal(find(&b, "p3", NULL)->admin, ADMIN_MAINT);
	assert_int_equal(find(&b, "p4", NULL)->admin, ADMIN_MAINT);
	assert_string_equal(pool_list(&b, "nodes"), "p1=0 p2=1 p3=2 p4=3");
	assert_null(b.by_id[9]);
	overrides_free(&ov);
	done(&b, &cfg);
}

static void test_deleted_stays_deleted(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_overrides ov = { 0 };
	char err[256] = "";

	(void)state;
	ov_deleted(&ov, "nodes", "pi2");
	/* A deleted entry for a backend that is gone is harmless. */
	ov_deleted(&ov, "old", "x");
	build(&b, &cfg, TWO_POOLS, &ov);
	assert_string_equal(pool_list(&b, "nodes"), "pi1=0 pi3=1");
	assert_null(balancer_find(&b, "pi2", NULL, err, sizeof(err)));
	assert_string_equal(err, "no server 'pi2'");
	check_by_id(&b);
	expect_overrides(&b, "server nodes pi1 id 0 admin ready\n"
			     "server nodes pi3 id 1 admin ready\n"
			     "deleted nodes pi2\n"
			     "server apis a1 id 2 admin ready\n"
			     "server apis a2 id 3 admin ready\n");
	overrides_free(&ov);
	done(&b, &cfg);
}

static void test_added_server(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_overrides ov = { 0 };
	struct lb_server *s;

	(void)state;
	ov_added(&ov, "nodes", "pi4", "10.0.0.4", 8001, 3, 9, ADMIN_DRAIN);
	/* No port recorded (a state file from before port maps): the client's. */
	ov_added(&ov, "nodes", "pi5", "10.0.0.5", 0, 1, -1, ADMIN_READY);
	/* A backend that is no longer configured: dropped with a warning. */
	ov_added(&ov, "old", "x1", "10.0.9.1", 80, 1, 10, ADMIN_READY);
	build(&b, &cfg,
	      "frontend web\n\tbind *:80\n\tdefault_backend nodes\n"
	      "backend nodes\n\tdefault-server check inter 3s rise 4\n"
	      "\tserver pi1 10.0.0.1:8000 weight 2\n",
	      &ov);
	assert_string_equal(pool_list(&b, "nodes"), "pi1=0 pi4=9 pi5=1");
	s = find(&b, "pi4", "nodes");
	assert_true(s->runtime);
	assert_int_equal(s->addr.s_addr, addr_of("10.0.0.4").s_addr);
	assert_int_equal(s->port, 8001);
	assert_int_equal(s->weight, 3);
	assert_int_equal(s->admin, ADMIN_DRAIN);
	/* Checked like the pool's servers, with its own weight. */
	assert_true(s->opts.check);
	assert_int_equal(s->opts.inter_ms, 3000);
	assert_int_equal(s->opts.rise, 4);
	assert_int_equal(s->opts.weight, 3);
	assert_false(s->opts.disabled);
	s = find(&b, "pi5", "nodes");
	assert_int_equal(s->port, 0);
	assert_true(s->port_map);
	assert_true(s->runtime);
	assert_null(b.by_id[10]);
	check_by_id(&b);
	overrides_free(&ov);
	done(&b, &cfg);
}

/*
 * The ids of servers added at run time are recorded too, and must be as
 * stable as those of the file's servers: a server the file gains (say on
 * reload) must not take the id of a runtime server, whose open flows and
 * statistics in the kernel are filed under that id.
 */
static void test_added_ids_are_kept(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_overrides ov = { 0 };
	const char *list;

	(void)state;
	/* The state after "add-node pi4" on a file with pi1 only... */
	ov_state(&ov, "nodes", "pi1", 0, ADMIN_READY);
	ov_added(&ov, "nodes", "pi4", "10.0.0.4", 8000, 1, 1, ADMIN_READY);
	/* ...and then the file gains pi2. */
	build(&b, &cfg,
	      "frontend web\n\tbind *:80\n\tdefault_backend nodes\n"
	      "backend nodes\n\tserver pi1 10.0.0.1:8000\n\tserver pi2 10.0.0.2:8000\n",
	      &ov);
	list = pool_list(&b, "nodes");
	overrides_free(&ov);
	done(&b, &cfg);
	assert_string_equal(list, "pi1=0 pi2=2 pi4=1");
}

/* Added by hand, then written into the file: the file's server is the one. */
static void test_file_takes_over_added(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_overrides ov = { 0 };
	struct lb_server *s;

	(void)state;
	ov_state(&ov, "nodes", "pi1", 0, ADMIN_READY);
	ov_added(&ov, "nodes", "pi4", "10.0.0.44", 7000, 5, 1, ADMIN_READY);
	build(&b, &cfg,
	      "frontend web\n\tbind *:80\n\tdefault_backend nodes\n"
	      "backend nodes\n\tserver pi1 10.0.0.1:8000\n\tserver pi4 10.0.0.4:8000 weight 2\n",
	      &ov);
	assert_int_equal(b.pools[0].nservers, 2);
	s = find(&b, "pi4", NULL);
	assert_false(s->runtime);
	assert_int_equal(s->addr.s_addr, addr_of("10.0.0.4").s_addr);
	assert_int_equal(s->port, 8000);
	assert_int_equal(s->weight, 2);
	check_by_id(&b);
	/* From now on it is recorded as the file's. */
	assert_ptr_equal(balancer_find_pool(&b, "nodes")->servers[1], s);
	expect_overrides(&b, "server nodes pi1 id 0 admin ready\n"
			     "server nodes pi4 id 1 admin ready\n");
	overrides_free(&ov);
	done(&b, &cfg);
}

/* ...unless the file's one was deleted: then the runtime one stays. */
static void test_added_replaces_deleted(void **state)
{
	struct rpilb_config cfg;
	struct balancer b, again;
	struct lb_overrides ov = { 0 }, ov2;
	struct lb_server *s;
	char err[256] = "";

	(void)state;
	ov_deleted(&ov, "nodes", "pi2");
	ov_added(&ov, "nodes", "pi2", "10.0.0.22", 8022, 4, 5, ADMIN_MAINT);
	build(&b, &cfg,
	      "frontend web\n\tbind *:80\n\tdefault_backend nodes\n"
	      "backend nodes\n\tserver pi1 10.0.0.1:8000\n\tserver pi2 10.0.0.2:8000\n",
	      &ov);
	assert_string_equal(pool_list(&b, "nodes"), "pi1=0 pi2=5");
	s = find(&b, "pi2", NULL);
	assert_true(s->runtime);
	assert_int_equal(s->addr.s_addr, addr_of("10.0.0.22").s_addr);
	assert_int_equal(s->port, 8022);
	assert_int_equal(s->weight, 4);
	assert_int_equal(s->admin, ADMIN_MAINT);
	/* The overrides say the same, and give the same balancer again. */
	expect_overrides(&b, "server nodes pi1 id 0 admin ready\n"
			     "added nodes pi2 10.0.0.22:8022 weight 4 id 5 admin maint\n"
			     "deleted nodes pi2\n");
	assert_int_equal(balancer_overrides(&b, &ov2), 0);
	assert_int_equal(
		balancer_build(&again, &cfg, &ov2, addr_of(NAT_ADDR), NULL, NULL, err, sizeof(err)),
		0);
	assert_string_equal(pool_list(&again, "nodes"), "pi1=0 pi2=5");
	assert_true(find(&again, "pi2", NULL)->runtime);
	balancer_free(&again);
	overrides_free(&ov2);
	overrides_free(&ov);
	done(&b, &cfg);
}

/* ---- finding servers ---- */

static void test_find(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	char err[256];
	struct lb_server *s;

	(void)state;
	build(&b, &cfg,
	      "frontend web\n\tbind *:80\n\tdefault_backend nodes\n"
	      "frontend api\n\tbind *:81\n\tdefault_backend apis\n"
	      "backend nodes\n\tserver pi1 10.0.0.1:8000\n\tserver shared 10.0.0.2:8000\n"
	      "backend apis\n\tserver a1 10.0.1.1:9000\n\tserver shared 10.0.1.2:9000\n",
	      NULL);
	/* Unique names need no backend. */
	s = balancer_find(&b, "pi1", NULL, err, sizeof(err));
	assert_non_null(s);
	assert_string_equal(s->pool->name, "nodes");
	assert_int_equal(s->id, 0);
	s = balancer_find(&b, "a1", "apis", err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(s->id, 2);

	/* A name in two backends needs one. */
	strcpy(err, "");
	assert_null(balancer_find(&b, "shared", NULL, err, sizeof(err)));
	assert_string_equal(err, "server name 'shared' is in 2 backends: say which with --backend");
	s = balancer_find(&b, "shared", "apis", err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(s->id, 3);
	s = balancer_find(&b, "shared", "nodes", err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(s->id, 1);

	/* Unknown names and backends. */
	assert_null(balancer_find(&b, "pi9", NULL, err, sizeof(err)));
	assert_string_equal(err, "no server 'pi9'");
	assert_null(balancer_find(&b, "pi1", "apis", err, sizeof(err)));
	assert_string_equal(err, "no server 'pi1' in backend apis");
	assert_null(balancer_find(&b, "pi1", "nope", err, sizeof(err)));
	assert_string_equal(err, "no backend 'nope'");
	/* Names are exact: no prefixes, no case folding. */
	assert_null(balancer_find(&b, "pi", NULL, err, sizeof(err)));
	assert_null(balancer_find(&b, "PI1", NULL, err, sizeof(err)));
	/* err may be absent. */
	assert_null(balancer_find(&b, "pi9", NULL, NULL, 0));
	done(&b, &cfg);
}

/* ---- runtime changes ---- */

static void test_add(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_pool *nodes, *apis;
	struct lb_server *s;
	char err[256];

	(void)state;
	build(&b, &cfg, TWO_POOLS, NULL);
	nodes = balancer_find_pool(&b, "nodes");
	apis = balancer_find_pool(&b, "apis");
	s = balancer_add(&b, nodes, "pi4", addr_of("10.0.0.4"), 8000, 2, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(s->id, 5);
	assert_ptr_equal(s->pool, nodes);
	assert_int_equal(s->port, 8000);
	assert_int_equal(s->weight, 2);
	assert_int_equal(s->opts.weight, 2);
	assert_int_equal(s->admin, ADMIN_READY);
	assert_true(s->runtime);
	/* No health check configured: in rotation at once. */
	assert_false(s->opts.check);
	assert_true(s->healthy);
	assert_true(s->checked);
	assert_true(server_eligible(s));
	assert_string_equal(pool_list(&b, "nodes"), "pi1=0 pi2=1 pi3=2 pi4=5");

	/* Port 0: the client's port. */
	s = balancer_add(&b, nodes, "pi5", addr_of("10.0.0.5"), 0, 1, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(s->port, 0);
	assert_true(s->port_map);
	assert_int_equal(s->id, 6);

	/* The same name in another backend is allowed. */
	assert_non_null(
		balancer_add(&b, apis, "pi4", addr_of("10.0.1.4"), 9000, 1, err, sizeof(err)));

	/* Duplicates within a backend are refused and change nothing. */
	strcpy(err, "");
	assert_null(
		balancer_add(&b, nodes, "pi2", addr_of("10.0.0.99"), 8000, 1, err, sizeof(err)));
	assert_string_equal(err, "backend 'nodes' already has a server 'pi2'");
	assert_null(
		balancer_add(&b, nodes, "pi4", addr_of("10.0.0.98"), 8000, 1, err, sizeof(err)));
	assert_string_equal(err, "backend 'nodes' already has a server 'pi4'");
	assert_null(balancer_add(&b, nodes, "pi6", addr_of("10.0.0.2"), 8000, 1, err, sizeof(err)));
	assert_string_equal(err, "server 'pi2' of backend 'nodes' already has that address");
	/* Port 0 is the client's port, as pi5's. */
	assert_null(balancer_add(&b, nodes, "pi6", addr_of("10.0.0.5"), 0, 1, err, sizeof(err)));
	assert_string_equal(err, "server 'pi5' of backend 'nodes' already has that address");
	assert_string_equal(pool_list(&b, "nodes"), "pi1=0 pi2=1 pi3=2 pi4=5 pi5=6");

	/* Same address, another port: another server. */
	s = balancer_add(&b, nodes, "pi2b", addr_of("10.0.0.2"), 8001, 1, err, sizeof(err));
	assert_non_null(s);
	check_by_id(&b);
	done(&b, &cfg);
}

static void test_add_to_checked_pool(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_server *s;
	char err[256];

	(void)state;
	build(&b, &cfg,
	      "frontend web\n\tbind *:80\n\tdefault_backend nodes\n"
	      "backend nodes\n\tserver pi1 10.0.0.1:8000 check fall 5 disabled\n",
	      NULL);
	s = balancer_add(&b, &b.pools[0], "pi2", addr_of("10.0.0.2"), 8000, 7, err, sizeof(err));
	assert_non_null(s);
	/* Checked like the pool's first server, but never disabled by it. */
	assert_true(s->opts.check);
	assert_int_equal(s->opts.fall, 5);
	assert_false(s->opts.disabled);
	assert_int_equal(s->admin, ADMIN_READY);
	/* Out of rotation until its first check passes. */
	assert_false(s->healthy);
	assert_false(s->checked);
	assert_false(server_eligible(s));
	done(&b, &cfg);
}

static void test_del(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_server *s;
	char err[256];

	(void)state;
	build(&b, &cfg, TWO_POOLS, NULL);
	/* A server of the file: recorded as deleted. */
	assert_int_equal(balancer_del(&b, find(&b, "pi2", NULL)), 0);
	assert_string_equal(pool_list(&b, "nodes"), "pi1=0 pi3=2");
	assert_null(b.by_id[1]);
	assert_null(balancer_find(&b, "pi2", NULL, err, sizeof(err)));
	check_by_id(&b);
	expect_overrides(&b, "server nodes pi1 id 0 admin ready\n"
			     "server nodes pi3 id 2 admin ready\n"
			     "deleted nodes pi2\n"
			     "server apis a1 id 3 admin ready\n"
			     "server apis a2 id 4 admin ready\n");

	/* A runtime server: gone without a trace. */
	s = balancer_add(&b, &b.pools[0], "pi4", addr_of("10.0.0.4"), 8000, 1, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(s->id, 1);
	assert_int_equal(balancer_del(&b, s), 0);
	assert_string_equal(pool_list(&b, "nodes"), "pi1=0 pi3=2");
	expect_overrides(&b, "server nodes pi1 id 0 admin ready\n"
			     "server nodes pi3 id 2 admin ready\n"
			     "deleted nodes pi2\n"
			     "server apis a1 id 3 admin ready\n"
			     "server apis a2 id 4 admin ready\n");

	/* The deleted name may come back as a runtime server. */
	s = balancer_add(&b, &b.pools[0], "pi2", addr_of("10.0.0.20"), 8000, 1, err, sizeof(err));
	assert_non_null(s);
	expect_overrides(&b, "server nodes pi1 id 0 admin ready\n"
			     "server nodes pi3 id 2 admin ready\n"
			     "added nodes pi2 10.0.0.20:8000 weight 1 id 1 admin ready\n"
			     "deleted nodes pi2\n"
			     "server apis a1 id 3 admin ready\n"
			     "server apis a2 id 4 admin ready\n");

	/* Emptying a pool. */
	assert_int_equal(balancer_del(&b, find(&b, "a1", NULL)), 0);
	assert_int_equal(balancer_del(&b, find(&b, "a2", NULL)), 0);
	assert_string_equal(pool_list(&b, "apis"), "");
	check_by_id(&b);
	done(&b, &cfg);
}

static void test_admin_and_eligible(void **state)
{
	struct rpilb_config cfg;
	struct balancer b;
	struct lb_server *s;

	(void)state;
	build(&b, &cfg, TWO_POOLS, NULL);
	s = find(&b, "pi1", NULL);
	/* eligible = ready + healthy + weight > 0, each one needed */
	s->healthy = true;
	s->weight = 1;
	assert_true(server_eligible(s));
	s->healthy = false;
	assert_false(server_eligible(s));
	s->healthy = true;
	s->weight = 0;
	assert_false(server_eligible(s));
	s->weight = 256;
	assert_true(server_eligible(s));

	/* Leaving the rotation stamps the time; staying out does not. */
	s->state_since_ms = 0;
	assert_int_equal(balancer_set_admin(&b, s, ADMIN_DRAIN), 0);
	assert_int_equal(s->admin, ADMIN_DRAIN);
	assert_false(server_eligible(s));
	assert_true(s->state_since_ms != 0);
	s->state_since_ms = 0;
	assert_int_equal(balancer_set_admin(&b, s, ADMIN_MAINT), 0);
	assert_int_equal(s->admin, ADMIN_MAINT);
	assert_int_equal(s->state_since_ms, 0);
	assert_int_equal(balancer_set_admin(&b, s, ADMIN_READY), 0);
	assert_true(server_eligible(s));
	assert_true(s->state_since_ms != 0);
	/* An unhealthy server changes admin state without entering the rotation. */
	s->healthy = false;
	s->state_since_ms = 0;
	assert_int_equal(balancer_set_admin(&b, s, ADMIN_DRAIN), 0);
	assert_int_equal(balancer_set_admin(&b, s, ADMIN_READY), 0);
	assert_int_equal(s->state_since_ms, 0);
	assert_false(server_eligible(s));

	assert_int_equal(balancer_set_admin(&b, find(&b, "a2", NULL), ADMIN_MAINT), 0);
	expect_overrides(&b, "server nodes pi1 id 0 admin ready\n"
			     "server nodes pi2 id 1 admin ready\n"
			     "server nodes pi3 id 2 admin ready\n"
			     "server apis a1 id 3 admin ready\n"
			     "server apis a2 id 4 admin maint\n");
	done(&b, &cfg);
}

static void test_admin_names(void **state)
{
	enum admin_state a = ADMIN_MAINT;

	(void)state;
	assert_string_equal(admin_state_name(ADMIN_READY), "ready");
	assert_string_equal(admin_state_name(ADMIN_DRAIN), "drain");
	assert_string_equal(admin_state_name(ADMIN_MAINT), "maint");
	assert_int_equal(admin_state_parse("ready", &a), 0);
	assert_int_equal(a, ADMIN_READY);
	assert_int_equal(admin_state_parse("drain", &a), 0);
	assert_int_equal(a, ADMIN_DRAIN);
	assert_int_equal(admin_state_parse("maint", &a), 0);
	assert_int_equal(a, ADMIN_MAINT);
	assert_int_equal(admin_state_parse("MAINT", &a), -EINVAL);
	assert_int_equal(admin_state_parse("", &a), -EINVAL);
	assert_int_equal(admin_state_parse("maintenance", &a), -EINVAL);
	assert_int_equal(a, ADMIN_MAINT);
}

/* ---- the overrides reproduce what was built ---- */

struct server_view {
	char pool[CFG_NAME_MAX], name[CFG_NAME_MAX];
	uint16_t id, port;
	uint32_t addr;
	unsigned weight;
	enum admin_state admin;
	bool runtime;
};

static size_t view(const struct balancer *b, struct server_view *v, size_t max)
{
	size_t n = 0;

	for (size_t p = 0; p < b->npools; p++) {
		for (size_t i = 0; i < b->pools[p].nservers; i++) {
			const struct lb_server *s = b->pools[p].servers[i];

			assert_true(n < max);
			memset(&v[n], 0, sizeof(v[n]));
			snprintf(v[n].pool, sizeof(v[n].pool), "%s", b->pools[p].name);
			snprintf(v[n].name, sizeof(v[n].name), "%s", s->name);
			v[n].id = s->id;
			v[n].port = s->port;
			v[n].addr = s->addr.s_addr;
			v[n].weight = s->weight;
			v[n].admin = s->admin;
			v[n].runtime = s->runtime;
			n++;
		}
	}
	return n;
}

static void expect_same_view(const struct balancer *a, const struct balancer *b)
{
	struct server_view va[32], vb[32];
	size_t na = view(a, va, ARRAY_SIZE(va)), nb = view(b, vb, ARRAY_SIZE(vb));

	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		if (memcmp(&va[i], &vb[i], sizeof(va[i])))
			fail_msg(
				"server %zu: %s/%s id %u admin %d runtime %d, then %s/%s id %u admin "
				"%d runtime %d",
				i, va[i].pool, va[i].name, va[i].id, va[i].admin, va[i].runtime,
				vb[i].pool, vb[i].name, vb[i].id, vb[i].admin, vb[i].runtime);
	}
}

static void test_overrides_round_trip(void **state)
{
	struct rpilb_config cfg;
	struct balancer b, again, reread;
	struct lb_overrides ov, parsed;
	char err[256] = "", *text;

	(void)state;
	build(&b, &cfg, TWO_POOLS, NULL);
	/* A little of everything an operator does. */
	assert_int_equal(balancer_set_admin(&b, find(&b, "pi1", NULL), ADMIN_DRAIN), 0);
	assert_int_equal(balancer_set_admin(&b, find(&b, "a2", NULL), ADMIN_MAINT), 0);
	assert_int_equal(balancer_del(&b, find(&b, "pi2", NULL)), 0);
	assert_non_null(balancer_add(&b, &b.pools[0], "pi4", addr_of("10.0.0.4"), 8004, 3, err,
				     sizeof(err)));
	assert_non_null(
		balancer_add(&b, &b.pools[1], "a3", addr_of("10.0.1.3"), 0, 0, err, sizeof(err)));
	assert_int_equal(balancer_del(&b, find(&b, "a1", NULL)), 0);
	assert_non_null(balancer_add(&b, &b.pools[1], "a1", addr_of("10.0.1.11"), 9001, 2, err,
				     sizeof(err)));
	assert_int_equal(balancer_set_admin(&b, find(&b, "a1", NULL), ADMIN_DRAIN), 0);
	expect_overrides(&b, "server nodes pi1 id 0 admin drain\n"
			     "server nodes pi3 id 2 admin ready\n"
			     "added nodes pi4 10.0.0.4:8004 weight 3 id 1 admin ready\n"
			     "deleted nodes pi2\n"
			     "server apis a2 id 4 admin maint\n"
			     "added apis a3 10.0.1.3 weight 0 id 5 admin ready\n"
			     "added apis a1 10.0.1.11:9001 weight 2 id 3 admin drain\n"
			     "deleted apis a1\n");

	/* Built again from the overrides: the same servers, ids and states. */
	assert_int_equal(balancer_overrides(&b, &ov), 0);
	assert_int_equal(
		balancer_build(&again, &cfg, &ov, addr_of(NAT_ADDR), NULL, NULL, err, sizeof(err)),
		0);
	expect_same_view(&b, &again);
	check_by_id(&again);

	/* And through the state file's text, as after a restart. */
	text = state_format(&ov);
	assert_int_equal(state_parse(text, &parsed, err, sizeof(err)), 0);
	assert_int_equal(balancer_build(&reread, &cfg, &parsed, addr_of(NAT_ADDR), NULL, NULL, err,
					sizeof(err)),
			 0);
	expect_same_view(&b, &reread);
	free(text);
	overrides_free(&ov);
	overrides_free(&parsed);
	balancer_free(&again);
	balancer_free(&reread);
	done(&b, &cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_config),
		cmocka_unit_test(test_ids_in_order),
		cmocka_unit_test(test_ids_skip_open_flows),
		cmocka_unit_test(test_server_settings),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_services_conflict),
		cmocka_unit_test(test_state_ids_first),
		cmocka_unit_test(test_pool_order_is_the_files),
		cmocka_unit_test(test_state_id_clash),
		cmocka_unit_test(test_state_admin_wins),
		cmocka_unit_test(test_deleted_stays_deleted),
		cmocka_unit_test(test_added_server),
		cmocka_unit_test(test_added_ids_are_kept),
		cmocka_unit_test(test_file_takes_over_added),
		cmocka_unit_test(test_added_replaces_deleted),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_add_to_checked_pool),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_admin_and_eligible),
		cmocka_unit_test(test_admin_names),
		cmocka_unit_test(test_overrides_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
