#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch and build everything the e2e bed needs that does not change from run
# to run, under $CACHE ($XENUSB_CACHE/e2e for the bookworm flavour,
# $XENUSB_CACHE/e2e-trixie for trixie; E2E_FLAVOUR in lib.sh).  Every step is
# skipped when its stamp says it is done, so a cached run takes a few seconds.
#
#   sysroot   debootstrap --variant=minbase of the flavour's suite + xen-utils,
#             xenstore-utils, qemu-system-xen, usbutils, upgraded from
#             -security/-updates so the tools match the hypervisor (~60-90 s,
#             once).  A flavour that is not the host's release also gets
#             the compiler, linux-headers-amd64 and linux-source here: its
#             kernel modules are built in this sysroot (chroot), and KVER is
#             what its linux-headers-amd64 points to
#   sysroot-extra  packages added to the sysroot after it was first built
#             (alsa-utils: aplay for the iso scenario), apt-get installed
#             into it; additive, so existing caches need no re-debootstrap
#   debs      apt-get download (the host's apt, or the sysroot's for a
#             flavour built there): xen-hypervisor-$XENVER-amd64,
#             linux-image-$KVER
#   xen       the hypervisor, gunzipped (QEMU's multiboot loader needs the ELF)
#   kernel    linux-image-$KVER unpacked and depmod'ed; its Debian version must
#             be the one of the installed linux-headers-$KVER (same ABI)
#   peers     xen-hcd.ko (drivers/usb/host/xen-hcd.c; Debian builds its 6.1
#             and 6.12 kernels without CONFIG_USB_XEN_HCD) and a static
#             testusb (tools/usb/testusb.c), both from the flavour's
#             linux-source (6.1: tools/ksrc.sh; else the sysroot's)
#   base      dom0 and domU root trees: busybox, binaries + shared libraries
#             cut from the sysroot, kernel modules (images.sh packs them)
#   stick     $STICK_MB MiB image: magic line, then pseudo-random data; md5
#             recorded next to it.  QEMU opens it with snapshot=on, so it
#             stays pristine whatever the guests write.
#
# The bookworm-debug flavour ($XENUSB_CACHE/e2e-debug) first sets up the
# bookworm bed (its Xen, sysroot and stick are used as they are), then
# builds its kernel (debug-kernel.sh: kernel, and build/ as the KDIR of the
# out-of-tree modules), its peers against that kernel and its base trees.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
KVER_OPTIONAL=1 . "$(dirname "$0")/lib.sh"

mkdir -p "$CACHE" "$DEBS"

