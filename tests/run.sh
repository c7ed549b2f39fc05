#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the cmocka test binaries of `make check` and print cmocka's totals
# over all of them. Under CI=true a skipped test counts as a failure: CI
# runs as root, where nothing may skip.
set -uo pipefail

build="" unit="" bpf="" lab=""
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build="$2"; shift 2 ;;
	--unit) unit="$2"; shift 2 ;;
	--bpf) bpf="$2"; shift 2 ;;
	--lab) lab="$2"; shift 2 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

passed=0 failed=0 skipped=0 broken=()
# Lab tests find rpilbctl and hellod here.
export RPILB_BUILD="${build:-build/amd64}"
log_dir="${build:-build}/test-logs"
mkdir -p "$log_dir"

run_one() {
	local bin="$1" log rc p f s
	log="$log_dir/$(basename "$bin").log"
	echo "== $(basename "$bin")"
	"$bin" >"$log" 2>&1
	rc=$?
	grep -E '^\[ *(RUN|OK|FAILED|SKIPPED|PASSED|ERROR|  SKIP) |^\[=+\]|^ERROR|error:|FAIL' "$log" |
		grep -vE '^\[ (RUN|     OK|       OK) ' || true
	p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
	f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
	s=$(grep -E '^\[  SKIPPED \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		# Crashed or failed outside a test: never a silent pass.
		broken+=("$(basename "$bin") (exit $rc)")
		tail -20 "$log"
	fi
	if [ "$f" -ne 0 ]; then
		echo "   (full output: $log)"
	fi
}

for group in unit bpf lab; do
	bins="${!group}"
	[ -z "$bins" ] && continue
	echo "=== $group tests"
	for b in $bins; do
		run_one "$b"
	done
done

echo
echo "cmocka totals: $passed passed, $failed failed, $skipped skipped"
status=0
if [ ${#broken[@]} -gt 0 ]; then
	echo "broken test binaries: ${broken[*]}"
	status=1
fi
[ "$failed" -ne 0 ] && status=1
if [ "$skipped" -ne 0 ] && [ "${CI:-}" = true ]; then
	echo "CI=true: $skipped skipped test(s) count as failures"
	status=1
fi
exit $status
