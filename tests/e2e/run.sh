#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make e2e`: the end-to-end matrix, for every bed flavour (lib.sh:
# bookworm = Debian 12 + Xen 4.17, trixie = Debian 13 + Xen 4.20).  From a
# fresh machine: host packages (tools/deps.sh), then per flavour the cached
# bed (setup.sh), our modules if an enabled cell needs them (modules.sh),
# this run's images, then one boot per enabled cell of tests/e2e/cells that
# lists the flavour, each running every scenario.  Prints the matrix, the
# XFAIL/SKIP/FAIL lines and, last, "N passed, N failed".  Exit 0 only when
# something passed and nothing failed.
#
# Environment:
#   E2E_FLAVOURS="bookworm trixie"  the flavours to run, in this order
#                       (default: both); E2E_FLAVOUR=trixie runs that one only
#   SCENARIOS=a,b,c     what each boot runs (default per flavour: E2E_SCENARIOS
#                       in lib.sh)
#   CELLS="qusb/xen-hcd usbback/usbfront"  these cells only, enabled or not,
#                       in every flavour run; "trixie/usbback/xen-hcd" names
#                       a cell of one flavour
#   E2E_SKIP_DEPS=1     do not run tools/deps.sh
#   E2E_LOCK=FILE       hold a bed slot around each boot (shared box): FILE
#                       is slot 0, FILE.1 .. slot 1 ...
#   E2E_JOBS=N          boots at once (default 2 on a box with 2 or more
#                       cores, else 1); each takes one core.  The flavours
#                       share these lanes: each prepares (setup, modules,
#                       images) once the one before it has queued its boots,
#                       and the queued boots of all flavours take a free lane
#                       longest first (see lane_run)
#   BOOT_TIMEOUT=1800   per boot (lib.sh: 5400 in bookworm-debug) (all scenarios of one cell); also QEMU_* and lib.sh
# Results: $XENUSB_BUILD/e2e-results/<run>/ (latest -> the newest run), and
# per flavour in <run>/<flavour>/:
#   <cell>.log          serial log (Xen, dom0, live guest consoles), timestamped
#   <cell>/             files dom0 dumped: guest consoles, qemu-dm, xl -vvv, dmesg
#   results.txt         every result line (cells named <flavour>/<backend>/<frontend>);
#   matrix.txt          the table and totals; timings.txt setup, boot, scenario times
set -euo pipefail
ONE_FLAVOUR=${E2E_FLAVOUR:-}
# shellcheck source=tests/e2e/lib.sh
KVER_OPTIONAL=1 . "$(dirname "$0")/lib.sh"

# one boot runs every scenario of a cell: 10-15 min on an idle 2-core box
# (see Documentation/e2e-log.rst), so the bound leaves room for a slower machine
export BOOT_TIMEOUT=${BOOT_TIMEOUT:-$E2E_BOOT_TIMEOUT}
# boots at once: one per core, at most two (each QEMU keeps one core busy)
E2E_JOBS=${E2E_JOBS:-$(($(nproc) >= 2 ? 2 : 1))}
case $E2E_JOBS in
[1-9]) ;;
*) die "E2E_JOBS=$E2E_JOBS: want a number of boots at once, 1..9" ;;
esac
export E2E_JOBS
T0=$SECONDS

timed() {  # timed NAME CMD...: run, log the duration into $RUN_DIR/timings.txt
	local t=$SECONDS rc=0
	"${@:2}" || rc=$?
	echo "$1 $((SECONDS - t))s" >> "$RUN_DIR/timings.txt"
	return $rc
}
# totals: the last lines of matrix.txt from $R (results.txt)
totals() {
	echo "timings: $(tr '\n' ' ' < "$RUN_DIR/timings.txt")"
	echo "results: $RUN_DIR (total $((SECONDS - T0))s)"
	NP=$(grep -c '^PASS ' "$R" || true)
	NF=$(grep -c '^FAIL ' "$R" || true)
	# a run that executed nothing is a failure
	[ "$NP" -eq 0 ] && [ "$NF" -eq 0 ] && NF=1 && echo "FAIL e2e: nothing ran"
	echo "$NP passed, $NF failed"
}
# matrix ROWS...: the table of the rows files, the XFAIL/SKIP and FAIL lines
# of $R and the totals, into $RUN_DIR/matrix.txt and on the terminal (a
# flavour run under the run of all flavours: the file only, the run of all
# prints them together)
matrix() {
	{
		printf '\n%s\n' "$HDR"
		cat "$@" 2>/dev/null || true
		echo
		grep -E '^(XFAIL|SKIP) ' "$R" || true
		grep -E '^FAIL ' "$R" || true
		echo
		totals
	} > "$RUN_DIR/matrix.txt"
	[ -n "${E2E_ALL:-}" ] || cat "$RUN_DIR/matrix.txt"
}
HDR=$(printf '%-30s %-8s %-8s %-7s %-6s %s' cell passed failed xfail boot note)

