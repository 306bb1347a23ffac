# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# domU helpers, sourced before every command the agent runs (see domU-init).

now() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
wait_for() {
	_w=$(($1 * 5))
	shift
	while [ $_w -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		_w=$((_w - 1))
	done
	"$@"
}

# usbdev PRODUCT: sysfs dir of the USB device with that product string
usbdev() {
	for u in /sys/bus/usb/devices/*; do
		[ -f "$u/product" ] && [ "$(cat "$u/product")" = "$1" ] && { echo "$u"; return 0; }
	done
	return 1
}
no_usbdev() { ! usbdev "$1" > /dev/null; }

# disk PRODUCT: /dev/sdX of the usb-storage device with that product string
disk() {
	_u=$(usbdev "$1") || return 1
	for b in "$_u"/*:1.0/host*/target*/*/block/*; do
		[ -e "$b" ] && { echo "/dev/${b##*/}"; return 0; }
	done
	return 1
}

# max_sectors_is DEV N: DEV's SCSI device takes commands of N sectors
max_sectors_is() { [ "$(cat /sys/block/${1#/dev/}/device/max_sectors)" = "$2" ]; }
# rule_raised DEV: the package's udev rule (60-xen-vusb-storage.rules) gave
# DEV 2048-sector commands within 10 s of the disk's appearance
rule_raised() {
	wait_for 10 max_sectors_is "$1" 2048
	_rr=$?
	echo "max_sectors $(cat /sys/block/${1#/dev/}/device/max_sectors)"
	[ $_rr -eq 0 ] || echo "max_sectors: the udev rule did not raise it to 2048"
	return $_rr
}

