#!/bin/sh
# host_bridge: the balancer on a Linux bridge with br_netfilter loaded
# (bridge-nf-call-iptables=1, as on Docker and Kubernetes hosts).
#
# br_netfilter runs PRE_ROUTING inside the bridge and routes a packet whose
# destination changed once more, from its source; after full NAT that
# source is local, and the packet was dropped as a martian: none of six
# connections through a bridged client side was answered. Checked with
# the bridge on the client side (the VIP on br-cli), then on a backend's
# side (be1 behind br-be1), then on both.
. /vm/lib/common.sh
plan 7
require_l4lb

if ! [ -s /vm/moddeps/br_netfilter ]; then
	skip_rest "this kernel has no br_netfilter"
	exit 0
fi

# bridge_up BR PORT ADDR: move ADDR from the veth PORT to a new bridge BR
# and enslave PORT to it.
bridge_up() {
	ip addr del "$3" dev "$2" &&
		ip link add "$1" type bridge &&
		ip link set "$2" master "$1" &&
		ip addr add "$3" dev "$1" &&
		ip link set "$1" up
}

br_load() { kmod_load bridge && kmod_load br_netfilter; }

bridges_down() {
	ip link del br-cli 2>/dev/null
	ip link del br-be1 2>/dev/null
	return 0
}

# six CASE: six connections from cli through the VIP, all answered, and
# be1..be3 each chosen twice.
six() {
	n cli conns -t 20 "$VIP" "$VPORT" 6 >/tmp/hb.out 2>&1
	diag_file /tmp/hb.out
	_got=$(grep -c '^conn .* be[123]$' /tmp/hb.out)
	_be1=$(grep -c '^conn .* be1$' /tmp/hb.out)
	if [ "$_got" = 6 ] && [ "$_be1" = 2 ]; then ok "$1: 6 of 6 answered"
	else fail "$1: 6 of 6 answered" "answered $_got, be1 $_be1"; fi
}

step "topology"
topo_up || die "topology up"
kmsg_mark "host_bridge"
check "bridge and br_netfilter load" br_load
echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
expect_eq "bridge-nf-call-iptables is on" 1 \
	"$(cat /proc/sys/net/bridge/bridge-nf-call-iptables)"
lb_up || die "l4lb up"
greet_all
backends_listen || die "backends listen"

step "client side bridged"
bridge_up br-cli veth-cli 10.0.0.1/24 || die "br-cli"
six "bridge on the client side"

step "backend side bridged"
bridges_down
ip link set veth-cli nomaster 2>/dev/null
ip addr add 10.0.0.1/24 dev veth-cli 2>/dev/null
n cli ip route replace default via 10.0.0.1
bridge_up br-be1 veth-be1 10.0.1.254/24 || die "br-be1"
six "bridge on be1's side"

step "both sides bridged"
bridge_up br-cli veth-cli 10.0.0.1/24 || die "br-cli"
n cli ip route replace default via 10.0.0.1
six "bridges on both sides"

drops=$(l4lbctl -j stats 2>/dev/null | jq -r '.drop_no_route // 0' 2>/dev/null)
diag "drop_no_route: ${drops:-?}"
bridges_down
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kmod_unload br_netfilter bridge
kernel_clean_since "host_bridge"
