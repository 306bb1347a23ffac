#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build our modules (usbback.ko, usbfront.ko) and the bed's test modules
# (tests/e2e/hostile, `make test-modules`) for the flavour's kernel, where
# lib.sh's USBBACK_KO, USBFRONT_KO and TEST_KO_DIR say images.sh finds them.
#
#   host flavour (bookworm)  `make modules` and `make test-modules` in the tree
#   sysroot flavour (trixie) our modules the way a user gets them: `make deb`,
#                            the xen-pvusb-dkms package installed with dpkg
#                            into the flavour's sysroot, where dkms builds
#                            them for its linux-headers-$KVER; the built
#                            modules are taken and the package is purged
#                            again.  The test modules (not packaged): `make
#                            test-modules` on a copy in $KO_DIR, chrooted.
#   debug flavour            both ours and the test modules from a copy in
#                            $KO_DIR, against the debug kernel's build tree
#
# Logs: $1 (default $XENUSB_BUILD/e2e-modules-<flavour>.log).  Exit status:
# 0 when both of our modules built; the test modules are best effort (a cell
# without them prints its own failure).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

LOG=${1:-$XENUSB_BUILD/e2e-modules-$E2E_FLAVOUR.log}
mkdir -p "$(dirname "$LOG")"
: > "$LOG"

if [ -z "$BUILD_CHROOT" ] && [ -z "$DEBUG_FLAVOUR" ]; then
	rc=0
	make -C "$TOP" modules >> "$LOG" 2>&1 || rc=$?
	make -C "$TOP" test-modules >> "$LOG" 2>&1 || log "modules: make test-modules failed (see $LOG)"
	exit $rc
fi

# ---- the test modules, from a copy of their sources (in the sysroot for
# a sysroot flavour)
log "modules: test modules for $KVER${BUILD_CHROOT:+ in $BUILD_CHROOT}"
bash "$TOP/tools/kbuild.sh" copy "$KO_DIR"
bash "$TOP/tools/kbuild.sh" make "${BUILD_CHROOT:--}" "$KDIR_E2E" "$KO_DIR" tests/e2e/hostile >> "$LOG" 2>&1 ||
	log "modules: make test-modules failed (see $LOG)"
if [ -n "$DEBUG_FLAVOUR" ]; then
	log "modules: usbback, usbfront for $KVER"
	rc=0
	bash "$TOP/tools/kbuild.sh" make - "$KDIR_E2E" "$KO_DIR" . >> "$LOG" 2>&1 || rc=$?
	[ -f "$USBBACK_KO" ] && [ -f "$USBFRONT_KO" ] || rc=1
	exit $rc
fi

# ---- ours, from the package, built by its dkms in the sysroot
log "modules: make deb"
make -C "$TOP" deb >> "$LOG" 2>&1 || die "make deb failed (see $LOG)"
deb=$(ls -t "$XENUSB_BUILD"/deb/xen-pvusb-dkms_*_all.deb | head -n 1)
ver=$(dpkg-deb -f "$deb" Version)
in_root() { build_cmd "$(dirname "$deb")" "$@"; }   # the .deb's directory is /xenusb
purge() { in_root dpkg --purge xen-pvusb-dkms >> "$LOG" 2>&1 || true; }
purge
log "modules: dpkg -i $(basename "$deb") in the sysroot (dkms builds for $KVER)"
rc=0
in_root dpkg -i "$(basename "$deb")" >> "$LOG" 2>&1 || rc=$?
# dkms's own record of the build for this kernel
in_root dkms status >> "$LOG" 2>&1 || true
for m in usbback usbfront; do
	ko=$(ls "$BUILD_CHROOT/lib/modules/$KVER/updates/dkms/$m".ko* 2>/dev/null | head -n 1 || true)
	if [ -z "$ko" ]; then
		log "modules: dkms left no $m for $KVER (dpkg -i exit $rc, see $LOG)"
		rc=1
		continue
	fi
	mkdir -p "$KO_DIR/$m"
	case $ko in
	*.xz) xz -dc "$ko" > "$KO_DIR/$m/$m.ko" ;;
	*.zst) zstd -qdc "$ko" > "$KO_DIR/$m/$m.ko" ;;
	*) cp "$ko" "$KO_DIR/$m/$m.ko" ;;
	esac
	echo "modules: $m $ver from dkms: ${ko#"$BUILD_CHROOT"} ($(modinfo -F version "$KO_DIR/$m/$m.ko"))" >> "$LOG"
done
purge
[ -f "$USBBACK_KO" ] && [ -f "$USBFRONT_KO" ] || rc=1
exit $rc
