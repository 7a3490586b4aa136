#!/bin/sh
# sched_wlc: weighted least-connection, switched to at run time, and
# weight 0 (quiescent).
#
# l4lb starts with the reference service (rr over be1, be2, be3, greetd
# answering its name). `l4lbctl service set scheduler wlc`, weights 2, 1, 0.
# Connections are opened one after another and held (each answered, so
# ESTABLISHED, before the next starts):
#   - six connections: be1 gets 4, be2 2, be3 (weight 0) none: wlc keeps
#     active/weight level, 4/2 = 2/1;
#   - then be1 is set to weight 0 and be3 to weight 1: the next four go to
#     be3, be3, then one each to be2 and be3 (active 3 and 3); be1 gets none
#     but keeps its four connections (4 active rows, still "up").
. /vm/lib/common.sh
. /vm/lib/sched.sh
plan 10
require_l4lbctl

step "topology"
topo_up || die "topology up"
kmsg_mark "sched_wlc"
lb_up || die "l4lb up"
ok "l4lb up with the reference service (rr)"
_sched_run "l4lbctl service set scheduler wlc; weights 2, 1, 0" sh -c "
	l4lbctl service set scheduler wlc && l4lbctl set $BE1 weight 2 &&
	l4lbctl set $BE3 weight 0"
expect_eq "service scheduler wlc, weights 2 1 0" "wlc|2 1 0" \
	"$(_sched_service_sched)|$(_sched_list weight)"
if _sched_greet; then ok "greetd answers be1, be2, be3"
else fail "greetd answers be1, be2, be3"; diag_file /tmp/be1.log; fi

step "six connections, weights 2 1 0"
first=$(_sched_hold_many w 6)
diag "placement of w1..w6: $first"
expect_eq "six connections: be1 4, be2 2, be3 (weight 0) none" "be1 4 be2 2 be3 0" \
	"$(echo "$first" | _sched_tally)"

step "be1 quiescent (weight 0), be3 weight 1"
_sched_run "l4lbctl set be1 weight 0, be3 weight 1" sh -c "
	l4lbctl set $BE1 weight 0 && l4lbctl set $BE3 weight 1"
more=$(_sched_hold_many x 4)
diag "placement of x1..x4: $more"
expect_eq "four more: none to be1 (weight 0); be3 twice, then one each (be2 1, be3 3)" \
	"be1 0 be2 1 be3 3|be3 be3" \
	"$(echo "$more" | _sched_tally)|$(echo "$more" | cut -d' ' -f1-2)"
expect_eq "list: weights 0 1 1, states up up up, active 4 3 3" "0 1 1|up up up|4 3 3" \
	"$(_sched_list weight)|$(_sched_list state)|$(_sched_list active)"

step "clean up"
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "sched_wlc"
