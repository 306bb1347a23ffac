#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh: static checks of everything we ship, one case per check:
#   checkpatch   scripts/checkpatch.pl --strict --no-tree -f on every
#                .c/.h of usbback/ usbfront/ include/ tests/kunit/
#                tests/e2e/hostile/, no
#                ignores: this is kernel code
#   checkpatch-tools  the same on tools/**/*.[ch] (user-space simulator
#                and shims), with the relaxed set TOOLS_IGNORE below
#   sparse K     make C=2 modules: no sparse warning from our files
#   W=1 K        make W=1 modules: no compiler warning from our files
#   modpost K    both modules link, every symbol resolves (no
#                "undefined!"), no other modpost complaint about them
#   shell        "shellcheck -S warning" on every tracked *.sh
# The three build checks run once per kernel K of tools/kroots.sh list
# (6.1, 6.12, the newest trixie-backports kernel: each inside its build
# root with its own compiler; and the host's $KDIR when it is another
# version).  They run in scratch copies under $XENUSB_BUILD/lint/K so
# that they neither race with nor dirty the objects of the working tree,
# and always compile every file (warnings appear only when kbuild
# compiles). The last line is "lint: N passed, N failed".
#
# Env: KDIR (as in the top Makefile: the running kernel's build tree,
#      else the newest /usr/src/linux-headers-*-amd64), XENUSB_BUILD.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${XENUSB_BUILD:-$TOP/build}/lint
cd "$TOP" || exit 1

# Kernel code gets no ignores. One filter only: with --no-tree checkpatch
# cannot see the kernel's headers, so it reports CamelCase names that are
# the kernel's own (USB descriptor fields such as bMaxPacketSize0, the
# XenbusState* enum); a CAMELCASE finding is dropped only when the name is
# a whole word in the kernel tree's include/, exactly what checkpatch
# itself does when it runs inside a kernel tree.
#
# User-space code (tools/) compiles against libc and carries small shims
# of kernel macros, so these kernel-only rules do not apply there:
#   PREFER_KERNEL_TYPES  <stdint.h> types are right outside the kernel
#   PREFER_DEFINED_ATTRIBUTE_MACRO  the shims define __maybe_unused & co
#                        from the raw __attribute__ as compiler_attributes.h
#                        does; libc has no such macros
#   VOLATILE             the shims implement READ_ONCE/WRITE_ONCE with a
#                        volatile access, as the kernel's rwonce.h does
#   SSCANF_TO_KSTRTO, STRLCPY  kstrto*() and strscpy() are kernel-only
TOOLS_IGNORE=PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO,VOLATILE
TOOLS_IGNORE=$TOOLS_IGNORE,SSCANF_TO_KSTRTO,STRLCPY
# and the CamelCase names libFuzzer fixes for a harness's entry points
# are accepted like the kernel's own names.
FUZZER_NAMES=" LLVMFuzzerTestOneInput LLVMFuzzerInitialize "

if [ -z "${KDIR:-}" ]; then
	if [ -f "/lib/modules/$(uname -r)/build/Makefile" ]; then
		KDIR=/lib/modules/$(uname -r)/build
	else
		KDIR=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
	fi
fi

passed=0
failed=0
pass() { echo "lint: ok   $1"; passed=$((passed + 1)); }
fail() { echo "lint: FAIL $1"; failed=$((failed + 1)); }

mkdir -p "$OUT"

# ---- checkpatch ------------------------------------------------------
KSRC=$(bash tools/ksrc.sh) || KSRC=
CHECKPATCH="$KSRC/scripts/checkpatch.pl"

