#!/bin/sh
# life_idle: the idle timeout of established TCP rows.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=... timeout_tcp=3
#
# chatd on be1..be3. Client "idle" joins (round robin: be1) and then sends
# nothing; client "busy" joins (be2) and sends a line every second. The idle
# row must disappear 3-5 s after its last packet (asserted loosely: not
# before 2 s, gone by 7 s; the expiry worker looks at each row about once a
# second), while busy's row stays for 10 s and more, its expiry renewed to
# 3 s by each line. State and seconds left are shown from /proc/l4lb/nat
# and `l4lbctl -j nat`. Then `l4lbctl service set timeout tcp 3` on a
# module loaded with the default (300) does the same for a new connection.
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 13
require_l4lbctl
_life_up timeout_tcp=3

step "chatd on the backends"
serve_all chatd
serve_ready || die "chatd listens"
expect_eq "l4lbctl service shows timeout_tcp 3" 3 \
	"$(l4lbctl service | awk '$1 == "timeout_tcp" { print $2 }')"

step "idle joins"
chat_start idle
wait_for 15 '[ "$(backend_of idle)" = be1 ] && [ "$(_life_state $BE1)" = ESTABLISHED ]' ||
	die "client idle joined on be1, row ESTABLISHED" "backend: $(backend_of idle)" "$(nat_show)"
t_idle=$(now_s)	# "idle joined" and its ACK: the last packets of idle
step "busy joins"
chat_start busy
wait_for 15 '[ "$(backend_of busy)" = be2 ]' || die "client busy joined on be2"
chat_tick busy 1
nat_show "idle on be1, busy on be2"
diag "l4lbctl -j nat: $(l4lbctl -j nat)"

exp_p=$(_life_expires $BE1)
exp_j=$(_life_json_row $BE1 | jq .expires)
st_j=$(_life_json_row $BE1 | jq -r .state)
if [ -n "$exp_p" ] && [ "$exp_p" -le 3 ]; then
	ok "idle row: /proc says ESTABLISHED, expires $exp_p (<= 3)"
else
	fail "idle row: /proc says ESTABLISHED, expires <= 3" "expires: '$exp_p'"
fi
if [ "$st_j" = ESTABLISHED ] && [ -n "$exp_j" ] && [ "$exp_j" -le 3 ]; then
	ok "idle row: l4lbctl -j nat says ESTABLISHED, expires $exp_j (<= 3)"
else
	fail "idle row: l4lbctl -j nat says ESTABLISHED, expires <= 3" \
		"row: $(_life_json_row $BE1)"
fi

step "idle row expires"
# Sample every 0.2 s: the last time it was there, and when it was gone.
last_seen=$t_idle
gone_at=
end=$(awk -v t="$t_idle" 'BEGIN { printf "%.2f", t + 12 }')
while num_le "$(now_s)" "$end"; do
	if [ -n "$(_life_rows_to $BE1)" ]; then
		last_seen=$(now_s)
	else
		gone_at=$(now_s)
		break
	fi
	sleep 0.2
done
if [ -n "$gone_at" ]; then
	lived=$(num_sub "$gone_at" "$t_idle")
	seen=$(num_sub "$last_seen" "$t_idle")
	diag "idle row last seen ${seen}s, gone ${lived}s after its last packet"
	if num_le 2 "$lived" && num_le "$lived" 7; then
		ok "idle row gone ${lived}s after its last packet (want 3-5, allowed 2-7)"
	else
		fail "idle row gone ${lived}s after its last packet (want 3-5, allowed 2-7)"
	fi
else
	fail "idle row gone within 12 s" "$(nat_show)"
fi
if chat_alive idle; then ok "the idle client itself is still connected (nothing was sent)"
else fail "the idle client itself is still connected (nothing was sent)"; diag_file /tmp/chat.idle.err; fi

step "busy row lives on"
# busy joined about when idle's timer started; watch it for 10 s more.
busy_ok=1 max_exp=0
i=0
while [ $i -lt 50 ]; do
	st=$(_life_state $BE2)
	if [ "$st" != ESTABLISHED ]; then busy_ok=0; diag "busy row state $st after $((i / 5)) s"; break; fi
	e=$(_life_expires $BE2)
	[ "$e" -gt "$max_exp" ] && max_exp=$e
	sleep 0.2
	i=$((i + 1))
done
if [ "$busy_ok" = 1 ]; then
	ok "busy row stayed ESTABLISHED for 10 s more (expires at most $max_exp)"
else
	fail "busy row stayed ESTABLISHED for 10 s more"; nat_show
fi
expect_eq "busy row's expires never went above timeout_tcp" 1 "$([ "$max_exp" -le 3 ] && echo 1 || echo "0 ($max_exp)")"
ticks=$(_life_ticks be2 busy)
if [ "$ticks" -ge 10 ]; then ok "be2 got busy's lines ($ticks ticks)"
else fail "be2 got busy's lines" "ticks: $ticks"; diag_file /tmp/be2.log; fi
nat_show "after 10 s more"
expect_eq "one row left (busy's)" 1 "$(nat_len)"
chat_hush busy
if wait_nat_len 0 8; then ok "busy's row expires too once it stops talking"
else fail "busy's row expires too once it stops talking" "$(nat_show)"; fi
bg_kill_all

step "timeout set at run time"
unload_l4lb || die "rmmod l4lb"
load_l4lb || die "insmod l4lb.ko (default timeouts)"
serve_all chatd
serve_ready || die "chatd listens again"
chat_start idle2
wait_for 15 '[ "$(_life_state $BE1)" = ESTABLISHED ]' || die "idle2 ESTABLISHED" "$(nat_show)"
e=$(_life_expires $BE1)
diag "with the default timeout_tcp the row expires in $e s"
pp l4lbctl service set timeout tcp 3
# The next packet of the row picks up the new timeout.
chat_say idle2 "idle2 one line"
wait_for 5 'grep -q "idle2 one line" /tmp/be1.log' || diag "be1 did not log idle2's line"
e=$(_life_expires $BE1)
if [ -n "$e" ] && [ "$e" -le 3 ]; then ok "after service set timeout tcp 3 a packet renews the row to $e s"
else fail "after service set timeout tcp 3 a packet renews the row to <= 3 s" "expires: '$e'"; nat_show; fi
if wait_nat_len 0 8; then ok "then the idle row expires"
else fail "then the idle row expires" "$(nat_show)"; fi
bg_kill_all
unload_l4lb
kernel_clean_since "test $T_NAME"
