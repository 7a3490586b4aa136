#!/bin/sh
# health_udp: l4lb-health checks the backends of a UDP service over UDP.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 \
#       backends=10.0.1.1:10000,10.0.2.1:10001,10.0.3.1:10002
#   l4lbctl service set vip 10.0.0.1 port 20000 proto udp
#   l4lbctl add 10.0.1.1:10000 service 10.0.0.1:20000/udp   (and be2, be3)
#   l4lbctl add 10.0.3.1:10102 service 10.0.0.1:20000/udp   (UDP only)
#
# Two services on one VIP:port: the reference TCP service, and a UDP
# service whose first three backends are the TCP backends' IP:PORTs, plus
# a fourth, be3:10102, with no TCP listener at all (the usual UDP
# backend, which a TCP connect check would mark down). greetd answers
# "alive beN" on the TCP ports, udpecho answers "alive-ubeN DATAGRAM" on
# the UDP ones. l4lb-health runs with --send 'HEALTH CHECK\n' --expect
# alive, which suits both (a UDP check sends the datagram, and the reply
# must contain "alive").
#
#  1. --once: TCP and UDP backends ok; without --send the UDP ones are
#     "not checked" (exit 0); with --udp-send/--udp-expect the UDP checks
#     use their own strings and report the reply they got.
#  2. The daemon keeps all seven backends up while the servers run, and
#     UDP flows through the VIP reach all four UDP backends.
#  3. be2's udpecho is killed: the UDP backend be2:10001 goes down within
#     interval x fall + 1 s (ICMP port unreachable), the TCP backend on the
#     same IP:PORT stays up, and new UDP flows avoid be2. udpecho back:
#     up again within interval x rise + 1 s.
#  4. Without --send: each UDP backend is logged "not checked" once, and
#     stays up even when its udpecho dies; TCP backends are still checked
#     (a killed greetd is marked down).
. /vm/lib/common.sh
. /vm/lib/health.sh
plan 26
require_l4lb

require_health
if ! command -v l4lbctl >/dev/null 2>&1; then
	skip_rest "l4lbctl is not in the VM image"
	exit 0
fi

INTERVAL=1 FALL=2 RISE=2
LIMIT_DOWN=$((INTERVAL * FALL + 1))	# seconds
LIMIT_UP=$((INTERVAL * RISE + 1))
LOG=/tmp/health.log
SVC_TCP=$VIP:$VPORT/tcp
SVC_UDP=$VIP:$VPORT/udp
UDP_BES="10.0.1.1:10000 10.0.2.1:10001 10.0.3.1:10002 10.0.3.1:10102"
NOT_CHECKED='not checked: UDP needs --send (silence proves nothing)'

# ------------------------------------------------------------- helpers ----

# states SVC BACKEND...: the state of each BACKEND of service SVC, from
# `l4lbctl list service SVC`, on one line.
states() {
	_svc=$1
	shift
	l4lbctl list service "$_svc" >/tmp/states.out 2>&1
	for _b in "$@"; do
		_s=$(awk -v b="$_b" '$1 == b { print $2 }' /tmp/states.out)
		printf '%s ' "${_s:--}"
	done | sed 's/ $//'
}
tcp_states() { states "$SVC_TCP" 10.0.1.1:10000 10.0.2.1:10001 10.0.3.1:10002; }
# shellcheck disable=SC2086
udp_states() { states "$SVC_UDP" $UDP_BES; }

# serve_tcp I: greetd on beI's TCP port, answering "alive beI"; pid in
# TCP_PID.
serve_tcp() {
	rm -f "/tmp/tbe$1.log"
	bg "/tmp/tbe$1.log" "be$1" greetd "$((9999 + $1))" "alive be$1"
	TCP_PID=$BG_PID
}

# serve_udp NAME NS PORT: udpecho on NS:PORT answering "alive-NAME ...";
# log /tmp/NAME.log, pid in UDP_PID.
serve_udp() {
	rm -f "/tmp/$1.log"
	bg "/tmp/$1.log" "$2" udpecho "$3" "alive-$1"
	UDP_PID=$BG_PID
}

