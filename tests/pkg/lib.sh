# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared by the packaging tests (tests/pkg/test_*.sh): where things are,
# checks that count, and a cleanup that runs however the test ends.
#
#   ok NAME / bad NAME [DETAIL] / check NAME CMD...   record one check
#   skip REASON                                        skip the whole test (exit 77)
#   finish                                             print the totals, exit 0 or 1
#   on_exit CMD...                                     run CMD at exit (LIFO)
#   mktemp_dir VAR                                     a temp dir removed at exit
#
# RPILB_BUILD (default build/amd64) is the build directory under test. Every
# test bounds itself with PKG_TEST_TIMEOUT seconds (default 600): past it the
# test is killed and its cleanup runs.

set -uo pipefail

PKG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PKG_TEST=$(basename "$0" .sh)
PKG_BUILD=${RPILB_BUILD:-build/amd64}
[[ $PKG_BUILD == /* ]] || PKG_BUILD=$PKG_ROOT/$PKG_BUILD
RPILBCTL=$PKG_BUILD/rpilbctl
PKG_VERSION=$(sed -n 's/^VERSION[[:space:]]*:*=[[:space:]]*//p' "$PKG_ROOT/Makefile" | head -n 1)

_pkg_passed=0
_pkg_failed=0
_pkg_cleanups=()

ok()
{
	_pkg_passed=$((_pkg_passed + 1))
	echo "  ok    $*"
}

bad()
{
	_pkg_failed=$((_pkg_failed + 1))
	echo "  FAIL  $1${2:+: $2}"
}

# check NAME CMD...: run CMD, record ok or FAIL with CMD's output.
check()
{
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		bad "$name" "$(printf '%s' "$out" | tail -n 5 | tr '\n' ' ')"
	fi
}

skip()
{
	echo "  SKIP  $PKG_TEST: $*"
	exit 77
}

finish()
{
	echo "$PKG_TEST: $_pkg_passed passed, $_pkg_failed failed"
	[[ $_pkg_failed -eq 0 ]] && exit 0
	exit 1
}

on_exit()
{
	_pkg_cleanups+=("$*")
}

# Every process below PID, deepest first, leaving out the subtree of SKIP
# (from /proc: no process names involved).
descendants()
{
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		[[ $c == "${2-}" ]] && continue
		descendants "$c" "${2-}"
		echo "$c"
	done
}

_pkg_cleanup()
{
	local rc=$? i
	trap '' INT TERM
	if [[ -n ${_pkg_watchdog-} ]]; then
		kill $(descendants "$_pkg_watchdog") "$_pkg_watchdog" 2>/dev/null
	fi
	for ((i = ${#_pkg_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_pkg_cleanups[i]}" >/dev/null 2>&1 || true
	done
	exit "$rc"
}
trap _pkg_cleanup EXIT
trap 'exit 130' INT
trap 'echo "$PKG_TEST: timed out after ${PKG_TEST_TIMEOUT:-600} s" >&2; exit 124' TERM

# The watchdog: past the time limit, TERM the test (bash runs its trap, and
# then the EXIT trap's cleanup, once the command it waits for ends), then
# whatever it is waiting for. ($$ stays the test's pid
# in the subshell.)
(
	trap 'exit 0' TERM
	sleep "${PKG_TEST_TIMEOUT:-600}" &
	wait $!
	kill -TERM $$ 2>/dev/null
	kill -TERM $(descendants $$ $BASHPID) 2>/dev/null
) &
_pkg_watchdog=$!

mktemp_dir()
{
	local d
	d=$(mktemp -d "/tmp/rpilb-$PKG_TEST.XXXXXX") || exit 1
	on_exit "rm -rf '$d'"
	printf -v "$1" '%s' "$d"
}

need_root()
{
	[[ $(id -u) -eq 0 ]] || skip "needs root"
}

need_cmd()
{
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not found (tools/deps.sh installs it)"
	done
}

# Is an executable of ARCH? (amd64 or arm64)
elf_arch_is()
{
	local want
	case $2 in
	amd64) want='x86-64' ;;
	arm64) want='ARM aarch64' ;;
	*) return 2 ;;
	esac
	file -b "$1" | grep -q "ELF 64-bit.*$want"
}
