#!/bin/sh
# agent_weight: l4lb-health's agent checks steer the backends' weights.
#
#   insmod l4lb.ko vip=10.0.0.1 port=20000 scheduler=wrr \
#       backends=10.0.1.1:10000,10.0.2.1:10001   (weights set to 4 and 4)
#   l4lb-health --interval 1 --agent-port 10999  (in lb, the root netns)
#
# greetd on be1 and be2 answers "be1"/"be2". Each backend's agent is a
# socat stub on port 10999 that answers the contents of /tmp/agentI.txt
# (the namespaces share the file system), so the test changes an answer by
# rewriting the file.
#
#  0. By hand: `l4lbctl set be1 weight-pct 50` gives effective weight 2
#     with the weight kept at 4; weight-pct 257 is refused (exit 2).
#  1. be1's agent says "25%", be2's "100%": `l4lbctl -j list` shows the
#     configured weights 4 and 4, percentages 25 and 100, effective weights
#     1 and 4, and the change is logged. 500 new connections split about
#     1:4 (be1 100 +- 15).
#  2. A client on be1 keeps talking. be1's agent says "drain": be1 goes to
#     state drain within a few rounds, 50 new connections all go to be2,
#     and the talking connection goes on (be1's bytes_in grows, its row
#     stays ESTABLISHED).
#  3. be1's agent sends garbage, then closes without a line, then is gone
#     (connection refused): nothing changes (state drain, 25%), and each
#     kind of trouble is logged once, not every round.
#  4. be1's agent says "ready 100%": be1 is up again at 100%, "answers
#     again" is logged. The daemon stops with 0 on SIGTERM.
#
# Under TCG it takes about 60-90 s (the 500 connections are most of it).
. /vm/lib/common.sh
. /vm/lib/health.sh
. /vm/lib/sched.sh
plan 22
require_l4lbctl

require_health
LOG=/tmp/agent_weight.log
APORT=10999
K=500

# agent_says I TEXT: beI's agent answers TEXT (and a newline; nothing at
# all for an empty TEXT) from its next connection on.
agent_says() {
	if [ -n "$2" ]; then
		printf '%s\n' "$2" >"/tmp/agent$1.new"
	else
		: >"/tmp/agent$1.new"
	fi
	mv "/tmp/agent$1.new" "/tmp/agent$1.txt"
}

# agent_stub I: beI's agent, a socat stub; its pid in AGENT_PID.
agent_stub() {
	bg "/tmp/agent$1.log" "be$1" socat "TCP-LISTEN:$APORT,reuseaddr,fork" \
		"SYSTEM:cat /tmp/agent$1.txt"
	AGENT_PID=$BG_PID
}

# be1_is KEY: member KEY of be1 in `l4lbctl -j list`.
be1_is() {
	l4lbctl -j list 2>/dev/null |
		jq -r --arg b "$BE1" --arg k "$1" '.[] | select(.backend == $b) | .[$k]'
}

# log_count PATTERN: lines of the daemon's log matching PATTERN.
log_count() {
	grep -c -- "$1" "$LOG"
}

step "topology"
topo_up || die "topology up"
kmsg_mark "agent_weight"
if load_l4lb "vip=$VIP" "port=$VPORT" scheduler=wrr "backends=$BE1,$BE2"; then
	ok "l4lb up: wrr over be1 and be2"
else
	die "insmod l4lb"
fi
_sched_run "l4lbctl set weight 4, 4" sh -c "
	l4lbctl set $BE1 weight 4 && l4lbctl set $BE2 weight 4"
# By hand first: the percentage scales, the weight stays, 0-256 only.
l4lbctl set "$BE1" weight-pct 50
expect_eq "l4lbctl set weight-pct 50: weight 4, pct 50, effective 2" "4|50|2" \
	"$(_sched_list weight | cut -d' ' -f1)|$(_sched_list weight_pct | cut -d' ' -f1)|$(_sched_list weight_eff | cut -d' ' -f1)"
l4lbctl set "$BE1" weight-pct 257 2>/tmp/pct.err
rc=$?
expect_eq "weight-pct 257: exit 2, one line, nothing changed" \
	"2|l4lbctl: invalid weight-pct \"257\" (expected 0-256)|50" \
	"$rc|$(cat /tmp/pct.err)|$(_sched_list weight_pct | cut -d' ' -f1)"
l4lbctl set "$BE1" weight-pct 100
bg /tmp/be1.log be1 greetd 10000 be1
bg /tmp/be2.log be2 greetd 10001 be2
agent_says 1 "25%"
agent_says 2 "100%"
agent_stub 1
AGENT1_PID=$AGENT_PID
agent_stub 2
check "greetd and the agent stubs listen on be1 and be2" wait_for 10 \
	'listens be1 tcp 10000 && listens be2 tcp 10001 &&
	 listens be1 tcp '$APORT' && listens be2 tcp '$APORT

