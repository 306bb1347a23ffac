# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# soak (make e2e-soak; not in make e2e): many rounds, then usbback's and
# the frontend's gauges back where they were.  usbback cells only (qusb
# stops sending hotplug events after 256 on a controller: one SKIP line).
#   soak-stick   SOAK_ROUNDS (e2e.SOAK_ROUNDS, 1000) rounds of xl
#                usbdev-attach / usbdev-detach of the stick in g1.  Even
#                rounds: the guest sees its disk.  Odd rounds: the guest
#                reads it (g.sh's verify_loop: the md5 of its first
#                CHECK_MB MiB, pass after pass), at least one pass must read
#                the right md5, then the detach comes while it reads, and the
#                reader must end (an error, no hang) and every pass it
#                finished must have read right.
#   soak-hid     as many rounds of the tablet.  During the first half of
#                every hundred the stick is attached to another port of the
#                same controller and read in a loop; the reader is stopped
#                (every pass right) and the stick detached at the half.
#   soak-ctrl    SOAK_CTRL_ROUNDS (100) rounds of xl usbctrl-attach (8
#                ports) / usbctrl-detach on g1: both ends Connected, in odd
#                rounds the keyboard attached to the new controller and
#                bound to usbhid in the guest; the detach (keyboard still on
#                it in odd rounds) in under 10 s, no xenstore node left,
#                the keyboard back on dom0's usbhid.
#   soak-guests  as many guests at once as dom0's free memory takes (xl
#                info), up to four: g1 the stick, g2 the mass-storage
#                gadget, g3 the tablet, g4 the keyboard; SOAK_GUEST_ROUNDS
#                (10) rounds of: attach every device, the two disks read at
#                the same time (every pass right), the HID devices bound,
#                detach everything.
# Checkpoints (one result line each: soak-<phase>-check-<round>) after
# every hundred rounds of a phase and at its end: soak_snap's gauges must
# equal their baseline, taken before the first phase (soak-guests: once
# its guests are up): usbback's controllers (backend devices), the
# interfaces it holds, each controller's statistics/inflight and
# ring_pages, the active grant entries of each guest's grant table (Xen's
# debug key 'g': the ring pages dom0 maps, and any data page left mapped),
# the guests' soak_state (g.sh: frontend controllers, USB devices,
# usbfront's link, inflight, held, grants_held, protocol_errors, connects,
# disconnects); dom0's kernel log since the baseline (all of it: read from
# /dev/kmsg as it comes, the ring wraps in a long soak) and each guest's
# console must have no KPAT line; in the debug flavour kmemleak must
# report nothing in dom0 and the guests.  Printed, not compared: usbback's
# max_in_flight and requests, dom0's kmalloc slab caches (active objects)
# and unreclaimable slab, the guest's, and the time per round of each
# kind.  soak-guests-destroyed: after the extra guests are destroyed, the
# first baseline again.
SCEN_NAME=soak
. /e2e/lib.sh

ROUNDS=$(arg e2e.SOAK_ROUNDS)
ROUNDS=${ROUNDS:-1000}
CROUNDS=$(arg e2e.SOAK_CTRL_ROUNDS)
CROUNDS=${CROUNDS:-100}
GROUNDS=$(arg e2e.SOAK_GUEST_ROUNDS)
GROUNDS=${GROUNDS:-10}
EVERY=100     # rounds between checkpoints

[ "$BACK" = usbback ] || { skip soak "usbback cells only (qusb stops hotplug events after 256 on a controller)"; exit 0; }
guest_up g1 || { fail soak "$WHY"; exit 0; }
stick=$(find_usb "$P_STICK") && tab=$(find_usb "$P_TABLET") && kbd=$(find_usb "$P_KBD") &&
	gadget=$(find_usb "$P_MSG") || { fail soak "QEMU or gadget devices missing in dom0"; exit 0; }
info "soak: $ROUNDS stick and HID rounds, $CROUNDS controller rounds, $GROUNDS rounds of several guests (checkpoint every $EVERY)"

