#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the libFuzzer harnesses built by tests/fuzz/fuzz.mk.
#
#   run.sh fuzz   [--seconds N] [--bin DIR] [--work DIR] [HARNESS...]
#   run.sh smoke  [--seconds N] [--bin DIR] [--work DIR] [HARNESS...]
#   run.sh replay [--bin DIR] [HARNESS...]
#
# replay: every file in tests/fuzz/regressions/HARNESS/ and every seed in
#         tests/fuzz/corpus/HARNESS/, once each; any crash fails.
# fuzz:   each harness for N seconds (default 300), starting from its seeds
#         and from what earlier runs found; new inputs go to
#         WORK/work/HARNESS/corpus (never into the source tree), crashes to
#         WORK/work/HARNESS/crashes/. One summary line per harness, also
#         appended to WORK/results.tsv.
# smoke:  replay, then fuzz for N seconds (default 10) each: what
#         `make check` runs, so that the harnesses cannot rot.
#
# HARNESS defaults to every tests/fuzz/fuzz_*.c. Exit 0 only if nothing
# crashed, leaked or timed out.
set -uo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
SRC=$ROOT/tests/fuzz
mode=${1-}
[ $# -gt 0 ] && shift
seconds="" bin=$ROOT/build/fuzz/bin work=$ROOT/build/fuzz
harnesses=()
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=$2; shift 2 ;;
	--bin) bin=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) harnesses+=("$1"); shift ;;
	esac
done
case $mode in
fuzz) seconds=${seconds:-300} ;;
smoke) seconds=${seconds:-10} ;;
replay) ;;
*)
	echo "usage: run.sh fuzz|smoke|replay [--seconds N] [--bin DIR] [--work DIR] [HARNESS...]" >&2
	exit 2
	;;
esac
[[ $seconds =~ ^[0-9]*$ ]] || { echo "run.sh: --seconds takes a number" >&2; exit 2; }
if [ ${#harnesses[@]} -eq 0 ]; then
	for f in "$SRC"/fuzz_*.c; do
		harnesses+=("$(basename "$f" .c)")
	done
fi
mkdir -p "$work/logs"

# Per-input limits: a slow input or a runaway allocation is a finding too.
LIMITS=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=()

# Every regression input and seed, once.
replay_one() {
	local h=$1 exe=$bin/$1 log files=()

	log=$work/logs/$h.replay.log
	if [ -d "$SRC/regressions/$h" ]; then
		while IFS= read -r -d '' f; do
			files+=("$f")
		done < <(find "$SRC/regressions/$h" -type f ! -name 'README*' -print0 | sort -z)
	fi
	if [ ${#files[@]} -gt 0 ] && ! "$exe" "${LIMITS[@]}" "${files[@]}" >"$log" 2>&1; then
		echo "FAIL $h: a regression input crashes again (see $log)"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|Running:|.*fuzz check failed)' "$log" | tail -5
		failed+=("$h (regression)")
		return
	fi
	# -runs=0: run every seed once, then stop.
	if ! "$exe" "${LIMITS[@]}" -runs=0 "$SRC/corpus/$h" >>"$log" 2>&1; then
		echo "FAIL $h: a seed input crashes (see $log)"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*fuzz check failed)' "$log" | tail -5
		failed+=("$h (seed)")
		return
	fi
	echo "ok   $h: ${#files[@]} regression input(s), $(find "$SRC/corpus/$h" -type f | wc -l) seed(s) replayed"
}

stat_of() {
	# libFuzzer's -print_final_stats lines: "stat::name: value"
	awk -v k="stat::$2:" '$1 == k { print $2 }' "$1" | tail -1
}

fuzz_one() {
	local h=$1 exe=$bin/$1 dir=$work/work/$1 log rc dict=() execs rate corpus cov

	log=$work/logs/$h.fuzz.log
	mkdir -p "$dir/corpus" "$dir/crashes"
	[ -f "$SRC/$h.dict" ] && dict=(-dict="$SRC/$h.dict")
	"$exe" "${LIMITS[@]}" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$dir/crashes/" "$dir/corpus" "$SRC/corpus/$h" >"$log" 2>&1
	rc=$?
	execs=$(stat_of "$log" number_of_executed_units)
	rate=$(stat_of "$log" average_exec_per_sec)
	# libFuzzer's own corpus (what it keeps after reducing), and its coverage.
	corpus=$(grep -oE 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 | cut -d' ' -f2)
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
	printf '%s %-20s %4ss  %10s execs  %7s exec/s  corpus %9s  %s\n' \
		"$([ $rc -eq 0 ] && echo 'ok  ' || echo 'FAIL')" "$h" "$seconds" "${execs:-?}" \
		"${rate:-?}" "$corpus" "$cov"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$mode" "$h" "$seconds" \
		"${execs:-}" "${rate:-}" "$corpus" "$rc" >>"$work/results.tsv"
	# Keep the grown corpus minimal (libFuzzer leaves reduced inputs behind).
	if [ $rc -eq 0 ] && [ "$mode" = fuzz ]; then
		rm -rf "$dir/corpus.min"
		mkdir -p "$dir/corpus.min"
		if "$exe" "${LIMITS[@]}" -merge=1 "$dir/corpus.min" "$dir/corpus" >"$log.merge" 2>&1; then
			rm -rf "$dir/corpus"
			mv "$dir/corpus.min" "$dir/corpus"
		fi
	fi
	if [ $rc -ne 0 ]; then
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|.*fuzz check failed)' \
			"$log" | tail -6
		echo "     log: $log; once fixed, keep the input in tests/fuzz/regressions/$h/"
		failed+=("$h")
	fi
}

for h in "${harnesses[@]}"; do
	if [ ! -x "$bin/$h" ]; then
		echo "FAIL $h: no binary $bin/$h (make fuzz-build)"
		failed+=("$h (missing)")
		continue
	fi
	case $mode in
	replay) replay_one "$h" ;;
	smoke)
		replay_one "$h"
		fuzz_one "$h"
		;;
	fuzz) fuzz_one "$h" ;;
	esac
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz $mode: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz $mode: ${#harnesses[@]} harness(es), no crash, leak or timeout"