step "agent figures"
daemon_start --interval 1 --agent-port "$APORT"
wait_for 10 '[ "$(_sched_list weight_eff)" = "1 4" ]'
expect_eq "list: weights 4 4, percentages 25 100, effective 1 4" \
	"4 4|25 100|1 4|up up" \
	"$(_sched_list weight)|$(_sched_list weight_pct)|$(_sched_list weight_eff)|$(_sched_list state)"
check "the new weight is logged" grep -q \
	"backend $BE1 weight 25% of 4, effective 1 (was 100%): agent says \"25%\"" "$LOG"
check "table view: WEIGHT PCT EFF columns" sh -c \
	"l4lbctl list | grep -Eq '^10\.0\.1\.1:10000 +up +4 +25 +1 '"

step "$K connections"
bg_held w /tmp/w.out cli conns -w -t 120 "$VIP" "$VPORT" "$K"
wait_for 150 'grep -q "^answered" /tmp/w.out'
expect_eq "conns: all $K connections answered" "answered $K of $K" \
	"$(grep '^answered' /tmp/w.out)"
split=$(_sched_answers /tmp/w.out | _sched_tally)
diag "split: $split"
if echo "$split" | awk '{ exit !($2 >= 85 && $2 <= 115 && $2 + $4 == 500) }'; then
	ok "about 1:4: be1 100 +- 15 of $K ($split)"
else
	fail "about 1:4: be1 100 +- 15 of $K" "got: $split"
fi
release w 30 >/dev/null

step "a talking connection on be1"
# wrr over 1:4 sends one connection in five to be1.
i=0
talk=
while [ $i -lt 6 ] && [ -z "$talk" ]; do
	i=$((i + 1))
	rm -f "/tmp/talk$i.greet"
	bg "/tmp/talk$i.log" cli socat "TCP:$VIP:$VPORT" \
		"SYSTEM:read g; echo \$g >/tmp/talk$i.greet; while true; do echo ping; sleep 0.2; done"
	wait_for 10 '[ -s /tmp/talk'$i'.greet ]'
	[ "$(cat "/tmp/talk$i.greet" 2>/dev/null)" = be1 ] && talk=$BG_PID
done
check "a talking client reached be1 (try $i)" [ -n "$talk" ]

step "drain"
agent_says 1 "drain"
wait_for 10 '[ "$(be1_is state)" = drain ]'
expect_eq "be1's agent says drain: be1 is in state drain" "drain" "$(be1_is state)"
check "the drain is logged" grep -q "backend $BE1 drain: agent says \"drain\"" "$LOG"
bg_held d /tmp/d.out cli conns -w -t 60 "$VIP" "$VPORT" 50
wait_for 60 'grep -q "^answered" /tmp/d.out'
expect_eq "50 new connections: none to be1" "be1 0 be2 50 be3 0" \
	"$(_sched_answers /tmp/d.out | _sched_tally)"
release d 30 >/dev/null
b0=$(be1_is bytes_in)
sleep 2
b1=$(be1_is bytes_in)
if alive "$talk" && [ "${b1:-0}" -gt "${b0:-0}" ] &&
   _sched_nat | grep -q " be1 ESTABLISHED$"; then
	ok "the open connection to be1 goes on (bytes_in $b0 -> $b1, ESTABLISHED)"
else
	fail "the open connection to be1 goes on" "bytes_in $b0 -> $b1"
	nat_show
fi

step "garbage, hang-up, no agent"
agent_says 1 "busy!!"
wait_for 10 'grep -q "agent of backend $BE1 sent a malformed line" "$LOG"'
sleep 3
expect_eq "garbage: logged once, be1 still drain at 25%" "1|drain|25" \
	"$(log_count "agent of backend $BE1 sent a malformed line")|$(be1_is state)|$(be1_is weight_pct)"
agent_says 1 ""
wait_for 10 'grep -q "agent of backend $BE1 unreachable" "$LOG"'
kill "$AGENT1_PID"
wait_exit 5 "$AGENT1_PID"
sleep 3
expect_eq "hang-up, then refused: logged once, be1 still drain at 25%" \
	"1|drain|25" \
	"$(log_count "agent of backend $BE1 unreachable")|$(be1_is state)|$(be1_is weight_pct)"
diag "$(grep "agent of backend $BE1" "$LOG")"

step "ready"
agent_says 1 "ready 100%"
agent_stub 1
wait_for 10 '[ "$(be1_is state)" = up ] && [ "$(be1_is weight_pct)" = 100 ]'
expect_eq "ready 100%: be1 up, 100%, effective 4" "up|100|4" \
	"$(be1_is state)|$(be1_is weight_pct)|$(be1_is weight_eff)"
check "\"answers again\" is logged" grep -q "agent of backend $BE1 answers again" "$LOG"

step "clean up"
daemon_stop
expect_eq "l4lb-health stops with 0 on SIGTERM" 0 "$?"
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "agent_weight"
