# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# features: the negotiated extensions (Documentation/protocol.rst,
# "Negotiated extensions"), in every cell.
#   features-keys   the feature-* keys of the backend's and the frontend's
#                   xenstore directories: usbback offers feature-zero-packet
#                   and feature-port-reset (=1) and
#                   feature-max-indirect-segments (=256); usbfront writes the ones
#                   it uses only where they were offered; xen-hcd and qusb
#                   directories hold none (an old peer sees the base
#                   protocol); the log lines of both sides agree
#   features-zlp    (usbfront cells) one bulk OUT URB of 4 x wMaxPacket
#                   with URB_ZERO_PACKET (usbfs-op zlp) to the SourceSink
#                   gadget: with usbback it travels as the XENUSB_ZERO_PACKET
#                   flag (usbfront's zlp_flags +1, zlp_requests +0), with
#                   qusb as the extra zero-length request as before (+0/+1)
#   features-reset  USBDEVFS_RESET of the stick in the guest (usb-storage's
#                   pre/post_reset around a port reset); the stick reads
#                   right before and after. usbback/usbfront: the reset is
#                   a request that ends in usb_reset_device() in dom0
#                   (usbfront's port_resets >= 1, usbback's log line with
#                   result 0, dom0's usb core resets the stick); other
#                   cells: the reset stays in the guest (port_resets +0)
#   features-ring   the urb ring's keys (protocol.rst "Deeper ring"):
#                   usbback offers max-ring-page-order=3; usbfront with
#                   usbback writes ring-page-order=3 and urb-ring-ref0..7
#                   (no urb-ring-ref), in every other cell the frontend
#                   writes urb-ring-ref alone (xen-hcd and qusb never see a
#                   key they do not know); qusb's directory has no
#                   max-ring-page-order
#   features-ring-fallback  (usbback/usbfront) usbback
#                   max_ring_page_order=0 and a rebind: no offer, usbfront
#                   writes urb-ring-ref alone and says "urb ring 1 pages";
#                   with 3 and another rebind it is 8 pages again
#   features-renegotiate  (usbback/usbfront) usbback feature_port_reset=N,
#                   the controller unbound from usbback and bound again:
#                   the backend offers zero-packet and large transfers only, usbfront
#                   reconnects, removes its feature-port-reset key and
#                   says port-reset off; with Y and another rebind both
#                   are back on
SCEN_NAME=features
. /e2e/lib.sh

# feat_keys DIR: "key=value " for each feature-* key of DIR, sorted
feat_keys() {
	for _k in $(xenstore-list "$1" 2>/dev/null | sort); do
		case $_k in feature-*) printf '%s=%s ' "$_k" "$(xenstore-read "$1/$_k")" ;; esac
	done
}

keys_check() {
	guest_up g1 || { echo "$WHY"; return 1; }
	_d=$(domid_of g1)
	_c=$(ctrls g1)
	_c=${_c%% *}
	[ -n "$_c" ] || { echo "g1 has no controller"; return 1; }
	wait_for 20 fe_connected $_d $_c || { echo "controller $_c not connected"; return 1; }
	_bk=$(feat_keys /local/domain/0/backend/$BEKIND/$_d/$_c)
	_fk=$(feat_keys /local/domain/$_d/device/vusb/$_c)
	info "features-keys: backend {$_bk} frontend {$_fk}"
	_wb=
	[ "$BACK" = usbback ] && _wb="feature-max-indirect-segments=256 feature-port-reset=1 feature-zero-packet=1 "
	_wf=
	[ "$CELL" = usbback/usbfront ] && _wf=$_wb
	[ "$_bk" = "$_wb" ] || { echo "backend directory has {$_bk}, want {$_wb}"; return 1; }
	[ "$_fk" = "$_wf" ] || { echo "frontend directory has {$_fk}, want {$_wf}"; return 1; }
	if [ "$BACK" = usbback ]; then
		_on=off
		[ "$FRONT" = usbfront ] && _on=on
		dmesg | grep "vusb-$_d-$_c" | grep -q "features: zero-packet $_on, port-reset $_on" ||
			{ echo "no usbback log line 'features: zero-packet $_on, port-reset $_on'"; return 1; }
	fi
	if [ "$FRONT" = usbfront ]; then
		_on=off
		[ "$BACK" = usbback ] && _on=on
		gexec g1 20 "dmesg | grep -q 'zero-packet $_on, port-reset $_on'" > /dev/null ||
			{ echo "no usbfront log line 'zero-packet $_on, port-reset $_on' in g1"; return 1; }
	fi
}
step features-keys keys_check

