#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build our modules (usbback.ko, usbfront.ko) and the bed's test modules
# (tests/e2e/hostile, `make test-modules`) for the flavour's kernel, where
# lib.sh's USBBACK_KO, USBFRONT_KO and TEST_KO_DIR say images.sh finds them.
#
#   host flavour (bookworm)  `make modules` and `make test-modules` in the tree
#   sysroot flavour (trixie) the same two targets on a copy of the sources in
#                            $KO_DIR, run in the flavour's sysroot (chroot)
#                            against its linux-headers-$KVER
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

if [ -z "$BUILD_CHROOT" ]; then
	rc=0
	make -C "$TOP" modules >> "$LOG" 2>&1 || rc=$?
	make -C "$TOP" test-modules >> "$LOG" 2>&1 || log "modules: make test-modules failed (see $LOG)"
	exit $rc
fi

# The sources the module build reads: the tree minus what is not kernel code
rm -rf "$KO_DIR"
mkdir -p "$KO_DIR/tests/e2e"
cp -a "$TOP/Kbuild" "$TOP/Makefile" "$TOP/include" "$TOP/usbback" "$TOP/usbfront" "$KO_DIR/"
cp -a "$TOP/tests/e2e/hostile" "$KO_DIR/tests/e2e/"
find "$KO_DIR" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \) -delete
rc=0
log "modules: building for $KVER in $BUILD_CHROOT"
build_cmd "$KO_DIR" make modules KDIR="$KDIR_E2E" >> "$LOG" 2>&1 || rc=$?
build_cmd "$KO_DIR" make test-modules KDIR="$KDIR_E2E" >> "$LOG" 2>&1 ||
	log "modules: make test-modules failed (see $LOG)"
[ -f "$USBBACK_KO" ] && [ -f "$USBFRONT_KO" ] || rc=1
exit $rc
