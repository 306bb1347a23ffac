# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# bench: a benchmark, not a test.  The same workloads in dom0 (native) and
# in the guest through this cell's backend + frontend:
#   seq-read     MB/s, dd bs=1M iflag=direct of the whole stick, BENCH_SEQ_PASSES
#                times in a row (8)
#   read-4k      ms per 4 KiB O_DIRECT read (dd bs=4k, BENCH_4K reads)
#   ctrl         ms per testusb -t 9 iteration (ch9 control requests,
#                GET_DESCRIPTOR/GET_STATUS...) against the SourceSink gadget
#   bulk-4k      ms per 4 KiB bulk IN URB (testusb -t 2 -s 4096)
# and, around the guest's sequential read, per MiB: commands (the disk's
# completed reads), the frontend's ring requests and events received,
# usbback's requests, grant-copy operations, copy hypercalls and events
# received; the guest's max_sectors.
# Output: "BENCH <where> <metric> <value>" lines, where = native | <cell>
# | pv-blk, or for usbback cells usbback-<variant>/<front> (one guest run
# per variant and round, in the same boot).  The variants
# (e2e.BENCH_VARIANTS, a comma list; BENCH_VARIANTS on the host):
#   default    usbback's parameters as the module loads them
#   map        buffer_mode=map
#   copy-noind buffer_mode=copy with large transfers switched off
#              (feature_max_indirect_segments=N): the base protocol's
#              64 KiB requests, the "before" of large transfers (usbfront)
#   copy-ms240 buffer_mode=copy, the guest's max_sectors forced back to 240
#              (usb-storage's own default; the disk workloads only; usbfront)
#   copy-ric   buffer_mode=copy, respond_in_completion=Y
#   copy-thread, copy-wq
#              buffer_mode=copy with dispatch=thread or wq: who takes
#              requests off the ring after an event (the controller's ring
#              thread, or a work item); by default the one usbback does not
#              load with
#   P=V        the defaults with usbback's parameter P set to V
#   pv-blk     the PV reference, in every cell's boot: the stick's disk
#              passed to the same guest by blkback/blkfront (xl
#              block-attach, read-only) while the guest's USB controller
#              does not have the stick; the disk workloads only
# A variant that changes a feature_* parameter creates g1 again (the offer
# is written when a controller is created).  Default list: usbfront
# "default map copy-noind pv-blk", xen-hcd "default pv-blk", each with the
# other dispatch after default where usbback has that parameter (copy-noind
# and copy-ms240 only exist for usbfront); qusb cells run the cell and
# pv-blk.
# dom0-native runs before each round, and after a guest run again at the
# guest's max_sectors when that differs from dom0's ("native-msN").
# "BRK <where> <stage> <n> <median ms> <p99 ms> [<ms per MiB>]": stage
# timings from the tracepoints (trace.sh), g-* measured in the guest, b-*
# in dom0, each on its own clock: of the 4 KiB reads, and (stages named
# seq-*) of a second, traced sequential read of the whole stick after the
# timed one, with each stage's total time per MiB; "BENCH <where>
# seq-read-traced" is that read's MB/s (what tracing costs).
SCEN_NAME=bench
. /e2e/lib.sh
. /e2e/trace.sh
# iteration counts: BENCH_* on the host, passed as e2e.BENCH_* by boot.sh
N4K=$(arg e2e.BENCH_4K); N4K=${N4K:-500}
NCTRL=$(arg e2e.BENCH_CTRL); NCTRL=${NCTRL:-50}
NBULK=$(arg e2e.BENCH_BULK); NBULK=${NBULK:-500}
# the sequential read reads the 64 MiB stick NSEQ times in a row: natively
# one pass takes ~0.15 s on a quiet bed, too short for /proc/uptime's
# hundredths and the shell's own start-up
NSEQ=$(arg e2e.BENCH_SEQ_PASSES); NSEQ=${NSEQ:-8}

