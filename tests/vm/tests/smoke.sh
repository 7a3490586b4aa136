#!/bin/sh
# smoke: the test bed itself, without l4lb. Topology, routing through lb,
# the test programs, the bundled tools, and the nftables/conntrack modules
# the coexistence test needs.
. /vm/lib/common.sh
plan 14

step "topology"
topo_up || die "topology up"
ok "topology up (lb = root netns, cli, be1, be2, be3)"
ip -br addr | sed 's/^/#   /'

check "cli pings the VIP 10.0.0.1" n cli ping -c 2 -W 5 10.0.0.1
check "cli pings be1, be2, be3 through lb" sh -c '
	for a in 10.0.1.1 10.0.2.1 10.0.3.1; do
		/usr/sbin/ip netns exec cli ping -c 1 -W 5 $a || exit 1
	done'

step "chat through lb's routing"
bg /tmp/be1.log be1 chatd 10000
if wait_for 10 'grep -q ^listen /tmp/be1.log'; then ok "chatd listens on be1:10000"
else fail "chatd listens on be1:10000"; diag_file /tmp/be1.log; fi
chat_start alice cli 10.0.1.1 10000
wait_for 10 'grep -q "alice joined" /tmp/be1.log'
chat_start bob cli 10.0.1.1 10000
wait_for 10 'grep -q "bob joined" /tmp/be1.log'
chat_say alice "hi bob"
if wait_for 10 'chat_got bob "hi bob"' && chat_got alice "bob joined" && ! chat_got alice "hi bob"; then
	ok "a line from alice reaches bob (and is not echoed back)"
else
	fail "a line from alice reaches bob (and is not echoed back)"
	diag_file /tmp/be1.log; diag_file /tmp/chat.alice.out; diag_file /tmp/chat.bob.out
fi
peers=$(sed -n 's/^accept \([0-9.]*\):.*/\1/p' /tmp/be1.log | sort -u)
expect_eq "chatd sees the client's own address (routing, no NAT)" 10.0.0.2 "$peers"
chat_quit alice; rc_a=$?
chat_quit bob; rc_b=$?
if [ "$rc_a$rc_b" = 00 ] && wait_for 5 '[ "$(grep -c ^close /tmp/be1.log)" = 2 ]'; then
	ok "both chat clients quit with 0 and chatd logged two closes"
else
	fail "both chat clients quit with 0 and chatd logged two closes" "rc: $rc_a $rc_b"
	diag_file /tmp/be1.log
fi

step "bulk transfer with socat"
head -c 2000000 /dev/urandom >/tmp/src.bin
bg /tmp/recv.log be2 socat -u -t 10 TCP-LISTEN:10001,reuseaddr CREATE:/tmp/recv.bin
recv_pid=$BG_PID
wait_for 10 'n be2 ss -ltn | grep -q ":10001 "'
n cli timeout 60 socat -u -t 10 OPEN:/tmp/src.bin TCP:10.0.2.1:10001
wait_exit 30 "$recv_pid"
expect_eq "2 MB through lb with socat arrive intact" \
	"$(sha256sum </tmp/src.bin)" "$(sha256sum </tmp/recv.bin 2>/dev/null)"

step "many connections with conns and greetd"
bg /tmp/be3.log be3 greetd 10002 be3
wait_for 10 'grep -q ^listen /tmp/be3.log'
n cli conns -t 60 10.0.3.1 10002 30 >/tmp/conns.out 2>&1
if [ "$(grep -c ' be3$' /tmp/conns.out)" = 30 ] && grep -q '^answered 30 of 30$' /tmp/conns.out; then
	ok "conns holds 30 connections to greetd, all answered"
else
	fail "conns holds 30 connections to greetd, all answered"; diag_file /tmp/conns.out
fi

step "tools run"
check "ss, socat, nft, iptables, setpriv run" sh -c '
	ss -V && socat -V | head -n 2 && nft --version && iptables -V &&
	/usr/bin/setpriv --version && [ -x /usr/local/bin/chatd ]'

step "nftables + conntrack masquerade"
if nft_stack_load && nft -f - <<'NFT'
table ip smoke {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "veth-be1" masquerade
	}
}
NFT
then
	ok "nf_conntrack + nft masquerade rule load"
else
	fail "nf_conntrack + nft masquerade rule load"
fi
nft list ruleset | sed 's/^/#   /'
chat_start carol cli 10.0.1.1 10000
if wait_for 10 'grep -q "^accept 10.0.1.254:" /tmp/be1.log'; then
	ok "with masquerade, chatd sees lb's 10.0.1.254"
else
	fail "with masquerade, chatd sees lb's 10.0.1.254"; diag_file /tmp/be1.log
fi
chat_quit carol
topo_down
check "nftables and conntrack modules unload" nft_stack_unload

if [ -f "$L4LB_KO" ]; then
	diag "l4lb.ko: $(modinfo "$L4LB_KO" 2>/dev/null | grep -E '^(version|vermagic|parm)' | tr '\n' ';')"
fi
kernel_clean_since "test smoke"