# listening NAME...: each /tmp/NAME.log has its server's "listen" line.
listening() {
	for _n in "$@"; do
		grep -q "^listen" "/tmp/$_n.log" 2>/dev/null || return 1
	done
	return 0
}

# udp_flows N PORT: N UDP flows from cli to the VIP at once, each one
# datagram from its own source port, PORT, PORT+1, ... (so no flow can
# meet the NAT row of an earlier one); prints who answered each ("ube1"
# ..., "-" for no answer), sorted, on one line.
udp_flows() {
	_pids=
	_i=1
	while [ "$_i" -le "$1" ]; do
		rm -f "/tmp/flow.$_i.out"
		echo "flow$_i" | n cli socat -t 2 - \
			"UDP4:$VIP:$VPORT,sourceport=$(($2 + _i - 1))" \
			>"/tmp/flow.$_i.out" 2>/dev/null &
		_pids="$_pids $!"
		_i=$((_i + 1))
	done
	for _p in $_pids; do
		wait "$_p"
	done
	_i=1
	while [ "$_i" -le "$1" ]; do
		_a=$(awk 'NR == 1 { sub(/^alive-/, "", $1); print $1 }' "/tmp/flow.$_i.out")
		echo "${_a:--}"
		_i=$((_i + 1))
	done | sort | tr '\n' ' ' | sed 's/ $//'
}

# once ARGS...: l4lb-health --once ARGS in lb; output in /tmp/once.out
# and /tmp/once.err, exit status in ONCE_RC.
once() {
	n lb "$HEALTH" --once "$@" >/tmp/once.out 2>/tmp/once.err
	ONCE_RC=$?
}

# ------------------------------------------------------------- set up ----

step "topology"
topo_up || die "topology up"
kmsg_mark "health_udp"
lb_up || die "l4lb up"
step "the UDP service"
added=0
if l4lbctl service set vip "$VIP" port "$VPORT" proto udp; then
	for be in $UDP_BES; do
		l4lbctl add "$be" service "$SVC_UDP" && added=$((added + 1))
	done
fi
if [ "$added" = 4 ] && [ "$(udp_states)" = "up up up up" ] &&
	[ "$(tcp_states)" = "up up up" ]; then
	ok "a TCP service (3 backends) and a UDP service (4 backends) on $VIP:$VPORT, all up"
else
	die "a TCP service (3 backends) and a UDP service (4 backends) on $VIP:$VPORT, all up" \
		"added $added; tcp: $(tcp_states); udp: $(udp_states)"
fi
diag "l4lb-health: $HEALTH"

step "servers"
for i in 1 2 3; do
	serve_tcp "$i"
	[ "$i" = 3 ] && BE3_TCP_PID=$TCP_PID
done
serve_udp ube1 be1 10000
UBE1_PID=$UDP_PID
serve_udp ube2 be2 10001
UBE2_PID=$UDP_PID
serve_udp ube3 be3 10002
serve_udp ube3b be3 10102
if wait_for 10 'listening tbe1 tbe2 tbe3 ube1 ube2 ube3 ube3b'; then
	ok "greetd on the TCP ports, udpecho on the UDP ports (be3:10102 UDP only)"
else
	fail "greetd on the TCP ports, udpecho on the UDP ports (be3:10102 UDP only)"
	diag_file /tmp/ube1.log; diag_file /tmp/tbe1.log
fi

# ---------------------------------------------------------- 1. --once ----

step "--once with --send and --expect"
once --send 'HEALTH CHECK\n' --expect alive
if [ "$ONCE_RC" = 0 ] && [ "$(grep -c "/tcp ok\$" /tmp/once.out)" = 3 ] &&
	[ "$(grep -c "/udp ok\$" /tmp/once.out)" = 4 ] &&
	grep -qxF "10.0.3.1:10102 of service $SVC_UDP ok" /tmp/once.out; then
	ok "--once --send --expect: 3 TCP and 4 UDP backends ok (be3:10102 too), exit 0"
else
	fail "--once --send --expect: 3 TCP and 4 UDP backends ok (be3:10102 too), exit 0" "exit $ONCE_RC"
	diag_file /tmp/once.out; diag_file /tmp/once.err