bench_lines() {  # bench_lines WHERE OUTPUT
	echo "$2" | awk -v w="$1" -v nc=$NCTRL -v nb=$NBULK '
		/^seq / {printf "BENCH %s seq-read %.2f\n", w, $2 / $3}
		/^4k / {printf "BENCH %s read-4k %.3f\n", w, $3 * 1000 / $2}
		/^ms / {printf "BENCH %s max-sectors %d\n", w, $2}
		/^cnt / && $2 > 0 {
			printf "BENCH %s cmds-per-mib %.1f\n", w, $5 / $2
			if ($3 > 0) printf "BENCH %s fe-req-per-mib %.1f\n", w, $3 / $2
			if ($4 > 0) printf "BENCH %s fe-irq-per-mib %.1f\n", w, $4 / $2 }
		/^tseq / && $3 > 0 {tmb = $2; printf "BENCH %s seq-read-traced %.2f\n", w, $2 / $3}
		/^q seq-/ && tmb > 0 {printf "BRK %s %s %s %s %s %.3f\n", w, $2, $3, $4, $5, $6 / tmb; next}
		/^q / {printf "BRK %s %s %s %s %s\n", w, $2, $3, $4, $5}
		/test 9,/ {for (i = 1; i <= NF; i++) if ($i == "secs") printf "BENCH %s ctrl %.3f\n", w, $(i-1) * 1000 / nc}
		/test 2,/ {for (i = 1; i <= NF; i++) if ($i == "secs") printf "BENCH %s bulk-4k %.3f\n", w, $(i-1) * 1000 / nb}'
}
# the workloads, as sh snippets usable in dom0 and in the guest ($D, and
# $GMS: max_sectors to force first, if set): "seq MB SECONDS", "ms N",
# "cnt MB REQUESTS IRQS COMMANDS" (deltas over the sequential read),
# "4k N SECONDS"
# (a disk without device/max_sectors, xen-blkfront's: the block queue's)
# (udevd applies the package's max_sectors rule in usbfront guests: the
# read waits for it, else it raced the rule and read at 240 sectors)
WORK_SEQ='MSF=/sys/block/${D#/dev/}/device/max_sectors
	[ -x /usr/bin/udevadm ] && { udevadm settle -t 10 2>/dev/null || true; }
	[ -n "$GMS" ] && echo $GMS > $MSF
	if [ -f $MSF ]; then echo "ms $(cat $MSF)"; else echo "ms $(($(cat /sys/block/${D#/dev/}/queue/max_sectors_kb) * 2))"; fi
	mb=$(($(cat /sys/block/${D#/dev/}/size) / 2048 * '$NSEQ')); set -- $(fe_counters $D)
	t=$(now); i=0; while [ $i -lt '$NSEQ' ]; do dd if=$D of=/dev/null bs=1M iflag=direct 2>/dev/null; i=$((i + 1)); done; s=$(elapsed $t)
	echo "seq $mb $s"; set -- "$@" $(fe_counters $D)
	echo "cnt $mb $(($4 - $1)) $(($5 - $2)) $(($6 - $3))"'
WORK_4K='t=$(now); dd if=$D of=/dev/null bs=4k count='$N4K' iflag=direct 2>/dev/null; echo "4k '$N4K' $(elapsed $t)"'
WORK_USB='testusb -D $N -t 9 -c '$NCTRL'; testusb -D $N -t 2 -s 4096 -c '$NBULK
# the sequential read again, traced ("tseq MB SECONDS", then the stages)
WORK_SEQ_TRACED='trace_start usbfront/usbfront_request usbfront/usbfront_response
	mb=$(($(cat /sys/block/${D#/dev/}/size) / 2048))
	t=$(now); dd if=$D of=/dev/null bs=1M iflag=direct 2>/dev/null; s=$(elapsed $t)
	trace_stop; echo "tseq $mb $s"; stages_front | quantiles | sed "s/^/q seq-/"'
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
PARAMS=/sys/module/usbback/parameters
# a benchmark waits longer for a guest than the tests: on a loaded host the
# guest once took 73 s to unpack its image and reach init
[ "$GUEST_UP_T" -ge 240 ] || GUEST_UP_T=240
g1_up() {
	if [ -n "$GCFG" ]; then
		guest_up g1 "$GCFG" "usbctrl = ['type=$CTRLTYPE,version=2,ports=4']"
	else
		guest_up g1
	fi || return 1
	# (qusb cells: no usbback, no parameters)
	G1_FEAT=$(cat $PARAMS/feature_* 2>/dev/null) || G1_FEAT=
}
# variant_params VARIANT: the usbback parameters of a variant, "P=V ..."
variant_params() {
	case $1 in
	default | pv-blk) echo ;;
	map) echo buffer_mode=map ;;
	copy-noind) echo buffer_mode=copy feature_max_indirect_segments=N ;;
	copy-ms240) echo buffer_mode=copy ;;
	copy-ric) echo buffer_mode=copy respond_in_completion=Y ;;
	copy-thread | copy-wq) echo buffer_mode=copy dispatch=${1#copy-} ;;
	*=*) echo "$1" ;;
	*) return 1 ;;
	esac
}
# use_params P=V...: usbback's parameters as loaded, except these (the
# ones the last call set are put back first); g1 created again when a
# feature offer changed.  On failure sets WHY and returns 1.
PARAMS_SET=
use_params() {
	for _use_params_kv in $PARAMS_SET; do
		echo "${_use_params_kv#*=}" > "$PARAMS/${_use_params_kv%%=*}"
	done
	PARAMS_SET=
	for _use_params_kv in "$@"; do
		_use_params_p=$PARAMS/${_use_params_kv%%=*}
		[ -f "$_use_params_p" ] || { WHY="usbback has no parameter ${_use_params_kv%%=*}"; return 1; }
		PARAMS_SET="$PARAMS_SET ${_use_params_kv%%=*}=$(cat "$_use_params_p")"
		echo "${_use_params_kv#*=}" > "$_use_params_p" && [ "$(cat "$_use_params_p")" = "${_use_params_kv#*=}" ] ||
			{ WHY="cannot set usbback $_use_params_kv"; return 1; }
	done
	[ "$(cat $PARAMS/feature_* 2>/dev/null)" = "$G1_FEAT" ] && return 0
	xlq destroy g1
	g1_up
}
g1_up || { fail bench "$WHY"; exit 0; }
BACK_EVENTS="usbback/usbback_event usbback/usbback_request usbback/usbback_submit
	usbback/usbback_urb_done usbback/usbback_complete"
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
		# shellcheck disable=SC2086
		trace_start $BACK_EVENTS
	fi
	# a failed traced read costs its lines only, not the variant
	out="$out
$(gexec g1 600 "D=\$(wait_for 60 disk '$P_STICK') || exit 1; . /e2e/trace.sh; $WORK_SEQ_TRACED")"
	if [ "$BACK" = usbback ]; then
		trace_stop
		out="$out
$(stages_back | quantiles | sed 's/^/q seq-/')"
		# shellcheck disable=SC2086
		trace_start $BACK_EVENTS
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
# bench_pvblk: the PV reference.  The stick stays in dom0; blkback exports
# its disk read-only to g1 as xvdb (vbd-phy: the bed's dom0 has no bash
# for Xen's "block" script), the disk workloads run on it, the disk is
# detached again.  Non-zero if something failed (WHY says what).
bench_pvblk() {
	[ -d /sys/module/xen_blkback ] || modprobe xen-blkback ||
		{ WHY="modprobe xen-blkback failed"; return 1; }
	_pvblk_d=$(wait_for 30 dom0_disk $stick) || { WHY="pv-blk: the stick has no disk in dom0"; return 1; }
	xlq block-attach g1 "format=raw,vdev=xvdb,access=ro,script=vbd-phy,target=$_pvblk_d" ||
		{ WHY="xl block-attach $_pvblk_d: $(xl_err)"; return 1; }
	out=$(gexec g1 600 "[ -d /sys/module/xen_blkfront ] || modprobe xen-blkfront || exit 1
		D=/dev/xvdb; wait_for 60 test -b \$D || exit 1; . /e2e/trace.sh; GMS=; $WORK_SEQ; $WORK_4K")
	_pvblk_r=$?
	xlq block-detach g1 xvdb || { WHY="xl block-detach xvdb: $(xl_err)"; _pvblk_r=1; }
	echo "$out" | sed "s|^|  [g1 pv-blk] |"
	bench_lines pv-blk "$out"
	[ $_pvblk_r = 0 ] || { WHY="${WHY:-guest workload failed in pv-blk}"; return 1; }
}

# The variants alternate for BENCH_ROUNDS rounds (the table averages
# them), each round starting one variant later, so that neither a burst
# of load on the host nor the place after dom0's run lands on one of them.
ROUNDS=$(arg e2e.BENCH_ROUNDS); ROUNDS=${ROUNDS:-3}
order=$(arg e2e.BENCH_VARIANTS | tr ',' ' ')
if [ "$BACK" != usbback ]; then
	case " ${order:-pv-blk} " in *" pv-blk "*) order="cell pv-blk" ;; *) order=cell ;; esac
