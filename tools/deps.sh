#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that building and testing xen-pvusb needs,
# on Debian 12 (bookworm) or 13 (trixie), then make the cached kernel
# build roots (tools/kroots.sh).  Idempotent: when everything is present
# it only checks and returns.
#
# Packages whose name carries a version (the kernel source, clang's
# runtime) are picked from what this release's apt offers: the versioned
# package its metapackage depends on (linux-source -> linux-source-6.1 on
# bookworm, linux-source-6.12 on trixie; clang -> clang-14 / clang-19 ->
# libclang-rt-14-dev / libclang-rt-19-dev).
#
#   deps.sh              install what is missing, make the build roots
#   deps.sh --simulate   only show what apt-get would install (all of the
#                        packages, "apt-get install --simulate"); no root
#                        needed, nothing changes
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SIMULATE=no
[ "${1:-}" = --simulate ] && SIMULATE=yes

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive

# $1 metapackage, $2 pattern: the versioned package it depends on
dep_of() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n "s/^ *Depends: \($2\)\$/\1/p" | head -n 1
}

ksrc=$(dep_of linux-source 'linux-source-[0-9.]*')
clang=$(dep_of clang 'clang-[0-9]*')
if { [ -z "$ksrc" ] || [ -z "$clang" ]; } && [ "$SIMULATE" = no ]; then
	# a fresh machine may have no package lists yet
	$SUDO apt-get update -qq
	ksrc=$(dep_of linux-source 'linux-source-[0-9.]*')
	clang=$(dep_of clang 'clang-[0-9]*')
fi
[ -n "$ksrc" ] || { echo "deps: apt offers no linux-source: is this Debian?" >&2; exit 1; }
[ -n "$clang" ] || { echo "deps: apt offers no clang: is this Debian?" >&2; exit 1; }

PKGS=(
	# module build against the host's Debian kernel (the headers package
	# pulls the compiler that kernel was built with)
	make gcc linux-headers-amd64 libelf-dev bc bison flex libssl-dev
	dwarves kmod
	# lint: sparse, checkpatch.pl (from the release's linux-source),
	# shellcheck
	sparse perl "$ksrc" xz-utils shellcheck
	# KUnit under UML via kunit.py
	python3
	# user-space simulator with sanitizers and libFuzzer; llvm-cov and
	# llvm-profdata of the same version for make fuzz-cov
	clang "libclang-rt-${clang#clang-}-dev" "llvm-${clang#clang-}"
	# end-to-end bed: Xen under QEMU/TCG, sysroot by debootstrap
	qemu-system-x86 qemu-utils debootstrap cpio zstd file time
	busybox-static dosfstools mtools
	# make e2e-debug: its fixes to Linux's own code (tests/e2e/debug-patches)
	patch
	# kernel build roots (tools/debroot.sh: debootstrap + chroot in a
	# private mount namespace)
	util-linux debian-archive-keyring
	# make deb: the xen-pvusb-dkms package
	dpkg-dev debhelper dh-dkms
)

if [ "$SIMULATE" = yes ]; then
	. /etc/os-release
	echo "deps: $PRETTY_NAME: ${PKGS[*]}"
	apt-get install --simulate --no-install-recommends "${PKGS[@]}"
	exit
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
else
	echo "deps: installing ${missing[*]}"
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian 12's, 13's and trixie-backports' kernel headers with their
# compilers, in roots under the cache (the host's packages stay as they are)
$SUDO env XENUSB_CACHE="${XENUSB_CACHE:-$HOME/.cache/xen-pvusb}" \
	bash "$HERE/kroots.sh" ensure
echo "deps: done"
