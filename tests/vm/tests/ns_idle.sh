#!/bin/sh
# ns_idle: a namespace without a service costs nothing per second: no
# expiry worker runs for it (issue #15). Any user can make namespaces, a
# host may have thousands, and a worker waking each four times a second
# for nothing adds up.
#
# Each run of the worker is seen in the kernel's trace of the workqueues
# (event workqueue_execute_start, whose function is l4lb_gc_work), with
# no help from l4lb: the test also holds for a module that exports no
# such counter.
#
#   insmod l4lb.ko vip=10.0.0.1 ... (the reference service)
#   ip netns add idle; l4lbctl service set vip 10.0.9.1 ...  in idle
#
# While services exist the worker runs. Both services deleted, it runs
# no more: no l4lb_gc_work in 5 s. A new service starts it again.
. /vm/lib/common.sh
plan 8
require_l4lbctl

TR=/sys/kernel/tracing

# gc_runs: l4lb_gc_work runs in the trace since the last trace_reset.
gc_runs() {
	grep -c 'function l4lb_gc_work' "$TR/trace"
}

trace_reset() {
	echo >"$TR/trace"
}

step "tracing of the workqueues"
[ -e "$TR/trace" ] || mount -t tracefs nodev "$TR"
if [ -w "$TR/events/workqueue/workqueue_execute_start/enable" ]; then
	echo 1 >"$TR/events/workqueue/workqueue_execute_start/enable"
	echo 1 >"$TR/tracing_on"
else
	die "tracefs with workqueue events"
fi

kmsg_mark "ns_idle"
step "services in two namespaces"
lb_up || die "l4lb up"
ip netns add idle
ip -n idle link set lo up
if l4lbctl_in idle service set vip 10.0.9.1 port 80 >/tmp/ctl.out 2>&1; then
	ok "l4lb up, and a service in namespace idle"
else
	fail "l4lb up, and a service in namespace idle"
	diag_file /tmp/ctl.out
fi
trace_reset
sleep 2
n=$(gc_runs)
if [ "$n" -gt 0 ]; then
	ok "with services the expiry worker runs ($n runs in 2 s)"
else
	fail "with services the expiry worker runs ($n runs in 2 s)"
	diag_file "$TR/trace" 20
fi

step "delete both services"
if l4lbctl_in idle service del 10.0.9.1:80/tcp >/tmp/ctl.out 2>&1 &&
	l4lbctl service del "$VIP:$VPORT/tcp" >>/tmp/ctl.out 2>&1; then
	ok "both services deleted"
else
	fail "both services deleted"
	diag_file /tmp/ctl.out
fi
trace_reset
expect_eq "no row left" "0 0" "$(l4lbctl count) $(l4lbctl_in idle count)"
# The runs queued before the deletions still come (their timers are
# deferrable: an idle CPU may run them late), and find nothing to do;
# wait until no more come for a second, then watch.
wait_still 10 1 gc_runs || diag "the worker still runs: $(gc_runs) runs"
trace_reset
sleep 5
n=$(gc_runs)
if [ "$n" = 0 ]; then
	ok "without services no expiry worker runs (none in 5 s)"
else
	fail "without services no expiry worker runs ($n runs in 5 s)"
	grep 'l4lb_gc_work' "$TR/trace" | head -n 5 | sed 's/^/#   /'
fi

step "a new service"
l4lbctl_in idle service set vip 10.0.9.1 port 80 >/tmp/ctl.out 2>&1 ||
	diag_file /tmp/ctl.out
trace_reset
if wait_for 10 '[ "$(gc_runs)" -gt 0 ]'; then
	ok "a new service starts it again"
else
	fail "a new service starts it again (no run in 10 s)"
fi

step "clean up"
echo 0 >"$TR/events/workqueue/workqueue_execute_start/enable"
trace_reset
ip netns del idle
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "ns_idle"
