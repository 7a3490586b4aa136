#!/bin/sh
# host_firewall: the balancer behind a stateful forward firewall.
#
# The firewall's FORWARD chain drops by default, accepts "ct state
# established,related" and accepts new connections to the backends' ports.
# By default l4lb marks its packets untracked, so replies are never
# "established": 0 of 6 connections are answered, and README says to
# accept "ct state untracked" too. With conntrack=1, conntrack tracks the
# translated connection (the original direction translated before it, the
# reply after it), and the plain ruleset answers 6 of 6. A DNAT rule that
# matches l4lb's translated packets must not touch them: l4lb marks their
# conntrack entries as NATed already.
. /vm/lib/common.sh
plan 8
require_l4lb

fw_load() { nft_stack_load && kmod_load nft_nat; }

# fw [EXTRA RULE]: the stateful forward ruleset, with one more rule.
fw() {
	nft delete table inet fw 2>/dev/null
	nft -f - <<NFT
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ct state new tcp dport { 10000, 10001, 10002 } accept
		$1
	}
}
NFT
}

# six CASE EXPECTED: six connections from cli; EXPECTED answers, sorted.
six() {
	n cli conns -t 8 "$VIP" "$VPORT" 6 >/tmp/hf.out 2>&1
	diag_file /tmp/hf.out
	_a=$(sed -n 's/^conn [0-9]* [0-9]* \(be[123]\)$/\1/p' /tmp/hf.out | sort | tr '\n' ' ')
	expect_eq "$1" "$2" "$_a"
}

ALL="be1 be1 be2 be2 be3 be3 "

step "topology"
topo_up || die "topology up"
kmsg_mark "host_firewall"
check "nf_conntrack, nf_nat, nf_tables load" fw_load
greet_all
backends_listen || die "backends listen"

step "conntrack=0 (default)"
lb_up || die "l4lb up"
fw ""
six "conntrack=0, stateful firewall: untracked replies are dropped" ""
fw "ct state untracked accept"
six "conntrack=0, with README's 'ct state untracked accept'" "$ALL"
lb_down || fail "rmmod l4lb"

step "conntrack=1"
# shellcheck disable=SC2086 # the reference parameters, split
load_l4lb $L4LB_ARGS conntrack=1 || die "l4lb up with conntrack=1"
fw ""
six "conntrack=1, stateful firewall: 6 of 6 answered" "$ALL"
diag "conntrack entries towards the backends: $(grep -c 'dport=1000[012] ' /proc/net/nf_conntrack 2>/dev/null)"

step "conntrack=1 with a DNAT rule that matches translated packets"
nft -f - <<NFT
table ip hijack {
	chain pre {
		type nat hook prerouting priority dstnat;
		ip daddr 10.0.1.1 tcp dport 10000 dnat to 10.0.2.1:10001
	}
}
NFT
six "conntrack=1: DNAT rules leave l4lb's connections alone" "$ALL"
nft delete table ip hijack

step "cleanup"
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
check "nftables and conntrack modules unload" nft_stack_unload
kernel_clean_since "host_firewall"
