# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# hostile-backend: usbfront against a malicious backend, end to end.
# The test-only module xenusb_hostile_back (tests/e2e/hostile/) replaces
# the cell's "vusb" backend in dom0: it plugs a fake device (gadget zero's
# ids, so usbtest binds in the guest) into port 1, answers enumeration,
# and once testusb puts a bulk IN request on the ring it misbehaves in one
# way per load (attack=NAME).  One guest, h1, gets a fresh controller
# (xl usbctrl-attach type=pv) per attack; one result line per attack:
#   hostile-<attack>  the attack was launched (dom0 log), usbfront logged
#                     what it saw and counted it in sysfs, and:
#     protocol errors (unknown-id dup-id urb-overflow conn-port0
#       conn-port-big conn-speed conn-overflow hold-grant): protocol_errors
#       is 1, link is down, the frontend reached Closed (6) with the error
#       in xenstore, the pending bulk URB ended with -ESHUTDOWN (testusb
#       says 108); dup-id sends the duplicate when the read's unlink is
#       in flight too (testusb case 11), and answers the read first, so
#       there any verdict will do;
#       hold-grant also: grants_held counted, the URB waited until the
#       backend unmapped the grant at disconnect (held back to 0)
#     clamped fields (big-len, bad-status): clamped counted, no protocol
#       error, the controller stays Connected (4); big-len's read succeeds
#       with the length clamped, bad-status's unknown code reads as
#       -ESHUTDOWN (108); a second read then succeeds
#     storm: storm_ms of empty events; the guest answers during it, no
#       protocol error, the read succeeds once the storm is over
#   and always: no WARNING/BUG/Oops in the guest's kernel log, the guest
#   answers, the controller detaches in time and leaves nothing in
#   xenstore, the module unloads.
#   hostile-ring-offer-{garbage,negative,big}  one module load (attack=none)
#                     and one controller each whose backend offers
#                     max-ring-page-order "x", "-1" and "99": usbfront logs
#                     the value as invalid and falls back to one page
#                     (urb-ring-ref only, no ring-page-order), connects,
#                     enumerates the device and a testusb read succeeds;
#                     no protocol error, nothing in the kernel log, the
#                     controller detaches in time
#   hostile-restore   the cell's own backend is back (usbback reloaded)
#                     and the QEMU stick reads its md5 in a fresh guest
#                     (with usbback: on the 8-page ring, ring-page-order 3)
# Only for cells whose frontend is usbfront (xen-hcd: one SKIP line).
# usbback cells: every guest is destroyed first (their controllers keep
# usbback in use) and usbback is unloaded; it is loaded again at the end.
SCEN_NAME=hostile-backend
. /e2e/lib.sh

HB=xenusb_hostile_back
P_HOSTILE="e2e hostile"
ATTACKS="unknown-id dup-id big-len bad-status urb-overflow conn-port0 conn-port-big conn-speed conn-overflow storm hold-grant"
G=h1

if [ "$FRONT" != usbfront ]; then
	skip hostile-backend "checks usbfront's hardening; $FRONT is not ours"
	exit 0
fi
if ! modinfo $HB > /dev/null 2>&1; then
	fail hostile-backend "$HB.ko is not in the dom0 image (make test-modules)"
	exit 0
fi

