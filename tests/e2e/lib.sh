# shellcheck shell=bash disable=SC2034
# (SC2034: the variables are for the scripts that source this file)
# SPDX-License-Identifier: GPL-2.0
#
# Host-side settings shared by the e2e scripts (run.sh, demo.sh, bench.sh,
# setup.sh, boot.sh).  Source it; every variable can be overridden from the
# environment.
#
#   XENUSB_CACHE   downloads, sysroot, kernel, peers, base images
#                  (default ~/.cache/xen-pvusb; the bed lives in $CACHE/e2e)
#   XENUSB_BUILD   per-run output; results go to $XENUSB_BUILD/e2e-results
#   E2E_FLAVOUR    which Debian release the bed is made of (dom0, guests,
#                  Xen, toolstack; QEMU is always the host's):
#                    bookworm  Debian 12: Xen 4.17, Linux 6.1 (the default)
#                    trixie    Debian 13: Xen 4.20, Linux 6.12
#                    bookworm-debug  bookworm with a debug kernel built from
#                              Debian's 6.1 source (debug-kernel.sh; make
#                              e2e-debug); not in `make e2e`
#   KVER           Debian kernel ABI.  bookworm: pinned to the host's installed
#                  linux-headers-amd64; trixie: to the linux-headers-amd64 of
#                  the flavour's sysroot, where its modules are built
#   XENVER         Xen series of Debian's hypervisor and tools packages

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$E2E_DIR/../.." && pwd)
XENUSB_CACHE=${XENUSB_CACHE:-$HOME/.cache/xen-pvusb}
XENUSB_BUILD=${XENUSB_BUILD:-$TOP/build}
RESULTS=${RESULTS:-$XENUSB_BUILD/e2e-results}

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The flavours `make e2e` runs, in this order, and the flavour of this script
E2E_FLAVOURS_ALL="bookworm trixie"
E2E_FLAVOUR=${E2E_FLAVOUR:-bookworm}
# E2E_SCENARIOS: what `make e2e` runs in each boot of the flavour (SCENARIOS=);
# surprise stays last: it replaces the stick and rebinds the gadget
case $E2E_FLAVOUR in
bookworm)
	E2E_SCENARIOS=modparam,storage,hid,testusb,large,setconfig,iso,hotplug,lifecycle,admin-input,saverestore,reconnect,hostile-frontend,hostile-backend,features,surprise
	XENVER=${XENVER:-4.17}
	SUITE=${SUITE:-bookworm}
	CACHE=$XENUSB_CACHE/e2e
	DPKG_ADMIN=/var/lib/dpkg ;;          # the host builds this flavour's modules
trixie)
	E2E_SCENARIOS=modparam,storage,hid,testusb,iso,hotplug,lifecycle
	XENVER=${XENVER:-4.20}
	SUITE=${SUITE:-trixie}
	CACHE=$XENUSB_CACHE/e2e-trixie
	DPKG_ADMIN=$CACHE/sysroot/var/lib/dpkg ;;  # built in the sysroot (chroot)
bookworm-debug)
	# the scenarios that hurt; QEMU, Xen, sysroot and stick are bookworm's.
	# saverestore last: lockdep reports Linux's own xenbus at xl save
	# (tests/e2e/xfail, klog-xenbus-suspend) and is off in that guest after
	E2E_SCENARIOS=storage,iso,hotplug,lifecycle,reconnect,hostile-frontend,hostile-backend,saverestore
	XENVER=${XENVER:-4.17}
	SUITE=${SUITE:-bookworm}
	CACHE=$XENUSB_CACHE/e2e-debug
	DPKG_ADMIN=/var/lib/dpkg ;;
*)
	die "E2E_FLAVOUR=$E2E_FLAVOUR: want one of $E2E_FLAVOURS_ALL bookworm-debug" ;;
esac
# DEBUG_FLAVOUR: the flavour whose kernel is debug-kernel.sh's; its Xen,
# sysroot and stick are those of bookworm's cache (SHARED, read only)
DEBUG_FLAVOUR=
SHARED=$CACHE
case $E2E_FLAVOUR in *-debug) DEBUG_FLAVOUR=1 SHARED=$XENUSB_CACHE/e2e ;; esac
# BUILD_CHROOT: where this flavour's kernel modules are compiled ("" = the host)
BUILD_CHROOT=
[ "$DPKG_ADMIN" = /var/lib/dpkg ] || BUILD_CHROOT=${DPKG_ADMIN%/var/lib/dpkg}

# KVER: the ABI that linux-headers-amd64 points to, where the modules are
# built.  Our modules are built against those headers, so the kernel we boot
# must be exactly that ABI and package version (checked in setup.sh).  A
# flavour built in its sysroot has no KVER before setup.sh made the sysroot
# (KVER_OPTIONAL=1 lets setup.sh get that far).
if [ -z "${KVER:-}" ] && [ -n "$DEBUG_FLAVOUR" ]; then
	KVER=$(DBG_CACHE=$CACHE bash "$E2E_DIR/debug-kernel.sh" kver)
elif [ -z "${KVER:-}" ]; then
	KVER=$(dpkg-query --admindir="$DPKG_ADMIN" -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		sed -n 's/.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p' || true)
fi
if [ -z "${KVER:-}" ] && [ -z "${KVER_OPTIONAL:-}" ]; then
	[ -z "$BUILD_CHROOT" ] && die "linux-headers-amd64 is not installed: run 'make deps'"
	die "no linux-headers-amd64 in $BUILD_CHROOT: run tests/e2e/setup.sh"
