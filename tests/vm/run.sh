#!/bin/bash
# run.sh [TEST...] - run l4lb's end-to-end tests in a qemu VM.
#
# Builds the initramfs (mkinitramfs.sh), boots Debian's kernel under
# qemu-system-x86_64 (TCG, no network: -nic none), runs the tests named on
# the command line (tests/vm/tests/NAME.sh; default: all) inside it, and
# checks the serial log. Exit status is non-zero if any TAP "not ok", the
# plan is not reached, the VM timed out or did not finish, or the kernel
# log shows a splat (Oops, WARNING:, BUG:, KASAN, general protection, Call
# Trace, kmem_cache_destroy, still has objects). The last line is
# "vm: N passed, N failed".
#
# Environment:
#   KVER             kernel to boot (default: newest with /lib/modules)
#   L4LB_KERNEL=debug  boot the debug kernel instead (lockdep, KASAN,
#                    kmemleak; tests/debug-kernel, built on first use)
#   L4LB_KO L4LBCTL  what to put in the VM (see mkinitramfs.sh)
#   VM_LB=nft        run the tests against the nftables reference balancer
#                    instead of l4lb (checks the tests themselves)
#   DEMO=1           scenario narrates; all test output is shown
#   VERBOSE=1        show the whole serial output (with the kernel log) and
#                    each test step
#   VM_OUT           directory for serial logs (default tests/vm/out)
#   VM_TEST_TIMEOUT  per-test limit inside the VM, seconds (default 170)
#   VM_FAMILIES=4    the tests that cover both families (health, ca_proxy,
#                    concurrency) run their IPv4 cases only (default 4,6)
#   VM_TIMEOUT       hard limit for the whole VM run, seconds
#   VM_MEM           memory in MiB (default 1024)
#   QEMU_EXTRA       more qemu arguments
#   VM_APPEND        more kernel command line
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/kver.sh"

