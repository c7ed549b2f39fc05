#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install what building and testing rpilb needs, from Debian / Raspberry Pi
# OS packages. As root it runs apt-get; otherwise it prints the exact line.
# --arch arm64 also readies a cross build for a 64-bit Raspberry Pi OS.
set -euo pipefail

cross=""
if [ "${1:-}" = "--arch" ]; then
	cross="${2:-}"
fi

build=(make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev
	libcmocka-dev libmicrohttpd-dev)
test=(iproute2 ethtool curl socat nginx-light wrk haproxy nftables python3-scapy
	prometheus chromium libclang-rt-14-dev valgrind dpkg-dev qemu-user-static
	scdoc debootstrap lintian bash-completion man-db groff-base file python3 systemd
	util-linux tcpdump)
host=$(dpkg --print-architecture)
arm64=()
if [ "$host" = amd64 ]; then
	# make check cross-builds for the Pi and runs that build under qemu.
	build+=(gcc-aarch64-linux-gnu)
	arm64=(libc6-dev:arm64 libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64
		libcmocka-dev:arm64 libmicrohttpd-dev:arm64)
fi
[ -n "$cross" ] && [ "$cross" != arm64 ] && { echo "deps: unknown --arch $cross" >&2; exit 2; }

installed() {
	# A package installed for two architectures prints a status per line.
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -qx "install ok installed"
}

missing=()
for p in "${build[@]}" "${test[@]}" "${arm64[@]}"; do
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
	echo "deps: missing packages; install them with:" >&2
	$need_arm64 && echo "  sudo dpkg --add-architecture arm64 && sudo apt-get update" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$need_arm64 && dpkg --add-architecture arm64
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
