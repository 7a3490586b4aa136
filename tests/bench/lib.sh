# shellcheck shell=sh
# lib.sh - what the bench VMs' two /init scripts (vm-bench.sh, vm-pkt.sh)
# share: /vm/bench/lib.sh in the VM (run.sh packs it). Sourced before
# anything is mounted, so it only defines functions. busybox sh.

# bench_pid1 [LINES]: what /init does as PID 1: mount, run itself as a
# child with the argument "bench" (a shell error must not kill init), then
# print the kernel log (its last LINES lines; default all) between
# "----- dmesg -----" and "----- end dmesg -----", and power off. Does not
# return.
bench_pid1() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev 2>/dev/null
	mount -t tmpfs tmpfs /tmp
	mount -t tmpfs tmpfs /run
	exec </dev/null >/dev/console 2>&1
	echo
	sh /init bench
	echo "# bench script exit $?"
	echo "----- dmesg -----"
	if [ -n "$1" ]; then
		dmesg | tail -n "$1"
	else
		dmesg
	fi
	echo "----- end dmesg -----"
	sync
	poweroff -f
	exit 0
}

# load_mod MOD [ARGS...]: insmod MOD's dependencies (/vm/moddeps/MOD, in
# order; failures ignored), then MOD with ARGS. 0 at once if MOD is loaded;
# 1 if it is not in the image or does not load. Uses the caller's say.
load_mod() {
	_mm=$1
	shift
	[ -e "/sys/module/$_mm/initstate" ] && return 0
	[ -f "/vm/moddeps/$_mm" ] || { say "no module $_mm in the image"; return 1; }
	while read -r _ko; do
		_b=${_ko##*/}
		_b=$(echo "${_b%.ko}" | tr - _)
		[ -e "/sys/module/$_b/initstate" ] && continue
		if [ "$_b" = "$_mm" ]; then
			insmod "$_ko" "$@" || return 1
		else
			insmod "$_ko" 2>/dev/null
		fi
	done <"/vm/moddeps/$_mm"
	[ -e "/sys/module/$_mm/initstate" ]
}

# gc_read: "GC_RUNS GC_NSECS", l4lb's expiry worker's counters (l4lbctl
# stats: its runs, and the time from the start to the end of each, summed);
# nothing without l4lbctl or l4lb.
gc_read() {
	l4lbctl stats 2>/dev/null |
		awk '$1 == "gc_runs" { r = $2 } $1 == "gc_nsecs" { n = $2 }
		     END { if (r != "" && n != "") print r, n }'
}
