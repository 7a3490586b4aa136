#!/bin/sh
# v6_dual: an IPv4 and an IPv6 service on one balancer at once, under
# traffic.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=10.0.1.1:10000,...
#   l4lbctl service set vip 2001:db8::1 port 20000 proto tcp
#   l4lbctl backend add [2001:db8:k::1]:1000(k-1) service [2001:db8::1]:20000/tcp
#
# Each backend runs greetd -e twice on its port, once for IPv4 and once
# for IPv6 (-6), both answering its name and echoing. At the same time,
# cli holds K connections to 10.0.0.1:20000 and K to [2001:db8::1]:20000
# (conns -w -e, started together, so new connections of both families
# interleave). Checked, for each family:
#   - `l4lbctl -j service` lists both services;
#   - all K connections answered, in strict round robin (each service has
#     its own), K/3 on each backend;
#   - backend k's v4 server saw only 10.0.k.254, its v6 server only
#     2001:db8:k::fe;
#   - the NAT table holds K rows of each family, each to a backend of its
#     own family and service;
#   - an echo probe sent on all 2K connections at once comes back on every
#     one;
# and the table is empty once both sides closed. Before that, the IPv6
# hooks: loaded with the IPv4 service alone, l4lb's hook does not run for
# the IPv6 packets the balancer forwards (pings from cli to the backends);
# once the IPv6 service is made it does (hooktrace.sh).
. /vm/lib/common.sh
. /vm/lib/v6.sh
. /vm/lib/hooktrace.sh
plan 15
require_l4lbctl

# _all_listen: all six greetd logged "listen".
_all_listen() {
	for _f in /tmp/g4.be1.log /tmp/g4.be2.log /tmp/g4.be3.log \
		/tmp/g6.be1.log /tmp/g6.be2.log /tmp/g6.be3.log; do
		grep -q "^listen" "$_f" 2>/dev/null || return 1
	done
}

K=90
debug_kernel && K=30
PER=$((K / 3))

step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "v6_dual"
load_l4lb || die "insmod l4lb.ko with the v4 reference service"

step "the IPv6 hooks come with the first IPv6 service"
# _v6_pings: a ping from cli to each backend's IPv6 address, forwarded by
# the balancer.
_v6_pings() {
	for _va in $BE6_ADDRS; do
		n cli ping -6 -c 1 -W 2 "$_va" >/dev/null 2>&1 || return 1
	done
}
trap hooktrace_off EXIT
if hooktrace_on; then
	_v6_pings || diag "a ping from cli to a backend went unanswered"
	h6=$(hook_calls main 10)
	v6_svc_up tcp || die "the v6 service [$VIP6]:$VPORT"
	hooktrace_clear
	_v6_pings || diag "a ping from cli to a backend went unanswered"
	h6b=$(hook_calls main 10)
	hooktrace_off
	if [ "$h6" = 0 ] && [ "$h6b" -gt 0 ]; then
		ok "l4lb's hook runs for IPv6 only once an IPv6 service exists"
	else
		fail "l4lb's hook runs for IPv6 only once an IPv6 service exists" \
			"calls before $h6, after $h6b"
	fi
else
	hooktrace_off
	v6_svc_up tcp || die "the v6 service [$VIP6]:$VPORT"
	skip "l4lb's hook runs for IPv6 only once an IPv6 service exists" \
		"no kprobe events"
fi
ok "l4lb up with $VIP:$VPORT (module parameters) and [$VIP6]:$VPORT (l4lbctl)"
svcs=$(l4lbctl -j service 2>&1 | jq -r '.[] | "\(.vip) \(.port) \(.proto)"' | tr -d '[]' | sort | tr '\n' ',')
expect_eq "l4lbctl -j service lists both" "10.0.0.1 20000 tcp,2001:db8::1 20000 tcp," "$svcs"

step "greetd -e for each family on the backends"
for k in 1 2 3; do
	bg "/tmp/g4.be$k.log" "be$k" greetd -e $((9999 + k)) "be$k"
	bg "/tmp/g6.be$k.log" "be$k" greetd -6 -e $((9999 + k)) "be$k"
done
wait_for 10 _all_listen || diag "not every greetd logged listen"

step "$K connections of each family at once"
t0=$(_now)
bg_held c4 /tmp/c4.out cli conns -w -e -t 150 "$VIP" "$VPORT" "$K"
bg_held c6 /tmp/c6.out cli conns -w -e -t 150 "$VIP6" "$VPORT" "$K"
wait_for 170 'grep -q "^holding" /tmp/c4.out && grep -q "^holding" /tmp/c6.out' ||
	diag "conns did not finish setting up"
