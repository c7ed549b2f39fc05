#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make` as the first command on a bare Debian 12: a debootstrap root with
# only make, git and ca-certificates (and what minbase brings), holding the
# tree under test as a clone would. There:
#  - as an unprivileged user, make fails and prints the apt-get line to type;
#  - as root, make installs the build dependencies (and only those: no
#    chromium) and links rpilbctl, which runs there;
#  - a second make is up to date and installs nothing.
# make check and make demo read their flags through the same
# build/ARCH/flags.mk rule, so this covers their first run too.
#
# Needs root (debootstrap, chroot) and Debian's archive. The base root is
# cached as a tarball in build/pkg-cache/first-make/, the packages apt
# downloads beside it (make clean removes both); RPILB_DEB_MIRROR overrides
# the mirror.
: "${PKG_TEST_TIMEOUT:=1500}"
source "$(dirname "$0")/lib.sh"

need_root
need_cmd debootstrap chroot mount umount tar git
mktemp_dir T
MIRROR=${RPILB_DEB_MIRROR:-http://deb.debian.org/debian}
CACHE=$PKG_ROOT/build/pkg-cache/first-make
BASE=$CACHE/bookworm-minbase-make-git.tar
R=$T/root
SRC=/src/rpilb

echo "== $PKG_TEST: make as the first command on a bare Debian 12"
mkdir -p "$CACHE/apt" "$PKG_ROOT/build/pkg-cache/debootstrap"
# Unmount everything under the root, deepest first, before it is removed.
on_exit "findmnt -rn -o TARGET | grep '^$R/' | sort -r | xargs -r -n 1 umount -l"

if [[ -s $BASE ]]; then
	mkdir -p "$R" && tar -C "$R" -xf "$BASE"
	ok "base root from the cache ($(basename "$BASE"))"
else
	echo "  ..    debootstrap bookworm (minbase + make, git, ca-certificates) from $MIRROR"
	if ! timeout 600 debootstrap --variant=minbase --cache-dir="$PKG_ROOT/build/pkg-cache/debootstrap" \
		--include=make,git,ca-certificates bookworm "$R" "$MIRROR" >"$T/debootstrap.log" 2>&1; then
		bad "debootstrap bookworm" "$(tail -n 3 "$T/debootstrap.log")"
		finish
	fi
	tar -C "$R" -cf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE"
	ok "debootstrap: a minimal Debian 12 with make, git and ca-certificates"
fi

# Nothing of the build is there yet.
for p in gcc clang libbpf-dev pkg-config; do
	if chroot "$R" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		bad "the bare root has no $p"
	fi
done

# The tree as a clone holds it: tracked files and new ones, nothing ignored.
mkdir -p "$R$SRC"
(cd "$PKG_ROOT" && git ls-files -z -c -o --exclude-standard | tar --null -T - -cf -) |
	tar -C "$R$SRC" -xf -
chown -R 65534:65534 "$R$SRC"
cp /etc/resolv.conf "$R/etc/resolv.conf"
mount -t proc proc "$R/proc"
mount --bind /dev "$R/dev"
mount --bind "$CACHE/apt" "$R/var/cache/apt/archives"

in_root()
{
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		/bin/sh -c "$1"
}

# Not root: nothing is installed, and make says what to type.
out=$(in_root "cd $SRC && setpriv --reuid=65534 --regid=65534 --clear-groups make 2>&1")
rc=$?
if [[ $rc -ne 0 && $out == *"deps: missing packages for make build; install them with:"* &&
	$out == *"sudo apt-get install -y gcc clang llvm pkg-config bpftool libbpf-dev"* ]]; then
	ok "as a user: make fails and prints the apt-get line"
else
	bad "as a user: make (exit $rc)" "$(tail -n 3 <<<"$out")"
fi

echo "  ..    make (as root): installs the build dependencies, then builds"
if timeout 1200 chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	LANG=C.UTF-8 /bin/sh -c "cd $SRC && make" >"$T/make.log" 2>&1; then
	ok "make: exit 0"
else
	bad "make" "$(tail -n 8 "$T/make.log" | tr '\n' ' ')"
	finish
fi
grep -q '^deps: installing for make build: gcc clang llvm pkg-config bpftool libbpf-dev' "$T/make.log" &&
	ok "make installed the build dependencies itself" ||
	bad "make's deps line" "$(grep '^deps:' "$T/make.log")"
for p in clang libbpf-dev libmicrohttpd-dev; do
	chroot "$R" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		bad "$p installed"
done
if chroot "$R" dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q 'ok installed'; then
	bad "only the build dependencies" "chromium was installed"
else
	ok "only the build dependencies (no chromium, no test tools)"
fi
out=$(in_root "$SRC/build/amd64/rpilbctl --version" 2>&1)
[[ $out == "rpilbctl $PKG_VERSION (libbpf v1."* ]] && ok "rpilbctl links and runs there: $out" ||
	bad "rpilbctl --version" "$out"
in_root "test -x $SRC/build/amd64/tools/hellod && test -s $SRC/build/bpf/xdp_pass.bpf.o" &&
	ok "hellod and the lab's XDP pass program are built too" || bad "hellod, xdp_pass.bpf.o"

out=$(in_root "cd $SRC && make 2>&1")
rc=$?
[[ $rc -eq 0 && $out != *"deps: installing"* && $out != *"  CC "* ]] &&
	ok "a second make is up to date and installs nothing" ||
	bad "second make (exit $rc)" "$(tail -n 3 <<<"$out")"
finish
