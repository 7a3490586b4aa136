#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [KUNIT_PY_RUN_ARGS...] - build and run l4lb's KUnit suites under UML.
#
# 1. Finds Debian's kernel source tarball (/usr/src/linux-source-*.tar.xz)
#    and its package version, and extracts it once into the cache:
#        $CACHE/linux-source-<version>/   the kernel tree (never mrproper'd)
#        $CACHE/kunit-<version>/          kunit.py's UML build directory
#    CACHE is $L4LB_CACHE, else /var/cache/l4lb if usable, else
#    ${XDG_CACHE_HOME:-~/.cache}/l4lb. It is never inside the repository.
# 2. Overlays l4lb into the tree as a built-in option: copies the repo's
#    kmod/*.[ch] + kmod/Kbuild, include/**/*.h, and tests/kunit/{Kconfig,
#    Kbuild,*.[ch]} to <tree>/net/l4lb/ (only files whose content changed are
#    written, so unchanged ones keep their mtime and do not rebuild; files no
#    longer in the repo are removed), and hooks net/l4lb into net/Kconfig and
#    net/Makefile once.
# 3. Runs tools/testing/kunit/kunit.py run --arch=um with
#    tests/kunit/.kunitconfig and l4lb.vip=192.0.2.1 on the kernel command
#    line (the module's init needs it), plus any arguments given here (e.g.
#    a suite glob: run.sh 'l4lb_nat*').
#
# Exit status is non-zero if the build fails, or any case fails or crashes,
# or no case ran, or the kernel log (<build>/test.log) has a KASAN, lockdep,
# RCU, atomic-sleep, list or debugobjects report (.kunitconfig turns those
# checks on). kunit.py's own summary ("Testing complete. Ran N tests:
# ...") is printed, and the last line is "kunit: N passed, N failed".
#
# Environment:
#   L4LB_CACHE          cache directory (see above)
#   L4LB_KSRC_TARBALL   kernel source tarball (default: newest
#                       /usr/src/linux-source-*.tar.xz)
#   L4LB_KUNIT_JOBS     make jobs (default: nproc)
set -euo pipefail

die() {
	echo "kunit: $*" >&2
	exit 1
}