fi
KDIR_E2E=/usr/src/linux-headers-$KVER   # inside BUILD_CHROOT when set
[ -z "$DEBUG_FLAVOUR" ] || KDIR_E2E=$CACHE/build   # debug-kernel.sh's build tree
# Debian version of the headers package, e.g. 6.1.192-2; the image must match
KPKGVER=$(dpkg-query --admindir="$DPKG_ADMIN" -W -f='${Version}' "linux-headers-$KVER" 2>/dev/null || true)

# Cache layout ($CACHE is per flavour)
DEBS=$SHARED/debs               # apt-get download'ed .debs
KROOT=$CACHE/kernel             # unpacked linux-image-$KVER (depmod'ed)
XEN_BIN=$SHARED/xen/xen-$XENVER-amd64  # gunzipped multiboot ELF
SYSROOT=$SHARED/sysroot         # debootstrap: xl, xenstored, qemu-xen, usbutils
PEERS=$CACHE/peers              # xen-hcd.ko, testusb (built from linux-source)
BASE=$CACHE/base                # dom0/domU root trees cut from the sysroot
STICK=$SHARED/stick.img         # the USB stick image (known content)
STICK_MB=${STICK_MB:-64}
STICK_MAGIC=XEN-PVUSB-E2E-STICK
CHECK_MB=16                     # storage checks the md5 of the first 16 MiB
DEMO_STICK=$SHARED/demo-stick.img  # FAT stick with HELLO.TXT for demo.sh
DEMO_TEXT="Hello from a USB stick in dom0, read by a Xen PV guest."
VMLINUZ=$KROOT/boot/vmlinuz-$KVER

# Our drivers and the bed's test modules: as `make` leaves them on the host,
# or where modules.sh puts those built for a flavour's own kernel
if [ -z "$BUILD_CHROOT" ] && [ -z "$DEBUG_FLAVOUR" ]; then
	KO_DIR=$TOP
else
	KO_DIR=$XENUSB_BUILD/e2e-ko-$E2E_FLAVOUR
fi
USBBACK_KO=${USBBACK_KO:-$KO_DIR/usbback/usbback.ko}
USBFRONT_KO=${USBFRONT_KO:-$KO_DIR/usbfront/usbfront.ko}
TEST_KO_DIR=$KO_DIR/tests/e2e/hostile

# QEMU.  TCG only (no usable KVM here).  -cpu: SMAP crashes Xen 4.17's dom0
# under TCG; XSAVE under TCG corrupts ~1/1000 PV user processes (lab report).
QEMU_CPU=${QEMU_CPU:-max,-smap,-xsave}
QEMU_ACCEL=${QEMU_ACCEL:-tcg,thread=multi}
# One vCPU: dom0 and the guests then share it inside Xen.  Measured here it
# is faster than 2 (dom0 loads its modules in 2 s instead of 9-14 s, the
# cell runs in under 5 min) and it degrades gracefully when another TCG
# QEMU shares the 2 host cores, where SMP=2 slowed 10-20x and timed out.
QEMU_SMP=${QEMU_SMP:-1}
# The debug kernel needs more of everything (SLUB red zones and tracking,
# kmemleak's and lockdep's tables, a bigger kernel): see
# Documentation/testing-e2e.rst.  GUEST_MEM is each domU's, in MiB; xl save
# writes it into dom0's tmpfs.
if [ -z "$DEBUG_FLAVOUR" ]; then
	QEMU_MEM=${QEMU_MEM:-1536}
	DOM0_MEM=${DOM0_MEM:-640M}
	GUEST_MEM=${GUEST_MEM:-160}
	E2E_BOOT_TIMEOUT=1800
else
	QEMU_MEM=${QEMU_MEM:-2560}
	DOM0_MEM=${DOM0_MEM:-1024M}
	GUEST_MEM=${GUEST_MEM:-256}
	GUEST_UP_T=${GUEST_UP_T:-300}   # s for a guest's agent (default 90)
	E2E_BOOT_TIMEOUT=5400
fi

# build_cmd DIR CMD...: run CMD in DIR with this flavour's toolchain: on the
# host, or chrooted in BUILD_CHROOT with DIR bind-mounted at /xenusb
# (tools/debroot.sh run)
build_cmd() {
	local d=$1
	shift
	if [ -z "$BUILD_CHROOT" ]; then
		(cd "$d" && "$@")
		return
	fi
	bash "$TOP/tools/debroot.sh" run "$BUILD_CHROOT" --bind "$d:/xenusb" -- \
		sh -c 'cd /xenusb && exec "$@"' sh "$@"
}
# kbuild DIR ARGS...: external-module build of DIR (make M=DIR ARGS...)
# against KDIR_E2E, on the host or in BUILD_CHROOT (tools/kbuild.sh)
kbuild() {
	local d=$1
	shift
	bash "$TOP/tools/kbuild.sh" make "${BUILD_CHROOT:--}" "$KDIR_E2E" "$d" . "$@"
}

# stamp NAME [CONTENT]: true when $CACHE/.stamp-NAME holds CONTENT
stamp_ok() { [ -f "$CACHE/.stamp-$1" ] && [ "$(cat "$CACHE/.stamp-$1")" = "${2:-ok}" ]; }
stamp_set() { printf '%s\n' "${2:-ok}" > "$CACHE/.stamp-$1"; }

# Cells: "backend/frontend" pairs.  cells_all prints "cell status" for every
# line of tests/e2e/cells that lists this flavour; CELLS= (space separated)
# overrides which run.
cells_all() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$E2E_DIR/cells" |
		awk -v f="$E2E_FLAVOUR" '("," $4 ",") ~ ("," f ",") {print $1 "/" $2, $3}'
}
