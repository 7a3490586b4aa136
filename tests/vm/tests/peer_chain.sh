#!/bin/sh
# peer_chain: daisy chaining between two nodes (#20). A connection the
# router moves to a node without its row keeps working when the service
# has peers, and breaks without them.
#
# Two balancer namespaces pcn1 and pcn2 hold the same service (VIP
# 10.0.100.1:20000, scheduler mh), with one backend, 10.0.3.1:10000, on
# pcbe's loopback. The client pccli reaches each node over its own link and
# picks the node with its route to the VIP, as a router's ECMP hash would:
#
#   pccli 10.0.0.2 -- 10.0.0.1 pcn1 10.0.1.254 -- 10.0.1.1 pcbe (10.0.3.1)
#   pccli 10.0.5.2 -- 10.0.5.1 pcn2 10.0.2.254 -- 10.0.2.1 pcbe
#                  pcn1 10.0.9.1 -- 10.0.9.2 pcn2 (the peers' link)
#
# Each node SNATs to its own address on pcbe's links, and has the ipip
# module's tunl0 up. chatd on pcbe relays each line to the other clients.
#   1. Without peers: two clients join through pcn1; the route moves to
#      pcn2; the first client's next line is a stray there and its local
#      VIP answers with a reset: the connection is lost.
#   2. With peers 10.0.9.1,10.0.9.2 on both nodes (the same list, each
#      node's own address in it): the same move; the lines go on through
#      pcn2 to pcn1 in IPIP, the other client gets them, nobody is reset,
#      and pcn2 counts peer_sent.
#   3. A new connection while the route points at pcn2 is pcn2's own.
#   4. pcn1 loses its rows (flush): pcn2 still sends the strays to it,
#      pcn1 counts peer_miss and drops them, and sends no reset.
#   5. Bad peer lists are refused with one line, and change nothing.
. /vm/lib/common.sh
plan 24
require_l4lbctl

PVIP=10.0.100.1
PPORT=20000
PBE=10.0.3.1:10000
PEERS=10.0.9.1,10.0.9.2
NSES="pccli pcn1 pcn2 pcbe"

_nses_down() {
	for _n in $NSES; do ip netns del "$_n" 2>/dev/null; done
	return 0
}
trap _nses_down EXIT

# _link A AIF AADDR B BIF BADDR: a veth pair between namespaces A and B.
_link() {
	ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" &&
		ip -n "$1" addr add "$3" dev "$2" && ip -n "$1" link set "$2" up &&
		ip -n "$4" addr add "$6" dev "$5" && ip -n "$4" link set "$5" up
}

_topo() {
	for _n in $NSES; do
		ip netns add "$_n" && ip -n "$_n" link set lo up || return 1
	done
	_link pccli eth1 10.0.0.2/24 pcn1 eth-cli 10.0.0.1/24 &&
		_link pccli eth2 10.0.5.2/24 pcn2 eth-cli 10.0.5.1/24 &&
		_link pcn1 eth-be 10.0.1.254/24 pcbe eth1 10.0.1.1/24 &&
		_link pcn2 eth-be 10.0.2.254/24 pcbe eth2 10.0.2.1/24 &&
		_link pcn1 eth-peer 10.0.9.1/24 pcn2 eth-peer 10.0.9.2/24 &&
		ip -n pcbe addr add 10.0.3.1/32 dev lo &&
		ip -n pcn1 route add 10.0.3.1/32 via 10.0.1.1 &&
		ip -n pcn2 route add 10.0.3.1/32 via 10.0.2.1 &&
		ip -n pccli route add "$PVIP/32" via 10.0.0.1 &&
		ip -n pcn2 route add 10.0.0.0/24 via 10.0.5.2 || return 1
	# (pcn2's way back to 10.0.0.2, for the reset of step 1: not through
	# pcn1, which holds the VIP too and would drop a packet from it.)
	for _n in pcn1 pcn2; do
		ip -n "$_n" addr add "$PVIP/32" dev lo &&
			ip -n "$_n" link set tunl0 up &&
			n "$_n" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward' ||
			return 1
	done
}

