#!/bin/sh
# v6_concurrent: 500 IPv6 connections held open at once through the
# balancer; concurrency.sh's test over [2001:db8::1]:20000.
#
# greetd -6 on each backend answers with its name; round robin must spread
# them exactly 167/167/166 in backend order, every one must be answered,
# backend k must accept each from the balancer's 2001:db8:k::fe, the table
# must hold 500 v6 rows, and none once they close.
. /vm/lib/common.sh
. /vm/lib/v6.sh
plan 9
require_lb
[ "$LB_IMPL" = l4lb ] && require_l4lbctl

K=500

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_concurrent"
v6_lb_up || die "balancer ($LB_IMPL) up with [$VIP6]:$VPORT"
ok "balancer ($LB_IMPL) up with [$VIP6]:$VPORT"

step "greetd -6 on the backends"
if v6_greet_all; then ok "greetd -6 answers on be1, be2, be3"
else fail "greetd -6 answers on be1, be2, be3"; diag_file /tmp/be1.log; fi

step "open $K connections from cli"
t0=$(_now)
bg_held conns /tmp/conns.out cli conns -w -t 120 "$VIP6" "$VPORT" "$K"
if wait_for 150 'grep -q "^holding" /tmp/conns.out'; then
	diag "$K connections set up in $(($(_now) - t0)) s"
else
	diag "conns did not finish setting up"
fi
answered=$(sed -n 's/^answered \([0-9]*\) of .*/\1/p' /tmp/conns.out)
if [ "$answered" = "$K" ]; then ok "all $K connections answered"
else
	fail "all $K connections answered" "answered: ${answered:-?}"
	grep ' - ' /tmp/conns.out | head -n 10 | sed 's/^/#   /'
fi

c1=$(grep -c '^conn [0-9]* [0-9]* be1$' /tmp/conns.out)
c2=$(grep -c '^conn [0-9]* [0-9]* be2$' /tmp/conns.out)
c3=$(grep -c '^conn [0-9]* [0-9]* be3$' /tmp/conns.out)
expect_eq "spread over be1/be2/be3 is 167/167/166" "167/167/166" "$c1/$c2/$c3"

# Strict round robin: connection i went to backend ((i-1) mod 3) + 1.
bad=$(awk '$1 == "conn" && $4 != "be" (($2 - 1) % 3 + 1) { print }' /tmp/conns.out | head -n 5)
if [ -z "$bad" ]; then ok "connection i reached backend ((i-1) mod 3)+1"
else fail "connection i reached backend ((i-1) mod 3)+1" "first out of order:" "$bad"; fi

step "NAT table while the connections are open"
if v6_wait_nat_len "$K" 20; then ok "$K v6 rows"
else fail "$K v6 rows" "got: $(v6_nat_len)"; fi
v6_nat_rows | head -n 6 | sed 's/^/#   /'

# The servers saw 167/167/166 accepts, all from the balancer's address.
s_ok=1
for b in 1 2 3; do
	want=$((b == 3 ? 166 : 167))
	got=$(grep -c '^accept ' "/tmp/be$b.log")
	others=$(grep '^accept ' "/tmp/be$b.log" | grep -vc "^accept \[2001:db8:$b::fe]:")
	diag "be$b: $got accepts, $others not from [2001:db8:$b::fe]"
	[ "$got" = "$want" ] && [ "$others" = 0 ] || s_ok=0
done
[ "$s_ok" = 1 ] && ok "servers accepted 167/167/166, all from 2001:db8:k::fe" ||
	fail "servers accepted 167/167/166, all from 2001:db8:k::fe"

step "close all $K connections"
release conns 60
rc=$?
[ "$rc" = 0 ] || diag "conns exit $rc"
if v6_wait_nat_len 0 60; then ok "no v6 row left after all $K closed"
else fail "no v6 row left after all $K closed" "v6 rows: $(v6_nat_len)"; fi

v6_topo_down
v6_lb_down || diag "balancer down failed"
kernel_clean_since "v6_concurrent"
