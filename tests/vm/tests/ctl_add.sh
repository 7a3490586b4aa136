#!/bin/sh
# ctl_add: the reference service built with l4lbctl instead of module
# parameters. l4lb is loaded with the VIP and port only (no backends=);
# `l4lbctl add` adds 10.0.1.1:10000, 10.0.2.1:10001, 10.0.3.1:10002 in
# that order, and the reference scenario (common.sh's chat_scenario: round
# robin in backend order, full NAT, table 6..0) must then pass unchanged.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan $((CHAT_SCENARIO_TESTS + 11))
require_l4lbctl

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_add"
step "l4lb up without backends"
load_l4lb vip="$VIP" port="$VPORT" || die "insmod l4lb.ko vip=$VIP port=$VPORT"
ok "insmod l4lb.ko vip=$VIP port=$VPORT (no backends=)"

_ctl_ok "l4lbctl service works" l4lbctl -j service
expect_eq "-j service: an array of one service, $VIP:$VPORT tcp rr" "1 $VIP $VPORT tcp rr" \
	"$(json_len <"$CTL_OUT") $(json_col vip port proto scheduler <"$CTL_OUT")"
_ctl_ok "l4lbctl -j list works" l4lbctl -j list
expect_eq "no backends yet" "[]" "$(cat "$CTL_OUT")"

step "add the three backends"
added=0
for be in $(echo "$BACKENDS" | tr , ' '); do
	if _ctl l4lbctl add "$be" && ! [ -s "$CTL_OUT" ] && ! [ -s "$CTL_ERR" ]; then
		added=$((added + 1))
	else
		diag "l4lbctl add $be:"
		_ctl_show
	fi
done
expect_eq "l4lbctl add: each exits 0 and prints nothing" 3 "$added"

expect_eq "list: the three backends, up, in the order added" \
	"10.0.1.1:10000 up,10.0.2.1:10001 up,10.0.3.1:10002 up" \
	"$(_ctl_backends | tr '\n' , | sed 's/,$//')"
l4lbctl list | sed 's/^/#   /'
expect_eq "list: weight 1 and no connections yet" "1 0 0 0,1 0 0 0,1 0 0 0" \
	"$(l4lbctl -j list | json_col weight active inactive total | tr '\n' , | sed 's/,$//')"
nat_show "empty"

chat_scenario

step "after the scenario"
l4lbctl list | sed 's/^/#   /'
expect_eq "list: each backend served two connections (total)" "2 2 2" \
	"$(l4lbctl -j list | json_line total)"

topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "ctl_add"
