#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mutation.sh: proof that the tests can fail. For each mutant below, a
# scratch copy of the working tree gets one validation rule of the
# protocol core broken by sed, then the KUnit suites and the user-space
# simulator run against that copy; the mutant must be caught by failing
# test cases (a build failure or a crash proves nothing and does not
# count). The simulator also runs once on the unbroken copy first, as the
# control that shows its failure is the mutant's doing; the unbroken
# KUnit run is `make check`'s kunit stage.
# The real tree is never written: the copy lives in
# $XENUSB_BUILD/mutation, and the KUnit graft is pointed back at this
# tree when done. The last line is "mutation: N passed, N failed".
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${XENUSB_BUILD:-$TOP/build}/mutation
LOCK=/tmp/xenusb-heavy.lock
cd "$TOP" || exit 1

# name | file | sed expression | fixed string the mutated file must contain
MUTANTS=(
	# backend: a data segment may run past the page the guest granted
	"seg-crosses-page|usbback/req_check.c|s/(u32)seg\[i\]\.offset + seg\[i\]\.length > XENUSB_PAGE_SIZE/(u32)seg[i].offset + seg[i].length > 2 * XENUSB_PAGE_SIZE/|seg[i].length > 2 * XENUSB_PAGE_SIZE"
	# backend: an indirect request's length need not match its data
	# segments (read from the indirect pages)
	"indirect-len-unchecked|usbback/req_check.c|s/return sum == r->length ? 0 : -EINVAL;/return sum != r->length \&\& 0 ? -EINVAL : 0;/|sum != r->length && 0"
	# frontend: a backend's count above the request (actual_length
	# beyond the URB buffer) is passed on instead of clamped
	# backend: an 8-page urb ring judged by the one-page ring's size
	# (its producer overflow check and the requests it holds)
	"ring-size-one-page|usbback/urb_ring.c|s/BACK_RING_INIT(&r->urb, urb_sring, XENUSB_PAGE_SIZE << order);/BACK_RING_INIT(\&r->urb, urb_sring, XENUSB_PAGE_SIZE);/|BACK_RING_INIT(&r->urb, urb_sring, XENUSB_PAGE_SIZE);"
	"rsp-count-unclamped|usbfront/rsp_check.c|s/if ((u32)val > max) {/if ((u32)val > max \&\& 0) {/|(u32)val > max && 0"
)

passed=0
failed=0
pass() { echo "mutation: ok   $1"; passed=$((passed + 1)); }
fail() { echo "mutation: FAIL $1"; failed=$((failed + 1)); }

# Point the KUnit graft back at this tree whatever happens.
regraft() {
	if [ -d "$TOP/tests/kunit" ]; then
		(
			flock 9
			bash "$TOP/tests/kunit/graft.sh" >/dev/null 2>&1
		) 9>"$LOCK"
	fi
}
trap regraft EXIT

# $1: destination; copies tracked and untracked-but-not-ignored files.
copy_tree() {
	rm -rf "$1"
	mkdir -p "$1"
	git ls-files -z -co --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done | cpio -0 -pdm --quiet "$1"
}

# The "N passed, N failed" counts in the last such line of file $1.
counts() {
	grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$1" | tail -n1 | \
		sed -E 's/.*(^|[^0-9])([0-9]+) passed, ([0-9]+) failed.*/\2 \3/'
}

have_sim=0
[ -f tools/sim/Makefile ] && have_sim=1

if [ "$have_sim" = 1 ]; then
	# Control: the simulator passes on an unbroken copy.
	C=$OUT/control
	if ! copy_tree "$C"; then
		fail "sim control: cannot copy the tree"
	else
		XENUSB_BUILD=$C/build make -s -C "$C/tools/sim" check \
			> "$OUT/control-sim.log" 2>&1
		rc=$?
		read -r p f <<< "$(counts "$OUT/control-sim.log")"
		if [ "$rc" = 0 ] && [ "${f:-1}" = 0 ] && [ "${p:-0}" -gt 0 ]; then
			pass "sim control: unbroken copy passes ($p passed)"
		else
			tail -n 20 "$OUT/control-sim.log"
			fail "sim control: unbroken copy fails (exit $rc): mutant results would mean nothing"
		fi
	fi
else
	echo "mutation: no tools/sim: simulator not checked"
fi

for m in "${MUTANTS[@]}"; do
	IFS='|' read -r name file expr expect <<< "$m"
	M=$OUT/$name
	echo "mutation: $name: $file: $expr"
	if ! copy_tree "$M"; then
		fail "$name: cannot copy the tree"
		continue
	fi
	sed -i "$expr" "$M/$file"
	if ! grep -qF "$expect" "$M/$file" 2>/dev/null || cmp -s "$file" "$M/$file"; then
		# The rule moved or changed: update the mutant, never pass.
		fail "$name: the sed expression no longer applies to $file"
		continue
	fi
	diff -u "$file" "$M/$file" | sed -n '3,$p' | grep -E '^[-+]' | sed 's/^/    /'

	# KUnit: the copy's own run.sh grafts the copy under the heavy lock.
	XENUSB_BUILD=$M/build bash "$M/tests/kunit/run.sh" > "$OUT/$name-kunit.log" 2>&1
	rc=$?
	read -r p f <<< "$(counts "$OUT/$name-kunit.log")"
	cases=$(grep -E '^\s+FAIL |^\s+(FAIL|ERROR|SKIP): ' "$OUT/$name-kunit.log")
	if [ ! -f "$M/build/kunit/results.json" ]; then
		tail -n 30 "$OUT/$name-kunit.log"
		fail "$name: KUnit did not build or run the mutant (log: $OUT/$name-kunit.log)"
	elif [ "$rc" != 0 ] && [ -n "$cases" ]; then
		printf '%s\n' "$cases" | sed 's/^\s*/    kunit: /'
		pass "$name: KUnit catches it ($p passed, $f failed)"
	else
		fail "$name: KUnit passes on the mutant ($p passed, $f failed): the rule is untested"
	fi

	if [ "$have_sim" = 1 ]; then
		XENUSB_BUILD=$M/build make -s -C "$M/tools/sim" check \
			> "$OUT/$name-sim.log" 2>&1
		rc=$?
		read -r p f <<< "$(counts "$OUT/$name-sim.log")"
		# Only a running simulator prints a sanitizer report, so one
		# is a catch too (the control shows the unbroken code has none).
		san=$(grep -m1 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
			"$OUT/$name-sim.log")
		if [ "$rc" != 0 ] && [ "${f:-0}" -gt 0 ]; then
			grep -iE 'fail' "$OUT/$name-sim.log" | grep -vE '[0-9]+ passed, [0-9]+ failed' | \
				head -n 5 | sed 's/^/    sim: /'
			pass "$name: simulator catches it ($p passed, $f failed)"
		elif [ "$rc" != 0 ] && [ -n "$san" ]; then
			last=$(grep -E '^PASS ' "$OUT/$name-sim.log" | tail -n1)
			echo "    sim: ${san#==*==}"
			echo "    sim: (last scenario passed: ${last#PASS })"
			pass "$name: simulator catches it (sanitizer abort)"
		elif [ "$rc" != 0 ]; then
			tail -n 20 "$OUT/$name-sim.log"
			fail "$name: simulator exited $rc without failed cases (build error?)"
		else
			fail "$name: simulator passes on the mutant ($p passed, $f failed)"
		fi
	fi
done

echo "mutation: $passed passed, $failed failed"
[ "$failed" = 0 ]
