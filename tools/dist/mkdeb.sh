#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkdeb.sh ARCH [OUTDIR]: the Debian binary package of rpilb for ARCH
# (amd64, or arm64 for a 64-bit Raspberry Pi OS) from what
# "make ARCH=ARCH" built, with dpkg-deb. Writes OUTDIR/rpilb_VERSION_ARCH.deb
# (OUTDIR defaults to build/deb) and prints its path.
#
#   /usr/sbin/rpilbctl                                the binary (stripped)
#   /lib/systemd/system/rpilb.service                 the unit, enabled by postinst
#   /etc/rpilb/rpilb.cfg                              the example configuration (a conffile)
#   /usr/share/man/man8/rpilbctl.8.gz, man5/rpilb.cfg.5.gz
#   /usr/share/bash-completion/completions/rpilbctl
#   /usr/share/doc/rpilb/                             copyright, changelog, README, docs
#   /usr/share/lintian/overrides/rpilb                the config is 0640 on purpose
#
# Depends: the libraries dpkg-shlibdeps finds in the binary, with its minimum
# versions, and every one of libbpf1, libelf1, zlib1g, libmicrohttpd12 and
# libc6 (at least their Debian 12 versions if dpkg-shlibdeps does not list
# them: libbpf loads the embedded BPF object with libelf and zlib).
#
# Environment: DEB_VERSION overrides the package version (default: the
# Makefile's VERSION); DEB_MAINTAINER the Maintainer field (default: the
# last commit's author); SOURCE_DATE_EPOCH the timestamps (default: the last
# commit's), so that two builds of one tree give the same package.
set -euo pipefail

die()
{
	echo "mkdeb.sh: $*" >&2
	exit 1
}

[[ $# -ge 1 && $# -le 2 ]] || die "usage: mkdeb.sh amd64|arm64 [OUTDIR]"
arch=$1
dist=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dist/../.." && pwd)
out=${2:-$root/build/deb}
case $arch in
amd64)
	gnu=x86_64-linux-gnu
	elf='x86-64'
	;;
arm64)
	gnu=aarch64-linux-gnu
	elf='ARM aarch64'
	;;
*) die "unknown ARCH '$arch': amd64 or arm64" ;;
esac
for tool in dpkg-deb gzip file; do
	command -v $tool >/dev/null || die "$tool not found (apt-get install dpkg-dev file)"
done

version=${DEB_VERSION:-$(sed -n 's/^VERSION[[:space:]]*:*=[[:space:]]*//p' "$root/Makefile" | head -n 1)}
[[ -n $version ]] || die "cannot read VERSION from $root/Makefile"
bin=$root/build/$arch/rpilbctl
[[ -x $bin ]] || die "$bin is missing: run 'make ARCH=$arch' first"
file -b "$bin" | grep -q "ELF 64-bit.*$elf" || die "$bin is not an $arch executable"
if [[ -z ${SOURCE_DATE_EPOCH:-} ]]; then
	SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)
fi
export SOURCE_DATE_EPOCH
maintainer=${DEB_MAINTAINER:-$(git -C "$root" log -1 --format='%an <%ae>' 2>/dev/null || true)}
[[ -n $maintainer ]] || maintainer="rpilb maintainers <rpilb@localhost>"

mkdir -p "$out"
stage=$(mktemp -d "$out/.stage-$arch.XXXXXX")
trap 'rm -rf "$stage"' EXIT
pkg=$stage/pkg
umask 022

# --- files ------------------------------------------------------------------
install -d "$pkg/usr/sbin" "$pkg/lib/systemd/system" "$pkg/etc/rpilb" \
	"$pkg/usr/share/man/man8" "$pkg/usr/share/man/man5" \
	"$pkg/usr/share/bash-completion/completions" "$pkg/usr/share/doc/rpilb" "$pkg/DEBIAN"

install -m 0755 "$bin" "$pkg/usr/sbin/rpilbctl"
strip=$gnu-strip
command -v "$strip" >/dev/null || strip="strip"
"$strip" --strip-unneeded --remove-section=.comment --remove-section=.note \
	"$pkg/usr/sbin/rpilbctl"

sed 's|@SBINDIR@|/usr/sbin|g' "$dist/rpilb.service" >"$pkg/lib/systemd/system/rpilb.service"
chmod 0644 "$pkg/lib/systemd/system/rpilb.service"
grep -q '@[A-Z]*@' "$pkg/lib/systemd/system/rpilb.service" &&
	die "rpilb.service has an unsubstituted @VARIABLE@"
