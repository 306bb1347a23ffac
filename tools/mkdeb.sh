#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build the Debian package xen-pvusb-dkms into
# $XENUSB_BUILD/deb/xen-pvusb-dkms_<version>_all.deb.  The packaging
# sources are tools/debian/ and tools/dkms.conf (the top level of the
# repository holds no debian/): they are copied with the module sources
# into a staging source tree, the changelog is written from the one
# version (include/xenusb_version.mk), and dpkg-buildpackage builds it.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${XENUSB_BUILD:-$TOP/build}/deb
cd "$TOP"

die() { echo "mkdeb: $*" >&2; exit 1; }

VERSION=$(make -s --no-print-directory version)
[ -n "$VERSION" ] || die "no version in include/xenusb_version.mk"
for t in dpkg-buildpackage dh dh_dkms; do
	command -v "$t" > /dev/null || die "$t missing: run 'make deps'"
done

SRC=$OUT/src/xen-pvusb-$VERSION
rm -rf "$OUT"
mkdir -p "$SRC"
# the module sources dkms builds from (no build products), not the tests
bash tools/kbuild.sh copy "$SRC"
rm -rf "$SRC/tests"
cp COPYING README.md "$SRC/"
cp -r tools/debian "$SRC/debian"
cp tools/dkms.conf "$SRC/debian/xen-pvusb-dkms.dkms"
# the guest's udev rule (1 MiB usb-storage commands below a vusb
# controller), installed into /lib/udev/rules.d by dh_installudev
cp usbfront/60-xen-vusb-storage.rules "$SRC/debian/xen-pvusb-dkms.udev"

# the release date: the last commit's, so that a rebuild is the same
when=$(git log -1 --format=%aD 2>/dev/null || date -R)
cat > "$SRC/debian/changelog" <<EOC
xen-pvusb ($VERSION) unstable; urgency=medium

  * Release $VERSION (see the README and Documentation/).

 -- xen-pvusb developers <xen-pvusb@localhost>  $when
EOC

(cd "$SRC" && dpkg-buildpackage -us -uc -b) > "$OUT/build.log" 2>&1 ||
	{ tail -n 30 "$OUT/build.log" >&2; die "dpkg-buildpackage failed (log: $OUT/build.log)"; }
deb=$OUT/src/xen-pvusb-dkms_${VERSION}_all.deb
[ -f "$deb" ] || die "dpkg-buildpackage made no $(basename "$deb")"
mv "$deb" "$OUT/"
echo "mkdeb: $OUT/$(basename "$deb")"
