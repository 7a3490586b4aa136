#!/bin/sh
# snat_pool: a SNAT pool of two addresses holds twice the connections of
# one towards a backend (issue #14).
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=10.0.1.1:10000 ...
#   sysctl net.ipv4.ip_local_port_range="1044 65535"   (in lb)
#   ip addr add 10.0.1.250/24 dev veth-be1; the same for 10.0.1.251
#   l4lbctl service set snat 10.0.1.250-10.0.1.251
#
# The local range leaves lb 20 SNAT ports, 1024-1043, on each address.
# greetd on be1, the only backend; then:
#   - 40 connections held at once all answer; `l4lbctl -j service` shows
#     the pool and 20 ports in use on each address, /proc/l4lb/nat 20 rows
#     from each with ports 1024-1043, and be1 20 peers on each;
#   - a 41st connection does not get through, and the service's
#     snat_fail and the namespace's drop_no_snat_port count it;
#   - "service set snat 10.9.9.9", and a pool with it, are refused (exit
#     1, one line naming 10.9.9.9) and leave the pool as it was;
#   - with 10.0.1.251 removed from its interface, a timeout change still
#     works: a pool is checked when it is set, not at every change;
#   - once the 40 are closed and their rows gone, "snat auto" puts the
#     next connection on 10.0.1.254, veth-be1's primary address;
#   - loaded again with snat_ip=10.0.1.251,10.0.1.250, the service has
#     that pool, in order.
# The local port range is put back as it was.
. /vm/lib/common.sh
. /vm/lib/ctl.sh
plan 21
require_l4lbctl

POOL=10.0.1.250-10.0.1.251
PORTS="1044 65535"

# _svc_json JQ: JQ on the one service of `l4lbctl -j service`.
_svc_json() {
	l4lbctl -j service 2>/dev/null | jq -r ".[0] | $1"
}

# _pool: "SNAT POOL-ADDRESSES" of the service.
_pool() {
	_svc_json '"\(.snat) \(.snat_pool | join(","))"'
}

# _usage: "ADDR N ..." of the service's snat_usage.
_usage() {
	_svc_json '[.snat_usage[] | "\(.address) \(.ports_in_use)"] | join(" ")'
}

# _nat_local: /proc/l4lb/nat's rows by Local address ("ADDR N ..."),
# then "outside N": rows whose SNAT port is not 1024-1043.
_nat_local() {
	awk '$1 == "TCP" { split($4, l, ":"); n[l[1]]++; p = l[2] + 0
		if (p < 1024 || p > 1043) out++ }
	END { for (a in n) printf "%s %d\n", a, n[a]; printf "outside %d\n", out }' \
		/proc/l4lb/nat | sort | tr '\n' ' ' | sed 's/ $//'
}

# _peers: the peer addresses be1's greetd accepted, "ADDR N ...".
_peers() {
	sed -n 's/^accept \([0-9.]*\):[0-9]*$/\1/p' /tmp/be1.log | sort | uniq -c |
		awk '{ printf "%s%s %d", sep, $2, $1; sep = " " } END { print "" }'
}

# _refused DESC ARGS...: `l4lbctl service set ARGS` exits 1 with one line
# on stderr that says 10.9.9.9 is not local (the kernel's message, or
# l4lbctl's naming of the address it points at), and nothing on stdout.
_refused() {
	_rd=$1
	shift
	step "$_rd"
	_ctl l4lbctl service set "$@"
	if [ "$CTL_RC" = 1 ] && ! [ -s "$CTL_OUT" ] &&
		[ "$(wc -l <"$CTL_ERR")" = 1 ] &&
		grep -q '^l4lbctl: SNAT address .*not local' "$CTL_ERR" &&
		grep -qF '10.9.9.9' "$CTL_ERR"; then
		ok "$_rd: $(cat "$CTL_ERR")"
	else
		fail "$_rd" "want: exit 1, one line naming 10.9.9.9 as not local"
		_ctl_show
	fi
}

step "topology, two more addresses on veth-be1, 20 SNAT ports"
topo_up || die "topology up"
if ! ip addr add 10.0.1.250/24 dev veth-be1 ||
	! ip addr add 10.0.1.251/24 dev veth-be1; then
	die "add 10.0.1.250 and .251 to veth-be1"
fi
# shellcheck disable=SC2086 # LO HI
lb_port_range $PORTS || die "narrow the local port range"
# shellcheck disable=SC2046 # two numbers
set -- $(cat /proc/sys/net/ipv4/ip_local_port_range)
# shellcheck disable=SC2086 # the old range, its tab made a space
expect_eq "lb's local port range is $PORTS (was $(echo $_LB_PORTS_ORIG))" "$PORTS" "$1 $2"
load_l4lb vip="$VIP" port="$VPORT" backends="$BE1" timeout_tcp_fin=2 ||
	die "insmod l4lb.ko, one backend"
