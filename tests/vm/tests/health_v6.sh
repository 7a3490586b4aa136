#!/bin/sh
# health_v6: l4lb-health checks the backends of an IPv6 service (issue #18).
#
#   insmod l4lb.ko svc_max=4096          (no service)
#   l4lbctl service set vip 2001:db8::1 port 20000 proto tcp
#   l4lbctl backend add [2001:db8:k::1]:1000(k-1) ...   (lib/v6.sh)
#   l4lb-health --interval 1 --fall 2 --rise 2          (in lb)
#
# greetd -6 on be1..be3 answers "alive beK". A client in cli opens a stream
# of short connections to [2001:db8::1]:20000 and records the start time
# and the answer (or the error) of each one. As health.sh does for v4:
#  1. --once checks the three v6 backends and names each [ADDR]:PORT.
#  2. be2's server is killed: within interval x fall + 1 = 3 s the daemon
#     marks it down (its log names it [2001:db8:2::1]:10001), and from then
#     on no connection goes to be2 or fails, nor does be2's counter move.
#  3. be2's server comes back: within interval x rise + 1 = 3 s the stream
#     reaches it again, and no attempt failed meanwhile.
#  4. be3 answers "busy be3": a send/expect check with on-down expire marks
#     it down and removes its v6 rows; be1's and be2's stay.
. /vm/lib/common.sh
. /vm/lib/health.sh
. /vm/lib/ctl.sh
. /vm/lib/v6.sh
. /vm/lib/v6ctl.sh
plan 23
require_l4lbctl
require_health

INTERVAL=1 FALL=2 RISE=2
LIMIT_DOWN=$((INTERVAL * FALL + 1))	# seconds
LIMIT_UP=$((INTERVAL * RISE + 1))
LOG=/tmp/health.log

# sleep_until T: sleep until uptime T (no-op if it has passed).
sleep_until() {
	_d=$(num_sub "$1" "$(now_s)")
	num_le "$_d" 0 || sleep "$_d"
}

# serve I TEXT: greetd -6 on beI, answering TEXT; its pid in SERVER_PID.
serve() {
	rm -f "/tmp/be$1.log"
	bg "/tmp/be$1.log" "be$1" greetd -6 "$((9999 + $1))" "$2"
	SERVER_PID=$BG_PID
}

# serve_stamped I TEXT: like serve, but each line of /tmp/beI.log starts
# with the uptime at which greetd printed it, so "listen" tells when the
# server was back.
serve_stamped() {
	rm -f "/tmp/be$1.log"
	bg "/tmp/be$1.log" "be$1" sh -c 'greetd -6 "$0" "$1" | while read -r l; do
		read -r t _ </proc/uptime
		echo "$t $l"
	done' "$((9999 + $1))" "$2"
	SERVER_PID=$BG_PID
}

# The stream: one connection to the v6 VIP at a time, every 0.05 s after
# the last one ended. Each line of /tmp/stream.log is "UPTIME ANSWER", the
# answer being greetd's ("alive be2") or "- REASON" when it failed.
stream_start() {
	rm -f /tmp/stream.stop /tmp/stream.log
	bg /tmp/stream.err cli sh -c '
		while [ ! -e /tmp/stream.stop ]; do
			read -r t _ </proc/uptime
			conns -t 2 '"$VIP6 $VPORT"' 1 >/tmp/stream.one 2>&1
			ans=
			read -r _ _ _ ans </tmp/stream.one
			echo "$t ${ans:-- no output}" >>/tmp/stream.log
			sleep 0.05
		done'
	STREAM_PID=$BG_PID
}

stream_stop() {
	touch /tmp/stream.stop
	wait_exit 10 "$STREAM_PID" >/dev/null
}

# stream_stats FROM [TO]: "attempts failed to_be2" for the attempts that
# started after FROM (and not after TO).
stream_stats() {
	awk -v t0="$1" -v t1="${2:-1e12}" '$1 > t0 && $1 <= t1 {
		n++
		if ($2 != "alive") f++
		else if ($3 == "be2") b2++
	} END { printf "%d %d %d\n", n, f, b2 }' /tmp/stream.log
}

# stream_failures FROM: the failed attempts after FROM, as diagnostics.
stream_failures() {
	awk -v t0="$1" '$1 > t0 && $2 != "alive"' /tmp/stream.log | head -n 10 | sed 's/^/#   /'
}

# first_be2 FROM: uptime of the first attempt after FROM that reached be2.
first_be2() {
	awk -v t0="$1" '$1 > t0 && $3 == "be2" { print $1; exit }' /tmp/stream.log
}

