#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The Debian packages of tools/dist/mkdeb.sh:
#  - amd64 and arm64: control fields, Depends (the same for both, covering
#    every library the binary needs), conffiles, the file list, the binary's
#    architecture, lintian, a reproducible build;
#  - amd64 installed with "dpkg --root" into a throwaway Debian 12 (minbase,
#    made here with debootstrap from deb.debian.org, with the declared
#    dependencies and nothing else): the maintainer scripts run (chrooted),
#    the unit is enabled the Debian way and not started, rpilbctl --version
#    and rpilbctl check run there on Debian's own libraries; then upgrades
#    (conffile kept, "systemctl disable" remembered, a new default config
#    beside a changed one), remove (unit masked, config kept), reinstall and
#    purge (everything gone);
#  - arm64 extracted and run under qemu-aarch64-static on the arm64 libraries.
#
# Needs root (debootstrap, chroot). Every dpkg run is in a new network
# namespace, so that prerm's "rpilbctl down" cannot see this host's
# interfaces. RPILB_DEB_MIRROR overrides the Debian mirror; the downloaded
# packages are cached in build/pkg-cache/ (make clean removes it).
source "$(dirname "$0")/lib.sh"

need_root
need_cmd dpkg-deb dpkg file unshare chroot
mktemp_dir T
MIRROR=${RPILB_DEB_MIRROR:-http://deb.debian.org/debian}
CACHE=$PKG_ROOT/build/pkg-cache/debootstrap
R=$T/root
want_deps="libbpf1 libc6 libelf1 libmicrohttpd12 zlib1g"

echo "== $PKG_TEST: Debian packages"
[[ -x $PKG_ROOT/build/amd64/rpilbctl ]] || skip "build/amd64/rpilbctl not built (make)"
if ! timeout 300 make -C "$PKG_ROOT" --no-print-directory ARCH=arm64 build >"$T/make-arm64.log" 2>&1; then
	bad "make ARCH=arm64 build" "$(tail -n 5 "$T/make-arm64.log")"
	finish
fi

for arch in amd64 arm64; do
	if deb=$("$PKG_ROOT/tools/dist/mkdeb.sh" "$arch" "$T/out" 2>"$T/mkdeb-$arch.log"); then
		ok "mkdeb.sh $arch -> $(basename "$deb")"
	else
		bad "mkdeb.sh $arch" "$(tail -n 5 "$T/mkdeb-$arch.log")"
		finish
	fi
	printf -v "deb_$arch" '%s' "$deb"
done

# --- the packages as files ------------------------------------------------------
field()
{
	dpkg-deb -f "$1" "$2"
}

dep_names()
{
	field "$1" Depends | tr ',' '\n' | sed 's/^ *//; s/[ :(].*//' | sort | tr '\n' ' ' | sed 's/ $//'
}

for arch in amd64 arm64; do
	deb=deb_$arch
	deb=${!deb}
	[[ $(field "$deb" Package) == rpilb ]] && ok "$arch: Package: rpilb" || bad "$arch: Package"
	[[ $(field "$deb" Version) == "$PKG_VERSION" ]] && ok "$arch: Version: $PKG_VERSION (the Makefile's)" ||
		bad "$arch: Version" "$(field "$deb" Version)"
	[[ $(field "$deb" Architecture) == "$arch" ]] && ok "$arch: Architecture: $arch" ||
		bad "$arch: Architecture" "$(field "$deb" Architecture)"
	[[ $(field "$deb" Section) == net ]] && ok "$arch: Section: net" || bad "$arch: Section"
	[[ -n $(field "$deb" Maintainer) && -n $(field "$deb" Description) && -n $(field "$deb" Installed-Size) ]] &&
		ok "$arch: Maintainer, Description, Installed-Size" || bad "$arch: Maintainer, Description, Installed-Size"
	[[ $(dep_names "$deb") == "$want_deps" ]] && ok "$arch: Depends on $want_deps" ||
		bad "$arch: Depends" "$(field "$deb" Depends)"

	mkdir -p "$T/ctl-$arch" "$T/x-$arch"
	dpkg-deb -e "$deb" "$T/ctl-$arch"
	dpkg-deb -x "$deb" "$T/x-$arch"
	[[ $(cat "$T/ctl-$arch/conffiles") == /etc/rpilb/rpilb.cfg ]] &&
		ok "$arch: conffiles: /etc/rpilb/rpilb.cfg" || bad "$arch: conffiles" "$(cat "$T/ctl-$arch/conffiles")"
	for s in postinst prerm postrm; do
		[[ -x $T/ctl-$arch/$s ]] && sh -n "$T/ctl-$arch/$s" || bad "$arch: $s is an executable sh script"
	done
	grep -q 'deb-systemd-helper --quiet was-enabled rpilb.service\|was-enabled "$unit"' "$T/ctl-$arch/postinst" &&
		ok "$arch: postinst enables the unit with deb-systemd-helper" || bad "$arch: postinst uses deb-systemd-helper"

	missing=""
	for f in usr/sbin/rpilbctl lib/systemd/system/rpilb.service etc/rpilb/rpilb.cfg \
		usr/share/man/man8/rpilbctl.8.gz usr/share/man/man5/rpilb.cfg.5.gz \
		usr/share/bash-completion/completions/rpilbctl usr/share/doc/rpilb/copyright \
		usr/share/doc/rpilb/changelog.gz; do
		[[ -f $T/x-$arch/$f ]] || missing+=" $f"
	done
	[[ -z $missing ]] && ok "$arch: every file is in the package" || bad "$arch: files missing" "$missing"
	unit=$T/x-$arch/lib/systemd/system/rpilb.service
	grep -q '^ExecStart=/usr/sbin/rpilbctl up -f ' "$unit" && ! grep -q '@[A-Z]*@' "$unit" &&
		ok "$arch: the unit runs /usr/sbin/rpilbctl" || bad "$arch: the unit's paths" "$(grep ^Exec "$unit")"
	[[ $(stat -c %a "$T/x-$arch/etc/rpilb/rpilb.cfg") == 640 ]] &&
		ok "$arch: /etc/rpilb/rpilb.cfg is 0640" || bad "$arch: /etc/rpilb/rpilb.cfg mode"
	elf_arch_is "$T/x-$arch/usr/sbin/rpilbctl" "$arch" &&
		ok "$arch: the binary is $(file -b "$T/x-$arch/usr/sbin/rpilbctl" | cut -d, -f2 | sed 's/^ //')" ||
		bad "$arch: the binary's architecture" "$(file -b "$T/x-$arch/usr/sbin/rpilbctl")"

	# Every library the binary loads comes from a declared dependency.
	case $arch in amd64) gnu=x86_64-linux-gnu ;; arm64) gnu=aarch64-linux-gnu ;; esac
	undeclared=""
	for so in $(LC_ALL=C readelf -d "$T/x-$arch/usr/sbin/rpilbctl" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		owner=$(dpkg -S "/usr/lib/$gnu/$so" "/lib/$gnu/$so" 2>/dev/null | head -n 1 | cut -d: -f1)
		[[ -n $owner && " $want_deps " == *" $owner "* ]] || undeclared+=" $so(${owner:-?})"
	done
	[[ -z $undeclared ]] && ok "$arch: every NEEDED library is from a declared dependency" ||
		bad "$arch: libraries not covered by Depends" "$undeclared"
done
[[ $(field "$deb_amd64" Depends) == "$(field "$deb_arm64" Depends)" ]] &&
	ok "arm64 and amd64 have the same Depends" ||
	bad "same Depends" "amd64: $(field "$deb_amd64" Depends) / arm64: $(field "$deb_arm64" Depends)"

if "$PKG_ROOT/tools/dist/mkdeb.sh" amd64 "$T/again" >/dev/null 2>&1 &&
	cmp -s "$deb_amd64" "$T/again/$(basename "$deb_amd64")"; then
	ok "two builds of the tree give the same .deb"
else
	bad "reproducible .deb" "two builds differ"
fi

if command -v lintian >/dev/null; then
	for arch in amd64 arm64; do
		deb=deb_$arch
		lintian --tag-display-limit 0 "${!deb}" >"$T/lintian-$arch.txt" 2>&1
		if grep -qE '^[EW]: ' "$T/lintian-$arch.txt"; then
			bad "$arch: lintian: no error, no warning" "$(grep -E '^[EW]: ' "$T/lintian-$arch.txt" | head -n 3)"
		else
			ok "$arch: lintian: no error, no warning"
		fi
	done
else
	echo "  note  lintian not installed: not run"
fi

# --- arm64: the packaged binary runs (under qemu, on the arm64 libraries) ------
if command -v qemu-aarch64-static >/dev/null && [[ -e /lib/ld-linux-aarch64.so.1 ]]; then
	x=$T/x-arm64
	out=$(QEMU_LD_PREFIX=/ timeout 60 qemu-aarch64-static "$x/usr/sbin/rpilbctl" --version 2>&1)
	[[ $out == "rpilbctl $PKG_VERSION "* ]] && ok "arm64: rpilbctl --version under qemu: $out" ||
		bad "arm64: rpilbctl --version under qemu" "$out"
	out=$(QEMU_LD_PREFIX=/ timeout 60 qemu-aarch64-static "$x/usr/sbin/rpilbctl" check -c "$x/etc/rpilb/rpilb.cfg" 2>&1)
	[[ $? -eq 0 && $out == *"Configuration file is valid"* ]] && ok "arm64: rpilbctl check of the packaged config under qemu" ||
		bad "arm64: rpilbctl check under qemu" "$out"
else
	echo "  note  qemu-aarch64-static or the arm64 libc missing: the arm64 binary was not run"
fi

# --- amd64 in a throwaway Debian 12 ---------------------------------------------
if ! command -v debootstrap >/dev/null; then
	[[ ${CI:-} == true ]] && bad "debootstrap installed (CI=true)"
	echo "  note  debootstrap missing (apt-get install debootstrap): the install test did not run"
	finish
fi
# Nothing may be mounted under the root when it is removed.
on_exit "findmnt -rn -o TARGET | grep -q '^$R/' || rm -rf '$R'"
mkdir -p "$CACHE"
echo "  ..    debootstrap bookworm (minbase + $want_deps) from $MIRROR"
if ! timeout 400 debootstrap --variant=minbase --cache-dir="$CACHE" \
	--include=libbpf1,libelf1,zlib1g,libmicrohttpd12 bookworm "$R" "$MIRROR" >"$T/debootstrap.log" 2>&1; then
	if [[ ${CI:-} == true ]]; then
		bad "debootstrap bookworm" "$(tail -n 3 "$T/debootstrap.log")"
	else
		echo "  note  debootstrap failed (no network?): the install test did not run"
		tail -n 3 "$T/debootstrap.log" | sed 's/^/        /'
	fi
	finish
fi
ok "debootstrap: a minimal Debian 12 with the declared dependencies"

# Maintainer scripts run chrooted into $R; no network namespace but lo.
rdpkg()
{
	unshare --net -- dpkg --root="$R" --force-confold "$@" </dev/null
}
status_of()
{
	dpkg-query --root="$R" -W -f='${Status} ${Version}' rpilb 2>/dev/null
}
wants=$R/etc/systemd/system/multi-user.target.wants/rpilb.service
mask=$R/etc/systemd/system/rpilb.service

if rdpkg -i "$deb_amd64" >"$T/install.log" 2>&1; then
	ok "dpkg --root -i: installs cleanly on Debian 12 (Depends satisfied, scripts ran)"
else
	bad "dpkg --root -i" "$(tail -n 5 "$T/install.log")"
	finish
fi
[[ $(status_of) == "install ok installed $PKG_VERSION" ]] && ok "dpkg status: install ok installed" ||
	bad "dpkg status" "$(status_of)"
missing=""
for f in usr/sbin/rpilbctl lib/systemd/system/rpilb.service etc/rpilb/rpilb.cfg \
	usr/share/man/man8/rpilbctl.8.gz usr/share/man/man5/rpilb.cfg.5.gz \
	usr/share/bash-completion/completions/rpilbctl; do
	[[ -f $R/$f ]] || missing+=" $f"
done
[[ -z $missing ]] && ok "installed: binary, unit, config, man pages, completion" || bad "installed files" "$missing"
dpkg-query --root="$R" -W -f='${Conffiles}\n' rpilb | grep -q '^ /etc/rpilb/rpilb.cfg [0-9a-f]\{32\}$' &&
	ok "dpkg knows /etc/rpilb/rpilb.cfg as a conffile" ||
	bad "conffile registered" "$(dpkg-query --root="$R" -W -f='${Conffiles}' rpilb)"
[[ -L $wants && $(readlink "$wants") == /lib/systemd/system/rpilb.service ]] &&
	ok "the unit is enabled (multi-user.target.wants, by deb-systemd-helper)" ||
	bad "unit enabled" "$(ls -l "$R/etc/systemd/system" 2>&1 | head -n 5)"
[[ -e $R/var/lib/systemd/deb-systemd-helper-enabled/rpilb.service.dsh-also ]] &&
	ok "deb-systemd-helper tracks the unit's links" || bad "deb-systemd-helper state"
grep -q "enabled but not started" "$T/install.log" &&
	ok "first installation: not started, the admin is told to review the config" ||
	bad "postinst message" "$(tail -n 3 "$T/install.log")"

out=$(unshare --net -- chroot "$R" /usr/sbin/rpilbctl --version 2>&1)
[[ $out == "rpilbctl $PKG_VERSION (libbpf v1."* ]] && ok "in Debian 12: $out" ||
	bad "rpilbctl --version in the root" "$out"
out=$(unshare --net -- chroot "$R" /usr/sbin/rpilbctl check -c /etc/rpilb/rpilb.cfg 2>&1)
rc=$?
[[ $rc -eq 0 && $out == *"Configuration file is valid: 1 frontend, 1 backend, 3 servers."* ]] &&
	ok "in Debian 12: rpilbctl check -c /etc/rpilb/rpilb.cfg" || bad "rpilbctl check in the root (exit $rc)" "$out"
out=$(chroot "$R" /bin/bash -c 'source /usr/share/bash-completion/completions/rpilbctl && complete -p rpilbctl' 2>&1)
[[ $out == "complete -F _rpilbctl rpilbctl" ]] && ok "in Debian 12: the completion loads" ||
	bad "completion in the root" "$out"

# Upgrade 1: the admin edited the config and disabled the unit; the new
# package ships the same default config.
echo "# edited by the admin" >>"$R/etc/rpilb/rpilb.cfg"
chroot "$R" deb-systemd-helper disable rpilb.service >/dev/null 2>&1
[[ ! -e $wants ]] || bad "deb-systemd-helper disable removed the link"
DEB_VERSION=$PKG_VERSION+pkgtest1 "$PKG_ROOT/tools/dist/mkdeb.sh" amd64 "$T/up1" >/dev/null 2>&1
if rdpkg -i "$T/up1/rpilb_${PKG_VERSION}+pkgtest1_amd64.deb" >"$T/up1.log" 2>&1; then
	ok "upgrade to $PKG_VERSION+pkgtest1"
else
	bad "upgrade" "$(tail -n 5 "$T/up1.log")"
fi
tail -n 1 "$R/etc/rpilb/rpilb.cfg" | grep -q "edited by the admin" &&
	ok "upgrade keeps the admin's config (no prompt: the default did not change)" || bad "config kept on upgrade"
[[ ! -e $wants ]] && ok "upgrade keeps the unit disabled (was-enabled)" || bad "upgrade re-enabled a disabled unit"
chroot "$R" deb-systemd-helper enable rpilb.service >/dev/null 2>&1

# Upgrade 2: the default config changed too. dpkg keeps the admin's file
# (here with --force-confold; interactively it asks) and puts the new one
# beside it.
dpkg-deb -R "$T/up1/rpilb_${PKG_VERSION}+pkgtest1_amd64.deb" "$T/up2"
echo "# a new default" >>"$T/up2/etc/rpilb/rpilb.cfg"
sed -i "s/^Version: .*/Version: $PKG_VERSION+pkgtest2/" "$T/up2/DEBIAN/control"
(cd "$T/up2" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | xargs -0 md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -b "$T/up2" "$T/up2.deb" >/dev/null
if rdpkg -i "$T/up2.deb" >"$T/up2.log" 2>&1; then
	ok "upgrade to $PKG_VERSION+pkgtest2 (a new default config)"
else
	bad "upgrade 2" "$(tail -n 5 "$T/up2.log")"
fi
tail -n 1 "$R/etc/rpilb/rpilb.cfg" | grep -q "edited by the admin" &&
	tail -n 1 "$R/etc/rpilb/rpilb.cfg.dpkg-dist" 2>/dev/null | grep -q "a new default" &&
	ok "changed on both sides: the admin's stays, the new one is rpilb.cfg.dpkg-dist" ||
	bad "conffile changed on both sides" "$(ls "$R/etc/rpilb")"
[[ -L $wants ]] && ok "upgrade keeps an enabled unit enabled" || bad "enabled unit after upgrade"

# Remove: binaries go, the config stays, the unit is masked.
if rdpkg -r rpilb >"$T/remove.log" 2>&1; then
	ok "dpkg --root -r rpilb"
else
	bad "dpkg -r" "$(tail -n 5 "$T/remove.log")"
fi
grep -q "rpilb was not running" "$T/remove.log" && ok "prerm ran 'rpilbctl down' (nothing was running)" ||
	bad "prerm's rpilbctl down" "$(tail -n 3 "$T/remove.log")"
[[ $(status_of) == "deinstall ok config-files"* ]] && ok "status after remove: config-files" ||
	bad "status after remove" "$(status_of)"
[[ ! -e $R/usr/sbin/rpilbctl && ! -e $R/lib/systemd/system/rpilb.service && -f $R/etc/rpilb/rpilb.cfg ]] &&
	ok "remove: binary and unit gone, config kept" || bad "files after remove"
[[ -L $mask && $(readlink "$mask") == /dev/null ]] && ok "remove: the unit is masked" ||
	bad "unit masked after remove" "$(ls -l "$mask" 2>&1)"

# Reinstall: unmasked and enabled again.
rdpkg -i "$deb_amd64" >"$T/reinstall.log" 2>&1 || bad "reinstall" "$(tail -n 5 "$T/reinstall.log")"
[[ ! -e $mask && -L $wants ]] && ok "reinstall: unmasked and enabled" ||
	bad "reinstall: unit state" "$(ls -l "$R/etc/systemd/system" 2>&1 | head -n 5)"

# Purge: nothing left.
mkdir -p "$R/var/lib/rpilb" && echo x >"$R/var/lib/rpilb/state"
if rdpkg -P rpilb >"$T/purge.log" 2>&1; then
	ok "dpkg --root -P rpilb"
else
	bad "dpkg -P" "$(tail -n 5 "$T/purge.log")"
fi
left=""
for f in etc/rpilb var/lib/rpilb usr/sbin/rpilbctl etc/systemd/system/rpilb.service \
	etc/systemd/system/multi-user.target.wants/rpilb.service \
	var/lib/systemd/deb-systemd-helper-enabled/rpilb.service.dsh-also \
	var/lib/systemd/deb-systemd-helper-masked/rpilb.service; do
	[[ -e $R/$f || -L $R/$f ]] && left+=" $f"
done
[[ -z $left ]] && ok "purge: config, state, links and helper state all gone" || bad "left after purge" "$left"
[[ -z $(status_of) || $(status_of) == "unknown ok not-installed"* ]] && ok "status after purge: not installed" ||
	bad "status after purge" "$(status_of)"
finish