# 0640: the file may hold the stats page's passwords (stats auth).
install -m 0640 "$dist/rpilb.cfg" "$pkg/etc/rpilb/rpilb.cfg"

"$dist/mkman.sh" "$stage/man" "$version" || die "building the man pages failed"
gzip -9n <"$stage/man/rpilbctl.8" >"$pkg/usr/share/man/man8/rpilbctl.8.gz"
gzip -9n <"$stage/man/rpilb.cfg.5" >"$pkg/usr/share/man/man5/rpilb.cfg.5.gz"
install -m 0644 "$dist/rpilbctl.bash" "$pkg/usr/share/bash-completion/completions/rpilbctl"

# The year of the source (SOURCE_DATE_EPOCH).
sed "s/@YEAR@/$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)/" "$dist/deb/copyright" \
	>"$pkg/usr/share/doc/rpilb/copyright"
chmod 0644 "$pkg/usr/share/doc/rpilb/copyright"
install -D -m 0644 "$dist/deb/lintian-overrides" "$pkg/usr/share/lintian/overrides/rpilb"
gzip -9n <"$root/README.md" >"$pkg/usr/share/doc/rpilb/README.md.gz"
for doc in "$root"/docs/*.md; do
	[[ -e $doc ]] && gzip -9n <"$doc" >"$pkg/usr/share/doc/rpilb/$(basename "$doc").gz"
done
{
	echo "rpilb ($version) unstable; urgency=medium"
	echo
	echo "  * Built from the rpilb source tree with \"make deb\"."
	echo
	echo " -- $maintainer  $(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$pkg/usr/share/doc/rpilb/changelog.gz"

# --- control ------------------------------------------------------------------
install -m 0755 "$dist/deb/postinst" "$dist/deb/prerm" "$dist/deb/postrm" "$pkg/DEBIAN/"
echo /etc/rpilb/rpilb.cfg >"$pkg/DEBIAN/conffiles"
chmod 0644 "$pkg/DEBIAN/conffiles"

# Debian 12's versions, the floor for what dpkg-shlibdeps does not report.
declare -A floor=(
	[libbpf1]='1:1.1.0'
	[libc6]='2.36'
	[libelf1]='0.188'
	[libmicrohttpd12]='0.9.75'
	[zlib1g]='1:1.2.13.dfsg'
)
declare -A dep=()
shlibs=""
if command -v dpkg-shlibdeps >/dev/null; then
	mkdir -p "$stage/shl/debian"
	: >"$stage/shl/debian/control"
	shlibs=$(cd "$stage/shl" && dpkg-shlibdeps -O --warnings=0 \
		-l"/usr/lib/$gnu" -l"/lib/$gnu" "$pkg/usr/sbin/rpilbctl" 2>"$stage/shlibdeps.err" |
		sed -n 's/^shlibs:Depends=//p') ||
		die "dpkg-shlibdeps failed: $(cat "$stage/shlibdeps.err")"
fi
IFS=',' read -ra items <<<"$shlibs"
for item in "${items[@]}"; do
	item=$(echo "$item" | sed 's/^ *//; s/ *$//')
	[[ -n $item ]] || continue
	name=${item%% *}
	name=${name%%:*}
	dep[$name]=$item
done
for name in "${!floor[@]}"; do
	[[ -n ${dep[$name]-} ]] || dep[$name]="$name (>= ${floor[$name]})"
done
depends=$(printf '%s\n' "${dep[@]}" | LC_ALL=C sort | paste -sd, - | sed 's/,/, /g')

installed_size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<EOF
Package: rpilb
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends
Suggests: bpftool, socat
Section: net
Priority: optional
Description: TCP load balancer for Raspberry Pi clusters, in eBPF (XDP/tc)
 rpilb balances TCP connections across a cluster of Raspberry Pis from the
 kernel: an XDP or tc program gives each new connection to the next server
 in round-robin order and rewrites its packets both ways (full NAT), and the
 rpilbctl daemon keeps the rotation true with HAProxy's HTTP and TCP health
 checks. It reads HAProxy's configuration language: the haproxy.cfg of the
 "multiple Raspberry Pi web server" tutorial runs unchanged.
 .
 Stopping or restarting the daemon never drops a connection. A stats page,
 Prometheus metrics, and JSON output of every command show each server's
 state; bpftool prints every map with its field names.
EOF

(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
	xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/md5sums" "$pkg/DEBIAN/control"
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

deb=$out/rpilb_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb.tmp" >/dev/null
mv "$deb.tmp" "$deb"
echo "$deb"