# ------------------------------------------------------------- set up ----
step "topology"
v6_topo_up || die "v6 topology up"
v6_ready || die "v6 addresses usable, cli reaches the backends"
kmsg_mark "health_v6"
if v6_lb_up; then ok "l4lb up with the v6 service $SVC6 and three v6 backends"
else die "l4lb up with the v6 service $SVC6 and three v6 backends"; fi
diag "l4lb-health: $HEALTH"

step "servers"
serve 1 "alive be1"
serve 2 "alive be2"
BE2_PID=$SERVER_PID
serve 3 "alive be3"
BE3_PID=$SERVER_PID
if serve_ready; then ok "greetd -6 listens on be1, be2, be3"
else fail "greetd -6 listens on be1, be2, be3"; diag_file /tmp/be2.log; fi

n lb "$HEALTH" --once >/tmp/once.out 2>/tmp/once.err
rc=$?
expect_eq "--once: the three v6 backends ok, named [ADDR]:PORT, exit 0" \
	"0|[2001:db8:1::1]:10000 ok|[2001:db8:2::1]:10001 ok|[2001:db8:3::1]:10002 ok" \
	"$rc|$(sort /tmp/once.out | tr '\n' '|' | sed 's/|$//')"
[ -s /tmp/once.err ] && diag_file /tmp/once.err

step "daemon"
daemon_start --interval "$INTERVAL" --fall "$FALL" --rise "$RISE"
if alive "$DAEMON_PID" && grep -q "^l4lb-health: started: every 1 s, timeout 1 s, rise 2, fall 2" "$LOG"; then
	ok "l4lb-health runs and logged its start"
else
	fail "l4lb-health runs and logged its start"; diag_file "$LOG"
fi

step "stream of connections"
stream_start
if wait_for 20 'grep -q "alive be1" /tmp/stream.log 2>/dev/null &&
	grep -q "alive be2" /tmp/stream.log && grep -q "alive be3" /tmp/stream.log'; then
	ok "the stream reaches be1, be2 and be3 over v6"
else
	fail "the stream reaches be1, be2 and be3 over v6"; diag_file /tmp/stream.log 20
fi
sleep 1
diag "stream: $(stream_stats 0) (attempts failed to_be2) so far"

# ------------------------------------------------ 2. a backend dies ----
step "kill be2's server"
T_KILL=$(now_s)
kill -9 "$BE2_PID"
T_LIMIT=$(awk -v t="$T_KILL" -v l="$LIMIT_DOWN" 'BEGIN { printf "%.2f", t + l }')
logged_within "be2 marked down within $LIMIT_DOWN s" \
	"backend \[2001:db8:2::1\]:10001 down" "$T_KILL" "$LIMIT_DOWN"
check "log: one line, 'backend [2001:db8:2::1]:10001 down: 2 consecutive failures (connect: Connection refused)'" \
	grep -qxF 'l4lb-health: backend [2001:db8:2::1]:10001 down: 2 consecutive failures (connect: Connection refused)' "$LOG"
expect_eq "backend show: be2 down, be1 and be3 up" "up down up" "$(v6ctl_states)"

sleep_until "$T_LIMIT"
TOTAL_BE2=$(_ctl_be "$BE6_2" total)
sleep 5
read -r n_att n_fail n_be2 <<EOF
$(stream_stats "$T_LIMIT")
EOF
diag "after kill + $LIMIT_DOWN s: $n_att attempts, $n_fail failed, $n_be2 to be2"
diag "before that: $(stream_stats "$T_KILL" "$T_LIMIT") (attempts failed to_be2) between the kill and kill + $LIMIT_DOWN s"
if [ "$n_att" -ge 10 ] && [ "$n_fail" = 0 ] && [ "$n_be2" = 0 ]; then
	ok "from kill + $LIMIT_DOWN s: $n_att attempts, none failed, none to be2"
else
	fail "from kill + $LIMIT_DOWN s: $n_att attempts, none failed, none to be2" \
		"attempts $n_att, failed $n_fail, to be2 $n_be2"
	stream_failures "$T_LIMIT"
fi
expect_eq "be2's connection counter did not move after kill + $LIMIT_DOWN s" \
	"$TOTAL_BE2" "$(_ctl_be "$BE6_2" total)"

# --------------------------------------------------- 3. it comes back ----
step "restart be2's server"
serve_stamped 2 "alive be2"
wait_for 10 'grep -q " listen" /tmp/be2.log'
T_RESTART=$(awk '$2 == "listen" { print $1; exit }' /tmp/be2.log)
T_RESTART=${T_RESTART:-$(now_s)}
wait_for 15 '[ -n "$(first_be2 "$T_RESTART")" ]'
T_FIRST=$(first_be2 "$T_RESTART")
if [ -n "$T_FIRST" ]; then
	diag "be2 got its first connection $(num_sub "$T_FIRST" "$T_RESTART") s after it listened again"
