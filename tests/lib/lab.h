/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lab from C tests: tools/lab.sh builds the seed's LAN in network
 * namespaces (client 10.99.0.10, balancer 10.99.0.2, backends 10.99.0.11..);
 * these helpers run commands there and drive rpilbctl on the balancer.
 * Every lab is torn down by lab_down(), which the test's teardown and an
 * atexit hook both call, so a failing test leaves nothing behind.
 */
#ifndef RPILB_TEST_LAB_H
#define RPILB_TEST_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>

#define LAB_VIP	   "10.99.0.2"
#define LAB_CLIENT "10.99.0.10"

/* What the generated configuration holds beyond the seed's shape. */
struct lab_cfg {
	int nservers; /* servers in the file (default: every backend) */
	const char *server_opts[9]; /* appended to server k's line (index k, from 1) */
	const char *backend_extra; /* lines for the backend section */
	const char *rpilb_extra; /* lines for the rpilb section */
	bool no_check; /* servers without "check": UP for good, no check traffic */
	bool stats; /* the seed's stats section: listen stats *:1936, someuser:password */
	bool no_interface; /* no 'interface eth0' line: up picks the interface itself */
	/* The whole file before the rpilb section, instead of the seed's (servers, stats ignored). */
	const char *proxies;
};

struct lab {
	char id[16];
	char dir[128]; /* /tmp/rpl-ID: configs, logs, the daemon's state */
	char cfg[160]; /* the rpilb configuration in use */
	char socket[160];
	int nbackends;
	bool rpilb_up;
};

/* Paths of the build under test ($RPILB_BUILD, default build/amd64). */
const char *lab_build_dir(void);
const char *lab_rpilbctl(void);

/* Build a lab with n backends running server ("hellod" or "nginx"). */
int lab_up(struct lab *l, const char *id, int nbackends, const char *server);
void lab_down(struct lab *l);

/*
 * Run a shell command in a host's namespace ("c", "lb", "b1"...), stdout
 * into out (may be NULL). Returns the exit status. The balancer's namespace
 * is entered with nsenter --net only, so bpffs stays the host's.
 */
int lab_run(struct lab *l, const char *host, char *out, size_t outlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Write the seed-style configuration (frontend *:80 -> backend "nodes" with
 * the lab's backends on :8000, "check" on) plus extra lines for the backend
 * section and the rpilb section; then "rpilbctl up -m mode". Returns the
 * exit status of up; its output in out.
 */
int lab_write_config(struct lab *l, const struct lab_cfg *c);
int lab_rpilb_up(struct lab *l, const char *mode, char *out, size_t outlen);
int lab_rpilb(struct lab *l, char *out, size_t outlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int lab_rpilb_down(struct lab *l);

/*
 * The steps most tests start with and check by: these fail the running
 * cmocka test themselves, with what went wrong.
 */

/* down, forget state and log, write the configuration (NULL: the seed's), up. */
void lab_fresh(struct lab *l, const struct lab_cfg *c);
/* How many lines of the daemon's log contain needle. */
int lab_count_in_log(struct lab *l, const char *needle);
/* A Python expression over d = "rpilbctl -j stats" (its JSON), as a number. */
long long lab_stat(struct lab *l, const char *expr);
/* A Python subscript of one server in "rpilbctl -j status", e.g. "['state']". */
void lab_server_field(struct lab *l, const char *server, const char *field, char *out, size_t len);
/* Poll until that field reads want; fail after deadline_ms. */
void lab_wait_field(struct lab *l, const char *server, const char *field, const char *want,
		    long deadline_ms);
/*
 * Every server of one backend as "NAME=VALUE NAME=VALUE ...", VALUE a Python
 * expression over s, the server in "rpilbctl -j status" ("s['state']").
 */
void lab_pool(struct lab *l, const char *backend, const char *expr, char *out, size_t len);
/* Poll until lab_pool() reads want exactly; fail after deadline_ms. */
void lab_wait_pool(struct lab *l, const char *backend, const char *expr, const char *want,
		   long deadline_ms);
/* The daemon's pid, from its status. */
int lab_daemon_pid(struct lab *l);

/*
 * Start a shell command on host in the background, in a session of its
 * own: its pid in DIR/TAG.pid (the command's own: it is exec'd), its output
 * in DIR/TAG.log. lab_down() ends whatever is left of it.
 */
int lab_spawn(struct lab *l, const char *host, const char *dir, const char *tag, const char *fmt,
	      ...) __attribute__((format(printf, 5, 6)));
/* Until something on host accepts on its port; non-zero after seconds. */
int lab_wait_listening(struct lab *l, const char *host, int port, int seconds);

/* Which backend (1..n) answered "Hello from raspberry pi #N at ...", or -1. */
int lab_hello_backend(const char *body);

/* One data-path counter by name ("tx_new_flow"), from "rpilbctl -j stats". */
long long lab_counter(struct lab *l, const char *name);

/* n sequential requests from the client; who[i] is the Pi that answered (0: none). */
void lab_requests(struct lab *l, int n, int *who);

/*
 * A lab test file's group fixture: one lab for all its tests, made once
 * as root (without root there is none, and every test skips or, under CI,
 * fails), torn down however the tests end.
 */
#define LAB_GROUP_FIXTURE(lab, id, nbackends, server)                                              \
	static int lab_group_setup(void **state)                                                   \
	{                                                                                          \
		(void)state;                                                                       \
		return geteuid() ? 0 : lab_up(&(lab), id, nbackends, server);                      \
	}                                                                                          \
	static int lab_group_teardown(void **state)                                                \
	{                                                                                          \
		(void)state;                                                                       \
		lab_down(&(lab));                                                                  \
		return 0;                                                                          \
	}

#endif
