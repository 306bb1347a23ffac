# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# admin-input: what an administrator or a toolstack can write wrongly into
# usbback's xenstore directory or sysfs gets a clear kernel log line and
# changes nothing else.  Hand-made controllers use dom0 itself as their
# frontend domain (devid 90+, no frontend driver loaded there), so that no
# guest is involved; the real controller of g1 must be untouched.
#   admin-num-ports   num-ports 0, 32, "abc", "", "4x", "0x4", " 4", 2^32+4,
#                     absent: the controller goes to Closing with "reading
#                     num-ports (1..31)" in dom0's log, creates no counters
#   admin-usb-ver     usb-ver 0, 3, "x", "", absent: likewise "reading
#                     usb-ver (1 or 2)"
#   admin-good-ctrl   num-ports 4, usb-ver 2 written the same way reach
#                     InitWait with counters (the two checks above are not
#                     an artefact of the hand-made controller)
#   admin-port-busid  port/1 of that controller set to values that are no
#                     USB device ("garbage", "usb1", an interface, a root
#                     port 0, 40 characters): "port/1: bad busid", nothing
#                     claimed
#   admin-port-twice  the stick attached to g1 with xl; its busid written
#                     by hand into port/2 of g1's controller and port/1 of
#                     the hand-made one: "already on dom<g1> port <p>", the
#                     guest still sees it once, it stays on its port
#   admin-xl-twice    xl usbdev-attach of the stick to g1 a second time and
#                     of a root hub: xl refuses (recorded), nothing moves
#   admin-sysfs-bind  /sys/bus/usb/drivers/usbback/bind with a name that
#                     is no interface and with the tablet's interface
#                     (assigned to no port): the write fails, the tablet
#                     goes back to usbhid
#   admin-unchanged   afterwards g1's controller is still connected, the
#                     stick reads with the right md5 in g1, no hand-made
#                     controller is left, no WARNING/BUG in dom0's log
# qusb cells print SKIP: the backend under test there is QEMU's.
SCEN_NAME=admin-input
. /e2e/lib.sh

if [ "$BACK" != usbback ]; then
	for _s in num-ports usb-ver good-ctrl port-busid port-twice xl-twice sysfs-bind unchanged; do
		skip admin-$_s "the backend of this cell is QEMU's qusb"
	done
	exit 0
fi

guest_up g1 || { fail admin-input "$WHY"; exit 0; }
D1=$(domid_of g1)
STICK_BID=$(find_usb "$P_STICK") && TAB_BID=$(find_usb "$P_TABLET") ||
	{ fail admin-input "QEMU devices missing in dom0"; exit 0; }
DM0=$(dmesg_lines)
HAND_BE=/local/domain/0/backend/vusb/0
HAND_FE=/local/domain/0/device/vusb

