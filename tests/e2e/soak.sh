#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make e2e-soak`: the soak scenario (guest/scenarios/soak.sh) alone, in
# the usbback cells of the bookworm flavour, through run.sh (its lanes,
# bed slots, results directory and "N passed, N failed" line).  Not in
# `make e2e` nor `make check`: 1000 rounds take hours.
#
# Environment (passed to dom0 as e2e.SOAK_*):
#   SOAK_ROUNDS=1000       attach/detach rounds of the stick, and as many
#                          of the tablet
#   SOAK_CTRL_ROUNDS=100   xl usbctrl-attach/usbctrl-detach rounds
#   SOAK_GUEST_ROUNDS=10   rounds with several guests at once
#   CELLS                  default "usbback/usbfront usbback/xen-hcd"
#   E2E_FLAVOURS           default bookworm (E2E_FLAVOUR=bookworm-debug: the
#                          debug kernel, kmemleak checked at each checkpoint)
#   BOOT_TIMEOUT           default: estimated from the rounds (below)
# and everything run.sh takes (E2E_LOCK, E2E_JOBS...).
set -euo pipefail
E2E_DIR=$(cd "$(dirname "$0")" && pwd)

for v in SOAK_ROUNDS:1000 SOAK_CTRL_ROUNDS:100 SOAK_GUEST_ROUNDS:10; do
	n=${v%%:*}
	val=${!n:-${v#*:}}
	[[ $val =~ ^[0-9]+$ ]] && [ "$val" -ge 1 ] && [ "$val" -le 100000 ] ||
		{ echo "$n=$val: want a number of rounds, 1..100000" >&2; exit 1; }
	export "$n=$val"
done
export SCENARIOS=soak
export CELLS=${CELLS:-usbback/usbfront usbback/xen-hcd}
[ -n "${E2E_FLAVOUR:-}" ] || export E2E_FLAVOURS=${E2E_FLAVOURS:-bookworm}

# One boot runs the whole soak of a cell.  Seconds per round of each phase
# on the bed (the larger of the two cells' in the short runs of
# Documentation/e2e-log.rst, 2026-12-05: 8.3, 6.0, 3.9, 77; a checkpoint
# 2-4 s, 10 with four guests; boot, guests up and teardown about 200 s),
# rounded up, then twice over for a slower or busier machine and five
# times over for the debug kernel.
S_STICK=9 S_HID=7 S_CTRL=4 S_GUESTS=80 S_CHECK=10 S_FIXED=300
est=$((SOAK_ROUNDS * (S_STICK + S_HID) + SOAK_CTRL_ROUNDS * S_CTRL + SOAK_GUEST_ROUNDS * S_GUESTS +
	(2 * (SOAK_ROUNDS / 100 + 1) + SOAK_CTRL_ROUNDS / 100 + SOAK_GUEST_ROUNDS / 100 + 4) * S_CHECK + S_FIXED))
case ${E2E_FLAVOUR:-} in *-debug) est=$((est * 5)) ;; *) est=$((est * 2)) ;; esac
export BOOT_TIMEOUT=${BOOT_TIMEOUT:-$est}
echo "e2e-soak: $SOAK_ROUNDS stick and tablet rounds, $SOAK_CTRL_ROUNDS controller rounds," \
	"$SOAK_GUEST_ROUNDS rounds of several guests; cells $CELLS; BOOT_TIMEOUT ${BOOT_TIMEOUT}s" >&2
exec bash "$E2E_DIR/run.sh"
