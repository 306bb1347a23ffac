# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Time helpers of dom0 (sourced by lib.sh) and the guest (sourced by g.sh).
# POSIX sh has no "local": a helper's variables carry its name
# (_wait_for_end), so that helpers do not clobber each other's.

now() { cut -d' ' -f1 /proc/uptime; }
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
