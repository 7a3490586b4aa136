#!/bin/sh
# ca_scenario: the reference scenario (seed-notes §1) with PROXY protocol v2
# on (client-addr proxy-v2, issue #16).
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 \
#       backends=10.0.1.1:10000,10.0.2.1:10001,10.0.3.1:10002 \
#       client_addr=proxy-v2
#
# chatd -p on be1..be3 takes each connection's PROXY header off and logs
# it; everything else is scenario.sh's story (chat_scenario in common.sh):
# round robin placement, lines relayed within a server, the servers' peer
# is the balancer, the NAT table goes 6..0 as the clients quit. On top:
# each chatd logged the header of each of its two clients, with cli's
# address (10.0.0.2) and the VIP (10.0.0.1:20000), and no bad header.
. /vm/lib/common.sh
plan $((CHAT_SCENARIO_TESTS + 7))
require_l4lbctl

step "topology"
topo_up || die "topology up"
kmsg_mark "ca_scenario"
step "balancer up"
# shellcheck disable=SC2086 # the reference parameters, split on purpose
load_l4lb $L4LB_ARGS client_addr=proxy-v2 || die "l4lb up with client_addr=proxy-v2"
ok "l4lb up with the reference service and client_addr=proxy-v2"
nat_show "empty"

# shellcheck disable=SC2034 # read by chat_scenario
CHATD_OPTS=-p
chat_scenario

step "the headers"
hdr_ok=1
for b in be1 be2 be3; do
	diag_file "/tmp/$b.log" 30
	# chat_scenario's bg_kill_all left the logs in place.
	got=$(grep -c "^proxy v2 10\.0\.0\.2:[0-9]* 10\.0\.0\.1:$VPORT\$" "/tmp/$b.log")
	[ "$got" = 2 ] || { hdr_ok=0; diag "$b logged $got good headers, want 2"; }
done
[ "$hdr_ok" = 1 ] && ok "each chatd got a v2 header with cli's address for each of its 2 clients" ||
	fail "each chatd got a v2 header with cli's address for each of its 2 clients"
expect_eq "no connection started with anything else" 0 \
	"$(cat /tmp/be1.log /tmp/be2.log /tmp/be3.log | grep -c '^proxy bad')"
expect_eq "six accepts, six headers" 6 \
	"$(cat /tmp/be1.log /tmp/be2.log /tmp/be3.log | grep -c '^proxy v2 ')"

step "balancer down"
topo_down
if unload_l4lb; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
check "no l4lb slab cache left after rmmod" slab_check
kernel_clean_since "ca_scenario"