# what_of ATTACK: the protocol error usbfront must log, empty if none
what_of() {
	case $1 in
	unknown-id | dup-id) echo "response with an unknown or duplicate id" ;;
	urb-overflow) echo "urb ring response producer overflow" ;;
	conn-port0 | conn-port-big | conn-speed) echo "invalid conn ring event" ;;
	conn-overflow) echo "conn ring response producer overflow" ;;
	hold-grant) echo "backend still holds a grant of an answered request" ;;
	esac
}
# tu_want ATTACK: testusb's verdict on the victim read: ok, an errno, any
tu_want() {
	case $1 in
	dup-id) echo any ;;
	big-len | storm) echo ok ;;
	*) echo 108 ;;
	esac
}
# stat NAME: a value from the last stats dump (/tmp/hb-stats)
stat() { sed -n "s/^$1=//p" /tmp/hb-stats; }
# guest_stats: usbfront's counters of controller $C into /tmp/hb-stats
guest_stats() {
	gexec $G 20 "ctrl_stats $C" > /tmp/hb-stats
}
# tu_start [CASE]: one 512-byte bulk read in the background: testusb case
# 2 (a plain read), or 11 (a read that usbtest unlinks after a few ms)
tu_start() {
	gexec $G 60 "bg_testusb 40 '$P_HOSTILE' ${1:-2}"
}
# tu_case ATTACK: dup-id needs two requests in flight for a duplicate that
# is not also a producer overflow: the read and its unlink (case 11)
tu_case() { case $1 in dup-id) echo 11 ;; *) echo 2 ;; esac; }
# tu_verdict SECS: "ok", the errno testusb reported, or "none"
tu_verdict() {
	gexec $G $(($1 + 10)) "tu_wait $1" > /tmp/hb-tu
	if grep -q -- '-->' /tmp/hb-tu; then
		sed -n 's/.*--> \([0-9-]*\).*/\1/p' /tmp/hb-tu | head -n 1
	elif grep -q 'test 2,' /tmp/hb-tu; then
		echo ok
	else
		echo none
	fi
}
launched() { dmesg | grep -q "attack $A launched"; }
# KPAT with the first letter of each word bracketed: the same matches, but
# the command line the guest echoes to its console does not match itself
# (dom0-init's kernel-log check reads that console)
KPAT_G=$(echo "$KPAT" | awk -F'|' '{
	for (i = 1; i <= NF; i++) s = s (i > 1 ? "|" : "") "[" substr($i, 1, 1) "]" substr($i, 2)
	print s }')

# ---- the cell's backend out of the way
restore_backend() { :; }
if [ "$BACK" = usbback ]; then
	for d in $(xl list 2>/dev/null | awk 'NR > 1 && $1 != "Domain-0" {print $1}'); do
		xlq destroy "$d"
	done
	if ! wait_for 20 rmmod usbback 2> /tmp/hb-rmmod; then
		fail hostile-backend "rmmod usbback: $(cat /tmp/hb-rmmod)"
		exit 0
	fi
	restore_backend() { modprobe usbback && [ -e /sys/bus/usb/drivers/usbback ]; }
fi
if lsmod | grep -q '^usbback '; then
	fail hostile-backend "usbback is loaded: it would take the vusb controllers"
	exit 0
fi