fi

step "--once without --send"
once
if [ "$ONCE_RC" = 0 ] && [ "$(grep -c "/tcp ok\$" /tmp/once.out)" = 3 ] &&
	[ "$(grep -c "/udp $NOT_CHECKED\$" /tmp/once.out)" = 4 ] &&
	grep -qxF "10.0.2.1:10001 of service $SVC_UDP $NOT_CHECKED" /tmp/once.out; then
	ok "--once without --send: TCP backends ok, the 4 UDP ones 'not checked', exit 0"
else
	fail "--once without --send: TCP backends ok, the 4 UDP ones 'not checked', exit 0" "exit $ONCE_RC"
	diag_file /tmp/once.out; diag_file /tmp/once.err
fi

step "--once with --udp-send and --udp-expect"
once --send 'HEALTH CHECK\n' --expect alive --udp-send 'ping\n' --udp-expect 'ube2 ping'
if [ "$ONCE_RC" = 1 ] && [ "$(grep -c "/tcp ok\$" /tmp/once.out)" = 3 ] &&
	grep -qxF "10.0.2.1:10001 of service $SVC_UDP ok" /tmp/once.out &&
	grep -qxF "10.0.1.1:10000 of service $SVC_UDP failed: expect: no \"ube2 ping\" within 1 s (got \"alive-ube1 ping\\n\")" /tmp/once.out &&
	[ "$(grep -c "/udp failed: " /tmp/once.out)" = 3 ]; then
	ok "--once --udp-send --udp-expect: UDP checks use their own strings, the reply is quoted, exit 1"
else
	fail "--once --udp-send --udp-expect: UDP checks use their own strings, the reply is quoted, exit 1" "exit $ONCE_RC"
	diag_file /tmp/once.out; diag_file /tmp/once.err
fi

# ------------------------------------------ 2. the daemon, all healthy ----

step "daemon with --send and --expect"
daemon_start --interval "$INTERVAL" --fall "$FALL" --rise "$RISE" \
	--send 'HEALTH CHECK\n' --expect alive
if alive "$DAEMON_PID" &&
	grep -qF 'l4lb-health: started: every 1 s, timeout 1 s, rise 2, fall 2, send "HEALTH CHECK\n", expect "alive", on-down keep' "$LOG"; then
	ok "l4lb-health runs and logged its start"
else
	fail "l4lb-health runs and logged its start"; diag_file "$LOG"
fi
sleep $((INTERVAL * FALL + 2))
if ! grep -qE " down: | not checked" "$LOG" && [ "$(udp_states)" = "up up up up" ] &&
	[ "$(tcp_states)" = "up up up" ]; then
	ok "after $((INTERVAL * FALL + 2)) rounds all 7 backends are still up (UDP-only be3:10102 too)"
else
	fail "after $((INTERVAL * FALL + 2)) rounds all 7 backends are still up (UDP-only be3:10102 too)" \
		"tcp: $(tcp_states); udp: $(udp_states)"
	diag_file "$LOG"
fi
got=$(udp_flows 4 41000)
expect_eq "4 UDP flows through the VIP: one to each UDP backend" "ube1 ube2 ube3 ube3b" "$got"

# ------------------------------------------------ 3. a UDP server dies ----

step "kill be2's udpecho"
T_KILL=$(now_s)
kill -9 "$UBE2_PID"
wait_exit 5 "$UBE2_PID" >/dev/null
logged_within "UDP backend be2:10001 marked down within $LIMIT_DOWN s" \
	"backend 10.0.2.1:10001 of service $SVC_UDP down" "$T_KILL" "$LIMIT_DOWN"
check "log: 'backend 10.0.2.1:10001 of service $SVC_UDP down: 2 consecutive failures (recv: Connection refused (ICMP port unreachable))'" \
	grep -qxF "l4lb-health: backend 10.0.2.1:10001 of service $SVC_UDP down: 2 consecutive failures (recv: Connection refused (ICMP port unreachable))" "$LOG"
