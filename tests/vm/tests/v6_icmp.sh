#!/bin/sh
# v6_icmp: ICMPv6 through the balancer.
#
#   l4lbctl service set vip 2001:db8::1 port 20000 proto udp
#   l4lbctl backend add [2001:db8:k::1]:1000(k-1) service [2001:db8::1]:20000/udp
#
#  1. ICMPv6 that is about no row is left alone: with every neighbour
#     cache flushed, cli pings the balancer's own 2001:db8::fe and, through
#     it, be1; neighbour discovery resolves both links; with the VIP made an
#     address of the balancer (v6_vip_local), cli pings the VIP itself; no
#     row is made.
#  2. backend -> client: no server on the backends; a datagram from cli
#     goes to be1 (round robin), which answers port unreachable to the
#     balancer; l4lb translates it, so the client's connected socket gets
#     ICMPv6 type 1 code 4 (its quoted packet matches only the client's own
#     flow to the VIP); icmp_translated counts it.
#  3. client -> backend: be2 (the second flow) answers 2 s late, after the
#     client's socket is gone; the client's port unreachable about that
#     reply reaches be2 (its Icmp6InDestUnreachs grows): translated the
#     other way.
. /vm/lib/common.sh
. /vm/lib/life.sh
. /vm/lib/v6.sh
plan 10
require_l4lbctl

# _snmp6 NS NAME: counter NAME of /proc/net/snmp6 in namespace NS.
_snmp6() {
	n "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/snmp6
}

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_icmp"
v6_lb_up udp || die "l4lb up with the UDP service [$VIP6]:$VPORT"
ok "l4lb up with the UDP service [$VIP6]:$VPORT over be1..be3"

step "ping and neighbour discovery"
for ns in lb cli be1 be2 be3; do
	n "$ns" ip -6 neigh flush all 2>/dev/null
done
check "cli pings the balancer's $LB6" n cli ping -6 -c 2 -W 5 "$LB6"
check "cli pings be1 (2001:db8:1::1) through the balancer" n cli ping -6 -c 2 -W 5 2001:db8:1::1
nd_cli=$(n cli ip -6 neigh show "$LB6" dev eth0)
nd_lb=$(ip -6 neigh show 2001:db8:1::1 dev veth-be1)
diag "cli: $nd_cli" "lb: $nd_lb"
case "$nd_cli $nd_lb" in
*lladdr*lladdr*) ok "neighbour discovery resolved cli's and be1's links" ;;
*) fail "neighbour discovery resolved cli's and be1's links" ;;
esac
v6_vip_local on || diag "could not add the VIP to lo"
check "cli pings the VIP itself, an address of the balancer" n cli ping -6 -c 2 -W 5 "$VIP6"
v6_vip_local off
expect_eq "ICMPv6 echo and ND made no row" 0 "$(v6_nat_len)"

step "backend -> client: port unreachable"
icmp0=$(_life_stat icmp_translated)
n cli v6send -u -w 5 "$VIP6" "$VPORT" >/tmp/a.out 2>&1
diag_file /tmp/a.out
v6_nat_show "after the first flow"
if grep -q '^icmp 1 type 1 code 4 ' /tmp/a.out; then
	ok "the client's socket gets be1's port unreachable (type 1 code 4), about its own flow"
else
	fail "the client's socket gets be1's port unreachable (type 1 code 4), about its own flow"
fi
icmp1=$(_life_stat icmp_translated)
if [ "$((icmp1 - icmp0))" -ge 1 ]; then ok "icmp_translated counted it ($icmp0 -> $icmp1)"
else fail "icmp_translated counted it" "icmp_translated $icmp0 -> $icmp1"; fi

step "client -> backend: port unreachable"
bg /tmp/late.log be2 socat -t 5 UDP6-RECVFROM:10001,fork "SYSTEM:sleep 2; echo late"
wait_for 10 'listens be2 udp 10001' || diag "be2's late server not bound"
un0=$(_snmp6 be2 Icmp6InDestUnreachs)
out0=$(_snmp6 cli Icmp6OutDestUnreachs)
n cli v6send -u -w 1 "$VIP6" "$VPORT" >/tmp/b.out 2>&1
diag_file /tmp/b.out
if wait_for 15 '[ "$(_snmp6 be2 Icmp6InDestUnreachs)" -gt "$un0" ]'; then
	ok "be2 gets the client's port unreachable about its late reply"
else
	fail "be2 gets the client's port unreachable about its late reply" \
		"be2 Icmp6InDestUnreachs: $un0 -> $(_snmp6 be2 Icmp6InDestUnreachs)" \
		"cli Icmp6OutDestUnreachs: $out0 -> $(_snmp6 cli Icmp6OutDestUnreachs)"
fi
diag "cli Icmp6OutDestUnreachs $out0 -> $(_snmp6 cli Icmp6OutDestUnreachs)"
v6_nat_show "after the second flow"
diag "stats: $(_life_stats)"

bg_kill_all
v6_topo_down
unload_l4lb || diag "rmmod l4lb failed"
kernel_clean_since "v6_icmp"
