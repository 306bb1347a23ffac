# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# hid: the QEMU tablet and keyboard, attached together, enumerate in the
# guest with the descriptors dom0 sees (vid:pid, device class, interface
# class/subclass/protocol), usbhid binds and registers an input device;
# after detach both are back on usbhid in dom0.
SCEN_NAME=hid
. /e2e/lib.sh

guest_up g1 || { fail hid "$WHY"; exit 0; }
# dom0's view, the reference: same format as g.sh's ids()
dom0_ids() {
	u=/sys/bus/usb/devices/$1
	i=$u/$1:1.0
	echo "$(cat $u/idVendor):$(cat $u/idProduct) dev-class=$(cat $u/bDeviceClass) if=$(cat $i/bInterfaceClass)/$(cat $i/bInterfaceSubClass)/$(cat $i/bInterfaceProtocol) driver=$(drv $1:1.0)"
}
for dev in tablet:"$P_TABLET":00 keyboard:"$P_KBD":01; do
	n=${dev%%:*}; p=${dev#*:}; p=${p%:*}
	bid=$(find_usb "$p") || { fail hid-$n "'$p' not in dom0"; continue; }
	want=$(dom0_ids $bid)
	echo "$want" > /tmp/hid-want-$n
	info "hid-$n: dom0 $bid: $want"
	case $want in
	"0627:0001 dev-class=00 if=03/"*"/${dev##*:} driver=usbhid") ;;
	*) fail hid-$n "dom0 descriptors '$want' are not QEMU's HID ($p)"; continue ;;
	esac
	attach g1 $bid || { fail hid-$n "usbdev-attach: $(xl_err)"; continue; }
	info "hid-$n: usbdev-attach ${XL_T}s"
done

for dev in tablet:"$P_TABLET" keyboard:"$P_KBD"; do
	n=${dev%%:*}; p=${dev#*:}
	[ -f /tmp/hid-want-$n ] || continue
	want=$(cat /tmp/hid-want-$n)
	t0=$(now)
	got=$(gexec g1 60 "wait_for 40 hid_ready '$p' || echo 'not bound to usbhid after 40s'; ids '$p'; echo \"input: \$(input_name '$p')\"")
	echo "$got" | sed 's/^/  [g1] /'
	gids=$(echo "$got" | grep '^0627' | head -n 1)
	inp=$(echo "$got" | sed -n 's/^input: //p')
	info "hid-$n: guest $gids, input '$inp' ($(elapsed $t0)s)"
	if [ "$gids" != "$want" ]; then
		fail hid-$n "guest sees '$gids', dom0 saw '$want'"
	elif [ "$inp" != "QEMU $p" ]; then
		fail hid-$n "no input device 'QEMU $p' in the guest (got '$inp')"
	else
		pass hid-$n
	fi
done

# give both back; a failure here is a hid-detach failure
why=
for p in "$P_TABLET" "$P_KBD"; do
	bid=$(find_usb "$p") || continue
	[ -n "$(usb_port g1 $bid)" ] || continue
	detach g1 $bid || why="$why usbdev-detach $bid: $(xl_err);"
done
for p in "$P_TABLET" "$P_KBD"; do
	bid=$(find_usb "$p") || continue
	back_in_dom0 $bid usbhid 30 || why="$why $bid on '$(drv $bid:1.0)' not usbhid 30s after detach;"
done
gexec g1 30 "gone 20 '$P_TABLET' '$P_KBD'" > /dev/null ||
	why="$why guest still sees a HID device after detach;"
if [ -z "$why" ]; then pass hid-detach; else fail hid-detach "$why"; fi
