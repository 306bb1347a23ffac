# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# hostile-frontend: a guest attacks usbback through the real rings (usbback
# cells only; elsewhere one SKIP line).
#
# g1 loads tests/e2e/hostile/xenusb_hostile_front.ko instead of a frontend
# and holds the mass_storage gadget; g2 runs the cell's frontend and reads
# the stick over and over meanwhile.  The module sends its malformed
# requests and checks every answer; each of its attacks becomes one result
# line hostile-<attack> (see Documentation/testing-e2e.rst for the list and
# the expected answers).  The ring violation (ring-overflow) closes the
# controller; dom0 checks at once:
#   hostile-closed      backend Closed, error node written by
#                       xenbus_dev_fatal, the requests in flight answered
#                       (errors_shutdown)
# Then g1 comes back from Closed once per connection attempt with bad
# deeper-ring keys (protocol.rst "Deeper ring"; usbback offers 2 meanwhile,
# so that 3 is in range but above the offer): each ring-* line is the
# module's verdict (refused: InitWait to Closing, no ring page mapped)
# and dom0's log naming each refused value, no connection, no kernel-log
# pattern; then ring-connect (an 8-page ring served, usbback's
# max_in_flight above 16) and ring-overflow-order3 (the producer 129
# ahead: backend Closed, error node and log name the overflow).  Then:
#   hostile-g2-during   g2 read the stick correctly all through the attacks
#   hostile-counters    usbback's errors_inval/errors_nodev grew by what
#                       the module sent
#   hostile-ratelimit   usbback's log lines for g1 stay within the
#                       ratelimit bound, far fewer than bad requests
#   hostile-destroy     xl destroy g1 completes in libxl's time, no
#                       "requests still in flight", no xenstore leftovers
#   hostile-reattach    the gadget, back in dom0, attached to g2 works
#                       (md5 of the whole gadget disk)
#   hostile-g2-after    g2 still reads the stick
#   hostile-kernel-log  no WARNING/BUG/Oops in dom0 or in the guests
SCEN_NAME=hostile-frontend
. /e2e/lib.sh

N=hostile-frontend
if [ "$BACK" != usbback ]; then
	skip $N "backend $BACK: the hostile frontend attacks usbback only"
	exit 0
fi
HMOD=xenusb_hostile_front
SYSH=/sys/bus/xen/devices/vusb-0/hostile
T0=$(now)

cleanup() {
	for _cleanup_g in g1 g2; do domid_of $_cleanup_g > /dev/null && xlq destroy $_cleanup_g; done
}
# guests of earlier scenarios run the cell's frontend: start afresh
cleanup
DM0=$(dmesg | wc -l)
since() { dmesg | tail -n +$((DM0 + 1)); }
# console lines so far of each guest name (the logs outlive the guests)
clines() { cat $CONSOLE_DIR/guest-$1.log 2>/dev/null | wc -l; }
C1=$(clines g1)
C2=$(clines g2)

gadget=$(find_usb "$P_MSG") && stick=$(find_usb "$P_STICK") ||
	{ fail $N "gadget or stick missing in dom0"; exit 0; }

GFRONT=$HMOD
guest_up g1
st=$?
GFRONT=
[ $st = 0 ] || { fail $N "g1 with $HMOD: $WHY"; cleanup; exit 0; }
guest_up g2 || { fail $N "g2: $WHY"; cleanup; exit 0; }
d1=$(domid_of g1)
BE=/sys/bus/xen-backend/devices/vusb-$d1-0
BEXS=/local/domain/0/backend/vusb/$d1/0
attach g1 $gadget || { fail $N "attach gadget to g1: $(xl_err)"; cleanup; exit 0; }
attach g2 $stick || { fail $N "attach stick to g2: $(xl_err)"; cleanup; exit 0; }
[ -d $BE/statistics ] || { fail $N "no $BE/statistics"; cleanup; exit 0; }
ctr() { cat $BE/statistics/$1; }
inval0=$(ctr errors_inval)
nodev0=$(ctr errors_nodev)
other0=$(ctr errors_other)
shut0=$(ctr errors_shutdown)

# g2: read the stick until told to stop, dropping the page cache each round
gexec g2 90 "verify_loop 60 '$P_STICK' '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB" > /tmp/hf.out ||
	{ fail $N "g2 background reader: $(tail -n 1 /tmp/hf.out)"; cleanup; exit 0; }

# module_line: the module's verdict on attack $A among the lines in $RL:
# its "ok" text as an INFO line, or a failure
module_line() {
	_module_line_l=$(echo "$RL" | grep "^$A: " | tail -n 1)
	case $_module_line_l in
	"$A: ok "*) info "$A: ${_module_line_l#"$A: ok "}" ;;
	"$A: FAIL "*) echo "${_module_line_l#"$A: FAIL "}"; return 1 ;;
	*) echo "no report line: $(echo "$RL" | tail -n 1)"; return 1 ;;
	esac
}