# check_disk DEV MAGIC MD5 [MB]: magic line at offset 0, md5 of the whole
# disk or of its first MB MiB
check_disk() {
	_got=$(head -c ${#2} "$1")
	[ "$_got" = "$2" ] || { echo "magic: got '$_got', want '$2'"; return 1; }
	_mb=${4:-$(($(cat /sys/block/${1#/dev/}/size) / 2048))}
	_t=$(now)
	_sum=$(dd if="$1" bs=1M count=$_mb 2>/dev/null | md5sum | cut -d' ' -f1)
	_s=$(elapsed $_t)
	echo "md5 $_sum of $_mb MiB in ${_s}s ($(awk -v m=$_mb -v s=$_s 'BEGIN {printf "%.2f", m / s}') MiB/s)"
	[ "$_sum" = "$3" ] || { echo "md5 mismatch: want $3"; return 1; }
}

# pattern TEXT: 1 MiB of TEXT repeated, in /tmp/pattern
pattern() { yes "$1" | head -c 1048576 > /tmp/pattern; }

# write_pattern DEV TEXT: pattern into the last MiB of DEV (O_DIRECT), read back
write_pattern() {
	pattern "$2"
	_mb=$(($(cat /sys/block/${1#/dev/}/size) / 2048))
	dd if=/tmp/pattern of="$1" bs=1M seek=$((_mb - 1)) oflag=direct conv=fsync 2>&1 | tail -n 1 || return 1
	_w=$(md5sum < /tmp/pattern | cut -d' ' -f1)
	_r=$(dd if="$1" bs=1M skip=$((_mb - 1)) count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	echo "pattern md5 $_w, read back $_r"
	[ "$_w" = "$_r" ]
}

# ids PRODUCT: descriptor summary of a device and its first interface
ids() {
	_u=$(usbdev "$1") || { echo "no device '$1'"; return 1; }
	_i=$(ls -d "$_u"/*:1.0 | head -n 1)
	echo "$(cat $_u/idVendor):$(cat $_u/idProduct) dev-class=$(cat $_u/bDeviceClass) if=$(cat $_i/bInterfaceClass)/$(cat $_i/bInterfaceSubClass)/$(cat $_i/bInterfaceProtocol) driver=$(basename "$(readlink $_i/driver)" 2>/dev/null)"
}

# devnode PRODUCT: /dev/bus/usb/BBB/DDD
devnode() {
	_u=$(usbdev "$1") || return 1
	printf '/dev/bus/usb/%03d/%03d\n' "$(cat $_u/busnum)" "$(cat $_u/devnum)"
}

# hid_ready PRODUCT: the device is there and usbhid drives its interface
hid_ready() {
	_u=$(usbdev "$1") || return 1
	[ "$(basename "$(readlink "$_u"/*:1.0/driver)" 2>/dev/null)" = usbhid ]
}
# input_name PRODUCT: name of the input device the HID interface registered
input_name() {
	_u=$(usbdev "$1") || return 1
	cat "$_u"/*:1.0/*/input/input*/name 2>/dev/null | head -n 1
}
# usbtest_ready PRODUCT: usbtest drives the device's interface 0
usbtest_ready() { usbtest_on "$1" 1.0; }
# if_driver PRODUCT IF: driver of the device's interface IF ("2.0": config 2, if 0)
if_driver() {
	_u=$(usbdev "$1") || return 1
	_l=$(readlink "$_u"/*:"$2"/driver) && echo "${_l##*/}"
}
usbtest_on() { [ "$(if_driver "$1" "$2")" = usbtest ]; }
# cfg_state PRODUCT: "devnum configuration driver-of-its-interface-0"
cfg_state() {
	_u=$(usbdev "$1") || return 1
	_c=$(cat "$_u"/bConfigurationValue)
	echo "$(cat "$_u"/devnum) $_c $(if_driver "$1" "$_c.0")"
}
# has_iso: some attached device has an isochronous endpoint in any altsetting
has_iso() { grep -q 'Atr=01(Isoc)' /sys/kernel/debug/usb/devices; }

# ALSA: snd_card, play
# shellcheck source=tests/e2e/guest/alsa.sh
. /e2e/alsa.sh
# snd_ready PRODUCT: snd-usb-audio drives the device and its playback PCM
# device node exists; prints the card number
snd_ready() {
	_u=$(usbdev "$1") || return 1
	[ "$(basename "$(readlink "$_u"/*:1.0/driver)" 2>/dev/null)" = snd-usb-audio ] || return 1
	_n=$(snd_card "$_u"/*:1.0) || return 1
	[ -c /dev/snd/pcmC${_n}D0p ] && echo "$_n"
}

# bg_read PRODUCT: read that stick's whole disk over and over in the
# background (O_DIRECT, 64 KiB requests) until a read fails; then
# /tmp/rd.done says how it ended.  /tmp/rd.n counts the full passes.
bg_read() {
	_d=$(disk "$1") || { echo "no disk for '$1'"; return 1; }
	rm -f /tmp/rd.done /tmp/rd.n /tmp/rd.err
	(
		_n=0
		while dd if="$_d" of=/dev/null bs=64k iflag=direct 2> /tmp/rd.err; do
			_n=$((_n + 1))
			echo $_n > /tmp/rd.n
		done
		echo "dd of $_d failed after $_n full passes: $(grep -v records /tmp/rd.err | tail -n 1)" > /tmp/rd.done
	) < /dev/null > /dev/null 2>&1 &
	echo "reading $_d in the background (pid $!)"
}
# reading DEV: reads of DEV complete while we watch (1 s)
reading() {
	_s=/sys/block/${1#/dev/}/stat
	_a=$(awk '{print $1}' $_s)
	sleep 1
	_b=$(awk '{print $1}' $_s)
	echo "reads completed: $_a -> $_b in 1 s"
	[ "$_b" -gt "$_a" ]
}
# rd_ended: the background reader of bg_read has ended
rd_ended() { [ -f /tmp/rd.done ]; }
# fe_stats: usbfront's leak-relevant counters of every controller
fe_stats() {
	for _v in /sys/bus/xen/devices/vusb-*; do
		[ -d "$_v/stats" ] || continue
		echo "${_v##*/} link=$(cat $_v/stats/link) inflight=$(cat $_v/stats/inflight) held=$(cat $_v/stats/held) connects=$(cat $_v/stats/connects) disconnects=$(cat $_v/stats/disconnects)"
	done
}
