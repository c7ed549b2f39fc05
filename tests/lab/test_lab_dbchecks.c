// SPDX-License-Identifier: GPL-2.0-only
/*
 * The canned checks of database and directory servers, against Debian's
 * own: option pgsql-check against PostgreSQL, option mysql-check user
 * against MariaDB, option ldap-check against OpenLDAP's slapd. Pi 1 runs
 * each server as the check expects it; Pi 2 runs the same server set to
 * refuse (pg_hba "reject", no MariaDB account for the balancer, anonymous
 * binds disallowed). For each: the exact state, check result, code and
 * the server's own words rpilb reports, and that every connection from a
 * real client (psql, mariadb, ldapsearch) reaches Pi 1.
 *
 * One lab (t12, two Pis, no lab.sh server) and one rpilb for the file.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lab.h"
#include "testutil.h"

static struct lab L;

#define SETTLE_MS 10000 /* rise/fall 2 at 500 ms, checks timing out at 2 s, with slack */
#define PG_BIN	  "/usr/lib/postgresql/15/bin"
#define MARIADB_SMALL                                                                              \
	"--no-defaults --innodb-log-file-size=4M" /* 22 MB a server instead of 114 MB */

static const char config[] = "defaults\n"
			     "    mode tcp\n"
			     "    timeout connect 1s\n"
			     "    timeout client 30s\n"
			     "    timeout server 30s\n"
			     "    timeout check 2s\n"
			     "    default-server check inter 500ms rise 2 fall 2\n"
			     "\n"
			     "frontend postgres\n"
			     "    bind *:5432\n"
			     "    default_backend postgres\n"
			     "\n"
			     "frontend mariadb\n"
			     "    bind *:3306\n"
			     "    default_backend mariadb\n"
			     "\n"
			     "frontend ldap\n"
			     "    bind *:389\n"
			     "    default_backend ldap\n"
			     "\n"
			     "backend postgres\n"
			     "    option pgsql-check user rpilb\n"
			     "    server pg1 10.99.0.11:5432\n"
			     "    server pg2 10.99.0.12:5432\n"
			     "\n"
			     "backend mariadb\n"
			     "    option mysql-check user rpilb post-41\n"
			     "    server db1 10.99.0.11:3306\n"
			     "    server db2 10.99.0.12:3306\n"
			     "\n"
			     "backend ldap\n"
			     "    option ldap-check\n"
			     "    server ldap1 10.99.0.11:389\n"
			     "    server ldap2 10.99.0.12:389\n";

#define spawn(host, tag, ...) lab_spawn(&L, host, L.dir, tag, __VA_ARGS__)

/* MariaDB's first start is the slowest. */
static int wait_listening(const char *host, int port)
{
	return lab_wait_listening(&L, host, port, 15);
}

/* PostgreSQL as user postgres, its superuser "rpilb"; Pi 2's pg_hba rejects every host. */
static int start_postgres(int k)
{
	char host[8], tag[16];

	snprintf(host, sizeof(host), "b%d", k);
	snprintf(tag, sizeof(tag), "pg%d", k);
	if (lab_run(&L, "lb", NULL, 0,
		    "mkdir -p %1$s/%2$s && chown postgres: %1$s/%2$s && "
		    "setpriv --reuid=postgres --regid=postgres --init-groups " PG_BIN "/initdb "
		    "-D %1$s/%2$s/data -A trust -U rpilb >%1$s/%2$s.init.log 2>&1 && "
		    "echo 'local all all trust' > %1$s/%2$s/data/pg_hba.conf && "
		    "echo 'host all all 0.0.0.0/0 %3$s' >> %1$s/%2$s/data/pg_hba.conf",
		    L.dir, tag, k == 1 ? "trust" : "reject"))
		return -1;
	if (spawn(host, tag,
		  "setpriv --reuid=postgres --regid=postgres --init-groups " PG_BIN "/postgres "
		  "-D %1$s/%2$s/data -k %1$s/%2$s -c listen_addresses=0.0.0.0 -c port=5432",
		  L.dir, tag))
		return -1;
	return wait_listening(host, 5432);
}

/* MariaDB; Pi 1 has the account rpilb@'%' without a password, Pi 2 none. */
static int start_mariadb(int k)
{
	char host[8], tag[16];

	snprintf(host, sizeof(host), "b%d", k);
	snprintf(tag, sizeof(tag), "db%d", k);
	if (lab_run(&L, "lb", NULL, 0,
		    "mariadb-install-db " MARIADB_SMALL " --user=root --datadir=%1$s/%2$s "
		    "--auth-root-authentication-method=normal --skip-test-db "
		    ">%1$s/%2$s.init.log 2>&1",
		    L.dir, tag))
		return -1;
	if (spawn(host, tag,
		  "mariadbd " MARIADB_SMALL " --innodb-buffer-pool-size=16M --user=root "
		  "--datadir=%1$s/%2$s --socket=%1$s/%2$s.sock --pid-file=%1$s/%2$s.mpid "
		  "--port=3306 --bind-address=0.0.0.0 --skip-name-resolve",
		  L.dir, tag) ||
	    wait_listening(host, 3306))
		return -1;
	return k == 1 ? lab_run(&L, host, NULL, 0,
				"mariadb --socket=%s/%s.sock -u root -e \"CREATE USER rpilb@'%%'\"",
				L.dir, tag)
		      : 0;
}

