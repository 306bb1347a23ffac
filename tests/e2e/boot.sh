#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One boot of the bed: Xen + Debian dom0 of the flavour (lib.sh: 4.17 + 6.1
# or 4.20 + 6.12) under QEMU TCG, with the emulated USB devices, running the
# given scenarios for one matrix cell.
#
# usage: boot.sh CELL SCENARIOS LOG
#   CELL       backend/frontend, e.g. qusb/xen-hcd
#   SCENARIOS  comma list of tests/e2e/guest/scenarios/*.sh
#   LOG        serial log; every line prefixed with host seconds since start
# Environment: BOOT_TIMEOUT (s, default 900), INTERACTIVE=1 (serial on this
# terminal, dom0 shell at the end), IMG (images.sh output), STICK_IMG (the
# image behind the usb-storage stick, default the test stick), QEMU_* (lib.sh).
# Exit status: 0 dom0 says all passed, 1 something failed, 2 timeout/crash.
#
# Machine: pc, TCG, -cpu max,-smap,-xsave.  USB: one qemu-xhci with
#   port 1  usb-storage  the stick image (snapshot=on: writes are dropped)
#   port 2  usb-tablet
#   port 3  usb-kbd
#   port 4  usb-audio    full-speed, isochronous OUT (-audiodev none: the
#                        samples are consumed at the real-time rate, dropped)
# dom0 adds two dummy_hcd buses with configfs gadgets (dom0-init).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: boot.sh CELL SCENARIOS LOG"
CELL=$1 SCEN=$2 LOG=$3
IMG=${IMG:-$XENUSB_BUILD/e2e-img}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-900}
[ -f "$IMG/dom0.cpio" ] || die "no $IMG/dom0.cpio (images.sh)"
[ -f "$XEN_BIN" ] && [ -f "$VMLINUZ" ] || die "bed not set up (setup.sh)"
mkdir -p "$(dirname "$LOG")"

XEN_CMDLINE="console=com1 com1=115200,8n1 dom0_mem=$DOM0_MEM,max:$DOM0_MEM dom0_max_vcpus=$QEMU_SMP loglvl=all guest_loglvl=all"
DOM0_CMDLINE="console=hvc0 earlyprintk=xen e2e.cell=$CELL e2e.scen=$SCEN e2e.gmem=$GUEST_MEM"
[ -n "${INTERACTIVE:-}" ] && DOM0_CMDLINE+=" e2e.shell=1"
[ -n "${HOTPLUG_CYCLES:-}" ] && DOM0_CMDLINE+=" e2e.cycles=$HOTPLUG_CYCLES"
[ -n "${GUEST_UP_T:-}" ] && DOM0_CMDLINE+=" e2e.gup=$GUEST_UP_T"
# module parameters for dom0 (modprobe applies "module.param=value" from
# the command line), e.g. E2E_DOM0_ARGS="usbback.dispatch=thread"
[ -n "${E2E_DOM0_ARGS:-}" ] && DOM0_CMDLINE+=" $E2E_DOM0_ARGS"
# the bench's iteration counts (guest/scenarios/bench.sh reads e2e.BENCH_*)
# and the soak's rounds (guest/scenarios/soak.sh: e2e.SOAK_*)
for v in BENCH_4K BENCH_CTRL BENCH_BULK BENCH_SEQ_PASSES BENCH_ROUNDS BENCH_VARIANTS \
	SOAK_ROUNDS SOAK_CTRL_ROUNDS SOAK_GUEST_ROUNDS; do
	[ -n "${!v:-}" ] && DOM0_CMDLINE+=" e2e.$v=${!v}"
done
# Multiboot modules: "path args,path"; a comma inside args is written ",,"
MODULES="$VMLINUZ ${DOM0_CMDLINE//,/,,},$IMG/dom0.cpio"

