#!/bin/sh
# fault_alloc: forced allocation failures crash nothing, leak nothing, and
# each shows as a counter or an errno.
#
# Needs the fault injection of the debug kernel (make vm-debug): l4lb's own
# fault attribute, /sys/kernel/debug/fail_l4lb (kmod/l4lb_fault.c), which
# its allocations of rows, backends and backend arrays consult. On a kernel
# without it (Debian's) the test skips. It fails 10% of them:
#   - while 150 short connections run: each failure must be one
#     drop_no_memory, and the connections that got a row are answered;
#   - while 120 control commands run: each failure must be one l4lbctl
#     "out of memory" error (exit 1), and the state must stay consistent.
# debugfs "times" counts the failures injected: it starts at 100000 and
# goes down by one for each.
. /vm/lib/common.sh
plan 9
require_l4lbctl

DBG=/sys/kernel/debug
mountpoint -q "$DBG" 2>/dev/null || mount -t debugfs debugfs "$DBG" 2>/dev/null
F=$DBG/fail_l4lb
TIMES=100000

# Fail 10% of l4lb's allocations, counting them down from $TIMES.
fault_on() {
	echo N >"$F/task-filter"
	echo 0 >"$F/verbose"
	echo 1 >"$F/interval"
	echo 0 >"$F/space"
	echo "$TIMES" >"$F/times"
	echo 10 >"$F/probability"
}

# Stop, and print how many failures were injected.
fault_off() {
	echo 0 >"$F/probability"
	echo $((TIMES - $(cat "$F/times")))
}

step "topology"
topo_up || die "topology up"
kmsg_mark "fault_alloc"
lb_up || die "l4lb up"
# The module makes fail_l4lb at insmod, so look only now.
if ! [ -d "$F" ]; then
	rmmod l4lb
	skip_rest "no $F (debug kernel only: make vm-debug)"
	exit 0
fi
ok "l4lb up with the reference service"
serve_fork fa 'echo $BE'

step "traffic: 10% of row allocations fail, 150 connections"
before=$(l4lbctl -j stats | jq -r .drop_no_memory)
fault_on
n cli timeout 600 cycle -t 2000 "$VIP" "$VPORT" 150 >/tmp/fa.cycle 2>&1
injected=$(fault_off)
drops=$(($(l4lbctl -j stats | jq -r .drop_no_memory) - before))
answered=$(awk '$1 == "done" { print $4 }' /tmp/fa.cycle)
diag "injected $injected, drop_no_memory +$drops, answered $answered of 150"
check "failures were injected ($injected)" [ "$injected" -gt 0 ]
expect_eq "each injected failure is one drop_no_memory" "$injected" "$drops"
check "most connections are answered anyway (SYN retransmits): $answered" \
	[ "${answered:-0}" -ge 125 ]

step "control: 10% of backend and array allocations fail, 120 commands"
oom=0 other=0
k=0
fault_on
while [ "$k" -lt 40 ]; do
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
finjected=$(fault_off)
l4lbctl remove 10.0.9.9:9000 --now >/dev/null 2>&1
diag "injected $finjected, out of memory $oom, other refusals $other"
check "failures were injected ($finjected)" [ "$finjected" -gt 0 ]
expect_eq "each injected failure is one \"out of memory\" error" "$finjected" "$oom"

step "the state is consistent"
l4lbctl -j list >/tmp/fa.list
check "no count is negative or wrapped" \
	sh -c '! jq -r ".[] | .active, .inactive, .total" /tmp/fa.list | grep -Eq "^-|^42949"'
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "fault_alloc"
