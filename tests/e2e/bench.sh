#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-e2e`: a benchmark, not a test.  One boot per enabled cell of
# tests/e2e/cells (or CELLS=...), each measuring the same workloads in dom0
# natively and in a guest through the cell (guest/scenarios/bench.sh):
# sequential read of the 64 MiB stick (MB/s, dd bs=1M O_DIRECT), 4 KiB
# O_DIRECT read latency, control (testusb -t 9) and 4 KiB bulk (testusb -t 2)
# round trips.  Prints a table with each column as a ratio to dom0-native;
# usbback cells give one column per variant of usbback's parameters
# (usbback-default/F, usbback-map/F, usbback-copy-noind/F: large transfers
# switched off, the "before" of the default, ...; BENCH_VARIANTS, the list
# is in guest/scenarios/bench.sh), measured in the same boot, alternating,
# averaged over the scenario's rounds (BENCH_ROUNDS there, 3).  Every boot
# also measures pv-blk: the same stick read by the same guest through
# blkback/blkfront (xl block-attach), the PV platform's reference.
# Each cell boots once per bed shape (BENCH_SMP, "1 2": QEMU_SMP=1, dom0
# and the guest on one pCPU; QEMU_SMP=2, pinned to one pCPU each); the
# shapes other than 1 boot only BENCH_SMP2_CELLS (default: the usbback
# cells).  Besides
# the ratios it prints the commands, ring requests, grant copies and events
# per MiB of the sequential read, a stage breakdown of the 4 KiB reads
# from the drivers' tracepoints (guest/trace.sh) and each boot's wall time.
# Knobs: BENCH_4K BENCH_CTRL BENCH_BULK BENCH_SEQ_PASSES (iteration
# counts; the stick is read BENCH_SEQ_PASSES times per sequential read), BENCH_ROUNDS
# and BENCH_VARIANTS (boot.sh passes them to dom0 as e2e.BENCH_*),
# BENCH_SMP, BENCH_SMP2_CELLS, BENCH_UNTIL, E2E_LOCK, QEMU_*.
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
# BENCH_SMP: the bed shapes, as QEMU_SMP values: 1 (dom0 and the guest
# share one pCPU) and 2 (bench.sh in dom0 pins dom0 to pCPU 0 and the
# guest to pCPU 1)
# BENCH_SMP2_CELLS: the cells booted in the shapes other than QEMU_SMP=1
# (default: the usbback cells among them).  The boots go cell by cell, each
# cell in every shape it has, in the order of CELLS: what matters most
# first.  BENCH_UNTIL=HH:MM: no boot starts after that time (a benchmark
# that must end by a deadline keeps the boots it has).
cells=$(tr '\n' ' ' <<< "$cells")
smp2_cells=${BENCH_SMP2_CELLS-$(for c in $cells; do case $c in usbback/*) printf '%s ' "$c" ;; esac; done)}
for c in $smp2_cells; do
	case " $cells " in *" $c "*) ;; *) cells="$cells $c" ;; esac
done
t_run=$SECONDS
for c in $cells; do
	for smp in ${BENCH_SMP:-1 2}; do
		case $smp in 1) ;; *) case " $smp2_cells " in *" $c "*) ;; *) continue ;; esac ;; esac
		if [ -n "${BENCH_UNTIL:-}" ] && [ "$(date +%H%M)" -ge "${BENCH_UNTIL/:/}" ]; then
			log "bench: $c, QEMU_SMP=$smp: not started, it is past BENCH_UNTIL=$BENCH_UNTIL"
			continue
		fi
		LOG=$RUN_DIR/${c//\//-}-smp$smp.log
		log "bench: $c, QEMU_SMP=$smp"
		args=(bash "$E2E_DIR/boot.sh" "$c" bench "$LOG")
		# a benchmark runs alone: it holds every bed slot of run.sh's
		# lanes (E2E_LOCK, E2E_LOCK.1), not only the first
		[ -n "${E2E_LOCK:-}" ] && args=(flock "$E2E_LOCK" flock "$E2E_LOCK.1" "${args[@]}")
		QEMU_SMP=$smp BOOT_TIMEOUT=${BOOT_TIMEOUT:-1500} "${args[@]}" || log "bench: $c: boot status $? (see $LOG)"
		[ -f "$LOG" ] || continue	# never booted (lock wait cut short)
		# the boot's wall time (boot.sh's last line; lock waits excluded)
		sed -n 's/^qemu-exit .* wall \([0-9]*\)s$/smp'"$smp"' TIME '"${c//\//\\/}"' \1/p' "$LOG" >> "$RUN_DIR/bench.txt"
		sed -nE 's/^ *[0-9.]+ (BENCH|BRK) (.*)/smp'"$smp"' \1 \2/p' "$LOG" |
			sed -E "s|^(smp[0-9]+ BENCH) native |\1 native@$c |" >> "$RUN_DIR/bench.txt"
		grep -E '^ *[0-9.]+ FAIL ' "$LOG" | sed 's/^ *[0-9.]* /  /' || true
	done
done
rm -rf "$IMG"

# One table per shape.  native is averaged over the boots and rounds;
# ratio = cell / native for the four timed metrics, the counts are
# absolute.  Columns: every measurement point in the order it was
# reported (usbback cells: one per variant, see guest/scenarios/bench.sh;
# native-msN: dom0 at the guest's max_sectors N).
for smp in ${BENCH_SMP:-1 2}; do
	echo "== QEMU_SMP=$smp"
	awk -v shape="smp$smp" '
	$1 != shape || $2 != "BENCH" { next }
	{ $1 = $2 = ""; $0 = substr($0, 3) }
	{ split($1, w, "@"); if (w[1] == "native") { ns[$2] += $3; nn[$2]++; next }
	  v[$1, $2] += $3; vn[$1, $2]++; if (!($1 in seen)) { seen[$1] = 1; cells = cells " " $1 } }
	END {
		nm = split("seq-read read-4k ctrl bulk-4k seq-read-traced max-sectors cmds-per-mib fe-req-per-mib fe-irq-per-mib be-req-per-mib be-copies-per-mib be-copy-calls-per-mib be-irq-per-mib", m, " ")
		desc["seq-read"] = "seq read MB/s (dd 1M O_DIRECT)"
		desc["read-4k"] = "4 KiB O_DIRECT read, ms"
		desc["ctrl"] = "control (testusb -t 9 iter), ms"
		desc["bulk-4k"] = "4 KiB bulk IN URB, ms"
		desc["seq-read-traced"] = "seq read MB/s, traced (stages)"
		desc["max-sectors"] = "max_sectors of the disk"
		desc["cmds-per-mib"] = "commands per MiB (seq read)"
		desc["fe-req-per-mib"] = "guest ring requests per MiB"
		desc["fe-irq-per-mib"] = "guest events received per MiB"
		desc["be-req-per-mib"] = "usbback requests per MiB"
		desc["be-copies-per-mib"] = "usbback grant copies per MiB"
		desc["be-copy-calls-per-mib"] = "usbback copy hypercalls per MiB"
		desc["be-irq-per-mib"] = "usbback events received per MiB"
		nc = split(cells, c, " ")
		printf "%-34s %12s", "metric", "dom0-native"
		for (j = 1; j <= nc; j++) printf "  %-24s", c[j]
		printf "\n"
		for (i = 1; i <= nm; i++) {
			k = m[i]; n = nn[k] ? ns[k] / nn[k] : 0
			printf "%-34s %12s", desc[k], nn[k] ? sprintf("%.3f", n) : "-"
			for (j = 1; j <= nc; j++) {
				if (!vn[c[j], k]) { printf "  %-24s", "-"; continue }
				x = v[c[j], k] / vn[c[j], k]
				if (i <= 4 && n > 0) printf "  %-24s", sprintf("%.3f (%.2fx)", x, x / n)
				else printf "  %-24s", sprintf("%.1f", x)
			}
			printf "\n"
		}
		print "ratios: cell / native (throughput: higher is better; times: lower is better)"
	}' "$RUN_DIR/bench.txt"
	# the stage breakdowns: of the 4 KiB reads (median / p99 in ms) and of
	# the traced sequential read (stages seq-*: median per request / total
	# ms per MiB), means over the rounds; transit-* = the guest round trip
	# of a request minus its time in dom0 (medians, each on its own clock;
	# for the sequential read also per MiB); "g-total" adds up the guest's
	# round trips and gaps per MiB, to set against 1000 / MB/s
	for seq in 0 1; do
	awk -v shape="smp$smp" -v seq=$seq '
	$1 != shape || $2 != "BRK" { next }
	(substr($4, 1, 4) == "seq-") != seq { next }
	{ w = $3; k = seq ? substr($4, 5) : $4; md[w, k] += $6; p9[w, k] += (seq ? $8 : $7); nr[w, k]++
	  if (!(w in sw)) { sw[w] = 1; ws = ws " " w }
	  if (!(k in kk)) { kk[k] = 1; ks = ks " " k } }
	function cell(w, k,  n) { n = nr[w, k]; return n ? sprintf("%.3f / %.3f", md[w, k] / n, p9[w, k] / n) : "-" }
	function avg(a, w, k,  n) { n = nr[w, k]; return n ? a[w, k] / n : 0 }
	END {
		if (ws == "") exit
		nw = split(ws, W, " "); nk = split(ks, K, " ")
		if (seq) print "stage breakdown of the traced sequential read: median ms per request / ms per MiB (g-*: guest clock, b-*: dom0 clock)"
		else print "stage breakdown of the 4 KiB reads, ms: median / p99 (g-*: guest clock, b-*: dom0 clock)"
		printf "%-26s", "stage"
		for (j = 1; j <= nw; j++) printf "  %-24s", W[j]
		printf "\n"
		for (i = 1; i <= nk; i++) {
			printf "%-26s", K[i]
			for (j = 1; j <= nw; j++) printf "  %-24s", cell(W[j], K[i])
			printf "\n"
		}
		split("cbw data csw", kind, " ")
		for (t = 1; t <= 3; t++) {
			g = "g-rtt-" kind[t]; b = "b-" kind[t] "-in-dom0"
			printf "%-26s", "transit-" kind[t]
			for (j = 1; j <= nw; j++) {
				if (!nr[W[j], g] || !nr[W[j], b]) { printf "  %-24s", "-"; continue }
				x = avg(md, W[j], g) - avg(md, W[j], b)
				printf "  %-24s", seq ? sprintf("%.3f / %.3f", x, avg(p9, W[j], g) - avg(p9, W[j], b)) : sprintf("%.3f", x)
			}
			printf "\n"
		}
		if (!seq) exit
		printf "%-26s", "g-total (rtt + gaps)"
		for (j = 1; j <= nw; j++) {
			x = avg(p9, W[j], "g-rtt-cbw") + avg(p9, W[j], "g-rtt-data") + avg(p9, W[j], "g-rtt-csw") + avg(p9, W[j], "g-csw-to-cbw")
			printf "  %-24s", (x > 0 ? sprintf("- / %.3f", x) : "-")
		}
		printf "\n"
	}' "$RUN_DIR/bench.txt"
	done
	awk -v shape="smp$smp" '$1 == shape && $2 == "TIME" {printf "%s%s %ds", n++ ? ", " : "boot wall times: ", $3, $4} END {if (n) print ""}' "$RUN_DIR/bench.txt"
done | tee "$RUN_DIR/table.txt"
echo "bench: $((SECONDS - t_run)) s for all boots, lock waits included" | tee -a "$RUN_DIR/table.txt"
echo "bench: results in $RUN_DIR"
