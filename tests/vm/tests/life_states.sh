#!/bin/sh
# life_states: the TCP states of a NAT row, one connection per backend.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=...   (default timeouts)
#
# timeout_tcp_fin (120 s) covers the half-closed states (FIN_WAIT,
# CLOSE_WAIT) and LAST_ACK; timeout_tcp_close (3 s) the closed ones
# (TIME_WAIT, and CLOSE after a RST).
#
# Round robin puts connection 1 on be1, 2 on be2, 3 on be3. socat on both
# ends (client in cli, stdin held by a fifo; server on the backend).
#
#  1. be1 cannot answer (a blackhole route to the balancer): SYN_SENT.
#     be1 answers but the balancer's neighbour entry for the client is wrong,
#     so the SYN-ACK never reaches the client: SYN_RECV. The neighbour entry
#     is fixed: the client's ACK makes it ESTABLISHED. The client closes its
#     sending side: FIN_WAIT; 3 s later the server closes too: LAST_ACK /
#     TIME_WAIT, and the row is gone shortly after (timeout_tcp_close 3 s).
#  2. be2's server answers one line and closes first: CLOSE_WAIT; the client
#     closes later: the row goes shortly after.
#  3. be3: an established connection, then the client is killed with
#     SO_LINGER 0, so its stack sends a RST: the row goes 3 s later (the
#     CLOSE linger, timeout_tcp_close), give or take the GC's 1 s pass.
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 14
require_l4lbctl
_life_up

# ------------------------------------------------------------ 1: be1 ----
step "be1 server: reads to EOF, closes 3 s later"
bg /tmp/be1.log be1 socat -t 30 TCP-LISTEN:10000,reuseaddr SYSTEM:'cat >/dev/null; sleep 3'
ip -n be1 route add blackhole 10.0.1.254/32 || die "blackhole route in be1"
cli_mac=$(ip -n cli link show eth0 | awk '/link\/ether/ { print $2 }')
ip neigh replace 10.0.0.2 dev veth-cli lladdr 02:00:00:00:00:99 nud permanent ||
	die "wrong neighbour entry for the client"
wait_for 10 'listens be1 tcp 10000' || diag "be1's server does not listen"
bg_held c1 /tmp/c1.log cli socat -t 30 - TCP:$VIP:$VPORT
if _life_wait_state $BE1 10 SYN_SENT; then
	ok "SYN, no answer from be1: SYN_SENT (expires $(_life_expires $BE1))"
else
	fail "SYN, no answer from be1: SYN_SENT" "state: $LIFE_STATE"; nat_show
fi
diag "$(l4lbctl -j nat)"
ip -n be1 route del blackhole 10.0.1.254/32
# The client's next SYN retransmission reaches be1, which answers.
if _life_wait_state $BE1 15 SYN_RECV; then
	ok "be1's SYN-ACK seen (not delivered to the client): SYN_RECV"
else
	fail "be1's SYN-ACK seen (not delivered to the client): SYN_RECV" "state: $LIFE_STATE"; nat_show
fi
nat_show "SYN_RECV"
ip neigh del 10.0.0.2 dev veth-cli
[ -n "$cli_mac" ] && ip neigh replace 10.0.0.2 dev veth-cli lladdr "$cli_mac" nud reachable
if _life_wait_state $BE1 20 ESTABLISHED; then
	ok "client's ACK: ESTABLISHED (expires $(_life_expires $BE1))"
else
	fail "client's ACK: ESTABLISHED" "state: $LIFE_STATE"; nat_show
fi
echo "hello" 1<>/tmp/c1.in
sleep 0.5
step "client half-closes"
read -r h <"/tmp/c1.holder"
kill "$h"
if _life_wait_state $BE1 10 FIN_WAIT; then
	ok "client's FIN: FIN_WAIT (expires $(_life_expires $BE1))"
else
	fail "client's FIN: FIN_WAIT" "state: $LIFE_STATE"; nat_show