######## one attack
attack() {
	t0=$(now)
	want_what=$(what_of $A)
	modprobe $HB attack=$A || { echo "modprobe $HB attack=$A failed"; return 1; }
	guest_up $G '# no controller: one per attack, xl usbctrl-attach' || { echo "$WHY"; return 1; }
	d=$(domid_of $G)
	gexec $G 20 'dmesg -c > /dev/null' > /dev/null
	xlq usbctrl-attach $G type=pv version=2 ports=4 || { echo "usbctrl-attach: $(xl_err)"; return 1; }
	C=$(xenstore-list /local/domain/$d/device/vusb 2>/dev/null | tail -n 1)
	[ -n "$C" ] || { echo "no vusb controller in xenstore after usbctrl-attach"; return 1; }
	info "hostile-$A: usbctrl-attach ${XL_T}s, controller $C"
	if [ $A = storm ]; then
		_attack_t=$(now)
		gexec $G 30 'echo alive' > /dev/null
		base=$(elapsed $_attack_t)
	fi
	_attack_o=$(tu_start $(tu_case $A)) || { echo "guest: $(echo "$_attack_o" | tail -n 1)"; return 1; }
	wait_for 20 launched || { echo "the attack was not launched within 20s of the read"; return 1; }
	if [ $A = storm ]; then
		# the guest must answer while the storm is on
		_attack_t=$(now)
		gexec $G 30 'echo alive' > /dev/null || { echo "guest did not answer during the storm"; return 1; }
		info "hostile-storm: guest answered in $(elapsed $_attack_t)s during the storm (${base}s before it)"
	fi
	v=$(tu_verdict 30)
	want=$(tu_want $A)
	info "hostile-$A: testusb verdict $v (want $want)"
	case $want in
	any) ;;
	*) [ "$v" = "$want" ] || { echo "testusb read ended '$v', want '$want': $(tail -n 2 /tmp/hb-tu | tr '\n' ' ')"; return 1; } ;;
	esac
	if [ -n "$want_what" ]; then
		wait_for 15 is_fe_state $d $C 6 ||
			{ echo "frontend state $(fe_state $d $C) 15s after the attack, want 6 (Closed)"; return 1; }
		_attack_e=$(xenstore-read /local/domain/$d/error/device/vusb/$C/error 2>/dev/null)
		case $_attack_e in *"$want_what"*) ;; *) echo "xenstore error node '$_attack_e', want '$want_what'"; return 1 ;; esac
	fi
	if [ $A = hold-grant ]; then
		dmesg | grep -q "held grant released at disconnect" ||
			{ echo "dom0: the hostile backend never released the held grant"; return 1; }
		gexec $G 30 "wait_for 20 grep -qx 0 /sys/bus/xen/devices/vusb-$C/stats/held" > /dev/null ||
			{ echo "usbfront still holds the URB 20s after the grant was released"; return 1; }
	fi
	guest_stats || { echo "reading usbfront's stats: $(tail -n 1 /tmp/hb-stats)"; return 1; }
	info "hostile-$A: $(grep -E '^(protocol_errors|clamped|grants_held|held|link|conn_events|responses)=' /tmp/hb-stats | tr '\n' ' ')"
	if [ -n "$want_what" ]; then
		[ "$(stat protocol_errors)" = 1 ] || { echo "protocol_errors $(stat protocol_errors), want 1"; return 1; }
		[ "$(stat link)" = down ] || { echo "link $(stat link), want down"; return 1; }
		gexec $G 20 "dmesg | grep -F 'backend protocol error: $want_what'" > /tmp/hb-log ||
			{ echo "guest log has no 'backend protocol error: $want_what'"; return 1; }
		if [ $A = hold-grant ]; then
			[ "$(stat grants_held)" -ge 1 ] || { echo "grants_held $(stat grants_held), want >= 1"; return 1; }
			[ "$(stat held)" = 0 ] || { echo "held $(stat held), want 0"; return 1; }
		fi
	else
		[ "$(stat protocol_errors)" = 0 ] || { echo "protocol_errors $(stat protocol_errors), want 0"; return 1; }
		[ "$(stat link)" = up ] || { echo "link $(stat link), want up"; return 1; }
		is_fe_state $d $C 4 || { echo "frontend state $(fe_state $d $C), want 4 (Connected)"; return 1; }
		case $A in
		big-len | bad-status)
			[ "$(stat clamped)" -ge 1 ] || { echo "clamped $(stat clamped), want >= 1"; return 1; }
			gexec $G 20 "dmesg | grep -q 'out of range.*clamped'" > /dev/null ||
				{ echo "guest log has no 'out of range ... clamped' line"; return 1; }
			;;
		storm)
			_attack_n=$(dmesg | sed -n 's/.*storm over: \([0-9]*\) events.*/\1/p' | tail -n 1)
			irq1=$(gexec $G 20 "grep usbfront /proc/interrupts | tr -s ' ' | cut -d' ' -f3")
			info "hostile-storm: ${_attack_n:-?} events sent, usbfront's irq ran ${irq1:-?} times"
			[ "${_attack_n:-0}" -ge 100 ] || { echo "only ${_attack_n:-0} storm events were sent"; return 1; }
			;;
		esac
		# the controller still works: a second read succeeds
		_attack_o=$(tu_start) || { echo "second read: $(echo "$_attack_o" | tail -n 1)"; return 1; }
		v=$(tu_verdict 30)
		[ "$v" = ok ] || { echo "second read after the attack ended '$v', want ok"; return 1; }
	fi
	# one command for both: the kernel log check, and that the guest answers
	_attack_k=$(gexec $G 20 "dmesg | grep -E '$KPAT_G' | head -n 2") ||
		{ echo "guest does not answer after the attack"; return 1; }
	[ -z "$_attack_k" ] || { echo "guest kernel: $(echo "$_attack_k" | tr '\n' ' ')"; return 1; }
	xlq usbctrl-detach $G $C || { echo "usbctrl-detach: $(xl_err)"; return 1; }
	info "hostile-$A: usbctrl-detach ${XL_T}s"
	fgt $XL_CLOSE_T $XL_T || { echo "usbctrl-detach took ${XL_T}s (libxl waits 10 s for Closed)"; return 1; }
	for p in /local/domain/0/backend/vusb/$d/$C /local/domain/$d/device/vusb/$C; do
		xenstore-exists $p 2>/dev/null && { echo "stale xenstore node $p"; return 1; }
	done
	wait_for 10 rmmod $HB 2> /tmp/hb-rmmod || { echo "rmmod $HB: $(cat /tmp/hb-rmmod)"; return 1; }
	info "hostile-$A: $(elapsed $t0)s"
}

