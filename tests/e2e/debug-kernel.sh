#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The debug kernel of the bookworm-debug flavour (make e2e-debug): Debian's
# own 6.1 source (linux-source-6.1, unpacked by tools/ksrc.sh into
# $DBG_CACHE/linux-source-6.1), Debian's config of the
# bed's linux-image-$KVER trimmed to what the bed loads, with the kernel's
# checkers switched on (Documentation/testing-e2e.rst, "The debug
# flavour").  Built out of tree (the unpacked source stays clean; the KUnit
# build uses it too) under $DBG_CACHE:
#
#   build/    the build tree: KDIR for out-of-tree modules (usbback,
#             usbfront, the test modules, xen-hcd)
#   kernel/   boot/{vmlinuz,System.map,config}-$DBG_KVER and
#             lib/modules/$DBG_KVER (modules_install, depmod'ed)
#   .stamp-kernel   what was built: source, Debian config, fragment
#
# A second run with the same inputs does nothing.  The build runs with
# nice -n 19 and DBG_JOBS (default 2) jobs.
#
#   debug-kernel.sh            configure and build (or reuse the cache)
#   debug-kernel.sh config     only write build/.config
#   debug-kernel.sh kver       print the kernel release it builds
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
XENUSB_CACHE=${XENUSB_CACHE:-$HOME/.cache/xen-pvusb}
DBG_CACHE=${DBG_CACHE:-$XENUSB_CACHE/e2e-debug}
DBG_JOBS=${DBG_JOBS:-2}
# The production kernel whose config we start from (the bookworm flavour's
# unpacked linux-image; setup.sh of that flavour puts it there)
PROD_KROOT=${PROD_KROOT:-$XENUSB_CACHE/e2e/kernel}
LOCALVERSION=-xenusb-debug
OUT=$DBG_CACHE/build
INST=$DBG_CACHE/kernel

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: debug-kernel: $*"; exit 1; }

# The modules the bed loads (base.sh copy_mods, guest/dom0-init,
# guest/domU-init, the scenarios' modprobe calls), as lsmod names, plus the
# gadget functions issue 13 names (HID, UAC2).  localmodconfig keeps these
# and what they need, and turns every other module off.
BED_MODULES="
usbcore usb_common
xen_evtchn xen_gntdev xen_gntalloc xen_privcmd xenfs
xhci_pci xhci_hcd ehci_pci ehci_hcd uhci_hcd
usb_storage uas sd_mod scsi_mod scsi_common t10_pi
crc64_rocksoft_generic crc64_rocksoft crct10dif_generic crc_t10dif
usbhid hid hid_generic usbtest usbmon
vfat fat nls_cp437 nls_ascii
snd_usb_audio snd_usbmidi_lib snd_hwdep snd_rawmidi snd_pcm snd_timer snd soundcore
dummy_hcd configfs libcomposite udc_core
usb_f_ss_lb usb_f_mass_storage usb_f_hid usb_f_uac2 u_audio
"

