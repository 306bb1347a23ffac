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

# One boot runs the whole soak of a cell.  Seconds per round on the bed
# (Documentation/testing-e2e.rst, soak: measured with E2E_JOBS=1 on a 2-core
# box), twice over for a slower or busier machine, and five times over for
# the debug kernel; plus a checkpoint per hundred rounds of each phase and
# the boot, the guests and the teardown.
S_STICK=8 S_HID=6 S_CTRL=12 S_GUESTS=40 S_CHECK=20 S_FIXED=600
est=$((SOAK_ROUNDS * (S_STICK + S_HID) + SOAK_CTRL_ROUNDS * S_CTRL + SOAK_GUEST_ROUNDS * S_GUESTS +
	(2 * (SOAK_ROUNDS / 100 + 1) + SOAK_CTRL_ROUNDS / 100 + SOAK_GUEST_ROUNDS / 100 + 4) * S_CHECK + S_FIXED))
case ${E2E_FLAVOUR:-} in *-debug) est=$((est * 5)) ;; *) est=$((est * 2)) ;; esac
export BOOT_TIMEOUT=${BOOT_TIMEOUT:-$est}
echo "e2e-soak: $SOAK_ROUNDS stick and tablet rounds, $SOAK_CTRL_ROUNDS controller rounds," \
	"$SOAK_GUEST_ROUNDS rounds of several guests; cells $CELLS; BOOT_TIMEOUT ${BOOT_TIMEOUT}s" >&2
exec bash "$E2E_DIR/run.sh"
