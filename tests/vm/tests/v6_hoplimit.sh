#!/bin/sh
# v6_hoplimit: the hop limit is handled as forwarding handles it.
#
#   l4lbctl service set vip 2001:db8::1 port 20000 proto udp
#   l4lbctl backend add [2001:db8:k::1]:1000(k-1) service [2001:db8::1]:20000/udp
#
# udpecho -6 on each backend logs the hop limit each datagram arrived with.
# tests/apps/v6send sets the client's hop limit (IPV6_UNICAST_HOPS) and
# reads ICMPv6 errors from its socket's error queue.
#  1. Hop limit 1 to the VIP: the balancer may not forward it, so the
#     client's socket gets Time Exceeded (type 3 code 0) about its own flow
#     (the error quotes the packet as the client sent it), no reply comes,
#     and no backend receives anything.
#  2. Hop limit 2: forwarded, the backend receives it with hop limit 1 and
#     the reply arrives.
#  3. Hop limit 64: the backend receives it with 63 (decremented once) and
#     the reply arrives.
#  4. Hop limit 1 again, with the VIP now also an address of the balancer
#     (v6_vip_local): Time Exceeded again, so l4lb itself refused to
#     forward it; a packet it passed on untranslated would have been
#     delivered to the balancer's own stack (port unreachable).
. /vm/lib/common.sh
. /vm/lib/life.sh
. /vm/lib/v6.sh
plan 8
require_l4lbctl

# _recvs [HLIM]: datagrams the backends logged (with hop limit HLIM).
_recvs() {
	cat /tmp/be1.log /tmp/be2.log /tmp/be3.log 2>/dev/null |
		grep -c "^recv .* hlim ${1:-[0-9]*} "
}

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_hoplimit"
v6_lb_up udp || die "l4lb up with the UDP service [$VIP6]:$VPORT"
ok "l4lb up with the UDP service [$VIP6]:$VPORT over be1..be3"
v6_udpecho_all || die "udpecho -6 listens on be1..be3"

step "hop limit 1"
n cli v6send -u -H 1 -n 3 -w 2 "$VIP6" "$VPORT" >/tmp/h1.out 2>&1
diag_file /tmp/h1.out
te=$(grep -c '^icmp [1-3] type 3 code 0 ' /tmp/h1.out)
if [ "$te" -ge 1 ] && ! grep -q '^reply ' /tmp/h1.out; then
	ok "hop limit 1: the client's socket gets Time Exceeded (type 3 code 0), no reply ($te of 3)"
else
	fail "hop limit 1: the client's socket gets Time Exceeded (type 3 code 0), no reply"
fi
expect_eq "hop limit 1: no backend received it" 0 "$(_recvs)"
v6_nat_show "after hop limit 1"

step "hop limit 2"
n cli v6send -u -H 2 -w 5 "$VIP6" "$VPORT" >/tmp/h2.out 2>&1
diag_file /tmp/h2.out
if grep -q '^done sent 1 replies 1 ' /tmp/h2.out && [ "$(_recvs 1)" = 1 ]; then
	ok "hop limit 2: a backend receives it with hop limit 1, and the reply arrives"
else
	fail "hop limit 2: a backend receives it with hop limit 1, and the reply arrives"
	grep -h '^recv' /tmp/be?.log | sed 's/^/#   /'
fi

step "hop limit 64"
n cli v6send -u -H 64 -w 5 "$VIP6" "$VPORT" >/tmp/h64.out 2>&1
diag_file /tmp/h64.out
if grep -q '^done sent 1 replies 1 ' /tmp/h64.out && [ "$(_recvs 63)" = 1 ]; then
	ok "hop limit 64: a backend receives it with 63 (decremented once), and the reply arrives"
else
	fail "hop limit 64: a backend receives it with 63 (decremented once), and the reply arrives"
	grep -h '^recv' /tmp/be?.log | sed 's/^/#   /'
fi
expect_eq "the backends received exactly those two datagrams" 2 "$(_recvs)"

step "hop limit 1, the VIP local"
v6_vip_local on || diag "could not add the VIP to lo"
n cli v6send -u -H 1 -n 2 -w 2 "$VIP6" "$VPORT" >/tmp/h1l.out 2>&1
diag_file /tmp/h1l.out
te=$(grep -c '^icmp [1-2] type 3 code 0 ' /tmp/h1l.out)
if [ "$te" -ge 1 ] && ! grep -q '^reply \|^icmp [1-2] type 1 ' /tmp/h1l.out; then
	ok "hop limit 1 to a local VIP: Time Exceeded again, not delivered to the balancer ($te of 2)"
else
	fail "hop limit 1 to a local VIP: Time Exceeded again, not delivered to the balancer"
fi
v6_vip_local off
diag "stats: $(_life_stats)"

bg_kill_all
v6_topo_down
unload_l4lb || diag "rmmod l4lb failed"
kernel_clean_since "v6_hoplimit"
