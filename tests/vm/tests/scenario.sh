#!/bin/sh
# scenario: the reference scenario (seed-notes §1) through l4lb.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 \
#       backends=10.0.1.1:10000,10.0.2.1:10001,10.0.3.1:10002
#
# chatd on be1..be3; test1..test6 join from cli via 10.0.0.1:20000; round
# robin pairs test1+test4, test2+test5, test3+test6; lines stay within a
# server; servers see 10.0.k.254; the NAT table goes 6,5,4,3,2,1,0 as the
# clients quit. The assertions live in common.sh (chat_scenario), shared
# with coexist.sh. DEMO=1 (run.sh, or `make demo`) narrates each step.
. /vm/lib/common.sh
plan $((CHAT_SCENARIO_TESTS + 4))
require_lb

step "topology"
topo_up || die "topology up"
kmsg_mark "scenario"
step "balancer up"
lb_up || die "balancer ($LB_IMPL) up"
ok "balancer ($LB_IMPL) up with vip=$VIP:$VPORT backends=$BACKENDS"
nat_show "empty"

chat_scenario

step "balancer down"
topo_down
if lb_down; then ok "balancer ($LB_IMPL) down"; else fail "balancer ($LB_IMPL) down"; fi
if [ "$LB_IMPL" = l4lb ]; then check "no l4lb slab cache left after rmmod" slab_check
else skip "no l4lb slab cache left after rmmod" "LB_IMPL=$LB_IMPL"; fi
kernel_clean_since "scenario"