# ---- the attacks, one step per RPC so that the log shows the progress
ATTACKS="setup bad-port bad-devnum ep-absent too-many-segs seg-past-page buffer-length ungranted-gref readonly-gref iso-counts unlink-unknown bad-flags unnegotiated-flags indirect evtchn-storm malformed-flood ring-flood unlink-inflight still-served ring-overflow"
t=$(now)
for A in $ATTACKS; do
	info "$N: step $A at $(elapsed $T0)s"
	RL=$(gexec g1 120 "echo $A > $SYSH; grep '^$A: ' $SYSH | tail -n 1")
	[ $A = ring-overflow ] && INFLIGHT=$(echo "$RL" | sed -nE 's/.*\(([0-9]+) requests were in flight\).*/\1/p')
	step hostile-$A module_line
done

closed() {
	_closed_st=$(xenstore-read $BEXS/state 2>/dev/null)
	_closed_e=$(xenstore-read /local/domain/0/error/backend/vusb/$d1/0/error 2>/dev/null)
	info "backend state $_closed_st, error node: $_closed_e"
	[ "$_closed_st" = 6 ] || { echo "backend state '$_closed_st', want 6 (Closed)"; return 1; }
	case $_closed_e in
	*"producer overflow"*) ;;
	*) echo "error node '$_closed_e' does not name the producer overflow"; return 1 ;;
	esac
	since | grep -q "dom$d1 controller 0 disconnected" ||
		{ echo "usbback did not log the disconnect"; return 1; }
	# no URB leaked: the unlinked bulk IN and those still in flight at
	# the violation were all answered -ESHUTDOWN (killed at disconnect)
	_closed_sd=$(($(ctr errors_shutdown) - shut0))
	info "errors_shutdown +$_closed_sd: 1 unlinked + ${INFLIGHT:-?} in flight at the violation"
	[ -n "$INFLIGHT" ] || { echo "the module did not say how many requests were in flight"; return 1; }
	[ $_closed_sd -ge $((1 + INFLIGHT)) ] || { echo "errors_shutdown +$_closed_sd, want $((1 + INFLIGHT)): an in-flight request was not answered"; return 1; }
}
step hostile-closed closed

# ---- the deeper ring's keys, one RPC for all the refused attempts
PRM_RO=/sys/module/usbback/parameters/max_ring_page_order
RING_KEYS="ring-order-range ring-order-garbage ring-order-offer ring-ref-missing ring-ref-dup ring-ref-garbage"
# ring_msgs ATTACK: what usbback's xenbus_dev_fatal says of each of
# ATTACK's attempts (with an offer of 2), one a line
ring_msgs() {
	case $1 in
	ring-order-range) printf '%s\n' 'ring-page-order "9" (0..2)' 'ring-page-order "-1" (0..2)' ;;
	ring-order-garbage) echo 'ring-page-order "x" (0..2)' ;;
	ring-order-offer) echo 'ring-page-order "3" (0..2)' ;;
	ring-ref-missing) echo 'urb-ring-ref3: missing' ;;
	ring-ref-dup) echo 'urb-ring-ref3: names a page twice' ;;
	ring-ref-garbage) echo 'urb-ring-ref2: not a grant reference' ;;
	esac
}
# lines of dom0's log since line $1
log_since() { dmesg | tail -n +$(($1 + 1)); }
# refused: the module's verdict, and in dom0's log since the attempts
# (/tmp/hf-ring.log) usbback's reason for each attempt, no connection, no
# kernel-log pattern; the backend device is still there; the last
# attempt's reason is in the error node
refused() {
	module_line || return 1
	_refused_l=$(grep -F "vusb-$d1-0" /tmp/hf-ring.log)
	while IFS= read -r _refused_m; do
		echo "$_refused_l" | grep -qF "frontend's $_refused_m" ||
			{ echo "dom0's log has no \"frontend's $_refused_m\" for vusb-$d1-0"; return 1; }
	done <<-EOF
	$(ring_msgs $A)
	EOF
	grep -q "dom$d1 controller 0 connected" /tmp/hf-ring.log &&
		{ echo "usbback connected: $(grep "dom$d1 controller 0 connected" /tmp/hf-ring.log | head -n 1)"; return 1; }
	_refused_k=$(grep -E "$KPAT" /tmp/hf-ring.log | head -n 2)
	[ -z "$_refused_k" ] || { echo "dom0 kernel: $(echo "$_refused_k" | tr '\n' ' ' | cut -c1-200)"; return 1; }
	[ -d $BE ] || { echo "$BE is gone"; return 1; }
	[ $A = ring-ref-garbage ] || return 0
	_refused_e=$(xenstore-read /local/domain/0/error/backend/vusb/$d1/0/error 2>/dev/null)
	_refused_s=$(xenstore-read $BEXS/state 2>/dev/null)
	info "backend state $_refused_s, error node: $_refused_e"
	[ "$_refused_s" = 6 ] || { echo "backend state '$_refused_s', want 6 (Closed)"; return 1; }
	case $_refused_e in
	*"$(ring_msgs $A)"*) ;;
	*) echo "error node '$_refused_e', want '$(ring_msgs $A)'"; return 1 ;;
	esac
}
info "$N: deeper-ring keys at $(elapsed $T0)s"
DMR=$(dmesg | wc -l)
RO0=$(cat $PRM_RO 2>/dev/null)
# (a few seconds; the bound covers 7 attempts whose 3 state waits of 10 s
# all run out)
if echo 2 > $PRM_RO; then
	RL=$(gexec g1 300 "for s in $RING_KEYS; do echo \$s > $SYSH; done; grep -E '^($(echo $RING_KEYS | tr ' ' '|')): ' $SYSH")
	echo "$RO0" > $PRM_RO