# ---- time: centiseconds from /proc/uptime with no process (TCG: every
# process dom0 spawns costs real time)
tick() { read -r _tick_u _tick_i < /proc/uptime; TICK=${_tick_u%.*}${_tick_u#*.}; }
# secs CS: centiseconds as seconds with 2 decimals
secs() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }
# per ROUNDS CS: seconds per round
per() { if [ "$1" -gt 0 ]; then secs $(($2 / $1)); else echo -; fi; }
# add_passes: the right passes a reader step printed ("passes N" in
# /tmp/soak.out) into PASSES
add_passes() {
	_add_passes_n=$(sed -n 's/^passes //p' /tmp/soak.out)
	PASSES=$((PASSES + ${_add_passes_n:-0}))
}

# ---- dom0's kernel log, all of it from here on (dmesg's ring wraps
# within a few hundred rounds)
KMSG=/tmp/soak-kmsg.log
kmsg_start() { cat /dev/kmsg >> $KMSG 2>/dev/null & KMSG_PID=$!; }
kmsg_start
sleep 1   # the records already in the ring are read before the baseline
# Xen's console lines that the grant counts clear (xl dmesg -c) go here;
# dom0-init dumps /tmp/xl-*.log at the end, even if the scenario dies
XEN_LOG=/tmp/xl-dmesg-soak.log

# ---- state: KEY=VALUE lines; "i:" keys are printed, the others compared
# grant_done: Xen printed the whole of debug key 'g'
grant_done() { xl dmesg 2>/dev/null | grep -q 'gnttab_usage_print_all \] done'; }
# grants GUEST...: "gnt:<guest>=N" for each guest: the active entries of
# its grant table (pinned by a mapping, or by a copy in progress) that
# Xen's debug key 'g' prints; the console ring is cleared around it, what
# it held goes to XEN_LOG
grants() {
	xl dmesg -c >> $XEN_LOG 2>&1
	xl debug-keys g
	if ! wait_for 10 grant_done; then
		for _grants_d in "$@"; do echo "gnt:$_grants_d=unknown"; done
		return
	fi
	xl dmesg -c > /tmp/soak-g.txt 2>&1
	cat /tmp/soak-g.txt >> $XEN_LOG
	for _grants_n in "$@"; do
		awk -v d="$(domid_of $_grants_n)" '
			/grant-table for remote d[0-9]+ / { cur = $0; sub(/.*remote d/, "", cur); sub(/ .*/, "", cur) }
			/gnttab_usage_print_all/ { cur = "" }
			/\[0x[0-9a-f]+\] / && cur == d { n++ }
			END { printf "gnt:%s=%d\n", name, n }' name=$_grants_n /tmp/soak-g.txt
	done
}
# soak_snap FILE: dom0's and the guests' ($DOMS) state into FILE
soak_snap() {
	{
		echo "be:ctrls=$(ls -d /sys/bus/xen-backend/devices/vusb-* 2>/dev/null | wc -l)"
		_soak_snap_n=0
		for _soak_snap_i in /sys/bus/usb/drivers/usbback/*:*; do
			[ -e "$_soak_snap_i" ] && _soak_snap_n=$((_soak_snap_n + 1))
		done
		echo "be:held_ifaces=$_soak_snap_n"
		for _soak_snap_c in /sys/bus/xen-backend/devices/vusb-*; do
			[ -d $_soak_snap_c/statistics ] || continue
			_soak_snap_s=$_soak_snap_c/statistics
			echo "be:${_soak_snap_c##*/}:inflight=$(cat $_soak_snap_s/inflight)"
			echo "be:${_soak_snap_c##*/}:ring_pages=$(cat $_soak_snap_s/ring_pages)"
			echo "i:be:${_soak_snap_c##*/}:max_in_flight=$(cat $_soak_snap_s/max_in_flight)"
			echo "i:be:${_soak_snap_c##*/}:requests=$(cat $_soak_snap_s/requests)"
		done
		# shellcheck disable=SC2086 # guest names
		grants $DOMS
		for _soak_snap_g in $DOMS; do
			gexec $_soak_snap_g 60 soak_state > /tmp/soak-g-state ||
				echo "$_soak_snap_g:agent=no answer"
			grep '=' /tmp/soak-g-state | sed "s/^i:/i:$_soak_snap_g:/; /^i:/!s/^/$_soak_snap_g:/"
		done
		echo "i:dom0:sunreclaim_kb=$(awk '$1 == "SUnreclaim:" {print $2}' /proc/meminfo)"
		awk '$1 ~ /^kmalloc-/ {print "i:slab:" $1 "=" $2}' /proc/slabinfo 2>/dev/null
	} > "$1"
}
# state_diff BASE NOW: the compared keys that differ, one per line
state_diff() {
	awk -F= '
		FNR == NR { if ($1 !~ /^i:/) b[$1] = $2; next }
		$1 ~ /^i:/ { next }
		{ seen[$1] = 1 }
		!($1 in b) { print $1 " appeared (" $2 ")"; next }
		b[$1] != $2 { print $1 " " b[$1] " -> " $2 }
		END { for (k in b) if (!(k in seen)) print k " gone (was " b[k] ")" }' "$1" "$2"
}
# info_diff BASE NOW: the printed keys, "key base -> now (+delta)" for
# those that moved; kmalloc caches only if they moved by 64 objects or more
info_diff() {
	awk -F= '
		FNR == NR { if ($1 ~ /^i:/) b[$1] = $2; next }
		$1 !~ /^i:/ { next }
		{ d = $2 - b[$1]; k = substr($1, 3) }
		k ~ /^slab:/ && (d < 64 && d > -64) { next }
		d != 0 || k !~ /^slab:/ { printf "%s %s->%s (%+d)\n", k, b[$1], $2, d }' "$1" "$2"
}