# ring_keys DIR: the urb ring's keys of DIR, sorted: max-ring-page-order
# and ring-page-order with their values, urb-ring-ref* by name
ring_keys() {
	for _k in $(xenstore-list "$1" 2>/dev/null | sort); do
		case $_k in
		max-ring-page-order|ring-page-order) printf '%s=%s ' "$_k" "$(xenstore-read "$1/$_k")" ;;
		urb-ring-ref*) printf '%s ' "$_k" ;;
		esac
	done
}
RING8="ring-page-order=3 urb-ring-ref0 urb-ring-ref1 urb-ring-ref2 urb-ring-ref3 urb-ring-ref4 urb-ring-ref5 urb-ring-ref6 urb-ring-ref7 "
# ring_expect WANT_BACK WANT_FRONT: g1's first controller has them
ring_expect() {
	_d=$(domid_of g1) || { echo "no g1"; return 1; }
	_c=$(ctrls g1)
	_c=${_c%% *}
	[ -n "$_c" ] || { echo "g1 has no controller"; return 1; }
	_bk=$(ring_keys /local/domain/0/backend/$BEKIND/$_d/$_c)
	_fk=$(ring_keys /local/domain/$_d/device/vusb/$_c)
	info "features-ring: backend {$_bk} frontend {$_fk}"
	[ "$_bk" = "$1" ] || { echo "backend directory has {$_bk}, want {$1}"; return 1; }
	[ "$_fk" = "$2" ] || { echo "frontend directory has {$_fk}, want {$2}"; return 1; }
}
ring_check() {
	guest_up g1 || { echo "$WHY"; return 1; }
	_wb=
	[ "$BACK" = usbback ] && _wb="max-ring-page-order=3 "
	_wf="urb-ring-ref "
	[ "$CELL" = usbback/usbfront ] && _wf=$RING8
	ring_expect "$_wb" "$_wf" || return 1
	if [ "$CELL" = usbback/usbfront ]; then
		gexec g1 20 "dmesg | grep -q 'urb ring 8 pages'" > /dev/null ||
			{ echo "usbfront did not log 'urb ring 8 pages' in g1"; return 1; }
		dmesg | grep "vusb-$_d-$_c" | grep -q "urb ring 8 pages, 128 slots" ||
			{ echo "no usbback log line 'urb ring 8 pages, 128 slots'"; return 1; }
	fi
}
step features-ring ring_check

VUSB_DRV=/sys/bus/xen-backend/drivers/vusb
PRM=/sys/module/usbback/parameters/feature_port_reset
# rebind_ctrl: unbind g1's first controller from usbback, bind it again and
# wait until both ends are Connected; sets _d (domid), _c (controller) and
# _g (the guest's dmesg line count before the rebind)
rebind_ctrl() {
	_d=$(domid_of g1) || { echo "no g1"; return 1; }
	_c=$(ctrls g1)
	_c=${_c%% *}
	_dev=vusb-$_d-$_c
	_g=$(gexec g1 10 'dmesg | wc -l')
	echo $_dev > $VUSB_DRV/unbind || { echo "unbind $_dev failed"; return 1; }
	sleep 2
	echo $_dev > $VUSB_DRV/bind || { echo "bind $_dev failed"; return 1; }
	wait_for 30 fe_settled $_d $_c && fe_connected $_d $_c ||
		{ echo "$_dev not Connected after the rebind: backend '$(be_state $_d $_c)', frontend '$(fe_state $_d $_c)'"; return 1; }
}
# rebind WANT: unbind g1's controller from usbback and bind it again;
# both directories must then hold the feature-* keys WANT
rebind() {
	rebind_ctrl || return 1
	_bk=$(feat_keys /local/domain/0/backend/$BEKIND/$_d/$_c)
	_fk=$(feat_keys /local/domain/$_d/device/vusb/$_c)
	info "features-renegotiate: port reset $(cat $PRM): backend {$_bk} frontend {$_fk}"
	[ "$_bk" = "$1" ] && [ "$_fk" = "$1" ] ||
		{ echo "after the rebind: backend {$_bk} frontend {$_fk}, want {$1} in both"; return 1; }
	_on=on
	[ "$(cat $PRM)" = Y ] || _on=off
	gexec g1 20 "dmesg | tail -n +$((_g + 1)) | grep -q 'zero-packet on, port-reset $_on'" > /dev/null ||
		{ echo "g1 did not log 'zero-packet on, port-reset $_on' after the rebind"; return 1; }
}
renegotiate() {
	echo N > $PRM || { echo "cannot set usbback feature_port_reset=N"; return 1; }
	rebind "feature-max-indirect-segments=256 feature-zero-packet=1 "
	_r=$?
	echo Y > $PRM
	# the second rebind also when the first failed: the steps after this
	# one need port reset negotiated again
	rebind "feature-max-indirect-segments=256 feature-port-reset=1 feature-zero-packet=1 " || return 1
	return $_r
}
if [ "$CELL" = usbback/usbfront ]; then
	step features-renegotiate renegotiate
else
	skip features-renegotiate "needs usbback and usbfront"
fi

