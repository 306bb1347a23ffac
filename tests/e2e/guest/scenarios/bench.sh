# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# bench: a benchmark, not a test.  The same workloads in dom0 (native) and
# in the guest through this cell's backend + frontend:
#   seq-read     MB/s, dd bs=1M iflag=direct of the whole stick
#   read-4k      ms per 4 KiB O_DIRECT read (dd bs=4k, BENCH_4K reads)
#   ctrl         ms per testusb -t 9 iteration (ch9 control requests,
#                GET_DESCRIPTOR/GET_STATUS...) against the SourceSink gadget
#   bulk-4k      ms per 4 KiB bulk IN URB (testusb -t 2 -s 4096)
# Output: "BENCH <where> <metric> <value>" lines, where = native | <cell>,
# or for usbback cells usbback-copy/<front> and usbback-map/<front> (one
# guest run per usbback buffer_mode and round, in the same boot).
SCEN_NAME=bench
. /e2e/lib.sh
# iteration counts: BENCH_* on the host, passed as e2e.BENCH_* by boot.sh
N4K=$(arg e2e.BENCH_4K); N4K=${N4K:-500}
NCTRL=$(arg e2e.BENCH_CTRL); NCTRL=${NCTRL:-50}
NBULK=$(arg e2e.BENCH_BULK); NBULK=${NBULK:-500}

bench_lines() {  # bench_lines WHERE OUTPUT
	echo "$2" | awk -v w="$1" -v nc=$NCTRL -v nb=$NBULK '
		/^seq / {printf "BENCH %s seq-read %.2f\n", w, $2 / $3}
		/^4k / {printf "BENCH %s read-4k %.3f\n", w, $3 * 1000 / $2}
		/test 9,/ {for (i = 1; i <= NF; i++) if ($i == "secs") printf "BENCH %s ctrl %.3f\n", w, $(i-1) * 1000 / nc}
		/test 2,/ {for (i = 1; i <= NF; i++) if ($i == "secs") printf "BENCH %s bulk-4k %.3f\n", w, $(i-1) * 1000 / nb}'
}
# the workloads, as one sh snippet usable in dom0 and in the guest:
# prints "seq MB SECONDS", "4k N SECONDS" and testusb's lines
WORK_DISK='t=$(now); dd if=$D of=/dev/null bs=1M iflag=direct 2>/dev/null; s=$(elapsed $t)
	echo "seq $(($(cat /sys/block/${D#/dev/}/size) / 2048)) $s"
	t=$(now); dd if=$D of=/dev/null bs=4k count='$N4K' iflag=direct 2>/dev/null; echo "4k '$N4K' $(elapsed $t)"'
WORK_USB='testusb -D $N -t 9 -c '$NCTRL'; testusb -D $N -t 2 -s 4096 -c '$NBULK

stick=$(find_usb "$P_STICK") && ss=$(find_usb "$P_SS") || { fail bench "devices missing in dom0"; exit 0; }

# ---- dom0 native (g.sh has the same helpers as lib.sh for these)
D=$(dom0_disk $stick)
N=$(busnode $ss)
out=$(D=$D N=$N sh -c ". /e2e/lib.sh; $WORK_DISK; $WORK_USB" 2>&1)
echo "$out" | sed 's/^/  [dom0] /'
bench_lines native "$out"

# ---- through the cell.  With usbback the guest workloads run once per
# buffer_mode, switched in dom0 between runs in this same boot, as
# "usbback-copy/FRONT" and "usbback-map/FRONT".
BUFMODE=/sys/module/usbback/parameters/buffer_mode
guest_up g1 || { fail bench "$WHY"; exit 0; }
bench_guest() {  # bench_guest WHERE: returns non-zero if a workload failed
	attach g1 $stick || { WHY="usbdev-attach stick: $(xl_err)"; return 1; }
	out=$(gexec g1 600 "D=\$(wait_for 60 disk '$P_STICK') || exit 1; $WORK_DISK")
	r1=$?
	detach g1 $stick
	attach g1 $ss || { WHY="usbdev-attach sourcesink: $(xl_err)"; return 1; }
	out="$out
$(gexec g1 600 "wait_for 40 usbtest_ready '$P_SS' || exit 1; N=\$(devnode '$P_SS'); $WORK_USB")"
	r2=$?
	detach g1 $ss
	echo "$out" | sed "s|^|  [g1 $1] |"
	bench_lines "$1" "$out"
	back_in_dom0 $stick usb-storage 30
	back_in_dom0 $ss usbtest 30
	WHY="guest workload failed in $1 ($r1/$r2)"
	[ $r1 = 0 ] && [ $r2 = 0 ]
}
# The two modes alternate for BENCH_ROUNDS rounds (the table averages
# them), so that a burst of load on the host does not land on one mode.
ROUNDS=$(arg e2e.BENCH_ROUNDS); ROUNDS=${ROUNDS:-3}
if [ "$BACK" = usbback ]; then
	ok=1
	def=$(cat $BUFMODE)
	r=0
	while [ $r -lt "$ROUNDS" ] && [ $ok = 1 ]; do
		r=$((r + 1))
		for m in copy map; do
			echo $m > $BUFMODE && [ "$(cat $BUFMODE)" = $m ] ||
				{ fail bench "cannot set usbback buffer_mode=$m"; exit 0; }
			info "bench: round $r/$ROUNDS buffer_mode=$m"
			bench_guest "usbback-$m/$FRONT" || { ok=0; break; }
		done
	done
	echo "$def" > $BUFMODE
else
	ok=0
	if bench_guest "$CELL"; then ok=1; fi
fi
if [ $ok = 1 ]; then pass bench; else fail bench "$WHY"; fi
