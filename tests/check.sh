#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The project's test suite (`make check`): every stage runs even when an
# earlier one failed, each stage's own `N passed, N failed` line is summed,
# and the run ends with one line `N passed, N failed` for the whole suite.
#
# A stage that exits non-zero without a count line counts as one failure;
# a stage that exits zero without a count line is a defect and fails too.
# XENUSB_STAGES="build lint" runs a subset (for development only).
#
# The stages of XENUSB_BG_STAGES (default: install, which mostly waits on
# apt, dpkg, the network and the disk) start in the background when the
# first stage starts, their output into their log only; at its own place
# in the order the stage is waited for and its log printed whole, so that
# the output and the summary read as if the stages had run one by one.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${XENUSB_BUILD:-$TOP/build}
LOGDIR=$BUILD/check
mkdir -p "$LOGDIR"
cd "$TOP" || exit 1

MAKE=${MAKE:-make}
STAGES=${XENUSB_STAGES:-build lint install sim corpus kunit mutation e2e}

stage_cmd() {
	case "$1" in
	build)    echo "bash tests/build.sh" ;;
	lint)     echo "bash tests/lint.sh" ;;
	install)  echo "bash tests/install.sh" ;;
	sim)      echo "$MAKE -s -C tools/sim check" ;;
	corpus)   echo "$MAKE -s -C tools/sim fuzz-replay" ;;
	kunit)    echo "bash tests/kunit/run.sh" ;;
	mutation) echo "bash tests/mutation.sh" ;;
	e2e)      echo "bash tests/e2e/run.sh" ;;
	*)        return 1 ;;
	esac
}

BG_STAGES=${XENUSB_BG_STAGES-install}
for stage in $STAGES; do
	stage_cmd "$stage" > /dev/null || { echo "check: unknown stage $stage" >&2; exit 2; }
done

# bg_start STAGE: run it in the background; its status and seconds go to
# $LOGDIR/STAGE.rc when it ends
declare -A BG_PID
bg_start() {
	local cmd
	cmd=$(stage_cmd "$1")
	(
		start=$(date +%s)
		bash -c "$cmd" > "$LOGDIR/$1.log" 2>&1 < /dev/null
		echo "$? $(( $(date +%s) - start ))" > "$LOGDIR/$1.rc"
	) &
	BG_PID[$1]=$!
}
for stage in $BG_STAGES; do
	[[ " $STAGES " == *" $stage "* ]] || continue
	rm -f "$LOGDIR/$stage.rc"
	bg_start "$stage"
done

total_pass=0
total_fail=0
summary=()
for stage in $STAGES; do
	cmd=$(stage_cmd "$stage")
	log=$LOGDIR/$stage.log
	if [ -n "${BG_PID[$stage]:-}" ]; then
		echo "=== $stage: $cmd (started with the first stage, in the background)"
		wait "${BG_PID[$stage]}"
		cat "$log"
		rc=1 secs=0
		[ -f "$LOGDIR/$stage.rc" ] && read -r rc secs < "$LOGDIR/$stage.rc"
	else
		echo "=== $stage: $cmd"
		start=$(date +%s)
		bash -c "$cmd" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		secs=$(( $(date +%s) - start ))
	fi
	line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*(^|[^0-9])([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
		f=$(sed -E 's/.*(^|[^0-9])([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
	else
		p=0
		f=1
	fi
	# a stage that failed must count at least one failure
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	if [ $((p + f)) -eq 0 ]; then
		echo "check: stage $stage ran no test"
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	summary+=("$(printf '%-9s %4d passed %4d failed  exit %-3d %5ds' "$stage" "$p" "$f" "$rc" "$secs")")
done

echo
echo "=== summary (logs in $LOGDIR)"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
