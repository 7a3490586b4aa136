#!/bin/bash
# run.sh - the l4lb benchmark: l4lb against plain forwarding, IPVS and
# nftables, over IPv4 and IPv6, and l4lb with PROXY protocol v2 headers
# towards the backends against l4lb without, side by side in one VM boot
# (see tests/bench/README.md).
#
# Builds tests/bench/hold, the test bed's initramfs (tests/vm/mkinitramfs.sh
# with nginx, wrk, ab, iperf3, ipvsadm, perf and the IPVS modules added),
# appends tests/bench/vm-bench.sh as /init, boots Debian's kernel under
# qemu (TCG, -nic none), then tests/bench/report.py turns the serial log
# into a table, out/results.json and out/results.png.
#
# Environment:
#   QUICK=1        smoke mode (~3 min): one round, 1 s runs, 1k idle rows;
#                  checks only that every configuration moved traffic
#   BENCH_RUNS     rounds (default 5; QUICK 1)
#   BENCH_DUR      seconds per wrk/iperf3 run (default 5; QUICK 1)
#   BENCH_LAT      requests of the latency run (default 500; QUICK 100)
#   BENCH_BIG      idle rows of the big scale level (default 50000; QUICK 1000)
#   BENCH_SMALL    idle rows of the small scale level (default 1000; QUICK 100)
#   BENCH_SCALE_RUNS  connection-rate runs per scale level (default BENCH_RUNS)
#   BENCH_CONFIGS  configurations (default direct,l4lb,l4lbpp,ipvs,nft and
#                  the IPv6 ones direct6,l4lb6,ipvs6,nft6; QUICK: the same
#                  without direct6). l4lb,l4lbpp alone answers "PROXY v2 on
#                  vs off"; direct6,l4lb6,ipvs6,nft6 alone is the IPv6 run
#   BENCH_L4LB6_SETUP  ctl (default): l4lb6's service is made with l4lbctl;
#                  params: with insmod's vip= and backends=
#   BENCH_PERF=0|1 perf profile of l4lb (default 1 if perf is installed; QUICK 0)
#   BENCH_GCIDLE   seconds of the idle window in which l4lb's expiry worker
#                  is timed at each scale level (default 10; QUICK 0)
#   BENCH_OUT      output directory (default tests/bench/out; QUICK
#                  tests/bench/out/quick, so a smoke run leaves the last
#                  full run's results alone). Nothing here writes the
#                  committed tests/bench/RESULTS.md.
#   VM_MEM         MiB (default 3072), VM_SMP vCPUs (default 2)
#   BENCH_TIMEOUT  hard limit for the VM, seconds (default 3600; QUICK 600)
#   KVER, L4LB_KO  as for tests/vm/run.sh
#   BENCH_MODE=pkt the kernel-only packet-rate bench instead (vm-pkt.sh,
#                  report_pkt.py; tests/bench/README.md): pktgen, UDP
#                  64-byte frames, no user process in the path. Its knobs:
#                  PKT_RUNS (5; QUICK 1), PKT_DUR seconds (4; QUICK 1),
#                  PKT_ROWS idle row levels (1000,100000; QUICK 1000),
#                  PKT_ROWS_RUNS their rounds (3; QUICK 1), PKT_BIG a
#                  last level, with l4lb's table read times
#                  (1000000; QUICK 0: none), PKT_PERF (1 if perf works;
#                  QUICK 0), PKT_SMP two-CPU phase (1), PKT_SMP_RUNS its
#                  rounds (3; QUICK 1), PKT_RUNROWS rows the base and
#                  two-CPU tables are sized for (1000000), PKT_BIGPERF=1
#                  one more profiled hit and new run per configuration at
#                  the PKT_BIG level, first round (0), BENCH_CONFIGS
#                  (fwd,l4lb,ipvs,nft). PKT_ROWS= (empty): no level but
#                  PKT_BIG.
#                  Output in out/pkt (QUICK: out/pkt/quick).
# The last line is "bench: N passed, N failed"; the exit status is non-zero
# if anything failed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VMDIR=$REPO/tests/vm
. "$VMDIR/kver.sh"

QUICK=${QUICK:-}
[ "$QUICK" = 0 ] && QUICK=
MODE=${BENCH_MODE:-}
[ "$MODE" = pkt ] || MODE=
if [ -n "$QUICK" ]; then
	RUNS=${BENCH_RUNS:-1} DUR=${BENCH_DUR:-1} BIG=${BENCH_BIG:-1000} SMALL=${BENCH_SMALL:-100}
	LAT=${BENCH_LAT:-100} SRUNS=${BENCH_SCALE_RUNS:-1} PERF=${BENCH_PERF:-0}
	TIMEOUT=${BENCH_TIMEOUT:-600} GCIDLE=${BENCH_GCIDLE:-0}
else
	RUNS=${BENCH_RUNS:-5} DUR=${BENCH_DUR:-5} BIG=${BENCH_BIG:-50000} SMALL=${BENCH_SMALL:-1000}
	LAT=${BENCH_LAT:-500} SRUNS=${BENCH_SCALE_RUNS:-$RUNS} PERF=${BENCH_PERF:-1}
	TIMEOUT=${BENCH_TIMEOUT:-3600} GCIDLE=${BENCH_GCIDLE:-10}
