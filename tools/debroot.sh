#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cached Debian roots under $XENUSB_CACHE/roots, made with debootstrap and
# used through chroot; the host's own packages are never touched.
#
#   debroot.sh ensure NAME SUITE [--backports] [--from BASE] [PKG...]
#       Make root NAME once: a copy of root BASE when --from is given, else
#       debootstrap --variant=minbase of SUITE; apt sources for SUITE,
#       SUITE-updates, SUITE-security (and SUITE-backports); then apt-get
#       install PKG... (a PKG may name a release: foo/trixie-backports).
#       Quick when the stamp says it is done.  Prints the root's path.
#   debroot.sh copy NAME DEST
#       A fresh copy of root NAME at DEST (for tests that change a root).
#   debroot.sh run ROOT [--bind SRC:DST]... [--apt-cache] -- CMD...
#       Run CMD chrooted in ROOT (a path) with /proc, /sys, /dev and the
#       given directories bind-mounted, in a private mount namespace (no
#       mount outlives CMD, concurrent runs do not see each other's).
#       --apt-cache shares the root's release's downloaded .debs with the
#       cache, so that a fresh copy does not download them again.
#
# Env: XENUSB_CACHE, MIRROR, SECURITY_MIRROR.  Needs root, debootstrap,
# unshare (util-linux).
set -euo pipefail

CACHE=${XENUSB_CACHE:-$HOME/.cache/xen-pvusb}
ROOTS=$CACHE/roots
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}

die() { echo "debroot: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mount)"

# run ROOT [--bind SRC:DST]... [--apt-cache] -- CMD...
cmd_run() {
	local root=$1 binds=() suite
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--bind) binds+=("$2"); shift 2 ;;
		--apt-cache)
			suite=$(cat "$root/etc/xenusb-suite" 2>/dev/null) ||
				die "$root: not made by debroot.sh"
			mkdir -p "$ROOTS/apt-archives/$suite/partial"
			binds+=("$ROOTS/apt-archives/$suite:/var/cache/apt/archives")
			shift ;;
		--) shift; break ;;
		*) die "run: unknown option $1" ;;
		esac
	done
	[ $# -gt 0 ] || die "run: no command"
	[ -x "$root/bin/sh" ] || die "$root: no root file system"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	# The mounts live in a private namespace: they vanish with it.
	unshare -m --propagation private bash -c '
		set -e
		root=$1; nb=$2; shift 2
		mount -t proc proc "$root/proc"
		mount --bind /sys "$root/sys"
		mount --bind /dev "$root/dev"
		for ((i = 0; i < nb; i++)); do
			src=${1%%:*}; dst=$root/${1#*:}; shift
			mkdir -p "$dst"
			mount --bind "$src" "$dst"
		done
		exec chroot "$root" "$@"' debroot "$root" "${#binds[@]}" "${binds[@]}" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

write_sources() {
	local root=$1 suite=$2 bpo=$3
	{
		echo "deb $MIRROR $suite main"
		echo "deb $MIRROR $suite-updates main"
		echo "deb $SECURITY_MIRROR $suite-security main"
		[ "$bpo" = no ] || echo "deb $MIRROR $suite-backports main"
	} > "$root/etc/apt/sources.list"
	# packages' maintainer scripts must not start services in a chroot
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	echo "$suite" > "$root/etc/xenusb-suite"
}

# ensure NAME SUITE [--backports] [--from BASE] [PKG...]
cmd_ensure() {
	local name=$1 suite=$2 bpo=no from='' pkgs=() want dest tmp
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--backports) bpo=yes; shift ;;
		--from) from=$2; shift 2 ;;
		-*) die "ensure: unknown option $1" ;;
		*) pkgs+=("$1"); shift ;;
		esac
	done
	dest=$ROOTS/$name
	want="$suite bpo=$bpo from=$from ${pkgs[*]}"
	if [ -f "$dest/.xenusb-root" ] && [ "$(cat "$dest/.xenusb-root")" = "$want" ]; then
		echo "$dest"
		return 0
	fi
	mkdir -p "$ROOTS"
	tmp=$dest.tmp.$$
	rm -rf "$tmp"
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	local t=$SECONDS
	if [ -n "$from" ]; then
		[ -f "$ROOTS/$from/.xenusb-root" ] || die "no root $from: ensure it first"
		cp -a "$ROOTS/$from" "$tmp"
		rm -f "$tmp/.xenusb-root"
	else
		mkdir -p "$ROOTS/apt-archives/$suite/partial"
		echo "debroot: debootstrap $suite into $dest" >&2
		debootstrap --variant=minbase --cache-dir="$ROOTS/apt-archives/$suite" \
			"$suite" "$tmp" "$MIRROR" > "$ROOTS/$name.log" 2>&1 ||
			{ tail -n 20 "$ROOTS/$name.log" >&2; die "debootstrap $suite failed (log: $ROOTS/$name.log)"; }
	fi
	write_sources "$tmp" "$suite" "$bpo"
	cmd_run "$tmp" --apt-cache -- apt-get update -qq >> "$ROOTS/$name.log" 2>&1 ||
		{ tail -n 20 "$ROOTS/$name.log" >&2; die "apt-get update in $name failed"; }
	cmd_run "$tmp" --apt-cache -- apt-get -y -q --no-install-recommends upgrade \
		>> "$ROOTS/$name.log" 2>&1 ||
		{ tail -n 20 "$ROOTS/$name.log" >&2; die "apt-get upgrade in $name failed"; }
	if [ ${#pkgs[@]} -gt 0 ]; then
		echo "debroot: installing ${pkgs[*]} into $name" >&2
		cmd_run "$tmp" --apt-cache -- apt-get -y -q --no-install-recommends \
			install "${pkgs[@]}" >> "$ROOTS/$name.log" 2>&1 ||
			{ tail -n 20 "$ROOTS/$name.log" >&2; die "apt-get install in $name failed (log: $ROOTS/$name.log)"; }
	fi
	echo "$want" > "$tmp/.xenusb-root"
	rm -rf "$dest"
	mv "$tmp" "$dest"
	trap - EXIT
	echo "debroot: $name ready in $((SECONDS - t))s" >&2
	echo "$dest"
}

# copy NAME DEST
cmd_copy() {
	[ -f "$ROOTS/$1/.xenusb-root" ] || die "no root $1: ensure it first"
	rm -rf "$2"
	mkdir -p "$(dirname "$2")"
	cp -a "$ROOTS/$1" "$2"
}

[ $# -ge 1 ] || die "usage: debroot.sh ensure|copy|run ..."
verb=$1
shift
case "$verb" in
ensure) [ $# -ge 2 ] || die "usage: debroot.sh ensure NAME SUITE [--backports] [--from BASE] [PKG...]"
	cmd_ensure "$@" ;;
copy)	[ $# -eq 2 ] || die "usage: debroot.sh copy NAME DEST"
	cmd_copy "$@" ;;
run)	[ $# -ge 2 ] || die "usage: debroot.sh run ROOT [--bind SRC:DST]... -- CMD..."
	cmd_run "$@" ;;
*)	die "unknown verb $verb" ;;
esac
