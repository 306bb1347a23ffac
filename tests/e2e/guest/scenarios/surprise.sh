# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# surprise: a device disappears from dom0 while the guest uses it.
#   stick   the outer QEMU unplugs the stick (device_del, asked for with an
#           "E2E-HOST stick-out" line on the console: boot.sh) while the
#           guest reads and writes it; later it plugs a fresh one into the
#           same xHCI port (stick-in), so dom0 names it with the same busid
#   gadget  the SourceSink gadget's UDC is soft-disconnected in dom0 while
#           testusb streams bulk IN in the guest; then it comes back
# Each time: the guest's I/O ends with an error (no hang), the guest sees
# the device go, usbback has no request in flight (so no grant mapped),
# the tablet on another port of the same controller still answers; then
# the administrator's cleanup, and the device, back in dom0, attaches to
# the guest again and works (the stick's md5, a testusb run).
#
# The administrator's cleanup.  A device that vanished stays assigned: its
# busid stays in the backend's port/N, the toolstack's record, which no
# backend rewrites (usbback keeps the port's busid and shows speed 0).
# `xl usbdev-detach DOM CTRL PORT` refuses it ("Unknown device at
# controller C port P."): xl looks the busid up in sysfs before it calls
# libxl_device_usbdev_remove(), which itself needs only the port.  That is
# the toolstack's XFAIL (tests/e2e/xfail, *-xl-detach), and while the port
# holds the busid, libxl refuses every usbdev-attach on the host.  So the
# scenario does by hand what libxl's removal does for a device with no
# interfaces left (port_release): port/N emptied in the backend directory
# and, for a pv controller, libxl's record of the interfaces' dom0
# drivers, /libxl/usbback/<busid>, removed.  usbback then forgets the busid
# (its portN/busid is empty), and the next usbdev-attach is an ordinary one.
#
# qusb: QEMU's device model can die when the stick goes under I/O
# (tests/e2e/xfail: dm-segfault), and it dies when a device that left is
# attached to the same port again (dm-default-state).  The checks it takes
# with it are XFAIL with that evidence (lib.sh's fail), and g1 is started
# again for what follows (dm_restart).
SCEN_NAME=surprise
. /e2e/lib.sh