# baseline FILE: the state now into FILE, and where the kernel logs are
baseline() {
	soak_snap "$1"
	KMSG_AT=$(wc -l < $KMSG)
	for _baseline_g in $DOMS; do
		eval "CON_AT_$_baseline_g=\$(console_lines $_baseline_g)"
	done
	info "soak: baseline ($DOMS): $(grep -v '^i:slab' "$1" | tr '\n' ' ')"
	grep -q '^gnt:.*=unknown' "$1" &&
		info "soak: Xen printed no grant table within 10 s of debug key 'g': grant entries are not checked"
	return 0
}
# check NAME BASE ROUNDS CS: a checkpoint after ROUNDS rounds that took
# CS centiseconds since the last one; one result line
check() {
	_check_t=$(now)
	_check_why=
	soak_snap /tmp/soak-now
	_check_d=$(state_diff "$2" /tmp/soak-now | tr '\n' ';')
	if [ -n "$_check_d" ]; then
		# a detach's teardown ends asynchronously: a second look 5 s later
		info "$1: not yet back to baseline ($_check_d); again in 5 s"
		sleep 5
		soak_snap /tmp/soak-now
		_check_d=$(state_diff "$2" /tmp/soak-now | tr '\n' ';')
	fi
	[ -n "$_check_d" ] && _check_why="not back to baseline: $_check_d"
	info "$1: $(grep -v '^i:' /tmp/soak-now | tr '\n' ' ')"
	info "$1: printed only: $(info_diff "$2" /tmp/soak-now | tr '\n' ' ')"
	kill -0 $KMSG_PID 2>/dev/null || {
		info "$1: the /dev/kmsg reader ended (records overwritten before it read them?): restarted"
		kmsg_start
	}
	_check_k=$(tail -n +$((KMSG_AT + 1)) $KMSG | grep -aE "$KPAT" | head -n 2 | cut -d';' -f2- | tr '\n' ' ' | cut -c1-200)
	[ -n "$_check_k" ] && _check_why="$_check_why dom0 kernel: $_check_k;"
	for _check_g in $DOMS; do
		_check_l=0
		eval "_check_l=\${CON_AT_$_check_g:-0}"
		_check_k=$(console_bad $_check_g "$_check_l")
		[ -n "$_check_k" ] && _check_why="$_check_why $_check_g kernel: $_check_k;"
	done
	if [ -w $KMEMLEAK ]; then
		kmemleak_report > /tmp/soak-kml 2>&1
		grep -q 'unreferenced object' /tmp/soak-kml &&
			_check_why="$_check_why dom0 kmemleak: $(grep -c 'unreferenced object' /tmp/soak-kml) objects;" &&
			cat /tmp/soak-kml
		for _check_g in $DOMS; do
			gexec $_check_g 120 kmemleak_report > /tmp/soak-kml
			grep -q 'unreferenced object' /tmp/soak-kml &&
				_check_why="$_check_why $_check_g kmemleak: $(grep -c 'unreferenced object' /tmp/soak-kml) objects;" &&
				sed "s/^/[$_check_g] /" /tmp/soak-kml
		done
	fi
	info "$1: $3 rounds, $(per "$3" "$4") s per round; checkpoint $(elapsed $_check_t) s"
	# the xl log of rounds that passed is not worth dumping at the end
	tail -n 400 $XL_LOG > /tmp/soak-xl.tail && cat /tmp/soak-xl.tail > $XL_LOG
	if [ -z "$_check_why" ]; then pass "$1"; else fail "$1" "$_check_why"; fi
}