bg /tmp/be1.log be1 greetd 10000 be1
wait_for 10 'grep -q "^listen" /tmp/be1.log' || die "greetd listens on be1"

_ctl_ok "service set snat $POOL" l4lbctl service set snat "$POOL"
expect_eq "the service shows the pool, as text and addresses" \
	"$POOL 10.0.1.250,10.0.1.251" "$(_pool)"
expect_eq "no port in use yet" "10.0.1.250 0 10.0.1.251 0" "$(_usage)"

step "40 connections at once to be1"
bg_held hold /tmp/hold.out cli conns -w -t 60 "$VIP" "$VPORT" 40
wait_for 90 'grep -q "^answered" /tmp/hold.out' || diag "conns did not finish"
expect_eq "40 connections answered through two SNAT addresses" \
	"answered 40 of 40" "$(grep '^answered' /tmp/hold.out)"
grep -q ' - ' /tmp/hold.out && diag_file /tmp/hold.out 50
expect_eq "l4lbctl: 20 ports in use on each address" \
	"10.0.1.250 20 10.0.1.251 20" "$(_usage)"
expect_eq "/proc/l4lb/nat: 20 rows from each, ports 1024-1043" \
	"10.0.1.250 20 10.0.1.251 20 outside 0" "$(_nat_local)"
expect_eq "be1 saw 20 peers on each address" \
	"10.0.1.250 20 10.0.1.251 20" "$(_peers)"

step "a 41st connection"
fail0=$(_svc_json .snat_fail)
drop0=$(l4lbctl -j stats | jq -r .drop_no_snat_port)
if n cli conns -t 4 "$VIP" "$VPORT" 1 >/tmp/c41.out 2>&1; then
	fail "the 41st connection does not get through" "it did"
	diag_file /tmp/c41.out
else
	ok "the 41st connection does not get through: $(grep '^conn' /tmp/c41.out)"
fi
fail1=$(_svc_json .snat_fail)
drop1=$(l4lbctl -j stats | jq -r .drop_no_snat_port)
if [ "$fail1" -gt "$fail0" ]; then ok "the service's snat_fail counts it ($fail0 -> $fail1)"
else fail "the service's snat_fail counts it" "$fail0 -> $fail1"; fi
if [ "$drop1" -gt "$drop0" ]; then ok "drop_no_snat_port counts it ($drop0 -> $drop1)"
else fail "drop_no_snat_port counts it" "$drop0 -> $drop1"; fi
expect_eq "still 40 rows" 40 "$(nat_len)"

_refused "service set snat 10.9.9.9 (not local) is refused" snat 10.9.9.9
_refused "a pool with 10.9.9.9 in it is refused" snat 10.0.1.250,10.9.9.9
expect_eq "the pool is unchanged" "$POOL 10.0.1.250,10.0.1.251" "$(_pool)"

step "a pool address leaves its interface; other settings still change"
ip addr del 10.0.1.251/24 dev veth-be1
_ctl_ok "service set timeout tcp 800, with 10.0.1.251 gone" \
	l4lbctl service set timeout tcp 800
ip addr add 10.0.1.251/24 dev veth-be1

step "close the 40; back to auto"
release hold 20 || diag "conns exit status $?"
wait_nat_len 0 20 || diag "rows left: $(nat_len)"
_ctl_ok "service set snat auto" l4lbctl service set snat auto
bg_held one /tmp/one.out cli conns -w -t 20 "$VIP" "$VPORT" 1
wait_for 30 'grep -q "^answered" /tmp/one.out'
expect_eq "auto: the next connection is from 10.0.1.254" \
	"auto 10.0.1.254 1 outside 0" "$(_svc_json .snat) $(_nat_local)"
release one 10 >/dev/null
unload_l4lb || die "rmmod l4lb"

step "the pool from the snat_ip parameter"
if load_l4lb vip="$VIP" port="$VPORT" backends="$BE1" \
	snat_ip=10.0.1.251,10.0.1.250; then
	ok "insmod with snat_ip=10.0.1.251,10.0.1.250"
else
	fail "insmod with snat_ip=10.0.1.251,10.0.1.250"
	dmesg_since "test $T_NAME" | grep 'l4lb: ' | tail -n 3 | sed 's/^/#   /'
fi
expect_eq "the parameter's pool, in order" "$POOL 10.0.1.250,10.0.1.251" "$(_pool)"

bg_kill_all
lb_port_range_restore
ip addr del 10.0.1.250/24 dev veth-be1 2>/dev/null
ip addr del 10.0.1.251/24 dev veth-be1 2>/dev/null
unload_l4lb
kernel_clean_since "test $T_NAME"