/* slapd with no database: enough for a bind. Pi 2 disallows anonymous binds. */
static int start_slapd(int k)
{
	char host[8], tag[16];

	snprintf(host, sizeof(host), "b%d", k);
	snprintf(tag, sizeof(tag), "ldap%d", k);
	if (lab_run(&L, "lb", NULL, 0,
		    "printf 'pidfile %1$s/%2$s.spid\\nargsfile %1$s/%2$s.args\\n%3$s' "
		    "> %1$s/%2$s.conf",
		    L.dir, tag, k == 1 ? "" : "disallow bind_anon\\n"))
		return -1;
	if (spawn(host, tag, "slapd -d 0 -f %1$s/%2$s.conf -h ldap://0.0.0.0:389/", L.dir, tag))
		return -1;
	return wait_listening(host, 389);
}

/* "STATE/RESULT/CODE/DETAIL" of each server of a backend, once it reads so. */
#define CHECK_LINE(detail)                                                                         \
	"'/'.join(str(x) for x in (s['state'], s['check']['result'], s['check']['code'], " detail  \
	"))"

static void wait_checks(const char *backend, const char *want)
{
	lab_wait_pool(&L, backend, CHECK_LINE("s['check']['detail']"), want, SETTLE_MS);
}

static void assert_pool(const char *backend, const char *expr, const char *want)
{
	char got[512];

	lab_pool(&L, backend, expr, got, sizeof(got));
	assert_string_equal(got, want);
}

/* n runs of a client command on the client host; each must print want. */
static void clients_print(int n, const char *cmd, const char *want)
{
	char out[512];

	for (int i = 0; i < n; i++) {
		assert_int_equal(lab_run(&L, "c", out, sizeof(out), "%s", cmd), 0);
		assert_string_equal(out, want);
	}
}

static void test_pgsql_check(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	wait_checks("postgres",
		    "pg1=UP/L7OK/0/ pg2=DOWN/L7STS/0/PostgreSQL error: pg_hba.conf rejects "
		    "connection for host \"10.99.0.2\", user \"rpil");
	clients_print(3,
		      "PGSSLMODE=disable PGGSSENCMODE=disable psql -h " LAB_VIP
		      " -U rpilb -d postgres -Atc "
		      "'select inet_server_addr()'",
		      "10.99.0.11\n");
	assert_pool("postgres", "s['new_flows']", "pg1=3 pg2=0");
}

static void test_mysql_check(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	/*
	 * The greeting's version (MariaDB's "5.5.5-" and its own) up to Debian
	 * 12's minor release: a security update changes the rest.
	 */
	lab_wait_pool(&L, "mariadb",
		      CHECK_LINE("s['check']['detail'] if s['state'] == 'DOWN' else "
				 "s['check']['detail'][:18]"),
		      "db1=UP/L7OK/0/MySQL 5.5.5-10.11. db2=DOWN/L7STS/1130/MySQL error 1130: Host "
		      "'10.99.0.2' is not allowed to connect to this MariaDB serv",
		      SETTLE_MS);
	clients_print(3, "mariadb -h " LAB_VIP " -u rpilb -N -e 'select current_user()'",
		      "rpilb@%\n");
	assert_pool("mariadb", "s['new_flows']", "db1=3 db2=0");
}

static void test_ldap_check(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	wait_checks("ldap", "ldap1=UP/L7OK/0/ ldap2=DOWN/L7STS/48/LDAP bind failed: resultCode 48");
	clients_print(3,
		      "ldapsearch -x -LLL -H ldap://" LAB_VIP " -s base -b '' "
		      "supportedLDAPVersion | grep -c '^supportedLDAPVersion: 3'",
		      "1\n");
	assert_pool("ldap", "s['new_flows']", "ldap1=3 ldap2=0");
}

static int group_setup(void **state)
{
	char out[4096];

	(void)state;
	if (geteuid())
		return 0;
	if (lab_up(&L, "t12", 2, "none"))
		return -1;
	/* PostgreSQL runs as postgres: it must reach its data under the lab's directory. */
	if (lab_run(&L, "lb", NULL, 0, "chmod 755 %s", L.dir))
		return -1;
	for (int k = 1; k <= 2; k++)
		if (start_postgres(k) || start_mariadb(k) || start_slapd(k)) {
			fprintf(stderr, "lab dbchecks: the servers of Pi %d did not start\n", k);
			return -1;
		}
	snprintf(L.cfg, sizeof(L.cfg), "%s/rpilb.cfg", L.dir);
	snprintf(L.socket, sizeof(L.socket), "%s/rpilb.sock", L.dir);
	{
		struct lab_cfg c = { .proxies = config };

		if (lab_write_config(&L, &c) || lab_rpilb_up(&L, "auto", out, sizeof(out))) {
			fprintf(stderr, "lab dbchecks: up failed: %s\n", out);
			return -1;
		}
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	lab_down(&L);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgsql_check),
		cmocka_unit_test(test_mysql_check),
		cmocka_unit_test(test_ldap_check),
	};

	return cmocka_run_group_tests_name("lab: database and directory checks", tests, group_setup,
					   group_teardown);
}