else
	RL="cannot set usbback's max_ring_page_order to 2"
fi
log_since $DMR > /tmp/hf-ring.log
for A in $RING_KEYS; do
	step hostile-$A refused
done

# ring-connect: an 8-page ring after all the refusals, served; then its
# producer runs 129 ahead (ring-overflow-order3)
connected8() {
	module_line || return 1
	_connected8_l=$(log_since $DMC | grep "dom$d1 controller 0 connected" | tail -n 1)
	info "usbback: ${_connected8_l#*: }; max_in_flight $(ctr max_in_flight) (before: $MIF0)"
	case $_connected8_l in
	*"urb ring 8 pages, 128 slots"*) ;;
	*) echo "usbback logged no 8-page connection: '$_connected8_l'"; return 1 ;;
	esac
	[ "$(ctr max_in_flight)" -gt 16 ] || { echo "max_in_flight $(ctr max_in_flight): never more than a page's 16 requests in flight"; return 1; }
}
closed8() {
	module_line || return 1
	_closed8_st=$(xenstore-read $BEXS/state 2>/dev/null)
	_closed8_e=$(xenstore-read /local/domain/0/error/backend/vusb/$d1/0/error 2>/dev/null)
	info "backend state $_closed8_st, error node: $_closed8_e"
	[ "$_closed8_st" = 6 ] || { echo "backend state '$_closed8_st', want 6 (Closed)"; return 1; }
	case $_closed8_e in
	*"producer overflow"*) ;;
	*) echo "error node '$_closed8_e' does not name the producer overflow"; return 1 ;;
	esac
	log_since $DMC | grep -q "dom$d1: urb ring producer overflow" ||
		{ echo "usbback did not log the overflow of the 8-page ring"; return 1; }
	log_since $DMC | grep -q "dom$d1 controller 0 disconnected" ||
		{ echo "usbback did not log the disconnect"; return 1; }
}
info "$N: 8-page ring at $(elapsed $T0)s"
DMC=$(dmesg | wc -l)
MIF0=$(ctr max_in_flight)
RL=$(gexec g1 120 "for s in ring-connect ring-overflow-order3; do echo \$s > $SYSH; done; grep -E '^(ring-connect|ring-overflow-order3): ' $SYSH")
A=ring-connect
step hostile-ring-connect connected8
A=ring-overflow-order3
step hostile-ring-overflow-order3 closed8

RUN_T=$(elapsed $t)
sum=$(gexec g1 20 "grep '^summary: ' $SYSH")
bad=$(echo "$sum" | sed -nE 's/.*malformed ([0-9]+).*/\1/p')
info "$N: attacks took ${RUN_T}s; module $sum"

# ---- g2 kept working during the attacks
during() {
	gexec g2 10 "touch /tmp/stop" > /dev/null
	gexec g2 200 "wait_for 180 test -e /tmp/bg.rc; cat /tmp/bg.out; exit \$(cat /tmp/bg.rc)" > /tmp/hf.out
	_during_r=$?
	info "g2 during the attacks: $(grep -E 'rounds|md5 [0-9a-f]' /tmp/hf.out | tail -n 2 | tr '\n' ' ')"
	[ $_during_r = 0 ] || { echo "g2 stick reader: $(tail -n 1 /tmp/hf.out)"; return 1; }
}
step hostile-g2-during during

