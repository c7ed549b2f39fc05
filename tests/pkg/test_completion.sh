#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tools/dist/rpilbctl.bash, sourced into bash and asked for completions the
# way bash asks (COMP_WORDS, COMP_CWORD): commands, and exactly the options
# of each command's option table and of the global one, as "rpilbctl help
# --options" lists them; values of -m, -i, -c, -L, and server and backend
# names from the daemon, read from a stub rpilbctl on PATH and from the real
# rpilbctl talking to a fake control socket (socat). Run twice: in plain
# bash, and with Debian's bash-completion loaded.
source "$(dirname "$0")/lib.sh"

COMPLETION=$PKG_ROOT/tools/dist/rpilbctl.bash
[[ -x $RPILBCTL ]] || skip "$RPILBCTL not built (make)"
mktemp_dir T

# What "rpilbctl -j status" prints (the shape of docs/control.md), with
# strings that look like names where no name is: a reader that only greps
# for "server" or "backend" would offer them.
cat >"$T/status.json" <<'EOF'
{"format":2,"version":"0.1.0","interface":"eth0","mode":"tc","mode_reason":"say \"server\": {not-a-node} [x]",
 "frontends":[{"frontend":"raspberrypinodes","backend":"nodes","binds":[{"address":"10.0.0.2","port":80}]}],
 "backends":[{"backend":"nodes","balance":"roundrobin","servers":[
  {"server":"raspberrypi01","address":"192.168.1.101","port":8000,"state":"UP","checked":true,
   "check":{"result":"L7OK","detail":"{\"server\":\"bogus\",\"backend\":\"bogus3\"}","code":200}},
  {"check":{"result":"L4CON","detail":"]}, \"server\": \"bogus2\""},"state":"DOWN","server":"raspberrypi02"},
  {"server":"raspberrypi03","address":"192.168.1.103","port":8000,"state":"MAINT"}]},
  {"servers":[{"server":"pi-04.lan","state":"UP"}],"backend":"extra","balance":"static-rr"}]}
EOF

# A stub rpilbctl: prints the JSON for "-j status", records its arguments,
# and plays a stopped daemon when $T/down exists.
mkdir -p "$T/bin"
cat >"$T/bin/rpilbctl" <<EOF
#!/bin/sh
echo "\$*" >>"$T/stub.args"
[ -e "$T/down" ] && { echo "error: rpilb is not running" >&2; exit 1; }
case "\$*" in
*"-j status") cat "$T/status.json" ;;
*) exit 2 ;;
esac
EOF
chmod +x "$T/bin/rpilbctl"

# Files for -c, -L and --config=.
mkdir -p "$T/files"
touch "$T/files/rpilb.cfg" "$T/files/rpilb-lab.cfg" "$T/files/other.log"

# The tables, from rpilbctl itself ("CMD -l --long ARG" a line): for each
# command (and "rpilbctl", the global options) its options in $T/opts-CMD,
# the commands in $T/commands, the options that take a value in $T/arg-opts.
"$RPILBCTL" help --options >"$T/options.txt" || bad "rpilbctl help --options exits 0"
awk '{ if ($2 != "-") print $2 > (dir "/opts-" $1); print $3 > (dir "/opts-" $1) }
	$1 != "rpilbctl" { print $1 > (dir "/commands.all") }
	$1 != "rpilbctl" && $4 != "-" { if ($2 != "-") print $2 > (dir "/arg-opts.all"); print $3 > (dir "/arg-opts.all") }' \
	dir="$T" "$T/options.txt"
sort -u "$T/commands.all" >"$T/commands"
sort -u "$T/arg-opts.all" >"$T/arg-opts"
[[ -s $T/opts-rpilbctl && $(wc -l <"$T/commands") -ge 12 ]] ||
	bad "help --options lists the global options and the commands" "$(head -n 3 "$T/options.txt")"

# A fake control socket for the real rpilbctl: answers every request with
# OK and the JSON above. Its request lines are logged.
SOCK=$T/fake.sock
if command -v socat >/dev/null; then
	socat "UNIX-LISTEN:$SOCK,fork,mode=600" \
		SYSTEM:"head -n 1 >>'$T/sock.requests'; echo OK; cat '$T/status.json'" \
		2>"$T/socat.log" &
	socat_pid=$!
	on_exit "kill $socat_pid; wait $socat_pid"
	for _ in $(seq 50); do
		[[ -S $SOCK ]] && break
		sleep 0.1
	done
