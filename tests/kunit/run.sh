#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [FILTER_GLOB]
#
# Build a UML kernel with every tests/kunit/*_test.c suite built in and
# with KASAN, UBSAN and lockdep on (.kunitconfig), boot it through
# kunit.py and judge the run. It fails on:
#   - a build failure (the compiler errors are printed);
#   - a compiler warning from our suites or the core files they include;
#   - any failed, crashed or skipped test case;
#   - any kernel report in the raw console log (WARNING, BUG, Oops,
#     KASAN, UBSAN, lockdep), because KUnit can pass while the kernel
#     complains; UML's own "No virtio device ID configured" warning from
#     virt-pci.c, caused by kunit.py's arch_uml.config, is the only one
#     accepted;
#   - zero test cases run, or fewer suites than suite files.
# The last line is "kunit: N passed, N failed": test cases, plus one
# failure for each run-level problem above.
#
# Env: XENUSB_CACHE (default ~/.cache/xen-pvusb): the kernel tree and the
#      build directory kunit-uml live there (cold build ~5 min, rerun ~15 s)
#      XENUSB_BUILD (default <repo>/build): logs and results.json go to
#      $XENUSB_BUILD/kunit
#      XENUSB_HEAVY_LOCK_HELD=1: the caller already holds
#      /tmp/xenusb-heavy.lock (otherwise this script takes it)
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${XENUSB_CACHE:-$HOME/.cache/xen-pvusb}
BUILD_DIR=$CACHE/kunit-uml
OUT=${XENUSB_BUILD:-$TOP/build}/kunit
LOCK=/tmp/xenusb-heavy.lock
FILTER=${1:-}

fail_run=0
finish() {
	echo "kunit: $1 passed, $2 failed"
	[ "$2" = 0 ] && exit 0
	exit 1
}

