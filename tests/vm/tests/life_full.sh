#!/bin/sh
# life_full: a full NAT table.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 backends=... conn_max=50
#
# chatd on be1..be3; 50 chat clients c1..c50 join (50 rows). A 51st
# connection's SYN gets no row and is dropped (drop_table_full counts it;
# the client's connect times out), the table stays at 50, and the 50
# existing connections keep working: each sends a line that its chatd logs.
# Once one client quits and its row has gone, a new connection gets in.
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 8
require_l4lbctl
_life_up conn_max=50

step "chatd on the backends"
serve_all chatd
serve_ready || die "chatd listens"

step "50 clients join"
i=1
while [ $i -le 50 ]; do
	chat_start "c$i"
	i=$((i + 1))
done
if wait_for 40 '[ "$(cat /tmp/be1.log /tmp/be2.log /tmp/be3.log | grep -c " joined$")" -ge 50 ]'; then
	ok "50 clients joined"
else
	fail "50 clients joined" "joined: $(cat /tmp/be1.log /tmp/be2.log /tmp/be3.log | grep -c ' joined$')"
fi
expect_eq "50 rows, all ESTABLISHED" "50 50" "$(nat_len) $(_life_count ESTABLISHED)"

step "the 51st connection"
full0=$(_life_stat drop_table_full)
if n cli socat -T 2 - TCP:$VIP:$VPORT,connect-timeout=4 </dev/null >/tmp/c51.out 2>/tmp/c51.err; then
	fail "the 51st connection does not get through" "it did"
else
	ok "the 51st connection does not get through: $(tail -n 1 /tmp/c51.err | sed 's/.*E //')"
fi
full1=$(_life_stat drop_table_full)
if [ "$((full1 - full0))" -ge 1 ]; then ok "drop_table_full counted its SYNs ($full0 -> $full1)"
else fail "drop_table_full counted its SYNs" "$full0 -> $full1"; diag "$(_life_stats)"; fi
expect_eq "still 50 rows" 50 "$(nat_len)"

step "the 50 still work"
i=1
while [ $i -le 50 ]; do
	chat_say "c$i" "c$i still here"
	i=$((i + 1))
done
if wait_for 20 '[ "$(cat /tmp/be1.log /tmp/be2.log /tmp/be3.log | grep -c " c[0-9]* still here$")" -ge 50 ]'; then
	ok "all 50 connections still carry data"
else
	fail "all 50 connections still carry data" \
		"lines: $(cat /tmp/be1.log /tmp/be2.log /tmp/be3.log | grep -c ' c[0-9]* still here$')"
fi

step "room again"
chat_quit c1
wait_nat_len 49 10 || diag "c1's row did not go: $(nat_len) rows"
chat_start c51
if wait_for 15 '[ "$(backend_of c51)" != none ]'; then ok "after c1 quit, a new client gets in ($(backend_of c51))"
else fail "after c1 quit, a new client gets in"; diag_file /tmp/chat.c51.err; fi
diag "stats: $(_life_stats)"
bg_kill_all
unload_l4lb
kernel_clean_since "test $T_NAME"
