#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh: the modules and the test modules against every kernel a Debian
# user has (tools/kroots.sh list: Debian 12's 6.1, Debian 13's 6.12, the
# newest trixie-backports kernel; plus the host's $KDIR when it is another
# version), each in a scratch copy under $XENUSB_BUILD/kbuild/<kernel>.
# One case per kernel and module set:
#   <kernel> modules        usbback.ko and usbfront.ko build, no warning
#   <kernel> test-modules   tests/e2e/hostile/*.ko build, no warning
# (no line of the build log says "warning:", "error:", "WARNING:" or
# "ERROR:", whichever file it names).
# The last line is "build: N passed, N failed".
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${XENUSB_BUILD:-$TOP/build}/kbuild
cd "$TOP" || exit 1

passed=0
failed=0
pass() { echo "build: ok   $1"; passed=$((passed + 1)); }
fail() { echo "build: FAIL $1"; failed=$((failed + 1)); }

# $1 name, $2 root, $3 kdir, $4 copy (host path), $5 M inside the copy,
# $6 .ko files expected (relative to M)
one() {
	local name=$1 root=$2 kdir=$3 dir=$4 sub=$5 kos=$6 log mdir warn rc ko missing=
	log=$dir/../$(basename "$dir")-${name##* }.log
	mdir=$(bash tools/kbuild.sh mdir "$root" "$dir")
	bash tools/kbuild.sh make "$root" "$kdir" "$dir" "$sub" modules > "$log" 2>&1
	rc=$?
	# any compiler or modpost warning counts, also one from a header
	warn=$(grep -cE '(warning|error|WARNING|ERROR):' "$log")
	for ko in $kos; do
		[ -f "$dir/$sub/$ko" ] || missing="$missing $ko"
	done
	if [ "$rc" != 0 ] || [ "$warn" != 0 ] || [ -n "$missing" ]; then
		grep -E 'warning:|error:|\*\*\*' "$log" | sed "s|$mdir/||" | head -n 30
		fail "$name (exit $rc, $warn warnings/errors, missing:${missing:- none}; log: $log)"
	else
		pass "$name (0 warnings)"
	fi
}

if ! kernels=$(bash tools/kroots.sh list); then
	fail "no kernel build roots: run 'make deps'"
	kernels=
fi

while read -r root kdir; do
	[ -n "$kdir" ] || continue
	k=$(basename "$kdir")
	k=${k#linux-headers-}
	dir=$OUT/$k
	if ! bash tools/kbuild.sh copy "$dir"; then
		fail "$k: cannot copy the sources"
		continue
	fi
	one "$k modules" "$root" "$kdir" "$dir" . \
		"usbback/usbback.ko usbfront/usbfront.ko"
	one "$k test-modules" "$root" "$kdir" "$dir" tests/e2e/hostile \
		"xenusb_hostile_back.ko xenusb_hostile_front.ko"
done <<< "$kernels"

echo "build: $passed passed, $failed failed"
[ "$failed" = 0 ]
