#!/bin/sh
# sched_lc: least-connection scheduling with long-lived connections.
#
# l4lb is loaded with scheduler=lc over be1, be2, be3 (greetd, answering
# its name). The linger of closed rows is raised to 60 s (`service set
# timeout tcpclose 60`) so that closed connections stay in the table as
# inactive rows for the whole test: lc must count only ESTABLISHED rows.
#   - nine connections, each held open and answered before the next one
#     starts, spread three per backend (ties take turns);
#   - the three on be2 are closed: be2 has 0 active and 3 inactive rows;
#   - the next three connections all go to be2 (the fewest active rows,
#     although its lingering rows would make it a tie if they counted);
#   - then every backend has 3 active rows, and the next three go one to
#     each backend.
. /vm/lib/common.sh
. /vm/lib/sched.sh
plan 12
require_l4lbctl

step "topology"
topo_up || die "topology up"
kmsg_mark "sched_lc"
load_l4lb $L4LB_ARGS scheduler=lc || die "l4lb up with scheduler=lc"
expect_eq "l4lb up, service scheduler is lc" "lc" "$(_sched_service_sched)"
_sched_run "service set timeout tcpclose 60" l4lbctl service set timeout tcpclose 60
if _sched_greet; then ok "greetd answers be1, be2, be3"
else fail "greetd answers be1, be2, be3"; diag_file /tmp/be1.log; fi

step "nine long-lived connections"
first=$(_sched_hold_many lc 9)
diag "placement of lc1..lc9: $first"
expect_eq "nine connections: three per backend" "be1 3 be2 3 be3 3" \
	"$(echo "$first" | _sched_tally)"
wait_for 10 '[ "$(_sched_list active)" = "3 3 3" ]'
expect_eq "list: active 3 3 3, inactive 0 0 0" "3 3 3/0 0 0" \
	"$(_sched_list active)/$(_sched_list inactive)"

step "close the three connections on be2"
i=1 closed=
for b in $first; do
	if [ "$b" = be2 ]; then
		release "lc$i" 10 >/dev/null
		closed="$closed lc$i"
	fi
	i=$((i + 1))
done
diag "closed:$closed"
# Active drops at the first FIN; the closed rows linger (tcpclose 60) as
# inactive.
if wait_for 20 '[ "$(_sched_list active)/$(_sched_list inactive)" = "3 0 3/0 3 0" ]'; then
	ok "after the close: active 3 0 3, be2's rows linger as inactive (0 3 0)"
else
	fail "after the close: active 3 0 3, be2's rows linger as inactive (0 3 0)" \
		"active $(_sched_list active), inactive $(_sched_list inactive)"
	nat_show
fi

step "three new connections"
refill=$(_sched_hold_many lcr 3)
expect_eq "the next three connections all go to be2 (fewest ESTABLISHED rows)" \
	"be2 be2 be2" "$refill"
expect_eq "list: active 3 3 3 (be2's lingering rows still inactive: 0 3 0)" \
	"3 3 3/0 3 0" "$(_sched_list active)/$(_sched_list inactive)"

step "three more connections"
tie=$(_sched_hold_many lct 3)
diag "placement of lct1..lct3: $tie"
expect_eq "on a tie the next three go one to each backend" "be1 1 be2 1 be3 1" \
	"$(echo "$tie" | _sched_tally)"
expect_eq "list: active 4 4 4, total 4 7 4" "4 4 4/4 7 4" \
	"$(_sched_list active)/$(_sched_list total)"

step "clean up"
nat_show "end"
topo_down
if lb_down; then ok "rmmod l4lb (with rows in the table)"; else fail "rmmod l4lb (with rows in the table)"; fi
kernel_clean_since "sched_lc"