if [ -z "${E2E_RUN_DIR:-}" ]; then
	RUN=$(date +%Y%m%d-%H%M%S)
	RUN_DIR=$RESULTS/$RUN
	mkdir -p "$RUN_DIR"
	ln -sfn "$RUN" "$RESULTS/latest"
	[ -n "${E2E_SKIP_DEPS:-}" ] || timed deps bash "$TOP/tools/deps.sh" >&2
	export E2E_SKIP_DEPS=1
fi
if [ -z "$ONE_FLAVOUR" ]; then
	# ---- every flavour, their boots sharing the lanes, then the matrix of all
	export E2E_LANES=$RUN_DIR/lanes E2E_ALL=1
	for f in ${E2E_FLAVOURS:-$E2E_FLAVOURS_ALL}; do
		log "e2e: flavour $f"
		mkdir -p "$RUN_DIR/$f"
		(
			t=$SECONDS
			st=0
			E2E_FLAVOUR=$f E2E_RUN_DIR=$RUN_DIR/$f bash "$0" || st=$?
			echo "$st $((SECONDS - t))" > "$RUN_DIR/$f/.status"
		) &
		# one flavour prepares at a time (both build from this tree):
		# the next starts once this one has queued its boots or ended
		while [ ! -e "$RUN_DIR/$f/.prepared" ] && [ ! -e "$RUN_DIR/$f/.status" ]; do
			sleep 1
		done
	done
	wait
	for f in ${E2E_FLAVOURS:-$E2E_FLAVOURS_ALL}; do
		read -r st secs < "$RUN_DIR/$f/.status" || { st='?'; secs='?'; }
		echo "flavour-$f ${secs}s" >> "$RUN_DIR/timings.txt"
		sed "s/^/$f-/" "$RUN_DIR/$f/timings.txt" >> "$RUN_DIR/timings.txt" 2>/dev/null || true
		if [ ! -s "$RUN_DIR/$f/rows.txt" ]; then
			# it ended before its matrix (setup failed?): that is a failure
			echo "FAIL $f e2e: the flavour ended before its matrix (exit $st; see the log above)" >> "$RUN_DIR/$f/results.txt"
			printf '%-30s %-8s %-8s %-7s %-6s %s\n' "$f" - 1 - - "FAILED: ended before its matrix" > "$RUN_DIR/$f/rows.txt"
		fi
	done
	R=$RUN_DIR/results.txt
	cat "$RUN_DIR"/*/results.txt > "$R" 2>/dev/null || : > "$R"
	E2E_ALL='' matrix "$RUN_DIR"/*/rows.txt
	[ "$(tail -n 1 "$RUN_DIR/matrix.txt" | awk '{print $3}')" = 0 ]
	exit
fi

# ---- one flavour
RUN_DIR=${E2E_RUN_DIR:-$RUN_DIR}
mkdir -p "$RUN_DIR"
export IMG=$RUN_DIR/img
SCENARIOS=${SCENARIOS:-$E2E_SCENARIOS}
timed setup bash "$E2E_DIR/setup.sh"
# KVER of a flavour built in its sysroot is known once setup.sh made it
if [ -z "$KVER" ]; then
	unset KVER KVER_OPTIONAL
	# shellcheck source=tests/e2e/lib.sh
	. "$E2E_DIR/lib.sh"
fi

# ---- which cells run
declare -A STATE
ORDER=()
while read -r cell state; do
	STATE[$cell]=$state
	ORDER+=("$cell")
done < <(cells_all)
if [ -n "${CELLS:-}" ]; then
	# this flavour's: "b/f" and "<this flavour>/b/f"; others' are dropped
	CELLS=$(for c in $CELLS; do
		case $c in
		*/*/*) if [ "${c%%/*}" = "$E2E_FLAVOUR" ]; then echo "${c#*/}"; fi ;;
		*) echo "$c" ;;
		esac
	done | tr '\n' ' ')
	for c in ${CELLS}; do
		[ -n "${STATE[$c]:-}" ] || ORDER+=("$c")
		STATE[$c]=enabled
	done
	for c in "${ORDER[@]}"; do
		[[ " $CELLS " == *" $c "* ]] || STATE[$c]=skipped
	done
fi
ours() {  # ours CELL: our drivers the cell needs (usbback, usbfront)
	local b=${1%/*} f=${1#*/} o=()
	[ "$b" = usbback ] && o+=(usbback)
	[ "$f" = usbfront ] && o+=(usbfront)
	echo "${o[*]:-}"
}
need=
for c in "${ORDER[@]}"; do
	[ "${STATE[$c]}" = enabled ] && [ -n "$(ours "$c")" ] && need=1
