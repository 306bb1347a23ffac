# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# demo: pass the (FAT) stick and the tablet to a guest with real xl commands
# and say in plain words what happens.  Lines "DEMO: ..." are the narration
# demo.sh shows; "DEMO$ ..." are commands as typed, "DEMO> ..." their output.
SCEN_NAME=demo
. /e2e/lib.sh

say() { echo "DEMO: $*"; }
show() { sed 's/^/DEMO> /'; }
run() { echo "DEMO\$ $*"; "$@" 2>&1 | grep -v '^libxl: debug' | show; }
stop() { say "$*"; fail demo "$*"; exit 0; }

case $BACK in
usbback) bdesc="our kernel backend usbback (usbctrl type=pv)" ;;
*) bdesc="QEMU's user-space backend (usbctrl type=qusb)" ;;
esac
case $FRONT in
usbfront) fdesc="our frontend usbfront" ;;
*) fdesc="Linux's frontend xen-hcd" ;;
esac

say "Xen $(xl info | sed -n 's/^xen_version *: //p') is running dom0 (Debian $(uname -r)); the toolstack is up."
say "Backend in dom0: $bdesc. Frontend in the guest: $fdesc."
stick=$(find_usb "$P_STICK") || stop "dom0 does not see the USB stick"
tab=$(find_usb "$P_TABLET") || stop "dom0 does not see the tablet"
d=$(dom0_disk $stick)
say "dom0 sees the USB stick at $stick (bus $(busaddr $stick | tr ' ' '/'), '$P_STICK'), driven by $(drv $stick:1.0) as $d,"
say "and the tablet at $tab, driven by $(drv $tab:1.0)."
mkdir -p /mnt/stick
if mount -t vfat -o ro $d /mnt/stick 2>/dev/null; then
	say "In dom0 the stick holds: $(ls /mnt/stick | tr '\n' ' ')- HELLO.TXT says: \"$(cat /mnt/stick/HELLO.TXT)\""
	umount /mnt/stick
fi

say "Starting a guest called 'demo' with one virtual USB controller (4 ports)."
guest_cfg demo
echo "DEMO\$ cat demo.cfg"; grep -E 'usbctrl|kernel|memory' /tmp/demo.cfg | show
if ! guest_up demo; then
	say "The guest did not come up: $WHY"
	[ $BACK = usbback ] && case $WHY in *create*) say "libxl waits 10 s for the backend to answer: our usbback did not. Try BACKEND=qusb." ;; esac
	[ $FRONT = usbfront ] && case $WHY in *frontend*) say "Our usbfront did not load in the guest. Try FRONTEND=xen-hcd." ;; esac
	fail demo "$WHY"
	exit 0
fi
say "The guest is up (domain $(domid_of demo)); $FRONT is loaded there."

set -- $(busaddr $stick)
say "Attaching the stick to the guest:"
run xl usbdev-attach demo hostbus=$1 hostaddr=$2
set -- $(busaddr $tab)
say "Attaching the tablet too:"
run xl usbdev-attach demo hostbus=$1 hostaddr=$2
run xl usb-list demo
not_on_storage() { ! is_drv $stick:1.0 usb-storage; }
wait_for 5 not_on_storage
if [ $BACK = usbback ]; then
	say "In dom0 the stick's interface is now bound to '$(drv $stick:1.0)' (libxl moved it from usb-storage to usbback)."
else
	say "In dom0 the stick's interface is now bound to '$(drv $stick:1.0)' (QEMU claimed it through usbfs)."
fi

say "Inside the guest:"
out=$(gexec demo 120 "demo_read '$P_STICK' '$P_TABLET'")
rc=$?
echo "$out" | show
[ $rc = 0 ] || stop "The guest could not read the stick (status $rc)."
echo "$out" | grep -q "HELLO.TXT: $DEMO_TEXT" || stop "The guest read something else from HELLO.TXT."
say "The guest read HELLO.TXT from the stick through $BACK + $FRONT."

say "Detaching both devices:"
set -- $(usb_port demo $stick)
run xl usbdev-detach demo $1 $2
set -- $(usb_port demo $tab)
run xl usbdev-detach demo $1 $2
gexec demo 30 "gone 20 '$P_STICK' '$P_TABLET'" > /dev/null &&
	say "The guest saw both devices go away."
back_in_dom0 $stick usb-storage 30 || stop "The stick did not come back to dom0's usb-storage."
back_in_dom0 $tab usbhid 30 || stop "The tablet did not come back to dom0's usbhid."
wait_for 20 dom0_disk $stick > /dev/null
d=$(dom0_disk $stick)
wait_for 10 test -b $d
if mount -t vfat -o ro $d /mnt/stick 2>/dev/null; then
	say "Back in dom0: the stick is $d on usb-storage again, HELLO.TXT still says \"$(cat /mnt/stick/HELLO.TXT)\"; the tablet is on usbhid."
	umount /mnt/stick
fi
run xl destroy demo
say "Done."
pass demo
