# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Time helpers of dom0 (sourced by lib.sh) and the guest (sourced by g.sh).
# POSIX sh has no "local": a helper's variables carry its name
# (_wait_for_end), so that helpers do not clobber each other's.

now() { cut -d' ' -f1 /proc/uptime; }

# kmemleak: only the debug flavour's kernel has it (elsewhere both helpers
# do nothing).  kmemleak_baseline, early in dom0's and each guest's init:
# one scan, then what it found is marked as reported, so that the boot's
# own suspects (before any module of ours loads) do not count.
# kmemleak_report: two scans (kmemleak reports an object only once it is
# older than 5 s and a scan found no reference to it), then the report:
# its "unreferenced object" lines fail the kernel-log check (KPAT).
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_baseline() {
	[ -w $KMEMLEAK ] || return 0
	echo scan > $KMEMLEAK
	echo clear > $KMEMLEAK
}
kmemleak_report() {
	[ -w $KMEMLEAK ] || return 0
	echo scan > $KMEMLEAK
	sleep 6
	echo scan > $KMEMLEAK
	cat $KMEMLEAK
}
# elapsed T0: seconds since T0 (a value of $(now)), 2 decimals
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
# wait_for SECS CMD...: poll CMD every 0.2 s until it succeeds or SECS
# seconds of wall-clock time have passed (then CMD runs a last time).  The
# clock is /proc/uptime in hundredths ("123.45" -> 12345), read with the
# read builtin: a poll costs no extra process on a loaded dom0.
wait_for() {
	read -r _wait_for_u _wait_for_i < /proc/uptime
	_wait_for_end=$((${_wait_for_u%.*}${_wait_for_u#*.} + $1 * 100))
	shift
	while :; do
		"$@" && return 0
		read -r _wait_for_u _wait_for_i < /proc/uptime
		[ "${_wait_for_u%.*}${_wait_for_u#*.}" -lt $_wait_for_end ] || break
		sleep 0.2
	done
	"$@"
}
