#!/bin/sh
# life_defaults: a service nobody tuned has IPVS's timeouts.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=...   (no timeout_*)
#
#  1. The module parameters and `l4lbctl -j service` say: ESTABLISHED
#     900 s, after a FIN 120 s, half-open 60 s, UDP 300 s.
#  2. chatd on be1..be3. Client "est" joins (round robin: be1): its row is
#     ESTABLISHED with 890-900 s left.
#  3. "est" quits: FIN both ways. The row lingers in TIME_WAIT (or
#     LAST_ACK) with 110-120 s left, and is still there 3 s later.
#  4. A client joins on be2 and is killed with SO_LINGER 0, so its stack
#     sends a RST: the row is in CLOSE with at most 10 s left, and is gone
#     within 14 s.
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 8
require_l4lbctl
topo_up || die "topology up"
load_l4lb vip=$VIP port=$VPORT backends=$BACKENDS || die "insmod l4lb.ko with default timeouts"

# _in LO HI V: LO <= V <= HI, for integers (false if V is empty).
_in() { [ -n "$3" ] && [ "$3" -ge "$1" ] && [ "$3" -le "$2" ]; }

step "the defaults"
p=/sys/module/l4lb/parameters
expect_eq "module parameters timeout_tcp timeout_tcp_fin timeout_syn timeout_udp" \
	"900 120 60 300" \
	"$(cat $p/timeout_tcp $p/timeout_tcp_fin $p/timeout_syn $p/timeout_udp | tr '\n' ' ' | sed 's/ $//')"
svc=$(l4lbctl -j service)
diag "l4lbctl -j service: $svc"
got=""
for k in timeout_tcp timeout_tcpfin timeout_syn timeout_udp; do
	got="$got $(echo "$svc" | json_line "$k")"
done
expect_eq "l4lbctl -j service: tcp tcpfin syn udp" " 900 120 60 300" "$got"

step "an established connection"
serve_all chatd
serve_ready || die "chatd listens"
chat_start est
wait_for 15 '[ "$(backend_of est)" = be1 ] && [ "$(_life_state $BE1)" = ESTABLISHED ]' ||
	die "client est joined on be1, row ESTABLISHED" "$(nat_show)"
e=$(_life_expires $BE1)
if _in 890 900 "$e"; then ok "ESTABLISHED row expires in $e s (890-900)"
else fail "ESTABLISHED row expires in 890-900 s" "expires: '$e'"; nat_show; fi

step "est quits: FIN both ways"
chat_quit est || diag "client est did not exit"
if _life_wait_state $BE1 10 TIME_WAIT LAST_ACK; then
	e=$(_life_expires $BE1)
	if _in 110 120 "$e"; then ok "closed row: $LIFE_STATE, expires in $e s (110-120)"
	else fail "closed row expires in 110-120 s" "state $LIFE_STATE, expires '$e'"; nat_show; fi
else
	fail "closed row: TIME_WAIT or LAST_ACK" "state: $LIFE_STATE"; nat_show
fi
sleep 3
st=$(_life_state $BE1)
case $st in
TIME_WAIT | LAST_ACK) ok "closed row still there 3 s later ($st)" ;;
*) fail "closed row still there 3 s later" "state: $st"; nat_show ;;
esac

step "a reset connection"
bg_held rst /tmp/rst.log cli socat -t 30 - TCP:$VIP:$VPORT,so-linger=0
_life_wait_state $BE2 15 ESTABLISHED || die "connection rst ESTABLISHED on be2" "$(nat_show)"
read -r pid <"/tmp/rst.pid"
kill -9 "$pid"
t0=$(now_s)
if _life_wait_state $BE2 5 CLOSE; then
	e=$(_life_expires $BE2)
	if _in 1 10 "$e"; then ok "reset row: CLOSE, expires in $e s (<= 10)"
	else fail "reset row expires in at most 10 s" "expires '$e'"; nat_show; fi
else
	fail "reset row: CLOSE" "state: $LIFE_STATE"; nat_show
fi
if _life_wait_state $BE2 14 none; then
	ok "reset row gone $(num_sub "$(now_s)" "$t0") s after the RST (<= 14)"
else
	fail "reset row gone within 14 s" "state: $LIFE_STATE"; nat_show
fi
bg_kill_all
unload_l4lb
kernel_clean_since "test $T_NAME"
