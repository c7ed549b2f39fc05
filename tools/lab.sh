#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lab.sh: the seed tutorial's LAN on one machine, out of network namespaces.
#
# One lab is a switch namespace holding a bridge, and one namespace per host
# (client, balancer Pi, backend Pis), each wired to the bridge by a veth
# pair. Every name carries the lab id, so several labs coexist and nothing
# outside them is touched; what a lab started is recorded under
# /tmp/rpl-LAB so `down` can remove it even after a half-finished `up`.
#
#   lab.sh up LAB [--backends N] [--server hellod|nginx|none] [--hellod PATH] [--vip ADDR]
#   lab.sh down LAB
#   lab.sh exec LAB HOST CMD...
#   lab.sh addr LAB HOST
#   lab.sh peer-xdp LAB on OBJ | off
#   lab.sh backend LAB K stop|start
#   lab.sh list
#
# Set LAB_KEEP=1 to keep a lab whose `up` failed, for debugging.

set -euo pipefail

SELF=${0##*/}
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
readonly SELF ROOT
readonly NET=10.99.0
readonly PORT=8000
readonly MAX_BACKENDS=8
readonly READY_TIMEOUT_S=5
readonly STOP_TIMEOUT_S=3

die()
{
	echo "$SELF: $*" >&2
	exit 1
}

usage()
{
	cat <<EOF
usage: $SELF up LAB [--backends N] [--server hellod|nginx|none] [--hellod PATH] [--vip ADDR]
       $SELF down LAB
       $SELF exec LAB HOST CMD...
       $SELF addr LAB HOST
       $SELF peer-xdp LAB on OBJ | off
       $SELF backend LAB K stop|start
       $SELF list

LAB is 1-8 characters of [a-z0-9]; HOST is c, lb, sw or bK.
Namespaces: rpl-LAB-sw (bridge br0), rpl-LAB-c ($NET.10), rpl-LAB-lb ($NET.2),
rpl-LAB-bK ($NET.1K); backends listen on :$PORT. State: /tmp/rpl-LAB/.
EOF
}

now_ms()
{
	local us=${EPOCHREALTIME/./}

	echo $((us / 1000))
}

need_root()
{
	[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
}

check_lab()
{
	[[ ${1-} =~ ^[a-z0-9]{1,8}$ ]] || die "bad lab id '${1-}': use 1-8 characters of [a-z0-9]"
}

ns_of()
{
	echo "rpl-$LAB-$1"
}

state_dir()
{
	echo "/tmp/rpl-$LAB"
}

# Only names this script creates, so a lab "t1" never matches "t1x" or foreign namespaces.
lab_namespaces()
{
	ip netns list 2>/dev/null | awk '{ print $1 }' |
		grep -E "^rpl-$LAB-(sw|c|lb|b[1-9][0-9]*)\$" || true
}

ns_exists()
{
	[[ -e /run/netns/$1 ]]
}

recorded()
{
	local f
	f="$(state_dir)/$1"
	[[ -r $f ]] && cat "$f"
}

host_addr()
{
	local host=$1 n

	case $host in
	c) echo "$NET.10" ;;
	lb) echo "$NET.2" ;;
	b[1-9])
		n=${host#b}
		((n <= MAX_BACKENDS)) || die "unknown host '$host': use c, lb or b1..b$MAX_BACKENDS"
		if [[ -d $(state_dir) ]] && ((n > $(recorded backends || echo $MAX_BACKENDS))); then
			die "lab $LAB has no backend $host"
		fi
		echo "$NET.$((10 + n))"
		;;
	sw) die "sw is the switch: it has no address" ;;
	*) die "unknown host '$host': use c, lb or b1..b$MAX_BACKENDS" ;;
	esac
}

