#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel build roots: cached Debian roots (tools/debroot.sh) with the
# headers of every kernel a Debian user has and the compiler each was built
# with, so that `make check` builds and lints against all of them whatever
# the host runs:
#   bookworm-kbuild  Debian 12: linux-headers-amd64 (6.1, gcc-12)
#   trixie-kbuild    Debian 13: linux-headers-amd64 (6.12, gcc-14) and the
#                    newest linux-headers-*-amd64 of trixie-backports
# Both also carry make and sparse (lint).  The newest backports kernel is
# looked up when the trixie-bpo root is made; remove that root
# ($XENUSB_CACHE/roots/trixie-bpo) to look again.
#
#   kroots.sh ensure   make the roots (quick when cached)
#   kroots.sh list     print "ROOT KDIR" for each kernel, oldest first
#                      (with the host's $KDIR when the roots lack it)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
DEBROOT="bash $HERE/debroot.sh"
CACHE=${XENUSB_CACHE:-$HOME/.cache/xen-pvusb}
ROOTS=$CACHE/roots
KPKGS=(make sparse linux-headers-amd64)

die() { echo "kroots: $*" >&2; exit 1; }

# The headers package the backports' linux-headers-amd64 depends on.
newest_bpo() {
	local root=$1 ver
	ver=$($DEBROOT run "$root" -- apt-cache madison linux-headers-amd64 |
		awk -F' *[|] *' '$3 ~ /-backports\// {print $2}' | sort -V | tail -n1)
	[ -n "$ver" ] || die "no linux-headers-amd64 in trixie-backports"
	$DEBROOT run "$root" -- apt-cache show "linux-headers-amd64=$ver" |
		sed -n 's/^Depends:.*\(linux-headers-[^ ,]*-amd64\).*/\1/p' | head -n1
}

ensure() {
	local bpo
	$DEBROOT ensure bookworm-base bookworm > /dev/null
	$DEBROOT ensure bookworm-kbuild bookworm --from bookworm-base "${KPKGS[@]}" > /dev/null
	$DEBROOT ensure trixie-base trixie > /dev/null
	$DEBROOT ensure trixie-bpo trixie --backports --from trixie-base > /dev/null
	bpo=$(newest_bpo "$ROOTS/trixie-bpo")
	[ -n "$bpo" ] || die "cannot tell the newest backports headers package"
	$DEBROOT ensure trixie-kbuild trixie --backports --from trixie-bpo \
		"${KPKGS[@]}" "$bpo" > /dev/null
}

# "ROOT KDIR" per kernel (KDIR as seen inside ROOT), oldest first; first
# "- KDIR" for the host's tree $KDIR when the roots lack its version.
list() {
	local r d out=
	for r in bookworm-kbuild trixie-kbuild; do
		[ -f "$ROOTS/$r/.xenusb-root" ] || die "no root $r: run 'make deps'"
		for d in "$ROOTS/$r"/usr/src/linux-headers-*-amd64; do
			[ -f "$d/Makefile" ] && out+="$ROOTS/$r ${d#"$ROOTS/$r"}"$'\n'
		done
	done
	if [ -n "${KDIR:-}" ] && [ -f "$KDIR/Makefile" ] &&
	   ! grep -q "/$(basename "$KDIR")\$" <<< "$out"; then
		echo "- $KDIR"
	fi
	printf '%s' "$out" | sort -V -k2
}

case "${1:-}" in
ensure) ensure ;;
list) list ;;
*) die "usage: kroots.sh ensure|list" ;;
esac
