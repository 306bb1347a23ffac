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
# and, around the guest's sequential read, per MiB: commands (the disk's
# completed reads), the frontend's ring requests and events received,
# usbback's requests, grant-copy operations, copy hypercalls and events
# received; the guest's max_sectors.
# Output: "BENCH <where> <metric> <value>" lines, where = native | <cell>,
# or for usbback cells usbback-<variant>/<front> (one guest run per
# variant and round, in the same boot):
#   copy       buffer_mode=copy, respond_in_completion=Y (responses
#              straight from the URB completion)
#   copy-wq    buffer_mode=copy, respond_in_completion=N (every response
#              from the done work item: the default)
#   copy-thread as copy-wq with usbback's dispatch=thread (requests taken
#              by the controller's ring thread instead of a work item)
#   copy-ms240 as copy, the guest's max_sectors forced back to 240
#              (usb-storage's own default; the disk workloads only)
#   map        buffer_mode=map
#   copy-noind as copy-wq with large transfers switched off (usbback's
#              feature_max_indirect_segments=N, g1 created again around it): the
#              base protocol's 64 KiB requests, the "before" of copy-wq
# dom0-native runs before each round, and after a guest run again at the
# guest's max_sectors when that differs from dom0's ("native-msN").
# "BRK <where> <stage> <n> <median ms> <p99 ms>": stage timings of the
# 4 KiB reads from the tracepoints (trace.sh), g-* measured in the guest,
# b-* in dom0, each on its own clock.
SCEN_NAME=bench
. /e2e/lib.sh
. /e2e/trace.sh
# iteration counts: BENCH_* on the host, passed as e2e.BENCH_* by boot.sh
N4K=$(arg e2e.BENCH_4K); N4K=${N4K:-500}
NCTRL=$(arg e2e.BENCH_CTRL); NCTRL=${NCTRL:-50}
NBULK=$(arg e2e.BENCH_BULK); NBULK=${NBULK:-500}