fi
# The IPv6 configurations run the connection-rate and bulk workloads only;
# QUICK smokes the three balancers of them.
V6CONFIGS=direct6,l4lb6,ipvs6,nft6
[ -n "$QUICK" ] && V6CONFIGS=l4lb6,ipvs6,nft6
CONFIGS=${BENCH_CONFIGS:-direct,l4lb,l4lbpp,ipvs,nft,$V6CONFIGS}
OUT=${BENCH_OUT:-$HERE/out${QUICK:+/quick}}
if [ -n "$MODE" ]; then
	if [ -n "$QUICK" ]; then
		P_RUNS=${PKT_RUNS:-1} P_DUR=${PKT_DUR:-1} P_ROWS=${PKT_ROWS-1000} P_BIG=${PKT_BIG:-0}
		PERF=${PKT_PERF:-0} P_SMP=${PKT_SMP:-1} TIMEOUT=${BENCH_TIMEOUT:-600}
		P_RRUNS=${PKT_ROWS_RUNS:-1} P_SRUNS=${PKT_SMP_RUNS:-1} P_BIGPERF=${PKT_BIGPERF:-0}
	else
		P_RUNS=${PKT_RUNS:-5} P_DUR=${PKT_DUR:-4} P_ROWS=${PKT_ROWS-1000,100000} P_BIG=${PKT_BIG:-1000000}
		PERF=${PKT_PERF:-1} P_SMP=${PKT_SMP:-1} TIMEOUT=${BENCH_TIMEOUT:-3600}
		P_RRUNS=${PKT_ROWS_RUNS:-3} P_SRUNS=${PKT_SMP_RUNS:-3} P_BIGPERF=${PKT_BIGPERF:-0}
	fi
	CONFIGS=${BENCH_CONFIGS:-fwd,l4lb,ipvs,nft}
	OUT=${BENCH_OUT:-$HERE/out/pkt${QUICK:+/quick}}
fi
MEM=${VM_MEM:-3072}
SMP=${VM_SMP:-2}

die() { echo "bench: $*" >&2; echo "bench: 0 passed, 1 failed"; exit 1; }

# --- tools ------------------------------------------------------------------
missing=
for t in qemu-system-x86_64 gcc python3 gnuplot busybox cpio gzip; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
BINS=
NEED="/usr/sbin/nginx /usr/bin/wrk /usr/bin/ab /usr/bin/iperf3 /usr/sbin/ipvsadm"
[ -n "$MODE" ] && NEED="/usr/sbin/ipvsadm /usr/sbin/tc"
for b in $NEED; do
	[ -x "$b" ] && BINS="$BINS $b" || missing="$missing $b"
done
[ -z "$missing" ] || die "missing:$missing (apt-get install wrk apache2-utils iperf3 nginx-light ipvsadm gnuplot-nox qemu-system-x86 python3)"
if [ "$PERF" = 1 ] || [ "${P_BIGPERF:-0}" = 1 ]; then
	if [ -x /usr/bin/perf ] && /usr/bin/perf version >/dev/null 2>&1; then
		BINS="$BINS /usr/bin/perf"
	else
		echo "bench: no working /usr/bin/perf (linux-perf); no profile"
		PERF=0 P_BIGPERF=0
	fi
fi

KVER=$(vm_kver) || exit 1
export KVER
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || die "cannot read $KERNEL"
L4LB_KO=${L4LB_KO:-$REPO/kmod/l4lb.ko}
[ -f "$L4LB_KO" ] || die "no $L4LB_KO: run make first"
L4LB6_SETUP=${BENCH_L4LB6_SETUP:-ctl}
case $L4LB6_SETUP in ctl | params) ;; *) die "BENCH_L4LB6_SETUP is ctl or params" ;; esac
# (mkinitramfs.sh packs tools/l4lbctl/l4lbctl only if it is built)
if [ -z "$MODE" ] && [ "$L4LB6_SETUP" = ctl ] && [[ ",$CONFIGS," == *,l4lb6,* ]] &&
	[ ! -x "${L4LBCTL:-$REPO/tools/l4lbctl/l4lbctl}" ]; then
	die "l4lb6 needs l4lbctl: run make tools (or BENCH_L4LB6_SETUP=params)"
fi

mkdir -p "$OUT"
STAMP=$(date +%Y%m%d-%H%M%S)
LOG=$OUT/bench-$STAMP.log
ln -sfn "$(basename "$LOG")" "$OUT/last.log"

# --- initramfs ----------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/l4lb-bench.XXXXXX")
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gcc -O2 -Wall -Wextra -Werror -o "$WORK/hold" "$HERE/hold.c" || die "cannot build hold"