# The checkers and the trim, applied after localmodconfig (scripts/config
# syntax: OPTION=value, OPTION=n to switch off).  No KASAN: see
# Documentation/testing-e2e.rst (a Xen PV kernel does not boot with it).
FRAGMENT="
LOCALVERSION=\"$LOCALVERSION\"
LOCALVERSION_AUTO=n
DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=n
DEBUG_INFO_NONE=y
DEBUG_INFO_BTF=n
MODULE_SIG=n
MODULE_SIG_ALL=n
SYSTEM_TRUSTED_KEYS=\"\"
SYSTEM_REVOCATION_KEYS=\"\"
SECURITY_SELINUX=n
SECURITY_TOMOYO=n
SECURITY_APPARMOR=n
IMA=n
EVM=n
DEFAULT_SECURITY_DAC=y
SECURITY=n
AUDIT=n
DRM=n
FB=n
WLAN=n
WIRELESS=n
MEDIA_SUPPORT=n
STAGING=n
IPV6=n
NETFILTER=n
NET_SCHED=n
MPTCP=n
NETLABEL=n
BPF_SYSCALL=n
BPF_JIT=n
EFI=n
INTEL_IOMMU=n
AMD_IOMMU=n
HYPERV=n
USB_CONFIGFS=m
USB_CONFIGFS_F_LB_SS=y
USB_CONFIGFS_MASS_STORAGE=y
USB_CONFIGFS_F_HID=y
USB_CONFIGFS_F_UAC2=y
UBSAN=y
UBSAN_BOUNDS=y
UBSAN_SHIFT=y
UBSAN_DIV_ZERO=y
UBSAN_BOOL=y
UBSAN_ENUM=y
UBSAN_ALIGNMENT=n
UBSAN_SANITIZE_ALL=y
UBSAN_TRAP=n
PROVE_LOCKING=y
DEBUG_LOCKDEP=n
DEBUG_ATOMIC_SLEEP=y
DEBUG_OBJECTS=y
DEBUG_OBJECTS_FREE=y
DEBUG_OBJECTS_TIMERS=y
DEBUG_OBJECTS_WORK=y
DEBUG_OBJECTS_RCU_HEAD=y
DEBUG_OBJECTS_PERCPU_COUNTER=y
DEBUG_OBJECTS_ENABLE_DEFAULT=1
DEBUG_KMEMLEAK=y
DEBUG_KMEMLEAK_DEFAULT_OFF=n
DEBUG_KMEMLEAK_AUTO_SCAN=n
DEBUG_KMEMLEAK_MEM_POOL_SIZE=16000
SLUB_DEBUG=y
SLUB_DEBUG_ON=y
KFENCE=y
KFENCE_SAMPLE_INTERVAL=100
DEBUG_LIST=y
DEBUG_SG=y
DEBUG_NOTIFIERS=y
BUG_ON_DATA_CORRUPTION=y
PANIC_ON_OOPS=n
"

# A copy of the source of our own: the shared one (tools/ksrc.sh) carries
# the KUnit build's graft in its Kconfig
SRC=$(XENUSB_CACHE=$DBG_CACHE bash "$TOP/tools/ksrc.sh")
DBG_KVER=$(make -s -C "$SRC" kernelversion)$LOCALVERSION
PROD_CONFIG=
for f in "$PROD_KROOT"/boot/config-*; do
	[ -f "$f" ] && PROD_CONFIG=$f
done

if [ "${1:-}" = kver ]; then
	echo "$DBG_KVER"
	exit 0
fi
[ -n "$PROD_CONFIG" ] ||
	die "no Debian kernel config in $PROD_KROOT/boot: run tests/e2e/setup.sh (E2E_FLAVOUR=bookworm) first"

