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

total_pass=0
total_fail=0
summary=()
for stage in $STAGES; do
	cmd=$(stage_cmd "$stage") || { echo "check: unknown stage $stage" >&2; exit 2; }
	log=$LOGDIR/$stage.log
	echo "=== $stage: $cmd"
	start=$(date +%s)
	bash -c "$cmd" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
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