# Drop CAMELCASE findings for names the kernel's include/ defines (and
# libFuzzer's entry points, which only tools/ has).
declare -A kernel_name
kernel_camel() {
	local line id
	while IFS= read -r line; do
		id=$(sed -nE 's/.*CHECK:CAMELCASE: Avoid CamelCase: <([A-Za-z0-9_]+)>$/\1/p' \
			<<< "$line")
		if [ -n "$id" ]; then
			if [ -z "${kernel_name[$id]:-}" ]; then
				kernel_name[$id]=no
				if [[ "$FUZZER_NAMES" == *" $id "* ]] ||
				   grep -rqw --include='*.h' -- "$id" "$KSRC/include"; then
					kernel_name[$id]=yes
				fi
			fi
			[ "${kernel_name[$id]}" = yes ] && continue
		fi
		printf '%s\n' "$line"
	done
}

# $1: case name, $2: extra checkpatch options, rest: files
checkpatch_case() {
	local name=$1 opts=$2 f out rc bad=0
	shift 2
	if [ ! -f "$CHECKPATCH" ]; then
		fail "$name: no checkpatch.pl (tools/ksrc.sh failed)"
		return
	fi
	if [ $# = 0 ]; then
		fail "$name: no files to check"
		return
	fi
	for f in "$@"; do
		# shellcheck disable=SC2086 # $opts is a list of options
		out=$(perl "$CHECKPATCH" --strict --no-tree --terse --show-types \
			--no-summary $opts -f "$f" 2>&1)
		rc=$?
		if [ $rc != 0 ] || [ -n "$out" ]; then
			# not in a pipe: the name cache must outlive the call
			printf '%s\n' "$out" > "$OUT/checkpatch.out"
			kernel_camel < "$OUT/checkpatch.out" > "$OUT/checkpatch.kept"
			out=$(cat "$OUT/checkpatch.kept")
			if [ -n "$out" ]; then
				printf '%s\n' "$out"
				bad=$((bad + 1))
			fi
		fi
	done
	if [ "$bad" = 0 ]; then
		pass "$name ($# files)"
	else
		fail "$name: findings in $bad of $# files"
	fi
}

mapfile -t kfiles < <(find usbback usbfront include tests/kunit tests/e2e/hostile \
	-name '*.[ch]' ! -name '*.mod.c' 2>/dev/null | sort)
checkpatch_case checkpatch "" "${kfiles[@]}"

mapfile -t tfiles < <(find tools -name '*.[ch]' ! -name '*.mod.c' 2>/dev/null | sort)
if [ "${#tfiles[@]}" -gt 0 ]; then
	checkpatch_case checkpatch-tools "--ignore $TOOLS_IGNORE" "${tfiles[@]}"
fi

# ---- module builds in scratch copies, per kernel ---------------------
# Every kernel of tools/kroots.sh list (Debian 12's 6.1, Debian 13's 6.12,
# the newest trixie-backports kernel, and the host's $KDIR when it is
# another version), each built with its own compiler inside its root.

# Keep only diagnostics about our files; show them repo-relative.
ours() {
	grep -E "^$1/[^:]+:[0-9]+(:[0-9]+)?: (warning|error):" | sed "s|^$1/||"
}

# $1 kernel name, $2 root ("-": host), $3 KDIR; sparse, W=1 and modpost
lint_kernel() {
	local k=$1 root=$2 kdir=$3 S W mdir rc findings mp missing m
	S=$OUT/$k/sparse
	W=$OUT/$k/w1
	if [ "$root" = - ] && ! command -v sparse >/dev/null; then
		fail "sparse $k: sparse not installed: run 'make deps'"
	elif [ "$root" != - ] && [ ! -x "$root/usr/bin/sparse" ]; then
		fail "sparse $k: sparse not in the build root: run 'make deps'"
	elif ! bash tools/kbuild.sh copy "$S"; then
		fail "sparse $k: cannot copy the sources"
	else
		mdir=$(bash tools/kbuild.sh mdir "$root" "$S")
		bash tools/kbuild.sh make "$root" "$kdir" "$S" . C=2 modules \
			> "$OUT/$k/sparse.log" 2>&1
		rc=$?
		findings=$(ours "$mdir" < "$OUT/$k/sparse.log")
		if [ -n "$findings" ]; then
			printf '%s\n' "$findings"
			fail "sparse $k: $(printf '%s\n' "$findings" | wc -l) findings"
		elif [ $rc != 0 ]; then
			grep -E 'error:|\*\*\*' "$OUT/$k/sparse.log" | sed "s|$mdir/||" | head -n 40
			fail "sparse $k: build failed (log: $OUT/$k/sparse.log)"
		elif ! grep -q ' CHECK ' "$OUT/$k/sparse.log"; then
			fail "sparse $k: sparse checked no file"
		else
			pass "sparse $k ($(grep -c ' CHECK ' "$OUT/$k/sparse.log") files)"
		fi
	fi

	if ! bash tools/kbuild.sh copy "$W"; then
		fail "W=1 $k: cannot copy the sources"
		fail "modpost $k: cannot copy the sources"
		return
	fi
	mdir=$(bash tools/kbuild.sh mdir "$root" "$W")
	bash tools/kbuild.sh make "$root" "$kdir" "$W" . W=1 modules > "$OUT/$k/w1.log" 2>&1
	rc=$?
	findings=$(ours "$mdir" < "$OUT/$k/w1.log")
	if [ -n "$findings" ]; then
		printf '%s\n' "$findings"
		fail "W=1 $k: $(printf '%s\n' "$findings" | wc -l) warnings/errors"
	elif [ $rc != 0 ]; then
		grep -E 'error:|\*\*\*' "$OUT/$k/w1.log" | sed "s|$mdir/||" | head -n 40
		fail "W=1 $k: build failed (log: $OUT/$k/w1.log)"
	else
		pass "W=1 $k ($(grep -c ' CC \[M\] ' "$OUT/$k/w1.log") objects)"
	fi

	# modpost ran in that build; it fails the build on an undefined
	# symbol, and warns about section mismatches & co.
	mp=$(grep -E 'modpost' "$OUT/$k/w1.log" | grep -E 'ERROR|WARNING|undefined' \
		| sed "s|$mdir/||")
	missing=
	for m in usbback/usbback.ko usbfront/usbfront.ko; do
		[ -f "$W/$m" ] || missing="$missing $m"
	done
	if [ -n "$mp" ]; then
		printf '%s\n' "$mp"
		fail "modpost $k: $(printf '%s\n' "$mp" | wc -l) complaints"
	elif [ -n "$missing" ]; then
		fail "modpost $k: not built:$missing"
	else
		pass "modpost $k (usbback.ko, usbfront.ko: all symbols resolved)"
	fi
}

if ! kernels=$(KDIR=$KDIR bash tools/kroots.sh list); then
	fail "kernels: no kernel build roots: run 'make deps'"
	# still lint against the host's tree when there is one
	kernels=
	[ -n "$KDIR" ] && [ -f "$KDIR/Makefile" ] && kernels="- $KDIR"
fi
while read -r root kdir; do
	[ -n "$kdir" ] || continue
	k=$(basename "$kdir")
	k=${k#linux-headers-}
	echo "lint: kernel $k (${root/#-/host})"
	mkdir -p "$OUT/$k"
	lint_kernel "$k" "$root" "$kdir"
done <<< "$kernels"

# ---- shell scripts ---------------------------------------------------
mapfile -t sfiles < <(git ls-files '*.sh' .ci/run 2>/dev/null)
if ! command -v shellcheck >/dev/null; then
	fail "shellcheck: not installed: run 'make deps'"
elif [ "${#sfiles[@]}" = 0 ]; then
	fail "shellcheck: no tracked shell script"
elif out=$(shellcheck -S warning -x "${sfiles[@]}" 2>&1); then
	pass "shellcheck (${#sfiles[@]} scripts)"
else
	printf '%s\n' "$out"
	fail "shellcheck"
fi

echo "lint: $passed passed, $failed failed"
[ "$failed" = 0 ]
