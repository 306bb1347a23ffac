# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2034
# (SC2034: variables lib.sh uses)
#
# modparam: our modules refuse out-of-range parameters, at load time and
# through /sys/module/<mod>/parameters, and keep the old value.
#   modparam-usbback   dom0-init tried "modprobe usbback max_iso_packets=0"
#                      before the real load (/tmp/modparam-load); at run
#                      time 0 and 4097 are refused for max_iso_packets,
#                      0 for retry_ms, 4 and -1 for max_ring_page_order,
#                      "fifo" for dispatch, "dma" for buffer_mode, and an
#                      in-range value is taken
#   modparam-usbfront  the guest's init tried "modprobe usbfront reclaim_ms=0"
#                      before the real load (data/e2e/modparam); at run time
#                      reclaim_ms 0, 9 and 60001 and max_ring_page_order 4
#                      are refused, reclaim_ms 500 is taken
# Cells without the module print SKIP for it.
SCEN_NAME=modparam
. /e2e/lib.sh

P=/sys/module/usbback/parameters
# refused FILE VALUE: writing VALUE to FILE fails and FILE keeps its value
refused() {
	_refused_old=$(cat "$1")
	echo "$2" > "$1" 2>/dev/null && { echo "$1 took $2"; return 1; }
	[ "$(cat "$1")" = "$_refused_old" ] || { echo "$1 changed to $(cat "$1") after a refused write"; return 1; }
}
usbback_params() {
	case $(cat /tmp/modparam-load 2>/dev/null) in
	refused*) ;;
	*) echo "modprobe usbback max_iso_packets=0: $(cat /tmp/modparam-load 2>/dev/null || echo 'not tried')"; return 1 ;;
	esac
	refused $P/max_iso_packets 0 || return 1
	refused $P/max_iso_packets 4097 || return 1
	refused $P/max_iso_packets -1 || return 1
	refused $P/retry_ms 0 || return 1
	refused $P/max_ring_page_order 4 || return 1
	refused $P/max_ring_page_order -1 || return 1
	refused $P/dispatch fifo || return 1
	refused $P/buffer_mode dma || return 1
	_usbback_params_old=$(cat $P/max_iso_packets)
	echo 2048 > $P/max_iso_packets && [ "$(cat $P/max_iso_packets)" = 2048 ] ||
		{ echo "max_iso_packets=2048 not taken"; return 1; }
	echo "$_usbback_params_old" > $P/max_iso_packets
}
if [ "$BACK" = usbback ]; then
	_why=$(usbback_params)
	if [ $? = 0 ]; then
		info "modparam-usbback: load: $(cat /tmp/modparam-load)"
		pass modparam-usbback
	else
		fail modparam-usbback "$_why"
	fi
else
	skip modparam-usbback "no usbback in this cell"
fi

if [ "$FRONT" = usbfront ]; then
	if ! guest_up g1; then
		fail modparam-usbfront "$WHY"
	else
		_load=$(xenstore-read "/local/domain/$(domid_of g1)/data/e2e/modparam" 2>/dev/null)
		_out=$(gexec g1 20 reclaim_ms_check)
		_rc=$?
		case $_load in
		refused*)
			if [ $_rc = 0 ]; then
				info "modparam-usbfront: load: $_load"
				pass modparam-usbfront
			else
				fail modparam-usbfront "reclaim_ms at run time: $_out"
			fi ;;
		*) fail modparam-usbfront "modprobe usbfront reclaim_ms=0 in the guest: ${_load:-not tried}" ;;
		esac
	fi
else
	skip modparam-usbfront "no usbfront in this cell"
fi
