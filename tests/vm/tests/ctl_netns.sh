#!/bin/sh
# ctl_netns: every l4lb object belongs to a network namespace.
#
# The module is global, but the service, the backends and the NAT table are
# per namespace; a new namespace has no service until `l4lbctl service set`.
# Besides the root namespace (common.sh's balancer, reference service) this
# test builds two more balancers, each a namespace with a client and a
# backend namespace of its own:
#
#   cliA 10.10.0.2 -- lbA 10.10.0.1 (VIP :30000), 10.10.1.254 -- beA 10.10.1.1
#   cliB 10.20.0.2 -- lbB 10.20.0.1 (VIP :30000), 10.20.1.254 -- beB 10.20.1.1
#
# lbA balances over beA:11000 and beA:11001, lbB over beB:12000 and
# beB:12001 (greetd, answering "A-11000" and so on). Checked:
#   - before `service set`, lbA has no service (`-j service` is []), no
#     backends, no rows, and refuses `add`;
#   - each namespace's l4lbctl sees only its own service and backends;
#   - traffic through lbA and lbB is balanced by their own services (round
#     robin, full NAT: the servers see 10.x.1.254);
#   - `cat /proc/l4lb/nat`, `l4lbctl -j nat` and `count` in each namespace
#     show only its own rows (lbA 2, lbB 3, root 1);
#   - lbA cannot remove lbB's or the root's backends ("no such backend"),
#     and `flush` in lbA empties only lbA's table;
#   - deleting lbB with rows in its table and then rmmod leave the kernel
#     log clean.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 18
require_l4lbctl

NSES="lbA cliA beA lbB cliB beB"

# _mkbal X NET: namespaces lbX, cliX, beX as drawn above (NET: 10.10 ...).
_mkbal() {
	_x=$1 _net=$2
	ip netns add "lb$_x" && ip netns add "cli$_x" && ip netns add "be$_x" &&
		ip -n "lb$_x" link set lo up && ip -n "cli$_x" link set lo up &&
		ip -n "be$_x" link set lo up &&
		ip -n "lb$_x" link add v-cli type veth peer name eth0 netns "cli$_x" &&
		ip -n "lb$_x" link add v-be type veth peer name eth0 netns "be$_x" &&
		ip -n "lb$_x" addr add "$_net.0.1/24" dev v-cli &&
		ip -n "lb$_x" addr add "$_net.1.254/24" dev v-be &&
		ip -n "lb$_x" link set v-cli up && ip -n "lb$_x" link set v-be up &&
		ip -n "cli$_x" addr add "$_net.0.2/24" dev eth0 &&
		ip -n "cli$_x" link set eth0 up &&
		ip -n "cli$_x" route add default via "$_net.0.1" &&
		ip -n "be$_x" addr add "$_net.1.1/24" dev eth0 &&
		ip -n "be$_x" link set eth0 up &&
		ip -n "be$_x" route add default via "$_net.1.254" &&
		ip netns exec "lb$_x" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
}

_nses_down() {
	for _n in $NSES; do ip netns del "$_n" 2>/dev/null; done
	return 0
}
trap _nses_down EXIT

# _svc NS: "VIP PORT" of NS's service ("" = root); `-j service` is an
# array, of one service here.
_svc() {
	l4lbctl_in "$1" -j service 2>/dev/null | json_col vip port
}

# _bes NS: NS's backends, one line.
_bes() {
	l4lbctl_in "$1" -j list 2>/dev/null | json_line backend
}

# _procview NS: "VIP BACKEND" of each row of /proc/l4lb/nat seen in NS,
# sorted, then the footer's length.
_procview() {
	if [ -n "$1" ]; then n "$1" cat /proc/l4lb/nat; else cat /proc/l4lb/nat; fi >/tmp/ctl.proc
	awk '$1 == "TCP" || $1 == "UDP" { print $3, $5 }' /tmp/ctl.proc | sort | uniq -c |
		awk '{ printf "%s x %s %s, ", $1, $2, $3 }'
	sed -n 's/^Current NAT table length: *//p' /tmp/ctl.proc
}

