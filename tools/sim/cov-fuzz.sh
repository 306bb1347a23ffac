#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Line coverage of source files by fuzz corpora (llvm-cov): every input
# of each harness's corpus runs once through the harness's coverage
# build; then two reports for the files:
#  - "whole peer": the first harness alone (the hostile-peer harness that
#    drives the ring code as the other domain would);
#  - "whole peer + checks": the union with the other harnesses (the pure
#    check harnesses, which call the request and response checks
#    directly), if any are given.
# Each report is llvm-cov's table for the files and a
# "coverage (<what>): N% of lines (N lines, N missed)" line.
# Usage: cov-fuzz.sh <covdir> <label> <harness>=<corpus dir>... -- <file>...
set -eu
DIR=$1
LABEL=$2
shift 2
HARNESS=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	HARNESS+=("$1")
	shift
done
[ $# -gt 0 ] && shift
[ "${#HARNESS[@]}" -gt 0 ] && [ $# -gt 0 ] || {
	echo "usage: $0 <covdir> <label> <harness>=<corpus>... -- <file>..." >&2
	exit 2
}
# the LLVM tools of the compiler that built the harness (FUZZ_CC, e.g.
# clang-14; tools/deps.sh installs the matching llvm-N)
VER=${FUZZ_CC:-clang}
VER=${VER#clang}
PROFDATA=$(command -v "llvm-profdata$VER" || command -v llvm-profdata)
COV=$(command -v "llvm-cov$VER" || command -v llvm-cov)

# report <tag> <what> <profdata> <binary>...: the table and the total
# line; the line by line listing in <covdir>/<label>-<tag>.cov-lines.txt
report() {
	local tag=$1 what=$2 prof=$3 bin=$4 objs=() b
	shift 4
	for b in "$@"; do
		objs+=(-object "$b")
	done
	echo "$LABEL, $what:"
	"$COV" report "$bin" "${objs[@]}" -instr-profile="$prof" "${FILES[@]}" |
		tee "$DIR/$LABEL-$tag.cov.txt"
	"$COV" show "$bin" "${objs[@]}" -instr-profile="$prof" \
		-show-line-counts-or-regions "${FILES[@]}" \
		>"$DIR/$LABEL-$tag.cov-lines.txt"
	awk -v what="$what" '/^TOTAL/ { print "coverage (" what "): " $(NF-3) " of lines (" $(NF-5) " lines, " $(NF-4) " missed)" }' \
		"$DIR/$LABEL-$tag.cov.txt"
}

FILES=("$@")
BINS=()
rm -f "$DIR/$LABEL"-*.profraw
for h in "${HARNESS[@]}"; do
	name=${h%%=*}
	corpus=${h#*=}
	BINS+=("$DIR/$name")
	if ! find "$corpus" -type f -print0 | sort -z |
		LLVM_PROFILE_FILE="$DIR/$LABEL-$name-%p.profraw" \
		xargs -0 "$DIR/$name" >"$DIR/$LABEL-$name.cov.log" 2>&1; then
		echo "cov-fuzz: $name failed on its corpus (see $DIR/$LABEL-$name.cov.log)" >&2
		exit 1
	fi
done
first=$(basename "${BINS[0]}")
"$PROFDATA" merge -sparse "$DIR/$LABEL-$first"-*.profraw \
	-o "$DIR/$LABEL-peer.profdata"
report peer "whole peer" "$DIR/$LABEL-peer.profdata" "${BINS[0]}"
if [ "${#BINS[@]}" -gt 1 ]; then
	"$PROFDATA" merge -sparse "$DIR/$LABEL"-*.profraw \
		-o "$DIR/$LABEL-all.profdata"
	report all "whole peer + checks" "$DIR/$LABEL-all.profdata" "${BINS[@]}"
fi
