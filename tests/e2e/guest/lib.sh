# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# dom0 helpers for the e2e scenarios (busybox sh; sourced by dom0-init and
# by every /e2e/scenarios/*.sh).

CONSOLE_DIR=/var/log/xen/console
RESULTS_FILE=/tmp/e2e-results
DOMU_KERNEL=/e2e/domU/vmlinuz
DOMU_RAMDISK=/e2e/domU/initrd.cpio

arg() { for _arg_w in $(cat /proc/cmdline); do case $_arg_w in "$1"=*) echo "${_arg_w#*=}" ;; esac; done; }
# now, elapsed, wait_for
# shellcheck source=tests/e2e/guest/common.sh
. /e2e/common.sh
mark() { echo "E2E-MARK $1 $(now)"; }
# fgt A B: A > B for decimals
fgt() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a > b)}'; }

# ---- the cell: backend/frontend pair under test
CELL=$(arg e2e.cell)
CELL=${CELL:-qusb/xen-hcd}
BACK=${CELL%/*}
FRONT=${CELL#*/}
if [ "$BACK" = usbback ]; then
	CTRLTYPE=pv      # libxl usbctrl type for our kernel backend
	BEKIND=vusb      # its xenstore backend directory
else
	CTRLTYPE=qusb
	BEKIND=qusb
fi
# run-time facts from the host: STICK_MAGIC, STICK_MD5, STICK_MB
[ -f /e2e/config ] && . /e2e/config

