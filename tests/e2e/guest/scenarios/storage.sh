# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# storage: the guest reads a USB stick (known magic + md5), writes a 1 MiB
# pattern at its end; after detach dom0 must have the stick back on
# usb-storage and read the pattern.  Done for the QEMU usb-storage stick
# (xHCI, high speed) as "storage", and for the configfs mass_storage gadget
# on dummy_hcd as "storage-gadget".  In usbback cells the stick is read and
# written once more with the other usbback buffer_mode (grant copy or grant
# map) than the default, as "storage-copy" or "storage-map", and the
# controller's "mapped" counter must show which path carried it; and once
# more with the other usbback dispatch (wq or thread) as "storage-wq" or
# "storage-thread", where usbback's request tracepoint must show which task
# took the requests off the ring (a kworker, or the controller's ring
# thread usbback.<domid>.<devid>).
SCEN_NAME=storage
. /e2e/lib.sh
. /e2e/trace.sh

# storage_case NAME PRODUCT MAGIC MD5 [MB]: MD5 of the first MB MiB (all)
storage_case() {
	name=$1 prod=$2 magic=$3 md5=$4 mb=$5
	bid=$(find_usb "$prod") || { fail $name "'$prod' not found in dom0"; return; }
	guest_up g1 || { fail $name "$WHY"; return; }
	t0=$(now)
	attach g1 $bid || { fail $name "usbdev-attach: $(xl_err)"; return; }
	info "$name: usbdev-attach $bid ${XL_T}s; dom0 if0 driver now '$(drv $bid:1.0)'"
	text="xen-pvusb e2e pattern $CELL $name"
	out=$(gexec g1 120 "disk_verify_write 60 '$prod' '$magic' '$md5' '$mb' '$text'")
	rc=$?
	info "$name: guest: $(echo "$out" | grep -E '^max_sectors|^md5|^pattern' | tr '\n' ' ')"
	t1=$(now)
	if ! detach g1 $bid; then
		fail $name "usbdev-detach: $(xl_err)"
		return
	fi
	info "$name: usbdev-detach ${XL_T}s"
	[ $rc -eq 0 ] || { fail $name "guest check failed: $(echo "$out" | tail -n 1)"; return; }
	gexec g1 30 "wait_for 20 no_usbdev '$prod'" > /dev/null ||
		{ fail $name "guest still sees the device 20s after detach"; return; }
	back_in_dom0 $bid usb-storage 30 || { fail $name "dom0 if0 driver '$(drv $bid:1.0)' 30s after detach, want usb-storage"; return; }
	wait_for 20 dom0_disk $bid > /dev/null || { fail $name "no dom0 block device after detach"; return; }
	d=$(dom0_disk $bid)
	wait_for 10 test -b $d
	mb=$(($(cat /sys/block/${d#/dev/}/size) / 2048))
	want=$(yes "$text" | head -c 1048576 | md5sum | cut -d' ' -f1)
	got=$(dd if=$d bs=1M skip=$((mb - 1)) count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	info "$name: back in dom0 as $d $(elapsed $t1)s after detach; pattern md5 $got (want $want); total $(elapsed $t0)s"
	[ "$got" = "$want" ] || { fail $name "dom0 read back pattern md5 $got, want $want"; return; }
	pass $name
}

storage_case storage "$P_STICK" "$STICK_MAGIC" "$CHECK_MD5" "$CHECK_MB"
storage_case storage-gadget "$P_MSG" "$STICK_MAGIC-GADGET" "$GADGET_MD5"

# The usbback data path that is not the default, on the same stick.
if [ "$BACK" = usbback ]; then
	BUFMODE=/sys/module/usbback/parameters/buffer_mode
	def=$(cat $BUFMODE)
	if [ "$def" = map ]; then alt=copy; else alt=map; fi
	if ! echo $alt > $BUFMODE; then
		fail storage-$alt "cannot set usbback buffer_mode=$alt"
	else
		m0=$(ustat mapped)
		storage_case storage-$alt "$P_STICK" "$STICK_MAGIC" "$CHECK_MD5" "$CHECK_MB"
		m1=$(ustat mapped)
		echo "$def" > $BUFMODE
		info "storage-$alt: usbback mapped requests $m0 -> $m1"
		if [ -z "$m0" ] || [ -z "$m1" ]; then
			fail storage-$alt-path "no usbback statistics/mapped for g1"
		elif [ $alt = map ] && [ "$m1" -le "$m0" ]; then
			fail storage-$alt-path "buffer_mode=map but no request was grant-mapped"
		elif [ $alt = copy ] && [ "$m1" -ne "$m0" ]; then
			fail storage-$alt-path "buffer_mode=copy but $((m1 - m0)) requests were grant-mapped"
		else
			pass storage-$alt-path
		fi
	fi
fi

# The other dispatch, on the same stick: the tasks that ran usbback's
# request tracepoint ("task-pid [cpu] ..." in ftrace's text) must all be
# the ring thread (thread) or all workqueue workers (wq).
DISPATCH=/sys/module/usbback/parameters/dispatch
if [ "$BACK" = usbback ] && [ -f $DISPATCH ]; then
	def=$(cat $DISPATCH)
	if [ "$def" = thread ]; then alt=wq; else alt=thread; fi
	if ! echo $alt > $DISPATCH; then
		fail storage-$alt "cannot set usbback dispatch=$alt"
	else
		trace_start usbback/usbback_request
		storage_case storage-$alt "$P_STICK" "$STICK_MAGIC" "$CHECK_MD5" "$CHECK_MB"
		trace_stop
		echo "$def" > $DISPATCH
		set -- $(awk '/ usbback_request: / { n++; if ($1 ~ /^usbback\./) t++; else if ($1 ~ /^kworker\//) w++ }
			END { print n + 0, t + 0, w + 0 }' $TR/trace)
		info "storage-$alt: usbback requests taken by the ring thread $2, by kworkers $3, of $1"
		if [ "$1" -eq 0 ]; then
			fail storage-$alt-path "no usbback_request event traced"
		elif [ $alt = thread ] && [ "$2" -ne "$1" ]; then
			fail storage-$alt-path "dispatch=thread but $(($1 - $2)) of $1 requests were taken by another task"
		elif [ $alt = wq ] && [ "$3" -ne "$1" ]; then
			fail storage-$alt-path "dispatch=wq but $(($1 - $3)) of $1 requests were taken by another task"
		else
			pass storage-$alt-path
		fi
	fi
fi