# shellcheck disable=SC2054 # commas are inside QEMU option values
QEMU=(qemu-system-x86_64 -machine pc -accel "$QEMU_ACCEL" -cpu "$QEMU_CPU"
	-smp "$QEMU_SMP" -m "$QEMU_MEM" -nodefaults -display none -no-reboot
	-kernel "$XEN_BIN" -append "$XEN_CMDLINE" -initrd "$MODULES"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-device qemu-xhci,id=xhci
	-drive "if=none,id=stick,file=${STICK_IMG:-$STICK},format=raw,snapshot=on"
	-device usb-storage,bus=xhci.0,port=1,drive=stick,serial=E2ESTICK,id=stickdev
	-device usb-tablet,bus=xhci.0,port=2
	-device usb-kbd,bus=xhci.0,port=3
	-audiodev none,id=e2esnd
	-device usb-audio,bus=xhci.0,port=4,audiodev=e2esnd)

if [ -n "${INTERACTIVE:-}" ]; then
	exec "${QEMU[@]}" -serial mon:stdio
fi

# The outer QEMU's monitor, on a pair of FIFOs: dom0 asks for a change of
# the emulated hardware with a console line "E2E-HOST <request>" (the
# surprise scenario unplugs and replugs the stick), host_request answers
# it.  Only the requests below are known; the monitor's replies go to
# $LOG.monitor.
MON=$(mktemp -d "${TMPDIR:-/tmp}/xenusb-mon.XXXXXX")
mkfifo "$MON/m.in" "$MON/m.out"
cat "$MON/m.out" > "$LOG.monitor" &
mon_reader=$!
# (under set -e a failing kill, the reader already gone, would turn the
# boot's exit status into 1)
trap 'kill $mon_reader 2>/dev/null || true; rm -rf "$MON"' EXIT
# shellcheck disable=SC2054 # commas are inside QEMU option values
QEMU+=(-chardev "pipe,id=e2emon,path=$MON/m" -mon chardev=e2emon,mode=readline)
# host_request REQUEST N: N counts the requests (a new drive id per plug)
host_request() {
	case $1 in
	stick-out)
		echo "device_del stickdev" ;;
	stick-in)
		echo "drive_add 0 if=none,id=stick$2,file=${STICK_IMG:-$STICK},format=raw,snapshot=on"
		echo "device_add usb-storage,bus=xhci.0,port=1,drive=stick$2,serial=E2ESTICK,id=stickdev" ;;
	*)
		echo "boot: unknown host request '$1'" >&2
		return 0 ;;
	esac > "$MON/m.in"
	echo "E2E-HOST-DONE $1"
}

t0=${EPOCHREALTIME/./}
set +e
timeout "$BOOT_TIMEOUT" "${QEMU[@]}" -serial stdio < /dev/null 2> "$LOG.stderr" |
	while IFS= read -r line; do
		now=${EPOCHREALTIME/./}
		ms=$(((now - t0) / 1000))
		line=${line%%$'\r'*}
		printf '%4d.%03d %s\n' $((ms / 1000)) $((ms % 1000)) "$line"
		case $line in
		"E2E-HOST "*)
			nreq=$((${nreq:-0} + 1))
			printf '%4d.%03d %s\n' $((ms / 1000)) $((ms % 1000)) "$(host_request "${line#E2E-HOST }" $nreq 2>&1)" ;;
		esac
	done > "$LOG"
st=${PIPESTATUS[0]}
set -e
echo "qemu-exit $st wall $(((${EPOCHREALTIME/./} - t0) / 1000000))s" >> "$LOG"
case $st in
1) exit 0 ;;                    # isa-debug-exit 0: all passed
3) exit 1 ;;                    # isa-debug-exit 1: something failed
124) log "boot: $CELL timed out after ${BOOT_TIMEOUT}s"; exit 2 ;;
*) log "boot: $CELL: QEMU ended with status $st (crash?), see $LOG"; exit 2 ;;
esac
