#!/bin/sh
# v6_pmtu: path-MTU discovery through the balancer over IPv6, at the IPv6
# minimum MTU of 1280; life_pmtu.sh's test for a v6 service.
#
#   l4lbctl service set vip 2001:db8::1 port 20000 proto tcp
#   l4lbctl backend add [2001:db8:1::1]:10000 service [2001:db8::1]:20000/tcp
#
# The lb<->be1 link gets MTU 1280 (both veth ends); the client link stays
# at 1500. be1's route to the balancer (2001:db8:1::fe/128) advertises MSS
# 1440 anyway (advmss), so the client's segments are too big for the
# backend link and only path-MTU discovery can shrink them: the balancer
# must send Packet Too Big (mtu 1280) to the client about the packet as
# the client sent it (to the VIP).
#
#  1. 5 MB from be1 to the client: byte-identical.
#  2. 5 MB from the client to be1: byte-identical; drop_mtu counted, and
#     the client's route to the VIP learnt mtu 1280.
. /vm/lib/common.sh
. /vm/lib/life.sh
. /vm/lib/v6.sh
plan 6
require_l4lbctl

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_pmtu"
load_l4lb svc_max=4096 || die "insmod l4lb.ko"
pp l4lbctl service set vip "$VIP6" port "$VPORT" proto tcp &&
	pp l4lbctl backend add "$BE6_1" service "$SVC6" ||
	die "the v6 service with be1 only"
ok "l4lb up with the v6 service [$VIP6]:$VPORT, be1 its only backend"
ip link set veth-be1 mtu 1280 && ip -n be1 link set eth0 mtu 1280 || die "MTU 1280 on lb<->be1"
ip -n be1 -6 route add 2001:db8:1::fe/128 dev eth0 advmss 1440 ||
	die "advmss 1440 on be1's route to the balancer"
diag "be1 routes: $(ip -n be1 -6 route | tr '\n' ';')"
head -c 5242880 /dev/urandom >/tmp/data || die "5 MB of random data"
want=$(md5sum </tmp/data | awk '{ print $1 }')

step "backend -> client"
rm -f /tmp/got1
bg /tmp/be1.log be1 socat -u OPEN:/tmp/data TCP6-LISTEN:10000,reuseaddr
wait_for 10 'listens be1 tcp 10000' || die "be1 listens"
n cli timeout 90 socat -u "TCP6:[$VIP6]:$VPORT,connect-timeout=5" CREATE:/tmp/got1 2>/tmp/c1.err
got=$(md5sum </tmp/got1 2>/dev/null | awk '{ print $1 }')
if [ "$got" = "$want" ]; then ok "5 MB from be1 to the client, byte-identical"
else fail "5 MB from be1 to the client, byte-identical" "got $(wc -c </tmp/got1 2>/dev/null) bytes"; diag_file /tmp/c1.err; fi
diag "stats: $(_life_stats)"

step "client -> backend"
mtu0=$(_life_stat drop_mtu)
rm -f /tmp/got2
bg /tmp/be1.log be1 socat -u TCP6-LISTEN:10000,reuseaddr CREATE:/tmp/got2
srv=$BG_PID
wait_for 10 'listens be1 tcp 10000' || die "be1 listens again"
n cli timeout 90 socat -u OPEN:/tmp/data "TCP6:[$VIP6]:$VPORT,connect-timeout=5" 2>/tmp/c2.err
wait_exit 30 "$srv"
got=$(md5sum </tmp/got2 2>/dev/null | awk '{ print $1 }')
if [ "$got" = "$want" ]; then ok "5 MB from the client to be1, byte-identical"
else fail "5 MB from the client to be1, byte-identical" "got $(wc -c </tmp/got2 2>/dev/null) bytes"; diag_file /tmp/c2.err; fi
mtu1=$(_life_stat drop_mtu)
if [ "$((mtu1 - mtu0))" -ge 1 ]; then ok "the balancer sent Packet Too Big (drop_mtu $mtu0 -> $mtu1)"
else fail "the balancer sent Packet Too Big" "drop_mtu $mtu0 -> $mtu1"; fi
rc=$(n cli ip -6 route get "$VIP6")
diag "cli: ip -6 route get $VIP6: $(echo "$rc" | tr '\n' ' ')"
case $rc in
*"mtu 1280"*) ok "the client learnt path MTU 1280 to the VIP" ;;
*) fail "the client learnt path MTU 1280 to the VIP" ;;
esac
diag "stats: $(_life_stats)"
bg_kill_all
v6_topo_down
unload_l4lb || diag "rmmod l4lb failed"
kernel_clean_since "v6_pmtu"
