#!/bin/sh
# v6_scenario: the reference scenario (seed-notes §1) over IPv6.
#
#   l4lbctl service set vip 2001:db8::1 port 20000 proto tcp
#   l4lbctl backend add [2001:db8:k::1]:1000(k-1) service [2001:db8::1]:20000/tcp
#
# chatd -6 on be1..be3; test1..test6 join from cli via [2001:db8::1]:20000;
# round robin pairs test1+test4, test2+test5, test3+test6; lines stay within
# a server; server k sees only the balancer's 2001:db8:k::fe (full NAT66);
# the v6 rows go 6,5,4,3,2,1,0 as the clients quit; rmmod leaves no slab
# cache and the kernel log stays clean. The assertions live in v6.sh
# (v6_chat_scenario). VM_LB=nft runs it against nftables' NAT66 (table ip6
# reflb6), which checks the test itself.
. /vm/lib/common.sh
. /vm/lib/v6.sh
plan $((V6_CHAT_SCENARIO_TESTS + 4))
require_lb
[ "$LB_IMPL" = l4lb ] && require_l4lbctl

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_scenario"
step "balancer up"
v6_lb_up || die "balancer ($LB_IMPL) up with [$VIP6]:$VPORT"
ok "balancer ($LB_IMPL) up with [$VIP6]:$VPORT -> $BACKENDS6"
v6_nat_show "empty"

v6_chat_scenario

step "balancer down"
v6_topo_down
if v6_lb_down; then ok "balancer ($LB_IMPL) down"; else fail "balancer ($LB_IMPL) down"; fi
if [ "$LB_IMPL" = l4lb ]; then check "no l4lb slab cache left after rmmod" slab_check
else skip "no l4lb slab cache left after rmmod" "LB_IMPL=$LB_IMPL"; fi
kernel_clean_since "v6_scenario"
