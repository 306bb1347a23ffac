# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# domU helpers, sourced before every command the agent runs (see domU-init).

# now, elapsed, wait_for
# shellcheck source=tests/e2e/guest/common.sh
. /e2e/common.sh

# usbdev PRODUCT: sysfs dir of the USB device with that product string
usbdev() {
	for _usbdev_u in /sys/bus/usb/devices/*; do
		[ -f "$_usbdev_u/product" ] && [ "$(cat "$_usbdev_u/product")" = "$1" ] && { echo "$_usbdev_u"; return 0; }
	done
	return 1
}
no_usbdev() { ! usbdev "$1" > /dev/null; }

# disk PRODUCT: /dev/sdX of the usb-storage device with that product string
disk() {
	_disk_u=$(usbdev "$1") || return 1
	for _disk_b in "$_disk_u"/*:1.0/host*/target*/*/block/*; do
		[ -e "$_disk_b" ] && { echo "/dev/${_disk_b##*/}"; return 0; }
	done
	return 1
}

# max_sectors_is DEV N: DEV's SCSI device takes commands of N sectors
max_sectors_is() { [ "$(cat "/sys/block/${1#/dev/}/device/max_sectors")" = "$2" ]; }
# rule_raised DEV: the package's udev rule (60-xen-vusb-storage.rules) gave
# DEV 2048-sector commands within 10 s of the disk's appearance
rule_raised() {
	wait_for 10 max_sectors_is "$1" 2048
	_rule_raised_rc=$?
	echo "max_sectors $(cat /sys/block/${1#/dev/}/device/max_sectors)"
	[ $_rule_raised_rc -eq 0 ] || echo "max_sectors: the udev rule did not raise it to 2048"
	return $_rule_raised_rc
}

# check_disk DEV MAGIC MD5 [MB]: magic line at offset 0, md5 of the whole
# disk or of its first MB MiB
check_disk() {
	_check_disk_got=$(head -c ${#2} "$1")
	[ "$_check_disk_got" = "$2" ] || { echo "magic: got '$_check_disk_got', want '$2'"; return 1; }
	_check_disk_mb=${4:-$(($(cat /sys/block/${1#/dev/}/size) / 2048))}
	_check_disk_t=$(now)
	_check_disk_sum=$(dd if="$1" bs=1M count=$_check_disk_mb 2>/dev/null | md5sum | cut -d' ' -f1)
	_check_disk_s=$(elapsed $_check_disk_t)
	echo "md5 $_check_disk_sum of $_check_disk_mb MiB in ${_check_disk_s}s ($(awk -v m=$_check_disk_mb -v s=$_check_disk_s 'BEGIN {printf "%.2f", m / s}') MiB/s)"
	[ "$_check_disk_sum" = "$3" ] || { echo "md5 mismatch: want $3"; return 1; }
}

# pattern TEXT: 1 MiB of TEXT repeated, in /tmp/pattern
pattern() { yes "$1" | head -c 1048576 > /tmp/pattern; }

# write_pattern DEV TEXT: pattern into the last MiB of DEV (O_DIRECT), read back
write_pattern() {
	pattern "$2"
	_write_pattern_mb=$(($(cat /sys/block/${1#/dev/}/size) / 2048))
	dd if=/tmp/pattern of="$1" bs=1M seek=$((_write_pattern_mb - 1)) oflag=direct conv=fsync 2>&1 | tail -n 1 || return 1
	_write_pattern_w=$(md5sum < /tmp/pattern | cut -d' ' -f1)
	_write_pattern_r=$(dd if="$1" bs=1M skip=$((_write_pattern_mb - 1)) count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	echo "pattern md5 $_write_pattern_w, read back $_write_pattern_r"
	[ "$_write_pattern_w" = "$_write_pattern_r" ]
}

# ids PRODUCT: descriptor summary of a device and its first interface
ids() {
	_ids_u=$(usbdev "$1") || { echo "no device '$1'"; return 1; }
	_ids_i=$(ls -d "$_ids_u"/*:1.0 | head -n 1)
	echo "$(cat $_ids_u/idVendor):$(cat $_ids_u/idProduct) dev-class=$(cat $_ids_u/bDeviceClass) if=$(cat $_ids_i/bInterfaceClass)/$(cat $_ids_i/bInterfaceSubClass)/$(cat $_ids_i/bInterfaceProtocol) driver=$(basename "$(readlink $_ids_i/driver)" 2>/dev/null)"
}

# devnode PRODUCT: /dev/bus/usb/BBB/DDD
devnode() {
	_devnode_u=$(usbdev "$1") || return 1
	printf '/dev/bus/usb/%03d/%03d\n' "$(cat $_devnode_u/busnum)" "$(cat $_devnode_u/devnum)"
}

# hid_ready PRODUCT: the device is there and usbhid drives its interface
hid_ready() {
	_hid_ready_u=$(usbdev "$1") || return 1
	[ "$(basename "$(readlink "$_hid_ready_u"/*:1.0/driver)" 2>/dev/null)" = usbhid ]
}
# input_name PRODUCT: name of the input device the HID interface registered
input_name() {
	_input_name_u=$(usbdev "$1") || return 1
	cat "$_input_name_u"/*:1.0/*/input/input*/name 2>/dev/null | head -n 1
}
# usbtest_ready PRODUCT: usbtest drives the device's interface 0
usbtest_ready() { usbtest_on "$1" 1.0; }
# if_driver PRODUCT IF: driver of the device's interface IF ("2.0": config 2, if 0)
if_driver() {
	_if_driver_u=$(usbdev "$1") || return 1
	_if_driver_l=$(readlink "$_if_driver_u"/*:"$2"/driver) && echo "${_if_driver_l##*/}"
}
usbtest_on() { [ "$(if_driver "$1" "$2")" = usbtest ]; }
# cfg_state PRODUCT: "devnum configuration driver-of-its-interface-0"
cfg_state() {
	_cfg_state_u=$(usbdev "$1") || return 1
	_cfg_state_c=$(cat "$_cfg_state_u"/bConfigurationValue)
	echo "$(cat "$_cfg_state_u"/devnum) $_cfg_state_c $(if_driver "$1" "$_cfg_state_c.0")"
}
# has_iso: some attached device has an isochronous endpoint in any altsetting
has_iso() { grep -q 'Atr=01(Isoc)' /sys/kernel/debug/usb/devices; }

# ALSA: snd_card, play
# shellcheck source=tests/e2e/guest/alsa.sh
. /e2e/alsa.sh
# snd_ready PRODUCT: snd-usb-audio drives the device and its playback PCM
# device node exists; prints the card number
snd_ready() {
	_snd_ready_u=$(usbdev "$1") || return 1
	[ "$(basename "$(readlink "$_snd_ready_u"/*:1.0/driver)" 2>/dev/null)" = snd-usb-audio ] || return 1
	_snd_ready_n=$(snd_card "$_snd_ready_u"/*:1.0) || return 1
	[ -c /dev/snd/pcmC${_snd_ready_n}D0p ] && echo "$_snd_ready_n"
}

# bg_dd TAG DD-OPERANDS...: dd with those operands over and over in the
# background until a run fails; /tmp/TAG.n counts the runs that completed,
# /tmp/TAG.done says how it ended; BG_DD_PID is the loop's pid
bg_dd() {
	_bg_dd_f=/tmp/$1
	shift
	rm -f $_bg_dd_f.done $_bg_dd_f.n $_bg_dd_f.err
	(
		_bg_dd_n=0
		while dd "$@" 2> $_bg_dd_f.err; do
			_bg_dd_n=$((_bg_dd_n + 1))
			echo $_bg_dd_n > $_bg_dd_f.n
		done
		echo "dd $* failed after $_bg_dd_n runs: $(grep -v records $_bg_dd_f.err | tail -n 1)" > $_bg_dd_f.done
	) < /dev/null > /dev/null 2>&1 &
	BG_DD_PID=$!
}
# bg_read PRODUCT: read that stick's whole disk over and over in the
# background (O_DIRECT, 64 KiB requests) until a read fails; then
# /tmp/rd.done says how it ended.  /tmp/rd.n counts the full passes.
bg_read() {
	_bg_read_d=$(disk "$1") || { echo "no disk for '$1'"; return 1; }
	bg_dd rd if="$_bg_read_d" of=/dev/null bs=64k iflag=direct
	echo "reading $_bg_read_d in the background (pid $BG_DD_PID)"
}
# reading DEV: reads of DEV complete while we watch (1 s)
reading() {
	_reading_s=/sys/block/${1#/dev/}/stat
	_reading_a=$(awk '{print $1}' $_reading_s)
	sleep 1
	_reading_b=$(awk '{print $1}' $_reading_s)
	echo "reads completed: $_reading_a -> $_reading_b in 1 s"
	[ "$_reading_b" -gt "$_reading_a" ]
}
# rd_ended: the background reader of bg_read has ended
rd_ended() { [ -f /tmp/rd.done ]; }
# bg_write PRODUCT: write 1 MiB patterns into the last MiB of PRODUCT's disk
# in the background (O_DIRECT) until a write fails; /tmp/wr.done says how
# it ended, /tmp/wr.n counts the writes
bg_write() {
	_bg_write_d=$(disk "$1") || { echo "no disk for '$1'"; return 1; }
	pattern surprise
	_bg_write_mb=$(($(cat /sys/block/${_bg_write_d#/dev/}/size) / 2048))
	bg_dd wr if=/tmp/pattern of="$_bg_write_d" bs=1M seek=$((_bg_write_mb - 1)) oflag=direct
	echo "writing $_bg_write_d in the background (pid $BG_DD_PID)"
}
# bg_rw PRODUCT: bg_read on that stick, its reads seen moving, then
# bg_write beside it, its writes seen moving (the writer starts second: a
# 1 MiB write can hold the disk longer than reading's 1 s)
bg_rw() {
	bg_read "$1" && reading "$_bg_read_d" && bg_write "$1" && writing
}
# writing: one more of bg_write's writes completes while we watch (up to
# 30 s: beside the reader, through qusb, a write takes seconds)
writing() {
	_writing_a=$(wr_count)
	wait_for 30 wr_count_above "$_writing_a" ||
		{ echo "no write completed in 30 s ($_writing_a before, $(wr_count) now)"; return 1; }
}
# wr_count: bg_write's completed writes so far
wr_count() { cat /tmp/wr.n 2>/dev/null || echo 0; }
# wr_count_above N: more than N writes completed (read anew at every call)
wr_count_above() { [ "$(wr_count)" -gt "$1" ]; }
# wr_ended: the background writer of bg_write has ended
wr_ended() { [ -f /tmp/wr.done ]; }
# bg_stream SECS PRODUCT: wait for usbtest, then bulk IN reads (testusb
# case 2, 4 KiB) with no end in the background; /tmp/tu.out ends with
# "exit=STATUS" when testusb stops
bg_stream() {
	rm -f /tmp/tu.out
	wait_for "$1" usbtest_ready "$2" || { echo "usbtest not bound to the device after $1s"; return 1; }
	_bg_stream_n=$(devnode "$2")
	(
		testusb -D "$_bg_stream_n" -t 2 -c 1000000 -s 4096 > /tmp/tu.out 2>&1
		echo "exit=$?" >> /tmp/tu.out
	) > /dev/null 2>&1 &
	echo "testusb -t 2 on $_bg_stream_n in the background (pid $!)"
}
# streaming: bg_stream's testusb still runs 2 s later
streaming() {
	sleep 2
	if grep -q '^exit=' /tmp/tu.out 2>/dev/null; then
		echo "testusb ended: $(tail -n 2 /tmp/tu.out | tr '\n' ' ')"
		return 1
	fi
	echo "testusb running"
}
# fe_stats: usbfront's leak-relevant counters of every controller
fe_stats() {
	for _fe_stats_v in /sys/bus/xen/devices/vusb-*; do
		[ -d "$_fe_stats_v/stats" ] || continue
		echo "${_fe_stats_v##*/} link=$(cat $_fe_stats_v/stats/link) inflight=$(cat $_fe_stats_v/stats/inflight) held=$(cat $_fe_stats_v/stats/held) connects=$(cat $_fe_stats_v/stats/connects) disconnects=$(cat $_fe_stats_v/stats/disconnects)"
	done
}

# ---- named steps that dom0 runs through gexec (one function per step, so
# that no guest code travels inside a string)

# disk_wait SECS PRODUCT: wait up to SECS for the disk of PRODUCT; sets DISK
# and prints "disk /dev/sdX after Ns"
disk_wait() {
	_disk_wait_t=$(now)
	DISK=$(wait_for "$1" disk "$2") || { echo "no disk for '$2' after $1s"; return 1; }
	echo "disk $DISK after $(elapsed $_disk_wait_t)s"
}
# disk_verify SECS PRODUCT MAGIC MD5 [MB]: disk_wait, then check_disk
disk_verify() {
	disk_wait "$1" "$2" || return 1
	check_disk "$DISK" "$3" "$4" $5
}
# disk_verify_write SECS PRODUCT MAGIC MD5 MB TEXT: disk_wait, the udev
# rule's max_sectors (rule_raised), check_disk, then write_pattern TEXT into
# its last MiB
disk_verify_write() {
	disk_wait "$1" "$2" && rule_raised "$DISK" &&
		check_disk "$DISK" "$3" "$4" $5 && write_pattern "$DISK" "$6"
}
# disk_magic SECS PRODUCT MAGIC: disk_wait, then the magic line at offset 0
disk_magic() {
	disk_wait "$1" "$2" || return 1
	_disk_magic_m=$(head -c ${#3} "$DISK")
	[ "$_disk_magic_m" = "$3" ] || { echo "magic '$_disk_magic_m'"; return 1; }
}
# verify_loop SECS PRODUCT MAGIC MD5 MB: disk_wait, then in the background
# check_disk (page cache dropped each round) until /tmp/stop exists, at
# least once; /tmp/bg.out tells the rounds, /tmp/bg.rc the status
verify_loop() {
	disk_wait "$1" "$2" || return 1
	rm -f /tmp/stop /tmp/bg.rc
	(
		_verify_loop_n=0
		while [ ! -e /tmp/stop ] || [ $_verify_loop_n = 0 ]; do
			echo 3 > /proc/sys/vm/drop_caches
			check_disk "$DISK" "$3" "$4" "$5" ||
				{ echo "round $_verify_loop_n failed"; echo 1 > /tmp/bg.rc; exit 1; }
			_verify_loop_n=$((_verify_loop_n + 1))
		done
		echo "$_verify_loop_n rounds"
		echo 0 > /tmp/bg.rc
	) > /tmp/bg.out 2>&1 &
	echo "reading $DISK in the background"
}
# ---- the soak scenario's steps (verify_loop's reader, the checkpoints)
# soak_read_start SECS PRODUCT MAGIC MD5 MB: verify_loop on PRODUCT's disk,
# then wait up to SECS for its first pass, which must have read MD5
soak_read_start() {
	verify_loop "$1" "$2" "$3" "$4" "$5" || return 1
	wait_for "$1" grep -qE '^md5 |failed$' /tmp/bg.out
	soak_passes "$4" || { echo "first pass: $(grep -v '^reading' /tmp/bg.out | tail -n 2 | tr '\n' ' ')"; return 1; }
}
# soak_passes MD5: verify_loop's passes that read MD5, printed as
# "passes N"; fails when none did or a finished pass read something else
# (a pass cut short by a detach is the last and is not counted as read)
soak_passes() {
	_soak_passes_n=$(grep -c "^md5 $1 " /tmp/bg.out)
	echo "passes $_soak_passes_n"
	[ "$_soak_passes_n" -gt 0 ] || return 1
	# every pass but the last ended with the right md5
	[ "$(grep -E '^md5 [0-9a-f]+ of' /tmp/bg.out | sed '$d' | grep -vc "^md5 $1 ")" = 0 ]
}
# soak_read_cut SECS PRODUCT MD5: after PRODUCT was detached under
# verify_loop: the reader ends (an error, not a hang) and the device goes,
# each within SECS; prints the passes read right before
soak_read_cut() {
	wait_for "$1" test -f /tmp/bg.rc ||
		{ echo "the reader still runs $1 s after the detach: $(tail -n 1 /tmp/bg.out)"; return 1; }
	wait_for "$1" no_usbdev "$2" || { echo "'$2' still there $1 s after the detach"; return 1; }
	soak_passes "$3"
}
# soak_read_stop SECS MD5: stop verify_loop after its current pass; every
# pass read MD5
soak_read_stop() {
	touch /tmp/stop
	wait_for "$1" test -f /tmp/bg.rc || { echo "the reader did not stop within $1 s"; return 1; }
	[ "$(cat /tmp/bg.rc)" = 0 ] || { echo "reader: $(tail -n 2 /tmp/bg.out | tr '\n' ' ')"; return 1; }
	soak_passes "$2"
}
# soak_state: the guest's part of a soak checkpoint, KEY=VALUE lines.
# Gauges, which must be back to their baseline: the frontend controllers
# (xenbus vusb devices), the USB devices other than root hubs, and per
# usbfront controller link, inflight, held and the counters that only
# move on a fault or a reconnect (grants_held, protocol_errors, connects,
# disconnects).  "i:" lines are printed, not compared: the guest's
# unreclaimable slab (kB) and usbfront's requests.  xen-hcd has no
# counters: its cells get the first two gauges only.
soak_state() {
	echo "fe:ctrls=$(ls -d /sys/bus/xen/devices/vusb-* 2>/dev/null | wc -l)"
	_soak_state_n=0
	for _soak_state_u in /sys/bus/usb/devices/*; do
		case ${_soak_state_u##*/} in *:* | usb*) ;; *) _soak_state_n=$((_soak_state_n + 1)) ;; esac
	done
	echo "usbdevs=$_soak_state_n"
	for _soak_state_v in /sys/bus/xen/devices/vusb-*; do
		[ -d "$_soak_state_v/stats" ] || continue
		for _soak_state_k in link inflight held grants_held protocol_errors connects disconnects; do
			echo "fe:${_soak_state_v##*/}:$_soak_state_k=$(cat "$_soak_state_v/stats/$_soak_state_k")"
		done
		echo "i:fe:${_soak_state_v##*/}:requests=$(cat "$_soak_state_v/stats/requests")"
	done
	echo "i:sunreclaim_kb=$(awk '$1 == "SUnreclaim:" {print $2}' /proc/meminfo)"
}
# gone SECS PRODUCT...: wait up to SECS for each PRODUCT to disappear
gone() {
	_gone_s=$1
	shift
	for _gone_p in "$@"; do
		wait_for "$_gone_s" no_usbdev "$_gone_p" || return 1
	done
}
# set_config PRODUCT CFG: write bConfigurationValue, wait for usbtest on
# interface CFG.0; prints cfg_state
set_config() {
	_set_config_u=$(usbdev "$1") || return 1
	echo "$2" > "$_set_config_u/bConfigurationValue" || echo 'write refused'
	wait_for 40 usbtest_on "$1" "$2.0"
	cfg_state "$1"
}
# usbtest_node SECS PRODUCT: wait for usbtest on PRODUCT; prints its usbfs
# node and "iso=yes|no"
usbtest_node() {
	wait_for "$1" usbtest_ready "$2" || { echo "usbtest not bound after $1s"; return 1; }
	devnode "$2"
	if has_iso; then echo iso=yes; else echo iso=no; fi
}
# testusb_on PRODUCT ARGS...: testusb -D <PRODUCT's node> ARGS...
testusb_on() {
	_testusb_on_n=$(devnode "$1") || { echo "no device '$1'"; return 1; }
	shift
	testusb -D "$_testusb_on_n" "$@"
}
# bg_testusb SECS PRODUCT CASE: wait for usbtest, then one 512-byte testusb
# CASE in the background; /tmp/tu.out ends with "exit=STATUS"
bg_testusb() {
	rm -f /tmp/tu.out
	wait_for "$1" usbtest_ready "$2" || { echo "usbtest not bound to the device after $1s"; return 1; }
	_bg_testusb_n=$(devnode "$2")
	(
		testusb -D "$_bg_testusb_n" -t "$3" -c 1 -s 512 > /tmp/tu.out 2>&1
		echo "exit=$?" >> /tmp/tu.out
	) > /dev/null 2>&1 &
}
# tu_wait SECS: wait for the bg_testusb run to end; print its output
tu_wait() {
	wait_for "$1" grep -q '^exit=' /tmp/tu.out
	cat /tmp/tu.out
}
# usbmon_count PRODUCT NODE: bulk OUT submissions and completions usbmon
# sees for 20 testusb writes (case 1) to PRODUCT:
# "usbmon SUBMITS COMPLETIONS ADDR"
usbmon_count() {
	_usbmon_count_u=$(usbdev "$1") || return 1
	_usbmon_count_b=$(cat "$_usbmon_count_u/busnum")
	_usbmon_count_a=Bo:$_usbmon_count_b:$(printf %03d "$(cat "$_usbmon_count_u/devnum")"):
	cat /sys/kernel/debug/usb/usbmon/${_usbmon_count_b}u > /tmp/mon &
	_usbmon_count_p=$!
	sleep 0.5
	testusb -D "$2" -t 1 -c 20 -s 512 > /dev/null
	sleep 0.5
	kill $_usbmon_count_p
	echo "usbmon $(grep -c " S $_usbmon_count_a" /tmp/mon) $(grep -c " C $_usbmon_count_a" /tmp/mon) $_usbmon_count_a"
}
# ctrl_stats DEVID: every counter of usbfront's controller DEVID as NAME=VALUE
ctrl_stats() {
	for _ctrl_stats_f in /sys/bus/xen/devices/vusb-$1/stats/*; do
		echo "${_ctrl_stats_f##*/}=$(cat "$_ctrl_stats_f")"
	done
}
# snd_info SECS PRODUCT: wait for its playback PCM; "card N", ids and stream
snd_info() {
	_snd_info_c=$(wait_for "$1" snd_ready "$2") ||
		{ echo "no snd-usb-audio playback PCM after $1s"; ids "$2"; return 1; }
	echo "card $_snd_info_c"
	ids "$2"
	grep -E 'Format|Rates|Endpoint|Channels' /proc/asound/card$_snd_info_c/stream0 2>/dev/null | head -n 4
}
# reclaim_ms_check: usbfront's reclaim_ms refuses 0, 9 and 60001 at run
# time without changing, takes 500; the old value is put back; and its
# max_ring_page_order refuses 4
reclaim_ms_check() {
	_reclaim_ms_check_f=/sys/module/usbfront/parameters/reclaim_ms
	_reclaim_ms_check_o=$(cat $_reclaim_ms_check_f)
	for _reclaim_ms_check_v in 0 9 60001; do
		echo $_reclaim_ms_check_v > $_reclaim_ms_check_f 2>/dev/null &&
			{ echo "took $_reclaim_ms_check_v"; return 1; }
	done
	[ "$(cat $_reclaim_ms_check_f)" = "$_reclaim_ms_check_o" ] ||
		{ echo "changed to $(cat $_reclaim_ms_check_f)"; return 1; }
	_reclaim_ms_check_r=/sys/module/usbfront/parameters/max_ring_page_order
	_reclaim_ms_check_o2=$(cat $_reclaim_ms_check_r)
	echo 4 > $_reclaim_ms_check_r 2>/dev/null && { echo "max_ring_page_order took 4"; return 1; }
	[ "$(cat $_reclaim_ms_check_r)" = "$_reclaim_ms_check_o2" ] ||
		{ echo "max_ring_page_order changed to $(cat $_reclaim_ms_check_r)"; return 1; }
	{ echo 500 > $_reclaim_ms_check_f && [ "$(cat $_reclaim_ms_check_f)" = 500 ]; } ||
		{ echo "500 not taken"; return 1; }
	echo "$_reclaim_ms_check_o" > $_reclaim_ms_check_f
}
# usbcore_debug on|off: usbcore's dynamic debug and usbfront's trace events
usbcore_debug() {
	if [ "$1" = on ]; then
		echo 'module usbcore +p' > /sys/kernel/debug/dynamic_debug/control
		echo 1 > /sys/kernel/debug/tracing/events/usbfront/enable
		echo > /sys/kernel/debug/tracing/trace
	else
		echo 'module usbcore -p' > /sys/kernel/debug/dynamic_debug/control
		echo 0 > /sys/kernel/debug/tracing/events/usbfront/enable
	fi
}
# fe_diag: usbfront's counters, conn events, the last trace events other
# than requests and the kernel log's tail (evidence for the console)
fe_diag() {
	fe_stats
	cat /sys/bus/xen/devices/vusb-*/stats/conn_events
	grep -v '^#' /sys/kernel/debug/tracing/trace | grep -v usbfront_request | tail -n 20
	dmesg | tail -n 40
}
# rd_wait SECS: wait for bg_read's reader to end; print how it ended
rd_wait() {
	wait_for "$1" rd_ended
	cat /tmp/rd.done 2>/dev/null && return 0
	echo "read still running $1s later ($(cat /tmp/rd.n 2>/dev/null || echo 0) passes; $(fe_stats))"
	return 1
}
# dd_stacks: the kernel log's tail and where each dd waits
dd_stacks() {
	dmesg | tail -n 30
	for _dd_stacks_p in $(pidof dd); do
		cat /proc/$_dd_stacks_p/stack
		echo "dd $_dd_stacks_p: $(cat /proc/$_dd_stacks_p/wchan)"
	done
}
# usb_list: every USB device as "USB BUSID VID:PID PRODUCT"
usb_list() {
	for _usb_list_u in /sys/bus/usb/devices/*; do
		[ -f "$_usb_list_u/product" ] &&
			echo "USB ${_usb_list_u##*/}: $(cat "$_usb_list_u/idVendor"):$(cat "$_usb_list_u/idProduct") $(cat "$_usb_list_u/product")"
	done
}
# demo_read STICK TABLET: what the demo shows of the guest: its USB
# devices, the tablet's input device, the stick's files and HELLO.TXT
demo_read() {
	wait_for 60 disk "$1" > /dev/null && wait_for 30 hid_ready "$2" || return 1
	usb_list
	echo "tablet input device: $(input_name "$2")"
	_demo_read_d=$(disk "$1")
	echo "stick is $_demo_read_d"
	mkdir -p /mnt && mount -t vfat -o ro "$_demo_read_d" /mnt &&
		echo "files: $(ls /mnt | tr '\n' ' ')" && echo "HELLO.TXT: $(cat /mnt/HELLO.TXT)"
	_demo_read_r=$?
	umount /mnt
	return $_demo_read_r
}
