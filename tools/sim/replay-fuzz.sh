#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Replay the corpus of each named harness: every input of
# <corpus>/<name>/ runs once; one PASS/FAIL line per harness and
# "fuzz-replay: N passed, N failed" last, counting inputs.
# Usage: replay-fuzz.sh <bindir> <corpus> <name>...
set -u
DIR=$1
CORPUS=$2
shift 2
pass=0
fail=0
for name in "$@"; do
	bin=$DIR/$name
	mapfile -t inputs < <(find "$CORPUS/$name" -type f 2>/dev/null | sort)
	if [ "${#inputs[@]}" -eq 0 ]; then
		echo "FAIL $name: no corpus in $CORPUS/$name"
		fail=$((fail + 1))
		continue
	fi
	log=$DIR/$name.replay.log
	if "$bin" "${inputs[@]}" >"$log" 2>&1; then
		echo "PASS $name (${#inputs[@]} inputs)"
		pass=$((pass + ${#inputs[@]}))
		continue
	fi
	# Something failed: run them one by one to name and count them.
	for f in "${inputs[@]}"; do
		if "$bin" "$f" >"$log.one" 2>&1; then
			pass=$((pass + 1))
		else
			echo "FAIL $name $(basename "$f"): $(grep -m1 -E 'ERROR|runtime error|deadly' "$log.one")"
			fail=$((fail + 1))
		fi
	done
done
echo "fuzz-replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
