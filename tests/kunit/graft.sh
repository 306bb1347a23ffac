#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# graft.sh [--remove] [KSRC [EXTDIR]]
#
# Make a kernel source tree (default: the linux-source-6.1 tree from
# tools/ksrc.sh) build the xen-pvusb KUnit suites as built-in code, the
# only way kunit.py can run out-of-tree tests:
#   KSRC/lib/xenusb-kunit -> EXTDIR (default: this directory)
#   KSRC/lib/Makefile     one line "obj-y += xenusb-kunit/"
#   KSRC/Kconfig          one line "source lib/xenusb-kunit/Kconfig"
# Both lines carry the marker below, so a rerun changes nothing and
# --remove finds exactly what was added. Nothing of the kernel tree is
# ever part of this repository.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
NAME=xenusb-kunit
MARK="# xen-pvusb kunit graft"

remove=0
if [ "${1:-}" = "--remove" ]; then
	remove=1
	shift
fi
KSRC=${1:-$(bash "$TOP/tools/ksrc.sh")}
EXT=${2:-$HERE}
KSRC=$(realpath "$KSRC")
EXT=$(realpath "$EXT")

for f in "$KSRC/lib/Makefile" "$KSRC/Kconfig" "$KSRC/tools/testing/kunit/kunit.py"; do
	if [ ! -f "$f" ]; then
		echo "graft: $KSRC is not a kernel source tree (no $f)" >&2
		exit 1
	fi
done

MK_LINE="obj-y += $NAME/ $MARK"
KC_LINE="source \"lib/$NAME/Kconfig\" $MARK"

if [ "$remove" = 1 ]; then
	rm -f "$KSRC/lib/$NAME"
	sed -i "\\|$MARK\$|d" "$KSRC/lib/Makefile" "$KSRC/Kconfig"
	echo "graft: removed lib/$NAME from $KSRC"
	exit 0
fi

for f in Kconfig Makefile; do
	if [ ! -f "$EXT/$f" ]; then
		echo "graft: $EXT has no $f" >&2
		exit 1
	fi
done

# A real directory of that name would be someone else's: never replace it.
if [ -e "$KSRC/lib/$NAME" ] && [ ! -L "$KSRC/lib/$NAME" ]; then
	echo "graft: $KSRC/lib/$NAME exists and is not our symlink" >&2
	exit 1
fi
if [ "$(readlink "$KSRC/lib/$NAME" 2>/dev/null || true)" != "$EXT" ]; then
	ln -sfn "$EXT" "$KSRC/lib/$NAME"
fi
# $1: file, $2: line to append unless present
add_line() {
	grep -qxF "$2" "$1" && return 0
	# never glue our line onto a last line without a newline
	[ -z "$(tail -c1 "$1")" ] || echo >> "$1"
	echo "$2" >> "$1"
}
add_line "$KSRC/lib/Makefile" "$MK_LINE"
add_line "$KSRC/Kconfig" "$KC_LINE"
echo "graft: $KSRC/lib/$NAME -> $EXT"
