#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pack this run's initramfs images from the cached base trees (setup.sh):
#
#   $IMG/domU.cpio   base domU + domU-init + g.sh + testusb + usbfs-op + every frontend
#                    available: xen-hcd.ko (peer) and our usbfront.ko if built
#                    + udevd with our udev rule + Debian's xen-blkfront
#   $IMG/dom0.cpio   base dom0 + dom0-init + lib.sh + scenarios + testusb +
#                    our usbback.ko if built + the domU image + /e2e/config
#                    + Debian's xen-blkback and the vbd-phy hotplug script
#
# Cells pick their driver at boot time (e2e.cell= on the dom0 command line),
# so one pair of images serves the whole matrix.  ~3 s.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

IMG=${IMG:-$XENUSB_BUILD/e2e-img}
MODDIR=lib/modules/$KVER
G=$E2E_DIR/guest
[ -d "$BASE/dom0" ] && [ -d "$BASE/domU" ] || die "no base trees: run tests/e2e/setup.sh"
mkdir -p "$IMG"
# private work dir: several runs may pack images at the same time
W=$(mktemp -d "$IMG/.work.XXXXXX")
trap 'rm -rf "$W"' EXIT

pack() {  # pack ROOT OUT: uncompressed newc (gzip costs dom0 ~0.4 s to unpack under TCG)
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$2"
}
# add_ko ROOT KO: an out-of-tree module, checked against the kernel we boot
add_ko() {
	local vm
	vm=$(modinfo -F vermagic "$2" | cut -d' ' -f1)
	if [ "$vm" != "$KVER" ]; then
		log "images: skipping $2: vermagic $vm, want $KVER"
		return 0
	fi
	mkdir -p "$1/$MODDIR/extra"
	cp "$2" "$1/$MODDIR/extra/"
}

# add_debian_kos ROOT MODULE...: modules of the Debian kernel we boot that
# the cached base trees lack (base.sh), with their dependencies: the
# bench's pv-blk reference needs xen-blkback in dom0, xen-blkfront in domU
add_debian_kos() {
	local r=$1 m ko deps
	shift
	for m in "$@"; do
		# a kernel without the module (the debug flavour's trimmed one)
		# only loses the bench's pv-blk column
		if ! deps=$(modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" 2>&1); then
			log "images: no $m in $KVER: $deps"
			continue
		fi
		awk '$1 == "insmod" {print $2}' <<<"$deps" | while read -r ko; do
			mkdir -p "$r/$(dirname "${ko#"$KROOT"/}")"
			cp "$ko" "$r/${ko#"$KROOT"/}"
		done
	done
}

# add_test_kos ROOT: the bed's test-only modules (make test-modules), in
# both images: a scenario loads the one it needs, in dom0 or in a guest
add_test_kos() {
	local ko
	for ko in "$TEST_KO_DIR"/*.ko; do
		[ -f "$ko" ] && add_ko "$1" "$ko"
	done
	return 0
}

######################################## domU
R=$W/root-domU
rm -rf "$R"
cp -a "$BASE/domU" "$R"
install -m 755 "$G/domU-init" "$R/init"
mkdir -p "$R/e2e"
cp "$G/g.sh" "$G/common.sh" "$G/alsa.sh" "$G/trace.sh" "$R/e2e/"
install -m 755 "$PEERS/testusb" "$R/usr/bin/testusb"
# usbfs-op: USBDEVFS_RESET and a zero-packet bulk OUT URB (scenario features)
cp "$G/usbfs-op.c" "$W/"
build_cmd "$W" gcc -O2 -static -o usbfs-op usbfs-op.c
install -m 755 "$W/usbfs-op" "$R/usr/bin/usbfs-op"
add_ko "$R" "$PEERS/xen-hcd/xen-hcd.ko"
[ -f "$USBFRONT_KO" ] && add_ko "$R" "$USBFRONT_KO"
add_test_kos "$R"
add_debian_kos "$R" xen-blkfront
depmod -b "$R" "$KVER"
# udevd with the package's one rule (usbfront/60-xen-vusb-storage.rules),
# as `make install` puts it in a guest: domU-init starts it.  Added here,
# not in the cached base tree, so that the rule is this checkout's.
udevadm_libs=$(chroot "$SYSROOT" ldd /usr/bin/udevadm | awk '/=>/ {print $3} /^\t\// {print $1}')
for f in /usr/bin/udevadm $udevadm_libs; do
	[ -e "$R$f" ] && continue
	mkdir -p "$R$(dirname "$f")"
	cp -L "$SYSROOT$f" "$R$f"
done
mkdir -p "$R/usr/lib/systemd" "$R/etc/udev/rules.d"
ln -sf ../../bin/udevadm "$R/usr/lib/systemd/systemd-udevd"
cp "$TOP/usbfront/60-xen-vusb-storage.rules" "$R/etc/udev/rules.d/"
# gzip: the guest kernel keeps the image in memory while it unpacks it into
# its rootfs, and an uncompressed ~25 MB image no longer fitted a 128 MiB
# guest ("Initramfs unpacking failed: write error"); a bigger guest does not
# fit dom0's tmpfs at xl save
pack "$R" "$W/domU.cpio.raw"
gzip -1 -c "$W/domU.cpio.raw" > "$W/domU.cpio"
rm -f "$W/domU.cpio.raw"

######################################## dom0
R=$W/root-dom0
rm -rf "$R"
cp -a "$BASE/dom0" "$R"
install -m 755 "$G/dom0-init" "$R/init"
cp "$G/lib.sh" "$G/common.sh" "$G/alsa.sh" "$G/trace.sh" "$R/e2e/"
cp -r "$G/scenarios" "$R/e2e/"
cp "$E2E_DIR/xfail" "$R/e2e/xfail"
install -m 755 "$PEERS/testusb" "$R/usr/bin/testusb"
[ -f "$USBBACK_KO" ] && add_ko "$R" "$USBBACK_KO"
add_test_kos "$R"
add_debian_kos "$R" xen-blkback
install -m 755 "$G/vbd-phy.sh" "$R/etc/xen/scripts/vbd-phy"
depmod -b "$R" "$KVER"
cp "$W/domU.cpio" "$R/e2e/domU/initrd.cpio"
cat > "$R/e2e/config" <<EOF
STICK_MAGIC=$STICK_MAGIC
STICK_MD5=$(cat "$STICK.md5")
STICK_MB=$STICK_MB
CHECK_MB=$CHECK_MB
CHECK_MD5=$(cat "$STICK.md5-$CHECK_MB")
DEMO_TEXT="$DEMO_TEXT"
EOF
pack "$R" "$W/dom0.cpio"
mv -f "$W/domU.cpio" "$IMG/domU.cpio"
mv -f "$W/dom0.cpio" "$IMG/dom0.cpio"
log "images: dom0.cpio $(du -h "$IMG/dom0.cpio" | cut -f1), domU.cpio $(du -h "$IMG/domU.cpio" | cut -f1)" \
	"(usbback.ko: $([ -f "$USBBACK_KO" ] && echo yes || echo no), usbfront.ko: $([ -f "$USBFRONT_KO" ] && echo yes || echo no))"