# _natview NS: the same from `l4lbctl -j nat` and `l4lbctl count`.
_natview() {
	l4lbctl_in "$1" -j nat | json_col vip backend | sort | uniq -c |
		awk '{ printf "%s x %s %s, ", $1, $2, $3 }'
	l4lbctl_in "$1" count
}

# _servers_ready: all seven greetd logged "listen".
_servers_ready() {
	for _f in be1 be2 be3 beA0 beA1 beB0 beB1; do
		grep -q ^listen "/tmp/$_f.log" 2>/dev/null || return 1
	done
}

step "topology"
topo_up || die "topology up"
kmsg_mark "ctl_netns"
lb_up || die "l4lb up"
ok "l4lb up in the root namespace (reference service)"
_nses_down
if _mkbal A 10.10 && _mkbal B 10.20; then ok "balancer namespaces lbA and lbB with their clients and backends"
else die "balancer namespaces lbA and lbB with their clients and backends"; fi

step "a new namespace has no service"
_ctl l4lbctl_in lbA -j service
r1="$CTL_RC $(cat "$CTL_OUT")$(cat "$CTL_ERR")"
_ctl l4lbctl_in lbA -j list
r2="$CTL_RC $(cat "$CTL_OUT")"
_ctl l4lbctl_in lbA add 10.10.1.1:11000
r3="$CTL_RC $(cat "$CTL_ERR")"
r4=$(n lbA cat /proc/l4lb/nat | tail -n 1)
expect_eq "lbA before service set: no service ([]), no backends, add refused, no rows" \
	"0 []|0 []|1 l4lbctl: no service configured|Current NAT table length: 0" \
	"$r1|$r2|$r3|$r4"

step "configure lbA and lbB"
_ctl_ok "lbA: service set vip 10.10.0.1 port 30000, add its two backends" sh -c '
	/usr/sbin/ip netns exec lbA l4lbctl service set vip 10.10.0.1 port 30000 &&
	/usr/sbin/ip netns exec lbA l4lbctl add 10.10.1.1:11000 &&
	/usr/sbin/ip netns exec lbA l4lbctl add 10.10.1.1:11001'
_ctl_ok "lbB: service set vip 10.20.0.1 port 30000, add its two backends" sh -c '
	/usr/sbin/ip netns exec lbB l4lbctl service set vip 10.20.0.1 port 30000 &&
	/usr/sbin/ip netns exec lbB l4lbctl add 10.20.1.1:12000 &&
	/usr/sbin/ip netns exec lbB l4lbctl add 10.20.1.1:12001'

step "each namespace sees its own service and backends"
expect_eq "services: root 10.0.0.1:20000, lbA 10.10.0.1:30000, lbB 10.20.0.1:30000" \
	"10.0.0.1 20000|10.10.0.1 30000|10.20.0.1 30000" "$(_svc "")|$(_svc lbA)|$(_svc lbB)"
expect_eq "backends: each namespace lists only its own" \
	"10.0.1.1:10000 10.0.2.1:10001 10.0.3.1:10002|10.10.1.1:11000 10.10.1.1:11001|10.20.1.1:12000 10.20.1.1:12001" \
	"$(_bes "")|$(_bes lbA)|$(_bes lbB)"

step "traffic through the three balancers"
bg /tmp/be1.log be1 greetd 10000 be1
bg /tmp/be2.log be2 greetd 10001 be2
bg /tmp/be3.log be3 greetd 10002 be3
bg /tmp/beA0.log beA greetd 11000 A-11000
bg /tmp/beA1.log beA greetd 11001 A-11001
bg /tmp/beB0.log beB greetd 12000 B-12000
bg /tmp/beB1.log beB greetd 12001 B-12001
wait_for 10 _servers_ready ||
	diag "greetd not ready"
