#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-e2e`: a benchmark, not a test.  One boot per enabled cell of
# tests/e2e/cells (or CELLS=...), each measuring the same workloads in dom0
# natively and in a guest through the cell (guest/scenarios/bench.sh):
# sequential read of the 64 MiB stick (MB/s, dd bs=1M O_DIRECT), 4 KiB
# O_DIRECT read latency, control (testusb -t 9) and 4 KiB bulk (testusb -t 2)
# round trips.  Prints a table with each cell as a ratio to dom0-native;
# usbback cells give one column per buffer_mode (usbback-copy/F,
# usbback-map/F), measured in the same boot, alternating, averaged over
# the scenario's rounds (BENCH_ROUNDS there, 3).
# Knobs: BENCH_4K BENCH_CTRL BENCH_BULK (iteration counts) and BENCH_ROUNDS
# (boot.sh passes them to dom0 as e2e.BENCH_*), E2E_LOCK, QEMU_*.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

RUN_DIR=$RESULTS/bench-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RUN_DIR"
export IMG=$RUN_DIR/img
bash "$E2E_DIR/setup.sh"
if [ -n "${CELLS:-}" ]; then
	cells=$CELLS
else
	cells=$(cells_all | awk '$2 == "enabled" {print $1}')
fi
case " $cells " in *usbback* | *usbfront*) make -C "$TOP" modules > "$RUN_DIR/make-modules.log" 2>&1 || true ;; esac
bash "$E2E_DIR/images.sh"

: > "$RUN_DIR/bench.txt"
for c in $cells; do
	LOG=$RUN_DIR/${c//\//-}.log
	log "bench: $c"
	args=(bash "$E2E_DIR/boot.sh" "$c" bench "$LOG")
	[ -n "${E2E_LOCK:-}" ] && args=(flock "$E2E_LOCK" "${args[@]}")
	BOOT_TIMEOUT=${BOOT_TIMEOUT:-1200} "${args[@]}" || log "bench: $c: boot status $? (see $LOG)"
	sed -nE 's/^ *[0-9.]+ BENCH (.*)/\1/p' "$LOG" | sed "s|^native |native@$c |" >> "$RUN_DIR/bench.txt"
	grep -E '^ *[0-9.]+ FAIL ' "$LOG" | sed 's/^ *[0-9.]* /  /' || true
done
rm -rf "$IMG"

# table: native is averaged over the boots; ratio = cell / native
# columns: every guest measurement point in the order it was reported (a
# usbback cell reports one per buffer_mode: usbback-copy/F, usbback-map/F)
awk '
	{ split($1, w, "@"); if (w[1] == "native") { ns[$2] += $3; nn[$2]++; next }
	  v[$1, $2] += $3; vn[$1, $2]++; if (!($1 in seen)) { seen[$1] = 1; cells = cells " " $1 } }
	END {
		split("seq-read read-4k ctrl bulk-4k", m, " ")
		desc["seq-read"] = "seq read MB/s (dd 1M O_DIRECT)"
		desc["read-4k"] = "4 KiB O_DIRECT read, ms"
		desc["ctrl"] = "control (testusb -t 9 iter), ms"
		desc["bulk-4k"] = "4 KiB bulk IN URB, ms"
		nc = split(cells, c, " ")
		printf "%-34s %12s", "metric", "dom0-native"
		for (j = 1; j <= nc; j++) printf "  %-22s", c[j]
		printf "\n"
		for (i = 1; i <= 4; i++) {
			k = m[i]; n = nn[k] ? ns[k] / nn[k] : 0
			printf "%-34s %12.3f", desc[k], n
			for (j = 1; j <= nc; j++) {
				if (!vn[c[j], k] || n == 0) { printf "  %-22s", "-"; continue }
				x = v[c[j], k] / vn[c[j], k]
				printf "  %-22s", sprintf("%.3f (%.2fx)", x, x / n)
			}
			printf "\n"
		}
		print "ratios: cell / native (throughput: higher is better; times: lower is better)"
	}' "$RUN_DIR/bench.txt" | tee "$RUN_DIR/table.txt"
echo "bench: results in $RUN_DIR"
