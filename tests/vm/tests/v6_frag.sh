#!/bin/sh
# v6_frag: fragmented UDP datagrams over IPv6 are reassembled (the
# kernel's nf_defrag_ipv6) and balanced.
#
#   l4lbctl service set vip 2001:db8::1 port 20000 proto udp
#   l4lbctl backend add [2001:db8:k::1]:1000(k-1) service [2001:db8::1]:20000/udp
#
# Three flows from cli, one after another, each two 4000-byte datagrams
# from one socket (tests/apps/v6send): over the 1500-byte links each leaves
# the client in three fragments (the client's Ip6FragOKs grows by one per
# datagram). Round robin puts the flows on be1, be2, be3; each backend's
# udpecho -6 receives its two datagrams whole (4000 bytes) and answers
# 4004 bytes ("beK " and the datagram), which it fragments in turn: each
# reply must reach the client intact. One v6 row per flow.
. /vm/lib/common.sh
. /vm/lib/life.sh
. /vm/lib/v6.sh
plan 7
require_l4lbctl

SIZE=4000

# _snmp6 NS NAME: counter NAME of /proc/net/snmp6 in namespace NS.
_snmp6() {
	n "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/snmp6
}

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_frag"
v6_lb_up udp || die "l4lb up with the UDP service [$VIP6]:$VPORT"
ok "l4lb up with the UDP service [$VIP6]:$VPORT over be1..be3"
v6_udpecho_all || die "udpecho -6 listens on be1..be3"

step "three flows of two $SIZE-byte datagrams"
frag0=$(_snmp6 cli Ip6FragOKs)
befrag0="$(_snmp6 be1 Ip6FragOKs) $(_snmp6 be2 Ip6FragOKs) $(_snmp6 be3 Ip6FragOKs)"
for i in 1 2 3; do
	n cli v6send -u -s $SIZE -n 2 -w 5 "$VIP6" "$VPORT" >"/tmp/flow$i.out" 2>&1
done
good=0 order=
for i in 1 2 3; do
	f=/tmp/flow$i.out
	grep -q '^done sent 2 replies 2 ' "$f" &&
		[ "$(grep -c "^reply [12] $((SIZE + 4)) intact be[123]\$" "$f")" = 2 ] &&
		good=$((good + 1))
	order="$order${order:+ }$(awk '$1 == "reply" { print $5 }' "$f" | sort -u | tr '\n' ' ' | sed 's/ $//')"
done
if [ "$good" = 3 ]; then ok "each of 3 flows got both replies intact ($((SIZE + 4)) bytes)"
else fail "each of 3 flows got both replies intact ($((SIZE + 4)) bytes)"; diag_file /tmp/flow1.out; diag_file /tmp/flow2.out; fi
expect_eq "round robin: the flows on be1 be2 be3" "be1 be2 be3" "$order"
frag1=$(_snmp6 cli Ip6FragOKs)
if [ "$((frag1 - frag0))" -ge 6 ]; then ok "the client sent each datagram in fragments (Ip6FragOKs $frag0 -> $frag1)"
else fail "the client sent each datagram in fragments" "Ip6FragOKs $frag0 -> $frag1"; fi
whole_ok=1
for k in 1 2 3; do
	w=$(grep -c "^recv \[2001:db8:$k::fe]:[0-9]* $SIZE hlim " "/tmp/be$k.log")
	f0=$(echo "$befrag0" | awk -v k=$k '{ print $k }')
	diag "be$k: $w whole $SIZE-byte datagrams, Ip6FragOKs $f0 -> $(_snmp6 be$k Ip6FragOKs), Ip6ReasmOKs $(_snmp6 be$k Ip6ReasmOKs)"
	[ "$w" = 2 ] || whole_ok=0
done
[ "$whole_ok" = 1 ] && ok "each backend received its two datagrams whole, from the balancer" ||
	fail "each backend received its two datagrams whole, from the balancer"

step "the rows"
v6_nat_show "three flows"
expect_eq "three UDP v6 rows, one to each backend" "be1 be2 be3" \
	"$(v6_nat_rows | awk '$1 == "UDP" { print $5 }' | v6_be_names | sort | tr '\n' ' ' | sed 's/ $//')"
diag "stats: $(_life_stats)"

bg_kill_all
v6_topo_down
unload_l4lb || diag "rmmod l4lb failed"
kernel_clean_since "v6_frag"
