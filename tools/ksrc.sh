#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unpack the release's Debian linux-source-X.Y (6.1 on Debian 12, 6.12 on
# Debian 13; the newest by version when several are installed) once into
# the cache and print its path.  checkpatch.pl, kunit.py and the xen-hcd
# test peer all come from this tree.
set -euo pipefail

CACHE=${XENUSB_CACHE:-$HOME/.cache/xen-pvusb}
TARBALL=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$TARBALL" ]; then
	echo "ksrc: no /usr/src/linux-source-*.tar.xz: run 'make deps'" >&2
	exit 1
fi
VER=$(basename "$TARBALL" .tar.xz)
DEST=$CACHE/$VER
STAMP=$DEST/.xenusb-unpacked
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$TARBALL $(stat -c %Y "$TARBALL")" ]; then
	rm -rf "$DEST" "$DEST.tmp"
	mkdir -p "$DEST.tmp"
	echo "ksrc: unpacking $TARBALL" >&2
	tar -xaf "$TARBALL" -C "$DEST.tmp" --strip-components=1
	echo "$TARBALL $(stat -c %Y "$TARBALL")" > "$DEST.tmp/.xenusb-unpacked"
	mv "$DEST.tmp" "$DEST"
fi
echo "$DEST"