# A zombie counts as gone: it has exited and only waits to be reaped.
pid_alive()
{
	local stat

	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	# The state follows the command name, which may itself hold spaces.
	stat=${stat##*) }
	[[ -n $stat && ${stat:0:1} != Z ]]
}

# This script and its callers, which may be running inside the lab.
ancestors()
{
	local pid=$$

	while [[ $pid =~ ^[0-9]+$ && $pid -gt 1 ]]; do
		echo "$pid"
		pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || break
	done
}

# TERM, wait up to $2 seconds, then KILL: every wait in the lab is bounded.
stop_pids()
{
	local timeout_s=$1 deadline pid left
	shift

	[[ $# -gt 0 ]] || return 0
	kill -TERM "$@" 2>/dev/null || true
	deadline=$(($(now_ms) + timeout_s * 1000))
	while (($(now_ms) < deadline)); do
		left=0
		for pid in "$@"; do
			pid_alive "$pid" && left=1
		done
		((left)) || return 0
		sleep 0.05
	done
	kill -KILL "$@" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		left=0
		for pid in "$@"; do
			pid_alive "$pid" && left=1
		done
		((left)) || return 0
		sleep 0.1
	done
}

# Never fails, never asks: it runs from traps and after partial `up`s.
teardown()
{
	local nss pids ns pid self

	trap '' INT TERM
	mapfile -t nss < <(lab_namespaces)
	self=" $(ancestors | tr '\n' ' ')"
	pids=()
	for ns in "${nss[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null || true); do
			if [[ $self != *" $pid "* ]]; then
				pids+=("$pid")
			fi
		done
	done
	stop_pids $STOP_TIMEOUT_S "${pids[@]}"
	for ns in "${nss[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$(state_dir)"
	trap - INT TERM
}

ns_init()
{
	local ns=$1

	ip netns add "$ns"
	ip -n "$ns" link set lo up
	# IPv6 chatter (DAD, RS, MLD) would reach the balancer's XDP program and
	# its counters; the lab is IPv4 only so tests can count exactly.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
}

add_host()
{
	local host=$1 ns sw addr

	ns=$(ns_of "$host")
	sw=$(ns_of sw)
	addr=$(host_addr "$host")
	ns_init "$ns"
	ip -n "$ns" link add eth0 type veth peer name "$host" netns "$sw"
	ip -n "$sw" link set "$host" master br0 up
	ip -n "$ns" addr add "$addr/24" dev eth0
	ip -n "$ns" link set eth0 up
	# The balancer rewrites addresses in XDP; a partial checksum left for
	# offload would then be wrong on the wire.
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null
}

write_nginx_conf()
{
	local k=$1 addr=$2 d
	d="$(state_dir)/b$k.nginx"

	mkdir -p "$d"
	cat >"$d/nginx.conf" <<EOF
# Generated by lab.sh for lab $LAB, backend b$k.
worker_processes 1;
daemon off;
pid $(state_dir)/b$k.pid;
error_log $d/error.log warn;
events {
	worker_connections 4096;
}
http {
	access_log off;
	client_body_temp_path $d/client_body;
	proxy_temp_path $d/proxy;
	fastcgi_temp_path $d/fastcgi;
	uwsgi_temp_path $d/uwsgi;
	scgi_temp_path $d/scgi;
	server {
		listen 0.0.0.0:$PORT;
		default_type text/plain;
		location / {
			return 200 "Hello from raspberry pi #$k at $addr!\\n";
		}
	}
}
EOF
}

# Starts backend K in the background; prints the pid of what it started.
start_backend()
{
	local k=$1 ns dir server addr

	ns=$(ns_of "b$k")
	dir=$(state_dir)
	server=$(recorded server)
	addr=$(host_addr "b$k")
	case $server in
	hellod)
		[[ -e $dir/b$k.ctl ]] || echo ok >"$dir/b$k.ctl"
		# setsid: a Ctrl-C meant for the calling test must not reach the Pis.
		ip netns exec "$ns" setsid "$(recorded hellod)" -n "$k" -p $PORT \
			-c "$dir/b$k.ctl" -P "$dir/b$k.pid" </dev/null >>"$dir/b$k.log" 2>&1 &
		;;
	nginx)
		write_nginx_conf "$k" "$addr"
		ip netns exec "$ns" setsid nginx -c "$dir/b$k.nginx/nginx.conf" \
			-p "$dir/b$k.nginx/" -e "$dir/b$k.nginx/error.log" \
			</dev/null >>"$dir/b$k.log" 2>&1 &
		;;
	esac
	echo $!
}

# Waits (bounded) until backend K answers the client with its exact hello line.
wait_backend()
{
	local k=$1 pid=$2 deadline=$3 addr want got

	addr=$(host_addr "b$k")
	want="Hello from raspberry pi #$k at $addr!"
	while :; do
		got=$(ip netns exec "$(ns_of c)" curl -s --max-time 2 "http://$addr:$PORT/" || true)
		[[ $got == "$want" ]] && return 0
		if ! pid_alive "$pid"; then
			echo "$SELF: backend b$k exited before answering" >&2
			break
		fi
		if (($(now_ms) >= deadline)); then
			echo "$SELF: backend b$k ($addr:$PORT) did not answer within" \
				"${READY_TIMEOUT_S} s (got '${got:0:60}')" >&2
			break
		fi
		sleep 0.05
	done
	# Printed here because a failed `up` removes the state directory.
	if [[ -s $(state_dir)/b$k.log ]]; then
		echo "$SELF: last lines of $(state_dir)/b$k.log:" >&2
		tail -n 5 "$(state_dir)/b$k.log" | sed 's/^/  /' >&2
	fi
	return 1
}

valid_ipv4()
{
	local o

	[[ $1 =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || return 1
	for o in "${BASH_REMATCH[@]:1}"; do
		((10#$o <= 255)) || return 1
	done
}

up_failed()
{
	local rc=$?

	[[ $rc -eq 0 ]] && return
	if [[ ${LAB_KEEP-} == 1 ]]; then
		echo "$SELF: up $LAB failed; LAB_KEEP=1, leaving it for inspection" >&2
	else
		echo "$SELF: up $LAB failed; tearing down what was built" >&2
		teardown
	fi
	exit "$rc"
}

# build/tools/hellod, or where the Makefile puts it (build/ARCH/tools/hellod).
default_hellod()
{
	local arch

	case $(uname -m) in
	x86_64) arch=amd64 ;;
	aarch64) arch=arm64 ;;
	*) arch=$(uname -m) ;;
	esac
	if [[ ! -x $ROOT/build/tools/hellod && -x $ROOT/build/$arch/tools/hellod ]]; then
		echo "$ROOT/build/$arch/tools/hellod"
	else
		echo "$ROOT/build/tools/hellod"
	fi
}

cmd_up()
{
	local n=3 server=hellod hellod vip='' dir k deadline tool
	local -a pids

	[[ $# -ge 1 ]] || die "up: missing LAB"
	hellod=$(default_hellod)
	LAB=$1
	check_lab "$LAB"
	shift
	while [[ $# -gt 0 ]]; do
		[[ $1 == --* && $# -ge 2 ]] || die "up: bad argument '$1' (options take a value)"
		case $1 in
		--backends) n=$2 ;;
		--server) server=$2 ;;
		--hellod) hellod=$2 ;;
		--vip) vip=$2 ;;
		*) die "up: unknown option '$1'" ;;
		esac
		shift 2
	done
	if ! [[ $n =~ ^[1-9]$ ]] || ((n > MAX_BACKENDS)); then
		die "up: --backends must be 1..$MAX_BACKENDS, not '$n'"
	fi
	case $server in
	hellod)
		[[ -x $hellod && -f $hellod ]] ||
			die "up: hellod binary '$hellod' is missing or not executable (build it)"
		hellod=$(readlink -f "$hellod")
		;;
	nginx)
		command -v nginx >/dev/null || die "up: nginx missing (apt-get install nginx-light)"
		;;
	none) ;;
	*) die "up: --server must be hellod, nginx or none, not '$server'" ;;
	esac
	if [[ -n $vip ]] && ! valid_ipv4 "$vip"; then
		die "up: --vip '$vip' is not an IPv4 address"
	fi
	for tool in ip ethtool curl setsid; do
		command -v $tool >/dev/null || die "up: $tool not found"
	done

	dir=$(state_dir)
	if [[ -d $dir ]] || [[ -n $(lab_namespaces) ]]; then
		echo "$SELF: lab $LAB exists; tearing it down first"
		teardown
	fi

	trap up_failed EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$dir"
	echo "$n" >"$dir/backends"
	echo "$server" >"$dir/server"
	[[ $server == hellod ]] && echo "$hellod" >"$dir/hellod"
	[[ -n $vip ]] && echo "$vip" >"$dir/vip"

	ns_init "$(ns_of sw)"
	ip -n "$(ns_of sw)" link add br0 type bridge stp_state 0 forward_delay 0
	ip -n "$(ns_of sw)" link set br0 up
	# A LAN switch forwards frames as they are. br_netfilter, when the module
	# is loaded, would validate and drop malformed IPv4 on the bridge, and the
	# balancer would never meet the packets its tests send it.
	local knob
	for knob in iptables ip6tables arptables; do
		ip netns exec "$(ns_of sw)" sysctl -qw "net.bridge.bridge-nf-call-$knob=0" \
			2>/dev/null || true
	done
	add_host c
	add_host lb
	for ((k = 1; k <= n; k++)); do
		add_host "b$k"
	done

	if [[ $server != none ]]; then
		pids=()
		for ((k = 1; k <= n; k++)); do
			pids[k]=$(start_backend "$k")
		done
		deadline=$(($(now_ms) + READY_TIMEOUT_S * 1000))
		for ((k = 1; k <= n; k++)); do
			wait_backend "$k" "${pids[k]}" "$deadline"
		done
	fi

	trap - EXIT INT TERM
	echo "lab $LAB up (server: $server)"
	printf '  %-4s %-14s %s\n' c "$(ns_of c)" "$(host_addr c)" \
		lb "$(ns_of lb)" "$(host_addr lb)"
	for ((k = 1; k <= n; k++)); do
		printf '  %-4s %-14s %s:%d\n' "b$k" "$(ns_of "b$k")" "$(host_addr "b$k")" $PORT
	done
	[[ -z $vip ]] || echo "  vip  $vip (recorded; the balancer adds it)"
}

