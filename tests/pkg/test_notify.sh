#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# systemd's side of rpilb, without systemd: the real daemon runs in the
# foreground ("rpilbctl up -f", as the unit runs it) on the balancer of a
# lab (tools/lab.sh), with NOTIFY_SOCKET pointing at a datagram socket this
# test reads (python3). It checks:
#  - READY=1 (with MAINPID) comes only once every server had its first
#    health check, the slowest included (b3 hangs: its check times out);
#  - SIGHUP (the unit's ExecReload, /bin/kill -HUP $MAINPID) and
#    "rpilbctl reload" give RELOADING=1 (with MONOTONIC_USEC) then READY=1;
#  - SIGTERM gives STOPPING=1 and the daemon exits 0, leaving the data path
#    attached: a transfer open across the stop and a restart (what
#    "systemctl restart" does) completes byte-exact, and new connections
#    are balanced while no daemon runs; SIGINT likewise;
#  - "rpilbctl down" removes the data path and the pins;
#  - bash completion reads the running daemon's server names;
#  - systemd-analyze verify accepts the unit (with @SBINDIR@ substituted).
source "$(dirname "$0")/lib.sh"

need_root
need_cmd python3 ip nsenter curl
HELLOD=$PKG_BUILD/tools/hellod
[[ -x $RPILBCTL && -x $HELLOD ]] || skip "$RPILBCTL or $HELLOD not built (make)"
mktemp_dir T

LAB=pkn$(($$ % 100000))
LABDIR=/tmp/rpl-$LAB
PINS=/sys/fs/bpf/rpilb-$LAB
CFG=$LABDIR/rpilb.cfg
SOCK=$LABDIR/rpilb.sock
NSOCK=$T/notify.sock
NLOG=$T/notify.log
VIP=10.99.0.2
CHECK_TIMEOUT_S=3

echo "== $PKG_TEST: sd_notify protocol of 'rpilbctl up -f' (lab $LAB)"

# --- systemd-analyze verify ----------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/unit" "$T/man/man8" "$T/man/man5"
	sed "s|@SBINDIR@|$(dirname "$RPILBCTL")|g" "$PKG_ROOT/tools/dist/rpilb.service" >"$T/unit/rpilb.service"
	# Documentation=man:... is checked too: give it the pages.
	if command -v scdoc >/dev/null && "$PKG_ROOT/tools/dist/mkman.sh" "$T/manbuild" >/dev/null 2>&1; then
		cp "$T/manbuild/rpilbctl.8" "$T/man/man8/"
		cp "$T/manbuild/rpilb.cfg.5" "$T/man/man5/"
		man_opt=--man=yes
	else
		man_opt=--man=no
	fi
	if out=$(MANPATH=$T/man SYSTEMD_LOG_LEVEL=notice systemd-analyze verify $man_opt \
		"$T/unit/rpilb.service" 2>&1) && [[ -z $out ]]; then
		ok "systemd-analyze verify rpilb.service ($man_opt)"
	else
		bad "systemd-analyze verify rpilb.service" "$out"
	fi
	grep -q '^Type=notify$' "$T/unit/rpilb.service" &&
		grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$T/unit/rpilb.service" &&
		[[ -x /bin/kill ]] && ok "Type=notify; ExecReload=/bin/kill -HUP \$MAINPID (systemd 252)" ||
		bad "unit's Type and ExecReload" "$(grep -E '^(Type|ExecReload)=' "$T/unit/rpilb.service")"
else
	echo "  note  systemd-analyze not installed: the unit was not verified"
fi

# --- the lab ---------------------------------------------------------------------
daemon_pid=""
listener_pid=""
# Whatever happens: the daemon, the data path, the pins, the lab, the listener.
cleanup_lab()
{
	[[ -n $daemon_pid ]] && kill -KILL "$daemon_pid" 2>/dev/null
	if [[ -e /run/netns/rpl-$LAB-lb ]]; then
		timeout 20 nsenter --net="/run/netns/rpl-$LAB-lb" "$RPILBCTL" down -c "$CFG" >/dev/null 2>&1
	fi
	timeout 60 "$PKG_ROOT/tools/lab.sh" down "$LAB" >/dev/null 2>&1
	[[ -d $PINS ]] && rm -rf "$PINS"
}
on_exit cleanup_lab
on_exit '[[ -n $listener_pid ]] && kill $listener_pid'