# after a failed attack: no module, no guest, so the next one starts clean
attack_cleanup() {
	xlq destroy $G
	rmmod $HB 2> /dev/null
	true
}

for A in $ATTACKS; do
	step hostile-$A attack
	if grep -q "^FAIL $CELL hostile-$A:" $RESULTS_FILE || lsmod | grep -q "^$HB "; then
		attack_cleanup
	fi
done

######## max-ring-page-order that is no order (protocol.rst "Deeper ring"):
# usbfront must take it as no offer and use one page (the hostile backend
# maps no more); one module load, one controller per value
RING_OFFERS="garbage:x negative:-1 big:99"
ring_offer() {
	printf %s "$RV" > /sys/module/$HB/parameters/ring_offer || { echo "cannot set ring_offer"; return 1; }
	guest_up $G '# no controller: one per offer, xl usbctrl-attach' || { echo "$WHY"; return 1; }
	d=$(domid_of $G)
	xlq usbctrl-attach $G type=pv version=2 ports=4 || { echo "usbctrl-attach: $(xl_err)"; return 1; }
	C=$(xenstore-list /local/domain/$d/device/vusb 2>/dev/null | tail -n 1)
	[ -n "$C" ] || { echo "no vusb controller in xenstore after usbctrl-attach"; return 1; }
	_ro_b=$(xenstore-read /local/domain/0/backend/vusb/$d/$C/max-ring-page-order 2>/dev/null)
	[ "$_ro_b" = "$RV" ] || { echo "the backend offers '$_ro_b', want '$RV'"; return 1; }
	wait_for 15 is_fe_state $d $C 4 ||
		{ echo "frontend state $(fe_state $d $C) 15s after usbctrl-attach, want 4 (Connected)"; return 1; }
	_ro_f=/local/domain/$d/device/vusb/$C
	xenstore-exists $_ro_f/urb-ring-ref 2>/dev/null || { echo "the frontend wrote no urb-ring-ref"; return 1; }
	for _ro_k in ring-page-order urb-ring-ref0; do
		xenstore-exists $_ro_f/$_ro_k 2>/dev/null && { echo "the frontend wrote $_ro_k=$(xenstore-read $_ro_f/$_ro_k)"; return 1; }
	done
	# enumeration and a bulk read through the one-page ring, the log
	# line that names the value, no protocol error, no kernel warning
	# (the log is cleared for the next value)
	_ro_g=$(gexec $G 40 "wait_for 20 usbtest_ready '$P_HOSTILE' || { echo 'usbtest not bound after 20s'; exit 1; }
		testusb_on '$P_HOSTILE' -t 2 -c 1 -s 512 > /tmp/ro.tu 2>&1 || { echo \"testusb read: \$(tail -n 1 /tmp/ro.tu)\"; exit 1; }
		dmesg | grep -F 'max-ring-page-order \"$RV\"' | tail -n 1
		echo protocol_errors=\$(cat /sys/bus/xen/devices/vusb-$C/stats/protocol_errors)
		dmesg -c | grep -E '$KPAT_G' | head -n 2") ||
		{ echo "guest: $(echo "$_ro_g" | tail -n 1)"; return 1; }
	info "hostile-ring-offer-$RN: $(echo "$_ro_g" | tr '\n' ' ')"
	echo "$_ro_g" | grep -qF "max-ring-page-order \"$RV\": invalid value" ||
		{ echo "guest log has no 'max-ring-page-order \"$RV\": invalid value' line"; return 1; }
	echo "$_ro_g" | grep -qx 'protocol_errors=0' || { echo "usbfront counted a protocol error"; return 1; }
	_ro_k=$(echo "$_ro_g" | sed -n '/^protocol_errors=/,$p' | tail -n +2)
	[ -z "$_ro_k" ] || { echo "guest kernel: $(echo "$_ro_k" | tr '\n' ' ')"; return 1; }
	xlq usbctrl-detach $G $C || { echo "usbctrl-detach: $(xl_err)"; return 1; }
	fgt $XL_CLOSE_T $XL_T || { echo "usbctrl-detach took ${XL_T}s (libxl waits 10 s for Closed)"; return 1; }
	info "hostile-ring-offer-$RN: usbctrl-attach/detach, checks in $(elapsed $t0)s"
}
# (h1 is still up from the last attack)
if modprobe $HB attack=none; then
	for RO in $RING_OFFERS; do
		RN=${RO%%:*}
		RV=${RO#*:}
		t0=$(now)
		step hostile-ring-offer-$RN ring_offer
		grep -q "^FAIL $CELL hostile-ring-offer-$RN:" $RESULTS_FILE && xlq destroy $G
	done
else
	for RO in $RING_OFFERS; do fail hostile-ring-offer-${RO%%:*} "modprobe $HB attack=none failed"; done
fi
xlq destroy $G
lsmod | grep -q "^$HB " && wait_for 10 rmmod $HB

######## the cell's own backend again
restored() {
	restore_backend || { echo "cannot load the cell's backend again"; return 1; }
	bid=$(find_usb "$P_STICK") || { echo "stick not in dom0"; return 1; }
	back_in_dom0 $bid usb-storage 30 || { echo "stick on '$(drv $bid:1.0)', want usb-storage"; return 1; }
	guest_up g1 || { echo "$WHY"; return 1; }
	attach g1 $bid || { echo "usbdev-attach: $(xl_err)"; return 1; }
	# usbfront believes a real offer again: usbback's 8 pages
	if [ "$BACK" = usbback ]; then
		_restored_c=$(ctrls g1)
		_restored_o=$(xenstore-read /local/domain/$(domid_of g1)/device/vusb/${_restored_c%% *}/ring-page-order 2>/dev/null)
		info "hostile-restore: usbfront's ring-page-order '$_restored_o' with usbback"
		[ "$_restored_o" = 3 ] || { echo "usbfront's ring-page-order '$_restored_o' with usbback, want 3"; return 1; }
	fi
	out=$(gexec g1 120 "disk_verify 60 '$P_STICK' '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB")
	rc=$?
	info "hostile-restore: guest: $(echo "$out" | grep '^md5' | tr '\n' ' ')"
	detach g1 $bid || { echo "usbdev-detach: $(xl_err)"; return 1; }
	[ $rc -eq 0 ] || { echo "guest: $(echo "$out" | tail -n 1)"; return 1; }
	back_in_dom0 $bid usb-storage 30 || { echo "stick on '$(drv $bid:1.0)' 30s after detach, want usb-storage"; return 1; }
}
step hostile-restore restored
exit 0
