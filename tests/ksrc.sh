# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# ksrc.sh - sourced by tests/kunit/run.sh and tests/debug-kernel/build.sh:
# where Debian's kernel source is and where the builds from it are cached.
#
# ksrc_locate REPO: sets
#   tarball  the kernel source tarball: $L4LB_KSRC_TARBALL, else the newest
#            /usr/src/linux-source-*.tar.xz
#   kver     its package version (or, not from a package, its name and the
#            start of its sha256), which keys the cache
#   cache    the cache directory, never inside REPO: $L4LB_CACHE, else
#            /var/cache/l4lb if usable, else ${XDG_CACHE_HOME:-~/.cache}/l4lb
#   tree     $cache/linux-source-$kver, where the tree is extracted
# and calls the caller's die() on any failure.
#
# ksrc_extract: unpack the tarball into $tree unless that was done before
# (a .l4lb-extracted marker, or a tree extracted by hand). The caller holds
# the lock $cache/.kunit-$kver.lock, which every user of the tree takes.
ksrc_locate() {
	local repo=$1 pkg

	tarball=${L4LB_KSRC_TARBALL:-}
	if [ -z "$tarball" ]; then
		tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-*.tar.xz' 2>/dev/null | sort -V | tail -n 1 || true)
	fi
	if [ -z "$tarball" ] || [ ! -r "$tarball" ]; then
		die "no kernel source tarball in /usr/src (apt-get install linux-source-6.1)"
	fi
	if pkg=$(dpkg-query -S "$tarball" 2>/dev/null | head -n 1 | cut -d: -f1) && [ -n "$pkg" ]; then
		kver=$(dpkg-query -W -f='${Version}' "$pkg")
	else
		kver=$(basename "$tarball" .tar.xz)-$(sha256sum "$tarball" | cut -c1-12)
	fi
	[ -n "$kver" ] || die "cannot tell the version of $tarball"

	if [ -n "${L4LB_CACHE:-}" ]; then
		cache=$L4LB_CACHE
	elif mkdir -p /var/cache/l4lb 2>/dev/null && [ -w /var/cache/l4lb ]; then
		cache=/var/cache/l4lb
	else
		cache=${XDG_CACHE_HOME:-$HOME/.cache}/l4lb
	fi
	mkdir -p "$cache"
	cache=$(cd "$cache" && pwd)
	case "$cache/" in
	"$repo"/*) die "the cache ($cache) must be outside the repository" ;;
	esac
	tree=$cache/linux-source-$kver
}

ksrc_extract() {
	local top

	[ -f "$tree/.l4lb-extracted" ] && return 0
	if ! { [ -f "$tree/Makefile" ] && [ -f "$tree/net/Kconfig" ] &&
	       [ -f "$tree/tools/testing/kunit/kunit.py" ]; }; then
		echo "ksrc: extracting $tarball into $tree" >&2
		rm -rf "$tree" "$tree.tmp"
		mkdir -p "$tree.tmp"
		tar -xf "$tarball" -C "$tree.tmp"
		top=$(ls -A "$tree.tmp")
		if [ "$(echo "$top" | wc -l)" != 1 ] || [ ! -d "$tree.tmp/$top" ]; then
			die "unexpected layout of $tarball"
		fi
		mv "$tree.tmp/$top" "$tree"
		rmdir "$tree.tmp"
	fi
	touch "$tree/.l4lb-extracted"
}
