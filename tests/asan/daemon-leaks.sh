#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The real daemon through one lab scenario under LeakSanitizer (and ASan,
# UBSan), or under valgrind: zero errors and zero leaks, or it fails.
#
#   tests/asan/daemon-leaks.sh [--valgrind] [--lab ID] [--keep]
#
# Default: build/asan/rpilbctl (make asan-build), the whole daemon built
# with -fsanitize=address,undefined; LeakSanitizer checks at exit.
# --valgrind: build/amd64/rpilbctl under valgrind --leak-check=full
# --errors-for-leak-kinds=definite,indirect --error-exitcode=1, with
# tests/asan/valgrind.supp for valgrind's gaps in modelling bpf(2) inside libbpf.
#
# The scenario, in lab ID (tools/lab.sh; default "lk" and the pid):
#   - `rpilbctl up -f` in the balancer's namespace (nsenter --net, as
#     tests/lib/lab.c does), in the foreground so that this script watches
#     the daemon process itself, with the seed's config (3 Pis, httpchk,
#     the stats page on :1936 with auth);
#   - traffic from the client namespace: round robin over the three Pis;
#   - the control socket: add-node (the lab's 4th Pi), status, stats, conns,
#     drain, enable, maint, del-node, show flows, a bad request, reload;
#     SIGHUP (a reload by signal);
#   - the stats page: every route, with, without and with wrong credentials,
#     a refused method;
#   - SIGTERM, and the daemon's exit status and report.
# Every wait is bounded (the whole run by TIMEOUT_S); the lab, the pins
# (`rpilbctl down -c CFG`) and the daemon are removed on any exit.
#
# Needs root, the lab's tools (ip, ethtool, curl, nsenter) and a build
# (make build asan-build).
set -uo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
cd "$ROOT" || exit 1
TIMEOUT_S=${TIMEOUT_S:-180}
VIP=10.99.0.2
STATS=http://$VIP:1936
AUTH=someuser:password

use_valgrind=false keep=false
lab=lk$(($$ % 100000))
while [ $# -gt 0 ]; do
	case $1 in
	--valgrind) use_valgrind=true; shift ;;
	--lab) lab=$2; shift 2 ;;
	--keep) keep=true; shift ;;
	-h | --help) sed -n '3,30p' "$0"; exit 0 ;;
	*) echo "daemon-leaks.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

