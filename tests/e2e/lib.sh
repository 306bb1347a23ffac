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
#   KVER           Debian kernel ABI; pinned to the installed linux-headers-amd64
#   XENVER         Xen series of Debian's hypervisor and tools packages (4.17)

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$E2E_DIR/../.." && pwd)
XENUSB_CACHE=${XENUSB_CACHE:-$HOME/.cache/xen-pvusb}
XENUSB_BUILD=${XENUSB_BUILD:-$TOP/build}
CACHE=$XENUSB_CACHE/e2e
RESULTS=${RESULTS:-$XENUSB_BUILD/e2e-results}
XENVER=${XENVER:-4.17}
SUITE=${SUITE:-bookworm}

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# KVER: the ABI that the installed linux-headers-amd64 meta-package points to.
# Our modules are built against those headers, so the kernel we boot must be
# exactly that ABI and package version (checked in setup.sh).
if [ -z "${KVER:-}" ]; then
	KVER=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		sed -n 's/.*linux-headers-\([0-9][^ ,]*-amd64\).*/\1/p')
fi
[ -n "${KVER:-}" ] || die "linux-headers-amd64 is not installed: run 'make deps'"
KDIR_E2E=/usr/src/linux-headers-$KVER
# Debian version of the headers package, e.g. 6.1.192-2; the image must match
KPKGVER=$(dpkg-query -W -f='${Version}' "linux-headers-$KVER" 2>/dev/null || true)

# Cache layout
DEBS=$CACHE/debs                # apt-get download'ed .debs
KROOT=$CACHE/kernel             # unpacked linux-image-$KVER (depmod'ed)
XEN_BIN=$CACHE/xen/xen-$XENVER-amd64   # gunzipped multiboot ELF
SYSROOT=$CACHE/sysroot          # debootstrap: xl, xenstored, qemu-xen, usbutils
PEERS=$CACHE/peers              # xen-hcd.ko, testusb (built from linux-source)
BASE=$CACHE/base                # dom0/domU root trees cut from the sysroot
STICK=$CACHE/stick.img          # the USB stick image (known content)
STICK_MB=${STICK_MB:-64}
STICK_MAGIC=XEN-PVUSB-E2E-STICK
CHECK_MB=16                     # storage checks the md5 of the first 16 MiB
DEMO_STICK=$CACHE/demo-stick.img  # FAT stick with HELLO.TXT for demo.sh
DEMO_TEXT="Hello from a USB stick in dom0, read by a Xen PV guest."
VMLINUZ=$KROOT/boot/vmlinuz-$KVER

# Our drivers, as `make` leaves them
USBBACK_KO=${USBBACK_KO:-$TOP/usbback/usbback.ko}
USBFRONT_KO=${USBFRONT_KO:-$TOP/usbfront/usbfront.ko}

# QEMU.  TCG only (no usable KVM here).  -cpu: SMAP crashes Xen 4.17's dom0
# under TCG; XSAVE under TCG corrupts ~1/1000 PV user processes (lab report).
QEMU_CPU=${QEMU_CPU:-max,-smap,-xsave}
QEMU_ACCEL=${QEMU_ACCEL:-tcg,thread=multi}
# One vCPU: dom0 and the guests then share it inside Xen.  Measured here it
# is faster than 2 (dom0 loads its modules in 2 s instead of 9-14 s, the
# cell runs in under 5 min) and it degrades gracefully when another TCG
# QEMU shares the 2 host cores, where SMP=2 slowed 10-20x and timed out.
QEMU_SMP=${QEMU_SMP:-1}
QEMU_MEM=${QEMU_MEM:-1536}
DOM0_MEM=${DOM0_MEM:-512M}

# stamp NAME [CONTENT]: true when $CACHE/.stamp-NAME holds CONTENT
stamp_ok() { [ -f "$CACHE/.stamp-$1" ] && [ "$(cat "$CACHE/.stamp-$1")" = "${2:-ok}" ]; }
stamp_set() { printf '%s\n' "${2:-ok}" > "$CACHE/.stamp-$1"; }

# Cells: "backend/frontend" pairs.  cells_all prints "cell status" for every
# line of tests/e2e/cells; CELLS= (space separated) overrides which run.
cells_all() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$E2E_DIR/cells" | awk '{print $1 "/" $2, $3}'; }