# hand_ctrl DEVID KEY=VALUE...: a vusb controller of dom0 written by hand as
# a toolstack would, one transaction for the backend directory with state
# last (xenbus probes a backend that is in Initialising); KEY=- leaves the
# key out.  Defaults: num-ports 4, usb-ver 2.
hand_ctrl() {
	_hand_ctrl_hd=$1
	shift
	_hand_ctrl_np=4 _hand_ctrl_uv=2
	for _hand_ctrl_kv in "$@"; do
		case $_hand_ctrl_kv in
		num-ports=*) _hand_ctrl_np=${_hand_ctrl_kv#*=} ;;
		usb-ver=*) _hand_ctrl_uv=${_hand_ctrl_kv#*=} ;;
		esac
	done
	xenstore-write $HAND_FE/$_hand_ctrl_hd/backend $HAND_BE/$_hand_ctrl_hd $HAND_FE/$_hand_ctrl_hd/backend-id 0 \
		$HAND_FE/$_hand_ctrl_hd/state 1 || return 1
	set -- $HAND_BE/$_hand_ctrl_hd/frontend $HAND_FE/$_hand_ctrl_hd $HAND_BE/$_hand_ctrl_hd/frontend-id 0 \
		$HAND_BE/$_hand_ctrl_hd/online 1 $HAND_BE/$_hand_ctrl_hd/type pv
	[ "$_hand_ctrl_np" = - ] || set -- "$@" $HAND_BE/$_hand_ctrl_hd/num-ports "$_hand_ctrl_np"
	[ "$_hand_ctrl_uv" = - ] || set -- "$@" $HAND_BE/$_hand_ctrl_hd/usb-ver "$_hand_ctrl_uv"
	xenstore-write "$@" $HAND_BE/$_hand_ctrl_hd/state 1
}
# hand_gone DEVID: its xenbus device left the backend bus
hand_gone() { [ ! -e /sys/bus/xen-backend/devices/vusb-0-$1 ]; }
# hand_rm DEVID: take it away as libxl does (online=0, then the nodes)
hand_rm() {
	xenstore-write $HAND_BE/$1/online 0 2>/dev/null
	# a refused controller stays in Closing: it has no driver to close it
	is_be_state 0 $1 5 || wait_for 5 is_be_state 0 $1 6
	xenstore-rm $HAND_BE/$1 2>/dev/null
	xenstore-rm $HAND_FE/$1 2>/dev/null
	wait_for 10 hand_gone $1
}
# log_has SINCE TEXT [TEXT2]: a line of dom0's kernel log after line SINCE
# has TEXT (and TEXT2)
log_has() { dmesg | tail -n +$(($1 + 1)) | grep -F "$2" | grep -qF "${3:-$2}"; }

# refused_ctrl DEVID WHAT KEY=VALUE: the controller ends in Closing with
# WHAT logged for it (after the errno: 22 for a bad value, 2 for none), has
# no counters, and goes away cleanly
refused_ctrl() {
	_refused_ctrl_rl=$(dmesg_lines)
	_refused_ctrl_rt=$(now)
	hand_ctrl $1 "$3" || { echo "$3: cannot write the controller"; return 1; }
	wait_for 10 is_be_state 0 $1 5 ||
		{ echo "$3: backend state $(be_state 0 $1), want 5 (Closing)"; hand_rm $1; return 1; }
	wait_for 5 log_has $_refused_ctrl_rl "vusb-0-$1: " "$2" ||
		{ echo "$3: no '$2' for vusb-0-$1 in dom0's log"; hand_rm $1; return 1; }
	[ ! -e /sys/bus/xen-backend/devices/vusb-0-$1/statistics ] ||
		{ echo "$3: counters exist for a refused controller"; hand_rm $1; return 1; }
	hand_rm $1 || { echo "$3: vusb-0-$1 still on the backend bus after its nodes went"; return 1; }
	info "admin: $3 refused ($(elapsed $_refused_ctrl_rt)s)"
}

######## admin-num-ports
num_ports() {
	_num_ports_dv=90
	for _num_ports_v in 0 32 abc '' 4x 0x4 ' 4' 4294967300 -; do
		refused_ctrl $_num_ports_dv "reading num-ports (1..31)" "num-ports=$_num_ports_v" || return 1
		_num_ports_dv=$((_num_ports_dv + 1))
	done
}
step admin-num-ports num_ports

######## admin-usb-ver
usb_ver() {
	_usb_ver_dv=90
	for _usb_ver_v in 0 3 x '' -; do
		refused_ctrl $_usb_ver_dv "reading usb-ver (1 or 2)" "usb-ver=$_usb_ver_v" || return 1
		_usb_ver_dv=$((_usb_ver_dv + 1))
	done
}
step admin-usb-ver usb_ver

######## admin-good-ctrl (kept until admin-unchanged)
good_ctrl() {
	hand_ctrl 99 || { echo "cannot write the controller"; return 1; }
	wait_for 10 is_be_state 0 99 2 || { echo "backend state $(be_state 0 99), want 2 (InitWait)"; return 1; }
	[ -e /sys/bus/xen-backend/devices/vusb-0-99/statistics ] || { echo "no counters for vusb-0-99"; return 1; }
}
step admin-good-ctrl good_ctrl