# _to NODE: the client's route to the VIP goes to NODE (pcn1 or pcn2).
_to() {
	case $1 in
	pcn1) ip -n pccli route replace "$PVIP/32" via 10.0.0.1 ;;
	pcn2) ip -n pccli route replace "$PVIP/32" via 10.0.5.1 ;;
	esac
}

# _stat NODE KEY: a counter of `l4lbctl stats` in NODE.
_stat() {
	n "$1" l4lbctl stats 2>/dev/null | awk -v k="$2" '$1 == k { print $2 }'
}

_rows() { n "$1" l4lbctl -j conn 2>/dev/null | jq length; }

# _join A B: chat clients A and B join through the node the route names.
_join() {
	chat_start "$1" pccli "$PVIP" "$PPORT"
	chat_start "$2" pccli "$PVIP" "$PPORT"
	wait_for 10 "grep -q 'msg .* $1 joined' /tmp/pcbe.log && grep -q 'msg .* $2 joined' /tmp/pcbe.log"
}

step "module, nodes, backend"
kmsg_mark "peer_chain"
_nses_down
load_l4lb || die "l4lb loaded"
if ! kmod_load ipip 2>/dev/null; then
	skip_rest "the ipip module is not in the image"
	lb_down
	exit 0
fi
if _topo 2>/tmp/pc-topo.err; then ok "two nodes, a client with a link to each, one backend, tunl0 up"
else diag_file /tmp/pc-topo.err; die "two nodes, a client with a link to each, one backend, tunl0 up"; fi
for node in pcn1 pcn2; do
	if ! n "$node" l4lbctl service set vip "$PVIP" port "$PPORT" proto tcp scheduler mh ||
		! n "$node" l4lbctl add "$PBE"; then
		die "$node: service and backend"
	fi
done
ok "both nodes: service $PVIP:$PPORT scheduler mh, backend $PBE"
bg /tmp/pcbe.log pcbe chatd "${PBE#*:}"
wait_for 10 'grep -q "^listen" /tmp/pcbe.log' || die "chatd listens on pcbe"

step "1. no peers: the moved connection is lost"
if _join a1 b1; then ok "a1 and b1 joined through pcn1"
else fail "a1 and b1 joined through pcn1"; diag_file /tmp/pcbe.log; fi
expect_eq "pcn1 has both rows, pcn2 none" "2 0" "$(_rows pcn1) $(_rows pcn2)"
_to pcn2
stray0=$(_stat pcn2 stray)
chat_say a1 "a1 after the move"
if wait_for 10 '! chat_alive a1'; then ok "a1's next line meets pcn2's reset: a1 is gone"
else fail "a1's next line meets pcn2's reset: a1 is gone"; diag_file /tmp/chat.a1.err; fi
if grep -q "a1 after the move" /tmp/chat.b1.out; then fail "b1 never got a1's line"
else ok "b1 never got a1's line"; fi
st=$(_stat pcn2 stray)
if [ "$((st - stray0))" -ge 1 ]; then ok "pcn2 counted the stray ($stray0 -> $st)"
else fail "pcn2 counted the stray" "stray $stray0 -> $st"; fi
chat_quit b1 >/dev/null
_to pcn1

step "2. peers: the moved connection goes on"
for node in pcn1 pcn2; do
	n "$node" l4lbctl service set vip "$PVIP" port "$PPORT" proto tcp peers "$PEERS" ||
		fail "$node: service set peers $PEERS"
done
expect_eq "both nodes list the peers" "$PEERS $PEERS" \
	"$(n pcn1 l4lbctl -j service | jq -r '.[0].peers | if type == "array" then join(",") else . end') $(n pcn2 l4lbctl -j service | jq -r '.[0].peers | if type == "array" then join(",") else . end')"
if _join a2 b2; then ok "a2 and b2 joined through pcn1"
else fail "a2 and b2 joined through pcn1"; diag_file /tmp/pcbe.log; fi
_to pcn2
sent0=$(_stat pcn2 peer_sent)
chat_say a2 "a2 after the move"
if wait_for 10 'chat_got b2 "a2 after the move"'; then
	ok "a2's line, sent through pcn2, reaches b2"