bench_lines() {  # bench_lines WHERE OUTPUT
	echo "$2" | awk -v w="$1" -v nc=$NCTRL -v nb=$NBULK '
		/^seq / {printf "BENCH %s seq-read %.2f\n", w, $2 / $3}
		/^4k / {printf "BENCH %s read-4k %.3f\n", w, $3 * 1000 / $2}
		/^ms / {printf "BENCH %s max-sectors %d\n", w, $2}
		/^cnt / && $2 > 0 {
			printf "BENCH %s cmds-per-mib %.1f\n", w, $5 / $2
			if ($3 > 0) printf "BENCH %s fe-req-per-mib %.1f\n", w, $3 / $2
			if ($4 > 0) printf "BENCH %s fe-irq-per-mib %.1f\n", w, $4 / $2 }
		/^q / {printf "BRK %s %s %s %s %s\n", w, $2, $3, $4, $5}
		/test 9,/ {for (i = 1; i <= NF; i++) if ($i == "secs") printf "BENCH %s ctrl %.3f\n", w, $(i-1) * 1000 / nc}
		/test 2,/ {for (i = 1; i <= NF; i++) if ($i == "secs") printf "BENCH %s bulk-4k %.3f\n", w, $(i-1) * 1000 / nb}'
}
# the workloads, as sh snippets usable in dom0 and in the guest ($D, and
# $GMS: max_sectors to force first, if set): "seq MB SECONDS", "ms N",
# "cnt MB REQUESTS IRQS COMMANDS" (deltas over the sequential read),
# "4k N SECONDS"
WORK_SEQ='[ -n "$GMS" ] && echo $GMS > /sys/block/${D#/dev/}/device/max_sectors
	echo "ms $(cat /sys/block/${D#/dev/}/device/max_sectors)"
	mb=$(($(cat /sys/block/${D#/dev/}/size) / 2048)); set -- $(fe_counters $D)
	t=$(now); dd if=$D of=/dev/null bs=1M iflag=direct 2>/dev/null; s=$(elapsed $t)
	echo "seq $mb $s"; set -- "$@" $(fe_counters $D)
	echo "cnt $mb $(($4 - $1)) $(($5 - $2)) $(($6 - $3))"'
WORK_4K='t=$(now); dd if=$D of=/dev/null bs=4k count='$N4K' iflag=direct 2>/dev/null; echo "4k '$N4K' $(elapsed $t)"'
WORK_USB='testusb -D $N -t 9 -c '$NCTRL'; testusb -D $N -t 2 -s 4096 -c '$NBULK
# the 4 KiB reads of the guest with usbfront's request/response events
WORK_4K_TRACED='trace_start usbfront/usbfront_request usbfront/usbfront_response
	'$WORK_4K'
	trace_stop; stages_front | quantiles | sed "s/^/q /"'

stick=$(find_usb "$P_STICK") && ss=$(find_usb "$P_SS") || { fail bench "devices missing in dom0"; exit 0; }

# ---- bed shape: with two pCPUs, dom0 on pCPU 0 and the guest on pCPU 1
GCFG=
if [ "$(xl info | awk '$1 == "nr_cpus" {print $3}')" -ge 2 ]; then
	xl vcpu-pin 0 all 0 > /dev/null 2>&1 || { fail bench "xl vcpu-pin of dom0 failed"; exit 0; }
	GCFG='cpus = "1"'
	info "bench: two pCPUs: dom0 pinned to pCPU 0, the guest to pCPU 1"
fi

# ---- dom0 native (g.sh has the same helpers as lib.sh for these).  The
# stick's disk gets a new name each time it comes back from the guest.
D=$(dom0_disk $stick)
N=$(busnode $ss)
DMS=$(cat /sys/block/${D#/dev/}/device/max_sectors)
native() {  # native WHERE [MAX_SECTORS] [usb]: the disk workloads in dom0
	D=$(dom0_disk $stick) || { echo "  [dom0 $1] stick has no disk"; return 0; }
	out=$(D=$D GMS=$2 N=$N sh -c ". /e2e/lib.sh; . /e2e/trace.sh; $WORK_SEQ; $WORK_4K${3:+; $WORK_USB}" 2>&1)
	echo $DMS > /sys/block/${D#/dev/}/device/max_sectors
	echo "$out" | sed "s/^/  [dom0 $1] /"
	bench_lines "$1" "$out"
}
native native "" usb

# native_like: dom0-native again at the max_sectors the last guest run had
# (GMS_SEEN), as "native-msN", unless that is dom0's own.  dom0's default
# comes from its DMA mapping limit (swiotlb-xen: 256 KiB); the block layer
# still cuts segments to 64 KiB, so a larger value works in dom0 too.
native_like() {
	[ -n "$GMS_SEEN" ] && [ "$GMS_SEEN" != "$DMS" ] && native "native-ms$GMS_SEEN" "$GMS_SEEN"
	return 0
}

# ---- through the cell, one guest run per variant (usbback cells)
BUFMODE=/sys/module/usbback/parameters/buffer_mode
RIC=/sys/module/usbback/parameters/respond_in_completion
MAXIND=/sys/module/usbback/parameters/feature_max_indirect_segments
DISPATCH=/sys/module/usbback/parameters/dispatch
g1_up() {
	if [ -n "$GCFG" ]; then
		guest_up g1 "$GCFG" "usbctrl = ['type=$CTRLTYPE,version=2,ports=4']"
	else
		guest_up g1
	fi
}
# g1_indirect Y|N: g1 created again with usbback offering large transfers
# or not (the offer is written when a controller is created)
g1_indirect() {
	[ -f $MAXIND ] || { WHY="usbback has no feature_max_indirect_segments"; return 1; }
	[ "$(cat $MAXIND)" = "$1" ] && return 0
	xlq destroy g1
	echo "$1" > $MAXIND && [ "$(cat $MAXIND)" = "$1" ] || { WHY="cannot set feature_max_indirect_segments=$1"; return 1; }
	g1_up
}
g1_up || { fail bench "$WHY"; exit 0; }
be_counters() {  # "REQUESTS COPIES COPY_CALLS IRQS" of usbback now
	echo "$(ustat requests) $(ustat grant_copies) $(ustat copy_calls) $(irqs usbback)"
}
bench_guest() {  # bench_guest WHERE [GMS] [nousb]: non-zero if a workload failed
	attach g1 $stick || { WHY="usbdev-attach stick: $(xl_err)"; return 1; }
	c0=$(be_counters)
	out=$(gexec g1 600 "D=\$(wait_for 60 disk '$P_STICK') || exit 1; . /e2e/trace.sh; GMS=$2; $WORK_SEQ")
	r1=$?
	if [ "$BACK" = usbback ]; then
		mb=$(echo "$out" | awk '/^cnt / {print $2}')
		echo "$c0 $(be_counters)" | awk -v w="$1" -v mb="${mb:-0}" 'NF == 8 && mb > 0 {
			printf "BENCH %s be-req-per-mib %.1f\n", w, ($5 - $1) / mb
			printf "BENCH %s be-copies-per-mib %.1f\n", w, ($6 - $2) / mb
			printf "BENCH %s be-copy-calls-per-mib %.1f\n", w, ($7 - $3) / mb
			printf "BENCH %s be-irq-per-mib %.1f\n", w, ($8 - $4) / mb }'
		trace_start usbback/usbback_event usbback/usbback_request usbback/usbback_submit \
			usbback/usbback_urb_done usbback/usbback_complete
	fi
	out="$out
$(gexec g1 600 "D=\$(wait_for 60 disk '$P_STICK') || exit 1; . /e2e/trace.sh; $WORK_4K_TRACED")"
	r1=$((r1 + $?))
	if [ "$BACK" = usbback ]; then
		trace_stop
		out="$out
$(stages_back | quantiles | sed 's/^/q /')"
	fi
	detach g1 $stick
	r2=0
	if [ "$3" != nousb ]; then
		attach g1 $ss || { WHY="usbdev-attach sourcesink: $(xl_err)"; return 1; }
		out="$out
$(gexec g1 600 "wait_for 40 usbtest_ready '$P_SS' || exit 1; N=\$(devnode '$P_SS'); $WORK_USB")"
		r2=$?
		detach g1 $ss
		back_in_dom0 $ss usbtest 30
	fi
	echo "$out" | sed "s|^|  [g1 $1] |"
	bench_lines "$1" "$out"
	back_in_dom0 $stick usb-storage 30
	GMS_SEEN=$(echo "$out" | awk '/^ms / {print $2}')
	WHY="guest workload failed in $1 ($r1/$r2)"
	[ $r1 = 0 ] && [ $r2 = 0 ]
}
# The variants alternate for BENCH_ROUNDS rounds (the table averages
# them), each round starting one variant later, so that neither a burst
# of load on the host nor the place after dom0's run lands on one of them.
ROUNDS=$(arg e2e.BENCH_ROUNDS); ROUNDS=${ROUNDS:-3}
if [ "$BACK" = usbback ]; then
	ok=1
	def=$(cat $BUFMODE)
	def_ric=$(cat $RIC)
	def_ind=$(cat $MAXIND 2>/dev/null)
	def_disp=$(cat $DISPATCH 2>/dev/null)
	r=0
	order="copy copy-wq copy-ms240 map"
	[ "$def_ind" = Y ] && order="$order copy-noind"
	[ -n "$def_disp" ] && order="$order copy-thread"
	while [ $r -lt "$ROUNDS" ] && [ $ok = 1 ]; do
		r=$((r + 1))
		[ $r -gt 1 ] && native native
		for v in $order; do
			m=${v%%-*}
			ric=Y; case $v in copy-wq | copy-noind | copy-thread) ric=N ;; esac
			disp=wq; [ $v = copy-thread ] && disp=thread
			[ -z "$def_disp" ] || { echo $disp > $DISPATCH && [ "$(cat $DISPATCH)" = $disp ]; } ||
				{ fail bench "cannot set usbback dispatch=$disp"; exit 0; }
			if [ $v = copy-noind ]; then
				g1_indirect N || { ok=0; break; }
			elif [ -n "$def_ind" ]; then
				g1_indirect "$def_ind" || { ok=0; break; }
			fi
			gms=; [ $v = copy-ms240 ] && gms=240
			usb=; [ $v = copy-ms240 ] && usb=nousb
			echo $m > $BUFMODE && [ "$(cat $BUFMODE)" = $m ] && echo $ric > $RIC ||
				{ fail bench "cannot set usbback buffer_mode=$m respond_in_completion=$ric"; exit 0; }
			info "bench: round $r/$ROUNDS $v (buffer_mode=$m respond_in_completion=$ric${gms:+ guest max_sectors=$gms})"
			bench_guest "usbback-$v/$FRONT" "$gms" $usb || { ok=0; break; }
			case $v in copy | copy-ms240) native_like ;; esac
		done
		order="${order#* } ${order%% *}"
	done
	echo "$def" > $BUFMODE
	echo "$def_ric" > $RIC
	[ -n "$def_disp" ] && echo "$def_disp" > $DISPATCH
	[ -n "$def_ind" ] && echo "$def_ind" > $MAXIND
else
	ok=1
	r=0
	while [ $r -lt "$ROUNDS" ] && [ $ok = 1 ]; do
		r=$((r + 1))
		[ $r -gt 1 ] && native native
		bench_guest "$CELL" || ok=0
		native_like
	done
fi
if [ $ok = 1 ]; then pass bench; else fail bench "$WHY"; fi
