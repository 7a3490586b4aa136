#!/bin/sh
# fault_alloc: forced allocation failures crash nothing, leak nothing, and
# each shows as a counter or an errno.
#
# Needs the fault injection of the debug kernel (make vm-debug): on a
# kernel without failslab and fail_function it skips.
#   - failslab, limited to l4lb's row cache (cache-filter, and the cache's
#     failslab flag, set at boot by slub_debug=A,l4lb_conn), fails 10% of row allocations while 300 short
#     connections run: each failure must be one drop_no_memory, and the
#     connections that got a row are answered;
#   - fail_function fails 10% of backend allocations and backend array
#     publications (l4lb_backend_alloc, l4lb_service_publish, marked with
#     ALLOW_ERROR_INJECTION) while 210 control commands run: each failure
#     must be one l4lbctl "out of memory" error (exit 1), and the state
#     must stay consistent.
# debugfs "times" counts the failures injected: it starts at 100000 and
# goes down by one for each.
. /vm/lib/common.sh
plan 9
require_l4lbctl

DBG=/sys/kernel/debug
mountpoint -q "$DBG" 2>/dev/null || mount -t debugfs debugfs "$DBG" 2>/dev/null
if ! [ -d "$DBG/failslab" ] || ! [ -d "$DBG/fail_function" ]; then
	skip_rest "no failslab or fail_function (debug kernel only: make vm-debug)"
	exit 0
fi
TIMES=100000

step "topology"
topo_up || die "topology up"
kmsg_mark "fault_alloc"
lb_up || die "l4lb up"
ok "l4lb up with the reference service"
serve_fork fa 'echo $BE'

step "failslab: 10% of row allocations, 300 connections"
F=$DBG/failslab
echo Y >"$F/cache-filter"
# The cache's flag is set at boot (slub_debug=A,l4lb_conn, debug-kernel/vm.sh).
[ "$(cat /sys/kernel/slab/l4lb_conn/failslab 2>/dev/null)" = 1 ] ||
	diag "the l4lb_conn cache is not marked for failslab (slub_debug=A,l4lb_conn)"
echo 0 >"$F/verbose"
echo N >"$F/task-filter"
echo 1 >"$F/interval"
echo "$TIMES" >"$F/times"
echo 10 >"$F/probability"
before=$(l4lbctl -j stats | jq -r .drop_no_memory)
n cli timeout 300 cycle -t 2000 "$VIP" "$VPORT" 300 >/tmp/fa.cycle 2>&1
echo 0 >"$F/probability"
injected=$((TIMES - $(cat "$F/times")))
drops=$(($(l4lbctl -j stats | jq -r .drop_no_memory) - before))
answered=$(awk '$1 == "done" { print $4 }' /tmp/fa.cycle)
diag "injected $injected, drop_no_memory +$drops, answered $answered of 300"
check "failures were injected ($injected)" [ "$injected" -gt 0 ]
expect_eq "each injected failure is one drop_no_memory" "$injected" "$drops"
check "most connections are answered anyway (SYN retransmits): $answered" \
	[ "${answered:-0}" -ge 250 ]

step "fail_function: 10% of backend allocations and publications, 210 commands"
FF=$DBG/fail_function
echo l4lb_backend_alloc >"$FF/inject"
echo l4lb_service_publish >>"$FF/inject"
printf %s -12 >"$FF/l4lb_service_publish/retval"
echo 0 >"$FF/verbose"
echo N >"$FF/task-filter"
echo 1 >"$FF/interval"
echo "$TIMES" >"$FF/times"
echo 10 >"$FF/probability"
oom=0 other=0
k=0
while [ "$k" -lt 70 ]; do
	for cmd in "add 10.0.9.9:9000 weight 2" "set 10.0.9.9:9000 weight 3" \
		"remove 10.0.9.9:9000 --now"; do
		# shellcheck disable=SC2086
		if ! l4lbctl $cmd >/dev/null 2>/tmp/fa.err; then
			if grep -q "out of memory" /tmp/fa.err; then
				oom=$((oom + 1))
			else
				other=$((other + 1))
			fi
		fi
	done
	k=$((k + 1))
done
echo 0 >"$FF/probability"
echo >"$FF/inject"
l4lbctl remove 10.0.9.9:9000 --now >/dev/null 2>&1
finjected=$((TIMES - $(cat "$FF/times")))
diag "injected $finjected, out of memory $oom, other refusals $other"
check "failures were injected ($finjected)" [ "$finjected" -gt 0 ]
expect_eq "each injected failure is one \"out of memory\" error" "$finjected" "$oom"

step "the state is consistent"
l4lbctl -j list >/tmp/fa.list
check "no count is negative or wrapped" \
	sh -c '! jq -r ".[] | .active, .inactive, .total" /tmp/fa.list | grep -Eq "^-|^42949"'
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "fault_alloc"
