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
#
# l4lb's hook past br_netfilter is registered in a namespace at its first
# bridge (issue #17): it must not run before br-cli exists, run for IPv4
# and IPv6 once it does, and be back after l4lb is reloaded with the
# bridges up (the notifier's replay at load), where six connections are
# answered again. Before the bridge, l4lb's main hook runs for IPv4, the
# family of the one service, and not for IPv6 (hooks per family). Which
# hooks run is seen in the kernel's trace (hooktrace.sh).
. /vm/lib/common.sh
. /vm/lib/hooktrace.sh
plan 12
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

# ping4_cli, ping6_cli: an IPv4 packet from cli to the VIP, an IPv6 one to
# all nodes on cli's link (link-local; its address may still be under
# duplicate address detection: retried by the callers). The balancer's
# PRE_ROUTING sees both.
ping4_cli() { n cli ping -c 1 -W 1 "$VIP" >/dev/null 2>&1; }
ping6_cli() { n cli ping -6 -c 1 -W 1 -I eth0 ff02::1 >/dev/null 2>&1; }

# _mcast6: the IPv6 multicast packets the balancer received (Ip6InMcastPkts).
_mcast6() { awk '$1 == "Ip6InMcastPkts" { print $2 }' /proc/net/snmp6; }

# bridged_runs WHEN: ok if the bridged hook ran for IPv4 and IPv6 since
# hooktrace_on; IPv6 packets are sent until it has (5 s at most).
bridged_runs() {
	ping4_cli
	wait_for 5 'ping6_cli; [ "$(hook_calls bridged 10)" -gt 0 ]'
	_b4=$(hook_calls bridged 2) _b6=$(hook_calls bridged 10)
	if [ "$_b4" -gt 0 ] && [ "$_b6" -gt 0 ]; then
		ok "$1, the bridge hook runs (IPv4, IPv6)"
	else
		fail "$1, the bridge hook runs (IPv4, IPv6)" \
			"calls: IPv4 $_b4, IPv6 $_b6"
	fi
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

step "no bridge yet"
PROBES=
trap hooktrace_off EXIT
if hooktrace_on; then
	PROBES=1
	ping4_cli
	# IPv6 packets until the balancer has received some (cli's link-local
	# address may still be under duplicate address detection).
	mc0=$(_mcast6)
	wait_for 10 'ping6_cli; [ "$(_mcast6)" -gt "$mc0" ]'
	m4=$(hook_calls main 2) m6=$(hook_calls main 10)
	diag "the balancer received $(($(_mcast6) - mc0)) IPv6 multicast packets"
	if [ "$m4" -gt 0 ] && [ "$m6" = 0 ] && [ "$(_mcast6)" -gt "$mc0" ]; then
		ok "without a bridge, l4lb's hook runs for IPv4 only, its service's family"
	else
		fail "without a bridge, l4lb's hook runs for IPv4 only, its service's family" \
			"calls: IPv4 $m4, IPv6 $m6"
	fi
	expect_eq "without a bridge, no bridge hook runs (IPv4, IPv6)" "0 0" \
		"$(hook_calls bridged 2) $(hook_calls bridged 10)"
	hooktrace_clear
else
	hooktrace_off
	skip "without a bridge, l4lb's hook runs for IPv4 only, its service's family" \
		"no kprobe events"
	skip "without a bridge, no bridge hook runs (IPv4, IPv6)" "no kprobe events"
fi

step "client side bridged"
bridge_up br-cli veth-cli 10.0.0.1/24 || die "br-cli"
six "bridge on the client side"
if [ -n "$PROBES" ]; then
	bridged_runs "with br-cli"
	hooktrace_off
else
	skip "with br-cli, the bridge hook runs (IPv4, IPv6)" "no kprobe events"
fi

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

step "reload with the bridges up"
lb_down || die "rmmod l4lb with the bridges up"
lb_up || die "l4lb up again with the bridges up"
if [ -n "$PROBES" ]; then
	hooktrace_on || diag "kprobe events on l4lb's hooks not set"
fi
six "after a reload with the bridges up"
if [ -n "$PROBES" ]; then
	bridged_runs "after a reload with the bridges up"
	hooktrace_off
else
	skip "after a reload with the bridges up, the bridge hook runs (IPv4, IPv6)" \
		"no kprobe events"
fi

step "clean up"
bridges_down
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kmod_unload br_netfilter bridge
kernel_clean_since "host_bridge"