cmd_down()
{
	[[ $# -eq 1 ]] || die "down: usage: down LAB"
	LAB=$1
	check_lab "$LAB"
	teardown
}

need_lab()
{
	[[ -n $(lab_namespaces) ]] || die "lab $LAB does not exist (lab.sh up $LAB)"
}

cmd_exec()
{
	local ns

	[[ $# -ge 3 ]] || die "exec: usage: exec LAB HOST CMD..."
	LAB=$1
	check_lab "$LAB"
	[[ $2 =~ ^(sw|c|lb|b[1-9])$ ]] || die "exec: unknown host '$2': use c, lb, sw or bK"
	ns=$(ns_of "$2")
	ns_exists "$ns" || die "exec: no namespace $ns (is lab $LAB up?)"
	shift 2
	exec ip netns exec "$ns" "$@"
}

cmd_addr()
{
	[[ $# -eq 2 ]] || die "addr: usage: addr LAB HOST"
	LAB=$1
	check_lab "$LAB"
	host_addr "$2"
}

cmd_peer_xdp()
{
	local sw

	[[ $# -ge 2 ]] || die "peer-xdp: usage: peer-xdp LAB on OBJ | off"
	LAB=$1
	check_lab "$LAB"
	sw=$(ns_of sw)
	ns_exists "$sw" || die "peer-xdp: no namespace $sw (is lab $LAB up?)"
	case $2 in
	on)
		[[ $# -eq 3 ]] || die "peer-xdp: usage: peer-xdp LAB on OBJ"
		[[ -r $3 ]] || die "peer-xdp: cannot read XDP object '$3'"
		ip -n "$sw" link set dev lb xdp obj "$3" sec xdp ||
			die "peer-xdp: attaching $3 to $sw/lb failed"
		;;
	off)
		[[ $# -eq 2 ]] || die "peer-xdp: usage: peer-xdp LAB off"
		ip -n "$sw" link set dev lb xdp off || die "peer-xdp: detaching from $sw/lb failed"
		;;
	*) die "peer-xdp: expected on OBJ or off, not '$2'" ;;
	esac
}

cmd_list()
{
	[[ $# -eq 0 ]] || die "list: takes no arguments"
	ip netns list 2>/dev/null | awk '{ print $1 }' |
		sed -nE 's/^rpl-([a-z0-9]{1,8})-(sw|c|lb|b[1-9][0-9]*)$/\1/p' | sort -u
}

# The pid in the pidfile, if it is still a live process in backend K's namespace.
backend_pid()
{
	local k=$1 pid

	pid=$(recorded "b$k.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 1
	[[ $(ip netns identify "$pid" 2>/dev/null) == "$(ns_of "b$k")" ]] || return 1
	echo "$pid"
}

cmd_backend()
{
	local k pid server
	local -a kids

	[[ $# -eq 3 ]] || die "backend: usage: backend LAB K stop|start"
	LAB=$1
	check_lab "$LAB"
	k=$2
	need_lab
	if ! [[ $k =~ ^[1-9]$ ]] || ((k > $(recorded backends || echo 0))); then
		die "backend: lab $LAB has no backend '$k'"
	fi
	server=$(recorded server)
	[[ $server != none ]] || die "backend: lab $LAB was started with --server none"
	case $3 in
	stop)
		if pid=$(backend_pid "$k"); then
			# With its children: nginx workers outlive a KILLed master and
			# would keep :8000 open.
			mapfile -t kids < <(pgrep -P "$pid" || true)
			stop_pids $STOP_TIMEOUT_S "$pid" "${kids[@]}"
			pid_alive "$pid" && die "backend: b$k (pid $pid) did not stop"
			rm -f "$(state_dir)/b$k.pid"
			echo "b$k stopped"
		else
			echo "b$k already stopped"
		fi
		;;
	start)
		if backend_pid "$k" >/dev/null; then
			echo "b$k already running"
			return 0
		fi
		pid=$(start_backend "$k")
		wait_backend "$k" "$pid" $(($(now_ms) + READY_TIMEOUT_S * 1000)) || exit 1
		echo "b$k started"
		;;
	*) die "backend: expected stop or start, not '$3'" ;;
	esac
}

main()
{
	local cmd=${1-}

	[[ $# -gt 0 ]] && shift
	# Plain calls, not "need_root && cmd": set -e is off inside an && list.
	case $cmd in
	up | down | exec | peer-xdp | backend) need_root ;;
	esac
	case $cmd in
	up) cmd_up "$@" ;;
	down) cmd_down "$@" ;;
	exec) cmd_exec "$@" ;;
	addr) cmd_addr "$@" ;;
	peer-xdp) cmd_peer_xdp "$@" ;;
	backend) cmd_backend "$@" ;;
	list) cmd_list "$@" ;;
	help | -h | --help) usage ;;
	'')
		usage >&2
		exit 2
		;;
	*) die "unknown subcommand '$cmd' (try $SELF help)" ;;
	esac
}

main "$@"
