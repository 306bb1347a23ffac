#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh: the package installs the way a Debian user installs it.
# make deb, then in a fresh copy of a clean Debian 12 and a clean Debian 13
# root (tools/debroot.sh: debootstrap --variant=minbase, cached pristine;
# apt's downloads cached too):
#   deb                 make deb builds xen-pvusb-dkms_<version>_all.deb
#   R deps              tools/deps.sh --simulate in the clean root: every
#                       package make deps installs exists in release R
#   R install           apt-get install the .deb with dkms and the
#                       release's linux-headers-amd64
#   R dkms              dkms built and installed both modules for the
#                       release's kernel: dkms status says installed,
#                       modinfo shows our version and that kernel's vermagic
#   R signed            dkms signed them with its MOK key
#                       (/var/lib/dkms/mok.pub; openssl, which the package
#                       recommends, makes the key)
#   R boot-unit         xen-pvusb-usbback.service installed and enabled
#   R no-headers        dkms install for a kernel without headers fails
#                       with a message that says the headers are missing
#   R purge             apt-get purge leaves nothing behind: no
#                       /usr/src/xen-pvusb-*, /var/lib/dkms/xen-pvusb,
#                       usbback.ko/usbfront.ko under /lib/modules, unit
#                       file or its enablement link
#   R make-install      without the package: make install (default KDIR:
#                       the release's headers) puts both modules into
#                       /lib/modules/<kernel>/updates and runs depmod
#   R make-uninstall    make uninstall removes them again
# R is bookworm and trixie (XENUSB_INSTALL_RELEASES= picks others), tested
# at the same time, their lines printed one release after the other.  The
# last line is "install: N passed, N failed".
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${XENUSB_BUILD:-$TOP/build}
OUT=$BUILD/install
RELEASES=${XENUSB_INSTALL_RELEASES:-bookworm trixie}
cd "$TOP" || exit 1