# Local fixes of Linux's own code that the checkers would otherwise trip
# over before they reach ours (lockdep reports once, then switches itself
# off): tests/e2e/debug-patches, each file says why.  Applied once to our
# copy of the source; another set of patches starts from a fresh copy.
PATCH_DIR=$HERE/debug-patches
PATCHES_KEY=$(cat "$PATCH_DIR"/*.patch | md5sum | cut -c1-32)
# CFG_KEY: what the .config is made of; KEY: all that the build depends on
CFG_KEY="$(cat "$SRC/.xenusb-unpacked") $(md5sum < "$PROD_CONFIG" | cut -c1-32) $(printf '%s%s' "$BED_MODULES" "$FRAGMENT" | md5sum | cut -c1-32) $DBG_KVER"
KEY="$CFG_KEY patches $PATCHES_KEY"
STAMP=$DBG_CACHE/.stamp-kernel
if [ -z "${1:-}" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KEY" ]; then
	exit 0
fi

kmake() { nice -n 19 make -C "$SRC" O="$OUT" "$@"; }

configure() {
	local lsmod=$OUT/bed.lsmod o
	mkdir -p "$OUT"
	cp "$PROD_CONFIG" "$OUT/.config"
	{
		echo "Module Size Used"
		for o in $BED_MODULES; do echo "$o 0 0"; done
	} > "$lsmod"
	kmake -s LSMOD="$lsmod" localmodconfig < /dev/null > "$OUT/localmodconfig.log" 2>&1 ||
		die "localmodconfig failed: $OUT/localmodconfig.log"
	while read -r o; do
		[ -n "$o" ] || continue
		case ${o#*=} in
		n) "$SRC/scripts/config" --file "$OUT/.config" --disable "${o%%=*}" ;;
		y) "$SRC/scripts/config" --file "$OUT/.config" --enable "${o%%=*}" ;;
		m) "$SRC/scripts/config" --file "$OUT/.config" --module "${o%%=*}" ;;
		\"*) "$SRC/scripts/config" --file "$OUT/.config" --set-str "${o%%=*}" "$(eval "echo ${o#*=}")" ;;
		*) "$SRC/scripts/config" --file "$OUT/.config" --set-val "${o%%=*}" "${o#*=}" ;;
		esac
	done <<< "$FRAGMENT"
	kmake -s olddefconfig > /dev/null
	# every checker must have survived olddefconfig (a dependency missing
	# would silently drop it)
	for o in UBSAN PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_OBJECTS DEBUG_OBJECTS_TIMERS \
		DEBUG_OBJECTS_WORK DEBUG_KMEMLEAK SLUB_DEBUG_ON KFENCE XEN_PV XEN_DOM0 \
		BLK_DEV_INITRD DEVTMPFS TMPFS UNIX HVC_XEN XEN_BACKEND; do
		grep -qx "CONFIG_$o=y" "$OUT/.config" || die "CONFIG_$o is not =y after olddefconfig"
	done
}

# one build at a time in this cache (two runs of the flavour may start it)
mkdir -p "$DBG_CACHE"
exec 9> "$DBG_CACHE/.build.lock"
flock 9
if [ -z "${1:-}" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KEY" ]; then
	exit 0   # the other run built it meanwhile
fi
if [ "$(cat "$SRC/.xenusb-patches" 2>/dev/null)" != "$PATCHES_KEY" ]; then
	if [ -f "$SRC/.xenusb-patches" ]; then
		rm -f "$SRC/.xenusb-unpacked"   # another set applied: unpack afresh
		SRC=$(XENUSB_CACHE=$DBG_CACHE bash "$TOP/tools/ksrc.sh")
	fi
	for p in "$PATCH_DIR"/*.patch; do
		log "debug-kernel: applying ${p##*/}"
		patch -d "$SRC" -p1 -N -s < "$p" || die "${p##*/} does not apply to $SRC"
	done
	printf '%s\n' "$PATCHES_KEY" > "$SRC/.xenusb-patches"
fi
# the config only when its inputs changed: an unchanged .config lets make
# go on where an interrupted build stopped
CONFIG_KEY=$OUT/.xenusb-config-key
if [ "${1:-}" = config ] || [ ! -f "$OUT/.config" ] || [ "$(cat "$CONFIG_KEY" 2>/dev/null)" != "$CFG_KEY" ]; then
	configure
	printf '%s\n' "$CFG_KEY" > "$CONFIG_KEY"
fi
[ "${1:-}" = config ] && exit 0

t=$SECONDS
log "debug-kernel: building $DBG_KVER in $OUT (nice -n 19, -j$DBG_JOBS)"
kmake -j"$DBG_JOBS" bzImage modules > "$OUT/build.log" 2>&1 ||
	{ tail -n 30 "$OUT/build.log" >&2; die "build failed: $OUT/build.log"; }
rm -rf "$INST.tmp"
mkdir -p "$INST.tmp/boot"
kmake -s INSTALL_MOD_PATH="$INST.tmp" modules_install > /dev/null
# every module the bed loads is there, as a module or built in
missing=
for m in $BED_MODULES; do
	modprobe -d "$INST.tmp" -S "$DBG_KVER" --show-depends "$m" > /dev/null 2>&1 || missing="$missing $m"
done
[ -z "$missing" ] || die "the build has no$missing (BED_MODULES; $OUT/.config)"
cp "$OUT/arch/x86/boot/bzImage" "$INST.tmp/boot/vmlinuz-$DBG_KVER"
cp "$OUT/System.map" "$INST.tmp/boot/System.map-$DBG_KVER"
cp "$OUT/.config" "$INST.tmp/boot/config-$DBG_KVER"
rm -rf "$INST"
mv "$INST.tmp" "$INST"
printf '%s\n' "$KEY" > "$STAMP"
log "debug-kernel: $DBG_KVER built in $((SECONDS - t))s"
