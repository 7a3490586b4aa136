#!/bin/sh
# life_icmp_csum: an ICMP error with a bad checksum is dropped, not
# translated.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 proto=udp backends=10.0.1.1:10000
#
# l4lb gives a translated ICMP error a new checksum, computed afresh. Were
# the incoming one not checked first, a corrupted (or forged) error would
# reach the client with a valid checksum, and the client would act on it.
# be1 runs a sink, so its own stack never answers; tests/apps/icmpinject,
# in be1, waits for the balancer's datagram (from 10.0.1.254, any SNAT
# port, to 10.0.1.1:10000) and sends be1's port unreachable about it,
# while the client sends one datagram to the VIP (v6send -u):
#  1. with a wrong ICMP checksum: the client's socket gets no error;
#     drop_malformed grows, icmp_translated does not;
#  2. with the right one: the client's socket gets type 3 code 3
#     (ECONNREFUSED); icmp_translated grows, drop_malformed does not.
. /vm/lib/common.sh
plan 10
require_l4lbctl

# icmpinject reads an AF_PACKET socket; the debug kernel is built without one.
if [ ! -e /proc/net/packet ]; then
	skip_rest "no AF_PACKET sockets in this kernel (CONFIG_PACKET)"
	exit 0
fi

# _stat NAME: counter NAME of `l4lbctl -j stats`.
_stat() {
	l4lbctl -j stats | jq -r ".$1"
}

# _round NAME [-c]: icmpinject [-c] in be1, then one datagram from the
# client; /tmp/NAME.inj and /tmp/NAME.cli get their output, INJ_RC the
# exit status of icmpinject.
_round() {
	rm -f "/tmp/$1.inj"
	bg "/tmp/$1.inj" be1 icmpinject ${2:+"$2"} -t 20 10.0.1.254 0 10.0.1.1 10000
	_inj=$BG_PID
	wait_for 10 "grep -q '^waiting' /tmp/$1.inj" ||
		die "icmpinject watches be1's link"
	n cli v6send -u -n 1 -w 4 "$VIP" "$VPORT" >"/tmp/$1.cli" 2>&1
	wait_exit 10 "$_inj"
	INJ_RC=$?
	diag_file "/tmp/$1.inj"
	diag_file "/tmp/$1.cli"
}

step "topology"
topo_up || die "topology up"
kmsg_mark "life_icmp_csum"
load_l4lb vip="$VIP" port="$VPORT" proto=udp backends="$BE1" ||
	die "l4lb up: UDP service over be1"
udp_sinks 1
wait_for 10 'listens be1 udp 10000' || die "be1's sink listens"

step "a port unreachable with a wrong checksum"
mal0=$(_stat drop_malformed)
icmp0=$(_stat icmp_translated)
_round bad -c
if [ "$INJ_RC" = 0 ] && grep -q ' bad about ' /tmp/bad.inj; then
	ok "be1 sent a port unreachable with a wrong checksum"
else
	fail "be1 sent a port unreachable with a wrong checksum" "icmpinject exit $INJ_RC"
fi
if grep -q '^none 1$' /tmp/bad.cli && ! grep -q '^icmp ' /tmp/bad.cli; then
	ok "no ICMP error reached the client"
else
	fail "no ICMP error reached the client"
fi
mal1=$(_stat drop_malformed)
icmp1=$(_stat icmp_translated)
check "drop_malformed counted it ($mal0 -> $mal1)" [ "$((mal1 - mal0))" -ge 1 ]
expect_eq "icmp_translated did not move" "$icmp0" "$icmp1"
nat_show "after the first flow"

step "a port unreachable with the right checksum"
_round good
if [ "$INJ_RC" = 0 ] && grep -q ' good about ' /tmp/good.inj; then
	ok "be1 sent a port unreachable with the right checksum"
else
	fail "be1 sent a port unreachable with the right checksum" "icmpinject exit $INJ_RC"
fi
if grep -q '^icmp 1 type 3 code 3 .* errno 111$' /tmp/good.cli; then
	ok "the client's socket gets it: type 3 code 3, ECONNREFUSED"
else
	fail "the client's socket gets it: type 3 code 3, ECONNREFUSED"
fi
icmp2=$(_stat icmp_translated)
check "icmp_translated counted it ($icmp1 -> $icmp2)" [ "$((icmp2 - icmp1))" -ge 1 ]
expect_eq "drop_malformed did not move" "$mal1" "$(_stat drop_malformed)"
diag "stats: $(l4lbctl stats 2>/dev/null | tr '\n' ' ')"

bg_kill_all
if unload_l4lb; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "life_icmp_csum"
