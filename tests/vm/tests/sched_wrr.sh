#!/bin/sh
# sched_wrr: smooth weighted round robin, configured at run time.
#
# l4lb starts with the reference service (rr over be1, be2, be3, greetd
# answering its name). Then `l4lbctl service set scheduler wrr` and weights
# 5:1:1 with `l4lbctl set IP:PORT weight N`. One client opens 700
# connections one after another and holds them:
#   - the first seven go a a b a c a a (be1 be1 be2 be1 be3 be1 be1), the
#     nginx interleaving, and so does every further block of seven;
#   - be1, be2, be3 get exactly 500, 100, 100 of them (by the answers, by
#     the NAT table's rows, and by `l4lbctl list` totals).
. /vm/lib/common.sh
. /vm/lib/sched.sh
plan 13
require_l4lbctl

K=700
PATTERN="be1 be1 be2 be1 be3 be1 be1"

step "topology"
topo_up || die "topology up"
kmsg_mark "sched_wrr"
lb_up || die "l4lb up"
ok "l4lb up with the reference service (rr)"
_sched_run "l4lbctl service set scheduler wrr" l4lbctl service set scheduler wrr
_sched_run "l4lbctl set weight 5, 1, 1" sh -c "
	l4lbctl set $BE1 weight 5 && l4lbctl set $BE2 weight 1 &&
	l4lbctl set $BE3 weight 1"
expect_eq "service scheduler wrr, weights 5 1 1, all up" "wrr|5 1 1|up up up" \
	"$(_sched_service_sched)|$(_sched_list weight)|$(_sched_list state)"
if _sched_greet; then ok "greetd answers be1, be2, be3"
else fail "greetd answers be1, be2, be3"; diag_file /tmp/be1.log; fi

step "$K connections"
bg_held wrr /tmp/wrr.out cli conns -w -t 120 "$VIP" "$VPORT" "$K"
wait_for 150 'grep -q "^answered" /tmp/wrr.out'
answers=$(_sched_answers /tmp/wrr.out)
expect_eq "conns: all $K connections answered" "answered $K of $K" \
	"$(grep '^answered' /tmp/wrr.out)"
first7=$(echo "$answers" | cut -d' ' -f1-7)
expect_eq "the first seven interleave a a b a c a a" "$PATTERN" "$first7"
# The whole sequence is the pattern, block after block.
blocks=$(echo "$answers" | tr ' ' '\n' |
	awk -v p="$PATTERN" 'BEGIN { n = split(p, w, " ") }
		{ if ($1 != w[(NR - 1) % n + 1]) bad++ }
		END { printf "%d connections, %d off the pattern\n", NR, bad + 0 }')
expect_eq "every block of seven interleaves the same way" \
	"$K connections, 0 off the pattern" "$blocks"
expect_eq "answers: be1 500, be2 100, be3 100" "be1 500 be2 100 be3 100" \
	"$(echo "$answers" | _sched_tally)"
wait_for 10 '[ "$(nat_len)" = '"$K"' ]'
expect_eq "NAT rows: be1 500, be2 100, be3 100, all ESTABLISHED" \
	"be1 500 be2 100 be3 100/$K" \
	"$(_sched_nat | awk '{ print $3 }' | _sched_tally)/$(_sched_nat | grep -c ' ESTABLISHED$')"
expect_eq "list: total 500 100 100, active 500 100 100" "500 100 100/500 100 100" \
	"$(_sched_list total)/$(_sched_list active)"

step "clean up"
release wrr 30 >/dev/null
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "sched_wrr"
