#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the cached dom0 and domU root trees ($CACHE/base/{dom0,domU}) from
# the debootstrap'd sysroot and the unpacked Debian kernel.  Nothing of the
# project goes in here: images.sh copies these trees per run and adds the
# scenario scripts, our modules and the test peers.
#
#   domU: busybox, the xenstore client (the scenario RPC runs over xenstore),
#         USB class drivers (storage, hid, usbtest, snd-usb-audio), usbmon,
#         aplay with libasound's configuration
#   dom0: busybox, kmod, xl/libxl, C xenstored, xenconsoled, xen-init-dom0,
#         xenstore client, lsusb, qemu-system-xen (the qusb backend), Xen
#         device modules, xhci/ehci/uhci, USB class drivers, dummy_hcd and
#         configfs gadget functions (SourceSink, mass_storage), usbtest, and
#         the Debian kernel that the domUs boot, aplay (native reference
#         of the iso scenario)
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

MODDIR=lib/modules/$KVER
XB=/usr/lib/xen-$XENVER/bin
# Inputs of this step; the trees are rebuilt when any of them changes
KEY="$(md5sum < "$0" | cut -c1-12) $(cat "$CACHE/.stamp-kernel") $(cat "$SHARED/.stamp-sysroot")"
if stamp_ok base "$KEY" && [ -d "$BASE/dom0" ] && [ -d "$BASE/domU" ]; then
	exit 0
fi

# new_root DIR: usr-merged skeleton like Debian 12, with static busybox
new_root() {
	local r=$1
	rm -rf "$r"
	mkdir -p "$r"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,dev,proc,sys,run,tmp,etc,root,mnt,var/log,var/lib}
	ln -s ../run "$r/var/run"
	ln -s usr/bin "$r/bin"; ln -s usr/sbin "$r/sbin"
	ln -s usr/lib "$r/lib"; ln -s usr/lib64 "$r/lib64"
	cp "$SYSROOT/usr/bin/busybox" "$r/usr/bin/busybox"
	echo 'root:x:0:0:root:/root:/bin/sh' > "$r/etc/passwd"
	echo 'root:x:0:' > "$r/etc/group"
}

# copy_bin ROOT PATH...: sysroot files (same path) plus their shared
# libraries as ldd resolves them inside the sysroot
copy_bin() {
	local r=$1 f lib
	shift
	for f in "$@"; do
		mkdir -p "$r$(dirname "$f")"
		cp -L "$SYSROOT$f" "$r$f"
		chroot "$SYSROOT" ldd "$f" 2>/dev/null |
			awk '/=>/ {print $3} /^\t\// {print $1}' | while read -r lib; do
			[ -e "$r$lib" ] && continue
			mkdir -p "$r$(dirname "$lib")"
			cp -L "$SYSROOT$lib" "$r$lib"
		done
	done
}

# copy_mods ROOT MODULE...: Debian modules with their dependencies
copy_mods() {
	local r=$1 m ko
	shift
	mkdir -p "$r/$MODDIR"
	for m in "$@"; do
		modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" |
			awk '$1=="insmod" {print $2}' | while read -r ko; do
			mkdir -p "$r/$(dirname "${ko#"$KROOT"/}")"
			cp "$ko" "$r/${ko#"$KROOT"/}"
		done
	done
	cp "$KROOT/$MODDIR"/modules.{order,builtin,builtin.modinfo} "$r/$MODDIR/"
}

# sd_mod asks for these crc algorithms at run time (t10-pi), not via modules.dep
STORAGE_MODS="usb-storage uas sd_mod crc64_rocksoft_generic crct10dif_generic"
# snd-usb-audio drives QEMU's usb-audio (isochronous OUT) for the iso scenario
CLASS_MODS="$STORAGE_MODS usbhid hid-generic usbtest usbmon vfat nls_cp437 nls_ascii snd-usb-audio"

# copy_alsa ROOT: aplay and the configuration libasound reads at open
# (/usr/share/alsa/alsa.conf; without it even "hw:N,0" does not open)
copy_alsa() {
	copy_bin "$1" /usr/bin/aplay
	mkdir -p "$1/usr/share"
	cp -a "$SYSROOT/usr/share/alsa" "$1/usr/share/"
}

mkdir -p "$BASE"

######################################## domU
R=$BASE/domU.tmp
new_root "$R"
copy_bin "$R" /usr/bin/xenstore
for t in read write exists list rm watch ls chmod; do ln -s xenstore "$R/usr/bin/xenstore-$t"; done
# shellcheck disable=SC2086
copy_mods "$R" usbcore $CLASS_MODS
copy_alsa "$R"
depmod -b "$R" "$KVER"
rm -rf "$BASE/domU"; mv "$R" "$BASE/domU"

######################################## dom0
R=$BASE/dom0.tmp
new_root "$R"
copy_bin "$R" $XB/xl $XB/xenstored $XB/xenconsoled $XB/xenconsole \
	$XB/xen-init-dom0 $XB/libxl-save-helper $XB/xenstore-control \
	/usr/bin/xenstore /usr/bin/kmod /usr/bin/lsusb /usr/libexec/xen-qemu-system-i386
for t in xl xenstored xenconsoled xenconsole xen-init-dom0 xenstore-control; do
	ln -s ../lib/xen-$XENVER/bin/$t "$R/usr/sbin/$t"
done
for t in read write exists list rm watch ls chmod; do ln -s xenstore "$R/usr/bin/xenstore-$t"; done
for t in modprobe insmod rmmod lsmod depmod modinfo; do ln -s ../bin/kmod "$R/usr/sbin/$t"; done
mkdir -p "$R/usr/share" "$R/etc/xen" "$R/var/lib/xen" "$R/var/lib/xenstored" "$R/var/log/xen/console"
cp -a "$SYSROOT/usr/share/misc" "$R/usr/share/"        # usb.ids for lsusb
cp "$SYSROOT/etc/xen/xl.conf" "$R/etc/xen/"
cp -a "$SYSROOT/etc/xen/scripts" "$R/etc/xen/"
mkdir -p "$R/usr/share/qemu"
cp -a "$SYSROOT/usr/share/qemu/keymaps" "$R/usr/share/qemu/" 2>/dev/null || true
# shellcheck disable=SC2086
copy_mods "$R" xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs \
	xhci-pci ehci-pci uhci-hcd $CLASS_MODS \
	dummy_hcd configfs libcomposite usb_f_ss_lb usb_f_mass_storage
copy_alsa "$R"
depmod -b "$R" "$KVER"
mkdir -p "$R/e2e/domU"
cp "$VMLINUZ" "$R/e2e/domU/vmlinuz"
rm -rf "$BASE/dom0"; mv "$R" "$BASE/dom0"

stamp_set base "$KEY"
log "base: dom0 $(du -sh "$BASE/dom0" | cut -f1), domU $(du -sh "$BASE/domU" | cut -f1)"
