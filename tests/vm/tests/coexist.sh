#!/bin/sh
# coexist: l4lb next to conntrack and nftables NAT. With nf_conntrack,
# nf_nat and nf_tables loaded and an unrelated masquerade rule in lb's
# postrouting (on the client link), the reference scenario (chat_scenario
# in common.sh, shared with scenario.sh) must still pass. Afterwards l4lb
# and the netfilter modules must unload cleanly.
. /vm/lib/common.sh
plan $((CHAT_SCENARIO_TESTS + 7))
require_l4lb

step "topology"
topo_up || die "topology up"
kmsg_mark "coexist"

step "conntrack + nftables"
check "nf_conntrack, nf_nat, nf_tables, nft_masq load" nft_stack_load
step "masquerade rule"
if nft -f - <<'NFT'
table ip coexist {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "veth-cli" masquerade
	}
	chain forward_ct {
		type filter hook forward priority filter; policy accept;
		ct state established,related counter
		ct state new counter
	}
}
NFT
then ok "unrelated masquerade rule (oifname veth-cli) in lb"
else fail "unrelated masquerade rule (oifname veth-cli) in lb"; fi
nft list ruleset | sed 's/^/#   /'

step "l4lb up"
lb_up || die "l4lb up next to conntrack"
ok "l4lb up next to conntrack and nftables"
nat_show "empty"

chat_scenario

step "after the scenario"
nft list table ip coexist | sed 's/^/#   /'
diag "conntrack rows: $(wc -l </proc/net/nf_conntrack 2>/dev/null)"
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
check "no l4lb slab cache left" slab_check
check "nftables and conntrack modules unload" nft_stack_unload
kernel_clean_since "coexist"