# ---- result lines (the host counts PASS and FAIL; XFAIL/SKIP are listed)
result() { echo "$*" >> $RESULTS_FILE; echo "$*"; }
# (no "local" in POSIX sh: a helper's variables carry its name, _fail_rn)
pass() { result "PASS $CELL $1"; }
fail() {
	_fail_rn=$1
	shift
	if _fail_dc=$(dm_crash) && _fail_xr=$(known_xfail "${_fail_dc%% *}"); then
		result "XFAIL $CELL $_fail_rn: $* [$_fail_xr: ${_fail_dc#* }]"
	else
		result "FAIL $CELL $_fail_rn: $*"
	fi
}
xfail() { _xfail_rn=$1; shift; result "XFAIL $CELL $_xfail_rn: $*"; }
skip() { _skip_rn=$1; shift; result "SKIP $CELL $_skip_rn: $*"; }
info() { echo "INFO $*"; }
# known_xfail NAME: the reason if tests/e2e/xfail lists NAME for this cell
known_xfail() {
	[ -f /e2e/xfail ] || return 1
	_known_xfail_r=$(awk -v b="$BACK" -v f="$FRONT" -v n="$1" '
		/^#/ || NF < 4 {next}
		($1 == b || $1 == "*") && ($2 == f || $2 == "*") && $3 == n {
			$1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit }' /e2e/xfail)
	[ -n "$_known_xfail_r" ] && echo "$_known_xfail_r"
}
# step NAME FUNC: one result line from FUNC's status and last message
# (INFO lines of FUNC are passed on); a NAME listed in tests/e2e/xfail for
# this cell is printed as XFAIL and FUNC is not run
step() {
	if _step_x=$(known_xfail "$1"); then
		xfail "$1" "$_step_x"
		return
	fi
	run_check $2
	if [ $RUN_RC = 0 ]; then pass $1; else fail $1 "$RUN_MSG"; fi
}
# run_check FUNC: run FUNC, pass its INFO lines on; sets RUN_RC (its status)
# and RUN_MSG (its last other line: why it failed)
run_check() {
	$1 > /tmp/why 2>&1
	RUN_RC=$?
	grep '^INFO' /tmp/why
	RUN_MSG=$(grep -v '^INFO' /tmp/why | tail -n 1)
}
# step_xf NAME FUNC SIG: like step, for a check that tests/e2e/xfail lists
# as a peer's limitation: FUNC still runs, so that the log holds the
# evidence.  A listed NAME is XFAIL only when FUNC fails with SIG in its
# last message (the failure the listing describes), with that message
# appended; any other failure is FAIL, and so is a listed check that
# passes (the listing is stale).
step_xf() {
	_step_xf_x=$(known_xfail "$1") || { step "$1" "$2"; return; }
	run_check $2
	if [ $RUN_RC = 0 ]; then
		fail $1 "passed, but tests/e2e/xfail lists it: remove the line"
	elif echo "$RUN_MSG" | grep -qF "$3"; then
		xfail $1 "$_step_xf_x [seen: $RUN_MSG]"
	else
		fail $1 "$RUN_MSG"
	fi
}
# kernel console lines that fail a run (dom0-init's kernel-log, saverestore):
# oopses and warnings, and the reports of the debug flavour's checkers that
# do not contain BUG: or WARNING: (lockdep's, DEBUG_ATOMIC_SLEEP's, KFENCE's
# and debugobjects' "ODEBUG:" do): UBSAN, SLUB's consistency checks ("BUG
# kmalloc-64 (Not tainted): Redzone overwritten") and kmemleak's report
# (kmemleak_report).  No "|" inside an alternative: hostile-backend.sh
# splits KPAT on it, and no alternative may contain another one's text
# after its first letter (its bracketed copy would match itself).
KPAT='WARNING:|BUG:|Oops|general protection|Call Trace|kernel panic|UBSAN:|BUG [^ ]+ [(][A-Za-z ]*ainted|unreferenced object'

# XL_CLOSE_T: the longest an xl removal (usbctrl-detach, destroy) may
# take.  libxl waits 10 s for the backend's Closed, then removes the
# device by force and logs "unable to remove" (lifecycle and
# hostile-frontend look for it).  On the debug flavour's kernel xl itself
# needs 5-7 s of that (usbctrl-attach took 7.0 s, usbctrl-detach 11.7 s
# with no "unable to remove", 2026-12-06), so there the bound is 30 s and
# libxl's message is what tells a timeout.
XL_CLOSE_T=10
[ -w $KMEMLEAK ] && XL_CLOSE_T=30

# ---- Reports of Linux's own code, not of the drivers under test, that
# the debug flavour's checkers print (tests/e2e/xfail has a row for each,
# with the evidence).  KREPORT_SIGS: "ROW REGEX" lines, REGEX an extended
# regular expression that one line of the report matches.  klog_filter
# (a kernel log on stdin) drops the whole report that such a line is in
# (from the line that matches KPAT to "</TASK>" or "end trace", and the
# same lines again: a guest's console replays the end of its ring after
# xl restore), notes "ROW line" in KREPORT_SEEN, and prints the rest: the checks then
# fail on any other report, and dom0-init prints one XFAIL per row seen.
KREPORT_SIGS='klog-xenbus-suspend [(]xs_response_mutex[)].* at: do_suspend'
KREPORT_SEEN=/tmp/kreports-seen.txt
klog_filter() {
	awk -v kpat="$KPAT" -v sigs="$KREPORT_SIGS" -v seen="$KREPORT_SEEN" '
		BEGIN { n = split(sigs, sl, "\n")
			for (i = 1; i <= n; i++) {
				row[i] = sl[i]; sub(/ .*/, "", row[i])
				re[i] = sl[i]; sub(/^[^ ]* /, "", re[i])
			} }
		function flush(   i, j, hit, line) {
			hit = 0
			for (j = 1; j <= nb && !hit; j++)
				for (i = 1; i <= n; i++)
					if (blk[j] ~ re[i]) { hit = i; line = blk[j]; break }
			if (hit) {
				print row[hit] " " line >> seen
				for (j = 1; j <= nb; j++) gone[blk[j]] = 1
			} else for (j = 1; j <= nb; j++) print blk[j]
			nb = 0
		}
		$0 in gone { next }
		nb == 0 && $0 !~ kpat { print; next }
		{ blk[++nb] = $0 }
		/<\/TASK>|end trace/ || nb >= 300 { flush() }
		END { if (nb) flush() }'
}
# klog_bad: the first two KPAT lines of a kernel log on stdin, Linux's
# own known reports taken out (klog_filter)
klog_bad() { klog_filter | grep -aE "$KPAT" | head -n 2; }

# ---- QEMU's qusb can die on guest input.  Its device model asserts in
# usb_ep_get() when a control request names a devnum whose port was just
# emptied: qusb keeps the address-table entry after a detach, with no
# device behind it, so a frontend that races an unplug kills the backend
# of every port of that guest.  It can also die of another assertion or
# of a segfault (the surprise scenario: a device it passes through leaves
# the host under I/O, or comes back).  While such a death is on record
# (one of DM_CRASH_SIGS in a live qemu-dm log, or a segfault in dom0's
# kernel log that dm_crash_recover has not dealt with), a failing check
# is XFAIL with this evidence (tests/e2e/xfail lists each death's row for
# qusb); any other failure stays FAIL.  dom0-init then restarts the
# guests, so the next scenario gets a live backend again.
# DM_CRASH_SIGS: "ROW SIGNATURE" lines, ROW the death's tests/e2e/xfail row
DM_CRASH_SIGS="dm-crash usb_ep_get: Assertion \`dev != NULL' failed
dm-default-state usb_handle_packet: Assertion \`dev->state == USB_STATE_DEFAULT' failed"
# dm_assert: "ROW LINE" of the first of DM_CRASH_SIGS in a live qemu-dm log
dm_assert() {
	echo "$DM_CRASH_SIGS" | while read -r _dm_assert_r _dm_assert_s; do
		_dm_assert_l=$(grep -hF "$_dm_assert_s" /var/log/xen/qemu-dm-*.log 2>/dev/null | head -n 1)
		[ -z "$_dm_assert_l" ] || { echo "$_dm_assert_r $_dm_assert_l"; break; }
	done | grep .
}
# the kernel's time stamp of the last device model segfault dealt with
DM_SEGV_SEEN=/tmp/dm-segv.seen
# dm_crash: "ROW LINE" for a qusb device model that died, if any: ROW is
# the tests/e2e/xfail row of that death, LINE its evidence
dm_crash() {
	[ "$BACK" = qusb ] || return 1
	dm_assert && return 0
	_dm_crash_l=$(dm_segv)
	[ -n "$_dm_crash_l" ] && echo "dm-segfault $_dm_crash_l"
}
# dm_segv [last]: the first line of dom0's kernel log, after the stamp in
# DM_SEGV_SEEN, that says a QEMU died of a segfault ("xen-qemu-system[PID]:
# segfault at ..."); with "last", the stamp of the last such line
dm_segv() {
	dmesg | awk -v seen="$(cat $DM_SEGV_SEEN 2>/dev/null || echo 0)" -v last="$1" '
		index($0, "qemu-system") && index($0, ": segfault at ") {
			t = $0
			sub(/^[[] */, "", t)
			sub(/[]].*/, "", t)
			if (t + 0 <= seen + 0)
				next
			if (last == "") {
				print
				exit
			}
			l = t
		}
		END { if (last != "" && l != "") print l }'
}
# dm_crash_recover SCENARIO: after a crash, destroy the guests, keep the
# crashed log aside (dumped at the end) and give the devices back to dom0
dm_crash_recover() {
	for _dm_crash_recover_d in $(xl list 2>/dev/null | awk 'NR > 1 && $1 != "Domain-0" {print $1}'); do
		xlq destroy "$_dm_crash_recover_d"
	done
	_dm_crash_recover_s=$(dm_segv last)
	[ -z "$_dm_crash_recover_s" ] || echo "$_dm_crash_recover_s" > $DM_SEGV_SEEN
	for _dm_crash_recover_f in /var/log/xen/qemu-dm-*.log; do
		echo "$DM_CRASH_SIGS" | while read -r _dm_crash_recover_r _dm_crash_recover_g; do
			grep -qF "$_dm_crash_recover_g" "$_dm_crash_recover_f" 2>/dev/null && echo "$_dm_crash_recover_r"
		done | grep -q . && mv "$_dm_crash_recover_f" "/tmp/dm-crashed-$1-${_dm_crash_recover_f##*/}"
	done
	# the dead QEMU held the interfaces through usbfs: probe drivers again
	for _dm_crash_recover_i in /sys/bus/usb/devices/*:*; do
		[ -e "$_dm_crash_recover_i/driver" ] || echo "${_dm_crash_recover_i##*/}" > /sys/bus/usb/drivers_probe 2>/dev/null
	done
}
result_count() { [ -f $RESULTS_FILE ] && wc -l < $RESULTS_FILE || echo 0; }


# dump_file NAME PATH: a log file into the serial log; the host splits it out
dump_file() {
	echo "E2E-FILE-BEGIN $1"
	sed 's/\r$//' "$2"
	echo "E2E-FILE-END $1"
}

# ---- ALSA: snd_card, play
# shellcheck source=tests/e2e/guest/alsa.sh
. /e2e/alsa.sh

# ---- dom0 USB devices (sysfs)
# find_usb PRODUCT: busid of the first device whose product string is PRODUCT
find_usb() {
	for _find_usb_u in /sys/bus/usb/devices/*; do
		[ -f "$_find_usb_u/product" ] && [ "$(cat "$_find_usb_u/product")" = "$1" ] && { echo "${_find_usb_u##*/}"; return 0; }
	done
	return 1
}
# busaddr BUSID -> "busnum devnum" (what xl usbdev-attach wants)
busaddr() { echo "$(cat /sys/bus/usb/devices/$1/busnum) $(cat /sys/bus/usb/devices/$1/devnum)"; }
# busnode BUSID -> /dev/bus/usb/BBB/DDD (usbfs node, what testusb -D wants)
busnode() { printf '/dev/bus/usb/%03d/%03d\n' "$(cat /sys/bus/usb/devices/$1/busnum)" "$(cat /sys/bus/usb/devices/$1/devnum)"; }
# drv IFACE: driver bound to a dom0 interface (e.g. 1-1:1.0), empty if none
drv() { _drv_l=$(readlink "/sys/bus/usb/devices/$1/driver" 2>/dev/null) && basename "$_drv_l"; }
is_drv() { [ "$(drv "$1")" = "$2" ]; }

usb_devices_table() {
	for _usb_devices_table_u in /sys/bus/usb/devices/*; do
		[ -f "$_usb_devices_table_u/idVendor" ] || continue
		case ${_usb_devices_table_u##*/} in usb*) continue ;; esac
		echo "  ${_usb_devices_table_u##*/} $(cat $_usb_devices_table_u/idVendor):$(cat $_usb_devices_table_u/idProduct) bus=$(cat $_usb_devices_table_u/busnum) dev=$(cat $_usb_devices_table_u/devnum) speed=$(cat $_usb_devices_table_u/speed) '$(cat $_usb_devices_table_u/product 2>/dev/null)' if0=$(drv ${_usb_devices_table_u##*/}:1.0)"
	done
}

# Product strings of the devices the bed provides
P_STICK="QEMU USB HARDDRIVE"
P_TABLET="QEMU USB Tablet"
P_KBD="QEMU USB Keyboard"
P_SS="e2e sourcesink"
P_MSG="e2e mass storage"
P_AUDIO="QEMU USB Audio"   # usb-audio: 48 kHz S16_LE stereo, iso OUT ep 1
GADGET_IMG=/tmp/gadget-storage.img
GADGET_MB=16

# gadgets_up: SourceSink (g_zero's function, 0525:a4a0, usbtest binds) on
# dummy_udc.0, with Loopback as a second configuration (the setconfig
# scenario; hosts choose the first), and mass_storage (a tmpfs file) on
# dummy_udc.1
gadgets_up() {
	G=/sys/kernel/config/usb_gadget
	[ -e /sys/class/udc/dummy_udc.0 ] || { echo "no dummy_udc.0"; return 1; }
	mkdir -p $G/ss && (
		cd $G/ss || exit 1
		echo 0x0525 > idVendor; echo 0xa4a0 > idProduct
		mkdir -p strings/0x409 configs/c.1 functions/SourceSink.0
		mkdir -p configs/c.2 functions/Loopback.0
		echo xen-pvusb > strings/0x409/manufacturer
		echo "$P_SS" > strings/0x409/product
		echo E2ESS0001 > strings/0x409/serialnumber
		# iso altsetting parameters: honoured only by a UDC with iso
		# endpoints; dummy_hcd has none, so f_sourcesink drops alt 1
		echo 1 > functions/SourceSink.0/isoc_interval 2>/dev/null
		echo 1024 > functions/SourceSink.0/isoc_maxpacket 2>/dev/null
		ln -s functions/SourceSink.0 configs/c.1/
		ln -s functions/Loopback.0 configs/c.2/
		echo dummy_udc.0 > UDC
	) || echo "SourceSink gadget setup failed"
	head -c $((GADGET_MB << 20)) /dev/urandom > $GADGET_IMG
	printf '%s\n' "$STICK_MAGIC-GADGET" | dd of=$GADGET_IMG conv=notrunc 2>/dev/null
	GADGET_MD5=$(md5sum < $GADGET_IMG | cut -d' ' -f1)
	echo "GADGET_MD5=$GADGET_MD5" >> /e2e/config
	mkdir -p $G/ms && (
		cd $G/ms || exit 1
		echo 0x1d6b > idVendor; echo 0x0104 > idProduct
		mkdir -p strings/0x409 configs/c.1 functions/mass_storage.0
		echo xen-pvusb > strings/0x409/manufacturer
		echo "$P_MSG" > strings/0x409/product
		echo E2EMS0001 > strings/0x409/serialnumber
		echo $GADGET_IMG > functions/mass_storage.0/lun.0/file
		ln -s functions/mass_storage.0 configs/c.1/
		echo dummy_udc.1 > UDC
	) || echo "mass_storage gadget setup failed"
}

# settle_usb: wait until every device of the bed is enumerated with its driver
settle_usb() {
	for _settle_usb_p in "$P_STICK" "$P_TABLET" "$P_KBD" "$P_AUDIO" "$P_SS" "$P_MSG"; do
		wait_for 30 find_usb "$_settle_usb_p" > /dev/null || echo "E2E: device '$_settle_usb_p' missing in dom0"
	done
	wait_for 20 sh -c 'ls /sys/block | grep -q sd' || true
}

# ---- xl wrappers; all output goes to /tmp/xl-<scenario>.log (dumped at the end)
XL_LOG=/tmp/xl-${SCEN_NAME:-misc}.log
# xlq ARGS...: run xl -vvv, time it into XL_T, return its status
xlq() {
	# a guest's memory leaks are found before it goes (debug flavour)
	[ "$1" = destroy ] && kmemleak_guest "$2"
	_xlq_t=$(now)
	echo "## $(now) xl $*" >> $XL_LOG
	xl -vvv "$@" < /dev/null >> $XL_LOG 2>&1
	_xlq_rc=$?
	XL_T=$(elapsed $_xlq_t)
	echo "## exit $_xlq_rc after ${XL_T}s" >> $XL_LOG
	return $_xlq_rc
}
# xl_err: the last error lines xl logged (for FAIL reasons)
xl_err() { grep -E 'error|fail' $XL_LOG | grep -v 'ev_time' | tail -n 2 | tr '\n' ' ' | cut -c1-240; }
# xl_said: what the last xl run printed, its debug lines left out (xl's
# own refusals, such as "Unknown device at ...", say neither error nor fail)
xl_said() {
	awk '/^## [0-9.]+ xl / {m = ""; next}
		/^## |: debug: |: detail: / {next}
		{m = m $0 " "}
		END {print m}' $XL_LOG | cut -c1-240
}

domid_of() { xl domid "$1" 2>/dev/null; }
# kmemleak_guest NAME: kmemleak_report in that guest if its kernel has
# kmemleak and its agent answers; the report goes to the guest's console,
# which the kernel-log check reads
kmemleak_guest() {
	[ -w $KMEMLEAK ] && guest_ready "$1" || return 0
	# a crashed, paused or dying domain does not answer
	case $(xl list "$1" 2>/dev/null | awk 'NR == 2 {print $5}') in
	*c* | *p* | *s* | *d*) return 0 ;;
	esac
	gexec "$1" 120 kmemleak_report > /dev/null
	return 0
}
# ustat NAME: usbback counter (statistics/NAME) of g1's controller(s),
# summed; empty if none
ustat() {
	_ustat_sum=
	for _ustat_f in /sys/bus/xen-backend/devices/vusb-$(domid_of g1)-*/statistics/$1; do
		[ -f "$_ustat_f" ] && _ustat_sum=$((${_ustat_sum:-0} + $(cat "$_ustat_f")))
	done
	echo "$_ustat_sum"
}

# guest_cfg NAME [XL-CFG-LINES...]: PV domU config with one controller of
# this cell's type unless lines are given; GFRONT= names another frontend
# module for the guest to load (the hostile-frontend scenario's).  Memory:
# e2e.gmem (boot.sh: lib.sh's GUEST_MEM, 160 MiB; more for the debug
# kernel). 160 MiB:
# the guest unpacks its ~25 MB image (gzipped by images.sh) into its
# rootfs, which failed in 128 MiB once the image passed ~24 MB ("Initramfs
# unpacking failed: write error"); xl save writes the guest's memory into
# dom0's /tmp (tmpfs), which is why dom0 has 640 MiB (lib.sh)
guest_cfg() {
	_guest_cfg_n=$1
	shift
	{
		echo "name = \"$_guest_cfg_n\""
		echo 'type = "pv"'
		echo "kernel = \"$DOMU_KERNEL\""
		echo "ramdisk = \"$DOMU_RAMDISK\""
		echo "memory = $(arg e2e.gmem)"
		echo 'vcpus = 1'
		echo 'on_crash = "preserve"'
		echo "extra = \"console=hvc0 loglevel=5 e2e.front=${GFRONT:-$FRONT}\""
		if [ $# -eq 0 ]; then
			echo "usbctrl = ['type=$CTRLTYPE,version=2,ports=4']"
		else
			for _guest_cfg_l in "$@"; do echo "$_guest_cfg_l"; done
		fi
	} > /tmp/$_guest_cfg_n.cfg
}

# seconds a guest's agent has to come up after xl create (e2e.gup: the
# debug flavour's kernel boots slower)
GUEST_UP_T=$(arg e2e.gup)
GUEST_UP_T=${GUEST_UP_T:-90}
# guest_ready NAME: its agent is up (data/e2e/ready written by domU-init)
guest_ready() {
	_guest_ready_d=$(domid_of "$1") || return 1
	[ -n "$(xenstore-read /local/domain/$_guest_ready_d/data/e2e/ready 2>/dev/null)" ]
}

# guest_up NAME [XL-CFG-LINES...]: create the domU unless it already runs,
# wait for its agent; on failure sets WHY and returns 1
guest_up() {
	_guest_up_n=$1
	WHY=
	if domid_of "$_guest_up_n" > /dev/null; then
		guest_ready "$_guest_up_n" && return 0
		xlq destroy "$_guest_up_n"
	fi
	guest_cfg "$@"
	_guest_up_t=$(now)
	if ! xlq create /tmp/$_guest_up_n.cfg; then
		WHY="xl create $_guest_up_n failed after ${XL_T}s: $(xl_err)"
		return 1
	fi
	info "$_guest_up_n: xl create ${XL_T}s"
	# the guest's console, live in the serial log as "[name] ..." lines
	if [ ! -e /tmp/tail-$_guest_up_n ]; then
		: > /tmp/tail-$_guest_up_n
		tail -n +1 -F $CONSOLE_DIR/guest-$_guest_up_n.log 2>/dev/null |
			sed "s/\r$//; s/^/[$_guest_up_n] /" > /dev/hvc0 2>&1 &
	fi
	if ! wait_for $GUEST_UP_T guest_ready "$_guest_up_n"; then
		WHY="domU $_guest_up_n agent not up ${GUEST_UP_T}s after create"
		return 1
	fi
	_guest_up_r=$(xenstore-read /local/domain/$(domid_of "$_guest_up_n")/data/e2e/ready)
	info "$_guest_up_n: up $(elapsed $_guest_up_t)s after create start (domid $(domid_of "$_guest_up_n"), frontend: $_guest_up_r)"
	case $_guest_up_r in ok*) return 0 ;; esac
	WHY="domU $_guest_up_n frontend $FRONT: $_guest_up_r"
	return 1
}

# gexec NAME TIMEOUT CMD: run CMD (sh) in the domU through its xenstore
# agent; prints the output tail, returns CMD's status (124: no answer)
gexec() {
	_gexec_d=$(domid_of "$1") || { echo "gexec: no domain $1"; return 125; }
	_gexec_b=/local/domain/$_gexec_d/data/e2e
	_gexec_seq=0
	[ -f /tmp/gexec.seq ] && read -r _gexec_seq < /tmp/gexec.seq
	_gexec_seq=$((_gexec_seq + 1))
	echo $_gexec_seq > /tmp/gexec.seq
	# A xenstore watch on rc, set up before the command is written, wakes
	# us when the answer lands: under TCG every process dom0 spawns costs
	# real time, and a watch set up after the write could miss an early
	# answer and sleep out its bound.  The watch's first event says it is
	# registered; every later one is a change of rc.
	_gexec_f=/tmp/gexec.$$.fifo
	[ -p $_gexec_f ] || mkfifo $_gexec_f
	timeout "$2" xenstore-watch $_gexec_b/rc > $_gexec_f 2> /dev/null &
	_gexec_w=$!
	exec 3< $_gexec_f
	_gexec_watch=1
	read -r _ <&3 || _gexec_watch=
	xenstore-write -R $_gexec_b/cmd "$_gexec_seq $3"
	_gexec_rc=
	if [ -n "$_gexec_watch" ]; then
		while read -r _ <&3; do
			_gexec_rc=$(xenstore-read $_gexec_b/rc 2>/dev/null)
			[ "${_gexec_rc%% *}" = "$_gexec_seq" ] && break
		done
	else
		# no watch (xenstore-watch failed): poll
		wait_for "$2" gexec_answered > /dev/null
	fi
	exec 3<&-
	kill $_gexec_w 2> /dev/null
	wait $_gexec_w 2> /dev/null
	# the watch ended (its bound): a last look
	[ "${_gexec_rc%% *}" = "$_gexec_seq" ] || _gexec_rc=$(xenstore-read $_gexec_b/rc 2>/dev/null)
	if [ "${_gexec_rc%% *}" != "$_gexec_seq" ]; then
		echo "gexec $1: no answer after $2s to: $3"
		return 124
	fi
	xenstore-read -R $_gexec_b/out 2>/dev/null
	return "${_gexec_rc#* }"
}

# gexec_answered: the answer to gexec's command is in rc (for wait_for)
gexec_answered() {
	_gexec_rc=$(xenstore-read $_gexec_b/rc 2>/dev/null)
	[ "${_gexec_rc%% *}" = "$_gexec_seq" ]
}

# conn_events DOM: how many conn-ring events usbfront in DOM has received
# (its sysfs counter); fails for xen-hcd, which counts nothing
conn_events() {
	[ "$FRONT" = usbfront ] || return 1
	gexec "$1" 20 'cat /sys/bus/xen/devices/vusb-*/stats/conn_events' | tr '\n' ' '
}

# usb_port DOM BUSID -> "ctrl port" of the device in `xl usb-list DOM`
usb_port() { xl usb-list "$1" 2>/dev/null | usb_port_of "$2"; }
# usb_port_of BUSID: the same from an `xl usb-list` listing on stdin (one
# listing can serve several checks: every xl run costs dom0 tenths of a second)
usb_port_of() {
	_usb_port_ba=$(busaddr "$1")
	awk -v bus="${_usb_port_ba% *}" -v dev="${_usb_port_ba#* }" '
		/^[0-9]/ {ctrl = $1}
		/Port [0-9]+:.*Bus/ {
			p = $2; sub(":", "", p)
			if (("0x" $4) + 0 == bus + 0 && ("0x" $6) + 0 == dev + 0) {print ctrl, p; exit}
			if ($4 + 0 == bus + 0 && $6 + 0 == dev + 0) {print ctrl, p; exit}
		}'
}

# attach DOM BUSID [xl options]: xl usbdev-attach by hostbus/hostaddr
attach() {
	_attach_dom=$1 _attach_bid=$2
	shift 2
	set -- $(busaddr "$_attach_bid") "$@"
	_attach_bus=$1 _attach_dev=$2
	shift 2
	xlq usbdev-attach "$_attach_dom" hostbus=$_attach_bus hostaddr=$_attach_dev "$@"
}
# detach DOM BUSID: xl usbdev-detach of wherever usb-list shows the device
detach() {
	_detach_cp=$(usb_port "$1" "$2")
	[ -n "$_detach_cp" ] || { echo "detach: $2 not in xl usb-list $1" >> $XL_LOG; return 1; }
	# shellcheck disable=SC2086
	xlq usbdev-detach "$1" $_detach_cp
}

# fe_stats_g1: g1's usbfront counters on one line (empty for xen-hcd)
fe_stats_g1() {
	[ "$FRONT" = usbfront ] || return 0
	gexec g1 20 fe_stats | grep '^vusb' | tr '\n' ' '
}
# g1_bg_read BUSID: the stick BUSID on g1 (attached if needed), reading its
# whole disk in a loop in the background there (g.sh's bg_read); sets
# GDISK, /tmp/bg.out has the progress; on failure the last line says why
g1_bg_read() {
	[ -n "$(usb_port g1 $1)" ] || attach g1 $1 ||
		{ echo "usbdev-attach: $(xl_err)"; return 1; }
	gexec g1 90 "wait_for 60 disk '$P_STICK' && bg_read '$P_STICK'" > /tmp/bg.out ||
		{ echo "guest: $(tail -n 1 /tmp/bg.out)"; return 1; }
	GDISK=$(sed -n 's/^reading \(\/dev\/[a-z]*\) .*/\1/p' /tmp/bg.out)
	gexec g1 20 "reading $GDISK" > /tmp/bg.out ||
		{ echo "the guest's read is not moving: $(tail -n 1 /tmp/bg.out)"; return 1; }
}

# back_in_dom0 BUSID DRIVER [SECS]: all interfaces bound to DRIVER again
back_in_dom0() {
	wait_for "${3:-20}" is_drv "$1:1.0" "$2"
}

# dom0_disk BUSID: /dev/sdX of a usb-storage device in dom0
dom0_disk() {
	for _dom0_disk_b in /sys/bus/usb/devices/$1:1.0/host*/target*/*/block/*; do
		[ -e "$_dom0_disk_b" ] && { echo "/dev/${_dom0_disk_b##*/}"; return 0; }
	done
	return 1
}

# xs_stale DOMID: xenstore nodes still naming this domain, empty if clean
xs_stale() {
	for _xs_stale_p in /local/domain/0/backend/vusb/$1 /local/domain/0/backend/qusb/$1 \
		/local/domain/$1 /libxl/$1 /local/domain/0/device-model/$1; do
		xenstore-exists "$_xs_stale_p" 2>/dev/null && echo "$_xs_stale_p"
	done
}
no_stale() { [ -z "$(xs_stale $1)" ]; }

# fe_state DOMID DEVID / be_state: xenbus states of a vusb controller
fe_state() { xenstore-read /local/domain/$1/device/vusb/$2/state 2>/dev/null; }
be_state() { xenstore-read /local/domain/0/backend/$BEKIND/$1/$2/state 2>/dev/null; }
# is_fe_state / is_be_state DOMID DEVID STATE: that end is in STATE (for wait_for)
is_fe_state() { [ "$(fe_state $1 $2)" = "$3" ]; }
is_be_state() { [ "$(be_state $1 $2)" = "$3" ]; }
fe_connected() { is_fe_state $1 $2 4 && is_be_state $1 $2 4; }
# fe_settled DOMID DEVID: connected, or the backend Closing/Closed (5/6): a
# backend (re)bound to a controller switches to InitWait in its probe, and
# from there goes to Closing only when it gives up on the frontend (xen-hcd
# left Connected with its old rings, or Closed for good), which no wait
# changes: waiting longer for state 4 would only waste the bed's time (the
# wait_for polls cost seconds each under a loaded TCG dom0)
fe_settled() {
	fe_connected $1 $2 && return 0
	case $(be_state $1 $2) in 5 | 6) return 0 ;; esac
	return 1
}
# ctrls DOM: controller devids in xl usb-list
ctrls() { xl usb-list "$1" 2>/dev/null | awk '/^[0-9]/ {print $1}' | tr '\n' ' '; }

# console_lines NAME: lines in that guest's console log so far
console_lines() { wc -l < $CONSOLE_DIR/guest-$1.log 2>/dev/null || echo 0; }
# console_bad NAME LINE: kernel warnings in its console after line LINE
console_bad() {
	tail -n +$(($2 + 1)) $CONSOLE_DIR/guest-$1.log 2>/dev/null | klog_bad |
		tr -d '\r' | tr '\n' ' ' | cut -c1-200
}
# dmesg_lines / dmesg_bad LINE: the same for dom0's kernel log
dmesg_lines() { dmesg | wc -l; }
dmesg_bad() {
	dmesg | tail -n +$(($1 + 1)) | klog_bad | tr '\n' ' ' | cut -c1-200
}
