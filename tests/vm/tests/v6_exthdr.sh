#!/bin/sh
# v6_exthdr: IPv6 packets with an extension header are balanced: l4lb
# finds the TCP or UDP header past it.
#
#   l4lbctl service set vip 2001:db8::1 port 20000 proto tcp   (and udp)
#   l4lbctl backend add [2001:db8:k::1]:1000(k-1) service [2001:db8::1]:20000/tcp
#   (and the same backends for the UDP service)
#
# tests/apps/v6send sets IPV6_DSTOPTS on its socket, so every packet it
# sends carries a destination options header (8 bytes, one PadN option)
# between the IPv6 and the TCP/UDP header.
#  1. TCP: the SYN and every later segment carry it; the connection is
#     balanced to be1 and answered by its greetd -6, and has its row
#     (TCP, ESTABLISHED, the client's own port, be1).
#  2. UDP: a flow of two such datagrams is balanced to be1 (the UDP
#     service's first flow) and both replies arrive intact; its row is
#     there (UDP, be1).
#  3. drop_malformed does not move.
. /vm/lib/common.sh
. /vm/lib/life.sh
. /vm/lib/v6.sh
plan 7
require_l4lbctl

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_exthdr"
v6_lb_up tcp && v6_svc_up udp || die "l4lb up with a TCP and a UDP service on [$VIP6]:$VPORT"
ok "l4lb up with a TCP and a UDP service on [$VIP6]:$VPORT over be1..be3"
v6_greet_all || die "greetd -6 listens on be1..be3"
v6_udpecho_all ue || die "udpecho -6 listens on be1..be3"
mal0=$(_life_stat drop_malformed)

step "TCP with a destination options header"
bg_held t1 /tmp/t1.out cli v6send -d -h -w 10 "$VIP6" "$VPORT"
wait_for 20 'grep -q "^holding\|^error" /tmp/t1.out'
diag_file /tmp/t1.out
expect_eq "TCP: the connection is balanced to be1 and answered" "be1" \
	"$(sed -n 's/^answer //p' /tmp/t1.out)"
cl=$(sed -n 's/^local //p' /tmp/t1.out)
row=$(v6_nat_rows | awk -v c="$cl" '$1 == "TCP" && $2 == c { print $1, $5, $6 }')
v6_nat_show "the TCP connection"
expect_eq "TCP: its row, ESTABLISHED, to be1" "TCP $BE6_1 ESTABLISHED" "$row"
release t1 || diag "v6send (TCP) exit $?"

step "UDP with a destination options header"
n cli v6send -u -d -n 2 -w 5 "$VIP6" "$VPORT" >/tmp/u1.out 2>&1
diag_file /tmp/u1.out
diag_file /tmp/ue1.log
if grep -q '^done sent 2 replies 2 ' /tmp/u1.out &&
	[ "$(awk '$1 == "reply" { print $5 }' /tmp/u1.out | sort -u)" = be1 ]; then
	ok "UDP: the flow is balanced to be1, both replies intact"
else
	fail "UDP: the flow is balanced to be1, both replies intact"
fi
cl=$(sed -n 's/^local //p' /tmp/u1.out)
row=$(v6_nat_rows | awk -v c="$cl" '$1 == "UDP" && $2 == c { print $1, $5 }')
v6_nat_show "the UDP flow"
expect_eq "UDP: its row, to be1" "UDP $BE6_1" "$row"
expect_eq "drop_malformed stays $mal0" "$mal0" "$(_life_stat drop_malformed)"
diag "stats: $(_life_stats)"

bg_kill_all
v6_topo_down
unload_l4lb || diag "rmmod l4lb failed"
kernel_clean_since "v6_exthdr"
