#!/bin/sh
# life_defaults: a service nobody tuned has the default timeouts.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=...   (no timeout_*)
#
#  1. The module parameters and `l4lbctl -j service` say: ESTABLISHED
#     900 s, half-closed 120 s, closed 3 s, half-open 60 s, UDP 300 s,
#     unreplied UDP 30 s.
#  2. chatd on be1..be3. Client "est" joins (round robin: be1): its row is
#     ESTABLISHED with 890-900 s left.
#  3. "est" quits: FIN both ways, the last one acknowledged. The row
#     lingers in TIME_WAIT with at most 3 s left, and is gone within 6 s:
#     a row goes a few seconds after its connection closes.
#  4. A client joins on be2 and is killed with SO_LINGER 0, so its stack
#     sends a RST: the row is in CLOSE with at most 3 s left, and is gone
#     within 6 s.
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
expect_eq "module parameters timeout_tcp _tcp_fin _tcp_close _syn _udp _udp_unreplied" \
	"900 120 3 60 300 30" \
	"$(cat $p/timeout_tcp $p/timeout_tcp_fin $p/timeout_tcp_close $p/timeout_syn \
		$p/timeout_udp $p/timeout_udp_unreplied | tr '\n' ' ' | sed 's/ $//')"
svc=$(l4lbctl -j service)
diag "l4lbctl -j service: $svc"
got=""
for k in timeout_tcp timeout_tcpfin timeout_tcpclose timeout_syn timeout_udp \
	timeout_udpunreplied; do
	got="$got $(echo "$svc" | json_line "$k")"
done
expect_eq "l4lbctl -j service: tcp tcpfin tcpclose syn udp udpunreplied" \
	" 900 120 3 60 300 30" "$got"

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
# As chat_quit, but watch the row at once: it lingers only 3 s.
read -r h </tmp/chat.est.holder
kill "$h"
t0=$(now_s)
if _life_wait_state $BE1 10 TIME_WAIT; then
	# shellcheck disable=SC2046 # state and expires: two words
	set -- $(_life_rows_to $BE1 | awk 'NR == 1 { print $6, $7 }')
	if _in 0 3 "${2:-}"; then ok "closed row: ${1:-}, expires in $2 s (<= 3)"
	else fail "closed row expires in at most 3 s" "state '${1:-}', expires '${2:-}'"; nat_show; fi
else
	fail "closed row: TIME_WAIT" "state: $LIFE_STATE"; nat_show
fi
if _life_wait_state $BE1 10 none; then
	d=$(num_sub "$(now_s)" "$t0")
	if num_le "$d" 6; then ok "closed row gone $d s after est quit (<= 6)"
	else fail "closed row gone within 6 s after est quit" "gone after $d s"; fi
else
	fail "closed row gone within 6 s after est quit" "state: $LIFE_STATE"; nat_show
fi
read -r pid </tmp/chat.est.pid
wait_exit 15 "$pid" || diag "client est did not exit"

step "a reset connection"
bg_held rst /tmp/rst.log cli socat -t 30 - TCP:$VIP:$VPORT,so-linger=0
_life_wait_state $BE2 15 ESTABLISHED || die "connection rst ESTABLISHED on be2" "$(nat_show)"
read -r pid <"/tmp/rst.pid"
kill -9 "$pid"
t0=$(now_s)
if _life_wait_state $BE2 3 CLOSE; then
	# shellcheck disable=SC2046 # state and expires: two words
	set -- $(_life_rows_to $BE2 | awk 'NR == 1 { print $6, $7 }')
	if _in 0 3 "${2:-}"; then ok "reset row: CLOSE, expires in $2 s (<= 3)"
	else fail "reset row expires in at most 3 s" "state '${1:-}', expires '${2:-}'"; nat_show; fi
else
	fail "reset row: CLOSE" "state: $LIFE_STATE"; nat_show
fi
if _life_wait_state $BE2 10 none; then
	d=$(num_sub "$(now_s)" "$t0")
	if num_le "$d" 6; then ok "reset row gone $d s after the RST (<= 6)"
	else fail "reset row gone within 6 s after the RST" "gone after $d s"; fi
else
	fail "reset row gone within 6 s after the RST" "state: $LIFE_STATE"; nat_show
fi
bg_kill_all
unload_l4lb
kernel_clean_since "test $T_NAME"
