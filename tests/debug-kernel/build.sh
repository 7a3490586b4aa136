#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh [--env | --module] - build l4lb's debug test kernel, once.
#
# Builds an x86_64 kernel for the test VM (tests/vm/run.sh with
# L4LB_KERNEL=debug) from Debian's kernel source tarball, with lockdep,
# KASAN, kmemleak, debug objects, list debugging and fault injection
# (debug.config, merged on kernel/configs/tiny-base.config with
# scripts/kconfig/merge_config.sh, then allnoconfig).
#
# The cache is the one of tests/kunit/run.sh: $L4LB_CACHE, else
# /var/cache/l4lb if usable, else ${XDG_CACHE_HOME:-~/.cache}/l4lb; never
# inside the repository. The source tree is shared with KUnit (extracted
# once, never written: both build with O=). This kernel's files:
#     $CACHE/linux-source-<version>/              the tree
#     $CACHE/debug-kernel-<version>-<hash>/build/   the O= build dir
#     $CACHE/debug-kernel-<version>-<hash>/modules/ modules_install output
#     $CACHE/debug-kernel-<version>-<hash>/l4lb-<repo hash>/
#                                                 l4lb's sources, copied
#                                                 and built for --module
# <version> is the source package's version, <hash> covers debug.config,
# the compiler's version and this script's recipe version: a changed
# fragment builds a new kernel in a new directory. A flock per directory
# keeps two builds apart; a finished build is never touched again.
#
# Modes:
#   (none)    build the kernel if needed
#   --env     build if needed, then print shell assignments on stdout:
#             L4LB_DEBUG_KVER (kernel release), L4LB_DEBUG_IMAGE (bzImage),
#             L4LB_DEBUG_MODROOT (modules_install root, with lib/modules/),
#             L4LB_DEBUG_BUILD (the O= dir, for make -C ... M=...)
#   --module  build if needed, then build l4lb.ko from this repository
#             against it (in a copy of Kbuild, Makefile, kmod/, include/,
#             so the repo's own kmod/l4lb.ko stays Debian's) and print
#             the .ko's path on stdout
# Progress goes to stderr in --env and --module modes.
#
# Environment:
#   L4LB_CACHE          cache directory (see above)
#   L4LB_KSRC_TARBALL   kernel source tarball (default: newest
#                       /usr/src/linux-source-*.tar.xz)
#   L4LB_DEBUG_JOBS     make jobs (default: nproc)
set -euo pipefail

# Bump when the way the kernel is built changes (not the fragment: that
# is hashed anyway), so caches of the old recipe are not reused.
RECIPE=1

die() {
	echo "debug-kernel: $*" >&2
	exit 1
}

say() { echo "debug-kernel: $*" >&2; }

main() {
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FRAGMENT=$HERE/debug.config
mode=${1:-build}
case $mode in
build | --env | --module) ;;
*) die "usage: $0 [--env | --module]" ;;
esac
# Only the results go to stdout.
exec 3>&1 1>&2

for tool in make gcc tar xz flex bison bc flock dpkg-query sha256sum depmod rsync; do
	command -v "$tool" >/dev/null ||
		die "$tool not found (make deps: build-essential flex bison bc libelf-dev libssl-dev rsync linux-source-6.1)"
done
[ -e /usr/include/gelf.h ] || die "libelf headers missing (apt-get install libelf-dev)"

# --- the kernel source, its version and the cache (tests/ksrc.sh) -----
. "$REPO/tests/ksrc.sh"
ksrc_locate "$REPO"

hash=$({
	echo "recipe $RECIPE"
	gcc --version | head -n 1
	cat "$FRAGMENT"
} | sha256sum | cut -c1-12)
dir=$cache/debug-kernel-$kver-$hash
build=$dir/build
mods=$dir/modules
stamp=$dir/.l4lb-built

mkdir -p "$dir"
exec 8>"$dir/.lock"
if ! flock -n 8; then
	say "waiting for another build of $dir"
	flock 8
fi

if [ ! -f "$stamp" ]; then
	build_kernel
fi
krel=$(cat "$stamp")
if [ ! -f "$build/arch/x86/boot/bzImage" ] || [ ! -d "$mods/lib/modules/$krel" ]; then
	die "$dir is incomplete; remove it and build again"
fi

case $mode in
--env)
	printf 'L4LB_DEBUG_KVER=%q\n' "$krel" >&3
	printf 'L4LB_DEBUG_IMAGE=%q\n' "$build/arch/x86/boot/bzImage" >&3
	printf 'L4LB_DEBUG_MODROOT=%q\n' "$mods" >&3
	printf 'L4LB_DEBUG_BUILD=%q\n' "$build" >&3
	;;