RPRM=/sys/module/usbback/parameters/max_ring_page_order
# ring_rebind ORDER WANT_BACK WANT_FRONT PAGES: usbback max_ring_page_order=ORDER,
# g1's controller unbound and bound again, the keys and usbfront's log
ring_rebind() {
	echo "$1" > $RPRM || { echo "cannot set usbback max_ring_page_order=$1"; return 1; }
	rebind_ctrl || return 1
	ring_expect "$2" "$3" || return 1
	gexec g1 20 "dmesg | tail -n +$((_g + 1)) | grep -q 'urb ring $4 pages'" > /dev/null ||
		{ echo "g1 did not log 'urb ring $4 pages' after the rebind"; return 1; }
}
ring_fallback() {
	ring_rebind 0 "" "urb-ring-ref " 1
	_r=$?
	# back to 8 pages also when the first rebind failed
	ring_rebind 3 "max-ring-page-order=3 " "$RING8" 8 || return 1
	return $_r
}
if [ "$CELL" = usbback/usbfront ]; then
	step features-ring-fallback ring_fallback
else
	skip features-ring-fallback "needs usbback and usbfront"
fi

# counter NAME: usbfront's stats/NAME in g1 (one controller)
FST='cat /sys/bus/xen/devices/vusb-*/stats'

zlp_check() {
	_bid=$(find_usb "$P_SS") || { echo "SourceSink gadget not in dom0"; return 1; }
	guest_up g1 || { echo "$WHY"; return 1; }
	attach g1 $_bid || { echo "usbdev-attach: $(xl_err)"; return 1; }
	_o=$(gexec g1 60 "wait_for 40 usbtest_ready '$P_SS' || { echo 'usbtest not bound after 40s'; exit 1; }
		n=\$(devnode '$P_SS') || exit 1
		f0=\$($FST/zlp_flags); r0=\$($FST/zlp_requests)
		usbfs-op zlp \$n || exit 1
		echo counters \$((\$($FST/zlp_flags) - f0)) \$((\$($FST/zlp_requests) - r0))")
	_rc=$?
	detach g1 $_bid || { echo "usbdev-detach: $(xl_err)"; return 1; }
	back_in_dom0 $_bid usbtest 30 || { echo "gadget not back on usbtest in dom0"; return 1; }
	[ $_rc = 0 ] || { echo "guest: $(echo "$_o" | tail -n 1)"; return 1; }
	info "features-zlp: $(echo "$_o" | grep '^ep ')"
	set -- $(echo "$_o" | grep '^counters ')
	_want="1 0"
	[ "$BACK" = usbback ] || _want="0 1"
	info "features-zlp: zlp_flags +$2, zlp_requests +$3 (want +${_want% *}, +${_want#* })"
	[ "$2 $3" = "$_want" ] || { echo "zlp_flags +$2 zlp_requests +$3, want $_want"; return 1; }
}
if [ "$FRONT" = usbfront ]; then
	step features-zlp zlp_check
else
	skip features-zlp "frontend $FRONT counts no zero-length packets"
fi

reset_check() {
	_bid=$(find_usb "$P_STICK") || { echo "stick not in dom0"; return 1; }
	guest_up g1 || { echo "$WHY"; return 1; }
	_dm=$(dmesg | wc -l)
	attach g1 $_bid || { echo "usbdev-attach: $(xl_err)"; return 1; }
	_pr="echo 0"
	[ "$FRONT" = usbfront ] && _pr="$FST/port_resets"
	_o=$(gexec g1 180 "d=\$(wait_for 60 disk '$P_STICK') || { echo 'no disk after 60s'; exit 1; }
		check_disk \$d '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB || exit 1
		p0=\$($_pr)
		usbfs-op reset \$(devnode '$P_STICK') || exit 1
		d=\$(wait_for 60 disk '$P_STICK') || { echo 'no disk 60s after the reset'; exit 1; }
		check_disk \$d '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB || exit 1
		echo port_resets \$((\$($_pr) - p0))")
	_rc=$?
	_log=$(dmesg | tail -n +$((_dm + 1)))
	detach g1 $_bid || { echo "usbdev-detach: $(xl_err)"; return 1; }
	[ $_rc = 0 ] || { echo "guest: $(echo "$_o" | tail -n 1)"; return 1; }
	info "features-reset: guest: $(echo "$_o" | grep -E '^md5|^reset|^port_resets' | tr '\n' ' ')"
	set -- $(echo "$_o" | grep '^port_resets ')
	if [ "$CELL" = usbback/usbfront ]; then
		[ "${2:-0}" -ge 1 ] || { echo "usbfront sent ${2:-no} port reset requests, want at least 1"; return 1; }
		echo "$_log" | grep -q "port reset requested" ||
			{ echo "no 'port reset requested' from usbback in dom0's log"; return 1; }
		echo "$_log" | grep -q "$_bid reset: 0" ||
			{ echo "usbback did not log '$_bid reset: 0'"; return 1; }
		echo "$_log" | grep -q "$_bid: reset .*USB device number" ||
			{ echo "dom0's usb core did not log a reset of $_bid"; return 1; }
		info "features-reset: dom0: $(echo "$_log" | grep -E 'reset' | tr '\n' '|' | cut -c1-400)"
	else
		[ "${2:-0}" = 0 ] || { echo "$2 port reset requests without the feature"; return 1; }
		! echo "$_log" | grep -q "port reset requested" ||
			{ echo "usbback reset the device without the feature"; return 1; }
	fi
}
step features-reset reset_check