sleep 1	# one round more, for a wrong "down" (say, of the TCP be2:10001) to show up
expect_eq "l4lbctl list service $SVC_UDP: only be2:10001 down" "up down up up" "$(udp_states)"
expect_eq "l4lbctl list service $SVC_TCP: all up, be2:10001 (TCP) too" "up up up" "$(tcp_states)"
n_down=$(grep -c " down: " "$LOG")
expect_eq "the log has one 'down' line, no other backend went down" 1 "$n_down"
got=$(udp_flows 6 41100)
diag "6 UDP flows answered by: $got"
case " $got " in
*" ube2 "* | *" - "*) fail "6 new UDP flows through the VIP: none to be2, all answered" "got: $got" ;;
*) expect_eq "6 new UDP flows through the VIP: none to be2, all answered" \
	"ube1 ube3 ube3b" "$(echo "$got" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')" ;;
esac

step "restart be2's udpecho"
serve_udp ube2 be2 10001
UBE2_PID=$UDP_PID
wait_for 10 'listening ube2'
T_RESTART=$(now_s)
logged_within "UDP backend be2:10001 marked up within $LIMIT_UP s" \
	"backend 10.0.2.1:10001 of service $SVC_UDP up" "$T_RESTART" "$LIMIT_UP"
check "log: 'backend 10.0.2.1:10001 of service $SVC_UDP up: 2 consecutive successes'" \
	grep -qxF "l4lb-health: backend 10.0.2.1:10001 of service $SVC_UDP up: 2 consecutive successes" "$LOG"
expect_eq "all 7 backends up again" "up up up|up up up up" "$(tcp_states)|$(udp_states)"

daemon_stop
rc=$?
if [ "$rc" = 0 ] && grep -qxF "l4lb-health: stopping on SIGTERM" "$LOG"; then
	ok "SIGTERM: the daemon logs it and exits 0"
else
	fail "SIGTERM: the daemon logs it and exits 0" "exit $rc"; diag_file "$LOG"
fi

# ------------------------------------------------- 4. without --send ----

step "daemon without --send"
daemon_start --interval "$INTERVAL" --fall "$FALL" --rise "$RISE"
wait_for 10 '[ "$(grep -c " not checked: " "$LOG")" -ge 4 ]'
n_nc=0
for be in $UDP_BES; do
	grep -qxF "l4lb-health: backend $be of service $SVC_UDP $NOT_CHECKED; its state (up) is left alone" "$LOG" &&
		n_nc=$((n_nc + 1))
done
if [ "$n_nc" = 4 ]; then
	ok "each UDP backend logged 'not checked: UDP needs --send (silence proves nothing)'"
else
	fail "each UDP backend logged 'not checked: UDP needs --send (silence proves nothing)'" "$n_nc of 4"
	diag_file "$LOG"
fi

step "kill be1's udpecho and be3's greetd"
T_KILL=$(now_s)
kill -9 "$UBE1_PID" "$BE3_TCP_PID"
wait_exit 5 "$UBE1_PID" >/dev/null
wait_exit 5 "$BE3_TCP_PID" >/dev/null
if wait_for 15 'grep -q "backend 10.0.3.1:10002 of service $SVC_TCP down" "$LOG"'; then
	ok "TCP backends are still checked: be3:10002 (TCP) marked down"
else
	fail "TCP backends are still checked: be3:10002 (TCP) marked down"; diag_file "$LOG"
fi
# Give the UDP side as many rounds as the TCP side needed, and more.
sleep $((INTERVAL * FALL + 1))
diag "$(num_sub "$(now_s)" "$T_KILL") s after the kills"
expect_eq "UDP backends stay up without --send, be1:10000 with its udpecho dead too" \
	"up up up up" "$(udp_states)"
expect_eq "TCP: only be3:10002 down" "up up down" "$(tcp_states)"
expect_eq "'not checked' is logged once per UDP backend, not every round" 4 \
	"$(grep -c " not checked: " "$LOG")"
check "log: no UDP backend went down or up" sh -c "! grep -qE '/udp (down|up):' '$LOG'"

daemon_stop
rc=$?
expect_eq "SIGTERM: exit 0" 0 "$rc"

topo_down
unload_l4lb || diag "rmmod failed"
kernel_clean_since "health_udp"
