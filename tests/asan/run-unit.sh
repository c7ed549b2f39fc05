#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run unit test binaries built with -fsanitize=address,undefined
# (tests/fuzz/fuzz.mk: make asan-check) and fail on any sanitizer report:
# a memory error, a leak (LeakSanitizer at exit), or undefined behaviour.
#
#   run-unit.sh [--logs DIR] BINARY...
#
# Each binary's output goes to DIR/NAME.log; the cmocka totals and every
# report are printed. A report fails the run even when cmocka caught the
# abort and counted the test as failed, and even in a forked child.
set -uo pipefail

logs=build/asan/logs
if [ "${1-}" = --logs ]; then
	logs=$2
	shift 2
fi
[ $# -gt 0 ] || { echo "usage: run-unit.sh [--logs DIR] BINARY..." >&2; exit 2; }
mkdir -p "$logs"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Lab tests look for the daemon here; the unit tests need nothing else.
export RPILB_BUILD=${RPILB_BUILD:-build/amd64}

REPORT='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer)'
passed=0 failed=0 skipped=0 bad=()

for bin in "$@"; do
	name=$(basename "$bin")
	log=$logs/$name.log
	"$bin" >"$log" 2>&1
	rc=$?
	p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{ s += $4 } END { print s + 0 }')
	f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{ s += $4 } END { print s + 0 }')
	s=$(grep -E '^\[  SKIPPED \] [0-9]+ test' "$log" | awk '{ s += $4 } END { print s + 0 }')
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if grep -qE "$REPORT" "$log"; then
		echo "== $name: SANITIZER REPORT (full output: $log)"
		grep -E -A12 "$REPORT" "$log" | head -40
		bad+=("$name (report)")
	elif [ $rc -ne 0 ]; then
		echo "== $name: exit $rc, $f failed (full output: $log)"
		grep -E '^\[  (FAILED|ERROR) |^\[  FAILED  \]' "$log" | head -10
		bad+=("$name (exit $rc)")
	else
		echo "== $name: $p passed$( [ "$s" -gt 0 ] && echo ", $s skipped")"
	fi
done

echo
echo "asan-check: cmocka totals under ASan+UBSan: $passed passed, $failed failed, $skipped skipped"
if [ ${#bad[@]} -gt 0 ]; then
	echo "asan-check: FAILED: ${bad[*]}"
	exit 1
fi
echo "asan-check: no sanitizer report in $# test binaries"
