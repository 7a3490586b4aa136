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
#
# `l4lbctl monitor`, started before the clients, prints a table-full event
# for the 51st connection ("table-full 10.0.0.1:20000/tcp conns 50 conn_max
# 50 drop_table_full N"). A SYN flood at the full table (1000 SYNs from
# spoofed sources, flood -r 500) is dropped whole, yet gives at most one
# table-full event a second.
. /vm/lib/common.sh
. /vm/lib/life.sh
plan 11
require_l4lbctl
_life_up conn_max=50

MON=/tmp/full.mon
FULL_RE='^table-full 10\.0\.0\.1:20000/tcp conns 50 conn_max 50 drop_table_full [0-9][0-9]*$'

# _fulls: the table-full lines the monitor printed.
_fulls() {
	grep -c '^table-full ' "$MON"
}

step "monitor"
bg "$MON" lb l4lbctl monitor
if wait_for 30 'l4lbctl flush; grep -q "^flush$" "$MON"'; then ok "l4lbctl monitor listens (it printed a flush)"
else fail "l4lbctl monitor listens (it printed a flush)"; diag_file "$MON"; fi

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
if wait_for 10 'grep -q "$FULL_RE" "$MON"'; then ok "monitor: $(grep "$FULL_RE" "$MON" | head -n 1)"
else fail "monitor: table-full 10.0.0.1:20000/tcp conns 50 conn_max 50 drop_table_full N"; diag_file "$MON"; fi

step "a SYN flood at the full table"
wait_still 10 1 _fulls >/dev/null
e0=$(_fulls) full0=$(_life_stat drop_table_full) t0=$(now_s)
n cli flood -p tcp -a 10 -P 100 -b 10.0.0.10 -r 500 $VIP $VPORT >/tmp/flood.out 2>&1
t1=$(now_s)
wait_still 10 1 _fulls >/dev/null
e1=$(_fulls) full1=$(_life_stat drop_table_full)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", b - a }')
diag "flood: $(cat /tmp/flood.out) in $(num_sub "$t1" "$t0") s; drop_table_full $full0 -> $full1; table-full events $e0 -> $e1"
if [ "$((full1 - full0))" -ge 1000 ] && [ "$((e1 - e0))" -ge 1 ] &&
	[ "$((e1 - e0))" -le "$((secs + 1))" ]; then
	ok "1000 SYNs dropped at the full table gave $((e1 - e0)) table-full events in $secs s (at most one a second)"
else
	fail "1000 SYNs dropped at the full table gave at most one table-full event a second" \
		"drops $((full1 - full0)), events $((e1 - e0)), in $secs s"
	diag_file "$MON" 20
fi

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
