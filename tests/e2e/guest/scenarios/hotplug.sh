# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# hotplug: HOTPLUG_CYCLES (20) rounds of xl usbdev-attach / usbdev-detach of
# the QEMU stick while the guest runs.  Each round: `xl usb-list` shows the
# device on a port after attach and no device after detach, the guest sees
# it appear and go, and dom0's usb-storage has it back after detach.  One
# result line for the whole run; the first failing round is named.
SCEN_NAME=hotplug
. /e2e/lib.sh
CYCLES=$(arg e2e.cycles)
CYCLES=${CYCLES:-20}

guest_up g1 || { fail hotplug "$WHY"; exit 0; }
bid=$(find_usb "$P_STICK") || { fail hotplug "stick not in dom0"; exit 0; }
# usb_list_devs: number of ports with a device in the xl usb-list listing
# on stdin
usb_list_devs() { grep -c 'Port [0-9]*: *Bus'; }

t0=$(now)
c=1
why=
ta=0 td=0
while [ $c -le $CYCLES ]; do
	attach g1 $bid || { why="round $c: usbdev-attach: $(xl_err)"; break; }
	ta=$(awk -v a=$ta -v b=$XL_T 'BEGIN {print a + b}')
	# one listing for both checks, and the port it names is what we detach
	ul=$(xl usb-list g1 2>/dev/null)
	cp=$(echo "$ul" | usb_port_of $bid)
	[ -n "$cp" ] || { why="round $c: xl usb-list does not show $bid after attach"; break; }
	n=$(echo "$ul" | usb_list_devs)
	[ "$n" = 1 ] || { why="round $c: xl usb-list shows $n devices, want 1"; break; }
	gexec g1 60 "wait_for 45 usbdev '$P_STICK'" > /dev/null ||
		{ why="round $c: guest did not see the stick within 45s of attach"; break; }
	# shellcheck disable=SC2086 # "ctrl port"
	xlq usbdev-detach g1 $cp || { why="round $c: usbdev-detach: $(xl_err)"; break; }
	td=$(awk -v a=$td -v b=$XL_T 'BEGIN {print a + b}')
	n=$(xl usb-list g1 2>/dev/null | usb_list_devs)
	[ "$n" = 0 ] || { why="round $c: xl usb-list still shows $n devices after detach"; break; }
	gexec g1 40 "wait_for 30 no_usbdev '$P_STICK'" > /dev/null ||
		{ why="round $c: guest still sees the stick 30s after detach"; break; }
	back_in_dom0 $bid usb-storage 30 ||
		{ why="round $c: dom0 if0 driver '$(drv $bid:1.0)' 30s after detach, want usb-storage"; break; }
	[ $((c % 5)) = 0 ] && info "hotplug: $c rounds in $(elapsed $t0)s"
	c=$((c + 1))
done
info "hotplug: $((c - 1)) rounds in $(elapsed $t0)s; xl usbdev-attach avg $(awk -v t=$ta -v n=$c 'BEGIN {printf "%.2f", t / (n > 1 ? n - 1 : 1)}')s, usbdev-detach avg $(awk -v t=$td -v n=$c 'BEGIN {printf "%.2f", t / (n > 1 ? n - 1 : 1)}')s"
if [ -n "$why" ]; then
	# leave the stick in dom0 for the next scenario
	[ -n "$(usb_port g1 $bid)" ] && detach g1 $bid
	fail hotplug "$why"
else
	pass hotplug
fi