done
if [ -n "$need" ]; then
	log "e2e: building our modules for $KVER"
	timed modules bash "$E2E_DIR/modules.sh" "$RUN_DIR/make-modules.log" ||
		log "e2e: our modules did not build (see $RUN_DIR/make-modules.log)"
fi
timed images bash "$E2E_DIR/images.sh"
# the run of all flavours starts the next flavour's preparation now
touch "$RUN_DIR/.prepared"

# ---- boots: up to E2E_JOBS at once, each in a free bed slot
# One boot keeps one core busy (TCG, -smp 1), so a 2-core box runs two:
# slot 0 is $E2E_LOCK itself (what every other user of the box takes),
# slot k > 0 is $E2E_LOCK.k.
bed_slot_run() {  # bed_slot_run CMD...: run CMD holding a free slot
	local slot lock rc
	if [ -z "${E2E_LOCK:-}" ]; then
		"$@"
		return
	fi
	while :; do
		for ((slot = 0; slot < E2E_JOBS; slot++)); do
			lock=$E2E_LOCK
			[ "$slot" -gt 0 ] && lock=$E2E_LOCK.$slot
			rc=0
			flock -n -E 75 "$lock" "$@" || rc=$?
			[ "$rc" = 75 ] || return "$rc"
		done
		sleep 5
	done
}
# Lanes: E2E_JOBS boots at once over every flavour of the run (E2E_LANES,
# shared by the flavour runs of `make e2e`; a flavour run alone has its
# own).  A boot waits with a ticket in $LANES/queue named by its rank;
# the first ticket in name order takes the next free lane (lane.K, held
# with flock for the boot), so that the longest boots go first over all
# flavours and the lanes end together.
LANES=${E2E_LANES:-$RUN_DIR/lanes}
mkdir -p "$LANES/queue"
lane_run() {  # lane_run TICKET CMD...: run CMD in a lane when TICKET's turn comes
	local t=$1 q=$LANES/queue k fd rc
	shift
	: > "$q/$t"
	while :; do
		if [ "$(LC_ALL=C ls "$q" | head -n 1)" = "$t" ]; then
			for ((k = 0; k < E2E_JOBS; k++)); do
				exec {fd}> "$LANES/lane.$k"
				if flock -n "$fd"; then
					rm -f "$q/$t"
					rc=0
					"$@" || rc=$?
					exec {fd}>&-
					return $rc
				fi
				exec {fd}>&-
			done
		fi
		sleep 2
	done
}
# rank CELL: its ticket's name.  Longest first: a flavour that runs more
# scenarios first, and within a flavour the cells file's last lines first
# (it lists the old peers first; our drivers' cells run the most scenarios)
rank() {
	local i n=${SCENARIOS//[^,]/}
	for ((i = 0; i < ${#ORDER[@]}; i++)); do
		[ "${ORDER[i]}" = "$1" ] && break
	done
	printf '%03d-%03d-%s-%s\n' $((999 - ${#n})) $((${#ORDER[@]} - i)) "$E2E_FLAVOUR" "${1//\//-}"
}
# boot_in_lane CELL LOG: boot.sh in a bed slot (E2E_LOCK), logged as it starts
boot_in_lane() {
	log "e2e: cell $E2E_FLAVOUR $1: booting (scenarios $SCENARIOS)"
	bed_slot_run bash "$E2E_DIR/boot.sh" "$1" "$SCENARIOS" "$2"
}
# boot_cell CELL: one boot running every scenario of CELL; its result lines
# go to $RUN_DIR/<name>.results, QEMU's wall time to <name>.wall
boot_cell() {
	local c=$1 name=${1//\//-} d ko missing='' LOG st=0 wall s why out
	out=$RUN_DIR/$name.results
	: > "$out"
	for d in $(ours "$c"); do
		ko=$USBBACK_KO
		[ "$d" = usbfront ] && ko=$USBFRONT_KO
		[ -f "$ko" ] || missing="$missing $d.ko"
	done
	if [ -n "$missing" ]; then
		for s in ${SCENARIOS//,/ }; do
			echo "FAIL $E2E_FLAVOUR/$c $s: enabled but${missing} not built (see make-modules.log)" >> "$out"
		done
		echo - > "$RUN_DIR/$name.wall"
		return
	fi
	LOG=$RUN_DIR/$name.log
	# two TCG beds with -smp 2 each on 2 cores slow each other 10x or more
	# (Xen's vCPUs spin on descheduled ones): say so when a foreign one runs
	[ "$E2E_JOBS" = 1 ] && [ -z "${E2E_LOCK:-}" ] && pgrep -f '^qemu-system-x86_64 ' > /dev/null &&
		log "e2e: WARNING: another qemu-system-x86_64 is running; expect slow boots and timeouts (E2E_LOCK=)"
	lane_run "$(rank "$c")" boot_in_lane "$c" "$LOG" || st=$?
	# QEMU's own wall time (boot.sh appends it), without any lock wait
	wall=$(sed -nE 's/^qemu-exit [0-9]+ wall ([0-9]+)s$/\1/p' "$LOG")
	echo "${wall:--}" > "$RUN_DIR/$name.wall"
	echo "boot-$name ${wall:-?}s" >> "$RUN_DIR/timings.txt"
	# files dom0 dumped between E2E-FILE-BEGIN/END markers
	mkdir -p "$RUN_DIR/$name"
	awk -v dir="$RUN_DIR/$name" '
		{ line = $0; sub(/^ *[0-9]+\.[0-9]+ /, "", line); sub(/\r+$/, "", line) }
		line ~ /^E2E-FILE-BEGIN / { f = dir "/" substr(line, 16); printf "" > f; next }
		line ~ /^E2E-FILE-END / { close(f); f = ""; next }
		f != "" { print line >> f }' "$LOG"
	# result lines (the cell named with its flavour), and a FAIL for every
	# scenario the boot did not finish
	sed -nE 's/^ *[0-9]+\.[0-9]+ ((PASS|FAIL|XFAIL|SKIP) .*)/\1/p' "$LOG" |
		sed -E "s|^([A-Z]+) $c |\1 $E2E_FLAVOUR/$c |" >> "$out"
	for s in ${SCENARIOS//,/ }; do
		grep -qE "^ *[0-9.]+ E2E-SCEN-END $s " "$LOG" && continue
		why="boot ended before it finished"
		[ $st = 2 ] && why="QEMU timed out or crashed before it finished"
		echo "FAIL $E2E_FLAVOUR/$c $s: $why (see $LOG)" >> "$out"
	done
	grep -qE '^ *[0-9.]+ E2E-SCEN-END' "$LOG" && sed -nE 's/^ *[0-9.]+ E2E-SCEN-END ([a-z-]+) ([0-9.]+)/'"$name"'-\1 \2s/p' "$LOG" >> "$RUN_DIR/timings.txt"
	sed -nE 's/^ *([0-9.]+) E2E-MARK toolstack-up .*/'"$name"'-dom0-ready \1s/p' "$LOG" >> "$RUN_DIR/timings.txt"
	log "e2e: cell $E2E_FLAVOUR $c: done in ${wall:-?}s ($(grep -c '^PASS ' "$out" || true) passed, $(grep -c '^FAIL ' "$out" || true) failed)"
}
: > "$RUN_DIR/results.txt"
declare -A WALL
# every enabled cell queues for a lane (lane_run: longest first)
for c in "${ORDER[@]}"; do
	[ "${STATE[$c]}" = enabled ] || continue
	boot_cell "$c" &
done
wait
for c in "${ORDER[@]}"; do
	[ "${STATE[$c]}" = enabled ] || continue
	name=${c//\//-}
	cat "$RUN_DIR/$name.results" >> "$RUN_DIR/results.txt"
	WALL[$c]=$(cat "$RUN_DIR/$name.wall" 2>/dev/null || echo -)
done

# ---- the matrix of this flavour (rows.txt: its rows for the matrix of all)
R=$RUN_DIR/results.txt
count() { grep -c "^$1 $E2E_FLAVOUR/$2 " "$R" || true; }
row() { printf '%-30s %-8s %-8s %-7s %-6s %s\n' "$E2E_FLAVOUR/$1" "${@:2}"; }
for c in "${ORDER[@]}"; do
	case ${STATE[$c]} in
	enabled)
		p=$(count PASS "$c") f=$(count FAIL "$c") x=$(count XFAIL "$c")
		note="ok (Xen $XENVER, $KVER)"
		[ "$f" -gt 0 ] && note=FAILED
		[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && note="FAILED: nothing ran"
		row "$c" "$p" "$f" "$x" "${WALL[$c]}s" "$note" ;;
	skipped)
		row "$c" - - - - "not selected (CELLS=)" ;;
	*)
		row "$c" - - - - "not run: state '${STATE[$c]}' in tests/e2e/cells" ;;
	esac
done > "$RUN_DIR/rows.txt"
matrix "$RUN_DIR/rows.txt"
NF=$(tail -n 1 "$RUN_DIR/matrix.txt" | awk '{print $3}')
rm -rf "$IMG"
[ "$NF" = 0 ]
