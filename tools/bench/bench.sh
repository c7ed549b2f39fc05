#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench.sh: rpilb side by side with direct, HAProxy and nftables, in the
# lab (tools/lab.sh) with nginx backends and wrk on the client; the BPF
# program's per-packet cost under BPF_PROG_TEST_RUN and in situ; memory;
# profiles. Writes docs/BENCHMARKS.md.
#
#   sudo tools/bench/bench.sh [--build DIR] [--rounds N] [--duration S]
#                             [--rate R] [--out FILE] [--configs "LIST"]
#                             [--no-profile] [--keep]
#   sudo tools/bench/bench.sh --smoke     (every code path once, briefly; make check)
#   tools/bench/bench.sh --render DIR [--out FILE]   (the report again from a --keep run)
#
# The configurations take turns: each round runs every configuration once
# (the order rotates by one each round), and a figure is the median over
# the rounds. Knobs also come from the environment: BENCH_ROUNDS (5),
# BENCH_DURATION (5 s per wrk run), BENCH_RATE (4000 req/s for latency),
# BENCH_CONNS (32), BENCH_THREADS (2), BENCH_QUIET_WAIT (900: how long a
# full run waits for the machine to be quiet before it starts anyway).
#
# Everything it makes (the lab, HAProxy, nft table, rpilb and its pins,
# perf, kernel.bpf_stats_enabled) is undone on exit, on failure and on
# Ctrl-C. --smoke writes its report into its work directory, checks that
# it is well formed, and leaves nothing behind.

set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
readonly ROOT
cd "$ROOT"

readonly HERE=tools/bench
readonly NET=10.99.0
readonly VIP=$NET.2
readonly SEED=tests/unit/data/seed-haproxy.cfg
readonly ALL_CONFIGS="direct forward rpilb-xdp rpilb-xdpgeneric rpilb-tc rpilb-tc-one haproxy-http haproxy-tcp nft"

BUILD=build/amd64
SMOKE=0
ROUNDS=${BENCH_ROUNDS:-5}
DURATION=${BENCH_DURATION:-5}
RATE=${BENCH_RATE:-4000}
CONNS=${BENCH_CONNS:-32}
THREADS=${BENCH_THREADS:-2}
OUT=""
PROFILE=1
KEEP=0
CONFIGS=$ALL_CONFIGS

# What cleanup() must undo; set as things are made.
WORK=""
LAB=""
LAB_MADE=0
RPILB_UP=0
RPILB_MODE=""
RPILB_CFG=""
HAPROXY_PID=""
NFT_ON=0
FWD_ON=0
# "key=value ..." of the balancer's sysctls that nft and forward change.
LB_SAVED=""
PERF_PID=""
STATS_OLD=""

# Where run_wrk appends its results.
RESULTS=""
# How busy the machine was before the run (percent of all cores), and how
# much longer the run may wait for it to be quiet.
BUSY_BEFORE=""
QUIET_LEFT=0
# The lab's network namespaces (ns/net links): what is not in them is foreign.
LAB_NETNS=""
# When and from what tree the run was made (saved for --render).
RUN_DATE=""
RUN_TREE=""
# --render DIR: only write the report again from a run kept with --keep.
RENDER=""

# Set by the setup of a configuration, read by the runs.
URL=""
PROG_ID=""
CPU_PID=""

usage()
{
	sed -n '3,/^$/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^$/d'
}

die()
{
	echo "bench: $*" >&2
	exit 1
}

say()
{
	printf '[%4ds] %s\n' "$SECONDS" "$*" >&2
}

in_ns()
{
	local host=$1
	shift
	# nsenter --net only: the balancer must see the host's /sys/fs/bpf.
	nsenter --net="/run/netns/rpl-$LAB-$host" -- "$@"
}

calc()
{
	awk "BEGIN { printf \"$1\", $2 }"
}

# ---------------------------------------------------------------- cleanup

stop_pid()
{
	local pid=$1 i

	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 30; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

rpilb_ctl()
{
	RPILB_SOCKET=$WORK/rpilb.sock in_ns lb "$BUILD/rpilbctl" "$@"
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	local rc=$?

	trap '' INT TERM
	set +e
	[[ -n $PERF_PID ]] && stop_pid "$PERF_PID"
	[[ -n $HAPROXY_PID ]] && stop_pid "$HAPROXY_PID"
	if ((NFT_ON)); then
		in_ns lb nft delete table ip rpilb_bench 2>/dev/null
	fi
	((FWD_ON)) && forward_routes del
	lb_restore_sysctls
	if ((RPILB_UP)); then
		in_ns lb "$BUILD/rpilbctl" down -c "$WORK/rpilb.cfg" >/dev/null 2>&1
	fi
	if ((LAB_MADE)); then
		tools/lab.sh down "$LAB" >/dev/null 2>&1
	fi
	# A daemon killed with the lab cannot unpin: the pins are ours by name.
	[[ -n $LAB && -d /sys/fs/bpf/rpilb-$LAB ]] && rm -rf "/sys/fs/bpf/rpilb-$LAB"
	[[ -n $STATS_OLD ]] && sysctl -qw "kernel.bpf_stats_enabled=$STATS_OLD"
	if [[ -n $WORK && -d $WORK ]]; then
		if ((KEEP)); then
			echo "bench: kept $WORK" >&2
		else
			rm -rf "$WORK"
		fi
	fi
	((rc == 0)) || echo "bench: failed (exit $rc); everything it made is removed" >&2
	exit "$rc"
}

# ---------------------------------------------------------------- options

parse_args()
{
	while [[ $# -gt 0 ]]; do
		case $1 in
		--smoke) SMOKE=1 ;;
		--build) BUILD=${2:?--build needs a directory}; shift ;;
		--rounds) ROUNDS=${2:?}; shift ;;
		--duration) DURATION=${2:?}; shift ;;
		--rate) RATE=${2:?}; shift ;;
		--out) OUT=${2:?}; shift ;;
		--configs) CONFIGS=${2:?}; shift ;;
		--no-profile) PROFILE=0 ;;
		--render) RENDER=${2:?--render needs a work directory}; shift ;;
		--keep) KEEP=1 ;;
		-h | --help)
			usage
			exit 0
			;;
		*) die "unknown option '$1' (try --help)" ;;
		esac
		shift
	done
	if ((SMOKE)); then
		ROUNDS=1
		DURATION=1
	fi
	[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || die "--rounds must be 1..99"
	[[ $DURATION =~ ^[1-9][0-9]?$ ]] || die "--duration must be 1..99 seconds"
	[[ $RATE =~ ^[1-9][0-9]*$ ]] || die "--rate must be a positive number"
	[[ $CONNS =~ ^[1-9][0-9]*$ && $THREADS =~ ^[1-9][0-9]*$ ]] ||
		die "BENCH_CONNS and BENCH_THREADS must be positive numbers"
	((CONNS * 1000 / RATE >= 1)) || die "--rate $RATE is too high for $CONNS connections"
	local c
	for c in $CONFIGS; do
		[[ " $ALL_CONFIGS " == *" $c "* ]] || die "unknown configuration '$c' ($ALL_CONFIGS)"
	done
	[[ " $CONFIGS " == *" direct "* && " $CONFIGS " == *" haproxy-http "* ]] ||
		die "--configs must include direct and haproxy-http (the ratios are to them)"
}

