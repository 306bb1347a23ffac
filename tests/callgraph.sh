#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which file of a module calls which, from its built objects: an edge
# A -> B for every symbol A leaves undefined (nm -u) that B defines as
# a function (nm --defined-only, type T; data such as module parameters
# is not a call).  Calls through an ops table are not edges: they
# are how the protocol core calls back into the module without depending
# on it.  tsort(1) then orders the files; a loop makes this fail.
#
# Usage: tests/callgraph.sh [DIR] (default usbback, relative to the
# repository or absolute; after 'make modules'); tests/lint.sh runs it on
# its W=1 build.
# Prints the edges and "callgraph: DIR: no loop (N files, N edges)".
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-usbback}
case $DIR in
/*) cd "$DIR" ;;
*) cd "$TOP/$DIR" ;;
esac

objs=()
for o in *.o; do
	# the module's own link result and its .mod.o are no source file
	case $o in
	*.mod.o | "$(basename "$DIR").o") continue ;;
	esac
	[ -f "$o" ] && objs+=("$o")
done
if [ "${#objs[@]}" -eq 0 ]; then
	echo "callgraph: $DIR: no objects (run 'make modules' first)" >&2
	exit 1
fi

declare -A owner
for o in "${objs[@]}"; do
	while read -r _ type sym; do
		case $type in
		T) owner[$sym]=${o%.o} ;;
		esac
	done < <(nm --defined-only -- "$o")
done

edges=$(for o in "${objs[@]}"; do
	nm -u -- "$o" | while read -r _ sym; do
		to=${owner[$sym]:-}
		if [ -n "$to" ] && [ "$to" != "${o%.o}" ]; then
			echo "${o%.o} $to"
		fi
	done
done | sort -u)

printf '%s\n' "$edges" | sed 's/ / -> /'
# Every file is a node, even one that calls nobody and nobody calls.
if ! order=$( { printf '%s\n' "$edges"; for o in "${objs[@]}"; do
		echo "${o%.o} ${o%.o}"; done; } | tsort 2>&1 >/dev/null); then
	echo "$order" >&2
	echo "callgraph: $DIR: FAIL: the file graph has a loop" >&2
	exit 1
fi
echo "callgraph: $DIR: no loop (${#objs[@]} files, $(printf '%s\n' "$edges" | grep -c .) edges)"