say() { echo "daemon-leaks: $*"; }
die() { say "FAIL: $*"; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
	# As the lab tests: a skip, except under CI=true where nothing may skip.
	say "SKIP: needs root (network namespaces, BPF)"
	[ "${CI:-}" = true ] && exit 1
	exit 0
fi
for tool in ip ethtool curl nsenter python3; do
	command -v $tool >/dev/null || die "$tool not found"
done
if $use_valgrind; then
	command -v valgrind >/dev/null || die "valgrind not found (apt-get install valgrind)"
	RPILBCTL=$ROOT/build/amd64/rpilbctl
else
	RPILBCTL=$ROOT/build/asan/rpilbctl
fi
[ -x "$RPILBCTL" ] || die "no $RPILBCTL (make build asan-build)"
# The clients: the plain build if there is one; else the ASan one, without
# leak checks (a client's leaks are not what this test is about).
CLIENT=$ROOT/build/amd64/rpilbctl
[ -x "$CLIENT" ] || CLIENT=$ROOT/build/asan/rpilbctl

dir=/tmp/rpilb-leaks-$lab
cfg=$dir/rpilb.cfg
sock=$dir/rpilb.sock
log=$dir/daemon.log
daemon_pid=""
lab_started=false
watchdog=""

in_ns() { # HOST CMD...: run in the lab host's network namespace
	local host=$1
	shift
	nsenter --net=/run/netns/rpl-$lab-$host -- "$@"
}

client() {
	ASAN_OPTIONS=detect_leaks=0 RPILB_SOCKET=$sock in_ns lb timeout 20 "$CLIENT" "$@"
}

cleanup() {
	local rc=$1

	trap '' INT TERM
	[ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$daemon_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$daemon_pid" 2>/dev/null
	fi
	if $lab_started && [ -e "/run/netns/rpl-$lab-lb" ]; then
		ASAN_OPTIONS=detect_leaks=0 in_ns lb timeout 30 "$CLIENT" down -c "$cfg" >/dev/null 2>&1
	fi
	if $lab_started; then
		tools/lab.sh down "$lab" >/dev/null 2>&1
	fi
	if [ $rc -ne 0 ] || $keep; then
		say "logs kept in $dir"
	else
		rm -rf "$dir"
	fi
	exit $rc
}
trap 'cleanup $?' EXIT
trap 'exit 130' INT TERM

# The whole run is bounded: a watchdog ends it if anything hangs.
(
	trap 'kill $sleeper 2>/dev/null; exit 0' TERM
	sleep "$TIMEOUT_S" &
	sleeper=$!
	wait $sleeper
	echo "daemon-leaks: FAIL: over ${TIMEOUT_S} s; stopping" >&2
	kill -TERM $$ 2>/dev/null
) &
watchdog=$!

rm -rf "$dir"
mkdir -p "$dir"
say "lab $lab: 4 Pis (3 in the file, 1 added at run time)"
lab_started=true
tools/lab.sh up "$lab" --backends 4 >"$dir/lab.log" 2>&1 || { cat "$dir/lab.log"; die "lab up failed"; }

cat >"$cfg" <<EOF
# The seed's haproxy.cfg as the lab runs it (tests/lib/lab.c), 3 of the 4 Pis.
global
    log /dev/log local0
    daemon

defaults
    mode http
    option httplog
    timeout connect 5000
    timeout client  50000
    timeout server  50000

frontend raspberrypinodes
    bind *:80
    mode http
    default_backend nodes

backend nodes
    mode http
    balance roundrobin
    option forwardfor
    option httpchk HEAD / HTTP/1.1\r\nHost:localhost
    server raspberrypi01 10.99.0.11:8000 check inter 500ms
    server raspberrypi02 10.99.0.12:8000 check inter 500ms
    server raspberrypi03 10.99.0.13:8000 check inter 500ms

listen stats *:1936
    stats enable
    stats uri /
    stats hide-version
    stats refresh 5s
    stats auth someuser:password

rpilb
    interface eth0
    state-dir $dir/state
    socket $sock
    pin-dir /sys/fs/bpf/rpilb-$lab
EOF

# --- the daemon, in the foreground -------------------------------------------------
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# nsenter execs the daemon: $! is the daemon's own pid (no shell in between).
ns_lb=--net=/run/netns/rpl-$lab-lb
if $use_valgrind; then
	nsenter "$ns_lb" -- valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=1 --suppressions="$ROOT/tests/asan/valgrind.supp" \
		--log-file="$dir/valgrind.log" \
		"$RPILBCTL" up -f -c "$cfg" >"$log" 2>&1 &
else
	nsenter "$ns_lb" -- "$RPILBCTL" up -f -c "$cfg" >"$log" 2>&1 &
fi
daemon_pid=$!
say "daemon pid $daemon_pid ($($use_valgrind && echo valgrind || echo ASan+UBSan+LSan))"

# How many servers are UP (with NAME: whether that one is).
up_count() {
	client -j status 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(s["state"] == "UP" and (len(sys.argv) < 2 or s["server"] == sys.argv[1])
          for b in d["backends"] for s in b["servers"]))
' "$@" 2>/dev/null
}

# Ready: the socket answers and the three Pis are UP.
ready=false
for _ in $(seq 300); do
	kill -0 "$daemon_pid" 2>/dev/null || { cat "$log"; die "the daemon exited during start-up"; }
	if [ "$(up_count)" = 3 ]; then
		ready=true
		break
	fi
	sleep 0.1
done
$ready || { tail -20 "$log"; die "not ready: three Pis UP within 30 s"; }
# What is watched is the daemon itself (under valgrind: its memcheck process).
case $(readlink "/proc/$daemon_pid/exe") in
*/rpilbctl | */memcheck-*) ;;
*) die "pid $daemon_pid is $(readlink "/proc/$daemon_pid/exe"), not the daemon" ;;
esac
say "up: three Pis in rotation"

# --- traffic from the client ------------------------------------------------------------
hello() { # N requests: the Pi numbers that answered, space-separated
	in_ns c sh -c "for i in \$(seq $1); do curl -s --max-time 3 http://$VIP/ || echo FAIL; echo; done" |
		sed -n 's/^Hello from raspberry pi #\([0-9]*\).*/\1/p; /^FAIL/p' | tr '\n' ' '
}
seen=$(hello 12)
say "12 requests: $seen"
for k in 1 2 3; do
	[[ " $seen " == *" $k "* ]] || die "Pi $k never answered: $seen"