fi

# The cases, run in a fresh bash with the completion sourced. Each case is
# "EXPECTED | WORDS...": EXPECTED is the sorted reply, space-separated.
run_cases()
{
	local mode=$1
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash --norc --noprofile -s "$mode" "$T" "$COMPLETION" "$RPILBCTL" "$SOCK" \
		"${have_bash_completion-}" <<'EOF'
mode=$1 T=$2 COMPLETION=$3 RPILBCTL=$4 SOCK=$5 BC=$6
[[ $mode == bash-completion ]] && source "$BC"
source "$COMPLETION"
PATH=$T/bin:$PATH
cd "$T/files" || exit 1
n_ok=0 n_bad=0

# comp WORDS...: complete the last word; prints the reply, sorted.
comp()
{
	local spec
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	spec=$(complete -p "$1" 2>/dev/null) || spec=$(complete -p rpilbctl)
	spec=${spec#*-F }
	"${spec%% *}" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
	printf '%s\n' "${COMPREPLY[@]}" | sorted
}

sorted()
{
	sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

expect()
{
	local want got
	want=$(printf '%s\n' $1 | sorted)
	shift
	got=$(comp "$@")
	if [[ $got == "$want" ]]; then
		n_ok=$((n_ok + 1))
	else
		n_bad=$((n_bad + 1))
		echo "  FAIL  [$mode] '${*}': want '$want', got '$got'"
	fi
}

# same WANTFILE WORDS LABEL: the words of a list in rpilbctl.bash are those of WANTFILE.
same()
{
	local want got
	want=$(sorted <"$1")
	got=$(printf '%s\n' $2 | sorted)
	if [[ $got == "$want" ]]; then
		n_ok=$((n_ok + 1))
	else
		n_bad=$((n_bad + 1))
		echo "  FAIL  [$mode] $3 in rpilbctl.bash: '$got', the tables: '$want'"
	fi
}

all="add-node check conns del-node down drain enable help maint reload stats status up"
names="pi-04.lan raspberrypi01 raspberrypi02 raspberrypi03"

# Commands and global options.
expect "$all" rpilbctl ''
expect "del-node down drain" rpilbctl d
expect "stats status" rpilbctl sta
expect "$all" rpilbctl -j ''
expect "$all" rpilbctl -S /run/x.sock ''
expect "$all" rpilbctl --pretty --verbose ''
expect "--pretty" rpilbctl --p
expect "-S -V -h -j -p -v --help --json --pretty --socket --verbose --version" rpilbctl -
expect "$all" rpilbctl help ''
expect "" rpilbctl help up ''
expect "" rpilbctl nosuchcommand ''

# The lists are the tables: the commands, and after "-" each command's options
# (the global ones before a command), no more, no fewer.
same "$T/commands" "$_rpilbctl_commands" "the commands"
same "$T/arg-opts" "$_rpilbctl_arg_opts" "the options that take a value"
expect "$(cat "$T/commands")" rpilbctl ''
for f in "$T"/opts-*; do
	c=${f##*/opts-}
	if [[ $c == rpilbctl ]]; then
		expect "$(cat "$f")" rpilbctl -
		expect "$(cat "$f")" rpilbctl -v -
	else
		expect "$(cat "$f")" rpilbctl "$c" -
		expect "$(cat "$f")" rpilbctl -j "$c" -
	fi
done
expect "--all" rpilbctl stats --a
expect "--node" rpilbctl conns --n
expect "" rpilbctl statu --w   # a prefix of status, which has no --wait
expect "--timeout" rpilbctl drain raspberrypi01 --wait --t

# Option values.
expect "auto tc xdp xdpgeneric" rpilbctl up -m ''
expect "xdp xdpgeneric" rpilbctl up --mode x
expect "auto tc xdp xdpgeneric" rpilbctl up --mode = ''
ifs=$(for d in /sys/class/net/*; do [[ -d $d && ${d##*/} != lo ]] && echo "${d##*/}"; done | sort | tr '\n' ' ' | sed 's/ $//')
expect "$ifs" rpilbctl up -i ''
expect "$ifs" rpilbctl up -c rpilb.cfg --interface ''
expect "rpilb-lab.cfg rpilb.cfg" rpilbctl up -c rp
expect "rpilb-lab.cfg rpilb.cfg" rpilbctl check --config rpilb
expect "rpilb-lab.cfg rpilb.cfg" rpilbctl down --config = rp
expect "other.log" rpilbctl up -f -L o
expect "other.log" rpilbctl up --log-file o
expect "" rpilbctl add-node pi5 10.0.0.5:8000 --weight ''
expect "" rpilbctl drain raspberrypi01 --wait --timeout ''
expect "" rpilbctl conns --client ''

# Server and backend names from the daemon (the stub).
expect "$names" rpilbctl drain ''
expect "raspberrypi01 raspberrypi02 raspberrypi03" rpilbctl drain rasp
expect "$names" rpilbctl maint ''
expect "$names" rpilbctl enable ''
expect "$names" rpilbctl del-node ''
expect "$names" rpilbctl -j drain --wait ''
expect "$names" rpilbctl drain --backend nodes ''
expect "$names" rpilbctl conns --node ''
expect "extra nodes" rpilbctl drain --backend ''
expect "extra nodes" rpilbctl add-node pi5 10.0.0.5:8000 --backend ''
expect "nodes" rpilbctl conns --node raspberrypi01 --backend n
expect "" rpilbctl drain raspberrypi01 ''
expect "" rpilbctl add-node ''
expect "" rpilbctl status ''
: >"$T/stub.args"
expect "$names" rpilbctl -S /tmp/other.sock maint ''
expect "$names" rpilbctl --socket=/tmp/other.sock maint ''
if [[ $(cat "$T/stub.args") == "-S /tmp/other.sock -j status"$'\n'"-S /tmp/other.sock -j status" ]]; then
	n_ok=$((n_ok + 1))
else
	n_bad=$((n_bad + 1))
	echo "  FAIL  [$mode] -S is passed to 'rpilbctl -j status': got '$(cat "$T/stub.args")'"
fi

# No daemon: no names, no error.
touch "$T/down"
expect "" rpilbctl drain ''
expect "" rpilbctl drain --backend ''
rm -f "$T/down"

# The real rpilbctl, asking the fake control socket; and by its path.
if [[ -S $SOCK ]]; then
	expect "$names" "$RPILBCTL" -S "$SOCK" drain ''
	RPILB_SOCKET=$SOCK expect "extra nodes" "$RPILBCTL" conns --backend ''
	expect "" "$RPILBCTL" -S "$T/nothing.sock" drain ''
else
	echo "  note  [$mode] socat missing: real rpilbctl against a fake socket not tried"
fi

echo "RESULT $n_ok $n_bad"
EOF
}

have_bash_completion=/usr/share/bash-completion/bash_completion
modes=(plain)
[[ -r $have_bash_completion ]] && modes+=(bash-completion)

echo "== $PKG_TEST: bash completion"
check "rpilbctl.bash parses (bash -n)" bash -n "$COMPLETION"
for mode in "${modes[@]}"; do
	out=$(run_cases "$mode" 2>&1)
	printf '%s\n' "$out" | grep -v '^RESULT' || true
	read -r _ n_ok n_bad < <(printf '%s\n' "$out" | grep '^RESULT' || echo "RESULT 0 1")
	_pkg_passed=$((_pkg_passed + n_ok))
	_pkg_failed=$((_pkg_failed + n_bad))
	[[ $n_bad -eq 0 ]] && ok "[$mode] $n_ok completion cases"
done
[[ ${#modes[@]} -eq 2 ]] || echo "  note  bash-completion not installed: only plain bash tried"
if [[ -s $T/sock.requests ]]; then
	grep -qx 'json show status' "$T/sock.requests" &&
		ok "the real rpilbctl asked the socket for 'json show status'" ||
		bad "request on the fake socket" "$(head -n 3 "$T/sock.requests")"
fi
finish