# g1_clean: give back whatever a failed round left on g1's controllers
g1_clean() {
	gexec g1 30 'touch /tmp/stop' > /dev/null
	for _g1_clean_b in $stick $tab $kbd; do
		[ -n "$(usb_port g1 $_g1_clean_b)" ] && detach g1 $_g1_clean_b
	done
	for _g1_clean_c in $(ctrls g1); do
		[ "$_g1_clean_c" = 0 ] || xlq usbctrl-detach g1 $_g1_clean_c
	done
	back_in_dom0 $stick usb-storage 30
	back_in_dom0 $tab usbhid 30
	back_in_dom0 $kbd usbhid 30
}

# rounds PHASE N FUNC: FUNC R for R = 1..N, a checkpoint after every
# EVERY rounds and after the last; FUNC sets WHY and returns 1 to fail
# the round (the phase stops there), sets KIND (its kind of round, for the
# times).  Prints the time per round of each kind per block and overall.
rounds() {
	_rounds_p=$1 _rounds_n=$2 _rounds_f=$3
	_rounds_r=1 _rounds_bcs=0 _rounds_bn=0 WHY=
	_rounds_kinds=
	while [ $_rounds_r -le $_rounds_n ]; do
		tick
		_rounds_t0=$TICK
		KIND=round
		$_rounds_f $_rounds_r || break
		tick
		_rounds_cs=$((TICK - _rounds_t0))
		_rounds_bcs=$((_rounds_bcs + _rounds_cs))
		_rounds_bn=$((_rounds_bn + 1))
		case " $_rounds_kinds " in *" $KIND "*) ;; *) _rounds_kinds="$_rounds_kinds $KIND" ;; esac
		eval "N_$KIND=\$((\${N_$KIND:-0} + 1)); CS_$KIND=\$((\${CS_$KIND:-0} + _rounds_cs))"
		eval "BN_$KIND=\$((\${BN_$KIND:-0} + 1)); BCS_$KIND=\$((\${BCS_$KIND:-0} + _rounds_cs))"
		if [ $((_rounds_r % EVERY)) = 0 ] || [ $_rounds_r = $_rounds_n ]; then
			_rounds_k=
			for _rounds_x in $_rounds_kinds; do
				eval "_rounds_k=\"\$_rounds_k $_rounds_x \$(per \$BN_$_rounds_x \$BCS_$_rounds_x) s (\$BN_$_rounds_x)\"; BN_$_rounds_x=0; BCS_$_rounds_x=0"
			done
			info "$_rounds_p: rounds $((_rounds_r - _rounds_bn + 1))-$_rounds_r, s per round:$_rounds_k"
			check "$_rounds_p-check-$_rounds_r" "$BASE" "$_rounds_bn" "$_rounds_bcs"
			_rounds_bcs=0 _rounds_bn=0
		fi
		_rounds_r=$((_rounds_r + 1))
	done
	_rounds_k=
	for _rounds_x in $_rounds_kinds; do
		eval "_rounds_k=\"\$_rounds_k $_rounds_x \$(per \$N_$_rounds_x \$CS_$_rounds_x) s (\$N_$_rounds_x)\"; N_$_rounds_x=0; CS_$_rounds_x=0; BN_$_rounds_x=0; BCS_$_rounds_x=0"
	done
	info "$_rounds_p: $((_rounds_r - 1)) of $_rounds_n rounds; s per round:$_rounds_k"
	if [ -n "$WHY" ]; then
		fail "$_rounds_p" "round $_rounds_r: $WHY"
		# the checkpoint of a failed phase: what the failure left behind
		g1_clean
		check "$_rounds_p-check-$_rounds_r" "$BASE" "$_rounds_bn" "$_rounds_bcs"
	else
		pass "$_rounds_p"
	fi
}