bg_held connsA /tmp/connsA.out cliA conns -w -t 30 10.10.0.1 30000 2
wait_for 40 'grep -q "^holding" /tmp/connsA.out'
bg_held connsB /tmp/connsB.out cliB conns -w -t 30 10.20.0.1 30000 3
wait_for 40 'grep -q "^holding" /tmp/connsB.out'
bg_held conns /tmp/conns.out cli conns -w -t 30 "$VIP" "$VPORT" 1
wait_for 40 'grep -q "^holding" /tmp/conns.out'
answers() { awk '$1 == "conn" { printf "%s ", $4 }' "$1" | sed 's/ $//'; }
expect_eq "through lbA: 2 connections answered by A-11000, A-11001 (its round robin)" \
	"A-11000 A-11001" "$(answers /tmp/connsA.out)"
expect_eq "through lbB: 3 connections answered by B-12000, B-12001, B-12000" \
	"B-12000 B-12001 B-12000" "$(answers /tmp/connsB.out)"
expect_eq "through the root balancer: 1 connection answered by be1" "be1" "$(answers /tmp/conns.out)"
peers=$(cat /tmp/beA0.log /tmp/beA1.log /tmp/beB0.log /tmp/beB1.log |
	sed -n 's/^accept \([0-9.]*\):.*/\1/p' | sort -u | tr '\n' ' ')
expect_eq "full NAT in lbA and lbB: the servers see 10.10.1.254 and 10.20.1.254" \
	"10.10.1.254 10.20.1.254 " "$peers"

step "each namespace's table"
A_WANT="1 x 10.10.0.1:30000 10.10.1.1:11000, 1 x 10.10.0.1:30000 10.10.1.1:11001, 2"
B_WANT="2 x 10.20.0.1:30000 10.20.1.1:12000, 1 x 10.20.0.1:30000 10.20.1.1:12001, 3"
R_WANT="1 x 10.0.0.1:20000 10.0.1.1:10000, 1"
wait_for 10 '[ "$(n lbA l4lbctl count)/$(n lbB l4lbctl count)/$(l4lbctl count)" = 2/3/1 ]' ||
	diag "counts: $(n lbA l4lbctl count)/$(n lbB l4lbctl count)/$(l4lbctl count)"
expect_eq "cat /proc/l4lb/nat in lbA, lbB, root: each shows only its own rows" \
	"$A_WANT|$B_WANT|$R_WANT" "$(_procview lbA)|$(_procview lbB)|$(_procview "")"
n lbA cat /proc/l4lb/nat | sed 's/^/#   lbA: /'
n lbB cat /proc/l4lb/nat | sed 's/^/#   lbB: /'
expect_eq "l4lbctl -j nat and count in lbA, lbB, root: each only its own rows" \
	"$A_WANT|$B_WANT|$R_WANT" "$(_natview lbA)|$(_natview lbB)|$(_natview "")"

step "lbA cannot touch the others"
_ctl l4lbctl_in lbA remove 10.20.1.1:12000
r1="$CTL_RC $(cat "$CTL_ERR")"
_ctl l4lbctl_in lbA remove 10.0.1.1:10000 --now
r2="$CTL_RC $(cat "$CTL_ERR")"
expect_eq "lbA: removing lbB's or root's backend: no such backend" \
	"1 l4lbctl: no such backend|1 l4lbctl: no such backend" "$r1|$r2"
_ctl_ok "lbA: l4lbctl flush" n lbA l4lbctl flush
expect_eq "after flush in lbA: lbA 0 rows, lbB still 3, root still 1; backends unchanged" \
	"0/3/1|10.20.1.1:12000 10.20.1.1:12001|10.0.1.1:10000 10.0.2.1:10001 10.0.3.1:10002" \
	"$(n lbA l4lbctl count)/$(n lbB l4lbctl count)/$(l4lbctl count)|$(_bes lbB)|$(_bes "")"

step "clean up: delete lbB with rows in its table, then rmmod"
release connsA 10 >/dev/null
release conns 10 >/dev/null
_nses_down
topo_down
if lb_down; then ok "namespaces deleted (lbB with 3 rows), rmmod l4lb"
else fail "namespaces deleted (lbB with 3 rows), rmmod l4lb"; fi
kernel_clean_since "ctl_netns"