# host_req WHAT: ask the host (boot.sh) to act on the outer QEMU
host_req() { echo "E2E-HOST $1" > /dev/hvc0; }
# gone_from_dom0 PRODUCT: no device of that product in dom0
gone_from_dom0() { ! find_usb "$1" > /dev/null; }
# idle_g1: usbback has no request of g1 in flight (read at every call)
idle_g1() { [ "$(ustat inflight)" = 0 ]; }
# be_dir: g1's backend directory in xenstore (its controllers below)
be_dir() { echo /local/domain/0/backend/$BEKIND/$(domid_of g1); }
# ports_of BUSID: "ctrl:port" of g1's ports that hold BUSID (from
# xenstore: xl usb-list cannot name a device that has gone from sysfs)
ports_of() {
	_ports_of_b=$(be_dir)
	for _ports_of_c in $(xenstore-list $_ports_of_b 2>/dev/null); do
		for _ports_of_p in $(xenstore-list $_ports_of_b/$_ports_of_c/port 2>/dev/null); do
			[ "$(xenstore-read $_ports_of_b/$_ports_of_c/port/$_ports_of_p 2>/dev/null)" = "$1" ] &&
				echo "$_ports_of_c:$_ports_of_p"
		done
	done
}
# ub_port CP FILE: usbback's sysfs FILE (busid, speed) of g1's port CP
# ("ctrl:port"); fails if there is none
ub_port() {
	_ub_port_f=/sys/bus/xen-backend/devices/vusb-$(domid_of g1)-${1%:*}/port${1#*:}/$2
	[ -f "$_ub_port_f" ] && cat "$_ub_port_f"
}
# ub_port_free CP: usbback's port CP holds no busid
ub_port_free() { _ub_port_free_b=$(ub_port "$1" busid) && [ -z "$_ub_port_free_b" ]; }

# LOST: busid of the device that vanished, for lost_detach
# lost_detach: xl usbdev-detach of g1's ports that still hold LOST (what
# an administrator tries first; a step_xf function)
lost_detach() {
	_lost_detach_cp=$(ports_of "$LOST")
	[ -n "$_lost_detach_cp" ] || { echo "no port of g1 holds $LOST"; return 1; }
	for _lost_detach_x in $_lost_detach_cp; do
		xlq usbdev-detach g1 ${_lost_detach_x%:*} ${_lost_detach_x#*:} ||
			{ echo "xl usbdev-detach g1 ${_lost_detach_x%:*} ${_lost_detach_x#*:}: $(xl_said)"; return 1; }
	done
}
# port_release BUSID: the administrator's cleanup (see above) of g1's
# ports that still hold BUSID; usbback must then forget the busid.  On
# failure WHY says why
port_release() {
	for _port_release_x in $(ports_of "$1"); do
		if [ "$BACK" = usbback ]; then
			# before: usbback keeps the busid, with nothing on the port
			[ "$(ub_port $_port_release_x busid)" = "$1" ] && [ "$(ub_port $_port_release_x speed)" = 0 ] || {
				WHY="usbback's port $_port_release_x: busid '$(ub_port $_port_release_x busid)' speed '$(ub_port $_port_release_x speed)', want '$1' and 0"
				return 1
			}
		fi
		xenstore-write "$(be_dir)/${_port_release_x%:*}/port/${_port_release_x#*:}" "" ||
			{ WHY="xenstore-write of port/${_port_release_x#*:} failed"; return 1; }
		[ "$BACK" != usbback ] || wait_for 10 ub_port_free $_port_release_x || {
			WHY="usbback's port $_port_release_x still holds '$(ub_port $_port_release_x busid)' 10 s after port/N was emptied"
			return 1
		}
		info "surprise: port $_port_release_x emptied by hand"
	done
	_port_release_k=/libxl/usbback/$(echo "$1" | tr ':.' '@_')
	if xenstore-exists $_port_release_k 2>/dev/null; then
		xenstore-rm $_port_release_k || { WHY="xenstore-rm $_port_release_k failed"; return 1; }
	fi
}

# after_loss NAME PRODUCT BUSID: the checks once PRODUCT (BUSID) vanished
# under g1, then the administrator's cleanup (NAME-port-release)
after_loss() {
	if gexec g1 40 "wait_for 30 no_usbdev '$2'" > /dev/null; then
		pass "$1-unplug-seen"
	else
		fail "$1-unplug-seen" "guest still sees '$2' 30 s after it left dom0"
	fi
	if [ "$BACK" != usbback ]; then
		skip "$1-nothing-in-flight" "QEMU's qusb shows no count of requests in flight"
	elif wait_for 20 idle_g1; then
		pass "$1-nothing-in-flight"
	else
		fail "$1-nothing-in-flight" "usbback still has $(ustat inflight) requests in flight for g1 20 s after the unplug"
	fi
	# the tablet, on another port of the same controller, still answers
	if gexec g1 30 "wait_for 20 hid_ready '$P_TABLET'" > /dev/null; then
		pass "$1-other-port-serves"
	else
		fail "$1-other-port-serves" "the tablet is gone from g1 too"
	fi
	LOST=$3
	step_xf "$1-xl-detach" lost_detach "Unknown device at controller"
	if port_release "$3"; then
		pass "$1-port-release"
	else
		fail "$1-port-release" "$WHY"
		return 1
	fi
}

# to_g1 BUSID: attach BUSID to g1 unless it is there already (a scenario
# before this one may have left g1 running, and a device in it)
to_g1() { [ -n "$(usb_port g1 "$1")" ] || attach g1 "$1"; }
# g1_with_tablet: g1 up, the tablet attached and driven by usbhid there;
# on failure WHY says why
g1_with_tablet() {
	guest_up g1 || return 1
	to_g1 $tab || { WHY="usbdev-attach of the tablet: $(xl_err)"; return 1; }
	gexec g1 60 "wait_for 45 hid_ready '$P_TABLET'" > /dev/null ||
		{ WHY="the tablet did not appear in g1"; return 1; }
}
# dm_restart WHEN: qusb: if its device model died (lib.sh's dm_crash),
# the guests destroyed and, while G1_AGAIN is set, g1 started again with
# the tablet, so that what follows has a live backend (the failures
# before were XFAIL)
G1_AGAIN=1
dm_restart() {
	[ "$BACK" = qusb ] && _dm_restart_c=$(dm_crash) || return 1
	info "surprise: qusb's device model died $1: ${_dm_restart_c#* }"
	dm_crash_recover surprise
	[ -z "$G1_AGAIN" ] || g1_with_tablet || info "surprise: g1 again after that: $WHY"
	return 0
}
# seen_or_dead PRODUCT: g1 shows PRODUCT, or (qusb) the device model died
# (then g1's USB waits for good, and its agent with it: 8 s per try)
seen_or_dead() {
	{ [ "$BACK" = qusb ] && dm_crash > /dev/null; } || gexec g1 8 "wait_for 5 usbdev '$1'" > /dev/null
}
# back_attach NAME BUSID DRIVER PRODUCT: the returned device, bound to
# DRIVER in dom0 again (if DRIVER is given), attached to g1 and seen there
# (PRODUCT); NAME-back fails otherwise (XFAIL if qusb died of it: then g1
# is started again)
back_attach() {
	[ -z "$3" ] || back_in_dom0 $2 "$3" 30 ||
		{ fail "$1-back" "its if0 driver in dom0 is '$(drv $2:1.0)', want $3"; return 1; }
	attach g1 $2 || { fail "$1-back" "usbdev-attach: $(xl_err)"; return 1; }
	wait_for 60 seen_or_dead "$4"
	if [ "$BACK" = qusb ] && dm_crash > /dev/null; then
		fail "$1-back" "not judged: the guest's backend died when the device was attached again"
		dm_restart "when the device was attached again"
		return 1
	fi
}
# give_back BUSID DRIVER WHAT: detach from g1, back to DRIVER in dom0
give_back() {
	detach g1 $1
	[ -z "$2" ] || back_in_dom0 $1 "$2" 30 || info "surprise: $3 did not go back to $2 in dom0"
}

tab=$(find_usb "$P_TABLET") || { fail surprise "tablet not in dom0"; exit 0; }
g1_with_tablet || { fail surprise "$WHY"; exit 0; }

######## the stick, unplugged from the outer QEMU under reads and writes
surprise_stick() {
	_ss_bid=$(find_usb "$P_STICK") || { fail stick-out "stick not in dom0"; return; }
	to_g1 $_ss_bid || { fail stick-out "usbdev-attach: $(xl_err)"; return; }
	gexec g1 120 "wait_for 60 disk '$P_STICK' && bg_rw '$P_STICK'" > /tmp/ss.out ||
		{ fail stick-out "guest: $(tail -n 1 /tmp/ss.out)"; return; }
	_ss_t=$(now)
	host_req stick-out
	wait_for 30 gone_from_dom0 "$P_STICK" ||
		{ fail stick-out "the stick is still in dom0 30 s after device_del"; return; }
	pass stick-out
	info "surprise: stick gone from dom0 $(elapsed $_ss_t)s after the request"
	# qusb's device model dies within milliseconds of the unplug if it does
	if [ "$BACK" = qusb ] && wait_for 3 dm_crash > /dev/null; then
		# (XFAIL while the death is on record: lib.sh's fail)
		fail stick-io-ended "not judged: the guest's backend died with the stick"
		fail stick-unplug-seen "not judged: the guest's backend died with the stick"
		dm_restart "with the stick"
	else
		if gexec g1 70 "wait_for 60 rd_ended && wait_for 10 wr_ended && cat /tmp/rd.done /tmp/wr.done" > /tmp/ss.out; then
			pass stick-io-ended
			info "surprise: $(tr '\n' ' ' < /tmp/ss.out)"
		else
			fail stick-io-ended "the guest's reads or writes did not end 60 s after the unplug: $(tail -n 2 /tmp/ss.out | tr '\n' ' ')"
		fi
		after_loss stick "$P_STICK" $_ss_bid || return
	fi
	host_req stick-in
	wait_for 60 find_usb "$P_STICK" > /dev/null ||
		{ fail stick-back "no stick in dom0 60 s after device_add"; return; }
	_ss_bid=$(find_usb "$P_STICK")
	back_attach stick $_ss_bid usb-storage "$P_STICK" || return
	if _ss_o=$(gexec g1 120 "disk_verify 60 '$P_STICK' '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB"); then
		pass stick-back
		info "surprise: the new stick in g1: $(echo "$_ss_o" | grep '^md5' | head -n 1)"
	else
		fail stick-back "guest: $(echo "$_ss_o" | tail -n 1)"
	fi
	dm_restart "after the stick came back" && return
	give_back $_ss_bid usb-storage "the stick"
}

######## the SourceSink gadget, its UDC soft-disconnected under testusb
# gadget_back: the gadget back in dom0.  soft_connect=connect first; Linux
# 6.1's UDC core stopped the UDC at disconnect and does not give it back
# its gadget driver, so dom0 fails to enumerate it ("device descriptor
# read/64, error -71"): then the gadget is bound to the UDC again through
# configfs, as an administrator would.  On failure WHY says why
gadget_back() {
	echo connect > /sys/class/udc/dummy_udc.0/soft_connect
	wait_for 3 find_usb "$P_SS" > /dev/null && return 0
	info "surprise: no SourceSink 3 s after soft_connect=connect (UDC state $(cat /sys/class/udc/dummy_udc.0/state 2>/dev/null)); binding the gadget to dummy_udc.0 again"
	for _gadget_back_i in 1 2; do
		echo "" > /sys/kernel/config/usb_gadget/ss/UDC 2>/dev/null
		echo dummy_udc.0 > /sys/kernel/config/usb_gadget/ss/UDC 2>/dev/null &&
			wait_for 20 find_usb "$P_SS" > /dev/null && return 0
	done
	WHY="no SourceSink in dom0 after binding the gadget to dummy_udc.0 again (UDC '$(cat /sys/kernel/config/usb_gadget/ss/UDC 2>/dev/null)', state $(cat /sys/class/udc/dummy_udc.0/state 2>/dev/null))"
	return 1
}
surprise_gadget() {
	_sg_udc=/sys/class/udc/dummy_udc.0/soft_connect
	[ -w $_sg_udc ] || { fail gadget-out "no $_sg_udc"; return; }
	_sg_bid=$(find_usb "$P_SS") || { fail gadget-out "SourceSink gadget not in dom0"; return; }
	_sg_drv=$(drv $_sg_bid:1.0)
	to_g1 $_sg_bid || { fail gadget-out "usbdev-attach: $(xl_err)"; return; }
	gexec g1 60 "bg_stream 45 '$P_SS' && streaming" > /tmp/sg.out ||
		{ fail gadget-out "guest: $(tail -n 1 /tmp/sg.out)"; return; }
	echo disconnect > $_sg_udc
	if wait_for 30 gone_from_dom0 "$P_SS"; then
		pass gadget-out
		# testusb exits 0 whatever the test did: its error is a "test N --> errno" line
		if gexec g1 70 "tu_wait 60" > /tmp/sg.out && grep -q -- '-->' /tmp/sg.out; then
			pass gadget-io-ended
			info "surprise: testusb $(grep -v '^$' /tmp/sg.out | tail -n 2 | tr '\n' ' ')"
		else
			fail gadget-io-ended "testusb did not end with an error 60 s after the disconnect: $(tail -n 2 /tmp/sg.out | tr '\n' ' ')"
		fi
		after_loss gadget "$P_SS" $_sg_bid
		_sg_rc=$?
	else
		fail gadget-out "the gadget is still in dom0 30 s after the disconnect"
		_sg_rc=1
	fi
	# the gadget comes back whatever happened (a later boot's scenario or
	# an administrator wants it)
	gadget_back || { fail gadget-back "$WHY"; return; }
	[ $_sg_rc = 0 ] || return
	_sg_bid=$(find_usb "$P_SS")
	G1_AGAIN=    # (nothing needs g1 after the gadget's checks)
	back_attach gadget $_sg_bid "$_sg_drv" "$P_SS" || return
	if _sg_o=$(gexec g1 90 "wait_for 60 usbtest_ready '$P_SS' && testusb_on '$P_SS' -t 1 -c 20 -s 512") &&
		! echo "$_sg_o" | grep -q -- '-->'; then
		pass gadget-back
	else
		fail gadget-back "guest: $(echo "$_sg_o" | tail -n 2 | tr '\n' ' ')"
	fi
	dm_restart "after the gadget came back" && return
	give_back $_sg_bid "$_sg_drv" "the gadget"
}

surprise_stick
surprise_gadget
if domid_of g1 > /dev/null; then
	give_back $tab usbhid "the tablet"
fi