######## soak-stick
# stick_round R: attach, the guest sees (even R) or reads (odd R) the
# stick, detach, the guest loses it, dom0's usb-storage has it back
stick_round() {
	attach g1 $stick || { WHY="usbdev-attach: $(xl_err)"; return 1; }
	if [ $(($1 % 2)) = 1 ]; then
		KIND=io
		gexec g1 100 "soak_read_start 60 '$P_STICK' '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB" > /tmp/soak.out ||
			{ WHY="guest read before the detach: $(tail -n 1 /tmp/soak.out)"; return 1; }
	else
		KIND=plain
		gexec g1 60 "wait_for 45 disk '$P_STICK'" > /dev/null ||
			{ WHY="the guest has no disk 45 s after the attach"; return 1; }
	fi
	detach g1 $stick || { WHY="usbdev-detach: $(xl_err)"; return 1; }
	if [ $KIND = io ]; then
		gexec g1 140 "soak_read_cut 60 '$P_STICK' $CHECK_MD5" > /tmp/soak.out ||
			{ WHY="guest after the detach under reads: $(tail -n 1 /tmp/soak.out)"; return 1; }
		add_passes
	else
		gexec g1 40 "wait_for 30 no_usbdev '$P_STICK'" > /dev/null ||
			{ WHY="the guest still sees the stick 30 s after the detach"; return 1; }
	fi
	back_in_dom0 $stick usb-storage 30 ||
		{ WHY="dom0 if0 driver '$(drv $stick:1.0)' 30 s after the detach, want usb-storage"; return 1; }
}

######## soak-hid
# hid_round R: the tablet attached, bound to usbhid in the guest,
# detached, gone, back on dom0's usbhid; the first half of every hundred
# with the stick read on another port (started before the first such
# round, stopped and checked after the last)
hid_round() {
	_hid_round_b=$(((($1 - 1) / EVERY) * EVERY))              # rounds before this block
	_hid_round_n=$((ROUNDS - _hid_round_b))
	[ $_hid_round_n -gt $EVERY ] && _hid_round_n=$EVERY          # rounds in this block
	_hid_round_i=$(($1 - _hid_round_b))                         # 1.. in the block
	_hid_round_h=$((_hid_round_n / 2))                          # rounds with reads
	KIND=plain
	if [ $_hid_round_i -le $_hid_round_h ]; then
		KIND=io
		if [ $_hid_round_i = 1 ]; then
			attach g1 $stick || { WHY="usbdev-attach of the stick: $(xl_err)"; return 1; }
			gexec g1 100 "soak_read_start 60 '$P_STICK' '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB" > /tmp/soak.out ||
				{ WHY="guest read of the stick: $(tail -n 1 /tmp/soak.out)"; return 1; }
		fi
	fi
	attach g1 $tab || { WHY="usbdev-attach: $(xl_err)"; return 1; }
	gexec g1 60 "wait_for 40 hid_ready '$P_TABLET'" > /dev/null ||
		{ WHY="the tablet is not on usbhid in the guest 40 s after the attach"; return 1; }
	detach g1 $tab || { WHY="usbdev-detach: $(xl_err)"; return 1; }
	gexec g1 40 "wait_for 30 no_usbdev '$P_TABLET'" > /dev/null ||
		{ WHY="the guest still sees the tablet 30 s after the detach"; return 1; }
	back_in_dom0 $tab usbhid 30 ||
		{ WHY="dom0 if0 driver '$(drv $tab:1.0)' 30 s after the detach, want usbhid"; return 1; }
	if [ $KIND = io ] && [ $_hid_round_i = $_hid_round_h ]; then
		gexec g1 100 "soak_read_stop 90 $CHECK_MD5" > /tmp/soak.out ||
			{ WHY="the stick's reader: $(tail -n 1 /tmp/soak.out)"; return 1; }
		add_passes
		detach g1 $stick || { WHY="usbdev-detach of the stick: $(xl_err)"; return 1; }
		gexec g1 40 "wait_for 30 no_usbdev '$P_STICK'" > /dev/null ||
			{ WHY="the guest still sees the stick 30 s after the detach"; return 1; }
		back_in_dom0 $stick usb-storage 30 ||
			{ WHY="the stick's if0 driver '$(drv $stick:1.0)' 30 s after the detach"; return 1; }
	fi
	return 0
}

