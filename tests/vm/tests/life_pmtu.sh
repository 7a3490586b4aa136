#!/bin/sh
# life_pmtu: ICMP through the balancer.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=...; be2, be3 set down
#
# The lb<->be1 link gets MTU 1280 (both veth ends); the client link stays
# at 1500. be1's route to the balancer advertises MSS 1460 anyway (advmss),
# so the client's segments are too big for the backend link and only
# path-MTU discovery can shrink them: the balancer must send
# fragmentation-needed (mtu 1280) to the client about the packet as the
# client sent it (the VIP tuple).
#
#  1. 5 MB from be1 to the client: byte-identical.
#  2. 5 MB from the client to be1: byte-identical; drop_mtu counted, and
#     the client's route cache to the VIP learnt mtu 1280.
#  3. A UDP service on the same VIP:port (`l4lbctl service set vip VIP
#     port PORT proto udp`, then be1..be3 added to it): a datagram
#     to be1, where no UDP socket listens; be1 answers port-unreachable,
#     l4lb translates it back: the client's connected socket gets
#     ECONNREFUSED, and icmp_translated counts it.
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 8
require_l4lbctl
_life_up
pp l4lbctl set $BE2 down || die "be2 down"
pp l4lbctl set $BE3 down || die "be3 down"
ip link set veth-be1 mtu 1280 && ip -n be1 link set eth0 mtu 1280 || die "MTU 1280 on lb<->be1"
ip -n be1 route change 10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.1 advmss 1460 ||
	die "advmss 1460 on be1's link route"
diag "be1 routes: $(ip -n be1 route | tr '\n' ';')"
head -c 5242880 /dev/urandom >/tmp/data || die "5 MB of random data"
want=$(md5sum </tmp/data | awk '{ print $1 }')

step "backend -> client"
rm -f /tmp/got1
bg /tmp/be1.log be1 socat -u OPEN:/tmp/data TCP-LISTEN:10000,reuseaddr
wait_for 10 'ip netns exec be1 ss -ltn | grep -q :10000' || die "be1 listens"
n cli timeout 90 socat -u TCP:$VIP:$VPORT,connect-timeout=5 CREATE:/tmp/got1 2>/tmp/c1.err
got=$(md5sum </tmp/got1 2>/dev/null | awk '{ print $1 }')
if [ "$got" = "$want" ]; then ok "5 MB from be1 to the client, byte-identical"
else fail "5 MB from be1 to the client, byte-identical" "got $(wc -c </tmp/got1 2>/dev/null) bytes"; diag_file /tmp/c1.err; fi
diag "stats: $(_life_stats)"

step "client -> backend"
mtu0=$(_life_stat drop_mtu)
rm -f /tmp/got2
bg /tmp/be1.log be1 socat -u TCP-LISTEN:10000,reuseaddr CREATE:/tmp/got2
srv=$BG_PID
wait_for 10 'ip netns exec be1 ss -ltn | grep -q :10000' || die "be1 listens again"
n cli timeout 90 socat -u OPEN:/tmp/data TCP:$VIP:$VPORT,connect-timeout=5 2>/tmp/c2.err
wait_exit 30 "$srv"
got=$(md5sum </tmp/got2 2>/dev/null | awk '{ print $1 }')
if [ "$got" = "$want" ]; then ok "5 MB from the client to be1, byte-identical"
else fail "5 MB from the client to be1, byte-identical" "got $(wc -c </tmp/got2 2>/dev/null) bytes"; diag_file /tmp/c2.err; fi
mtu1=$(_life_stat drop_mtu)
if [ "$((mtu1 - mtu0))" -ge 1 ]; then ok "the balancer sent fragmentation-needed (drop_mtu $mtu0 -> $mtu1)"
else fail "the balancer sent fragmentation-needed" "drop_mtu $mtu0 -> $mtu1"; fi
rc=$(n cli ip route get $VIP)
diag "cli: ip route get $VIP: $(echo "$rc" | tr '\n' ' ')"
case $rc in
*"mtu 1280"*) ok "the client learnt path MTU 1280 to the VIP" ;;
*) fail "the client learnt path MTU 1280 to the VIP" ;;
esac
diag "stats: $(_life_stats)"
bg_kill_all

step "UDP port unreachable"
USEL=$VIP:$VPORT/udp
pp l4lbctl service set vip $VIP port $VPORT proto udp || die "service set ... proto udp"
for be in $BE1 $BE2 $BE3; do
	l4lbctl add "$be" service "$USEL" || die "add $be to the UDP service"
done
icmp0=$(_life_stat icmp_translated)
(echo x; sleep 1; echo y; sleep 1) | n cli socat -t 2 - UDP4:$VIP:$VPORT >/tmp/u.out 2>/tmp/u.err
urc=$?
diag "client socat exit $urc: $(cat /tmp/u.err)"
case $(cat /tmp/u.err) in
*"Connection refused"*) ok "the client sees ECONNREFUSED" ;;
*) fail "the client sees ECONNREFUSED" ;;
esac
icmp1=$(_life_stat icmp_translated)
if [ "$((icmp1 - icmp0))" -ge 1 ]; then ok "icmp_translated counted it ($icmp0 -> $icmp1)"
else fail "icmp_translated counted it" "icmp_translated $icmp0 -> $icmp1"; fi
nat_show "UDP row"
diag "stats: $(_life_stats)"
expect_eq "no malformed drops" 0 "$(_life_stat drop_malformed)"
bg_kill_all
unload_l4lb
kernel_clean_since "test $T_NAME"
