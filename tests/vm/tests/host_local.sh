#!/bin/sh
# host_local: traffic from and to the balancer's own processes.
#
#  - A local client (a process on lb) connects to the VIP: it is balanced
#    like a remote one, TCP and UDP. Before, its SYN was dropped (no_route)
#    and connect() hung until it timed out.
#  - A local client of a service that cannot take it (no backend) is
#    refused at once: connect() fails with ECONNREFUSED.
#  - A backend on the balancer itself, on one of its own addresses (IPVS's
#    local node), serves remote and local clients.
#  - A loopback backend is refused with a clear error, by l4lbctl and by
#    insmod, never accepted as a black hole.
#  - A backend behind an unreachable route: the client gets the ICMP error
#    at once instead of waiting for a silent drop to time out.
. /vm/lib/common.sh
plan 11
require_l4lbctl

LOCAL_BE=10.0.1.254:10009

# answers FILE: the answers conns got, sorted, on one line.
answers() { sed -n 's/^conn [0-9]* [0-9]* \([a-z0-9]*\)$/\1/p' "$1" | sort | tr '\n' ' '; }

step "topology"
topo_up || die "topology up"
kmsg_mark "host_local"
lb_up || die "l4lb up"
greet_all
bg /tmp/local.log lb greetd 10009 local
backends_listen || die "backends listen"

step "a local client of the VIP"
conns -t 10 "$VIP" "$VPORT" 6 >/tmp/hl1.out 2>&1
diag_file /tmp/hl1.out
expect_eq "a local client's 6 connections are balanced over be1..be3" \
	"be1 be1 be2 be2 be3 be3 " "$(answers /tmp/hl1.out)"

step "a local UDP client"
l4lbctl service set vip "$VIP" port "$VPORT" proto udp >/dev/null &&
	l4lbctl backend add "$BE1" service "$VIP:$VPORT/udp" >/dev/null ||
	fail "UDP service"
bg /tmp/udpecho.log be1 udpecho 10000 be1
wait_for 10 'listens be1 udp 10000'
echo hello | timeout 5 socat -T 3 - "UDP:$VIP:$VPORT" >/tmp/hl2.out 2>&1
expect_eq "a local UDP client is answered through the VIP" "be1 hello" \
	"$(cat /tmp/hl2.out)"

# _fails_fast DESC TEXT SECS OUT CMD...: CMD, its output in OUT, says TEXT
# within SECS seconds.
_fails_fast() {
	_d=$1 _t=$2 _s=$3 _o=$4
	shift 4
	t0=$(now_s)
	"$@" >"$_o" 2>&1
	t1=$(now_s)
	diag_file "$_o"
	if grep -q "$_t" "$_o" && num_le "$(num_sub "$t1" "$t0")" "$_s"; then
		ok "$_d"
	else
		fail "$_d" "took $(num_sub "$t1" "$t0") s"
	fi
}

step "refused at once"
l4lbctl service set vip "$VIP" port 20002 proto tcp >/dev/null
_fails_fast "a local client of a service with no backend is refused at once" \
	refused 2 /tmp/hl3.out conns -t 10 "$VIP" 20002 1

step "a backend on the balancer itself"
l4lbctl service set vip "$VIP" port 20003 proto tcp >/dev/null
check "backend $LOCAL_BE (lb's own address) is accepted" \
	l4lbctl backend add "$LOCAL_BE" service "$VIP:20003/tcp"
n cli conns -t 10 "$VIP" 20003 3 >/tmp/hl4.out 2>&1
diag_file /tmp/hl4.out
expect_eq "remote clients reach the local backend" "local local local " \
	"$(answers /tmp/hl4.out)"
conns -t 10 "$VIP" 20003 3 >/tmp/hl5.out 2>&1
diag_file /tmp/hl5.out
expect_eq "local clients reach the local backend" "local local local " \
	"$(answers /tmp/hl5.out)"

step "a loopback backend"
if l4lbctl backend add 127.0.0.1:10009 service "$VIP:20003/tcp" >/tmp/hl6.out 2>&1; then
	fail "l4lbctl refuses a loopback backend" "it was accepted"
else
	diag_file /tmp/hl6.out
	check "l4lbctl refuses a loopback backend, saying why" \
		grep -q "backend cannot be a loopback address" /tmp/hl6.out
fi

step "an unreachable backend"
ip route add unreachable 10.0.9.0/24
l4lbctl service set vip "$VIP" port 20004 proto tcp >/dev/null
l4lbctl backend add 10.0.9.1:80 service "$VIP:20004/tcp" >/dev/null
_fails_fast "a client of an unreachable backend gets host unreachable at once" \
	"No route to host" 3 /tmp/hl7.out n cli conns -t 10 "$VIP" 20004 1
ip route del unreachable 10.0.9.0/24

step "insmod with a loopback backend"
topo_down
lb_down || fail "rmmod l4lb"
kmsg_mark "host_local insmod"
if load_l4lb vip="$VIP" port="$VPORT" backends=127.0.0.1:10000 2>/dev/null; then
	fail "insmod refuses backends=127.0.0.1:10000" "it loaded"
	unload_l4lb
else
	dmesg_since "host_local insmod" | grep l4lb | sed 's/^/#   /'
	check "insmod refuses backends=127.0.0.1:10000, saying why in dmesg" \
		sh -c 'dmesg | grep -q "invalid backends=.127.0.0.1:10000.: entry 1: backend cannot be a loopback address"'
fi
check "no l4lb slab cache left" slab_check
kernel_clean_since "host_local"
