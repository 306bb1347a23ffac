#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Line coverage of source files by a harness's corpus (llvm-cov): runs
# the corpus through the coverage build, prints llvm-cov's report for
# the files and a "coverage: N% of lines" total.
# Usage: cov-fuzz.sh <covdir> <corpus> <name> <file>...
set -eu
DIR=$1
CORPUS=$2
NAME=$3
shift 3
# the LLVM tools of the compiler that built the harness (FUZZ_CC, e.g.
# clang-14; tools/deps.sh installs the matching llvm-N)
VER=${FUZZ_CC:-clang}
VER=${VER#clang}
PROFDATA=$(command -v "llvm-profdata$VER" || command -v llvm-profdata)
COV=$(command -v "llvm-cov$VER" || command -v llvm-cov)
rm -f "$DIR/$NAME"-*.profraw
find "$CORPUS/$NAME" -type f -print0 | sort -z |
	LLVM_PROFILE_FILE="$DIR/$NAME-%p.profraw" xargs -0 "$DIR/$NAME" \
	>"$DIR/$NAME.cov.log" 2>&1
"$PROFDATA" merge -sparse "$DIR/$NAME"-*.profraw -o "$DIR/$NAME.profdata"
"$COV" report "$DIR/$NAME" -instr-profile="$DIR/$NAME.profdata" "$@" |
	tee "$DIR/$NAME.cov.txt"
"$COV" show "$DIR/$NAME" -instr-profile="$DIR/$NAME.profdata" \
	-show-line-counts-or-regions "$@" >"$DIR/$NAME.cov-lines.txt"
awk '/^TOTAL/ { print "coverage: " $(NF-3) " of lines (" $(NF-5) " lines, " $(NF-4) " missed)" }' \
	"$DIR/$NAME.cov.txt"