if ! timeout 60 "$PKG_ROOT/tools/lab.sh" up "$LAB" --backends 3 --hellod "$HELLOD" >"$T/lab.log" 2>&1; then
	bad "lab.sh up $LAB" "$(tail -n 5 "$T/lab.log")"
	finish
fi
ok "lab $LAB up: client, balancer, 3 Pis"
# b3 accepts and never answers: its first check can only end by timing out.
echo hang >"$LABDIR/b3.ctl"

cat >"$CFG" <<EOF
# the tutorial's haproxy.cfg, as rpilb runs it in the lab
defaults
    mode tcp
    timeout connect 5000
    timeout client  50000
    timeout server  50000
    timeout check   ${CHECK_TIMEOUT_S}s

frontend raspberrypinodes
    bind *:80
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk HEAD / HTTP/1.1\r\nHost:localhost
    server raspberrypi01 10.99.0.11:8000 check inter 1s
    server raspberrypi02 10.99.0.12:8000 check inter 1s
    server raspberrypi03 10.99.0.13:8000 check inter 1s

rpilb
    interface eth0
    state-dir $LABDIR/state
    socket $SOCK
    pin-dir $PINS
EOF

# The fake NOTIFY_SOCKET: each datagram is a line "TIME MSG" (newlines as |).
python3 - "$NSOCK" "$NLOG" <<'EOF' &
import socket, sys, time
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(log, "a", buffering=1) as f:
    while True:
        data = s.recv(4096)
        f.write("%.3f %s\n" % (time.time(), data.decode(errors="replace").replace("\n", "|")))
EOF
listener_pid=$!
for _ in $(seq 50); do
	[[ -S $NSOCK ]] && break
	sleep 0.1
done
[[ -S $NSOCK ]] || { bad "the notify socket listens"; finish; }
: >"$NLOG"

lb()
{
	nsenter --net="/run/netns/rpl-$LAB-lb" "$@"
}
client()
{
	nsenter --net="/run/netns/rpl-$LAB-c" "$@"
}
ctl()
{
	lb timeout 10 "$RPILBCTL" -S "$SOCK" "$@"
}

# wait_msg PATTERN AFTER TIMEOUT_S: the number of the first line after line
# AFTER of the notify log that matches PATTERN, once it is there.
wait_msg()
{
	local pattern=$1 after=$2 deadline=$((SECONDS + $3)) n
	while ((SECONDS <= deadline)); do
		n=$(awk -v a="$after" -v p="$pattern" 'NR > a && index($0, p) { print NR; exit }' "$NLOG")
		[[ -n $n ]] && { echo "$n"; return 0; }
		sleep 0.05
	done
	return 1
}
msg_time()
{
	sed -n "${1}p" "$NLOG" | cut -d' ' -f1
}
lines()
{
	wc -l <"$NLOG"
}

start_daemon()
{
	start_time=$EPOCHREALTIME
	NOTIFY_SOCKET=$NSOCK nsenter --net="/run/netns/rpl-$LAB-lb" \
		"$RPILBCTL" up -f -c "$CFG" >>"$T/daemon.log" 2>&1 &
	daemon_pid=$!
}

# One server's answer, or nothing.
hello()
{
	client curl -s --max-time 3 "http://$VIP/" 2>/dev/null
}

# --- start: READY=1 after the first round of checks ----------------------------------
start_daemon
if ready=$(wait_msg READY=1 0 $((CHECK_TIMEOUT_S + 10))); then
	status=$(ctl -j status 2>&1)
	waited=$(python3 -c "print('%.1f' % ($(msg_time "$ready") - $start_time))")
	ok "READY=1 after ${waited} s"
else
	bad "READY=1 within $((CHECK_TIMEOUT_S + 10)) s" "$(tail -n 5 "$T/daemon.log")"
	finish
fi
grep -q "MAINPID=$daemon_pid" <<<"$(sed -n "${ready}p" "$NLOG")" && ok "READY=1 carries MAINPID=$daemon_pid" ||
	bad "MAINPID in READY" "$(sed -n "${ready}p" "$NLOG")"
[[ -z $(awk -v r="$ready" 'NR < r' "$NLOG") ]] && ok "nothing was notified before READY=1" ||
	bad "messages before READY" "$(head -n 3 "$NLOG")"