else
	# the dispatch usbback does not load with, if it has the parameter
	_d=$(cat $PARAMS/dispatch 2>/dev/null)
	case $_d in wq) _d=copy-thread ;; thread) _d=copy-wq ;; *) _d= ;; esac
	[ "$FRONT" = usbfront ] && order=${order:-default $_d map copy-noind pv-blk}
	_o=
	for v in ${order:-default $_d pv-blk}; do
		case $FRONT-$v in xen-hcd-copy-noind | xen-hcd-copy-ms240) ;; *) _o="$_o $v" ;; esac
	done
	order=${_o# }
fi
info "bench: variants $order, $ROUNDS round(s)"
ok=1
r=0
while [ $r -lt "$ROUNDS" ] && [ $ok = 1 ]; do
	r=$((r + 1))
	[ $r -gt 1 ] && native native
	for v in $order; do
		info "bench: round $r/$ROUNDS $v"
		t=$(now)
		case $v in
		cell)
			bench_guest "$CELL" || { ok=0; break; }
			native_like ;;
		pv-blk)
			# a failed reference is reported and the cell's own
			# variants go on
			[ "$BACK" = usbback ] && { use_params || { ok=0; break; }; }
			bench_pvblk || fail bench-pv-blk "$WHY" ;;
		*)
			p=$(variant_params $v) || { WHY="unknown bench variant $v"; ok=0; break; }
			# shellcheck disable=SC2086
			use_params $p || { ok=0; break; }
			info "bench: usbback $(cd $PARAMS && grep -H . buffer_mode respond_in_completion dispatch feature_* 2>/dev/null | tr '\n' ' ')"
			gms=; usb=; [ $v = copy-ms240 ] && gms=240 && usb=nousb
			bench_guest "usbback-$v/$FRONT" "$gms" $usb || { ok=0; break; }
			case $v in default | copy-ms240) native_like ;; esac ;;
		esac
		info "bench: $v took $(elapsed $t)s"
	done
	case $order in *" "*) order="${order#* } ${order%% *}" ;; esac
done
[ "$BACK" = usbback ] && use_params
if [ $ok = 1 ]; then pass bench; else fail bench "$WHY"; fi