fi
# State and expires from one read of the row.
# shellcheck disable=SC2046 # state and expires: two words
set -- $(_life_rows_to $BE1 | awk 'NR == 1 { print $6, $7 }')
if [ "${1:-}" = FIN_WAIT ] && [ "${2:-0}" -ge 110 ] && [ "${2:-0}" -le 120 ]; then
	ok "half-closed row expires in $2 s (timeout_tcp_fin 120)"
else
	fail "half-closed row expires in 110-120 s (timeout_tcp_fin)" "state '${1:-}', expires '${2:-}'"; nat_show
fi
nat_show "FIN_WAIT"
if _life_wait_state $BE1 15 LAST_ACK TIME_WAIT; then
	t_fin2=$(now_s)
	ok "server's FIN too: $LIFE_STATE"
else
	t_fin2=$(now_s)
	fail "server's FIN too: LAST_ACK or TIME_WAIT" "state: $LIFE_STATE"; nat_show
fi
nat_show "FIN both ways"
if _life_wait_state $BE1 8 none; then
	ok "row gone $(num_sub "$(now_s)" "$t_fin2") s after FIN both ways (timeout_tcp_close 3)"
else
	fail "row gone within 8 s after FIN both ways" "state: $LIFE_STATE"; nat_show
fi
read -r p <"/tmp/c1.pid"
wait_exit 10 "$p" || diag "client 1 socat did not exit"

# ------------------------------------------------------------ 2: be2 ----
step "be2 server: answers one line and closes"
bg /tmp/be2.log be2 socat -t 30 TCP-LISTEN:10001,reuseaddr SYSTEM:'echo bye'
# be1 must take the first (rr) pick of this round: it listens again, but
# connection 2 of round robin is be2 anyway.
wait_for 10 'listens be2 tcp 10001' || diag "be2's server does not listen"
bg_held c2 /tmp/c2.log cli socat -t 30 - TCP:$VIP:$VPORT
if _life_wait_state $BE2 15 CLOSE_WAIT; then
	ok "server's FIN first: CLOSE_WAIT (expires $(_life_expires $BE2))"
else
	fail "server's FIN first: CLOSE_WAIT" "state: $LIFE_STATE"; nat_show; diag_file /tmp/c2.log
fi
nat_show "CLOSE_WAIT"
sleep 0.5
expect_eq "still CLOSE_WAIT 0.5 s later" CLOSE_WAIT "$(_life_state $BE2)"
read -r h <"/tmp/c2.holder"
kill "$h"
t0=$(now_s)
if _life_wait_state $BE2 8 none; then
	ok "client's FIN: row gone $(num_sub "$(now_s)" "$t0") s later"
else
	fail "client's FIN: row gone within 8 s" "state: $LIFE_STATE"; nat_show
fi

# ------------------------------------------------------------ 3: be3 ----
step "be3: established, then RST"
bg /tmp/be3.log be3 socat -t 30 TCP-LISTEN:10002,reuseaddr SYSTEM:'sleep 60'
wait_for 10 'listens be3 tcp 10002' || diag "be3's server does not listen"
bg_held c3 /tmp/c3.log cli socat -t 30 - TCP:$VIP:$VPORT,so-linger=0
_life_wait_state $BE3 15 ESTABLISHED || die "connection 3 ESTABLISHED on be3" "$(nat_show)"
read -r p <"/tmp/c3.pid"
kill -9 "$p"
t0=$(now_s)
if _life_wait_state $BE3 7 none; then
	ok "client's RST: row gone $(num_sub "$(now_s)" "$t0") s later (want 3-4)"
else
	fail "client's RST: row gone within 7 s" "state: $LIFE_STATE"; nat_show
fi
d=$(num_sub "$(now_s)" "$t0")
if num_le "$d" 5; then ok "RST removal took ${d}s (<= 5: 3 s linger + 1 s GC pass + slack)"
else fail "RST removal took ${d}s (<= 5: 3 s linger + 1 s GC pass + slack)"; fi
expect_eq "NAT table empty" 0 "$(nat_len)"
diag "stats: $(_life_stats)"
bg_kill_all
unload_l4lb
kernel_clean_since "test $T_NAME"
