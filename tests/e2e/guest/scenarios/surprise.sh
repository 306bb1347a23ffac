# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# surprise: a device disappears from dom0 while the guest uses it.
#   stick   the outer QEMU unplugs the stick (device_del, asked for with an
#           "E2E-HOST stick-out" line on the console: boot.sh) while the
#           guest reads it in a loop and writes to it; later it plugs a
#           fresh one in again (stick-in)
#   gadget  the SourceSink gadget's UDC is soft-disconnected in dom0 while
#           testusb streams bulk IN in the guest; then connected again
# Each time: the guest's I/O ends with an error (no hang), the guest sees
# the device go, usbback has no request in flight, the tablet on another
# port of the same controller still answers, and the device, back in dom0,
# attaches to the guest again and works (the stick's md5, a testusb run).
# What `xl usbdev-detach` of the vanished device does is recorded (libxl's
# part, not a check); a port libxl leaves behind is detached by its
# controller/port pair.
SCEN_NAME=surprise
. /e2e/lib.sh

guest_up g1 || { fail surprise "$WHY"; exit 0; }
tab=$(find_usb "$P_TABLET") || { fail surprise "tablet not in dom0"; exit 0; }

# host_req WHAT: ask the host (boot.sh) to act on the outer QEMU
host_req() { echo "E2E-HOST $1" > /dev/hvc0; }
# gone_from_dom0 PRODUCT: no device of that product in dom0
gone_from_dom0() { ! find_usb "$1" > /dev/null; }
# busy_g1: usbback's requests in flight for g1 (0 for qusb: not counted)
busy_g1() { [ "$BACK" = usbback ] && ustat inflight || echo 0; }
# leftover_ports BUSID: "ctrl:port" of g1's ports that libxl still assigns
# to a device other than BUSID (from xenstore: xl usb-list cannot name a
# device that has gone from sysfs)
leftover_ports() {
	_leftover_ports_b=/local/domain/0/backend/$BEKIND/$(domid_of g1)
	for _leftover_ports_c in $(xenstore-list $_leftover_ports_b 2>/dev/null); do
		for _leftover_ports_p in $(xenstore-list $_leftover_ports_b/$_leftover_ports_c/port 2>/dev/null); do
			_leftover_ports_v=$(xenstore-read $_leftover_ports_b/$_leftover_ports_c/port/$_leftover_ports_p 2>/dev/null)
			[ -n "$_leftover_ports_v" ] && [ "$_leftover_ports_v" != "$1" ] &&
				echo "$_leftover_ports_c:$_leftover_ports_p"
		done
	done
}
# after_loss NAME PRODUCT: the checks once PRODUCT vanished under g1
after_loss() {
	gexec g1 40 "wait_for 30 no_usbdev '$2'" > /dev/null ||
		{ fail "$1-unplug-seen" "guest still sees '$2' 30 s after it left dom0"; return 1; }
	pass "$1-unplug-seen"
	wait_for 20 test "$(busy_g1)" = 0 ||
		{ fail "$1-nothing-in-flight" "usbback still has $(busy_g1) requests in flight for g1"; return 1; }
	pass "$1-nothing-in-flight"
	# the tablet, on another port of the same controller, still answers
	if gexec g1 30 "wait_for 20 hid_ready '$P_TABLET'" > /dev/null; then
		pass "$1-other-port-serves"
	else
		fail "$1-other-port-serves" "the tablet is gone from g1 too"
	fi
	# libxl still lists the vanished device: record what its detach does
	for _after_loss_cp in $(leftover_ports $tab); do
		if xlq usbdev-detach g1 ${_after_loss_cp%:*} ${_after_loss_cp#*:}; then
			info "surprise: xl usbdev-detach of the vanished device on ${_after_loss_cp%:*}:${_after_loss_cp#*:}: ok (${XL_T}s)"
		else
			info "surprise: xl usbdev-detach of the vanished device on ${_after_loss_cp%:*}:${_after_loss_cp#*:}: failed: $(xl_err)"
		fi
	done
	return 0
}

attach g1 $tab || { fail surprise "usbdev-attach of the tablet: $(xl_err)"; exit 0; }
gexec g1 60 "wait_for 45 hid_ready '$P_TABLET'" > /dev/null ||
	{ fail surprise "the tablet did not appear in g1"; exit 0; }

######## the stick, unplugged from the outer QEMU under reads and writes
surprise_stick() {
	_ss_bid=$(find_usb "$P_STICK") || { fail stick-out "stick not in dom0"; return; }
	_ss_o=$(g1_bg_read $_ss_bid) || { fail stick-out "$_ss_o"; return; }
	gexec g1 20 "bg_write '$P_STICK'" > /tmp/bgw.out ||
		{ fail stick-out "guest writer: $(tail -n 1 /tmp/bgw.out)"; return; }
	gexec g1 40 "writing" > /dev/null ||
		{ fail stick-out "the guest's writes are not moving"; return; }
	_ss_t=$(now)
	host_req stick-out
	wait_for 30 gone_from_dom0 "$P_STICK" ||
		{ fail stick-out "the stick is still in dom0 30 s after device_del"; return; }
	pass stick-out
	info "surprise: stick gone from dom0 $(elapsed $_ss_t)s after the request"
	if gexec g1 70 "wait_for 60 rd_ended && wait_for 10 wr_ended && cat /tmp/rd.done /tmp/wr.done" > /tmp/ss.out; then
		pass stick-io-ended
		info "surprise: $(tr '\n' ' ' < /tmp/ss.out)"
	else
		fail stick-io-ended "the guest's reads or writes did not end 60 s after the unplug: $(tail -n 2 /tmp/ss.out | tr '\n' ' ')"
	fi
	after_loss stick "$P_STICK" || return
	host_req stick-in
	wait_for 60 find_usb "$P_STICK" > /dev/null ||
		{ fail stick-back "no stick in dom0 60 s after device_add"; return; }
	_ss_bid=$(find_usb "$P_STICK")
	back_in_dom0 $_ss_bid usb-storage 30 ||
		{ fail stick-back "the new stick's if0 driver is '$(drv $_ss_bid:1.0)', want usb-storage"; return; }
	attach g1 $_ss_bid || { fail stick-back "usbdev-attach: $(xl_err)"; return; }
	if _ss_o=$(gexec g1 120 "disk_verify 60 '$P_STICK' '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB"); then
		pass stick-back
	else
		fail stick-back "guest: $(echo "$_ss_o" | tail -n 1)"
	fi
	detach g1 $_ss_bid
	back_in_dom0 $_ss_bid usb-storage 30 || info "surprise: the stick did not go back to usb-storage in dom0"
}

######## the SourceSink gadget, its UDC soft-disconnected under testusb
surprise_gadget() {
	_sg_udc=/sys/class/udc/dummy_udc.0/soft_connect
	[ -w $_sg_udc ] || { fail gadget-out "no $_sg_udc"; return; }
	_sg_bid=$(find_usb "$P_SS") || { fail gadget-out "SourceSink gadget not in dom0"; return; }
	_sg_drv=$(drv $_sg_bid:1.0)
	attach g1 $_sg_bid || { fail gadget-out "usbdev-attach: $(xl_err)"; return; }
	gexec g1 60 "bg_stream 45 '$P_SS'" > /tmp/sg.out ||
		{ fail gadget-out "guest: $(tail -n 1 /tmp/sg.out)"; return; }
	gexec g1 20 "streaming" > /tmp/sg.out ||
		{ fail gadget-out "testusb is not streaming: $(tail -n 1 /tmp/sg.out)"; return; }
	echo disconnect > $_sg_udc
	wait_for 30 gone_from_dom0 "$P_SS" ||
		{ echo connect > $_sg_udc; fail gadget-out "the gadget is still in dom0 30 s after the disconnect"; return; }
	pass gadget-out
	# testusb exits 0 whatever the test did: its error is a "test N --> errno" line
	if gexec g1 70 "tu_wait 60" > /tmp/sg.out && grep -q -- '-->' /tmp/sg.out; then
		pass gadget-io-ended
		info "surprise: testusb $(grep -v '^$' /tmp/sg.out | tail -n 2 | tr '\n' ' ')"
	else
		fail gadget-io-ended "testusb did not end with an error 60 s after the disconnect: $(tail -n 2 /tmp/sg.out | tr '\n' ' ')"
	fi
	after_loss gadget "$P_SS" || { echo connect > $_sg_udc; return; }
	echo connect > $_sg_udc
	if ! wait_for 15 find_usb "$P_SS" > /dev/null; then
		# the UDC came back without its gadget: bind the gadget again, as
		# an administrator would (recorded: what soft_connect did is the
		# UDC's business, the device coming back is ours)
		info "surprise: no SourceSink 15 s after soft_connect=connect (state $(cat /sys/class/udc/dummy_udc.0/state 2>/dev/null)); binding the gadget to dummy_udc.0 again"
		echo "" > /sys/kernel/config/usb_gadget/ss/UDC 2>/dev/null
		echo dummy_udc.0 > /sys/kernel/config/usb_gadget/ss/UDC
		wait_for 30 find_usb "$P_SS" > /dev/null ||
			{ fail gadget-back "no SourceSink in dom0 30 s after binding the gadget again"; return; }
	fi
	_sg_bid=$(find_usb "$P_SS")
	[ -z "$_sg_drv" ] || back_in_dom0 $_sg_bid "$_sg_drv" 30 ||
		{ fail gadget-back "the gadget's if0 driver is '$(drv $_sg_bid:1.0)', want $_sg_drv"; return; }
	attach g1 $_sg_bid || { fail gadget-back "usbdev-attach: $(xl_err)"; return; }
	if _sg_o=$(gexec g1 90 "wait_for 60 usbtest_ready '$P_SS' && testusb_on '$P_SS' -t 1 -c 20 -s 512"); then
		pass gadget-back
	else
		fail gadget-back "guest: $(echo "$_sg_o" | tail -n 2 | tr '\n' ' ')"
	fi
	detach g1 $_sg_bid
	[ -z "$_sg_drv" ] || back_in_dom0 $_sg_bid "$_sg_drv" 30 || info "surprise: the gadget did not go back to $_sg_drv in dom0"
}

surprise_stick
surprise_gadget
detach g1 $tab
back_in_dom0 $tab usbhid 30 || info "surprise: the tablet did not go back to usbhid in dom0"