passed=0
failed=0
pass() { echo "install: ok   $1"; passed=$((passed + 1)); }
fail() { echo "install: FAIL $1"; failed=$((failed + 1)); }
finish() {
	echo "install: $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

DEBROOT="bash tools/debroot.sh"
APT=(apt-get -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io)

mkdir -p "$OUT"
t=$SECONDS
if bash tools/mkdeb.sh > "$OUT/mkdeb.log" 2>&1; then
	deb=$(sed -n 's/^mkdeb: \(.*\.deb\)$/\1/p' "$OUT/mkdeb.log")
	pass "deb: $(basename "$deb") ($((SECONDS - t))s)"
else
	cat "$OUT/mkdeb.log"
	fail "deb: make deb failed"
	finish
fi
version=$(dpkg-deb -f "$deb" Version)

# in the root under test
in_root() { $DEBROOT run "$root" --apt-cache -- "$@"; }

# $1 release; every case of that release
one_release() {
	local rel=$1 log kver ko v vm left bad re signer rc
	root=$OUT/$rel/root
	log=$OUT/$rel.log
	: > "$log"
	t=$SECONDS
	if ! $DEBROOT ensure "$rel-base" "$rel" > /dev/null 2>> "$log" ||
	   ! $DEBROOT copy "$rel-base" "$root" 2>> "$log"; then
		tail -n 20 "$log"
		fail "$rel install: no clean $rel root (log: $log)"
		return
	fi
	cp "$deb" "$root/tmp/"
	if ! in_root apt-get update -qq >> "$log" 2>&1; then
		tail -n 20 "$log"
		fail "$rel install: apt-get update failed (log: $log)"
		return
	fi

	# make deps on this release: every package name resolves
	cp tools/deps.sh "$root/tmp/"
	in_root bash /tmp/deps.sh --simulate > "$OUT/$rel.deps" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && ! grep -q '^E:' "$OUT/$rel.deps"; then
		pass "$rel deps: $(grep -c '^Inst ' "$OUT/$rel.deps") packages would be installed; $(sed -n 's/^deps: [^:]*: //p' "$OUT/$rel.deps" | tr ' ' '\n' | grep -E 'linux-source|libclang-rt' | tr '\n' ' ')"
	else
		grep -E '^E:|^deps:' "$OUT/$rel.deps"
		fail "$rel deps: tools/deps.sh --simulate failed (exit $rc; log: $OUT/$rel.deps)"
	fi

	if in_root "${APT[@]}" install "/tmp/$(basename "$deb")" dkms \
		linux-headers-amd64 openssl >> "$log" 2>&1; then
		pass "$rel install ($((SECONDS - t))s)"
	else
		tail -n 30 "$log"
		fail "$rel install: apt-get install failed (log: $log)"
		return
	fi

	# the release's kernel: the one its linux-headers-amd64 is for
	kver=$(cd "$root/usr/src" && ls -d linux-headers-*-amd64 | sort -V | tail -n 1)
	kver=${kver#linux-headers-}
	bad=
	in_root dkms status > "$OUT/$rel.dkms-status" 2>&1
	grep -F "xen-pvusb/$version, $kver, " "$OUT/$rel.dkms-status" | grep -q ': installed$' ||
		bad="dkms status: $(tr '\n' ' ' < "$OUT/$rel.dkms-status")"
	for ko in usbback usbfront; do
		v=$(in_root modinfo -k "$kver" -F version "$ko" 2>&1)
		vm=$(in_root modinfo -k "$kver" -F vermagic "$ko" 2>&1)
		[ "$v" = "$version" ] || bad="$bad $ko version '$v'"
		[ "${vm%% *}" = "$kver" ] || bad="$bad $ko vermagic '$vm'"
		signer=$(in_root modinfo -k "$kver" -F signer "$ko" 2>&1)
		echo "$rel $ko: version $v, vermagic $vm, signer ${signer:-none}" >> "$log"
	done
	if [ -z "$bad" ]; then
		pass "$rel dkms: usbback, usbfront $version built for $kver"
	else
		fail "$rel dkms:$bad (log: $log)"
	fi
	# Secure Boot: dkms signs with its MOK key (made with openssl)
	if [ -f "$root/var/lib/dkms/mok.pub" ] && [[ "$signer" == *DKMS* ]]; then
		pass "$rel signed: by \"$signer\" (/var/lib/dkms/mok.pub)"
	else
		fail "$rel signed: signer '${signer:-none}', mok.pub $([ -f "$root/var/lib/dkms/mok.pub" ] && echo present || echo missing)"
	fi

	if [ -f "$root/lib/systemd/system/xen-pvusb-usbback.service" ] &&
	   [ -L "$root/etc/systemd/system/multi-user.target.wants/xen-pvusb-usbback.service" ]; then
		pass "$rel boot-unit: xen-pvusb-usbback.service enabled"
	else
		fail "$rel boot-unit: xen-pvusb-usbback.service missing or not enabled"
	fi

	# what a user sees when a kernel's headers are missing
	in_root dkms install -m xen-pvusb -v "$version" -k 1.2.3-noheaders \
		> "$OUT/$rel.noheaders" 2>&1
	rc=$?
	re='kernel headers.*(cannot be found|not (be )?(found|installed)|missing)'
	if [ "$rc" != 0 ] && grep -qiE "$re" "$OUT/$rel.noheaders"; then
		pass "$rel no-headers: exit $rc, \"$(grep -iE -m1 "$re" "$OUT/$rel.noheaders" | sed 's/^ *//')\""
	else
		cat "$OUT/$rel.noheaders"
		fail "$rel no-headers: exit $rc, no word about headers"
	fi

	if ! in_root "${APT[@]}" purge xen-pvusb-dkms >> "$log" 2>&1; then
		tail -n 20 "$log"
		fail "$rel purge: apt-get purge failed (log: $log)"
		return
	fi
	left=$(cd "$root" && ls -d usr/src/xen-pvusb-* var/lib/dkms/xen-pvusb \
		lib/modules/*/updates/dkms/usbback.ko* lib/modules/*/updates/dkms/usbfront.ko* \
		lib/systemd/system/xen-pvusb-usbback.service \
		usr/lib/systemd/system/xen-pvusb-usbback.service \
		etc/systemd/system/*/xen-pvusb-usbback.service 2>/dev/null)
	left="$left$(cd "$root" && find lib/modules -name 'usbback.ko*' -o -name 'usbfront.ko*' 2>/dev/null)"
	if [ -z "$left" ]; then
		pass "$rel purge: nothing left behind"
	else
		fail "$rel purge: left behind: $(echo "$left" | tr '\n' ' ')"
	fi

	# make install / make uninstall without the package, in the same root
	# (the release's headers and compiler are there), from a scratch copy
	# with the default KDIR: the newest /usr/src/linux-headers-*-amd64
	bash tools/kbuild.sh copy "$OUT/$rel/src" && cp Makefile "$OUT/$rel/src/"
	if $DEBROOT run "$root" --bind "$OUT/$rel/src:/xenusb" -- \
		make -C /xenusb install >> "$log" 2>&1 &&
	   [ -f "$root/lib/modules/$kver/updates/usbback.ko" ] &&
	   [ -f "$root/lib/modules/$kver/updates/usbfront.ko" ] &&
	   v=$(in_root modinfo -k "$kver" -F version usbfront 2>&1) &&
	   [ "$v" = "$version" ] &&
	   grep -q "updates/usbfront.ko" "$root/lib/modules/$kver/modules.dep"; then
		pass "$rel make-install: both in /lib/modules/$kver/updates, depmod ran, version $v"
	else
		tail -n 20 "$log"
		fail "$rel make-install (log: $log)"
	fi
	if $DEBROOT run "$root" --bind "$OUT/$rel/src:/xenusb" -- \
		make -C /xenusb uninstall >> "$log" 2>&1 &&
	   [ -z "$(find "$root/lib/modules" -name 'usbback.ko*' -o -name 'usbfront.ko*')" ] &&
	   ! grep -q 'usbfront.ko' "$root/lib/modules/$kver/modules.dep"; then
		pass "$rel make-uninstall: nothing left"
	else
		tail -n 20 "$log"
		fail "$rel make-uninstall (log: $log)"
	fi
}

# The releases at once: each mostly waits on apt, dpkg and the disk (one
# compile each, dkms's), so two overlap well on two cores.  Each one's lines
# go to its own file, printed whole and in order, then counted.
for rel in $RELEASES; do
	(
		echo "install: $rel"
		one_release "$rel"
		rm -rf "${OUT:?}/$rel"
		echo "install: $rel took $((SECONDS - t))s"
	) > "$OUT/$rel.out" 2>&1 &
done
wait
for rel in $RELEASES; do
	cat "$OUT/$rel.out"
	passed=$((passed + $(grep -c '^install: ok ' "$OUT/$rel.out")))
	failed=$((failed + $(grep -c '^install: FAIL ' "$OUT/$rel.out")))
	grep -q "^install: $rel took " "$OUT/$rel.out" || fail "$rel: ended before its last case"
done

finish
