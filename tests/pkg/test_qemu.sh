#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The Pi build, tested and not only linked: the user-space unit tests of
# tests/unit/, cross-built with "make ARCH=arm64", run under Debian's
# qemu-aarch64-static on the arm64 libraries of the multiarch install
# (libbpf, libelf, zlib, libmicrohttpd, cmocka :arm64). The BPF and lab
# tests need the kernel and are not run here.
#
# The emulated loader and libc come from the multiarch libc6:arm64 (-L /,
# so /lib/ld-linux-aarch64.so.1 and /usr/lib/aarch64-linux-gnu are the arm64
# ones). Not from the cross toolchain's /usr/aarch64-linux-gnu: with that
# libc (libc6-arm64-cross 2.36-8cross1) a fork() under Debian 12's qemu 7.2
# never returns in the child, and the tests that fork (test_ctl) hang.
# QEMU_LD_PREFIX overrides the choice.
source "$(dirname "$0")/lib.sh"

need_cmd qemu-aarch64-static file make
mktemp_dir T
prefix=${QEMU_LD_PREFIX:-/}
[[ -e $prefix/lib/ld-linux-aarch64.so.1 ]] ||
	skip "no arm64 loader in $prefix (apt-get install libc6:arm64, with dpkg --add-architecture arm64)"

echo "== $PKG_TEST: arm64 unit tests under qemu-aarch64-static"
cd "$PKG_ROOT" || exit 1
mapfile -t units < <(ls tests/unit/*/test_*.c 2>/dev/null | sed 's|.*/\(test_[^/]*\)\.c$|build/arm64/tests/\1|')
[[ ${#units[@]} -gt 0 ]] || skip "no unit tests in tests/unit/*/"
if timeout 600 make --no-print-directory ARCH=arm64 "${units[@]}" >"$T/make.log" 2>&1; then
	ok "make ARCH=arm64: ${#units[@]} unit tests cross-built"
else
	bad "make ARCH=arm64 (unit tests)" "$(grep -m 3 -E 'error|Error' "$T/make.log")"
fi

total_pass=0
for bin in "${units[@]}"; do
	name=$(basename "$bin")
	if [[ ! -x $bin ]]; then
		bad "$name: built"
		continue
	fi
	if ! elf_arch_is "$bin" arm64; then
		bad "$name: an aarch64 binary" "$(file -b "$bin")"
		continue
	fi
	LD_LIBRARY_PATH=/usr/lib/aarch64-linux-gnu:/lib/aarch64-linux-gnu \
		timeout 300 qemu-aarch64-static -L "$prefix" "$bin" >"$T/$name.log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$T/$name.log" | awk '{s += $1} END {print s + 0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$T/$name.log" | awk '{s += $1} END {print s + 0}')
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$T/$name.log" | awk '{s += $1} END {print s + 0}')
	if [[ $rc -eq 0 && $f -eq 0 && $p -gt 0 ]]; then
		total_pass=$((total_pass + p))
		ok "$name on aarch64: $p passed$( ((s > 0)) && echo ", $s skipped")"
		if [[ $s -gt 0 && ${CI:-} == true ]]; then
			bad "$name: nothing skipped (CI=true)"
		fi
	else
		bad "$name on aarch64 (exit $rc, $p passed, $f failed)" \
			"$(grep -E '^\[  (FAILED|ERROR) |^\[  ERROR|error' "$T/$name.log" | head -n 3 | tr '\n' ' ')$(tail -n 2 "$T/$name.log" | tr '\n' ' ')"
	fi
done
echo "  ..    $total_pass cmocka tests passed under qemu-aarch64"
finish