--module)
	build_module
	;;
esac
}

# lock_tree: take the tree's lock, which tests/kunit/run.sh holds while it
# extracts the tree, writes its overlay (net/l4lb, net/Kconfig,
# net/Makefile) and builds. Released by unlock_tree.
lock_tree() {
	exec 9>"$cache/.kunit-$kver.lock"
	if ! flock -n 9; then
		say "waiting for the tree's lock (held by KUnit or another build)"
		flock 9
	fi
}

unlock_tree() { exec 9>&-; }

# check_config: every value of the fragment made it into .config.
check_config() {
	local line sym want got bad=()
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) sym=${line%%=*}; want=$line ;;
		"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *}; want= ;;
		*) continue ;;
		esac
		got=$(grep -E "^$sym=" "$build/.config" || true)
		[ "$got" = "$want" ] || bad+=("$sym: want '${want:-not set}', got '${got:-not set}'")
	done <"$FRAGMENT"
	if [ ${#bad[@]} -gt 0 ]; then
		printf 'debug-kernel:   %s\n' "${bad[@]}" >&2
		die "debug.config asks for values the kernel's Kconfig did not take (a dependency is missing?)"
	fi
}

build_kernel() {
	local jobs=${L4LB_DEBUG_JOBS:-$(nproc)} t0 t1 krel
	# Extraction and the configuration read the whole tree, while KUnit
	# may be editing its Kconfig files: both under the tree's lock (a
	# debug kernel built beside KUnit, as .ci/run does, once failed
	# allnoconfig on a Kconfig file it could not open). The build
	# itself reads no file that KUnit writes.
	lock_tree
	ksrc_extract
	[ -e "$tree/.config" ] || [ -d "$tree/include/config" ] &&
		die "$tree has a .config: it must stay clean for O= builds (make mrproper there)"
	t0=$(date +%s)
	say "building the debug kernel in $build (source $kver, config $hash, $jobs jobs)"
	rm -rf "$build" "$mods"
	mkdir -p "$build"

	# tinyconfig's base + debug.config, merged as a KCONFIG_ALLCONFIG for
	# allnoconfig (what merge_config.sh -n does; its temp files land in
	# the build dir, not in the shared tree).
	(cd "$build" && "$tree/scripts/kconfig/merge_config.sh" -m -O "$build" \
		"$tree/kernel/configs/tiny-base.config" "$FRAGMENT") >"$dir/config.log"
	mv "$build/.config" "$build/l4lb-debug.allconfig"
	make -s -C "$tree" O="$build" KCONFIG_ALLCONFIG="$build/l4lb-debug.allconfig" \
		allnoconfig >>"$dir/config.log" 2>&1 || { cat "$dir/config.log" >&2; die "allnoconfig failed"; }
	check_config
	unlock_tree
	say "config: $(grep -c '=y$' "$build/.config") built in, $(grep -c '=m$' "$build/.config") modules"

	# -s: only warnings and errors; the full output is not kept.
	if ! make -s -C "$tree" O="$build" -j"$jobs" bzImage modules; then
		die "kernel build failed"
	fi
	rm -rf "$mods.tmp"
	make -s -C "$tree" O="$build" INSTALL_MOD_PATH="$mods.tmp" modules_install >/dev/null ||
		die "modules_install failed"
	mv "$mods.tmp" "$mods"
	krel=$(make -s -C "$tree" O="$build" kernelrelease)
	t1=$(date +%s)
	echo "$krel" >"$stamp"
	echo "$((t1 - t0))" >"$dir/build-seconds"
	say "built $krel in $((t1 - t0))s: $build/arch/x86/boot/bzImage"
}

# build_module: l4lb.ko from this repository against the debug kernel, in
# a copy of the sources (rsync keeps mtimes, so rebuilds are incremental).
build_module() {
	local src ko
	src=$dir/l4lb-$(echo "$REPO" | sha256sum | cut -c1-12)
	mkdir -p "$src"
	exec 7>"$src.lock"
	flock 7
	rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.d' \
		--exclude=modules.order --exclude=Module.symvers \
		"$REPO/Kbuild" "$REPO/Makefile" "$REPO/kmod" "$REPO/include" "$src/"
	find "$src" -name l4lb.ko -delete	# relinked below; no stale one
	make -s -C "$build" M="$src" modules || die "l4lb.ko does not build against $build"
	ko=$(find "$src" -name l4lb.ko | head -n 1)
	[ -n "$ko" ] || die "no l4lb.ko in $src after the build"
	say "l4lb.ko for $(cat "$stamp"): $ko"
	echo "$ko" >&3
}

main "$@"
exit $?