diag "set up in $(($(_now) - t0)) s"
for f in 4 6; do
	a=$(sed -n 's/^answered \([0-9]*\) of .*/\1/p' /tmp/c$f.out)
	if [ "$a" = "$K" ]; then ok "IPv$f: all $K connections answered"
	else fail "IPv$f: all $K connections answered" "answered: ${a:-?}"; grep ' - ' /tmp/c$f.out | head -n 5 | sed 's/^/#   /'; fi
done
for f in 4 6; do
	bad=$(awk '$1 == "conn" && $4 != "be" (($2 - 1) % 3 + 1) { print }' /tmp/c$f.out | head -n 5)
	n1=$(grep -c '^conn [0-9]* [0-9]* be1$' /tmp/c$f.out)
	n2=$(grep -c '^conn [0-9]* [0-9]* be2$' /tmp/c$f.out)
	n3=$(grep -c '^conn [0-9]* [0-9]* be3$' /tmp/c$f.out)
	if [ -z "$bad" ] && [ "$n1/$n2/$n3" = "$PER/$PER/$PER" ]; then
		ok "IPv$f: strict round robin, $PER/$PER/$PER"
	else
		fail "IPv$f: strict round robin, $PER/$PER/$PER" "got $n1/$n2/$n3; first out of order:" "$bad"
	fi
done

step "the servers' peers"
p4=1 p6=1
for k in 1 2 3; do
	a4=$(grep -c '^accept ' /tmp/g4.be$k.log)
	o4=$(grep '^accept ' /tmp/g4.be$k.log | grep -vc "^accept 10\.0\.$k\.254:")
	a6=$(grep -c '^accept ' /tmp/g6.be$k.log)
	o6=$(grep '^accept ' /tmp/g6.be$k.log | grep -vc "^accept \[2001:db8:$k::fe]:")
	diag "be$k: v4 $a4 accepts ($o4 not from 10.0.$k.254), v6 $a6 accepts ($o6 not from [2001:db8:$k::fe])"
	[ "$a4" = "$PER" ] && [ "$o4" = 0 ] || p4=0
	[ "$a6" = "$PER" ] && [ "$o6" = 0 ] || p6=0
done
[ "$p4" = 1 ] && ok "IPv4: each backend accepted $PER, all from 10.0.k.254" ||
	fail "IPv4: each backend accepted $PER, all from 10.0.k.254"
[ "$p6" = 1 ] && ok "IPv6: each backend accepted $PER, all from 2001:db8:k::fe" ||
	fail "IPv6: each backend accepted $PER, all from 2001:db8:k::fe"

step "the rows of each family"
nat_rows >/tmp/rows
r4=$(awk 'substr($2, 1, 1) != "["' /tmp/rows | wc -l)
b4=$(awk 'substr($2, 1, 1) != "[" && !($1 == "TCP" && $3 == "10.0.0.1:20000" && $5 ~ /^10\.0\.[123]\.1:1000[012]$/)' /tmp/rows | head -n 3)
r6=$(awk 'substr($2, 1, 1) == "["' /tmp/rows | wc -l)
b6=$(awk 'substr($2, 1, 1) == "[" && !($1 == "TCP" && $3 == "[2001:db8::1]:20000" && $5 ~ /^\[2001:db8:[123]::1\]:1000[012]$/)' /tmp/rows | head -n 3)
head -n 3 /tmp/rows | sed 's/^/#   /'
if [ "$r4" = "$K" ] && [ -z "$b4" ]; then ok "IPv4: $K rows, each from $VIP:$VPORT to a v4 backend"
else fail "IPv4: $K rows, each from $VIP:$VPORT to a v4 backend" "rows: $r4; wrong:" "$b4"; fi
if [ "$r6" = "$K" ] && [ -z "$b6" ]; then ok "IPv6: $K rows, each from [$VIP6]:$VPORT to a v6 backend"
else fail "IPv6: $K rows, each from [$VIP6]:$VPORT to a v6 backend" "rows: $r6; wrong:" "$b6"; fi

step "an echo probe on all $((2 * K)) connections at once"
echo probe1 1<>/tmp/c4.in
echo probe1 1<>/tmp/c6.in
wait_for 60 'grep -q "^probe probe1 alive" /tmp/c4.out && grep -q "^probe probe1 alive" /tmp/c6.out'
for f in 4 6; do
	expect_eq "IPv$f: the probe came back on every connection" "probe probe1 alive $K of $K" \
		"$(grep '^probe probe1 alive' /tmp/c$f.out)"
done

step "close everything"
release c4 60 || diag "conns (v4) exit $?"
release c6 60 || diag "conns (v6) exit $?"
if wait_nat_len 0 60; then ok "the NAT table is empty once both closed"
else fail "the NAT table is empty once both closed" "length: $(nat_len)"; nat_show; fi

bg_kill_all
v6_topo_down
unload_l4lb || diag "rmmod l4lb failed"
kernel_clean_since "v6_dual"
