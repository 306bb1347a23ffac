# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# lifecycle: controllers, ports, several guests, teardown.
#   lifecycle-ctrl-ports   xl usbctrl-attach of a second controller (8 ports);
#                          tablet on controller 0 port 3, keyboard on the new
#                          controller's port 8; usb-list and the guest agree
#   lifecycle-ctrl-detach  xl usbctrl-detach of that controller with the
#                          keyboard still on it: xenstore nodes gone, keyboard
#                          back on dom0's usbhid, tablet unaffected
#   lifecycle-two-guests   a second guest runs at the same time and reads the
#                          stick while the first keeps its tablet
#   lifecycle-destroy      xl destroy of that guest with the stick attached:
#                          done within libxl's 10 s backend timeout (no
#                          "unable to remove" from libxl), no xenstore node
#                          left for the domain, stick back on usb-storage
SCEN_NAME=lifecycle
. /e2e/lib.sh

# log_mark / log_since: xl log lines written since the mark
log_mark() { LOG_AT=$(wc -l < $XL_LOG 2>/dev/null || echo 0); }
log_since() { tail -n +$((LOG_AT + 1)) $XL_LOG; }

guest_up g1 || { fail lifecycle "$WHY"; exit 0; }
d1=$(domid_of g1)
tab=$(find_usb "$P_TABLET") && kbd=$(find_usb "$P_KBD") && stick=$(find_usb "$P_STICK") ||
	{ fail lifecycle "QEMU devices missing in dom0"; exit 0; }

######## lifecycle-ctrl-ports
ctrl_ports() {
	xlq usbctrl-attach g1 type=$CTRLTYPE version=2 ports=8 ||
		{ echo "usbctrl-attach: $(xl_err)"; return 1; }
	info "lifecycle: usbctrl-attach ${XL_T}s"
	C=$(xl usb-list g1 | awk '/^[0-9]/ {c = $1} END {print c}')
	[ -n "$C" ] && [ "$C" != 0 ] || { echo "no second controller in xl usb-list"; return 1; }
	be=/local/domain/0/backend/$BEKIND/$d1/$C
	[ "$(xenstore-read $be/num-ports 2>/dev/null)" = 8 ] || { echo "$be/num-ports is not 8"; return 1; }
	# no libxl deadline here (usbctrl-attach returns before the frontend
	# connects); 30 s is room for a slow host, the time taken is logged
	_ctrl_ports_t=$(now)
	wait_for 30 is_fe_state $d1 $C 4 ||
		{ echo "frontend of controller $C not Connected (4) within 30s"; return 1; }
	info "lifecycle: controller $C frontend Connected $(elapsed $_ctrl_ports_t)s after usbctrl-attach returned"
	attach g1 $tab controller=0 port=3 || { echo "attach tablet to 0/3: $(xl_err)"; return 1; }
	attach g1 $kbd controller=$C port=8 || { echo "attach keyboard to $C/8: $(xl_err)"; return 1; }
	[ "$(usb_port g1 $tab)" = "0 3" ] || { echo "usb-list: tablet at '$(usb_port g1 $tab)', want '0 3'"; return 1; }
	[ "$(usb_port g1 $kbd)" = "$C 8" ] || { echo "usb-list: keyboard at '$(usb_port g1 $kbd)', want '$C 8'"; return 1; }
	gexec g1 60 "wait_for 40 hid_ready '$P_TABLET' && wait_for 40 hid_ready '$P_KBD'" > /dev/null ||
		{ echo "guest: tablet and keyboard not both on usbhid within 40s"; return 1; }
}
step lifecycle-ctrl-ports ctrl_ports
C=$(xl usb-list g1 | awk '/^[0-9]/ {c = $1} END {print c}')

######## lifecycle-ctrl-detach
ctrl_detach() {
	[ -n "$C" ] && [ "$C" != 0 ] || { echo "no second controller"; return 1; }
	log_mark
	xlq usbctrl-detach g1 $C || { echo "usbctrl-detach: $(xl_err)"; return 1; }
	info "lifecycle: usbctrl-detach ${XL_T}s"
	fgt $XL_CLOSE_T $XL_T || { echo "usbctrl-detach took ${XL_T}s (libxl waits 10 s for Closed)"; return 1; }
	log_since | grep -q 'unable to remove' && { echo "libxl: $(log_since | grep 'unable to remove' | head -n 1)"; return 1; }
	for p in /local/domain/0/backend/$BEKIND/$d1/$C /local/domain/$d1/device/vusb/$C /libxl/$d1/device/vusb/$C; do
		xenstore-exists $p 2>/dev/null && { echo "stale xenstore node $p"; return 1; }
	done
	back_in_dom0 $kbd usbhid 30 || { echo "keyboard on '$(drv $kbd:1.0)' 30s after, want usbhid"; return 1; }
	gexec g1 40 "wait_for 30 no_usbdev '$P_KBD' && hid_ready '$P_TABLET'" > /dev/null ||
		{ echo "guest: keyboard still there or tablet gone"; return 1; }
}
step lifecycle-ctrl-detach ctrl_detach

######## lifecycle-two-guests
two_guests() {
	guest_up g2 || { echo "$WHY"; return 1; }
	[ "$(xl list | awk 'NR > 1' | wc -l)" = 3 ] || { echo "xl list does not show dom0 + 2 guests"; return 1; }
	attach g2 $stick || { echo "attach stick to g2: $(xl_err)"; return 1; }
	gexec g2 90 "disk_verify 60 '$P_STICK' '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB" > /tmp/g2.out ||
		{ echo "g2: $(tail -n 1 /tmp/g2.out)"; return 1; }
	info "lifecycle: g2 $(grep md5 /tmp/g2.out)"
	gexec g1 30 "hid_ready '$P_TABLET'" > /dev/null || { echo "g1 lost its tablet"; return 1; }
}
step lifecycle-two-guests two_guests

######## lifecycle-destroy
destroy_attached() {
	d2=$(domid_of g2) || { echo "no g2 to destroy"; return 1; }
	[ -n "$(usb_port g2 $stick)" ] || echo "note: stick not attached to g2 any more"
	log_mark
	xlq destroy g2 || { echo "xl destroy: $(xl_err)"; return 1; }
	info "lifecycle: xl destroy with the stick attached ${XL_T}s"
	log_since | grep -qE 'unable to remove|destroy failed|timeout' &&
		{ echo "libxl: $(log_since | grep -E 'unable to remove|destroy failed|timeout' | head -n 1)"; return 1; }
	fgt $XL_CLOSE_T $XL_T || { echo "xl destroy took ${XL_T}s (libxl waits 10 s for Closed)"; return 1; }
	wait_for 5 no_stale $d2 || { echo "stale xenstore: $(xs_stale $d2 | tr '\n' ' ')"; return 1; }
	[ "$BACK" = usbback ] && xenstore-exists /libxl/usbback/$stick 2>/dev/null &&
		{ echo "stale xenstore /libxl/usbback/$stick"; return 1; }
	back_in_dom0 $stick usb-storage 30 || { echo "stick on '$(drv $stick:1.0)' 30s after destroy, want usb-storage"; return 1; }
	wait_for 20 dom0_disk $stick > /dev/null || { echo "no dom0 block device for the stick after destroy"; return 1; }
}
step lifecycle-destroy destroy_attached

# leave g1 as found: tablet back to dom0
[ -n "$(usb_port g1 $tab)" ] && detach g1 $tab && back_in_dom0 $tab usbhid 30
exit 0
