#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libxl's hotplug script for the bench's pv-blk reference (xl block-attach
# ... script=vbd-phy,target=/dev/sdX), in the bed's dom0, which has busybox
# and no bash for Xen's own "block" script.  It does what that script does
# for a "phy" disk and nothing else: tells blkback the device's major:minor
# (physical-device, hex, as blkback reads it) and that the hotplug is done.
#   $1           add | remove
#   XENBUS_PATH  the vbd's backend directory in xenstore (set by libxl)
case $1 in
add)
	p=$(xenstore-read "$XENBUS_PATH/params") || exit 1
	if [ ! -b "$p" ]; then
		xenstore-write "$XENBUS_PATH/hotplug-error" "$p is not a block device" \
			"$XENBUS_PATH/hotplug-status" error
		exit 1
	fi
	xenstore-write "$XENBUS_PATH/physical-device" "$(stat -L -c %t:%T "$p")" \
		"$XENBUS_PATH/physical-device-path" "$p" \
		"$XENBUS_PATH/hotplug-status" connected
	;;
remove) ;;
*) echo "vbd-phy: unknown action '$1'" >&2; exit 1 ;;
esac