# ---- usbback's counters and log
counters() {
	_counters_i=$(($(ctr errors_inval) - inval0))
	_counters_n=$(($(ctr errors_nodev) - nodev0))
	_counters_o=$(($(ctr errors_other) - other0))
	info "usbback counters of g1: errors_inval +$_counters_i, errors_nodev +$_counters_n, errors_other +$_counters_o, unlinks $(ctr unlinks), requests $(ctr requests)"
	[ -n "$bad" ] || { echo "no summary from the module"; return 1; }
	# every malformed request but one -ENODEV and one -ENOENT is -EINVAL,
	# malformed unlinks included
	[ $_counters_i -ge $((bad - 2)) ] || { echo "errors_inval +$_counters_i for $bad malformed requests"; return 1; }
	[ $_counters_n -ge 1 ] || { echo "errors_nodev did not grow"; return 1; }
	[ $_counters_o -ge 1 ] || { echo "errors_other did not count the -ENOENT unlink"; return 1; }
}
step hostile-counters counters

ratelimit() {
	_ratelimit_l=$(since | grep -c "dom$d1: ")
	_ratelimit_s=$(since | grep -c 'callbacks suppressed')
	# 10 lines per 5 s per call site (printk's default ratelimit); four
	# warning sites can fire (malformed, bad grant in, bad grant out,
	# producer overflow), plus xenbus_dev_fatal's own line for each of
	# the two ring violations
	_ratelimit_max=$(awk -v t="$RUN_T" 'BEGIN {printf "%d", 4 * 10 * (int(t / 5) + 2) + 2 * 2}')
	info "usbback log lines naming dom$d1: $_ratelimit_l for $bad malformed requests in ${RUN_T}s (bound $_ratelimit_max), $_ratelimit_s 'callbacks suppressed'"
	[ -n "$bad" ] && [ "$bad" -gt 0 ] || { echo "no malformed request count"; return 1; }
	[ $_ratelimit_l -ge 1 ] || { echo "no log line at all for dom$d1"; return 1; }
	[ $_ratelimit_l -le $_ratelimit_max ] || { echo "$_ratelimit_l log lines, bound $_ratelimit_max"; return 1; }
	[ $((_ratelimit_l * 4)) -lt "$bad" ] || { echo "$_ratelimit_l log lines for $bad bad requests: not rate-limited"; return 1; }
}
step hostile-ratelimit ratelimit

destroy_g1() {
	xlq destroy g1 || { echo "xl destroy g1: $(xl_err)"; return 1; }
	info "xl destroy g1 ${XL_T}s"
	fgt $XL_CLOSE_T "$XL_T" || { echo "xl destroy g1 took ${XL_T}s (libxl waits 10 s)"; return 1; }
	grep -q 'unable to remove' $XL_LOG && { echo "libxl: unable to remove a device"; return 1; }
	since | grep -q 'requests still in flight' && { echo "usbback: $(since | grep 'still in flight' | tail -n 1)"; return 1; }
	wait_for 10 no_stale $d1 || { echo "xenstore leftovers: $(xs_stale $d1 | tr '\n' ' ')"; return 1; }
	wait_for 10 test ! -e $BE || { echo "$BE still there"; return 1; }
}
step hostile-destroy destroy_g1

reattach() {
	back_in_dom0 $gadget usb-storage 30 || { echo "gadget if0 driver '$(drv $gadget:1.0)' 30s after destroy"; return 1; }
	attach g2 $gadget || { echo "attach gadget to g2: $(xl_err)"; return 1; }
	# the backing file as it is now: storage-gadget, if it ran, wrote
	# its pattern at the end (GADGET_MD5 is from before)
	_reattach_m=$(md5sum < $GADGET_IMG | cut -d' ' -f1)
	gexec g2 150 "disk_verify 60 '$P_MSG' '$STICK_MAGIC-GADGET' $_reattach_m" > /tmp/hf.out ||
		{ echo "g2 gadget: $(tail -n 1 /tmp/hf.out)"; return 1; }
	info "g2 gadget: $(grep '^md5' /tmp/hf.out)"
}
step hostile-reattach reattach

after() {
	gexec g2 150 "echo 3 > /proc/sys/vm/drop_caches; disk_verify 0 '$P_STICK' '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB" > /tmp/hf.out ||
		{ echo "g2 stick: $(tail -n 1 /tmp/hf.out)"; return 1; }
	info "g2 stick after: $(grep '^md5' /tmp/hf.out)"
}
step hostile-g2-after after

klog() {
	_klog_b=$(since | grep -E "$KPAT" | head -n 2)
	_klog_b="$_klog_b$(console_bad g1 $C1)$(console_bad g2 $C2)"
	[ -z "$_klog_b" ] || { echo "$(echo "$_klog_b" | tr -d '\r' | tr '\n' ' ' | cut -c1-240)"; return 1; }
}
step hostile-kernel-log klog

cleanup
info "$N: $(elapsed $T0)s in all"