done

# --- the control socket ------------------------------------------------------------------
step() { # DESCRIPTION CMD...: run a client command that must succeed
	local what=$1 out
	shift
	out=$("$@" 2>&1) || { echo "$out"; die "$what failed"; }
}
step "add-node" client add-node raspberrypi04 10.99.0.14:8000
for _ in $(seq 100); do
	[ "$(up_count raspberrypi04)" = 1 ] && break
	sleep 0.1
done
seen=$(hello 8)
say "after add-node, 8 requests: $seen"
[[ " $seen " == *" 4 "* ]] || die "the added Pi never answered: $seen"
step "status" client status
step "status -j" client -j status
step "stats" client stats
step "stats -j --all" client -j stats --all
step "conns" client conns
step "conns -j --node" client -j conns --node raspberrypi01
step "drain" client drain raspberrypi02
step "drain --wait" client drain raspberrypi02 --wait --timeout 5
step "maint" client maint raspberrypi03
seen=$(hello 6)
say "raspberrypi02 drained, 03 in maintenance, 6 requests: $seen"
[[ " $seen " != *" 2 "* && " $seen " != *" 3 "* ]] || die "a drained Pi got traffic: $seen"
step "enable" client enable raspberrypi02
step "enable" client enable raspberrypi03
step "del-node" client del-node raspberrypi04
if client drain nosuchpi >/dev/null 2>&1; then die "drain of an unknown Pi succeeded"; fi
if client add-node "bad name" 10.99.0.14:8000 >/dev/null 2>&1; then
	die "add-node with a bad name succeeded"
fi
step "reload" client reload
kill -HUP "$daemon_pid"
sleep 0.5
# Raw protocol too: an empty, an overlong and an unknown request.
for req in "" "$(head -c 5000 /dev/zero | tr '\0' x)" "frobnicate" "json show status" "show flows raspberrypi01"; do
	printf '%s\n' "$req" | in_ns lb timeout 5 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read())
s.shutdown(socket.SHUT_WR)
while s.recv(4096): pass
' "$sock" || die "raw request failed"
done
seen=$(hello 6)
say "after enable, del-node, reload, SIGHUP, 6 requests: $seen"

# --- the stats page ------------------------------------------------------------------------
code() { in_ns c curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
for path in "/" "/;csv" "/?stats;csv" "/;json" "/metrics" "/nope"; do
	want=200
	[ "$path" = /nope ] && want=404
	got=$(code -u "$AUTH" "$STATS$path")
	[ "$got" = "$want" ] || die "GET $path with auth: $got, want $want"
	got=$(code "$STATS$path")
	[ "$got" = 401 ] || die "GET $path without auth: $got, want 401"
done
[ "$(code -u someuser:wrong "$STATS/")" = 401 ] || die "a wrong password was let in"
[ "$(code -u "$AUTH" -X POST -d x "$STATS/")" = 405 ] || die "POST was not refused"
[ "$(code -u "$AUTH" -I "$STATS/")" = 200 ] || die "HEAD failed"
say "stats page: routes, auth, methods as expected"

# --- SIGTERM and the verdict ------------------------------------------------------------------
kill -TERM "$daemon_pid"
rc=""
for _ in $(seq 300); do
	if ! kill -0 "$daemon_pid" 2>/dev/null; then
		wait "$daemon_pid"
		rc=$?
		break
	fi
	sleep 0.1
done
[ -n "$rc" ] || die "the daemon did not stop within 30 s of SIGTERM"
daemon_pid=""

report='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer)'
if $use_valgrind; then
	grep -E 'ERROR SUMMARY|in use at exit|All heap blocks|definitely lost|indirectly lost' \
		"$dir/valgrind.log" | sed 's/^==[0-9]*== /  valgrind: /'
	grep -q 'ERROR SUMMARY: 0 errors' "$dir/valgrind.log" ||
		die "valgrind found errors (see $dir/valgrind.log)"
elif grep -qE "$report" "$log"; then
	grep -E -A20 "$report" "$log" | head -60
	die "sanitizer report (see $log)"
fi
[ "$rc" -eq 0 ] || { tail -20 "$log"; die "the daemon exited with $rc"; }
say "PASS: the daemon ran the scenario and stopped with no error and no leak"