# The whole script is one function, read before it runs, so that editing
# or updating the repository during a (long) run cannot derail it.
main() {
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
start=$(date +%s)

for tool in python3 make gcc tar xz flex bison bc cmp flock dpkg-query; do
	command -v "$tool" >/dev/null ||
		die "$tool not found (apt-get install build-essential flex bison bc python3 xz-utils linux-source)"
done

# --- the kernel source, its version and the cache (tests/ksrc.sh) -----
. "$REPO/tests/ksrc.sh"
ksrc_locate "$REPO"
build=$cache/kunit-$kver

# One run at a time per kernel version: the tree and build dir are shared.
exec 9>"$cache/.kunit-$kver.lock"
if ! flock -n 9; then
	echo "kunit: waiting for another run using $build"
	flock 9
fi

ksrc_extract

# --- the overlay -----------------------------------------------------------
overlay=$tree/net/l4lb
declare -A wanted=()
changed=0

# put SRC DST: copy if the content differs (keeps mtime otherwise).
put() {
	local src=$1 dst=$overlay/$2
	wanted[$dst]=1
	if ! cmp -s "$src" "$dst"; then
		mkdir -p "$(dirname "$dst")"
		cp "$src" "$dst.tmp.$$"
		mv -f "$dst.tmp.$$" "$dst"
		changed=$((changed + 1))
	fi
}

[ -f "$REPO/kmod/Kbuild" ] || die "no $REPO/kmod/Kbuild"
put "$HERE/Kconfig" Kconfig
put "$HERE/Kbuild" Kbuild
put "$REPO/kmod/Kbuild" kmod/Kbuild
# Sources only: kmod/ may also hold objects of an out-of-tree build, which
# must not land in the source tree (make would find them through VPATH).
for f in "$REPO"/kmod/*.c "$REPO"/kmod/*.h "$HERE"/*.c "$HERE"/*.h; do
	[ -f "$f" ] || continue
	case "$f" in *.mod.c) continue ;; esac	# modpost output
	case "$f" in
	"$HERE"/*) put "$f" "tests/$(basename "$f")" ;;
	*) put "$f" "kmod/$(basename "$f")" ;;
	esac
done
while IFS= read -r -d '' f; do
	put "$f" "include/${f#"$REPO"/include/}"
done < <(find "$REPO/include" -type f -name '*.h' -print0)
# Drop what the repository no longer has.
while IFS= read -r -d '' f; do
	if [ -z "${wanted[$f]:-}" ]; then
		rm -f "$f"
		changed=$((changed + 1))
	fi
done < <(find "$overlay" -type f -print0)
find "$overlay" -mindepth 1 -type d -empty -delete
echo "kunit: overlay $overlay: $changed file(s) updated"

# Hook net/l4lb into the tree once.
if ! grep -q '^source "net/l4lb/Kconfig"$' "$tree/net/Kconfig"; then
	grep -Eq '^endif[[:space:]]*#[[:space:]]*if NET$' "$tree/net/Kconfig" ||
		die "cannot find the end of 'if NET' in $tree/net/Kconfig"
	sed -E '/^endif[[:space:]]*#[[:space:]]*if NET$/i source "net/l4lb/Kconfig"\n' \
		"$tree/net/Kconfig" >"$tree/net/Kconfig.tmp.$$"
	mv -f "$tree/net/Kconfig.tmp.$$" "$tree/net/Kconfig"
fi
# shellcheck disable=SC2016 # make syntax, not shell
if ! grep -qF 'obj-$(CONFIG_L4LB)' "$tree/net/Makefile"; then
	printf 'obj-$(CONFIG_L4LB)\t\t+= l4lb/\n' >>"$tree/net/Makefile"
fi

# --- build and run -----------------------------------------------------
# A stamp in the build directory records the inputs of the last kernel that
# was built and booted: if neither they nor the kernel changed since, skip
# kunit.py's build step (a no-op make still walks the whole tree) and just
# boot the kernel again (kunit.py exec).
stamp=$build/.l4lb-kunit-stamp
inputs_id() {
	{
		echo "$kver"
		cat "$HERE/.kunitconfig"
		(cd "$overlay" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
		sha256sum "$tree/net/Kconfig" "$tree/net/Makefile"
	} | sha256sum | cut -d' ' -f1
	stat -c '%s %Y' "$build/vmlinux" "$build/.config" 2>/dev/null | tr '\n' ' '
}
sub=run
if [ -z "${L4LB_KUNIT_REBUILD:-}" ] && [ -f "$stamp" ] &&
   [ "$(cat "$stamp")" = "$(inputs_id)" ]; then
	sub="exec"
	for a in "$@"; do	# only suite globs go to exec
		case "$a" in -*) sub=run ;; esac
	done
fi
log=$(mktemp "${TMPDIR:-/tmp}/l4lb-kunit.XXXXXX")
trap 'rm -f "$log"' EXIT
cmd=(python3 tools/testing/kunit/kunit.py "$sub" --arch=um
	--build_dir="$build" --kunitconfig="$HERE/.kunitconfig")
[ "$sub" = run ] && cmd+=(--jobs="${L4LB_KUNIT_JOBS:-$(nproc)}")
cmd+=(--kernel_args=l4lb.vip=192.0.2.1 "$@")
echo "kunit: kernel source $kver, tree $tree"
[ "$sub" = exec ] && echo "kunit: sources unchanged since the last build: not rebuilding (L4LB_KUNIT_REBUILD=1 forces it)"
echo "kunit: (cd $tree && ${cmd[*]})"
set +e
(cd "$tree" && "${cmd[@]}") 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
if grep -q 'Testing complete\.' "$log"; then
	inputs_id >"$stamp"	# this kernel built and booted
else
	rm -f "$stamp"
fi

summary=$(grep -Eo 'Testing complete\. Ran [0-9]+ tests?:.*' "$log" | tail -n 1 || true)
total=$(echo "$summary" | sed -nE 's/.*Ran ([0-9]+) tests?.*/\1/p')
passed=$(echo "$summary" | sed -nE 's/.*passed: ([0-9]+).*/\1/p')
skipped=$(echo "$summary" | sed -nE 's/.*skipped: ([0-9]+).*/\1/p')
total=${total:-0}
passed=${passed:-0}
failed=$((total - passed - ${skipped:-0}))
echo "kunit: wall time $(($(date +%s) - start))s"
# The debug options (.kunitconfig) report in the kernel log, not as failed
# cases: any report fails the run.
splat='BUG: KASAN|WARNING:|possible circular locking|inconsistent lock state|suspicious RCU usage|BUG: sleeping function|BUG: spinlock|list_(add|del) corruption|ODEBUG:|Kernel panic'
# UML warns at every boot that it has no virtio PCI device: not ours.
benign='arch/um/drivers/virt-pci.c'
if [ -f "$build/test.log" ] && [ "$build/test.log" -nt "$log" ] &&
   grep -E "$splat" "$build/test.log" | grep -qv "$benign"; then
	echo "kunit: the kernel log has a debug report:"
	grep -E -A 12 "$splat" "$build/test.log" | grep -v "$benign" | head -n 60
	[ "$failed" -gt 0 ] || failed=1
	rc=1
fi
if [ "$rc" -ne 0 ] || [ -z "$summary" ] || [ "$total" -eq 0 ] || [ "$failed" -ne 0 ]; then
	[ -n "$summary" ] || echo "kunit: no test summary (build or boot failed; exit status $rc)"
	[ "$failed" -gt 0 ] || failed=1
	echo "kunit: $passed passed, $failed failed"
	exit 1
fi
echo "kunit: $passed passed, 0 failed"
}

main "$@"
exit $?