######## soak-ctrl
# ctrl_round R: a new controller on g1, both ends Connected, the keyboard
# on it (odd R), usbctrl-detach, nothing left
ctrl_round() {
	KIND=empty
	[ $(($1 % 2)) = 1 ] && KIND=kbd
	xlq usbctrl-attach g1 type=$CTRLTYPE version=2 ports=8 || { WHY="usbctrl-attach: $(xl_err)"; return 1; }
	_ctrl_round_c=$(ctrls g1)
	_ctrl_round_c=${_ctrl_round_c% }
	_ctrl_round_c=${_ctrl_round_c##* }
	[ -n "$_ctrl_round_c" ] && [ "$_ctrl_round_c" != 0 ] || { WHY="no new controller in xl usb-list"; return 1; }
	wait_for 30 fe_connected $D1 $_ctrl_round_c ||
		{ WHY="controller $_ctrl_round_c not Connected 30 s after usbctrl-attach (frontend $(fe_state $D1 $_ctrl_round_c), backend $(be_state $D1 $_ctrl_round_c))"; return 1; }
	if [ $KIND = kbd ]; then
		attach g1 $kbd controller=$_ctrl_round_c port=8 || { WHY="usbdev-attach of the keyboard: $(xl_err)"; return 1; }
		gexec g1 60 "wait_for 40 hid_ready '$P_KBD'" > /dev/null ||
			{ WHY="the keyboard is not on usbhid in the guest 40 s after the attach"; return 1; }
	fi
	xlq usbctrl-detach g1 $_ctrl_round_c || { WHY="usbctrl-detach: $(xl_err)"; return 1; }
	fgt $XL_CLOSE_T $XL_T || { WHY="usbctrl-detach took ${XL_T} s (libxl waits 10 s for Closed)"; return 1; }
	for _ctrl_round_p in /local/domain/0/backend/$BEKIND/$D1/$_ctrl_round_c \
		/local/domain/$D1/device/vusb/$_ctrl_round_c /libxl/$D1/device/vusb/$_ctrl_round_c; do
		xenstore-exists $_ctrl_round_p 2>/dev/null && { WHY="stale xenstore node $_ctrl_round_p"; return 1; }
	done
	if [ $KIND = kbd ]; then
		back_in_dom0 $kbd usbhid 30 || { WHY="keyboard on '$(drv $kbd:1.0)' 30 s after, want usbhid"; return 1; }
		gexec g1 40 "wait_for 30 no_usbdev '$P_KBD'" > /dev/null ||
			{ WHY="the guest still sees the keyboard 30 s after the detach"; return 1; }
	fi
	return 0
}

######## soak-guests
# dev_of GUEST: its device's busid
dev_of() { case $1 in g1) echo $stick ;; g2) echo $gadget ;; g3) echo $tab ;; g4) echo $kbd ;; esac; }
# drv_of GUEST: the dom0 driver its device goes back to
drv_of() { case $1 in g1 | g2) echo usb-storage ;; *) echo usbhid ;; esac; }
# prod_of GUEST: its device's product string
prod_of() { case $1 in g1) echo "$P_STICK" ;; g2) echo "$P_MSG" ;; g3) echo "$P_TABLET" ;; g4) echo "$P_KBD" ;; esac; }
# guests_round R: every guest's device attached; the disks read at the
# same time (one pass each at least, all right); the HID devices bound;
# everything detached and back in dom0
guests_round() {
	KIND=guests
	for _gr_g in $DOMS; do
		attach $_gr_g $(dev_of $_gr_g) || { WHY="usbdev-attach to $_gr_g: $(xl_err)"; return 1; }
	done
	for _gr_g in $DOMS; do
		case $_gr_g in
		g1) gexec g1 90 "verify_loop 60 '$P_STICK' '$STICK_MAGIC' $CHECK_MD5 $CHECK_MB" ;;
		g2) gexec g2 90 "verify_loop 60 '$P_MSG' '$STICK_MAGIC-GADGET' $GMD5 $GADGET_MB" ;;
		*) gexec $_gr_g 60 "wait_for 40 hid_ready '$(prod_of $_gr_g)'" ;;
		esac > /tmp/soak.out || { WHY="$_gr_g: $(tail -n 1 /tmp/soak.out)"; return 1; }
	done
	for _gr_g in $DOMS; do
		_gr_m=$CHECK_MD5
		[ $_gr_g = g2 ] && _gr_m=$GMD5
		case $_gr_g in
		g1 | g2)
			gexec $_gr_g 150 "soak_read_stop 120 $_gr_m" > /tmp/soak.out ||
				{ WHY="$_gr_g's reader: $(tail -n 1 /tmp/soak.out)"; return 1; }
			add_passes ;;
		esac
	done
	for _gr_g in $DOMS; do
		detach $_gr_g $(dev_of $_gr_g) || { WHY="usbdev-detach from $_gr_g: $(xl_err)"; return 1; }
	done
	for _gr_g in $DOMS; do
		gexec $_gr_g 40 "wait_for 30 no_usbdev '$(prod_of $_gr_g)'" > /dev/null ||
			{ WHY="$_gr_g still sees its device 30 s after the detach"; return 1; }
		back_in_dom0 $(dev_of $_gr_g) $(drv_of $_gr_g) 30 ||
			{ WHY="$_gr_g's device on '$(drv $(dev_of $_gr_g):1.0)' in dom0 30 s after the detach"; return 1; }
	done
	return 0
}

