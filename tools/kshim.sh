#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the compiler flags that let user-space code (the ring simulator,
# the fuzzers) compile the protocol core unchanged: tools/kshim first, then
# a generated directory that links the kernel's own usbif.h and ring.h
# from the installed Debian headers next to the grant_table.h stub.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${XENUSB_BUILD:-$TOP/build}
HDRS=$(ls -d /usr/src/linux-headers-*-common 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$HDRS" ] || [ ! -f "$HDRS/include/xen/interface/io/usbif.h" ]; then
	echo "kshim: no linux-headers-*-common with xen/interface/io/usbif.h: run 'make deps'" >&2
	exit 1
fi
GEN=$BUILD/kshim-gen
mkdir -p "$GEN/xen/interface/io"
ln -sfn "$HDRS/include/xen/interface/io/usbif.h" "$GEN/xen/interface/io/usbif.h"
ln -sfn "$HDRS/include/xen/interface/io/ring.h" "$GEN/xen/interface/io/ring.h"
# usbif.h includes "../grant_table.h" relative to the symlink's directory
ln -sfn "$TOP/tools/kshim/xen/interface/grant_table.h" "$GEN/xen/interface/grant_table.h"
echo "-I$TOP/tools/kshim -I$GEN -I$TOP/include -include $TOP/tools/kshim/kshim.h"