# Mirrors apt already uses on this machine (deb822 .sources or .list files)
apt_uri() {
	{ cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v s="$SUITE$1" '
		/^URIs:/ {u=$2} /^Suites:/ {for (i=2;i<=NF;i++) if ($i==s) {print u; exit}}'
	  grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v s="$SUITE$1" '$3==s {print $2; exit}'; } | head -n1 || true
}
MIRROR=${MIRROR:-$(apt_uri "")}
SECURITY_MIRROR=${SECURITY_MIRROR:-$(apt_uri -security)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# step FN: run a setup step; say something only when it had work to do
step() {
	local t=$SECONDS
	"$@"
	[ $((SECONDS - t)) -lt 2 ] || log "setup: $1 took $((SECONDS - t))s"
}

############################################################ debs + kernel + xen
fetch_debs() {
	local want=("xen-hypervisor-$XENVER-amd64" "linux-image-$KVER=$KPKGVER")
	local need=() p
	for p in "${want[@]}"; do
		ls "$DEBS/${p%%=*}"_*.deb >/dev/null 2>&1 || need+=("$p")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	# apt-get download as root warns that _apt cannot sandbox: harmless
	if [ -z "$BUILD_CHROOT" ]; then
		(cd "$DEBS" && apt-get download -q "${need[@]}" 2>&1 | grep -v -i 'sandbox' || true)
	else
		# the flavour's own archive, as its sysroot's apt knows it
		rm -rf "$SYSROOT/tmp/debs"
		mkdir -p "$SYSROOT/tmp/debs"
		chroot "$SYSROOT" sh -c 'cd /tmp/debs && apt-get download -q "$@"' sh "${need[@]}" 2>&1 |
			grep -v -i 'sandbox' || true
		mv "$SYSROOT"/tmp/debs/*.deb "$DEBS/" 2>/dev/null || true
		rm -rf "$SYSROOT/tmp/debs"
	fi
	for p in "${want[@]}"; do
		ls "$DEBS/${p%%=*}"_*.deb >/dev/null 2>&1 || die "apt-get download ${p} failed"
	done
}

unpack_kernel() {
	local deb ver
	deb=$(ls "$DEBS/linux-image-${KVER}"_*.deb)
	ver=$(dpkg-deb -f "$deb" Version)
	# The ABI pin: modules are built against linux-headers-$KVER $KPKGVER
	[ "$ver" = "$KPKGVER" ] ||
		die "linux-image-$KVER is $ver but linux-headers-$KVER is $KPKGVER: rerun 'make deps'"
	stamp_ok kernel "$KVER $ver" && return 0
	rm -rf "$KROOT"
	dpkg-deb -x "$deb" "$KROOT"
	# Debian 13's packages ship /usr/lib/modules (merged /usr); depmod -b
	# and modprobe -d look in <root>/lib/modules
	[ -d "$KROOT/usr/lib/modules" ] && [ ! -e "$KROOT/lib" ] && ln -s usr/lib "$KROOT/lib"
	[ -f "$VMLINUZ" ] && [ -d "$KROOT/lib/modules/$KVER" ] || die "unexpected layout in $deb"
	depmod -b "$KROOT" "$KVER"
	stamp_set kernel "$KVER $ver"
}

unpack_xen() {
	local deb
	deb=$(ls "$DEBS/xen-hypervisor-$XENVER-amd64"_*.deb)
	stamp_ok xen "$(basename "$deb")" && return 0
	rm -rf "$CACHE/xen" "$CACHE/xen.tmp"
	dpkg-deb -x "$deb" "$CACHE/xen.tmp"
	mkdir -p "$CACHE/xen"
	gunzip -c "$CACHE/xen.tmp/boot/xen-$XENVER-amd64.gz" > "$XEN_BIN"
	rm -rf "$CACHE/xen.tmp"
	stamp_set xen "$(basename "$deb")"
}

############################################################ sysroot
SYSROOT_PKGS=xen-utils-$XENVER,xenstore-utils,qemu-system-xen,busybox-static,kmod,usbutils
# a flavour whose modules are built in its sysroot: the toolchain, headers
# and source of its kernel (gcc is the one the headers were made with)
[ -n "$BUILD_CHROOT" ] && SYSROOT_PKGS+=,alsa-utils,make,gcc,libc6-dev,linux-headers-amd64,linux-source,xz-utils
sysroot() {
	stamp_ok sysroot "$SUITE $SYSROOT_PKGS" && return 0
	rm -rf "$SYSROOT"
	debootstrap --variant=minbase --include="$SYSROOT_PKGS" \
		"$SUITE" "$SYSROOT" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1 ||
		{ tail -20 "$CACHE/debootstrap.log"; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
	# a plain suite can have older xen-utils than the hypervisor from -security
	cat > "$SYSROOT/etc/apt/sources.list" <<-EOF
		deb $MIRROR $SUITE main
		deb $MIRROR $SUITE-updates main
		deb $SECURITY_MIRROR $SUITE-security main
	EOF
	chroot "$SYSROOT" apt-get update -qq
	# xen-utils' postinst says "Can't find hypervisor information": harmless
	DEBIAN_FRONTEND=noninteractive chroot "$SYSROOT" \
		apt-get -y -qq --no-install-recommends upgrade > "$CACHE/upgrade.log" 2>&1 || true
	chroot "$SYSROOT" apt-get clean
	stamp_set sysroot "$SUITE $SYSROOT_PKGS"
}

# Packages the bed needs beyond SYSROOT_PKGS.  Kept out of SYSROOT_PKGS on
# purpose: that list is the sysroot's stamp, and changing it would delete and
# re-debootstrap a sysroot that other checkouts share.  Installed on top
# instead, only when dpkg says one is missing.
SYSROOT_EXTRA="alsa-utils"
# a flavour whose modules come from the xen-pvusb-dkms package (modules.sh)
[ -n "$BUILD_CHROOT" ] && SYSROOT_EXTRA+=" dkms"
sysroot_extra() {
	local p need=()
	for p in $SYSROOT_EXTRA; do
		chroot "$SYSROOT" dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || need+=("$p")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	chroot "$SYSROOT" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive chroot "$SYSROOT" apt-get -y -q \
		--no-install-recommends install "${need[@]}" > "$CACHE/extra.log" 2>&1 ||
		{ tail -20 "$CACHE/extra.log"; die "apt-get install ${need[*]} in the sysroot failed"; }
	chroot "$SYSROOT" apt-get clean
}

check_versions() {
	local hv tools
	hv=$(ls "$DEBS/xen-hypervisor-$XENVER-amd64"_*.deb | sed 's/.*_\(.*\)_amd64.deb/\1/; s/%3a/:/')
	tools=$(chroot "$SYSROOT" dpkg-query -W -f='${Version}' "xen-utils-$XENVER")
	[ "$hv" = "$tools" ] || die "xen-hypervisor $hv != xen-utils $tools in the sysroot (rm $CACHE/.stamp-sysroot)"
}

############################################################ peers
# peer_src: a directory with the flavour's drivers/usb/host/xen-hcd.c and
# tools/usb/testusb.c (the host's linux-source-6.1, or the two files taken
# out of the sysroot's linux-source tarball)
peer_src() {
	local tarball
	if [ -n "$DEBUG_FLAVOUR" ]; then
		# the source the debug kernel is built from (debug-kernel.sh)
		XENUSB_CACHE=$CACHE bash "$TOP/tools/ksrc.sh"
		return
	fi
	if [ -z "$BUILD_CHROOT" ]; then
		bash "$TOP/tools/ksrc.sh"
		return
	fi
	tarball=$(ls "$SYSROOT"/usr/src/linux-source-*.tar.xz | sort -V | tail -n 1)
	if ! stamp_ok peer-src "$(basename "$tarball")" || [ ! -f "$CACHE/peer-src/tools/usb/testusb.c" ]; then
		rm -rf "$CACHE/peer-src"
		mkdir -p "$CACHE/peer-src"
		tar -xJf "$tarball" -C "$CACHE/peer-src" --strip-components=1 --wildcards \
			'*/drivers/usb/host/xen-hcd.c' '*/tools/usb/testusb.c'
		stamp_set peer-src "$(basename "$tarball")"
	fi
	echo "$CACHE/peer-src"
}

peers() {
	local ksrc key
	ksrc=$(peer_src)
	key="$KVER $KPKGVER $(md5sum < "$ksrc/drivers/usb/host/xen-hcd.c" | cut -c1-12)"
	if ! stamp_ok peers "$key" || [ ! -f "$PEERS/xen-hcd/xen-hcd.ko" ] || [ ! -x "$PEERS/testusb" ]; then
		rm -rf "$PEERS"
		mkdir -p "$PEERS/xen-hcd"
		cp "$ksrc/drivers/usb/host/xen-hcd.c" "$PEERS/xen-hcd/"
		echo 'obj-m := xen-hcd.o' > "$PEERS/xen-hcd/Kbuild"
		kbuild "$PEERS/xen-hcd" -s modules 2>&1 | grep -v 'Skipping BTF' || true
		[ -f "$PEERS/xen-hcd/xen-hcd.ko" ] || die "xen-hcd.ko did not build"
		cp "$ksrc/tools/usb/testusb.c" "$PEERS/"
		build_cmd "$PEERS" gcc -O2 -static -pthread -o testusb testusb.c
		stamp_set peers "$key"
	fi
	[ "$(modinfo -F vermagic "$PEERS/xen-hcd/xen-hcd.ko" | cut -d' ' -f1)" = "$KVER" ] ||
		die "xen-hcd.ko vermagic is not $KVER"
}

############################################################ stick image
stick() {
	if [ -f "$STICK" ] && [ -f "$STICK.md5" ] && [ -f "$STICK.md5-$CHECK_MB" ] && [ "$(stat -c %s "$STICK")" = $((STICK_MB << 20)) ]; then
		return 0
	fi
	# magic line at offset 0, then pseudo-random data (reproducible: a keyed
	# stream from openssl would be nicer, but /dev/urandom + recorded md5 is enough)
	head -c $((STICK_MB << 20)) /dev/urandom > "$STICK.tmp"
	printf '%s\n' "$STICK_MAGIC" | dd of="$STICK.tmp" conv=notrunc status=none
	md5sum < "$STICK.tmp" | cut -d' ' -f1 > "$STICK.md5"
	# the storage scenario checks the first CHECK_MB MiB (the whole stick
	# through qusb + xen-hcd under TCG takes minutes; bench.sh reads it all)
	head -c $((CHECK_MB << 20)) "$STICK.tmp" | md5sum | cut -d' ' -f1 > "$STICK.md5-$CHECK_MB"
	mv "$STICK.tmp" "$STICK"
}

# demo stick: 16 MiB FAT image with HELLO.TXT (mtools, no loop mount needed)
demo_stick() {
	stamp_ok demo-stick "$DEMO_TEXT" && [ -f "$DEMO_STICK" ] && return 0
	rm -f "$DEMO_STICK"
	mkfs.vfat -C -n XENPVUSB "$DEMO_STICK" 16384 > /dev/null
	printf '%s\n' "$DEMO_TEXT" > "$CACHE/HELLO.TXT"
	mcopy -i "$DEMO_STICK" "$CACHE/HELLO.TXT" ::HELLO.TXT
	rm -f "$CACHE/HELLO.TXT"
	stamp_set demo-stick "$DEMO_TEXT"
}

t0=$SECONDS
base_trees() { bash "$E2E_DIR/base.sh"; }
if [ -n "$DEBUG_FLAVOUR" ]; then
	bookworm_bed() { E2E_FLAVOUR=bookworm KVER='' bash "$E2E_DIR/setup.sh"; }
	debug_kernel() { DBG_CACHE=$CACHE PROD_KROOT=$SHARED/kernel bash "$E2E_DIR/debug-kernel.sh"; }
	step bookworm_bed
	step debug_kernel
	step peers
	step base_trees
	log "setup: ready in $((SECONDS - t0))s (cache $CACHE, kernel $KVER)"
	exit 0
fi
step sysroot
step sysroot_extra
if [ -z "${KVER:-}" ]; then
	# a flavour built in its sysroot: KVER is known now
	unset KVER KVER_OPTIONAL
	# shellcheck source=tests/e2e/lib.sh
	. "$E2E_DIR/lib.sh"
fi
step fetch_debs
step unpack_kernel
step unpack_xen
check_versions
step peers
step stick
step demo_stick
step base_trees
log "setup: ready in $((SECONDS - t0))s (cache $CACHE)"