######## admin-port-busid
port_busid() {
	is_be_state 0 99 2 || { echo "no hand-made controller (admin-good-ctrl failed)"; return 1; }
	_port_busid_before=$(drv $STICK_BID:1.0)
	for _port_busid_v in garbage usb1 "$STICK_BID:1.0" 1-0 1-1.1.1.1.1.1.1 \
		1234567890123456789012345678901234567890; do
		_port_busid_rl=$(dmesg_lines)
		xenstore-write $HAND_BE/99/port/1 "$_port_busid_v"
		wait_for 5 log_has $_port_busid_rl "vusb-0-99: port/1: bad busid" ||
			{ echo "port/1=$_port_busid_v: no 'port/1: bad busid' in dom0's log"; return 1; }
	done
	xenstore-write $HAND_BE/99/port/1 ""
	[ "$(drv $STICK_BID:1.0)" = "$_port_busid_before" ] ||
		{ echo "the stick's driver changed from $_port_busid_before to $(drv $STICK_BID:1.0)"; return 1; }
}
step admin-port-busid port_busid

######## admin-port-twice
# g1_stick_count: block devices of the stick g1 sees
g1_stick_count() { gexec g1 20 "grep -lxF '$P_STICK' /sys/bus/usb/devices/*/product | wc -l"; }
port_twice() {
	attach g1 $STICK_BID || { echo "usbdev-attach: $(xl_err)"; return 1; }
	_port_twice_cp=$(usb_port g1 $STICK_BID)
	[ -n "$_port_twice_cp" ] || { echo "the stick is not in xl usb-list g1"; return 1; }
	_port_twice_ctl=${_port_twice_cp% *} _port_twice_prt=${_port_twice_cp#* }
	gexec g1 60 "wait_for 45 usbdev '$P_STICK'" > /dev/null || { echo "g1 does not see the stick"; return 1; }
	_port_twice_other=1
	[ "$_port_twice_prt" = 1 ] && _port_twice_other=2
	_port_twice_rl=$(dmesg_lines)
	xenstore-write /local/domain/0/backend/vusb/$D1/$_port_twice_ctl/port/$_port_twice_other "$STICK_BID"
	wait_for 5 log_has $_port_twice_rl "port/$_port_twice_other: $STICK_BID is already on dom$D1 port $_port_twice_prt" ||
		{ echo "no 'already on' line for port/$_port_twice_other of g1's controller"; return 1; }
	_port_twice_rl=$(dmesg_lines)
	xenstore-write $HAND_BE/99/port/1 "$STICK_BID"
	wait_for 5 log_has $_port_twice_rl "vusb-0-99: port/1: $STICK_BID is already on dom$D1 port $_port_twice_prt" ||
		{ echo "no 'already on' line for the hand-made controller"; return 1; }
	sleep 2
	_port_twice_n=$(g1_stick_count)
	[ "$_port_twice_n" = 1 ] || { echo "g1 sees the stick $_port_twice_n times, want 1"; return 1; }
	[ "$(usb_port g1 $STICK_BID)" = "$_port_twice_cp" ] || { echo "the stick moved from $_port_twice_cp to $(usb_port g1 $STICK_BID)"; return 1; }
	xenstore-write /local/domain/0/backend/vusb/$D1/$_port_twice_ctl/port/$_port_twice_other ""
	xenstore-write $HAND_BE/99/port/1 ""
}
step admin-port-twice port_twice

######## admin-xl-twice
xl_twice() {
	_xl_twice_cp=$(usb_port g1 $STICK_BID)
	[ -n "$_xl_twice_cp" ] || { echo "the stick is not on g1 (admin-port-twice failed)"; return 1; }
	if attach g1 $STICK_BID; then
		info "admin: xl usbdev-attach of an attached device succeeded"
	else
		info "admin: xl usbdev-attach of an attached device: $(xl_err)"
	fi
	[ "$(usb_port g1 $STICK_BID)" = "$_xl_twice_cp" ] || { echo "the stick moved from $_xl_twice_cp to '$(usb_port g1 $STICK_BID)'"; return 1; }
	_xl_twice_n=$(xl usb-list g1 | grep -c "Port [0-9]*: *Bus")
	[ "$_xl_twice_n" = 1 ] || { echo "xl usb-list g1 shows $_xl_twice_n devices, want 1"; return 1; }
	# the root hub of the stick's bus: address 1
	_xl_twice_bus=$(cat /sys/bus/usb/devices/$STICK_BID/busnum)
	if xlq usbdev-attach g1 hostbus=$_xl_twice_bus hostaddr=1; then
		echo "xl usbdev-attach of root hub usb$_xl_twice_bus succeeded"
		return 1
	fi
	info "admin: xl usbdev-attach of a root hub: $(xl_err)"
	_xl_twice_n=$(xl usb-list g1 | grep -c "Port [0-9]*: *Bus")
	[ "$_xl_twice_n" = 1 ] || { echo "after the root hub: xl usb-list g1 shows $_xl_twice_n devices"; return 1; }
}
step admin-xl-twice xl_twice

######## admin-sysfs-bind
sysfs_bind() {
	_sysfs_bind_b=/sys/bus/usb/drivers/usbback/bind
	echo "no-such-interface" > $_sysfs_bind_b 2>/dev/null && { echo "bind of 'no-such-interface' succeeded"; return 1; }
	_sysfs_bind_i=$TAB_BID:1.0
	_sysfs_bind_was=$(drv $_sysfs_bind_i)
	[ -n "$_sysfs_bind_was" ] && echo "$_sysfs_bind_i" > /sys/bus/usb/drivers/$_sysfs_bind_was/unbind
	if echo "$_sysfs_bind_i" > $_sysfs_bind_b 2>/dev/null; then
		echo "usbback took $_sysfs_bind_i, which no port names"
		echo "$_sysfs_bind_i" > /sys/bus/usb/drivers/usbback/unbind
		_sysfs_bind_r=1
	else
		_sysfs_bind_r=0
	fi
	[ -n "$_sysfs_bind_was" ] && echo "$_sysfs_bind_i" > /sys/bus/usb/drivers/$_sysfs_bind_was/bind
	[ -z "$_sysfs_bind_was" ] || wait_for 10 is_drv $_sysfs_bind_i "$_sysfs_bind_was" || { echo "$_sysfs_bind_i not back on $_sysfs_bind_was"; return 1; }
	return $_sysfs_bind_r
}
step admin-sysfs-bind sysfs_bind

######## admin-unchanged
unchanged() {
	hand_rm 99 || { echo "vusb-0-99 still on the backend bus"; return 1; }
	fe_connected $D1 0 || { echo "g1's controller 0 is $(fe_state $D1 0)/$(be_state $D1 0), want 4/4"; return 1; }
	_unchanged_md=$(gexec g1 120 "disk_verify 60 '$P_STICK' '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB") ||
		{ echo "g1 reading the stick: $(echo "$_unchanged_md" | tail -n 1)"; return 1; }
	info "admin: g1 $(echo "$_unchanged_md" | grep '^md5')"
	for _unchanged_dv in 90 91 92 93 94 95 96 97 98 99; do
		xenstore-exists $HAND_BE/$_unchanged_dv 2>/dev/null && { echo "$HAND_BE/$_unchanged_dv left"; return 1; }
	done
	_unchanged_bad=$(dmesg_bad $DM0)
	[ -z "$_unchanged_bad" ] || { echo "dom0: $_unchanged_bad"; return 1; }
}
step admin-unchanged unchanged
[ -n "$(usb_port g1 $STICK_BID)" ] && detach g1 $STICK_BID
back_in_dom0 $STICK_BID usb-storage 30 || info "admin: the stick is not back on usb-storage in dom0"
