#!/bin/sh
# proc_large: /proc/l4lb/nat reads a table of 100,000 rows correctly.
#
# A UDP service; flood sends one datagram from each of 100,000 spoofed
# source tuples (200 addresses x 500 ports in the client's subnet), so the
# balancer creates 100,000 rows. The seq_file must then print a header,
# every row exactly once, and the length line; l4lbctl must agree; and
# rmmod must free 100,000 live rows without a warning or a slab leftover.
. /vm/lib/common.sh
plan 11
require_l4lb

N=100000

step "topology"
topo_up || die "topology up"
kmsg_mark "proc_large"
if udp_lb_up; then
	ok "l4lb up with a UDP service"
else
	die "l4lb up with a UDP service"
fi

step "flood $N source tuples"
# A busy host may still drop datagrams from the veth backlog. Each tuple
# makes one row whatever the number of its datagrams, so sending the same
# tuples again only fills the gaps: up to three rounds.
sysctl -qw net.core.netdev_max_backlog=100000
# SNAT ports avoid the local ephemeral range, which leaves 31,744 per
# backend by default; 100,000 rows over 3 backends need more, so narrow
# the local range (SNAT ports become 1024-60999), as the README says.
lb_port_range 61000 65535
out=$(n cli flood -p udp -a 200 -P 500 -b 10.0.0.10 -r 20000 "$VIP" "$VPORT")
expect_eq "flood sent $N datagrams" "sent $N" "$out"
round=1
while ! wait_nat_len "$N" 20 && [ "$round" -lt 3 ]; do
	diag "round $round: $(nat_len) rows; sending the tuples again"
	n cli flood -p udp -a 200 -P 500 -b 10.0.0.10 -r 10000 "$VIP" "$VPORT" >/dev/null
	round=$((round + 1))
done
if wait_nat_len "$N" 10; then ok "NAT table length reaches $N"
else fail "NAT table length reaches $N" "length: $(nat_len)"; fi

step "read /proc/l4lb/nat"
cat /proc/l4lb/nat >/tmp/nat.txt
expect_eq "the file has a header, $N rows and the length line" \
	"$((N + 2))" "$(wc -l </tmp/nat.txt | tr -d ' ')"
check "the first line is the header" sh -c 'head -n 1 /tmp/nat.txt | grep -q "^Pro "'
expect_eq "the last line is the table length" \
	"Current NAT table length: $N" "$(tail -n 1 /tmp/nat.txt)"
expect_eq "every row is listed once (distinct clients)" "$N" \
	"$(sed '1d;$d' /tmp/nat.txt | awk '$1 == "UDP" { print $2 }' | sort -u | wc -l | tr -d ' ')"
if command -v l4lbctl >/dev/null; then
	expect_eq "l4lbctl count agrees" "$N" "$(l4lbctl count)"
else
	skip "l4lbctl count agrees" "l4lbctl not built"
fi

step "rmmod with $N rows"
bg_kill_all
if unload_l4lb; then ok "rmmod l4lb frees $N live rows"
else fail "rmmod l4lb frees $N live rows"; fi
check "no l4lb slab cache left" slab_check
topo_down
kernel_clean_since "proc_large"
