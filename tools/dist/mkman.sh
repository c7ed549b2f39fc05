#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# mkman.sh OUTDIR [VERSION]: build the man pages from their scdoc sources in
# tools/dist/ (rpilbctl.8.scd -> OUTDIR/rpilbctl.8, rpilb.cfg.5.scd ->
# OUTDIR/rpilb.cfg.5). VERSION defaults to the Makefile's. The date in the
# pages is the last commit's, so the output is reproducible.
set -eu

die()
{
	echo "mkman.sh: $*" >&2
	exit 1
}

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: mkman.sh OUTDIR [VERSION]"
out=$1
dist=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dist/../.." && pwd)
version=${2:-$(sed -n 's/^VERSION[[:space:]]*:*=[[:space:]]*//p' "$root/Makefile" | head -n 1)}
[ -n "$version" ] || die "cannot read VERSION from $root/Makefile"
command -v scdoc >/dev/null 2>&1 || die "scdoc not found (apt-get install scdoc)"

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null || true)
	[ -n "$SOURCE_DATE_EPOCH" ] || SOURCE_DATE_EPOCH=$(stat -c %Y "$dist/rpilbctl.8.scd")
fi
export SOURCE_DATE_EPOCH

mkdir -p "$out"
for src in "$dist"/*.scd; do
	page=$(basename "$src" .scd)
	sed "s/@VERSION@/$version/g" "$src" | scdoc >"$out/$page.tmp" ||
		{ rm -f "$out/$page.tmp"; die "scdoc failed on $src"; }
	mv "$out/$page.tmp" "$out/$page"
done