D1=$(domid_of g1)
DOMS=g1
BASE=/tmp/soak-base
baseline $BASE
BASE0=/tmp/soak-base0
cp $BASE $BASE0

PASSES=0
rounds soak-stick $ROUNDS stick_round
info "soak-stick: $PASSES passes of $CHECK_MB MiB read with the right md5"
PASSES=0
rounds soak-hid $ROUNDS hid_round
info "soak-hid: $PASSES passes of $CHECK_MB MiB read with the right md5 beside the tablet"
rounds soak-ctrl $CROUNDS ctrl_round

# ---- several guests: as many as the free memory takes, up to four
free=$(xl info | awk '$1 == "free_memory" {print $3}')
gmem=$(arg e2e.gmem)
# a PV guest takes its memory and a few MiB more (page tables, p2m, rings)
fit=$((${free:-0} / (gmem + 8)))
n=$((fit + 1))
[ $n -gt 4 ] && n=4
info "soak-guests: Xen's free memory ${free:-?} MiB with g1 up, $gmem MiB per guest (+8): $fit more fit; running $n guests at once$([ $n -lt 4 ] && echo " (the issue asks for four: $n is what fits)")"
DOMS=g1
why=
for g in g2 g3 g4; do
	[ ${g#g} -le $n ] || break
	guest_up $g || { why="$WHY"; break; }
	DOMS="$DOMS $g"
done
GMD5=$(md5sum < $GADGET_IMG | cut -d' ' -f1)
if [ -n "$why" ]; then
	fail soak-guests "$why (guests up: $DOMS)"
else
	BASE=/tmp/soak-base-guests
	baseline $BASE
	PASSES=0
	rounds soak-guests $GROUNDS guests_round
	info "soak-guests: $PASSES passes read with the right md5 in $DOMS"
fi
# the extra guests, and one that did not come up
for g in g2 g3 g4; do
	d=$(domid_of $g) || continue
	xlq destroy $g
	wait_for 10 no_stale $d || info "soak: stale xenstore nodes of $g: $(xs_stale $d | tr '\n' ' ')"
done
DOMS=g1
back_in_dom0 $gadget usb-storage 30
back_in_dom0 $tab usbhid 30
back_in_dom0 $kbd usbhid 30
check soak-guests-destroyed $BASE0 0 0

kill $KMSG_PID 2>/dev/null
exit 0