fi
if [ -n "$T_FIRST" ] && num_le "$(num_sub "$T_FIRST" "$T_RESTART")" "$LIMIT_UP"; then
	ok "be2 gets new connections again within $LIMIT_UP s"
else
	fail "be2 gets new connections again within $LIMIT_UP s" \
		"listening at $T_RESTART, first be2 answer at ${T_FIRST:-never}"
	diag_file "$LOG"
fi
wait_for 5 'grep -qF "backend [2001:db8:2::1]:10001 up" "$LOG"'
check "log: 'backend [2001:db8:2::1]:10001 up: 2 consecutive successes'" \
	grep -qxF 'l4lb-health: backend [2001:db8:2::1]:10001 up: 2 consecutive successes' "$LOG"
expect_eq "backend show: all up again" "up up up" "$(v6ctl_states)"
sleep 2
stream_stop
read -r n_att n_fail n_be2 <<EOF
$(stream_stats "$T_LIMIT")
EOF
if [ "$n_fail" = 0 ]; then
	ok "no attempt failed from kill + $LIMIT_DOWN s to the end ($n_att attempts)"
else
	fail "no attempt failed from kill + $LIMIT_DOWN s to the end ($n_att attempts)" "$n_fail failed:"
	stream_failures "$T_LIMIT"
fi

daemon_stop
rc=$?
if [ "$rc" = 0 ] && grep -qxF "l4lb-health: stopping on SIGTERM" "$LOG"; then
	ok "SIGTERM: the daemon logs it and exits 0"
else
	fail "SIGTERM: the daemon logs it and exits 0" "exit $rc"; diag_file "$LOG"
fi

# ------------------------------------- 4. accepts, but answers wrong ----
step "be3 answers wrong"
kill -9 "$BE3_PID"
wait_exit 5 "$BE3_PID" >/dev/null
serve 3 "busy be3"
wait_for 10 'grep -q "^listen" /tmp/be3.log'

n lb "$HEALTH" --once --send 'HEALTH CHECK\n' --expect alive >/tmp/once.out 2>/tmp/once.err
rc=$?
if [ "$rc" = 1 ] && grep -qxF '[2001:db8:3::1]:10002 failed: expect: no "alive" within 1 s (got "busy be3\n")' /tmp/once.out &&
	[ "$(grep -c ' ok$' /tmp/once.out)" = 2 ]; then
	ok "--once --send --expect: be3 fails with the reply it got, exit 1"
else
	fail "--once --send --expect: be3 fails with the reply it got, exit 1" "exit $rc"
	diag_file /tmp/once.out; diag_file /tmp/once.err
fi

# Three held connections, one per backend, to see what expire removes.
bg_held hold /tmp/hold.out cli conns -w -t 20 "$VIP6" "$VPORT" 3
wait_for 30 'grep -q "^holding" /tmp/hold.out'
held=$(sed -n 's/^conn [0-9]* [0-9]* //p' /tmp/hold.out | sort | tr '\n' ',')
expect_eq "three held connections, one on each backend" "alive be1,alive be2,busy be3," "$held"
v6_wait_nat_len 3 10 || diag "v6 rows: $(v6_nat_len)"

cat >/tmp/health.conf <<'EOF'
# l4lb-health: the seed balancers' "HEALTH CHECK" line, and greetd's answer
interval = 1
rise = 2
fall = 2            # quick, for the test
send = "HEALTH CHECK\n"
expect = alive
on-down = expire
EOF
daemon_start -c /tmp/health.conf
wait_for 10 'grep -qF "backend [2001:db8:3::1]:10002 down" "$LOG"'
check "log: be3 down, 2 consecutive failures, with the reply it got" \
	grep -qxF 'l4lb-health: backend [2001:db8:3::1]:10002 down: 2 consecutive failures (expect: no "alive" within 1 s (got "busy be3\n")); its connections were removed' "$LOG"
expect_eq "backend show: be3 down, be1 and be2 up" "up up down" "$(v6ctl_states)"
v6_nat_show "after be3 went down with on-down expire"
rows3=$(v6_nat_col 5 | grep -cxF "$BE6_3")
rows12=$(v6_nat_rows | awk '$6 == "ESTABLISHED" { print $5 }' | grep -cxF -e "$BE6_1" -e "$BE6_2")
if [ "$rows3" = 0 ] && [ "$rows12" -ge 2 ]; then
	ok "on-down expire: be3's v6 rows are gone, be1's and be2's held ones stay"
else
	fail "on-down expire: be3's v6 rows are gone, be1's and be2's held ones stay" \
		"rows to be3: $rows3, established rows to be1/be2: $rows12"
fi
daemon_stop
rc=$?
expect_eq "SIGTERM: exit 0" 0 "$rc"
release hold 15 >/dev/null

step "clean up"
v6_topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "health_v6"