MODS="ip_vs ip_vs_rr"
# pkt: pktgen, and the backends' tc ingress drop (u32 counts the packets
# from the SNAT pool, matchall the rest).
[ -n "$MODE" ] && MODS="$MODS pktgen sch_ingress cls_u32 cls_matchall act_gact"
echo "bench: building the initramfs (kernel $KVER)"
# shellcheck disable=SC2086
EXTRA_MODULES="$MODS" EXTRA_BINS="$BINS" L4LB_KO=$L4LB_KO \
	"$VMDIR/mkinitramfs.sh" "$WORK/base.cpio.gz" 2>"$WORK/mkinitramfs.log" ||
	{ cat "$WORK/mkinitramfs.log" >&2; die "mkinitramfs failed"; }

# The bench's own files, as a second cpio archive: the kernel unpacks both
# in order, so this /init replaces the test bed's.
mkdir -p "$WORK/ov/usr/local/bin" "$WORK/ov/vm/bench"
install -m 755 "$HERE/vm-${MODE:-bench}.sh" "$WORK/ov/init"
install -m 644 "$HERE/lib.sh" "$WORK/ov/vm/bench/lib.sh"
install -m 755 "$WORK/hold" "$WORK/ov/usr/local/bin/hold"
(cd "$WORK/ov" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$WORK/ov.cpio.gz"
cat "$WORK/base.cpio.gz" "$WORK/ov.cpio.gz" >"$WORK/initrd.gz"

# --- boot ---------------------------------------------------------------------
APPEND="console=ttyS0 panic=-1 quiet slab_nomerge"
APPEND+=" benchruns=$RUNS benchdur=$DUR benchlat=$LAT benchsmall=$SMALL benchbig=$BIG"
[ -n "$QUICK" ] && APPEND+=" benchquick=1"
APPEND+=" benchscaleruns=$SRUNS benchconfigs=$CONFIGS benchperf=$PERF benchgcidle=$GCIDLE"
APPEND+=" bench6setup=$L4LB6_SETUP"
if [ -n "$MODE" ]; then
	APPEND="console=ttyS0 panic=-1 quiet slab_nomerge"
	APPEND+=" pktruns=$P_RUNS pktdur=$P_DUR pktrows=$P_ROWS pktbig=$P_BIG pktperf=$PERF"
	APPEND+=" pktsmp=$P_SMP pktconfigs=$CONFIGS${QUICK:+ pktquick=1}"
	APPEND+=" pktrowsruns=$P_RRUNS pktsmpruns=$P_SRUNS pktrunrows=${PKT_RUNROWS:-1000000}"
	APPEND+=" pktbigperf=$P_BIGPERF"
fi
APPEND+=" ${BENCH_APPEND:-}"
ACCEL=(-accel tcg,thread=multi)
# KVM only with a CPU that has VMX or SVM (some nested VMs have /dev/kvm
# without them, and qemu -enable-kvm aborts there), as tests/vm/run.sh.
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	ACCEL=(-enable-kvm -cpu host)
fi
QEMU=(qemu-system-x86_64 -m "$MEM" -smp "$SMP" "${ACCEL[@]}" -nographic -no-reboot -nic none
	-kernel "$KERNEL" -initrd "$WORK/initrd.gz" -append "$APPEND")

{
	echo "BENCH info qemu $(qemu-system-x86_64 --version | head -n 1)"
	echo "BENCH info qemu_flags ${QEMU[*]:1}"
	echo "BENCH info host $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "BENCH info mode ${MODE:+pkt }${QUICK:+quick}${QUICK:-full}"
	echo "BENCH info date $(date -u +%Y-%m-%d)"
	echo "BENCH info l4lb_ko $(md5sum <"$L4LB_KO" | cut -c1-12) $(cd "$REPO" && git describe --always --dirty 2>/dev/null)"
} >"$LOG"
echo "bench: ${QUICK:+QUICK }run, limit ${TIMEOUT}s, log $LOG"
echo "bench: ${QEMU[*]}"
start=$(date +%s)
# The host's load during the run (the machine may be shared).
( while sleep 10; do echo "HOSTLOAD $(($(date +%s) - start)) $(cut -d' ' -f1 /proc/loadavg)"; done ) >"$WORK/hostload" &
LPID=$!
timeout -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 |
	sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' |
	tee -a "$LOG" |
	grep --line-buffered -E '^(# |BENCH (val|err|skip|na|fullnat|proxy|aux)|PKT (val|err|nat|fill|slab|read))'
qemu_rc=${PIPESTATUS[0]}
kill "$LPID" 2>/dev/null
wait "$LPID" 2>/dev/null
cat "$WORK/hostload" >>"$LOG"
echo "BENCH info duration $(($(date +%s) - start)) s" >>"$LOG"
echo "bench: VM ran $(($(date +%s) - start)) s (qemu exit $qemu_rc)"

if [ -n "$MODE" ]; then
	python3 "$HERE/report_pkt.py" --log "$LOG" --out "$OUT" ${QUICK:+--quick} --qemu-rc "$qemu_rc"
	exit
fi
python3 "$HERE/report.py" --log "$LOG" --out "$OUT" ${QUICK:+--quick} --qemu-rc "$qemu_rc"
