#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: the seed tutorial's moment. Three Pi web servers and a
# balancer Pi in a lab of network namespaces, the tutorial's haproxy.cfg
# (only the addresses changed), rpilbctl up, and a dozen page loads
# cycling through the Pis. Everything is torn down at the end.
set -euo pipefail

build="${1:-build/amd64}"
lab=demo
dir=/tmp/rpl-$lab
cfg=$dir/haproxy.cfg
ctl="$build/rpilbctl"
lb() { nsenter --net=/run/netns/rpl-$lab-lb -- "$@"; }
client() { nsenter --net=/run/netns/rpl-$lab-c -- "$@"; }

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root for network namespaces and BPF: sudo make demo" >&2
	exit 1
fi

cleanup() {
	lb "$ctl" down -c "$cfg" >/dev/null 2>&1 || true
	tools/lab.sh down "$lab" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== A LAN of three Raspberry Pi web servers, a client, and the balancer Pi"
tools/lab.sh up "$lab" --backends 3 --hellod "$build/tools/hellod"

# The tutorial's file as it stands, pointed at the lab's Pis, plus where
# rpilb keeps its own state during the demo.
sed 's/192\.168\.1\.10\([1-3]\)/10.99.0.1\1/' tests/unit/data/seed-haproxy.cfg >"$cfg"
cat >>"$cfg" <<CFG

rpilb
    interface eth0
    state-dir $dir/state
    socket $dir/rpilb.sock
    pin-dir /sys/fs/bpf/rpilb-$lab
CFG

echo
echo "== rpilbctl check -c haproxy.cfg (the seed's file)"
"$ctl" check -c "$cfg" 2>"$dir/check.err"
echo "   ($(grep -c warning "$dir/check.err") directives only HAProxy uses are ignored, each with a" \
	"reason: rpilbctl check -c shows them)"

echo
echo "== sudo rpilbctl up -c haproxy.cfg"
lb "$ctl" up -c "$cfg" -L "$dir/rpilb.log" 2>/dev/null

echo
echo "== rpilbctl status"
RPILB_SOCKET=$dir/rpilb.sock lb "$ctl" status

echo
echo "== Refreshing the page a dozen times (curl http://10.99.0.2/ from the client)"
for _ in $(seq 12); do
	client curl -s --max-time 3 http://10.99.0.2/
done

echo
echo "== sudo rpilbctl down"
lb "$ctl" down -c "$cfg"