preflight()
{
	local t missing=()

	[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces, BPF): sudo make bench"
	for t in ip nsenter curl wrk nginx haproxy nft bpftool sysctl awk sed; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	((${#missing[@]} == 0)) ||
		die "missing ${missing[*]}: apt-get install wrk nginx-light haproxy nftables bpftool curl"
	if ((PROFILE)) && ! command -v perf >/dev/null; then
		say "perf not found (apt-get install linux-perf): no profiles this time"
		PROFILE=0
	fi
	for t in "$BUILD/rpilbctl" "$BUILD/tools/bench/bpfcost"; do
		[[ -x $t ]] || die "$t is missing: make build $BUILD/tools/bench/bpfcost"
	done
	[[ -r build/bpf/xdp_pass.bpf.o ]] || die "build/bpf/xdp_pass.bpf.o is missing: make build"
}

# ---------------------------------------------------------------- measuring

# Percent of all CPUs busy over one second, from /proc/stat.
cpu_busy()
{
	local a b

	a=$(awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat)
	sleep 1
	b=$(awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat)
	awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
		t = y[1] - x[1]; i = y[2] - x[2]; printf "%.0f", (t > 0 ? 100 * (t - i) / t : 0) }'
}

# Everything here shares the machine's cores: wait until nothing else keeps
# them busy, within a budget of QUIET_LEFT seconds for the whole run.
wait_quiet()
{
	local busy top t0=$SECONDS

	while :; do
		busy=$(cpu_busy)
		((busy <= 15 || QUIET_LEFT - (SECONDS - t0) <= 0)) && break
		top=$(ps -eo pcpu=,comm= --sort=-pcpu | head -1 | awk '{ print $2 " (" $1 "%)" }')
		say "the machine is ${busy}% busy (top: $top); waiting for it to be quiet"
		sleep 15
	done
	QUIET_LEFT=$((QUIET_LEFT - (SECONDS - t0)))
	((QUIET_LEFT > 0)) || QUIET_LEFT=0
	[[ -n $BUSY_BEFORE ]] || BUSY_BEFORE=$busy
	((busy <= 15)) || say "warning: going on with the machine ${busy}% busy; the figures will show it"
}

# CPU clock ticks used so far by every process outside the lab (other
# work on the machine), as "PID TICKS" lines. A process that ends
# between two snapshots is missed: this is a lower bound.
foreign_ticks()
{
	# find and cat fail when a process ends under them: that is fine here.
	# (awk reading /proc itself is not: mawk gives up on a read error.)
	{ find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/net' -printf '%h %l\n' \
		2>/dev/null || true; } |
		awk -v lab="$LAB_NETNS" '!index(lab, " " $2) { sub(/\/ns$/, "/stat", $1); print $1 }' |
		{ xargs -r cat 2>/dev/null || true; } |
		awk '{ pid = $1; sub(/^.*\) /, ""); split($0, x, " "); print pid, x[12] + x[13] }'
}

# Percent of all cores that other processes took between two snapshots.
foreign_pct()
{
	awk -v secs="$3" -v ncpu="$(nproc)" -v hz="$(getconf CLK_TCK)" '
		FNR == NR { a[$1] = $2; next }
		{ t += ($1 in a) ? $2 - a[$1] : $2 }
		END { printf "%.0f", (secs > 0 ? 100 * t / hz / secs / ncpu : 0) }' "$1" "$2"
}

# CPU time of every thread of a process, in ns (scheduler accounting).
task_cpu_ns()
{
	local f a s=0

	for f in /proc/"$1"/task/*/schedstat; do
		read -r a _ <"$f" 2>/dev/null || continue
		s=$((s + a))
	done
	echo "$s"
}

# "run_time_ns run_cnt" of a BPF program (kernel.bpf_stats_enabled is on).
prog_stats()
{
	bpftool -j prog show id "$1" | awk '{
		t = c = 0
		if (match($0, /"run_time_ns":[0-9]+/)) t = substr($0, RSTART + 14, RLENGTH - 14)
		if (match($0, /"run_cnt":[0-9]+/)) c = substr($0, RSTART + 10, RLENGTH - 10)
		print t, c
	}'
}

# The sum of rpilb's drop counters over all CPUs.
rpilb_drops()
{
	bpftool -j map dump pinned "/sys/fs/bpf/rpilb-$LAB/counters" |
		grep -o '"drop_[a-z_]*":[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }'
}

json_num()
{
	grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2
}

vm_kb()
{
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# One wrk run against $URL; appends a line to results.tsv.
run_wrk()
{
	local config=$1 test=$2 round=$3 delay=0 out rt0=0 rc0=0 rt1=0 rc1=0 cpu0=0 cpu1=0
	local d0=0 d1=0 bpf_ns=- bpf_cnt=- cpu=- drops=- line fp t0 t1
	local -a hdr=()

	case $test in
	keepalive) ;;
	close) hdr=(-H "Connection: close") ;;
	latency) delay=$((CONNS * 1000 / RATE)) ;;
	esac
	out=$WORK/wrk/$config-$test-$round.txt
	[[ -n $PROG_ID ]] && read -r rt0 rc0 < <(prog_stats "$PROG_ID")
	[[ -n $CPU_PID ]] && cpu0=$(task_cpu_ns "$CPU_PID")
	[[ $config == rpilb-* ]] && d0=$(rpilb_drops)
	foreign_ticks >"$WORK/foreign.0"
	t0=$EPOCHREALTIME
	in_ns c env BENCH_DELAY_MS="$delay" wrk -t "$THREADS" -c "$CONNS" -d "${DURATION}s" \
		--timeout 2s -s "$HERE/report.lua" "${hdr[@]}" "$URL" >"$out" 2>&1 ||
		die "wrk failed for $config/$test; its output: $(tail -3 "$out")"
	t1=$EPOCHREALTIME
	foreign_ticks >"$WORK/foreign.1"
	if [[ -n $PROG_ID ]]; then
		read -r rt1 rc1 < <(prog_stats "$PROG_ID")
		bpf_ns=$((rt1 - rt0))
		bpf_cnt=$((rc1 - rc0))
	fi
	[[ -n $CPU_PID ]] && cpu1=$(task_cpu_ns "$CPU_PID") && cpu=$((cpu1 - cpu0))
	if [[ $config == rpilb-* ]]; then
		d1=$(rpilb_drops)
		drops=$((d1 - d0))
	fi
	line=$(grep '^BENCH ' "$out") || die "no summary from wrk for $config/$test: $(tail -3 "$out")"
	fp=$(foreign_pct "$WORK/foreign.0" "$WORK/foreign.1" "$(calc '%.3f' "$t1 - $t0")")
	awk -v r="$round" -v c="$config" -v t="$test" -v bn="$bpf_ns" -v bc="$bpf_cnt" \
		-v cpu="$cpu" -v dr="$drops" -v fp="$fp" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n",
			r, c, t, v["requests"], v["duration_us"], v["connect"], v["read"],
			v["write"], v["status"], v["timeout"], v["p50_us"], v["p99_us"],
			bn, bc, cpu, dr, fp
	}' <<<"$line" >>"$RESULTS"
	say "  $config $test: $(awk -F'\t' 'END { printf "%.0f req/s, p50 %d us, p99 %d us, errors %d, others took %d%%", $4 / ($5 / 1e6), $11, $12, $6 + $7 + $8 + $9 + $10, $17 }' "$RESULTS")"
}

# The balancer answers, and cycles through all the backends its configuration has.
verify_config()
{
	local config=$1 i body n seen="" want=3 deadline=$((SECONDS + 10))

	[[ $config == direct || $config == forward || $config == rpilb-tc-one ]] && want=1
	while :; do
		seen=""
		for ((i = 0; i < 6; i++)); do
			body=$(in_ns c curl -s --max-time 2 "$URL" || true)
			[[ $body =~ ^Hello\ from\ raspberry\ pi\ \#([0-9]) ]] || break
			n=${BASH_REMATCH[1]}
			[[ $seen == *"$n"* ]] || seen+=$n
		done
		((${#seen} == want)) && return 0
		((SECONDS < deadline)) || die "$config does not answer as it should (backends seen: '$seen', last answer: '${body:0:60}')"
		sleep 0.2
	done
}

# ---------------------------------------------------------------- configurations

write_configs()
{
	# rpilb reads the seed's file as it is (addresses aside), plus where it
	# keeps its own state during the bench.
	sed 's/192\.168\.1\.10\([1-3]\)/10.99.0.1\1/' "$SEED" >"$WORK/rpilb.cfg"
	cat >>"$WORK/rpilb.cfg" <<EOF

rpilb
    interface eth0
    state-dir $WORK/state
    socket $WORK/rpilb.sock
    pin-dir /sys/fs/bpf/rpilb-$LAB
EOF
	# The same with only the backend direct uses: the balancer's own cost, like for like.
	sed '/^ *server .*10\.99\.0\.1[23]:/d' "$WORK/rpilb.cfg" >"$WORK/rpilb-one.cfg"
	sed -f "$HERE/haproxy-lab.sed" "$SEED" | sed "s|@WORK@|$WORK|" >"$WORK/haproxy-http.cfg"
	sed -f "$HERE/haproxy-tcp.sed" "$WORK/haproxy-http.cfg" >"$WORK/haproxy-tcp.cfg"
	in_ns lb haproxy -c -q -f "$WORK/haproxy-http.cfg" ||
		die "HAProxy rejects $WORK/haproxy-http.cfg"
	in_ns lb haproxy -c -q -f "$WORK/haproxy-tcp.cfg" ||
		die "HAProxy rejects $WORK/haproxy-tcp.cfg"
}

rpilb_up()
{
	local mode=$1

	RPILB_CFG=${2:-$WORK/rpilb.cfg}
	if [[ $mode == xdp ]]; then
		tools/lab.sh peer-xdp "$LAB" on build/bpf/xdp_pass.bpf.o
	fi
	RPILB_UP=1
	RPILB_MODE=$mode
	in_ns lb "$BUILD/rpilbctl" up -c "$RPILB_CFG" ${mode:+-m "$mode"} \
		-L "$WORK/rpilb.log" >>"$WORK/rpilb-up.log" 2>&1 ||
		die "rpilbctl up ${mode:+-m $mode} failed: $(tail -3 "$WORK/rpilb-up.log")"
	PROG_ID=$(in_ns lb bpftool -j net show dev eth0 | json_num id)
	CPU_PID=$(rpilb_ctl status -j | json_num pid)
	[[ -n $PROG_ID && -n $CPU_PID ]] || die "cannot find rpilb's program or daemon"
}

rpilb_down()
{
	in_ns lb "$BUILD/rpilbctl" down -c "$RPILB_CFG" >>"$WORK/rpilb-up.log" 2>&1 ||
		die "rpilbctl down failed: $(tail -3 "$WORK/rpilb-up.log")"
	RPILB_UP=0
	if [[ $RPILB_MODE == xdp ]]; then
		tools/lab.sh peer-xdp "$LAB" off
	fi
	RPILB_MODE=""
}

haproxy_up()
{
	local variant=$1

	# Not through in_ns: a function in the background is a subshell, and $!
	# must be HAProxy itself (nsenter execs it without forking).
	nsenter --net="/run/netns/rpl-$LAB-lb" -- haproxy -db -f "$WORK/haproxy-$variant.cfg" \
		>>"$WORK/haproxy.log" 2>&1 &
	HAPROXY_PID=$!
	CPU_PID=$HAPROXY_PID
	sleep 0.2
	[[ $(cat "/proc/$HAPROXY_PID/comm" 2>/dev/null) == haproxy ]] ||
		die "HAProxy did not start: $(tail -3 "$WORK/haproxy.log")"
}

haproxy_down()
{
	stop_pid "$HAPROXY_PID"
	[[ $(cat "/proc/$HAPROXY_PID/comm" 2>/dev/null) != haproxy ]] ||
		die "HAProxy (pid $HAPROXY_PID) did not stop"
	HAPROXY_PID=""
}

readonly LB_SYSCTLS="net.ipv4.ip_forward net.ipv4.conf.all.send_redirects net.ipv4.conf.eth0.send_redirects"

# The balancer forwards (one arm: out the port it came in) and sends no
# ICMP redirects telling the client to go to the backend itself.
lb_forwarding_on()
{
	local k

	LB_SAVED=""
	for k in $LB_SYSCTLS; do
		LB_SAVED+=" $k=$(in_ns lb sysctl -n "$k")"
	done
	in_ns lb sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.eth0.send_redirects=0
}

lb_restore_sysctls()
{
	local kv

	for kv in $LB_SAVED; do
		in_ns lb sysctl -qw "$kv"
	done
	LB_SAVED=""
}

nft_up()
{
	lb_forwarding_on
	NFT_ON=1
	in_ns lb nft -f "$HERE/nft-rr.nft"
}

nft_down()
{
	in_ns lb nft delete table ip rpilb_bench
	NFT_ON=0
	lb_restore_sysctls
}

# The reference for the hop every balancer adds: client and backend 1 send
# to each other through the balancer's namespace, which routes the packets
# (kernel IP forwarding, no NAT, no balancing, no XDP).
forward_routes()
{
	in_ns c ip route "$1" "$NET.11/32" via "$VIP" || [[ $1 == del ]]
	in_ns b1 ip route "$1" "$NET.10/32" via "$VIP" || [[ $1 == del ]]
}

forward_up()
{
	lb_forwarding_on
	FWD_ON=1
	forward_routes add
	[[ $(in_ns c ip route get "$NET.11") == *"via $VIP"* ]] ||
		die "forward: the client does not route through the balancer"
}

forward_down()
{
	forward_routes del
	FWD_ON=0
	lb_restore_sysctls
}

# No TIME_WAIT left on the hosts by the configuration before: each one
# meets only the TIME_WAIT its own connections leave (ss -K destroys them).
flush_time_wait()
{
	local h

	for h in c lb b1 b2 b3; do
		in_ns "$h" ss -K -tan state time-wait >/dev/null 2>&1 ||
			say "warning: ss -K could not clear TIME_WAIT in $h"
	done
}

# config_up CONFIG [keep-tw]
config_up()
{
	[[ ${2-} == keep-tw ]] || flush_time_wait
	URL="http://$VIP/"
	PROG_ID=""
	CPU_PID=""
	case $1 in
	direct) URL="http://$NET.11:8000/" ;;
	forward)
		URL="http://$NET.11:8000/"
		forward_up
		;;
	rpilb-tc-one) rpilb_up tc "$WORK/rpilb-one.cfg" ;;
	rpilb-*) rpilb_up "${1#rpilb-}" ;;
	haproxy-*) haproxy_up "${1#haproxy-}" ;;
	nft) nft_up ;;
	esac
	verify_config "$1"
}

config_down()
{
	case $1 in
	rpilb-*)
		local rss hwm
		rss=$(vm_kb "$CPU_PID" VmRSS)
		hwm=$(vm_kb "$CPU_PID" VmHWM)
		printf '%s\t%s\t%s\n' "$1" "$rss" "$hwm" >>"$WORK/rss.tsv"
		rpilb_down
		;;
	haproxy-*) haproxy_down ;;
	nft) nft_down ;;
	forward) forward_down ;;
	esac
	PROG_ID=""
	CPU_PID=""
}

# ---------------------------------------------------------------- phases

phase_bpfcost()
{
	local cpu args

	cpu=$(($(nproc) - 1))
	if ((SMOKE)); then
		args=(-r 20000 -s 200 -b 3 -n 500)
	else
		args=(-r 2000000 -s 2000 -b 11 -n 20000)
	fi
	say "per-packet cost under BPF_PROG_TEST_RUN (${args[*]}, pinned to CPU $cpu)"
	"$BUILD/tools/bench/bpfcost" cost "${args[@]}" -c "$cpu" >"$WORK/bpfcost.txt"
	"$BUILD/tools/bench/bpfcost" mem 4096 65536 262144 >"$WORK/mem.txt"
}

phase_rounds()
{
	local -a configs
	local r i n c test

	read -ra configs <<<"$CONFIGS"
	n=${#configs[@]}
	RESULTS=$WORK/results.tsv
	printf 'round\tconfig\ttest\trequests\tduration_us\tconnect\tread\twrite\tstatus\ttimeout\tp50_us\tp99_us\tbpf_ns\tbpf_cnt\tcpu_ns\tdrops\tforeign_pct\n' \
		>"$WORK/results.tsv"
	for ((r = 1; r <= ROUNDS; r++)); do
		((r == 1)) || wait_quiet
		say "round $r of $ROUNDS"
		for ((i = 0; i < n; i++)); do
			c=${configs[(i + r - 1) % n]}
			config_up "$c"
			for test in keepalive close latency; do
				run_wrk "$c" "$test" "$r"
			done
			config_down "$c"
		done
	done
}

phase_memory()
{
	local pid

	say "memory: the seed's configuration, rpilbctl up (attach auto)"
	config_up rpilb-auto
	pid=$CPU_PID
	sleep 2
	{
		echo "mode $(rpilb_ctl status -j | grep -o '"mode":"[a-z]*"' | cut -d'"' -f4)"
		echo "rss_kb $(vm_kb "$pid" VmRSS)"
		echo "hwm_kb $(vm_kb "$pid" VmHWM)"
		for m in flows_fwd flows_rev; do
			bpftool -j map show pinned "/sys/fs/bpf/rpilb-$LAB/$m" |
				awk -v m="$m" '{
					match($0, /"bytes_memlock":[0-9]+/); b = substr($0, RSTART + 16, RLENGTH - 16)
					match($0, /"max_entries":[0-9]+/); e = substr($0, RSTART + 14, RLENGTH - 14)
					print m, b, e }'
		done
		local total=0 percpu=0 f b t
		for f in /sys/fs/bpf/rpilb-"$LAB"/*; do
			read -r b t < <(bpftool -j map show pinned "$f" | awk '{
				match($0, /"bytes_memlock":[0-9]+/); b = substr($0, RSTART + 16, RLENGTH - 16)
				match($0, /"type":"[a-z_]+"/); t = substr($0, RSTART + 8, RLENGTH - 9)
				print b, t }')
			total=$((total + b))
			[[ $t == percpu_* ]] && percpu=$((percpu + b))
		done
		echo "all_maps $total"
		echo "percpu_maps $percpu"
		echo "prog $(bpftool -j prog show id "$PROG_ID" | json_num bytes_memlock)"
	} >"$WORK/memory.txt"
	config_down rpilb-auto
}

# rpilbctl down hands the (port, backend) pairs the backends still hold in
# TIME_WAIT to the next up; show that nothing suffers right after a restart.
phase_restart()
{
	say "restart: Connection: close through rpilb (tc), down, up, again"
	RESULTS=$WORK/restart.tsv
	: >"$RESULTS"
	config_up rpilb-tc
	run_wrk rpilb-tc close before
	config_down rpilb-tc
	config_up rpilb-tc keep-tw
	run_wrk rpilb-tc close after
	config_down rpilb-tc
	RESULTS=""
}

# perf over the whole machine while one wrk run goes.
perf_during()
{
	local name=$1 config=$2 test=$3

	perf record -q -a -g -F 999 -o "$WORK/perf-$name.data" -- sleep "$((DURATION + 1))" \
		>/dev/null 2>&1 &
	PERF_PID=$!
	sleep 0.5
	RESULTS=$WORK/profile/runs.tsv run_wrk "$config" "$test" profile 2>/dev/null
	wait "$PERF_PID" || true
	PERF_PID=""
}

# perf_symbols DATA comm|sym TOP: the top commands, or the top kernel symbols.
perf_symbols()
{
	perf report -i "$1" --no-children --sort "$2" --stdio -g none 2>/dev/null |
		awk -v top="$3" -v sym="$([[ $2 == sym ]] && echo 1)" '/^ +[0-9.]+%/ && n < top {
			if (sym && $2 != "[k]") next
			p = $1; sub(/%/, "", p); $1 = ""; sub(/^ +/, "")
			if ($1 == "[k]") $1 = ""
			sub(/^ +/, ""); printf "%s\t%s\n", p, $0; n++ }'
}

perf_tree()
{
	perf script -i "$1" -F comm,ip,sym 2>/dev/null |
		awk -v re='^bpf_prog_[0-9a-f]+_rpilb_(xdp|tc)$' -v top="$2" -f "$HERE/perf-tree.awk"
}

perf_lines()
{
	sort -t "$(printf '\t')" -k2,2 "$2" >"$2.sorted"
	perf script -i "$1" -G -F ip,sym 2>/dev/null |
		awk -v top="$3" -f "$HERE/perf-lines.awk" "$2.sorted" -
}

phase_profile()
{
	local cpu d
	local -a est syn

	cpu=$(($(nproc) - 1))
	d=$WORK/profile
	mkdir -p "$d"
	say "profiles: the program under BPF_PROG_TEST_RUN"
	if ((SMOKE)); then
		# Enough runs for a few hundred samples in each: fewer left a
		# profile empty now and then, and the smoke run rejects that.
		est=(-r 1000000 -b 2)
		syn=(-s 200 -b 400)
	else
		est=(-r 20000000 -b 3)
		syn=(-s 2000 -b 1000)
	fi
	perf record -q -F 10000 -e cpu-clock -g -o "$d/est.data" -- \
		"$BUILD/tools/bench/bpfcost" cost "${est[@]}" -n 10 -k established -P xdp -N \
		-c "$cpu" -L "$d/est.lines" >/dev/null 2>&1
	perf_tree "$d/est.data" 12 >"$d/est.tree"
	perf_lines "$d/est.data" "$d/est.lines" 12 >"$d/est.src"
	# tc, because an XDP test run with repeat > 1 swaps the XDP dispatcher
	# twice per batch (an RCU grace period each): SYN batches are short.
	perf record -q -F 10000 -e cpu-clock -g -o "$d/syn.data" -- \
		"$BUILD/tools/bench/bpfcost" cost "${syn[@]}" -n 10 -k syn -P tc -N \
		-c "$cpu" -L "$d/syn.lines" >/dev/null 2>&1
	perf_tree "$d/syn.data" 14 >"$d/syn.tree"
	perf_lines "$d/syn.data" "$d/syn.lines" 14 >"$d/syn.src"

	say "profiles: Connection: close through rpilb (xdp) and direct, perf -a"
	config_up rpilb-xdp
	"$BUILD/tools/bench/bpfcost" lines "$PROG_ID" >"$d/situ.lines"
	perf_during rpilb-close rpilb-xdp close
	config_down rpilb-xdp
	config_up direct
	perf_during direct-close direct close
	config_down direct
	perf_symbols "$WORK/perf-rpilb-close.data" comm 8 >"$d/rpilb.comm"
	perf_symbols "$WORK/perf-rpilb-close.data" sym 18 >"$d/rpilb.sym"
	perf_symbols "$WORK/perf-direct-close.data" comm 8 >"$d/direct.comm"
	perf_symbols "$WORK/perf-direct-close.data" sym 18 >"$d/direct.sym"
	perf_tree "$WORK/perf-rpilb-close.data" 12 >"$d/situ.tree"
	perf_lines "$WORK/perf-rpilb-close.data" "$d/situ.lines" 12 >"$d/situ.src"
	rm -f "$WORK"/perf-*.data "$d"/*.data
}

# ---------------------------------------------------------------- the report

# Field f of the summary line of (config, test).
S()
{
	awk -F'\t' -v c="$1" -v t="$2" -v f="$3" '$1 == c && $2 == t { print $f; exit }' \
		"$WORK/summary.tsv"
}

# ns of a bpfcost case: C prog case field
C()
{
	awk -v p="prog=$1" -v c="case=$2" -v f="$3=" '$2 == p && $3 == c {
		for (i = 4; i <= NF; i++) if (index($i, f) == 1) { print substr($i, length(f) + 1); exit } }' \
		"$WORK/bpfcost.txt"
}

M()
{
	awk -v k="$1" -v f="${2:-2}" '$1 == k { print $f; exit }' "$WORK/memory.txt"
}

ratio()
{
	if [[ $1 == - || $2 == - ]] || awk "BEGIN { exit !($2 == 0) }"; then
		echo "-"
	else
		calc '%.2f' "$1 / $2"
	fi
}

verdict()
{
	if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi
}

config_name()
{
	case $1 in
	direct) echo "direct (client to one nginx, no balancer)" ;;
	forward) echo "reference: kernel IP forwarding via the balancer to one nginx (no NAT)" ;;
	rpilb-xdp) echo "rpilb, XDP native (peer XDP on)" ;;
	rpilb-xdpgeneric) echo "rpilb, XDP generic" ;;
	rpilb-tc) echo "rpilb, tc" ;;
	rpilb-tc-one) echo "reference: rpilb, tc, to the one nginx direct uses" ;;
	haproxy-http) echo "HAProxy, seed's file, mode http" ;;
	haproxy-tcp) echo "HAProxy, seed's file, mode tcp" ;;
	nft) echo "nftables numgen DNAT + masquerade" ;;
	esac
}

fmt_int()
{
	if [[ $1 == - ]]; then
		echo -
	else
		printf '%.0f' "$1"
	fi
}

render_throughput()
{
	local c ka cl hka hcl dka dcl
	hka=$(S haproxy-http keepalive 4)
	hcl=$(S haproxy-http close 4)
	dka=$(S direct keepalive 4)
	dcl=$(S direct close 4)
	echo "| configuration | keep-alive req/s | × HAProxy http | × direct | Connection: close req/s | × HAProxy http | × direct | failed (keep-alive) | failed connections (close) | packets rpilb dropped (close) |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	for c in $CONFIGS; do
		ka=$(S "$c" keepalive 4)
		cl=$(S "$c" close 4)
		echo "| $(config_name "$c") | $(fmt_int "$ka") | $(ratio "$ka" "$hka") | $(ratio "$ka" "$dka") | $(fmt_int "$cl") | $(ratio "$cl" "$hcl") | $(ratio "$cl" "$dcl") | $(S "$c" keepalive 7) / $(S "$c" keepalive 8) | $(S "$c" close 7) / $(S "$c" close 8) | $(S "$c" close 11) |"
	done
}

# req/s and failed connections of the restart phase's run $1 (before/after).
restart_fig()
{
	awk -F'\t' -v r="$1" '$1 == r {
		printf "%.0f req/s, %d failed", $4 / ($5 / 1e6), $6 + $7 + $8 + $9 + $10 }' \
		"$WORK/restart.tsv"
}

render_latency()
{
	local c
	echo "| configuration | offered ≈ req/s | achieved req/s | p50 µs | p99 µs | balancer CPU µs/req keep-alive | balancer CPU µs/req close | BPF ns/run in situ keep-alive | BPF ns/run in situ close |"
	echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
	for c in $CONFIGS; do
		echo "| $(config_name "$c") | $((CONNS * 1000 / (CONNS * 1000 / RATE))) | $(fmt_int "$(S "$c" latency 4)") | $(S "$c" latency 5) | $(S "$c" latency 6) | $(S "$c" keepalive 9) | $(S "$c" close 9) | $(S "$c" keepalive 10) | $(S "$c" close 10) |"
	done
}

render_raw()
{
	local c t
	echo "| configuration | test | req/s per round | % of the machine other processes took, per round |"
	echo "|---|---|---|---|"
	for c in $CONFIGS; do
		for t in keepalive close latency; do
			echo "| $c | $t | $(S "$c" "$t" 12 | sed 's/,/, /g') | $(S "$c" "$t" 14 | sed 's/,/, /g') |"
		done
	done
}

# "median max" of the share of the machine other processes took, over all runs.
foreign_stats()
{
	awk -F'\t' 'NR > 1 { v[++n] = $17 + 0; if ($17 + 0 > m) m = $17 + 0 }
		END { for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--)
			v[j + 1] = v[j]; v[j + 1] = t }
			printf "%s %s\n", n ? v[int((n + 1) / 2)] : 0, m + 0 }' "$WORK/results.tsv"
}

render_cost()
{
	local k ex et
	ex=$(C xdp empty ns)
	et=$(C tc empty ns)
	echo "| packet | XDP ns | × empty XDP | tc ns | × empty tc | single runs XDP: median − empty's median (raw p90) |"
	echo "|---|--:|--:|--:|--:|--:|"
	for k in empty syn established reply pass; do
		local name
		case $k in
		empty) name="empty program (the floor: \`r0 = PASS; exit\`)" ;;
		syn) name="new flow (client SYN)" ;;
		established) name="established client packet" ;;
		reply) name="backend reply" ;;
		pass) name="pass-through (TCP to the balancer's :22)" ;;
		esac
		echo "| $name | $(C xdp "$k" ns) | $(ratio "$(C xdp "$k" ns)" "$ex") | $(C tc "$k" ns) | $(ratio "$(C tc "$k" ns)" "$et") | $(C xdp "$k" single_net_ns) ($(C xdp "$k" single_p90_ns)) |"
	done
}

render_probes()
{
	echo "| one step, alone | ns (minus the empty probe) |"
	echo "|---|--:|"
	awk '$1 == "probe" {
		split($2, n, "="); split($4, v, "=")
		printf "| %s | %s |\n", n[2], v[2] }' "$WORK/bpfcost.txt"
}

render_mem_caps()
{
	echo "| flow-table-size | flows_fwd bytes | flows_rev bytes | bytes per flow (both) | all of rpilb's maps |"
	echo "|--:|--:|--:|--:|--:|"
	awk '$1 == "mem" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "| %d | %d | %d | %.1f | %.1f MiB |\n", v["capacity"], v["flows_fwd"],
			v["flows_rev"], v["per_flow"], v["all_maps"] / 1048576 }' "$WORK/mem.txt"
}

# A perf list (PERCENT<TAB>WHAT...) as table rows.
rows()
{
	awk -F'\t' '$1 != "total" && $1 != "all" {
		w = $2; if (NF > 2 && $3 != "") w = w " `" $3 "`"
		gsub(/\|/, "\\|", w); printf "| %s%% | %s |\n", $1, w }' "$1"
}

total_of()
{
	awk -F'\t' -v k="$2" '$1 == k { print $2 }' "$1"
}

render_profiles()
{
	local d=$WORK/profile

	if ((!PROFILE)); then
		echo "(perf was not available: no profiles in this run.)"
		return
	fi
	cat <<EOF
Profiles are \`perf record -e cpu-clock\` (this VM has no hardware PMU) with
call chains. Samples in the JITed program are placed on source lines with
the program's own BTF line info (\`bpfcost -L\` / \`bpfcost lines ID\` plus
tools/bench/perf-lines.awk; perf here cannot disassemble BPF). A sample
lands on the instruction after the one that stalled, so a line right after
an atomic or a division carries that instruction's cost.

**Established client packet, XDP, under BPF_PROG_TEST_RUN:** where the time
under the program goes ($(total_of "$d/est.tree" total) samples):

| share | function |
|--:|---|
$(rows "$d/est.tree")

Inside the program itself ($(total_of "$d/est.src" total) samples), by source line:

| share | line |
|--:|---|
$(rows "$d/est.src")

**New flow (SYN), tc, under BPF_PROG_TEST_RUN** ($(total_of "$d/syn.tree" total) samples):

| share | function |
|--:|---|
$(rows "$d/syn.tree")

Inside the program ($(total_of "$d/syn.src" total) samples):

| share | line |
|--:|---|
$(rows "$d/syn.src")

**In situ: Connection: close through rpilb (XDP native), perf -a** — the
whole machine, by command (softirq work is charged to whatever it interrupted):

| share | command |
|--:|---|
$(rows "$d/rpilb.comm")

Kernel symbols (share of all samples):

| share | symbol |
|--:|---|
$(rows "$d/rpilb.sym")

Under the attached program ($(total_of "$d/situ.tree" total) of $(total_of "$d/situ.tree" all) samples):

| share | function |
|--:|---|
$(rows "$d/situ.tree")

**For comparison, Connection: close direct to one nginx, perf -a**, by command:

| share | command |
|--:|---|
$(rows "$d/direct.comm")

Kernel symbols:

| share | symbol |
|--:|---|
$(rows "$d/direct.sym")
EOF
}

render_report()
{
	local out=$1 date kernel cpu cores ex et est syn fwd rev cap per rss hwm rss_max
	local ka_h cl_d c mode all percpu possible pi_maps fmed fmax

	awk -f "$HERE/summarize.awk" "$WORK/results.tsv" >"$WORK/summary.tsv"
	read -r fmed fmax < <(foreign_stats)
	date=$RUN_DATE
	kernel=$(uname -r)
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	cores=$(nproc)
	possible=$(($(awk -F- '{ print $NF }' /sys/devices/system/cpu/possible) + 1))
	ex=$(C xdp empty ns)
	et=$(C tc empty ns)
	est=$(C xdp established ns)
	syn=$(C xdp syn ns)
	read -r _ fwd cap < <(grep '^flows_fwd ' "$WORK/memory.txt")
	read -r _ rev _ < <(grep '^flows_rev ' "$WORK/memory.txt")
	per=$(calc '%.1f' "($fwd + $rev) / $cap")
	rss=$(M rss_kb)
	hwm=$(M hwm_kb)
	rss_max=$(awk -F'\t' -v m="$rss" 'BEGIN { x = m } $2 > x { x = $2 } $3 > x { x = $3 } END { print x }' "$WORK/rss.tsv" 2>/dev/null || echo "$rss")
	mode=$(M mode)
	all=$(M all_maps)
	percpu=$(M percpu_maps)
	# On a 4-core Pi the per-CPU maps hold 4 copies instead of $possible.
	pi_maps=$(calc '%.0f' "$all - $percpu + $percpu * 4 / $possible")

	{
		cat <<EOF
# rpilb benchmarks

Generated by \`tools/bench/bench.sh\` (\`sudo make bench\`) on $date.
Every figure below is from that one run, as measured, misses included.
Do not edit by hand: change the script or rerun it.

## The machine and the run

| | |
|---|---|
| kernel | $kernel |
| CPU | $cpu |
| cores | $cores (all of it shared by client, balancer and backends) |
| machine busy before the run | ${BUSY_BEFORE}% of all cores (1 s sample; before each round the bench waits, up to 15 minutes in all, for ≤ 15%) |
| other processes during the runs | median ${fmed}%, largest ${fmax}% of all cores (processes outside the lab; a lower bound: one that ends mid-run is missed) |
| date | $date |
| tree | $RUN_TREE |
| rpilb attach modes | XDP native on the balancer's veth (\`-m xdp\`, with an XDP pass program on the peer, which veth needs for XDP_TX), XDP generic (\`-m xdpgeneric\`), tc (\`-m tc\`) |
| load | wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }'), $THREADS threads, $CONNS connections, ${DURATION} s per run, $ROUNDS rounds; latency at ≈ $RATE req/s offered |
| backends | 3 × nginx $(nginx -v 2>&1 | sed 's|.*nginx/||'), one worker each, \`return 200\` with the seed's hello line |
| others | $(haproxy -v 2>/dev/null | awk 'NR == 1 { print "HAProxy " $3 }'), $(nft -v | awk '{ print "nftables " $2 }') |

How to reproduce: \`sudo make bench\` (about 15 minutes; \`BENCH_ROUNDS\`,
\`BENCH_DURATION\`, \`BENCH_RATE\`, \`BENCH_CONNS\`, \`BENCH_THREADS\` change
the run; \`tools/bench/bench.sh --help\`). \`make check\` runs
\`make bench-smoke\`: every code path once, briefly, into a scratch file.

The lab is tools/lab.sh: network namespaces joined by a bridge, one veth
per host. Client 10.99.0.10 runs wrk; the balancer is 10.99.0.2; the
backends 10.99.0.11–13 run nginx on :8000. All of it shares the
machine's $cores cores, so the balancer competes with wrk and nginx for
CPU: the figures compare the configurations with each other, on this
machine, in this run. They are noisy between runs; the per-round figures
are at the end, with how much of the machine other processes took during
each run.
$( ((fmax > 10)) && printf '\n**Warning: other processes took up to %s%% of the machine during some runs of\nthis report; those figures are lower than a quiet machine gives.**\n' "$fmax")

## Targets (issue 5)

EOF
		echo "| target | measured | verdict |"
		echo "|---|---|---|"
		ka_h=$(S haproxy-http keepalive 4)
		cl_d=$(S direct close 4)
		for c in $CONFIGS; do
			[[ $c == rpilb-* && $c != rpilb-tc-one ]] || continue
			local ka cl fails
			ka=$(S "$c" keepalive 4)
			cl=$(S "$c" close 4)
			fails=$(($(S "$c" close 7) + $(S "$c" close 8)))
			echo "| $c keep-alive ≥ 2 × HAProxy mode http | $(fmt_int "$ka") vs $(fmt_int "$ka_h"): $(ratio "$ka" "$ka_h") × | $(verdict "$ka >= 2 * $ka_h") |"
			echo "| $c keep-alive ≥ 0.8 × direct | $(fmt_int "$ka") vs $(fmt_int "$(S direct keepalive 4)"): $(ratio "$ka" "$(S direct keepalive 4)") × | $(verdict "$ka >= 0.8 * $(S direct keepalive 4)") |"
			echo "| $c Connection: close ≥ 0.8 × direct | $(fmt_int "$cl") vs $(fmt_int "$cl_d"): $(ratio "$cl" "$cl_d") × | $(verdict "$cl >= 0.8 * $cl_d") |"
			echo "| $c Connection: close: zero failed connections | $fails over $ROUNDS runs | $(verdict "$fails == 0") |"
		done
		if [[ " $CONFIGS " == *" rpilb-tc-one "* ]]; then
			cl=$(S rpilb-tc-one close 4)
			echo "| (not a target: rpilb-tc with only the nginx direct uses, Connection: close, × direct) | $(fmt_int "$cl") vs $(fmt_int "$cl_d"): $(ratio "$cl" "$cl_d") × | - |"
		fi
		echo "| BPF established packet ≤ 2 × empty program (XDP, test run) | $est ns vs $ex ns: $(ratio "$est" "$ex") × | $(verdict "$est <= 2 * $ex") |"
		echo "| BPF new flow ≤ 4 × empty program (XDP, test run) | $syn ns vs $ex ns: $(ratio "$syn" "$ex") × | $(verdict "$syn <= 4 * $ex") |"
		echo "| ≤ 256 bytes per tracked connection, both directions | $per bytes (flows_fwd + flows_rev memlock / $cap) | $(verdict "$per <= 256") |"
		echo "| daemon RSS ≤ 8 MB (seed setup; largest RSS or peak seen) | $(calc '%.1f' "$rss_max / 1024") MiB (idle $(calc '%.1f' "$rss / 1024") MiB) | $(verdict "$rss_max <= 8192") |"
		cat <<EOF

## Throughput (median of $ROUNDS rounds)

wrk -t $THREADS -c $CONNS -d ${DURATION}s, GET / for the seed's hello line.
"Failed" is wrk's socket errors (connect, read, write, timeout) / HTTP
responses ≥ 400, summed over all rounds. Keep-alive measures the
established-flow path; \`Connection: close\` (a new TCP connection per
request) the new-flow path, NAT port choice and the backends' TIME_WAIT
included.

$(render_throughput)

Each configuration starts with no TIME_WAIT on any host (\`ss -K\`): it
meets only what its own connections leave behind. Without that, the
figures depend on which configuration ran before. One case is the
product's own: \`rpilbctl down\` must pass on to the next \`up\` which
(NAT port, backend) pairs the backends still hold in TIME_WAIT, or new
connections land on them right after a restart. Measured here with rpilb
(tc), \`Connection: close\`, ${DURATION} s each: before \`down\` and
\`up\` $(restart_fig before); in the ${DURATION} s right after them
$(restart_fig after).

## Latency at a fixed rate, and the balancer's CPU

Latency: wrk with $CONNS connections, each pausing $((CONNS * 1000 / RATE)) ms after a response
(tools/bench/report.lua's \`delay()\`; wrk has no rate option), so the
offered rate is fixed below every configuration's saturation; p50/p99 of
keep-alive requests, median over the rounds.

Balancer CPU per request: HAProxy's process (all threads, from
/proc/PID/task/*/schedstat); rpilb's program (\`run_time_ns\` with
\`kernel.bpf_stats_enabled=1\`, on for the whole run, all configurations)
plus its daemon's CPU. For rpilb that is only the program: the kernel's
own work around it (the veth's NAPI poll, building an skb in generic XDP
and tc, the bridge) is not in it. nftables' work happens in softirq
context on whichever CPU the packet is on and cannot be attributed to the
balancer; direct has no balancer. "BPF ns/run in situ" is run_time_ns /
run_cnt of the attached program under that load (the statistics add
their own clock reads to every run).

$(render_latency)

## Per-packet cost of the BPF program

BPF_PROG_TEST_RUN, the program loaded unpinned in a private network
namespace (tools/bench/bpfcost.c), pinned to one CPU, with an empty
program of the same type measured the same way in the same run. The
figure is the kernel's own per-run duration (whole ns) of a batch,
median over the batches. \`repeat > 1\` runs the program again on the
packet it has just rewritten, so each case is built so that the
rewritten packet is again the same kind of packet:

- established: two forward flow entries that translate into each other
  (balancer:50001 → server 1 becomes balancer:50002 → server 2 and back),
  so every run is a flow-table hit with the full rewrite; after an even
  number of runs the packet must be its input again, and the counters must
  show every run as \`tx_to_backend\`;
- backend reply: the same with two reverse entries (\`tx_to_client\`);
- new flow: the frontend and every server's address:8000 are services of
  one pool, so each rewritten SYN (balancer:port → server:8000) is a SYN
  for a 4-tuple never seen before: every run picks a server, resolves its
  MAC, claims a NAT port and inserts both entries (batches of SYNs, the
  tables emptied between batches; the counters must show every run as
  \`tx_new_flow\`);
- pass-through: a SYN to the balancer's :22 is not rewritten at all.

XDP live frames (\`BPF_F_TEST_XDP_LIVE_FRAMES\`) would not help: it resets
the frame's pointers between runs, not the bytes the program rewrote. The
last column cross-checks with single runs (repeat 1) of ordinary packets
(a real client's SYNs, ACKs and the server's replies): each such run
also pays the test run's timer, so it is shown minus the empty program's
single run.

$(render_cost)

New flows needed $(C xdp syn retries) NAT port retries per SYN in these batches.

What single steps cost, each alone in a probe program on maps of rpilb's
types and sizes (tools/bench/probes.bpf.c), minus the empty probe:

$(render_probes)

## Memory

The seed's file under \`rpilbctl up\` (attach $mode), default table of
$cap flows. From \`bpftool -j map show\` (bytes_memlock):

| | |
|---|---|
| flows_fwd | $fwd bytes |
| flows_rev | $rev bytes |
| per tracked connection, both directions | **$per bytes** |
| all of rpilb's maps | $(calc '%.1f' "$all / 1048576") MiB ($possible possible CPUs for the per-CPU maps) |
| the program | $(M prog) bytes |
| daemon VmRSS, idle after \`up\` | $rss kB (peak VmHWM $hwm kB) |
| daemon, largest VmRSS or VmHWM at the end of any rpilb round | $rss_max kB |

By table size (\`bpfcost mem\`, the same maps loaded unpinned):

$(render_mem_caps)

On a 1 GB Pi: the default table ($cap connections) costs
$(calc '%.1f' "($fwd + $rev) / 1048576") MiB of kernel memory for both
directions, $(calc '%.1f' "100 * ($fwd + $rev) / 1073741824") % of 1 GiB; with everything else
rpilb keeps (all maps, per-CPU ones for 4 cores: $(calc '%.1f' "$pi_maps / 1048576") MiB, the program, the
daemon's $(calc '%.1f' "$rss_max / 1024") MiB) about $(calc '%.1f' "($pi_maps + $(M prog) + $rss_max * 1024) / 1048576") MiB,
$(calc '%.1f' "100 * ($pi_maps + $(M prog) + $rss_max * 1024) / 1073741824") % of the Pi's memory. The hash maps are preallocated: the
cost is the same empty or full.

## Profiles

$(render_profiles)

EOF
		if [[ -r $HERE/notes.md ]]; then
			cat "$HERE/notes.md"
			echo
		fi
		cat <<EOF
## Every round

Requests per second of each run, in round order (the order of the
configurations rotates by one each round).

$(render_raw)
EOF
	} >"$out"
}

# The smoke run's own check: the report is whole and its figures are figures.
check_report()
{
	local f=$1 c t v bad=0

	for c in $CONFIGS; do
		for t in keepalive close latency; do
			v=$(S "$c" "$t" 4)
			if ! [[ $v =~ ^[0-9.]+$ ]] || ! awk "BEGIN { exit !($v > 0) }"; then
				echo "bench: no throughput for $c/$t" >&2
				bad=1
			fi
		done
		grep -qF "| $(config_name "$c") |" "$f" || {
			echo "bench: no row for $c" >&2
			bad=1
		}
	done
	for c in empty syn established reply pass; do
		[[ $(C xdp "$c" ns) =~ ^[0-9]+$ && $(C tc "$c" ns) =~ ^[0-9]+$ ]] || {
			echo "bench: no BPF cost for $c" >&2
			bad=1
		}
	done
	[[ $(grep -c '^probe ' "$WORK/bpfcost.txt") -ge 10 ]] || { echo "bench: probes missing" >&2; bad=1; }
	for t in "## Targets" "## Throughput" "## Latency" "## Per-packet cost" "## Memory" "## Profiles" "## Every round"; do
		grep -q "^$t" "$f" || { echo "bench: section '$t' missing" >&2; bad=1; }
	done
	v=$(grep -cE '\| (PASS|MISS) \|$' "$f")
	[[ $v -ge 4 ]] || { echo "bench: only $v target verdicts" >&2; bad=1; }
	if grep -nE '\| *-?(nan|inf) *\||\|[[:space:]]*\|' "$f" | grep -v '^[0-9]*:| | |$' >&2; then
		echo "bench: empty or non-numeric cells above" >&2
		bad=1
	fi
	if ((PROFILE)); then
		for t in est.tree est.src syn.tree syn.src rpilb.sym direct.sym situ.tree; do
			[[ $(grep -vc '^total\|^all' "$WORK/profile/$t") -ge 1 ]] ||
				{ echo "bench: profile $t is empty" >&2; bad=1; }
		done
	fi
	((bad == 0)) || die "the report $f is not well formed"
}

# The report again from a kept run (after editing notes.md or the renderer).
render_again()
{
	[[ -r $RENDER/run.env && -r $RENDER/results.tsv ]] ||
		die "$RENDER is not a work directory kept by bench.sh --keep"
	# shellcheck source=/dev/null
	source "$RENDER/run.env"
	WORK=$RENDER
	[[ -n $OUT ]] || OUT=docs/BENCHMARKS.md
	render_report "$OUT"
	check_report "$OUT"
	say "wrote $OUT from the run of $RUN_DATE"
}

main()
{
	parse_args "$@"
	if [[ -n $RENDER ]]; then
		render_again
		return
	fi
	preflight
	if ((SMOKE)); then
		LAB=bsmoke
	else
		LAB=bench
	fi
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	WORK=$(mktemp -d /tmp/rpilb-bench.XXXXXX)
	mkdir -p "$WORK/wrk" "$WORK/state"
	[[ -n $OUT ]] || if ((SMOKE)); then OUT=$WORK/BENCHMARKS.md; else OUT=docs/BENCHMARKS.md; fi
	[[ -d /sys/fs/bpf/rpilb-$LAB ]] && rm -rf "/sys/fs/bpf/rpilb-$LAB"

	say "bench: $ROUNDS round(s) of ${DURATION} s runs, configurations: $CONFIGS"
	((SMOKE)) || QUIET_LEFT=${BENCH_QUIET_WAIT:-900}
	wait_quiet
	RUN_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
	RUN_TREE="$(git rev-parse --short HEAD 2>/dev/null || echo ?)$(git diff --quiet HEAD -- bpf user include 2>/dev/null || echo " + uncommitted changes in bpf/, user/ or include/")"
	declare -p ROUNDS DURATION RATE CONNS THREADS CONFIGS PROFILE SMOKE BUSY_BEFORE RUN_DATE \
		RUN_TREE >"$WORK/run.env"
	STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
	# The test-run figures must not pay for run-time statistics.
	sysctl -qw kernel.bpf_stats_enabled=0
	phase_bpfcost

	say "lab $LAB: 3 nginx backends"
	LAB_MADE=1
	tools/lab.sh up "$LAB" --backends 3 --server nginx >"$WORK/lab.log" 2>&1 ||
		die "tools/lab.sh up failed: $(tail -3 "$WORK/lab.log")"
	write_configs
	local h
	for h in sw c lb b1 b2 b3; do
		LAB_NETNS+=" $(in_ns "$h" readlink /proc/self/ns/net)"
	done
	sysctl -qw kernel.bpf_stats_enabled=1
	phase_rounds
	phase_memory
	phase_restart
	sysctl -qw kernel.bpf_stats_enabled=0
	((PROFILE)) && phase_profile

	render_report "$OUT"
	if ((SMOKE)); then
		check_report "$OUT"
		say "smoke: the report is well formed ($(wc -l <"$OUT") lines); removing everything"
	else
		check_report "$OUT"
		say "wrote $OUT"
	fi
}

# Exit here: bash reads a script as it runs, so a run must not read on
# into a copy of this file edited meanwhile.
main "$@"
exit
