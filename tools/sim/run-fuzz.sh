#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run each fuzz harness for a bounded time; one PASS/FAIL line each and
# "fuzz: N passed, N failed" last.  New inputs go to <dir>/corpus-<name>.
# Usage: run-fuzz.sh <dir> <seconds> [<seed dir>...]
# A harness <name> also starts from <seed dir>/<name>, and fuzz-ring-X from
# <seed dir>/X, where those exist (in the repo, read only).
set -u
# ASan's default quarantine (256 MiB) keeps every freed block unmapped for
# long: a harness that builds a world per input then spent most of its time
# faulting in fresh pages.  8 MiB still holds the last few steps' frees (a
# large transfer's bounce buffer, the biggest block, is 1 MiB).
export ASAN_OPTIONS=quarantine_size_mb=8${ASAN_OPTIONS:+:$ASAN_OPTIONS}
DIR=$1
SECS=${2:-12}
SEEDS=("${@:3}")
pass=0
fail=0
for bin in "$DIR"/fuzz-*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
		continue
	fi
	name=$(basename "$bin")
	corpus=$DIR/corpus-$name
	mkdir -p "$corpus"
	seed=()
	for s in "${SEEDS[@]}"; do
		[ -d "$s/$name" ] && seed+=("$s/$name")
		[ "$name" != "${name#fuzz-ring-}" ] && [ -d "$s/${name#fuzz-ring-}" ] &&
			seed+=("$s/${name#fuzz-ring-}")
	done
	log=$DIR/$name.log
	if "$bin" -max_total_time="$SECS" -print_final_stats=1 \
		-artifact_prefix="$DIR/crash-$name-" "$corpus" "${seed[@]}" \
		>"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		if [ -n "$runs" ] && [ "$runs" -gt 0 ]; then
			echo "PASS $name ($runs runs in ${SECS}s)"
			pass=$((pass + 1))
			continue
		fi
		echo "FAIL $name: no runs recorded (see $log)"
	else
		echo "FAIL $name: $(grep -m1 -E 'ERROR|runtime error|deadly' "$log") (log: $log)"
	fi
	fail=$((fail + 1))
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
