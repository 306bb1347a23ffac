#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot the bed and pass a USB stick (FAT, with HELLO.TXT) and a
# tablet to a Xen PV guest with real xl commands, narrating what happens.
#
# usage: demo.sh [BACKEND [FRONTEND]]    (or BACKEND= FRONTEND= in the env)
#   BACKEND   usbback (ours, default) | qusb (QEMU's)
#   FRONTEND  usbfront (ours, default) | xen-hcd (Linux's)
# The serial log goes to $XENUSB_BUILD/e2e-results/demo.log.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

BACKEND=${1:-${BACKEND:-usbback}}
FRONTEND=${2:-${FRONTEND:-usbfront}}
case $BACKEND in usbback | qusb) ;; *) die "BACKEND must be usbback or qusb" ;; esac
case $FRONTEND in usbfront | xen-hcd) ;; *) die "FRONTEND must be usbfront or xen-hcd" ;; esac
say() { printf '  %s\n' "$*"; }

echo "xen-pvusb demo: backend $BACKEND, frontend $FRONTEND"
missing=
[ "$BACKEND" = usbback ] && [ ! -f "$USBBACK_KO" ] && missing="$missing usbback ($USBBACK_KO)"
[ "$FRONTEND" = usbfront ] && [ ! -f "$USBFRONT_KO" ] && missing="$missing usbfront ($USBFRONT_KO)"
if [ -n "$missing" ]; then
	say "Our driver is missing:$missing. Build it with 'make', or run the demo with"
	say "QEMU's backend and Linux's frontend: BACKEND=qusb FRONTEND=xen-hcd make demo"
	exit 1
fi

say "Preparing the bed (cached after the first run)..."
bash "$E2E_DIR/setup.sh"
export IMG=$XENUSB_BUILD/e2e-demo-img
bash "$E2E_DIR/images.sh" 2> /dev/null
mkdir -p "$RESULTS"
LOG=$RESULTS/demo.log
say "Booting Xen $XENVER and dom0 (Debian $KVER) under QEMU; this takes a minute or two."
say "(serial log: $LOG)"
echo

export STICK_IMG=$DEMO_STICK
rm -f "$LOG"    # the narration below must not replay an earlier demo
BOOT_TIMEOUT=${BOOT_TIMEOUT:-600} bash "$E2E_DIR/boot.sh" "$BACKEND/$FRONTEND" demo "$LOG" &
boot=$!
# narrate: follow the serial log while QEMU runs
: > "$LOG.seen"
while :; do
	if [ -f "$LOG" ]; then
		sed -nE 's/^ *[0-9.]+ DEMO: (.*)/* \1/p; s/^ *[0-9.]+ DEMO\$ (.*)/  $ \1/p;
			s/^ *[0-9.]+ DEMO> (.*)/    \1/p; s/^ *[0-9.]+ E2E: (.*)/! dom0: \1/p;
			s/^ *[0-9.]+ E2E-MARK toolstack-up.*/* dom0 is up, the Xen toolstack is running./p' "$LOG" > "$LOG.now"
		tail -n +$(($(wc -l < "$LOG.seen") + 1)) "$LOG.now"
		mv "$LOG.now" "$LOG.seen"
	fi
	kill -0 $boot 2> /dev/null || break
	sleep 1
done
st=0
wait $boot || st=$?
rm -f "$LOG.seen"
echo
if grep -qE '^ *[0-9.]+ PASS .* demo$' "$LOG"; then
	echo "demo: done ($BACKEND + $FRONTEND)"
	exit 0
fi
why=$(sed -nE 's/^ *[0-9.]+ FAIL [^ ]+ demo: (.*)/\1/p' "$LOG" | head -n 1)
echo "demo: FAILED with $BACKEND + $FRONTEND: ${why:-QEMU ended early (status $st), see $LOG}"
case "$BACKEND/$FRONTEND" in
qusb/xen-hcd) ;;
*) echo "demo: our drivers are still being written; BACKEND=qusb FRONTEND=xen-hcd shows the same demo with the reference peers." ;;
esac
exit 1
