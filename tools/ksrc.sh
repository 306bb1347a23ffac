#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unpack Debian's linux-source-6.1 once into the cache and print its path.
# checkpatch.pl, kunit.py and the xen-hcd test peer all come from this tree.
set -euo pipefail

CACHE=${XENUSB_CACHE:-$HOME/.cache/xen-pvusb}
TARBALL=$(ls /usr/src/linux-source-6.1*.tar.xz 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$TARBALL" ]; then
	echo "ksrc: /usr/src/linux-source-6.1.tar.xz missing: run 'make deps'" >&2
	exit 1
fi
DEST=$CACHE/linux-source-6.1
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
