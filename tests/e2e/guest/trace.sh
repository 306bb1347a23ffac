# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Stage timings of the stick path from the drivers' tracepoints, for the
# bench scenario.  Sourced in dom0 (usbback's events) and in the guest
# (usbfront's events): each domain only times intervals on its own clock.
#
#   trace_start EVENT...   empty the ftrace buffer, enable SYSTEM/EVENT...
#   trace_stop             stop tracing, disable every event
#   stages_front           guest: usbfront_request/_response -> "key ms"
#   stages_back            dom0: usbback_event/_request/_submit/_urb_done/
#                          _complete
#                          -> "key ms"
#   quantiles              "key value" lines -> "key n median p99 sum"
#   irqs, fe_counters      event and request counts (see below)
#
# A request's kind comes from its length: 31 bytes is usb-storage's CBW,
# 13 its CSW, anything else data.
TR=/sys/kernel/debug/tracing

trace_start() {
	echo 0 > $TR/tracing_on
	echo 0 > $TR/events/enable
	: > $TR/trace
	for _trace_start_e in "$@"; do echo 1 > "$TR/events/$_trace_start_e/enable"; done
	echo 1 > $TR/tracing_on
}
trace_stop() {
	echo 0 > $TR/tracing_on
	echo 0 > $TR/events/enable
}

# The awk below reads ftrace's text lines: "... TIMESTAMP: EVENT: args",
# where args are "name value" pairs after the device name.
_TR_AWK='
function ts(  i) { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^usb(front|back)_/) return substr($i, 1, length($i) - 1) + 0; return -1 }
function arg(name,  i) { for (i = 1; i < NF; i++) if ($i == name) return $(i + 1); return "" }
function kind(len) { return len == 31 ? "cbw" : len == 13 ? "csw" : "data" }
function out(key, sec) { printf "%s %.6f\n", key, sec * 1000 }'

stages_front() {
	awk "$_TR_AWK"'
	/ usbfront_request: / {
		t = ts(); id = arg("id"); k = kind(arg("len"))
		req[id] = t; kd[id] = k
		if (k == "cbw" && lastcsw > 0) out("g-csw-to-cbw", t - lastcsw)
		if (k == "cbw") cmd0 = t
	}
	/ usbfront_response: / {
		t = ts(); id = arg("id")
		if (!(id in req)) next
		out("g-rtt-" kd[id], t - req[id])
		if (kd[id] == "csw") { lastcsw = t; if (cmd0 > 0) out("g-command", t - cmd0) }
		delete req[id]
	}' $TR/trace
}

stages_back() {
	awk "$_TR_AWK"'
	/ usbback_event: / { if (ev == 0) ev = ts() }
	/ usbback_request: / {
		t = ts(); id = arg("id"); seen[id] = t
		if (lastrsp > 0) out("b-rsp-to-next-req", t - lastrsp)
		if (ev > 0) out("b-event-to-req", t - ev)
		ev = 0
	}
	/ usbback_submit: / { id = arg("id"); subm[id] = ts(); kd[id] = kind(arg("len")) }
	/ usbback_urb_done: / { done[arg("id")] = ts() }
	/ usbback_complete: / {
		t = ts(); id = arg("id"); lastrsp = t
		if (!(id in seen) || !(id in subm) || !(id in done)) next
		k = kd[id]
		out("b-" k "-ring-to-submit", subm[id] - seen[id])
		out("b-" k "-host-urb", done[id] - subm[id])
		out("b-" k "-done-to-rsp", t - done[id])
		out("b-" k "-in-dom0", t - seen[id])
		delete seen[id]; delete subm[id]; delete done[id]
	}' $TR/trace
}

quantiles() {
	sort -k1,1 -k2,2g | awk '
	function flush() { if (n) printf "%s %d %.3f %.3f %.3f\n", key, n, v[int((n + 1) / 2)], v[int(n * 0.99 + 0.999)], sum }
	$1 != key { flush(); key = $1; n = 0; sum = 0 }
	{ v[++n] = $2; sum += $2 }
	END { flush() }'
}

# irqs PATTERN: events received on the event channels whose /proc/interrupts
# name matches PATTERN (usbback in dom0; usbfront or xenhcd in a guest)
irqs() {
	awk -v p="$1" '$NF ~ p {for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i} END {print s + 0}' /proc/interrupts
}
# fe_counters DEV: "REQUESTS IRQS COMMANDS" of the guest now: ring requests
# of the frontend (usbfront's stats/requests; 0 for xen-hcd, which has none),
# events it received, reads DEV completed (one usb-storage command each)
fe_counters() {
	_fe_counters_r=0
	for _fe_counters_f in /sys/bus/xen/devices/vusb-*/stats/requests; do
		[ -f "$_fe_counters_f" ] && _fe_counters_r=$((_fe_counters_r + $(cat "$_fe_counters_f")))
	done
	echo "$_fe_counters_r $(irqs 'usbfront|xenhcd') $(awk '{print $1}' /sys/block/${1#/dev/}/stat)"
}
