# shellcheck shell=bash
# Sourced by tests/vm/run.sh when L4LB_KERNEL=debug: boot the debug kernel
# (tests/debug-kernel/build.sh builds it on first use) instead of Debian's.
#
# Sets and exports, for run.sh and mkinitramfs.sh:
#   KVER         the debug kernel's release (e.g. 6.1.192-l4lb-debug)
#   VM_KERNEL    its bzImage
#   VM_MODROOT   its modules_install root (mkinitramfs takes modules there)
#   L4LB_KO      l4lb.ko built against it (unless L4LB_KO is set)
#   EXTRA_TESTS  debug_final.sh (kmemleak and "are the checks still on")
# and appends debug_final to TESTS. Defaults for this kernel, unless set:
# VM_MEM=2048 (KASAN's shadow is 1/8 of it) and VM_TEST_TIMEOUT=900 (KASAN,
# lockdep and kmemleak under TCG are several times slower).

DEBUG_KERNEL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

debug_kernel_env=$(bash "$DEBUG_KERNEL_DIR/build.sh" --env) || {
	echo "run.sh: building the debug kernel failed" >&2
	exit 1
}
eval "$debug_kernel_env"
export KVER=$L4LB_DEBUG_KVER VM_KERNEL=$L4LB_DEBUG_IMAGE VM_MODROOT=$L4LB_DEBUG_MODROOT
if [ -z "${L4LB_KO:-}" ]; then
	L4LB_KO=$(bash "$DEBUG_KERNEL_DIR/build.sh" --module) || {
		echo "run.sh: building l4lb.ko against the debug kernel failed" >&2
		exit 1
	}
	export L4LB_KO
fi
export EXTRA_TESTS="${EXTRA_TESTS:+$EXTRA_TESTS }$DEBUG_KERNEL_DIR/debug_final.sh"
TESTS="$TESTS debug_final"
VM_MEM=${VM_MEM:-2048}
VM_TEST_TIMEOUT=${VM_TEST_TIMEOUT:-900}