shopt -s nullglob
suite_files=("$HERE"/*_test.c)
shopt -u nullglob
if [ "${#suite_files[@]}" = 0 ]; then
	echo "kunit: FAIL: no tests/kunit/*_test.c suite file"
	finish 0 1
fi

mkdir -p "$OUT/bin" "$BUILD_DIR"
# kunit.py runs `stty sane` after the kernel exits; without a terminal
# that only prints "Inappropriate ioctl for device". Shadow stty then.
cat > "$OUT/bin/stty" <<'SH'
#!/bin/sh
[ -t 0 ] && exec /bin/stty "$@"
exit 0
SH
chmod +x "$OUT/bin/stty"

if [ "${XENUSB_HEAVY_LOCK_HELD:-0}" != 1 ]; then
	exec 9>"$LOCK"
	if ! flock -n 9; then
		echo "kunit: waiting for $LOCK (another build or boot is running)"
		wait_start=$(date +%s)
		flock 9
		echo "kunit: waited $(($(date +%s) - wait_start)) s for the lock"
	fi
fi

KSRC=$(bash "$TOP/tools/ksrc.sh") || finish 0 1
# The graft is shared by every checkout: point it at this one while the
# lock is held, so a concurrent mutation run cannot swap it under us.
bash "$HERE/graft.sh" "$KSRC" "$HERE" >/dev/null || finish 0 1

# Recompile our objects every time so that their warnings are always seen
# (kbuild only prints them when it compiles); it costs a few seconds.
rm -f "$BUILD_DIR"/lib/xenusb-kunit/*.o
rm -f "$BUILD_DIR/test.log" "$OUT/results.json"

echo "kunit: ${#suite_files[@]} suite files, build dir $BUILD_DIR"
[ -f "$BUILD_DIR/vmlinux" ] || echo "kunit: no cached kernel: cold build, about 5 min on 2 cores"
start=$(date +%s)
(
	cd "$KSRC" &&
	PATH="$OUT/bin:$PATH" python3 tools/testing/kunit/kunit.py run \
		--arch=um --jobs=2 --timeout=300 \
		--kunitconfig="$HERE/.kunitconfig" \
		--build_dir="$BUILD_DIR" \
		--json="$OUT/results.json" \
		${FILTER:+"$FILTER"}
) > "$OUT/kunit.log" 2>&1
kunit_rc=$?
end=$(date +%s)
cp -f "$BUILD_DIR/test.log" "$OUT/test.log" 2>/dev/null || true
[ "${XENUSB_HEAVY_LOCK_HELD:-0}" != 1 ] && exec 9>&-

# Parsed per-test output, minus the build log (shown below if it matters).
grep -E '^\[[0-9:]+\] ' "$OUT/kunit.log" | grep -vE '^\[[0-9:]+\] (Configuring|Building|Starting|Regenerating|Populating|Generating)' || true
echo "kunit: kunit.py exit $kunit_rc after $((end - start)) s (log: $OUT/kunit.log)"

if [ ! -f "$OUT/results.json" ] || [ ! -f "$OUT/test.log" ]; then
	echo "kunit: FAIL: the kernel was not built or did not run; errors:"
	grep -E -B2 -A6 'error:|Error [0-9]+|\*\*\*|ERROR:|Traceback|not in \.config|KconfigParseError' \
		"$OUT/kunit.log" | head -n 120
	finish 0 1
fi

# Compiler warnings from the suites or the core files they include.
warn=$(grep -E '(xenusb-kunit/|'"$TOP"'/)[^ ]*:[0-9]+:[0-9]+: warning:' "$OUT/kunit.log" || true)
if [ -n "$warn" ]; then
	echo "kunit: FAIL: compiler warnings in our code:"
	grep -E -A2 '(xenusb-kunit/|'"$TOP"'/)[^ ]*:[0-9]+:[0-9]+: warning:' "$OUT/kunit.log"
	fail_run=$((fail_run + 1))
fi

# Kernel reports in the raw console output. UML's virt-pci warning is
# dropped as a whole block ("cut here" to "end trace"), and only when it
# carries exactly its known message.
awk '
	function flush() { for (i = 0; i < n; i++) print buf[i]; n = 0 }
	/-+\[ cut here \]-+/ { flush(); inblk = 1 }
	inblk { buf[n++] = $0
		if (/---\[ end trace [0-9a-f]+ \]---/) {
			if (!(buf[1] ~ /^WARNING: CPU: [0-9]+ PID: [0-9]+ at arch\/um\/drivers\/virt-pci\.c:[0-9]+ / &&
			      buf[2] ~ /^No virtio device ID configured for PCI - no PCI support$/))
				flush()
			n = 0; inblk = 0
		}
		next }
	{ print }
	END { flush() }' "$OUT/test.log" > "$OUT/test.filtered.log"
report_re='WARNING:|BUG:|Oops|KASAN:|UBSAN:|Kernel panic|kernel BUG|INFO: (possible|trying|task)|general protection|refcount_t:|list_(add|del) corruption|Call Trace:|Stack:|cut here'
reports=$(grep -nE "$report_re" "$OUT/test.filtered.log" || true)
if [ -n "$reports" ]; then
	echo "kunit: FAIL: kernel reports in the console log ($OUT/test.log):"
	first=$(printf '%s\n' "$reports" | head -n1 | cut -d: -f1)
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 40))p" "$OUT/test.filtered.log"
	fail_run=$((fail_run + 1))
fi

# Per-suite results from kunit.py's JSON; skipped cases count as failed:
# this project accepts no skipped checks.
if ! python3 - "$OUT/results.json" > "$OUT/summary.txt" <<'PY'
import json, sys

def leaves(group):
    for case in group.get("test_cases", []):
        yield case
    for sub in group.get("sub_groups", []):
        yield from leaves(sub)

with open(sys.argv[1]) as f:
    top = json.load(f)
suites = top.get("sub_groups", [])
tp = tf = 0
for s in suites:
    st = [c["status"] for c in leaves(s)]
    p = st.count("PASS")
    sk = st.count("SKIP")
    f = len(st) - p
    tp += p
    tf += f
    extra = f" ({sk} skipped)" if sk else ""
    mark = "ok" if f == 0 and st else "FAIL"
    print(f"  {mark:4} {s['name']}: {p} passed, {f} failed{extra}")
    for c in leaves(s):
        if c["status"] != "PASS":
            print(f"       {c['status']}: {c['name']}")
print("COUNTS", tp, tf, len(suites))
PY
then
	echo "kunit: FAIL: unreadable $OUT/results.json"
	finish 0 1
fi
grep -v '^COUNTS ' "$OUT/summary.txt"
read -r _ passed failed nsuites < <(grep '^COUNTS ' "$OUT/summary.txt")

if [ $((passed + failed)) = 0 ]; then
	echo "kunit: FAIL: zero test cases ran"
	fail_run=$((fail_run + 1))
fi
if [ "$nsuites" -lt "${#suite_files[@]}" ] && [ -z "$FILTER" ]; then
	echo "kunit: FAIL: $nsuites suites ran for ${#suite_files[@]} suite files"
	fail_run=$((fail_run + 1))
fi
if [ "$kunit_rc" != 0 ] && [ "$failed" = 0 ] && [ "$fail_run" = 0 ]; then
	echo "kunit: FAIL: kunit.py exited $kunit_rc with no failed case"
	fail_run=$((fail_run + 1))
fi
finish "$passed" $((failed + fail_run))
