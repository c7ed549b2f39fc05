#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build-flags.sh: the flags the Makefile cannot know before the build
# dependencies are installed, as make assignments on stdout. The Makefile
# runs it (after tools/deps.sh build) into build/ARCH/flags.mk and reads
# that file, so the flags always come from what is installed now.
#
# Environment: PKG_CONFIG (may carry PKG_CONFIG_LIBDIR=... for a cross
# build), LIBS (pkg-config names), CLANG.
set -euo pipefail

: "${PKG_CONFIG:=pkg-config}" "${CLANG:=clang}"
[ -n "${LIBS:-}" ] || { echo "build-flags.sh: LIBS is empty" >&2; exit 2; }

# A library pkg-config cannot find must stop the build here, with its
# name, not at link time with a page of undefined references.
# shellcheck disable=SC2086 # PKG_CONFIG may be "VAR=... pkg-config"
if ! cflags=$(env $PKG_CONFIG --cflags $LIBS) || ! libs=$(env $PKG_CONFIG --libs $LIBS); then
	echo "build-flags.sh: pkg-config does not find all of: $LIBS (make deps installs them)" >&2
	exit 1
fi

# clang -target bpf cannot find <asm/types.h> on Debian unless told where
# the multiarch headers are; ask the compilers rather than guess.
if ! search=$("$CLANG" -v -E - </dev/null 2>&1); then
	echo "build-flags.sh: $CLANG does not run (make deps installs clang)" >&2
	exit 1
fi
bpf_includes=$(sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }' \
	<<<"$search" | tr '\n' ' ')
bpf_includes+="-idirafter /usr/include/$(gcc -dumpmachine)"

printf '# Written by tools/build-flags.sh; make rewrites it when it is out of date.\n'
printf 'LIB_CFLAGS := %s\n' "$cflags"
printf 'LIB_LDLIBS := %s\n' "$libs"
printf 'BPF_SYS_INCLUDES := %s\n' "$bpf_includes"
