#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree kbuild of the modules in a scratch copy, against a kernel
# tree on the host or inside a build root of tools/kroots.sh (there with
# the root's own compiler: the copy is bind-mounted at /xenusb and make
# runs chrooted).
#
#   kbuild.sh copy DIR
#       Fresh copy of the module sources at DIR: Kbuild, usbback/,
#       usbfront/, include/, tests/e2e/hostile/ (the test modules).
#   kbuild.sh make ROOT KDIR DIR SUB [MAKE-ARG...]
#       make -C KDIR M=DIR/SUB MAKE-ARG... (SUB: "." for both modules,
#       tests/e2e/hostile for the test modules) on the host when ROOT is
#       "-", else chrooted in ROOT with DIR seen as /xenusb (compiler
#       messages then name /xenusb/...).  -j2 unless MAKE-ARG says otherwise.
#   kbuild.sh mdir ROOT DIR
#       The path make sees for DIR: DIR on the host, /xenusb in a root.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "kbuild: $*" >&2; exit 1; }

cmd_copy() {
	rm -rf "$1"
	mkdir -p "$1"
	(cd "$TOP" && cp Kbuild "$1/" &&
	 find usbback usbfront include tests/e2e/hostile -type f \
		\( -name '*.[ch]' -o -name Kbuild -o -name '*.mk' -o -name '*.rules' \) \
		! -name '*.mod.c' -print0 | cpio -0 -pdm --quiet "$1")
}

cmd_make() {
	local root=$1 kdir=$2 dir=$3 sub=/$4
	shift 4
	[ "$sub" != /. ] || sub=
	[ -d "$dir$sub" ] || die "no directory $dir$sub"
	if [ "$root" = - ]; then
		[ -f "$kdir/Makefile" ] || die "no kernel tree at $kdir"
		make -j2 -C "$kdir" M="$dir$sub" "$@"
	else
		[ -f "$root/$kdir/Makefile" ] || die "no kernel tree at $kdir in $root"
		bash "$TOP/tools/debroot.sh" run "$root" --bind "$dir:/xenusb" -- \
			make -j2 -C "$kdir" M="/xenusb$sub" "$@"
	fi
}

case "${1:-}" in
copy)	[ $# -eq 2 ] || die "usage: kbuild.sh copy DIR"
	cmd_copy "$2" ;;
make)	[ $# -ge 5 ] || die "usage: kbuild.sh make ROOT|- KDIR DIR SUB [MAKE-ARG...]"
	shift
	cmd_make "$@" ;;
mdir)	[ $# -eq 3 ] || die "usage: kbuild.sh mdir ROOT DIR"
	if [ "$2" = - ]; then echo "$3"; else echo /xenusb; fi ;;
*)	die "usage: kbuild.sh copy|make|mdir ..." ;;
esac
