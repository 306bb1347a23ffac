#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package that building and testing xen-pvusb needs.
# Idempotent: when everything is present it only checks and returns.
set -euo pipefail

PKGS=(
	# module build against Debian's 6.1 kernel
	make gcc gcc-12 linux-headers-amd64 libelf-dev bc bison flex libssl-dev
	dwarves kmod
	# lint: sparse, checkpatch.pl (from linux-source-6.1), shellcheck
	sparse perl linux-source-6.1 xz-utils shellcheck
	# KUnit under UML via kunit.py
	python3
	# user-space simulator with sanitizers and libFuzzer; llvm-cov
	clang libclang-rt-14-dev llvm-14
	# end-to-end bed: Xen under QEMU/TCG, sysroot by debootstrap
	qemu-system-x86 qemu-utils debootstrap cpio zstd file time
	busybox-static dosfstools mtools
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "deps: done"
