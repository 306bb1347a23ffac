# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# setconfig: the guest switches a passed-through device to another
# configuration and back.  The SourceSink gadget has two (gadgets_up in
# lib.sh): 1 = SourceSink, 2 = Loopback.  The guest writes
# bConfigurationValue, which sends SET_CONFIGURATION through the ring; the
# backend must switch the host device, keep it on its port (the guest must
# not see an unplug: same devnum), and hold every new interface (dom0's
# usbtest probes them first).  Checks, each a result line:
#   setconfig-to-2    guest and dom0 both in configuration 2, usbtest bound
#                     in the guest, dom0's interface held by the backend,
#                     same guest devnum
#   setconfig-io-2    testusb in the guest: ch9 requests (test 9: checks
#                     GET_CONFIGURATION against the active one) and bulk
#                     OUT into Loopback (test 1; reading the data back with
#                     test 2 times out the same way through qusb, so it is
#                     not a check of the backend)
#   setconfig-to-1    back to configuration 1, same checks
#   setconfig-io-1    testusb bulk OUT (test 1) into SourceSink
#   setconfig-detach  usbdev-detach, usbtest drives it in dom0 again
SCEN_NAME=setconfig
. /e2e/lib.sh

bid=$(find_usb "$P_SS") || { fail setconfig "SourceSink gadget not in dom0"; exit 0; }
[ "$(cat /sys/bus/usb/devices/$bid/bNumConfigurations)" = 2 ] ||
	{ fail setconfig "the gadget has $(cat /sys/bus/usb/devices/$bid/bNumConfigurations) configurations, want 2"; exit 0; }
guest_up g1 || { fail setconfig "$WHY"; exit 0; }
attach g1 $bid || { fail setconfig "usbdev-attach: $(xl_err)"; exit 0; }
if ! gexec g1 60 "wait_for 40 usbtest_ready '$P_SS'" > /dev/null; then
	fail setconfig "usbtest not bound in the guest 40s after attach"
	exit 0
fi
# the backend's hold on dom0's interface: usbback's driver, or qusb's usbfs
HOLD=usbback
[ "$BACK" = qusb ] && HOLD=usbfs

DEV0=$(gexec g1 30 "cfg_state '$P_SS'" | tail -n 1 | cut -d' ' -f1)
info "setconfig: guest devnum $DEV0 in configuration 1"

# to_config CFG: switch in the guest, wait for usbtest on the new interface
to_config() {
	t0=$(now)
	_to_config_g=$(gexec g1 60 "set_config '$P_SS' $1" | tail -n 1)
	info "setconfig-to-$1: guest '$_to_config_g' ($(elapsed $t0)s); dom0 configuration $(cat /sys/bus/usb/devices/$bid/bConfigurationValue), if $1.0 driver '$(drv $bid:$1.0)'"
	if [ "$_to_config_g" != "$DEV0 $1 usbtest" ]; then
		echo "guest: '$_to_config_g', want '$DEV0 $1 usbtest' (devnum, configuration, driver)"
		return 1
	fi
	_to_config_c=$(cat /sys/bus/usb/devices/$bid/bConfigurationValue)
	[ "$_to_config_c" = "$1" ] || { echo "dom0 device in configuration '$_to_config_c'"; return 1; }
	wait_for 5 is_drv $bid:$1.0 $HOLD ||
		{ echo "dom0 interface $bid:$1.0 driven by '$(drv $bid:$1.0)', want $HOLD"; return 1; }
}
# io N OPTS...: testusb cases in the guest
io() {
	for _io_c in "$@"; do
		_io_o=$(gexec g1 120 "testusb_on '$P_SS' -t $_io_c")
		echo "$_io_o" | grep -q -- '-->' && { echo "test $_io_c: $(echo "$_io_o" | grep -- '-->' | head -n 1)"; return 1; }
		echo "$_io_o" | grep -q "test ${_io_c%% *}," || { echo "test $_io_c: no verdict: $(echo "$_io_o" | tail -n 1)"; return 1; }
		echo "INFO setconfig: testusb -t $_io_c: $(echo "$_io_o" | sed -n "s/.*test ${_io_c%% *}, *//p")"
	done
}
to2() { to_config 2; }
to1() { to_config 1; }
io2() { io "9 -c 5" "1 -c 8 -s 500"; }
io1() { io "1 -c 8 -s 512"; }
step setconfig-to-2 to2
step setconfig-io-2 io2
step setconfig-to-1 to1
step setconfig-io-1 io1

detach g1 $bid || { fail setconfig-detach "usbdev-detach: $(xl_err)"; exit 0; }
if back_in_dom0 $bid usbtest 30; then
	pass setconfig-detach
else
	fail setconfig-detach "dom0 if0 driver '$(drv $bid:1.0)' 30s after detach, want usbtest"
fi