# Default: every tests/*.sh; smoke (the bed itself) first, coexist (which
# loads conntrack and nftables) last, the others in name order.
all_tests() {
	local t
	echo smoke
	for t in "$HERE"/tests/*.sh; do
		t=$(basename "$t" .sh)
		case $t in smoke | coexist) ;; *) echo "$t" ;; esac
	done
	[ -f "$HERE/tests/coexist.sh" ] && echo coexist
}
SPLAT_RE='Oops|WARNING:|BUG:|KASAN|general protection|Call Trace|kmem_cache_destroy|still has objects'
# What the debug kernel's checks print (most also start with WARNING: or
# BUG:, but not when a line comes out garbled or the format changes).
SPLAT_RE+='|kernel BUG at|Kernel panic|possible circular locking|possible recursive locking'
SPLAT_RE+='|inconsistent lock state|suspicious RCU usage|bad unlock balance|held lock freed'
SPLAT_RE+='|sleeping function called from invalid context|list_(add|del) corruption|ODEBUG:.*object type'

if [ $# -gt 0 ]; then
	TESTS="$*"
else
	TESTS=$(all_tests | xargs)
fi
for t in $TESTS; do
	if [ ! -f "$HERE/tests/$t.sh" ]; then
		echo "run.sh: no test $t (have: $(all_tests | tr '\n' ' '))" >&2
		exit 2
	fi
done
command -v qemu-system-x86_64 >/dev/null || { echo "run.sh: qemu-system-x86_64 not installed" >&2; exit 1; }

# promtool (Debian's prometheus; a 48 MB static Go program, 15 MB more in
# the gzipped image) goes in only for ctl_prometheus, which checks the
# metrics with it (and skips that check without it).
case " $TESTS " in
*" ctl_prometheus "*)
	if [ -x /usr/bin/promtool ]; then
		EXTRA_BINS="${EXTRA_BINS:-} /usr/bin/promtool"
		export EXTRA_BINS
	else
		echo "run.sh: no /usr/bin/promtool (apt-get install prometheus); ctl_prometheus skips its check" >&2
	fi
	;;
esac

case ${L4LB_KERNEL:-} in
'') ;;
debug) . "$HERE/../debug-kernel/vm.sh" ;;	# sets KVER, VM_KERNEL, ...
*) echo "run.sh: L4LB_KERNEL=$L4LB_KERNEL: only 'debug' (or empty)" >&2; exit 2 ;;
esac
KVER=$(vm_kver) || exit 1
KERNEL=${VM_KERNEL:-/boot/vmlinuz-$KVER}
[ -r "$KERNEL" ] || { echo "run.sh: cannot read $KERNEL" >&2; exit 1; }

ntests=$(echo "$TESTS" | wc -w)
TEST_TIMEOUT=${VM_TEST_TIMEOUT:-170}
VM_TIMEOUT=${VM_TIMEOUT:-$((90 + ntests * (TEST_TIMEOUT + 30)))}
OUTDIR=${VM_OUT:-$HERE/out}
mkdir -p "$OUTDIR"
LOG=$OUTDIR/vm-$(date +%Y%m%d-%H%M%S)-$$.log
ln -sfn "$(basename "$LOG")" "$OUTDIR/last.log"
# Keep the 20 newest logs.
ls -1t "$OUTDIR"/vm-*.log 2>/dev/null | tail -n +21 | xargs -r rm -f

INITRD=$(mktemp "${TMPDIR:-/tmp}/l4lb-vm-initrd.XXXXXX")
trap 'rm -f "$INITRD"' EXIT
"$HERE/mkinitramfs.sh" "$INITRD" || { echo "run.sh: mkinitramfs failed" >&2; exit 1; }

APPEND="console=ttyS0 panic=-1 quiet slab_nomerge"
APPEND+=" vmtests=$(echo $TESTS | tr ' ' ',') vmtesttimeout=$TEST_TIMEOUT"
APPEND+=" vmlb=${VM_LB:-l4lb} vmfamilies=${VM_FAMILIES:-4,6}"
[ -n "${DEMO:-}" ] && APPEND+=" vmdemo=1"
[ -n "${VERBOSE:-}" ] && APPEND+=" vmverbose=1"
APPEND+=" ${VM_APPEND:-}"

# KVM only where it can work: /dev/kvm, and a CPU with VMX or SVM. (Some
# nested VMs have /dev/kvm without them; qemu -enable-kvm aborts there.)
ACCEL=()
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	ACCEL=(-enable-kvm -cpu host)
fi

echo "vm: kernel $KVER, tests: $TESTS, limit ${VM_TIMEOUT}s, log $LOG"
start=$(date +%s)
# Live view: TAP lines, console messages before the dmesg dump, and any
# splat; everything with DEMO/VERBOSE. The log gets all of it.
# shellcheck disable=SC2086
timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
	-m "${VM_MEM:-1024}" -smp 2 -nographic -no-reboot -nic none \
	"${ACCEL[@]}" \
	-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND" \
	${QEMU_EXTRA:-} </dev/null 2>&1 |
	sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' |
	tee "$LOG" |
	awk -v demo="${DEMO:-}" -v verbose="${VERBOSE:-}" -v re="$SPLAT_RE" '
		/^----- dmesg -----$/ { dump = 1 }
		verbose != "" || $0 ~ re || (!dump && (demo != "" || /^(ok |not ok |#|1\.\.|\[)/)) { print; fflush() }
	'
qemu_rc=${PIPESTATUS[0]}
elapsed=$(($(date +%s) - start))

# --- verdict ---------------------------------------------------------------
planned=$(grep -m1 -E '^1\.\.[0-9]+$' "$LOG" | cut -c4-)
n_ok=$(grep -cE '^ok [0-9]+' "$LOG")
n_skip=$(grep -cE '^ok [0-9]+ .*# SKIP' "$LOG")
n_notok=$(grep -cE '^not ok [0-9]+' "$LOG")
seen=$((n_ok + n_notok))
failed=$n_notok
problems=()

if [ -z "$planned" ]; then
	problems+=("no TAP plan in the log (the VM did not reach the tests)")
	failed=$((failed + 1))
elif [ "$seen" -lt "$planned" ]; then
	problems+=("plan not reached: $seen of $planned results")
	failed=$((failed + planned - seen))
elif [ "$seen" -gt "$planned" ]; then
	problems+=("more results than planned: $seen of $planned")
	failed=$((failed + 1))
fi
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	problems+=("VM timed out after ${VM_TIMEOUT}s")
	failed=$((failed + 1))
elif ! grep -q '^----- end dmesg -----$' "$LOG"; then
	problems+=("VM did not finish (qemu exit $qemu_rc): crash or panic?")
	failed=$((failed + 1))
fi
if grep -qE "$SPLAT_RE" "$LOG"; then
	problems+=("kernel log has a splat:")
	failed=$((failed + 1))
fi

for p in "${problems[@]}"; do
	echo "# vm: $p"
done
if grep -qE "$SPLAT_RE" "$LOG"; then
	grep -nE "$SPLAT_RE" "$LOG" | head -n 20 | sed 's/^/#   /'
	first=$(grep -nE "$SPLAT_RE" "$LOG" | head -n 1 | cut -d: -f1)
	echo "# vm: context:"
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 40))p" "$LOG" | sed 's/^/#   /'
fi
if [ "$n_notok" -gt 0 ]; then
	echo "# vm: failed:"
	grep -E '^not ok [0-9]+' "$LOG" | sed 's/^/#   /'
fi
echo "# vm: ${elapsed}s, serial log: $LOG"
[ "$n_skip" -gt 0 ] && echo "# vm: $n_skip skipped"
echo "vm: $((n_ok - n_skip)) passed, $failed failed"
[ "$failed" -eq 0 ]
