# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2046,SC2034
# (SC2046: "busnum devnum" pairs split on purpose; SC2034: variables lib.sh uses)
#
# large: large transfers (indirect segments, Documentation/protocol.rst),
# only in usbback/usbfront, the one pair that speaks them.
#   large-negotiated  feature-max-indirect-segments 256 in the backend's
#                     directory and in the frontend's,
#                     usbback's statistics/max_indirect agrees
#   large-storage     the stick read with O_DIRECT 1 MiB reads at
#                     max_sectors 2048: md5 right, usbback counted indirect
#                     requests; requests per MiB printed
#   large-testusb-N   usbtest bulk cases 1 (OUT) and 2 (IN) with 1 MiB URBs
#                     on the SourceSink gadget
SCEN_NAME=large
. /e2e/lib.sh

if [ "$BACK/$FRONT" != usbback/usbfront ]; then
	skip large "large transfers are negotiated by usbback and usbfront only"
	exit 0
fi

guest_up g1 || { fail large-negotiated "$WHY"; exit 0; }
dom=$(domid_of g1)
be=$(xenstore-list /local/domain/0/backend/vusb/$dom 2>/dev/null | head -n 1)
offer=$(xenstore-read /local/domain/0/backend/vusb/$dom/$be/feature-max-indirect-segments 2>/dev/null)
choice=$(xenstore-read /local/domain/$dom/device/vusb/$be/feature-max-indirect-segments 2>/dev/null)
used=$(ustat max_indirect)
info "large: controller $be: offered '$offer', frontend chose '$choice', usbback uses '$used'"
if [ "$offer" = 256 ] && [ "$choice" = 256 ] && [ "$used" = 256 ]; then
	pass large-negotiated
else
	fail large-negotiated "offered '$offer', chosen '$choice', used '$used' (want 256 each)"
fi

# The stick, read in 1 MiB O_DIRECT commands.
bid=$(find_usb "$P_STICK")
if [ -z "$bid" ]; then
	fail large-storage "'$P_STICK' not found in dom0"
elif ! attach g1 $bid; then
	fail large-storage "usbdev-attach: $(xl_err)"
else
	r0=$(ustat requests) b0=$(ustat bytes_in) i0=$(ustat indirect)
	out=$(gexec g1 180 "d=\$(wait_for 60 disk '$P_STICK') || { echo 'no disk after 60s'; exit 1; }
		echo 2048 > /sys/block/\${d#/dev/}/device/max_sectors
		echo \"ms \$(cat /sys/block/\${d#/dev/}/device/max_sectors)\"
		t=\$(now)
		echo \"md5 \$(dd if=\$d bs=1M count=$CHECK_MB iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1) \$(elapsed \$t)\"")
	r1=$(ustat requests) b1=$(ustat bytes_in) i1=$(ustat indirect)
	detach g1 $bid || info "large-storage: usbdev-detach: $(xl_err)"
	md5=$(echo "$out" | sed -n 's/^md5 \([0-9a-f]*\) .*/\1/p')
	secs=$(echo "$out" | sed -n 's/^md5 [0-9a-f]* //p')
	ms=$(echo "$out" | sed -n 's/^ms //p')
	mib=$(((b1 - b0) / 1048576))
	rpm=$(awk -v r=$((r1 - r0)) -v m="$mib" 'BEGIN { if (m > 0) printf "%.1f", r / m; else print "?" }')
	info "large-storage: max_sectors $ms, $CHECK_MB MiB in ${secs}s; usbback: $((r1 - r0)) requests, $((i1 - i0)) indirect, $mib MiB in: $rpm requests per MiB"
	if [ "$md5" != "$CHECK_MD5" ]; then
		fail large-storage "md5 '$md5', want $CHECK_MD5 ($(echo "$out" | tail -n 1))"
	elif [ $((i1 - i0)) -le 0 ]; then
		fail large-storage "no indirect request reached usbback"
	else
		pass large-storage
	fi
fi

# usbtest with 1 MiB bulk URBs on the SourceSink gadget.
bid=$(find_usb "$P_SS")
if [ -z "$bid" ]; then
	fail large-testusb "SourceSink gadget not in dom0"
	exit 0
fi
attach g1 $bid || { fail large-testusb "usbdev-attach: $(xl_err)"; exit 0; }
node=$(gexec g1 60 "wait_for 40 usbtest_ready '$P_SS' || { echo 'usbtest not bound after 40s'; exit 1; }
	devnode '$P_SS'" | grep '^/dev/bus/usb/' | head -n 1)
if [ -z "$node" ]; then
	fail large-testusb "usbtest not bound in the guest"
else
	for n in 1 2; do
		i0=$(ustat indirect)
		res=$(gexec g1 120 "testusb -D $node -t $n -c 10 -s 1048576")
		i1=$(ustat indirect)
		if echo "$res" | grep -q -- '-->'; then
			fail large-testusb-$n "$(echo "$res" | grep -- '-->' | head -n 1 | sed 's/.*-->/-->/')"
		elif ! echo "$res" | grep -q "test $n,"; then
			fail large-testusb-$n "no testusb verdict: $(echo "$res" | tail -n 1)"
		elif [ $((i1 - i0)) -lt 10 ]; then
			fail large-testusb-$n "only $((i1 - i0)) indirect requests for 10 URBs of 1 MiB"
		else
			info "large-testusb-$n: $(echo "$res" | sed -n "s/.*test $n, *//p"); $((i1 - i0)) indirect requests"
			pass large-testusb-$n
		fi
	done
fi
detach g1 $bid || info "large-testusb: usbdev-detach: $(xl_err)"
