#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh [TEST...]: the packaging tests (man pages, completion, systemd
# notify, Debian packages, arm64 under qemu), each bounded in time and
# cleaning up after itself. Without arguments, every tests/pkg/test_*.sh.
# Prints each test's checks and a total; exits 1 if any failed. A test that
# cannot run here skips (exit 77); under CI=true a skip is a failure, as in
# tests/run.sh.
#
# RPILB_BUILD selects the build under test (default build/amd64).
set -uo pipefail

dir=$(cd "$(dirname "$0")" && pwd)
if [[ $# -gt 0 ]]; then
	tests=("$@")
else
	tests=("$dir"/test_*.sh)
fi

passed=() failed=() skipped=()
for t in "${tests[@]}"; do
	[[ -f $t ]] || t=$dir/$t
	[[ -f $t ]] || t=$t.sh
	name=$(basename "$t" .sh)
	bash "$t"
	rc=$?
	case $rc in
	0) passed+=("$name") ;;
	77) skipped+=("$name") ;;
	*) failed+=("$name (exit $rc)") ;;
	esac
done

echo
echo "packaging tests: ${#passed[@]} passed, ${#failed[@]} failed, ${#skipped[@]} skipped"
[[ ${#failed[@]} -eq 0 ]] || echo "failed: ${failed[*]}"
[[ ${#skipped[@]} -eq 0 ]] || echo "skipped: ${skipped[*]}"
[[ ${#failed[@]} -eq 0 ]] || exit 1
if [[ ${#skipped[@]} -gt 0 && ${CI:-} == true ]]; then
	echo "CI=true: skipped packaging tests count as failures"
	exit 1
fi
exit 0
