#!/bin/sh
# ctl_count: the NAT table length agrees everywhere.
#
# With 20 connections held open (conns -w, idle, so the table is stable):
# `l4lbctl count`, the last line of /proc/l4lb/nat ("Current NAT table
# length: N"), the rows of `l4lbctl -j nat`, of `l4lbctl nat` and of
# /proc/l4lb/nat, `l4lbctl -j count` and the "conns" line of `l4lbctl
# stats` must all say 20, and `l4lbctl -j nat` must list the same rows
# (client, backend) as /proc/l4lb/nat. After the connections close, all
# of them must say 0.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 9
require_l4lbctl

K=20

# _numbers: count, /proc length, -j nat rows, nat rows, /proc rows,
# -j count, stats conns.
_numbers() {
	printf '%s ' "$(l4lbctl count)" "$(nat_len)" \
		"$(l4lbctl -j nat | json_len)" \
		"$(l4lbctl nat | grep -cE '^(TCP|UDP) ')" \
		"$(grep -cE '^(TCP|UDP) ' /proc/l4lb/nat)" \
		"$(l4lbctl -j count | jq .conns)" \
		"$(l4lbctl stats | sed -n 's/^conns //p')" | sed 's/ $//'
}

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_count"
lb_up || die "l4lb up"
ok "l4lb up with be1, be2, be3"
greet_all
serve_ready || diag "greetd not ready"

step "open $K connections"
bg_held conns /tmp/conns.out cli conns -w -t 60 "$VIP" "$VPORT" "$K"
wait_for 70 'grep -q "^holding" /tmp/conns.out'
if grep -q "^answered $K of $K\$" /tmp/conns.out && wait_nat_len "$K" 10; then
	ok "$K connections open and answered"
else
	fail "$K connections open and answered" "nat_len: $(nat_len)"; diag_file /tmp/conns.out 5
fi

step "compare"
nums=$(_numbers)
diag "count, /proc length, -j nat rows, nat rows, /proc rows, -j count, stats conns: $nums"
set -- $nums
expect_eq "l4lbctl count equals the last line of /proc/l4lb/nat ($K)" "$K $K" "$1 $2"
expect_eq "l4lbctl -j nat, l4lbctl nat and /proc/l4lb/nat each have $K rows" "$K $K $K" "$3 $4 $5"
expect_eq "l4lbctl -j count and l4lbctl stats say conns $K" "$K $K" "$6 $7"
expect_eq "l4lbctl -j nat and /proc/l4lb/nat list the same rows (client, backend)" \
	"$(_ctl_proc_pairs)" "$(_ctl_nat_map)"

step "close them"
release conns 30 >/dev/null
wait_nat_len 0 30 || diag "NAT table length: $(nat_len)"
expect_eq "after closing: all say 0, and -j nat is []" "0 0 0 0 0 0 0 []" \
	"$(_numbers) $(l4lbctl -j nat)"

topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "ctl_count"
