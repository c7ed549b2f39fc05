// SPDX-License-Identifier: GPL-2.0-only
/*
 * The global and rpilb sections, and the HAProxy sections rpilb skips whole.
 *
 * Compatibility rows: keywords of HAProxy that rpilb reads without
 * implementing them. IGNORE rows are accepted with a warning giving their
 * reason, REFUSE rows are errors giving theirs, ACCEPT rows ask for what
 * rpilb does anyway and are silent. Adding a keyword is adding a row;
 * tests/unit/config/test_config_keywords.c runs every row through the
 * parser and the documentation lists them from these tables.
 */
#include "config/parser.h"
#include "config/why.h"

/* A section keyword whose row has no handler: the section is skipped whole. */
const struct kw compat_section_kws[] = {
	IGNORE("userlist", IN_ANY, "rpilb's stats page uses 'stats auth' users only"),
	IGNORE("peers", IN_ANY, WHY_STICKY),
	IGNORE("resolvers", IN_ANY, WHY_RESOLVE_ONCE),
	IGNORE("mailers", IN_ANY, WHY_MAIL),
	IGNORE("program", IN_ANY, "rpilb starts no programs"),
	IGNORE("http-errors", IN_ANY, WHY_ERRORFILE),
	IGNORE("ring", IN_ANY, WHY_LOG),
	IGNORE("log-forward", IN_ANY, WHY_LOG),
	IGNORE("cache", IN_ANY, WHY_L7),
	IGNORE("fcgi-app", IN_ANY, WHY_L7),
	IGNORE("crt-store", IN_ANY, WHY_TLS),
	IGNORE("traces", IN_ANY, WHY_LOG),
	KW_END,
};

const struct kw compat_global_kws[] = {
	IGNORE("log", IN_GLOBAL, WHY_LOG),
	IGNORE("log-tag", IN_GLOBAL, WHY_LOG),
	IGNORE("log-send-hostname", IN_GLOBAL, WHY_LOG),
	IGNORE("chroot", IN_GLOBAL,
	       "rpilbctl needs /sys/fs/bpf and its state directory, so it does not chroot"),
	IGNORE("user", IN_GLOBAL, WHY_ROOT),
	IGNORE("group", IN_GLOBAL, WHY_ROOT),
	IGNORE("uid", IN_GLOBAL, WHY_ROOT),
	IGNORE("gid", IN_GLOBAL, WHY_ROOT),
	IGNORE("daemon", IN_GLOBAL, WHY_DAEMON),
	IGNORE("master-worker", IN_GLOBAL, WHY_DAEMON),
	IGNORE("pidfile", IN_GLOBAL,
	       "rpilbctl is found through its control socket, not a pid file"),
	IGNORE("maxconn", IN_GLOBAL, WHY_MAXCONN),
	IGNORE("maxconnrate", IN_GLOBAL, WHY_MAXCONN),
	IGNORE("maxsessrate", IN_GLOBAL, WHY_MAXCONN),
	IGNORE("maxsslconn", IN_GLOBAL, WHY_TLS),
	IGNORE("maxpipes", IN_GLOBAL, WHY_TUNE),
	IGNORE("nbthread", IN_GLOBAL, WHY_THREADS),
	IGNORE("nbproc", IN_GLOBAL, WHY_THREADS),
	IGNORE("thread-groups", IN_GLOBAL, WHY_THREADS),
	IGNORE("cpu-map", IN_GLOBAL, WHY_THREADS),
	IGNORE("ca-base", IN_GLOBAL, WHY_TLS),
	IGNORE("crt-base", IN_GLOBAL, WHY_TLS),
	IGNORE_PREFIX("ssl-", IN_GLOBAL, WHY_TLS),
	IGNORE_PREFIX("tune.", IN_GLOBAL, WHY_TUNE),
	IGNORE("spread-checks", IN_GLOBAL, WHY_CHECKS),
	IGNORE("max-spread-checks", IN_GLOBAL, WHY_CHECKS),
	IGNORE("hard-stop-after", IN_GLOBAL, WHY_STOP),
	IGNORE("grace", IN_GLOBAL, WHY_STOP),
	IGNORE("description", IN_GLOBAL, WHY_STATS_PAGE),
	IGNORE("node", IN_GLOBAL, WHY_STATS_PAGE),
	IGNORE("server-state-file", IN_GLOBAL, WHY_STATE),
	IGNORE("server-state-base", IN_GLOBAL, WHY_STATE),
	IGNORE("h1-case-adjust", IN_GLOBAL, WHY_L7),
	IGNORE("h1-case-adjust-file", IN_GLOBAL, WHY_L7),
	IGNORE("lua-load", IN_GLOBAL, WHY_LUA),
	IGNORE("lua-prepend-path", IN_GLOBAL, WHY_LUA),
	IGNORE("setenv", IN_GLOBAL, WHY_ENV),
	IGNORE("presetenv", IN_GLOBAL, WHY_ENV),
	IGNORE("resetenv", IN_GLOBAL, WHY_ENV),
	IGNORE("unsetenv", IN_GLOBAL, WHY_ENV),
	IGNORE("external-check", IN_GLOBAL, WHY_CHECK_KIND),
	IGNORE("insecure-fork-wanted", IN_GLOBAL, WHY_CHECK_KIND),
	KW_END,
};

/* HAProxy's control socket, "stats socket" and its kin in the global section. */
const struct kw compat_global_stats_kws[] = {
	IGNORE("socket", IN_GLOBAL, WHY_CTL),
	IGNORE("timeout", IN_GLOBAL, WHY_CTL),
	IGNORE("maxconn", IN_GLOBAL, WHY_CTL),
	IGNORE("bind-process", IN_GLOBAL, WHY_CTL),
	KW_END,
};

const struct kw compat_rpilb_kws[] = {
	REFUSE("mode", IN_RPILB,
	       "the rpilb section sets how the program attaches with 'attach auto|xdp|xdpgeneric|tc'"),
	KW_END,
};
