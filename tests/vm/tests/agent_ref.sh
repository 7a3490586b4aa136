#!/bin/sh
# agent_ref: l4lb-agent, the reference load-feedback agent, on a backend.
#
# The reference service (rr over be1, be2, be3, greetd answering its
# name). l4lb-agent runs in be1 on port 10999; the test asks it with socat
# from lb.
#
#  1. CPU, from the VM's real /proc/stat (--source cpu, --window 1): its
#     answer with one busy loop per vCPU running in be1 is at least 20
#     points below its answer with none. Namespaces share the VM's CPUs,
#     so this compares the same agent busy and idle rather than two
#     backends; under qemu TCG the guest's own idle accounting is what
#     counts, and a spinning shell per vCPU leaves it next to none.
#  2. The formula, exactly: with --stat-file and --meminfo-file naming
#     files the test writes (40% idle CPU over the window, 80% available
#     memory) it answers "40% ready", the lower of the two.
#  3. The drain file: "drain" while it exists, "N% ready" once it is gone.
#  4. With l4lb-health --agent-port 10999: be1's weight percentage becomes
#     40 (`l4lbctl -j list`); touching the drain file drains be1, removing
#     it brings be1 back up.
#
# Under TCG it takes about 30-40 s.
. /vm/lib/common.sh
. /vm/lib/health.sh
plan 12
require_l4lbctl

HEALTH=$(command -v l4lb-health 2>/dev/null)
AGENT=$(command -v l4lb-agent 2>/dev/null)
if [ -z "$HEALTH" ] || [ -z "$AGENT" ]; then
	skip_rest "l4lb-health or l4lb-agent is not in the VM image"
	exit 0
fi
LOG=/tmp/agent_ref.log
APORT=10999
DRAIN=/tmp/agent_ref.drain

# ask: one answer of be1's agent.
ask() {
	socat -T 2 - "TCP:10.0.1.1:$APORT" </dev/null 2>/dev/null
}

# pct_of ANSWER: the N of "N% ready" (empty if it is not that).
pct_of() {
	echo "$1" | sed -n 's/^\([0-9]*\)% ready$/\1/p'
}

# agent_start ARGS...: l4lb-agent in be1; pid in AGENT_PID; waits until it
# answers.
agent_start() {
	bg /tmp/agent_ref.agent.log be1 "$AGENT" --port "$APORT" \
		--drain-file "$DRAIN" "$@"
	AGENT_PID=$BG_PID
	wait_for 10 '[ -n "$(ask)" ]'
}

agent_stop() {
	kill "$AGENT_PID" 2>/dev/null
	wait_exit 5 "$AGENT_PID"
}

step "topology"
topo_up || die "topology up"
kmsg_mark "agent_ref"
lb_up || die "l4lb up"
greet_all
serve_ready || die "greetd on be1, be2, be3"
ok "l4lb up with the reference service, greetd on every backend"
rm -f "$DRAIN"

step "busy CPU"
agent_start --source cpu --window 1
sleep 2
idle=$(pct_of "$(ask)")
ncpu=$(grep -c '^processor' /proc/cpuinfo)
busy_pids=
i=0
while [ "$i" -lt "$ncpu" ]; do
	bg /dev/null be1 sh -c 'while true; do :; done'
	busy_pids="$busy_pids $BG_PID"
	i=$((i + 1))
done
sleep 3
busy=$(pct_of "$(ask)")
# shellcheck disable=SC2086
kill -9 $busy_pids 2>/dev/null
diag "idle CPU figure: idle ${idle:-?}%, with $ncpu busy loop(s) ${busy:-?}%"
if [ -n "$idle" ] && [ -n "$busy" ] && [ "$busy" -le $((idle - 20)) ]; then
	ok "busy loops lower the figure by 20 points or more ($idle% -> $busy%)"
else
	fail "busy loops lower the figure by 20 points or more" \
		"idle: ${idle:-none}, busy: ${busy:-none}"
fi
agent_stop

step "the formula, from files"
# Since "boot": 40 idle (30 idle + 10 iowait) of 100 ticks; memory 80%.
echo 'cpu  40 0 20 30 10 0 0 0 0 0' >/tmp/agent_ref.stat
printf 'MemTotal: 1000 kB\nMemAvailable: 800 kB\n' >/tmp/agent_ref.meminfo
agent_start --stat-file /tmp/agent_ref.stat --meminfo-file /tmp/agent_ref.meminfo
expect_eq "40% idle CPU, 80% memory: \"40% ready\"" "40% ready" "$(ask)"
# Next window: 100 more ticks, 60 idle; memory 50%: min(60, 50).
echo 'cpu  60 0 40 80 20 0 0 0 0 0' >/tmp/agent_ref.stat
printf 'MemTotal: 1000 kB\nMemAvailable: 500 kB\n' >/tmp/agent_ref.meminfo
wait_for 5 '[ "$(ask)" = "50% ready" ]'
expect_eq "next window 60% idle, memory 50%: \"50% ready\"" "50% ready" "$(ask)"
printf 'MemTotal: 1000 kB\nMemAvailable: 800 kB\n' >/tmp/agent_ref.meminfo
echo 'cpu  100 0 60 110 30 0 0 0 0 0' >/tmp/agent_ref.stat

step "drain file"
touch "$DRAIN"
expect_eq "drain file present: \"drain\"" "drain" "$(ask)"
rm -f "$DRAIN"
check "drain file gone: \"N% ready\" again" sh -c \
	"socat -T 2 - TCP:10.0.1.1:$APORT </dev/null | grep -Eq '^[0-9]+% ready$'"

step "with l4lb-health"
# Keep the figure at 40: each window adds 100 ticks, 40 idle.
bg /dev/null lb sh -c '
	u=100 i=110
	while true; do
		sleep 0.5
		u=$((u + 30)) i=$((i + 20))
		echo "cpu  $u 0 60 $i 30 0 0 0 0 0" >/tmp/agent_ref.stat.new
		mv /tmp/agent_ref.stat.new /tmp/agent_ref.stat
	done'
daemon_start --interval 1 --agent-port "$APORT"
wait_for 10 '[ "$(l4lbctl -j list | jq -r ".[0].weight_pct")" = 40 ]'
be1_pct=$(l4lbctl -j list | jq -r --arg b "$BE1" '.[] | select(.backend == $b) | .weight_pct')
expect_eq "be1's weight percentage is the agent's 40" 40 "$be1_pct"
touch "$DRAIN"
wait_for 10 '[ "$(l4lbctl -j list | jq -r ".[0].state")" = drain ]'
expect_eq "drain file: be1 drained through l4lb-health" "drain up up" \
	"$(l4lbctl -j list | json_line state)"
rm -f "$DRAIN"
wait_for 10 '[ "$(l4lbctl -j list | jq -r ".[0].state")" = up ]'
expect_eq "drain file gone: be1 up again" "up up up" \
	"$(l4lbctl -j list | json_line state)"

step "clean up"
daemon_stop
expect_eq "l4lb-health stops with 0 on SIGTERM" 0 "$?"
topo_down
if lb_down; then ok "rmmod l4lb"; else fail "rmmod l4lb"; fi
kernel_clean_since "agent_ref"
