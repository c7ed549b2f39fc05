#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# deps.sh [--arch arm64] [build|demo|check]: install what a goal of the
# Makefile needs, from Debian / Raspberry Pi OS packages. As root it runs
# apt-get; otherwise it prints the exact line to type and fails.
#
#   build  compilers and libraries: what `make` needs to link rpilbctl
#   demo   build, plus what `make demo`'s lab uses
#   check  everything `make check` runs (the default; also `make deps`);
#          on amd64 that includes the arm64 cross build
#
# --arch arm64 readies a cross build for a 64-bit Raspberry Pi OS.
set -euo pipefail

usage()
{
	echo "usage: deps.sh [--arch arm64] [build|demo|check]" >&2
	exit 2
}

cross="" goal=check
while [ $# -gt 0 ]; do
	case "$1" in
	--arch)
		[ $# -ge 2 ] || usage
		cross=$2
		shift 2
		;;
	build | demo | check)
		goal=$1
		shift
		;;
	*) usage ;;
	esac
done
[ -n "$cross" ] && [ "$cross" != arm64 ] && { echo "deps: unknown --arch $cross" >&2; exit 2; }

build=(make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev
	libcmocka-dev libmicrohttpd-dev)
demo=(iproute2 ethtool curl util-linux)
test=(iproute2 ethtool curl socat nginx-light wrk haproxy nftables python3-scapy
	prometheus chromium libclang-rt-14-dev valgrind dpkg-dev qemu-user-static
	scdoc debootstrap lintian bash-completion man-db groff-base file python3 systemd
	util-linux tcpdump redis-server mosquitto openssl postgresql mariadb-server
	mariadb-client slapd ldap-utils)
host=$(dpkg --print-architecture)
cross_tools=() arm64=()
# A cross build for the Pi: asked for, or part of make check on amd64.
if [ "$host" = amd64 ] && { [ "$cross" = arm64 ] || [ "$goal" = check ]; }; then
	cross_tools=(gcc-aarch64-linux-gnu)
	arm64=(libc6-dev:arm64 libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64
		libcmocka-dev:arm64 libmicrohttpd-dev:arm64)
fi

wanted=("${build[@]}" "${cross_tools[@]}" "${arm64[@]}")
case $goal in
demo) wanted+=("${demo[@]}") ;;
check) wanted+=("${test[@]}") ;;
esac

installed()
{
	# A package installed for two architectures prints a status per line.
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -qx "install ok installed"
}

missing=()
for p in "${wanted[@]}"; do
	installed "$p" || missing+=("$p")
done
need_arm64=false
if [ ${#arm64[@]} -gt 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	need_arm64=true
fi

if [ ${#missing[@]} -eq 0 ] && ! $need_arm64; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages for make $goal; install them with:" >&2
	$need_arm64 && echo "  sudo dpkg --add-architecture arm64 && sudo apt-get update" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing for make $goal: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$need_arm64 && dpkg --add-architecture arm64
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
