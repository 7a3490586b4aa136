#!/bin/sh
# v6_udp: a UDP service over IPv6.
#
#   l4lbctl service set vip 2001:db8::1 port 20000 proto udp \
#       timeout udp 10 timeout udpunreplied 10
#   l4lbctl backend add [2001:db8:k::1]:1000(k-1) service [2001:db8::1]:20000/udp
#
# udpecho -6 on each backend answers "beK DATAGRAM". Six flows from cli, one
# after another, each 3 datagrams from one socket (tests/apps/v6send), must
# each get 3 intact replies, all from one backend, round robin be1, be2, be3,
# be1, be2, be3. Then the NAT table has one v6 row per flow: UDP, state UDP
# (the second datagram came after a reply), the flow's own address
# [2001:db8::2]:PORT as client, [2001:db8::1]:20000 as VIP, the balancer's
# [2001:db8:k::fe]:PORT as local address and [2001:db8:k::1]:PORT as
# backend; `l4lbctl -j nat` shows the same rows with the same bracketed
# endpoints. Backend k sees only 2001:db8:k::fe as its peer. The rows
# expire after the 10 s timeout (60 s under the debug kernel, so that the
# first flow's row is still there when the last flow ends).
. /vm/lib/common.sh
. /vm/lib/v6.sh
plan 10
require_l4lbctl

FLOWS=6
UDP_T=10
debug_kernel && UDP_T=60

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_udp"
v6_lb_up udp timeout udp $UDP_T timeout udpunreplied $UDP_T ||
	die "l4lb up with the UDP service [$VIP6]:$VPORT"
ok "l4lb up with the UDP service [$VIP6]:$VPORT over be1..be3"
v6_udpecho_all || die "udpecho -6 listens on be1..be3"

step "$FLOWS flows, 3 datagrams each"
i=1
while [ $i -le $FLOWS ]; do
	n cli v6send -u -n 3 -w 5 "$VIP6" "$VPORT" >"/tmp/flow$i.out" 2>&1
	i=$((i + 1))
done
t_last=$(now_s)
rows=$(v6_nat_rows)
l4lbctl -j nat >/tmp/nat.json 2>/tmp/nat.err
v6_nat_show "$FLOWS flows"
good=0 order='' bad=''
i=1
while [ $i -le $FLOWS ]; do
	f=/tmp/flow$i.out
	who=$(awk '$1 == "reply" && $4 == "intact" { print $5 }' "$f" | sort -u | tr '\n' ' ')
	if grep -q '^done sent 3 replies 3 ' "$f" && [ "$(echo $who | wc -w)" = 1 ]; then
		good=$((good + 1))
	else
		bad="$bad flow$i($(grep -c '^reply' "$f") replies from $who)"
	fi
	order="$order${order:+ }$(echo $who)"
	i=$((i + 1))
done
if [ "$good" = $FLOWS ]; then ok "each of $FLOWS flows got its 3 replies intact, all from one backend"
else fail "each of $FLOWS flows got its 3 replies intact, all from one backend" "bad:$bad"; diag_file /tmp/flow1.out; fi
expect_eq "round robin: flows 1..6 on be1 be2 be3 be1 be2 be3" "be1 be2 be3 be1 be2 be3" "$order"

step "the rows"
expect_eq "$FLOWS v6 rows" $FLOWS "$(echo "$rows" | grep -c .)"
# The row each flow should have: its own client port, its backend.
want='' got=''
i=1
while [ $i -le $FLOWS ]; do
	cl=$(sed -n 's/^local //p' "/tmp/flow$i.out")
	k=$(( (i - 1) % 3 + 1 ))
	want="$want$cl [$VIP6]:$VPORT 2001:db8:$k::fe [2001:db8:$k::1]:$((9999 + k)) UDP
"
	i=$((i + 1))
done
got=$(echo "$rows" | awk '$1 == "UDP" { l = $4; sub(/]:[0-9]+$/, "", l); sub(/^\[/, "", l); print $2, $3, l, $5, $6 }' | sort)
want=$(printf '%s' "$want" | sort)
if [ "$got" = "$want" ]; then
	ok "each flow's row: UDP, its client [2001:db8::2]:PORT, the VIP, local 2001:db8:k::fe, backend k, state UDP"
else
	fail "each flow's row: UDP, its client [2001:db8::2]:PORT, the VIP, local 2001:db8:k::fe, backend k, state UDP" \
		"want:" "$want" "got:" "$got"
fi
pairs_proc=$(echo "$rows" | awk '{ print $1, $2, $3, $4, $5, $6 }' | sort)
pairs_json=$(jq -r '.[] | select(.client | startswith("[")) | "\(.proto) \(.client) \(.vip) \(.local) \(.backend) \(.state)"' /tmp/nat.json 2>/dev/null | sort)
if [ -n "$pairs_json" ] && [ "$pairs_json" = "$pairs_proc" ]; then
	ok "l4lbctl -j nat shows the same rows, endpoints bracketed"
else
	fail "l4lbctl -j nat shows the same rows, endpoints bracketed" "proc:" "$pairs_proc" "json:" "$pairs_json"
	diag_file /tmp/nat.json 5
	diag_file /tmp/nat.err 5
fi

peers_ok=1
for k in 1 2 3; do
	p=$(sed -n 's/^recv \[\([0-9a-f:]*\)]:[0-9]* .*/\1/p' "/tmp/be$k.log" | sort -u | tr '\n' ' ')
	diag "be$k: $(grep -c '^recv ' "/tmp/be$k.log") datagrams from: $p"
	[ "$p" = "2001:db8:$k::fe " ] || peers_ok=0
done
[ "$peers_ok" = 1 ] && ok "backend k saw only the balancer's 2001:db8:k::fe" ||
	fail "backend k saw only the balancer's 2001:db8:k::fe"

step "the rows expire"
if v6_wait_nat_len 0 $((UDP_T + 20)); then
	g=$(num_sub "$(now_s)" "$t_last")
	ok "the v6 rows are gone after the timeout (${g} s after the last datagram)"
	if num_le $((UDP_T - 2)) "$g"; then ok "not before the timeout: they lived $((UDP_T - 2)) s and more"
	else fail "not before the timeout: they lived $((UDP_T - 2)) s and more" "gone after $g s"; fi
else
	fail "the v6 rows are gone after the timeout" "v6 rows: $(v6_nat_len)"
	v6_nat_show
	skip "not before the timeout: they lived $((UDP_T - 2)) s and more" "they did not go"
fi

bg_kill_all
v6_topo_down
unload_l4lb || diag "rmmod l4lb failed"
kernel_clean_since "v6_udp"