# Every server has a check result at READY, and the hanging one took the
# whole check timeout: READY cannot have come before its check ended.
verdict=$(python3 - "$status" "$waited" "$CHECK_TIMEOUT_S" <<'EOF'
import json, sys
st, waited, tmo = json.loads(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
servers = {s["server"]: s for b in st["backends"] for s in b["servers"]}
bad = []
for name, s in sorted(servers.items()):
    c = s.get("check", {})
    if s.get("state") == "INIT" or not c.get("result") or c.get("result") in ("INIT", "none"):
        bad.append("%s not checked (%s, %s)" % (name, s.get("state"), c.get("result")))
if servers.get("raspberrypi03", {}).get("check", {}).get("result") not in ("L7TOUT", "L4TOUT"):
    bad.append("raspberrypi03's check is %s, not a timeout" % servers.get("raspberrypi03", {}).get("check", {}).get("result"))
if waited < tmo - 0.5:
    bad.append("READY after %.1f s, before the %g s check timeout ended" % (waited, tmo))
if len(servers) != 3:
    bad.append("%d servers" % len(servers))
print("; ".join(bad) or "ok " + ", ".join("%s %s %s" % (n, s["state"], s["check"]["result"]) for n, s in sorted(servers.items())))
EOF
)
[[ $verdict == ok* ]] && ok "at READY every server is checked: ${verdict#ok }" ||
	bad "servers checked at READY" "$verdict $status"

# Completion asks this daemon for its server names.
names=$(bash --norc --noprofile -c '
	source "$1"
	COMP_WORDS=("$2" -S "$3" drain "")
	COMP_CWORD=4
	_rpilbctl "$2" "" drain
	printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " "' _ \
	"$PKG_ROOT/tools/dist/rpilbctl.bash" "$RPILBCTL" "$SOCK")
[[ $names == "raspberrypi01 raspberrypi02 raspberrypi03 " ]] &&
	ok "bash completion of 'drain' lists the running daemon's servers" ||
	bad "completion against the real daemon" "got '$names'"

# Balanced: b1 and b2 answer, b3 (down) does not.
got=""
for _ in 1 2 3 4; do
	got+="$(hello | sed -n 's/Hello from raspberry pi #\([0-9]\).*/\1/p')"
done
[[ $got == 1212 || $got == 2121 ]] && ok "forwarding after READY: round robin over the healthy Pis ($got)" ||
	bad "forwarding after READY" "got '$got'"

# --- reload: SIGHUP (ExecReload) and rpilbctl reload -------------------------------
for how in sighup ctl; do
	before=$(lines)
	if [[ $how == sighup ]]; then
		/bin/kill -HUP "$daemon_pid"
	else
		ctl reload >"$T/reload.out" 2>&1 || bad "rpilbctl reload" "$(cat "$T/reload.out")"
	fi
	if r=$(wait_msg RELOADING=1 "$before" 5) && rr=$(wait_msg READY=1 "$r" 10); then
		ok "$how: RELOADING=1 then READY=1"
		sed -n "${r}p" "$NLOG" | grep -q 'MONOTONIC_USEC=[0-9]' && ok "$how: RELOADING=1 carries MONOTONIC_USEC" ||
			bad "$how: MONOTONIC_USEC" "$(sed -n "${r}p" "$NLOG")"
	else
		bad "$how: RELOADING=1 then READY=1" "$(sed -n "$((before + 1)),\$p" "$NLOG" | tr '\n' ' ')"
	fi
done
[[ -n $(hello) ]] && ok "forwarding after the reloads" || bad "forwarding after the reloads"

# --- stop (SIGTERM) and restart with a transfer open across both -----------------
# /slow/N streams for N seconds; it must arrive whole.
client curl -s --max-time 30 -o "$T/slow.out" -w '%{http_code} %{size_download}\n' \
	"http://$VIP/slow/7" >"$T/slow.status" 2>&1 &
slow_pid=$!
sleep 1
before=$(lines)
kill -TERM "$daemon_pid"
if wait_msg STOPPING=1 "$before" 5 >/dev/null; then
	ok "SIGTERM: STOPPING=1"
else
	bad "SIGTERM: STOPPING=1" "$(sed -n "$((before + 1)),\$p" "$NLOG")"
fi
for _ in $(seq 100); do
	kill -0 "$daemon_pid" 2>/dev/null || break
	sleep 0.05
done
if kill -0 "$daemon_pid" 2>/dev/null; then
	bad "the daemon exits on SIGTERM"
else
	wait "$daemon_pid"
	rc=$?
	[[ $rc -eq 0 ]] && ok "the daemon exited 0 on SIGTERM" || bad "exit status on SIGTERM" "$rc"
fi
daemon_pid=""
[[ -n $(ls "$PINS" 2>/dev/null) ]] && ok "the pins stay in $PINS" || bad "pins after SIGTERM"
ctl status >/dev/null 2>&1 && bad "no daemon answers after SIGTERM" || ok "no daemon answers after SIGTERM"
got=""
for _ in 1 2; do
	got+="$(hello | sed -n 's/Hello from raspberry pi #\([0-9]\).*/\1/p')"
done
[[ $got == 12 || $got == 21 ]] && ok "new connections are balanced with no daemon running ($got)" ||
	bad "forwarding without the daemon" "got '$got'"

# The restart: "up" adopts the running data path.
: >"$NLOG"
start_daemon
if wait_msg READY=1 0 $((CHECK_TIMEOUT_S + 10)) >/dev/null; then
	ok "restart: READY=1 again (the data path adopted)"
else
	bad "restart: READY=1" "$(tail -n 5 "$T/daemon.log")"
fi
grep -q "adopting the running data path" "$T/daemon.log" && ok "restart: the daemon adopted the attached program" ||
	bad "adopted" "$(tail -n 3 "$T/daemon.log")"
wait "$slow_pid"
slow_rc=$?
read -r code size <"$T/slow.status" || true
# hellod's /slow/7: "tick 1" to "tick 70", one line each 100 ms.
seq -f 'tick %g' 1 70 >"$T/slow.want"
if [[ $slow_rc -eq 0 && $code == 200 ]] && cmp -s "$T/slow.out" "$T/slow.want"; then
	ok "a transfer open across stop and restart completed byte-exact (HTTP $code, $size bytes)"
else
	bad "transfer across stop and restart" "curl exit $slow_rc, HTTP ${code:-?}, ${size:-?} bytes: $(tail -c 100 "$T/slow.out" 2>/dev/null)"
fi

# SIGINT: like SIGTERM.
before=$(lines)
kill -INT "$daemon_pid"
wait_msg STOPPING=1 "$before" 5 >/dev/null && ok "SIGINT: STOPPING=1" || bad "SIGINT: STOPPING=1"
for _ in $(seq 100); do
	kill -0 "$daemon_pid" 2>/dev/null || break
	sleep 0.05
done
wait "$daemon_pid" 2>/dev/null
rc=$?
[[ $rc -eq 0 ]] && ok "the daemon exited 0 on SIGINT" || bad "exit status on SIGINT" "$rc"
daemon_pid=""
[[ -n $(hello) ]] && ok "forwarding after SIGINT" || bad "forwarding after SIGINT"

# --- rpilbctl down: the data path goes ---------------------------------------------
start_daemon
before=$(lines)
wait_msg READY=1 "$before" $((CHECK_TIMEOUT_S + 10)) >/dev/null || bad "READY=1 before down"
before=$(lines)
if out=$(lb timeout 20 "$RPILBCTL" down -c "$CFG" 2>&1); then
	ok "rpilbctl down: $out"
else
	bad "rpilbctl down" "$out"
fi
for _ in $(seq 100); do
	kill -0 "$daemon_pid" 2>/dev/null || break
	sleep 0.05
done
if kill -0 "$daemon_pid" 2>/dev/null; then
	bad "the daemon exits on 'rpilbctl down'"
else
	wait "$daemon_pid"
	rc=$?
	[[ $rc -eq 0 ]] && ok "down: the daemon exited 0 (systemd: inactive, not failed)" || bad "down: exit status" "$rc"
fi
daemon_pid=""
wait_msg STOPPING=1 "$before" 1 >/dev/null ||
	echo "  note  'rpilbctl down' (control socket 'shutdown') sends no STOPPING=1"
[[ ! -d $PINS || -z $(ls "$PINS" 2>/dev/null) ]] && ok "down: the pins are gone" || bad "pins after down" "$(ls "$PINS")"
[[ -z $(hello) ]] && ok "down: nothing is balanced any more" || bad "still forwarding after down"
finish