else
	fail "a2's line, sent through pcn2, reaches b2"
	diag "pcn2: $(n pcn2 l4lbctl stats | tr '\n' ' ')"
	diag "pcn1: $(n pcn1 l4lbctl stats | tr '\n' ' ')"
	diag "pcn1 rows: $(n pcn1 cat /proc/l4lb/nat | tr '\n' ' ')"
	diag "pcn1 tunl0: $(ip -n pcn1 -s link show tunl0 | tr '\n' ' ')"
	diag "pcn1 snmp: $(n pcn1 grep '^Ip' /proc/net/snmp | tr '\n' ' ')"
	diag "pcn1 netstat: $(n pcn1 grep '^IpExt\|^TcpExt' /proc/net/netstat | tr '\n' ' ' | cut -c1-600)"
	diag "pcbe: $(tail -n 5 /tmp/pcbe.log | tr '\n' ' ')"
fi
chat_say b2 "b2 answers"
if wait_for 10 'chat_got a2 "b2 answers"'; then ok "b2's line reaches a2"
else fail "b2's line reaches a2"; fi
if chat_alive a2 && chat_alive b2; then ok "a2 and b2 are still connected"
else fail "a2 and b2 are still connected"; diag_file /tmp/chat.a2.err; fi
st=$(_stat pcn2 peer_sent)
if [ "$((st - sent0))" -ge 2 ]; then ok "pcn2 counted peer_sent ($sent0 -> $st)"
else fail "pcn2 counted peer_sent (at least 2)" "peer_sent $sent0 -> $st"; fi
expect_eq "pcn2 made no row for them" 0 "$(_rows pcn2)"

step "3. a new connection through pcn2 is pcn2's"
chat_start c3 pccli "$PVIP" "$PPORT"
if wait_for 10 'grep -q "msg 10.0.2.254:[0-9]* c3 joined" /tmp/pcbe.log'; then
	ok "c3 joined through pcn2, from pcn2's SNAT address"
else
	fail "c3 joined through pcn2, from pcn2's SNAT address"; diag_file /tmp/pcbe.log
fi
chat_say a2 "a2 to all"
if wait_for 10 'chat_got c3 "a2 to all"'; then ok "c3 gets a2's line: both nodes carry their own rows"
else fail "c3 gets a2's line: both nodes carry their own rows"; fi

step "4. no row on either node: dropped, no reset"
n pcn1 l4lbctl conn flush || fail "pcn1: l4lbctl conn flush"
miss0=$(_stat pcn1 peer_miss)
chat_say a2 "a2 into the void"
if wait_for 10 "[ \$((\$(_stat pcn1 peer_miss) - $miss0)) -ge 1 ]"; then
	ok "pcn1 counted peer_miss for a2's line"
else
	fail "pcn1 counted peer_miss for a2's line" "pcn1: $(n pcn1 l4lbctl stats | tr '\n' ' ')"
fi
sleep 1
if chat_alive a2; then ok "a2 got no reset from pcn1's local VIP"
else fail "a2 got no reset from pcn1's local VIP"; diag_file /tmp/chat.a2.err; fi

step "5. bad peer lists"
before=$(n pcn1 l4lbctl -j service | jq -c '.[0].peers')
for bad in 224.0.0.1 0.0.0.0 10.0.9.1,10.0.9.1 10.0.9.300; do
	n pcn1 l4lbctl service set vip "$PVIP" port "$PPORT" proto tcp peers "$bad" \
		>/tmp/pc.out 2>/tmp/pc.err
	rc=$?
	if [ "$rc" != 0 ] && [ "$(wc -l </tmp/pc.err)" = 1 ] &&
		[ "$(n pcn1 l4lbctl -j service | jq -c '.[0].peers')" = "$before" ]; then
		ok "peers $bad: refused with one line, peers unchanged ($(cat /tmp/pc.err))"
	else
		fail "peers $bad: refused with one line, peers unchanged" "exit $rc"
		diag_file /tmp/pc.err
	fi
done

step "clean up"
bg_kill_all
_nses_down
if lb_down; then ok "nodes deleted with rows and peers, rmmod l4lb"
else fail "nodes deleted with rows and peers, rmmod l4lb"; fi
kmod_unload ipip tunnel4 ip_tunnel
kernel_clean_since "peer_chain"
