// SPDX-License-Identifier: GPL-2.0-only
/*
 * The global and rpilb sections, and the HAProxy sections rpilb skips whole.
 * Removed global keywords (nbproc, debug, ...) are in kw_compat_removed.c;
 * harden.reject-privileged-ports.tcp, which can be honoured when off, is
 * in kw_global.c.
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
	IGNORE("acme", IN_ANY, WHY_TLS),
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
	IGNORE("thread-groups", IN_GLOBAL, WHY_THREADS),
	IGNORE("thread-group", IN_GLOBAL, WHY_THREADS),
	IGNORE("thread-hard-limit", IN_GLOBAL, WHY_THREADS),
	IGNORE("cpu-map", IN_GLOBAL, WHY_THREADS),
	IGNORE("cpu-policy", IN_GLOBAL, WHY_THREADS),
	IGNORE("cpu-set", IN_GLOBAL, WHY_THREADS),
	IGNORE("numa-cpu-mapping", IN_GLOBAL, WHY_THREADS),
	IGNORE("busy-polling", IN_GLOBAL, WHY_THREADS),
	IGNORE("ca-base", IN_GLOBAL, WHY_TLS),
	IGNORE("crt-base", IN_GLOBAL, WHY_TLS),
	IGNORE("key-base", IN_GLOBAL, WHY_TLS),
	IGNORE("issuers-chain-path", IN_GLOBAL, WHY_TLS),
	IGNORE("maxsslrate", IN_GLOBAL, WHY_TLS),
	IGNORE("acme.scheduler", IN_GLOBAL, WHY_TLS),
	IGNORE_PREFIX("ssl-", IN_GLOBAL, WHY_TLS),
	IGNORE_PREFIX("ocsp-update.", IN_GLOBAL, WHY_TLS),
	IGNORE_PREFIX("httpclient.", IN_GLOBAL, WHY_HTTPCLIENT),
	IGNORE_PREFIX("tune.", IN_GLOBAL, WHY_TUNE),
	IGNORE("limited-quic", IN_GLOBAL, WHY_QUIC),
	IGNORE("no-quic", IN_GLOBAL, WHY_QUIC),
	IGNORE("cluster-secret", IN_GLOBAL, WHY_QUIC),
	IGNORE("harden.reject-privileged-ports.quic", IN_GLOBAL, WHY_QUIC),
	IGNORE("spread-checks", IN_GLOBAL, WHY_CHECKS),
	IGNORE("max-spread-checks", IN_GLOBAL, WHY_CHECKS),
	IGNORE("hard-stop-after", IN_GLOBAL, WHY_STOP),
	IGNORE("grace", IN_GLOBAL, WHY_STOP),
	IGNORE("close-spread-time", IN_GLOBAL, WHY_STOP),
	IGNORE("mworker-max-reloads", IN_GLOBAL, WHY_RELOAD),
	IGNORE("quick-exit", IN_GLOBAL, WHY_RELOAD),
	IGNORE("description", IN_GLOBAL, WHY_STATS_PAGE),
	IGNORE("node", IN_GLOBAL, WHY_STATS_PAGE),
	IGNORE("server-state-file", IN_GLOBAL, WHY_STATE),
	IGNORE("server-state-base", IN_GLOBAL, WHY_STATE),
	IGNORE("stats-file", IN_GLOBAL,
	       "rpilb's counters live in pinned kernel maps and outlive the daemon"),
	IGNORE("localpeer", IN_GLOBAL, WHY_STICKY),
	IGNORE("h1-case-adjust", IN_GLOBAL, WHY_L7),
	IGNORE("h1-case-adjust-file", IN_GLOBAL, WHY_L7),
	IGNORE("h1-accept-payload-with-any-method", IN_GLOBAL, WHY_L7),
	IGNORE("h1-do-not-close-on-insecure-transfer-encoding", IN_GLOBAL, WHY_L7),
	IGNORE("h2-workaround-bogus-websocket-clients", IN_GLOBAL, WHY_L7),
	IGNORE("http-err-codes", IN_GLOBAL, WHY_L7),
	IGNORE("http-fail-codes", IN_GLOBAL, WHY_L7),
	IGNORE("maxcompcpuusage", IN_GLOBAL, WHY_COMPRESSION),
	IGNORE("maxcomprate", IN_GLOBAL, WHY_COMPRESSION),
	IGNORE("maxzlibmem", IN_GLOBAL, WHY_COMPRESSION),
	IGNORE_PREFIX("51degrees-", IN_GLOBAL, WHY_ADDON),
	IGNORE_PREFIX("deviceatlas-", IN_GLOBAL, WHY_ADDON),
	IGNORE_PREFIX("wurfl-", IN_GLOBAL, WHY_ADDON),
	IGNORE("lua-load", IN_GLOBAL, WHY_LUA),
	IGNORE("lua-load-per-thread", IN_GLOBAL, WHY_LUA),
	IGNORE("lua-prepend-path", IN_GLOBAL, WHY_LUA),
	IGNORE("set-var", IN_GLOBAL, WHY_VARS),
	IGNORE("set-var-fmt", IN_GLOBAL, WHY_VARS),
	IGNORE("external-check", IN_GLOBAL, WHY_CHECK_KIND),
	IGNORE("insecure-fork-wanted", IN_GLOBAL, WHY_CHECK_KIND),
	IGNORE("insecure-setuid-wanted", IN_GLOBAL, WHY_ROOT),
	IGNORE("setcap", IN_GLOBAL, WHY_ROOT),
	IGNORE("ulimit-n", IN_GLOBAL, WHY_FDS),
	IGNORE("fd-hard-limit", IN_GLOBAL, WHY_FDS),
	IGNORE("strict-limits", IN_GLOBAL, WHY_FDS),
	IGNORE("prealloc-fd", IN_GLOBAL, WHY_FDS),
	IGNORE("unix-bind", IN_GLOBAL, WHY_SOCKET),
	IGNORE("noreuseport", IN_GLOBAL, WHY_SOCKET),
	IGNORE("nosplice", IN_GLOBAL, WHY_SOCKET),
	IGNORE("pp2-never-send-local", IN_GLOBAL, WHY_SEND_PROXY),
	IGNORE("nogetaddrinfo", IN_GLOBAL, WHY_RESOLVE_ONCE),
	IGNORE("dns-accept-family", IN_GLOBAL, WHY_IPV4),
	IGNORE("default-path", IN_GLOBAL, WHY_PATHS),
	IGNORE("expose-experimental-directives", IN_GLOBAL, WHY_GATE),
	IGNORE("expose-deprecated-directives", IN_GLOBAL, WHY_GATE),
	/* Its warnings are rpilb's own about layer 4: failing on them would refuse most files. */
	IGNORE("zero-warning", IN_GLOBAL,
	       "rpilb warns about every keyword it ignores, so it cannot make warnings fatal"),
	IGNORE("quiet", IN_GLOBAL, "rpilbctl always prints every warning and error of the file"),
	IGNORE("noepoll", IN_GLOBAL, WHY_PROC),
	IGNORE("nopoll", IN_GLOBAL, WHY_PROC),
	IGNORE("nokqueue", IN_GLOBAL, WHY_PROC),
	IGNORE("noevports", IN_GLOBAL, WHY_PROC),
	IGNORE("no-memory-trimming", IN_GLOBAL, WHY_PROC),
	IGNORE("set-dumpable", IN_GLOBAL, WHY_PROC),
	IGNORE("anonkey", IN_GLOBAL, WHY_PROC),
	IGNORE("debug.counters", IN_GLOBAL, WHY_PROC),
	IGNORE_PREFIX("profiling.", IN_GLOBAL, WHY_PROC),
	IGNORE("stress-level", IN_GLOBAL, WHY_PROC),
	IGNORE("force-cfg-parser-pause", IN_GLOBAL, WHY_PROC),
	IGNORE("warn-blocked-traffic-after", IN_GLOBAL, WHY_PROC),
	KW_END,
};

/* HAProxy's control socket, "stats socket" and its kin in the global section. */
const struct kw compat_global_stats_kws[] = {
	IGNORE("socket", IN_GLOBAL, WHY_CTL),
	IGNORE("timeout", IN_GLOBAL, WHY_CTL),
	IGNORE("maxconn", IN_GLOBAL, WHY_CTL),
	KW_END,
};

const struct kw compat_rpilb_kws[] = {
	REFUSE("mode", IN_RPILB,
	       "the rpilb section sets how the program attaches with 'attach auto|xdp|xdpgeneric|tc'"),
	KW_END,
};
